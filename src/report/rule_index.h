/*
 * rule_index.h - finding a report's rule by its address, for writers that go over hundreds
 * of thousands of findings of a report listing hundreds of rules (report.c).
 */
#ifndef CF_REPORT_RULE_INDEX_H
#define CF_REPORT_RULE_INDEX_H

#include <stddef.h>

#include "cloudfort/report.h"

typedef struct cf_rule_index {
  struct cf_rule_at {
    const cf_rule_info_t *rule;
    size_t k; /* its position in the report's rules */
  } *by;     /* sorted by address */
  size_t n;
} cf_rule_index_t;

/* Indexes rep's rules; CF_ENOMEM. */
cf_err cf__rule_index_init(cf_rule_index_t *ix, const cf_report_t *rep);
/* The position of rule in the report's rules, or -1 when the report does not list it. */
long cf__rule_index_find(const cf_rule_index_t *ix, const cf_rule_info_t *rule);
void cf__rule_index_cleanup(cf_rule_index_t *ix);

#endif
