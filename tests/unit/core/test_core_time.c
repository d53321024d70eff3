/*
 * test_core_time.c - RFC 3339 / ISO 8601 timestamps as AWS writes them (CloudTrail, Config,
 * credential reports, key metadata), converted to seconds since the epoch.
 *
 * The table states what is a time and what is not: offsets move the instant, fractions are
 * dropped, a date alone is midnight UTC, a day must exist in its month, and anything after
 * the time is an error rather than silently ignored.
 */
#include "testutil.h"

#include "core/core.h"

#define NOT_A_TIME INT64_MIN

static const struct {
  const char *text;
  int64_t epoch; /* NOT_A_TIME when the text must be refused */
} times[] = {
    {"1970-01-01T00:00:00Z", 0},
    {"1969-12-31T23:59:59Z", -1},
    {"2019-01-02T03:04:05Z", 1546398245},
    {"2019-01-02t03:04:05z", 1546398245},          /* RFC 3339 5.6 allows lower case */
    {"2019-01-02 03:04:05Z", 1546398245},          /* a space instead of T */
    {"2019-01-02T03:04:05.123Z", 1546398245},      /* fractions are dropped */
    {"2019-01-02T03:04:05,5Z", 1546398245},        /* ISO 8601 decimal comma */
    {"2019-01-02T03:04:05.000000001Z", 1546398245},
    {"2019-01-02T04:04:05+01:00", 1546398245},     /* offsets */
    {"2019-01-02T02:04:05-01:00", 1546398245},
    {"2019-01-02T04:04:05+0100", 1546398245},
    {"2019-01-02T04:04:05+01", 1546398245},
    {"2019-01-02T08:34:05+05:30", 1546398245},
    {"2019-01-02T03:04:05+00:00", 1546398245},
    {"2019-01-02T03:04:05", 1546398245},           /* no zone: UTC */
    {"2019-01-02T03:04Z", 1546398240},             /* no seconds */
    {"2019-01-02", 1546387200},                    /* a date alone is midnight UTC */
    {"2000-02-29T12:00:00Z", 951825600},           /* a leap day */
    {"2025-06-01T00:00:00Z", 1748736000},
    {"2016-12-31T23:59:60Z", 1483228800},          /* a leap second is the next second */
    /* not times */
    {"", NOT_A_TIME},
    {"2019", NOT_A_TIME},
    {"2019-01", NOT_A_TIME},
    {"2019-1-02", NOT_A_TIME},
    {"2019-13-01", NOT_A_TIME},
    {"2019-00-10", NOT_A_TIME},
    {"2019-01-00", NOT_A_TIME},
    {"2019-01-32", NOT_A_TIME},
    {"2019-02-29", NOT_A_TIME},                    /* 2019 is not a leap year */
    {"1900-02-29", NOT_A_TIME},                    /* nor is 1900 */
    {"2019-04-31", NOT_A_TIME},
    {"2019-01-02T24:00:00Z", NOT_A_TIME},
    {"2019-01-02T23:60:00Z", NOT_A_TIME},
    {"2019-01-02T23:59:61Z", NOT_A_TIME},
    {"2019-01-02T3:04:05Z", NOT_A_TIME},
    {"2019-01-02T03:04:05.Z", NOT_A_TIME},         /* a fraction needs a digit */
    {"2019-01-02T03:04:05+24:00", NOT_A_TIME},
    {"2019-01-02T03:04:05+01:60", NOT_A_TIME},
    {"2019-01-02T03:04:05Zjunk", NOT_A_TIME},
    {"2019-01-02junk", NOT_A_TIME},
    {"2019-01-02T", NOT_A_TIME},
    {"yesterday", NOT_A_TIME},
    {"20190102T030405Z", NOT_A_TIME},              /* basic format is not accepted */
};

static void test_time_table(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(times); i++) {
    int64_t got = 12345;
    bool ok = cf_parse_time(times[i].text, &got);
    if (times[i].epoch == NOT_A_TIME) {
      if (ok) fail_msg("'%s' was accepted as %lld; it is not a time", times[i].text, (long long)got);
      assert_int_equal(12345, got); /* the output is left alone on failure */
    } else {
      if (!ok) fail_msg("'%s' was refused; expected %lld", times[i].text, (long long)times[i].epoch);
      if (got != times[i].epoch)
        fail_msg("'%s' gave %lld, expected %lld", times[i].text, (long long)got, (long long)times[i].epoch);
    }
  }
}

static void test_time_null_is_not_a_time(void **state) {
  (void)state;
  int64_t t;
  assert_false(cf__parse_time(NULL, &t));
}

static void test_context_clock_is_pinned(void **state) {
  (void)state;
  cf_ctx_t *ctx = cf_ctx_new();
  assert_non_null(ctx);
  cf_ctx_set_now(ctx, 1748736000);
  assert_int_equal(1748736000, cf_ctx_now(ctx));
  cf_ctx_free(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_time_table),
      cmocka_unit_test(test_time_null_is_not_a_time),
      cmocka_unit_test(test_context_clock_is_pinned),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
