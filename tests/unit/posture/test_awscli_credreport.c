/*
 * test_awscli_credreport.c - the IAM credential report: the CSV reader (quoted fields,
 * doubled quotes, CRLF, line breaks inside fields, limits), the meaning of "N/A" and its
 * siblings, the positions findings point at, and the base64 JSON that
 * `aws iam get-credential-report` prints.
 */
#include <openssl/evp.h>

#include "testutil.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char HEADER[] =
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

static char *rule(const char *id, const char *type, const char *cond) {
  char *out = NULL;
  assert_true(asprintf(&out,
                       "id: %s\ntitle: t\nseverity: info\nthreats: [1]\nservice_models: [IaaS]\nresource: %s\n"
                       "condition: %s\nremediation: {text: t}\n",
                       id, type, cond) > 0);
  return out;
}

/* ---- "N/A", "not_supported", "no_information" mean absent ---- */

typedef struct absent_case {
  const char *row;  /* fields after user,arn,user_creation_time */
  const char *cond; /* on aws.iam.user */
  size_t want;
} absent_case_t;

static const absent_case_t absent_cases[] = {
    /* password never used, or no password at all */
    {"true,N/A,2024-01-01T00:00:00+00:00,N/A,true,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
     "{all: [{path: password_enabled, equals: true}, {path: password_last_used, missing: true}]}", 1},
    {"true,no_information,2024-01-01T00:00:00+00:00,N/A,true,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
     "{path: password_last_used, missing: true}", 1},
    {"true,2025-05-01T08:00:00+00:00,2024-01-01T00:00:00+00:00,N/A,true,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
     "{path: password_last_used, equals: '2025-05-01T08:00:00+00:00'}", 1},
    {"false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
     "{all: [{path: password_enabled, equals: false}, {path: mfa_active, equals: false}]}", 1},
    /* no keys at all: inactive and never rotated */
    {"false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
     "{path: access_keys, exists: true}", 0},
    /* an active key never used */
    {"false,N/A,N/A,N/A,false,true,2024-02-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
     "{some: access_keys, where: {all: [{path: id, equals: access_key_1}, {path: active, equals: true}, {path: last_rotated, exists: true}, {path: last_used, missing: true}]}}", 1},
    /* an inactive key still exists when it has a rotation date; it is the second one */
    {"false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,2021-03-01T00:00:00+00:00,2021-04-01T00:00:00+00:00,eu-west-1,s3,false,N/A,false,N/A",
     "{all: [{count: access_keys, equals: 1}, {some: access_keys, where: {all: [{path: id, equals: access_key_2}, {path: active, equals: false}, {path: last_used, equals: '2021-04-01T00:00:00+00:00'}]}}]}", 1},
    /* two active keys */
    {"false,N/A,N/A,N/A,false,true,2024-02-01T00:00:00+00:00,2025-05-30T00:00:00+00:00,us-east-1,sts,true,2024-03-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A",
     "{count: access_keys, where: {path: active, equals: true}, equals: 2}", 1},
    /* a key rotated long ago (ages are judged as of 2025-06-01) */
    {"false,N/A,N/A,N/A,false,true,2024-11-01T00:00:00+00:00,2025-05-30T00:00:00+00:00,us-east-1,sts,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
     "{some: access_keys, where: {path: last_rotated, older_than_days: 180}}", 1},
    {"false,N/A,N/A,N/A,false,true,2025-01-01T00:00:00+00:00,2025-05-30T00:00:00+00:00,us-east-1,sts,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
     "{some: access_keys, where: {path: last_rotated, older_than_days: 180}}", 0},
};

static void test_absent_values(void **state) {
  (void)state;
  char *r = NULL;
  int bad = 0;
  for (size_t i = 0; i < N_OF(absent_cases); i++) {
    char csv[4096];
    snprintf(csv, sizeof csv, "%s\nfrank,arn:aws:iam::123456789012:user/frank,2020-01-01T00:00:00+00:00,%s\n", HEADER, absent_cases[i].row);
    r = rule("T-1", "aws.iam.user", absent_cases[i].cond);
    tu_scan_t *s = tu_scan_text(".csv", csv, r, false);
    size_t got = tu_count(&s->report, "T-1");
    if (got != absent_cases[i].want || s->report.errors.len || s->report.resources != 1) {
      print_error("case %zu %s: %zu findings (want %zu), %zu errors, %llu resources\n", i, absent_cases[i].cond, got,
                  absent_cases[i].want, s->report.errors.len, (unsigned long long)s->report.resources);
      bad++;
    }
    tu_scan_free(s);
    free(r);
  }
  assert_int_equal(0, bad);
}

/* The root account: not_supported password columns, its own type. */
static void test_root_account(void **state) {
  (void)state;
  char csv[4096];
  snprintf(csv, sizeof csv,
           "%s\n<root_account>,arn:aws:iam::123456789012:root,2018-01-01T00:00:00+00:00,not_supported,"
           "2025-05-31T10:00:00+00:00,not_supported,not_supported,false,true,2019-01-01T00:00:00+00:00,"
           "2025-05-01T00:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
           HEADER);
  char *r1 = rule("T-ROOT", "aws.iam.root_account",
                  "{all: [{path: mfa_active, equals: false}, {path: password_enabled, missing: true}, "
                  "{path: password_last_used, newer_than_days: 1}, {some: access_keys, where: {path: active, equals: true}}]}");
  char *r2 = rule("T-USER", "aws.iam.user", "{path: arn, exists: true}");
  char both[2048];
  snprintf(both, sizeof both, "%s---\n%s", r1, r2);
  tu_scan_t *s = tu_scan_text(".csv", csv, both, false);
  assert_int_equal(0, s->report.errors.len);
  assert_rule_fires(s, "T-ROOT", 1);
  assert_rule_fires(s, "T-USER", 0);
  const cf_finding_t *f = tu_first(&s->report, "T-ROOT");
  assert_string_equal("<root_account>", f->resource);
  tu_scan_free(s);
  free(r1);
  free(r2);
}

/* ---- the CSV reader ---- */

/* Quoting as RFC 4180 allows it: a user name with a comma (IAM allows ',' in names), doubled
 * quotes, a line break inside a field, CRLF line ends. Findings point at the row's line and
 * the field's column. */
static void test_quoted_fields_and_positions(void **state) {
  (void)state;
  char csv[8192];
  snprintf(csv, sizeof csv,
           "%s\r\n"
           /* line 2: quoted, with a comma in the name */
           "\"ops,admin\",\"arn:aws:iam::123456789012:user/ops,admin\",2020-01-01T00:00:00+00:00,true,N/A,N/A,N/A,false,"
           "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\r\n"
           /* lines 3-4: a field with doubled quotes and a line break (in a column we do not map) */
           "gina,arn:aws:iam::123456789012:user/gina,\"2020-01-01 \"\"early\"\"\r\nimport\",true,N/A,N/A,N/A,\"true\","
           "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\r\n"
           /* line 5: after the multi-line row, lines are still counted right */
           "hank,arn:aws:iam::123456789012:user/hank,2020-01-01T00:00:00+00:00,true,N/A,N/A,N/A,false,"
           "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\r\n",
           HEADER);
  char *r1 = rule("T-NOMFA", "aws.iam.user", "{path: mfa_active, equals: false}");
  char *r2 = rule("T-COMMA", "aws.iam.user", "{all: [{path: name, equals: 'ops,admin'}, {path: arn, equals: 'arn:aws:iam::123456789012:user/ops,admin'}]}");
  char *r3 = rule("T-GINA", "aws.iam.user", "{all: [{path: name, equals: gina}, {path: mfa_active, equals: true}]}");
  char rules[4096];
  snprintf(rules, sizeof rules, "%s---\n%s---\n%s", r1, r2, r3);
  tu_scan_t *s = tu_scan_text(".csv", csv, rules, false);
  assert_int_equal(0, s->report.errors.len);
  assert_int_equal(3, s->report.resources);
  assert_rule_fires(s, "T-COMMA", 1);
  assert_rule_fires(s, "T-GINA", 1);
  assert_rule_fires(s, "T-NOMFA", 2);
  /* The two users without MFA: rows on lines 2 and 5; the mfa_active field's column. */
  uint32_t lines[2] = {0, 0}, cols[2] = {0, 0};
  size_t k = 0;
  for (size_t i = 0; i < cf_findings_count(s->report.findings) && k < 2; i++) {
    const cf_finding_t *f = cf_findings_at(s->report.findings, i);
    if (strcmp(f->rule->id, "T-NOMFA") != 0) continue;
    lines[k] = f->line;
    cols[k] = f->column;
    k++;
  }
  if (lines[0] > lines[1]) {
    uint32_t t = lines[0];
    lines[0] = lines[1];
    lines[1] = t;
    t = cols[0];
    cols[0] = cols[1];
    cols[1] = t;
  }
  assert_int_equal(2, lines[0]);
  assert_int_equal(5, lines[1]);
  /* "ops,admin" row: mfa_active starts after 7 fields. */
  const char *row2 = "\"ops,admin\",\"arn:aws:iam::123456789012:user/ops,admin\",2020-01-01T00:00:00+00:00,true,N/A,N/A,N/A,";
  const char *row5 = "hank,arn:aws:iam::123456789012:user/hank,2020-01-01T00:00:00+00:00,true,N/A,N/A,N/A,";
  assert_int_equal(strlen(row2) + 1, cols[0]);
  assert_int_equal(strlen(row5) + 1, cols[1]);
  tu_scan_free(s);
  free(r1);
  free(r2);
  free(r3);
}

/* Bad input: the rows before the damage are kept, the damage is reported with its line. */
typedef struct bad_case {
  const char *tail;       /* rows after the header and one good row */
  unsigned resources;     /* users read */
  const char *message;    /* part of the one warning, or NULL for none */
  uint32_t line;          /* its line */
} bad_case_t;

static const bad_case_t bad_cases[] = {
    {"ivan,\"arn:aws:iam::1:user/ivan,2020\n", 1, "unterminated quoted field", 3},
    {"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,"
     "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,"
     "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,"
     "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,"
     "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z\n"
     "judy,arn:aws:iam::1:user/judy\n",
     2, "more than 256", 3},
    {"\n\nkate,arn:aws:iam::1:user/kate\n", 2, NULL, 0},           /* blank lines */
    {"liam,arn:aws:iam::1:user/liam", 2, NULL, 0},                   /* no final line break */
    {"mia,\"arn\"junk,2020\n", 2, NULL, 0},                          /* text after a closing quote */
    {",arn:aws:iam::1:user/nobody\n", 1, NULL, 0},                   /* no user name */
};

static void test_bad_input(void **state) {
  (void)state;
  int bad = 0;
  for (size_t i = 0; i < N_OF(bad_cases); i++) {
    const bad_case_t *c = &bad_cases[i];
    char csv[8192];
    snprintf(csv, sizeof csv, "%s\nfirst,arn:aws:iam::1:user/first,2020-01-01T00:00:00+00:00,true\n%s", HEADER, c->tail);
    tu_scan_t *s = tu_scan_text(".csv", csv, NULL, false);
    bool ok = s->report.resources == c->resources;
    if (c->message)
      ok = ok && s->report.errors.len == 1 && strstr(s->report.errors.items[0].message, c->message) &&
           s->report.errors.items[0].line == c->line;
    else
      ok = ok && s->report.errors.len == 0;
    if (!ok) {
      print_error("case %zu: %llu resources (want %u), %zu errors%s%s\n", i, (unsigned long long)s->report.resources,
                  c->resources, s->report.errors.len, s->report.errors.len ? ": " : "",
                  s->report.errors.len ? s->report.errors.items[0].message : "");
      bad++;
    }
    tu_scan_free(s);
  }
  assert_int_equal(0, bad);
}

/* Reports from before a column existed still load: columns are found by name. */
static void test_columns_by_name(void **state) {
  (void)state;
  const char *csv =
      "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
      "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated,"
      "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
      "olga,arn:aws:iam::123456789012:user/olga,2014-01-01T00:00:00+00:00,true,2014-06-01T00:00:00+00:00,N/A,N/A,"
      "false,true,2014-01-02T00:00:00+00:00,false,N/A,false,N/A,false,N/A\n";
  char *r = rule("T-1", "aws.iam.user",
                 "{all: [{path: mfa_active, equals: false}, {count: access_keys, equals: 1}, "
                 "{some: access_keys, where: {all: [{path: active, equals: true}, {path: last_used, missing: true}]}}]}");
  tu_scan_t *s = tu_scan_text(".csv", csv, r, false);
  assert_int_equal(0, s->report.errors.len);
  assert_rule_fires(s, "T-1", 1);
  tu_scan_free(s);
  free(r);
}

/* ---- the JSON of `aws iam get-credential-report` ---- */

static void test_base64_json_report(void **state) {
  (void)state;
  char csv[4096];
  snprintf(csv, sizeof csv,
           "%s\n<root_account>,arn:aws:iam::123456789012:root,2018-01-01T00:00:00+00:00,not_supported,"
           "no_information,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
           "pete,arn:aws:iam::123456789012:user/pete,2020-01-01T00:00:00+00:00,true,2025-05-01T00:00:00+00:00,N/A,N/A,"
           "false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
           HEADER);
  unsigned char b64[8192];
  int n = EVP_EncodeBlock(b64, (const unsigned char *)csv, (int)strlen(csv));
  assert_true(n > 0);
  char json[9000];
  snprintf(json, sizeof json,
           "{\n    \"Content\": \"%s\",\n    \"ReportFormat\": \"text/csv\",\n"
           "    \"GeneratedTime\": \"2025-05-31T10:00:00+00:00\"\n}\n",
           (const char *)b64);
  char *r1 = rule("T-ROOT", "aws.iam.root_account", "{path: mfa_active, equals: false}");
  char *r2 = rule("T-USER", "aws.iam.user", "{all: [{path: name, equals: pete}, {path: mfa_active, equals: false}]}");
  char rules[2048];
  snprintf(rules, sizeof rules, "%s---\n%s", r1, r2);
  tu_scan_t *s = tu_scan_text(".json", json, rules, false);
  assert_int_equal(0, s->report.errors.len);
  assert_int_equal(2, s->report.resources);
  assert_rule_fires(s, "T-ROOT", 1);
  assert_rule_fires(s, "T-USER", 1);
  /* Lines of the decoded report are not lines of the file: findings point at Content. */
  const cf_finding_t *f = tu_first(&s->report, "T-USER");
  assert_int_equal(2, f->line);
  assert_int_equal(16, f->column);
  tu_scan_free(s);
  free(r1);
  free(r2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_absent_values),
      cmocka_unit_test(test_root_account),
      cmocka_unit_test(test_quoted_fields_and_positions),
      cmocka_unit_test(test_bad_input),
      cmocka_unit_test(test_columns_by_name),
      cmocka_unit_test(test_base64_json_report),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
