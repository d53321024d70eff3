/*
 * redact.c - `cloudfort dlp --redact OUTDIR`: masked copies of the scanned text files.
 */
#include "content_internal.h"

cf_err cf_content_redact(const cf_ctx_t *ctx, const cf_content_rules_t *rs, const char *const *paths, size_t n_paths,
                         const char *outdir, const cf_content_opts_t *opts, cf_report_t *report) {
  (void)ctx, (void)rs, (void)paths, (void)n_paths, (void)opts;
  (void)cf_diags_add(&report->errors, CF_EUNSUPPORTED, outdir, 0, 0, "redaction is not available in this build");
  return CF_EUNSUPPORTED;
}
