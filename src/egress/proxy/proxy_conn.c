/*
 * proxy_conn.c - one client connection of the egress proxy, from its first byte to its close.
 *
 * A connection is a small state machine over two bufferevents, the client's and (while it
 * has one) its upstream's:
 *
 *   HEAD ──► RESOLVE ──► CONNECT ──► REQ_BODY ──► RESP_HEAD ──► RESP_BODY ──► HEAD (kept alive)
 *    ▲ │  (names only)        │                                               └─► closed
 *    │ ├─► (CONNECT method) ──┴──► TUNNEL
 *    └─┴── AUTH (a password being checked in a checker thread; then the head is parsed again)
 *
 * Every request is checked before anything leaves the proxy: the URL (cf_egress_check_url,
 * for the role chosen by the client's address, its Proxy-Authorization user and, on a TLS
 * connection to the proxy, its verified certificate's common name), then every
 * address the name resolved to (cf_egress_check_addr). The name is resolved once, through
 * evdns; the proxy connects only to an address that passed its check and never asks DNS
 * again for that request, so a second, different answer (DNS rebinding) cannot move it. An IP
 * literal skips DNS. The upstream connection is kept after a response that allows it and is
 * reused for the next request of the same client to the same host and port, after the pinned
 * address has been checked again under the policy then in force.
 *
 * Messages are relayed as they come: heads are parsed (proxy_http.c) and rewritten (origin
 * form, hop-by-hop fields removed, Host from the URL, Via added); bodies are moved between
 * buffers without copying, Content-Length counted and chunked bodies scanned for their end.
 * A client that sends its next request early (pipelining) waits in its input buffer until
 * the response ends (the client stays readable, which saves an epoll change per request; a
 * half-close is noted and the connection closes after the answer). Backpressure: a side
 * whose peer's output buffer holds more than HIGH_WATER bytes is not read until the peer
 * drains it. Small messages are written in the loop turn that produced them (flush_now),
 * and sockets are read without asking the kernel first how much is waiting (direct_readcb):
 * a kept-alive request costs two reads and two writes.
 *
 * Everything here runs in the thread of the connection's loop (cf__loop_t); the only shared
 * things it touches are the proxy's connection count (atomic), policy references (atomic)
 * and the log (cf__proxy_log_line takes a lock).
 *
 * Memory: an idle connection is the bufferevent (with empty buffers) and this structure, a
 * few hundred bytes; the per-request record (host, reason, addresses) exists only while a
 * request is in flight. Time limits use the bufferevents' own timeouts, recomputed when the
 * state changes, so a connection holds no timer of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "proxy_internal.h"
#include "report/jsonw.h"

#define HIGH_WATER (256u << 10) /* bytes queued for one side before the other is paused */
#define MAX_ADDRS 8u            /* resolved addresses kept for connecting */
#define POOL_MAX 1024u          /* idle upstream connections kept after their client left */

enum {
  S_HEAD = 0,  /* waiting for (or reading) a request head */
  S_RESOLVE,   /* the name is being resolved */
  S_CONNECT,   /* connecting to a checked address */
  S_REQ_BODY,  /* relaying the request body */
  S_RESP_HEAD, /* waiting for the response head */
  S_RESP_BODY, /* relaying the response body */
  S_TUNNEL,    /* CONNECT: bytes both ways */
  S_AUTH,      /* a Proxy-Authorization password is being checked; the client is not read */
  S_CLOSING    /* the last bytes go to the client, then the connection closes */
};

typedef union addr {
  struct sockaddr sa;
  struct sockaddr_in in;
  struct sockaddr_in6 in6;
} addr_t;

/* The request in flight: what the log line needs and how its messages are framed. */
typedef struct req {
  struct timeval t0;
  cf__policy_ref_t *pol;
  char method[16];
  char host[256];
  uint16_t port;
  char role[48];
  cf_egress_mode mode;
  cf_egress_why why;
  bool policy_denied; /* some check denied it (the verdict may still be allow: report mode) */
  bool denied;        /* the proxy refused it */
  bool is_connect, is_head, retried;
  uint8_t minor;      /* the client's HTTP/1.<minor> */
  char user[64];      /* Proxy-Authorization (Basic) user, or "" */
  int status;         /* what the client was answered */
  const char *error;  /* the proxy's own failure: "dns", "connect", "timeout", ... */
  char reason[256];
  char addr[48];      /* the address connected to */
  uint64_t up, down;  /* bytes of the request and of the response */
  /* request body */
  int64_t body_left;
  bool body_chunked, body_done;
  cf__chunked_t ch;
  /* response body */
  int64_t resp_left;
  bool resp_chunked, resp_until_close, resp_started;
  cf__chunked_t rch;
  /* where to connect */
  addr_t addrs[MAX_ADDRS];
  uint8_t n_addrs, next_addr;
  char *head; /* the rewritten request head, until it is sent */
  size_t head_len;
} req_t;

struct cf__conn {
  cf__loop_t *p;
  cf__conn_t *prev, *next;
  struct bufferevent *c, *u;
  struct evdns_getaddrinfo_request *dns;
  req_t *r;
  addr_t peer;
  /* the kept upstream: host, port and the address it was pinned to */
  char *u_host;
  uint16_t u_port;
  addr_t u_addr;
  uint8_t state;
  bool c_keep;       /* the client connection may serve another request */
  bool u_keep;       /* the upstream connection may serve another request */
  bool u_reused;     /* this request went over a kept upstream connection */
  bool c_paused, u_paused;
  bool c_eof, u_eof; /* tunnel: each side's end of input */
  bool c_shut, u_shut;
  bool tls;          /* the client speaks TLS to the proxy */
  char *cert_cn;     /* common name of its verified certificate, or NULL */
  char *auth;        /* the Proxy-Authorization value checked last, under auth_pol */
  size_t auth_len;
  cf__policy_ref_t *auth_pol;
  bool auth_ok;      /* whether it verified */
  cf__auth_job_t *auth_job; /* the check in flight (S_AUTH) */
  struct timeval head_start; /* first byte of the head being read */
  struct timeval last_io;    /* tunnel: the last bytes either way */
  size_t head_scanned;       /* bytes of the head searched for its end */
  bool line_checked;         /* the first line of a long head was found well-formed */
};

static void conn_free(cf__conn_t *c);
static void on_head(cf__conn_t *c);
static void req_free(req_t *r);
static void start_connect(cf__conn_t *c);
static void pump_req_body(cf__conn_t *c);
static void on_resp_head(cf__conn_t *c);
static void pump_resp_body(cf__conn_t *c);
static void pump_tunnel(cf__conn_t *c, bool from_client);
static void tunnel_eof(cf__conn_t *c, bool client_side);
static void client_read_cb(struct bufferevent *bev, void *arg);
static void client_write_cb(struct bufferevent *bev, void *arg);
static void client_event_cb(struct bufferevent *bev, short what, void *arg);
static void up_read_cb(struct bufferevent *bev, void *arg);
static void up_write_cb(struct bufferevent *bev, void *arg);
static void up_event_cb(struct bufferevent *bev, short what, void *arg);
static void resolved_cb(int err, struct evutil_addrinfo *ai, void *arg);

/* ---- small helpers ---- */

static struct timeval ms_tv(unsigned ms) {
  struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
  return tv;
}

/* A monotonic clock read directly (a vDSO call): the loop's cached time has the coarse
 * clock's few milliseconds of resolution, too coarse for the latency histogram. */
static struct timeval now_tv(cf__loop_t *p) {
  (void)p;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  struct timeval tv = {ts.tv_sec, (suseconds_t)(ts.tv_nsec / 1000)};
  if (tv.tv_sec == 0) tv.tv_sec = 1; /* 0 means "not set" in head_start */
  return tv;
}

static int64_t elapsed_ms(cf__loop_t *p, const struct timeval *t0) {
  struct timeval n = now_tv(p);
  return (int64_t)(n.tv_sec - t0->tv_sec) * 1000 + (n.tv_usec - t0->tv_usec) / 1000;
}

static void set_read_timeout(struct bufferevent *bev, unsigned ms) {
  struct timeval tv = ms_tv(ms ? ms : 1);
  bufferevent_set_timeouts(bev, &tv, NULL);
}

/* s[0..n) into dst[size], cut to fit and NUL-terminated: the per-request copies of names
 * and reasons, without printf. */
static void copy_n(char *dst, size_t size, const char *s, size_t n) {
  if (!size) return;
  if (n >= size) n = size - 1;
  memcpy(dst, s, n);
  dst[n] = '\0';
}

static void copy_str(char *dst, size_t size, const char *s) { copy_n(dst, size, s, strlen(s)); }

/* The decimal digits of v into buf (at least 11 bytes, NUL-terminated); returns their count. */
static size_t dec(char *buf, unsigned v) {
  char t[10];
  size_t k = 0;
  do {
    t[k++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (size_t i = 0; i < k; i++) buf[i] = t[k - 1 - i];
  buf[k] = '\0';
  return k;
}

static void addr_string(const addr_t *a, char *buf, size_t n) {
  buf[0] = '\0';
  if (a->sa.sa_family == AF_INET) inet_ntop(AF_INET, &a->in.sin_addr, buf, (socklen_t)n);
  else if (a->sa.sa_family == AF_INET6) inet_ntop(AF_INET6, &a->in6.sin6_addr, buf, (socklen_t)n);
}

static socklen_t addr_len(const addr_t *a) {
  return a->sa.sa_family == AF_INET ? (socklen_t)sizeof a->in : (socklen_t)sizeof a->in6;
}

static bool addr_same(const addr_t *a, const addr_t *b) {
  if (a->sa.sa_family != b->sa.sa_family) return false;
  if (a->sa.sa_family == AF_INET)
    return a->in.sin_port == b->in.sin_port && a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
  return a->in6.sin6_port == b->in6.sin6_port && memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16) == 0;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" for now into t[32]; returns its length. The part up to the second
 * is formatted once a second: one line per request is written. */
static size_t log_time(cf__loop_t *p, char t[32]) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  if (tv.tv_sec != p->log_sec || !p->log_sec_text[0]) {
    struct tm tm;
    time_t now = tv.tv_sec;
    gmtime_r(&now, &tm);
    if (!strftime(p->log_sec_text, sizeof p->log_sec_text, "%Y-%m-%dT%H:%M:%S", &tm)) p->log_sec_text[0] = '\0';
    p->log_sec = tv.tv_sec;
  }
  size_t n = strlen(p->log_sec_text);
  memcpy(t, p->log_sec_text, n);
  unsigned ms = (unsigned)(tv.tv_usec / 1000);
  t[n++] = '.';
  t[n++] = (char)('0' + ms / 100);
  t[n++] = (char)('0' + ms / 10 % 10);
  t[n++] = (char)('0' + ms % 10);
  t[n++] = 'Z';
  return n;
}

/*
 * Writes what is queued for a socket now, in the loop turn that queued it, instead of in the
 * next turn after epoll reports the socket writable. When everything is written, the write
 * event the buffer scheduled is removed again in the same turn, and with the epoll changelist
 * the two cancel out: no epoll_ctl and no extra turn for the common small message. What
 * cannot be written stays queued for the bufferevent as usual (and an error is left for it to
 * find). This reaches into struct bufferevent (event2/bufferevent_struct.h) for ev_write;
 * libevent 2.1's own write callback does the same steps.
 */
static void flush_now(struct bufferevent *bev);

/* flush_now() for one side of a connection; a TLS client's bufferevent encrypts on its own
 * schedule and is left to it. */
static void flush_side(cf__conn_t *c, struct bufferevent *bev) {
  if (bev && !(bev == c->c && c->tls)) flush_now(bev);
}

static void flush_now(struct bufferevent *bev) {
  struct evbuffer *out = bufferevent_get_output(bev);
  if (evbuffer_get_length(out) == 0) return;
  /* A socket bufferevent keeps its output's start frozen; its own write callback thaws it
   * around the write the same way. */
  evbuffer_unfreeze(out, 1);
  int n = evbuffer_write(out, bufferevent_getfd(bev));
  evbuffer_freeze(out, 1);
  if (n >= 0 && evbuffer_get_length(out) == 0) event_del(&bev->ev_write);
}

/*
 * A socket bufferevent's read callback without the FIONREAD ioctl that libevent 2.1 makes
 * before every read (evbuffer_read asks the kernel how much is waiting, then reads it): one
 * system call of the five a proxied request costs on each side. It reads into a buffer on the
 * stack and appends what came; otherwise it does what libevent's own callback does: a timeout,
 * an end of input or an error disables reading and runs the event callback with
 * BEV_EVENT_READING, and data runs the read callback (bufferevent_trigger holds a reference
 * around it, so the callback may free the bufferevent). Like flush_now() this reaches into
 * struct bufferevent, for ev_read; the bufferevent's enable, disable and timeouts keep working
 * on it unchanged. Not for TLS bufferevents, which read through OpenSSL.
 */
#define DIRECT_READ 16384u

static void direct_readcb(evutil_socket_t fd, short what, void *arg) {
  struct bufferevent *bev = arg;
  short ev = BEV_EVENT_READING;
  if (what == EV_TIMEOUT) {
    ev |= BEV_EVENT_TIMEOUT;
  } else {
    char buf[DIRECT_READ];
    ssize_t n;
    do {
      n = read(fd, buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
      struct evbuffer *in = bufferevent_get_input(bev);
      /* The bufferevent keeps its input's end frozen; its own callback thaws it too. */
      evbuffer_unfreeze(in, 0);
      int added = evbuffer_add(in, buf, (size_t)n);
      evbuffer_freeze(in, 0);
      if (added == 0) {
        bufferevent_trigger(bev, EV_READ, 0);
        return;
      }
      ev |= BEV_EVENT_ERROR; /* out of memory */
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      ev |= n == 0 ? BEV_EVENT_EOF : BEV_EVENT_ERROR;
    }
  }
  bufferevent_disable(bev, EV_READ);
  bufferevent_trigger_event(bev, ev, 0);
}

/* Gives a socket bufferevent direct_readcb(), once. */
static void read_direct(struct bufferevent *bev) {
  if (event_get_callback(&bev->ev_read) == direct_readcb) return;
  short enabled = bufferevent_get_enabled(bev);
  if (enabled & EV_READ) bufferevent_disable(bev, EV_READ);
  event_del(&bev->ev_read);
  event_assign(&bev->ev_read, bufferevent_get_base(bev), bufferevent_getfd(bev), EV_READ | EV_PERSIST | EV_FINALIZE,
               direct_readcb, bev);
  if (enabled & EV_READ) bufferevent_enable(bev, EV_READ);
}

/* ---- the log line and the counters of one request ---- */

static void log_request(cf__conn_t *c) {
  cf__loop_t *p = c->p;
  req_t *r = c->r;
  struct timeval n = now_tv(p);
  double ms = (double)(n.tv_sec - r->t0.tv_sec) * 1000.0 + (double)(n.tv_usec - r->t0.tv_usec) / 1000.0;
  if (ms < 0) ms = 0;
  cf__metrics_latency(&p->m, ms / 1000.0);
  p->m.bytes_up += r->up;
  p->m.bytes_down += r->down;
  if (!r->error || r->denied) {
    int v = r->denied ? 1 : 0;
    p->m.requests[v][(unsigned)r->why & 15u]++;
    if (r->policy_denied && !r->denied) p->m.reported++;
  }
  if (!p->cfg.log_cb || !p->logw) return;
  /* Written with the report's JSON writer (into memory, one buffer per loop), not printed:
   * printf's format interpretation was a tenth of the proxy's own CPU time. */
  static const char *const modes[] = {"enforce", "report", "open"};
  char ip[INET6_ADDRSTRLEN], t[32], num[24];
  addr_string(&c->peer, ip, sizeof ip);
  jsonw_t *w = p->logw;
  cf__jw_reset(w);
  cf__jw_obj_begin(w);
  CF_JW_KEY(w, "time");
  cf__jw_strn(w, t, log_time(p, t));
  CF_JW_KSTR(w, "client", ip);
  CF_JW_KSTR(w, "role", r->role);
  CF_JW_KSTR(w, "mode", modes[(unsigned)r->mode < 3 ? r->mode : 0]);
  CF_JW_KSTR(w, "method", r->method);
  CF_JW_KSTR(w, "host", r->host);
  CF_JW_KINT(w, "port", r->port);
  CF_JW_KSTR(w, "addr", r->addr[0] ? r->addr : NULL);
  CF_JW_KSTR(w, "verdict", r->denied ? "deny" : (r->policy_denied ? "report" : "allow"));
  CF_JW_KSTR(w, "why", cf_egress_why_name(r->why));
  CF_JW_KSTR(w, "reason", r->reason);
  CF_JW_KINT(w, "status", r->status);
  CF_JW_KSTR(w, "error", r->error);
  CF_JW_KEY(w, "bytes_up");
  cf__jw_uint(w, r->up);
  CF_JW_KEY(w, "bytes_down");
  cf__jw_uint(w, r->down);
  /* milliseconds with three decimals */
  uint64_t us = (uint64_t)(ms * 1000.0 + 0.5);
  size_t k = dec(num, (unsigned)(us / 1000 < 4000000000u ? us / 1000 : 4000000000u));
  num[k++] = '.';
  num[k++] = (char)('0' + us / 100 % 10);
  num[k++] = (char)('0' + us / 10 % 10);
  num[k++] = (char)('0' + us % 10);
  CF_JW_KEY(w, "duration_ms");
  cf__jw_raw(w, num, k);
  cf__jw_obj_end(w);
  if (w->err == CF_OK) cf__proxy_log_line(p->px, w->b.data, w->b.len);
}

static void req_free(req_t *r) {
  if (!r) return;
  cf__policy_ref_drop(r->pol);
  free(r->head);
  free(r);
}

/* ---- upstream connections ---- */

static void up_close(cf__conn_t *c) {
  if (c->u) {
    bufferevent_free(c->u);
    c->u = NULL;
    c->p->m.active_upstreams--;
  }
  free(c->u_host);
  c->u_host = NULL;
  c->u_keep = false;
  c->u_paused = false;
}

/* ---- the pool of idle upstream connections ----
 *
 * A kept upstream connection whose client goes away waits here (at most POOL_MAX, for the
 * idle timeout) for the next request, from any client, to the same host and port. It keeps
 * the address it was pinned to; whoever takes it checks that address again for its own role
 * before sending anything (on_head), so a connection opened for one role never carries a
 * request another role may not make.
 */
struct cf__pooled {
  cf__loop_t *p;
  cf__pooled_t *prev, *next;
  struct bufferevent *u;
  char *host;
  uint16_t port;
  addr_t addr;
};

static void pool_drop(cf__pooled_t *e) {
  cf__loop_t *p = e->p;
  if (e->prev) e->prev->next = e->next;
  else p->pool = e->next;
  if (e->next) e->next->prev = e->prev;
  p->pool_n--;
  bufferevent_free(e->u);
  p->m.active_upstreams--;
  free(e->host);
  free(e);
}

/* A pooled connection that speaks, closes or times out is dropped. */
static void pool_read_cb(struct bufferevent *bev, void *arg) {
  (void)bev;
  pool_drop(arg);
}

static void pool_event_cb(struct bufferevent *bev, short what, void *arg) {
  (void)bev;
  (void)what;
  pool_drop(arg);
}

/* Moves the connection's idle upstream into the pool; false when it cannot be kept. */
static bool pool_put(cf__conn_t *c) {
  cf__loop_t *p = c->p;
  if (!c->u || !c->u_keep || !c->u_host || c->r || p->draining || p->stopping ||
      evbuffer_get_length(bufferevent_get_input(c->u)) || evbuffer_get_length(bufferevent_get_output(c->u)))
    return false;
  cf__pooled_t *e = calloc(1, sizeof *e);
  if (!e) return false;
  if (p->pool_n >= POOL_MAX) {
    cf__pooled_t *last = p->pool;
    while (last->next) last = last->next;
    pool_drop(last);
  }
  e->p = p;
  e->u = c->u;
  e->host = c->u_host;
  e->port = c->u_port;
  e->addr = c->u_addr;
  c->u = NULL;
  c->u_host = NULL;
  c->u_keep = false;
  bufferevent_setcb(e->u, pool_read_cb, NULL, pool_event_cb, e);
  bufferevent_set_timeouts(e->u, &p->tv_idle, NULL);
  bufferevent_enable(e->u, EV_READ);
  e->next = p->pool;
  if (p->pool) p->pool->prev = e;
  p->pool = e;
  p->pool_n++;
  return true;
}

/* Gives the connection a pooled upstream to host:port, when there is one. */
static void pool_take(cf__conn_t *c, const char *host, uint16_t port) {
  cf__loop_t *p = c->p;
  for (cf__pooled_t *e = p->pool; e; e = e->next) {
    if (e->port != port || strcmp(e->host, host) != 0) continue;
    if (e->prev) e->prev->next = e->next;
    else p->pool = e->next;
    if (e->next) e->next->prev = e->prev;
    p->pool_n--;
    up_close(c);
    c->u = e->u;
    c->u_host = e->host;
    c->u_port = e->port;
    c->u_addr = e->addr;
    c->u_keep = true;
    bufferevent_setcb(c->u, up_read_cb, up_write_cb, up_event_cb, c);
    free(e);
    return;
  }
}

void cf__pool_free_all(cf__loop_t *p) {
  while (p->pool) pool_drop(p->pool);
}

/* Drops the connection's remembered Proxy-Authorization answer. */
static void auth_forget(cf__conn_t *c) {
  if (c->auth) OPENSSL_cleanse(c->auth, c->auth_len);
  free(c->auth);
  c->auth = NULL;
  c->auth_len = 0;
  cf__policy_ref_drop(c->auth_pol);
  c->auth_pol = NULL;
}

/* ---- closing ---- */

static void conn_free(cf__conn_t *c) {
  cf__loop_t *p = c->p;
  if (c->dns) {
    /* Cancelling runs the callback with EVUTIL_EAI_CANCEL, which sees c->dns cleared. */
    struct evdns_getaddrinfo_request *d = c->dns;
    c->dns = NULL;
    evdns_getaddrinfo_cancel(d);
  }
  if (c->state == S_TUNNEL) p->m.active_tunnels--;
  if (c->r) {
    if (!c->r->status && !c->r->error) c->r->error = "client closed";
    log_request(c);
    req_free(c->r);
    c->r = NULL;
  }
  if (!pool_put(c)) up_close(c);
  if (c->c) bufferevent_free(c->c);
  free(c->cert_cn);
  auth_forget(c);
  if (c->auth_job) c->auth_job->conn = NULL; /* its answer will find nobody */
  if (c->prev) c->prev->next = c->next;
  else p->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  p->n_conns--;
  atomic_fetch_sub(&p->px->n_conns, 1);
  p->m.active_connections--;
  free(c);
  if (p->draining && p->n_conns == 0) event_base_loopexit(p->base, NULL);
}

/* Closes once the client has received what is queued for it. */
static void close_after_write(cf__conn_t *c) {
  c->state = S_CLOSING;
  c->c_keep = false;
  bufferevent_disable(c->c, EV_READ);
  bufferevent_setwatermark(c->c, EV_WRITE, 0, 0);
  if (evbuffer_get_length(bufferevent_get_output(c->c)) == 0) {
    conn_free(c);
    return;
  }
  /* A client that never reads its answer is given the idle timeout to do so. */
  bufferevent_set_timeouts(c->c, NULL, &c->p->tv_idle);
  bufferevent_enable(c->c, EV_WRITE);
}

/* Header values must not carry control characters; a reason comes from the policy. */
static void header_safe(char *dst, size_t n, const char *s) {
  size_t k = 0;
  for (; *s && k + 1 < n; s++) dst[k++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
  dst[k] = '\0';
}

/*
 * Answers the request in flight with an error of the proxy's own. keep: the connection may
 * serve the next request (only when nothing of this request is left unread).
 */
static void reply_error(cf__conn_t *c, int status, const char *phrase, const char *body_fmt_reason, bool keep) {
  cf__loop_t *p = c->p;
  req_t *r = c->r;
  if (keep && (p->draining || !c->c_keep)) keep = false;
  char reason[300];
  header_safe(reason, sizeof reason, body_fmt_reason ? body_fmt_reason : phrase);
  struct evbuffer *out = bufferevent_get_output(c->c);
  char body[512];
  int bl = snprintf(body, sizeof body, "%d %s: %s\n", status, phrase, reason);
  if (bl < 0) bl = 0;
  if ((size_t)bl >= sizeof body) bl = (int)sizeof body - 1;
  bool policy = status == 403 || status == 407;
  evbuffer_add_printf(out,
                      "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
                      "%s%s%s%sConnection: %s\r\n\r\n",
                      status, phrase, bl, policy ? "X-Cloudfort-Egress-Reason: " : "", policy ? reason : "",
                      policy ? "\r\n" : "",
                      status == 407 ? "Proxy-Authenticate: Basic realm=\"cloudfort egress\", charset=\"UTF-8\"\r\n" : "",
                      keep ? "keep-alive" : "close");
  if (!(r && r->is_head)) evbuffer_add(out, body, (size_t)bl);
  switch (status) {
  case 400: p->m.errors_by_status[0]++; break;
  case 414:
  case 431: p->m.errors_by_status[1]++; break;
  case 501:
  case 505: p->m.errors_by_status[2]++; break;
  case 502: p->m.errors_by_status[3]++; break;
  case 503: p->m.errors_by_status[4]++; break;
  case 504: p->m.errors_by_status[5]++; break;
  default: break;
  }
  if (r) {
    r->status = status;
    r->down += (uint64_t)bl;
    log_request(c);
    req_free(r);
    c->r = NULL;
  }
  if (c->state == S_TUNNEL) p->m.active_tunnels--;
  if (keep) {
    c->state = S_HEAD;
    c->head_scanned = 0;
    c->head_start.tv_sec = 0;
    bufferevent_set_timeouts(c->c, &p->tv_idle, NULL);
    bufferevent_enable(c->c, EV_READ);
    if (evbuffer_get_length(bufferevent_get_input(c->c))) on_head(c);
    return;
  }
  up_close(c);
  close_after_write(c);
}

/* The request is done (its response fully queued to the client). */
static void finish_request(cf__conn_t *c) {
  cf__loop_t *p = c->p;
  req_t *r = c->r;
  bool keep = c->c_keep && !p->draining && !r->resp_until_close;
  log_request(c);
  req_free(r);
  c->r = NULL;
  if (!c->u_keep || !c->u) {
    up_close(c);
  } else {
    /* An idle upstream is watched for its close; it is dropped after the idle timeout. */
    bufferevent_set_timeouts(c->u, &p->tv_idle, NULL);
    bufferevent_enable(c->u, EV_READ);
  }
  if (!keep) {
    close_after_write(c); /* a kept upstream goes to the pool when the client is gone */
    return;
  }
  c->state = S_HEAD;
  c->head_scanned = 0;
  c->head_start.tv_sec = 0;
  bufferevent_set_timeouts(c->c, &p->tv_idle, NULL);
  bufferevent_enable(c->c, EV_READ);
  if (evbuffer_get_length(bufferevent_get_input(c->c))) on_head(c);
}

/* ---- accepting ---- */

void cf__conn_accept(cf__loop_t *p, int fd, const struct sockaddr *sa, socklen_t len) {
  p->m.connections_total++;
  /* The limit is the proxy's, over every loop: a slot is taken here and given back when the
   * connection is freed. */
  if (atomic_fetch_add(&p->px->n_conns, 1) >= p->cfg.max_connections || p->draining) {
    atomic_fetch_sub(&p->px->n_conns, 1);
    static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                               "Content-Length: 31\r\nConnection: close\r\n\r\n"
                               "503 Service Unavailable: busy\r\n";
    p->m.connections_rejected++;
    p->m.errors_by_status[4]++;
    ssize_t w = send(fd, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    (void)w;
    close(fd);
    return;
  }
  cf__conn_t *c = calloc(1, sizeof *c);
  if (!c) {
    atomic_fetch_sub(&p->px->n_conns, 1);
    close(fd);
    return;
  }
  c->p = p;
  if (len <= sizeof c->peer) memcpy(&c->peer, sa, len);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (p->tls) {
    /* The handshake runs first; its end (BEV_EVENT_CONNECTED) names the client certificate. */
    SSL *ssl = SSL_new(p->tls);
    c->c = ssl ? bufferevent_openssl_socket_new(p->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE)
               : NULL;
    if (c->c) bufferevent_openssl_set_allow_dirty_shutdown(c->c, 1);
    else SSL_free(ssl);
    c->tls = true;
  } else {
    c->c = bufferevent_socket_new(p->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (c->c) read_direct(c->c);
  }
  if (!c->c) {
    atomic_fetch_sub(&p->px->n_conns, 1);
    close(fd);
    free(c);
    return;
  }
  c->next = p->conns;
  if (p->conns) p->conns->prev = c;
  p->conns = c;
  p->n_conns++;
  p->m.active_connections++;
  c->c_keep = true;
  bufferevent_setcb(c->c, client_read_cb, client_write_cb, client_event_cb, c);
  bufferevent_set_timeouts(c->c, &p->tv_header, NULL);
  bufferevent_enable(c->c, EV_READ);
}

void cf__conn_drain_idle(cf__loop_t *p) {
  cf__conn_t *c = p->conns;
  while (c) {
    cf__conn_t *next = c->next;
    if (c->state == S_HEAD && !c->r && evbuffer_get_length(bufferevent_get_input(c->c)) == 0) conn_free(c);
    else c->c_keep = false;
    c = next;
  }
}

void cf__conn_free_all(cf__loop_t *p) {
  bool d = p->draining;
  p->draining = false; /* no loopexit from inside the teardown */
  p->stopping = true;  /* and nothing goes to the pool */
  while (p->conns) conn_free(p->conns);
  cf__pool_free_all(p);
  p->draining = d;
}

/* ---- request heads ---- */

/* Appends to the rewritten head; false when out of memory. */
typedef struct hbuf {
  char *d;
  size_t len, cap;
  bool failed;
} hbuf_t;

static void hb_add(hbuf_t *b, const char *s, size_t n) {
  if (b->failed) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 512;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = realloc(b->d, cap);
    if (!d) {
      b->failed = true;
      return;
    }
    b->d = d;
    b->cap = cap;
  }
  memcpy(b->d + b->len, s, n);
  b->len += n;
}

static void hb_str(hbuf_t *b, const char *s) { hb_add(b, s, strlen(s)); }

/* Copies the end-to-end fields of h: hop-by-hop fields, those named by Connection, a
 * request's Host (the proxy writes the URL's) and a response's Transfer-Encoding (written by
 * the caller) are left out. */
static void copy_fields(hbuf_t *b, const cf__http_head_t *h, bool request) {
  for (unsigned i = 0; i < h->n_fields; i++) {
    const cf__http_field_t *f = &h->fields[i];
    if (cf__http_is_hop_by_hop(f->name, f->name_len)) continue;
    if (request && cf__http_name_is(f->name, f->name_len, "host")) continue;
    /* a response's framing is written by the caller */
    if (!request && cf__http_name_is(f->name, f->name_len, "transfer-encoding")) continue;
    if (cf__http_connection_names(h, f->name, f->name_len)) continue;
    hb_add(b, f->name, f->name_len);
    hb_add(b, ": ", 2);
    hb_add(b, f->value, f->value_len);
    hb_add(b, "\r\n", 2);
  }
}

/* The client as the policy sees it: its address and its Proxy-Authorization user. */
static void client_of(const cf__conn_t *c, cf_egress_client_t *cl) {
  memset(cl, 0, sizeof *cl);
  cl->addr = &c->peer.sa;
  cl->addr_len = addr_len(&c->peer);
  if (c->r && c->r->user[0]) cl->user = c->r->user;
  cl->cert_cn = c->cert_cn;
}

/* Takes a result into the request; returns true when the request may go on. */
static bool take_result(req_t *r, const cf_egress_result_t *res) {
  if (res->role) copy_str(r->role, sizeof r->role, res->role);
  r->mode = res->mode;
  if (res->policy_denied) {
    if (!r->policy_denied) {
      r->why = res->why;
      copy_str(r->reason, sizeof r->reason, res->reason);
    }
    r->policy_denied = true;
  }
  if (res->verdict == CF_EGRESS_DENY) {
    r->denied = true;
    r->why = res->why;
    copy_str(r->reason, sizeof r->reason, res->reason);
    return false;
  }
  return true;
}

static void deny(cf__conn_t *c) {
  /* A refused request's body is not read: keep the connection only when it has none. */
  req_t *r = c->r;
  bool keep = !r->is_connect && r->body_left == 0 && !r->body_chunked;
  reply_error(c, 403, "Forbidden", r->reason, keep);
}

/* A request the proxy refuses before any policy check (malformed, timed out). */
static req_t *new_req(cf__conn_t *c) {
  req_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->t0 = c->head_start.tv_sec ? c->head_start : now_tv(c->p);
  r->pol = cf__policy_ref_take(c->p->policy);
  copy_str(r->role, sizeof r->role, "-");
  copy_str(r->method, sizeof r->method, "-");
  c->r = r;
  return r;
}

/*
 * Proxy-Authorization: its user chooses a role. When the policy has a credentials file the
 * password must verify, or the request is refused (407, and the connection closes: a client
 * guessing passwords pays a connection per guess). The check itself runs in a checker thread
 * (crypt(3) costs from a millisecond to hundreds, which would stall every connection of the
 * loop): the connection waits in S_AUTH, not reading, and its head is parsed again when the
 * answer comes. The answer is remembered for the connection with the policy it was given
 * under, so a kept-alive client costs one check, not one per request.
 */
enum { CRED_OK, CRED_DENIED, CRED_PENDING };

static int take_credentials(cf__conn_t *c, const cf__http_head_t *h) {
  req_t *r = c->r;
  if (!h->proxy_auth) return CRED_OK;
  const cf_egress_policy_t *pol = r->pol->policy;
  bool decoded = cf__http_basic_credentials(h->proxy_auth, h->proxy_auth_len, r->user, sizeof r->user, NULL, 0);
  if (!cf_egress_policy_has_credentials(pol)) return CRED_OK;
  bool known = c->auth && c->auth_pol == r->pol && c->auth_len == h->proxy_auth_len &&
               memcmp(c->auth, h->proxy_auth, c->auth_len) == 0;
  if (decoded && !known) {
    cf__auth_job_t *j = calloc(1, sizeof *j);
    char *hdr = j ? malloc(h->proxy_auth_len) : NULL;
    if (!hdr) {
      free(j);
      r->error = "out of memory";
    } else if (!cf__http_basic_credentials(h->proxy_auth, h->proxy_auth_len, j->user, sizeof j->user, j->pass,
                                           sizeof j->pass)) {
      free(hdr);
      free(j);
      decoded = false; /* a password too long to be one */
    } else {
      memcpy(hdr, h->proxy_auth, h->proxy_auth_len);
      j->hdr = hdr;
      j->hdr_len = h->proxy_auth_len;
      j->loop = c->p;
      j->conn = c;
      j->pol = cf__policy_ref_take(r->pol);
      c->auth_job = j;
      c->state = S_AUTH;
      bufferevent_disable(c->c, EV_READ);
      req_free(r); /* made again, with the same start time, when the head is parsed again */
      c->r = NULL;
      cf__auth_submit(c->p->px, j);
      return CRED_PENDING;
    }
  }
  if (decoded && known && c->auth_ok) return CRED_OK;
  r->denied = r->policy_denied = true;
  r->why = CF_EGRESS_WHY_AUTH;
  cf__strfmt(r->reason, sizeof r->reason, "Proxy-Authorization: %s",
             decoded ? "unknown user or wrong password" : "expected Basic credentials");
  r->user[0] = '\0';
  return CRED_DENIED;
}

void cf__auth_job_free(cf__auth_job_t *j) {
  if (!j) return;
  OPENSSL_cleanse(j->pass, sizeof j->pass);
  if (j->hdr) OPENSSL_cleanse(j->hdr, j->hdr_len);
  free(j->hdr);
  cf__policy_ref_drop(j->pol);
  free(j);
}

void cf__auth_resume(cf__loop_t *p) {
  struct cf_proxy *px = p->px;
  pthread_mutex_lock(&px->auth_mu);
  cf__auth_job_t *j = p->auth_done;
  p->auth_done = NULL;
  pthread_mutex_unlock(&px->auth_mu);
  while (j) {
    cf__auth_job_t *next = j->next;
    cf__conn_t *c = j->conn;
    if (c) {
      /* The answer becomes the connection's: the value, the policy and whether it verified. */
      c->auth_job = NULL;
      auth_forget(c);
      c->auth = j->hdr;
      c->auth_len = j->hdr_len;
      c->auth_pol = j->pol;
      c->auth_ok = j->ok;
      j->hdr = NULL;
      j->pol = NULL;
      c->state = S_HEAD;
      bufferevent_enable(c->c, EV_READ);
    }
    cf__auth_job_free(j);
    if (c) on_head(c);
    j = next;
  }
}

/* Waits for the rest of a head only until the header timeout counted from its first byte. */
static void header_deadline(cf__conn_t *c) {
  int64_t left = (int64_t)c->p->cfg.header_timeout_ms - elapsed_ms(c->p, &c->head_start);
  set_read_timeout(c->c, left > 0 ? (unsigned)left : 1);
}

static void on_head(cf__conn_t *c) {
  cf__loop_t *p = c->p;
  struct evbuffer *in = bufferevent_get_input(c->c);
  size_t len = evbuffer_get_length(in);
  /* RFC 9112 2.2: empty lines before a request line are ignored (some clients send a CRLF
   * after a body). */
  while (len >= 2 && c->head_scanned == 0) {
    unsigned char two[2];
    if (evbuffer_copyout(in, two, 2) != 2 || two[0] != '\r' || two[1] != '\n') break;
    evbuffer_drain(in, 2);
    len -= 2;
  }
  if (len == 0) return;
  if (c->head_start.tv_sec == 0) c->head_start = now_tv(p);
  size_t max = p->cfg.max_header_bytes;
  /* The end of the head is searched for in the buffer as it is, from where the last search
   * stopped; the head is pulled together (and parsed) once it is complete, or to refuse a
   * malformed first line early, or when it has reached the limit. */
  struct evbuffer_ptr from;
  evbuffer_ptr_set(in, &from, c->head_scanned > 3 ? c->head_scanned - 3 : 0, EVBUFFER_PTR_SET);
  struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, &from);
  size_t n;
  if (end.pos >= 0) {
    n = (size_t)end.pos + 4 <= max ? (size_t)end.pos + 4 : max;
  } else {
    bool first = c->head_scanned == 0;
    c->head_scanned = len;
    bool long_line = len > CF__HTTP_MAX_LINE + 1 && !c->line_checked;
    if (len < max && !first && !long_line) {
      header_deadline(c);
      return;
    }
    n = len < max ? len : max;
  }
  const char *buf = (const char *)evbuffer_pullup(in, (ev_ssize_t)n);
  cf__http_head_t *h = p->scratch;
  if (!buf) {
    conn_free(c);
    return;
  }
  cf__http_status st = cf__http_parse_request(buf, n, max, h);
  if (st == CF__HTTP_INCOMPLETE) {
    if (len > CF__HTTP_MAX_LINE + 1) c->line_checked = true;
    header_deadline(c);
    return;
  }
  req_t *r = new_req(c);
  if (!r) {
    conn_free(c);
    return;
  }
  if (st != CF__HTTP_OK) {
    r->error = h->why ? h->why : "malformed request";
    r->denied = true;
    r->why = CF_EGRESS_WHY_BAD_URL;
    cf__strfmt(r->reason, sizeof r->reason, "malformed request: %s", r->error);
    switch (st) {
    case CF__HTTP_TOO_LARGE: reply_error(c, 431, "Request Header Fields Too Large", r->reason, false); break;
    case CF__HTTP_URI_TOO_LONG: reply_error(c, 414, "URI Too Long", r->reason, false); break;
    case CF__HTTP_NOT_IMPLEMENTED: reply_error(c, 501, "Not Implemented", r->reason, false); break;
    case CF__HTTP_BAD_VERSION: reply_error(c, 505, "HTTP Version Not Supported", r->reason, false); break;
    default: reply_error(c, 400, "Bad Request", r->reason, false); break;
    }
    return;
  }
  /* The client stays readable (no epoll change per request): what it sends next waits in
   * its buffer, and an end of input is noted. The head's deadline no longer applies. */
  bufferevent_set_timeouts(c->c, NULL, NULL);
  copy_n(r->method, sizeof r->method, h->method, h->method_len < 15 ? h->method_len : 15);
  r->is_connect = h->method_len == 7 && memcmp(h->method, "CONNECT", 7) == 0;
  r->is_head = h->method_len == 4 && memcmp(h->method, "HEAD", 4) == 0;
  r->body_left = h->content_length > 0 ? h->content_length : 0;
  r->body_chunked = h->chunked;
  if (r->body_chunked) cf__chunked_init(&r->ch, (uint32_t)max);
  r->minor = (uint8_t)h->minor;
  if (h->conn_close || (h->minor == 0 && !h->conn_keep_alive)) c->c_keep = false;
  int cred = take_credentials(c, h);
  if (cred == CRED_PENDING) return;
  if (cred == CRED_DENIED) {
    copy_n(r->host, sizeof r->host, h->target, h->target_len < 200 ? h->target_len : 200);
    evbuffer_drain(in, h->head_len);
    reply_error(c, 407, "Proxy Authentication Required", r->reason, false);
    return;
  }

  /* The URL to check: absolute-form for requests, authority-form for CONNECT. */
  char *url = NULL;
  size_t url_len = 0;
  char url_buf[CF__HTTP_MAX_LINE + 16];
  if (r->is_connect) {
    if (h->target_len + 10 > sizeof url_buf || memchr(h->target, '/', h->target_len) ||
        memchr(h->target, '@', h->target_len)) {
      cf__strfmt(r->reason, sizeof r->reason, "CONNECT needs a HOST:PORT target");
      r->error = "bad request";
      r->denied = true;
      r->why = CF_EGRESS_WHY_BAD_URL;
        reply_error(c, 400, "Bad Request", r->reason, false);
      return;
    }
    url_len = (size_t)snprintf(url_buf, sizeof url_buf, "https://%.*s/", (int)h->target_len, h->target);
    url = url_buf;
  } else {
    url = (char *)h->target;
    url_len = h->target_len;
    bool http = url_len > 7 && cf__http_name_is(url, 7, "http://");
    bool https = url_len > 8 && cf__http_name_is(url, 8, "https://");
    if (!http) {
      r->error = "bad request";
      r->denied = true;
      r->why = https ? CF_EGRESS_WHY_SCHEME : CF_EGRESS_WHY_BAD_URL;
      cf__strfmt(r->reason, sizeof r->reason, "%s",
               https ? "https URLs go through a CONNECT tunnel, not an absolute-form request"
                     : "a forward proxy takes absolute http:// URLs and CONNECT");
        reply_error(c, https ? 501 : 400, https ? "Not Implemented" : "Bad Request", r->reason, false);
      return;
    }
  }
  cf_egress_client_t cl;
  client_of(c, &cl);
  cf_egress_result_t res;
  cf_url_t u;
  memset(&res, 0, sizeof res);
  if (cf_egress_check_url(r->pol->policy, &cl, url, url_len, &res, &u) != CF_OK) {
    res.verdict = CF_EGRESS_DENY;
    res.policy_denied = true;
    res.why = CF_EGRESS_WHY_BAD_URL;
    snprintf(res.reason, sizeof res.reason, "the URL could not be checked");
  }
  if (res.why != CF_EGRESS_WHY_BAD_URL || res.verdict == CF_EGRESS_ALLOW) {
    copy_str(r->host, sizeof r->host, u.host);
    r->port = u.port;
  } else {
    copy_n(r->host, sizeof r->host, url, url_len < 200 ? url_len : 200);
  }
  if (!take_result(r, &res)) {
    evbuffer_drain(in, h->head_len);
    deny(c);
    return;
  }
  if (!r->is_connect && res.why == CF_EGRESS_WHY_BAD_URL && res.verdict == CF_EGRESS_ALLOW) {
    /* report or open mode on a URL that does not parse: nothing to connect to. */
    evbuffer_drain(in, h->head_len);
    r->error = "bad url";
    reply_error(c, 400, "Bad Request", r->reason[0] ? r->reason : "the URL does not parse", false);
    return;
  }

  if (!r->is_connect) {
    /* origin-form request line, end-to-end fields, Host from the URL, Via */
    hbuf_t b = {0};
    hb_add(&b, h->method, h->method_len);
    hb_add(&b, " ", 1);
    if (u.path_len == 0 || u.path[0] != '/') hb_add(&b, "/", 1); /* "http://a?q" asks for "/?q" */
    hb_add(&b, u.path, u.path_len);
    hb_str(&b, " HTTP/1.1\r\nHost: ");
    bool v6 = u.host_kind == CF_URL_HOST_IPV6;
    if (v6) hb_add(&b, "[", 1);
    hb_str(&b, u.host);
    if (v6) hb_add(&b, "]", 1);
    if (u.port_given && u.port != 80) {
      char port[16] = ":";
      hb_add(&b, port, 1 + dec(port + 1, u.port));
    }
    hb_add(&b, "\r\n", 2);
    copy_fields(&b, h, true);
    hb_str(&b, h->minor ? "Via: 1.1 cloudfort\r\n\r\n" : "Via: 1.0 cloudfort\r\n\r\n");
    if (b.failed) {
      free(b.d);
        conn_free(c);
      return;
    }
    r->head = b.d;
    r->head_len = b.len;
  }
  evbuffer_drain(in, h->head_len);

  /* Where to connect: a kept upstream for the same host and port (this client's or a pooled
   * one), an IP literal, or DNS. */
  if (!r->is_connect && (!c->u || !c->u_host || c->u_port != r->port || strcmp(c->u_host, r->host) != 0))
    pool_take(c, r->host, r->port);
  if (!r->is_connect && c->u && c->u_host && c->u_port == r->port && strcmp(c->u_host, r->host) == 0) {
    cf_egress_result_t ar;
    if (cf_egress_check_addr(r->pol->policy, &cl, &c->u_addr.sa, r->host, &ar) == CF_OK &&
        take_result(r, &ar)) {
      addr_string(&c->u_addr, r->addr, sizeof r->addr);
      c->u_reused = true;
      p->m.upstream_reused++;
      c->state = S_CONNECT;
      up_event_cb(c->u, BEV_EVENT_CONNECTED, c);
      return;
    }
    up_close(c);
    if (r->denied) {
      deny(c);
      return;
    }
  }
  up_close(c);
  c->u_reused = false;
  if (u.host_kind != CF_URL_HOST_DOMAIN) {
    addr_t a;
    memset(&a, 0, sizeof a);
    if (u.host_kind == CF_URL_HOST_IPV4) {
      a.in.sin_family = AF_INET;
      memcpy(&a.in.sin_addr, u.addr, 4);
      a.in.sin_port = htons(u.port);
    } else {
      a.in6.sin6_family = AF_INET6;
      memcpy(&a.in6.sin6_addr, u.addr, 16);
      a.in6.sin6_port = htons(u.port);
    }
    cf_egress_result_t ar;
    if (cf_egress_check_addr(r->pol->policy, &cl, &a.sa, NULL, &ar) != CF_OK) {
      ar.verdict = CF_EGRESS_DENY;
      ar.policy_denied = true;
      ar.why = CF_EGRESS_WHY_ADDRESS;
      ar.mode = r->mode;
      ar.role = NULL;
      snprintf(ar.reason, sizeof ar.reason, "the address could not be checked");
    }
    if (!take_result(r, &ar)) {
      deny(c);
      return;
    }
    r->addrs[0] = a;
    r->n_addrs = 1;
    start_connect(c);
    return;
  }
  /* Resolve once; the answer's addresses are checked in resolved_cb. */
  c->state = S_RESOLVE;
  struct evutil_addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
  char port[8];
  snprintf(port, sizeof port, "%u", r->port);
  struct evdns_getaddrinfo_request *d = evdns_getaddrinfo(p->dns, r->host, port, &hints, resolved_cb, c);
  /* The callback may already have run (a cached or local answer); it cleared nothing then. */
  if (d && c->state == S_RESOLVE) c->dns = d;
}

/* The answer for the request's name: every address is checked; the allowed ones are kept in
 * the order DNS gave them and tried in turn. */
static void resolved_cb(int err, struct evutil_addrinfo *ai, void *arg) {
  cf__conn_t *c = arg;
  if (err == EVUTIL_EAI_CANCEL) {
    if (ai) evutil_freeaddrinfo(ai);
    return;
  }
  c->dns = NULL;
  cf__loop_t *p = c->p;
  req_t *r = c->r;
  if (err || !ai) {
    if (ai) evutil_freeaddrinfo(ai);
    p->m.dns_errors++;
    r->error = "dns";
    cf__strfmt(r->reason, sizeof r->reason, "%s does not resolve: %s", r->host, evutil_gai_strerror(err));
    reply_error(c, 502, "Bad Gateway", r->reason, false);
    return;
  }
  cf_egress_client_t cl;
  client_of(c, &cl);
  bool any_denied = false, any_reported = false;
  cf_egress_result_t first_denial, first_report;
  memset(&first_denial, 0, sizeof first_denial);
  memset(&first_report, 0, sizeof first_report);
  for (struct evutil_addrinfo *a = ai; a; a = a->ai_next) {
    if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
    addr_t x;
    memset(&x, 0, sizeof x);
    memcpy(&x, a->ai_addr, a->ai_family == AF_INET ? sizeof x.in : sizeof x.in6);
    bool dup = false;
    for (unsigned i = 0; i < r->n_addrs; i++) dup |= addr_same(&r->addrs[i], &x);
    if (dup) continue;
    cf_egress_result_t ar;
    if (cf_egress_check_addr(r->pol->policy, &cl, &x.sa, r->host, &ar) != CF_OK) continue;
    if (ar.role) cf__strfmt(r->role, sizeof r->role, "%s", ar.role);
    if (ar.verdict == CF_EGRESS_DENY && !any_denied) {
      first_denial = ar;
      any_denied = true;
    } else if (ar.policy_denied && ar.verdict == CF_EGRESS_ALLOW && !any_reported) {
      first_report = ar; /* report mode: denied, but let through */
      any_reported = true;
    }
    if (ar.verdict == CF_EGRESS_ALLOW && r->n_addrs < MAX_ADDRS) r->addrs[r->n_addrs++] = x;
  }
  evutil_freeaddrinfo(ai);
  if (r->n_addrs == 0) {
    /* Every address was denied (or none could be checked): 403 with the first reason. */
    r->denied = true;
    r->policy_denied = true;
    if (any_denied) {
      r->why = first_denial.why;
      r->mode = first_denial.mode;
      cf__strfmt(r->reason, sizeof r->reason, "%s", first_denial.reason);
    } else {
      r->why = CF_EGRESS_WHY_ADDRESS;
      cf__strfmt(r->reason, sizeof r->reason, "%s resolved to no address that could be checked", r->host);
    }
    deny(c);
    return;
  }
  /* The addresses denied are never tried; the line says a role in report mode let one
   * through. */
  if (any_reported && !r->policy_denied) {
    r->policy_denied = true;
    r->why = first_report.why;
    r->mode = first_report.mode;
    cf__strfmt(r->reason, sizeof r->reason, "%s", first_report.reason);
  }
  start_connect(c);
}

/* ---- connecting ---- */

static void start_connect(cf__conn_t *c) {
  cf__loop_t *p = c->p;
  req_t *r = c->r;
  while (r->next_addr < r->n_addrs) {
    addr_t *a = &r->addrs[r->next_addr++];
    addr_string(a, r->addr, sizeof r->addr);
    int fd = socket(a->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct bufferevent *u = bufferevent_socket_new(p->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!u) {
      close(fd);
      break;
    }
    c->u = u;
    p->m.active_upstreams++;
    p->m.upstream_opened++;
    c->u_addr = *a;
    c->u_port = r->port;
    c->u_host = strdup(r->host);
    c->state = S_CONNECT;
    bufferevent_setcb(u, up_read_cb, up_write_cb, up_event_cb, c);
    bufferevent_set_timeouts(u, &p->tv_upstream, &p->tv_upstream);
    if (bufferevent_socket_connect(u, &a->sa, (int)addr_len(a)) == 0) return;
    /* connect failed at once: the event callback has not run; try the next address */
    p->m.upstream_connect_errors++;
    up_close(c);
  }
  r->error = "connect";
  cf__strfmt(r->reason, sizeof r->reason, "cannot connect to %s port %u (%s)", r->host, r->port,
           r->addr[0] ? r->addr : "no address");
  reply_error(c, 502, "Bad Gateway", r->reason, false);
}

/* The upstream is connected (or a kept one is reused): send the head, then the body. */
static void upstream_ready(cf__conn_t *c) {
  cf__loop_t *p = c->p;
  req_t *r = c->r;
  read_direct(c->u); /* connected: bufferevent_socket_connect() no longer resets ev_read */
  bufferevent_set_timeouts(c->u, &p->tv_upstream, &p->tv_upstream);
  bufferevent_setwatermark(c->u, EV_WRITE, HIGH_WATER / 2, 0);
  if (r->is_connect) {
    static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
    evbuffer_add(bufferevent_get_output(c->c), ok, sizeof ok - 1);
    r->status = 200;
    c->state = S_TUNNEL;
    p->m.tunnels_total++;
    p->m.active_tunnels++;
    c->u_keep = false;
    c->c_keep = false;
    c->last_io = now_tv(p);
    bufferevent_set_timeouts(c->c, &p->tv_tunnel, NULL);
    bufferevent_set_timeouts(c->u, &p->tv_tunnel, NULL);
    bufferevent_setwatermark(c->c, EV_WRITE, HIGH_WATER / 2, 0);
    bufferevent_enable(c->c, EV_READ | EV_WRITE);
    bufferevent_enable(c->u, EV_READ | EV_WRITE);
    /* Bytes the client sent after its CONNECT head (a TLS ClientHello) go up now, and an
     * end of input it sent meanwhile goes with them. */
    if (c->c_eof) tunnel_eof(c, true);
    else pump_tunnel(c, true);
    return;
  }
  /* The head is kept until the response starts, to repeat it once on a fresh connection
   * when a kept one turns out closed. */
  evbuffer_add(bufferevent_get_output(c->u), r->head, r->head_len);
  r->up += r->head_len;
  c->state = S_REQ_BODY;
  bufferevent_enable(c->u, EV_READ | EV_WRITE);
  pump_req_body(c);
}

/* ---- request bodies ---- */

/* Moves up to n bytes of body from one input to another output. */
static size_t move(struct evbuffer *from, struct evbuffer *to, size_t n) {
  int k = evbuffer_remove_buffer(from, to, n);
  return k > 0 ? (size_t)k : 0;
}

/* Scans a chunked body in `from` from its start for up to its available bytes, moving what
 * belongs to the body. Returns the scanner's status. */
static cf__chunk_status move_chunked(cf__chunked_t *ch, struct evbuffer *from, struct evbuffer *to, uint64_t *count) {
  for (;;) {
    size_t avail = evbuffer_get_length(from);
    if (avail == 0) return CF__CHUNK_MORE;
    struct evbuffer_iovec v;
    if (evbuffer_peek(from, -1, NULL, &v, 1) < 1) return CF__CHUNK_MORE;
    size_t used = 0;
    cf__chunk_status st = cf__chunked_feed(ch, v.iov_base, v.iov_len, &used);
    if (st == CF__CHUNK_BAD) return st;
    *count += move(from, to, used);
    if (st == CF__CHUNK_DONE) return st;
  }
}

static bool past_deadline(cf__conn_t *c);

static void pump_req_body(cf__conn_t *c) {
  req_t *r = c->r;
  if (past_deadline(c)) return;
  struct evbuffer *in = bufferevent_get_input(c->c);
  struct evbuffer *out = bufferevent_get_output(c->u);
  if (!r->body_done) {
    if (r->body_chunked) {
      cf__chunk_status st = move_chunked(&r->ch, in, out, &r->up);
      if (st == CF__CHUNK_BAD) {
        r->error = "bad chunked body";
        up_close(c);
        close_after_write(c);
        return;
      }
      r->body_done = st == CF__CHUNK_DONE;
    } else {
      size_t n = evbuffer_get_length(in);
      if ((int64_t)n > r->body_left) n = (size_t)r->body_left;
      size_t moved = move(in, out, n);
      r->body_left -= (int64_t)moved;
      r->up += moved;
      r->body_done = r->body_left == 0;
    }
  }
  flush_side(c, c->u);
  if (!r->body_done && c->c_eof) {
    r->error = "client closed in the body";
    conn_free(c);
    return;
  }
  if (r->body_done) {
    /* Whatever the client sends now is its next request: it waits until this one ends. */
    c->state = S_RESP_HEAD;
    c->head_scanned = 0;
    if (evbuffer_get_length(bufferevent_get_input(c->u))) on_resp_head(c);
    return;
  }
  if (evbuffer_get_length(out) >= HIGH_WATER) {
    bufferevent_disable(c->c, EV_READ);
    c->c_paused = true;
  } else {
    bufferevent_set_timeouts(c->c, &c->p->tv_idle, NULL);
    bufferevent_enable(c->c, EV_READ);
  }
}

/* ---- responses ---- */

static void on_resp_head(cf__conn_t *c) {
  cf__loop_t *p = c->p;
  req_t *r = c->r;
  struct evbuffer *in = bufferevent_get_input(c->u);
  size_t len = evbuffer_get_length(in);
  if (!len) return;
  size_t max = p->cfg.max_header_bytes;
  struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
  if (end.pos < 0 && len < max) return;
  size_t n = (end.pos >= 0 && (size_t)end.pos + 4 <= max) ? (size_t)end.pos + 4 : (len < max ? len : max);
  const char *buf = (const char *)evbuffer_pullup(in, (ev_ssize_t)n);
  cf__http_head_t *h = p->scratch;
  if (!buf) {
    conn_free(c);
    return;
  }
  cf__http_status st = cf__http_parse_response(buf, n, max, h);
  if (st == CF__HTTP_INCOMPLETE) {
    return;
  }
  if (st != CF__HTTP_OK || h->status == 101) {
    r->error = "bad response";
    cf__strfmt(r->reason, sizeof r->reason, "the upstream's response is malformed: %s",
             h->status == 101 ? "a protocol switch the proxy did not ask for" : (h->why ? h->why : "?"));
    c->u_keep = false;
    up_close(c);
    reply_error(c, 502, "Bad Gateway", r->reason, false);
    return;
  }
  r->resp_started = true;
  free(r->head);
  r->head = NULL;
  int status = h->status;
  bool interim = status >= 100 && status < 200;
  hbuf_t b = {0};
  /* The parser took exactly three digits. */
  char line[] = "HTTP/1.1 000 ";
  line[9] = (char)('0' + status / 100 % 10);
  line[10] = (char)('0' + status / 10 % 10);
  line[11] = (char)('0' + status % 10);
  hb_add(&b, line, sizeof line - 1);
  hb_add(&b, h->status_line_rest, h->status_line_rest_len);
  hb_add(&b, "\r\n", 2);
  copy_fields(&b, h, false);
  if (!interim) {
    r->status = status;
    c->u_keep = !h->conn_close && h->minor >= 1;
    r->resp_chunked = false;
    r->resp_until_close = false;
    r->resp_left = 0;
    if (r->is_head || status == 204 || status == 304) {
      /* no body whatever the fields say; a HEAD answer still names the GET answer's coding */
      if (h->chunked && r->is_head) hb_str(&b, "Transfer-Encoding: chunked\r\n");
    } else if (h->chunked) {
      r->resp_chunked = true;
      cf__chunked_init(&r->rch, (uint32_t)max);
      hb_str(&b, "Transfer-Encoding: chunked\r\n");
    } else if (h->te_other || h->content_length < 0) {
      r->resp_until_close = true;
      c->u_keep = false;
      if (h->te_other) {
        for (unsigned i = 0; i < h->n_fields; i++)
          if (cf__http_name_is(h->fields[i].name, h->fields[i].name_len, "transfer-encoding")) {
            hb_str(&b, "Transfer-Encoding: ");
            hb_add(&b, h->fields[i].value, h->fields[i].value_len);
            hb_add(&b, "\r\n", 2);
          }
      }
    } else {
      r->resp_left = h->content_length;
    }
    bool keep = c->c_keep && !p->draining && !r->resp_until_close;
    c->c_keep = keep;
    hb_str(&b, keep ? (r->minor == 0 ? "Connection: keep-alive\r\n" : "") : "Connection: close\r\n");
  }
  hb_str(&b, interim ? "\r\n" : "Via: 1.1 cloudfort\r\n\r\n");
  size_t head_len = h->head_len;
  if (b.failed) {
    free(b.d);
    conn_free(c);
    return;
  }
  evbuffer_drain(in, head_len);
  evbuffer_add(bufferevent_get_output(c->c), b.d, b.len);
  r->down += b.len;
  free(b.d);
  if (interim) {
    if (evbuffer_get_length(in)) on_resp_head(c);
    return;
  }
  c->state = S_RESP_BODY;
  bufferevent_set_timeouts(c->u, &p->tv_upstream, NULL);
  bufferevent_set_timeouts(c->c, NULL, &p->tv_idle); /* a client that stops reading its answer */
  bufferevent_setwatermark(c->c, EV_WRITE, HIGH_WATER / 2, 0);
  pump_resp_body(c);
}

/* Whether the request has run past --request-timeout; if so it is cut (the client has part
 * of a response already, so the connection closes). */
static bool past_deadline(cf__conn_t *c) {
  req_t *r = c->r;
  if (elapsed_ms(c->p, &r->t0) <= (int64_t)c->p->cfg.request_timeout_ms) return false;
  r->error = "request timeout";
  up_close(c);
  close_after_write(c);
  return true;
}

static void pump_resp_body(cf__conn_t *c) {
  req_t *r = c->r;
  if (past_deadline(c)) return;
  struct evbuffer *in = bufferevent_get_input(c->u);
  struct evbuffer *out = bufferevent_get_output(c->c);
  bool done = false;
  if (r->resp_chunked) {
    cf__chunk_status st = move_chunked(&r->rch, in, out, &r->down);
    if (st == CF__CHUNK_BAD) {
      r->error = "bad chunked response";
      up_close(c);
      close_after_write(c);
      return;
    }
    done = st == CF__CHUNK_DONE;
  } else if (r->resp_until_close) {
    r->down += move(in, out, evbuffer_get_length(in));
    done = c->u_eof;
  } else {
    size_t n = evbuffer_get_length(in);
    if ((int64_t)n > r->resp_left) n = (size_t)r->resp_left;
    size_t moved = move(in, out, n);
    r->resp_left -= (int64_t)moved;
    r->down += moved;
    done = r->resp_left == 0;
  }
  flush_side(c, c->c);
  if (done) {
    if (evbuffer_get_length(in)) c->u_keep = false; /* bytes after the response: not reusable */
    finish_request(c);
    return;
  }
  if (c->u_eof) {
    /* The upstream closed before the end of its response. */
    r->error = "upstream closed early";
    up_close(c);
    close_after_write(c);
    return;
  }
  if (evbuffer_get_length(out) >= HIGH_WATER) {
    bufferevent_disable(c->u, EV_READ);
    c->u_paused = true;
  }
}

/* ---- tunnels ---- */

static void tunnel_maybe_close(cf__conn_t *c) {
  if (c->c_eof && c->u_eof && evbuffer_get_length(bufferevent_get_output(c->c)) == 0 &&
      evbuffer_get_length(bufferevent_get_output(c->u)) == 0)
    conn_free(c);
}

static void pump_tunnel(cf__conn_t *c, bool from_client) {
  struct bufferevent *src = from_client ? c->c : c->u, *dst = from_client ? c->u : c->c;
  struct evbuffer *in = bufferevent_get_input(src), *out = bufferevent_get_output(dst);
  size_t moved = move(in, out, evbuffer_get_length(in));
  flush_side(c, dst);
  if (moved) c->last_io = now_tv(c->p);
  if (from_client) c->r->up += moved;
  else c->r->down += moved;
  if (evbuffer_get_length(out) >= HIGH_WATER) {
    bufferevent_disable(src, EV_READ);
    if (from_client) c->c_paused = true;
    else c->u_paused = true;
  }
}

/* One side of a tunnel ended its input: pass the end on once its bytes are out. */
static void tunnel_eof(cf__conn_t *c, bool client_side) {
  if (client_side) c->c_eof = true;
  else c->u_eof = true;
  struct bufferevent *dst = client_side ? c->u : c->c;
  pump_tunnel(c, client_side);
  if (evbuffer_get_length(bufferevent_get_output(dst)) == 0) {
    if (dst == c->c && c->tls) {
      conn_free(c); /* TLS cannot be half-closed here: the tunnel ends */
      return;
    }
    shutdown(bufferevent_getfd(dst), SHUT_WR);
    if (client_side) c->u_shut = true;
    else c->c_shut = true;
  }
  tunnel_maybe_close(c);
}

/* ---- callbacks ---- */

static void client_read_cb(struct bufferevent *bev, void *arg) {
  (void)bev;
  cf__conn_t *c = arg;
  switch (c->state) {
  case S_HEAD: on_head(c); break;
  case S_REQ_BODY: pump_req_body(c); break;
  case S_TUNNEL: pump_tunnel(c, true); break;
  default:
    /* A pipelined request waits for this one to end; beyond a head's worth of bytes the
     * client is not read until then. */
    if (evbuffer_get_length(bufferevent_get_input(c->c)) > c->p->cfg.max_header_bytes + HIGH_WATER)
      bufferevent_disable(c->c, EV_READ);
    break;
  }
}

/* The output toward one side (to_client, or the upstream) drained below its low-water mark:
 * the other side, paused for backpressure, is read again; in a tunnel, an end of input seen
 * on the other side is passed on now that its bytes are out. */
static void drained(cf__conn_t *c, bool to_client) {
  struct bufferevent *dst = to_client ? c->c : c->u, *src = to_client ? c->u : c->c;
  bool *paused = to_client ? &c->u_paused : &c->c_paused;
  bool relaying = c->state == (to_client ? S_RESP_BODY : S_REQ_BODY);
  if (src && *paused && (relaying || c->state == S_TUNNEL)) {
    *paused = false;
    bufferevent_enable(src, EV_READ);
    if (c->state == S_TUNNEL) pump_tunnel(c, !to_client);
    else if (to_client) pump_resp_body(c);
    else pump_req_body(c);
    return;
  }
  if (c->state == S_TUNNEL) {
    bool src_eof = to_client ? c->u_eof : c->c_eof;
    bool *shut = to_client ? &c->c_shut : &c->u_shut;
    if (src_eof && !*shut && evbuffer_get_length(bufferevent_get_output(dst)) == 0) {
      if (to_client && c->tls) {
        conn_free(c);
        return;
      }
      shutdown(bufferevent_getfd(dst), SHUT_WR);
      *shut = true;
    }
    tunnel_maybe_close(c);
  }
}

static void client_write_cb(struct bufferevent *bev, void *arg) {
  (void)bev;
  cf__conn_t *c = arg;
  if (c->state == S_CLOSING) {
    if (evbuffer_get_length(bufferevent_get_output(c->c)) == 0) conn_free(c);
    return;
  }
  drained(c, true);
}

static void up_write_cb(struct bufferevent *bev, void *arg) {
  (void)bev;
  drained(arg, false);
}

/* The TLS handshake is done: a client certificate that was presented has been verified
 * against --tls-client-ca (the handshake fails otherwise); its common name chooses a role. */
static void take_cert_cn(cf__conn_t *c) {
  SSL *ssl = bufferevent_openssl_get_ssl(c->c);
  X509 *cert = ssl ? SSL_get1_peer_certificate(ssl) : NULL;
  if (cert && SSL_get_verify_result(ssl) == X509_V_OK) {
    char cn[256];
    int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    if (n > 0 && (size_t)n < sizeof cn && memchr(cn, '\0', (size_t)n) == NULL) c->cert_cn = strdup(cn);
  }
  X509_free(cert);
}

static void client_event_cb(struct bufferevent *bev, short what, void *arg) {
  (void)bev;
  cf__conn_t *c = arg;
  cf__loop_t *p = c->p;
  if (what & BEV_EVENT_CONNECTED) {
    take_cert_cn(c);
    return;
  }
  if (what & BEV_EVENT_TIMEOUT) {
    if (c->state == S_TUNNEL) {
      /* One direction idle: the tunnel lives while the other moves bytes. */
      int64_t idle = elapsed_ms(p, &c->last_io);
      if (idle < (int64_t)p->cfg.tunnel_idle_ms && !c->c_eof) {
        set_read_timeout(c->c, (unsigned)((int64_t)p->cfg.tunnel_idle_ms - idle));
        if (!c->c_paused) bufferevent_enable(c->c, EV_READ);
        return;
      }
      if (c->r) c->r->error = "tunnel idle";
      conn_free(c);
      return;
    }
    if (c->state == S_HEAD && evbuffer_get_length(bufferevent_get_input(c->c)) > 0) {
      /* RFC 9110 15.5.9: the head did not arrive in time. */
      if (new_req(c)) {
        c->r->error = "header timeout";
        c->r->denied = true;
        c->r->why = CF_EGRESS_WHY_BAD_URL;
        cf__strfmt(c->r->reason, sizeof c->r->reason, "the request head did not arrive within %u ms",
                 p->cfg.header_timeout_ms);
        reply_error(c, 408, "Request Timeout", c->r->reason, false);
        return;
      }
    }
    if (c->r && !c->r->error) c->r->error = "client timeout";
    conn_free(c);
    return;
  }
  /* EOF or error */
  bool eof = (what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR);
  if (c->state == S_TUNNEL && eof) {
    tunnel_eof(c, true);
    return;
  }
  if (eof && c->state == S_HEAD && !c->r && evbuffer_get_length(bufferevent_get_output(c->c))) {
    /* A half-closed client still gets the answer it is owed. */
    up_close(c);
    close_after_write(c);
    return;
  }
  if (eof && c->r && c->state != S_HEAD && c->state != S_CLOSING) {
    /* A client that half-closed after its request: the request goes on, the connection
     * closes after the answer. A body still missing can no longer come. */
    c->c_eof = true;
    c->c_keep = false;
    if (c->state == S_REQ_BODY) pump_req_body(c);
    return;
  }
  conn_free(c);
}

static void up_event_cb(struct bufferevent *bev, short what, void *arg) {
  (void)bev;
  cf__conn_t *c = arg;
  cf__loop_t *p = c->p;
  req_t *r = c->r;
  if (what & BEV_EVENT_CONNECTED) {
    if (c->state == S_CONNECT) upstream_ready(c);
    return;
  }
  if (!r) {
    /* a kept upstream closed or timed out while idle */
    up_close(c);
    return;
  }
  switch (c->state) {
  case S_CONNECT:
    if (what & BEV_EVENT_TIMEOUT) {
      p->m.upstream_timeouts++;
      r->error = "connect timeout";
      cf__strfmt(r->reason, sizeof r->reason, "%s port %u did not accept a connection within %u ms", r->host,
               r->port, p->cfg.upstream_timeout_ms);
      up_close(c);
      reply_error(c, 504, "Gateway Timeout", r->reason, false);
      return;
    }
    p->m.upstream_connect_errors++;
    up_close(c);
    start_connect(c);
    return;
  case S_TUNNEL:
    if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR)) {
      tunnel_eof(c, false);
      return;
    }
    if (what & BEV_EVENT_TIMEOUT) {
      int64_t idle = elapsed_ms(p, &c->last_io);
      if (idle < (int64_t)p->cfg.tunnel_idle_ms && !c->u_eof) {
        set_read_timeout(c->u, (unsigned)((int64_t)p->cfg.tunnel_idle_ms - idle));
        if (!c->u_paused) bufferevent_enable(c->u, EV_READ);
        return;
      }
      r->error = "tunnel idle";
    }
    conn_free(c);
    return;
  case S_REQ_BODY:
  case S_RESP_HEAD:
    if (what & BEV_EVENT_TIMEOUT) {
      p->m.upstream_timeouts++;
      r->error = "upstream timeout";
      cf__strfmt(r->reason, sizeof r->reason, "%s port %u did not answer within %u ms", r->host, r->port,
               p->cfg.upstream_timeout_ms);
      up_close(c);
      reply_error(c, 504, "Gateway Timeout", r->reason, false);
      return;
    }
    if (evbuffer_get_length(bufferevent_get_input(c->u)) && (what & BEV_EVENT_EOF)) {
      /* the upstream answered and closed: a response that ends with the connection */
      c->u_eof = true;
      c->u_keep = false;
      bufferevent_disable(c->c, EV_READ);
      c->state = S_RESP_HEAD;
      on_resp_head(c);
      if (c->r == r && c->state == S_RESP_HEAD) {
        r->error = "bad response";
        cf__strfmt(r->reason, sizeof r->reason, "the upstream closed in the middle of its response head");
        up_close(c);
        reply_error(c, 502, "Bad Gateway", r->reason, false);
      }
      return;
    }
    if (c->u_reused && !r->retried && r->head && r->body_left == 0 && !r->body_chunked &&
        c->state == S_RESP_HEAD) {
      /* A kept connection the upstream closed just as it was reused: the request goes once
       * more on a new connection to the same checked address (it has no body to repeat). */
      r->retried = true;
      r->addrs[0] = c->u_addr;
      r->n_addrs = 1;
      r->next_addr = 0;
      r->up = 0;
      c->u_reused = false;
      up_close(c);
      start_connect(c);
      return;
    }
    r->error = "upstream closed";
    cf__strfmt(r->reason, sizeof r->reason, "%s port %u closed the connection without a response", r->host, r->port);
    up_close(c);
    reply_error(c, 502, "Bad Gateway", r->reason, false);
    return;
  case S_RESP_BODY:
    if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR)) {
      c->u_eof = true;
      c->u_keep = false;
      pump_resp_body(c);
      return;
    }
    r->error = (what & BEV_EVENT_TIMEOUT) ? "upstream timeout" : "upstream error";
    up_close(c);
    close_after_write(c);
    return;
  default:
    up_close(c);
    return;
  }
}

static void up_read_cb(struct bufferevent *bev, void *arg) {
  (void)bev;
  cf__conn_t *c = arg;
  switch (c->state) {
  case S_RESP_HEAD: on_resp_head(c); break;
  case S_RESP_BODY: pump_resp_body(c); break;
  case S_TUNNEL: pump_tunnel(c, false); break;
  case S_REQ_BODY: {
    /* An interim answer (100 Continue to a client that sent Expect) goes on at once; a final
     * response waits until the request is sent. */
    char first[10];
    if (evbuffer_copyout(bufferevent_get_input(c->u), first, sizeof first) == (ev_ssize_t)sizeof first &&
        memcmp(first, "HTTP/1.", 7) == 0 && first[8] == ' ' && first[9] == '1')
      on_resp_head(c);
    break;
  }
  default:
    /* an idle upstream that speaks out of turn is not reused */
    if (!c->r) up_close(c);
    break;
  }
}
