/*
 * fuzz_egress_policy.c - libFuzzer target for egress policies: arbitrary bytes go through
 * cf_egress_policy_parse() (the YAML front end, then the policy loader: roles, matches,
 * hosts, ports, ranges); a policy that loads is asked about a few fixed URLs and addresses
 * for clients chosen by address, user and certificate name.
 *
 * Invariants: a parse that fails says why and where (a message, and a line for CF_EPARSE
 * from the loader) and leaves no policy; a parse that succeeds leaves one; every check
 * returns CF_OK with a role name; a metadata address is never allowed by an enforcing role.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cloudfort/cloudfort.h"

static const char *const urls[] = {
    "http://example.com/", "https://a.example.com:8443/x", "http://127.0.0.1:8080/", "http://169.254.169.254/",
    "http://u:p@10.1.2.3/", "https://[2606:4700::1111]/", "http://metadata.google.internal/", "ftp://x/",
};

static void check_client(const cf_egress_policy_t *p, const cf_egress_client_t *c) {
  cf_egress_result_t r;
  for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
    if (cf_egress_check_url(p, c, urls[i], strlen(urls[i]), &r, NULL) != CF_OK || !r.role) abort();
    if (i == 3 && r.mode == CF_EGRESS_ENFORCE && r.verdict != CF_EGRESS_DENY) abort();
  }
  struct sockaddr_in s4;
  memset(&s4, 0, sizeof s4);
  s4.sin_family = AF_INET;
  s4.sin_port = htons(80);
  inet_pton(AF_INET, "169.254.169.254", &s4.sin_addr);
  if (cf_egress_check_addr(p, c, (const struct sockaddr *)&s4, "h", &r) != CF_OK || !r.role) abort();
  if (r.mode == CF_EGRESS_ENFORCE && r.verdict != CF_EGRESS_DENY) abort();
  struct sockaddr_in6 s6;
  memset(&s6, 0, sizeof s6);
  s6.sin6_family = AF_INET6;
  s6.sin6_port = htons(443);
  inet_pton(AF_INET6, "::1", &s6.sin6_addr);
  if (cf_egress_check_addr(p, c, (const struct sockaddr *)&s6, NULL, &r) != CF_OK) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (64u << 10)) return 0;
  cf_egress_policy_t *p = (cf_egress_policy_t *)&p;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf_egress_policy_parse(NULL, (const char *)data, size, "fuzz.yaml", &p, &d);
  if (e) {
    if (p || !d.message) abort();
    cf_diag_cleanup(&d);
    return 0;
  }
  cf_diag_cleanup(&d);
  if (!p) abort();
  check_client(p, NULL);
  struct sockaddr_in cl;
  memset(&cl, 0, sizeof cl);
  cl.sin_family = AF_INET;
  inet_pton(AF_INET, "10.20.1.1", &cl.sin_addr);
  cf_egress_client_t c = {(const struct sockaddr *)&cl, sizeof cl, "alice", NULL};
  check_client(p, &c);
  c.cert_cn = "svc.example.com";
  check_client(p, &c);
  cf_egress_policy_free(p);
  return 0;
}
