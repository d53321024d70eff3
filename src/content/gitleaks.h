/*
 * gitleaks.h - loading a gitleaks configuration held in memory (internal to src/content/;
 * the fuzz target and unit tests use it, the public entry point reads a file).
 */
#ifndef CF_GITLEAKS_H
#define CF_GITLEAKS_H

#include "content_internal.h"

/* Adds the gitleaks configuration text[0..len) as cf_content_rules_load_gitleaks adds a
 * file's; name is used in diagnostics and as the folder an [extend] path is relative to
 * ("." when it has no slash). Returns CF_ERULE when something did not load (described in
 * errors), CF_ENOMEM, CF_EINVAL after compile. */
cf_err cf__gitleaks_load_text(cf_content_rules_t *rs, const char *name, const char *text, size_t len,
                              cf_diags_t *errors) CF_MUST_CHECK;

#endif
