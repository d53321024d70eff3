/*
 * buf.c - a growable byte buffer with a mandatory maximum (the pattern of curl's dynbuf).
 *
 * Every writer in the tree that builds text of input-dependent size goes through this type, so
 * no input can make one grow without bound. Invariants: data is NULL or NUL-terminated at len;
 * len < cap when data is set; a failed append leaves the buffer unchanged.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

void cf__buf_init(cf_buf_t *b, size_t max) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
}

void cf__buf_cleanup(cf_buf_t *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void cf__buf_cleanup_secure(cf_buf_t *b) {
  if (b->data) {
    volatile char *p = b->data;
    for (size_t i = 0; i < b->cap; i++) p[i] = 0;
  }
  cf__buf_cleanup(b);
}

void cf__buf_reset(cf_buf_t *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

static cf_err buf_reserve(cf_buf_t *b, size_t n) {
  if (n > b->max || b->len > b->max - n) return CF_ELIMIT;
  size_t need = b->len + n + 1;
  if (need <= b->cap) return CF_OK;
  size_t ncap = b->cap ? b->cap : 64;
  while (ncap < need) ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
  if (ncap > b->max + 1) ncap = b->max + 1;
  char *p = realloc(b->data, ncap);
  if (!p) return CF_ENOMEM;
  b->data = p;
  b->cap = ncap;
  return CF_OK;
}

cf_err cf__buf_append(cf_buf_t *b, const void *p, size_t n) {
  cf_err e = buf_reserve(b, n);
  if (e) return e;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return CF_OK;
}

cf_err cf__buf_putc(cf_buf_t *b, char c) { return cf__buf_append(b, &c, 1); }

cf_err cf__buf_puts(cf_buf_t *b, const char *s) { return cf__buf_append(b, s, strlen(s)); }

cf_err cf__buf_vprintf(cf_buf_t *b, const char *fmt, va_list ap) {
  va_list cp;
  va_copy(cp, ap);
  int n = vsnprintf(NULL, 0, fmt, cp);
  va_end(cp);
  if (n < 0) return CF_EINVAL;
  cf_err e = buf_reserve(b, (size_t)n);
  if (e) return e;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return CF_OK;
}

cf_err cf__buf_printf(cf_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cf_err e = cf__buf_vprintf(b, fmt, ap);
  va_end(ap);
  return e;
}

char *cf__buf_take(cf_buf_t *b) {
  char *p = b->data;
  if (!p) p = calloc(1, 1);
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}

bool cf__grow(void **p, size_t *cap, size_t len, size_t size) {
  if (len < *cap) return true;
  size_t nc = *cap ? *cap * 2 : 16;
  if (size && nc > SIZE_MAX / size) return false;
  void *n = realloc(*p, nc * size);
  if (!n) return false;
  *p = n;
  *cap = nc;
  return true;
}
