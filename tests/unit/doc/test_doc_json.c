/*
 * test_doc_json.c - the JSON front end (simdjson On-Demand into the document model).
 *
 * Specified here: every value and every key carries the line and column of its first byte
 * (a key's position is its opening quote) and the file index of the options; numbers keep
 * their type (integers that fit 64 bits are integers, the rest doubles) and invalid RFC 8259
 * numbers are errors, not approximations; a UTF-8 byte order mark is skipped; duplicate keys
 * are kept in order and lookups find the first; and every malformed input fails with
 * CF_EPARSE at the line and column of the problem, never with a document.
 */
#include <math.h>

#include "doctest.h"

static const char template_json[] =
    "{\n"                                         /* 1 */
    "  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n" /* 2 */
    "  \"Resources\": {\n"                        /* 3 */
    "    \"Logs\": {\n"                           /* 4 */
    "      \"Type\": \"AWS::S3::Bucket\",\n"      /* 5 */
    "      \"Properties\": {\"AccessControl\": \"PublicRead\",\n" /* 6 */
    "        \"Tags\": [ {\"Key\": \"env\", \"Value\": \"prod\"},\n" /* 7 */
    "                  {\"Key\": \"n\", \"Value\": 42} ]\n" /* 8 */
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n";

/* path, value line:column, key line:column (0 when the last step is an array index) */
static const struct {
  const char *path;
  uint32_t line, col, key_line, key_col;
} positions[] = {
    {"AWSTemplateFormatVersion", 2, 31, 2, 3},
    {"Resources", 3, 16, 3, 3},
    {"Resources/Logs", 4, 13, 4, 5},
    {"Resources/Logs/Type", 5, 15, 5, 7},
    {"Resources/Logs/Properties", 6, 21, 6, 7},
    {"Resources/Logs/Properties/AccessControl", 6, 39, 6, 22},
    {"Resources/Logs/Properties/Tags", 7, 17, 7, 9},
    {"Resources/Logs/Properties/Tags/0", 7, 19, 0, 0},
    {"Resources/Logs/Properties/Tags/0/Value", 7, 43, 7, 34},
    {"Resources/Logs/Properties/Tags/1", 8, 19, 0, 0},
    {"Resources/Logs/Properties/Tags/1/Value", 8, 41, 8, 32},
};

static void test_json_positions_of_values_and_keys(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse(template_json, CF_DOC_JSON);
  assert_int_equal(1, doc->n_roots);
  assert_int_equal(1, doc->roots[0]->pos.line);
  assert_int_equal(1, doc->roots[0]->pos.column);
  for (size_t i = 0; i < CF_ARRAY_LEN(positions); i++) {
    const cf_member_t *m = NULL;
    const cf_node_t *n = dt_at(doc->roots[0], positions[i].path, &m);
    if (!n) fail_msg("no value at %s", positions[i].path);
    if (n->pos.line != positions[i].line || n->pos.column != positions[i].col)
      fail_msg("%s is at %u:%u, expected %u:%u", positions[i].path, n->pos.line, n->pos.column,
               positions[i].line, positions[i].col);
    assert_int_equal(7, n->pos.file); /* the file index given in the options */
    if (positions[i].key_line) {
      assert_non_null(m);
      if (m->key_pos.line != positions[i].key_line || m->key_pos.column != positions[i].key_col)
        fail_msg("key of %s is at %u:%u, expected %u:%u", positions[i].path, m->key_pos.line,
                 m->key_pos.column, positions[i].key_line, positions[i].key_col);
    }
  }
  cf_doc_free(doc);
}

static void test_json_value_types(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse("{\"s\": \"x\\u00e9\\n\", \"i\": -42, \"big\": 9223372036854775807,"
                           " \"u\": 9223372036854775808, \"f\": 2.5e3, \"t\": true, \"n\": null,"
                           " \"huge\": 123456789012345678901234567890, \"inf\": 1e400,"
                           " \"a\": [], \"o\": {}}",
                           CF_DOC_JSON);
  const cf_node_t *r = doc->roots[0];
  assert_int_equal(CF_NODE_STRING, dt_get(r, "s")->type);
  assert_string_equal("x\xc3\xa9\n", cf_node_str(dt_get(r, "s")));
  assert_int_equal(4, dt_get(r, "s")->len);
  assert_int_equal(CF_NODE_INT, dt_get(r, "i")->type);
  assert_int_equal(-42, dt_get(r, "i")->u.i);
  assert_int_equal(CF_NODE_INT, dt_get(r, "big")->type);
  assert_int_equal(INT64_MAX, dt_get(r, "big")->u.i);
  assert_int_equal(CF_NODE_FLOAT, dt_get(r, "u")->type); /* past int64: the nearest double */
  assert_true(dt_get(r, "u")->u.f == 9223372036854775808.0);
  assert_int_equal(CF_NODE_FLOAT, dt_get(r, "f")->type);
  assert_true(dt_get(r, "f")->u.f == 2500.0);
  assert_int_equal(CF_NODE_BOOL, dt_get(r, "t")->type);
  assert_true(dt_get(r, "t")->u.b);
  assert_int_equal(CF_NODE_NULL, dt_get(r, "n")->type);
  assert_int_equal(CF_NODE_FLOAT, dt_get(r, "huge")->type);
  assert_true(fabs(dt_get(r, "huge")->u.f - 1.2345678901234568e+29) < 1e15);
  assert_true(isinf(dt_get(r, "inf")->u.f));
  assert_int_equal(CF_NODE_ARRAY, dt_get(r, "a")->type);
  assert_int_equal(0, dt_get(r, "a")->len);
  assert_int_equal(CF_NODE_OBJECT, dt_get(r, "o")->type);
  assert_int_equal(0, dt_get(r, "o")->len);
  cf_doc_free(doc);
}

static void test_json_long_numbers_keep_their_magnitude(void **state) {
  (void)state;
  /* 1 followed by 299 zeros: every digit counts, not only the first hundred or so. */
  char text[400];
  size_t k = 0;
  text[k++] = '[';
  text[k++] = '1';
  for (int i = 0; i < 299; i++) text[k++] = '0';
  text[k++] = ']';
  text[k] = '\0';
  cf_doc_t *doc = dt_parse(text, CF_DOC_JSON);
  const cf_node_t *n = doc->roots[0]->u.items[0];
  assert_int_equal(CF_NODE_FLOAT, n->type);
  assert_true(n->u.f > 0.99e299 && n->u.f < 1.01e299);
  cf_doc_free(doc);
}

static void test_json_escaped_nul_keeps_length(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse("[\"a\\u0000b\"]", CF_DOC_JSON);
  const cf_node_t *s = doc->roots[0]->u.items[0];
  assert_int_equal(3, s->len);
  assert_memory_equal("a\0b", s->u.s, 4);
  cf_doc_free(doc);
}

static void test_json_scalar_roots(void **state) {
  (void)state;
  static const struct {
    const char *text;
    cf_node_type type;
  } roots[] = {{"42", CF_NODE_INT}, {"-1.5", CF_NODE_FLOAT}, {"\"s\"", CF_NODE_STRING},
               {"true", CF_NODE_BOOL}, {"null", CF_NODE_NULL}, {" \n 7 \n", CF_NODE_INT}};
  for (size_t i = 0; i < CF_ARRAY_LEN(roots); i++) {
    cf_doc_t *doc = dt_parse(roots[i].text, CF_DOC_JSON);
    assert_int_equal(1, doc->n_roots);
    if (doc->roots[0]->type != roots[i].type) fail_msg("root of '%s' has the wrong type", roots[i].text);
    cf_doc_free(doc);
  }
}

static void test_json_byte_order_mark_is_skipped(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse("\xef\xbb\xbf{\"a\": 1}", CF_DOC_JSON);
  assert_int_equal(1, dt_get(doc->roots[0], "a")->u.i);
  cf_doc_free(doc);
  /* Automatic detection sees JSON behind the mark too. */
  doc = dt_parse("\xef\xbb\xbf  [1, 2]", CF_DOC_AUTO);
  assert_int_equal(CF_NODE_ARRAY, doc->roots[0]->type);
  cf_doc_free(doc);
}

static void test_json_duplicate_keys_first_wins(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse("{\"Effect\": \"Deny\", \"x\": 0, \"Effect\": \"Allow\"}", CF_DOC_JSON);
  const cf_node_t *r = doc->roots[0];
  assert_string_equal("Deny", cf_node_str(cf_node_get(r, "Effect")));
  assert_int_equal(3, r->len); /* both are kept, in input order */
  assert_string_equal("Effect", r->u.members[2].key);
  assert_string_equal("Allow", cf_node_str(r->u.members[2].value));
  cf_doc_free(doc);
}

/* Malformed JSON: every case fails with CF_EPARSE where the problem is. */
static const struct {
  const char *label;
  const char *text;
  uint32_t line, col;
} bad_json[] = {
    {"missing colon", "{\"a\" 1}", 1, 0},
    {"trailing comma", "{\"a\": 1,}", 1, 0},
    {"unquoted key", "{\n  a: 1}", 2, 0},
    {"bad literal", "{\n  \"a\": tru\n}", 2, 8},
    {"bad escape", "{\n\"a\": \"\\q\"}", 2, 6},
    {"control character in string", "{\n\"a\": \"x\ty\"}", 2, 8},
    {"leading zero", "{\"id\": 012345678901}", 1, 8},
    {"hex number", "[0x10]", 1, 2},
    {"junk after number", "[\n12abc]", 2, 1},
    {"bare fraction dot", "[1.]", 1, 2},
    {"plus sign", "[+1]", 1, 0},
    {"NaN", "[NaN]", 1, 0},
    {"lone closer", "}", 1, 1},
    {"empty input", "", 1, 1},
    {"only blanks", "  \n ", 0, 0},
    /* truncated documents: the error is at the end of the input */
    {"truncated array", "{\"a\": [1, 2", 1, 12},
    {"truncated string", "{\"a\": \"xy", 1, 10},
    {"truncated after colon", "{\"Resources\":", 1, 14},
    {"truncated template", "{\n  \"Resources\": {\n    \"B\": {\"Type\": \"AWS::S3::Bucket\"", 3, 0},
    /* trailing garbage: the error is at the garbage */
    {"second value", "{\"a\": 1}\n{\"b\": 2}", 2, 1},
    {"extra closer", "{\"a\": 1}}", 1, 9},
    {"trailing word", "[1] x", 1, 5},
    {"trailing NUL", "[1]\0", 1, 4},
};

static void test_json_errors_have_positions(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(bad_json); i++) {
    size_t len = strlen(bad_json[i].text);
    if (strcmp(bad_json[i].label, "trailing NUL") == 0) len = 4;
    dt_expect_error_with(NULL, bad_json[i].label, bad_json[i].text, len, CF_DOC_JSON, CF_EPARSE,
                         bad_json[i].line, bad_json[i].col);
  }
}

/* Invalid UTF-8 is a parse error at the offending byte. */
static const struct {
  const char *label;
  const char *text;
  uint32_t line, col;
} bad_utf8[] = {
    {"0xff in a value", "{\"a\":\n \"x\xff\"}", 2, 4},
    {"bad continuation in a key", "{\n\"k\xc3\x28\": 1}", 2, 3},
    {"overlong slash", "[\"\xc0\xaf\"]", 1, 3},
    {"surrogate", "[1,\n\n  \"\xed\xa0\x80\"]", 3, 4},
    {"sequence cut short by the quote", "[\"ab\xe2\x82\"]", 1, 5},
};

static void test_json_invalid_utf8_is_located(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(bad_utf8); i++)
    dt_expect_error(bad_utf8[i].label, bad_utf8[i].text, CF_DOC_JSON, CF_EPARSE, bad_utf8[i].line,
                    bad_utf8[i].col);
}

static void test_json_failed_parse_leaves_no_document(void **state) {
  (void)state;
  cf_doc_t *doc = (cf_doc_t *)(uintptr_t)1;
  assert_int_equal(CF_EPARSE, cf_doc_parse(NULL, "[1,", 3, NULL, &doc, NULL)); /* diag may be NULL */
  assert_null(doc);
}

static void test_json_render_round_trip(void **state) {
  (void)state;
  const char *text = "{\"a\":[1,2.5,\"x\\\"y\",true,null],\"b\":{\"c\":\"\\u0001\"}}";
  cf_doc_t *doc = dt_parse(text, CF_DOC_JSON);
  assert_node_json(doc, doc->roots[0], text);
  /* The renderer refuses to pass its maximum. */
  assert_null(cf_node_to_json(doc->arena, doc->roots[0], 10));
  cf_doc_free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_json_positions_of_values_and_keys),
      cmocka_unit_test(test_json_value_types),
      cmocka_unit_test(test_json_long_numbers_keep_their_magnitude),
      cmocka_unit_test(test_json_escaped_nul_keeps_length),
      cmocka_unit_test(test_json_scalar_roots),
      cmocka_unit_test(test_json_byte_order_mark_is_skipped),
      cmocka_unit_test(test_json_duplicate_keys_first_wins),
      cmocka_unit_test(test_json_errors_have_positions),
      cmocka_unit_test(test_json_invalid_utf8_is_located),
      cmocka_unit_test(test_json_failed_parse_leaves_no_document),
      cmocka_unit_test(test_json_render_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
