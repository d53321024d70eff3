/*
 * test_policy.c - IAM-style policy documents: normalisation (cf__policy_normalize) and the
 * questions rules ask with the `policy` operator (docs/rules.md, "Policy questions").
 *
 * Each case is a question as a rule writes it, a policy document as AWS stores it, and the
 * answer. The cases follow AWS's policy evaluation logic: "*" and {"AWS": "*"} are everyone,
 * NotPrincipal on an Allow is everyone but a few, wildcards in actions are honoured and so is
 * NotAction; a condition restricts the caller only with a positive operator (not ...Not...,
 * not ...IfExists, not Null) on a key that pins the caller or the network, with a value that
 * is not "*" or the whole internet. "(unknown)" in a document stands for a value known only
 * after deployment.
 */
#include "testutil.h"

#include "posture/rule.h"

#define T TRI_T
#define F TRI_F
#define U TRI_U

static void mark_unknown(cf_node_t *n) {
  if (n->type == CF_NODE_STRING && strcmp(n->u.s, "(unknown)") == 0) n->type = CF_NODE_UNKNOWN;
  else if (n->type == CF_NODE_ARRAY)
    for (uint32_t i = 0; i < n->len; i++) mark_unknown(n->u.items[i]);
  else if (n->type == CF_NODE_OBJECT)
    for (uint32_t i = 0; i < n->len; i++) mark_unknown(n->u.members[i].value);
}

typedef struct pol {
  cf_adapt_ctx_t ac;
  cf_diags_t warnings;
  cf_doc_t *src;
  cf_node_t *normalized;
} pol_t;

/* Normalises a policy given as JSON text (or, when as_string, given as a JSON string holding
 * that text, as AWS Config and the IAM API deliver it). */
static void pol_load(pol_t *p, const char *json, bool as_string) {
  memset(p, 0, sizeof *p);
  cf_diags_init(&p->warnings);
  p->ac.arena = cf__arena_new(0);
  p->ac.path = "policy.json";
  p->ac.errors = &p->warnings;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_doc_opts_t o = {CF_DOC_JSON, 0, "policy.json", false};
  if (as_string) {
    /* Wrap as a JSON string: escape quotes and backslashes. */
    char buf[8192];
    size_t k = 0;
    buf[k++] = '"';
    for (const char *s = json; *s && k + 3 < sizeof buf; s++) {
      if (*s == '"' || *s == '\\') buf[k++] = '\\';
      buf[k++] = *s;
    }
    buf[k++] = '"';
    buf[k] = '\0';
    assert_int_equal(CF_OK, cf_doc_parse(NULL, buf, k, &o, &p->src, &d));
  } else {
    cf_err e = cf_doc_parse(NULL, json, strlen(json), &o, &p->src, &d);
    if (e) fail_msg("policy %s: %s", json, d.message);
  }
  cf_diag_cleanup(&d);
  mark_unknown(p->src->roots[0]);
  p->normalized = cf__policy_normalize(&p->ac, p->src->roots[0]);
}

static void pol_free(pol_t *p) {
  cf_doc_free(p->src);
  cf__arena_free(p->ac.arena);
  cf_diags_cleanup(&p->warnings);
}

/* Asks `question` (the mapping under `policy:` in a rule) of the normalised policy. */
static tri_t ask(const char *question, const cf_node_t *policy) {
  char text[2048];
  snprintf(text, sizeof text,
           "id: CF-T-001\ntitle: t\nseverity: high\nthreats: [1]\nresource: aws.iam.policy\n"
           "remediation: r\ncondition: {path: document, policy: %s}\n",
           question);
  cf_ruleset_t *rs = NULL;
  assert_int_equal(CF_OK, cf_ruleset_new(NULL, &rs));
  cf_diags_t errs;
  cf_diags_init(&errs);
  if (cf_ruleset_load_text(rs, "q.yaml", text, strlen(text), &errs))
    fail_msg("question %s does not compile: %s", question, errs.items[0].message);
  cf_diags_cleanup(&errs);
  cf_arena_t *a = cf__arena_new(0);
  cf_pos_t pos = {0, 1, 1};
  cf_node_t *attrs = cf_node_new_object(a, pos);
  if (policy) assert_int_equal(CF_OK, cf_node_set(a, attrs, "document", (cf_node_t *)policy));
  cf_resource_t r;
  memset(&r, 0, sizeof r);
  r.type = "aws.iam.policy";
  r.attrs = attrs;
  eval_env_t env = {NULL, 0, NULL, NULL, NULL};
  eval_out_t out;
  tri_t t = cf__rule_eval(&env, rs->rules[0], &r, &out);
  cf__arena_free(a);
  cf_ruleset_free(rs);
  return t;
}

static const char *tri_name(tri_t t) { return t == TRI_T ? "true" : t == TRI_F ? "false" : "unknown"; }

#define STMT(body) "{\"Version\": \"2012-10-17\", \"Statement\": [{" body "}]}"
#define PUBLIC "{statement: {principal: public}}"
#define PUBLIC_OPEN "{statement: {principal: public, unrestricted: true}}"
#define ALLOW_ALL "\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\""

static const struct {
  const char *question;
  const char *policy;
  tri_t want;
} cases[] = {
    /* public principal forms */
    {PUBLIC, STMT(ALLOW_ALL ", \"Principal\": \"*\""), T},
    {PUBLIC, STMT(ALLOW_ALL ", \"Principal\": {\"AWS\": \"*\"}"), T},
    {PUBLIC, STMT(ALLOW_ALL ", \"Principal\": {\"AWS\": [\"arn:aws:iam::111122223333:root\", \"*\"]}"), T},
    {PUBLIC, STMT(ALLOW_ALL ", \"Principal\": {\"aws\": \"*\"}"), T},
    {PUBLIC, STMT(ALLOW_ALL ", \"Principal\": {\"CanonicalUser\": \"*\"}"), T},
    {PUBLIC, STMT(ALLOW_ALL ", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}"), F},
    {PUBLIC, STMT(ALLOW_ALL ", \"Principal\": {\"Service\": \"cloudtrail.amazonaws.com\"}"), F},
    {PUBLIC, STMT(ALLOW_ALL ", \"Principal\": {\"AWS\": \"111122223333\"}"), F},
    {PUBLIC, STMT(ALLOW_ALL), F}, /* an identity policy has no principal */
    /* NotPrincipal on an Allow is everyone except a few */
    {PUBLIC, STMT(ALLOW_ALL ", \"NotPrincipal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}"), T},
    {PUBLIC, STMT(ALLOW_ALL ", \"Principal\": \"(unknown)\""), U},
    /* effect */
    {"{statement: {effect: Deny, principal: public}}", STMT("\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\""), T},
    {"{statement: {effect: Deny}}", STMT(ALLOW_ALL), F},
    {PUBLIC, STMT("\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\""), F},
    {PUBLIC, STMT("\"Effect\": \"(unknown)\", \"Principal\": \"*\", \"Action\": \"s3:*\""), U},
    /* actions: wildcards and NotAction */
    {"{statement: {actions: ['s3:GetObject']}}", STMT("\"Effect\": \"Allow\", \"Action\": \"s3:*\""), T},
    {"{statement: {actions: ['s3:GetObject']}}", STMT("\"Effect\": \"Allow\", \"Action\": \"s3:Get*\""), T},
    {"{statement: {actions: ['s3:GetObject']}}", STMT("\"Effect\": \"Allow\", \"Action\": \"*\""), T},
    {"{statement: {actions: ['s3:GetObject']}}", STMT("\"Effect\": \"Allow\", \"Action\": \"S3:getobject\""), T},
    {"{statement: {actions: ['s3:GetObject']}}", STMT("\"Effect\": \"Allow\", \"Action\": \"s3:Get?bject\""), T},
    {"{statement: {actions: ['s3:GetObject']}}", STMT("\"Effect\": \"Allow\", \"Action\": [\"s3:PutObject\", \"s3:List*\"]"), F},
    {"{statement: {actions: ['iam:PassRole', 's3:GetObject']}}", STMT("\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\""), T},
    {"{statement: {actions: ['s3:GetObject']}}", STMT("\"Effect\": \"Allow\", \"NotAction\": \"s3:DeleteObject\""), T},
    {"{statement: {actions: ['s3:GetObject']}}", STMT("\"Effect\": \"Allow\", \"NotAction\": [\"s3:*\"]"), F},
    {"{statement: {actions: ['s3:GetObject']}}", STMT("\"Effect\": \"Allow\", \"Action\": [\"(unknown)\"]"), U},
    {"{statement: {action_wildcard: true}}", STMT("\"Effect\": \"Allow\", \"Action\": \"*\""), T},
    {"{statement: {action_wildcard: true}}", STMT("\"Effect\": \"Allow\", \"Action\": \"iam:*\""), T},
    {"{statement: {action_wildcard: true}}", STMT("\"Effect\": \"Allow\", \"Action\": \"s3:Get*\""), F},
    {"{statement: {action_wildcard: true}}", STMT("\"Effect\": \"Allow\", \"NotAction\": \"iam:*\""), T},
    {"{statement: {action_wildcard: false}}", STMT("\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\""), T},
    {"{statement: {resource_wildcard: true}}", STMT("\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\""), T},
    {"{statement: {resource_wildcard: true}}", STMT(ALLOW_ALL), F},
    {"{statement: {resource_wildcard: true}}", STMT("\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"NotResource\": \"arn:aws:s3:::b\""), T},
    {"{statement: {full_access: true}}", STMT("\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\""), T},
    {"{statement: {full_access: true}}", STMT("\"Effect\": \"Allow\", \"Action\": [\"*\"], \"Resource\": [\"*\"]"), T},
    {"{statement: {full_access: true}}", STMT("\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"arn:aws:s3:::b\""), F},
    {"{statement: {full_access: true}}", STMT("\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\""), F},
    {"{statement: {full_access: true}}", STMT("\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\""), F},
    /* conditions that do not restrict the caller */
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\""), T},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"0.0.0.0/0\"}}"), T},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": [\"10.0.0.0/8\", \"::/0\"]}}"), T},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"NotIpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}"), T},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"StringEqualsIfExists\": {\"aws:SourceVpce\": \"vpce-1a2b\"}}"), T},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"StringNotEquals\": {\"aws:PrincipalAccount\": \"111122223333\"}}"), T},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"Null\": {\"aws:SourceVpce\": \"false\"}}"), T},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"StringLike\": {\"aws:PrincipalOrgID\": \"*\"}}"), T},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"true\"}}"), T},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"StringEquals\": {\"s3:prefix\": \"home/\"}}"), T},
    /* conditions that do */
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"203.0.113.0/24\"}}"), F},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:SourceVpce\": \"vpce-1a2b\"}}"), F},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-abc123\"}}"), F},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"ArnLike\": {\"aws:SourceArn\": \"arn:aws:cloudtrail:*:111122223333:trail/*\"}}"), F},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"StringEquals\": {\"AWS:SOURCEVPC\": \"vpc-1\"}}"), F},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": 111122223333}}"), F},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"ForAnyValue:StringLike\": {\"aws:PrincipalOrgPaths\": [\"o-a/r-b/*\"]}}"), F},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"e-1\"}}"), F},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"true\"}, \"IpAddress\": {\"aws:SourceIp\": \"203.0.113.7/32\"}}"), F},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:SourceVpce\": \"(unknown)\"}}"), U},
    {PUBLIC_OPEN, STMT(ALLOW_ALL ", \"Principal\": \"*\", \"Condition\": \"(unknown)\""), U},
    {"{statement: {unrestricted: false}}", STMT(ALLOW_ALL ", \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"10.1.2.0/24\"}}"), T},
    /* one statement must have every property asked: here no single statement does */
    {PUBLIC_OPEN, "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\","
                  " \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}},"
                  " {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::1:root\"}, \"Action\": \"s3:*\"}]}", F},
    /* Statement as one object rather than a list */
    {PUBLIC, "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\"}}", T},
    {PUBLIC, "{\"Statement\": \"(unknown)\"}", U},
    {PUBLIC, "{\"Version\": \"2012-10-17\", \"Statement\": []}", F},
    /* denies_insecure_transport */
    {"{denies_insecure_transport: true}",
     STMT("\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": [\"arn:aws:s3:::b\", \"arn:aws:s3:::b/*\"],"
          " \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"false\"}}"), T},
    {"{denies_insecure_transport: true}",
     STMT("\"Effect\": \"Deny\", \"Principal\": {\"AWS\": \"*\"}, \"Action\": \"s3:GetObject\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": false}}"), T},
    {"{denies_insecure_transport: true}",
     STMT("\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"*\", \"Condition\": {\"BoolIfExists\": {\"aws:SecureTransport\": \"false\"}}"), T},
    {"{denies_insecure_transport: true}",
     STMT("\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"true\"}}"), F},
    {"{denies_insecure_transport: true}",
     STMT("\"Effect\": \"Deny\", \"Principal\": {\"AWS\": \"arn:aws:iam::1:user/x\"}, \"Action\": \"s3:*\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"false\"}}"), F},
    {"{denies_insecure_transport: true}",
     STMT("\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:DeleteObject\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"false\"}}"), F},
    {"{denies_insecure_transport: true}",
     STMT("\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"false\"}}"), F},
    {"{denies_insecure_transport: true}", STMT("\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\""), F},
    {"{denies_insecure_transport: true}",
     STMT("\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"(unknown)\"}}"), U},
    {"{denies_insecure_transport: false}", STMT(ALLOW_ALL ", \"Principal\": \"*\""), T},
    {"{denies_insecure_transport: false}", "{\"Version\": \"2012-10-17\"}", T},
};

static void test_policy_questions(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(cases); i++) {
    pol_t p;
    pol_load(&p, cases[i].policy, false);
    if (!p.normalized) fail_msg("case %zu: %s is not a policy", i, cases[i].policy);
    tri_t got = ask(cases[i].question, p.normalized);
    if (got != cases[i].want)
      fail_msg("case %zu: %s of %s: %s, expected %s", i, cases[i].question, cases[i].policy, tri_name(got),
               tri_name(cases[i].want));
    pol_free(&p);
  }
}

static void test_policy_given_as_text(void **state) {
  (void)state;
  const char *json = STMT(ALLOW_ALL ", \"Principal\": \"*\"");
  pol_t p;
  pol_load(&p, json, true); /* a JSON string holding the policy */
  assert_non_null(p.normalized);
  assert_int_equal(TRI_T, ask(PUBLIC, p.normalized));
  pol_free(&p);
  /* URL-encoded, as the IAM API returns documents. */
  char enc[4096];
  size_t k = 0;
  for (const char *s = json; *s; s++) {
    if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')) enc[k++] = *s;
    else k += (size_t)snprintf(enc + k, sizeof enc - k, "%%%02X", (unsigned char)*s);
  }
  enc[k] = '\0';
  pol_load(&p, enc, true);
  assert_non_null(p.normalized);
  assert_int_equal(TRI_T, ask(PUBLIC, p.normalized));
  pol_free(&p);
}

static void test_not_a_policy_is_reported(void **state) {
  (void)state;
  pol_t p;
  pol_load(&p, "this is not { json", true);
  assert_null(p.normalized);
  assert_true(p.warnings.len >= 1);
  assert_string_equal("policy.json", p.warnings.items[0].file);
  pol_free(&p);
  pol_load(&p, "[1, 2]", false);
  assert_null(p.normalized);
  assert_true(p.warnings.len >= 1);
  pol_free(&p);
  /* No policy at all answers no statement question. */
  assert_int_equal(TRI_F, ask(PUBLIC, NULL));
}

static void test_normalised_shape(void **state) {
  (void)state;
  pol_t p;
  pol_load(&p, "{\"Version\": \"2012-10-17\", \"Statement\": {\"Sid\": \"S\", \"Effect\": \"Allow\","
               " \"Principal\": {\"AWS\": \"*\", \"Service\": [\"ec2.amazonaws.com\"]}, \"Action\": \"s3:GetObject\","
               " \"NotResource\": \"arn:aws:s3:::b\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": false},"
               " \"NumericLessThan\": {\"s3:max-keys\": 10}}}}",
           false);
  char *json = cf_node_to_json(p.ac.arena, p.normalized, 4096);
  assert_string_equal("{\"version\":\"2012-10-17\",\"statements\":[{\"sid\":\"S\",\"effect\":\"Allow\","
                      "\"actions\":[\"s3:GetObject\"],\"not_resources\":[\"arn:aws:s3:::b\"],"
                      "\"principals\":{\"aws\":[\"*\"],\"service\":[\"ec2.amazonaws.com\"]},\"principal_all\":true,"
                      "\"conditions\":[{\"operator\":\"Bool\",\"key\":\"aws:SecureTransport\",\"values\":[\"false\"]},"
                      "{\"operator\":\"NumericLessThan\",\"key\":\"s3:max-keys\",\"values\":[\"10\"]}]}]}",
                      json);
  pol_free(&p);
}

static void test_cidr_is_internet(void **state) {
  (void)state;
  static const struct {
    const char *cidr;
    bool internet;
  } cidrs[] = {{"0.0.0.0/0", true}, {"::/0", true}, {"1.2.3.4/0", true}, {"*", true},
               {"0.0.0.0/00", true}, {"10.0.0.0/8", false}, {"0.0.0.0/1", false}, {"0.0.0.0", false},
               {"0.0.0.0/", false}, {"", false}, {"/0", true}};
  for (size_t i = 0; i < CF_ARRAY_LEN(cidrs); i++)
    if (cf__cidr_is_internet(cidrs[i].cidr) != cidrs[i].internet)
      fail_msg("'%s' should %sbe the whole internet", cidrs[i].cidr, cidrs[i].internet ? "" : "not ");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_policy_questions),
      cmocka_unit_test(test_policy_given_as_text),
      cmocka_unit_test(test_not_a_policy_is_reported),
      cmocka_unit_test(test_normalised_shape),
      cmocka_unit_test(test_cidr_is_internet),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
