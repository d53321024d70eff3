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

/* ---- the walk (content_scan.c) ---- */

/* Called for every regular file a content scan of the same paths would read, in the order
 * the walk finds them (sorted within each folder). Return non-OK to stop the walk (that code
 * is returned by cf__content_walk). */
typedef cf_err (*cf_content_walk_cb)(void *ud, const char *path);

/*
 * Lists the files a content scan of paths would read: folders are walked recursively (sorted,
 * .git skipped, links followed only inside the root, .gitignore honoured unless
 * opts->no_ignore), files named directly are always listed, "-" is skipped. Paths that cannot
 * be read are described in errors. Archives are listed as files (their entries are not).
 * Returns CF_OK, CF_ENOMEM, or what cb returned.
 */
cf_err cf__content_walk(const cf_ctx_t *ctx, const char *const *paths, size_t n_paths, const cf_content_opts_t *opts,
                        cf_diags_t *errors, cf_content_walk_cb cb, void *ud) CF_MUST_CHECK;

/* ---- one worker's scan of one input (content_scan.c), used by archive.c and git.c ---- */

typedef struct cf_content_job cf_content_job_t;

const cf_content_opts_t *cf__job_opts(const cf_content_job_t *j);
const cf_ctx_t *cf__job_ctx(const cf_content_job_t *j);
/* Counts one more input read (an archive opened; texts count themselves). */
void cf__job_count_file(cf_content_job_t *j);
/* Records a problem with one input (a warning when code is CF_ELIMIT or CF_EUNSUPPORTED). */
void cf__job_warn(cf_content_job_t *j, cf_err code, const char *name, const char *fmt, ...) CF_PRINTF(4, 5);
/* Scans text found in name: the rules, then (unless opts->no_decode) its encoded blobs.
 * Binary data (a NUL byte in the first 8 KiB) is skipped. origin may be NULL; line_map, when
 * given, maps the text's line i (0-based) to the line reported (git hunks). */
cf_err cf__job_scan_text(cf_content_job_t *j, const char *name, const char *text, size_t len,
                         const cf_content_origin_t *origin, const uint32_t *line_map, size_t n_map) CF_MUST_CHECK;

/* ---- .gitignore (gitignore.c) ---- */

/* A stack of pattern lists; not thread-safe (one per walk). */
typedef struct cf_ignore cf_ignore_t;
cf_err cf__ignore_new(cf_ignore_t **out) CF_MUST_CHECK;
void cf__ignore_free(cf_ignore_t *ig);
/* Pushes the patterns of text, which apply to paths below base (a folder relative to the
 * scanned root, '/'-separated, "" for the root). Returns CF_ENOMEM. */
cf_err cf__ignore_push_text(cf_ignore_t *ig, const char *base, const char *text, size_t len) CF_MUST_CHECK;
/* The same for the file at path; a missing file pushes an empty list, an unreadable or
 * oversized one is described in errors (may be NULL). */
cf_err cf__ignore_push_file(cf_ignore_t *ig, const char *base, const char *path, cf_diags_t *errors) CF_MUST_CHECK;
/* The stack height, and popping back to it when leaving a folder. */
size_t cf__ignore_mark(const cf_ignore_t *ig);
void cf__ignore_pop(cf_ignore_t *ig, size_t mark);
/* Whether rel (relative to the root, '/'-separated, no leading "./") is excluded. */
bool cf__ignore_match(const cf_ignore_t *ig, const char *rel, bool is_dir);

/* ---- archives (archive.c) ---- */

/* What the first bytes of data say it is: 0 not an archive, else an archive or compressed
 * stream libarchive will open (zip and its kin, tar, gzip, bzip2, xz). */
int cf__archive_sniff(const void *data, size_t len);
/* Scans the archive file at path, reported as name, and every archive inside it up to
 * opts->max_depth levels. Problems and limits are warnings on the job. Returns CF_ENOMEM or
 * what scanning the entries returned. */
cf_err cf__archive_scan_file(cf_content_job_t *j, const char *path, const char *name) CF_MUST_CHECK;
/* The same for an archive held in memory (borrowed). */
cf_err cf__archive_scan_mem(cf_content_job_t *j, const char *name, const void *data, size_t len) CF_MUST_CHECK;
/* Scans data found in name as text, except compiled code (a Java class, an Android .dex,
 * by name or magic), whose strings are scanned instead. */
cf_err cf__scan_compiled(cf_content_job_t *j, const char *name, const char *data, size_t len) CF_MUST_CHECK;
/* The text of a compiled Java class (.class) for scanning: its constant pool's UTF-8 entries,
 * one per line. Returns false when data is not a class file. *out is malloc'd. */
bool cf__class_strings(const uint8_t *data, size_t len, char **out, size_t *out_len);
/* Runs of at least min printable ASCII bytes of data, one per line (strings(1)). *out is
 * malloc'd; false when out of memory. */
bool cf__printable_strings(const uint8_t *data, size_t len, size_t min, char **out, size_t *out_len);

/* ---- encoded blobs (decode.c) ---- */

typedef enum cf_enc { CF_ENC_BASE64 = 1, CF_ENC_HEX = 2, CF_ENC_PERCENT = 3 } cf_enc;

typedef struct cf_enc_run {
  size_t start, end; /* the encoded text, padding included */
  cf_enc kind;
} cf_enc_run_t;

/* Finds the next encoded run in text[*pos..len): base64 (standard or URL-safe alphabet, at
 * least 20 characters, valid padding), hex (at least 32 digits, even count) or percent
 * encoding (at least 3 %XX escapes). Advances *pos past it; false when there is none. */
bool cf__decode_next(const char *text, size_t len, size_t *pos, cf_enc_run_t *run);
/* Decodes a run into out, which has room for run->end - run->start bytes; false when the
 * run does not decode. */
bool cf__decode_run(const char *text, const cf_enc_run_t *run, uint8_t *out, size_t *out_len);
/* Whether decoded bytes look like text worth scanning (valid UTF-8, few control bytes). */
bool cf__decode_is_text(const uint8_t *s, size_t n);
/* Whether the run's first bytes, decoded, could begin a text (cf__decode_is_text of the
 * whole may then hold); false means the whole cannot be text. Cheap: most runs in source
 * code are identifiers whose first quantum already decodes to bytes no text holds. */
bool cf__decode_may_be_text(const char *text, const cf_enc_run_t *run);
/* "base64", "hex", "percent". */
const char *cf__enc_name(cf_enc kind);

/* ---- git history (git.c) ---- */

/* Checks that path is a git repository and range (may be NULL) names commits in it;
 * describes the problem in errors otherwise (CF_EINVAL). */
cf_err cf__git_check(const char *path, const char *range, cf_diags_t *errors) CF_MUST_CHECK;
/* Scans every line added by the commits of the repository at path (opts->git_range, or all
 * reachable from HEAD). */
cf_err cf__git_scan(cf_content_job_t *j, const char *path) CF_MUST_CHECK;

#endif
