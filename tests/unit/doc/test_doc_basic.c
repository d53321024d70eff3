/*
 * test_doc_basic.c - the document model from both front ends: positions, scalars, CloudFormation
 * short forms.
 */
#include "testutil.h"

static cf_doc_t *parse(const char *text, cf_doc_format fmt) {
  cf_doc_t *doc = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_doc_opts_t o = {fmt, 0, "t", true};
  cf_err e = cf_doc_parse(NULL, text, strlen(text), &o, &doc, &d);
  if (e) fprintf(stderr, "parse error %u:%u %s\n", d.line, d.column, d.message);
  cf_diag_cleanup(&d);
  assert_int_equal(CF_OK, e);
  return doc;
}

static void test_json_positions(void **state) {
  (void)state;
  cf_doc_t *doc = parse("{\n  \"a\": 1,\n  \"b\": [true, \"x\"]\n}", CF_DOC_JSON);
  const cf_node_t *b = cf_node_get(doc->roots[0], "b");
  assert_non_null(b);
  assert_int_equal(CF_NODE_ARRAY, b->type);
  assert_int_equal(3, b->pos.line);
  assert_int_equal(8, b->pos.column);
  assert_string_equal("x", cf_node_str(b->u.items[1]));
  assert_int_equal(3, b->u.items[1]->pos.line);
  assert_int_equal(3, cf_node_member(doc->roots[0], "b")->key_pos.line);
  cf_doc_free(doc);
}

static void test_yaml_getatt_dotted(void **state) {
  (void)state;
  cf_doc_t *doc = parse("A: !GetAtt Db.Endpoint.Address\nB: !Ref X\n", CF_DOC_YAML);
  const cf_node_t *ga = cf_node_get(cf_node_get(doc->roots[0], "A"), "Fn::GetAtt");
  assert_non_null(ga);
  assert_int_equal(2, ga->len);
  assert_string_equal("Db", cf_node_str(ga->u.items[0]));
  assert_string_equal("Endpoint.Address", cf_node_str(ga->u.items[1]));
  assert_string_equal("X", cf_node_str(cf_node_get(cf_node_get(doc->roots[0], "B"), "Ref")));
  cf_doc_free(doc);
}

static void test_yaml_leading_zero_stays_string(void **state) {
  (void)state;
  cf_doc_t *doc = parse("account: 012345678901\nport: 22\n", CF_DOC_YAML);
  assert_string_equal("012345678901", cf_node_str(cf_node_get(doc->roots[0], "account")));
  assert_int_equal(CF_NODE_INT, cf_node_get(doc->roots[0], "port")->type);
  cf_doc_free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_json_positions),
      cmocka_unit_test(test_yaml_getatt_dotted),
      cmocka_unit_test(test_yaml_leading_zero_stays_string),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
