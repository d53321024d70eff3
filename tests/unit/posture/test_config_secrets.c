/*
 * test_config_secrets.c - posture's secrets pass: configuration values scanned with a content
 * rule set, reported with their resource and the value's line, in every source format that
 * carries such values, on one thread and on the worker threads that evaluate streamed AWS
 * Config snapshots. The content rule is this test's own (TESTKEY followed by twelve capitals
 * or digits), so the cases do not move when the shipped packs change; expected lines are
 * computed from the input text.
 */
#include "testutil.h"

static const char RULE[] = "id: test-config-key\n"
                           "analyzer: secrets\n"
                           "title: a test key\n"
                           "severity: high\n"
                           "regex: '\\b(TESTKEY[0-9A-Z]{12})\\b'\n"
                           "keywords: [testkey]\n"
                           "remediation: rotate it\n";

typedef struct ctest {
  cf_ctx_t *ctx;
  cf_ruleset_t *rs;
  cf_content_rules_t *cr;
  cf_report_t report;
} ctest_t;

static ctest_t *scan_path(const char *path, unsigned threads, bool with_secrets) {
  ctest_t *t = calloc(1, sizeof *t);
  assert_non_null(t);
  t->ctx = cf_ctx_new();
  assert_non_null(t->ctx);
  assert_int_equal(CF_OK, cf_ruleset_new(t->ctx, &t->rs));
  assert_int_equal(CF_OK, cf_content_rules_new(t->ctx, CF_CONTENT_SECRET, &t->cr));
  cf_diags_t errs;
  cf_diags_init(&errs);
  assert_int_equal(CF_OK, cf_content_rules_load_text(t->cr, "rule.yaml", RULE, strlen(RULE), &errs));
  assert_int_equal(CF_OK, cf_content_rules_compile(t->cr, &errs));
  cf_diags_cleanup(&errs);
  assert_int_equal(CF_OK, cf_report_init(&t->report));
  cf_posture_opts_t o;
  memset(&o, 0, sizeof o);
  o.threads = threads;
  o.content_rules = with_secrets ? t->cr : NULL;
  const char *paths[1] = {path};
  assert_int_equal(CF_OK, cf_posture_scan(t->ctx, t->rs, paths, 1, &o, &t->report));
  return t;
}

static ctest_t *scan_text(const char *suffix, const char *text, unsigned threads, bool with_secrets) {
  char *path = tu_write_temp(suffix, text, strlen(text));
  ctest_t *t = scan_path(path, threads, with_secrets);
  tu_unlink(path);
  return t;
}

static void ctest_free(ctest_t *t) {
  cf_report_cleanup(&t->report);
  cf_ruleset_free(t->rs);
  cf_content_rules_free(t->cr);
  cf_ctx_free(t->ctx);
  free(t);
}

/* 1-based line of the first occurrence of needle in text. */
static uint32_t line_of(const char *text, const char *needle) {
  const char *p = strstr(text, needle);
  assert_non_null(p);
  uint32_t line = 1;
  for (const char *q = text; q < p; q++) line += *q == '\n';
  return line;
}

static size_t count_rule(const cf_report_t *r, const char *id) {
  size_t n = 0;
  for (size_t i = 0; i < cf_findings_count(r->findings); i++)
    n += strcmp(cf_findings_at(r->findings, i)->rule->id, id) == 0;
  return n;
}

static const cf_finding_t *the_finding(const cf_report_t *r, const char *id) {
  assert_int_equal(1, count_rule(r, id));
  for (size_t i = 0; i < cf_findings_count(r->findings); i++)
    if (strcmp(cf_findings_at(r->findings, i)->rule->id, id) == 0) return cf_findings_at(r->findings, i);
  return NULL;
}

typedef struct ccase {
  const char *name;
  const char *suffix;
  const char *text;
  const char *key;      /* the planted key */
  const char *line_at;  /* the expected line is this string's (the key's, or the encoded attribute's) */
  const char *resource;
  const char *type;
} ccase_t;

static const ccase_t cases[] = {
    {"aws config lambda", ".json",
     "{\"configurationItems\": [\n"
     " {\"resourceType\": \"AWS::Lambda::Function\", \"resourceId\": \"thumbs\", \"resourceName\": \"thumbs\",\n"
     "  \"configuration\": {\"functionName\": \"thumbs\", \"runtime\": \"python3.12\",\n"
     "    \"environment\": {\"variables\": {\"STAGE\": \"prod\",\n"
     "      \"THUMB_KEY\": \"TESTKEYA1B2C3D4E5F6\"}}}}\n"
     "]}\n",
     "TESTKEYA1B2C3D4E5F6", "TESTKEYA1B2C3D4E5F6", "thumbs", "aws.lambda.function"},
    {"aws cli lambda list-functions", ".json",
     "{\n"
     "  \"Functions\": [\n"
     "    {\n"
     "      \"FunctionName\": \"mailer\",\n"
     "      \"FunctionArn\": \"arn:aws:lambda:eu-west-1:123456789012:function:mailer\",\n"
     "      \"Runtime\": \"nodejs20.x\",\n"
     "      \"Environment\": {\"Variables\": {\"SMTP_KEY\": \"TESTKEYZ9Y8X7W6V5U4\"}}\n"
     "    }\n"
     "  ]\n"
     "}\n",
     "TESTKEYZ9Y8X7W6V5U4", "TESTKEYZ9Y8X7W6V5U4", "mailer", "aws.lambda.function"},
    {"terraform plan ecs container definitions", ".json",
     "{\"format_version\": \"1.2\", \"planned_values\": {\"root_module\": {\"resources\": [\n"
     " {\"address\": \"aws_ecs_task_definition.api\", \"mode\": \"managed\", \"type\": \"aws_ecs_task_definition\",\n"
     "  \"name\": \"api\", \"values\": {\"family\": \"api\",\n"
     "   \"container_definitions\": \"[{\\\"name\\\":\\\"api\\\",\\\"image\\\":\\\"api:1\\\",\\\"environment\\\":[{\\\"name\\\":\\\"K\\\",\\\"value\\\":\\\"TESTKEYQ1W2E3R4T5Y6\\\"}]}]\"}}\n"
     "]}}}\n",
     "TESTKEYQ1W2E3R4T5Y6", "TESTKEYQ1W2E3R4T5Y6", "aws_ecs_task_definition.api", "aws.ecs.task_definition"},
    {"cloudformation launch template user data", ".yaml",
     "Resources:\n"
     "  Tmpl:\n"
     "    Type: AWS::EC2::LaunchTemplate\n"
     "    Properties:\n"
     "      LaunchTemplateData:\n"
     "        MetadataOptions: {HttpTokens: required}\n"
     "        UserData:\n"
     "          Fn::Base64: |\n"
     "            #!/bin/sh\n"
     "            echo start\n"
     "            KEY=TESTKEYM1N2B3V4C5X6 /opt/run\n",
     "TESTKEYM1N2B3V4C5X6", "TESTKEYM1N2B3V4C5X6", "Tmpl", "aws.ec2.launch_template"},
};

static void test_each_source(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const ccase_t *c = &cases[i];
    for (unsigned threads = 1; threads <= 2; threads++) {
      ctest_t *t = scan_text(c->suffix, c->text, threads, true);
      if (count_rule(&t->report, "test-config-key") != 1)
        fail_msg("%s (%u threads): %zu findings of the test rule, %zu errors", c->name, threads,
                 count_rule(&t->report, "test-config-key"), t->report.errors.len);
      const cf_finding_t *f = the_finding(&t->report, "test-config-key");
      if (!f->resource || strcmp(f->resource, c->resource) != 0 || !f->resource_type ||
          strcmp(f->resource_type, c->type) != 0 || f->line != line_of(c->text, c->line_at))
        fail_msg("%s: resource %s (%s) line %u, expected %s (%s) line %u", c->name, f->resource ? f->resource : "-",
                 f->resource_type ? f->resource_type : "-", f->line, c->resource, c->type, line_of(c->text, c->line_at));
      assert_string_equal("secrets", f->rule->analyzer);
      assert_non_null(f->evidence);
      assert_null(strstr(f->evidence, c->key)); /* masked */
      assert_int_equal(32, strlen(f->fingerprint));
      ctest_free(t);
      /* Without a content rule set there is no secrets pass. */
      t = scan_text(c->suffix, c->text, threads, false);
      assert_int_equal(0, count_rule(&t->report, "test-config-key"));
      ctest_free(t);
    }
  }
}

/* A streamed snapshot of many functions on two worker threads: every key once, in the same
 * order and with the same lines as on one thread. */
static void test_streamed_snapshot_on_threads(void **state) {
  (void)state;
  enum { N = 3000 };
  size_t cap = (size_t)N * 300 + 64;
  char *text = malloc(cap);
  assert_non_null(text);
  size_t k = (size_t)snprintf(text, cap, "{\"configurationItems\": [\n");
  for (int i = 0; i < N; i++)
    k += (size_t)snprintf(text + k, cap - k,
                          "{\"resourceType\": \"AWS::Lambda::Function\", \"resourceId\": \"fn%d\", \"resourceName\": \"fn%d\",\n"
                          " \"configuration\": {\"functionName\": \"fn%d\", \"environment\": {\"variables\": "
                          "{\"K\": \"TESTKEY%012d\"}}}}%s\n",
                          i, i, i, i, i + 1 < N ? "," : "");
  snprintf(text + k, cap - k, "]}\n");
  char *path = tu_write_temp(".json", text, strlen(text));
  ctest_t *one = scan_path(path, 1, true);
  ctest_t *two = scan_path(path, 2, true);
  tu_unlink(path);
  assert_int_equal(N, count_rule(&one->report, "test-config-key"));
  assert_int_equal(N, count_rule(&two->report, "test-config-key"));
  cf_findings_sort(one->report.findings);
  cf_findings_sort(two->report.findings);
  for (size_t i = 0; i < cf_findings_count(one->report.findings); i++) {
    const cf_finding_t *a = cf_findings_at(one->report.findings, i), *b = cf_findings_at(two->report.findings, i);
    assert_string_equal(a->rule->id, b->rule->id);
    assert_int_equal(a->line, b->line);
    assert_string_equal(a->fingerprint, b->fingerprint);
    if (strcmp(a->rule->id, "test-config-key") == 0) {
      char needle[32];
      snprintf(needle, sizeof needle, "TESTKEY%012u", (unsigned)(a->line - 3) / 2);
      assert_int_equal(line_of(text, needle), a->line);
    }
  }
  ctest_free(one);
  ctest_free(two);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_each_source),
      cmocka_unit_test(test_streamed_snapshot_on_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
