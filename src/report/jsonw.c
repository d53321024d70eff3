/*
 * jsonw.c - streaming JSON writer (see jsonw.h for why it exists).
 */
#include <inttypes.h>
#include <string.h>

#include "core/core.h"
#include "doc/doc_internal.h"
#include "jsonw.h"

void cf__jw_init(jsonw_t *w, FILE *out, bool pretty) {
  memset(w, 0, sizeof(*w));
  w->out = out;
  w->pretty = pretty;
  w->first[0] = true;
}

static void indent(jsonw_t *w) {
  if (!w->pretty) return;
  fputc('\n', w->out);
  for (int i = 0; i < w->depth; i++) fputs("  ", w->out);
}

/* Separator before a value or key at the current level. */
static void before_value(jsonw_t *w) {
  if (w->after_key) {
    w->after_key = false;
    return;
  }
  if (w->depth > 0) {
    if (!w->first[w->depth]) fputc(',', w->out);
    w->first[w->depth] = false;
    indent(w);
  }
}

static void open(jsonw_t *w, char c) {
  before_value(w);
  fputc(c, w->out);
  if (w->depth + 1 >= JW_MAX_DEPTH) {
    w->err = CF_ELIMIT;
    return;
  }
  w->depth++;
  w->first[w->depth] = true;
}

static void close_(jsonw_t *w, char c) {
  bool empty = w->first[w->depth];
  if (w->depth > 0) w->depth--;
  if (!empty) indent(w);
  fputc(c, w->out);
}

void cf__jw_obj_begin(jsonw_t *w) { open(w, '{'); }
void cf__jw_obj_end(jsonw_t *w) { close_(w, '}'); }
void cf__jw_arr_begin(jsonw_t *w) { open(w, '['); }
void cf__jw_arr_end(jsonw_t *w) { close_(w, ']'); }

static void raw_string(jsonw_t *w, const char *s, size_t n) {
  cf_buf_t b;
  cf__buf_init(&b, (size_t)1 << 30);
  if (cf__json_escape(&b, s, n) == CF_OK) fwrite(b.data, 1, b.len, w->out);
  else w->err = CF_ENOMEM;
  cf__buf_cleanup(&b);
}

void cf__jw_key(jsonw_t *w, const char *key) {
  before_value(w);
  raw_string(w, key, strlen(key));
  fputs(w->pretty ? ": " : ":", w->out);
  w->after_key = true;
}

void cf__jw_strn(jsonw_t *w, const char *s, size_t n) {
  before_value(w);
  raw_string(w, s, n);
}

void cf__jw_str(jsonw_t *w, const char *s) {
  if (!s) {
    cf__jw_null(w);
    return;
  }
  cf__jw_strn(w, s, strlen(s));
}

void cf__jw_int(jsonw_t *w, int64_t v) {
  before_value(w);
  fprintf(w->out, "%" PRId64, v);
}

void cf__jw_uint(jsonw_t *w, uint64_t v) {
  before_value(w);
  fprintf(w->out, "%" PRIu64, v);
}

void cf__jw_bool(jsonw_t *w, bool v) {
  before_value(w);
  fputs(v ? "true" : "false", w->out);
}

void cf__jw_null(jsonw_t *w) {
  before_value(w);
  fputs("null", w->out);
}

void cf__jw_kstr(jsonw_t *w, const char *key, const char *s) {
  cf__jw_key(w, key);
  cf__jw_str(w, s);
}

void cf__jw_kint(jsonw_t *w, const char *key, int64_t v) {
  cf__jw_key(w, key);
  cf__jw_int(w, v);
}

void cf__jw_kbool(jsonw_t *w, const char *key, bool v) {
  cf__jw_key(w, key);
  cf__jw_bool(w, v);
}

cf_err cf__jw_finish(jsonw_t *w) {
  fputc('\n', w->out);
  if (w->err) return w->err;
  return ferror(w->out) ? CF_EIO : CF_OK;
}
