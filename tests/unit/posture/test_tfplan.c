/*
 * test_tfplan.c - the Terraform plan adapter: the public plans of the shared corpus load and
 * yield the expected canonical resources; "known after apply" values are unknown; split S3
 * configuration, security group rules, IAM attachments and storage IAM join their owner
 * through configuration references (in child modules, through module variables, across
 * count/for_each instances); deleted resources are not scanned; positions point at the plan
 * line a value came from; hostile plans do not crash the adapter.
 *
 * Two views are used: the canonical resources themselves (the adapter is run with a
 * collecting emit callback, so attribute values and positions can be checked exactly) and
 * whole scans with small rules given as text, so behaviour is checked the way users see it.
 * The plans under tests/data/tfplan were written for these tests in the format of
 * `terraform show -json` (format_version 1.2).
 */
#include "testutil.h"

#include "doc/doc_internal.h"
#include "posture/model.h"

#define DATA "tests/data/tfplan/"
#define CORPUS TU_CORPORA "/tfplan/"

/* ---- running the adapter directly ---- */

typedef struct got {
  char *buf;
  cf_doc_t *doc;
  cf_adapt_ctx_t ac;
  cf_diags_t errs;
  cf_err rc;
  cf_resource_t *res[256];
  size_t n;
} got_t;

static cf_err collect(cf_adapt_ctx_t *ac, cf_resource_t *r) {
  got_t *g = ac->emit_ud;
  assert_true(g->n < sizeof g->res / sizeof g->res[0]);
  g->res[g->n++] = r;
  return CF_OK;
}

static got_t *adapt_path(const char *path) {
  got_t *g = calloc(1, sizeof(*g));
  assert_non_null(g);
  size_t len = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__read_file(path, 1u << 30, CF_JSON_PADDING, &g->buf, &len, &d);
  if (e) fprintf(stderr, "%s: %s\n", path, d.message ? d.message : "?");
  assert_int_equal(CF_OK, e);
  cf_doc_opts_t o = {CF_DOC_JSON, 0, path, false};
  assert_int_equal(CF_OK, cf_doc_parse(NULL, g->buf, len, &o, &g->doc, &d));
  cf_diag_cleanup(&d);
  assert_int_equal(CF_SRC_TFPLAN, cf__detect_doc(g->doc, path));
  cf_diags_init(&g->errs);
  g->ac.arena = cf__arena_new(0);
  assert_non_null(g->ac.arena);
  g->ac.path = path;
  g->ac.source = CF_SRC_TFPLAN;
  g->ac.errors = &g->errs;
  g->ac.emit = collect;
  g->ac.emit_ud = g;
  g->rc = cf__adapt_tfplan(&g->ac, g->doc);
  return g;
}

static void got_free(got_t *g) {
  cf__arena_free(g->ac.arena);
  cf_diags_cleanup(&g->errs);
  cf_doc_free(g->doc);
  free(g->buf);
  free(g);
}

static const cf_resource_t *find_res(const got_t *g, const char *address) {
  for (size_t i = 0; i < g->n; i++)
    if (g->res[i]->address && strcmp(g->res[i]->address, address) == 0) return g->res[i];
  return NULL;
}

/* Follows "a.b[1].c" through objects and arrays. */
static const cf_node_t *node_at(const cf_node_t *n, const char *path) {
  char key[128];
  const char *p = path;
  while (n && *p) {
    size_t k = strcspn(p, ".[");
    assert_true(k < sizeof key);
    if (k) {
      memcpy(key, p, k);
      key[k] = '\0';
      n = cf_node_get(n, key);
      p += k;
    }
    if (*p == '[') {
      char *end;
      long idx = strtol(p + 1, &end, 10);
      if (!n || n->type != CF_NODE_ARRAY || idx < 0 || (uint32_t)idx >= n->len) return NULL;
      n = n->u.items[idx];
      p = end + 1;
    }
    if (*p == '.') p++;
  }
  return n;
}

static const cf_node_t *res_attr(const got_t *g, const char *address, const char *path) {
  const cf_resource_t *r = find_res(g, address);
  if (!r) fprintf(stderr, "no resource %s\n", address);
  assert_non_null(r);
  return node_at(r->attrs, path);
}

/* Line (1-based) of the nth (1-based) occurrence of needle in the file. */
static uint32_t line_of(const char *path, const char *needle, int nth) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char text[1 << 20];
  size_t n = fread(text, 1, sizeof text - 1, f);
  assert_true(feof(f)); /* the whole file fitted */
  fclose(f);
  text[n] = '\0';
  const char *p = text;
  for (int i = 0; i < nth; i++) {
    p = strstr(i ? p + 1 : p, needle);
    assert_non_null(p);
  }
  uint32_t line = 1;
  for (const char *q = text; q < p; q++)
    if (*q == '\n') line++;
  return line;
}

/* ---- every corpus plan and every plan of ours loads and yields its resources ---- */

typedef struct load_case {
  const char *path;
  size_t n_resources;
  const char *addresses[8]; /* some of the resources expected, NULL-terminated */
} load_case_t;

static const load_case_t load_cases[] = {
    {CORPUS "checkov_plan.json", 17,
     {"aws_s3_bucket.data", "aws_s3_bucket.logs", "aws_instance.web_host", "aws_security_group.web-node",
      "aws_elasticsearch_domain.monitoring-framework", "aws_iam_user.user", "aws_lambda_function.analysis_lambda", NULL}},
    {CORPUS "checkov_plan_after_unknown.json", 0, {NULL}},
    {CORPUS "checkov_plan_with_child_modules.json", 1, {"module.iam_groups.aws_iam_account_password_policy.main", NULL}},
    {CORPUS "checkov_plan_with_deleted_resources.json", 0, {NULL}},
    {CORPUS "checkov_plan_with_iam_policies.json", 4,
     {"aws_iam_group.fail_2", "aws_iam_policy.policy_pass", "aws_iam_role.example", "aws_iam_user.fail_3", NULL}},
    {DATA "s3_split.json", 6, {"aws_s3_bucket.data", "module.archive.aws_s3_bucket.this", "acme-legacy", NULL}},
    {DATA "s3_v3_inline.json", 2, {"aws_s3_bucket.granted", "aws_s3_bucket.plain", NULL}},
    {DATA "deleted.json", 3, {"aws_s3_bucket.kept", "aws_s3_bucket.swap", "aws_s3_bucket.late", NULL}},
    {DATA "network.json", 12,
     {"aws_security_group.web", "aws_lb.front", "aws_wafv2_web_acl_association.front", "aws_instance.web",
      "aws_launch_template.web", "aws_cloudtrail.main", NULL}},
    {DATA "iam.json", 5, {"aws_iam_role.app", "aws_iam_user.dev", "aws_iam_group.ops", "external-role", NULL}},
    {DATA "cloud_storage.json", 5,
     {"azurerm_storage_account.main", "azurerm_storage_container.public", "google_storage_bucket.acl", NULL}},
    {DATA "counted.json", 4, {"aws_s3_bucket.b[\"x\"]", "aws_s3_bucket.c[0]", NULL}},
};

static void test_plans_load(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof load_cases / sizeof load_cases[0]; i++) {
    const load_case_t *c = &load_cases[i];
    got_t *g = adapt_path(c->path);
    assert_int_equal(CF_OK, g->rc);
    if (g->errs.len) fprintf(stderr, "%s: %s\n", c->path, g->errs.items[0].message);
    assert_int_equal(0, g->errs.len);
    if (g->n != c->n_resources) fprintf(stderr, "%s: %zu resources\n", c->path, g->n);
    assert_int_equal(c->n_resources, g->n);
    for (const char *const *a = c->addresses; *a; a++) {
      if (!find_res(g, *a)) fprintf(stderr, "%s: no %s\n", c->path, *a);
      assert_non_null(find_res(g, *a));
    }
    for (size_t k = 0; k < g->n; k++) assert_int_equal(CF_SRC_TFPLAN, g->res[k]->source);
    got_free(g);
    /* The same through a scan: recognised, no errors, every resource evaluated. */
    tu_scan_t *s = tu_scan_path(c->path, NULL, false);
    assert_int_equal(0, s->report.errors.len);
    assert_int_equal(1, s->report.files);
    assert_true(s->report.sources_seen & (1u << CF_SRC_TFPLAN));
    assert_int_equal(c->n_resources, s->report.resources);
    tu_scan_free(s);
  }
}

/* ---- known after apply ---- */

typedef struct unknown_case {
  const char *path, *address, *attr;
} unknown_case_t;

static const unknown_case_t unknown_cases[] = {
    {CORPUS "checkov_plan.json", "aws_instance.web_host", "metadata_options"},
    {CORPUS "checkov_plan.json", "aws_s3_bucket.data", "versioning"},
    {CORPUS "checkov_plan.json", "aws_elasticsearch_domain.monitoring-framework", "encryption_at_rest.enabled"},
    {CORPUS "checkov_plan.json", "aws_elasticsearch_domain.monitoring-framework", "domain_endpoint.enforce_https"},
    {CORPUS "checkov_plan.json", "aws_kms_key.logs_key", "policy"},
    {CORPUS "checkov_plan.json", "aws_instance.db_app", "user_data"},
    {CORPUS "checkov_plan_with_iam_policies.json", "aws_iam_role.example", "name"},
    {DATA "s3_split.json", "aws_s3_bucket.logs", "encryption.rules"},
    {DATA "s3_split.json", "aws_s3_bucket.logs", "logging"},
    {DATA "network.json", "aws_instance.bare", "metadata_options"},
    {DATA "network.json", "aws_lb.front", "arn"},
    {DATA "cloud_storage.json", "google_storage_bucket.pub", "public_access_prevention"},
};

static void test_after_unknown_is_unknown(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof unknown_cases / sizeof unknown_cases[0]; i++) {
    const unknown_case_t *c = &unknown_cases[i];
    got_t *g = adapt_path(c->path);
    const cf_node_t *v = res_attr(g, c->address, c->attr);
    if (!v || v->type != CF_NODE_UNKNOWN) fprintf(stderr, "%s %s %s is not unknown\n", c->path, c->address, c->attr);
    assert_non_null(v);
    assert_int_equal(CF_NODE_UNKNOWN, v->type);
    assert_true(v->pos.line > 0);
    got_free(g);
  }
}

typedef struct mode_case {
  const char *path;
  const char *rule; /* condition and resource, without id and mode */
  size_t n_default, n_fail;
} mode_case_t;

static const mode_case_t mode_cases[] = {
    /* IMDSv1 allowed: both instances leave metadata_options to the provider. */
    {CORPUS "checkov_plan.json", "resource: aws.ec2.instance\ncondition: {path: metadata_options.http_tokens, missing: true}\n", 0, 2},
    /* Versioning unknown on three buckets, Enabled on the other three. */
    {CORPUS "checkov_plan.json", "resource: aws.s3.bucket\ncondition: {path: versioning.status, missing: true}\n", 0, 3},
    /* Encryption at rest decided at apply. */
    {CORPUS "checkov_plan.json", "resource: aws.opensearch.domain\ncondition: {not: {path: encryption_at_rest.enabled, equals: true}}\n", 0, 1},
    /* Provider 5 buckets without their own encryption resource: known after apply. */
    {DATA "s3_split.json", "resource: aws.s3.bucket\ncondition: {path: encryption.rules, missing: true}\n", 0, 4},
    /* The instance configured with IMDSv1 fires either way; the bare one only when asked. */
    {DATA "network.json", "resource: aws.ec2.instance\ncondition: {path: metadata_options.http_tokens, not_in: [required]}\n", 1, 2},
};

/* A rule around a condition; mode (NULL, "pass", "fail") fixes how it treats unknown. */
static char *rule_text(const char *body, const char *mode) {
  static char buf[1024];
  snprintf(buf, sizeof buf,
           "id: TEST-TF-1\ntitle: test\nseverity: high\nthreats: [3]\nservice_models: [IaaS]\n%s%s%s%sremediation: {text: fix}\n",
           body, mode ? "unknown: " : "", mode ? mode : "", mode ? "\n" : "");
  return buf;
}

static void test_unknown_rule_modes(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof mode_cases / sizeof mode_cases[0]; i++) {
    const mode_case_t *c = &mode_cases[i];
    tu_scan_t *s = tu_scan_path(c->path, rule_text(c->rule, NULL), false);
    if (tu_count(&s->report, "TEST-TF-1") != c->n_default) fprintf(stderr, "case %zu default: %zu\n", i, tu_count(&s->report, "TEST-TF-1"));
    assert_rule_fires(s, "TEST-TF-1", c->n_default);
    tu_scan_free(s);
    s = tu_scan_path(c->path, rule_text(c->rule, "fail"), false);
    if (tu_count(&s->report, "TEST-TF-1") != c->n_fail) fprintf(stderr, "case %zu fail: %zu\n", i, tu_count(&s->report, "TEST-TF-1"));
    assert_rule_fires(s, "TEST-TF-1", c->n_fail);
    tu_scan_free(s);
  }
}

/* ---- joins ---- */

typedef enum { V_STR, V_BOOL, V_INT, V_ABSENT } vkind_t;

typedef struct join_case {
  const char *path, *address, *attr;
  vkind_t kind;
  const char *s;
  int64_t i;
} join_case_t;

#define JS(p, a, at, v) {p, a, at, V_STR, v, 0}
#define JB(p, a, at, v) {p, a, at, V_BOOL, NULL, v}
#define JI(p, a, at, v) {p, a, at, V_INT, NULL, v}
#define JA(p, a, at) {p, a, at, V_ABSENT, NULL, 0}

static const join_case_t join_cases[] = {
    /* Split S3 configuration (provider 5): the bucket ids are unknown, references decide. */
    JB(DATA "s3_split.json", "aws_s3_bucket.data", "public_access_block.block_public_acls", 1),
    JB(DATA "s3_split.json", "aws_s3_bucket.data", "public_access_block.restrict_public_buckets", 1),
    JS(DATA "s3_split.json", "aws_s3_bucket.data", "versioning.status", "Enabled"),
    JS(DATA "s3_split.json", "aws_s3_bucket.data", "versioning.mfa_delete", "Disabled"),
    JS(DATA "s3_split.json", "aws_s3_bucket.data", "encryption.rules[0].algorithm", "aws:kms"),
    JS(DATA "s3_split.json", "aws_s3_bucket.data", "encryption.rules[0].kms_key_id", "aws_kms_key.s3"),
    JB(DATA "s3_split.json", "aws_s3_bucket.data", "encryption.rules[0].bucket_key_enabled", 1),
    JB(DATA "s3_split.json", "aws_s3_bucket.data", "logging.enabled", 1),
    JS(DATA "s3_split.json", "aws_s3_bucket.data", "logging.target_bucket", "aws_s3_bucket.logs"),
    JS(DATA "s3_split.json", "aws_s3_bucket.data", "logging.target_prefix", "data/"),
    JS(DATA "s3_split.json", "aws_s3_bucket.data", "object_ownership", "BucketOwnerEnforced"),
    JS(DATA "s3_split.json", "aws_s3_bucket.data", "policy.statements[0].sid", "DenyInsecureTransport"),
    JS(DATA "s3_split.json", "aws_s3_bucket.logs", "acl.canned", "log-delivery-write"),
    JA(DATA "s3_split.json", "aws_s3_bucket.logs", "public_access_block"),
    JB(DATA "s3_split.json", "aws_s3_bucket.site", "website.enabled", 1),
    /* A policy in a child module whose bucket comes in through a module variable. */
    JS(DATA "s3_split.json", "aws_s3_bucket.site", "policy.statements[0].sid", "PublicRead"),
    /* Bucket and its public access block both inside a child module. */
    JB(DATA "s3_split.json", "module.archive.aws_s3_bucket.this", "public_access_block.block_public_policy", 1),
    /* A bucket the plan does not create: an incomplete bucket of its own. */
    JS(DATA "s3_split.json", "acme-legacy", "name", "acme-legacy"),
    JB(DATA "s3_split.json", "acme-legacy", "policy.statements[0].principal_all", 1),
    /* Provider 3 inline blocks. */
    JS(DATA "s3_v3_inline.json", "aws_s3_bucket.granted", "acl.grants[0].grantee_uri", "http://acs.amazonaws.com/groups/global/AllUsers"),
    JS(DATA "s3_v3_inline.json", "aws_s3_bucket.granted", "acl.grants[0].permission", "READ"),
    JS(DATA "s3_v3_inline.json", "aws_s3_bucket.granted", "acl.grants[1].grantee_type", "CanonicalUser"),
    JS(DATA "s3_v3_inline.json", "aws_s3_bucket.granted", "encryption.rules[0].algorithm", "AES256"),
    JS(DATA "s3_v3_inline.json", "aws_s3_bucket.granted", "logging.target_bucket", "acme-logs"),
    JS(DATA "s3_v3_inline.json", "aws_s3_bucket.granted", "versioning.mfa_delete", "Enabled"),
    JB(DATA "s3_v3_inline.json", "aws_s3_bucket.granted", "website.enabled", 1),
    JS(DATA "s3_v3_inline.json", "aws_s3_bucket.plain", "versioning.status", "Suspended"),
    JA(DATA "s3_v3_inline.json", "aws_s3_bucket.plain", "encryption"),
    JA(DATA "s3_v3_inline.json", "aws_s3_bucket.plain", "logging"),
    JA(DATA "s3_v3_inline.json", "aws_s3_bucket.plain", "policy"),
    /* count and for_each: each public access block joins the bucket with its own key. */
    JB(DATA "counted.json", "aws_s3_bucket.b[\"x\"]", "public_access_block.block_public_acls", 1),
    JB(DATA "counted.json", "aws_s3_bucket.b[\"y\"]", "public_access_block.block_public_acls", 1),
    JA(DATA "counted.json", "aws_s3_bucket.b[\"z\"]", "public_access_block"),
    JB(DATA "counted.json", "aws_s3_bucket.c[0]", "public_access_block.ignore_public_acls", 1),
    /* Security group rules as separate resources, while the group id is unknown. */
    JS(DATA "network.json", "aws_security_group.web", "ingress[0].protocol", "tcp"),
    JI(DATA "network.json", "aws_security_group.web", "ingress[0].from_port", 22),
    JS(DATA "network.json", "aws_security_group.web", "ingress[0].cidrs[0]", "0.0.0.0/0"),
    JA(DATA "network.json", "aws_security_group.web", "ingress[0].source_groups"),
    JI(DATA "network.json", "aws_security_group.web", "ingress[1].to_port", 3389),
    JS(DATA "network.json", "aws_security_group.web", "egress[0].protocol", "-1"),
    JI(DATA "network.json", "aws_security_group.web", "egress[0].from_port", 0),
    JI(DATA "network.json", "aws_security_group.web", "egress[0].to_port", 65535),
    JS(DATA "network.json", "aws_security_group.web", "vpc_id", "aws_vpc.main"),
    JS(DATA "network.json", "aws_security_group.db", "ingress[0].source_groups[0]", "aws_security_group.db"),
    /* Reference identities for values decided at apply. */
    JS(DATA "network.json", "aws_wafv2_web_acl_association.front", "resource_arn", "aws_lb.front"),
    JS(DATA "network.json", "aws_wafv2_web_acl_association.front", "web_acl_arn", "aws_wafv2_web_acl.main"),
    JS(DATA "network.json", "aws_cloudtrail.main", "s3_bucket_name", "aws_s3_bucket.trail"),
    JS(DATA "network.json", "aws_cloudtrail.main", "kms_key_id", "aws_kms_key.trail"),
    JB(DATA "network.json", "aws_cloudtrail.main", "is_logging", 1),
    JS(DATA "network.json", "aws_lb.front", "scheme", "internet-facing"),
    JS(DATA "network.json", "aws_lb.back", "type", "application"),
    /* An instance takes its launch template's metadata options. */
    JS(DATA "network.json", "aws_instance.web", "metadata_options.http_tokens", "required"),
    JS(DATA "network.json", "aws_instance.web", "launch_template", "aws_launch_template.web"),
    JS(DATA "network.json", "aws_instance.legacy", "metadata_options.http_tokens", "optional"),
    JI(DATA "network.json", "aws_instance.legacy", "metadata_options.http_put_response_hop_limit", 2),
    JS(DATA "network.json", "aws_instance.legacy", "user_data", "#!/bin/sh\nexport DB_PASSWORD=hunter2hunter2\n"),
    /* IAM. */
    JS(DATA "iam.json", "aws_iam_role.app", "inline_policies[0].name", "admin"),
    JS(DATA "iam.json", "aws_iam_role.app", "inline_policies[0].document.statements[0].actions[0]", "*"),
    JS(DATA "iam.json", "aws_iam_role.app", "managed_policies[0]", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
    JB(DATA "iam.json", "aws_iam_user.dev", "password_enabled", 1),
    JB(DATA "iam.json", "aws_iam_user.dev", "access_keys[0].active", 1),
    JS(DATA "iam.json", "aws_iam_user.dev", "managed_policies[0]", "arn:aws:iam::aws:policy/AdministratorAccess"),
    JS(DATA "iam.json", "aws_iam_user.dev", "managed_policies[1]", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
    JS(DATA "iam.json", "aws_iam_group.ops", "managed_policies[0]", "aws_iam_policy.custom"),
    JB(DATA "iam.json", "aws_iam_policy.custom", "aws_managed", 0),
    JS(DATA "iam.json", "external-role", "inline_policies[0].name", "orphan"),
    JS(CORPUS "checkov_plan_with_iam_policies.json", "aws_iam_role.example", "inline_policies[0].document.statements[0].actions[0]", "iam:*"),
    JS(CORPUS "checkov_plan_with_iam_policies.json", "aws_iam_group.fail_2", "inline_policies[0].document.statements[0].actions[1]", "iam:*"),
    JS(CORPUS "checkov_plan_with_iam_policies.json", "aws_iam_user.fail_3", "inline_policies[0].name", "example"),
    JS(CORPUS "checkov_plan.json", "aws_iam_role.iam_for_eks", "managed_policies[1]", "arn:aws:iam::aws:policy/AmazonEKSServicePolicy"),
    JS(CORPUS "checkov_plan.json", "aws_iam_role.ec2role", "instance_profiles[0]", "123456789123-acme-corp-profile"),
    JS(CORPUS "checkov_plan.json", "aws_lambda_function.analysis_lambda", "role", "aws_iam_role.iam_for_lambda"),
    JS(CORPUS "checkov_plan.json", "aws_lambda_function.analysis_lambda", "environment[1].name", "secret_key"),
    JB(CORPUS "checkov_plan.json", "aws_elasticsearch_domain.monitoring-framework", "access_policy.statements[0].principal_all", 1),
    JA(CORPUS "checkov_plan.json", "aws_elasticsearch_domain.monitoring-framework", "vpc"),
    JI(CORPUS "checkov_plan.json", "aws_security_group.default", "ingress[0].from_port", 3306),
    JS(CORPUS "checkov_plan.json", "aws_security_group.default", "egress[0].cidrs[0]", "0.0.0.0/0"),
    JS(CORPUS "checkov_plan.json", "aws_s3_bucket.logs", "encryption.rules[0].kms_key_id", "aws_kms_key.logs_key"),
    JS(CORPUS "checkov_plan.json", "aws_s3_bucket.data_science", "logging.target_bucket", "aws_s3_bucket.logs"),
    JB(CORPUS "checkov_plan.json", "aws_kms_key.logs_key", "rotation_enabled", 0),
    JI(CORPUS "checkov_plan_with_child_modules.json", "module.iam_groups.aws_iam_account_password_policy.main", "minimum_length", 10),
    JI(CORPUS "checkov_plan_with_child_modules.json", "module.iam_groups.aws_iam_account_password_policy.main", "reuse_prevention", 5),
    JB(CORPUS "checkov_plan_with_child_modules.json", "module.iam_groups.aws_iam_account_password_policy.main", "require_uppercase", 1),
    /* Azure and Google Cloud storage. */
    JB(DATA "cloud_storage.json", "azurerm_storage_account.main", "allow_blob_public_access", 1),
    JB(DATA "cloud_storage.json", "azurerm_storage_account.main", "https_only", 0),
    JS(DATA "cloud_storage.json", "azurerm_storage_container.public", "public_access", "container"),
    JS(DATA "cloud_storage.json", "azurerm_storage_container.public", "storage_account", "azurerm_storage_account.main"),
    JS(DATA "cloud_storage.json", "azurerm_storage_container.private", "public_access", "none"),
    JS(DATA "cloud_storage.json", "google_storage_bucket.pub", "iam_members[0].member", "allUsers"),
    JS(DATA "cloud_storage.json", "google_storage_bucket.pub", "iam_members[1].role", "roles/storage.admin"),
    JS(DATA "cloud_storage.json", "google_storage_bucket.acl", "iam_members[1].role", "READER"),
    JS(DATA "cloud_storage.json", "google_storage_bucket.acl", "iam_members[1].member", "allUsers"),
    JS(DATA "cloud_storage.json", "google_storage_bucket.acl", "iam_members[2].member", "allAuthenticatedUsers"),
};

static void test_joins(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof join_cases / sizeof join_cases[0]; i++) {
    const join_case_t *c = &join_cases[i];
    got_t *g = adapt_path(c->path);
    assert_int_equal(0, g->errs.len);
    const cf_node_t *v = res_attr(g, c->address, c->attr);
    if (c->kind == V_ABSENT) {
      if (v) fprintf(stderr, "%s %s: %s should be absent\n", c->path, c->address, c->attr);
      assert_null(v);
    } else {
      if (!v) fprintf(stderr, "%s %s: no %s\n", c->path, c->address, c->attr);
      assert_non_null(v);
      assert_true(v->pos.line > 0);
      switch (c->kind) {
      case V_STR:
        assert_int_equal(CF_NODE_STRING, v->type);
        assert_string_equal(c->s, v->u.s);
        break;
      case V_BOOL:
        assert_int_equal(CF_NODE_BOOL, v->type);
        assert_int_equal(c->i, v->u.b);
        break;
      default:
        assert_int_equal(CF_NODE_INT, v->type);
        assert_int_equal(c->i, v->u.i);
      }
    }
    got_free(g);
  }
}

static void test_incomplete_owners(void **state) {
  (void)state;
  static const struct { const char *path, *address; bool incomplete; } cases[] = {
      {DATA "s3_split.json", "acme-legacy", true},
      {DATA "s3_split.json", "aws_s3_bucket.data", false},
      {DATA "iam.json", "external-role", true},
      {DATA "iam.json", "aws_iam_role.app", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    got_t *g = adapt_path(cases[i].path);
    const cf_resource_t *r = find_res(g, cases[i].address);
    assert_non_null(r);
    assert_int_equal(cases[i].incomplete, r->incomplete);
    got_free(g);
  }
}

/* The same joins seen through rules: a rule about a missing public access block fires only
 * on the buckets nothing configures, and not on the bucket known only in part. */
typedef struct rule_case {
  const char *path;
  const char *rule;
  size_t fires;
} rule_case_t;

static const rule_case_t rule_cases[] = {
    {DATA "s3_split.json", "resource: aws.s3.bucket\ncondition: {path: public_access_block, missing: true}\n", 2},
    {DATA "counted.json", "resource: aws.s3.bucket\ncondition: {path: public_access_block, missing: true}\n", 1},
    {DATA "s3_split.json", "resource: aws.s3.bucket\ncondition: {path: policy, policy: {statement: {principal: public}}}\n", 2},
    {DATA "network.json",
     "resource: aws.ec2.security_group\ncondition: {some: ingress, where: {all: [{path: cidrs, internet: true}, {port_includes: 22}]}}\n", 1},
    {DATA "network.json",
     "resource: aws.elbv2.load_balancer\ncondition: {not: {referenced_by: {type: aws.wafv2.web_acl_association, path: resource_arn}}}\n", 1},
    {DATA "network.json",
     "resource: aws.cloudtrail.trail\ncondition: {related: {type: aws.s3.bucket, path: s3_bucket_name, where: {path: name, equals: acme-trail}}}\n", 1},
    {DATA "iam.json", "resource: [aws.iam.user, aws.iam.role, aws.iam.group]\ncondition: {path: inline_policies.document, policy: {statement: {full_access: true}}}\n", 2},
    {DATA "iam.json", "resource: aws.iam.group\ncondition: {related: {type: aws.iam.policy, path: managed_policies, where: {path: document, policy: {statement: {full_access: true}}}}}\n", 1},
    {DATA "cloud_storage.json", "resource: gcp.storage.bucket\ncondition: {some: iam_members, where: {path: member, in: [allUsers]}}\n", 2},
    {CORPUS "checkov_plan.json", "resource: aws.s3.bucket\ncondition: {path: acl.canned, equals: public-read}\n", 1},
    {CORPUS "checkov_plan_with_child_modules.json", "resource: aws.iam.password_policy\ncondition: {path: minimum_length, lt: 14}\n", 1},
    {CORPUS "checkov_plan_with_iam_policies.json",
     "resource: [aws.iam.user, aws.iam.role, aws.iam.group]\ncondition: {path: inline_policies.document, policy: {statement: {actions: [iam:CreateAccessKey]}}}\n", 3},
};

static void test_join_rules(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof rule_cases / sizeof rule_cases[0]; i++) {
    tu_scan_t *s = tu_scan_path(rule_cases[i].path, rule_text(rule_cases[i].rule, NULL), false);
    if (tu_count(&s->report, "TEST-TF-1") != rule_cases[i].fires)
      fprintf(stderr, "rule case %zu: %zu findings\n", i, tu_count(&s->report, "TEST-TF-1"));
    assert_int_equal(0, s->report.errors.len);
    assert_rule_fires(s, "TEST-TF-1", rule_cases[i].fires);
    tu_scan_free(s);
  }
}

/* ---- deleted resources ---- */

static void test_deleted_not_scanned(void **state) {
  (void)state;
  got_t *g = adapt_path(DATA "deleted.json");
  assert_null(find_res(g, "aws_s3_bucket.old"));
  size_t swaps = 0;
  for (size_t i = 0; i < g->n; i++) swaps += strcmp(g->res[i]->address, "aws_s3_bucket.swap") == 0;
  assert_int_equal(1, swaps); /* the deposed object of the replacement is not a second bucket */
  assert_non_null(find_res(g, "aws_s3_bucket.late")); /* known only to resource_changes */
  got_free(g);
  /* old and kept are both public-read; only kept remains after the plan; late is
   * public-read-write and comes from change.after. */
  tu_scan_t *s = tu_scan_path(DATA "deleted.json",
                              rule_text("resource: aws.s3.bucket\ncondition: {path: acl.canned, in: [public-read, public-read-write]}\n", NULL),
                              false);
  assert_rule_fires(s, "TEST-TF-1", 2);
  for (size_t i = 0; i < cf_findings_count(s->report.findings); i++)
    assert_string_not_equal("aws_s3_bucket.old", cf_findings_at(s->report.findings, i)->resource);
  tu_scan_free(s);
}

/* ---- positions ---- */

typedef struct pos_case {
  const char *path, *address, *attr;
  const char *needle; /* text on the expected line */
  int nth;            /* its occurrence in the file */
} pos_case_t;

static const pos_case_t pos_cases[] = {
    /* A planned value. */
    {DATA "deleted.json", "aws_s3_bucket.kept", "acl.canned", "\"acl\": \"public-read\"", 1},
    /* A value only resource_changes has (change.after). */
    {DATA "deleted.json", "aws_s3_bucket.late", "acl.canned", "\"acl\": \"public-read-write\"", 1},
    /* Joined from a side resource: the side resource's own line. */
    {DATA "s3_split.json", "aws_s3_bucket.data", "logging.target_prefix", "\"target_prefix\": \"data/\"", 1},
    {DATA "s3_split.json", "aws_s3_bucket.data", "public_access_block.block_public_acls", "\"block_public_acls\": true", 1},
    /* Unknown: the after_unknown mark of the second instance in the file. */
    {DATA "network.json", "aws_instance.bare", "metadata_options", "\"metadata_options\": true", 2},
    /* A reference identity takes the position of the unknown value it stands for. */
    {DATA "network.json", "aws_cloudtrail.main", "s3_bucket_name", "\"s3_bucket_name\": true", 1},
    /* Computed from a planned value: the scheme from `internal`. */
    {DATA "network.json", "aws_lb.back", "scheme", "\"internal\": false", 2},
    /* Inside a policy JSON string: the string's line. */
    {CORPUS "checkov_plan.json", "aws_elasticsearch_domain.monitoring-framework", "access_policy.statements[0].principal_all",
     "\"access_policies\": \"{", 1},
    /* A plan value in a child module. */
    {CORPUS "checkov_plan_with_child_modules.json", "module.iam_groups.aws_iam_account_password_policy.main", "minimum_length",
     "\"minimum_password_length\": 10", 1},
    /* Policy rendered by a data source in prior_state. */
    {DATA "iam.json", "aws_iam_role.app", "inline_policies[0].document.statements[0]", "\"json\": \"{", 1},
};

static void test_positions(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof pos_cases / sizeof pos_cases[0]; i++) {
    const pos_case_t *c = &pos_cases[i];
    got_t *g = adapt_path(c->path);
    const cf_node_t *v = res_attr(g, c->address, c->attr);
    assert_non_null(v);
    uint32_t want = line_of(c->path, c->needle, c->nth);
    if (v->pos.line != want) fprintf(stderr, "%s %s %s: line %u, want %u\n", c->path, c->address, c->attr, v->pos.line, want);
    assert_int_equal(want, v->pos.line);
    got_free(g);
  }
  /* Resources are declared on the line of their planned address. */
  got_t *g = adapt_path(DATA "network.json");
  assert_int_equal(line_of(DATA "network.json", "\"address\": \"aws_lb.front\"", 1), find_res(g, "aws_lb.front")->pos.line);
  got_free(g);
  /* And findings report the line of the value that decided them. */
  tu_scan_t *s = tu_scan_path(DATA "deleted.json",
                              rule_text("resource: aws.s3.bucket\ncondition: {path: acl.canned, in: [public-read, public-read-write]}\n", NULL),
                              false);
  for (size_t i = 0; i < cf_findings_count(s->report.findings); i++) {
    const cf_finding_t *f = cf_findings_at(s->report.findings, i);
    const char *needle = strcmp(f->resource, "aws_s3_bucket.kept") == 0 ? "\"acl\": \"public-read\"" : "\"acl\": \"public-read-write\"";
    assert_int_equal(line_of(DATA "deleted.json", needle, 1), f->line);
  }
  tu_scan_free(s);
}

/* ---- hostile plans ---- */

static const char *const hostile[] = {
    "{\"format_version\":\"1.0\",\"planned_values\":{\"root_module\":{\"resources\":\"x\",\"child_modules\":7}}}",
    "{\"format_version\":\"1.0\",\"planned_values\":{\"root_module\":{\"resources\":[1,null,\"a\",{\"address\":5},{}]}}}",
    "{\"format_version\":\"1.0\",\"planned_values\":{\"root_module\":{\"resources\":[{\"address\":\"zzz\",\"mode\":\"managed\","
    "\"type\":\"aws_s3_bucket\",\"name\":\"b\",\"values\":{\"acl\":\"private\"}}]}}}",
    /* after_unknown shaped unlike the values */
    "{\"format_version\":\"1.0\",\"planned_values\":{\"root_module\":{\"resources\":[{\"address\":\"aws_s3_bucket.b\",\"mode\":\"managed\","
    "\"type\":\"aws_s3_bucket\",\"name\":\"b\",\"values\":{\"acl\":\"x\",\"logging\":[1],\"grant\":{\"a\":1}}}]}},"
    "\"resource_changes\":[{\"address\":\"aws_s3_bucket.b\",\"change\":{\"actions\":\"create\",\"after_unknown\":"
    "{\"acl\":{\"a\":true},\"logging\":{\"b\":[true,[true]]},\"grant\":[true],\"versioning\":[[[{\"x\":true}]]]}}}]}",
    /* references that lead nowhere, or in circles through a module variable and output */
    "{\"format_version\":\"1.0\",\"planned_values\":{\"root_module\":{\"child_modules\":[{\"address\":\"module.a\",\"resources\":["
    "{\"address\":\"module.a.aws_s3_bucket_policy.p\",\"mode\":\"managed\",\"type\":\"aws_s3_bucket_policy\",\"name\":\"p\","
    "\"values\":{\"policy\":\"{}\"}}]}]}},"
    "\"resource_changes\":[{\"address\":\"module.a.aws_s3_bucket_policy.p\",\"change\":{\"actions\":[\"create\"],\"after_unknown\":{\"bucket\":true}}}],"
    "\"configuration\":{\"root_module\":{\"resources\":[],\"module_calls\":{\"a\":{\"expressions\":{\"x\":{\"references\":"
    "[\"module.a.out\",\"var.x\",\"aws_s3_bucket.[\",\"module.\",\"var.\",\"data.\",\"module.a[\\\"unterminated\",\"aws_s3_bucket.b[\\\"a]\\\"]\"]}},"
    "\"module\":{\"outputs\":{\"out\":{\"expression\":{\"references\":[\"var.x\",\"module.a.out\"]}}},\"resources\":[{\"address\":"
    "\"aws_s3_bucket_policy.p\",\"mode\":\"managed\",\"type\":\"aws_s3_bucket_policy\",\"name\":\"p\",\"expressions\":{\"bucket\":"
    "{\"references\":[\"var.x\",\"module.a.out\",\"local.b\",\"self.x\"]}}}]}}}}}}",
    /* blocks that are not lists (found by mutation: an empty object as `logging`) */
    "{\"format_version\":\"1.0\",\"planned_values\":{\"root_module\":{\"resources\":["
    "{\"address\":\"aws_s3_bucket.b\",\"mode\":\"managed\",\"type\":\"aws_s3_bucket\",\"name\":\"b\",\"values\":"
    "{\"logging\":{},\"versioning\":\"x\",\"website\":5,\"grant\":{\"a\":1},\"server_side_encryption_configuration\":{}}},"
    "{\"address\":\"aws_instance.i\",\"mode\":\"managed\",\"type\":\"aws_instance\",\"name\":\"i\",\"values\":"
    "{\"metadata_options\":{},\"launch_template\":\"lt\",\"vpc_security_group_ids\":{}}},"
    "{\"address\":\"aws_security_group.g\",\"mode\":\"managed\",\"type\":\"aws_security_group\",\"name\":\"g\",\"values\":"
    "{\"ingress\":[1,\"x\",{\"protocol\":{},\"from_port\":\"a\",\"cidr_blocks\":{}}],\"egress\":{}}},"
    "{\"address\":\"aws_lambda_function.f\",\"mode\":\"managed\",\"type\":\"aws_lambda_function\",\"name\":\"f\",\"values\":"
    "{\"environment\":[{\"variables\":[1,{}]}]}}]}}}",
    /* a security group rule of no known direction, a policy that is not JSON, a bad container list */
    "{\"format_version\":\"1.0\",\"planned_values\":{\"root_module\":{\"resources\":["
    "{\"address\":\"aws_security_group_rule.r\",\"mode\":\"managed\",\"type\":\"aws_security_group_rule\",\"name\":\"r\","
    "\"values\":{\"type\":\"sideways\",\"security_group_id\":\"sg-1\",\"protocol\":6}},"
    "{\"address\":\"aws_iam_policy.p\",\"mode\":\"managed\",\"type\":\"aws_iam_policy\",\"name\":\"p\",\"values\":{\"policy\":\"{not json\"}},"
    "{\"address\":\"aws_ecs_task_definition.t\",\"mode\":\"managed\",\"type\":\"aws_ecs_task_definition\",\"name\":\"t\","
    "\"values\":{\"container_definitions\":\"{\\\"a\\\":1}\"}},"
    "{\"address\":\"aws_launch_template.l\",\"mode\":\"managed\",\"type\":\"aws_launch_template\",\"name\":\"l\","
    "\"values\":{\"user_data\":\"!!!notbase64\"}}]}}}",
};

static void test_hostile_plans(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
    tu_scan_t *s = tu_scan_text(".json", hostile[i], NULL, false);
    assert_int_equal(1, s->report.files);
    tu_scan_free(s);
  }
  /* Modules nested far deeper than any real configuration. */
  size_t depth = 200, cap = depth * 64 + 256;
  char *deep = malloc(cap);
  assert_non_null(deep);
  size_t n = (size_t)snprintf(deep, cap, "{\"format_version\":\"1.0\",\"planned_values\":{\"root_module\":");
  for (size_t i = 0; i < depth; i++) n += (size_t)snprintf(deep + n, cap - n, "{\"child_modules\":[");
  n += (size_t)snprintf(deep + n, cap - n, "{}");
  for (size_t i = 0; i < depth; i++) n += (size_t)snprintf(deep + n, cap - n, "]}");
  snprintf(deep + n, cap - n, "}}");
  tu_scan_t *s = tu_scan_text(".json", deep, NULL, false);
  assert_int_equal(0, s->report.resources);
  tu_scan_free(s);
  free(deep);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plans_load),
      cmocka_unit_test(test_after_unknown_is_unknown),
      cmocka_unit_test(test_unknown_rule_modes),
      cmocka_unit_test(test_joins),
      cmocka_unit_test(test_incomplete_owners),
      cmocka_unit_test(test_join_rules),
      cmocka_unit_test(test_deleted_not_scanned),
      cmocka_unit_test(test_positions),
      cmocka_unit_test(test_hostile_plans),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
