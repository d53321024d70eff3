/*
 * toml.c - a TOML 1.0 parser (https://toml.io/en/v1.0.0) into the shared document model.
 *
 * Why our own: Debian 12 packages no maintained C TOML library (only C++ ones such as
 * cpptoml and toml11, and bindings for other languages), and gitleaks configurations need
 * nothing beyond the core language. A recursive-descent parser over the bytes, building
 * cf_node_t values in the document's arena, keeps positions for diagnostics and shares the
 * lookup helpers the YAML rule loader uses.
 *
 * Table semantics (TOML 1.0 "Table" and "Array of Tables"): each table node records in its
 * spare bits how it came to be - explicitly by a [header], implicitly as a prefix of a header
 * or dotted key, by dotted keys, or inline (`{...}`, closed for good) - and those bits decide
 * whether a later header or dotted key may reopen it. Arrays written as values are closed;
 * arrays made by [[headers]] grow.
 *
 * Invariants and limits: the input must be valid UTF-8 and at most the context's
 * max_rule_size bytes; nesting of arrays and inline tables and the keys of one dotted key are
 * bounded by CF_TOML_MAX_DEPTH, the members of one table by CF_TOML_MAX_KEYS. Keys holding a
 * NUL character are refused (the model's keys are C strings). The parser never reads past
 * buf[len) and reports the first error with its line and column.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "toml.h"

/* How a table node came to be (cf_node_t.spare). */
enum {
  T_EXPLICIT = 1u << 0, /* [header] */
  T_IMPLICIT = 1u << 1, /* a prefix of a header or dotted key */
  T_DOTTED = 1u << 2,   /* created by a dotted key */
  T_CLOSED = 1u << 3,   /* inline table or value array: never extended */
  T_AOT = 1u << 4       /* array made by [[header]] */
};

typedef struct tp {
  const char *s;
  size_t n, i;
  uint32_t line;
  size_t line_start;
  cf_arena_t *a;
  const char *name;
  cf_diag_t *diag;
  cf_err err;
  unsigned depth;
  unsigned inline_depth;
  cf_buf_t sb; /* string scratch */
} tp_t;

static bool fail(tp_t *p, cf_err code, const char *fmt, ...) CF_PRINTF(3, 4);
static bool fail(tp_t *p, cf_err code, const char *fmt, ...) {
  if (p->err) return false;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  p->err = code;
  (void)cf_diag_set(p->diag, code, p->name, p->line, (uint32_t)(p->i - p->line_start + 1), "%s", msg);
  return false;
}

/* The same at a remembered position (a key's), for problems found after reading past it. */
static bool fail_at(tp_t *p, cf_pos_t pos, const char *fmt, ...) CF_PRINTF(3, 4);
static bool fail_at(tp_t *p, cf_pos_t pos, const char *fmt, ...) {
  if (p->err) return false;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  p->err = CF_EPARSE;
  (void)cf_diag_set(p->diag, CF_EPARSE, p->name, pos.line, pos.column, "%s", msg);
  return false;
}

static bool nomem(tp_t *p) { return fail(p, CF_ENOMEM, "out of memory"); }

static cf_pos_t here(const tp_t *p) { return (cf_pos_t){0, p->line, (uint32_t)(p->i - p->line_start + 1)}; }

static int peek(const tp_t *p) { return p->i < p->n ? (unsigned char)p->s[p->i] : -1; }
static int peek_at(const tp_t *p, size_t k) { return p->i + k < p->n ? (unsigned char)p->s[p->i + k] : -1; }

static void skip_ws(tp_t *p) {
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t')) p->i++;
}

/* A control character TOML allows in neither comments nor strings (tab is allowed). */
static bool bad_control(int c) { return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f; }

/* Skips a comment if one starts here. */
static bool skip_comment(tp_t *p) {
  if (peek(p) != '#') return true;
  while (p->i < p->n && p->s[p->i] != '\n') {
    int c = (unsigned char)p->s[p->i];
    if (c == '\r' && peek_at(p, 1) == '\n') break;
    if (bad_control(c)) return fail(p, CF_EPARSE, "control character in comment");
    p->i++;
  }
  return true;
}

/* Consumes a newline (LF or CRLF) if one is here; returns whether it did. */
static bool eat_newline(tp_t *p) {
  if (peek(p) == '\n') {
    p->i++;
  } else if (peek(p) == '\r' && peek_at(p, 1) == '\n') {
    p->i += 2;
  } else {
    return false;
  }
  p->line++;
  p->line_start = p->i;
  return true;
}

/* Whitespace, comments and newlines (inside arrays). */
static bool skip_ws_nl(tp_t *p) {
  for (;;) {
    skip_ws(p);
    if (!skip_comment(p)) return false;
    if (!eat_newline(p)) break;
  }
  if (peek(p) == '\r') return fail(p, CF_EPARSE, "carriage return not followed by a newline");
  return true;
}

/* ---- strings ---- */

static bool put_utf8(tp_t *p, uint32_t cp) {
  char b[4];
  size_t k = cf__utf8_encode(cp, b);
  cf_err e = cf__buf_append(&p->sb, b, k);
  return e ? fail(p, e, e == CF_ELIMIT ? "string too long" : "out of memory") : true;
}

static bool put(tp_t *p, const char *s, size_t k) {
  cf_err e = cf__buf_append(&p->sb, s, k);
  return e ? fail(p, e, e == CF_ELIMIT ? "string too long" : "out of memory") : true;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* An escape after the backslash of a basic string (the backslash is consumed). */
static bool escape(tp_t *p) {
  int c = peek(p);
  const char *rep = NULL;
  switch (c) {
  case 'b': rep = "\b"; break;
  case 't': rep = "\t"; break;
  case 'n': rep = "\n"; break;
  case 'f': rep = "\f"; break;
  case 'r': rep = "\r"; break;
  case '"': rep = "\""; break;
  case '\\': rep = "\\"; break;
  case 'u':
  case 'U': {
    unsigned digits = c == 'u' ? 4 : 8;
    uint32_t cp = 0;
    for (unsigned k = 1; k <= digits; k++) {
      int h = hexval(peek_at(p, k));
      if (h < 0) return fail(p, CF_EPARSE, "\\%c needs %u hexadecimal digits", c, digits);
      cp = cp * 16 + (uint32_t)h;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return fail(p, CF_EPARSE, "\\%c escape is not a Unicode scalar value", c);
    p->i += 1 + digits;
    return put_utf8(p, cp);
  }
  default: return fail(p, CF_EPARSE, "invalid escape sequence in string");
  }
  p->i++;
  return put(p, rep, 1);
}

/* A string starting at the quote; the value lands in p->sb. */
static bool parse_string(tp_t *p, bool allow_multi) {
  char q = p->s[p->i];
  bool literal = q == '\'';
  cf__buf_reset(&p->sb);
  bool multi = peek_at(p, 1) == q && peek_at(p, 2) == q;
  if (multi && !allow_multi) return fail(p, CF_EPARSE, "a key cannot be a multi-line string");
  if (!multi) {
    p->i++;
    for (;;) {
      int c = peek(p);
      if (c < 0 || c == '\n' || c == '\r') return fail(p, CF_EPARSE, "unterminated string");
      if (c == q) {
        p->i++;
        return true;
      }
      if (!literal && c == '\\') {
        p->i++;
        if (!escape(p)) return false;
        continue;
      }
      if (bad_control(c)) return fail(p, CF_EPARSE, "control character in string");
      size_t st = p->i;
      while (p->i < p->n && p->s[p->i] != q && p->s[p->i] != '\\' && !bad_control((unsigned char)p->s[p->i])) p->i++;
      if (p->i == st) p->i++;
      if (!put(p, p->s + st, p->i - st)) return false;
    }
  }
  p->i += 3;
  /* A newline right after the opening delimiter is trimmed. */
  (void)eat_newline(p);
  for (;;) {
    int c = peek(p);
    if (c < 0) return fail(p, CF_EPARSE, "unterminated multi-line string");
    if (c == q) {
      size_t k = 0;
      while (peek_at(p, k) == q) k++;
      if (k < 3) {
        if (!put(p, p->s + p->i, k)) return false;
        p->i += k;
        continue;
      }
      if (k > 5) return fail(p, CF_EPARSE, "too many quotes at the end of a multi-line string");
      /* Up to two quotes just before the closing delimiter belong to the string. */
      if (!put(p, p->s + p->i, k - 3)) return false;
      p->i += k;
      return true;
    }
    if (c == '\n' || (c == '\r' && peek_at(p, 1) == '\n')) {
      if (!put(p, "\n", 1)) return false;
      (void)eat_newline(p);
      continue;
    }
    if (!literal && c == '\\') {
      /* A line-ending backslash removes the newline and the whitespace after it. */
      size_t k = 1;
      while (peek_at(p, k) == ' ' || peek_at(p, k) == '\t') k++;
      if (peek_at(p, k) == '\n' || (peek_at(p, k) == '\r' && peek_at(p, k + 1) == '\n')) {
        p->i += k;
        for (;;) {
          skip_ws(p);
          if (!eat_newline(p)) break;
        }
        continue;
      }
      p->i++;
      if (!escape(p)) return false;
      continue;
    }
    if (bad_control(c)) return fail(p, CF_EPARSE, "control character in string");
    size_t st = p->i;
    while (p->i < p->n && p->s[p->i] != q && p->s[p->i] != '\\' && p->s[p->i] != '\n' &&
           !bad_control((unsigned char)p->s[p->i]))
      p->i++;
    if (literal && p->i < p->n && p->s[p->i] == '\\') p->i++; /* a backslash is plain text here */
    if (p->i == st) return fail(p, CF_EPARSE, "control character in string");
    if (!put(p, p->s + st, p->i - st)) return false;
  }
}

/* ---- keys ---- */

typedef struct key {
  const char *s[CF_TOML_MAX_DEPTH];
  size_t len[CF_TOML_MAX_DEPTH];
  cf_pos_t pos[CF_TOML_MAX_DEPTH];
  unsigned n;
} key_t_;

static bool is_bare(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A possibly dotted key. */
static bool parse_key(tp_t *p, key_t_ *k) {
  k->n = 0;
  for (;;) {
    skip_ws(p);
    if (k->n == CF_TOML_MAX_DEPTH) return fail(p, CF_ELIMIT, "dotted key longer than %u parts", CF_TOML_MAX_DEPTH);
    cf_pos_t pos = here(p);
    int c = peek(p);
    const char *s;
    size_t len;
    if (c == '"' || c == '\'') {
      if (!parse_string(p, false)) return false;
      if (p->sb.len && memchr(p->sb.data, 0, p->sb.len)) return fail(p, CF_EPARSE, "key holds a NUL character");
      s = cf__arena_strndup(p->a, p->sb.data ? p->sb.data : "", p->sb.len);
      len = p->sb.len;
      if (!s) return nomem(p);
    } else if (is_bare(c)) {
      size_t st = p->i;
      while (is_bare(peek(p))) p->i++;
      s = p->s + st;
      len = p->i - st;
    } else {
      return fail(p, CF_EPARSE, "expected a key");
    }
    k->s[k->n] = s;
    k->len[k->n] = len;
    k->pos[k->n] = pos;
    k->n++;
    skip_ws(p);
    if (peek(p) != '.') return true;
    p->i++;
  }
}

/* ---- tables ---- */

static cf_node_t *member(cf_node_t *obj, const char *k, size_t n) {
  for (uint32_t i = 0; i < obj->len; i++) {
    cf_member_t *m = &obj->u.members[i];
    if (m->key_len == n && memcmp(m->key, k, n) == 0) return m->value;
  }
  return NULL;
}

static bool add_member(tp_t *p, cf_node_t *obj, const char *k, size_t n, cf_pos_t kpos, cf_node_t *v) {
  if (obj->len >= CF_TOML_MAX_KEYS) return fail(p, CF_ELIMIT, "more than %u keys in one table", CF_TOML_MAX_KEYS);
  char *key = cf__arena_strndup(p->a, k, n);
  if (!key) return nomem(p);
  /* cf_node_set keeps the key pointer's text; the key has been checked to be new. */
  cf_err e = cf_node_set(p->a, obj, key, v);
  if (e) return nomem(p);
  obj->u.members[obj->len - 1].key_pos = kpos;
  return true;
}

static cf_node_t *new_table(tp_t *p, cf_pos_t pos, unsigned how) {
  cf_node_t *t = cf_node_new_object(p->a, pos);
  if (!t) {
    nomem(p);
    return NULL;
  }
  t->spare = (uint16_t)(how | (p->inline_depth ? T_CLOSED : 0));
  return t;
}

/* Walks the first k->n - 1 parts of a header key from the root, creating implicit tables. */
static cf_node_t *walk_prefix(tp_t *p, cf_node_t *t, const key_t_ *k) {
  for (unsigned i = 0; i + 1 < k->n; i++) {
    cf_node_t *v = member(t, k->s[i], k->len[i]);
    if (!v) {
      if (!(v = new_table(p, k->pos[i], T_IMPLICIT)) || !add_member(p, t, k->s[i], k->len[i], k->pos[i], v)) return NULL;
    } else if (v->type == CF_NODE_ARRAY && (v->spare & T_AOT) && v->len) {
      v = v->u.items[v->len - 1];
    } else if (v->type != CF_NODE_OBJECT || (v->spare & T_CLOSED)) {
      fail_at(p, k->pos[i], "'%.*s' is already defined and is not a table", (int)k->len[i], k->s[i]);
      return NULL;
    }
    t = v;
  }
  return t;
}

static bool parse_value(tp_t *p, cf_node_t **out);

/* key = value into table t. */
static bool parse_keyval(tp_t *p, cf_node_t *t) {
  key_t_ k;
  if (!parse_key(p, &k)) return false;
  if (peek(p) != '=') return fail(p, CF_EPARSE, "expected '=' after a key");
  p->i++;
  skip_ws(p);
  for (unsigned i = 0; i + 1 < k.n; i++) {
    cf_node_t *v = member(t, k.s[i], k.len[i]);
    if (!v) {
      if (!(v = new_table(p, k.pos[i], T_DOTTED)) || !add_member(p, t, k.s[i], k.len[i], k.pos[i], v)) return false;
    } else if (v->type != CF_NODE_OBJECT || !(v->spare & T_DOTTED) ||
               ((v->spare & T_CLOSED) && !p->inline_depth)) {
      return fail_at(p, k.pos[i], "'%.*s' is already defined and cannot be extended with a dotted key", (int)k.len[i],
                     k.s[i]);
    }
    t = v;
  }
  unsigned last = k.n - 1;
  if (member(t, k.s[last], k.len[last])) return fail_at(p, k.pos[last], "duplicate key '%.*s'", (int)k.len[last], k.s[last]);
  cf_node_t *v = NULL;
  if (!parse_value(p, &v)) return false;
  return add_member(p, t, k.s[last], k.len[last], k.pos[last], v);
}

/* ---- values ---- */

static bool parse_array(tp_t *p, cf_node_t **out) {
  cf_node_t *arr = cf_node_new_array(p->a, here(p));
  if (!arr) return nomem(p);
  arr->spare = T_CLOSED;
  p->i++; /* [ */
  for (;;) {
    if (!skip_ws_nl(p)) return false;
    if (peek(p) == ']') {
      p->i++;
      break;
    }
    cf_node_t *v = NULL;
    if (!parse_value(p, &v)) return false;
    if (cf_node_push(p->a, arr, v)) return nomem(p);
    if (!skip_ws_nl(p)) return false;
    if (peek(p) == ',') {
      p->i++;
      continue;
    }
    if (peek(p) == ']') {
      p->i++;
      break;
    }
    return fail(p, CF_EPARSE, "expected ',' or ']' in an array");
  }
  *out = arr;
  return true;
}

static bool parse_inline_table(tp_t *p, cf_node_t **out) {
  p->inline_depth++;
  cf_node_t *t = new_table(p, here(p), T_EXPLICIT);
  if (!t) return false;
  p->i++; /* { */
  skip_ws(p);
  if (peek(p) == '}') {
    p->i++;
  } else {
    for (;;) {
      if (!parse_keyval(p, t)) return false;
      skip_ws(p);
      if (peek(p) == ',') {
        p->i++;
        skip_ws(p);
        continue;
      }
      if (peek(p) == '}') {
        p->i++;
        break;
      }
      return fail(p, CF_EPARSE, "expected ',' or '}' in an inline table (which must fit on one line)");
    }
  }
  p->inline_depth--;
  *out = t;
  return true;
}

static bool all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

/* Digits with single underscores between them; returns the count of digits or -1. */
static long digit_run(const char *s, size_t n, size_t *i, int base) {
  long count = 0;
  bool prev_digit = false;
  while (*i < n) {
    int c = (unsigned char)s[*i];
    int v = hexval(c);
    bool ok = v >= 0 && v < base && (base == 16 || (c >= '0' && c <= '9'));
    if (ok) {
      count++;
      prev_digit = true;
    } else if (c == '_') {
      if (!prev_digit || *i + 1 >= n) return -1;
      int d = hexval((unsigned char)s[*i + 1]);
      if (d < 0 || d >= base || (base != 16 && !(s[*i + 1] >= '0' && s[*i + 1] <= '9'))) return -1;
      prev_digit = false;
    } else {
      break;
    }
    (*i)++;
  }
  return count;
}

/* A date-time token: kept as its source text after a shape check. */
static bool looks_datetime(const char *s, size_t n) {
  if (n >= 10 && all_digits(s, 4) && s[4] == '-' && all_digits(s + 5, 2) && s[7] == '-' && all_digits(s + 8, 2)) return true;
  return n >= 8 && all_digits(s, 2) && s[2] == ':' && all_digits(s + 3, 2) && s[5] == ':' && all_digits(s + 6, 2);
}

static bool parse_scalar(tp_t *p, cf_node_t **out) {
  cf_pos_t pos = here(p);
  size_t st = p->i;
  while (p->i < p->n) {
    int c = (unsigned char)p->s[p->i];
    if (is_bare(c) || c == '+' || c == '.' || c == ':') {
      p->i++;
      continue;
    }
    /* "1979-05-27 07:32:00": a space may separate a date from a time. */
    if (c == ' ' && p->i - st == 10 && looks_datetime(p->s + st, 10) && p->i + 3 < p->n &&
        all_digits(p->s + p->i + 1, 2) && p->s[p->i + 3] == ':') {
      p->i++;
      continue;
    }
    break;
  }
  const char *s = p->s + st;
  size_t n = p->i - st;
  if (n == 0) {
    p->i = st;
    return fail(p, CF_EPARSE, "expected a value");
  }
  if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 5 && memcmp(s, "false", 5) == 0)) {
    if (!(*out = cf_node_new_bool(p->a, n == 4, pos))) return nomem(p);
    return true;
  }
  if (looks_datetime(s, n)) {
    for (size_t i = 0; i < n; i++)
      if (!strchr("0123456789-:.TtZz+ ", s[i])) {
        p->i = st;
        return fail(p, CF_EPARSE, "invalid date or time");
      }
    if (!(*out = cf_node_new_str(p->a, s, n, pos))) return nomem(p);
    return true;
  }
  size_t i = 0;
  bool neg = false, sign = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    sign = true;
    i = 1;
  }
  if (n - i == 3 && (memcmp(s + i, "inf", 3) == 0 || memcmp(s + i, "nan", 3) == 0)) {
    double d = s[i] == 'i' ? INFINITY : NAN;
    if (!(*out = cf_node_new_float(p->a, neg ? -d : d, pos))) return nomem(p);
    return true;
  }
  char clean[128];
  size_t k = 0;
  if (n >= sizeof clean) {
    p->i = st;
    return fail(p, CF_EPARSE, "number too long");
  }
  if (!sign && n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
    int base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
    size_t j = 2;
    long d = digit_run(s, n, &j, base);
    if (d <= 0 || j != n) {
      p->i = st;
      return fail(p, CF_EPARSE, "invalid integer");
    }
    for (size_t q = 2; q < n; q++)
      if (s[q] != '_') clean[k++] = s[q];
    clean[k] = '\0';
    errno = 0;
    unsigned long long v = strtoull(clean, NULL, base);
    if (errno || v > INT64_MAX) {
      p->i = st;
      return fail(p, CF_EPARSE, "integer out of range");
    }
    if (!(*out = cf_node_new_int(p->a, (int64_t)v, pos))) return nomem(p);
    return true;
  }
  size_t j = i;
  long d = digit_run(s, n, &j, 10);
  bool is_float = false;
  bool ok = d > 0 && !(d > 1 && s[i] == '0');
  if (ok && j < n && s[j] == '.') {
    is_float = true;
    j++;
    ok = digit_run(s, n, &j, 10) > 0;
  }
  if (ok && j < n && (s[j] == 'e' || s[j] == 'E')) {
    is_float = true;
    j++;
    if (j < n && (s[j] == '+' || s[j] == '-')) j++;
    ok = digit_run(s, n, &j, 10) > 0;
  }
  if (!ok || j != n) {
    p->i = st;
    return fail(p, CF_EPARSE, "invalid value '%.*s'", (int)(n > 40 ? 40 : n), s);
  }
  for (size_t q = 0; q < n; q++)
    if (s[q] != '_') clean[k++] = s[q];
  clean[k] = '\0';
  errno = 0;
  if (is_float) {
    double v = strtod(clean, NULL);
    if (!(*out = cf_node_new_float(p->a, v, pos))) return nomem(p);
    return true;
  }
  long long v = strtoll(clean, NULL, 10);
  if (errno) {
    p->i = st;
    return fail(p, CF_EPARSE, "integer out of range");
  }
  if (!(*out = cf_node_new_int(p->a, (int64_t)v, pos))) return nomem(p);
  return true;
}

static bool parse_value(tp_t *p, cf_node_t **out) {
  int c = peek(p);
  if (c == '"' || c == '\'') {
    cf_pos_t pos = here(p);
    if (!parse_string(p, true)) return false;
    if (!(*out = cf_node_new_str(p->a, p->sb.data ? p->sb.data : "", p->sb.len, pos))) return nomem(p);
    return true;
  }
  if (c == '[' || c == '{') {
    if (p->depth >= CF_TOML_MAX_DEPTH) return fail(p, CF_ELIMIT, "arrays and inline tables nested deeper than %u", CF_TOML_MAX_DEPTH);
    p->depth++;
    bool ok = c == '[' ? parse_array(p, out) : parse_inline_table(p, out);
    p->depth--;
    return ok;
  }
  return parse_scalar(p, out);
}

/* After a value, a header or a blank line: whitespace, an optional comment, then a newline
 * or the end. */
static bool end_of_line(tp_t *p) {
  skip_ws(p);
  if (!skip_comment(p)) return false;
  if (p->i >= p->n || eat_newline(p)) return true;
  return fail(p, CF_EPARSE, "expected the end of the line");
}

static bool parse_header(tp_t *p, cf_node_t *root, cf_node_t **cur) {
  bool aot = peek_at(p, 1) == '[';
  p->i += aot ? 2 : 1;
  key_t_ k;
  if (!parse_key(p, &k)) return false;
  if (peek(p) != ']' || (aot && peek_at(p, 1) != ']')) return fail(p, CF_EPARSE, "expected '%s' after a table name", aot ? "]]" : "]");
  p->i += aot ? 2 : 1;
  cf_node_t *t = walk_prefix(p, root, &k);
  if (!t) return false;
  unsigned last = k.n - 1;
  cf_node_t *v = member(t, k.s[last], k.len[last]);
  if (aot) {
    if (!v) {
      if (!(v = cf_node_new_array(p->a, k.pos[last]))) return nomem(p);
      v->spare = T_AOT;
      if (!add_member(p, t, k.s[last], k.len[last], k.pos[last], v)) return false;
    } else if (v->type != CF_NODE_ARRAY || !(v->spare & T_AOT)) {
      return fail_at(p, k.pos[last], "'%.*s' is already defined and is not an array of tables", (int)k.len[last],
                     k.s[last]);
    }
    cf_node_t *item = new_table(p, k.pos[0], T_EXPLICIT);
    if (!item) return false;
    if (cf_node_push(p->a, v, item)) return nomem(p);
    *cur = item;
  } else {
    if (!v) {
      if (!(v = new_table(p, k.pos[last], T_EXPLICIT)) || !add_member(p, t, k.s[last], k.len[last], k.pos[last], v))
        return false;
    } else if (v->type != CF_NODE_OBJECT || (v->spare & (T_EXPLICIT | T_DOTTED | T_CLOSED))) {
      return fail_at(p, k.pos[last], "table '%.*s' is defined twice", (int)k.len[last], k.s[last]);
    } else {
      v->spare = (uint16_t)((v->spare & ~T_IMPLICIT) | T_EXPLICIT);
    }
    *cur = v;
  }
  return end_of_line(p);
}

cf_err cf__toml_parse(const cf_ctx_t *ctx, const char *buf, size_t len, const char *name, cf_doc_t **out,
                      cf_diag_t *diag) {
  *out = NULL;
  const cf_limits_t *lim = cf__limits(ctx);
  if (len > lim->max_rule_size)
    return cf_diag_set(diag, CF_ELIMIT, name, 0, 0, "TOML file larger than %llu bytes", (unsigned long long)lim->max_rule_size);
  size_t valid = cf__utf8_valid_prefix((const uint8_t *)buf, len);
  if (valid < len) {
    uint32_t line, col;
    cf__line_col(buf, len, valid, &line, &col);
    return cf_diag_set(diag, CF_EPARSE, name, line, col, "invalid UTF-8");
  }
  cf_doc_t *doc = NULL;
  if (cf_doc_new(0, &doc)) return cf_diag_set(diag, CF_ENOMEM, name, 0, 0, "out of memory");
  tp_t p;
  memset(&p, 0, sizeof p);
  p.s = buf;
  p.n = len;
  p.line = 1;
  p.a = doc->arena;
  p.name = name;
  p.diag = diag;
  cf__buf_init(&p.sb, len + 1);
  /* A byte order mark may open the file. */
  if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) p.i = p.line_start = 3;
  cf_node_t *root = cf_node_new_object(p.a, (cf_pos_t){0, 1, 1});
  doc->roots = cf__arena_alloc(p.a, sizeof(cf_node_t *));
  if (!root || !doc->roots) nomem(&p);
  cf_node_t *cur = root;
  while (!p.err) {
    if (!skip_ws_nl(&p)) break;
    int c = peek(&p);
    if (c < 0) break;
    if (c == '[') {
      if (!parse_header(&p, root, &cur)) break;
    } else {
      if (!parse_keyval(&p, cur) || !end_of_line(&p)) break;
    }
  }
  cf__buf_cleanup(&p.sb);
  if (p.err) {
    cf_doc_free(doc);
    return p.err;
  }
  doc->roots[0] = root;
  doc->n_roots = 1;
  *out = doc;
  return CF_OK;
}
