/*
 * json_split.c - finds the elements of one array inside a huge JSON document without parsing
 * the rest, reading the input piece by piece.
 *
 * Why: an AWS Config snapshot is one JSON object whose "configurationItems" array may hold a
 * million items (gigabytes). Parsing it as one document needs the whole text plus the
 * parser's index and string buffers in memory at once. Instead this scanner keeps a window of
 * the input, locates each element's bytes (tracking only strings and nesting, which is all
 * that is needed to find where a value ends), and hands them to the caller, which parses one
 * element at a time with a reused parser. Memory stays near the window size (a few MiB) plus
 * the largest element, whatever the input size.
 *
 * Invariants: bytes before `keep` may be dropped when the window is refilled; `line` and
 * `line_start` (an absolute offset) describe the position of `pos`. Inside JSON strings raw
 * newlines cannot occur, so lines are counted only outside strings. The scanner validates
 * structure only as far as it needs to; each element is validated by the real parser.
 */
#include <stdlib.h>
#include <string.h>

#include "doc_internal.h"

#define WINDOW (4u << 20)

typedef struct sp {
  cf_reader_t *rd;
  const char *name;
  char *buf;        /* window, with CF_JSON_PADDING spare bytes at the end */
  size_t cap;       /* usable bytes */
  size_t len;       /* valid bytes */
  size_t base;      /* absolute offset of buf[0] */
  bool eof;
  uint32_t line;
  size_t line_start; /* absolute offset of the current line's first byte */
  size_t max_item;
  cf_diag_t *diag;
} sp_t;

static cf_err sp_fail(sp_t *s, cf_err code, size_t at, const char *msg) {
  /* Column from the current line start; `at` is an index into buf. */
  size_t abs = s->base + at;
  uint32_t col = abs >= s->line_start ? (uint32_t)(abs - s->line_start + 1) : 0;
  return cf_diag_set(s->diag, code, s->name, s->line, col, "%s", msg);
}

/* Makes more input available, dropping bytes before `keep`. Returns CF_OK with no new bytes
 * at the end of the input. */
static cf_err sp_refill(sp_t *s, size_t *keep) {
  if (s->eof) return CF_OK;
  if (*keep > 0) {
    memmove(s->buf, s->buf + *keep, s->len - *keep);
    s->base += *keep;
    s->len -= *keep;
    *keep = 0;
  }
  if (s->len == s->cap) {
    /* One value larger than the window: grow, up to the item limit. */
    if (s->cap >= s->max_item) return sp_fail(s, CF_ELIMIT, s->len, "one array element is larger than the item limit");
    size_t ncap = s->cap * 2 > s->max_item ? s->max_item : s->cap * 2;
    char *n = realloc(s->buf, ncap + CF_JSON_PADDING);
    if (!n) return sp_fail(s, CF_ENOMEM, 0, "out of memory");
    s->buf = n;
    s->cap = ncap;
  }
  size_t got = 0;
  cf_err e = cf__reader_read(s->rd, s->buf + s->len, s->cap - s->len, &got, s->diag);
  if (e) return e;
  if (got == 0) s->eof = true;
  s->len += got;
  return CF_OK;
}

/* A member of the element to report without parsing it: the string value of top-level key
 * `key` of an object element (the resource type of a Config item, so that items of types
 * nobody reads need not be parsed at all). Offsets are relative to the element's start. */
typedef struct probe {
  const char *key;
  size_t klen;
  bool found;
  size_t off, len;
} probe_t;

/* Scans one JSON value starting at buf[*pos]. On success *pos is just past it. Returns
 * CF_ENOTFOUND when the window ends first (the caller refills and retries from the start of
 * the value; line counting is rewound by the caller). When pr is given, the string value of
 * its key at the value's top level is recorded. */
static cf_err skip_value(sp_t *s, size_t *pos, probe_t *pr) {
  size_t i = *pos, start = *pos;
  unsigned depth = 0;
  bool expect_key = false, want = false;
  if (pr) pr->found = false;
  for (;;) {
    if (i >= s->len) return CF_ENOTFOUND;
    char c = s->buf[i];
    if (c == '"') {
      /* A string: find the closing quote, skipping escaped ones. */
      size_t j = i + 1;
      for (;;) {
        const char *q = j < s->len ? memchr(s->buf + j, '"', s->len - j) : NULL;
        if (!q) return CF_ENOTFOUND;
        size_t k = (size_t)(q - s->buf), bs = 0;
        while (k - bs > i + 1 && s->buf[k - bs - 1] == '\\') bs++;
        j = k + 1;
        if (bs % 2 == 0) break;
      }
      if (pr && depth == 1) {
        if (expect_key) {
          want = j - i - 2 == pr->klen && memcmp(s->buf + i + 1, pr->key, pr->klen) == 0;
          expect_key = false;
        } else if (want && !pr->found) {
          pr->found = true;
          pr->off = i + 1 - start;
          pr->len = j - i - 2;
          want = false;
        }
      }
      i = j;
      if (depth == 0) break;
      continue;
    }
    if (c == '{' || c == '[') {
      if (++depth > 4096) return sp_fail(s, CF_ELIMIT, i, "nesting too deep");
      if (depth == 1 && c == '{') expect_key = true;
      if (depth == 2) want = false;
      i++;
      continue;
    }
    if (c == ',' && depth == 1) {
      expect_key = true;
      want = false;
      i++;
      continue;
    }
    if (c == '}' || c == ']') {
      if (depth == 0) return sp_fail(s, CF_EPARSE, i, "unexpected closing bracket");
      i++;
      if (--depth == 0) break;
      continue;
    }
    if (c == '\n') {
      s->line++;
      s->line_start = s->base + i + 1;
      i++;
      continue;
    }
    if (depth == 0) {
      /* A scalar at the top of the value: it ends at a delimiter. */
      if (c == ',' || c == ' ' || c == '\t' || c == '\r') break;
      i++;
      if (i >= s->len && !s->eof) return CF_ENOTFOUND;
      if (i >= s->len) break;
      continue;
    }
    i++;
  }
  *pos = i;
  return CF_OK;
}

/* Skips blanks (counting lines); returns the index of the next other byte or s->len. */
static size_t skip_ws(sp_t *s, size_t i) {
  while (i < s->len) {
    char c = s->buf[i];
    if (c == '\n') {
      s->line++;
      s->line_start = s->base + i + 1;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      break;
    }
    i++;
  }
  return i;
}

/* Ensures buf[*i] exists (refilling as needed, keeping bytes from *i on). Returns false at the
 * end of the input. */
static cf_err need(sp_t *s, size_t *i, bool *have) {
  *have = true;
  while (*i >= s->len) {
    if (s->eof) {
      *have = false;
      return CF_OK;
    }
    size_t keep = *i;
    cf_err e = sp_refill(s, &keep);
    if (e) return e;
    *i = keep;
  }
  return CF_OK;
}

/* Moves *i to the next byte that is not a blank, refilling as needed; *have is false at the
 * end of the input. */
static cf_err next_token(sp_t *s, size_t *i, bool *have) {
  for (;;) {
    *i = skip_ws(s, *i);
    cf_err e = need(s, i, have);
    if (e || !*have) return e;
    char c = s->buf[*i];
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') return CF_OK;
  }
}

/* skip_value with refills; the bytes of the value stay in the window. */
static cf_err value_bounds(sp_t *s, size_t *start, size_t *end, probe_t *pr) {
  uint32_t line0 = s->line;
  size_t ls0 = s->line_start;
  for (;;) {
    size_t p = *start;
    cf_err e = skip_value(s, &p, pr);
    if (e == CF_OK) {
      *end = p;
      return CF_OK;
    }
    if (e != CF_ENOTFOUND) return e;
    if (s->eof) return sp_fail(s, CF_EPARSE, s->len, "unexpected end of input inside a value");
    s->line = line0;
    s->line_start = ls0;
    size_t keep = *start;
    if ((e = sp_refill(s, &keep))) return e;
    *start = keep;
  }
}

cf_err cf__json_split(cf_reader_t *rd, const char *name, const char *key, const char *probe_key,
                      size_t max_item, cf_json_item_cb cb, void *ud, cf_diag_t *diag) {
  probe_t pr = {probe_key, probe_key ? strlen(probe_key) : 0, false, 0, 0};
  sp_t s;
  memset(&s, 0, sizeof s);
  s.rd = rd;
  s.name = name;
  s.line = 1;
  s.max_item = max_item < WINDOW ? WINDOW : max_item;
  s.diag = diag;
  s.cap = WINDOW;
  s.buf = malloc(s.cap + CF_JSON_PADDING);
  if (!s.buf) return cf_diag_set(diag, CF_ENOMEM, name, 0, 0, "out of memory");
  cf_err e = CF_OK;
  size_t i = 0, klen = strlen(key);
  bool have;
  bool found = false;
  /* The top-level object. */
  if ((e = need(&s, &i, &have))) goto out;
  if (have && s.len - i >= 3 && (unsigned char)s.buf[i] == 0xEF && (unsigned char)s.buf[i + 1] == 0xBB &&
      (unsigned char)s.buf[i + 2] == 0xBF)
    i += 3;
  if ((e = next_token(&s, &i, &have))) goto out;
  if (!have || s.buf[i] != '{') {
    e = sp_fail(&s, CF_EPARSE, i, "expected a JSON object at the top level");
    goto out;
  }
  i++;
  for (;;) {
    /* At depth 1: a key, a comma, or the closing brace. */
    if ((e = next_token(&s, &i, &have))) goto out;
    if (!have) {
      e = sp_fail(&s, CF_EPARSE, i, "unexpected end of input: unclosed object");
      goto out;
    }
    char c = s.buf[i];
    if (c == '}') break;
    if (c == ',') {
      i++;
      continue;
    }
    if (c != '"') {
      e = sp_fail(&s, CF_EPARSE, i, "expected a key");
      goto out;
    }
    size_t ks = i, ke;
    if ((e = value_bounds(&s, &ks, &ke, NULL))) goto out;
    bool match = ke - ks == klen + 2 && memcmp(s.buf + ks + 1, key, klen) == 0;
    i = ke;
    if ((e = next_token(&s, &i, &have))) goto out;
    if (!have || s.buf[i] != ':') {
      e = sp_fail(&s, CF_EPARSE, i, "expected ':' after a key");
      goto out;
    }
    i++;
    if ((e = next_token(&s, &i, &have))) goto out;
    if (!have) {
      e = sp_fail(&s, CF_EPARSE, i, "unexpected end of input: a key without a value");
      goto out;
    }
    if (!match || s.buf[i] != '[') {
      size_t vs = i, ve;
      if ((e = value_bounds(&s, &vs, &ve, NULL))) goto out;
      i = ve;
      continue;
    }
    /* The array: hand out its elements. */
    found = true;
    i++;
    size_t index = 0;
    for (;;) {
      if ((e = next_token(&s, &i, &have))) goto out;
      if (!have) {
        e = sp_fail(&s, CF_EPARSE, i, "unexpected end of input: unclosed array");
        goto out;
      }
      c = s.buf[i];
      if (c == ']') {
        i++;
        break;
      }
      if (c == ',') {
        if (index == 0) {
          e = sp_fail(&s, CF_EPARSE, i, "unexpected ','");
          goto out;
        }
        i++;
        continue;
      }
      size_t vs = i, ve;
      uint32_t line = s.line;
      uint32_t col = (uint32_t)(s.base + i - s.line_start + 1);
      if ((e = value_bounds(&s, &vs, &ve, probe_key ? &pr : NULL))) goto out;
      /* The element is copied to a padded buffer by the parser; the window stays ours. */
      cf_json_item_t it = {s.buf + vs, ve - vs, line, col, index++, NULL, 0};
      if (probe_key && pr.found) {
        it.probe = s.buf + vs + pr.off;
        it.probe_len = pr.len;
      }
      if ((e = cb(ud, &it))) goto out;
      i = ve;
    }
  }
  if (!found) e = cf_diag_set(diag, CF_EPARSE, name, 1, 1, "no \"%s\" array in the document", key);
out:
  free(s.buf);
  return e;
}
