/*
 * test_core_strings.c - globbing, UTF-8 validation and offset-to-position conversion.
 *
 * The glob is used on rule ids (--rule) and on IAM actions in policies ("s3:Get*"), so its
 * table covers both, case folding, and the patterns that make backtracking matchers
 * exponential: those must stay fast. The UTF-8 table follows RFC 3629: overlong forms,
 * surrogates, code points past U+10FFFF and truncated sequences are invalid.
 */
#include <time.h>

#include "testutil.h"

#include "core/core.h"

/* ---- glob ---- */

static const struct {
  const char *pattern;
  const char *subject;
  bool ci;
  bool match;
} globs[] = {
    {"", "", false, true},
    {"", "a", false, false},
    {"*", "", false, true},
    {"*", "anything at all", false, true},
    {"?", "", false, false},
    {"?", "x", false, true},
    {"??", "x", false, false},
    {"abc", "abc", false, true},
    {"abc", "abcd", false, false},
    {"abcd", "abc", false, false},
    {"a*", "a", false, true},
    {"a*c", "abbbc", false, true},
    {"a*c", "abbbd", false, false},
    {"*c", "abc", false, true},
    {"a*b*c", "a-b-c", false, true},
    {"a*b*c", "a-c-b", false, false},
    {"*a*a*", "banana", false, true},
    {"*ab", "aab", false, true},    /* needs one backtrack */
    {"*aab", "aaab", false, true},
    {"a?c", "abc", false, true},
    {"a?c", "ac", false, false},
    {"**", "x", false, true},
    {"*?", "", false, false},
    {"*?", "x", false, true},
    /* rule ids */
    {"CF-S3-*", "CF-S3-001", true, true},
    {"cf-s3-*", "CF-S3-001", true, true},
    {"cf-s3-*", "CF-S3-001", false, false},
    {"CF-IAM-*", "CF-S3-001", true, false},
    /* IAM actions: '.' '/' ':' are ordinary characters */
    {"s3:Get*", "s3:GetObject", true, true},
    {"s3:get*", "S3:GETOBJECT", true, true},
    {"s3:*", "s3:PutBucketPolicy", true, true},
    {"s3:*", "s3", true, false},
    {"iam:Pass?ole", "iam:PassRole", true, true},
    {"*/logs/*", "a/b/logs/c", false, true},
    {"a.b", "aXb", false, false},
    {"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/key/deep", false, true},
};

static void test_glob_table(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(globs); i++) {
    bool got = cf__glob_match(globs[i].pattern, globs[i].subject, globs[i].ci);
    if (got != globs[i].match)
      fail_msg("glob '%s' on '%s' (ci=%d): expected %s", globs[i].pattern, globs[i].subject,
               globs[i].ci, globs[i].match ? "match" : "no match");
  }
}

static double seconds_since(clock_t t0) { return (double)(clock() - t0) / CLOCKS_PER_SEC; }

/* Patterns that are exponential for naive backtracking ("*a*a*a...*b" on "aaaa...") must
 * finish in well under a second even on sanitizer builds. */
static void test_glob_pathological_patterns_stay_fast(void **state) {
  (void)state;
  static char subject[20001];
  memset(subject, 'a', sizeof subject - 1);
  subject[sizeof subject - 1] = '\0';
  char pattern[128];
  size_t k = 0;
  for (int i = 0; i < 30; i++) {
    pattern[k++] = '*';
    pattern[k++] = 'a';
  }
  pattern[k++] = '*';
  pattern[k++] = 'b';
  pattern[k] = '\0';
  clock_t t0 = clock();
  assert_false(cf__glob_match(pattern, subject, false));
  assert_false(cf__glob_match(pattern, subject, true));
  pattern[k - 1] = 'a';
  assert_true(cf__glob_match(pattern, subject, false));
  /* Many '?' and '*' mixed. */
  assert_false(cf__glob_match("*?*?*?*?*?*?*?*?*?*?*?*?*b", subject, false));
  assert_true(seconds_since(t0) < 1.0);
}

/* ---- UTF-8 ---- */

static const struct {
  const char *bytes;
  size_t len;
  size_t valid; /* length of the valid prefix */
} utf8[] = {
    {"", 0, 0},
    {"plain ascii", 11, 11},
    {"caf\xc3\xa9", 5, 5},                  /* U+00E9 */
    {"\xe2\x82\xac", 3, 3},                 /* U+20AC euro sign */
    {"\xf0\x9f\x98\x80", 4, 4},             /* U+1F600 */
    {"\xf4\x8f\xbf\xbf", 4, 4},             /* U+10FFFF, the last code point */
    {"\xef\xbf\xbd", 3, 3},                 /* U+FFFD */
    {"ab\xff", 3, 2},                       /* never valid */
    {"ab\xfe" "cd", 5, 2},
    {"\x80", 1, 0},                         /* lone continuation byte */
    {"\xc0\xaf", 2, 0},                     /* overlong '/' */
    {"\xc1\xbf", 2, 0},                     /* overlong */
    {"\xe0\x80\xaf", 3, 0},                 /* overlong three-byte */
    {"\xf0\x80\x80\xaf", 4, 0},             /* overlong four-byte */
    {"\xed\xa0\x80", 3, 0},                 /* U+D800, a surrogate */
    {"\xed\xbf\xbf", 3, 0},                 /* U+DFFF */
    {"\xf4\x90\x80\x80", 4, 0},             /* U+110000, past the end */
    {"\xf5\x80\x80\x80", 4, 0},
    {"x\xc3", 2, 1},                        /* truncated at the end */
    {"x\xe2\x82", 3, 1},
    {"x\xf0\x9f\x98", 4, 1},
    {"x\xc3(", 3, 1},                       /* bad continuation */
    {"\xe2\x28\xa1", 3, 0},
    {"ok\0ok", 5, 5},                       /* NUL is valid UTF-8 */
};

static void test_utf8_table(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(utf8); i++) {
    size_t got = cf__utf8_valid_prefix((const uint8_t *)utf8[i].bytes, utf8[i].len);
    if (got != utf8[i].valid)
      fail_msg("utf8 case %zu: valid prefix %zu, expected %zu", i, got, utf8[i].valid);
  }
}

/* ---- offsets to positions ---- */

static const struct {
  const char *text;
  size_t offset;
  uint32_t line, column;
} positions[] = {
    {"abc", 0, 1, 1},
    {"abc", 2, 1, 3},
    {"abc", 3, 1, 4},       /* the end */
    {"abc", 99, 1, 4},      /* past the end is clamped */
    {"a\nbc", 2, 2, 1},
    {"a\nbc", 3, 2, 2},
    {"a\n\n\nx", 4, 4, 1},
    {"\n", 1, 2, 1},
    {"a\r\nb", 3, 2, 1},   /* \r is an ordinary byte */
};

static void test_line_col_table(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(positions); i++) {
    uint32_t l = 0, c = 0;
    cf__line_col(positions[i].text, strlen(positions[i].text), positions[i].offset, &l, &c);
    if (l != positions[i].line || c != positions[i].column)
      fail_msg("offset %zu of case %zu: %u:%u, expected %u:%u", positions[i].offset, i, l, c,
               positions[i].line, positions[i].column);
  }
}

static void test_small_string_helpers(void **state) {
  (void)state;
  assert_true(cf__str_ieq("Deny", "DENY"));
  assert_false(cf__str_ieq("Deny", "Den"));
  assert_true(cf__str_starts("AWS::S3::Bucket", "AWS::"));
  assert_false(cf__str_starts("AWS", "AWS::"));
  assert_true(cf__str_istarts("aws::s3", "AWS::"));
  assert_true(cf__str_ends("template.yaml", ".yaml"));
  assert_false(cf__str_ends("yaml", ".yaml"));
  char small[8];
  cf__strfmt(small, sizeof small, "%s", "truncated on purpose");
  assert_string_equal("truncat", small);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_glob_table),
      cmocka_unit_test(test_glob_pathological_patterns_stay_fast),
      cmocka_unit_test(test_utf8_table),
      cmocka_unit_test(test_line_col_table),
      cmocka_unit_test(test_small_string_helpers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
