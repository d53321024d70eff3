/*
 * report.c - the scan result shared by every analyser and every writer.
 */
#include <stdlib.h>
#include <string.h>

#include "cloudfort/report.h"

cf_err cf_report_init(cf_report_t *r) {
  memset(r, 0, sizeof(*r));
  cf_diags_init(&r->errors);
  r->findings = cf_findings_new();
  return r->findings ? CF_OK : CF_ENOMEM;
}

void cf_report_cleanup(cf_report_t *r) {
  if (!r) return;
  cf_findings_free(r->findings);
  cf_diags_cleanup(&r->errors);
  free(r->rules);
  memset(r, 0, sizeof(*r));
}

cf_err cf_report_add_rule(cf_report_t *r, const cf_rule_info_t *rule) {
  for (size_t i = 0; i < r->n_rules; i++)
    if (r->rules[i] == rule) return CF_OK;
  if (r->n_rules == r->cap_rules) {
    size_t nc = r->cap_rules ? r->cap_rules * 2 : 64;
    const cf_rule_info_t **n = realloc(r->rules, nc * sizeof(*n));
    if (!n) return CF_ENOMEM;
    r->rules = n;
    r->cap_rules = nc;
  }
  r->rules[r->n_rules++] = rule;
  return CF_OK;
}

size_t cf_report_count_at_least(const cf_report_t *r, cf_severity min) {
  size_t n = 0, total = cf_findings_count(r->findings);
  for (size_t i = 0; i < total; i++) {
    const cf_finding_t *f = cf_findings_at(r->findings, i);
    if (!f->suppressed && !f->unknown && f->rule && f->rule->severity >= min) n++;
  }
  return n;
}
