/*
 * testutil.h - helpers for the cmocka unit tests: scanning text or files with the shipped
 * rules and domain assertions that read like a specification, after YARA's tests/util.h.
 */
#ifndef CF_TESTUTIL_H
#define CF_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cloudfort/cloudfort.h"

/* Where the shared test material lives (../shared/corpora next to the checkout). */
#define TU_CORPORA "../shared/corpora"

/* Writes text to a fresh temporary file whose name ends with suffix; returns its malloc'd
 * path. The file is removed by tu_unlink. */
static inline char *tu_write_temp(const char *suffix, const char *text, size_t len) {
  char tmpl[256];
  snprintf(tmpl, sizeof tmpl, "/tmp/cftest-XXXXXX%s", suffix);
  int fd = mkstemps(tmpl, (int)strlen(suffix));
  assert_true(fd >= 0);
  assert_int_equal((ssize_t)len, write(fd, text, len));
  close(fd);
  return strdup(tmpl);
}

static inline void tu_unlink(char *path) {
  unlink(path);
  free(path);
}

/* A finished scan: the report borrows rule metadata from the rule set, so they travel
 * together. Free with tu_scan_free. */
typedef struct tu_scan {
  cf_ctx_t *ctx;
  cf_ruleset_t *rs;
  cf_report_t report;
} tu_scan_t;

/* Scans one path with the shipped rules (when builtin) plus, when rules_text is given, the
 * rules in that text. Ages are judged as of 2025-06-01. */
static inline tu_scan_t *tu_scan_path(const char *path, const char *rules_text, bool builtin) {
  tu_scan_t *s = calloc(1, sizeof(*s));
  assert_non_null(s);
  s->ctx = cf_ctx_new();
  assert_non_null(s->ctx);
  int64_t now = 0;
  assert_true(cf_parse_time("2025-06-01T00:00:00Z", &now));
  cf_ctx_set_now(s->ctx, now);
  assert_int_equal(CF_OK, cf_ruleset_new(s->ctx, &s->rs));
  cf_diags_t errs;
  cf_diags_init(&errs);
  if (builtin) assert_int_equal(CF_OK, cf_ruleset_load_builtin(s->rs, &errs));
  if (rules_text) {
    cf_err e = cf_ruleset_load_text(s->rs, "test-rule.yaml", rules_text, strlen(rules_text), &errs);
    if (e) fprintf(stderr, "rule error: %s\n", errs.len && errs.items[0].message ? errs.items[0].message : "?");
    assert_int_equal(CF_OK, e);
  }
  cf_diags_cleanup(&errs);
  assert_int_equal(CF_OK, cf_report_init(&s->report));
  const char *paths[1] = {path};
  assert_int_equal(CF_OK, cf_posture_scan(s->ctx, s->rs, paths, 1, NULL, &s->report));
  return s;
}

static inline void tu_scan_free(tu_scan_t *s) {
  if (!s) return;
  cf_report_cleanup(&s->report);
  cf_ruleset_free(s->rs);
  cf_ctx_free(s->ctx);
  free(s);
}

/* Scans text saved under a name ending in suffix (".yaml", ".json", ".csv"). */
static inline tu_scan_t *tu_scan_text(const char *suffix, const char *text, const char *rules_text, bool builtin) {
  char *p = tu_write_temp(suffix, text, strlen(text));
  tu_scan_t *s = tu_scan_path(p, rules_text, builtin);
  tu_unlink(p);
  return s;
}

/* Findings of rule id that are not suppressed. */
static inline size_t tu_count(const cf_report_t *r, const char *rule_id) {
  size_t n = 0;
  for (size_t i = 0; i < cf_findings_count(r->findings); i++) {
    const cf_finding_t *f = cf_findings_at(r->findings, i);
    if (!f->suppressed && strcmp(f->rule->id, rule_id) == 0) n++;
  }
  return n;
}

static inline const cf_finding_t *tu_first(const cf_report_t *r, const char *rule_id) {
  for (size_t i = 0; i < cf_findings_count(r->findings); i++) {
    const cf_finding_t *f = cf_findings_at(r->findings, i);
    if (strcmp(f->rule->id, rule_id) == 0) return f;
  }
  return NULL;
}

#define assert_rule_fires(scan, id, n) assert_int_equal((n), tu_count(&(scan)->report, (id)))

#endif
