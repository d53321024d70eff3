/*
 * error.c - error names and messages (generated from CF_ERR_MAP) and diagnostics.
 *
 * Diagnostics own copies of their strings so that they can outlive the buffers and documents
 * they describe; a report collects them after the input that caused them is gone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const char *const err_msgs[] = {
#define CF_ERR_MSG(name, msg) msg,
    CF_ERR_MAP(CF_ERR_MSG)
#undef CF_ERR_MSG
};

static const char *const err_names[] = {
#define CF_ERR_NAME(name, msg) #name,
    CF_ERR_MAP(CF_ERR_NAME)
#undef CF_ERR_NAME
};

const char *cf_strerror(cf_err err) {
  if ((unsigned)err >= CF_ERR__COUNT) return "unknown error";
  return err_msgs[err];
}

const char *cf_err_name(cf_err err) {
  if ((unsigned)err >= CF_ERR__COUNT) return "EUNKNOWN";
  return err_names[err];
}

void cf_diag_init(cf_diag_t *d) { memset(d, 0, sizeof(*d)); }

void cf_diag_cleanup(cf_diag_t *d) {
  if (!d) return;
  free(d->file);
  free(d->message);
  memset(d, 0, sizeof(*d));
}

/* The format attributes let -Wformat-nonliteral see that fmt comes from a checked caller. */
CF_PRINTF(1, 0) static char *vformat(const char *fmt, va_list ap) {
  va_list cp;
  va_copy(cp, ap);
  int n = vsnprintf(NULL, 0, fmt, cp);
  va_end(cp);
  if (n < 0) return NULL;
  char *s = malloc((size_t)n + 1);
  if (!s) return NULL;
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  return s;
}

CF_PRINTF(6, 0) static void diag_fill(cf_diag_t *d, cf_err code, const char *file, uint32_t line,
                      uint32_t column, const char *fmt, va_list ap) {
  cf_diag_cleanup(d);
  d->code = code;
  d->file = file ? strdup(file) : NULL;
  d->line = line;
  d->column = column;
  d->message = fmt ? vformat(fmt, ap) : NULL;
}

cf_err cf_diag_set(cf_diag_t *d, cf_err code, const char *file, uint32_t line, uint32_t column,
                   const char *fmt, ...) {
  if (!d) return code;
  va_list ap;
  va_start(ap, fmt);
  diag_fill(d, code, file, line, column, fmt, ap);
  va_end(ap);
  return code;
}

void cf_diags_init(cf_diags_t *l) { memset(l, 0, sizeof(*l)); }

void cf_diags_cleanup(cf_diags_t *l) {
  if (!l) return;
  for (size_t i = 0; i < l->len; i++) cf_diag_cleanup(&l->items[i]);
  free(l->items);
  memset(l, 0, sizeof(*l));
}

static cf_diag_t *diags_slot(cf_diags_t *l) {
  if (l->len == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 8;
    cf_diag_t *n = realloc(l->items, ncap * sizeof(*n));
    if (!n) return NULL;
    l->items = n;
    l->cap = ncap;
  }
  cf_diag_t *d = &l->items[l->len];
  cf_diag_init(d);
  return d;
}

cf_err cf_diags_add(cf_diags_t *l, cf_err code, const char *file, uint32_t line,
                    uint32_t column, const char *fmt, ...) {
  cf_diag_t *d = diags_slot(l);
  if (!d) return CF_ENOMEM;
  va_list ap;
  va_start(ap, fmt);
  diag_fill(d, code, file, line, column, fmt, ap);
  va_end(ap);
  if ((file && !d->file) || (fmt && !d->message)) {
    cf_diag_cleanup(d);
    return CF_ENOMEM;
  }
  l->len++;
  return CF_OK;
}

cf_err cf_diags_adopt(cf_diags_t *l, cf_diag_t *src) {
  cf_diag_t *d = diags_slot(l);
  if (!d) return CF_ENOMEM;
  *d = *src;
  memset(src, 0, sizeof(*src));
  l->len++;
  return CF_OK;
}
