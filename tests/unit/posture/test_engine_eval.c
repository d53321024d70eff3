/*
 * test_engine_eval.c - the rule evaluator on canonical resources (docs/rules.md,
 * "Conditions", "Paths", "Operators", "Values known only after deployment").
 *
 * Each case is a condition written as a rule author would write it, a resource's canonical
 * attributes as JSON, and the outcome: true (the rule fires), false, or unknown. In the JSON,
 * the string "(unknown)" stands for a value known only after deployment (CF_NODE_UNKNOWN), as
 * adapters produce for Terraform's "known after apply" or an unresolved CloudFormation
 * intrinsic. The evaluator is called directly (rule.h), so these cases pin the language's
 * semantics independently of any adapter; test_scan.c covers the same logic end to end.
 */
#include "testutil.h"

#include "posture/rule.h"

#define NOW 1748736000 /* 2025-06-01T00:00:00Z */

typedef struct compiled {
  cf_ruleset_t *rs;
  cf_doc_t *attrs_doc;
  cf_resource_t res;
} compiled_t;

/* Turns every string "(unknown)" into an unknown value. */
static void mark_unknown(cf_node_t *n) {
  if (n->type == CF_NODE_STRING && strcmp(n->u.s, "(unknown)") == 0) {
    n->type = CF_NODE_UNKNOWN;
  } else if (n->type == CF_NODE_ARRAY) {
    for (uint32_t i = 0; i < n->len; i++) mark_unknown(n->u.items[i]);
  } else if (n->type == CF_NODE_OBJECT) {
    for (uint32_t i = 0; i < n->len; i++) mark_unknown(n->u.members[i].value);
  }
}

static void compile(compiled_t *c, const char *condition, const char *attrs_json, bool incomplete) {
  memset(c, 0, sizeof *c);
  char text[4096];
  snprintf(text, sizeof text,
           "id: CF-T-001\ntitle: t\nseverity: high\nthreats: [3]\nresource: aws.s3.bucket\n"
           "remediation: r\ncondition: %s\n",
           condition);
  assert_int_equal(CF_OK, cf_ruleset_new(NULL, &c->rs));
  cf_diags_t errs;
  cf_diags_init(&errs);
  cf_err e = cf_ruleset_load_text(c->rs, "t.yaml", text, strlen(text), &errs);
  if (e) fail_msg("condition %s does not compile: %s", condition, errs.len ? errs.items[0].message : "?");
  cf_diags_cleanup(&errs);
  cf_diag_t d;
  cf_diag_init(&d);
  cf_doc_opts_t o = {CF_DOC_JSON, 0, "attrs.json", false};
  e = cf_doc_parse(NULL, attrs_json, strlen(attrs_json), &o, &c->attrs_doc, &d);
  if (e) fail_msg("attributes %s: %s", attrs_json, d.message);
  cf_diag_cleanup(&d);
  mark_unknown(c->attrs_doc->roots[0]);
  c->res.type = "aws.s3.bucket";
  c->res.address = "Bucket";
  c->res.attrs = c->attrs_doc->roots[0];
  c->res.incomplete = incomplete;
  c->res.source = CF_SRC_CFN;
}

static tri_t evaluate(compiled_t *c, eval_out_t *out) {
  eval_env_t env = {NULL, NOW, NULL, NULL, NULL};
  return cf__rule_eval(&env, c->rs->rules[0], &c->res, out);
}

static void release(compiled_t *c) {
  cf_doc_free(c->attrs_doc);
  cf_ruleset_free(c->rs);
}

static const char *tri_name(tri_t t) { return t == TRI_T ? "true" : t == TRI_F ? "false" : "unknown"; }

#define T TRI_T
#define F TRI_F
#define U TRI_U

typedef struct eval_case {
  const char *condition;
  const char *attrs;
  tri_t want;
} eval_case_t;

static void run_table(const eval_case_t *cases, size_t n, bool incomplete) {
  for (size_t i = 0; i < n; i++) {
    compiled_t c;
    compile(&c, cases[i].condition, cases[i].attrs, incomplete);
    eval_out_t out;
    tri_t got = evaluate(&c, &out);
    if (got != cases[i].want)
      fail_msg("%s on %s%s: %s, expected %s (evidence: %s)", cases[i].condition, cases[i].attrs,
               incomplete ? " (incomplete)" : "", tri_name(got), tri_name(cases[i].want), out.evidence);
    release(&c);
  }
}

/* ---- operators ---- */

static const eval_case_t operators[] = {
    /* exists / missing: null counts as not set */
    {"{path: a, exists: true}", "{\"a\": 1}", T},
    {"{path: a, exists: true}", "{}", F},
    {"{path: a, exists: true}", "{\"a\": null}", F},
    {"{path: a, exists: false}", "{}", T},
    {"{path: a, missing: true}", "{}", T},
    {"{path: a, missing: true}", "{\"a\": \"\"}", F},
    {"{path: a, missing: false}", "{\"a\": 0}", T},
    /* equals with the coercions cloud formats need */
    {"{path: a, equals: x}", "{\"a\": \"x\"}", T},
    {"{path: a, equals: x}", "{\"a\": \"X\"}", F},
    {"{path: a, equals: true}", "{\"a\": \"true\"}", T},
    {"{path: a, equals: true}", "{\"a\": \"TRUE\"}", T},
    {"{path: a, equals: false}", "{\"a\": true}", F},
    {"{path: a, equals: 80}", "{\"a\": \"80\"}", T},
    {"{path: a, equals: 80}", "{\"a\": 80.0}", T},
    {"{path: a, equals: '80'}", "{\"a\": 80}", T},
    {"{path: a, equals: null}", "{\"a\": null}", T},
    {"{path: a, equals: [1, 2]}", "{\"a\": [1, 2]}", T},
    {"{path: a, equals: {k: v}}", "{\"a\": {\"k\": \"v\"}}", T},
    {"{path: a, equals: x}", "{}", F},
    /* negative operators are about values that exist */
    {"{path: a, not_equals: x}", "{\"a\": \"y\"}", T},
    {"{path: a, not_equals: x}", "{\"a\": \"x\"}", F},
    {"{path: a, not_equals: x}", "{}", F},
    {"{path: a, iequals: Enabled}", "{\"a\": \"ENABLED\"}", T},
    {"{path: a, iequals: Enabled}", "{\"a\": \"Disabled\"}", F},
    {"{path: a, in: [x, y]}", "{\"a\": \"y\"}", T},
    {"{path: a, in: [x, y]}", "{\"a\": \"Y\"}", F},
    {"{path: a, iin: [x, y]}", "{\"a\": \"Y\"}", T},
    {"{path: a, not_in: [x, y]}", "{\"a\": \"z\"}", T},
    {"{path: a, not_in: [x, y]}", "{\"a\": \"x\"}", F},
    {"{path: a, not_in: [x, y]}", "{}", F},
    {"{path: a, in: [22, 3389]}", "{\"a\": \"22\"}", T},
    /* regex: PCRE2, not anchored; non-strings never match */
    {"{path: a, regex: '^arn:aws:iam::[0-9]{12}:root$'}", "{\"a\": \"arn:aws:iam::123456789012:root\"}", T},
    {"{path: a, regex: 'AllUsers'}", "{\"a\": \"http://acs.amazonaws.com/groups/global/AllUsers\"}", T},
    {"{path: a, regex: '^x'}", "{\"a\": \"yx\"}", F},
    {"{path: a, regex: '1'}", "{\"a\": 1}", F},
    {"{path: a, regex: '(?i)secret'}", "{\"a\": \"MY_SECRET\"}", T},
    /* comparisons on numbers and numeric strings */
    {"{path: a, gt: 1}", "{\"a\": 2}", T},
    {"{path: a, gt: 2}", "{\"a\": 2}", F},
    {"{path: a, gte: 2}", "{\"a\": 2}", T},
    {"{path: a, lt: 2}", "{\"a\": 1.5}", T},
    {"{path: a, lte: 2}", "{\"a\": \"2\"}", T},
    {"{path: a, gt: 1}", "{\"a\": \"lots\"}", F},
    {"{path: a, gt: 1}", "{\"a\": true}", F},
    /* contains: list membership or substring */
    {"{path: a, contains: x}", "{\"a\": [\"w\", \"x\"]}", T},
    {"{path: a, contains: x}", "{\"a\": [\"w\"]}", F},
    {"{path: a, contains: 443}", "{\"a\": [80, \"443\"]}", T},
    {"{path: a, contains: 'curl '}", "{\"a\": \"#!/bin/sh\\ncurl http://x\"}", T},
    {"{path: a, contains: x}", "{\"a\": 5}", F},
    /* empty */
    {"{path: a, empty: true}", "{\"a\": \"\"}", T},
    {"{path: a, empty: true}", "{\"a\": []}", T},
    {"{path: a, empty: true}", "{\"a\": {}}", T},
    {"{path: a, empty: true}", "{\"a\": null}", T},
    {"{path: a, empty: true}", "{\"a\": [1]}", F},
    {"{path: a, empty: false}", "{\"a\": \"x\"}", T},
    {"{path: a, empty: true}", "{}", F},
    /* type */
    {"{path: a, type: string}", "{\"a\": \"1\"}", T},
    {"{path: a, type: number}", "{\"a\": 1}", T},
    {"{path: a, type: number}", "{\"a\": 1.5}", T},
    {"{path: a, type: int}", "{\"a\": 1.5}", F},
    {"{path: a, type: bool}", "{\"a\": false}", T},
    {"{path: a, type: array}", "{\"a\": []}", T},
    {"{path: a, type: object}", "{\"a\": {}}", T},
    {"{path: a, type: null}", "{\"a\": null}", T},
    /* internet: a CIDR covering everything */
    {"{path: a, internet: true}", "{\"a\": \"0.0.0.0/0\"}", T},
    {"{path: a, internet: true}", "{\"a\": \"::/0\"}", T},
    {"{path: a, internet: true}", "{\"a\": \"10.0.0.0/8\"}", F},
    {"{path: a, internet: true}", "{\"a\": \"0.0.0.0/1\"}", F},
    {"{path: a, internet: true}", "{\"a\": \"0.0.0.0/00\"}", T},
    {"{path: a, internet: false}", "{\"a\": \"10.0.0.0/8\"}", T},
    /* port_includes on firewall rules */
    {"{path: r, port_includes: 22}", "{\"r\": {\"protocol\": \"tcp\", \"from_port\": 0, \"to_port\": 1024}}", T},
    {"{path: r, port_includes: 22}", "{\"r\": {\"protocol\": \"tcp\", \"from_port\": 80, \"to_port\": 443}}", F},
    {"{path: r, port_includes: 3389}", "{\"r\": {\"protocol\": \"-1\"}}", T},
    {"{path: r, port_includes: 22}", "{\"r\": {\"protocol\": -1, \"from_port\": 0, \"to_port\": 0}}", T},
    {"{path: r, port_includes: 22}", "{\"r\": {\"protocol\": \"icmp\", \"from_port\": 0, \"to_port\": 65535}}", F},
    {"{path: r, port_includes: 22}", "{\"r\": {\"protocol\": \"tcp\", \"from_port\": 22}}", T},
    {"{path: r, port_includes: 22}", "{\"r\": {\"protocol\": \"tcp\", \"from_port\": \"22\", \"to_port\": \"22\"}}", T},
    {"{path: r, port_includes: 22}", "{\"r\": {\"protocol\": \"tcp\", \"from_port\": \"(unknown)\", \"to_port\": 22}}", U},
    {"{path: r, port_includes: 22}", "{\"r\": {\"protocol\": \"(unknown)\"}}", U},
    /* ages, as of 2025-06-01 */
    {"{path: t, older_than_days: 90}", "{\"t\": \"2025-01-01T00:00:00Z\"}", T},
    {"{path: t, older_than_days: 90}", "{\"t\": \"2025-05-01T00:00:00Z\"}", F},
    {"{path: t, newer_than_days: 90}", "{\"t\": \"2025-05-01T00:00:00+02:00\"}", T},
    {"{path: t, newer_than_days: 90}", "{\"t\": \"2025-01-01\"}", F},
    {"{path: t, older_than_days: 1}", "{\"t\": \"not a date\"}", F},
    {"{path: t, older_than_days: 1}", "{\"t\": \"N/A\"}", F},
};

static void test_every_operator(void **state) {
  (void)state;
  run_table(operators, CF_ARRAY_LEN(operators), false);
}

/* ---- paths ---- */

static const eval_case_t paths[] = {
    {"{path: a.b.c, equals: 1}", "{\"a\": {\"b\": {\"c\": 1}}}", T},
    {"{path: a.b.c, equals: 1}", "{\"a\": {\"b\": 1}}", F},
    /* implicit projection: arrays met by a key step are walked into */
    {"{path: grants.uri, equals: AllUsers}", "{\"grants\": [{\"uri\": \"x\"}, {\"uri\": \"AllUsers\"}]}", T},
    {"{path: grants.uri, equals: AllUsers}", "{\"grants\": [{\"uri\": \"x\"}, {\"other\": 1}]}", F},
    {"{path: a.b, equals: 1}", "{\"a\": [[{\"b\": 2}], [{\"b\": 1}]]}", T},
    {"{path: 'grants[*].uri', equals: AllUsers}", "{\"grants\": [{\"uri\": \"AllUsers\"}]}", T},
    {"{path: 'grants[1].uri', equals: AllUsers}", "{\"grants\": [{\"uri\": \"AllUsers\"}, {\"uri\": \"x\"}]}", F},
    {"{path: 'grants[0].uri', equals: AllUsers}", "{\"grants\": [{\"uri\": \"AllUsers\"}, {\"uri\": \"x\"}]}", T},
    {"{path: 'grants[5].uri', exists: true}", "{\"grants\": [{\"uri\": \"AllUsers\"}]}", F},
    {"{path: 'tags.*', equals: prod}", "{\"tags\": {\"env\": \"prod\", \"team\": \"x\"}}", T},
    {"{path: 'tags.\"cloudfort.io/ignore\"', equals: yes}", "{\"tags\": {\"cloudfort.io/ignore\": \"yes\"}}", T},
    {"{path: 'tags.cloudfort.io/ignore', equals: yes}", "{\"tags\": {\"cloudfort.io/ignore\": \"yes\"}}", F},
    /* a leaf is true when any selected value satisfies it */
    {"{path: cidrs, internet: true}", "{\"cidrs\": [\"10.0.0.0/8\", \"0.0.0.0/0\"]}", T},
    /* the current value */
    {"{path: '.', type: object}", "{}", T},
    /* $. starts at the resource, also inside a quantifier */
    {"{path: $.name, equals: logs}", "{\"name\": \"logs\"}", T},
    {"{some: rules, where: {all: [{path: port, equals: 22}, {path: $.public, equals: true}]}}",
     "{\"public\": true, \"rules\": [{\"port\": 22}]}", T},
    {"{some: rules, where: {all: [{path: port, equals: 22}, {path: $.public, equals: true}]}}",
     "{\"public\": false, \"rules\": [{\"port\": 22}]}", F},
    {"{some: rules, where: {path: public, equals: true}}", "{\"public\": true, \"rules\": [{\"port\": 22}]}", F},
};

static void test_paths(void **state) {
  (void)state;
  run_table(paths, CF_ARRAY_LEN(paths), false);
}

/* ---- quantifiers ---- */

#define GRANTS "{\"g\": [{\"p\": \"READ\"}, {\"p\": \"WRITE\"}, {\"p\": \"READ\"}]}"
static const eval_case_t quantifiers[] = {
    {"{some: g, where: {path: p, equals: WRITE}}", GRANTS, T},
    {"{some: g, where: {path: p, equals: FULL}}", GRANTS, F},
    {"{some: g, where: {path: p, equals: FULL}}", "{\"g\": []}", F},
    {"{some: g, where: {path: p, equals: FULL}}", "{}", F},
    {"{every: g, where: {path: p, in: [READ, WRITE]}}", GRANTS, T},
    {"{every: g, where: {path: p, equals: READ}}", GRANTS, F},
    {"{every: g, where: {path: p, equals: READ}}", "{\"g\": []}", T}, /* vacuously true */
    {"{none: g, where: {path: p, equals: FULL}}", GRANTS, T},
    {"{none: g, where: {path: p, equals: WRITE}}", GRANTS, F},
    {"{count: g, where: {path: p, equals: READ}, equals: 2}", GRANTS, T},
    {"{count: g, where: {path: p, equals: READ}, gt: 2}", GRANTS, F},
    {"{count: g, where: {path: p, equals: READ}, gte: 2}", GRANTS, T},
    {"{count: g, where: {path: p, equals: READ}, lt: 3}", GRANTS, T},
    {"{count: g, where: {path: p, equals: READ}, lte: 1}", GRANTS, F},
    {"{count: g, gte: 3}", GRANTS, T}, /* without where: every element counts */
    {"{count: g, equals: 0}", "{}", T},
    /* a single object is one element */
    {"{some: g, where: {path: p, equals: READ}}", "{\"g\": {\"p\": \"READ\"}}", T},
    /* quantifiers nest */
    {"{some: sgs, where: {some: ingress, where: {path: cidr, internet: true}}}",
     "{\"sgs\": [{\"ingress\": [{\"cidr\": \"10.0.0.0/8\"}]}, {\"ingress\": [{\"cidr\": \"0.0.0.0/0\"}]}]}", T},
};

static void test_quantifiers(void **state) {
  (void)state;
  run_table(quantifiers, CF_ARRAY_LEN(quantifiers), false);
}

/* ---- three-valued logic ---- */

static const eval_case_t three_valued[] = {
    {"{path: a, equals: x}", "{\"a\": \"(unknown)\"}", U},
    {"{path: a, not_equals: x}", "{\"a\": \"(unknown)\"}", U},
    /* a value known after deployment may still turn out null */
    {"{path: a, exists: true}", "{\"a\": \"(unknown)\"}", U},
    {"{path: a, missing: true}", "{\"a\": \"(unknown)\"}", U},
    {"{path: a, exists: true}", "{\"a\": [\"(unknown)\", 1]}", T},
    {"{path: a, exists: true}", "{\"a\": {\"b\": \"(unknown)\"}}", T},
    {"{path: a.b, equals: 1}", "{\"a\": \"(unknown)\"}", U}, /* the walk stops at the unknown */
    /* not keeps unknown */
    {"{not: {path: a, equals: x}}", "{\"a\": \"(unknown)\"}", U},
    /* all: false if a part is false, else unknown if a part is unknown */
    {"{all: [{path: a, equals: x}, {path: b, equals: 1}]}", "{\"a\": \"(unknown)\", \"b\": 1}", U},
    {"{all: [{path: a, equals: x}, {path: b, equals: 1}]}", "{\"a\": \"(unknown)\", \"b\": 2}", F},
    {"{all: [{path: a, equals: x}, {path: b, equals: 1}]}", "{\"a\": \"x\", \"b\": 1}", T},
    /* any: true if a part is true, else unknown if a part is unknown */
    {"{any: [{path: a, equals: x}, {path: b, equals: 1}]}", "{\"a\": \"(unknown)\", \"b\": 1}", T},
    {"{any: [{path: a, equals: x}, {path: b, equals: 1}]}", "{\"a\": \"(unknown)\", \"b\": 2}", U},
    {"{any: [{path: a, equals: x}, {path: b, equals: 1}]}", "{\"a\": \"y\", \"b\": 2}", F},
    /* a known match among unknowns decides */
    {"{path: a, equals: x}", "{\"a\": [\"(unknown)\", \"x\"]}", T},
    {"{path: a, equals: x}", "{\"a\": [\"(unknown)\", \"y\"]}", U},
    /* quantifiers over unknown elements */
    {"{some: g, where: {path: p, equals: W}}", "{\"g\": [\"(unknown)\", {\"p\": \"R\"}]}", U},
    {"{some: g, where: {path: p, equals: W}}", "{\"g\": [\"(unknown)\", {\"p\": \"W\"}]}", T},
    {"{every: g, where: {path: p, equals: R}}", "{\"g\": [\"(unknown)\", {\"p\": \"R\"}]}", U},
    {"{every: g, where: {path: p, equals: R}}", "{\"g\": [\"(unknown)\", {\"p\": \"W\"}]}", F},
    {"{none: g, where: {path: p, equals: W}}", "{\"g\": [\"(unknown)\", {\"p\": \"R\"}]}", U},
    {"{some: g, where: {path: p, equals: W}}", "{\"g\": \"(unknown)\"}", U}, /* the whole list */
    /* count: decided only when the unknown elements cannot change the comparison */
    {"{count: g, where: {path: p, equals: W}, gte: 1}", "{\"g\": [{\"p\": \"W\"}, \"(unknown)\"]}", T},
    {"{count: g, where: {path: p, equals: W}, gte: 2}", "{\"g\": [{\"p\": \"W\"}, \"(unknown)\"]}", U},
    {"{count: g, where: {path: p, equals: W}, gte: 3}", "{\"g\": [{\"p\": \"W\"}, \"(unknown)\"]}", F},
};

static void test_three_valued_logic(void **state) {
  (void)state;
  run_table(three_valued, CF_ARRAY_LEN(three_valued), false);
}

/* ---- incomplete resources: what is absent is unknown, not unset ---- */

static const eval_case_t incomplete[] = {
    {"{path: encryption.rules, missing: true}", "{\"name\": \"b\"}", U},
    {"{path: encryption.rules, exists: true}", "{\"name\": \"b\"}", U},
    {"{not: {path: versioning.status, equals: Enabled}}", "{\"name\": \"b\"}", U},
    {"{path: versioning.status, not_equals: Enabled}", "{\"name\": \"b\"}", U},
    {"{every: grants, where: {path: p, equals: READ}}", "{\"name\": \"b\"}", U},
    {"{none: grants, where: {path: p, equals: FULL}}", "{\"name\": \"b\"}", U},
    /* what the resource does say is judged as usual */
    {"{path: name, equals: b}", "{\"name\": \"b\"}", T},
    {"{path: name, equals: c}", "{\"name\": \"b\"}", F},
    {"{all: [{path: name, equals: c}, {path: encryption.rules, missing: true}]}", "{\"name\": \"b\"}", F},
    {"{every: grants, where: {path: p, equals: READ}}", "{\"grants\": [{\"p\": \"READ\"}]}", T},
};

static void test_incomplete_resources(void **state) {
  (void)state;
  run_table(incomplete, CF_ARRAY_LEN(incomplete), true);
}

/* ---- evidence and witnesses ---- */

static void test_evidence_names_the_deciding_value(void **state) {
  (void)state;
  compiled_t c;
  compile(&c, "{all: [{not: {path: own, equals: X}}, {path: acl.canned, iin: [public-read]}]}",
          "{\"acl\": {\"canned\": \"public-read\"}}", false);
  eval_out_t out;
  assert_int_equal(TRI_T, evaluate(&c, &out));
  assert_string_equal("acl.canned = public-read", out.evidence);
  assert_string_equal("acl.canned", out.attribute);
  assert_non_null(out.witness);
  assert_string_equal("public-read", cf_node_str(out.witness));
  release(&c);

  compile(&c, "{path: logging.enabled, missing: true}", "{}", false);
  assert_int_equal(TRI_T, evaluate(&c, &out));
  assert_string_equal("logging.enabled is not set", out.evidence);
  assert_null(out.witness);
  release(&c);

  compile(&c, "{count: g, gte: 1}", "{\"g\": [1, 2]}", false);
  assert_int_equal(TRI_T, evaluate(&c, &out));
  assert_string_equal("2 of 2 g match", out.evidence);
  release(&c);

  /* Control characters never reach the evidence. */
  compile(&c, "{path: a, exists: true}", "{\"a\": \"x\\u001b[31my\\nz\"}", false);
  assert_int_equal(TRI_T, evaluate(&c, &out));
  assert_string_equal("a = x [31my z", out.evidence);
  release(&c);
}

static void test_evidence_is_bounded(void **state) {
  (void)state;
  char attrs[2048];
  char big[1500];
  memset(big, 'v', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  snprintf(attrs, sizeof attrs, "{\"a\": \"%s\"}", big);
  compiled_t c;
  compile(&c, "{path: a, exists: true}", attrs, false);
  eval_out_t out;
  assert_int_equal(TRI_T, evaluate(&c, &out));
  assert_true(strlen(out.evidence) <= CF_LIMIT_EVIDENCE);
  release(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_operator),
      cmocka_unit_test(test_paths),
      cmocka_unit_test(test_quantifiers),
      cmocka_unit_test(test_three_valued_logic),
      cmocka_unit_test(test_incomplete_resources),
      cmocka_unit_test(test_evidence_names_the_deciding_value),
      cmocka_unit_test(test_evidence_is_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
