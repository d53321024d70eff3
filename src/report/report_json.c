/*
 * report_json.c - the JSON report: the output contract of DESIGN.md.
 *
 * { "tool": {...}, "findings": [...], "errors": [...], "summary": {...} }. Fields may be
 * added, never renamed. Suppressed findings are left out of "findings" (and of the summary)
 * and listed under "suppressed" when asked.
 */
#include <string.h>

#include "cloudfort/report.h"
#include "cloudfort/taxonomy.h"
#include "jsonw.h"

static void write_finding(jsonw_t *w, const cf_finding_t *f) {
  const cf_rule_info_t *r = f->rule;
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "rule_id", r->id);
  cf__jw_kstr(w, "analyzer", r->analyzer);
  cf__jw_kstr(w, "title", r->title);
  cf__jw_kstr(w, "severity", cf_severity_name(r->severity));
  cf__jw_key(w, "threats");
  cf__jw_arr_begin(w);
  for (unsigned i = 0; i < r->n_threats; i++) cf__jw_int(w, r->threats[i]);
  cf__jw_arr_end(w);
  cf__jw_kint(w, "group", (int64_t)cf_rule_group(r));
  cf__jw_key(w, "service_models");
  cf__jw_arr_begin(w);
  for (unsigned i = 0; i < CF_SM_COUNT; i++)
    if (r->service_models & (1u << i)) cf__jw_str(w, cf_service_model_name(i));
  cf__jw_arr_end(w);
  cf__jw_key(w, "location");
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "file", f->file);
  cf__jw_key(w, "line");
  if (f->line) cf__jw_int(w, f->line); else cf__jw_null(w);
  cf__jw_key(w, "column");
  if (f->column) cf__jw_int(w, f->column); else cf__jw_null(w);
  cf__jw_kstr(w, "resource", f->resource);
  cf__jw_kstr(w, "resource_type", f->resource_type);
  cf__jw_kstr(w, "event_id", f->event_id);
  cf__jw_obj_end(w);
  cf__jw_kstr(w, "attribute", f->attribute);
  cf__jw_kstr(w, "evidence", f->evidence);
  cf__jw_kstr(w, "remediation", r->remediation.text);
  if (r->remediation.cli || r->remediation.terraform || r->remediation.cloudformation || r->remediation.kubernetes) {
    cf__jw_key(w, "fix");
    cf__jw_obj_begin(w);
    if (r->remediation.cli) cf__jw_kstr(w, "cli", r->remediation.cli);
    if (r->remediation.terraform) cf__jw_kstr(w, "terraform", r->remediation.terraform);
    if (r->remediation.cloudformation) cf__jw_kstr(w, "cloudformation", r->remediation.cloudformation);
    if (r->remediation.kubernetes) cf__jw_kstr(w, "kubernetes", r->remediation.kubernetes);
    cf__jw_obj_end(w);
  }
  if (r->references && r->references[0]) {
    cf__jw_key(w, "references");
    cf__jw_arr_begin(w);
    for (const char *const *p = r->references; *p; p++) cf__jw_str(w, *p);
    cf__jw_arr_end(w);
  }
  if (f->unknown) cf__jw_kbool(w, "unknown", true);
  cf__jw_kstr(w, "fingerprint", f->fingerprint);
  if (f->suppressed) {
    static const char *const kinds[] = {"", "inline", "metadata", "annotation", "baseline"};
    cf__jw_kstr(w, "suppressed_by", kinds[f->suppressed]);
    cf__jw_kstr(w, "suppress_reason", f->suppress_reason);
  }
  cf__jw_obj_end(w);
}

cf_err cf_report_write_json(FILE *out, const cf_report_t *rep, bool show_suppressed) {
  jsonw_t w;
  cf__jw_init(&w, out, true);
  size_t n = cf_findings_count(rep->findings);
  uint64_t by_sev[CF_SEV_COUNT] = {0}, by_group[CF_GROUP_COUNT + 1] = {0};
  uint64_t active = 0, suppressed = 0;
  cf__jw_obj_begin(&w);
  cf__jw_key(&w, "tool");
  cf__jw_obj_begin(&w);
  cf__jw_kstr(&w, "name", "cloudfort");
  cf__jw_kstr(&w, "version", CF_VERSION);
  cf__jw_obj_end(&w);
  cf__jw_key(&w, "findings");
  cf__jw_arr_begin(&w);
  for (size_t i = 0; i < n; i++) {
    const cf_finding_t *f = cf_findings_at(rep->findings, i);
    if (f->suppressed) {
      suppressed++;
      continue;
    }
    write_finding(&w, f);
    active++;
    by_sev[f->rule->severity]++;
    by_group[cf_rule_group(f->rule)]++;
  }
  cf__jw_arr_end(&w);
  if (show_suppressed) {
    cf__jw_key(&w, "suppressed");
    cf__jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++) {
      const cf_finding_t *f = cf_findings_at(rep->findings, i);
      if (f->suppressed) write_finding(&w, f);
    }
    cf__jw_arr_end(&w);
  }
  cf__jw_key(&w, "errors");
  cf__jw_arr_begin(&w);
  for (size_t i = 0; i < rep->errors.len; i++) {
    const cf_diag_t *d = &rep->errors.items[i];
    cf__jw_obj_begin(&w);
    cf__jw_kstr(&w, "file", d->file);
    cf__jw_key(&w, "line");
    if (d->line) cf__jw_int(&w, d->line); else cf__jw_null(&w);
    cf__jw_key(&w, "column");
    if (d->column) cf__jw_int(&w, d->column); else cf__jw_null(&w);
    cf__jw_kstr(&w, "message", d->message ? d->message : cf_strerror(d->code));
    cf__jw_kstr(&w, "code", cf_err_name(d->code));
    cf__jw_obj_end(&w);
  }
  cf__jw_arr_end(&w);
  cf__jw_key(&w, "summary");
  cf__jw_obj_begin(&w);
  cf__jw_key(&w, "files");
  cf__jw_uint(&w, rep->files);
  cf__jw_key(&w, "resources");
  cf__jw_uint(&w, rep->resources);
  cf__jw_key(&w, "findings");
  cf__jw_uint(&w, active);
  cf__jw_key(&w, "suppressed");
  cf__jw_uint(&w, suppressed);
  cf__jw_key(&w, "errors");
  cf__jw_uint(&w, rep->errors.len);
  cf__jw_key(&w, "by_severity");
  cf__jw_obj_begin(&w);
  for (int s = CF_SEV_CRITICAL; s >= CF_SEV_INFO; s--) {
    cf__jw_key(&w, cf_severity_name((cf_severity)s));
    cf__jw_uint(&w, by_sev[s]);
  }
  cf__jw_obj_end(&w);
  cf__jw_key(&w, "by_group");
  cf__jw_obj_begin(&w);
  for (unsigned g = 1; g <= CF_GROUP_COUNT; g++) {
    cf__jw_key(&w, cf_group_name(g));
    cf__jw_uint(&w, by_group[g]);
  }
  cf__jw_obj_end(&w);
  cf__jw_obj_end(&w);
  cf__jw_obj_end(&w);
  return cf__jw_finish(&w);
}
