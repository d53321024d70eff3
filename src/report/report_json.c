/*
 * report_json.c - the JSON report: the output contract of DESIGN.md.
 *
 * { "tool": {...}, "findings": [...], "errors": [...], "summary": {...}, "rules": {...} }.
 * Fields may be added, never renamed. Suppressed findings are left out of "findings" (and of
 * the summary) and listed under "suppressed" when asked. Each finding carries its rule's
 * remediation text; the longer parts of a rule (fixes for the CLI, Terraform,
 * CloudFormation and Kubernetes, references, description) are written once per rule under
 * "rules", keyed by rule id, for the rules that have findings: a report of a large snapshot
 * has hundreds of thousands of findings of a few dozen rules.
 *
 * When the dlp analyser ran, "dlp_summary" lists, per file (in byte order of the name), how
 * many findings of each personal-data rule it holds and their total, and "dlp_totals" the
 * counts over all files: `cloudfort dlp` always writes both (empty when nothing was found),
 * `cloudfort scan` only when it found personal data (report_dlp.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cloudfort/report.h"
#include "cloudfort/taxonomy.h"
#include "jsonw.h"
#include "report_dlp.h"
#include "rule_index.h"

/* Which of the report's rules have a finding written (one pass over the findings, each rule
 * found by its address). NULL when out of memory. */
static bool *rules_used(const cf_report_t *rep, bool show_suppressed) {
  cf_rule_index_t ix;
  bool *used = calloc(rep->n_rules + 1, sizeof(bool));
  if (!used || cf__rule_index_init(&ix, rep)) {
    free(used);
    return NULL;
  }
  const cf_rule_info_t *last = NULL;
  size_t n = cf_findings_count(rep->findings);
  for (size_t i = 0; i < n; i++) {
    const cf_finding_t *f = cf_findings_at(rep->findings, i);
    if ((f->suppressed && !show_suppressed) || f->rule == last) continue;
    last = f->rule;
    long k = cf__rule_index_find(&ix, f->rule);
    if (k >= 0) used[k] = true;
  }
  cf__rule_index_cleanup(&ix);
  return used;
}

static void write_finding(jsonw_t *w, const cf_finding_t *f) {
  const cf_rule_info_t *r = f->rule;
  cf__jw_obj_begin(w);
  CF_JW_KSTR(w, "rule_id", r->id);
  CF_JW_KSTR(w, "analyzer", r->analyzer);
  CF_JW_KSTR(w, "title", r->title);
  CF_JW_KSTR(w, "severity", cf_severity_name(r->severity));
  CF_JW_KEY(w, "threats");
  cf__jw_arr_begin(w);
  bool extra = f->extra_threat != 0;
  for (unsigned i = 0; i < r->n_threats; i++) {
    cf__jw_int(w, r->threats[i]);
    if (r->threats[i] == f->extra_threat) extra = false;
  }
  if (extra) cf__jw_int(w, f->extra_threat);
  cf__jw_arr_end(w);
  CF_JW_KINT(w, "group", (int64_t)cf_rule_group(r));
  CF_JW_KEY(w, "service_models");
  cf__jw_arr_begin(w);
  for (unsigned i = 0; i < CF_SM_COUNT; i++)
    if (r->service_models & (1u << i)) cf__jw_str(w, cf_service_model_name(i));
  cf__jw_arr_end(w);
  CF_JW_KEY(w, "location");
  cf__jw_obj_begin(w);
  CF_JW_KSTR(w, "file", f->file);
  CF_JW_KEY(w, "line");
  if (f->line) cf__jw_int(w, f->line); else cf__jw_null(w);
  CF_JW_KEY(w, "column");
  if (f->column) cf__jw_int(w, f->column); else cf__jw_null(w);
  CF_JW_KSTR(w, "resource", f->resource);
  CF_JW_KSTR(w, "resource_type", f->resource_type);
  CF_JW_KSTR(w, "event_id", f->event_id);
  if (f->commit) {
    CF_JW_KSTR(w, "commit", f->commit);
    CF_JW_KSTR(w, "author", f->author);
    CF_JW_KSTR(w, "email", f->email);
    CF_JW_KSTR(w, "date", f->date);
    CF_JW_KSTR(w, "message", f->message);
  }
  if (f->end_line) {
    CF_JW_KINT(w, "end_line", (int64_t)f->end_line);
    CF_JW_KINT(w, "end_column", (int64_t)f->end_column);
  }
  cf__jw_obj_end(w);
  CF_JW_KSTR(w, "attribute", f->attribute);
  CF_JW_KSTR(w, "evidence", f->evidence);
  CF_JW_KSTR(w, "remediation", r->remediation.text);
  if (f->unknown) cf__jw_kbool(w, "unknown", true);
  if (f->confidence) CF_JW_KSTR(w, "confidence", cf_confidence_name(f->confidence));
  CF_JW_KSTR(w, "fingerprint", f->fingerprint);
  if (f->suppressed) {
    static const char *const kinds[] = {"", "inline", "metadata", "annotation", "baseline"};
    CF_JW_KSTR(w, "suppressed_by", kinds[f->suppressed]);
    CF_JW_KSTR(w, "suppress_reason", f->suppress_reason);
  }
  cf__jw_obj_end(w);
}

static void write_dlp(jsonw_t *w, const cf_dlp_summary_t *s) {
  CF_JW_KEY(w, "dlp_summary");
  cf__jw_arr_begin(w);
  for (size_t i = 0; i < s->n_files; i++) {
    const cf_dlp_file_t *f = &s->files[i];
    cf__jw_obj_begin(w);
    CF_JW_KSTR(w, "file", f->file);
    CF_JW_KEY(w, "counts");
    cf__dlp_write_counts(w, f->counts, f->n_counts);
    CF_JW_KEY(w, "total");
    cf__jw_uint(w, f->total);
    cf__jw_obj_end(w);
  }
  cf__jw_arr_end(w);
  CF_JW_KEY(w, "dlp_totals");
  cf__dlp_write_counts(w, s->totals, s->n_totals);
}

static void write_rule(jsonw_t *w, const cf_rule_info_t *r) {
  cf__jw_key(w, r->id);
  cf__jw_obj_begin(w);
  CF_JW_KSTR(w, "title", r->title);
  if (r->description) CF_JW_KSTR(w, "description", r->description);
  CF_JW_KSTR(w, "severity", cf_severity_name(r->severity));
  CF_JW_KSTR(w, "remediation", r->remediation.text);
  if (r->remediation.cli || r->remediation.terraform || r->remediation.cloudformation || r->remediation.kubernetes) {
    CF_JW_KEY(w, "fix");
    cf__jw_obj_begin(w);
    if (r->remediation.cli) CF_JW_KSTR(w, "cli", r->remediation.cli);
    if (r->remediation.terraform) CF_JW_KSTR(w, "terraform", r->remediation.terraform);
    if (r->remediation.cloudformation) CF_JW_KSTR(w, "cloudformation", r->remediation.cloudformation);
    if (r->remediation.kubernetes) CF_JW_KSTR(w, "kubernetes", r->remediation.kubernetes);
    cf__jw_obj_end(w);
  }
  CF_JW_KEY(w, "references");
  cf__jw_arr_begin(w);
  for (const char *const *p = r->references; p && *p; p++) cf__jw_str(w, *p);
  cf__jw_arr_end(w);
  cf__jw_obj_end(w);
}

#define SPLIT_AT 20000u

typedef struct half {
  pthread_t th;
  const cf_report_t *rep;
  size_t from, to;
  bool any_before; /* findings were written before this half (it starts with a comma) */
  char *buf;
  size_t len;
  cf_err err;
} half_t;

static void *render_half(void *arg) {
  half_t *h = arg;
  FILE *mem = open_memstream(&h->buf, &h->len);
  if (!mem) {
    h->err = CF_ENOMEM;
    return NULL;
  }
  jsonw_t w;
  cf__jw_init(&w, mem, true);
  /* Inside { "findings": [ ... : depth 2, after a finding when one came before. */
  w.depth = 2;
  w.first[1] = false;
  w.first[2] = !h->any_before;
  for (size_t i = h->from; i < h->to; i++) {
    const cf_finding_t *f = cf_findings_at(h->rep->findings, i);
    if (!f->suppressed) write_finding(&w, f);
  }
  cf__jw_flush(&w);
  cf__buf_cleanup(&w.b);
  h->err = w.err;
  if (fclose(mem) != 0 && !h->err) h->err = CF_ENOMEM;
  return NULL;
}

cf_err cf_report_write_json(FILE *out, const cf_report_t *rep, bool show_suppressed) {
  cf_dlp_summary_t dlp;
  if (cf__dlp_summary_init(&dlp, rep)) return CF_ENOMEM;
  jsonw_t w;
  cf__jw_init(&w, out, true);
  size_t n = cf_findings_count(rep->findings);
  uint64_t by_sev[CF_SEV_COUNT] = {0}, by_group[CF_GROUP_COUNT + 1] = {0};
  uint64_t active = 0, suppressed = 0;
  cf__jw_obj_begin(&w);
  CF_JW_KEY(&w, "tool");
  cf__jw_obj_begin(&w);
  CF_JW_KSTR(&w, "name", "cloudfort");
  CF_JW_KSTR(&w, "version", CF_VERSION);
  cf__jw_obj_end(&w);
  CF_JW_KEY(&w, "findings");
  cf__jw_arr_begin(&w);
  size_t mid = n;
  uint64_t active_before_mid = 0;
  for (size_t i = 0; i < n; i++) {
    const cf_finding_t *f = cf_findings_at(rep->findings, i);
    if (f->suppressed) {
      suppressed++;
      continue;
    }
    active++;
    by_sev[f->rule->severity]++;
    by_group[cf_rule_group(f->rule)]++;
  }
  /* A large report is rendered by two threads: the second half into memory, in the state
   * the writer will be in when it gets there, then spliced in after the first half. */
  half_t second;
  memset(&second, 0, sizeof second);
  bool split = n >= SPLIT_AT;
  if (split) {
    mid = n / 2;
    for (size_t i = 0; i < mid; i++)
      if (!cf_findings_at(rep->findings, i)->suppressed) active_before_mid++;
    second.rep = rep;
    second.from = mid;
    second.to = n;
    second.any_before = active_before_mid > 0;
    split = pthread_create(&second.th, NULL, render_half, &second) == 0;
    if (!split) mid = n;
  }
  for (size_t i = 0; i < mid; i++) {
    const cf_finding_t *f = cf_findings_at(rep->findings, i);
    if (!f->suppressed) write_finding(&w, f);
  }
  if (split) {
    pthread_join(second.th, NULL);
    cf__jw_flush(&w);
    if (second.err && !w.err) w.err = second.err;
    if (second.buf && second.len && fwrite(second.buf, 1, second.len, out) != second.len && !w.err) w.err = CF_EIO;
    free(second.buf);
    w.first[w.depth] = active == 0;
  }
  cf__jw_arr_end(&w);
  if (show_suppressed) {
    CF_JW_KEY(&w, "suppressed");
    cf__jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++) {
      const cf_finding_t *f = cf_findings_at(rep->findings, i);
      if (f->suppressed) write_finding(&w, f);
    }
    cf__jw_arr_end(&w);
  }
  CF_JW_KEY(&w, "errors");
  cf__jw_arr_begin(&w);
  for (size_t i = 0; i < rep->errors.len; i++) {
    const cf_diag_t *d = &rep->errors.items[i];
    cf__jw_obj_begin(&w);
    CF_JW_KSTR(&w, "file", d->file);
    CF_JW_KEY(&w, "line");
    if (d->line) cf__jw_int(&w, d->line); else cf__jw_null(&w);
    CF_JW_KEY(&w, "column");
    if (d->column) cf__jw_int(&w, d->column); else cf__jw_null(&w);
    CF_JW_KSTR(&w, "message", d->message ? d->message : cf_strerror(d->code));
    CF_JW_KSTR(&w, "code", cf_err_name(d->code));
    cf__jw_obj_end(&w);
  }
  cf__jw_arr_end(&w);
  CF_JW_KEY(&w, "summary");
  cf__jw_obj_begin(&w);
  CF_JW_KEY(&w, "files");
  cf__jw_uint(&w, rep->files);
  CF_JW_KEY(&w, "resources");
  cf__jw_uint(&w, rep->resources);
  CF_JW_KEY(&w, "findings");
  cf__jw_uint(&w, active);
  CF_JW_KEY(&w, "suppressed");
  cf__jw_uint(&w, suppressed);
  CF_JW_KEY(&w, "errors");
  cf__jw_uint(&w, rep->errors.len);
  CF_JW_KEY(&w, "by_severity");
  cf__jw_obj_begin(&w);
  for (int s = CF_SEV_CRITICAL; s >= CF_SEV_INFO; s--) {
    cf__jw_key(&w, cf_severity_name((cf_severity)s));
    cf__jw_uint(&w, by_sev[s]);
  }
  cf__jw_obj_end(&w);
  CF_JW_KEY(&w, "by_group");
  cf__jw_obj_begin(&w);
  for (unsigned g = 1; g <= CF_GROUP_COUNT; g++) {
    cf__jw_key(&w, cf_group_name(g));
    cf__jw_uint(&w, by_group[g]);
  }
  cf__jw_obj_end(&w);
  cf__jw_obj_end(&w);
  if (dlp.present) write_dlp(&w, &dlp);
  cf__dlp_summary_cleanup(&dlp);
  /* The rules of the findings written above, in the order the report lists rules. */
  CF_JW_KEY(&w, "rules");
  cf__jw_obj_begin(&w);
  bool *used = rules_used(rep, show_suppressed);
  if (!used && !w.err) w.err = CF_ENOMEM;
  for (size_t k = 0; used && k < rep->n_rules; k++)
    if (used[k]) write_rule(&w, rep->rules[k]);
  free(used);
  cf__jw_obj_end(&w);
  cf__jw_obj_end(&w);
  return cf__jw_finish(&w);
}
