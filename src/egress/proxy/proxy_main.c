/*
 * proxy_main.c - the egress proxy object: event loop, listeners, resolver, policy swaps,
 * stop and drain (cloudfort/proxy.h). Connections are proxy_conn.c's business.
 *
 * The proxy runs one libevent loop per thread (one per CPU unless configured), each with its
 * own listening socket bound to the same address with SO_REUSEPORT, so the kernel spreads new
 * connections over the loops and no connection ever moves between threads. A loop owns its
 * connections, pooled upstreams, resolver, timers and counters; what the loops share is the
 * configuration (read only), the TLS context (OpenSSL's is thread-safe), the count of client
 * connections (atomic, for the connection limit), the log callback (under a mutex), the
 * policy, and the queue of password checks: checker threads (one per loop) run the crypt(3)
 * checks that would stall a loop, and hand each answer back through its loop's done list
 * (under auth_mu) and pipe. Several loops, not one: with wrk, nginx and the proxy sharing two
 * CPUs, a single loop saturated one CPU while its clients queued on the other.
 *
 * cf_proxy_stop() and cf_proxy_drain() write one byte into each loop's pipe, which is
 * async-signal-safe; cf_proxy_reload() parks the new policy and writes a byte too. Each loop
 * reads its pipe and acts. Policies are reference-counted (atomically: every loop holds one
 * reference and every request in flight another) so that a request keeps the policy it was
 * checked under until it ends, while new requests use the new one.
 *
 * A tick every 200 ms on loop 0 asks the log callback to flush when lines were written, so
 * that a buffered log file stays at most a fraction of a second behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <event2/util.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "proxy_internal.h"
#include "report/jsonw.h"

cf__policy_ref_t *cf__policy_ref_take(cf__policy_ref_t *r) {
  atomic_fetch_add(&r->refs, 1);
  return r;
}

void cf__policy_ref_drop(cf__policy_ref_t *r) {
  if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
    cf_egress_policy_free(r->policy);
    free(r);
  }
}

void cf__proxy_time(char buf[32]) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  struct tm tm;
  time_t t = tv.tv_sec;
  gmtime_r(&t, &tm);
  size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, 32 - n, ".%03dZ", (int)(tv.tv_usec / 1000));
}

void cf__proxy_log_line(struct cf_proxy *px, const char *line, size_t len) {
  if (!px->cfg.log_cb) return;
  pthread_mutex_lock(&px->log_mu);
  px->cfg.log_cb(px->cfg.log_userdata, line, len);
  px->log_dirty = true;
  pthread_mutex_unlock(&px->log_mu);
}

static void log_flush(struct cf_proxy *px, bool always) {
  if (!px->cfg.log_cb) return;
  pthread_mutex_lock(&px->log_mu);
  if (always || px->log_dirty) px->cfg.log_cb(px->cfg.log_userdata, NULL, 0);
  px->log_dirty = false;
  pthread_mutex_unlock(&px->log_mu);
}

/* Parses "1.2.3.4:80" or "[::1]:80" (port 0 allowed: the system picks one); for the resolver
 * the port may be left out (53). */
static bool parse_addr(const char *s, struct sockaddr_storage *ss, int *len, bool port_optional) {
  memset(ss, 0, sizeof *ss);
  char host[INET6_ADDRSTRLEN + 1];
  const char *port = NULL;
  size_t hl;
  if (s[0] == '[') {
    const char *rb = strchr(s, ']');
    if (!rb) return false;
    hl = (size_t)(rb - s - 1);
    if (rb[1] == ':') port = rb + 2;
    else if (rb[1] != '\0') return false;
    s++;
  } else {
    const char *colon = strrchr(s, ':');
    if (colon && strchr(s, ':') != colon) return false; /* a bare IPv6 address needs brackets */
    hl = colon ? (size_t)(colon - s) : strlen(s);
    if (colon) port = colon + 1;
  }
  if (hl == 0 || hl >= sizeof host) return false;
  memcpy(host, s, hl);
  host[hl] = '\0';
  unsigned long pn = 53;
  if (port) {
    char *end = NULL;
    if (!*port || *port < '0' || *port > '9') return false;
    pn = strtoul(port, &end, 10);
    if (*end || pn > 65535) return false;
  } else if (!port_optional) {
    return false;
  }
  struct sockaddr_in *in = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)pn);
    *len = (int)sizeof *in;
    return true;
  }
  if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)pn);
    *len = (int)sizeof *in6;
    return true;
  }
  return false;
}

static void addr_text(const struct sockaddr *sa, char *buf, size_t n) {
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    snprintf(buf, n, "%s:%u", host, port);
  } else {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
    snprintf(buf, n, "[%s]:%u", host, port);
  }
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg) {
  (void)l;
  cf__conn_accept(arg, fd, sa, (socklen_t)len);
}

static void metrics_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
                              void *arg) {
  (void)l;
  (void)sa;
  (void)len;
  cf__metrics_accept(arg, fd);
}

/* Out of descriptors (EMFILE, ENFILE) or memory: stop accepting for a moment rather than spin
 * on a listener that stays readable. The tick turns it back on. */
static void accept_error_cb(struct evconnlistener *el, void *arg) {
  cf__loop_t *l = arg;
  int err = EVUTIL_SOCKET_ERROR();
  cf__log(l->cfg.ctx, CF_LOG_WARN, "egress: accept failed: %s; pausing the listener",
          evutil_socket_error_to_string(err));
  evconnlistener_disable(el);
  l->accept_paused = true;
}

static void finish_drain(cf__loop_t *l) {
  if (l->draining && l->n_conns == 0) event_base_loopexit(l->base, NULL);
}

static void begin_drain(cf__loop_t *l) {
  if (l->draining) return;
  l->draining = true;
  if (l->listener) evconnlistener_disable(l->listener);
  if (l->n_conns) cf__log(l->cfg.ctx, CF_LOG_INFO, "egress: draining %u connections", l->n_conns);
  struct timeval tv = {l->cfg.drain_timeout_ms / 1000, (l->cfg.drain_timeout_ms % 1000) * 1000};
  event_add(l->drain_ev, &tv);
  cf__conn_drain_idle(l);
  finish_drain(l);
}

static void drain_timeout_cb(evutil_socket_t fd, short what, void *arg) {
  (void)fd;
  (void)what;
  cf__loop_t *l = arg;
  cf__log(l->cfg.ctx, CF_LOG_WARN, "egress: drain timeout; closing %u connections", l->n_conns);
  event_base_loopexit(l->base, NULL);
}

/* A reload: the first loop to see the parked policy makes it current (and logs it); every
 * loop then moves its reference to the current one. */
static void apply_pending(cf__loop_t *l) {
  struct cf_proxy *px = l->px;
  bool fresh = false;
  pthread_mutex_lock(&px->mu);
  cf_egress_policy_t *np = px->pending;
  px->pending = NULL;
  if (np) {
    cf__policy_ref_t *r = calloc(1, sizeof *r);
    if (!r) {
      cf__log(l->cfg.ctx, CF_LOG_ERROR, "egress: out of memory; keeping the previous policy");
      cf_egress_policy_free(np);
    } else {
      r->policy = np;
      r->refs = 1;
      cf__policy_ref_drop(px->current);
      px->current = r;
      fresh = true;
    }
  }
  cf__policy_ref_t *cur = cf__policy_ref_take(px->current);
  pthread_mutex_unlock(&px->mu);
  cf__policy_ref_drop(l->policy);
  l->policy = cur;
  if (!fresh) return;
  l->m.reloads++;
  char t[32], line[128];
  cf__proxy_time(t);
  int n = snprintf(line, sizeof line, "{\"time\":\"%s\",\"event\":\"reload\",\"ok\":true}", t);
  cf__proxy_log_line(px, line, (size_t)n);
}

static void notify_cb(evutil_socket_t fd, short what, void *arg) {
  (void)what;
  cf__loop_t *l = arg;
  char buf[64];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] == 's') {
        l->stopping = true;
        event_base_loopexit(l->base, NULL);
      } else if (buf[i] == 'd') {
        begin_drain(l);
      } else if (buf[i] == 'r') {
        apply_pending(l);
      } else if (buf[i] == 'a') {
        cf__auth_resume(l);
      }
    }
  }
}

static void tick_cb(evutil_socket_t fd, short what, void *arg) {
  (void)fd;
  (void)what;
  cf__loop_t *l = arg;
  if (l->index == 0) log_flush(l->px, false);
  if (l->accept_paused && !l->draining && l->listener) {
    l->accept_paused = false;
    evconnlistener_enable(l->listener);
  }
}

/* Binds a listener of loop l to ss. The proxy's own listener is bound with SO_REUSEPORT when
 * there are several loops: loop 0 binds first (port 0 picks a port) and the others bind to
 * the address loop 0 got. */
static cf_err listen_on(cf__loop_t *l, const char *spec, const struct sockaddr_storage *ss, int len, bool metrics,
                        cf_diag_t *diag) {
  struct cf_proxy *px = l->px;
  unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;
  if (!metrics && px->n_loops > 1) flags |= LEV_OPT_REUSEABLE_PORT;
  struct evconnlistener *el = evconnlistener_new_bind(l->base, metrics ? metrics_accept_cb : accept_cb, l, flags,
                                                      4096, (const struct sockaddr *)ss, len);
  if (!el) return cf_diag_set(diag, CF_EIO, NULL, 0, 0, "cannot listen on %s: %s", spec, strerror(errno));
  evconnlistener_set_error_cb(el, accept_error_cb);
  if (metrics) l->metrics_listener = el;
  else l->listener = el;
  return CF_OK;
}

/* The address a listener is bound to, as a sockaddr and as text. */
static void bound_address(struct evconnlistener *el, struct sockaddr_storage *ss, int *len, char *text, size_t n) {
  socklen_t bl = sizeof *ss;
  if (getsockname(evconnlistener_get_fd(el), (struct sockaddr *)ss, &bl) == 0) {
    *len = (int)bl;
    addr_text((struct sockaddr *)ss, text, n);
  }
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* The TLS context of the listening side: TLS 1.2 or later, the certificate chain and key,
 * and, with a client CA, a request for a client certificate (optional; one that is presented
 * must verify). */
static cf_err tls_setup(struct cf_proxy *p, const cf_proxy_config_t *cfg, cf_diag_t *diag) {
  const char *key = cfg->tls_key ? cfg->tls_key : cfg->tls_cert;
  const char *what = cfg->tls_cert;
  char err[256] = "out of memory";
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) goto fail;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) goto fail;
  what = key;
  if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) goto fail;
  if (cfg->tls_client_ca) {
    what = cfg->tls_client_ca;
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(cfg->tls_client_ca);
    if (!names || SSL_CTX_load_verify_locations(ctx, cfg->tls_client_ca, NULL) != 1) {
      sk_X509_NAME_pop_free(names, X509_NAME_free);
      goto fail;
    }
    SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  }
  p->tls = ctx;
  return CF_OK;
fail:;
  unsigned long e = ERR_peek_last_error();
  if (e) ERR_error_string_n(e, err, sizeof err);
  ERR_clear_error();
  SSL_CTX_free(ctx);
  return cf_diag_set(diag, CF_EIO, what, 0, 0, "cannot load the TLS certificate, key or CA: %s", err);
}

/* Sets up loop l: its event base, common timeouts, resolver, listeners, pipe, tick and
 * reference on the current policy. */
static cf_err loop_init(struct cf_proxy *px, unsigned index, struct sockaddr_storage *ls, int *ll,
                        cf_diag_t *diag) {
  cf__loop_t *l = &px->loops[index];
  l->px = px;
  l->index = index;
  l->cfg = px->cfg;
  l->tls = px->tls;
  l->notify[0] = l->notify[1] = -1;
  l->policy = cf__policy_ref_take(px->current);
  cf_err e = CF_ENOMEM;
  struct event_config *ec = event_config_new();
  if (!ec) return e;
  /* A loop's base is touched by its own thread only. */
  event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
  /* Changes to a descriptor's events within one loop turn become one epoll_ctl. */
  event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
  l->base = event_base_new_with_config(ec);
  event_config_free(ec);
  if (!l->base) return e;
  if (!(l->scratch = malloc(sizeof *l->scratch))) return e;
  if (!(l->logw = malloc(sizeof *l->logw))) return e;
  cf__jw_init_mem(l->logw);
  const struct timeval *ct;
  struct timeval tv;
#define COMMON(field, ms)                                                  \
  tv.tv_sec = (time_t)((ms) / 1000);                                       \
  tv.tv_usec = (suseconds_t)(((ms) % 1000) * 1000);                        \
  if (!(ct = event_base_init_common_timeout(l->base, &tv))) return e;      \
  l->field = *ct;
  COMMON(tv_idle, l->cfg.idle_timeout_ms)
  COMMON(tv_header, l->cfg.header_timeout_ms)
  COMMON(tv_upstream, l->cfg.upstream_timeout_ms)
  COMMON(tv_tunnel, l->cfg.tunnel_idle_ms)
#undef COMMON

  if (l->cfg.resolver) {
    l->dns = evdns_base_new(l->base, 0);
    if (!l->dns) return e;
    struct sockaddr_storage ss;
    int len;
    if (!parse_addr(l->cfg.resolver, &ss, &len, true) ||
        evdns_base_nameserver_sockaddr_add(l->dns, (struct sockaddr *)&ss, (ev_socklen_t)len, 0) != 0)
      return cf_diag_set(diag, CF_EINVAL, NULL, 0, 0, "cannot use resolver '%s' (expected HOST:PORT)", l->cfg.resolver);
  } else {
    l->dns = evdns_base_new(l->base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
    if (!l->dns) return cf_diag_set(diag, CF_EIO, NULL, 0, 0, "cannot read the resolver configuration (/etc/resolv.conf)");
  }
  /* A name that does not answer within the upstream timeout is a 502, not a long hang. */
  char tbuf[32];
  snprintf(tbuf, sizeof tbuf, "%u", l->cfg.upstream_timeout_ms / 3000 ? l->cfg.upstream_timeout_ms / 3000 : 1);
  evdns_base_set_option(l->dns, "timeout:", tbuf);
  evdns_base_set_option(l->dns, "attempts:", "2");

  if (index == 0) {
    if (!parse_addr(l->cfg.listen, ls, ll, false))
      return cf_diag_set(diag, CF_EINVAL, NULL, 0, 0, "cannot parse listen address '%s' (expected HOST:PORT)",
                         l->cfg.listen);
    if ((e = listen_on(l, l->cfg.listen, ls, *ll, false, diag)) != CF_OK) return e;
    bound_address(l->listener, ls, ll, px->addr_text[0], sizeof px->addr_text[0]);
    if (l->cfg.metrics_listen) {
      struct sockaddr_storage ms;
      int ml;
      if (!parse_addr(l->cfg.metrics_listen, &ms, &ml, false))
        return cf_diag_set(diag, CF_EINVAL, NULL, 0, 0, "cannot parse listen address '%s' (expected HOST:PORT)",
                           l->cfg.metrics_listen);
      if ((e = listen_on(l, l->cfg.metrics_listen, &ms, ml, true, diag)) != CF_OK) return e;
      bound_address(l->metrics_listener, &ms, &ml, px->addr_text[1], sizeof px->addr_text[1]);
    }
  } else if ((e = listen_on(l, px->addr_text[0], ls, *ll, false, diag)) != CF_OK) {
    return e;
  }
  e = CF_ENOMEM;
  if (pipe2(l->notify, O_NONBLOCK | O_CLOEXEC) != 0)
    return cf_diag_set(diag, CF_EIO, NULL, 0, 0, "pipe: %s", strerror(errno));
  l->notify_ev = event_new(l->base, l->notify[0], EV_READ | EV_PERSIST, notify_cb, l);
  l->tick_ev = event_new(l->base, -1, EV_PERSIST, tick_cb, l);
  l->drain_ev = evtimer_new(l->base, drain_timeout_cb, l);
  if (!l->notify_ev || !l->tick_ev || !l->drain_ev) return e;
  struct timeval tick = {0, 200000};
  if (event_add(l->notify_ev, NULL) != 0 || event_add(l->tick_ev, &tick) != 0) return e;
  return CF_OK;
}

static void loop_free(cf__loop_t *l) {
  if (l->base) cf__conn_free_all(l);
  if (l->listener) evconnlistener_free(l->listener);
  if (l->metrics_listener) evconnlistener_free(l->metrics_listener);
  if (l->notify_ev) event_free(l->notify_ev);
  if (l->tick_ev) event_free(l->tick_ev);
  if (l->drain_ev) event_free(l->drain_ev);
  if (l->dns) evdns_base_free(l->dns, 0);
  if (l->base) event_base_free(l->base);
  if (l->notify[0] >= 0) close(l->notify[0]);
  if (l->notify[1] >= 0) close(l->notify[1]);
  cf__policy_ref_drop(l->policy);
  free(l->scratch);
  if (l->logw) cf__jw_free(l->logw);
  free(l->logw);
}

/* libevent's own globals (the resolver's random transaction ids among them) are shared by
 * the loops' threads: they get libevent's pthread locks, once per process. */
static pthread_once_t threads_once = PTHREAD_ONCE_INIT;
static int threads_rc = -1;
static void threads_init(void) { threads_rc = evthread_use_pthreads(); }

#define MAX_LOOPS 64u

cf_err cf_proxy_new(const cf_proxy_config_t *cfg, cf_egress_policy_t *policy, cf_proxy_t **out, cf_diag_t *diag) {
  *out = NULL;
  cf_err e = CF_ENOMEM;
  struct cf_proxy *px = calloc(1, sizeof *px);
  if (!px || !cfg || !cfg->listen) {
    cf_egress_policy_free(policy);
    free(px);
    return cfg && cfg->listen ? CF_ENOMEM : cf_diag_set(diag, CF_EINVAL, NULL, 0, 0, "no listen address");
  }
  pthread_mutex_init(&px->mu, NULL);
  pthread_mutex_init(&px->log_mu, NULL);
  pthread_mutex_init(&px->auth_mu, NULL);
  pthread_cond_init(&px->auth_cv, NULL);
  px->cfg = *cfg;
  px->cfg.listen = dup_or_null(cfg->listen);
  px->cfg.metrics_listen = dup_or_null(cfg->metrics_listen);
  px->cfg.resolver = dup_or_null(cfg->resolver);
  if (!px->cfg.max_header_bytes) px->cfg.max_header_bytes = 32u << 10;
  if (px->cfg.max_header_bytes < 1024) px->cfg.max_header_bytes = 1024;
  if (!px->cfg.max_connections) px->cfg.max_connections = 16384;
  if (!px->cfg.idle_timeout_ms) px->cfg.idle_timeout_ms = 60000;
  if (!px->cfg.header_timeout_ms) px->cfg.header_timeout_ms = 10000;
  if (!px->cfg.request_timeout_ms) px->cfg.request_timeout_ms = 300000;
  if (!px->cfg.upstream_timeout_ms) px->cfg.upstream_timeout_ms = 30000;
  if (!px->cfg.tunnel_idle_ms) px->cfg.tunnel_idle_ms = 300000;
  if (!px->cfg.drain_timeout_ms) px->cfg.drain_timeout_ms = 10000;
  if (!px->cfg.threads) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    px->cfg.threads = n > 0 ? (unsigned)n : 1u;
  }
  if (px->cfg.threads > MAX_LOOPS) px->cfg.threads = MAX_LOOPS;
  px->current = calloc(1, sizeof *px->current);
  if (!px->current) {
    cf_egress_policy_free(policy);
    goto out;
  }
  px->current->policy = policy;
  px->current->refs = 1;
  if (!px->cfg.listen || (cfg->metrics_listen && !px->cfg.metrics_listen) || (cfg->resolver && !px->cfg.resolver))
    goto out;
  pthread_once(&threads_once, threads_init);
  if (threads_rc != 0) goto out;
  if (cfg->tls_cert && (e = tls_setup(px, cfg, diag)) != CF_OK) goto out;
  px->cfg.tls_cert = px->cfg.tls_key = px->cfg.tls_client_ca = NULL; /* used above only */
  e = CF_ENOMEM;
  if (!(px->loops = calloc(px->cfg.threads, sizeof *px->loops))) goto out;
  px->n_loops = px->cfg.threads;
  struct sockaddr_storage ls;
  int ll = 0;
  for (unsigned i = 0; i < px->n_loops; i++)
    if ((e = loop_init(px, i, &ls, &ll, diag)) != CF_OK) goto out;
  *out = px;
  return CF_OK;
out:
  cf_proxy_free(px);
  return e;
}

void cf_proxy_address(const cf_proxy_t *p, int which, char *buf, size_t size) {
  if (!size) return;
  snprintf(buf, size, "%s", (p && (which == 0 || which == 1)) ? p->addr_text[which] : "");
}

static void poke(cf_proxy_t *p, char c) {
  if (!p) return;
  for (unsigned i = 0; i < p->n_loops; i++) {
    if (p->loops[i].notify[1] < 0) continue;
    ssize_t n;
    do {
      n = write(p->loops[i].notify[1], &c, 1);
    } while (n < 0 && errno == EINTR);
  }
}

/* ---- password checks ----
 * Checker threads (one per loop) take jobs from the proxy's queue, run the crypt(3) check and
 * put the job on its loop's done list, then wake the loop through its pipe. */

void cf__auth_submit(struct cf_proxy *px, cf__auth_job_t *j) {
  j->next = NULL;
  pthread_mutex_lock(&px->auth_mu);
  if (px->auth_tail) px->auth_tail->next = j;
  else px->auth_head = j;
  px->auth_tail = j;
  pthread_cond_signal(&px->auth_cv);
  pthread_mutex_unlock(&px->auth_mu);
}

static void *auth_thread(void *arg) {
  struct cf_proxy *px = arg;
  pthread_mutex_lock(&px->auth_mu);
  for (;;) {
    while (!px->auth_head && !px->auth_stop) pthread_cond_wait(&px->auth_cv, &px->auth_mu);
    if (px->auth_stop) break;
    cf__auth_job_t *j = px->auth_head;
    px->auth_head = j->next;
    if (!px->auth_head) px->auth_tail = NULL;
    pthread_mutex_unlock(&px->auth_mu);
    /* j->conn is the loop's: only loop, pol, user and pass are read here, ok written. */
    j->ok = cf_egress_authenticate(j->pol->policy, j->user, j->pass) == CF_EGRESS_AUTH_OK;
    OPENSSL_cleanse(j->pass, sizeof j->pass);
    cf__loop_t *l = j->loop;
    pthread_mutex_lock(&px->auth_mu);
    j->next = l->auth_done;
    l->auth_done = j;
    pthread_mutex_unlock(&px->auth_mu);
    char c = 'a';
    ssize_t n;
    do {
      n = write(l->notify[1], &c, 1);
    } while (n < 0 && errno == EINTR);
    pthread_mutex_lock(&px->auth_mu);
  }
  pthread_mutex_unlock(&px->auth_mu);
  return NULL;
}

/* After the loops and the checkers have stopped: the jobs nobody took or collected. */
static void auth_free_left(struct cf_proxy *px) {
  cf__auth_job_t *left = px->auth_head;
  px->auth_head = px->auth_tail = NULL;
  for (unsigned i = 0; i < px->n_loops; i++) {
    cf__auth_job_t *d = px->loops[i].auth_done;
    px->loops[i].auth_done = NULL;
    while (d) {
      cf__auth_job_t *next = d->next;
      d->next = left;
      left = d;
      d = next;
    }
  }
  while (left) {
    cf__auth_job_t *next = left->next;
    cf__auth_job_free(left);
    left = next;
  }
}

/* Runs loop l until it is stopped or drained, then closes its connections. A loop that fails
 * stops the others. */
static void *run_loop(void *arg) {
  cf__loop_t *l = arg;
  if (event_base_dispatch(l->base) < 0) {
    l->failed = true;
    poke(l->px, 's');
  }
  cf__conn_free_all(l);
  return NULL;
}

cf_err cf_proxy_run(cf_proxy_t *p) {
  pthread_t th[MAX_LOOPS], checkers[MAX_LOOPS];
  unsigned started = 1, n_checkers = 0;
  p->auth_stop = false;
  /* The loops' and checkers' threads take no signals: those are the caller's business. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  for (; started < p->n_loops; started++)
    if (pthread_create(&th[started], NULL, run_loop, &p->loops[started]) != 0) break;
  for (; n_checkers < p->n_loops; n_checkers++)
    if (pthread_create(&checkers[n_checkers], NULL, auth_thread, p) != 0) break;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (started < p->n_loops || n_checkers == 0) {
    cf__log(p->cfg.ctx, CF_LOG_ERROR, "egress: cannot start the threads (%u of %u loops, %u checkers); stopping",
            started, p->n_loops, n_checkers);
    p->loops[0].failed = true;
    poke(p, 's');
  }
  run_loop(&p->loops[0]);
  bool failed = p->loops[0].failed;
  for (unsigned i = 1; i < started; i++) {
    pthread_join(th[i], NULL);
    failed = failed || p->loops[i].failed;
  }
  pthread_mutex_lock(&p->auth_mu);
  p->auth_stop = true;
  pthread_cond_broadcast(&p->auth_cv);
  pthread_mutex_unlock(&p->auth_mu);
  for (unsigned i = 0; i < n_checkers; i++) pthread_join(checkers[i], NULL);
  auth_free_left(p);
  log_flush(p, true);
  return failed ? CF_EIO : CF_OK;
}

void cf_proxy_reload(cf_proxy_t *p, cf_egress_policy_t *policy) {
  if (!p) {
    cf_egress_policy_free(policy);
    return;
  }
  pthread_mutex_lock(&p->mu);
  cf_egress_policy_t *old = p->pending;
  p->pending = policy;
  pthread_mutex_unlock(&p->mu);
  cf_egress_policy_free(old); /* two reloads before a loop saw the first */
  poke(p, 'r');
}

void cf_proxy_stop(cf_proxy_t *p) { poke(p, 's'); }

void cf_proxy_drain(cf_proxy_t *p) { poke(p, 'd'); }

void cf_proxy_free(cf_proxy_t *p) {
  if (!p) return;
  for (unsigned i = 0; i < p->n_loops; i++) loop_free(&p->loops[i]);
  free(p->loops);
  cf__policy_ref_drop(p->current);
  cf_egress_policy_free(p->pending);
  SSL_CTX_free(p->tls);
  pthread_mutex_destroy(&p->mu);
  pthread_mutex_destroy(&p->log_mu);
  pthread_mutex_destroy(&p->auth_mu);
  pthread_cond_destroy(&p->auth_cv);
  free((char *)p->cfg.listen);
  free((char *)p->cfg.metrics_listen);
  free((char *)p->cfg.resolver);
  free(p);
}
