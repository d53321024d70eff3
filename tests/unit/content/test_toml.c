/*
 * test_toml.c - the TOML 1.0 parser (src/content/toml.c).
 *
 * Specified here, after the TOML 1.0 specification: every kind of string (basic with its
 * escapes and \u/\U, literal, both multi-line forms with a trimmed first newline, line-ending
 * backslashes and up to two quotes before the closing delimiter), integers in four bases with
 * underscores, floats including inf and nan, booleans, date-times kept as strings, arrays over
 * several lines with comments and a trailing comma, inline tables, dotted keys, [tables] and
 * [[arrays of tables]] with their rules for defining a table once; invalid documents fail with
 * CF_EPARSE at the line and column of the problem, limits with CF_ELIMIT.
 */
#include <math.h>

#include "testutil.h"
#include "content/toml.h"
#include "core/core.h"

/* Parses text and returns its compact JSON form (malloc'd), or NULL on a parse error with
 * the diagnostic filled. */
static char *toml_json(const char *text, cf_err *err, cf_diag_t *d) {
  cf_doc_t *doc = NULL;
  *err = cf__toml_parse(NULL, text, strlen(text), "t.toml", &doc, d);
  if (*err) {
    assert_null(doc);
    return NULL;
  }
  char *j = cf_node_to_json(doc->arena, doc->roots[0], 1 << 20);
  assert_non_null(j);
  char *out = strdup(j);
  cf_doc_free(doc);
  return out;
}

static const struct {
  const char *toml, *json;
} valid[] = {
    {"", "{}"},
    {"# only a comment\n\n", "{}"},
    {"a = 1\nb = -17\nc = +99\nd = 1_000\n", "{\"a\":1,\"b\":-17,\"c\":99,\"d\":1000}"},
    {"h = 0xDEAD_beef\no = 0o755\nb = 0b1101\n", "{\"h\":3735928559,\"o\":493,\"b\":13}"},
    {"f = 3.25\ng = -2e3\nh = 1_0.5e-1\n", "{\"f\":3.25,\"g\":-2000,\"h\":1.05}"},
    {"t = true\nf = false\n", "{\"t\":true,\"f\":false}"},
    {"s = \"tab\\there \\\"q\\\" \\\\ \\u00e9 \\U0001F600\"\n", "{\"s\":\"tab\\there \\\"q\\\" \\\\ \u00e9 \xF0\x9F\x98\x80\"}"},
    {"s = 'C:\\path\\no \"escapes\"'\n", "{\"s\":\"C:\\\\path\\\\no \\\"escapes\\\"\"}"},
    /* A regex as gitleaks writes them: ''' literal, backslashes kept, quotes inside. */
    {"regex = '''(?i)\\b(api[_-]?key)['\"]?\\s*[:=]\\s*([a-z0-9]{32})\\b'''\n",
     "{\"regex\":\"(?i)\\\\b(api[_-]?key)['\\\"]?\\\\s*[:=]\\\\s*([a-z0-9]{32})\\\\b\"}"},
    {"s = '''\nfirst\n  second'''\n", "{\"s\":\"first\\n  second\"}"},
    {"s = '''two quotes at the end'''''\n", "{\"s\":\"two quotes at the end''\"}"},
    {"s = \"\"\"\nThe quick \\\n    brown \\\n\n  fox\"\"\"\n", "{\"s\":\"The quick brown fox\"}"},
    {"s = \"\"\"a \"\"quoted\"\" \\u0041\"\"\"\"\n", "{\"s\":\"a \\\"\\\"quoted\\\"\\\" A\\\"\"}"},
    {"s = \"\"\"line1\r\nline2\"\"\"\n", "{\"s\":\"line1\\nline2\"}"},
    {"d = 1979-05-27T07:32:00-08:00\nl = 1979-05-27 07:32:00\nt = 07:32:00\n",
     "{\"d\":\"1979-05-27T07:32:00-08:00\",\"l\":\"1979-05-27 07:32:00\",\"t\":\"07:32:00\"}"},
    {"a = [\n  1, # one\n  2,\n]\nb = []\nc = [[1, 2], ['x']]\n", "{\"a\":[1,2],\"b\":[],\"c\":[[1,2],[\"x\"]]}"},
    {"p = { x = 1, y.z = 'two' }\ne = {}\n", "{\"p\":{\"x\":1,\"y\":{\"z\":\"two\"}},\"e\":{}}"},
    {"a.b.c = 1\na.b.d = 2\n\"q k\".'l' = 3\n", "{\"a\":{\"b\":{\"c\":1,\"d\":2}},\"q k\":{\"l\":3}}"},
    {"[t]\nx = 1\n[t.u]\ny = 2\n[ v . w ]\n", "{\"t\":{\"x\":1,\"u\":{\"y\":2}},\"v\":{\"w\":{}}}"},
    /* An implicitly created table may be defined later. */
    {"[x.y.z]\n[x]\nk = 1\n", "{\"x\":{\"y\":{\"z\":{}},\"k\":1}}"},
    /* Sub-tables of a table made with dotted keys (the specification's fruit example). */
    {"[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true\n",
     "{\"fruit\":{\"apple\":{\"color\":\"red\",\"texture\":{\"smooth\":true}}}}"},
    {"[[rules]]\nid = 'a'\n[[rules.allowlists]]\npaths = ['p']\n[[rules]]\nid = 'b'\n[rules.allowlist]\nregexes = []\n",
     "{\"rules\":[{\"id\":\"a\",\"allowlists\":[{\"paths\":[\"p\"]}]},{\"id\":\"b\",\"allowlist\":{\"regexes\":[]}}]}"},
    {"\xEF\xBB\xBFk = 'bom'\n", "{\"k\":\"bom\"}"},
    /* An empty quoted key is a key (found by fuzzing: it reached memchr with no buffer). */
    {"\"\" = 1\n'a'.\"\" = 2\n", "{\"\":1,\"a\":{\"\":2}}"},
    {"k = 'no newline at the end'", "{\"k\":\"no newline at the end\"}"},
};

static void test_valid_documents(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
    cf_diag_t d;
    cf_diag_init(&d);
    cf_err e;
    char *j = toml_json(valid[i].toml, &e, &d);
    if (!j) fail_msg("case %zu: %s at %u:%u: %s", i, cf_strerror(e), d.line, d.column, d.message ? d.message : "");
    if (strcmp(j, valid[i].json) != 0) fail_msg("case %zu:\n  got  %s\n  want %s", i, j, valid[i].json);
    free(j);
    cf_diag_cleanup(&d);
  }
}

static void test_special_floats(void **state) {
  (void)state;
  cf_doc_t *doc = NULL;
  const char *t = "a = inf\nb = -inf\nc = nan\nd = +nan\n";
  assert_int_equal(CF_OK, cf__toml_parse(NULL, t, strlen(t), "t", &doc, NULL));
  const cf_node_t *r = doc->roots[0];
  assert_true(isinf(cf_node_get(r, "a")->u.f) && cf_node_get(r, "a")->u.f > 0);
  assert_true(isinf(cf_node_get(r, "b")->u.f) && cf_node_get(r, "b")->u.f < 0);
  assert_true(isnan(cf_node_get(r, "c")->u.f));
  assert_true(isnan(cf_node_get(r, "d")->u.f));
  cf_doc_free(doc);
}

static void test_positions(void **state) {
  (void)state;
  cf_doc_t *doc = NULL;
  const char *t = "title = 'x'\n\n[[rules]]\n  id = \"r1\"\n  regex = '''\nabc'''\n  entropy = 3.5\n";
  assert_int_equal(CF_OK, cf__toml_parse(NULL, t, strlen(t), "t", &doc, NULL));
  const cf_node_t *rules = cf_node_get(doc->roots[0], "rules");
  assert_non_null(rules);
  assert_int_equal(CF_NODE_ARRAY, rules->type);
  const cf_node_t *r = rules->u.items[0];
  const cf_member_t *id = cf_node_member(r, "id");
  assert_int_equal(4, id->key_pos.line);
  assert_int_equal(3, id->key_pos.column);
  assert_int_equal(4, id->value->pos.line);
  assert_int_equal(8, id->value->pos.column);
  const cf_node_t *e = cf_node_get(r, "entropy");
  assert_int_equal(CF_NODE_FLOAT, e->type);
  assert_int_equal(7, e->pos.line);
  assert_string_equal("abc", cf_node_str(cf_node_get(r, "regex")));
  cf_doc_free(doc);
}

static const struct {
  const char *toml;
  cf_err err;
  uint32_t line, col;
} invalid[] = {
    {"a = 1\na = 2\n", CF_EPARSE, 2, 1},             /* duplicate key */
    {"[t]\n[t]\n", CF_EPARSE, 2, 2},                  /* table defined twice */
    {"a = 1\n[a]\n", CF_EPARSE, 2, 2},                /* a value is not a table */
    {"[a]\nb.c = 1\n[a.b]\n", CF_EPARSE, 3, 4},       /* dotted-key table redefined by a header */
    {"a = {x = 1}\na.y = 2\n", CF_EPARSE, 2, 1},      /* inline tables are closed */
    {"a = [1]\n[[a]]\n", CF_EPARSE, 2, 3},            /* a value array is not an array of tables */
    {"[[a]]\n[a]\n", CF_EPARSE, 2, 2},
    {"a = \"unterminated\nb = 1\n", CF_EPARSE, 1, 18},
    {"a = '''never closed\n", CF_EPARSE, 2, 1},
    {"a = \"\\x41\"\n", CF_EPARSE, 1, 7},             /* no \x escape in TOML 1.0 */
    {"a = \"\\uD800\"\n", CF_EPARSE, 1, 7},           /* a surrogate is not a scalar value */
    {"a = 01\n", CF_EPARSE, 1, 5},                    /* leading zero */
    {"a = 1__0\n", CF_EPARSE, 1, 5},
    {"a = 0x\n", CF_EPARSE, 1, 5},
    {"a = 9223372036854775808\n", CF_EPARSE, 1, 5},
    {"a = .5\n", CF_EPARSE, 1, 5},
    {"a = 1.\n", CF_EPARSE, 1, 5},
    {"a = tru\n", CF_EPARSE, 1, 5},
    {"a = 1 b = 2\n", CF_EPARSE, 1, 7},               /* one key/value per line */
    {"a = \n", CF_EPARSE, 1, 5},
    {"= 1\n", CF_EPARSE, 1, 1},
    {"a = [1 2]\n", CF_EPARSE, 1, 8},
    {"a = {x = 1,}\n", CF_EPARSE, 1, 12},             /* no trailing comma in inline tables */
    {"a = {x = 1\n}\n", CF_EPARSE, 1, 11},            /* inline tables fit on one line */
    {"[a\n", CF_EPARSE, 1, 3},
    {"a = 'tab\tok' # ctl \x01\n", CF_EPARSE, 1, 20}, /* control character in a comment */
    {"a = 1\r\n b = 2\rc = 3\n", CF_EPARSE, 2, 7},    /* a lone carriage return */
    {"a = \"\xC3\x28\"\n", CF_EPARSE, 1, 6},          /* invalid UTF-8 */
    {"\"\"\"k\"\"\" = 1\n", CF_EPARSE, 1, 1},         /* a key is never multi-line */
    {"a = '''x''''''\n", CF_EPARSE, 1, 9},           /* more than two quotes before the end */
};

static void test_invalid_documents(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
    cf_diag_t d;
    cf_diag_init(&d);
    cf_err e;
    char *j = toml_json(invalid[i].toml, &e, &d);
    if (j) fail_msg("case %zu parsed: %s", i, j);
    if (e != invalid[i].err || d.line != invalid[i].line || d.column != invalid[i].col)
      fail_msg("case %zu: got %s at %u:%u (%s), want %s at %u:%u", i, cf_strerror(e), d.line, d.column,
               d.message ? d.message : "", cf_strerror(invalid[i].err), invalid[i].line, invalid[i].col);
    assert_string_equal("t.toml", d.file);
    cf_diag_cleanup(&d);
  }
}

static void test_limits(void **state) {
  (void)state;
  /* Nesting deeper than the limit fails cleanly instead of exhausting the stack. */
  size_t depth = CF_TOML_MAX_DEPTH + 10;
  char *t = malloc(depth * 2 + 16);
  size_t k = 0;
  k += (size_t)sprintf(t, "a = ");
  for (size_t i = 0; i < depth; i++) t[k++] = '[';
  for (size_t i = 0; i < depth; i++) t[k++] = ']';
  t[k++] = '\n';
  cf_doc_t *doc = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  assert_int_equal(CF_ELIMIT, cf__toml_parse(NULL, t, k, "deep", &doc, &d));
  assert_null(doc);
  cf_diag_cleanup(&d);
  /* Exactly at the limit is fine. */
  k = (size_t)sprintf(t, "a = ");
  for (size_t i = 0; i < CF_TOML_MAX_DEPTH; i++) t[k++] = '[';
  for (size_t i = 0; i < CF_TOML_MAX_DEPTH; i++) t[k++] = ']';
  assert_int_equal(CF_OK, cf__toml_parse(NULL, t, k, "deep", &doc, NULL));
  cf_doc_free(doc);
  free(t);
  /* The input size limit comes from the context. */
  cf_ctx_t *ctx = cf_ctx_new();
  cf_limits_t lim = *cf_ctx_limits(ctx);
  lim.max_rule_size = 8;
  cf_ctx_set_limits(ctx, &lim);
  assert_int_equal(CF_ELIMIT, cf__toml_parse(ctx, "a = 'twelve'", 12, "big", &doc, NULL));
  assert_int_equal(CF_OK, cf__toml_parse(ctx, "a = 'x'", 7, "ok", &doc, NULL));
  cf_doc_free(doc);
  cf_ctx_free(ctx);
}

/* Every prefix of a valid document either parses or fails with a diagnostic: no crash, no
 * read past the end (the buffer is exactly the prefix, so ASan sees any overrun). */
static void test_every_prefix(void **state) {
  (void)state;
  const char *t = "title = \"x\"\n[extend]\nuseDefault = true\n[[rules]]\nid = 'k'\n"
                  "regex = '''(?i)key\\s*=\\s*([a-z]{8})'''\nkeywords = [\"key\",]\n"
                  "s = \"\"\"\\u00e9\\\n  x\"\"\"\nd = 1979-05-27 07:32:00Z\nf = 6.5e-1\np = {a.b = [1, {c = 0x1f}]}\n";
  size_t n = strlen(t);
  for (size_t i = 0; i <= n; i++) {
    char *buf = malloc(i ? i : 1);
    memcpy(buf, t, i);
    cf_doc_t *doc = NULL;
    cf_diag_t d;
    cf_diag_init(&d);
    cf_err e = cf__toml_parse(NULL, buf, i, "p", &doc, &d);
    if (e) {
      assert_int_equal(CF_EPARSE, e);
      assert_true(d.line >= 1);
    } else {
      assert_non_null(doc);
    }
    cf_doc_free(doc);
    cf_diag_cleanup(&d);
    free(buf);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_documents), cmocka_unit_test(test_special_floats),
      cmocka_unit_test(test_positions),       cmocka_unit_test(test_invalid_documents),
      cmocka_unit_test(test_limits),          cmocka_unit_test(test_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
