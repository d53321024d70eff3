/*
 * report_gitleaks.c - the report in gitleaks' JSON report shape, so that tools reading
 * gitleaks reports read ours.
 *
 * An array of leaks, each an object with gitleaks' keys in gitleaks' order: Description,
 * StartLine, EndLine, StartColumn, EndColumn, Match, Secret, File, SymlinkFile, Commit,
 * Entropy, Author, Email, Date, Message, Tags, RuleID, Fingerprint. Only content findings
 * (secrets and personal data) that are not suppressed are written; posture findings have no
 * gitleaks shape. Fingerprint is gitleaks' own, "file:rule-id:line", prefixed with "commit:"
 * for git history, which is what a .gitleaksignore lists.
 *
 * Secret is the finding's secret, masked ("AKIA****") unless the scan showed secrets; Match is
 * the rule's whole match with the secret in it masked the same way.
 * A rule about file names (no line) gets gitleaks' "file detected: PATH" and no secret.
 * Entropy is written as gitleaks writes its float32: the shortest decimal that reads back to
 * the same float32.
 *
 * The writer is a few dozen lines over a capped buffer rather than the streaming writer of
 * jsonw.c because it needs a bare floating-point token, which that writer does not offer.
 */
#include <stdlib.h>
#include <string.h>

#include "cloudfort/report.h"
#include "core/core.h"
#include "doc/doc_internal.h"

static bool is_content(const cf_finding_t *f) {
  return f->rule && f->rule->analyzer &&
         (strcmp(f->rule->analyzer, "secrets") == 0 || strcmp(f->rule->analyzer, "dlp") == 0);
}

/* The secret as the evidence shows it: a masked evidence ("AKIA**** (20 characters); detail")
 * loses its length note and detail. */
static void secret_of(const char *ev, const char **s, size_t *n) {
  *s = ev ? ev : "";
  *n = strlen(*s);
  const char *note = strstr(*s, " characters)");
  if (!note) return;
  const char *open = note;
  while (open > *s && open[-1] >= '0' && open[-1] <= '9') open--;
  if (open == note || open - *s < 2 || open[-1] != '(' || open[-2] != ' ') return;
  *n = (size_t)(open - 2 - *s);
}

static cf_err kstr(cf_buf_t *b, const char *key, const char *s, size_t n, bool last) {
  cf_err e = cf__buf_printf(b, "  \"%s\": ", key);
  if (!e) e = cf__json_escape(b, s ? s : "", s ? n : 0);
  if (!e) e = cf__buf_puts(b, last ? "\n" : ",\n");
  return e;
}

static cf_err kcstr(cf_buf_t *b, const char *key, const char *s) { return kstr(b, key, s, s ? strlen(s) : 0, false); }

/* Shortest decimal for a float32 (what Go's encoding/json writes for one). */
static void float32_str(double v, char *out, size_t n) {
  float f = (float)v;
  for (int prec = 1; prec <= 9; prec++) {
    snprintf(out, n, "%.*g", prec, (double)f);
    if (strtof(out, NULL) == f) return;
  }
}

static cf_err write_leak(cf_buf_t *b, const cf_finding_t *f, bool first) {
  const cf_rule_info_t *r = f->rule;
  const char *sec;
  size_t sn;
  secret_of(f->evidence, &sec, &sn);
  char ent[32];
  float32_str(f->entropy, ent, sizeof ent);
  cf_err e = cf__buf_puts(b, first ? "[\n {\n" : ",\n {\n");
  if (!e) e = kcstr(b, "Description", r->description ? r->description : r->title);
  if (!e)
    e = cf__buf_printf(b, "  \"StartLine\": %u,\n  \"EndLine\": %u,\n  \"StartColumn\": %u,\n  \"EndColumn\": %u,\n", f->line,
                       f->end_line ? f->end_line : f->line, f->column, f->end_column ? f->end_column : f->column);
  if (f->line == 0) {
    /* A rule about file names: gitleaks says which file and has no secret. */
    if (!e) e = cf__buf_puts(b, "  \"Match\": ");
    char *m = NULL;
    int k = asprintf(&m, "file detected: %s", f->file ? f->file : "");
    if (k < 0) return CF_ENOMEM;
    if (!e) e = cf__json_escape(b, m, (size_t)k);
    free(m);
    if (!e) e = cf__buf_puts(b, ",\n");
    if (!e) e = kstr(b, "Secret", "", 0, false);
  } else {
    /* Findings made by the content analyser carry both; others fall back to the evidence. */
    const char *mt = f->match ? f->match : sec;
    size_t mn = f->match ? strlen(f->match) : sn;
    if (f->secret) {
      sec = f->secret;
      sn = strlen(f->secret);
    }
    if (!e) e = kstr(b, "Match", mt, mn, false);
    if (!e) e = kstr(b, "Secret", sec, sn, false);
  }
  if (!e) e = kcstr(b, "File", f->file);
  if (!e) e = kcstr(b, "SymlinkFile", "");
  if (!e) e = kcstr(b, "Commit", f->commit);
  if (!e) e = cf__buf_printf(b, "  \"Entropy\": %s,\n", ent);
  if (!e) e = kcstr(b, "Author", f->author);
  if (!e) e = kcstr(b, "Email", f->email);
  if (!e) e = kcstr(b, "Date", f->date);
  if (!e) e = kcstr(b, "Message", f->message);
  if (!e) e = cf__buf_puts(b, "  \"Tags\": [");
  for (size_t i = 0; !e && r->tags && r->tags[i]; i++) {
    if (i) e = cf__buf_puts(b, ", ");
    if (!e) e = cf__json_escape(b, r->tags[i], strlen(r->tags[i]));
  }
  if (!e) e = cf__buf_puts(b, "],\n");
  if (!e) e = kcstr(b, "RuleID", r->id);
  if (!e) {
    char *fp = NULL;
    int k = f->commit ? asprintf(&fp, "%s:%s:%s:%u", f->commit, f->file ? f->file : "", r->id, f->line)
                      : asprintf(&fp, "%s:%s:%u", f->file ? f->file : "", r->id, f->line);
    if (k < 0) return CF_ENOMEM;
    e = kstr(b, "Fingerprint", fp, (size_t)k, true);
    free(fp);
  }
  if (!e) e = cf__buf_puts(b, " }");
  return e;
}

cf_err cf_report_write_gitleaks(FILE *out, const cf_report_t *r) {
  cf_buf_t b;
  cf__buf_init(&b, (size_t)1 << 30);
  cf_err e = CF_OK;
  size_t n = cf_findings_count(r->findings), k = 0;
  for (size_t i = 0; !e && i < n; i++) {
    const cf_finding_t *f = cf_findings_at(r->findings, i);
    if (f->suppressed || !is_content(f)) continue;
    e = write_leak(&b, f, k++ == 0);
    if (!e && b.len > (1u << 16)) {
      if (fwrite(b.data, 1, b.len, out) != b.len) e = CF_EIO;
      cf__buf_reset(&b);
    }
  }
  if (!e) e = cf__buf_puts(&b, k ? "\n]\n" : "[]\n");
  if (!e && b.len && fwrite(b.data, 1, b.len, out) != b.len) e = CF_EIO;
  cf__buf_cleanup_secure(&b);
  if (!e && ferror(out)) e = CF_EIO;
  return e;
}
