/*
 * report_dlp.h - counts of personal data per file and per type, shared by the text, JSON and
 * SARIF writers (internal to src/report/).
 */
#ifndef CF_REPORT_DLP_H
#define CF_REPORT_DLP_H

#include <stdbool.h>
#include <stddef.h>

#include "cloudfort/report.h"
#include "jsonw.h"

/* How many findings of one rule. */
typedef struct cf_dlp_count {
  const char *rule_id; /* borrowed from the rule */
  size_t count;
} cf_dlp_count_t;

/* The counts of one file, rule ids in byte order. */
typedef struct cf_dlp_file {
  const char *file; /* borrowed from the findings ("" for findings without a file) */
  const cf_dlp_count_t *counts;
  size_t n_counts;
  size_t total;
} cf_dlp_file_t;

typedef struct cf_dlp_summary {
  bool present;           /* the summary belongs in the report (see cf__dlp_summary_init) */
  cf_dlp_file_t *files;   /* in byte order of the file name */
  size_t n_files;
  cf_dlp_count_t *totals; /* over every file, rule ids in byte order */
  size_t n_totals;
  size_t total;
  cf_dlp_count_t *store;  /* backing store of the files' counts */
} cf_dlp_summary_t;

/*
 * Counts the unsuppressed findings of rules of the "dlp" analyser. The summary is present
 * when the dlp analyser ran (one of report->rules is a dlp rule) and either it was the only
 * analyser that ran or it found something: `cloudfort dlp` always shows it, even empty, and
 * `cloudfort scan` only when there is personal data to count, so that reports of scans
 * without personal data do not grow an empty section. Returns CF_ENOMEM (the summary is then
 * empty and need not be cleaned up).
 */
cf_err cf__dlp_summary_init(cf_dlp_summary_t *s, const cf_report_t *r) CF_MUST_CHECK;
void cf__dlp_summary_cleanup(cf_dlp_summary_t *s);
/* Writes counts as a JSON object {rule id: count} (the JSON and SARIF writers). */
void cf__dlp_write_counts(jsonw_t *w, const cf_dlp_count_t *c, size_t n);

#endif
