/*
 * fuzz_url.c - libFuzzer target for the egress URL parser and the URL check: arbitrary bytes
 * go to cf_url_parse() and to cf_egress_check_url() under the default policy and under a
 * policy with host globs, ports and ranges.
 *
 * Invariants checked (abort on violation):
 *  - the parser and the check agree: a URL parses exactly when the check does not say
 *    "bad URL" or "scheme";
 *  - a parsed host is NUL-terminated, non-empty, at most 253 bytes for a name, and holds no
 *    byte a host may not hold;
 *  - the canonical form is a fixed point: "http://" + host (bracketed for IPv6) parses to
 *    the same host, kind and address;
 *  - the check of a URL whose host is an address not in global space is a DENY;
 *  - the path lies inside the input (or is the constant "/").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudfort/cloudfort.h"

static cf_egress_policy_t *fz_default, *fz_policy;

static const char policy_yaml[] =
    "roles:\n"
    "  default:\n"
    "    allow_hosts: [\"*.example.com\", 8.8.8.8, \"[2606:4700::1111]\"]\n"
    "    deny_hosts: [bad.example.com]\n"
    "    ports: [80, 443, \"8000-8999\"]\n"
    "    allow_ranges: [127.0.0.1/32]\n"
    "    deny_ranges: [8.8.4.0/24]\n"
    "    deny_userinfo: true\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (cf_egress_policy_default(&fz_default)) abort();
  if (cf_egress_policy_parse(NULL, policy_yaml, sizeof policy_yaml - 1, "fuzz.yaml", &fz_policy, NULL)) abort();
  return 0;
}

static void check_host(const cf_url_t *u) {
  size_t n = strnlen(u->host, sizeof u->host);
  if (n == 0 || n == sizeof u->host) abort();
  if (u->host_kind == CF_URL_HOST_DOMAIN && n > 253) abort();
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)u->host[i];
    if (c <= 0x20 || c >= 0x7f || strchr("#/<>?@[\\]^|%", c)) abort();
    if (c == ':' && u->host_kind != CF_URL_HOST_IPV6) abort();
  }
  /* The canonical form parses to itself. */
  char again[300];
  int k = snprintf(again, sizeof again, u->host_kind == CF_URL_HOST_IPV6 ? "http://[%s]/" : "http://%s/", u->host);
  cf_url_t v;
  if (cf_url_parse(again, (size_t)k, &v, NULL) != CF_OK) abort();
  if (strcmp(v.host, u->host) != 0 || v.host_kind != u->host_kind) abort();
  if (u->host_kind != CF_URL_HOST_DOMAIN && memcmp(v.addr, u->addr, u->host_kind == CF_URL_HOST_IPV4 ? 4 : 16) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  cf_url_t u;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf_url_parse(s, size, &u, &d);
  if (e && !d.message) abort();
  cf_diag_cleanup(&d);
  if (e == CF_OK) {
    check_host(&u);
    bool inside = u.path >= s && u.path + u.path_len <= s + size;
    if (u.path_len == 0 || (!inside && !(u.path_len == 1 && u.path[0] == '/'))) abort();
  }

  cf_egress_result_t r;
  cf_url_t cu;
  if (cf_egress_check_url(fz_default, NULL, s, size, &r, &cu) != CF_OK) abort();
  bool unparsed = r.why == CF_EGRESS_WHY_BAD_URL || r.why == CF_EGRESS_WHY_SCHEME;
  if (unparsed != (e != CF_OK)) abort();
  if (r.policy_denied != (r.verdict == CF_EGRESS_DENY)) abort();
  if (strnlen(r.reason, sizeof r.reason) == sizeof r.reason) abort();
  if (e == CF_OK && u.host_kind != CF_URL_HOST_DOMAIN) {
    int family = u.host_kind == CF_URL_HOST_IPV4 ? AF_INET : AF_INET6;
    if (cf_addr_classify(family, u.addr, NULL, 0) != CF_ADDR_GLOBAL && r.verdict != CF_EGRESS_DENY) abort();
  }
  if (cf_egress_check_url(fz_policy, NULL, s, size, &r, NULL) != CF_OK) abort();
  if (e != CF_OK && r.verdict != CF_EGRESS_DENY) abort();
  return 0;
}
