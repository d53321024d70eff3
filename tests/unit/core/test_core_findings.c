/*
 * test_core_findings.c - the finding type's contract: fingerprints, severities, the CSA
 * taxonomy, report order, and the error codes and diagnostics every module returns.
 *
 * Fingerprints drive baselines and suppression history, so their stability is specified
 * precisely: the same finding always gets the same fingerprint (one value is pinned here, so
 * a change of the hash input breaks this test before it breaks users' baselines); moving a
 * finding to another line or column does not change it; a different rule, resource, file,
 * attribute or evidence does; a leading "./" on the path does not.
 */
#include "testutil.h"

#include "core/core.h"

static const cf_rule_info_t rule_a = {.id = "CF-T-001", .title = "a", .severity = CF_SEV_HIGH,
                                      .threats = {8, 3}, .n_threats = 2};
static const cf_rule_info_t rule_b = {.id = "CF-T-002", .title = "b", .severity = CF_SEV_LOW,
                                      .threats = {3}, .n_threats = 1};

static cf_finding_t base_finding(void) {
  cf_finding_t f;
  memset(&f, 0, sizeof f);
  f.rule = &rule_a;
  f.file = "dir/f.yaml";
  f.line = 12;
  f.column = 5;
  f.resource = "Res";
  f.attribute = "attr";
  f.evidence = "x = 1";
  return f;
}

static void fingerprint_of(const cf_finding_t *f, char out[33]) {
  cf_finding_fingerprint(f, out);
  assert_int_equal(32, strlen(out));
  for (int i = 0; i < 32; i++) assert_non_null(strchr("0123456789abcdef", out[i]));
}

static void test_fingerprint_is_pinned(void **state) {
  (void)state;
  cf_finding_t f = base_finding();
  char fp[33];
  fingerprint_of(&f, fp);
  /* sha256("CF-T-001\0dir/f.yaml\0Res\0attr\0x = 1\0"), first 128 bits. */
  assert_string_equal("900efc23554fa262bee137fd9b6d417d", fp);
}

static void test_fingerprint_same_finding_same_value(void **state) {
  (void)state;
  cf_finding_t f = base_finding();
  char a[33], b[33];
  fingerprint_of(&f, a);
  fingerprint_of(&f, b);
  assert_string_equal(a, b);
}

/* Each case changes one field of the base finding. */
typedef enum { F_LINE, F_COLUMN, F_DOT_SLASH, F_UNKNOWN_FLAG, F_RULE, F_RESOURCE, F_FILE,
               F_ATTRIBUTE, F_EVIDENCE, F_NO_RESOURCE } field_change;
static const struct {
  field_change change;
  bool same; /* the fingerprint stays the same */
} changes[] = {
    {F_LINE, true},     {F_COLUMN, true},   {F_DOT_SLASH, true}, {F_UNKNOWN_FLAG, true},
    {F_RULE, false},    {F_RESOURCE, false}, {F_FILE, false},    {F_ATTRIBUTE, false},
    {F_EVIDENCE, false}, {F_NO_RESOURCE, false},
};

static void test_fingerprint_depends_on_identity_not_on_line(void **state) {
  (void)state;
  cf_finding_t base = base_finding();
  char want[33];
  fingerprint_of(&base, want);
  for (size_t i = 0; i < CF_ARRAY_LEN(changes); i++) {
    cf_finding_t f = base_finding();
    switch (changes[i].change) {
    case F_LINE: f.line = 400; break;
    case F_COLUMN: f.column = 1; break;
    case F_DOT_SLASH: f.file = "./dir/f.yaml"; break;
    case F_UNKNOWN_FLAG: f.unknown = true; break;
    case F_RULE: f.rule = &rule_b; break;
    case F_RESOURCE: f.resource = "Other"; break;
    case F_FILE: f.file = "dir/g.yaml"; break;
    case F_ATTRIBUTE: f.attribute = "other"; break;
    case F_EVIDENCE: f.evidence = "x = 2"; break;
    case F_NO_RESOURCE: f.resource = NULL; break;
    }
    char got[33];
    fingerprint_of(&f, got);
    if ((strcmp(got, want) == 0) != changes[i].same)
      fail_msg("change %zu: fingerprint %s when it should %s", i, got,
               changes[i].same ? "stay the same" : "change");
  }
}

static void test_fingerprint_fields_do_not_run_together(void **state) {
  (void)state;
  /* "ab" + "c" and "a" + "bc" are different findings. */
  cf_finding_t f1 = base_finding(), f2 = base_finding();
  f1.resource = "ab";
  f1.attribute = "c";
  f2.resource = "a";
  f2.attribute = "bc";
  char a[33], b[33];
  fingerprint_of(&f1, a);
  fingerprint_of(&f2, b);
  assert_string_not_equal(a, b);
}

static void test_findings_list_copies_and_fingerprints(void **state) {
  (void)state;
  cf_findings_t *l = cf_findings_new();
  assert_non_null(l);
  char file[32] = "dir/f.yaml";
  cf_finding_t f = base_finding();
  f.file = file;
  assert_int_equal(CF_OK, cf_findings_add(l, &f));
  strcpy(file, "changed"); /* the list holds its own copy */
  const cf_finding_t *got = cf_findings_at(l, 0);
  assert_string_equal("dir/f.yaml", got->file);
  assert_string_equal("900efc23554fa262bee137fd9b6d417d", got->fingerprint);
  assert_null(cf_findings_at(l, 1));
  assert_int_equal(CF_EINVAL, cf_findings_suppress(l, 5, CF_SUPPRESS_INLINE, NULL));
  assert_int_equal(CF_OK, cf_findings_suppress(l, 0, CF_SUPPRESS_BASELINE, "known"));
  assert_int_equal(CF_SUPPRESS_BASELINE, cf_findings_at(l, 0)->suppressed);
  assert_string_equal("known", cf_findings_at(l, 0)->suppress_reason);
  cf_findings_free(l);
  cf_findings_free(NULL);
}

static void test_findings_sort_in_report_order(void **state) {
  (void)state;
  /* Group first (rule_a: threat 8 -> group 2; rule_c: threat 1 -> group 1), then severity,
   * file, line. */
  static const cf_rule_info_t rule_c = {.id = "CF-T-003", .severity = CF_SEV_LOW, .threats = {1}, .n_threats = 1};
  static const cf_rule_info_t rule_d = {.id = "CF-T-004", .severity = CF_SEV_CRITICAL, .threats = {4}, .n_threats = 1};
  cf_findings_t *l = cf_findings_new();
  const cf_rule_info_t *order_in[] = {&rule_a, &rule_c, &rule_d, &rule_c};
  const uint32_t lines[] = {1, 9, 5, 2};
  for (int i = 0; i < 4; i++) {
    cf_finding_t f = base_finding();
    f.rule = order_in[i];
    f.line = lines[i];
    assert_int_equal(CF_OK, cf_findings_add(l, &f));
  }
  cf_findings_sort(l);
  const char *want_ids[] = {"CF-T-004", "CF-T-003", "CF-T-003", "CF-T-001"};
  const uint32_t want_lines[] = {5, 2, 9, 1};
  for (int i = 0; i < 4; i++) {
    assert_string_equal(want_ids[i], cf_findings_at(l, (size_t)i)->rule->id);
    assert_int_equal(want_lines[i], cf_findings_at(l, (size_t)i)->line);
  }
  cf_findings_free(l);
}

/* ---- severities ---- */

static const struct {
  const char *name;
  bool ok;
  cf_severity sev;
} severities[] = {
    {"info", true, CF_SEV_INFO},     {"low", true, CF_SEV_LOW},
    {"medium", true, CF_SEV_MEDIUM}, {"high", true, CF_SEV_HIGH},
    {"critical", true, CF_SEV_CRITICAL}, {"CRITICAL", true, CF_SEV_CRITICAL},
    {"High", true, CF_SEV_HIGH},
    {"", false, 0},                  {"crit", false, 0},
    {"severe", false, 0},            {"high ", false, 0},
    {"warning", false, 0},
};

static void test_severity_parse_table(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(severities); i++) {
    cf_severity got = (cf_severity)99;
    bool ok = cf_severity_parse(severities[i].name, &got);
    if (ok != severities[i].ok) fail_msg("severity '%s': parse %s", severities[i].name, ok ? "accepted" : "refused");
    if (ok) assert_int_equal(severities[i].sev, got);
  }
  for (int s = 0; s < CF_SEV_COUNT; s++) {
    cf_severity back;
    assert_true(cf_severity_parse(cf_severity_name((cf_severity)s), &back));
    assert_int_equal(s, back);
  }
  assert_string_equal("unknown", cf_severity_name((cf_severity)42));
  assert_true(CF_SEV_CRITICAL > CF_SEV_HIGH && CF_SEV_HIGH > CF_SEV_MEDIUM &&
              CF_SEV_MEDIUM > CF_SEV_LOW && CF_SEV_LOW > CF_SEV_INFO);
}

/* ---- taxonomy ---- */

/* CSA Top Threats 2022 as the source analysis groups them. */
static const struct {
  unsigned threat;
  unsigned group;
} taxonomy[] = {
    {1, 1}, {3, 1}, {4, 1}, {9, 1}, /* strategy and management */
    {2, 2}, {8, 2}, {11, 2},        /* data leakage */
    {5, 3}, {6, 3}, {7, 3},         /* infrastructure and software sharing */
    {10, 4},                        /* cybercrime */
};

static void test_taxonomy_threat_groups(void **state) {
  (void)state;
  assert_int_equal(CF_THREAT_COUNT, CF_ARRAY_LEN(taxonomy));
  for (size_t i = 0; i < CF_ARRAY_LEN(taxonomy); i++) {
    const cf_threat_info_t *t = cf_threat_get(taxonomy[i].threat);
    assert_non_null(t);
    assert_int_equal(taxonomy[i].threat, t->number);
    if (t->group != taxonomy[i].group)
      fail_msg("threat %u is in group %u, expected %u", taxonomy[i].threat, t->group, taxonomy[i].group);
    assert_non_null(t->name);
    assert_non_null(t->short_name);
    assert_non_null(t->view);
    assert_non_null(t->owner);
    /* A rule whose first threat is this one is in its group. */
    cf_rule_info_t r = {.id = "X", .threats = {(uint8_t)taxonomy[i].threat, 10}, .n_threats = 2};
    assert_int_equal(taxonomy[i].group, cf_rule_group(&r));
  }
  assert_null(cf_threat_get(0));
  assert_null(cf_threat_get(12));
  assert_string_equal("Misconfiguration and inadequate change control", cf_threat_get(3)->name);
  cf_rule_info_t none = {.id = "X"};
  assert_int_equal(4, cf_rule_group(&none));
  assert_int_equal(4, cf_rule_group(NULL));
}

static void test_taxonomy_groups_and_service_models(void **state) {
  (void)state;
  assert_string_equal("Strategy and management", cf_group_name(1));
  assert_string_equal("Data leakage", cf_group_name(2));
  assert_string_equal("Infrastructure and software sharing", cf_group_name(3));
  assert_string_equal("Cybercrime", cf_group_name(4));
  assert_null(cf_group_name(0));
  assert_null(cf_group_name(5));
  static const char *const models[] = {"IaaS", "PaaS", "SaaS", "FaaS", "CaaS", "BaaS"};
  for (unsigned i = 0; i < CF_SM_COUNT; i++) {
    assert_string_equal(models[i], cf_service_model_name(i));
    assert_int_equal(1u << i, cf_service_model_parse(models[i]));
  }
  assert_int_equal(CF_SM_IAAS, cf_service_model_parse("iaas"));
  assert_int_equal(0, cf_service_model_parse("XaaS"));
  assert_null(cf_service_model_name(CF_SM_COUNT));
}

/* ---- errors and diagnostics ---- */

static void test_error_names_and_messages(void **state) {
  (void)state;
  assert_int_equal(0, CF_OK);
  assert_string_equal("OK", cf_err_name(CF_OK));
  assert_string_equal("EPARSE", cf_err_name(CF_EPARSE));
  assert_string_equal("ELIMIT", cf_err_name(CF_ELIMIT));
  assert_string_equal("ERULE", cf_err_name(CF_ERULE));
  assert_string_equal("out of memory", cf_strerror(CF_ENOMEM));
  assert_string_equal("unknown error", cf_strerror(CF_ERR__COUNT));
  assert_string_equal("EUNKNOWN", cf_err_name((cf_err)-1));
  for (int e = 0; e < CF_ERR__COUNT; e++) {
    assert_non_null(cf_strerror((cf_err)e));
    assert_non_null(cf_err_name((cf_err)e));
  }
}

static void test_diagnostics_own_their_strings(void **state) {
  (void)state;
  cf_diag_t d;
  cf_diag_init(&d);
  char name[16] = "a.yaml";
  assert_int_equal(CF_EPARSE, cf_diag_set(&d, CF_EPARSE, name, 3, 7, "bad %s at %d", "thing", 9));
  strcpy(name, "changed");
  assert_string_equal("a.yaml", d.file);
  assert_string_equal("bad thing at 9", d.message);
  assert_int_equal(3, d.line);
  assert_int_equal(7, d.column);
  /* Setting again replaces the old content (and does not leak it). */
  cf_diag_set(&d, CF_ELIMIT, NULL, 0, 0, "second");
  assert_null(d.file);
  assert_string_equal("second", d.message);
  assert_int_equal(CF_ELIMIT, cf_diag_set(NULL, CF_ELIMIT, "x", 1, 1, "ignored"));

  cf_diags_t l;
  cf_diags_init(&l);
  for (int i = 0; i < 20; i++) assert_int_equal(CF_OK, cf_diags_add(&l, CF_EIO, "f", (uint32_t)i, 1, "n%d", i));
  assert_int_equal(CF_OK, cf_diags_adopt(&l, &d));
  assert_null(d.message); /* moved out */
  assert_int_equal(21, l.len);
  assert_string_equal("n19", l.items[19].message);
  assert_string_equal("second", l.items[20].message);
  cf_diags_cleanup(&l);
  cf_diag_cleanup(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fingerprint_is_pinned),
      cmocka_unit_test(test_fingerprint_same_finding_same_value),
      cmocka_unit_test(test_fingerprint_depends_on_identity_not_on_line),
      cmocka_unit_test(test_fingerprint_fields_do_not_run_together),
      cmocka_unit_test(test_findings_list_copies_and_fingerprints),
      cmocka_unit_test(test_findings_sort_in_report_order),
      cmocka_unit_test(test_severity_parse_table),
      cmocka_unit_test(test_taxonomy_threat_groups),
      cmocka_unit_test(test_taxonomy_groups_and_service_models),
      cmocka_unit_test(test_error_names_and_messages),
      cmocka_unit_test(test_diagnostics_own_their_strings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
