/*
 * cloudfort/report.h - the result of a scan and the writers that print it: text (grouped by
 * the CSA threat groups, then severity), JSON (the output contract in DESIGN.md) and
 * SARIF 2.1.0.
 *
 * Writers take a FILE* the caller opened; the library never picks stdout itself.
 * Thread safety: a report is not thread-safe while it is being filled.
 */
#ifndef CLOUDFORT_REPORT_H
#define CLOUDFORT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "context.h"
#include "error.h"
#include "finding.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_report {
  cf_findings_t *findings;  /* owned */
  cf_diags_t errors;        /* inputs that could not be read, rules that could not load */
  uint64_t files;           /* files scanned */
  uint64_t resources;       /* canonical resources evaluated */
  unsigned sources_seen;    /* bit (1 << k) for every source format k recognised */
  const cf_rule_info_t **rules; /* the rules that ran (borrowed from their rule sets) */
  size_t n_rules;
  size_t cap_rules;
} cf_report_t;

/* Initialises an empty report. Returns CF_ENOMEM. */
cf_err cf_report_init(cf_report_t *r) CF_MUST_CHECK;
void cf_report_cleanup(cf_report_t *r);
/* Records that a rule ran (for SARIF's tool.driver.rules). Duplicates are ignored. */
cf_err cf_report_add_rule(cf_report_t *r, const cf_rule_info_t *rule) CF_MUST_CHECK;

/* Suppresses the findings from index `first` on whose fingerprints the baseline file at path
 * lists (nothing when path is NULL). A file that cannot be read or is not a baseline is
 * described in report->errors and returns CF_EINVAL; CF_ENOMEM. */
cf_err cf_report_apply_baseline(const cf_ctx_t *ctx, cf_report_t *report, const char *path, size_t first)
    CF_MUST_CHECK;

/* Counts findings not suppressed at or above a severity. */
size_t cf_report_count_at_least(const cf_report_t *r, cf_severity min);

typedef struct cf_text_opts {
  bool color;           /* ANSI colours */
  bool show_suppressed; /* list suppressed findings too */
  bool remediation;     /* print each finding's remediation text */
} cf_text_opts_t;

cf_err cf_report_write_text(FILE *out, const cf_report_t *r, const cf_text_opts_t *opts);
/* JSON per the output contract. Suppressed findings are listed under "suppressed" only when
 * show_suppressed is set. */
cf_err cf_report_write_json(FILE *out, const cf_report_t *r, bool show_suppressed);
/* gitleaks' JSON report: an array of leaks (RuleID, Description, StartLine, EndLine,
 * StartColumn, EndColumn, Match, Secret, File, SymlinkFile, Commit, Entropy, Author, Email,
 * Date, Message, Tags, Fingerprint) for the content findings that are not suppressed. */
cf_err cf_report_write_gitleaks(FILE *out, const cf_report_t *r);
/* SARIF 2.1.0: one run, rules in tool.driver.rules, the CSA threats as a taxonomy. */
cf_err cf_report_write_sarif(FILE *out, const cf_report_t *r);

#ifdef __cplusplus
}
#endif
#endif
