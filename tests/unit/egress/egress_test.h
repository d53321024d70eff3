/*
 * egress_test.h - domain assertions for the egress tests, so that a test reads like the
 * specification it checks: assert_url_verdict("http://0x7f.1/", CF_EGRESS_DENY),
 * assert_addr_class("169.254.169.254", CF_ADDR_METADATA). A failure prints the input, what
 * came out (verdict, reason, host) and what was expected.
 */
#ifndef CF_EGRESS_TEST_H
#define CF_EGRESS_TEST_H

#include <arpa/inet.h>
#include <netinet/in.h>

#include "testutil.h"

static inline const char *eg_verdict_name(cf_egress_verdict v) { return v == CF_EGRESS_DENY ? "DENY" : "ALLOW"; }

/* The default policy, made once per test program. */
static inline const cf_egress_policy_t *eg_default_policy(void) {
  static cf_egress_policy_t *p;
  if (!p) assert_int_equal(CF_OK, cf_egress_policy_default(&p));
  return p;
}

/* A policy from YAML text; fails the test when it does not load. */
static inline cf_egress_policy_t *eg_policy(const char *yaml) {
  cf_egress_policy_t *p = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf_egress_policy_parse(NULL, yaml, strlen(yaml), "policy.yaml", &p, &d);
  if (e) print_error("policy does not load: %u:%u: %s\n", d.line, d.column, d.message ? d.message : "?");
  cf_diag_cleanup(&d);
  assert_int_equal(CF_OK, e);
  assert_non_null(p);
  return p;
}

static inline void eg_check_url(const char *file, int line, const cf_egress_policy_t *p, const cf_egress_client_t *c,
                                const char *url, cf_egress_verdict want, cf_egress_result_t *res) {
  cf_url_t u;
  assert_int_equal(CF_OK, cf_egress_check_url(p, c, url, strlen(url), res, &u));
  if (res->verdict != want) {
    print_error("%s:%d: %s: %s (%s: %s; host %s), expected %s\n", file, line, url, eg_verdict_name(res->verdict),
                cf_egress_why_name(res->why), res->reason, u.host, eg_verdict_name(want));
    _fail(file, line);
  }
}

/* The verdict of the URL check under the default policy, with no resolution. */
#define assert_url_verdict(url, want)                                                     \
  do {                                                                                    \
    cf_egress_result_t r_;                                                                \
    eg_check_url(__FILE__, __LINE__, eg_default_policy(), NULL, (url), (want), &r_);      \
  } while (0)

/* The same under policy p for client c, also checking why. */
#define assert_policy_verdict(p, c, url, want, want_why)                                  \
  do {                                                                                    \
    cf_egress_result_t r_;                                                                \
    eg_check_url(__FILE__, __LINE__, (p), (c), (url), (want), &r_);                       \
    if (r_.why != (want_why)) {                                                           \
      print_error("%s: why %s (%s), expected %s\n", (url), cf_egress_why_name(r_.why),    \
                  r_.reason, cf_egress_why_name(want_why));                               \
      fail();                                                                             \
    }                                                                                     \
  } while (0)

/* A socket address from text and port. */
static inline socklen_t eg_sockaddr(const char *text, uint16_t port, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;
  if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    return sizeof *s4;
  }
  assert_int_equal(1, inet_pton(AF_INET6, text, &s6->sin6_addr));
  s6->sin6_family = AF_INET6;
  s6->sin6_port = htons(port);
  return sizeof *s6;
}

/* Reads a table of URLs (one per line; blank lines and '#' comments skipped) into a
 * NULL-terminated malloc'd array; free with eg_lines_free. */
static inline char **eg_read_lines(const char *path, size_t *n_out) {
  FILE *f = fopen(path, "r");
  if (!f) print_error("cannot open %s\n", path);
  assert_non_null(f);
  char **v = NULL;
  size_t n = 0, cap = 0;
  char *line = NULL;
  size_t lcap = 0;
  ssize_t len;
  while ((len = getline(&line, &lcap, f)) >= 0) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (len == 0 || line[0] == '#') continue;
    if (n + 2 > cap) {
      cap = cap ? cap * 2 : 64;
      v = realloc(v, cap * sizeof *v);
      assert_non_null(v);
    }
    v[n++] = strdup(line);
  }
  free(line);
  fclose(f);
  assert_non_null(v);
  v[n] = NULL;
  *n_out = n;
  return v;
}

static inline void eg_lines_free(char **v) {
  for (size_t i = 0; v && v[i]; i++) free(v[i]);
  free(v);
}

#endif
