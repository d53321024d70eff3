/*
 * test_engine_rules.c - the rule compiler (docs/rules.md): every kind of bad rule is refused
 * with CF_ERULE and a diagnostic naming the file, the line and the column of the offending
 * key or value, and a bad rule does not stop the good rules of the same file from loading.
 *
 * Each case below is a whole rule file. Lines are counted from the common head:
 *   1 id, 2 title, 3 severity, 4 threats, 5 resource, 6 remediation, 7 condition...
 */
#include "testutil.h"

#include "core/core.h"

#define HEAD_AFTER_ID                                                                              \
  "title: Test rule\n"                                                                             \
  "severity: high\n"                                                                               \
  "threats: [3]\n"                                                                                 \
  "resource: aws.s3.bucket\n"                                                                      \
  "remediation: Fix it.\n"
#define HEAD "id: CF-T-001\n" HEAD_AFTER_ID
#define GOOD_CONDITION "condition: {path: acl.canned, equals: public-read}\n"

/* Loads text into a fresh rule set; returns the result and the first diagnostic. */
typedef struct loaded {
  cf_err err;
  size_t rules;
  cf_diag_t first;
  size_t n_diags;
} loaded_t;

static loaded_t load(const char *text) {
  loaded_t l;
  memset(&l, 0, sizeof l);
  cf_ruleset_t *rs = NULL;
  assert_int_equal(CF_OK, cf_ruleset_new(NULL, &rs));
  cf_diags_t errs;
  cf_diags_init(&errs);
  l.err = cf_ruleset_load_text(rs, "rules/t.yaml", text, strlen(text), &errs);
  l.rules = cf_ruleset_count(rs);
  l.n_diags = errs.len;
  cf_diag_init(&l.first);
  if (errs.len) {
    l.first = errs.items[0]; /* moved out of the list */
    memset(&errs.items[0], 0, sizeof errs.items[0]);
  }
  cf_diags_cleanup(&errs);
  cf_ruleset_free(rs);
  return l;
}

static const struct {
  const char *label;
  const char *text;
  uint32_t line, col; /* where the diagnostic points (0: not checked) */
  const char *says;   /* a phrase the message must contain */
} bad_rules[] = {
    {"unknown top-level key", HEAD GOOD_CONDITION "colour: red\n", 8, 1, "unknown rule key 'colour'"},
    {"unknown operator", HEAD "condition:\n  path: acl.canned\n  equalz: public-read\n", 9, 3, "unknown operator 'equalz'"},
    {"two operators in one condition", HEAD "condition: {path: a, equals: 1, in: [1]}\n", 7, 33, "one operator per condition"},
    {"operator missing", HEAD "condition: {path: a}\n", 7, 12, "no operator"},
    {"bad regex", HEAD "condition:\n  path: name\n  regex: '([a-z'\n", 9, 10, "invalid regex"},
    {"regex that is not a string", HEAD "condition: {path: name, regex: [x]}\n", 7, 32, "'regex' expects a string"},
    {"unknown resource type", "id: CF-T-001\ntitle: t\nseverity: high\nthreats: [3]\nresource: aws.s3.bukket\nremediation: r\n" GOOD_CONDITION, 5, 11, "unknown resource type 'aws.s3.bukket'"},
    {"one unknown type in a list", "id: CF-T-001\ntitle: t\nseverity: high\nthreats: [3]\nresource: [aws.s3.bucket, aws.nope]\nremediation: r\n" GOOD_CONDITION, 5, 11, "aws.nope"},
    {"missing remediation", "id: CF-T-001\ntitle: t\nseverity: high\nthreats: [3]\nresource: aws.s3.bucket\n" GOOD_CONDITION, 1, 1, "remediation"},
    {"remediation without text", "id: CF-T-001\ntitle: t\nseverity: high\nthreats: [3]\nresource: aws.s3.bucket\nremediation: {cli: x}\n" GOOD_CONDITION, 6, 14, "remediation"},
    {"duplicate id", HEAD GOOD_CONDITION "---\n" HEAD GOOD_CONDITION, 9, 5, "duplicate rule id 'CF-T-001'"},
    {"threat 12", "id: CF-T-001\ntitle: t\nseverity: high\nthreats: [3, 12]\nresource: aws.s3.bucket\nremediation: r\n" GOOD_CONDITION, 4, 14, "threat must be a number from 1 to 11"},
    {"threat 0", "id: CF-T-001\ntitle: t\nseverity: high\nthreats: [0]\nresource: aws.s3.bucket\nremediation: r\n" GOOD_CONDITION, 4, 11, "1 to 11"},
    {"threat as text", "id: CF-T-001\ntitle: t\nseverity: high\nthreats: [three]\nresource: aws.s3.bucket\nremediation: r\n" GOOD_CONDITION, 4, 11, "1 to 11"},
    {"threats missing", "id: CF-T-001\ntitle: t\nseverity: high\nresource: aws.s3.bucket\nremediation: r\n" GOOD_CONDITION, 1, 1, "threats"},
    {"too many threats", "id: CF-T-001\ntitle: t\nseverity: high\nthreats: [1,2,3,4,5,6,7,8,9,10,11,1]\nresource: aws.s3.bucket\nremediation: r\n" GOOD_CONDITION, 4, 10, "threats"},
    {"unknown severity", "id: CF-T-001\ntitle: t\nseverity: severe\nthreats: [3]\nresource: aws.s3.bucket\nremediation: r\n" GOOD_CONDITION, 3, 11, "severity"},
    {"missing id", HEAD_AFTER_ID GOOD_CONDITION, 1, 1, "'id'"},
    {"empty title", "id: CF-T-001\ntitle: ''\nseverity: high\nthreats: [3]\nresource: aws.s3.bucket\nremediation: r\n" GOOD_CONDITION, 2, 8, "'title'"},
    {"missing condition", HEAD, 1, 1, "condition"},
    {"condition not a mapping", HEAD "condition: [a]\n", 7, 12, "must be a mapping"},
    {"empty all", HEAD "condition: {all: []}\n", 7, 18, "non-empty list"},
    {"some without where", HEAD "condition: {some: acl.grants}\n", 7, 12, "needs a 'where'"},
    {"count without comparison", HEAD "condition: {count: acl.grants, where: {path: x, exists: true}}\n", 7, 12, "comparison"},
    {"stray key in a quantifier", HEAD "condition: {some: acl.grants, where: {path: x, exists: true}, when: 1}\n", 7, 63, "unexpected key 'when'"},
    {"path with an empty segment", HEAD "condition: {path: 'a..b', exists: true}\n", 7, 19, "empty segment"},
    {"path with an open bracket", HEAD "condition: {path: 'a[0', exists: true}\n", 7, 19, "without ']'"},
    {"path with a bad index", HEAD "condition: {path: 'a[x]', exists: true}\n", 7, 19, "[*] or [N]"},
    {"path ending with a dot", HEAD "condition: {path: 'a.', exists: true}\n", 7, 19, "ends with '.'"},
    {"exists needs a boolean", HEAD "condition: {path: a, exists: 'yes'}\n", 7, 30, "true or false"},
    {"in needs a list", HEAD "condition: {path: a, in: x}\n", 7, 26, "expects a list"},
    {"gt needs a number", HEAD "condition: {path: a, gt: ten}\n", 7, 26, "expects a number"},
    {"unknown type name", HEAD "condition: {path: a, type: strng}\n", 7, 28, "type name"},
    {"unknown policy question", HEAD "condition: {path: policy, policy: {statment: {effect: Allow}}}\n", 7, 36, "unknown policy question 'statment'"},
    {"unknown statement property", HEAD "condition: {path: policy, policy: {statement: {princpal: public}}}\n", 7, 48, "unknown statement property 'princpal'"},
    {"bad effect", HEAD "condition: {path: policy, policy: {statement: {effect: Maybe}}}\n", 7, 56, "Allow or Deny"},
    {"bad unknown mode", HEAD GOOD_CONDITION "unknown: maybe\n", 8, 10, "pass, fail or report"},
    {"unknown service model", HEAD GOOD_CONDITION "service_models: [IaaS, XaaS]\n", 8, 17, "XaaS"},
    {"unknown source format", HEAD GOOD_CONDITION "sources: [cloudformation, helm]\n", 8, 10, "helm"},
    {"source that cannot produce the type", HEAD GOOD_CONDITION "sources: [kubernetes]\n", 8, 10, "no source format"},
    {"a rule that is not a mapping", "- just\n- a list\n", 1, 1, "must be a mapping"},
    {"related without a type", HEAD "condition: {related: {path: x}}\n", 7, 22, "needs 'type'"},
    {"YAML syntax error", HEAD "condition: {path: a, equals: [1}\n", 7, 0, ""},
    {"no rule at all", "# nothing here\n", 1, 1, "no rule in file"},
};

static void test_bad_rules_are_refused_with_their_position(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(bad_rules); i++) {
    loaded_t l = load(bad_rules[i].text);
    const char *msg = l.first.message ? l.first.message : "(none)";
    if (l.err != CF_ERULE) fail_msg("%s: expected ERULE, got %s (%s)", bad_rules[i].label, cf_err_name(l.err), msg);
    if (l.n_diags == 0) fail_msg("%s: no diagnostic", bad_rules[i].label);
    assert_string_equal("rules/t.yaml", l.first.file);
    if (bad_rules[i].line && l.first.line != bad_rules[i].line)
      fail_msg("%s: diagnostic at line %u, expected %u (%s)", bad_rules[i].label, l.first.line, bad_rules[i].line, msg);
    if (bad_rules[i].col && l.first.column != bad_rules[i].col)
      fail_msg("%s: diagnostic at column %u, expected %u (%s)", bad_rules[i].label, l.first.column, bad_rules[i].col, msg);
    if (!strstr(msg, bad_rules[i].says)) fail_msg("%s: message '%s' does not say '%s'", bad_rules[i].label, msg, bad_rules[i].says);
    /* A refused rule is not loaded (the duplicate case keeps its first rule). */
    if (l.rules != (strcmp(bad_rules[i].label, "duplicate id") == 0 ? 1u : 0u))
      fail_msg("%s: %zu rules loaded", bad_rules[i].label, l.rules);
    cf_diag_cleanup(&l.first);
  }
}

static void test_good_rules_load_next_to_a_bad_one(void **state) {
  (void)state;
  const char *text = HEAD GOOD_CONDITION "---\n"
                     "id: CF-T-002\n" HEAD_AFTER_ID "condition: {path: a, bogus: 1}\n---\n"
                     "id: CF-T-003\n" HEAD_AFTER_ID GOOD_CONDITION;
  loaded_t l = load(text);
  assert_int_equal(CF_ERULE, l.err);
  assert_int_equal(2, l.rules);
  assert_int_equal(1, l.n_diags);
  assert_int_equal(15, l.first.line);
  cf_diag_cleanup(&l.first);
}

static void test_rule_file_size_limit(void **state) {
  (void)state;
  cf_ctx_t *ctx = cf_ctx_new();
  cf_limits_t lim = *cf_ctx_limits(ctx);
  lim.max_rule_size = 64;
  cf_ctx_set_limits(ctx, &lim);
  cf_ruleset_t *rs = NULL;
  assert_int_equal(CF_OK, cf_ruleset_new(ctx, &rs));
  cf_diags_t errs;
  cf_diags_init(&errs);
  const char *text = HEAD GOOD_CONDITION;
  assert_int_equal(CF_ERULE, cf_ruleset_load_text(rs, "big.yaml", text, strlen(text), &errs));
  assert_int_equal(1, errs.len);
  assert_int_equal(CF_ELIMIT, errs.items[0].code);
  assert_int_equal(0, cf_ruleset_count(rs));
  cf_diags_cleanup(&errs);
  cf_ruleset_free(rs);
  cf_ctx_free(ctx);
}

static void test_condition_nesting_limit(void **state) {
  (void)state;
  char text[8192];
  size_t k = (size_t)snprintf(text, sizeof text, HEAD "condition: ");
  for (int i = 0; i < 70; i++) k += (size_t)snprintf(text + k, sizeof text - k, "{not: ");
  k += (size_t)snprintf(text + k, sizeof text - k, "{path: a, exists: true}");
  for (int i = 0; i < 70; i++) text[k++] = '}';
  text[k++] = '\n';
  text[k] = '\0';
  loaded_t l = load(text);
  assert_int_equal(CF_ERULE, l.err);
  assert_non_null(strstr(l.first.message, "nested deeper"));
  cf_diag_cleanup(&l.first);
}

static void test_a_complete_rule_compiles(void **state) {
  (void)state;
  const char *text =
      "id: CF-T-100\n"
      "title: Everything at once\n"
      "description: A rule using every part of the language.\n"
      "severity: critical\n"
      "threats: [8, 3, 11]\n"
      "service_models: [IaaS, PaaS]\n"
      "resource: [aws.s3.bucket]\n"
      "sources: [cloudformation, terraform-plan]\n"
      "unknown: report\n"
      "condition:\n"
      "  all:\n"
      "    - not: {path: object_ownership, equals: BucketOwnerEnforced}\n"
      "    - any:\n"
      "        - {path: acl.canned, iin: [public-read, public-read-write]}\n"
      "        - some: acl.grants\n"
      "          where: {path: grantee_uri, regex: 'AllUsers$'}\n"
      "        - count: 'tags[*]'\n"
      "          where: {path: $.name, exists: true}\n"
      "          gte: 1\n"
      "        - {path: policy, policy: {statement: {effect: Allow, principal: public, actions: ['s3:GetObject'], unrestricted: true}}}\n"
      "        - {path: policy, policy: {denies_insecure_transport: false}}\n"
      "        - {path: 'tags.\"cloudfort.io/x\"', type: string}\n"
      "remediation:\n"
      "  text: Make it private.\n"
      "  cli: aws s3api put-bucket-acl --acl private\n"
      "  terraform: acl = private\n"
      "  cloudformation: 'AccessControl: Private'\n"
      "references: [https://example.com/a, https://example.com/b]\n";
  cf_ruleset_t *rs = NULL;
  assert_int_equal(CF_OK, cf_ruleset_new(NULL, &rs));
  cf_diags_t errs;
  cf_diags_init(&errs);
  cf_err e = cf_ruleset_load_text(rs, "full.yaml", text, strlen(text), &errs);
  if (e) fail_msg("%s at %u:%u", errs.items[0].message, errs.items[0].line, errs.items[0].column);
  assert_int_equal(1, cf_ruleset_count(rs));
  const cf_rule_info_t *r = cf_ruleset_info(rs, 0);
  assert_string_equal("CF-T-100", r->id);
  assert_string_equal("posture", r->analyzer);
  assert_int_equal(CF_SEV_CRITICAL, r->severity);
  assert_int_equal(3, r->n_threats);
  assert_int_equal(8, r->threats[0]);
  assert_int_equal(2, cf_rule_group(r));
  assert_int_equal(CF_SM_IAAS | CF_SM_PAAS, r->service_models);
  assert_string_equal("aws.s3.bucket", r->resource_types[0]);
  assert_null(r->resource_types[1]);
  assert_string_equal("aws s3api put-bucket-acl --acl private", r->remediation.cli);
  assert_string_equal("https://example.com/b", r->references[1]);
  assert_string_equal("full.yaml", r->file);
  assert_int_equal(1, r->line);
  const char *const *srcs = cf_ruleset_sources(rs, 0);
  assert_string_equal("cloudformation", srcs[0]);
  assert_string_equal("terraform-plan", srcs[1]);
  /* "terraform-plan" in `sources:` covers .tf source too: the same model. */
  assert_string_equal("terraform", srcs[2]);
  assert_null(srcs[3]);
  assert_null(cf_ruleset_info(rs, 1));
  cf_diags_cleanup(&errs);
  cf_ruleset_free(rs);
}

static void test_filter_by_globs(void **state) {
  (void)state;
  const char *text = "id: CF-S3-001\n" HEAD_AFTER_ID GOOD_CONDITION "---\n"
                     "id: CF-S3-002\n" HEAD_AFTER_ID GOOD_CONDITION "---\n"
                     "id: CF-IAM-001\n" HEAD_AFTER_ID GOOD_CONDITION;
  cf_ruleset_t *rs = NULL;
  assert_int_equal(CF_OK, cf_ruleset_new(NULL, &rs));
  assert_int_equal(CF_OK, cf_ruleset_load_text(rs, "r.yaml", text, strlen(text), NULL));
  assert_int_equal(3, cf_ruleset_count(rs));
  const char *inc[] = {"cf-s3-*"};
  const char *exc[] = {"*-002"};
  assert_int_equal(CF_OK, cf_ruleset_filter(rs, inc, 1, exc, 1));
  assert_int_equal(1, cf_ruleset_count(rs));
  assert_string_equal("CF-S3-001", cf_ruleset_info(rs, 0)->id);
  cf_ruleset_free(rs);
}

static void test_builtin_rules_load(void **state) {
  (void)state;
  cf_ruleset_t *rs = NULL;
  assert_int_equal(CF_OK, cf_ruleset_new(NULL, &rs));
  cf_diags_t errs;
  cf_diags_init(&errs);
  cf_err e = cf_ruleset_load_builtin(rs, &errs);
  if (e) fail_msg("shipped rule does not load: %s:%u: %s", errs.items[0].file, errs.items[0].line, errs.items[0].message);
  assert_true(cf_ruleset_count(rs) >= 1);
  for (size_t i = 0; i < cf_ruleset_count(rs); i++) {
    const cf_rule_info_t *r = cf_ruleset_info(rs, i);
    assert_non_null(r->remediation.text);
    assert_true(r->n_threats >= 1);
  }
  cf_diags_cleanup(&errs);
  cf_ruleset_free(rs);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bad_rules_are_refused_with_their_position),
      cmocka_unit_test(test_good_rules_load_next_to_a_bad_one),
      cmocka_unit_test(test_rule_file_size_limit),
      cmocka_unit_test(test_condition_nesting_limit),
      cmocka_unit_test(test_a_complete_rule_compiles),
      cmocka_unit_test(test_filter_by_globs),
      cmocka_unit_test(test_builtin_rules_load),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
