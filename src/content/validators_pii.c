/*
 * validators_pii.c - validators of personal data: check digits and number structure.
 *
 * Each validator reads the candidate a rule's regex matched (separators included) and says
 * +1 when a real check digit matched, -1 when the value cannot be what the rule looks for
 * (a failed checksum, an impossible date, a reserved number range) and 0 when it has no
 * opinion. The algorithms come from the public specifications named at each function; they
 * are a few lines each and need no library. Every validator is bounded by its input (which a
 * rule's regex already bounds) and never reads past n bytes; non-ASCII bytes are rejected.
 */
#include <string.h>

#include "content_internal.h"

/* Copies the ASCII digits of s[0..n) into out (at most max), skipping the separators in
 * `seps`; returns the number of digits, or -1 on any other byte or more than max digits. */
static int digits_of(const char *s, size_t n, const char *seps, char *out, int max) {
  int k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      if (k == max) return -1;
      out[k++] = (char)(c - '0');
    } else if (c == '\0' || !strchr(seps, c)) {
      return -1;
    }
  }
  return k;
}

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

/* ---- IBAN (ISO 13616-1) ---- */

/* Total IBAN length per country, from the ISO 13616 IBAN registry published by SWIFT. */
static const struct {
  char cc[3];
  unsigned char len;
} iban_lengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

#define IBAN_MAX 34

/*
 * ISO 13616 / ISO 7064 MOD 97-10: the first four characters (country, check digits) move to
 * the end, letters become 10..35, and the number read in decimal is 1 modulo 97. Spaces are
 * allowed anywhere (IBANs are printed in groups of four). -1 for an unknown country, a length
 * other than the country's, a character outside [A-Z0-9] or a failed check.
 */
static int v_iban(const char *s, size_t n) {
  char v[IBAN_MAX];
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == ' ') continue;
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) || k == IBAN_MAX) return -1;
    v[k++] = c;
  }
  if (k < 5 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' || v[2] > '9' || v[3] > '9') return -1;
  size_t want = 0;
  for (size_t i = 0; i < sizeof iban_lengths / sizeof iban_lengths[0]; i++)
    if (iban_lengths[i].cc[0] == v[0] && iban_lengths[i].cc[1] == v[1]) want = iban_lengths[i].len;
  if (want == 0 || k != want) return -1;
  unsigned rem = 0;
  for (size_t i = 0; i < k; i++) {
    char c = v[(i + 4) % k];
    if (c >= '0' && c <= '9') {
      rem = (rem * 10 + (unsigned)(c - '0')) % 97;
    } else {
      unsigned d = (unsigned)(c - 'A') + 10;
      rem = (rem * 100 + d) % 97;
    }
  }
  return rem == 1 ? 1 : -1;
}

/* ---- US Social Security number ---- */

/*
 * AAA-GG-SSSS (SSA, "Social Security Number Randomization", 2011): the area is never 000,
 * 666 or 900-999, the group never 00, the serial never 0000. There is no check digit, so a
 * plausible number gets no opinion (0) and the rule's context words decide its confidence;
 * an impossible one is -1.
 */
static int v_us_ssn(const char *s, size_t n) {
  char d[9];
  if (n != 11 || s[3] != '-' || s[6] != '-') return -1;
  if (digits_of(s, n, "-", d, 9) != 9) return -1;
  int area = d[0] * 100 + d[1] * 10 + d[2];
  int group = d[3] * 10 + d[4];
  int serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8];
  if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) return -1;
  return 0;
}

/* ---- Japan: Individual Number (My Number) ---- */

/*
 * 12 digits, the last a check digit (総務省令第八十五号, 2014, article 5): with P(n) the n-th
 * digit counted leftwards from the one before the check digit and Q(n) = n + 1 for n <= 6,
 * n - 5 for 7 <= n <= 11, the remainder r of sum(P(n) * Q(n)) by 11 gives the check digit
 * 0 when r <= 1, else 11 - r. Written 12 digits or 4-4-4 with '-' or ' '.
 */
static int v_jp_my_number(const char *s, size_t n) {
  char d[12];
  if (digits_of(s, n, " -", d, 12) != 12) return -1;
  int sum = 0;
  for (int k = 1; k <= 11; k++) sum += d[11 - k] * (k <= 6 ? k + 1 : k - 5);
  int r = sum % 11;
  int check = r <= 1 ? 0 : 11 - r;
  return check == d[11] ? 1 : -1;
}

/* ---- Korea: resident registration number ---- */

static bool valid_date(int year, int month, int day) {
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  int max = mdays[month - 1];
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && leap) max = 29;
  return day <= max;
}

/*
 * YYMMDD-SXXXXXX: the birth date, then S (1-2 and 5-6 born in the 1900s, 3-4 and 7-8 in
 * the 2000s; 5-8 for foreign residents), then six digits of which the last was a check
 * digit: (11 - sum(d[i] * w[i]) mod 11) mod 10 with weights 2..9,2..5 over the first twelve.
 * Numbers issued since October 2020 replaced the region code and check digit with random
 * digits, so a failed check says nothing (0); a passed one is +1; an impossible date or S is
 * -1. The dash may be missing.
 */
static int v_kr_rrn(const char *s, size_t n) {
  char d[13];
  if (digits_of(s, n, "-", d, 13) != 13) return -1;
  int sx = d[6];
  if (sx < 1 || sx > 8) return -1;
  int century = (sx == 1 || sx == 2 || sx == 5 || sx == 6) ? 1900 : 2000;
  int year = century + d[0] * 10 + d[1];
  if (!valid_date(year, d[2] * 10 + d[3], d[4] * 10 + d[5])) return -1;
  static const int w[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
  int sum = 0;
  for (int i = 0; i < 12; i++) sum += d[i] * w[i];
  int check = (11 - sum % 11) % 10;
  return check == d[12] ? 1 : 0;
}

const cf_validator_t cf__validators_pii[] = {
    {"luhn", v_luhn, "Luhn check digit (payment card numbers)", NULL},
    {"iban", v_iban, "IBAN country length and ISO 7064 MOD 97-10 check digits (ISO 13616)", NULL},
    {"us-ssn", v_us_ssn, "US SSN area, group and serial ranges (no check digit)", NULL},
    {"jp-my-number", v_jp_my_number, "Japanese Individual Number check digit", NULL},
    {"kr-rrn", v_kr_rrn, "Korean resident registration number date, century digit and check digit", NULL},
    {NULL, NULL, NULL, NULL},
};
