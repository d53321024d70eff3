/*
 * gitleaks.c - gitleaks TOML configurations as content rules.
 */
#include "content_internal.h"
#include "content_scan.h"

cf_err cf_content_rules_load_gitleaks(cf_content_rules_t *rs, const char *path, cf_diags_t *errors) {
  (void)rs;
  if (errors) (void)cf_diags_add(errors, CF_EUNSUPPORTED, path, 0, 0, "gitleaks configurations cannot be loaded by this build");
  return CF_ERULE;
}

cf_err cf__gitleaks_ignore_apply(const cf_ctx_t *ctx, cf_report_t *report, size_t first, const cf_content_opts_t *opts,
                                 const char *const *roots, size_t n_roots) {
  (void)ctx, (void)report, (void)first, (void)opts, (void)roots, (void)n_roots;
  return CF_OK;
}
