/*
 * test_doc_limits.c - hostile documents stop early with CF_ELIMIT and a position, in both
 * front ends: nesting 10,000 deep, a "billion laughs" alias bomb, too many values, and a
 * document larger than the file-size limit. The limits come from the context (limits.h has
 * the defaults); a document exactly at a limit still loads.
 */
#include <time.h>

#include "doctest.h"

static char *repeat(const char *open, const char *close, int n) {
  size_t lo = strlen(open), lc = strlen(close);
  char *s = malloc(lo * (size_t)n + lc * (size_t)n + 1);
  assert_non_null(s);
  size_t k = 0;
  for (int i = 0; i < n; i++, k += lo) memcpy(s + k, open, lo);
  for (int i = 0; i < n; i++, k += lc) memcpy(s + k, close, lc);
  s[k] = '\0';
  return s;
}

static double seconds_since(clock_t t0) { return (double)(clock() - t0) / CLOCKS_PER_SEC; }

/* Nesting 10,000 deep: refused at the first value past the default limit of 512 levels,
 * which is at column 513 when every level is one byte wide. */
static const struct {
  const char *label;
  const char *open, *close;
  cf_doc_format fmt;
  uint32_t col;
} deep[] = {
    {"JSON arrays", "[", "]", CF_DOC_JSON, 513},
    {"JSON objects", "{\"a\":", "}", CF_DOC_JSON, 5 * 512 + 1},
    {"YAML flow sequences", "[", "]", CF_DOC_YAML, 513},
    {"YAML flow mappings", "{a: ", "}", CF_DOC_YAML, 4 * 512 + 1},
    {"YAML block sequences", "- ", "", CF_DOC_YAML, 2 * 512 + 1},
};

static void test_nesting_10000_deep_is_refused(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(deep); i++) {
    char *text = repeat(deep[i].open, deep[i].close, 10000);
    clock_t t0 = clock();
    dt_expect_error_with(NULL, deep[i].label, text, strlen(text), deep[i].fmt, CF_ELIMIT, 1, deep[i].col);
    assert_true(seconds_since(t0) < 2.0);
    free(text);
  }
}

static void test_depth_limit_from_the_context(void **state) {
  (void)state;
  cf_ctx_t *ctx = cf_ctx_new();
  cf_limits_t lim = *cf_ctx_limits(ctx);
  lim.max_depth = 10;
  cf_ctx_set_limits(ctx, &lim);
  static const cf_doc_format fmts[] = {CF_DOC_JSON, CF_DOC_YAML};
  for (size_t f = 0; f < 2; f++) {
    char *ok = repeat("[", "]", 10);
    cf_doc_free(dt_parse_with(ctx, ok, strlen(ok), fmts[f], true));
    free(ok);
    char *bad = repeat("[", "]", 11);
    dt_expect_error_with(ctx, "11 levels", bad, strlen(bad), fmts[f], CF_ELIMIT, 1, 11);
    free(bad);
  }
  cf_ctx_free(ctx);
}

/* The classic: nine levels of ten aliases each would expand to 10^9 values. */
static const char billion_laughs[] =
    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
    "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";

static void test_billion_laughs_is_refused_quickly(void **state) {
  (void)state;
  clock_t t0 = clock();
  /* Each alias of e stands for 111,111 values; the default limit of 1,000,000 expanded values
   * is passed within line 6. */
  dt_expect_error("billion laughs", billion_laughs, CF_DOC_YAML, CF_ELIMIT, 6, 0);
  assert_true(seconds_since(t0) < 1.0);
}

static void test_billion_laughs_through_merge_keys(void **state) {
  (void)state;
  /* Each level merges the previous one twice under new keys; the alias limit counts what
   * merges copy. */
  char text[8192];
  size_t k = (size_t)snprintf(text, sizeof text, "l0: &l0 {k0: x, k1: x, k2: x, k3: x, k4: x, k5: x, k6: x, k7: x}\n");
  for (int i = 1; i < 30; i++)
    k += (size_t)snprintf(text + k, sizeof text - k, "l%d: &l%d {a: *l%d, b: *l%d, c: *l%d, <<: *l%d}\n", i, i,
                          i - 1, i - 1, i - 1, i - 1);
  clock_t t0 = clock();
  dt_expect_error("merge bomb", text, CF_DOC_YAML, CF_ELIMIT, 0, 0);
  assert_true(seconds_since(t0) < 1.0);
}

static void test_alias_limit_from_the_context(void **state) {
  (void)state;
  cf_ctx_t *ctx = cf_ctx_new();
  cf_limits_t lim = *cf_ctx_limits(ctx);
  lim.max_alias_nodes = 30;
  cf_ctx_set_limits(ctx, &lim);
  /* a has 4 values (the list and 3 items); 7 aliases expand to 28 <= 30. */
  const char *ok = "a: &a [1, 2, 3]\nb: [*a, *a, *a, *a, *a, *a, *a]\n";
  cf_doc_free(dt_parse_with(ctx, ok, strlen(ok), CF_DOC_YAML, true));
  /* The eighth alias passes the limit; the error is at that alias. */
  const char *bad = "a: &a [1, 2, 3]\nb: [*a, *a, *a, *a, *a, *a, *a,\n    *a]\n";
  dt_expect_error_with(ctx, "eight aliases", bad, strlen(bad), CF_DOC_YAML, CF_ELIMIT, 3, 5);
  cf_ctx_free(ctx);
}

static char *array_of(int n, bool yaml) {
  char *s = malloc((size_t)n * 3 + 8);
  size_t k = 0;
  s[k++] = '[';
  for (int i = 0; i < n; i++) {
    if (i) s[k++] = ',';
    s[k++] = yaml ? 'x' : '1';
  }
  s[k++] = ']';
  s[k] = '\0';
  return s;
}

static void test_node_count_limit(void **state) {
  (void)state;
  cf_ctx_t *ctx = cf_ctx_new();
  cf_limits_t lim = *cf_ctx_limits(ctx);
  lim.max_nodes = 100;
  cf_ctx_set_limits(ctx, &lim);
  for (int yaml = 0; yaml < 2; yaml++) {
    cf_doc_format fmt = yaml ? CF_DOC_YAML : CF_DOC_JSON;
    char *ok = array_of(99, yaml); /* the array and 99 items: 100 values */
    cf_doc_free(dt_parse_with(ctx, ok, strlen(ok), fmt, true));
    free(ok);
    char *bad = array_of(100, yaml);
    /* The 101st value is the last item, at column 2 + 2 * 99. */
    dt_expect_error_with(ctx, yaml ? "YAML 101 values" : "JSON 101 values", bad, strlen(bad), fmt, CF_ELIMIT, 1, 200);
    free(bad);
  }
  cf_ctx_free(ctx);
}

static void test_file_size_limit(void **state) {
  (void)state;
  cf_ctx_t *ctx = cf_ctx_new();
  cf_limits_t lim = *cf_ctx_limits(ctx);
  lim.max_file_size = 64;
  cf_ctx_set_limits(ctx, &lim);
  char *big = array_of(40, false); /* 81 bytes */
  dt_expect_error_with(ctx, "81 bytes", big, strlen(big), CF_DOC_JSON, CF_ELIMIT, 0, 0);
  free(big);
  cf_ctx_free(ctx);
}

static void test_zero_limits_mean_defaults(void **state) {
  (void)state;
  cf_ctx_t *ctx = cf_ctx_new();
  cf_limits_t zero;
  memset(&zero, 0, sizeof zero);
  cf_ctx_set_limits(ctx, &zero);
  cf_limits_t def;
  cf_limits_default(&def);
  const cf_limits_t *got[2] = {cf_ctx_limits(ctx), cf_ctx_limits(NULL)};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(def.max_file_size, got[i]->max_file_size);
    assert_int_equal(def.max_depth, got[i]->max_depth);
    assert_int_equal(def.max_nodes, got[i]->max_nodes);
    assert_int_equal(def.max_alias_nodes, got[i]->max_alias_nodes);
    assert_int_equal(def.max_walk_depth, got[i]->max_walk_depth);
    assert_int_equal(def.max_files, got[i]->max_files);
    assert_int_equal(def.max_rule_size, got[i]->max_rule_size);
  }
  assert_int_equal(512, def.max_depth);
  assert_int_equal(1000000, def.max_alias_nodes);
  assert_int_equal(1ull << 30, def.max_file_size);
  cf_ctx_free(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nesting_10000_deep_is_refused),
      cmocka_unit_test(test_depth_limit_from_the_context),
      cmocka_unit_test(test_billion_laughs_is_refused_quickly),
      cmocka_unit_test(test_billion_laughs_through_merge_keys),
      cmocka_unit_test(test_alias_limit_from_the_context),
      cmocka_unit_test(test_node_count_limit),
      cmocka_unit_test(test_file_size_limit),
      cmocka_unit_test(test_zero_limits_mean_defaults),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
