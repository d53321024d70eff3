/*
 * doctest.h - shared helpers of the document-model tests: parse a text and expect success or
 * a given error at a given line and column, and walk to a node by a slash-separated path
 * ("Resources/Bucket/Properties/Tags/0/Key"; a number indexes an array).
 */
#ifndef CF_DOCTEST_H
#define CF_DOCTEST_H

#include "testutil.h"

#include "core/core.h"

static inline cf_doc_t *dt_parse_with(const cf_ctx_t *ctx, const char *text, size_t len,
                                      cf_doc_format fmt, bool cfn) {
  cf_doc_t *doc = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_doc_opts_t o = {fmt, 7, "doc.txt", cfn};
  cf_err e = cf_doc_parse(ctx, text, len, &o, &doc, &d);
  if (e) fail_msg("unexpected %s at %u:%u: %s", cf_err_name(e), d.line, d.column, d.message ? d.message : "");
  cf_diag_cleanup(&d);
  assert_non_null(doc);
  return doc;
}

static inline cf_doc_t *dt_parse(const char *text, cf_doc_format fmt) {
  return dt_parse_with(NULL, text, strlen(text), fmt, true);
}

/* Parses and expects error `code` at line:column (a 0 is not checked); the document must
 * not be made and the diagnostic must name the file and say what is wrong. */
static inline void dt_expect_error_with(const cf_ctx_t *ctx, const char *label, const char *text,
                                        size_t len, cf_doc_format fmt, cf_err code,
                                        uint32_t want_line, uint32_t want_col) {
  cf_doc_t *doc = (cf_doc_t *)(uintptr_t)1;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_doc_opts_t o = {fmt, 0, "doc.txt", true};
  cf_err e = cf_doc_parse(ctx, text, len, &o, &doc, &d);
  if (e != code)
    fail_msg("%s: expected %s, got %s (%s)", label, cf_err_name(code), cf_err_name(e),
             d.message ? d.message : "");
  assert_null(doc);
  assert_int_equal(code, d.code);
  assert_non_null(d.message);
  assert_string_equal("doc.txt", d.file);
  if (want_line && d.line != want_line)
    fail_msg("%s: error at line %u, expected %u (%s)", label, d.line, want_line, d.message);
  if (want_col && d.column != want_col)
    fail_msg("%s: error at column %u, expected %u (%s)", label, d.column, want_col, d.message);
  cf_diag_cleanup(&d);
}

static inline void dt_expect_error(const char *label, const char *text, cf_doc_format fmt,
                                   cf_err code, uint32_t line, uint32_t col) {
  dt_expect_error_with(NULL, label, text, strlen(text), fmt, code, line, col);
}

/* The member (for an object step) or item reached by a path; NULL when absent. When
 * member_out is given it receives the member of the last object step. */
static inline const cf_node_t *dt_at(const cf_node_t *n, const char *path,
                                     const cf_member_t **member_out) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", path);
  char *save = NULL;
  for (char *seg = strtok_r(buf, "/", &save); n && seg; seg = strtok_r(NULL, "/", &save)) {
    if (n->type == CF_NODE_ARRAY) {
      char *end;
      unsigned long i = strtoul(seg, &end, 10);
      n = (*end == '\0' && i < n->len) ? n->u.items[i] : NULL;
    } else {
      const cf_member_t *m = cf_node_member(n, seg);
      if (member_out) *member_out = m;
      n = m ? m->value : NULL;
    }
  }
  return n;
}

static inline const cf_node_t *dt_get(const cf_node_t *n, const char *path) {
  const cf_node_t *v = dt_at(n, path, NULL);
  if (!v) fail_msg("no value at '%s'", path);
  return v;
}

/* Compact JSON of a node (for comparing whole shapes). */
static inline void assert_node_json(const cf_doc_t *doc, const cf_node_t *n, const char *want) {
  char *got = cf_node_to_json(doc->arena, n, 1 << 20);
  assert_non_null(got);
  if (strcmp(got, want) != 0) fail_msg("node is %s, expected %s", got, want);
}

#endif
