/*
 * proxy_metrics.c - the egress proxy's counters and their Prometheus text exposition
 * (format 0.0.4), served on a listener of its own so that scraping never competes with proxied
 * traffic for a connection slot.
 *
 * Each loop counts in its own atomic counters (an uncontended add); a scrape, served by loop
 * 0, sums them and renders the exposition into one buffer. A metrics client sends one request head (at most 8 KiB, within
 * 5 s); GET /metrics gets the text, anything else 404, and the connection closes after the
 * answer.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy_internal.h"

/* Upper bounds of the latency histogram, in seconds. */
static const double bounds[CF__METRIC_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                  0.1,    0.25,  0.5,    1,     2.5,   5,    10};

void cf__metrics_latency(cf__metrics_t *m, double s) {
  unsigned i = 0;
  while (i < CF__METRIC_BUCKETS && s > bounds[i]) i++;
  m->latency_buckets[i]++;
  m->latency_sum_ns += (uint64_t)(s * 1e9);
  m->latency_count++;
}

void cf__metrics_add(cf__metrics_t *sum, const cf__metrics_t *src) {
  for (int v = 0; v < 2; v++)
    for (int w = 0; w < 16; w++) sum->requests[v][w] += src->requests[v][w];
  for (size_t i = 0; i < 6; i++) sum->errors_by_status[i] += src->errors_by_status[i];
  for (unsigned i = 0; i <= CF__METRIC_BUCKETS; i++) sum->latency_buckets[i] += src->latency_buckets[i];
#define ADD(f) sum->f += src->f
  ADD(reported);
  ADD(bad_requests);
  ADD(upstream_connect_errors);
  ADD(dns_errors);
  ADD(upstream_timeouts);
  ADD(connections_total);
  ADD(connections_rejected);
  ADD(tunnels_total);
  ADD(upstream_reused);
  ADD(upstream_opened);
  ADD(bytes_up);
  ADD(bytes_down);
  ADD(reloads);
  ADD(latency_sum_ns);
  ADD(latency_count);
  ADD(active_connections);
  ADD(active_tunnels);
  ADD(active_upstreams);
#undef ADD
}

typedef struct out {
  char *buf;
  size_t size, len;
  bool full;
} out_t;

static void put(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out_t *o, const char *fmt, ...) {
  if (o->full) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= o->size - o->len) o->full = true;
  else o->len += (size_t)n;
}

#define PFX "cloudfort_egress_"

static void head(out_t *o, const char *name, const char *type, const char *help) {
  put(o, "# HELP " PFX "%s %s\n# TYPE " PFX "%s %s\n", name, help, name, type);
}

size_t cf__metrics_render(const cf__metrics_t *m, char *buf, size_t size) {
  out_t o = {buf, size, 0, false};
  head(&o, "requests_total", "counter", "Requests by policy verdict and reason.");
  for (int v = 0; v < 2; v++)
    for (int w = 0; w < 16; w++) {
      if (!m->requests[v][w] && !(w == 0 && v == 0)) continue;
      put(&o, PFX "requests_total{verdict=\"%s\",why=\"%s\"} %llu\n", v ? "deny" : "allow",
          cf_egress_why_name((cf_egress_why)w), (unsigned long long)m->requests[v][w]);
    }
  head(&o, "reported_total", "counter", "Denials let through by a role in report mode.");
  put(&o, PFX "reported_total %llu\n", (unsigned long long)m->reported);
  static const char *const codes[] = {"400", "414_431", "501_505", "502", "503", "504"};
  head(&o, "errors_total", "counter", "Responses made by the proxy itself, by status.");
  for (size_t i = 0; i < 6; i++)
    put(&o, PFX "errors_total{status=\"%s\"} %llu\n", codes[i], (unsigned long long)m->errors_by_status[i]);
  head(&o, "upstream_connect_errors_total", "counter", "Upstream connections that failed.");
  put(&o, PFX "upstream_connect_errors_total %llu\n", (unsigned long long)m->upstream_connect_errors);
  head(&o, "upstream_timeouts_total", "counter", "Upstreams that did not answer in time.");
  put(&o, PFX "upstream_timeouts_total %llu\n", (unsigned long long)m->upstream_timeouts);
  head(&o, "dns_errors_total", "counter", "Names that did not resolve.");
  put(&o, PFX "dns_errors_total %llu\n", (unsigned long long)m->dns_errors);
  head(&o, "upstream_connections_total", "counter", "Upstream connections opened and reused.");
  put(&o, PFX "upstream_connections_total{kind=\"opened\"} %llu\n", (unsigned long long)m->upstream_opened);
  put(&o, PFX "upstream_connections_total{kind=\"reused\"} %llu\n", (unsigned long long)m->upstream_reused);
  head(&o, "connections_total", "counter", "Client connections accepted.");
  put(&o, PFX "connections_total %llu\n", (unsigned long long)m->connections_total);
  head(&o, "connections_rejected_total", "counter", "Client connections refused at the connection limit.");
  put(&o, PFX "connections_rejected_total %llu\n", (unsigned long long)m->connections_rejected);
  head(&o, "tunnels_total", "counter", "CONNECT tunnels opened.");
  put(&o, PFX "tunnels_total %llu\n", (unsigned long long)m->tunnels_total);
  head(&o, "active_connections", "gauge", "Open client connections.");
  put(&o, PFX "active_connections %lld\n", (long long)m->active_connections);
  head(&o, "active_tunnels", "gauge", "Open CONNECT tunnels.");
  put(&o, PFX "active_tunnels %lld\n", (long long)m->active_tunnels);
  head(&o, "active_upstream_connections", "gauge", "Open upstream connections.");
  put(&o, PFX "active_upstream_connections %lld\n", (long long)m->active_upstreams);
  head(&o, "bytes_total", "counter", "Bytes relayed: up (client to upstream) and down.");
  put(&o, PFX "bytes_total{direction=\"up\"} %llu\n", (unsigned long long)m->bytes_up);
  put(&o, PFX "bytes_total{direction=\"down\"} %llu\n", (unsigned long long)m->bytes_down);
  head(&o, "policy_reloads_total", "counter", "Policies loaded after the first.");
  put(&o, PFX "policy_reloads_total %llu\n", (unsigned long long)m->reloads);
  head(&o, "request_duration_seconds", "histogram", "Time from a request's first byte to its last response byte.");
  uint64_t cum = 0;
  for (unsigned i = 0; i < CF__METRIC_BUCKETS; i++) {
    cum += m->latency_buckets[i];
    put(&o, PFX "request_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds[i], (unsigned long long)cum);
  }
  cum += m->latency_buckets[CF__METRIC_BUCKETS];
  put(&o, PFX "request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
  put(&o, PFX "request_duration_seconds_sum %.6f\n", (double)m->latency_sum_ns / 1e9);
  put(&o, PFX "request_duration_seconds_count %llu\n", (unsigned long long)m->latency_count);
  return o.full ? 0 : o.len;
}

/* ---- the metrics listener's clients ---- */

#define METRICS_MAX_HEAD 8192u

static void metrics_done_cb(struct bufferevent *bev, void *arg) {
  (void)arg;
  if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) bufferevent_free(bev);
}

static void metrics_event_cb(struct bufferevent *bev, short what, void *arg) {
  (void)what;
  (void)arg;
  bufferevent_free(bev);
}

static void metrics_reply(struct bufferevent *bev, int status, const char *phrase, const char *type,
                          const char *body, size_t len) {
  struct evbuffer *out = bufferevent_get_output(bev);
  evbuffer_add_printf(out,
                      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n",
                      status, phrase, type, len);
  evbuffer_add(out, body, len);
  bufferevent_disable(bev, EV_READ);
  bufferevent_setcb(bev, NULL, metrics_done_cb, metrics_event_cb, NULL);
}

static void metrics_read_cb(struct bufferevent *bev, void *arg) {
  cf__loop_t *p = arg;
  struct evbuffer *in = bufferevent_get_input(bev);
  size_t len = evbuffer_get_length(in);
  size_t n = len < METRICS_MAX_HEAD ? len : METRICS_MAX_HEAD;
  const char *buf = (const char *)evbuffer_pullup(in, (ev_ssize_t)n);
  cf__http_head_t *h = malloc(sizeof *h);
  if (!h || !buf) {
    free(h);
    bufferevent_free(bev);
    return;
  }
  cf__http_status st = cf__http_parse_request(buf, n, METRICS_MAX_HEAD, h);
  if (st == CF__HTTP_INCOMPLETE) {
    free(h);
    return;
  }
  if (st != CF__HTTP_OK) {
    static const char msg[] = "bad request\n";
    metrics_reply(bev, 400, "Bad Request", "text/plain", msg, sizeof msg - 1);
  } else if (h->method_len == 3 && memcmp(h->method, "GET", 3) == 0 &&
             ((h->target_len == 8 && memcmp(h->target, "/metrics", 8) == 0) ||
              (h->target_len > 8 && memcmp(h->target, "/metrics?", 9) == 0))) {
    cf__metrics_t *sum = calloc(1, sizeof *sum);
    if (sum)
      for (unsigned i = 0; i < p->px->n_loops; i++) cf__metrics_add(sum, &p->px->loops[i].m);
    size_t size = 16384;
    char *text = NULL;
    size_t tl = 0;
    while (sum && size <= (1u << 20)) {
      char *t = realloc(text, size);
      if (!t) break;
      text = t;
      if ((tl = cf__metrics_render(sum, text, size)) > 0) break;
      size *= 2;
    }
    if (tl) metrics_reply(bev, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", text, tl);
    else bufferevent_free(bev);
    free(text);
    free(sum);
  } else {
    static const char msg[] = "not found: GET /metrics\n";
    metrics_reply(bev, 404, "Not Found", "text/plain", msg, sizeof msg - 1);
  }
  free(h);
}

void cf__metrics_accept(cf__loop_t *p, int fd) {
  struct bufferevent *bev = bufferevent_socket_new(p->base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (!bev) {
    close(fd);
    return;
  }
  struct timeval tv = {5, 0};
  bufferevent_set_timeouts(bev, &tv, &tv);
  bufferevent_setcb(bev, metrics_read_cb, NULL, metrics_event_cb, p);
  bufferevent_enable(bev, EV_READ);
}
