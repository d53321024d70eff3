/*
 * fuzz_content.c - libFuzzer target for the content analyser: arbitrary bytes through
 * cf_content_scan_buffer with the shipped secret and personal-data rules (compiled once in
 * LLVMFuzzerInitialize), the report written as JSON, SARIF and gitleaks JSON; the same bytes
 * through cf_content_scan_text on a reused scanner, checking what every match claims (offsets
 * inside the input, secret inside the match, positions that agree with the offsets); and
 * through the posture scan with its secrets pass, which hands configuration values to the
 * same engine.
 *
 * The input's name is picked by its first byte from a few kinds of file (plain text, .env,
 * source code, YAML, JSON, an archive name), so that path-scoped rules, the source-code threat
 * and archive detection see fuzzed data; the bytes themselves are not changed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudfort/cloudfort.h"

static cf_ctx_t *fz_ctx;
static cf_content_rules_t *fz_rules;
static cf_ruleset_t *fz_posture;
static cf_content_scanner_t *fz_sc;
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
  cf_diags_t errs;
  cf_diags_init(&errs);
  if (cf_content_rules_new(fz_ctx, 0, &fz_rules) != CF_OK) abort();
  if (cf_content_rules_load_builtin(fz_rules, &errs) != CF_OK) abort(); /* a shipped rule is broken */
  if (cf_content_rules_compile(fz_rules, &errs) != CF_OK) abort();
  if (cf_content_scanner_new(fz_rules, &fz_sc) != CF_OK) abort();
  if (cf_ruleset_new(fz_ctx, &fz_posture) != CF_OK) abort();
  if (cf_ruleset_load_builtin(fz_posture, &errs) != CF_OK) abort();
  cf_diags_cleanup(&errs);
  static const cookie_io_functions_t discard_io = {NULL, discard, NULL, NULL};
  fz_null = fopencookie(NULL, "w", discard_io);
  if (!fz_null) abort();
  return 0;
}

typedef struct check_ud {
  size_t len;
  const char *text;
  size_t last_start;
} check_ud_t;

/* Line and column of offset off, counted the slow way. */
static void slow_position(const char *text, size_t off, uint32_t *line, uint32_t *col) {
  uint32_t l = 1;
  size_t ls = 0;
  for (size_t i = 0; i < off; i++)
    if (text[i] == '\n') {
      l++;
      ls = i + 1;
    }
  *line = l;
  *col = (uint32_t)(off - ls + 1);
}

static int on_match(void *ud, const cf_content_match_t *m) {
  check_ud_t *c = ud;
  if (!m->rule || !m->rule->id) abort();
  if (m->end == 0 && m->start == 0) return 0; /* a rule about the file name */
  if (m->start >= m->end || m->end > c->len) abort();
  if (m->match_start > m->start || m->match_end < m->end || m->match_end > c->len) abort();
  if (m->value != c->text + m->start) abort();
  if (m->start < c->last_start) abort(); /* matches come in order of position */
  c->last_start = m->start;
  if (m->confidence < 1 || m->confidence > 3) abort();
  uint32_t l, col;
  slow_position(c->text, m->start, &l, &col);
  if (l != m->line || col != m->column) abort();
  slow_position(c->text, m->end - 1, &l, &col);
  if (l != m->end_line || col != m->end_column) abort();
  char mask[32];
  cf_content_mask(m->value, m->end - m->start, mask, sizeof mask);
  if (strlen(mask) > 20) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const names[] = {"notes.txt", "config/prod.env", "src/app.py", "deploy.yaml",
                                      "settings.json", "bundle.zip", "app.apk", "Main.class"};
  const char *name = names[size ? data[0] % (sizeof names / sizeof names[0]) : 0];

  cf_report_t report;
  if (cf_report_init(&report) != CF_OK) abort();
  cf_content_opts_t opts;
  memset(&opts, 0, sizeof opts);
  opts.threads = 1;
  cf_err e = cf_content_scan_buffer(fz_ctx, fz_rules, name, data, size, &opts, &report);
  if (e != CF_OK && e != CF_ENOMEM) abort(); /* single inputs fail into report.errors */
  cf_findings_sort(report.findings);
  for (size_t i = 0; i < cf_findings_count(report.findings); i++) {
    const cf_finding_t *f = cf_findings_at(report.findings, i);
    if (!f->rule || strlen(f->fingerprint) != 32) abort();
  }
  (void)cf_report_write_json(fz_null, &report, true);
  (void)cf_report_write_sarif(fz_null, &report);
  (void)cf_report_write_gitleaks(fz_null, &report);
  cf_report_cleanup(&report);

  /* The engine on the raw bytes, with a NUL-terminated copy so that an overread shows. */
  char *text = malloc(size + 1);
  if (!text) return 0;
  if (size) memcpy(text, data, size);
  text[size] = '\0';
  check_ud_t c = {size, text, 0};
  e = cf_content_scan_text(fz_sc, text, size, name, on_match, &c);
  if (e != CF_OK && e != CF_ENOMEM && e != CF_ELIMIT) abort();
  free(text);

  /* Configuration values through posture's secrets pass. */
  if (cf_report_init(&report) != CF_OK) abort();
  cf_posture_opts_t popts;
  memset(&popts, 0, sizeof popts);
  popts.threads = 1;
  popts.content_rules = fz_rules;
  e = cf_posture_scan_buffer(fz_ctx, fz_posture, name, data, size, &popts, &report);
  if (e != CF_OK && e != CF_ENOMEM) abort();
  for (size_t i = 0; i < cf_findings_count(report.findings); i++) {
    const cf_finding_t *f = cf_findings_at(report.findings, i);
    if (!f->rule || strlen(f->fingerprint) != 32) abort();
  }
  (void)cf_report_write_json(fz_null, &report, true);
  cf_report_cleanup(&report);
  return 0;
}
