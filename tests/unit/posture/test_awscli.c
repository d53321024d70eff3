/*
 * test_awscli.c - saved `aws` CLI output: which files are recognised, how each output maps to
 * canonical attributes, and how the parts of one resource saved in several files (a bucket
 * folder, a trail's status, a user in the authorization details and the credential report)
 * merge into one resource.
 *
 * Mapping is checked through the public scan with small rules, one per expectation, so the
 * tests read as "this attribute of this resource has this value" and exercise the same path
 * users do. The account tree under tests/data/awscli/account holds one realistic output of
 * every supported command.
 */
#include <sys/stat.h>

#include "testutil.h"

#define ACCOUNT "tests/data/awscli/account"
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- temporary folders ---- */

typedef struct tree {
  char root[64];
  char files[16][512];
  char dirs[16][512];
  int n_files, n_dirs;
} tree_t;

static void tree_init(tree_t *t) {
  memset(t, 0, sizeof *t);
  strcpy(t->root, "/tmp/cfawscli-XXXXXX");
  assert_non_null(mkdtemp(t->root));
}

/* Writes root/rel, creating the folders on the way. */
static void tree_add(tree_t *t, const char *rel, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", t->root, rel);
  for (char *p = path + strlen(t->root) + 1; (p = strchr(p, '/')) != NULL; p++) {
    *p = '\0';
    if (mkdir(path, 0700) == 0) {
      assert_true(t->n_dirs < 16);
      strcpy(t->dirs[t->n_dirs++], path);
    }
    *p = '/';
  }
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(strlen(text), fwrite(text, 1, strlen(text), f));
  fclose(f);
  assert_true(t->n_files < 16);
  strcpy(t->files[t->n_files++], path);
}

static void tree_free(tree_t *t) {
  for (int i = t->n_files - 1; i >= 0; i--) unlink(t->files[i]);
  for (int i = t->n_dirs - 1; i >= 0; i--) rmdir(t->dirs[i]);
  rmdir(t->root);
}

static unsigned awscli_bit(void) {
  for (unsigned k = 1; cf_source_name(k); k++)
    if (strcmp(cf_source_name(k), "aws-cli") == 0) return 1u << k;
  fail_msg("no aws-cli source");
  return 0;
}

/* A rule "T-<n>" on `type` firing on `cond`. */
static void add_rule(char *buf, size_t cap, size_t n, const char *type, const char *cond) {
  size_t len = strlen(buf);
  snprintf(buf + len, cap - len,
           "%sid: T-%zu\ntitle: t\nseverity: info\nthreats: [3]\nservice_models: [IaaS]\nresource: %s\n"
           "condition: %s\nremediation: {text: t}\n",
           len ? "---\n" : "", n, type, cond);
}

/* ---- mapping: one expectation per row, all checked in one scan of the account tree ---- */

typedef struct map_case {
  const char *type;
  const char *cond;
  size_t want; /* findings (resources satisfying cond) */
} map_case_t;

static const map_case_t map_cases[] = {
    /* s3api, one folder per bucket: eight files, one bucket */
    {"aws.s3.bucket", "{path: name, equals: public-assets-2023}", 1},
    {"aws.s3.bucket", "{path: acl.grants.grantee_uri, equals: 'http://acs.amazonaws.com/groups/global/AllUsers'}", 1},
    {"aws.s3.bucket", "{some: acl.grants, where: {all: [{path: grantee_type, equals: CanonicalUser}, {path: permission, equals: FULL_CONTROL}, {path: grantee_id, exists: true}]}}", 1},
    {"aws.s3.bucket", "{path: policy, policy: {statement: {principal: public, actions: ['s3:GetObject'], unrestricted: true}}}", 1},
    {"aws.s3.bucket", "{path: encryption.rules.algorithm, equals: AES256}", 1},
    {"aws.s3.bucket", "{path: encryption.rules.bucket_key_enabled, equals: false}", 1},
    {"aws.s3.bucket", "{path: logging.enabled, equals: false}", 1},
    {"aws.s3.bucket", "{path: public_access_block.block_public_acls, equals: false}", 1},
    {"aws.s3.bucket", "{path: public_access_block.restrict_public_buckets, equals: false}", 1},
    {"aws.s3.bucket", "{path: versioning.status, equals: Suspended}", 1},
    {"aws.s3.bucket", "{path: versioning.mfa_delete, equals: Disabled}", 1},
    {"aws.s3.bucket", "{path: object_ownership, equals: BucketOwnerPreferred}", 1},
    {"aws.s3.bucket", "{path: website.enabled, equals: true}", 1},
    /* s3control: the folder named s3control is the account, not a bucket */
    {"aws.s3.account_public_access_block", "{all: [{path: block_public_acls, equals: true}, {path: restrict_public_buckets, equals: true}]}", 1},
    {"aws.s3.bucket", "{path: name, equals: s3control}", 0},
    /* ec2 describe-instances */
    {"aws.ec2.instance", "{path: instance_id, equals: i-0598c7d356eba48d7}", 1},
    {"aws.ec2.instance", "{path: name, equals: waf-proxy-1}", 1},
    {"aws.ec2.instance", "{path: tags.Name, equals: waf-proxy-1}", 1},
    {"aws.ec2.instance", "{path: metadata_options.http_tokens, equals: optional}", 1},
    {"aws.ec2.instance", "{path: metadata_options.http_endpoint, equals: enabled}", 1},
    {"aws.ec2.instance", "{path: metadata_options.http_put_response_hop_limit, equals: 1}", 1},
    {"aws.ec2.instance", "{path: iam_instance_profile, equals: 'arn:aws:iam::123456789012:instance-profile/waf-proxy'}", 1},
    {"aws.ec2.instance", "{path: public_ip, equals: 54.210.167.204}", 1},
    {"aws.ec2.instance", "{path: security_groups, contains: sg-0b0384b66d7d692f9}", 1},
    /* the instance's profile leads to the role and its inline policy */
    {"aws.ec2.instance", "{related: {type: aws.iam.role, path: iam_instance_profile, where: {some: inline_policies, where: {path: document, policy: {statement: {action_wildcard: true}}}}}}", 1},
    /* ec2 describe-security-groups */
    {"aws.ec2.security_group", "{all: [{path: group_id, equals: sg-0b0384b66d7d692f9}, {path: name, equals: web}, {path: vpc_id, equals: vpc-1234567890abcdef0}]}", 1},
    {"aws.ec2.security_group", "{some: ingress, where: {all: [{path: 'cidrs[*]', internet: true}, {port_includes: 22}, {path: protocol, equals: tcp}, {path: description, equals: ssh from anywhere}]}}", 1},
    {"aws.ec2.security_group", "{some: ingress, where: {all: [{path: protocol, equals: '-1'}, {path: from_port, equals: 0}, {path: to_port, equals: 65535}, {path: source_groups, contains: sg-0b0384b66d7d692f9}]}}", 1},
    {"aws.ec2.security_group", "{some: egress, where: {path: 'ipv6_cidrs[*]', internet: true}}", 1},
    /* launch templates: the default version (2), not the latest (3) */
    {"aws.ec2.launch_template", "{path: launch_template_id, exists: true}", 2},
    {"aws.ec2.launch_template", "{all: [{path: name, equals: web-fleet}, {path: version, equals: 2}, {path: metadata_options.http_tokens, equals: required}]}", 1},
    {"aws.ec2.launch_template", "{path: metadata_options.http_tokens, equals: optional}", 0},
    {"aws.ec2.launch_template", "{path: metadata_options.http_put_response_hop_limit, equals: 2}", 1},
    {"aws.ec2.launch_template", "{path: user_data, contains: 'echo hello > /tmp/hello'}", 1},
    {"aws.ec2.launch_template", "{path: iam_instance_profile, equals: web-fleet}", 1},
    {"aws.ec2.launch_template", "{path: associate_public_ip_address, equals: true}", 1},
    /* "batch" is known only from describe-launch-templates: its options are unknown, not unset */
    {"aws.ec2.launch_template", "{path: metadata_options.http_tokens, missing: true}", 0},
    /* ...while web-fleet, completed by its versions, is judged on what it says */
    {"aws.ec2.launch_template", "{all: [{path: name, equals: web-fleet}, {path: tags, missing: true}]}", 1},
    /* autoscaling describe-launch-configurations */
    {"aws.autoscaling.launch_configuration", "{all: [{path: name, equals: legacy-web}, {path: metadata_options.http_tokens, equals: optional}]}", 1},
    {"aws.autoscaling.launch_configuration", "{all: [{path: associate_public_ip_address, equals: true}, {path: iam_instance_profile, equals: legacy-web}]}", 1},
    {"aws.autoscaling.launch_configuration", "{path: user_data, exists: true}", 0},
    {"aws.autoscaling.launch_configuration", "{path: security_groups, contains: sg-0b0384b66d7d692f9}", 1},
    /* iam get-account-authorization-details (users merged with the credential report) */
    {"aws.iam.user", "{path: name, exists: true}", 2},
    {"aws.iam.user", "{all: [{path: groups, contains: developers}, {path: mfa_active, equals: false}, {path: password_enabled, equals: true}]}", 1},
    {"aws.iam.user", "{some: inline_policies, where: {all: [{path: name, equals: inline-admin}, {path: document, policy: {statement: {full_access: true}}}]}}", 1},
    {"aws.iam.user", "{path: managed_policies, contains: 'arn:aws:iam::aws:policy/ReadOnlyAccess'}", 1},
    {"aws.iam.user", "{path: arn, equals: 'arn:aws:iam::123456789012:user/deploy'}", 1},
    {"aws.iam.group", "{some: inline_policies, where: {path: document, policy: {statement: {actions: ['iam:PassRole']}}}}", 1},
    {"aws.iam.role", "{path: assume_role_policy.statements.principals.service, contains: ec2.amazonaws.com}", 1},
    {"aws.iam.role", "{path: instance_profiles, contains: waf-proxy}", 1},
    {"aws.iam.policy", "{all: [{path: name, equals: ci-deploy}, {path: document, policy: {statement: {full_access: true}}}, {path: aws_managed, equals: false}, {path: attachment_count, equals: 1}]}", 1},
    {"aws.iam.password_policy", "{all: [{path: minimum_length, lt: 14}, {path: require_symbols, equals: false}, {path: require_numbers, equals: true}, {path: allow_users_to_change, equals: true}]}", 1},
    {"aws.iam.password_policy", "{any: [{path: max_age_days, exists: true}, {path: reuse_prevention, exists: true}, {path: hard_expiry, exists: true}]}", 0},
    /* the credential report */
    {"aws.iam.root_account", "{all: [{path: mfa_active, equals: false}, {path: arn, equals: 'arn:aws:iam::123456789012:root'}]}", 1},
    {"aws.iam.root_account", "{path: password_enabled, exists: true}", 0},
    {"aws.iam.root_account", "{some: access_keys, where: {all: [{path: id, equals: access_key_1}, {path: active, equals: true}, {path: last_used, exists: true}]}}", 1},
    {"aws.iam.root_account", "{count: access_keys, equals: 1}", 1},
    {"aws.iam.user", "{count: access_keys, equals: 2}", 1},
    {"aws.iam.user", "{some: access_keys, where: {all: [{path: active, equals: true}, {path: last_used, missing: true}, {path: last_rotated, older_than_days: 90}]}}", 1},
    {"aws.iam.user", "{all: [{path: password_enabled, equals: false}, {path: password_last_used, missing: true}]}", 1},
    {"aws.iam.user", "{path: password_last_used, newer_than_days: 30}", 1},
    /* opensearch describe-domains, es describe-elasticsearch-domains */
    {"aws.opensearch.domain", "{all: [{path: vpc, missing: true}, {path: access_policy, policy: {statement: {principal: public}}}]}", 1},
    {"aws.opensearch.domain", "{all: [{path: name, equals: orders}, {path: engine_version, equals: '7.10'}, {path: vpc.subnet_ids, contains: subnet-04a636d18e83cfacb}, {path: access_policy, missing: true}]}", 1},
    {"aws.opensearch.domain", "{all: [{path: encryption_at_rest.enabled, equals: false}, {path: node_to_node_encryption.enabled, equals: false}, {path: domain_endpoint.enforce_https, equals: false}, {path: fine_grained_access_control.enabled, equals: false}]}", 1},
    {"aws.opensearch.domain", "{path: domain_endpoint.tls_policy, equals: Policy-Min-TLS-1-2-2019-07}", 1},
    /* elbv2 describe-load-balancers with wafv2 list-resources-for-web-acl */
    {"aws.elbv2.load_balancer", "{all: [{path: scheme, equals: internet-facing}, {path: type, equals: application}]}", 2},
    {"aws.elbv2.load_balancer", "{not: {referenced_by: {type: aws.wafv2.web_acl_association, path: resource_arn}}}", 1},
    {"aws.wafv2.web_acl_association", "{path: web_acl_name, equals: prod-web-acl}", 1},
    /* apigateway get-stages, REST API id from the folder */
    {"aws.apigateway.stage", "{path: rest_api_id, equals: a1b2c3d4e5}", 2},
    {"aws.apigateway.stage", "{all: [{path: name, equals: test}, {path: web_acl_arn, missing: true}]}", 1},
    /* cloudtrail describe-trails + get-trail-status in the trail's folder: one trail */
    {"aws.cloudtrail.trail", "{path: name, exists: true}", 1},
    {"aws.cloudtrail.trail", "{all: [{path: is_logging, equals: false}, {path: multi_region, equals: true}, {path: log_file_validation, equals: false}, {path: s3_bucket_name, equals: org-trail-logs-123456789012}]}", 1},
    {"aws.cloudtrail.trail", "{path: kms_key_id, missing: true}", 1},
    /* kms: describe-key, get-key-rotation-status and get-key-policy in the key's folder */
    {"aws.kms.key", "{path: key_id, exists: true}", 1},
    {"aws.kms.key", "{all: [{path: rotation_enabled, equals: false}, {path: key_manager, equals: CUSTOMER}, {path: key_spec, equals: SYMMETRIC_DEFAULT}, {path: enabled, equals: true}]}", 1},
    {"aws.kms.key", "{path: policy.statements.principals.aws, contains: 'arn:aws:iam::123456789012:root'}", 1},
    /* lambda list-functions, ecs describe-task-definition */
    {"aws.lambda.function", "{all: [{path: runtime, equals: python3.7}, {some: environment, where: {all: [{path: name, equals: AWS_SECRET_ACCESS_KEY}, {path: value, exists: true}]}}]}", 1},
    {"aws.lambda.function", "{path: role, equals: 'arn:aws:iam::123456789012:role/thumbnailer'}", 1},
    {"aws.ecs.task_definition", "{all: [{path: family, equals: web}, {some: containers, where: {all: [{path: privileged, equals: true}, {path: user, equals: root}, {path: image, equals: 'nginx:1.25'}]}}]}", 1},
    {"aws.ecs.task_definition", "{some: containers.environment, where: {all: [{path: name, equals: MODE}, {path: value, equals: production}]}}", 1},
};

static void test_account_mapping(void **state) {
  (void)state;
  size_t cap = 128 * 1024;
  char *rules = calloc(1, cap);
  assert_non_null(rules);
  for (size_t i = 0; i < N_OF(map_cases); i++) add_rule(rules, cap, i, map_cases[i].type, map_cases[i].cond);
  tu_scan_t *s = tu_scan_path(ACCOUNT, rules, false);
  for (size_t i = 0; i < s->report.errors.len; i++)
    print_error("input error: %s:%u: %s\n", s->report.errors.items[i].file, s->report.errors.items[i].line, s->report.errors.items[i].message);
  assert_int_equal(0, s->report.errors.len);
  int bad = 0;
  for (size_t i = 0; i < N_OF(map_cases); i++) {
    char id[32];
    snprintf(id, sizeof id, "T-%zu", i);
    size_t got = tu_count(&s->report, id);
    if (got != map_cases[i].want) {
      print_error("case %zu %s %s: %zu findings, expected %zu\n", i, map_cases[i].type, map_cases[i].cond, got, map_cases[i].want);
      bad++;
    }
  }
  /* Each resource is counted once however many files describe it: 1 bucket, 1 account block,
   * 1 instance, 1 group, 2 templates, 1 configuration, 2 users, 1 root, 1 IAM group, 1 role,
   * 1 policy, 1 password policy, 2 domains, 2 load balancers, 1 association, 2 stages,
   * 1 trail, 1 key, 1 function, 1 task definition. */
  assert_int_equal(25, s->report.resources);
  assert_true(s->report.sources_seen & awscli_bit());
  tu_scan_free(s);
  free(rules);
  assert_int_equal(0, bad);
}

/* ---- recognition ---- */

typedef struct recog_case {
  const char *rel;     /* path under a fresh folder */
  const char *text;
  bool recognised;
  unsigned resources;
} recog_case_t;

static const recog_case_t recog_cases[] = {
    {"b1/get-bucket-acl.json", "{\"Owner\": {\"ID\": \"abc\"}, \"Grants\": []}", true, 1},
    {"b1/get-bucket-policy.json", "{\"Policy\": \"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[]}\"}", true, 1},
    {"b1/get-bucket-encryption.json", "{\"ServerSideEncryptionConfiguration\": {\"Rules\": []}}", true, 1},
    {"b1/get-bucket-logging.json", "{\"LoggingEnabled\": {\"TargetBucket\": \"logs\", \"TargetPrefix\": \"b1/\"}}", true, 1},
    {"b1/get-bucket-logging.json", "{}", true, 1},
    {"b1/get-bucket-logging.json", "", true, 1},
    {"b1/get-bucket-versioning.json", "{\"Status\": \"Enabled\"}", true, 1},
    {"b1/get-bucket-versioning.json", "\n", true, 1},
    {"b1/get-public-access-block.json", "{\"PublicAccessBlockConfiguration\": {\"BlockPublicAcls\": true}}", true, 1},
    {"b1/get-bucket-ownership-controls.json", "{\"OwnershipControls\": {\"Rules\": [{\"ObjectOwnership\": \"BucketOwnerEnforced\"}]}}", true, 1},
    {"b1/get-bucket-website.json", "{\"IndexDocument\": {\"Suffix\": \"index.html\"}}", true, 1},
    {"s3control/get-public-access-block.json", "{\"PublicAccessBlockConfiguration\": {\"BlockPublicAcls\": true}}", true, 1},
    {"x/account-public-access-block-123456789012.json", "{\"PublicAccessBlockConfiguration\": {}}", true, 1},
    {"describe-instances.json", "{\"Reservations\": [{\"Instances\": [{\"InstanceId\": \"i-1\"}, {\"InstanceId\": \"i-2\"}]}]}", true, 2},
    {"describe-instances.json", "{\"Reservations\": []}", true, 0},
    {"describe-security-groups.json", "{\"SecurityGroups\": [{\"GroupId\": \"sg-1\", \"GroupName\": \"a\"}]}", true, 1},
    {"describe-launch-templates.json", "{\"LaunchTemplates\": [{\"LaunchTemplateId\": \"lt-1\", \"LaunchTemplateName\": \"a\"}]}", true, 1},
    {"describe-launch-template-versions.json", "{\"LaunchTemplateVersions\": [{\"LaunchTemplateId\": \"lt-1\", \"VersionNumber\": 1, \"LaunchTemplateData\": {}}, {\"LaunchTemplateId\": \"lt-1\", \"VersionNumber\": 2, \"LaunchTemplateData\": {}}]}", true, 1},
    {"describe-launch-configurations.json", "{\"LaunchConfigurations\": [{\"LaunchConfigurationName\": \"lc\"}]}", true, 1},
    {"get-account-authorization-details.json", "{\"UserDetailList\": [], \"GroupDetailList\": [], \"RoleDetailList\": [{\"RoleName\": \"r\", \"Arn\": \"arn:aws:iam::1:role/r\"}], \"Policies\": []}", true, 1},
    {"get-account-password-policy.json", "{\"PasswordPolicy\": {\"MinimumPasswordLength\": 14}}", true, 1},
    {"describe-domains.json", "{\"DomainStatusList\": [{\"DomainName\": \"d\"}]}", true, 1},
    {"describe-domain.json", "{\"DomainStatus\": {\"DomainName\": \"d\"}}", true, 1},
    {"describe-load-balancers.json", "{\"LoadBalancers\": [{\"LoadBalancerArn\": \"arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/1\"}]}", true, 1},
    {"api1/get-stages.json", "{\"item\": [{\"stageName\": \"prod\"}]}", true, 1},
    {"api1/get-stages.json", "{\"item\": []}", true, 0},
    {"acl1/list-resources-for-web-acl.json", "{\"ResourceArns\": []}", true, 0},
    {"describe-trails.json", "{\"trailList\": [{\"Name\": \"t\"}]}", true, 1},
    {"t/get-trail-status.json", "{\"IsLogging\": true}", true, 1},
    {"k/describe-key.json", "{\"KeyMetadata\": {\"KeyId\": \"k\"}}", true, 1},
    {"k/get-key-rotation-status.json", "{\"KeyRotationEnabled\": true}", true, 1},
    {"k/get-key-policy.json", "{\"Policy\": \"{}\", \"PolicyName\": \"default\"}", true, 1},
    {"list-functions.json", "{\"Functions\": [{\"FunctionName\": \"f\"}]}", true, 1},
    {"describe-task-definition.json", "{\"taskDefinition\": {\"family\": \"f\", \"containerDefinitions\": []}}", true, 1},
    {"get-credential-report.json", "{\"Content\": \"dXNlcixhcm4K\", \"ReportFormat\": \"text/csv\"}", true, 0},
    /* not CLI output */
    {"b1/config.json", "{}", false, 0},
    {"b1/notes.json", "", false, 0},
    {"package.json", "{\"name\": \"web\", \"version\": \"1.0.0\", \"dependencies\": {}}", false, 0},
    {"fn/get-policy.json", "{\"Policy\": \"{}\", \"RevisionId\": \"4843f2f6-7c59-4fda-b484-afd0bc0e22b8\"}", false, 0},
    {"status.json", "{\"Status\": \"Enabled\", \"Owner\": \"me\"}", false, 0},
    {"list.json", "[{\"InstanceId\": \"i-1\"}]", false, 0},
    {"items.json", "{\"items\": [{\"id\": \"abc\"}]}", false, 0},
};

static void test_recognition(void **state) {
  (void)state;
  unsigned bit = awscli_bit();
  int bad = 0;
  for (size_t i = 0; i < N_OF(recog_cases); i++) {
    const recog_case_t *c = &recog_cases[i];
    tree_t t;
    tree_init(&t);
    tree_add(&t, c->rel, c->text);
    tu_scan_t *s = tu_scan_path(t.root, NULL, false);
    bool seen = (s->report.sources_seen & bit) != 0;
    if (seen != c->recognised || s->report.resources != c->resources || s->report.errors.len) {
      print_error("case %zu %s: recognised %d (want %d), %llu resources (want %u), %zu errors%s%s\n", i, c->rel, seen,
                  c->recognised, (unsigned long long)s->report.resources, c->resources, s->report.errors.len,
                  s->report.errors.len ? ": " : "", s->report.errors.len ? s->report.errors.items[0].message : "");
      bad++;
    }
    tu_scan_free(s);
    tree_free(&t);
  }
  assert_int_equal(0, bad);
}

/* A file named on the command line that is not CLI output is reported, not silently taken. */
static void test_unrecognised_explicit_file(void **state) {
  (void)state;
  tu_scan_t *s = tu_scan_text(".json", "{\"Owner\": \"me\", \"Status\": \"Enabled\"}", NULL, false);
  assert_int_equal(0, s->report.resources);
  assert_int_equal(1, s->report.errors.len);
  assert_non_null(strstr(s->report.errors.items[0].message, "not a recognised input"));
  tu_scan_free(s);
}

/* ---- merging ---- */

static const char ACL_PUBLIC[] =
    "{\"Owner\": {\"ID\": \"o\"}, \"Grants\": [{\"Grantee\": {\"Type\": \"Group\", \"URI\": "
    "\"http://acs.amazonaws.com/groups/global/AllUsers\"}, \"Permission\": \"READ\"}]}";
static const char VERSIONING_ON[] = "{\"Status\": \"Enabled\", \"MFADelete\": \"Disabled\"}";
static const char PAB_OFF[] =
    "{\"PublicAccessBlockConfiguration\": {\"BlockPublicAcls\": false, \"IgnorePublicAcls\": false, "
    "\"BlockPublicPolicy\": false, \"RestrictPublicBuckets\": false}}";

static void test_bucket_folders_merge(void **state) {
  (void)state;
  tree_t t;
  tree_init(&t);
  /* Two buckets: one described by four files, one by a single file. */
  tree_add(&t, "s3/media/get-bucket-acl.json", ACL_PUBLIC);
  tree_add(&t, "s3/media/get-bucket-versioning.json", VERSIONING_ON);
  tree_add(&t, "s3/media/get-public-access-block.json", PAB_OFF);
  tree_add(&t, "s3/media/get-bucket-logging.json", "");
  tree_add(&t, "s3/backups/get-bucket-versioning.json", "");
  const char *rules =
      "id: T-ALL\ntitle: t\nseverity: info\nthreats: [3]\nservice_models: [IaaS]\nresource: aws.s3.bucket\n"
      "condition: {all: [{path: acl.grants.grantee_uri, exists: true}, {path: versioning.status, equals: Enabled},"
      " {path: public_access_block.ignore_public_acls, equals: false}, {path: logging.enabled, equals: false}]}\n"
      "remediation: {text: t}\n---\n"
      "id: T-UNVERSIONED\ntitle: t\nseverity: info\nthreats: [3]\nservice_models: [IaaS]\nresource: aws.s3.bucket\n"
      "condition: {all: [{path: name, equals: backups}, {path: versioning.status, equals: Disabled}, {path: acl, missing: true}]}\n"
      "remediation: {text: t}\n---\n"
      "id: T-GRANT\ntitle: t\nseverity: info\nthreats: [3]\nservice_models: [IaaS]\nresource: aws.s3.bucket\n"
      "condition: {path: acl.grants.grantee_uri, exists: true}\nremediation: {text: t}\n";
  tu_scan_t *s = tu_scan_path(t.root, rules, false);
  assert_int_equal(0, s->report.errors.len);
  assert_int_equal(2, s->report.resources);
  assert_rule_fires(s, "T-ALL", 1);
  assert_rule_fires(s, "T-UNVERSIONED", 1);
  /* The finding points at the file and line of the grant that decided it. */
  const cf_finding_t *f = tu_first(&s->report, "T-GRANT");
  assert_non_null(f);
  assert_non_null(strstr(f->file, "media/get-bucket-acl.json"));
  assert_int_equal(1, f->line);
  tu_scan_free(s);
  tree_free(&t);
}

/* A resource saved in two exports (Monday's and Tuesday's) is one resource. */
static void test_repeated_exports_counted_once(void **state) {
  (void)state;
  static const char *const days[] = {"monday", "tuesday"};
  static const struct { const char *rel, *text; } files[] = {
      {"s3/media/get-bucket-acl.json", ACL_PUBLIC},
      {"ec2/describe-instances.json",
       "{\"Reservations\": [{\"Instances\": [{\"InstanceId\": \"i-0abc\", \"MetadataOptions\": {\"HttpTokens\": \"optional\", "
       "\"HttpEndpoint\": \"enabled\", \"HttpPutResponseHopLimit\": 1}}]}]}"},
      {"ec2/describe-security-groups.json",
       "{\"SecurityGroups\": [{\"GroupId\": \"sg-0abc\", \"GroupName\": \"web\", \"IpPermissions\": [{\"IpProtocol\": \"tcp\", "
       "\"FromPort\": 22, \"ToPort\": 22, \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}]}]}"},
      {"lambda/list-functions.json",
       "{\"Functions\": [{\"FunctionName\": \"f\", \"FunctionArn\": \"arn:aws:lambda:us-east-1:123456789012:function:f\"}]}"},
  };
  tree_t t;
  tree_init(&t);
  for (size_t d = 0; d < N_OF(days); d++)
    for (size_t i = 0; i < N_OF(files); i++) {
      char rel[256];
      snprintf(rel, sizeof rel, "%s/%s", days[d], files[i].rel);
      tree_add(&t, rel, files[i].text);
    }
  char rules[4096] = "";
  add_rule(rules, sizeof rules, 1, "aws.s3.bucket", "{path: acl.grants.grantee_uri, exists: true}");
  add_rule(rules, sizeof rules, 2, "aws.ec2.instance", "{path: metadata_options.http_tokens, equals: optional}");
  add_rule(rules, sizeof rules, 3, "aws.ec2.security_group", "{some: ingress, where: {path: 'cidrs[*]', internet: true}}");
  add_rule(rules, sizeof rules, 4, "aws.lambda.function", "{path: name, equals: f}");
  tu_scan_t *s = tu_scan_path(t.root, rules, false);
  assert_int_equal(0, s->report.errors.len);
  assert_int_equal(4, s->report.resources);
  assert_rule_fires(s, "T-1", 1);
  assert_rule_fires(s, "T-2", 1);
  assert_rule_fires(s, "T-3", 1);
  assert_rule_fires(s, "T-4", 1);
  tu_scan_free(s);
  tree_free(&t);
}

/* Users of two accounts that happen to share a name stay two users. */
static void test_same_name_two_accounts(void **state) {
  (void)state;
  static const char head[] = "user,arn,user_creation_time,password_enabled,password_last_used,mfa_active\n";
  tree_t t;
  tree_init(&t);
  char csv[512];
  snprintf(csv, sizeof csv, "%sadmin,arn:aws:iam::111111111111:user/admin,2020-01-01T00:00:00+00:00,true,N/A,false\n", head);
  tree_add(&t, "prod/credential-report.csv", csv);
  snprintf(csv, sizeof csv, "%sadmin,arn:aws:iam::222222222222:user/admin,2020-01-01T00:00:00+00:00,true,N/A,true\n", head);
  tree_add(&t, "dev/credential-report.csv", csv);
  char rules[1024] = "";
  add_rule(rules, sizeof rules, 1, "aws.iam.user", "{all: [{path: password_enabled, equals: true}, {path: mfa_active, equals: false}]}");
  tu_scan_t *s = tu_scan_path(t.root, rules, false);
  assert_int_equal(0, s->report.errors.len);
  assert_int_equal(2, s->report.resources);
  assert_rule_fires(s, "T-1", 1);
  tu_scan_free(s);
  tree_free(&t);
}

static const char AUTH_DETAILS[] =
    "{\"UserDetailList\": [\n"
    "  {\"UserName\": \"carol\", \"UserId\": \"AIDAEXAMPLE1\", \"Arn\": \"arn:aws:iam::123456789012:user/carol\",\n"
    "   \"GroupList\": [\"admins\"], \"UserPolicyList\": [], \"AttachedManagedPolicies\": [\n"
    "     {\"PolicyName\": \"AdministratorAccess\", \"PolicyArn\": \"arn:aws:iam::aws:policy/AdministratorAccess\"}]},\n"
    "  {\"UserName\": \"dave\", \"UserId\": \"AIDAEXAMPLE2\", \"Arn\": \"arn:aws:iam::123456789012:user/dave\",\n"
    "   \"GroupList\": [], \"UserPolicyList\": [], \"AttachedManagedPolicies\": []}],\n"
    " \"GroupDetailList\": [], \"RoleDetailList\": [], \"Policies\": []}\n";

static const char CRED_REPORT[] =
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
    "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
    "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
    "cert_2_last_rotated\n"
    "<root_account>,arn:aws:iam::123456789012:root,2018-01-01T00:00:00+00:00,not_supported,no_information,"
    "not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    "carol,arn:aws:iam::123456789012:user/carol,2019-01-01T00:00:00+00:00,true,2025-05-01T00:00:00+00:00,"
    "2019-01-01T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    "erin,arn:aws:iam::123456789012:user/erin,2019-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,"
    "N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";

static void test_users_merge_across_sources(void **state) {
  (void)state;
  tree_t t;
  tree_init(&t);
  tree_add(&t, "iam/get-account-authorization-details.json", AUTH_DETAILS);
  tree_add(&t, "iam/credential-report.csv", CRED_REPORT);
  const char *rules =
      "id: T-ADMIN-NO-MFA\ntitle: t\nseverity: info\nthreats: [1]\nservice_models: [IaaS]\nresource: aws.iam.user\n"
      "condition: {all: [{path: managed_policies, contains: 'arn:aws:iam::aws:policy/AdministratorAccess'},"
      " {path: password_enabled, equals: true}, {path: mfa_active, equals: false}]}\n"
      "remediation: {text: t}\n---\n"
      "id: T-USERS\ntitle: t\nseverity: info\nthreats: [1]\nservice_models: [IaaS]\nresource: aws.iam.user\n"
      "condition: {path: arn, exists: true}\nremediation: {text: t}\n---\n"
      "id: T-ROOT-MFA\ntitle: t\nseverity: info\nthreats: [1]\nservice_models: [IaaS]\nresource: aws.iam.root_account\n"
      "condition: {all: [{path: mfa_active, equals: true}, {path: password_last_used, missing: true}, {path: access_keys, missing: true}]}\n"
      "remediation: {text: t}\n";
  tu_scan_t *s = tu_scan_path(t.root, rules, false);
  assert_int_equal(0, s->report.errors.len);
  /* carol (both files), dave (authorization details), erin (report), the root account. */
  assert_int_equal(4, s->report.resources);
  assert_rule_fires(s, "T-ADMIN-NO-MFA", 1);
  assert_rule_fires(s, "T-USERS", 3);
  assert_rule_fires(s, "T-ROOT-MFA", 1);
  tu_scan_free(s);
  tree_free(&t);
}

/* get-trail-status alone knows only whether the trail logs: the rest is unknown. */
static void test_status_part_alone_is_incomplete(void **state) {
  (void)state;
  tree_t t;
  tree_init(&t);
  tree_add(&t, "cloudtrail/main/get-trail-status.json", "{\"IsLogging\": true}");
  tree_add(&t, "kms/k1/get-key-rotation-status.json", "{\"KeyRotationEnabled\": false}");
  const char *rules =
      "id: T-NOVALIDATION\ntitle: t\nseverity: info\nthreats: [3]\nservice_models: [IaaS]\nresource: aws.cloudtrail.trail\n"
      "condition: {path: log_file_validation, missing: true}\nremediation: {text: t}\nunknown: report\n---\n"
      "id: T-LOGGING\ntitle: t\nseverity: info\nthreats: [3]\nservice_models: [IaaS]\nresource: aws.cloudtrail.trail\n"
      "condition: {all: [{path: name, equals: main}, {path: is_logging, equals: true}]}\nremediation: {text: t}\n---\n"
      "id: T-ROTATION\ntitle: t\nseverity: info\nthreats: [3]\nservice_models: [IaaS]\nresource: aws.kms.key\n"
      "condition: {all: [{path: key_id, equals: k1}, {path: rotation_enabled, equals: false}]}\nremediation: {text: t}\n";
  tu_scan_t *s = tu_scan_path(t.root, rules, false);
  assert_int_equal(0, s->report.errors.len);
  assert_rule_fires(s, "T-LOGGING", 1);
  assert_rule_fires(s, "T-ROTATION", 1);
  const cf_finding_t *f = tu_first(&s->report, "T-NOVALIDATION");
  assert_non_null(f);
  assert_true(f->unknown);
  tu_scan_free(s);
  tree_free(&t);
}

/* A bucket output outside a bucket folder cannot be attributed and says so. */
static void test_bucket_output_needs_folder(void **state) {
  (void)state;
  char *p = tu_write_temp(".json", ACL_PUBLIC, strlen(ACL_PUBLIC));
  /* /tmp/cftest-XXXX.json: the folder is "tmp", which is taken as the bucket name; what we
   * check is that a file at the top of a relative path (no folder) is refused. */
  char cwd[4096];
  assert_non_null(getcwd(cwd, sizeof cwd));
  assert_int_equal(0, chdir("/tmp"));
  tu_scan_t *s = tu_scan_path(strrchr(p, '/') + 1, NULL, false);
  assert_int_equal(0, chdir(cwd));
  assert_int_equal(0, s->report.resources);
  assert_int_equal(1, s->report.errors.len);
  assert_non_null(strstr(s->report.errors.items[0].message, "folder named after the bucket"));
  tu_scan_free(s);
  tu_unlink(p);
}

/* Policy documents in the authorization details come as objects or URL-encoded strings. */
static void test_policy_document_spellings(void **state) {
  (void)state;
  static const char *const docs[] = {
      "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}",
      "\"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D\"",
      "\"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": [{\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": [\\\"*\\\"], \\\"Resource\\\": \\\"*\\\"}]}\"",
  };
  const char *rules = "id: T-FULL\ntitle: t\nseverity: info\nthreats: [1]\nservice_models: [IaaS]\nresource: aws.iam.role\n"
                      "condition: {some: inline_policies, where: {path: document, policy: {statement: {full_access: true}}}}\n"
                      "remediation: {text: t}\n";
  for (size_t i = 0; i < N_OF(docs); i++) {
    char text[2048];
    snprintf(text, sizeof text,
             "{\"RoleDetailList\": [{\"RoleName\": \"r\", \"Arn\": \"arn:aws:iam::1:role/r\", "
             "\"RolePolicyList\": [{\"PolicyName\": \"p\", \"PolicyDocument\": %s}]}]}",
             docs[i]);
    tu_scan_t *s = tu_scan_text(".json", text, rules, false);
    assert_int_equal(0, s->report.errors.len);
    assert_rule_fires(s, "T-FULL", 1);
    tu_scan_free(s);
  }
}

/* Hostile variations of known shapes: wrong types are skipped, never trusted or crashed on. */
static void test_wrong_types_are_skipped(void **state) {
  (void)state;
  static const char *const texts[] = {
      "{\"Reservations\": [{\"Instances\": [1, \"x\", null, {\"InstanceId\": 5, \"MetadataOptions\": []}]}]}",
      "{\"SecurityGroups\": [{\"GroupId\": \"sg-1\", \"IpPermissions\": [{\"IpProtocol\": 6, \"FromPort\": 1e300, \"IpRanges\": 7}]}]}",
      "{\"LaunchTemplateVersions\": [{\"LaunchTemplateId\": \"lt-1\", \"VersionNumber\": \"x\", \"LaunchTemplateData\": {\"UserData\": \"!!not base64!!\"}}]}",
      "{\"LaunchConfigurations\": [{\"LaunchConfigurationName\": \"a\", \"UserData\": \"H4sIAAAAAAAA\", \"SecurityGroups\": 3}]}",
      "{\"UserDetailList\": [{\"UserName\": \"u\", \"UserPolicyList\": [{\"PolicyDocument\": 3}], \"GroupList\": {}}]}",
      "{\"taskDefinition\": {\"family\": \"f\", \"revision\": 1e300, \"containerDefinitions\": [1, {\"environment\": {\"a\": 1}}]}}",
      "{\"Content\": \"@@@\", \"ReportFormat\": \"text/csv\"}",
      "{\"Content\": \"dXNlcg==\", \"ReportFormat\": \"text/html\"}",
  };
  for (size_t i = 0; i < N_OF(texts); i++) {
    tu_scan_t *s = tu_scan_text(".json", texts[i], NULL, true);
    assert_true(s->report.sources_seen & awscli_bit());
    tu_scan_free(s);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_account_mapping),
      cmocka_unit_test(test_recognition),
      cmocka_unit_test(test_unrecognised_explicit_file),
      cmocka_unit_test(test_bucket_folders_merge),
      cmocka_unit_test(test_repeated_exports_counted_once),
      cmocka_unit_test(test_same_name_two_accounts),
      cmocka_unit_test(test_users_merge_across_sources),
      cmocka_unit_test(test_status_part_alone_is_incomplete),
      cmocka_unit_test(test_bucket_output_needs_folder),
      cmocka_unit_test(test_policy_document_spellings),
      cmocka_unit_test(test_wrong_types_are_skipped),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
