/*
 * cloudfort/content.h - the content analyser: secrets and personal data in files, archives,
 * git history, standard input and strings handed over by other analysers.
 *
 * A content rule set is compiled once into one Hyperscan database (every rule's pattern as a
 * prefilter) plus the rules' PCRE2 patterns, which confirm each candidate in a bounded window
 * and extract the secret; validators (checksums, entropy, key structure) then raise or lower
 * a finding's confidence. The compiled set is immutable and shared by every thread; each
 * thread scans with a cf_content_scanner_t of its own (Hyperscan scratch, match data).
 *
 * Findings carry the analyser "secrets" or "dlp". Their evidence never holds a whole secret
 * or personal value unless the scan asks for it (show_secrets).
 */
#ifndef CLOUDFORT_CONTENT_H
#define CLOUDFORT_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "error.h"
#include "finding.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a content rule looks for. */
typedef enum cf_content_kind {
  CF_CONTENT_SECRET = 1, /* credentials: `cloudfort secrets` */
  CF_CONTENT_PII = 2     /* personal data: `cloudfort dlp` */
} cf_content_kind;

typedef struct cf_content_rules cf_content_rules_t;

/* An empty rule set (not yet compiled) for the given kinds (bits of cf_content_kind; 0 for
 * both): rules of other kinds are skipped as they load. Returns CF_ENOMEM. */
cf_err cf_content_rules_new(const cf_ctx_t *ctx, unsigned kinds, cf_content_rules_t **out) CF_MUST_CHECK;
void cf_content_rules_free(cf_content_rules_t *rs);
/* Adds the shipped packs of the set's kinds. Problems are appended to errors; CF_ERULE when a
 * rule did not load. */
cf_err cf_content_rules_load_builtin(cf_content_rules_t *rs, cf_diags_t *errors) CF_MUST_CHECK;
/* Adds every *.yaml / *.yml rule file below dir. Documents that are not content rules (posture
 * rules, which have no `analyzer: secrets` or `analyzer: dlp`) are skipped, so one folder may
 * hold both. */
cf_err cf_content_rules_load_dir(cf_content_rules_t *rs, const char *dir, cf_diags_t *errors)
    CF_MUST_CHECK;
/* Adds the rules of one YAML text; name is used in diagnostics. */
cf_err cf_content_rules_load_text(cf_content_rules_t *rs, const char *name, const char *text,
                                  size_t len, cf_diags_t *errors) CF_MUST_CHECK;
/* Adds a gitleaks TOML configuration (rules, allowlists, [extend]); `useDefault` in [extend]
 * adds the shipped secret pack. */
cf_err cf_content_rules_load_gitleaks(cf_content_rules_t *rs, const char *path, cf_diags_t *errors)
    CF_MUST_CHECK;
/* Keeps the rules whose id matches an include glob (all when none) and no exclude glob. */
cf_err cf_content_rules_filter(cf_content_rules_t *rs, const char *const *include,
                               size_t n_include, const char *const *exclude, size_t n_exclude)
    CF_MUST_CHECK;
/* Compiles the Hyperscan database. After this the set is immutable and thread-safe. A rule
 * whose pattern the prefilter cannot take runs with PCRE2 alone (slower, same results). */
cf_err cf_content_rules_compile(cf_content_rules_t *rs, cf_diags_t *errors) CF_MUST_CHECK;
size_t cf_content_rules_count(const cf_content_rules_t *rs);
/* Borrowed; valid until the set is freed. */
const cf_rule_info_t *cf_content_rules_info(const cf_content_rules_t *rs, size_t i);
/* The rule's literal keywords (NULL-terminated; may be empty). */
const char *const *cf_content_rules_keywords(const cf_content_rules_t *rs, size_t i);

/* Options of a content scan. */
typedef struct cf_content_opts {
  unsigned kinds;          /* cf_content_kind bits to report (0: all loaded) */
  bool show_secrets;       /* evidence holds the whole value */
  bool no_ignore;          /* do not honour .gitignore */
  bool git;                /* paths are git repositories: scan every added line of history */
  const char *git_range;   /* optional revision range for git ("main..HEAD") */
  unsigned max_depth;      /* archive nesting (0: 3) */
  bool no_archives;        /* do not open archives (binary files are then skipped) */
  unsigned decode_depth;   /* rounds of base64/hex/percent decoding (0: 2) */
  bool no_decode;          /* do not decode encoded blobs */
  unsigned threads;        /* 0: one per CPU */
  const char *baseline;    /* fingerprints to suppress, or NULL */
  const char *gitleaks_ignore; /* a .gitleaksignore file, or NULL (then one in a scanned root is used) */
  uint64_t max_archive_bytes;  /* total bytes unpacked from one archive (0: 1 GiB) */
  bool no_inline_suppress;     /* ignore cloudfort:ignore comments (gitleaks:allow still drops) */
  cf_progress_cb progress;     /* called from the walking thread as files are queued; may be NULL */
  void *progress_ud;
} cf_content_opts_t;

/* Scans paths (files, directories, "-" for stdin; git repositories with opts->git) and adds
 * findings, errors and counts to report. Returns CF_OK unless the scan could not run
 * (CF_ENOMEM; CF_EINVAL when opts->baseline is not a baseline file, described in errors). */
cf_err cf_content_scan(const cf_ctx_t *ctx, const cf_content_rules_t *rs, const char *const *paths,
                       size_t n_paths, const cf_content_opts_t *opts, cf_report_t *report)
    CF_MUST_CHECK;

/* Scans one input held in memory (copied), reported under name; otherwise as cf_content_scan.
 * An archive in memory is unpacked like an archive file. */
cf_err cf_content_scan_buffer(const cf_ctx_t *ctx, const cf_content_rules_t *rs, const char *name,
                              const void *data, size_t len, const cf_content_opts_t *opts,
                              cf_report_t *report) CF_MUST_CHECK;

/* Writes masked copies of the text files under paths to outdir, with the same layout (a file
 * given directly is written under its base name): every secret and personal value the rules
 * find is masked in place with '*' (same length): personal data keeps its separators and,
 * when it has at least 8 digits, its last four; secrets of 16 or more bytes keep their first
 * four. outdir must be missing or empty; an outdir equal to or inside an input, or holding
 * one, is refused (CF_EINVAL, described in report->errors). Files that are not text (binary,
 * archives) are not copied. */
cf_err cf_content_redact(const cf_ctx_t *ctx, const cf_content_rules_t *rs, const char *const *paths,
                         size_t n_paths, const char *outdir, const cf_content_opts_t *opts,
                         cf_report_t *report) CF_MUST_CHECK;

/* ---- scanning text directly (embedding, other analysers) ---- */

typedef struct cf_content_scanner cf_content_scanner_t;

/* Per-thread state for scanning with rs (which must be compiled). */
cf_err cf_content_scanner_new(const cf_content_rules_t *rs, cf_content_scanner_t **out) CF_MUST_CHECK;
void cf_content_scanner_free(cf_content_scanner_t *sc);

/* One match, borrowed for the duration of the callback. */
typedef struct cf_content_match {
  const cf_rule_info_t *rule;
  cf_content_kind kind;
  size_t start, end;        /* the secret's bytes in the scanned text */
  size_t match_start, match_end; /* the whole match */
  uint32_t line, column;    /* of the secret, 1-based */
  uint32_t end_line, end_column; /* of the secret's last byte, 1-based */
  uint8_t confidence;       /* 1 low, 2 medium, 3 high */
  const char *value;        /* the secret (not NUL-terminated; `end - start` bytes) */
} cf_content_match_t;

/* Return non-zero to stop the scan. */
typedef int (*cf_content_match_cb)(void *ud, const cf_content_match_t *m);

/* Scans text[0..len) (any bytes) and calls cb for every confirmed match in order of position.
 * path, when given, lets path-scoped rules and allowlists apply. Not thread-safe per scanner. */
cf_err cf_content_scan_text(cf_content_scanner_t *sc, const char *text, size_t len, const char *path,
                            cf_content_match_cb cb, void *ud) CF_MUST_CHECK;

/* Masks a secret for evidence: keeps the first 4 characters (fewer for short values) and
 * replaces the rest with '*' up to a total of at most 20; writes into out (NUL-terminated). */
void cf_content_mask(const char *value, size_t len, char *out, size_t out_size);

#ifdef __cplusplus
}
#endif
#endif
