/*
 * baseline.c - baseline files: the fingerprints of accepted findings, written by
 * `cloudfort baseline` and applied by every analyser so that later scans report only what is
 * new.
 *
 * Format (JSON): {"tool": "cloudfort", "fingerprints": ["<32 hex>", ...]}; an entry may also
 * be an object with a "fingerprint" member, so annotated baselines load too.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "doc/doc_internal.h"
#include "cloudfort/report.h"

static int cmp_fp(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

cf_err cf_report_apply_baseline(const cf_ctx_t *ctx, cf_report_t *report, const char *path, size_t first) {
  if (!path) return CF_OK;
  char *buf = NULL;
  size_t len = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__read_file(path, 256u << 20, CF_JSON_PADDING, &buf, &len, &d);
  cf_doc_t *doc = NULL;
  if (!e) {
    cf_doc_opts_t o = {CF_DOC_JSON, 0, path, false};
    e = cf_doc_parse(ctx, buf, len, &o, &doc, &d);
  }
  free(buf);
  if (e) {
    (void)cf_diags_adopt(&report->errors, &d);
    cf_diag_cleanup(&d);
    return e == CF_ENOMEM ? CF_ENOMEM : CF_EINVAL;
  }
  const cf_node_t *fps = doc->n_roots ? cf_node_get(doc->roots[0], "fingerprints") : NULL;
  if (!fps || fps->type != CF_NODE_ARRAY) {
    cf_pos_t pos = doc->n_roots ? doc->roots[0]->pos : (cf_pos_t){0, 1, 1};
    (void)cf_diags_add(&report->errors, CF_EPARSE, path, pos.line, pos.column,
                       "baseline file needs a \"fingerprints\" list (write one with `cloudfort baseline`)");
    cf_doc_free(doc);
    return CF_EINVAL;
  }
  const char **set = malloc((fps->len + 1) * sizeof(char *));
  if (!set) {
    cf_doc_free(doc);
    return CF_ENOMEM;
  }
  size_t n = 0;
  for (uint32_t i = 0; i < fps->len; i++) {
    const char *fp = cf_node_str(fps->u.items[i]);
    if (!fp) fp = cf_node_str(cf_node_get(fps->u.items[i], "fingerprint"));
    if (fp) set[n++] = fp;
  }
  qsort(set, n, sizeof(char *), cmp_fp);
  size_t total = cf_findings_count(report->findings);
  for (size_t i = first; !e && i < total; i++) {
    cf_finding_t *fd = cf_findings_at_mut(report->findings, i);
    const char *key = fd->fingerprint;
    if (fd->suppressed || !bsearch(&key, set, n, sizeof(char *), cmp_fp)) continue;
    e = cf_findings_suppress(report->findings, i, CF_SUPPRESS_BASELINE, NULL);
  }
  free(set);
  cf_doc_free(doc);
  return e;
}

cf_err cf_baseline_write(FILE *out, const cf_report_t *report) {
  fputs("{\n  \"tool\": \"cloudfort\",\n  \"fingerprints\": [", out);
  size_t n = cf_findings_count(report->findings), k = 0;
  for (size_t i = 0; i < n; i++) {
    const cf_finding_t *f = cf_findings_at(report->findings, i);
    if (f->suppressed) continue;
    fprintf(out, "%s\n    \"%s\"", k++ ? "," : "", f->fingerprint);
  }
  fputs(k ? "\n  ]\n}\n" : "]\n}\n", out);
  return ferror(out) ? CF_EIO : CF_OK;
}
