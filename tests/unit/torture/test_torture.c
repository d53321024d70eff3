/*
 * test_torture.c - allocation-failure ("torture") test, after curl's torture mode: for every
 * N, the Nth allocation of an operation fails, and the operation must then return CF_ENOMEM
 * and leave nothing allocated behind; when N is past the operation's last allocation it
 * must succeed.
 *
 * How: this program defines malloc, calloc, realloc, free and the aligned allocators itself,
 * on top of glibc's __libc_* functions, so that every allocation of the process goes through
 * them - libcloudfort's, and those of libyaml, simdjson (operator new), PCRE2, zlib and
 * OpenSSL on its behalf. While armed, each allocation is counted and remembered in a fixed
 * table (no allocation of its own); free forgets it. After an operation the table must be
 * empty again. This is why the test cannot run under AddressSanitizer, which replaces the
 * allocator too: the Makefile leaves it out of sanitizer builds.
 *
 * Operations: parsing a representative JSON template, a YAML template with anchors, merge
 * keys and CloudFormation tags, compiling a rule file that uses every kind of condition, an
 * egress policy with international host names (libidn2 allocates on its own), and
 * scanning CloudFormation (YAML, JSON and gzip) with suppressions, a baseline and several
 * rules. They run on one thread (the table is not locked); the scan's worker threads serve
 * AWS Config snapshots only. Lazy global state (OpenSSL's digest tables and error queue) is set up before
 * arming by one unarmed run. Three library calls recover from a failed allocation on their own,
 * so allocations inside them are counted for leaks but never failed: PCRE2's JIT compiler,
 * an optimisation the rule compiler may lose (it then interprets), OpenSSL's digest
 * set-up, which falls back on its built-in SHA-256, and libidn2's mapping of names.
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "testutil.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/core.h"
#include "content/gitleaks.h"
#include "content/toml.h"
#include "posture/hcl.h"

/* ---- the allocator ---- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

#define LIVE_SLOTS (1u << 20) /* a power of two, far above what one operation keeps */
#define TOMB ((void *)1)

static struct {
  bool armed;
  unsigned no_fail;     /* > 0 inside pcre2_jit_compile */
  uint64_t count;       /* allocations while armed */
  uint64_t fail_at;     /* 0: none */
  bool failed;          /* the failure was injected */
  size_t live;          /* entries in the table */
  void *table[LIVE_SLOTS];
} tt;

static size_t slot_of(void *p) {
  uintptr_t h = (uintptr_t)p;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return (size_t)h & (LIVE_SLOTS - 1);
}

static void remember(void *p) {
  if (!p) return;
  size_t i = slot_of(p);
  while (tt.table[i] && tt.table[i] != TOMB) i = (i + 1) & (LIVE_SLOTS - 1);
  tt.table[i] = p;
  tt.live++;
}

static void forget(void *p) {
  if (!p || !tt.live) return;
  size_t i = slot_of(p);
  while (tt.table[i]) {
    if (tt.table[i] == p) {
      tt.table[i] = TOMB;
      tt.live--;
      return;
    }
    i = (i + 1) & (LIVE_SLOTS - 1);
  }
}

/* Whether this allocation fails. With CF_TORTURE_TRACE set in the environment, the stack of
 * every injected failure (or, when it is a number N, of every Nth allocation's failure) is
 * printed to stderr, to find the code that mishandled it. */
static bool trace;
static uint64_t trace_at;

static bool inject(void) {
  if (!tt.armed) return false;
  tt.count++;
  if (tt.no_fail || tt.count != tt.fail_at) return false;
  tt.failed = true;
  errno = ENOMEM; /* as glibc's allocator does */
  if (trace && (!trace_at || trace_at == tt.count)) {
    void *frames[32];
    int n = backtrace(frames, 32);
    dprintf(2, "-- allocation %llu fails:\n", (unsigned long long)tt.count);
    backtrace_symbols_fd(frames, n, 2);
  }
  return true;
}

void *malloc(size_t n) {
  if (inject()) return NULL;
  void *p = __libc_malloc(n);
  if (tt.armed) remember(p);
  return p;
}

void *calloc(size_t n, size_t m) {
  if (inject()) return NULL;
  void *p = __libc_calloc(n, m);
  if (tt.armed) remember(p);
  return p;
}

void *realloc(void *old, size_t n) {
  if (old && n == 0) {
    free(old);
    return NULL;
  }
  if (inject()) return NULL; /* the old block stays valid, as C requires */
  void *p = __libc_realloc(old, n);
  if (p && tt.armed) {
    forget(old);
    remember(p);
  }
  return p;
}

void free(void *p) {
  if (!p) return;
  if (tt.armed) forget(p);
  __libc_free(p);
}

void *memalign(size_t align, size_t n) {
  if (inject()) return NULL;
  void *p = __libc_memalign(align, n);
  if (tt.armed) remember(p);
  return p;
}

void *aligned_alloc(size_t align, size_t n) { return memalign(align, n); }

int posix_memalign(void **out, size_t align, size_t n) {
  void *p = memalign(align, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

void *valloc(size_t n) { return memalign(4096, n); }

void *pvalloc(size_t n) { return memalign(4096, (n + 4095) & ~(size_t)4095); }

/* OpenSSL's digest set-up falls back on its built-in implementation when fetching a provider's
 * fails; that recovery is OpenSSL's own. The allocation of the digest context itself
 * (EVP_MD_CTX_new) is failed as usual, and must end the scan with CF_ENOMEM. */
int EVP_DigestInit_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl) {
  static int (*real)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
  if (!real) real = (int (*)(EVP_MD_CTX *, const EVP_MD *, ENGINE *))dlsym(RTLD_NEXT, "EVP_DigestInit_ex");
  tt.no_fail++;
  int rc = real(ctx, type, impl);
  tt.no_fail--;
  return rc;
}

/* JIT compilation may fail without failing the rule (see the header). */
int pcre2_jit_compile_8(pcre2_code_8 *code, uint32_t options) {
  static int (*real)(pcre2_code_8 *, uint32_t);
  if (!real) real = (int (*)(pcre2_code_8 *, uint32_t))dlsym(RTLD_NEXT, "pcre2_jit_compile_8");
  tt.no_fail++;
  int rc = real(code, options);
  tt.no_fail--;
  return rc;
}

/* libidn2 recovers from several failed allocations on its own (a failed NFC test counts as
 * passed, a failed conversion falls back to another path), so allocations inside it are
 * counted for leaks but never failed, as with PCRE2's JIT compiler. */
int idn2_to_ascii_8z(const char *input, char **output, int flags) {
  static int (*real)(const char *, char **, int);
  if (!real) real = (int (*)(const char *, char **, int))dlsym(RTLD_NEXT, "idn2_to_ascii_8z");
  tt.no_fail++;
  int rc = real(input, output, flags);
  tt.no_fail--;
  return rc;
}

static void arm(uint64_t fail_at) {
  memset(tt.table, 0, sizeof tt.table);
  tt.live = 0;
  tt.count = 0;
  tt.fail_at = fail_at;
  tt.failed = false;
  tt.armed = true;
}

static void disarm(void) { tt.armed = false; }

/* Fails the test from inside an operation: disarmed first, so that the test framework's own
 * allocations are neither failed nor counted. */
#define TT_FAIL(...)                                                                               \
  do {                                                                                             \
    disarm();                                                                                      \
    fail_msg(__VA_ARGS__);                                                                         \
  } while (0)

/* ---- the operations ---- */

static cf_ctx_t *g_ctx;
static cf_ruleset_t *g_rules;
static char g_baseline[64];

static const char template_json[] =
    "{\"AWSTemplateFormatVersion\": \"2010-09-09\",\n"
    " \"Parameters\": {\"Env\": {\"Type\": \"String\", \"Default\": \"prod\"}},\n"
    " \"Resources\": {\n"
    "  \"Logs\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"AccessControl\": \"PublicRead\",\n"
    "    \"BucketName\": {\"Fn::Sub\": \"logs-${Env}\"}, \"Tags\": [{\"Key\": \"n\", \"Value\": 42},\n"
    "    {\"Key\": \"f\", \"Value\": 1.5e3}, {\"Key\": \"b\", \"Value\": true}, {\"Key\": \"z\", \"Value\": null}],\n"
    "    \"Big\": 123456789012345678901234567890, \"Esc\": \"a\\u00e9\\n\\\"\"}},\n"
    "  \"Policy\": {\"Type\": \"AWS::S3::BucketPolicy\", \"Properties\": {\"Bucket\": {\"Ref\": \"Logs\"},\n"
    "    \"PolicyDocument\": {\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\",\n"
    "      \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}}}}}\n";

static const char template_yaml[] =
    "AWSTemplateFormatVersion: '2010-09-09'\n"
    "Parameters:\n"
    "  Acl: {Type: String}\n"
    "Mappings:\n"
    "  Base: &base {Type: AWS::S3::Bucket, Tags: [{Key: a, Value: '01'}]}\n"
    "Resources:\n"
    "  # cloudfort:ignore CF-T-002 archive bucket\n"
    "  Site:\n"
    "    <<: *base\n"
    "    Metadata: {cloudfort: {ignore: [{id: CF-T-003, reason: fine}]}}\n"
    "    Properties:\n"
    "      AccessControl: PublicRead  # cloudfort:ignore CF-T-004\n"
    "      BucketName: !Sub '${AWS::StackName}-site'\n"
    "      Arn: !GetAtt Site.Arn\n"
    "      Joined: !Join ['-', [!Ref Acl, !Select [0, !GetAZs '']]]\n"
    "      Tags: [{Key: env, Value: !If [IsProd, prod, dev]}]\n"
    "  Other:\n"
    "    <<: [*base]\n"
    "    Properties: {AccessControl: !Ref Acl, VersioningConfiguration: {Status: Enabled}}\n"
    "  Ingress:\n"
    "    Type: AWS::EC2::SecurityGroupIngress\n"
    "    Properties: {GroupId: sg-elsewhere, IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n"
    "  ExternalPolicy:\n"
    "    Type: AWS::S3::BucketPolicy\n"
    "    Properties:\n"
    "      Bucket: someone-elses\n"
    "      PolicyDocument:\n"
    "        Statement:\n"
    "          - {Effect: Deny, Principal: '*', Action: 's3:*', Condition: {Bool: {'aws:SecureTransport': false}}}\n"
    "          - {Effect: Allow, Principal: {AWS: '*'}, Action: ['s3:Get*'], Resource: '*',\n"
    "             Condition: {IpAddress: {'aws:SourceIp': 10.0.0.0/8}}}\n"
    "---\n"
    "second: [1, 2.5, true, ~, 'str', 0x1f, 012]\n";

static const char rule_file[] =
    "id: CF-T-001\n"
    "title: Public bucket\n"
    "description: Anyone can read it.\n"
    "severity: critical\n"
    "threats: [8, 3, 11]\n"
    "service_models: [IaaS]\n"
    "resource: aws.s3.bucket\n"
    "condition:\n"
    "  all:\n"
    "    - not: {path: object_ownership, equals: BucketOwnerEnforced}\n"
    "    - any:\n"
    "        - {path: acl.canned, iin: [public-read, public-read-write]}\n"
    "        - some: acl.grants\n"
    "          where: {path: grantee_uri, regex: 'AllUsers$'}\n"
    "        - {path: policy, policy: {statement: {principal: public, unrestricted: true, actions: ['s3:GetObject']}}}\n"
    "remediation: {text: Make it private., cli: aws s3api put-bucket-acl}\n"
    "references: [https://example.com/acl]\n"
    "---\n"
    "id: CF-T-002\n"
    "title: Unversioned\n"
    "severity: low\n"
    "threats: [3]\n"
    "resource: [aws.s3.bucket]\n"
    "unknown: report\n"
    "condition: {not: {path: versioning.status, iequals: Enabled}}\n"
    "remediation: Turn on versioning.\n"
    "---\n"
    "id: CF-T-003\n"
    "title: Insecure transport\n"
    "severity: medium\n"
    "threats: [2]\n"
    "resource: aws.s3.bucket\n"
    "condition: {path: policy, policy: {denies_insecure_transport: false}}\n"
    "remediation: Deny requests without TLS.\n"
    "---\n"
    "id: CF-T-004\n"
    "title: Open SSH\n"
    "severity: high\n"
    "threats: [3, 10]\n"
    "resource: aws.ec2.security_group\n"
    "condition:\n"
    "  some: ingress\n"
    "  where:\n"
    "    all:\n"
    "      - {path: cidrs, internet: true}\n"
    "      - {path: '.', port_includes: 22}\n"
    "      - count: 'cidrs[*]'\n"
    "        gte: 1\n"
    "      - {path: $.name, type: string}\n"
    "remediation: Restrict SSH.\n"
    "---\n"
    "id: CF-T-005\n"
    "title: Bucket name pattern\n"
    "severity: info\n"
    "threats: [4]\n"
    "resource: aws.s3.bucket\n"
    "condition:\n"
    "  any:\n"
    "    - {path: name, regex: '^(logs|site)-[a-z]+$'}\n"
    "    - every: tags\n"
    "      where: {path: Key, in: [env, a]}\n"
    "    - none: 'tags[*]'\n"
    "      where: {path: Value, empty: true}\n"
    "remediation: Rename.\n";

/* The message of the last failed operation, shown when its result is wrong. */
static char last_message[256];

static cf_err op_parse(const char *text, cf_doc_format fmt) {
  cf_doc_t *doc = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_doc_opts_t o = {fmt, 0, "torture.txt", true};
  cf_err e = cf_doc_parse(g_ctx, text, strlen(text), &o, &doc, &d);
  if ((e == CF_OK) != (doc != NULL)) TT_FAIL("parse returned %s with a document %p", cf_err_name(e), (void *)doc);
  snprintf(last_message, sizeof last_message, "%u:%u %s", d.line, d.column, d.message ? d.message : "");
  cf_doc_free(doc);
  cf_diag_cleanup(&d);
  return e;
}

static cf_err op_parse_json(void) { return op_parse(template_json, CF_DOC_JSON); }
static cf_err op_parse_yaml(void) { return op_parse(template_yaml, CF_DOC_YAML); }

static cf_err op_compile_rules(void) {
  cf_ruleset_t *rs = NULL;
  cf_err e = cf_ruleset_new(g_ctx, &rs);
  if (e) return e;
  cf_diags_t errs;
  cf_diags_init(&errs);
  e = cf_ruleset_load_text(rs, "torture-rules.yaml", rule_file, strlen(rule_file), &errs);
  /* A successful compile is complete: never a silently shorter set. */
  if (e == CF_OK && cf_ruleset_count(rs) != 5) TT_FAIL("compiled %zu rules of 5", cf_ruleset_count(rs));
  if (e == CF_OK && errs.len) TT_FAIL("compiled with errors: %s", errs.items[0].message);
  cf_diags_cleanup(&errs);
  cf_ruleset_free(rs);
  return e;
}

/* A gitleaks configuration: TOML with every string form, then rules with allowlists. */
static const char gitleaks_toml[] =
    "title = \"torture\"\n"
    "[[rules]]\n"
    "id = \"acme\"\n"
    "description = \"\"\"ACME \\u00e9 \\\n  token\"\"\"\n"
    "regex = '''(?i)\\b(acme_[a-z0-9]{24})\\b$'''\n"
    "keywords = [\"ACME_\", \"acme-\"]\n"
    "tags = [\"a\", \"b\"]\n"
    "entropy = 3.5\n"
    "[[rules.allowlists]]\n"
    "condition = \"AND\"\n"
    "regexTarget = \"line\"\n"
    "regexes = ['''EXAMPLE''']\n"
    "paths = ['''(?:^|/)testdata/''']\n"
    "stopwords = [\"dummy\"]\n"
    "[[rules]]\n"
    "id = \"p12\"\n"
    "path = '(?i)\\.p12$'\n"
    "[rules.allowlist]\n"
    "commits = [\"abc123\"]\n"
    "[[allowlists]]\n"
    "targetRules = [\"acme\"]\n"
    "regexes = ['''^0+$''', '''\\101\\v{,2}''']\n"
    "[allowlist]\n"
    "paths = ['''vendor/''']\n"
    "inline = { a.b = [1, 2.5, true, 1979-05-27T07:32:00Z] }\n";

static cf_err op_parse_toml(void) {
  cf_doc_t *doc = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__toml_parse(g_ctx, gitleaks_toml, strlen(gitleaks_toml), "torture.toml", &doc, &d);
  if ((e == CF_OK) != (doc != NULL)) TT_FAIL("TOML parse returned %s with a document %p", cf_err_name(e), (void *)doc);
  snprintf(last_message, sizeof last_message, "%u:%u %s", d.line, d.column, d.message ? d.message : "");
  cf_doc_free(doc);
  cf_diag_cleanup(&d);
  return e;
}

static cf_err op_load_gitleaks(void) {
  cf_content_rules_t *rs = NULL;
  cf_err e = cf_content_rules_new(g_ctx, CF_CONTENT_SECRET, &rs);
  if (e) return e;
  cf_diags_t errs;
  cf_diags_init(&errs);
  e = cf__gitleaks_load_text(rs, "torture.toml", gitleaks_toml, strlen(gitleaks_toml), &errs);
  if (e == CF_OK && cf_content_rules_count(rs) != 2) TT_FAIL("loaded %zu gitleaks rules of 2", cf_content_rules_count(rs));
  if (e == CF_OK && errs.len) TT_FAIL("loaded with errors: %s", errs.items[0].message);
  if (e != CF_OK && errs.len) snprintf(last_message, sizeof last_message, "%s", errs.items[0].message);
  cf_diags_cleanup(&errs);
  cf_content_rules_free(rs);
  return e;
}

/* An egress policy with every kind of entry, international names included (libidn2
 * allocates on its own), then one check of each kind. */
static const char egress_yaml[] =
    "version: 1\n"
    "default_role: web\n"
    "roles:\n"
    "  web:\n"
    "    mode: enforce\n"
    "    schemes: [https]\n"
    "    ports: [443, \"8000-8999\"]\n"
    "    allow_hosts: [\"*.example.com\", b\xc3\xbc" "cher.example, \"[2606:4700::1111]\", \"0x08080808\"]\n"
    "    deny_hosts: [bad.example.com]\n"
    "    allow_ranges: [127.0.0.1/32]\n"
    "    deny_ranges: [\"2001:db8::/32\"]\n"
    "    deny_userinfo: true\n"
    "  ci:\n"
    "    match: {clients: [10.0.0.0/8], users: [ci], cert_cns: [ci.example.com]}\n"
    "    mode: report\n";

static cf_err op_egress_policy(void) {
  cf_egress_policy_t *p = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf_egress_policy_parse(g_ctx, egress_yaml, strlen(egress_yaml), "torture.yaml", &p, &d);
  if ((e == CF_OK) != (p != NULL)) TT_FAIL("policy parse returned %s with a policy %p", cf_err_name(e), (void *)p);
  snprintf(last_message, sizeof last_message, "%u:%u %s", d.line, d.column, d.message ? d.message : "");
  cf_diag_cleanup(&d);
  if (e) return e;
  cf_egress_result_t r;
  static const char *const urls[] = {"https://a.example.com:8443/", "https://b\xc3\xbc" "cher.example/"};
  for (size_t i = 0; i < 2 && e == CF_OK; i++) {
    e = cf_egress_check_url(p, NULL, urls[i], strlen(urls[i]), &r, NULL);
    if (e == CF_ENOMEM && r.verdict != CF_EGRESS_DENY) TT_FAIL("%s: out of memory but allowed", urls[i]);
    if (e == CF_OK && r.verdict != CF_EGRESS_ALLOW) TT_FAIL("%s: %s", urls[i], r.reason);
  }
  cf_egress_policy_free(p);
  return e;
}

/* A policy with a credentials file, then one password check (bcrypt, which allocates only our
 * own work area): a right password may fail only for want of memory. (A wrong one fails
 * either way, so it cannot tell a swallowed failure; test_egress_policy checks those.) */
static cf_err op_egress_credentials(void) {
  cf_egress_policy_t *p = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf_egress_policy_load(g_ctx, "tests/data/egress/credentials/policy.yaml", &p, &d);
  if ((e == CF_OK) != (p != NULL)) TT_FAIL("policy load returned %s with a policy %p", cf_err_name(e), (void *)p);
  snprintf(last_message, sizeof last_message, "%u:%u %s", d.line, d.column, d.message ? d.message : "");
  cf_diag_cleanup(&d);
  if (e) return e;
  if (cf_egress_authenticate(p, "bob", "s3cret") != CF_EGRESS_AUTH_OK) e = CF_ENOMEM;
  cf_egress_policy_free(p);
  return e;
}

/* Scans data with the torture rules; a successful scan must find exactly what an
 * unhindered one finds. */
static size_t expect_findings = SIZE_MAX, expect_suppressed = SIZE_MAX;

static cf_err op_scan_data(const char *name, const void *data, size_t len, const char *baseline) {
  cf_report_t r;
  cf_err e = cf_report_init(&r);
  if (e) return e;
  cf_posture_opts_t opts;
  memset(&opts, 0, sizeof opts);
  opts.baseline = baseline;
  opts.unknown = CF_UNKNOWN_REPORT;
  e = cf_posture_scan_buffer(g_ctx, g_rules, name, data, len, &opts, &r);
  if (e == CF_OK) {
    size_t n = cf_findings_count(r.findings), sup = 0;
    for (size_t i = 0; i < n; i++) sup += cf_findings_at(r.findings, i)->suppressed != CF_SUPPRESS_NONE;
    if (r.errors.len) TT_FAIL("scan of %s recorded an error: %s", name, r.errors.items[0].message);
    if (expect_findings == SIZE_MAX) {
      expect_findings = n;
      expect_suppressed = sup;
    } else if (n != expect_findings || sup != expect_suppressed) {
      for (size_t i = 0; i < n; i++) {
        const cf_finding_t *f = cf_findings_at(r.findings, i);
        dprintf(2, "#   %s %s %s %s suppressed=%d [%s]\n", f->rule->id, f->fingerprint, f->resource ? f->resource : "-",
                f->attribute ? f->attribute : "-", f->suppressed, f->evidence ? f->evidence : "");
      }
      TT_FAIL("scan of %s succeeded with %zu findings (%zu suppressed); expected %zu (%zu)", name, n, sup,
              expect_findings, expect_suppressed);
    }
  }
  cf_report_cleanup(&r);
  return e;
}

static cf_err op_scan_yaml(void) { return op_scan_data("t.yaml", template_yaml, strlen(template_yaml), NULL); }
static cf_err op_scan_json(void) { return op_scan_data("t.json", template_json, strlen(template_json), g_baseline); }

/* Terraform source: variables, locals, a count, a for_each, a dynamic block, a template,
 * jsonencode and a policy document, split S3 resources joined to their bucket. */
static const char tf_text[] =
    "variable \"env\" {\n  default = \"prod\"\n}\n"
    "locals {\n  name = \"acme-${var.env}\"\n  ports = { https = 443, ssh = 22 }\n}\n"
    "resource \"aws_s3_bucket\" \"b\" {\n  bucket = local.name\n  tags = merge({ a = \"b\" }, { env = var.env })\n}\n"
    "resource \"aws_s3_bucket_acl\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n  acl = \"public-read\"\n}\n"
    "data \"aws_iam_policy_document\" \"p\" {\n  statement {\n    actions = [\"s3:GetObject\"]\n"
    "    resources = [\"${aws_s3_bucket.b.arn}/*\"]\n    principals {\n      type = \"*\"\n      identifiers = [\"*\"]\n    }\n  }\n}\n"
    "resource \"aws_s3_bucket_policy\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n  policy = data.aws_iam_policy_document.p.json\n}\n"
    "resource \"aws_instance\" \"web\" {\n  count = 2\n  ami = format(\"ami-%05d\", count.index)\n"
    "  metadata_options {\n    http_tokens = count.index == 0 ? \"optional\" : \"required\"\n  }\n}\n"
    "resource \"aws_security_group\" \"sg\" {\n  dynamic \"ingress\" {\n    for_each = local.ports\n    content {\n"
    "      from_port = ingress.value\n      to_port = ingress.value\n      protocol = \"tcp\"\n      cidr_blocks = [\"0.0.0.0/0\"]\n"
    "    }\n  }\n}\n"
    "resource \"aws_iam_policy\" \"admin\" {\n  for_each = toset([\"a\", \"b\"])\n  name = \"admin-${each.key}\"\n"
    "  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }] })\n}\n";

static cf_err op_parse_hcl(void) {
  cf_arena_t *a = cf__arena_new(0);
  if (!a) return CF_ENOMEM;
  hcl_file_t *f = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__hcl_parse(a, tf_text, strlen(tf_text), 0, "main.tf", &f, &d);
  if (e == CF_OK && (!f || f->body.n_blocks != 9)) TT_FAIL("parsed %u blocks of 9", f ? f->body.n_blocks : 0);
  if (e && e != CF_ENOMEM) TT_FAIL("HCL parse: %s", d.message ? d.message : "");
  cf_diag_cleanup(&d);
  cf__arena_free(a);
  return e;
}

static cf_err op_scan_tf(void) { return op_scan_data("main.tf", tf_text, strlen(tf_text), NULL); }

static uint8_t g_gz[4096];
static size_t g_gz_len;
static cf_err op_scan_gzip(void) { return op_scan_data("t.yaml.gz", g_gz, g_gz_len, NULL); }

/* ---- the driver ---- */

static void torture(const char *what, cf_err (*op)(void)) {
  /* Unarmed: lazy global state is set up, and the operation works. */
  expect_findings = expect_suppressed = SIZE_MAX;
  assert_int_equal(CF_OK, op());
  assert_int_equal(CF_OK, op());
  ERR_clear_error();
  /* Armed without failure: count the allocations; nothing may stay behind. */
  arm(0);
  cf_err e = op();
  ERR_clear_error();
  disarm();
  if (e) fail_msg("%s: fails without injected failure: %s", what, cf_err_name(e));
  if (tt.live) fail_msg("%s: %zu allocations left behind by a successful run", what, tt.live);
  uint64_t total = tt.count;
  assert_true(total > 0);
  for (uint64_t n = 1; n <= total + 1; n++) {
    last_message[0] = '\0';
    arm(n);
    e = op();
    ERR_clear_error();
    disarm();
    if (tt.failed && e != CF_ENOMEM)
      fail_msg("%s: allocation %llu of %llu failed, but the result is %s (%s)", what, (unsigned long long)n,
               (unsigned long long)total, cf_err_name(e), e ? last_message : "");
    if (!tt.failed && e != CF_OK)
      fail_msg("%s: no allocation failed (run %llu), but the result is %s", what, (unsigned long long)n, cf_err_name(e));
    if (tt.live)
      fail_msg("%s: allocation %llu of %llu failed and %zu allocations were left behind", what,
               (unsigned long long)n, (unsigned long long)total, tt.live);
  }
  print_message("# %s: %llu allocations, each failed once\n", what, (unsigned long long)total);
}

static void test_torture_json_parse(void **state) {
  (void)state;
  torture("JSON parse", op_parse_json);
}

static void test_torture_yaml_parse(void **state) {
  (void)state;
  torture("YAML parse", op_parse_yaml);
}

static void test_torture_rule_compile(void **state) {
  (void)state;
  torture("rule compile", op_compile_rules);
}

static void test_torture_toml_parse(void **state) {
  (void)state;
  torture("TOML parse", op_parse_toml);
}

static void test_torture_gitleaks_load(void **state) {
  (void)state;
  torture("gitleaks configuration", op_load_gitleaks);
}

static void test_torture_egress_policy(void **state) {
  (void)state;
  torture("egress policy", op_egress_policy);
}

static void test_torture_egress_credentials(void **state) {
  (void)state;
  torture("egress policy with credentials", op_egress_credentials);
}

static void test_torture_scan_yaml(void **state) {
  (void)state;
  torture("scan of a YAML template", op_scan_yaml);
}

static void test_torture_scan_json_with_baseline(void **state) {
  (void)state;
  torture("scan of a JSON template with a baseline", op_scan_json);
}

static void test_torture_hcl_parse(void **state) {
  (void)state;
  torture("HCL parse", op_parse_hcl);
}

static void test_torture_scan_terraform(void **state) {
  (void)state;
  torture("scan of Terraform source", op_scan_tf);
}

static void test_torture_scan_gzip(void **state) {
  (void)state;
  torture("scan of a gzip template", op_scan_gzip);
}

static int setup(void **state) {
  (void)state;
  if (getenv("CF_TORTURE_TRACE")) {
    void *frames[4];
    backtrace(frames, 4); /* loads libgcc's unwinder now, not while armed */
    trace = true;
    trace_at = strtoull(getenv("CF_TORTURE_TRACE"), NULL, 10);
  }
  g_ctx = cf_ctx_new();
  cf_ctx_set_now(g_ctx, 1748736000);
  if (cf_ruleset_new(g_ctx, &g_rules)) return -1;
  if (cf_ruleset_load_text(g_rules, "torture-rules.yaml", rule_file, strlen(rule_file), NULL)) return -1;
  /* A baseline listing a fingerprint of the JSON template's findings. */
  cf_report_t r;
  if (cf_report_init(&r)) return -1;
  if (cf_posture_scan_buffer(g_ctx, g_rules, "t.json", template_json, strlen(template_json), NULL, &r)) return -1;
  snprintf(g_baseline, sizeof g_baseline, "/tmp/cftorture-XXXXXX");
  int fd = mkstemp(g_baseline);
  FILE *f = fdopen(fd, "w");
  if (!f || cf_baseline_write(f, &r)) return -1;
  fclose(f);
  cf_report_cleanup(&r);
  /* The YAML template, gzipped. */
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
  zs.next_in = (Bytef *)template_yaml;
  zs.avail_in = (uInt)strlen(template_yaml);
  zs.next_out = g_gz;
  zs.avail_out = sizeof g_gz;
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) return -1;
  g_gz_len = zs.total_out;
  deflateEnd(&zs);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  unlink(g_baseline);
  cf_ruleset_free(g_rules);
  cf_ctx_free(g_ctx);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_torture_json_parse),
      cmocka_unit_test(test_torture_yaml_parse),
      cmocka_unit_test(test_torture_rule_compile),
      cmocka_unit_test(test_torture_toml_parse),
      cmocka_unit_test(test_torture_gitleaks_load),
      cmocka_unit_test(test_torture_egress_policy), cmocka_unit_test(test_torture_egress_credentials),
      cmocka_unit_test(test_torture_scan_yaml),
      cmocka_unit_test(test_torture_scan_json_with_baseline),
      cmocka_unit_test(test_torture_scan_gzip),
      cmocka_unit_test(test_torture_hcl_parse),
      cmocka_unit_test(test_torture_scan_terraform),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
