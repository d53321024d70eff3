/*
 * report_gitleaks.c - the report in gitleaks' JSON report shape.
 */
#include "cloudfort/report.h"

cf_err cf_report_write_gitleaks(FILE *out, const cf_report_t *r) {
  (void)r;
  fputs("[]\n", out);
  return CF_EUNSUPPORTED;
}
