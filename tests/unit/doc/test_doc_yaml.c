/*
 * test_doc_yaml.c - the YAML front end (libyaml events into the document model).
 *
 * Specified here: positions of values and keys (1-based, from libyaml's marks); plain
 * scalars resolved by the YAML 1.2 core schema, except that decimal numbers with a leading
 * zero stay strings (account ids, codes); quoted scalars and !!str are strings; a stream
 * holds several documents, each a root; anchors and aliases share nodes within a document
 * and not across documents; merge keys (`<<`) add the members the mapping does not set
 * itself, from one mapping or a list in which earlier entries win; duplicate keys keep the
 * first for lookups; a byte order mark is allowed; malformed YAML fails with CF_EPARSE at the
 * line and column of the problem, invalid UTF-8 at the offending byte.
 */
#include <math.h>

#include "doctest.h"

static const char template_yaml[] =
    "AWSTemplateFormatVersion: '2010-09-09'\n"   /* 1 */
    "Resources:\n"                               /* 2 */
    "  Logs:\n"                                  /* 3 */
    "    Type: AWS::S3::Bucket\n"                /* 4 */
    "    Properties:\n"                          /* 5 */
    "      AccessControl: PublicRead\n"          /* 6 */
    "      Tags:\n"                              /* 7 */
    "        - Key: env\n"                       /* 8 */
    "          Value: prod\n"                    /* 9 */
    "        - {Key: n, Value: 42}\n";           /* 10 */

static const struct {
  const char *path;
  uint32_t line, col, key_line, key_col;
} positions[] = {
    {"AWSTemplateFormatVersion", 1, 27, 1, 1},
    {"Resources", 3, 3, 2, 1},
    {"Resources/Logs", 4, 5, 3, 3},
    {"Resources/Logs/Type", 4, 11, 4, 5},
    {"Resources/Logs/Properties/AccessControl", 6, 22, 6, 7},
    {"Resources/Logs/Properties/Tags", 8, 9, 7, 7},
    {"Resources/Logs/Properties/Tags/0", 8, 11, 0, 0},
    {"Resources/Logs/Properties/Tags/0/Value", 9, 18, 9, 11},
    {"Resources/Logs/Properties/Tags/1", 10, 11, 0, 0},
    {"Resources/Logs/Properties/Tags/1/Value", 10, 27, 10, 20},
};

static void test_yaml_positions_of_values_and_keys(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse(template_yaml, CF_DOC_YAML);
  for (size_t i = 0; i < CF_ARRAY_LEN(positions); i++) {
    const cf_member_t *m = NULL;
    const cf_node_t *n = dt_at(doc->roots[0], positions[i].path, &m);
    if (!n) fail_msg("no value at %s", positions[i].path);
    if (n->pos.line != positions[i].line || n->pos.column != positions[i].col)
      fail_msg("%s is at %u:%u, expected %u:%u", positions[i].path, n->pos.line, n->pos.column,
               positions[i].line, positions[i].col);
    assert_int_equal(7, n->pos.file);
    if (positions[i].key_line) {
      assert_non_null(m);
      if (m->key_pos.line != positions[i].key_line || m->key_pos.column != positions[i].key_col)
        fail_msg("key of %s is at %u:%u, expected %u:%u", positions[i].path, m->key_pos.line,
                 m->key_pos.column, positions[i].key_line, positions[i].key_col);
    }
  }
  cf_doc_free(doc);
}

/* ---- scalars: the YAML 1.2 core schema ---- */

typedef enum { K_NULL, K_BOOL, K_INT, K_FLOAT, K_STR } kind;
static const struct {
  const char *yaml; /* the value of key v */
  kind k;
  int64_t i;        /* bool (0/1) or int */
  double f;
  const char *s;    /* the string for K_STR (NULL: the input itself) */
} scalars[] = {
    /* null */
    {"", K_NULL, 0, 0, NULL},
    {"~", K_NULL, 0, 0, NULL},
    {"null", K_NULL, 0, 0, NULL},
    {"Null", K_NULL, 0, 0, NULL},
    {"NULL", K_NULL, 0, 0, NULL},
    {"nULL", K_STR, 0, 0, NULL},
    /* booleans: only true/false in three spellings; YAML 1.1's yes/no/on/off are strings */
    {"true", K_BOOL, 1, 0, NULL},
    {"True", K_BOOL, 1, 0, NULL},
    {"TRUE", K_BOOL, 1, 0, NULL},
    {"false", K_BOOL, 0, 0, NULL},
    {"False", K_BOOL, 0, 0, NULL},
    {"FALSE", K_BOOL, 0, 0, NULL},
    {"yes", K_STR, 0, 0, NULL},
    {"no", K_STR, 0, 0, NULL},
    {"on", K_STR, 0, 0, NULL},
    {"off", K_STR, 0, 0, NULL},
    {"tRUE", K_STR, 0, 0, NULL},
    /* integers */
    {"0", K_INT, 0, 0, NULL},
    {"22", K_INT, 22, 0, NULL},
    {"-19", K_INT, -19, 0, NULL},
    {"+12", K_INT, 12, 0, NULL},
    {"-0", K_INT, 0, 0, NULL},
    {"0o14", K_INT, 12, 0, NULL},
    {"0x1A", K_INT, 26, 0, NULL},
    {"0xff", K_INT, 255, 0, NULL},
    {"9223372036854775807", K_INT, INT64_MAX, 0, NULL},
    /* leading zeros stay strings: account ids, file modes, codes */
    {"012345678901", K_STR, 0, 0, NULL},
    {"0755", K_STR, 0, 0, NULL},
    {"00", K_STR, 0, 0, NULL},
    {"-012", K_STR, 0, 0, NULL},
    {"01.5", K_STR, 0, 0, NULL},
    /* not numbers */
    {"0x", K_STR, 0, 0, NULL},
    {"0xZZ", K_STR, 0, 0, NULL},
    {"0o8", K_STR, 0, 0, NULL},
    {"1_000", K_STR, 0, 0, NULL},
    {"1.2.3", K_STR, 0, 0, NULL},
    {"10.0.0.0/8", K_STR, 0, 0, NULL},
    {"1-2", K_STR, 0, 0, NULL},
    {"2019-01-02", K_STR, 0, 0, NULL}, /* the core schema has no timestamps */
    {"0xFFFFFFFFFFFFFFFFFF", K_STR, 0, 0, NULL},
    /* floats */
    {"1.5", K_FLOAT, 0, 1.5, NULL},
    {"-2.25", K_FLOAT, 0, -2.25, NULL},
    {"0.5", K_FLOAT, 0, 0.5, NULL},
    {".5", K_FLOAT, 0, 0.5, NULL},
    {"1.", K_FLOAT, 0, 1.0, NULL},
    {"1e3", K_FLOAT, 0, 1000.0, NULL},
    {"1.5E-2", K_FLOAT, 0, 0.015, NULL},
    {"99999999999999999999", K_FLOAT, 0, 1e20, NULL}, /* past int64: the nearest double */
    {".inf", K_FLOAT, 0, INFINITY, NULL},
    {"+.Inf", K_FLOAT, 0, INFINITY, NULL},
    {"-.INF", K_FLOAT, 0, -INFINITY, NULL},
    {".nan", K_FLOAT, 0, NAN, NULL},
    {".NaN", K_FLOAT, 0, NAN, NULL},
    /* quoting and explicit tags make strings; explicit core tags resolve */
    {"'123'", K_STR, 0, 0, "123"},
    {"\"true\"", K_STR, 0, 0, "true"},
    {"'null'", K_STR, 0, 0, "null"},
    {"!!str 123", K_STR, 0, 0, "123"},
    {"!!str true", K_STR, 0, 0, "true"},
    {"!!int \"12\"", K_INT, 12, 0, NULL},
    {"!!bool \"true\"", K_BOOL, 1, 0, NULL},
    {"|\n  block\n", K_STR, 0, 0, "block\n"},
    {">-\n  folded\n  text\n", K_STR, 0, 0, "folded text"},
    {"plain text, with comma", K_STR, 0, 0, NULL},
    {"caf\xc3\xa9", K_STR, 0, 0, NULL},
};

static void test_yaml_core_schema_scalars(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(scalars); i++) {
    char text[256];
    snprintf(text, sizeof text, "v: %s\n", scalars[i].yaml);
    cf_doc_t *doc = dt_parse(text, CF_DOC_YAML);
    const cf_node_t *v = cf_node_get(doc->roots[0], "v");
    assert_non_null(v);
    static const cf_node_type types[] = {CF_NODE_NULL, CF_NODE_BOOL, CF_NODE_INT, CF_NODE_FLOAT, CF_NODE_STRING};
    if (v->type != types[scalars[i].k])
      fail_msg("'%s' became a %s, expected a %s", scalars[i].yaml, cf_node_type_name((cf_node_type)v->type),
               cf_node_type_name(types[scalars[i].k]));
    switch (scalars[i].k) {
    case K_BOOL: assert_int_equal(scalars[i].i, v->u.b); break;
    case K_INT:
      if (v->u.i != scalars[i].i) fail_msg("'%s' is %lld", scalars[i].yaml, (long long)v->u.i);
      break;
    case K_FLOAT:
      if (isnan(scalars[i].f)) assert_true(isnan(v->u.f));
      else if (isinf(scalars[i].f)) assert_true(v->u.f == scalars[i].f);
      else if (fabs(v->u.f - scalars[i].f) > 1e-9 * fabs(scalars[i].f)) fail_msg("'%s' is %g", scalars[i].yaml, v->u.f);
      break;
    case K_STR: assert_string_equal(scalars[i].s ? scalars[i].s : scalars[i].yaml, cf_node_str(v)); break;
    case K_NULL: break;
    }
    cf_doc_free(doc);
  }
}

static void test_yaml_quoted_scalars_are_flagged(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse("a: 'x'\nb: x\n", CF_DOC_YAML);
  assert_true(cf_node_get(doc->roots[0], "a")->flags & CF_NODE_F_QUOTED);
  assert_false(cf_node_get(doc->roots[0], "b")->flags & CF_NODE_F_QUOTED);
  cf_doc_free(doc);
}

/* ---- streams, anchors, merges ---- */

static void test_yaml_multi_document_stream(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse("kind: A\n---\nkind: B\n...\n---\n---\n- 1\n", CF_DOC_YAML);
  assert_int_equal(4, doc->n_roots);
  assert_string_equal("A", cf_node_str(cf_node_get(doc->roots[0], "kind")));
  assert_string_equal("B", cf_node_str(cf_node_get(doc->roots[1], "kind")));
  assert_int_equal(CF_NODE_NULL, doc->roots[2]->type); /* an empty document */
  assert_int_equal(CF_NODE_ARRAY, doc->roots[3]->type);
  assert_int_equal(3, doc->roots[1]->pos.line);
  cf_doc_free(doc);
  /* An empty stream has no document at all. */
  doc = dt_parse("", CF_DOC_YAML);
  assert_int_equal(0, doc->n_roots);
  cf_doc_free(doc);
  doc = dt_parse("# only a comment\n", CF_DOC_YAML);
  assert_int_equal(0, doc->n_roots);
  cf_doc_free(doc);
}

static void test_yaml_anchors_and_aliases(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse("base: &b {Effect: Allow, Action: ['s3:*']}\n"
                           "copy: *b\n"
                           "list: [*b, *b]\n"
                           "scalar: &s hello\n"
                           "again: *s\n"
                           "redefined: &s bye\n"
                           "latest: *s\n",
                           CF_DOC_YAML);
  const cf_node_t *r = doc->roots[0];
  assert_ptr_equal(cf_node_get(r, "base"), cf_node_get(r, "copy")); /* shared, not copied */
  assert_true(cf_node_get(r, "base")->flags & CF_NODE_F_SHARED);
  assert_ptr_equal(cf_node_get(r, "base"), dt_get(r, "list/1"));
  assert_string_equal("hello", cf_node_str(cf_node_get(r, "again")));
  assert_string_equal("bye", cf_node_str(cf_node_get(r, "latest"))); /* the latest anchor wins */
  assert_node_json(doc, cf_node_get(r, "copy"), "{\"Effect\":\"Allow\",\"Action\":[\"s3:*\"]}");
  cf_doc_free(doc);
}

static void test_yaml_anchors_do_not_cross_documents(void **state) {
  (void)state;
  dt_expect_error("alias to an earlier document", "a: &x 1\n---\nb: *x\n", CF_DOC_YAML, CF_EPARSE, 3, 4);
  dt_expect_error("alias before its anchor", "a: *x\nb: &x 1\n", CF_DOC_YAML, CF_EPARSE, 1, 4);
}

static const struct {
  const char *label;
  const char *yaml;
  const char *json; /* the mapping `m` after merging */
} merges[] = {
    {"one source", "b: &b {x: 1, y: 2}\nm:\n  <<: *b\n  z: 3\n", "{\"z\":3,\"x\":1,\"y\":2}"},
    {"own key written after the merge wins", "b: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 20\n", "{\"y\":20,\"x\":1}"},
    {"own key written before the merge wins", "b: &b {x: 1, y: 2}\nm:\n  y: 20\n  <<: *b\n", "{\"y\":20,\"x\":1}"},
    {"a list: earlier sources win", "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm:\n  <<: [*a, *b]\n", "{\"x\":1,\"y\":2}"},
    {"a list in the other order", "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm:\n  <<: [*b, *a]\n", "{\"x\":2,\"y\":2}"},
    {"an inline mapping", "m:\n  <<: {x: 1}\n  y: 2\n", "{\"y\":2,\"x\":1}"},
    {"a quoted << is an ordinary key", "m:\n  '<<': {x: 1}\n", "{\"<<\":{\"x\":1}}"},
    {"nested sources keep their own merges", "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nm: {<<: *b}\n", "{\"y\":2,\"x\":1}"},
};

static void test_yaml_merge_keys(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(merges); i++) {
    cf_doc_t *doc = dt_parse(merges[i].yaml, CF_DOC_YAML);
    const cf_node_t *m = cf_node_get(doc->roots[0], "m");
    assert_non_null(m);
    char *got = cf_node_to_json(doc->arena, m, 4096);
    if (strcmp(got, merges[i].json) != 0) fail_msg("%s: got %s, expected %s", merges[i].label, got, merges[i].json);
    cf_doc_free(doc);
  }
}

static void test_yaml_merge_of_a_scalar_is_an_error(void **state) {
  (void)state;
  dt_expect_error("merge of a scalar", "a: &a 1\nb:\n  <<: *a\n", CF_DOC_YAML, CF_EPARSE, 3, 3);
  dt_expect_error("merge of a list of scalars", "b:\n  c: 1\n  <<: [1, 2]\n", CF_DOC_YAML, CF_EPARSE, 3, 3);
}

static void test_yaml_byte_order_mark_and_duplicates(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse("\xef\xbb\xbf" "Effect: Deny\nEffect: Allow\n", CF_DOC_YAML);
  const cf_node_t *r = doc->roots[0];
  assert_string_equal("Deny", cf_node_str(cf_node_get(r, "Effect"))); /* the first wins */
  assert_int_equal(2, r->len);
  assert_int_equal(1, cf_node_member(r, "Effect")->key_pos.line);
  cf_doc_free(doc);
}

static void test_yaml_non_string_keys(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse("1: one\n~: nothing\n? [a, b]\n: pair\ntrue: yes\n", CF_DOC_YAML);
  const cf_node_t *r = doc->roots[0];
  assert_string_equal("one", cf_node_str(cf_node_get(r, "1")));
  assert_string_equal("nothing", cf_node_str(cf_node_get(r, "")));
  assert_string_equal("pair", cf_node_str(cf_node_get(r, "[\"a\",\"b\"]")));
  assert_string_equal("yes", cf_node_str(cf_node_get(r, "true")));
  cf_doc_free(doc);
}

/* ---- errors ---- */

static const struct {
  const char *label;
  const char *text;
  uint32_t line, col;
} bad_yaml[] = {
    {"tab indentation", "a:\n\tb: 1\n", 2, 1},
    {"bad indentation", "a:\n  b: 1\n c: 2\n", 3, 2},
    {"unclosed quote", "a: 'abc\nb: 2\n", 3, 1},
    {"unclosed flow mapping", "a: {b: 1\n", 2, 1},
    {"unclosed flow sequence", "a: [1, 2\nb: 3\n", 2, 0},
    {"undefined alias", "a: 1\nb: *nope\n", 2, 4},
    {"key without colon in a block", "a: 1\nb\nc: 2\n", 3, 0},
    {"an extra closing bracket", "a: 1\nb: [1, 2]]\n", 2, 0},
    {"a second value for a key", "a: 1 2: 3\n", 1, 0},
};

static void test_yaml_errors_have_positions(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(bad_yaml); i++)
    dt_expect_error(bad_yaml[i].label, bad_yaml[i].text, CF_DOC_YAML, CF_EPARSE, bad_yaml[i].line,
                    bad_yaml[i].col);
}

/* The reader rejects bytes that are not UTF-8, and control characters, at their position
 * (not at 1:1). */
static const struct {
  const char *label;
  const char *text;
  size_t len;
  uint32_t line, col;
} bad_bytes[] = {
    {"0xff in a value", "a: 1\nb: x\xff\n", 11, 2, 5},
    {"bad continuation byte", "a: 1\nb: 2\nc: zz\xc3\x28\n", 18, 3, 7},
    {"overlong form", "k: \xc0\xaf\n", 6, 1, 4},
    {"a NUL byte", "a: 1\0b", 6, 1, 5},
    {"an escape character", "a: 1\nb: \x1b[31m\n", 14, 2, 4},
};

static void test_yaml_invalid_bytes_are_located(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(bad_bytes); i++)
    dt_expect_error_with(NULL, bad_bytes[i].label, bad_bytes[i].text, bad_bytes[i].len, CF_DOC_YAML,
                         CF_EPARSE, bad_bytes[i].line, bad_bytes[i].col);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_yaml_positions_of_values_and_keys),
      cmocka_unit_test(test_yaml_core_schema_scalars),
      cmocka_unit_test(test_yaml_quoted_scalars_are_flagged),
      cmocka_unit_test(test_yaml_multi_document_stream),
      cmocka_unit_test(test_yaml_anchors_and_aliases),
      cmocka_unit_test(test_yaml_anchors_do_not_cross_documents),
      cmocka_unit_test(test_yaml_merge_keys),
      cmocka_unit_test(test_yaml_merge_of_a_scalar_is_an_error),
      cmocka_unit_test(test_yaml_byte_order_mark_and_duplicates),
      cmocka_unit_test(test_yaml_non_string_keys),
      cmocka_unit_test(test_yaml_errors_have_positions),
      cmocka_unit_test(test_yaml_invalid_bytes_are_located),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
