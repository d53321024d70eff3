/*
 * timeutil.c - RFC 3339 / ISO 8601 timestamps as found in AWS outputs and credential reports
 * ("2019-01-02T03:04:05Z", "2019-01-02T03:04:05.123+00:00", "2019-01-02 03:04:05", a date).
 * Written here because strptime(3) has no portable time-zone offset or fraction handling and
 * timegm(3) is not in C11; the days-from-civil formula is Howard Hinnant's public algorithm.
 */
#include <ctype.h>
#include <string.h>

#include "core.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

static int days_in_month(int y, int m) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

bool cf__parse_time(const char *s, int64_t *out) {
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!s || strlen(s) < 10) return false;
  if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
      !digits(s + 8, 2, &d))
    return false;
  /* RFC 3339 5.7: the day must exist in its month ("2019-02-30" is not a time). */
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return false;
  const char *p = s + 10;
  int64_t offset = 0;
  if (*p == 'T' || *p == 't' || *p == ' ') {
    p++;
    if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi)) return false;
    p += 5;
    if (*p == ':') {
      if (!digits(p + 1, 2, &se)) return false;
      p += 3;
    }
    if (*p == '.' || *p == ',') {
      p++;
      if (!isdigit((unsigned char)*p)) return false; /* a fraction has at least one digit */
      while (isdigit((unsigned char)*p)) p++;
    }
    if (*p == 'Z' || *p == 'z') {
      p++;
    } else if (*p == '+' || *p == '-') {
      int oh, om = 0;
      int sign = *p == '-' ? -1 : 1;
      if (!digits(p + 1, 2, &oh)) return false;
      p += 3;
      if (*p == ':') p++;
      if (digits(p, 2, &om)) p += 2;
      if (oh > 23 || om > 59) return false;
      offset = sign * (oh * 3600 + om * 60);
    }
    if (h > 23 || mi > 59 || se > 60) return false;
  }
  if (*p != '\0') return false;
  *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - offset;
  return true;
}

bool cf_parse_time(const char *s, int64_t *out) { return cf__parse_time(s, out); }
