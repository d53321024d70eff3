/*
 * report.c - the scan result shared by every analyser and every writer.
 */
#include <stdlib.h>
#include <string.h>

#include "cloudfort/report.h"
#include "rule_index.h"

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

/* ---- rules by address (rule_index.h) ---- */

static int cmp_rule_at(const void *a, const void *b) {
  const cf_rule_info_t *x = ((const struct cf_rule_at *)a)->rule, *y = ((const struct cf_rule_at *)b)->rule;
  return x < y ? -1 : x > y;
}

cf_err cf__rule_index_init(cf_rule_index_t *ix, const cf_report_t *rep) {
  ix->n = rep->n_rules;
  ix->by = malloc((ix->n + 1) * sizeof(*ix->by));
  if (!ix->by) return CF_ENOMEM;
  for (size_t k = 0; k < ix->n; k++) ix->by[k] = (struct cf_rule_at){rep->rules[k], k};
  qsort(ix->by, ix->n, sizeof(*ix->by), cmp_rule_at);
  return CF_OK;
}

long cf__rule_index_find(const cf_rule_index_t *ix, const cf_rule_info_t *rule) {
  struct cf_rule_at key = {rule, 0};
  const struct cf_rule_at *hit = bsearch(&key, ix->by, ix->n, sizeof(*ix->by), cmp_rule_at);
  return hit ? (long)hit->k : -1; /* cf_report_add_rule lists a rule once */
}

void cf__rule_index_cleanup(cf_rule_index_t *ix) {
  free(ix->by);
  ix->by = NULL;
  ix->n = 0;
}
