/*
 * test_doc_cfn_tags.c - CloudFormation's YAML short forms become the long forms of the JSON
 * template syntax, so that adapters and rules see one shape (AWS CloudFormation User Guide,
 * "Intrinsic function reference").
 *
 * The table lists every short form with the long form it must produce, including the
 * dotted and list spellings of !GetAtt (the attribute part may hold dots; only the first dot
 * separates), nested short forms, and forms on scalars, sequences and mappings. Without the
 * cfn_tags option, and for tags CloudFormation does not define, the value is kept as is.
 */
#include "doctest.h"

static const struct {
  const char *yaml; /* value of key v */
  const char *json; /* the long form */
} forms[] = {
    {"!Ref MyBucket", "{\"Ref\":\"MyBucket\"}"},
    {"!Ref AWS::Region", "{\"Ref\":\"AWS::Region\"}"},
    {"!Sub 'arn:${AWS::Partition}:s3:::${Logs}/*'", "{\"Fn::Sub\":\"arn:${AWS::Partition}:s3:::${Logs}/*\"}"},
    {"!Sub ['${A}-x', {A: !Ref B}]", "{\"Fn::Sub\":[\"${A}-x\",{\"A\":{\"Ref\":\"B\"}}]}"},
    {"!GetAtt Role.Arn", "{\"Fn::GetAtt\":[\"Role\",\"Arn\"]}"},
    {"!GetAtt Db.Endpoint.Address", "{\"Fn::GetAtt\":[\"Db\",\"Endpoint.Address\"]}"},
    {"!GetAtt [Role, Arn]", "{\"Fn::GetAtt\":[\"Role\",\"Arn\"]}"},
    {"!GetAtt Role", "{\"Fn::GetAtt\":[\"Role\"]}"},
    {"!Join [',', [a, b]]", "{\"Fn::Join\":[\",\",[\"a\",\"b\"]]}"},
    {"!Join ['', [!Ref A, '-', !GetAtt B.C]]",
     "{\"Fn::Join\":[\"\",[{\"Ref\":\"A\"},\"-\",{\"Fn::GetAtt\":[\"B\",\"C\"]}]]}"},
    {"!Select [0, !GetAZs '']", "{\"Fn::Select\":[0,{\"Fn::GetAZs\":\"\"}]}"},
    {"!Split [',', 'a,b']", "{\"Fn::Split\":[\",\",\"a,b\"]}"},
    {"!If [IsProd, 1, !Ref AWS::NoValue]", "{\"Fn::If\":[\"IsProd\",1,{\"Ref\":\"AWS::NoValue\"}]}"},
    {"!Equals [!Ref Env, prod]", "{\"Fn::Equals\":[{\"Ref\":\"Env\"},\"prod\"]}"},
    {"!Not [!Equals [a, b]]", "{\"Fn::Not\":[{\"Fn::Equals\":[\"a\",\"b\"]}]}"},
    {"!And [!Condition A, !Condition B]", "{\"Fn::And\":[{\"Condition\":\"A\"},{\"Condition\":\"B\"}]}"},
    {"!Or [!Condition A, !Equals [x, y]]", "{\"Fn::Or\":[{\"Condition\":\"A\"},{\"Fn::Equals\":[\"x\",\"y\"]}]}"},
    {"!FindInMap [RegionMap, !Ref AWS::Region, AMI]",
     "{\"Fn::FindInMap\":[\"RegionMap\",{\"Ref\":\"AWS::Region\"},\"AMI\"]}"},
    {"!Base64 'echo hi'", "{\"Fn::Base64\":\"echo hi\"}"},
    {"!Base64 {'Fn::Sub': 'x'}", "{\"Fn::Base64\":{\"Fn::Sub\":\"x\"}}"},
    {"!Cidr [!GetAtt Vpc.CidrBlock, 6, 5]", "{\"Fn::Cidr\":[{\"Fn::GetAtt\":[\"Vpc\",\"CidrBlock\"]},6,5]}"},
    {"!ImportValue SharedVpc", "{\"Fn::ImportValue\":\"SharedVpc\"}"},
    /* YAML allows one tag per node, so !ImportValue of !Sub is written with the long Sub */
    {"!ImportValue {'Fn::Sub': '${Stack}-Vpc'}", "{\"Fn::ImportValue\":{\"Fn::Sub\":\"${Stack}-Vpc\"}}"},
    {"!GetAZs us-east-1", "{\"Fn::GetAZs\":\"us-east-1\"}"},
    {"!Condition IsProd", "{\"Condition\":\"IsProd\"}"},
    {"!Transform {Name: 'AWS::Include', Parameters: {Location: 's3://b/k'}}",
     "{\"Fn::Transform\":{\"Name\":\"AWS::Include\",\"Parameters\":{\"Location\":\"s3://b/k\"}}}"},
    {"!Length [a, b]", "{\"Fn::Length\":[\"a\",\"b\"]}"},
    {"!ToJsonString {a: 1}", "{\"Fn::ToJsonString\":{\"a\":1}}"},
    /* a block scalar under a tag */
    {"!Sub |\n  line ${X}\n", "{\"Fn::Sub\":\"line ${X}\\n\"}"},
    /* tags CloudFormation does not define keep their value */
    {"!Foo bar", "\"bar\""},
    {"!Foo [1]", "[1]"},
};

static void test_cfn_short_forms_become_long_forms(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(forms); i++) {
    char text[512];
    snprintf(text, sizeof text, "v: %s\n", forms[i].yaml);
    cf_doc_t *doc = dt_parse(text, CF_DOC_YAML);
    const cf_node_t *v = cf_node_get(doc->roots[0], "v");
    assert_non_null(v);
    char *got = cf_node_to_json(doc->arena, v, 4096);
    if (!got || strcmp(got, forms[i].json) != 0)
      fail_msg("'%s' became %s, expected %s", forms[i].yaml, got ? got : "(null)", forms[i].json);
    cf_doc_free(doc);
  }
}

static void test_cfn_long_form_keeps_the_value_position(void **state) {
  (void)state;
  cf_doc_t *doc = dt_parse("Resources:\n  P:\n    Bucket: !Ref Logs\n", CF_DOC_YAML);
  const cf_node_t *v = dt_get(doc->roots[0], "Resources/P/Bucket");
  assert_int_equal(CF_NODE_OBJECT, v->type);
  assert_int_equal(3, v->pos.line);
  assert_int_equal(13, v->pos.column);
  const cf_node_t *ref = cf_node_get(v, "Ref");
  assert_int_equal(3, ref->pos.line);
  assert_int_equal(13, ref->pos.column);
  cf_doc_free(doc);
}

static void test_cfn_tags_off_keeps_plain_values(void **state) {
  (void)state;
  const char *text = "a: !Ref MyBucket\nb: !GetAtt Role.Arn\nc: !Sub [x, {}]\n";
  cf_doc_t *doc = dt_parse_with(NULL, text, strlen(text), CF_DOC_YAML, false);
  assert_node_json(doc, doc->roots[0], "{\"a\":\"MyBucket\",\"b\":\"Role.Arn\",\"c\":[\"x\",{}]}");
  cf_doc_free(doc);
}

static void test_cfn_tags_with_anchors(void **state) {
  (void)state;
  /* A tagged node may be anchored; the alias refers to the long form. */
  cf_doc_t *doc = dt_parse("a: &r !Ref Logs\nb: *r\n", CF_DOC_YAML);
  assert_node_json(doc, cf_node_get(doc->roots[0], "b"), "{\"Ref\":\"Logs\"}");
  cf_doc_free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cfn_short_forms_become_long_forms),
      cmocka_unit_test(test_cfn_long_form_keeps_the_value_position),
      cmocka_unit_test(test_cfn_tags_off_keeps_plain_values),
      cmocka_unit_test(test_cfn_tags_with_anchors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
