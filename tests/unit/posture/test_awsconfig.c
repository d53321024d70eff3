/*
 * test_awsconfig.c - the AWS Config adapter: configuration items in every shape Config writes
 * them (snapshot and history files, API output, select-resource-config results; objects or
 * JSON text; a double-encoded bucket ACL; URL-encoded IAM policies) become the canonical
 * resources of docs/internals/canonical.md, with positions, and deleted or unrecorded items
 * become nothing. The realistic items live in tests/data/awsconfig/; small edge cases are
 * written inline.
 */
#include <zlib.h>

#include "testutil.h"
#include "posture/model.h"

#define DATA "tests/data/awsconfig/"

/* ---- running the adapter directly ---- */

typedef struct adapted {
  cf_doc_t *doc;
  cf_arena_t *arena;
  cf_diags_t warnings;
  cf_resource_t *res[64];
  size_t n;
  char *text;
} adapted_t;

static cf_err collect(cf_adapt_ctx_t *ac, cf_resource_t *r) {
  adapted_t *a = ac->emit_ud;
  assert_true(a->n < CF_ARRAY_LEN(a->res));
  a->res[a->n++] = r;
  return CF_OK;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(0, fseek(f, 0, SEEK_END));
  long n = ftell(f);
  assert_true(n >= 0);
  rewind(f);
  char *buf = calloc(1, (size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal((size_t)n, fread(buf, 1, (size_t)n, f));
  fclose(f);
  *len = (size_t)n;
  return buf;
}

/* Adapts every item of a snapshot, history or select-resource-config text, or one item. The
 * resources stay valid until adapted_free because the adapter's arena is ours. */
static adapted_t *adapt_text(const char *text) {
  adapted_t *a = calloc(1, sizeof(*a));
  assert_non_null(a);
  a->text = strdup(text);
  cf_diag_t d;
  cf_diag_init(&d);
  cf_doc_opts_t o = {CF_DOC_JSON, 0, "items.json", false};
  cf_err e = cf_doc_parse(NULL, a->text, strlen(a->text), &o, &a->doc, &d);
  if (e) fprintf(stderr, "parse error %u:%u %s\n", d.line, d.column, d.message);
  cf_diag_cleanup(&d);
  assert_int_equal(CF_OK, e);
  cf_diags_init(&a->warnings);
  a->arena = cf__arena_new(0);
  assert_non_null(a->arena);
  cf_adapt_ctx_t ac;
  memset(&ac, 0, sizeof ac);
  ac.arena = a->arena;
  ac.path = "items.json";
  ac.errors = &a->warnings;
  ac.emit = collect;
  ac.emit_ud = a;
  ac.source = CF_SRC_AWSCONFIG;
  const cf_node_t *root = a->doc->roots[0];
  const cf_node_t *items = cf_node_get(root, "configurationItems");
  const cf_node_t *results = cf_node_get(root, "Results");
  if (items) {
    for (uint32_t i = 0; i < items->len; i++) assert_int_equal(CF_OK, cf__adapt_awsconfig_item(&ac, items->u.items[i]));
  } else if (results) {
    for (uint32_t i = 0; i < results->len; i++) {
      const cf_node_t *s = results->u.items[i];
      const cf_node_t *it = cf__parse_inner_json(&ac, s->u.s, s->len, s->pos);
      assert_non_null(it);
      assert_int_equal(CF_OK, cf__adapt_awsconfig_item(&ac, it));
    }
  } else {
    assert_int_equal(CF_OK, cf__adapt_awsconfig_item(&ac, root));
  }
  return a;
}

static adapted_t *adapt_file(const char *path) {
  size_t len;
  char *text = slurp(path, &len);
  adapted_t *a = adapt_text(text);
  free(text);
  return a;
}

static void adapted_free(adapted_t *a) {
  cf_diags_cleanup(&a->warnings);
  cf__arena_free(a->arena);
  cf_doc_free(a->doc);
  free(a->text);
  free(a);
}

/* The resource that has identity id. */
static const cf_resource_t *find(const adapted_t *a, const char *id) {
  for (size_t i = 0; i < a->n; i++)
    for (uint32_t k = 0; k < a->res[i]->n_ids; k++)
      if (strcmp(a->res[i]->ids[k], id) == 0) return a->res[i];
  return NULL;
}

/* The attribute at path as compact JSON, or NULL when absent. */
static const char *attr_json(adapted_t *a, const cf_resource_t *r, const char *path) {
  const cf_node_t *v = cf_node_at(r->attrs, path);
  return v ? cf_node_to_json(a->arena, v, 1u << 20) : NULL;
}

/* 1-based line of the first `marker` after the first `anchor` in text. */
static uint32_t line_of(const char *text, const char *anchor, const char *marker) {
  const char *p = strstr(text, anchor);
  assert_non_null(p);
  p = strstr(p, marker);
  assert_non_null(p);
  uint32_t line = 1;
  for (const char *q = text; q < p; q++)
    if (*q == '\n') line++;
  return line;
}

/* ---- canonical attributes from the realistic items ---- */

typedef struct attr_case {
  const char *file;
  const char *id;   /* an identity of the resource */
  const char *path; /* dotted attribute path */
  const char *json; /* expected value as compact JSON; NULL: absent */
} attr_case_t;

static const attr_case_t attr_cases[] = {
    /* S3: string-encoded supplementary values, the ACL encoded twice, a policy as text. */
    {"snapshot-mixed.json", "acme-public-assets", "acl.grants",
     "[{\"grantee_type\":\"CanonicalUser\",\"grantee_id\":\"7d5cdbd8a1a6b4f0b1b0b38dd1d2c3b1f00c3e1f0a4b5c6d7e8f9a0b1c2d3e4f\","
     "\"permission\":\"FULL_CONTROL\"},{\"grantee_type\":\"Group\",\"grantee_uri\":\"http://acs.amazonaws.com/groups/global/AllUsers\","
     "\"permission\":\"READ\"}]"},
    {"snapshot-mixed.json", "acme-public-assets", "policy.statements",
     "[{\"sid\":\"PublicRead\",\"effect\":\"Allow\",\"actions\":[\"s3:GetObject\"],\"resources\":[\"arn:aws:s3:::acme-public-assets/*\"],"
     "\"principals\":{\"aws\":[\"*\"]},\"principal_all\":true}]"},
    {"snapshot-mixed.json", "acme-public-assets", "public_access_block",
     "{\"block_public_acls\":false,\"ignore_public_acls\":false,\"block_public_policy\":false,\"restrict_public_buckets\":false}"},
    {"snapshot-mixed.json", "acme-public-assets", "encryption.rules", "[{\"algorithm\":\"AES256\",\"bucket_key_enabled\":false}]"},
    {"snapshot-mixed.json", "acme-public-assets", "logging", "{\"enabled\":false}"},
    {"snapshot-mixed.json", "acme-public-assets", "versioning", "{\"status\":\"Disabled\"}"},
    {"snapshot-mixed.json", "acme-public-assets", "website.enabled", "true"},
    {"snapshot-mixed.json", "acme-public-assets", "object_ownership", NULL},
    {"snapshot-mixed.json", "acme-public-assets", "tags", "{\"team\":\"web\"}"},
    {"snapshot-mixed.json", "acme-public-assets", "name", "\"acme-public-assets\""},
    /* configuration as JSON text; supplementary values as objects */
    {"snapshot-mixed.json", "acme-audit-logs", "name", "\"acme-audit-logs\""},
    {"snapshot-mixed.json", "acme-audit-logs", "object_ownership", "\"BucketOwnerPreferred\""},
    {"snapshot-mixed.json", "acme-audit-logs", "logging",
     "{\"enabled\":true,\"target_bucket\":\"acme-access-logs\",\"target_prefix\":\"audit/\"}"},
    {"snapshot-mixed.json", "acme-audit-logs", "versioning", "{\"status\":\"Enabled\",\"mfa_delete\":\"Enabled\"}"},
    {"snapshot-mixed.json", "acme-audit-logs", "encryption.rules",
     "[{\"algorithm\":\"aws:kms\",\"kms_key_id\":\"arn:aws:kms:eu-west-1:123456789012:key/1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b\","
     "\"bucket_key_enabled\":true}]"},
    {"snapshot-mixed.json", "acme-audit-logs", "policy", NULL},
    {"snapshot-mixed.json", "acme-audit-logs", "website", NULL},
    /* IAM: URL-encoded trust and inline policies; the default version of a managed policy */
    {"snapshot-mixed.json", "app-server-role", "assume_role_policy.statements",
     "[{\"effect\":\"Allow\",\"actions\":[\"sts:AssumeRole\"],\"principals\":{\"service\":[\"ec2.amazonaws.com\"]},\"principal_all\":false}]"},
    {"snapshot-mixed.json", "app-server-role", "inline_policies",
     "[{\"name\":\"break-glass\",\"document\":{\"version\":\"2012-10-17\",\"statements\":[{\"effect\":\"Allow\",\"actions\":[\"*\"],"
     "\"resources\":[\"*\"]}]}}]"},
    {"snapshot-mixed.json", "app-server-role", "managed_policies", "[\"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore\"]"},
    {"snapshot-mixed.json", "app-server-role", "instance_profiles",
     "[\"arn:aws:iam::123456789012:instance-profile/app-server-profile\"]"},
    {"snapshot-mixed.json", "ci-deploy", "document.statements",
     "[{\"effect\":\"Allow\",\"actions\":[\"cloudformation:CreateStack\",\"cloudformation:UpdateStack\"],"
     "\"resources\":[\"arn:aws:cloudformation:eu-west-1:123456789012:stack/app-*\"]}]"},
    {"snapshot-mixed.json", "ci-deploy", "aws_managed", "false"},
    {"snapshot-mixed.json", "ci-deploy", "attachment_count", "1"},
    {"snapshot-mixed.json", "alice", "groups", "[\"developers\"]"},
    {"snapshot-mixed.json", "alice", "inline_policies",
     "[{\"name\":\"reports-read\",\"document\":{\"version\":\"2012-10-17\",\"statements\":[{\"effect\":\"Allow\",\"actions\":[\"s3:GetObject\"],"
     "\"resources\":[\"arn:aws:s3:::acme-reports/*\"]}]}}]"},
    {"snapshot-mixed.json", "alice", "password_enabled", NULL}, /* Config does not know */
    /* security groups: ranges, IPv6, group pairs, prefix lists, protocol -1 */
    {"snapshot-mixed.json", "sg-0a1b2c3d4e5f60718", "ingress",
     "[{\"protocol\":\"tcp\",\"from_port\":22,\"to_port\":22,\"cidrs\":[\"0.0.0.0/0\"],\"description\":\"ssh from anywhere\"},"
     "{\"protocol\":\"tcp\",\"from_port\":443,\"to_port\":443,\"cidrs\":[\"10.0.0.0/8\"],\"ipv6_cidrs\":[\"::/0\"],"
     "\"source_groups\":[\"sg-0badc0ffee0000001\"]}]"},
    {"snapshot-mixed.json", "sg-0a1b2c3d4e5f60718", "egress",
     "[{\"protocol\":\"-1\",\"from_port\":0,\"to_port\":65535,\"cidrs\":[\"0.0.0.0/0\"],\"prefix_lists\":[\"pl-6ea54007\"]}]"},
    {"snapshot-mixed.json", "sg-0a1b2c3d4e5f60718", "vpc_id", "\"vpc-0f1e2d3c\""},
    {"snapshot-mixed.json", "i-0123456789abcdef0", "metadata_options",
     "{\"http_tokens\":\"optional\",\"http_endpoint\":\"enabled\",\"http_put_response_hop_limit\":1}"},
    {"snapshot-mixed.json", "i-0123456789abcdef0", "iam_instance_profile",
     "\"arn:aws:iam::123456789012:instance-profile/app-server-profile\""},
    {"snapshot-mixed.json", "i-0123456789abcdef0", "security_groups", "[\"sg-0a1b2c3d4e5f60718\"]"},
    {"snapshot-mixed.json", "i-0123456789abcdef0", "public_ip", "\"203.0.113.25\""},
    /* KMS: rotation from supplementaryConfiguration, written as the string "false" */
    {"snapshot-mixed.json", "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", "rotation_enabled", "false"},
    {"snapshot-mixed.json", "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", "key_manager", "\"CUSTOMER\""},
    {"snapshot-mixed.json", "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", "enabled", "true"},
    {"snapshot-mixed.json", "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", "origin", "\"AWS_KMS\""},
    {"snapshot-mixed.json", "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", "policy", NULL}, /* not recorded */
    /* Elasticsearch's Java SDK capitals; the access policy is JSON text */
    {"snapshot-services.json", "search-legacy", "access_policy.statements",
     "[{\"effect\":\"Allow\",\"actions\":[\"es:*\"],\"resources\":[\"arn:aws:es:eu-west-1:123456789012:domain/search-legacy/*\"],"
     "\"principals\":{\"aws\":[\"*\"]},\"principal_all\":true}]"},
    {"snapshot-services.json", "search-legacy", "vpc", NULL},
    {"snapshot-services.json", "search-legacy", "domain_endpoint",
     "{\"enforce_https\":false,\"tls_policy\":\"Policy-Min-TLS-1-0-2019-07\"}"},
    {"snapshot-services.json", "search-legacy", "engine_version", "\"6.8\""},
    /* OpenSearch's registry shape: PascalCase, the policy as an object */
    {"snapshot-services.json", "search-prod", "vpc",
     "{\"subnet_ids\":[\"subnet-0a1b2c3d\",\"subnet-4e5f6a7b\"],\"security_group_ids\":[\"sg-0search00000000001\"]}"},
    {"snapshot-services.json", "search-prod", "fine_grained_access_control",
     "{\"enabled\":true,\"internal_user_database\":false,\"anonymous_auth_enabled\":false}"},
    {"snapshot-services.json", "search-prod", "encryption_at_rest.enabled", "true"},
    {"snapshot-services.json", "search-prod", "node_to_node_encryption.enabled", "true"},
    /* launch template: registry shape, base64 user data decoded */
    {"snapshot-services.json", "lt-0a1b2c3d4e5f67890", "user_data",
     "\"#!/bin/bash\\nexport DB_PASSWORD=hunter2\\n/opt/worker/start\\n\""},
    {"snapshot-services.json", "lt-0a1b2c3d4e5f67890", "metadata_options",
     "{\"http_tokens\":\"required\",\"http_endpoint\":\"enabled\",\"http_put_response_hop_limit\":2}"},
    {"snapshot-services.json", "lt-0a1b2c3d4e5f67890", "version", "3"},
    {"snapshot-services.json", "lt-0a1b2c3d4e5f67890", "associate_public_ip_address", "true"},
    {"snapshot-services.json", "legacy-web-lc", "metadata_options.http_tokens", "\"optional\""},
    {"snapshot-services.json", "legacy-web-lc", "iam_instance_profile", "\"legacy-web\""},
    {"snapshot-services.json", "legacy-web-lc", "user_data", NULL}, /* empty user data */
    {"snapshot-services.json", "public-web", "scheme", "\"internet-facing\""},
    {"snapshot-services.json", "public-web", "type", "\"application\""},
    {"snapshot-services.json", "public-web", "web_acl_arn", NULL}, /* not recorded: incomplete */
    {"snapshot-services.json", "prod", "rest_api_id", "\"a1b2c3d4e5\""},
    {"snapshot-services.json", "prod", "web_acl_arn",
     "\"arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api-acl/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b\""},
    {"snapshot-services.json", "org-trail", "multi_region", "true"},
    {"snapshot-services.json", "org-trail", "log_file_validation", "false"},
    {"snapshot-services.json", "org-trail", "s3_bucket_name", "\"acme-audit-logs\""},
    {"snapshot-services.json", "org-trail", "kms_key_id", NULL},
    {"snapshot-services.json", "invoice-render", "environment",
     "[{\"name\":\"STRIPE_API_KEY\",\"value\":\"sk_live_4eC39HqLyjWDarjtT1zdp7dc\"},{\"name\":\"LOG_LEVEL\",\"value\":\"info\"}]"},
    {"snapshot-services.json", "invoice-render", "runtime", "\"python3.12\""},
    {"snapshot-services.json", "billing-worker", "containers",
     "[{\"name\":\"worker\",\"image\":\"123456789012.dkr.ecr.eu-west-1.amazonaws.com/billing:1.4.2\",\"user\":\"0\",\"privileged\":true,"
     "\"environment\":[{\"name\":\"DB_HOST\",\"value\":\"billing.cluster-abc.eu-west-1.rds.amazonaws.com\"}]}]"},
    {"snapshot-services.json", "123456789012", "block_public_policy", "false"},
    {"snapshot-services.json", "123456789012", "account_id", "\"123456789012\""},
    {"snapshot-services.json", "developers", "inline_policies",
     "[{\"name\":\"pass-any-role\",\"document\":{\"version\":\"2012-10-17\",\"statements\":[{\"effect\":\"Allow\",\"actions\":[\"iam:PassRole\"],"
     "\"resources\":[\"*\"]}]}}]"},
    /* an export with configuration, supplementaryConfiguration and tags all as JSON text */
    {"snapshot-services.json", "acme-exported", "acl.grants",
     "[{\"grantee_type\":\"CanonicalUser\",\"grantee_id\":\"7d5cdbd8a1a6b4f0b1b0b38dd1d2c3b1f00c3e1f0a4b5c6d7e8f9a0b1c2d3e4f\","
     "\"permission\":\"FULL_CONTROL\"},{\"grantee_type\":\"Group\",\"grantee_uri\":\"http://acs.amazonaws.com/groups/global/AuthenticatedUsers\","
     "\"permission\":\"WRITE\"}]"},
    {"snapshot-services.json", "acme-exported", "versioning", "{\"status\":\"Suspended\",\"mfa_delete\":\"Disabled\"}"},
    {"snapshot-services.json", "acme-exported", "tags", "{\"env\":\"prod\"}"},
    /* select-resource-config: items as JSON text, API spelling, tags as a list */
    {"select-results.json", "sg-0a1b2c3d4e5f60718", "tags", "{\"Name\":\"web\"}"},
    {"select-results.json", "sg-0a1b2c3d4e5f60718", "arn",
     "\"arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1b2c3d4e5f60718\""},
    {"select-results.json", "sg-0a1b2c3d4e5f60718", "ingress.0", NULL}, /* paths do not index */
    {"select-results.json", "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", "rotation_enabled", "false"},
};

static void test_attributes(void **state) {
  (void)state;
  const char *loaded = NULL;
  adapted_t *a = NULL;
  for (size_t i = 0; i < CF_ARRAY_LEN(attr_cases); i++) {
    const attr_case_t *c = &attr_cases[i];
    if (!loaded || strcmp(loaded, c->file) != 0) {
      if (a) adapted_free(a);
      char path[256];
      snprintf(path, sizeof path, DATA "%s", c->file);
      a = adapt_file(path);
      assert_int_equal(0, a->warnings.len);
      loaded = c->file;
    }
    const cf_resource_t *r = find(a, c->id);
    if (!r) fail_msg("%s: no resource with identity %s", c->file, c->id);
    const char *got = attr_json(a, r, c->path);
    if (!c->json && got) fail_msg("%s %s.%s: expected absent, got %s", c->file, c->id, c->path, got);
    if (c->json && (!got || strcmp(got, c->json) != 0))
      fail_msg("%s %s.%s:\n  expected %s\n  got      %s", c->file, c->id, c->path, c->json, got ? got : "(absent)");
  }
  if (a) adapted_free(a);
}

/* ---- which items become which resources ---- */

static void test_snapshot_types(void **state) {
  (void)state;
  static const struct { const char *type, *address; } want[] = {
      {"aws.s3.bucket", "arn:aws:s3:::acme-public-assets"},
      {"aws.s3.bucket", "arn:aws:s3:::acme-audit-logs"},
      /* acme-old-exports is ResourceDeleted: nothing */
      {"aws.iam.role", "arn:aws:iam::123456789012:role/app-server-role"},
      {"aws.iam.policy", "arn:aws:iam::123456789012:policy/ci-deploy"},
      {"aws.iam.user", "arn:aws:iam::123456789012:user/alice"},
      {"aws.ec2.security_group", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1b2c3d4e5f60718"},
      {"aws.ec2.instance", "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0"},
      {"aws.kms.key", "arn:aws:kms:eu-west-1:123456789012:key/1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"},
      /* AWS::EC2::Volume is not a canonical type: nothing */
  };
  adapted_t *a = adapt_file(DATA "snapshot-mixed.json");
  assert_int_equal(CF_ARRAY_LEN(want), a->n);
  for (size_t i = 0; i < a->n; i++) {
    assert_string_equal(want[i].type, a->res[i]->type);
    assert_string_equal(want[i].address, a->res[i]->address);
    assert_int_equal(CF_SRC_AWSCONFIG, a->res[i]->source);
    assert_false(a->res[i]->incomplete);
  }
  /* Identities: resourceId, resourceName and ARN, plus what others refer to (a role's
   * instance profiles). */
  const cf_resource_t *role = find(a, "AROAXAMPLE7W3EXAMPLE");
  assert_non_null(role);
  assert_ptr_equal(role, find(a, "app-server-role"));
  assert_ptr_equal(role, find(a, "arn:aws:iam::123456789012:role/app-server-role"));
  assert_ptr_equal(role, find(a, "arn:aws:iam::123456789012:instance-profile/app-server-profile"));
  adapted_free(a);
}

/* ---- small items, one decoding question each ---- */

typedef struct inline_case {
  const char *name;
  const char *item;
  const char *type;     /* canonical type expected; NULL: no resource */
  const char *path;     /* attribute to check, may be NULL */
  const char *json;     /* its expected value; NULL: absent */
  size_t warnings;
  bool incomplete;
} inline_case_t;

#define ENV(type, status) \
  "{\"configurationItemVersion\":\"1.3\",\"awsAccountId\":\"123456789012\",\"configurationItemCaptureTime\":\"2025-01-01T00:00:00.000Z\"," \
  "\"configurationItemStatus\":\"" status "\",\"resourceType\":\"" type "\",\"resourceId\":\"r-1\",\"resourceName\":\"r-1\","
#define ACL_ALLUSERS "{\\\"grantList\\\":[{\\\"grantee\\\":\\\"AllUsers\\\",\\\"permission\\\":\\\"Read\\\"}]}"

static const inline_case_t inline_cases[] = {
    {"configuration as JSON text", ENV("AWS::EC2::SecurityGroup", "OK")
     "\"configuration\":\"{\\\"groupId\\\":\\\"sg-1\\\",\\\"ipPermissions\\\":[{\\\"ipProtocol\\\":\\\"6\\\",\\\"fromPort\\\":3389,"
     "\\\"toPort\\\":3389,\\\"ipRanges\\\":[\\\"0.0.0.0/0\\\"]}]}\"}",
     "aws.ec2.security_group", "ingress", "[{\"protocol\":\"tcp\",\"from_port\":3389,\"to_port\":3389,\"cidrs\":[\"0.0.0.0/0\"]}]", 0, false},
    {"protocol number 17", ENV("AWS::EC2::SecurityGroup", "OK")
     "\"configuration\":{\"ipPermissions\":[{\"ipProtocol\":17,\"fromPort\":53,\"toPort\":53,\"ipv4Ranges\":[{\"cidrIp\":\"10.0.0.0/8\"}]}]}}",
     "aws.ec2.security_group", "ingress", "[{\"protocol\":\"udp\",\"from_port\":53,\"to_port\":53,\"cidrs\":[\"10.0.0.0/8\"]}]", 0, false},
    {"ACL encoded once", ENV("AWS::S3::Bucket", "OK")
     "\"configuration\":{\"name\":\"b\"},\"supplementaryConfiguration\":{\"AccessControlList\":\"" ACL_ALLUSERS "\"}}",
     "aws.s3.bucket", "acl.grants",
     "[{\"grantee_type\":\"Group\",\"grantee_uri\":\"http://acs.amazonaws.com/groups/global/AllUsers\",\"permission\":\"READ\"}]", 0, false},
    {"ACL encoded twice", ENV("AWS::S3::Bucket", "OK")
     "\"configuration\":{\"name\":\"b\"},\"supplementaryConfiguration\":{\"AccessControlList\":"
     "\"\\\"{\\\\\\\"grantList\\\\\\\":[{\\\\\\\"grantee\\\\\\\":\\\\\\\"AllUsers\\\\\\\",\\\\\\\"permission\\\\\\\":\\\\\\\"Write\\\\\\\"}]}\\\"\"}}",
     "aws.s3.bucket", "acl.grants",
     "[{\"grantee_type\":\"Group\",\"grantee_uri\":\"http://acs.amazonaws.com/groups/global/AllUsers\",\"permission\":\"WRITE\"}]", 0, false},
    {"grantee as identifier/typeIdentifier", ENV("AWS::S3::Bucket", "OK")
     "\"configuration\":{\"name\":\"b\"},\"supplementaryConfiguration\":{\"AccessControlList\":{\"grantList\":["
     "{\"grantee\":{\"identifier\":\"http://acs.amazonaws.com/groups/global/AuthenticatedUsers\",\"typeIdentifier\":\"uri\"},"
     "\"permission\":\"FullControl\"},{\"grantee\":{\"identifier\":\"ops@example.com\",\"typeIdentifier\":\"emailAddress\"},"
     "\"permission\":\"ReadAcp\"}]}}}",
     "aws.s3.bucket", "acl.grants",
     "[{\"grantee_type\":\"Group\",\"grantee_uri\":\"http://acs.amazonaws.com/groups/global/AuthenticatedUsers\",\"permission\":\"FULL_CONTROL\"},"
     "{\"grantee_type\":\"AmazonCustomerByEmail\",\"grantee_id\":\"ops@example.com\",\"permission\":\"READ_ACP\"}]",
     0, false},
    {"ownership controls, flat rules", ENV("AWS::S3::Bucket", "OK")
     "\"configuration\":{\"name\":\"b\"},\"supplementaryConfiguration\":{\"BucketOwnershipControls\":"
     "\"{\\\"rules\\\":[{\\\"objectOwnership\\\":\\\"BucketOwnerEnforced\\\"}]}\"}}",
     "aws.s3.bucket", "object_ownership", "\"BucketOwnerEnforced\"", 0, false},
    {"website configured but empty", ENV("AWS::S3::Bucket", "OK")
     "\"configuration\":{\"name\":\"b\"},\"supplementaryConfiguration\":{\"BucketWebsiteConfiguration\":"
     "{\"indexDocumentSuffix\":null,\"redirectAllRequestsTo\":null,\"routingRules\":[]}}}",
     "aws.s3.bucket", "website.enabled", "false", 0, false},
    {"bucket without supplementaryConfiguration is incomplete", ENV("AWS::S3::Bucket", "OK") "\"configuration\":{\"name\":\"b\"}}",
     "aws.s3.bucket", "acl", NULL, 0, true},
    {"KMS key without supplementaryConfiguration is incomplete", ENV("AWS::KMS::Key", "OK")
     "\"configuration\":{\"keyId\":\"k\",\"keyManager\":\"CUSTOMER\"}}",
     "aws.kms.key", "rotation_enabled", NULL, 0, true},
    {"KMS rotation as a boolean", ENV("AWS::KMS::Key", "OK")
     "\"configuration\":{\"keyId\":\"k\"},\"supplementaryConfiguration\":{\"KeyRotationStatus\":true}}",
     "aws.kms.key", "rotation_enabled", "true", 0, false},
    {"managed policy: default version by defaultVersionId", ENV("AWS::IAM::Policy", "OK")
     "\"ARN\":\"arn:aws:iam::aws:policy/AdministratorAccess\",\"configuration\":{\"defaultVersionId\":\"v1\",\"policyVersionList\":"
     "[{\"versionId\":\"v1\",\"document\":\"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D\"}]}}",
     "aws.iam.policy", "document.statements", "[{\"effect\":\"Allow\",\"actions\":[\"*\"],\"resources\":[\"*\"]}]", 0, false},
    {"AWS managed policy", ENV("AWS::IAM::Policy", "OK")
     "\"ARN\":\"arn:aws:iam::aws:policy/AdministratorAccess\",\"configuration\":{\"policyName\":\"AdministratorAccess\"}}",
     "aws.iam.policy", "aws_managed", "true", 0, false},
    {"binary user data stays absent", ENV("AWS::AutoScaling::LaunchConfiguration", "OK")
     "\"configuration\":{\"launchConfigurationName\":\"lc\",\"userData\":\"H4sIAAAAAAAAA0vLz1dIzEnNSy/JLwMA\"}}",
     "aws.autoscaling.launch_configuration", "user_data", NULL, 0, false},
    {"text user data is decoded", ENV("AWS::AutoScaling::LaunchConfiguration", "OK")
     "\"configuration\":{\"launchConfigurationName\":\"lc\",\"userData\":\"ZWNobyBoaQo=\"}}",
     "aws.autoscaling.launch_configuration", "user_data", "\"echo hi\\n\"", 0, false},
    {"tags as a list", ENV("AWS::EC2::Instance", "OK")
     "\"configuration\":{\"instanceId\":\"i-1\"},\"tags\":[{\"key\":\"Name\",\"value\":\"bastion\"}]}",
     "aws.ec2.instance", "tags", "{\"Name\":\"bastion\"}", 0, false},
    {"stage: rest API from the relationship", ENV("AWS::ApiGateway::Stage", "OK")
     "\"relationships\":[{\"resourceType\":\"AWS::ApiGateway::RestApi\",\"resourceId\":\"abc123\",\"relationshipName\":\"Is contained in RestApi\"}],"
     "\"configuration\":{\"stageName\":\"dev\"}}",
     "aws.apigateway.stage", "rest_api_id", "\"abc123\"", 0, false},
    {"load balancer: WAF is not recorded, so incomplete", ENV("AWS::ElasticLoadBalancingV2::LoadBalancer", "OK")
     "\"configuration\":{\"loadBalancerName\":\"lb\",\"scheme\":\"internet-facing\",\"type\":\"application\"}}",
     "aws.elbv2.load_balancer", "scheme", "\"internet-facing\"", 0, true},
    {"trail: logging status is not recorded", ENV("AWS::CloudTrail::Trail", "OK")
     "\"configuration\":{\"name\":\"t\",\"isMultiRegionTrail\":false,\"logFileValidationEnabled\":true}}",
     "aws.cloudtrail.trail", "is_logging", NULL, 0, false},
    {"malformed configuration text", ENV("AWS::EC2::Instance", "OK") "\"configuration\":\"{\\\"instanceId\\\": \"}",
     "aws.ec2.instance", "instance_id", "\"r-1\"", 1, true},
    {"ACL text that is not JSON", ENV("AWS::S3::Bucket", "OK")
     "\"configuration\":{\"name\":\"b\"},\"supplementaryConfiguration\":{\"AccessControlList\":\"{grantList\"}}",
     "aws.s3.bucket", "acl", NULL, 1, false},
    {"ResourceDeleted", ENV("AWS::EC2::Instance", "ResourceDeleted") "\"configuration\":null}", NULL, NULL, NULL, 0, false},
    {"ResourceNotRecorded", ENV("AWS::S3::Bucket", "ResourceNotRecorded") "\"configuration\":null}", NULL, NULL, NULL, 0, false},
    {"ResourceDeletedNotRecorded", ENV("AWS::IAM::Role", "ResourceDeletedNotRecorded") "\"configuration\":null}", NULL, NULL, NULL, 0, false},
    {"ResourceDiscovered", ENV("AWS::IAM::Role", "ResourceDiscovered") "\"configuration\":{\"roleName\":\"x\"}}",
     "aws.iam.role", "name", "\"x\"", 0, false},
    {"unmapped type", ENV("AWS::EC2::NetworkInterface", "OK") "\"configuration\":{}}", NULL, NULL, NULL, 0, false},
    {"item without resourceType", "{\"configuration\":{}}", NULL, NULL, NULL, 1, false},
    {"item that is not an object", "[1, 2]", NULL, NULL, NULL, 1, false},
};

static void test_inline_items(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(inline_cases); i++) {
    const inline_case_t *c = &inline_cases[i];
    adapted_t *a = adapt_text(c->item);
    if (a->warnings.len != c->warnings) fail_msg("%s: %zu warnings, expected %zu", c->name, a->warnings.len, c->warnings);
    if (!c->type) {
      if (a->n) fail_msg("%s: expected no resource, got %s", c->name, a->res[0]->type);
      adapted_free(a);
      continue;
    }
    if (a->n != 1) fail_msg("%s: expected one resource, got %zu", c->name, a->n);
    assert_string_equal(c->type, a->res[0]->type);
    if (a->res[0]->incomplete != c->incomplete) fail_msg("%s: incomplete is %d", c->name, a->res[0]->incomplete);
    if (c->path) {
      const char *got = attr_json(a, a->res[0], c->path);
      if (!c->json && got) fail_msg("%s: %s expected absent, got %s", c->name, c->path, got);
      if (c->json && (!got || strcmp(got, c->json) != 0))
        fail_msg("%s: %s\n  expected %s\n  got      %s", c->name, c->path, c->json, got ? got : "(absent)");
    }
    adapted_free(a);
  }
}

/* ---- positions ---- */

static void test_positions_direct(void **state) {
  (void)state;
  adapted_t *a = adapt_file(DATA "snapshot-mixed.json");
  /* A value parsed out of a string (the ACL, encoded twice) is where the string is. */
  const cf_resource_t *b = find(a, "acme-public-assets");
  const cf_node_t *grants = cf_node_at(b->attrs, "acl.grants");
  assert_non_null(grants);
  assert_int_equal(line_of(a->text, "\"acme-public-assets\"", "\"AccessControlList\""), grants->u.items[1]->pos.line);
  /* A value of an object configuration keeps its own line. */
  const cf_resource_t *sg = find(a, "sg-0a1b2c3d4e5f60718");
  const cf_node_t *in = cf_node_at(sg->attrs, "ingress");
  const cf_node_t *cidrs = cf_node_get(in->u.items[0], "cidrs");
  assert_int_equal(line_of(a->text, "\"groupName\": \"web-sg\"", "\"cidrIp\": \"0.0.0.0/0\""), cidrs->u.items[0]->pos.line);
  /* The resource is where its item starts. */
  assert_int_equal(line_of(a->text, "\"configurationItems\"", "{") , b->pos.line);
  adapted_free(a);
}

/* ---- through the scanner: streaming, gzip, statuses, positions of findings ---- */

static const char probe_rules[] =
    "id: T-ACL\ntitle: public ACL\nseverity: high\nthreats: [8]\nservice_models: [IaaS]\nresource: aws.s3.bucket\n"
    "condition:\n  some: acl.grants\n  where: {path: grantee_uri, equals: http://acs.amazonaws.com/groups/global/AllUsers}\n"
    "remediation:\n  text: fix\n"
    "---\n"
    "id: T-SSH\ntitle: open ssh\nseverity: high\nthreats: [3]\nservice_models: [IaaS]\nresource: aws.ec2.security_group\n"
    "condition:\n  some: ingress\n  where:\n    all:\n      - {path: \"cidrs[*]\", internet: true}\n      - {port_includes: 22}\n"
    "remediation:\n  text: fix\n"
    "---\n"
    "id: T-ADMIN\ntitle: admin inline\nseverity: high\nthreats: [1]\nservice_models: [IaaS]\nresource: [aws.iam.role, aws.iam.user]\n"
    "condition:\n  some: inline_policies\n  where: {path: document, policy: {statement: {full_access: true}}}\n"
    "remediation:\n  text: fix\n"
    "---\n"
    "id: T-ANY\ntitle: any bucket\nseverity: low\nthreats: [3]\nservice_models: [IaaS]\nresource: aws.s3.bucket\n"
    "condition: {path: name, exists: true}\nremediation:\n  text: fix\n";

static void check_probe_findings(tu_scan_t *s, const char *text, uint64_t resources) {
  assert_int_equal(0, s->report.errors.len);
  assert_int_equal(resources, s->report.resources);
  assert_true(s->report.sources_seen & (1u << CF_SRC_AWSCONFIG));
  assert_rule_fires(s, "T-ACL", 1);
  assert_rule_fires(s, "T-SSH", 1);
  assert_rule_fires(s, "T-ADMIN", 1);
  assert_rule_fires(s, "T-ANY", 2); /* the deleted bucket is not there */
  assert_int_equal(line_of(text, "\"acme-public-assets\"", "\"AccessControlList\""), tu_first(&s->report, "T-ACL")->line);
  assert_int_equal(line_of(text, "\"groupName\": \"web-sg\"", "\"cidrIp\": \"0.0.0.0/0\""), tu_first(&s->report, "T-SSH")->line);
  assert_int_equal(line_of(text, "\"roleName\": \"app-server-role\"", "\"policyDocument\""), tu_first(&s->report, "T-ADMIN")->line);
}

static void test_streamed_snapshot(void **state) {
  (void)state;
  size_t len;
  char *text = slurp(DATA "snapshot-mixed.json", &len);
  tu_scan_t *s = tu_scan_path(DATA "snapshot-mixed.json", probe_rules, false);
  check_probe_findings(s, text, 8);
  tu_scan_free(s);
  free(text);
}

static void test_gzip_history_file(void **state) {
  (void)state;
  size_t len;
  char *text = slurp(DATA "snapshot-mixed.json", &len);
  /* A history file as Config delivers it: gzip-compressed, named .json.gz. */
  char tmpl[] = "/tmp/cftest-XXXXXX_ConfigHistory.json.gz";
  int fd = mkstemps(tmpl, (int)strlen("_ConfigHistory.json.gz"));
  assert_true(fd >= 0);
  gzFile gz = gzdopen(fd, "wb");
  assert_non_null(gz);
  assert_int_equal((int)len, gzwrite(gz, text, (unsigned)len));
  assert_int_equal(Z_OK, gzclose(gz));
  tu_scan_t *s = tu_scan_path(tmpl, probe_rules, false);
  check_probe_findings(s, text, 8);
  tu_scan_free(s);
  unlink(tmpl);
  free(text);
}

static void test_select_results_scan(void **state) {
  (void)state;
  tu_scan_t *s = tu_scan_path(DATA "select-results.json", probe_rules, false);
  assert_int_equal(0, s->report.errors.len);
  assert_int_equal(2, s->report.resources);
  assert_rule_fires(s, "T-SSH", 1);
  tu_scan_free(s);
}

static void test_status_table(void **state) {
  (void)state;
  static const struct { const char *status; uint64_t resources; } cases[] = {
      {"OK", 1}, {"ResourceDiscovered", 1}, {"ResourceDeleted", 0}, {"ResourceNotRecorded", 0}, {"ResourceDeletedNotRecorded", 0}};
  for (size_t i = 0; i < CF_ARRAY_LEN(cases); i++) {
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"fileVersion\":\"1.0\",\"configSnapshotId\":\"s-1\",\"configurationItems\":[{\"configurationItemVersion\":\"1.3\","
             "\"configurationItemStatus\":\"%s\",\"resourceType\":\"AWS::S3::Bucket\",\"resourceId\":\"b\",\"resourceName\":\"b\","
             "\"ARN\":\"arn:aws:s3:::b\",\"configuration\":{\"name\":\"b\"},\"supplementaryConfiguration\":{}}]}",
             cases[i].status);
    tu_scan_t *s = tu_scan_text(".json", doc, probe_rules, false);
    if (s->report.resources != cases[i].resources)
      fail_msg("%s: %llu resources, expected %llu", cases[i].status, (unsigned long long)s->report.resources,
               (unsigned long long)cases[i].resources);
    assert_rule_fires(s, "T-ANY", (size_t)cases[i].resources);
    tu_scan_free(s);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_attributes),
      cmocka_unit_test(test_snapshot_types),
      cmocka_unit_test(test_inline_items),
      cmocka_unit_test(test_positions_direct),
      cmocka_unit_test(test_streamed_snapshot),
      cmocka_unit_test(test_gzip_history_file),
      cmocka_unit_test(test_select_results_scan),
      cmocka_unit_test(test_status_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
