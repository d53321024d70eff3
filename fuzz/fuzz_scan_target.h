/*
 * fuzz_scan_target.h - the body the scan targets share (fuzz_cfn.c, fuzz_tfplan.c,
 * fuzz_awsconfig.c): an input goes through cf_posture_scan_buffer with the shipped rules,
 * exactly as the CLI would scan it, and the report is written in every format, so that
 * adapters, rule evaluation, suppressions, the secrets pass over configuration values and the
 * writers all see fuzzed data. The targets
 * differ only in the name the input is given (which saved-CLI detection looks at), their
 * seed corpora and dictionaries. Set-up is done once in LLVMFuzzerInitialize.
 *
 * Define FUZZ_INPUT_NAME before including this file.
 */
#ifndef CF_FUZZ_SCAN_TARGET_H
#define CF_FUZZ_SCAN_TARGET_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudfort/cloudfort.h"

static cf_ctx_t *fz_ctx;
static cf_ruleset_t *fz_rules;
static cf_content_rules_t *fz_secrets; /* the secrets pass over configuration values */
static FILE *fz_null;

static ssize_t discard(void *cookie, const char *buf, size_t n) {
  (void)cookie;
  (void)buf;
  return (ssize_t)n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fz_ctx = cf_ctx_new();
  if (!fz_ctx) abort();
  cf_ctx_set_now(fz_ctx, 1748736000); /* 2025-06-01: ages do not depend on the day */
  if (cf_ruleset_new(fz_ctx, &fz_rules) != CF_OK) abort();
  cf_diags_t errs;
  cf_diags_init(&errs);
  if (cf_ruleset_load_builtin(fz_rules, &errs) != CF_OK) abort(); /* a shipped rule is broken */
  if (cf_content_rules_new(fz_ctx, CF_CONTENT_SECRET, &fz_secrets) != CF_OK ||
      cf_content_rules_load_builtin(fz_secrets, &errs) != CF_OK || cf_content_rules_compile(fz_secrets, &errs) != CF_OK)
    abort();
  cf_diags_cleanup(&errs);
  /* A stream that discards what is written (glibc's fopencookie), rather than /dev/null: the
   * target must not depend on the device files of the machine it runs on. */
  static const cookie_io_functions_t discard_io = {NULL, discard, NULL, NULL};
  fz_null = fopencookie(NULL, "w", discard_io);
  if (!fz_null) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cf_report_t report;
  if (cf_report_init(&report) != CF_OK) abort();
  cf_posture_opts_t opts;
  memset(&opts, 0, sizeof opts);
  opts.unknown = CF_UNKNOWN_REPORT; /* unknown outcomes become findings too */
  opts.content_rules = fz_secrets;
  cf_err e = cf_posture_scan_buffer(fz_ctx, fz_rules, FUZZ_INPUT_NAME, data, size, &opts, &report);
  if (e != CF_OK && e != CF_ENOMEM) abort(); /* single inputs fail into report.errors */
  cf_findings_sort(report.findings);
  for (size_t i = 0; i < cf_findings_count(report.findings); i++) {
    const cf_finding_t *f = cf_findings_at(report.findings, i);
    if (!f->rule || strlen(f->fingerprint) != 32) abort();
  }
  /* The writers see what the input put into the report: findings go through every format,
   * errors (messages quoting the input) through text and JSON. A report without findings is
   * not written as SARIF, which lists every rule and would only slow the fuzzer down. */
  if (cf_findings_count(report.findings) || report.errors.len) {
    cf_text_opts_t to = {true, true, true};
    (void)cf_report_write_text(fz_null, &report, &to);
    (void)cf_report_write_json(fz_null, &report, true);
  }
  if (cf_findings_count(report.findings)) {
    (void)cf_report_write_sarif(fz_null, &report);
    if (cf_baseline_write(fz_null, &report) != CF_OK) abort();
  }
  cf_report_cleanup(&report);
  return 0;
}

#endif
