/*
 * cloudfort/proxy.h - the egress forward proxy as a library object.
 *
 * A cf_proxy_t is an HTTP/1.1 forward proxy (absolute-form requests and CONNECT tunnels) that
 * enforces an egress policy (cloudfort/egress.h) on every request: the URL is checked first,
 * the name is then resolved once, asynchronously, and every address it resolved to is checked;
 * the proxy connects only to an address that passed, so a second answer from DNS can never
 * move a checked request elsewhere (DNS rebinding). One JSON line is handed to the log
 * callback for every request; Prometheus text metrics are served on a listener of their own.
 * `cloudfort egress` is a thin command around this API (docs/egress-proxy.md).
 *
 * Thread safety: cf_proxy_run() runs the proxy's event loops, one in the calling thread and the
 * others (threads - 1) in threads of their own that block every signal; it returns when all
 * have stopped. The log callback is called from any of these threads, one call at a time
 * (the proxy serialises them). cf_proxy_reload() may be called from any thread while the
 * loops run. cf_proxy_stop() and
 * cf_proxy_drain() may be called from any thread and from a signal handler (they only write
 * one byte to a pipe). cf_proxy_new(), cf_proxy_address() and cf_proxy_free() are not
 * thread-safe: call them from the thread that owns the proxy, before or after cf_proxy_run().
 */
#ifndef CLOUDFORT_PROXY_H
#define CLOUDFORT_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "egress.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Receives one decision line: a JSON object without the trailing newline (len bytes, also
 * NUL-terminated), borrowed for the call. line is NULL (len 0) when the proxy asks for what
 * was written so far to be flushed: a few times a second while lines come, and when it stops.
 */
typedef void (*cf_proxy_log_cb)(void *userdata, const char *line, size_t len);

/*
 * What the proxy listens on and its limits. Caller-owned; the strings are copied by
 * cf_proxy_new(). Zero fields take the defaults given in brackets.
 */
typedef struct cf_proxy_config {
  const char *listen;            /* "127.0.0.1:4750", "[::1]:4750"; port 0 picks a free one */
  const char *metrics_listen;    /* Prometheus text on GET /metrics, or NULL for none */
  const char *resolver;          /* "HOST:PORT" of the DNS server, or NULL: /etc/resolv.conf */
  size_t max_header_bytes;       /* request or response head: line and fields [32 KiB] */
  unsigned max_connections;      /* client connections; beyond it a client gets 503 [16384] */
  unsigned idle_timeout_ms;      /* a kept-alive client waiting to send a request [60 s] */
  unsigned header_timeout_ms;    /* from a request's first byte to its last header [10 s] */
  unsigned request_timeout_ms;   /* a whole request and its response [300 s] */
  unsigned upstream_timeout_ms;  /* connect, and each wait for upstream bytes; 504 [30 s] */
  unsigned tunnel_idle_ms;       /* a CONNECT tunnel with no bytes either way [300 s] */
  unsigned drain_timeout_ms;     /* cf_proxy_drain(): longest wait for requests [10 s] */
  const char *tls_cert;          /* PEM certificate chain: clients speak TLS to the proxy
                                    (an "https://" proxy); NULL: plain TCP */
  const char *tls_key;           /* its PEM private key (NULL: in tls_cert) */
  const char *tls_client_ca;     /* PEM CA certificates that sign client certificates: a client
                                    may present one, it must verify, and its common name chooses
                                    the role (cert_cns in the policy); NULL: none asked for */
  cf_proxy_log_cb log_cb;        /* decision lines; NULL: none */
  void *log_userdata;
  const cf_ctx_t *ctx;           /* operational messages (listener errors, reloads); may be
                                    NULL. Retained: it must outlive the proxy. */
  unsigned threads;              /* event loops, each in a thread of its own, each accepting
                                    on the listen address (SO_REUSEPORT); at most 64
                                    [one per online CPU] */
} cf_proxy_config_t;

typedef struct cf_proxy cf_proxy_t;

/*
 * Makes a proxy: creates its event loop and DNS resolver and binds its listeners (so that a
 * caller started as root can drop privileges before cf_proxy_run()). Adopts policy, also when
 * it fails (policy must not be NULL). Returns CF_OK; CF_EINVAL for a malformed address or
 * resolver (diag says which); CF_EIO when a listener cannot be bound, the resolver
 * configuration cannot be read or a TLS certificate, key or CA file cannot be loaded (diag
 * has the reason); CF_ENOMEM. *out is NULL on failure.
 */
cf_err cf_proxy_new(const cf_proxy_config_t *cfg, cf_egress_policy_t *policy, cf_proxy_t **out,
                    cf_diag_t *diag) CF_MUST_CHECK;

/*
 * The address a listener is bound to, such as "127.0.0.1:4750" (useful with port 0): which 0
 * is the proxy, 1 the metrics listener. Writes "" when there is no such listener.
 */
void cf_proxy_address(const cf_proxy_t *p, int which, char *buf, size_t size);

/*
 * Runs the event loop until cf_proxy_stop() is called or a drain ends. Returns CF_OK, or
 * CF_EIO when the loop fails.
 */
cf_err cf_proxy_run(cf_proxy_t *p) CF_MUST_CHECK;

/*
 * Replaces the policy. Adopts policy: the proxy frees it when a later policy replaces it and
 * no request still uses it. Requests already past their URL check finish under the policy
 * they started with; open connections are kept. Thread-safe; policy must not be NULL.
 */
void cf_proxy_reload(cf_proxy_t *p, cf_egress_policy_t *policy);

/* Stops at once: connections are closed and cf_proxy_run() returns. Async-signal-safe. */
void cf_proxy_stop(cf_proxy_t *p);

/*
 * Stops accepting, closes idle client connections, lets requests in flight finish (their
 * clients are told Connection: close) and returns from cf_proxy_run() when none is left or
 * drain_timeout_ms has passed. Async-signal-safe.
 */
void cf_proxy_drain(cf_proxy_t *p);

/* Frees the proxy, its connections and its policies. NULL does nothing. */
void cf_proxy_free(cf_proxy_t *p);

#ifdef __cplusplus
}
#endif
#endif
