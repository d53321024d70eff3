/*
 * validators_pii.c - validators of personal data: check digits and number structure.
 */
#include <string.h>

#include "content_internal.h"

/* Luhn (ISO/IEC 7812-1) over the digits of s; separators (space, '-') are skipped. */
static int v_luhn(const char *s, size_t n) {
  int sum = 0, digits = 0;
  bool dbl = false;
  for (size_t i = n; i-- > 0;) {
    char c = s[i];
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9') return -1;
    int d = c - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
    digits++;
  }
  if (digits < 12) return -1;
  return sum % 10 == 0 ? 1 : -1;
}

const cf_validator_t cf__validators_pii[] = {
    {"luhn", v_luhn, "Luhn check digit (payment card numbers)", NULL},
    {NULL, NULL, NULL, NULL},
};
