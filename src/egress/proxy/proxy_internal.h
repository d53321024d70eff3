/*
 * proxy_internal.h - what the files of the egress proxy share: the HTTP/1.1 message-head
 * parser and chunked-body scanner (proxy_http.c, pure functions, also used by the fuzz target
 * and unit tests), the metrics registry (proxy_metrics.c) and the proxy object that
 * proxy_main.c owns and proxy_conn.c drives. Not installed.
 */
#ifndef CF_PROXY_INTERNAL_H
#define CF_PROXY_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cloudfort/egress.h"
#include "cloudfort/proxy.h"

/* ---- HTTP/1.1 message heads (RFC 9112) ---- */

#define CF__HTTP_MAX_FIELDS 128u     /* header fields in one head */
#define CF__HTTP_MAX_LINE 8192u      /* bytes of a request line or status line */

typedef enum cf__http_status {
  CF__HTTP_OK = 0,
  CF__HTTP_INCOMPLETE,      /* no end of head yet, and the head is below the limit */
  CF__HTTP_BAD,             /* malformed: 400 (request) or 502 (response) */
  CF__HTTP_TOO_LARGE,       /* header section over the limit: 431 */
  CF__HTTP_URI_TOO_LONG,    /* request line over CF__HTTP_MAX_LINE: 414 */
  CF__HTTP_NOT_IMPLEMENTED, /* a transfer coding other than chunked: 501 */
  CF__HTTP_BAD_VERSION      /* not HTTP/1.x: 505 */
} cf__http_status;

typedef struct cf__http_field {
  const char *name;
  const char *value; /* without leading and trailing whitespace */
  uint16_t name_len;
  uint16_t value_len;
} cf__http_field_t;

/* A parsed head. Every pointer points into the buffer given to the parser. */
typedef struct cf__http_head {
  const char *method; /* request */
  const char *target;
  size_t method_len, target_len;
  int status;         /* response */
  const char *status_line_rest; /* reason phrase */
  size_t status_line_rest_len;
  int minor;          /* HTTP/1.<minor> */
  size_t head_len;    /* bytes of the head, final CRLF CRLF included */
  cf__http_field_t fields[CF__HTTP_MAX_FIELDS];
  unsigned n_fields;
  int64_t content_length; /* -1 when absent */
  bool chunked;           /* Transfer-Encoding: chunked (the only coding accepted) */
  bool te_other;          /* response only: a transfer coding that is not chunked */
  bool conn_close;        /* Connection: close */
  bool conn_keep_alive;   /* Connection: keep-alive */
  unsigned n_host;        /* Host fields */
  const char *proxy_auth; /* Proxy-Authorization value, or NULL */
  size_t proxy_auth_len;
  const char *why;        /* when not OK: a static phrase saying what was wrong */
} cf__http_head_t;

/*
 * Parses a request head at the start of buf[0..len). max_head bounds the head (line and
 * fields). Strict RFC 9112: CRLF line ends only, no obs-fold, token names, no whitespace
 * before ':', field values of VCHAR, SP, HTAB and obs-text, at most one Content-Length value,
 * never both Transfer-Encoding and Content-Length, exactly one Host in HTTP/1.1.
 */
cf__http_status cf__http_parse_request(const char *buf, size_t len, size_t max_head,
                                       cf__http_head_t *out);
/* The same for a response head (status line instead of request line). A response with both
 * Transfer-Encoding and Content-Length is refused too: a proxy must not guess its length. */
cf__http_status cf__http_parse_response(const char *buf, size_t len, size_t max_head,
                                        cf__http_head_t *out);
/* Offset just past the first CRLF CRLF in buf[0..len), or 0 when there is none. Starting the
 * search at from (bytes already searched) keeps repeated calls linear. */
size_t cf__http_head_end(const char *buf, size_t len, size_t from);
/* Whether a field named name[0..n) is hop-by-hop (RFC 9110 7.6.1): Connection, Keep-Alive,
 * Proxy-Connection, Proxy-Authorization, Proxy-Authenticate, TE, Trailer, Upgrade. */
bool cf__http_is_hop_by_hop(const char *name, size_t n);
/* Whether the Connection field values of h name name[0..n) as a token. */
bool cf__http_connection_names(const cf__http_head_t *h, const char *name, size_t n);
/* Case-insensitive comparison of name[0..n) with the NUL-terminated lower-case lit. Inline:
 * with a literal, the length test is a constant and most names are refused by it. */
static inline bool cf__http_name_is(const char *name, size_t n, const char *lit) {
  if (n != strlen(lit)) return false;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
    if (c != lit[i]) return false;
  }
  return true;
}
/* The user and password of a "Basic" Proxy-Authorization value, decoded into user[usize] (the
 * part before the first ':', no control characters) and, when pass is not NULL, pass[psize]
 * (the rest, no NUL). Returns false when the value is not Basic, does not decode or does not
 * fit; user and pass are then empty or cut. */
bool cf__http_basic_credentials(const char *value, size_t n, char *user, size_t usize, char *pass, size_t psize);

/*
 * A chunked-body scanner (RFC 9112 7.1): fed the bytes of a body as they come, it finds where
 * the body ends without changing them (the proxy relays chunks as they are). Trailer fields
 * are checked like header fields and bounded by max_trailer bytes.
 */
typedef struct cf__chunked {
  uint8_t state;
  uint8_t digits;
  uint64_t remaining; /* bytes of chunk data still to come */
  uint32_t trailer_bytes;
  uint32_t max_trailer;
} cf__chunked_t;

typedef enum cf__chunk_status { CF__CHUNK_MORE = 0, CF__CHUNK_DONE, CF__CHUNK_BAD } cf__chunk_status;

void cf__chunked_init(cf__chunked_t *c, uint32_t max_trailer);
/* Scans buf[0..len); *used is how many bytes belong to the body (all of them unless DONE,
 * when the bytes after *used are the next message). */
cf__chunk_status cf__chunked_feed(cf__chunked_t *c, const char *buf, size_t len, size_t *used);

/* ---- metrics (proxy_metrics.c) ---- */

#define CF__METRIC_BUCKETS 14u

/* The counters of one loop: written by that loop's thread, read by the thread that renders a
 * scrape, hence atomic (an uncontended atomic add; each loop has its own). */
typedef struct cf__metrics {
  _Atomic uint64_t requests[2][16];     /* [verdict][why] decided by the policy */
  _Atomic uint64_t reported;            /* denials let through in report mode */
  _Atomic uint64_t errors_by_status[6]; /* 400, 403 is policy, 414/431, 501/505, 502, 503, 504 */
  _Atomic uint64_t bad_requests, upstream_connect_errors, dns_errors, upstream_timeouts;
  _Atomic uint64_t connections_total, connections_rejected, tunnels_total;
  _Atomic uint64_t upstream_reused, upstream_opened;
  _Atomic uint64_t bytes_up, bytes_down;
  _Atomic uint64_t reloads;
  _Atomic uint64_t latency_buckets[CF__METRIC_BUCKETS + 1]; /* + Inf */
  _Atomic uint64_t latency_sum_ns;
  _Atomic uint64_t latency_count;
  _Atomic int64_t active_connections, active_tunnels, active_upstreams;
} cf__metrics_t;

/* ---- the proxy (proxy_main.c), its loops and their connections (proxy_conn.c) ---- */

struct event_base;
struct evdns_base;
struct ssl_ctx_st;
struct evconnlistener;
struct event;

/* A policy shared by the requests that started under it; freed with its last user. Loops
 * take and drop references from their own threads, hence the atomic count. */
typedef struct cf__policy_ref {
  cf_egress_policy_t *policy;
  _Atomic unsigned refs;
} cf__policy_ref_t;

typedef struct cf__conn cf__conn_t;
typedef struct cf__pooled cf__pooled_t;
typedef struct cf__loop cf__loop_t;

/* A password check handed to the proxy's checker threads (a crypt(3) hash costs milliseconds
 * to a few hundred; a loop must not stall on one). The loop that made it gets it back through
 * its done list and its pipe. */
typedef struct cf__auth_job cf__auth_job_t;
struct cf__auth_job {
  cf__auth_job_t *next;
  cf__loop_t *loop;        /* where the answer goes */
  cf__conn_t *conn;        /* NULL once the connection has gone (touched by the loop only) */
  cf__policy_ref_t *pol;   /* the policy whose credentials are checked */
  char *hdr;               /* the Proxy-Authorization value checked */
  size_t hdr_len;
  char user[64], pass[256];
  bool ok;                 /* the checker's answer */
};

/* One event loop and everything it owns; each runs in a thread of its own and shares nothing
 * with the others but the proxy (below). Its connections, pooled upstreams, resolver and
 * counters are its own; its listener is bound to the proxy's address with SO_REUSEPORT, so
 * that the kernel spreads new connections over the loops. */
struct cf__loop {
  struct cf_proxy *px;
  unsigned index;
  struct event_base *base;
  struct evdns_base *dns;
  struct evconnlistener *listener, *metrics_listener; /* metrics: loop 0 only */
  struct event *notify_ev, *tick_ev, *drain_ev;
  int notify[2];          /* stop, drain and reload wake the loop through this pipe */
  cf__policy_ref_t *policy; /* the loop's reference on the policy new requests use */
  cf_proxy_config_t cfg;  /* the proxy's, copied (strings owned by the proxy) */
  cf__metrics_t m;
  cf__conn_t *conns;      /* every client connection, for drain and free */
  cf__pooled_t *pool;     /* idle upstream connections left by closed clients, newest first */
  unsigned pool_n;
  cf__http_head_t *scratch; /* the head being parsed: one at a time in the loop thread */
  struct ssl_ctx_st *tls;   /* clients speak TLS (--tls-cert), or NULL */
  /* libevent "common timeouts" for the configured durations: thousands of connections share
   * each one's queue instead of each filling the timer heap */
  struct timeval tv_idle, tv_header, tv_upstream, tv_tunnel;
  unsigned n_conns;
  cf__auth_job_t *auth_done; /* checked passwords waiting for this loop (under px->auth_mu) */
  bool draining, stopping, accept_paused, failed;
  time_t log_sec;           /* the second log_sec_text spells */
  char log_sec_text[24];
  struct jsonw *logw;       /* writes the decision lines (report/jsonw.h) */
};

struct cf_proxy {
  cf__loop_t *loops;
  unsigned n_loops;
  pthread_mutex_t mu;     /* guards pending and current */
  cf_egress_policy_t *pending;
  cf__policy_ref_t *current; /* what a loop takes when it applies a reload */
  pthread_mutex_t log_mu; /* one log callback at a time */
  bool log_dirty;         /* under log_mu */
  _Atomic unsigned n_conns; /* client connections of every loop, for max_connections */
  cf_proxy_config_t cfg;  /* defaults filled in; strings owned by the proxy */
  char addr_text[2][64];
  struct ssl_ctx_st *tls;
  /* password checks: a queue for the checker threads, and each loop's done list */
  pthread_mutex_t auth_mu;
  pthread_cond_t auth_cv;
  cf__auth_job_t *auth_head, *auth_tail;
  bool auth_stop;
};

/* Takes and drops a reference on a policy. */
cf__policy_ref_t *cf__policy_ref_take(cf__policy_ref_t *r);
void cf__policy_ref_drop(cf__policy_ref_t *r);

/* A new client connection on fd (ownership moves to the loop). */
void cf__conn_accept(cf__loop_t *p, int fd, const struct sockaddr *sa, socklen_t len);
/* Draining: closes the connections that wait for a request; the others close when their
 * response is done. */
void cf__conn_drain_idle(cf__loop_t *p);
/* Closes every connection of the loop. */
void cf__conn_free_all(cf__loop_t *p);
/* Queues a password check for the checker threads (proxy_main.c). */
void cf__auth_submit(struct cf_proxy *px, cf__auth_job_t *j);
/* Takes the loop's checked passwords and resumes their connections (on the loop's pipe). */
void cf__auth_resume(cf__loop_t *p);
/* Frees a job and what it holds. */
void cf__auth_job_free(cf__auth_job_t *j);
/* Closes the loop's pooled upstream connections. */
void cf__pool_free_all(cf__loop_t *p);
/* Hands one line to the log callback, from any loop (flushes are loop 0's tick's business). */
void cf__proxy_log_line(struct cf_proxy *px, const char *line, size_t len);
/* Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" for now into buf[32]. */
void cf__proxy_time(char buf[32]);
/* A new metrics client on fd (loop 0). */
void cf__metrics_accept(cf__loop_t *p, int fd);

/* Records the duration of one request (seconds). */
void cf__metrics_latency(cf__metrics_t *m, double seconds);
/* Adds the counters of src to sum (a caller's own). */
void cf__metrics_add(cf__metrics_t *sum, const cf__metrics_t *src);
/* Writes the Prometheus text exposition (format 0.0.4) into buf[size]; returns its length,
 * or 0 when it does not fit. */
size_t cf__metrics_render(const cf__metrics_t *m, char *buf, size_t size);

#endif
