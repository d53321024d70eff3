/*
 * report_dlp.c - the personal-data summary of a report: how many findings of each dlp rule
 * every file holds, and the totals. `cloudfort dlp` is used to take stock of personal data
 * ("which exports hold card numbers, and how many"), which a flat list of findings answers
 * badly once there are thousands.
 *
 * The unsuppressed dlp findings are sorted by (file, rule id) into a scratch array and
 * counted in one pass; per-file counts live in one backing array, so the cost is
 * O(n log n) time and O(n) memory for n dlp findings, whatever the number of files.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "report_dlp.h"

static bool is_dlp(const cf_rule_info_t *r) { return r && r->analyzer && strcmp(r->analyzer, "dlp") == 0; }

static int cmp_file_rule(const void *pa, const void *pb) {
  const cf_finding_t *a = *(const cf_finding_t *const *)pa, *b = *(const cf_finding_t *const *)pb;
  int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
  return c ? c : strcmp(a->rule->id, b->rule->id);
}

static int cmp_count(const void *pa, const void *pb) {
  return strcmp(((const cf_dlp_count_t *)pa)->rule_id, ((const cf_dlp_count_t *)pb)->rule_id);
}

cf_err cf__dlp_summary_init(cf_dlp_summary_t *s, const cf_report_t *r) {
  memset(s, 0, sizeof *s);
  bool dlp_ran = false, other_ran = false;
  for (size_t i = 0; i < r->n_rules; i++) {
    if (is_dlp(r->rules[i])) dlp_ran = true;
    else other_ran = true;
  }
  if (!dlp_ran) return CF_OK;
  size_t n = cf_findings_count(r->findings), k = 0;
  for (size_t i = 0; i < n; i++) {
    const cf_finding_t *f = cf_findings_at(r->findings, i);
    if (!f->suppressed && is_dlp(f->rule)) k++;
  }
  if (k == 0 && other_ran) return CF_OK;
  s->present = true;
  if (k == 0) return CF_OK;
  const cf_finding_t **all = malloc(k * sizeof(*all));
  s->store = malloc(k * sizeof(*s->store));
  s->files = malloc(k * sizeof(*s->files));
  s->totals = malloc(k * sizeof(*s->totals));
  if (!all || !s->store || !s->files || !s->totals) {
    free(all);
    cf__dlp_summary_cleanup(s);
    return CF_ENOMEM;
  }
  k = 0;
  for (size_t i = 0; i < n; i++) {
    const cf_finding_t *f = cf_findings_at(r->findings, i);
    if (!f->suppressed && is_dlp(f->rule)) all[k++] = f;
  }
  qsort(all, k, sizeof(*all), cmp_file_rule);
  size_t n_store = 0;
  for (size_t i = 0; i < k;) {
    const char *file = all[i]->file ? all[i]->file : "";
    cf_dlp_file_t *df = &s->files[s->n_files++];
    df->file = file;
    df->counts = &s->store[n_store];
    df->n_counts = 0;
    df->total = 0;
    while (i < k && strcmp(all[i]->file ? all[i]->file : "", file) == 0) {
      const char *id = all[i]->rule->id;
      size_t c = 0;
      while (i < k && strcmp(all[i]->file ? all[i]->file : "", file) == 0 && strcmp(all[i]->rule->id, id) == 0) {
        c++;
        i++;
      }
      s->store[n_store].rule_id = id;
      s->store[n_store].count = c;
      n_store++;
      df->n_counts++;
      df->total += c;
    }
    s->total += df->total;
  }
  /* Totals: the per-file counts sorted by rule id, then merged. */
  memcpy(s->totals, s->store, n_store * sizeof(*s->totals));
  qsort(s->totals, n_store, sizeof(*s->totals), cmp_count);
  size_t m = 0;
  for (size_t i = 0; i < n_store; i++) {
    if (m && strcmp(s->totals[m - 1].rule_id, s->totals[i].rule_id) == 0) s->totals[m - 1].count += s->totals[i].count;
    else s->totals[m++] = s->totals[i];
  }
  s->n_totals = m;
  free(all);
  return CF_OK;
}

void cf__dlp_summary_cleanup(cf_dlp_summary_t *s) {
  free(s->files);
  free(s->totals);
  free(s->store);
  memset(s, 0, sizeof *s);
}

void cf__dlp_write_counts(jsonw_t *w, const cf_dlp_count_t *c, size_t n) {
  cf__jw_obj_begin(w);
  for (size_t i = 0; i < n; i++) {
    cf__jw_key(w, c[i].rule_id);
    cf__jw_uint(w, c[i].count);
  }
  cf__jw_obj_end(w);
}
