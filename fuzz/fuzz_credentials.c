/*
 * fuzz_credentials.c - libFuzzer target for the credentials file behind Proxy-Authorization
 * (USER:HASH lines, src/egress/egress_auth.c): arbitrary bytes go through the line parser and
 * its checks of user names and crypt(3) settings; a file that loads is asked about a few
 * users. No password is checked: a hash names its own cost, and a fuzzed bcrypt cost of 31
 * would run for days.
 *
 * Invariants: a parse that fails says why and where (a message, and a line for CF_EPARSE) and
 * leaves nothing; a parse that succeeds leaves the credentials.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "egress/egress_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (64u << 10)) return 0;
  char *buf = malloc(size + 1);
  cf_arena_t *arena = cf__arena_new(0);
  if (!buf || !arena) abort();
  memcpy(buf, data, size);
  buf[size] = '\0';
  struct cf__creds *c = (struct cf__creds *)&c;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__egress_creds_parse(arena, buf, size, "fuzz.htpasswd", &c, &d);
  if (e) {
    if (c || !d.message || (e == CF_EPARSE && d.line == 0)) abort();
  } else {
    if (!c) abort();
    (void)cf__egress_creds_has(c, "alice");
    (void)cf__egress_creds_has(c, "");
  }
  cf_diag_cleanup(&d);
  cf__arena_free(arena);
  free(buf);
  return 0;
}
