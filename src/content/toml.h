/*
 * toml.h - a TOML 1.0 reader that builds the shared document model (internal to
 * src/content/; gitleaks configurations are its one user).
 *
 * The result is a cf_doc_t with one root, an object: TOML tables become objects, arrays and
 * arrays of tables become arrays, strings, integers, floats and booleans their node types.
 * Offset date-times, local date-times, dates and times are kept as strings in their source
 * spelling. Every node and key carries its line and column.
 */
#ifndef CF_TOML_H
#define CF_TOML_H

#include "cloudfort/doc.h"
#include "cloudfort/error.h"

/* Nesting of arrays and inline tables, and keys of one dotted key or table header. */
#define CF_TOML_MAX_DEPTH 64u
/* Members of one table (keeps duplicate-key checks linear in practice). */
#define CF_TOML_MAX_KEYS 10000u

/*
 * Parses buf[0..len) (need not be NUL-terminated). name is used in diagnostics (borrowed).
 * The input size limit is the context's max_rule_size. On success *out owns the document;
 * on failure *out is NULL and diag (may be NULL) holds the line and column: CF_EPARSE for
 * invalid TOML or UTF-8, CF_ELIMIT for size, nesting or key counts, CF_ENOMEM.
 * Thread-safe (no shared state).
 */
cf_err cf__toml_parse(const cf_ctx_t *ctx, const char *buf, size_t len, const char *name, cf_doc_t **out,
                      cf_diag_t *diag) CF_MUST_CHECK;

#endif
