/*
 * jsonw.h - a small streaming JSON writer for reports (internal).
 *
 * Why our own: the reports are written once, in order, to a FILE*; a DOM library would hold
 * the whole report in memory for no gain. The writer tracks nesting to place commas and
 * indentation and escapes strings (invalid UTF-8 becomes U+FFFD), so its output is always
 * valid JSON. Output is gathered in a capped buffer and written in blocks of 64 KiB (a
 * report of a large snapshot holds hundreds of thousands of findings; one stdio call per
 * token would cost more than the scan). Errors are sticky: cf__jw_finish, which must be
 * called once at the end, flushes, frees and returns the first error.
 */
#ifndef CF_JSONW_H
#define CF_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cloudfort/error.h"
#include "core/core.h"

#define JW_MAX_DEPTH 64

typedef struct jsonw {
  FILE *out;
  cf_buf_t b;
  int depth;
  bool first[JW_MAX_DEPTH];
  bool after_key;
  bool pretty;
  cf_err err;
} jsonw_t;

void cf__jw_init(jsonw_t *w, FILE *out, bool pretty);
/* A compact writer into memory only: nothing is flushed, the text so far is
 * w->b.data[0..w->b.len). cf__jw_reset empties it for the next document and keeps its buffer
 * (the egress proxy writes one log line per request with one writer); cf__jw_free frees it. */
void cf__jw_init_mem(jsonw_t *w);
void cf__jw_reset(jsonw_t *w);
void cf__jw_free(jsonw_t *w);
/* A value given as its JSON text, such as a number the caller formatted. */
void cf__jw_raw(jsonw_t *w, const char *s, size_t n);
void cf__jw_obj_begin(jsonw_t *w);
void cf__jw_obj_end(jsonw_t *w);
void cf__jw_arr_begin(jsonw_t *w);
void cf__jw_arr_end(jsonw_t *w);
void cf__jw_key(jsonw_t *w, const char *key);
void cf__jw_str(jsonw_t *w, const char *s); /* NULL writes null */
void cf__jw_strn(jsonw_t *w, const char *s, size_t n);
void cf__jw_int(jsonw_t *w, int64_t v);
void cf__jw_uint(jsonw_t *w, uint64_t v);
void cf__jw_bool(jsonw_t *w, bool v);
void cf__jw_null(jsonw_t *w);
/* Key plus value in one call. */
void cf__jw_kstr(jsonw_t *w, const char *key, const char *s);
void cf__jw_kint(jsonw_t *w, const char *key, int64_t v);
void cf__jw_kbool(jsonw_t *w, const char *key, bool v);
/* A key that is a string literal we wrote ourselves (plain ASCII, nothing to escape). */
void cf__jw_keyn(jsonw_t *w, const char *key, size_t n);
#define CF_JW_KEY(w, lit) cf__jw_keyn((w), "" lit, sizeof(lit) - 1)
#define CF_JW_KSTR(w, lit, s) (CF_JW_KEY(w, lit), cf__jw_str((w), (s)))
#define CF_JW_KINT(w, lit, v) (CF_JW_KEY(w, lit), cf__jw_int((w), (v)))

/* Writes out what is buffered (the writer stays usable); errors stay sticky. */
void cf__jw_flush(jsonw_t *w);

/* Ends the document (newline) and returns the sticky error or CF_EIO on a write error. */
cf_err cf__jw_finish(jsonw_t *w);

#endif
