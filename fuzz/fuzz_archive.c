/*
 * fuzz_archive.c - libFuzzer target for the archive walker (src/content/archive.c) and what
 * sits behind it: libarchive's zip, tar, gzip, bzip2 and xz readers, nested archives, the
 * class-file and printable-strings extractors, the encoded-blob decoder and the content
 * engine. The input goes through cf_content_scan_buffer exactly as a file or standard input
 * would; input that is not an archive is scanned as text, which fuzzes the decoders.
 *
 * The rule set is fixed and small (written here, not the shipped pack, so that the target
 * does not change when the pack grows); limits are lowered so that a bomb stops within
 * milliseconds. Invariants: the scan returns CF_OK (or CF_ENOMEM), every finding has a rule,
 * a 32-digit fingerprint and a file name starting with the input's name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudfort/cloudfort.h"

static cf_ctx_t *fz_ctx;
static cf_content_rules_t *fz_rules;

/* Set-up failed: the fixed rules no longer load. Says why, then stops. */
static void setup_failed(const cf_diags_t *errs) {
  for (size_t i = 0; i < errs->len; i++) fprintf(stderr, "fuzz_archive: %s\n", errs->items[i].message);
  abort();
}

static const char rules_yaml[] =
    "id: fz-aws-key\n"
    "analyzer: secrets\n"
    "title: AWS access key id\n"
    "severity: high\n"
    "regex: '\\b((?:AKIA|ASIA)[A-Z2-7]{16})\\b'\n"
    "keywords: [akia, asia]\n"
    "remediation: Rotate the key.\n"
    "---\n"
    "id: fz-password\n"
    "analyzer: secrets\n"
    "title: password assignment\n"
    "severity: medium\n"
    "regex: '(?i)password\\s*[:=]\\s*\"?([^\\s\"]{8,64})'\n"
    "keywords: [password]\n"
    "remediation: Change the password.\n";

#define NAME "input.zip"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fz_ctx = cf_ctx_new();
  if (!fz_ctx) abort();
  cf_limits_t lim;
  cf_limits_default(&lim);
  lim.max_file_size = 4u << 20;
  cf_ctx_set_limits(fz_ctx, &lim);
  cf_diags_t errs;
  cf_diags_init(&errs);
  if (cf_content_rules_new(fz_ctx, CF_CONTENT_SECRET, &fz_rules) != CF_OK) abort();
  if (cf_content_rules_load_text(fz_rules, "fuzz-rules.yaml", rules_yaml, sizeof rules_yaml - 1, &errs) != CF_OK)
    setup_failed(&errs);
  if (cf_content_rules_compile(fz_rules, &errs) != CF_OK || cf_content_rules_count(fz_rules) != 2) setup_failed(&errs);
  cf_diags_cleanup(&errs);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cf_report_t report;
  if (cf_report_init(&report) != CF_OK) abort();
  cf_content_opts_t opts;
  memset(&opts, 0, sizeof opts);
  opts.threads = 1;
  opts.max_archive_bytes = 32u << 20;
  opts.max_depth = 4;
  opts.decode_depth = 3;
  cf_err e = cf_content_scan_buffer(fz_ctx, fz_rules, NAME, data, size, &opts, &report);
  if (e != CF_OK && e != CF_ENOMEM) abort();
  for (size_t i = 0; i < cf_findings_count(report.findings); i++) {
    const cf_finding_t *f = cf_findings_at(report.findings, i);
    if (!f->rule || strlen(f->fingerprint) != 32) abort();
    if (!f->file || strncmp(f->file, NAME, strlen(NAME)) != 0) abort();
  }
  cf_report_cleanup(&report);
  return 0;
}
