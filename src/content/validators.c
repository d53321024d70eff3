/*
 * validators.c - Shannon entropy and the registry rules name validators by (`validate:
 * luhn`); the validators themselves are in validators_secret.c and validators_pii.c.
 *
 * A validator never hides a finding: a failed checksum makes it "low confidence", a passed
 * one "high". Each is a pure function of the candidate's bytes, written from the public
 * format specification it names.
 */
#include <math.h>
#include <string.h>

#include "content_internal.h"

double cf__shannon_entropy(const char *s, size_t n) {
  if (n == 0) return 0;
  size_t counts[256] = {0};
  for (size_t i = 0; i < n; i++) counts[(unsigned char)s[i]]++;
  double h = 0;
  for (int i = 0; i < 256; i++) {
    if (!counts[i]) continue;
    double p = (double)counts[i] / (double)n;
    h -= p * log2(p);
  }
  return h;
}

/* The two tables: credentials (validators_secret.c) and personal data (validators_pii.c). */
const cf_validator_t *cf__validators_table(unsigned which) {
  return which == 0 ? cf__validators_secret : which == 1 ? cf__validators_pii : NULL;
}

const cf_validator_t *cf__validator_find(const char *name) {
  for (unsigned t = 0; cf__validators_table(t); t++)
    for (const cf_validator_t *v = cf__validators_table(t); v->name; v++)
      if (strcmp(v->name, name) == 0) return v;
  return NULL;
}
