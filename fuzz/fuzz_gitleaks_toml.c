/*
 * fuzz_gitleaks_toml.c - libFuzzer target for gitleaks configurations: arbitrary bytes go
 * through the TOML parser (toml.c) and the gitleaks loader (gitleaks.c: rules, allowlists,
 * [extend], RE2-to-PCRE2 rewriting); a configuration that loads with a handful of rules is
 * compiled (Hyperscan and PCRE2) and run over a small fixed text, so that fuzzed regexes,
 * keywords, entropy thresholds and allowlists are exercised by the engine too.
 *
 * Bounded: inputs above 64 KiB are skipped, and sets of more than 16 rules (an [extend]
 * useDefault brings the whole shipped pack) are loaded but not compiled, which keeps each
 * run in milliseconds. The text holds non-ASCII and invalid UTF-8 bytes, so that rules
 * which then run with PCRE2 alone are exercised too.
 *
 * Invariants: a load that fails leaves at least one diagnostic; a load that succeeds leaves
 * none; a parse that fails says where (line >= 1).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "content/gitleaks.h"
#include "content/toml.h"

static cf_ctx_t *fz_ctx;

static const char sample[] =
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
    "api_key: \"9f8e7d6c5b4a39281706f5e4d3c2b1a0\"\n"
    "password = hunter2-correct-horse\n"
    "token=ghp_0123456789abcdefghijABCDEFGHIJ012345 # gitleaks:allow\n"
    "note = na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac key=\xc3\xa9t\xc3\xa9-2024 broken=\xff\xfe\xc3 end\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fz_ctx = cf_ctx_new();
  if (!fz_ctx) abort();
  return 0;
}

static int count_cb(void *ud, const cf_content_match_t *m) {
  size_t *n = ud;
  if (m->end < m->start) abort();
  (*n)++;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (64u << 10)) return 0;
  /* The parser on its own. */
  cf_doc_t *doc = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err pe = cf__toml_parse(fz_ctx, (const char *)data, size, "fuzz.toml", &doc, &d);
  if (pe && pe != CF_ENOMEM && d.line < 1 && pe != CF_ELIMIT) abort();
  if (!pe && (!doc || doc->n_roots != 1)) abort();
  cf_doc_free(doc);
  cf_diag_cleanup(&d);
  /* The loader, and the engine when the set is small. */
  cf_content_rules_t *rs = NULL;
  if (cf_content_rules_new(fz_ctx, CF_CONTENT_SECRET, &rs)) return 0;
  cf_diags_t errs;
  cf_diags_init(&errs);
  cf_err e = cf__gitleaks_load_text(rs, "fuzz.toml", (const char *)data, size, &errs);
  if (e == CF_ERULE && errs.len == 0) abort();
  if (e == CF_OK && errs.len != 0) abort();
  if (e == CF_OK && cf_content_rules_count(rs) <= 16 && cf_content_rules_compile(rs, &errs) == CF_OK) {
    cf_content_scanner_t *sc = NULL;
    if (cf_content_scanner_new(rs, &sc) == CF_OK) {
      size_t n = 0;
      cf_err se = cf_content_scan_text(sc, sample, sizeof sample - 1, "config/settings.env", count_cb, &n);
      if (se != CF_OK && se != CF_ENOMEM && se != CF_ELIMIT) abort();
      cf_content_scanner_free(sc);
    }
  }
  cf_diags_cleanup(&errs);
  cf_content_rules_free(rs);
  return 0;
}
