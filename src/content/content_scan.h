/*
 * content_scan.h - what the content scan's sources (files, archives, git history, decoded
 * blobs, other analysers' strings) share (internal).
 */
#ifndef CF_CONTENT_SCAN_H
#define CF_CONTENT_SCAN_H

#include "content_internal.h"

/* Where a match came from in git history (all fields may be NULL). */
typedef struct cf_content_origin {
  const char *commit;  /* full hex id */
  const char *author;  /* name */
  const char *email;
  const char *date;    /* RFC 3339 */
  const char *message; /* first line */
} cf_content_origin_t;

/* Adds a finding for match m found in `file` (origin: git history, or NULL). */
cf_err cf__content_finding(cf_findings_t *out, const cf_content_opts_t *opts, const cf_content_match_t *m,
                           const char *file, const cf_content_origin_t *origin) CF_MUST_CHECK;

/* .gitleaksignore (gitleaks.c): suppresses the findings from index `first` on whose gitleaks
 * fingerprints ("file:rule:line", or "commit:file:rule:line" in git history) the ignore file
 * lists: opts->gitleaks_ignore, else a .gitleaksignore at the top of each scanned folder. */
cf_err cf__gitleaks_ignore_apply(const cf_ctx_t *ctx, cf_report_t *report, size_t first, const cf_content_opts_t *opts,
                                 const char *const *roots, size_t n_roots) CF_MUST_CHECK;
/* Inline suppression of a match at offset off of text: -1 when its line says gitleaks:allow
 * (the match is dropped), 1 when "cloudfort:ignore RULE[,RULE] reason" on its line or in a
 * comment alone on the line above names rule_id or "*" (the finding is kept, suppressed, with
 * the reason copied), 0 otherwise. */
int cf__content_inline(const char *text, size_t len, size_t off, const char *rule_id, char *reason, size_t rn);
/* Whether data looks binary (a NUL byte in its first 8 KiB). */
bool cf__content_is_binary(const char *data, size_t len);

#endif
