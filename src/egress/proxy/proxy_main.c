/*
 * proxy_main.c - the egress proxy object: event loop, listeners, resolver, policy swaps,
 * stop and drain (cloudfort/proxy.h). Connections are proxy_conn.c's business.
 *
 * One thread runs one libevent loop; nothing in the proxy is shared between threads except
 * the pending policy (under a mutex) and a pipe. cf_proxy_stop() and cf_proxy_drain() write
 * one byte into the pipe, which is async-signal-safe; cf_proxy_reload() parks the new policy
 * and writes a byte too. The loop reads the pipe and acts. Policies are reference-counted so
 * that a request keeps the policy it was checked under until it ends, while new requests use
 * the new one.
 *
 * A tick every 200 ms asks the log callback to flush when lines were written, so that a
 * buffered log file stays at most a fraction of a second behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "proxy_internal.h"

cf__policy_ref_t *cf__policy_ref_take(cf__policy_ref_t *r) {
  r->refs++;
  return r;
}

void cf__policy_ref_drop(cf__policy_ref_t *r) {
  if (r && --r->refs == 0) {
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

void cf__proxy_log_line(struct cf_proxy *p, const char *line, size_t len) {
  if (!p->cfg.log_cb) return;
  p->cfg.log_cb(p->cfg.log_userdata, line, len);
  p->log_dirty = true;
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
static void accept_error_cb(struct evconnlistener *l, void *arg) {
  struct cf_proxy *p = arg;
  int err = EVUTIL_SOCKET_ERROR();
  cf__log(p->cfg.ctx, CF_LOG_WARN, "egress: accept failed: %s; pausing the listener",
          evutil_socket_error_to_string(err));
  evconnlistener_disable(l);
  p->accept_paused = true;
}

static void finish_drain(struct cf_proxy *p) {
  if (p->draining && p->n_conns == 0) event_base_loopexit(p->base, NULL);
}

static void begin_drain(struct cf_proxy *p) {
  if (p->draining) return;
  p->draining = true;
  if (p->listener) evconnlistener_disable(p->listener);
  cf__log(p->cfg.ctx, CF_LOG_INFO, "egress: draining %u connections", p->n_conns);
  struct timeval tv = {p->cfg.drain_timeout_ms / 1000, (p->cfg.drain_timeout_ms % 1000) * 1000};
  event_add(p->drain_ev, &tv);
  cf__conn_drain_idle(p);
  finish_drain(p);
}

static void drain_timeout_cb(evutil_socket_t fd, short what, void *arg) {
  (void)fd;
  (void)what;
  struct cf_proxy *p = arg;
  cf__log(p->cfg.ctx, CF_LOG_WARN, "egress: drain timeout; closing %u connections", p->n_conns);
  event_base_loopexit(p->base, NULL);
}

static void apply_pending(struct cf_proxy *p) {
  pthread_mutex_lock(&p->mu);
  cf_egress_policy_t *np = p->pending;
  p->pending = NULL;
  pthread_mutex_unlock(&p->mu);
  if (!np) return;
  cf__policy_ref_t *r = calloc(1, sizeof *r);
  if (!r) {
    cf__log(p->cfg.ctx, CF_LOG_ERROR, "egress: out of memory; keeping the previous policy");
    cf_egress_policy_free(np);
    return;
  }
  r->policy = np;
  r->refs = 1;
  cf__policy_ref_drop(p->policy);
  p->policy = r;
  p->m.reloads++;
  char t[32], line[128];
  cf__proxy_time(t);
  int n = snprintf(line, sizeof line, "{\"time\":\"%s\",\"event\":\"reload\",\"ok\":true}", t);
  cf__proxy_log_line(p, line, (size_t)n);
}

static void notify_cb(evutil_socket_t fd, short what, void *arg) {
  (void)what;
  struct cf_proxy *p = arg;
  char buf[64];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] == 's') {
        p->stopping = true;
        event_base_loopexit(p->base, NULL);
      } else if (buf[i] == 'd') {
        begin_drain(p);
      } else if (buf[i] == 'r') {
        apply_pending(p);
      }
    }
  }
}

static void tick_cb(evutil_socket_t fd, short what, void *arg) {
  (void)fd;
  (void)what;
  struct cf_proxy *p = arg;
  if (p->log_dirty && p->cfg.log_cb) {
    p->cfg.log_cb(p->cfg.log_userdata, NULL, 0);
    p->log_dirty = false;
  }
  if (p->accept_paused && !p->draining && p->listener) {
    p->accept_paused = false;
    evconnlistener_enable(p->listener);
  }
}

static cf_err listen_on(struct cf_proxy *p, const char *spec, bool metrics, cf_diag_t *diag) {
  struct sockaddr_storage ss;
  int len;
  if (!parse_addr(spec, &ss, &len, false))
    return cf_diag_set(diag, CF_EINVAL, NULL, 0, 0, "cannot parse listen address '%s' (expected HOST:PORT)", spec);
  struct evconnlistener *l =
      evconnlistener_new_bind(p->base, metrics ? metrics_accept_cb : accept_cb, p,
                              LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 4096,
                              (struct sockaddr *)&ss, len);
  if (!l) return cf_diag_set(diag, CF_EIO, NULL, 0, 0, "cannot listen on %s: %s", spec, strerror(errno));
  evconnlistener_set_error_cb(l, accept_error_cb);
  struct sockaddr_storage bound;
  socklen_t bl = sizeof bound;
  if (getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&bound, &bl) == 0)
    addr_text((struct sockaddr *)&bound, p->addr_text[metrics ? 1 : 0], sizeof p->addr_text[0]);
  if (metrics) p->metrics_listener = l;
  else p->listener = l;
  return CF_OK;
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

cf_err cf_proxy_new(const cf_proxy_config_t *cfg, cf_egress_policy_t *policy, cf_proxy_t **out, cf_diag_t *diag) {
  *out = NULL;
  cf_err e = CF_ENOMEM;
  struct cf_proxy *p = calloc(1, sizeof *p);
  if (!p || !cfg || !cfg->listen) {
    cf_egress_policy_free(policy);
    free(p);
    return cfg && cfg->listen ? CF_ENOMEM : cf_diag_set(diag, CF_EINVAL, NULL, 0, 0, "no listen address");
  }
  p->notify[0] = p->notify[1] = -1;
  pthread_mutex_init(&p->mu, NULL);
  p->cfg = *cfg;
  p->cfg.listen = dup_or_null(cfg->listen);
  p->cfg.metrics_listen = dup_or_null(cfg->metrics_listen);
  p->cfg.resolver = dup_or_null(cfg->resolver);
  if (!p->cfg.max_header_bytes) p->cfg.max_header_bytes = 32u << 10;
  if (p->cfg.max_header_bytes < 1024) p->cfg.max_header_bytes = 1024;
  if (!p->cfg.max_connections) p->cfg.max_connections = 16384;
  if (!p->cfg.idle_timeout_ms) p->cfg.idle_timeout_ms = 60000;
  if (!p->cfg.header_timeout_ms) p->cfg.header_timeout_ms = 10000;
  if (!p->cfg.request_timeout_ms) p->cfg.request_timeout_ms = 300000;
  if (!p->cfg.upstream_timeout_ms) p->cfg.upstream_timeout_ms = 30000;
  if (!p->cfg.tunnel_idle_ms) p->cfg.tunnel_idle_ms = 300000;
  if (!p->cfg.drain_timeout_ms) p->cfg.drain_timeout_ms = 10000;
  p->policy = calloc(1, sizeof *p->policy);
  if (!p->policy) {
    cf_egress_policy_free(policy);
    goto out;
  }
  p->policy->policy = policy;
  p->policy->refs = 1;
  if (!p->cfg.listen || (cfg->metrics_listen && !p->cfg.metrics_listen) || (cfg->resolver && !p->cfg.resolver))
    goto out;

  struct event_config *ec = event_config_new();
  if (!ec) goto out;
  /* Timers here are coarse (seconds); a precise clock costs a system call per loop. */
  event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
  /* Changes to a descriptor's events within one loop turn become one epoll_ctl. */
  event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
  p->base = event_base_new_with_config(ec);
  event_config_free(ec);
  if (!p->base) goto out;
  if (!(p->scratch = malloc(sizeof *p->scratch))) goto out;
  const struct timeval *ct;
  struct timeval tv;
#define COMMON(field, ms)                                                  \
  tv.tv_sec = (time_t)((ms) / 1000);                                       \
  tv.tv_usec = (suseconds_t)(((ms) % 1000) * 1000);                        \
  if (!(ct = event_base_init_common_timeout(p->base, &tv))) goto out;      \
  p->field = *ct;
  COMMON(tv_idle, p->cfg.idle_timeout_ms)
  COMMON(tv_header, p->cfg.header_timeout_ms)
  COMMON(tv_upstream, p->cfg.upstream_timeout_ms)
  COMMON(tv_tunnel, p->cfg.tunnel_idle_ms)
#undef COMMON

  if (p->cfg.resolver) {
    p->dns = evdns_base_new(p->base, 0);
    if (!p->dns) goto out;
    struct sockaddr_storage ss;
    int len;
    if (!parse_addr(p->cfg.resolver, &ss, &len, true) ||
        evdns_base_nameserver_sockaddr_add(p->dns, (struct sockaddr *)&ss, (ev_socklen_t)len, 0) != 0) {
      e = cf_diag_set(diag, CF_EINVAL, NULL, 0, 0, "cannot use resolver '%s' (expected HOST:PORT)", p->cfg.resolver);
      goto out;
    }
  } else {
    p->dns = evdns_base_new(p->base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
    if (!p->dns) {
      e = cf_diag_set(diag, CF_EIO, NULL, 0, 0, "cannot read the resolver configuration (/etc/resolv.conf)");
      goto out;
    }
  }
  /* A name that does not answer within the upstream timeout is a 502, not a long hang. */
  char tbuf[32];
  snprintf(tbuf, sizeof tbuf, "%u", p->cfg.upstream_timeout_ms / 3000 ? p->cfg.upstream_timeout_ms / 3000 : 1);
  evdns_base_set_option(p->dns, "timeout:", tbuf);
  evdns_base_set_option(p->dns, "attempts:", "2");

  if (cfg->tls_cert && (e = tls_setup(p, cfg, diag)) != CF_OK) goto out;
  p->cfg.tls_cert = p->cfg.tls_key = p->cfg.tls_client_ca = NULL; /* used above only */
  if ((e = listen_on(p, p->cfg.listen, false, diag)) != CF_OK) goto out;
  if (p->cfg.metrics_listen && (e = listen_on(p, p->cfg.metrics_listen, true, diag)) != CF_OK) goto out;
  e = CF_ENOMEM;
  if (pipe2(p->notify, O_NONBLOCK | O_CLOEXEC) != 0) {
    e = cf_diag_set(diag, CF_EIO, NULL, 0, 0, "pipe: %s", strerror(errno));
    goto out;
  }
  p->notify_ev = event_new(p->base, p->notify[0], EV_READ | EV_PERSIST, notify_cb, p);
  p->tick_ev = event_new(p->base, -1, EV_PERSIST, tick_cb, p);
  p->drain_ev = evtimer_new(p->base, drain_timeout_cb, p);
  if (!p->notify_ev || !p->tick_ev || !p->drain_ev) goto out;
  struct timeval tick = {0, 200000};
  if (event_add(p->notify_ev, NULL) != 0 || event_add(p->tick_ev, &tick) != 0) goto out;
  *out = p;
  return CF_OK;
out:
  cf_proxy_free(p);
  return e;
}

void cf_proxy_address(const cf_proxy_t *p, int which, char *buf, size_t size) {
  if (!size) return;
  snprintf(buf, size, "%s", (p && (which == 0 || which == 1)) ? p->addr_text[which] : "");
}

cf_err cf_proxy_run(cf_proxy_t *p) {
  int rc = event_base_dispatch(p->base);
  cf__conn_free_all(p);
  if (p->cfg.log_cb) p->cfg.log_cb(p->cfg.log_userdata, NULL, 0);
  return rc < 0 ? CF_EIO : CF_OK;
}

static void poke(cf_proxy_t *p, char c) {
  if (!p || p->notify[1] < 0) return;
  ssize_t n;
  do {
    n = write(p->notify[1], &c, 1);
  } while (n < 0 && errno == EINTR);
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
  cf_egress_policy_free(old); /* two reloads before the loop saw the first */
  poke(p, 'r');
}

void cf_proxy_stop(cf_proxy_t *p) { poke(p, 's'); }

void cf_proxy_drain(cf_proxy_t *p) { poke(p, 'd'); }

void cf_proxy_free(cf_proxy_t *p) {
  if (!p) return;
  if (p->base) cf__conn_free_all(p);
  if (p->listener) evconnlistener_free(p->listener);
  if (p->metrics_listener) evconnlistener_free(p->metrics_listener);
  if (p->notify_ev) event_free(p->notify_ev);
  if (p->tick_ev) event_free(p->tick_ev);
  if (p->drain_ev) event_free(p->drain_ev);
  if (p->dns) evdns_base_free(p->dns, 0);
  if (p->base) event_base_free(p->base);
  if (p->notify[0] >= 0) close(p->notify[0]);
  if (p->notify[1] >= 0) close(p->notify[1]);
  cf__policy_ref_drop(p->policy);
  cf_egress_policy_free(p->pending);
  free(p->scratch);
  SSL_CTX_free(p->tls);
  pthread_mutex_destroy(&p->mu);
  free((char *)p->cfg.listen);
  free((char *)p->cfg.metrics_listen);
  free((char *)p->cfg.resolver);
  free(p);
}
