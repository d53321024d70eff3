/*
 * jsonw.c - streaming JSON writer (see jsonw.h for why it exists).
 */
#include <inttypes.h>
#include <string.h>

#include "core/core.h"
#include "doc/doc_internal.h"
#include "jsonw.h"

#define FLUSH_AT (64u << 10)

static void flush(jsonw_t *w) {
  if (!w->out) return; /* a writer into memory */
  if (w->b.len && fwrite(w->b.data, 1, w->b.len, w->out) != w->b.len && !w->err) w->err = CF_EIO;
  cf__buf_reset(&w->b);
}

static void put(jsonw_t *w, const char *p, size_t n) {
  /* Most writes are a few bytes into a buffer with room: copy them straight in. */
  if (w->b.data && w->b.len + n < w->b.cap) {
    memcpy(w->b.data + w->b.len, p, n);
    w->b.len += n;
    w->b.data[w->b.len] = '\0';
    if (w->b.len >= FLUSH_AT) flush(w);
    return;
  }
  if (w->err) return;
  cf_err e = cf__buf_append(&w->b, p, n);
  if (e) w->err = e;
  else if (w->b.len >= FLUSH_AT) flush(w);
}

static void putch(jsonw_t *w, char c) { put(w, &c, 1); }

void cf__jw_init(jsonw_t *w, FILE *out, bool pretty) {
  memset(w, 0, sizeof(*w));
  w->out = out;
  w->pretty = pretty;
  w->first[0] = true;
  /* One string may be large (an evidence or a path); the cap only guards against runaway. */
  cf__buf_init(&w->b, (size_t)1 << 30);
}

void cf__jw_init_mem(jsonw_t *w) {
  memset(w, 0, sizeof(*w));
  w->first[0] = true;
  cf__buf_init(&w->b, (size_t)1 << 20);
}

void cf__jw_reset(jsonw_t *w) {
  cf__buf_reset(&w->b);
  w->depth = 0;
  w->first[0] = true;
  w->after_key = false;
  w->err = CF_OK;
}

void cf__jw_free(jsonw_t *w) { cf__buf_cleanup(&w->b); }

static void indent(jsonw_t *w) {
  if (!w->pretty) return;
  static const char spaces[] = "\n                                                                ";
  size_t n = 1 + 2 * (size_t)w->depth;
  if (n > sizeof spaces - 1) n = sizeof spaces - 1;
  put(w, spaces, n);
}

/* Separator before a value or key at the current level. */
static void before_value(jsonw_t *w) {
  if (w->after_key) {
    w->after_key = false;
    return;
  }
  if (w->depth > 0) {
    if (!w->first[w->depth]) putch(w, ',');
    w->first[w->depth] = false;
    indent(w);
  }
}

static void open_(jsonw_t *w, char c) {
  before_value(w);
  putch(w, c);
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
  putch(w, c);
}

void cf__jw_obj_begin(jsonw_t *w) { open_(w, '{'); }
void cf__jw_obj_end(jsonw_t *w) { close_(w, '}'); }
void cf__jw_arr_begin(jsonw_t *w) { open_(w, '['); }
void cf__jw_arr_end(jsonw_t *w) { close_(w, ']'); }

static void raw_string(jsonw_t *w, const char *s, size_t n) {
  if (w->err) return;
  cf_err e = cf__json_escape(&w->b, s, n);
  if (e) w->err = e;
  else if (w->b.len >= FLUSH_AT) flush(w);
}

void cf__jw_key(jsonw_t *w, const char *key) {
  before_value(w);
  raw_string(w, key, strlen(key));
  if (w->pretty) put(w, ": ", 2);
  else putch(w, ':');
  w->after_key = true;
}

void cf__jw_keyn(jsonw_t *w, const char *key, size_t n) {
  before_value(w);
  putch(w, '"');
  put(w, key, n);
  if (w->pretty) put(w, "\": ", 3);
  else put(w, "\":", 2);
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

/* Decimal digits without printf: reports write a number or two per finding. */
static void put_u64(jsonw_t *w, uint64_t v, bool neg) {
  char tmp[24];
  size_t i = sizeof tmp;
  do {
    tmp[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  if (neg) tmp[--i] = '-';
  put(w, tmp + i, sizeof tmp - i);
}

void cf__jw_int(jsonw_t *w, int64_t v) {
  before_value(w);
  if (v < 0) put_u64(w, (uint64_t)0 - (uint64_t)v, true);
  else put_u64(w, (uint64_t)v, false);
}

void cf__jw_uint(jsonw_t *w, uint64_t v) {
  before_value(w);
  put_u64(w, v, false);
}

void cf__jw_raw(jsonw_t *w, const char *s, size_t n) {
  before_value(w);
  put(w, s, n);
}

void cf__jw_bool(jsonw_t *w, bool v) {
  before_value(w);
  if (v) put(w, "true", 4);
  else put(w, "false", 5);
}

void cf__jw_null(jsonw_t *w) {
  before_value(w);
  put(w, "null", 4);
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

void cf__jw_flush(jsonw_t *w) { flush(w); }

cf_err cf__jw_finish(jsonw_t *w) {
  putch(w, '\n');
  flush(w);
  cf__buf_cleanup(&w->b);
  if (w->err) return w->err;
  if (fflush(w->out) != 0) return CF_EIO;
  return ferror(w->out) ? CF_EIO : CF_OK;
}
