/*
 * doc.c - the document model: node constructors, lookups, copying and JSON rendering.
 *
 * Why our own model rather than a library's DOM: simdjson's DOM does not keep positions and
 * libyaml has no usable tree at all, yet every finding must point at a file, line and column.
 * One small tree type serves both front ends and the canonical resources adapters build.
 *
 * Invariants: strings are NUL-terminated and `len` bytes long; every array and object, parsed
 * or built, has room for cf__node_cap(len) elements (at least 4, else the next power of two),
 * so cf_node_push and cf_node_set can grow any of them without a stored capacity. Nodes
 * flagged CF_NODE_F_SHARED are reached through a YAML alias and must not be modified.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "doc_internal.h"

cf_node_t *cf_node_new(cf_arena_t *a, cf_node_type type, cf_pos_t pos) {
  cf_node_t *n = cf__arena_alloc_fast(a, sizeof(*n));
  if (!n) return NULL;
  memset(n, 0, sizeof(*n));
  n->type = (uint8_t)type;
  n->pos = pos;
  return n;
}

cf_node_t *cf_node_new_str(cf_arena_t *a, const char *s, size_t len, cf_pos_t pos) {
  if (len > UINT32_MAX) return NULL;
  cf_node_t *n = cf_node_new(a, CF_NODE_STRING, pos);
  if (!n) return NULL;
  char *copy = cf__arena_strndup(a, s, len);
  if (!copy) return NULL;
  n->u.s = copy;
  n->len = (uint32_t)len;
  return n;
}

cf_node_t *cf_node_new_cstr(cf_arena_t *a, const char *s, cf_pos_t pos) {
  return cf_node_new_str(a, s, strlen(s), pos);
}

cf_node_t *cf_node_new_bool(cf_arena_t *a, bool b, cf_pos_t pos) {
  cf_node_t *n = cf_node_new(a, CF_NODE_BOOL, pos);
  if (n) n->u.b = b;
  return n;
}

cf_node_t *cf_node_new_int(cf_arena_t *a, int64_t i, cf_pos_t pos) {
  cf_node_t *n = cf_node_new(a, CF_NODE_INT, pos);
  if (n) n->u.i = i;
  return n;
}

cf_node_t *cf_node_new_float(cf_arena_t *a, double f, cf_pos_t pos) {
  cf_node_t *n = cf_node_new(a, CF_NODE_FLOAT, pos);
  if (n) n->u.f = f;
  return n;
}

cf_node_t *cf_node_new_object(cf_arena_t *a, cf_pos_t pos) {
  return cf_node_new(a, CF_NODE_OBJECT, pos);
}

cf_node_t *cf_node_new_array(cf_arena_t *a, cf_pos_t pos) {
  return cf_node_new(a, CF_NODE_ARRAY, pos);
}

static bool is_pow2(uint32_t x) { return x && !(x & (x - 1)); }

size_t cf__node_cap(uint32_t len) {
  size_t cap = 4;
  while (cap < len) cap *= 2;
  return cap;
}

/* Grows storage of `len` elements of `size` bytes when len reaches a power of two. */
static void *grow_pow2(cf_arena_t *a, void *old, uint32_t len, size_t size) {
  if (len != 0 && !is_pow2(len)) return old;
  if (len >= UINT32_MAX / 2) return NULL;
  uint32_t ncap = len ? len * 2 : 4;
  if (len && len < 4) return old; /* the first block holds 4 */
  void *n = cf__arena_alloc_fast(a, (size_t)ncap * size);
  if (!n) return NULL;
  if (len) memcpy(n, old, (size_t)len * size);
  return n;
}

cf_err cf_node_push(cf_arena_t *a, cf_node_t *arr, cf_node_t *item) {
  if (!arr || arr->type != CF_NODE_ARRAY || !item) return CF_EINVAL;
  cf_node_t **items = grow_pow2(a, arr->u.items, arr->len, sizeof(cf_node_t *));
  if (!items) return CF_ENOMEM;
  arr->u.items = items;
  items[arr->len++] = item;
  return CF_OK;
}

cf_err cf_node_set(cf_arena_t *a, cf_node_t *obj, const char *key, cf_node_t *value) {
  if (!obj || obj->type != CF_NODE_OBJECT || !value) return CF_EINVAL;
  size_t n = strlen(key);
  for (uint32_t i = 0; i < obj->len; i++) {
    cf_member_t *m = &obj->u.members[i];
    if (m->key_len == n && memcmp(m->key, key, n) == 0) {
      m->value = value;
      return CF_OK;
    }
  }
  return cf__node_append_member(a, obj, key, n, value->pos, value);
}

cf_err cf__node_append_member(cf_arena_t *a, cf_node_t *obj, const char *key, size_t klen,
                              cf_pos_t kpos, cf_node_t *value) {
  if (klen > UINT32_MAX) return CF_ELIMIT;
  cf_member_t *m = grow_pow2(a, obj->u.members, obj->len, sizeof(cf_member_t));
  if (!m) return CF_ENOMEM;
  obj->u.members = m;
  char *k = cf__arena_strndup(a, key, klen);
  if (!k) return CF_ENOMEM;
  m[obj->len].key = k;
  m[obj->len].key_len = (uint32_t)klen;
  m[obj->len].key_pos = kpos;
  m[obj->len].value = value;
  obj->len++;
  return CF_OK;
}

const cf_member_t *cf_node_member(const cf_node_t *obj, const char *key) {
  if (!obj || obj->type != CF_NODE_OBJECT) return NULL;
  /* Lookups are the hottest path of adapters and rule evaluation: the first byte rules out
   * most members before a full comparison. */
  char k0 = key[0];
  for (uint32_t i = 0; i < obj->len; i++) {
    const cf_member_t *m = &obj->u.members[i];
    if (m->key[0] == k0 && strcmp(m->key, key) == 0) return m;
  }
  return NULL;
}

const cf_node_t *cf__node_get_n(const cf_node_t *obj, const char *key, size_t n) {
  if (!obj || obj->type != CF_NODE_OBJECT) return NULL;
  for (uint32_t i = 0; i < obj->len; i++) {
    const cf_member_t *m = &obj->u.members[i];
    if (m->key_len == n && memcmp(m->key, key, n) == 0) return m->value;
  }
  return NULL;
}

const cf_node_t *cf_node_get(const cf_node_t *obj, const char *key) {
  const cf_member_t *m = cf_node_member(obj, key);
  return m ? m->value : NULL;
}

const cf_node_t *cf_node_get_ci(const cf_node_t *obj, const char *key) {
  if (!obj || obj->type != CF_NODE_OBJECT) return NULL;
  for (uint32_t i = 0; i < obj->len; i++)
    if (strcasecmp(obj->u.members[i].key, key) == 0) return obj->u.members[i].value;
  return NULL;
}

const cf_node_t *cf_node_at(const cf_node_t *node, const char *dotted) {
  char key[256];
  const char *p = dotted;
  while (node && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n >= sizeof(key)) return NULL;
    memcpy(key, p, n);
    key[n] = '\0';
    node = cf_node_get(node, key);
    p += n;
    if (*p == '.') p++;
  }
  return node;
}

const char *cf_node_str(const cf_node_t *n) {
  return (n && n->type == CF_NODE_STRING) ? n->u.s : NULL;
}

bool cf_node_str_eq(const cf_node_t *n, const char *s) {
  return n && n->type == CF_NODE_STRING && strcmp(n->u.s, s) == 0;
}

int cf_node_truth(const cf_node_t *n) {
  if (!n) return -1;
  if (n->type == CF_NODE_BOOL) return n->u.b ? 1 : 0;
  if (n->type == CF_NODE_STRING) {
    if (strcasecmp(n->u.s, "true") == 0) return 1;
    if (strcasecmp(n->u.s, "false") == 0) return 0;
  }
  return -1;
}

bool cf_node_number(const cf_node_t *n, double *out) {
  if (!n) return false;
  switch (n->type) {
  case CF_NODE_INT:
    *out = (double)n->u.i;
    return true;
  case CF_NODE_FLOAT:
    *out = n->u.f;
    return true;
  case CF_NODE_STRING: {
    if (n->len == 0 || n->len > 64) return false;
    char *end = NULL;
    double v = strtod(n->u.s, &end);
    if (end == n->u.s || *end != '\0' || isnan(v)) return false;
    *out = v;
    return true;
  }
  default:
    return false;
  }
}

const char *cf_node_type_name(cf_node_type t) {
  static const char *const names[] = {"null", "bool", "int",    "float",
                                      "string", "array", "object", "unknown"};
  return (unsigned)t < CF_ARRAY_LEN(names) ? names[t] : "?";
}

cf_node_t *cf_node_copy(cf_arena_t *a, const cf_node_t *n) {
  if (!n) return NULL;
  cf_node_t *c = cf__arena_alloc(a, sizeof(*c));
  if (!c) return NULL;
  *c = *n;
  c->flags &= (uint8_t)~CF_NODE_F_SHARED;
  switch (n->type) {
  case CF_NODE_STRING:
    if (!(c->u.s = cf__arena_strndup(a, n->u.s, n->len))) return NULL;
    break;
  case CF_NODE_ARRAY: {
    if (!n->len) break;
    cf_node_t **items = cf__arena_alloc(a, cf__node_cap(n->len) * sizeof(*items));
    if (!items) return NULL;
    for (uint32_t i = 0; i < n->len; i++)
      if (!(items[i] = cf_node_copy(a, n->u.items[i]))) return NULL;
    c->u.items = items;
    break;
  }
  case CF_NODE_OBJECT: {
    if (!n->len) break;
    cf_member_t *m = cf__arena_alloc(a, cf__node_cap(n->len) * sizeof(*m));
    if (!m) return NULL;
    for (uint32_t i = 0; i < n->len; i++) {
      m[i] = n->u.members[i];
      if (!(m[i].key = cf__arena_strndup(a, n->u.members[i].key, n->u.members[i].key_len)))
        return NULL;
      if (!(m[i].value = cf_node_copy(a, n->u.members[i].value))) return NULL;
    }
    c->u.members = m;
    break;
  }
  default:
    break;
  }
  return c;
}

/* ---- JSON rendering ---- */

/* Length of the valid UTF-8 sequence starting at s[0] (2 to 4), or 0 when the bytes there
 * are not one (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_seq(const uint8_t *s, size_t n) {
  uint8_t c = s[0];
  size_t k;
  uint32_t min, cp;
  if ((c & 0xE0) == 0xC0) k = 2, cp = c & 0x1F, min = 0x80;
  else if ((c & 0xF0) == 0xE0) k = 3, cp = c & 0x0F, min = 0x800;
  else if ((c & 0xF8) == 0xF0) k = 4, cp = c & 0x07, min = 0x10000;
  else return 0;
  if (n < k) return 0;
  for (size_t i = 1; i < k; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return k;
}

cf_err cf__json_escape(cf_buf_t *b, const char *str, size_t n) {
  /* 0: copy as it is; 1: escape; 2: start of a multi-byte sequence to validate. */
  static const uint8_t cls[256] = {
      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
      0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
      2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
      2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
      2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
      2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
  static const char hex[] = "0123456789abcdef";
  const uint8_t *s = (const uint8_t *)str;
  cf_err e = cf__buf_putc(b, '"');
  size_t i = 0;
  while (!e && i < n) {
    size_t j = i;
    while (j < n && cls[s[j]] == 0) j++;
    if (j > i) {
      e = cf__buf_append(b, s + i, j - i);
      i = j;
      continue;
    }
    uint8_t c = s[i];
    if (cls[c] == 2) {
      size_t k = utf8_seq(s + i, n - i);
      if (k) {
        e = cf__buf_append(b, s + i, k);
        i += k;
      } else {
        /* Invalid UTF-8 is written as U+FFFD so that the output stays valid JSON. */
        e = cf__buf_append(b, "\\ufffd", 6);
        i++;
      }
      continue;
    }
    char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
    size_t len = 2;
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    default:
      esc[1] = 'u';
      esc[2] = '0';
      esc[3] = '0';
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      len = 6;
    }
    e = cf__buf_append(b, esc, len);
    i++;
  }
  if (!e) e = cf__buf_putc(b, '"');
  return e;
}

static cf_err render(cf_buf_t *b, const cf_node_t *n, unsigned depth) {
  if (depth > CF_LIMIT_DEPTH) return CF_ELIMIT;
  cf_err e = CF_OK;
  switch (n->type) {
  case CF_NODE_NULL:
  case CF_NODE_UNKNOWN: return cf__buf_puts(b, "null");
  case CF_NODE_BOOL: return cf__buf_puts(b, n->u.b ? "true" : "false");
  case CF_NODE_INT: return cf__buf_printf(b, "%lld", (long long)n->u.i);
  case CF_NODE_FLOAT:
    if (!isfinite(n->u.f)) return cf__buf_puts(b, "null");
    return cf__buf_printf(b, "%.17g", n->u.f);
  case CF_NODE_STRING: return cf__json_escape(b, n->u.s, n->len);
  case CF_NODE_ARRAY:
    e = cf__buf_putc(b, '[');
    for (uint32_t i = 0; !e && i < n->len; i++) {
      if (i) e = cf__buf_putc(b, ',');
      if (!e) e = render(b, n->u.items[i], depth + 1);
    }
    return e ? e : cf__buf_putc(b, ']');
  case CF_NODE_OBJECT:
    e = cf__buf_putc(b, '{');
    for (uint32_t i = 0; !e && i < n->len; i++) {
      if (i) e = cf__buf_putc(b, ',');
      if (!e) e = cf__json_escape(b, n->u.members[i].key, n->u.members[i].key_len);
      if (!e) e = cf__buf_putc(b, ':');
      if (!e) e = render(b, n->u.members[i].value, depth + 1);
    }
    return e ? e : cf__buf_putc(b, '}');
  }
  return CF_EINVAL;
}

char *cf_node_to_json(cf_arena_t *a, const cf_node_t *n, size_t max) {
  cf_buf_t b;
  cf__buf_init(&b, max);
  char *out = NULL;
  if (n && render(&b, n, 0) == CF_OK) out = cf__arena_strndup(a, b.data ? b.data : "", b.len);
  cf__buf_cleanup(&b);
  return out;
}

/* ---- documents ---- */

cf_err cf_doc_new(uint32_t file, cf_doc_t **out) {
  *out = NULL;
  cf_arena_t *a = cf__arena_new(0);
  if (!a) return CF_ENOMEM;
  cf_doc_t *d = cf__arena_zalloc(a, sizeof(*d));
  if (!d) {
    cf__arena_free(a);
    return CF_ENOMEM;
  }
  d->arena = a;
  d->file = file;
  *out = d;
  return CF_OK;
}

void cf_doc_free(cf_doc_t *doc) {
  if (doc) cf__arena_free(doc->arena); /* the doc itself lives in its arena */
}

static bool looks_like_json(const char *buf, size_t len) {
  size_t i = 0;
  /* A UTF-8 byte order mark is allowed before either format. */
  if (len >= 3 && (uint8_t)buf[0] == 0xEF && (uint8_t)buf[1] == 0xBB && (uint8_t)buf[2] == 0xBF) i = 3;
  for (; i < len; i++) {
    char c = buf[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' || c == '[';
  }
  return false;
}

cf_err cf_doc_parse(const cf_ctx_t *ctx, const char *buf, size_t len, const cf_doc_opts_t *opts,
                    cf_doc_t **out, cf_diag_t *diag) {
  *out = NULL;
  cf_doc_opts_t def = {CF_DOC_AUTO, 0, NULL, false};
  if (!opts) opts = &def;
  const cf_limits_t *lim = cf__limits(ctx);
  const char *name = opts->name ? opts->name : "<input>";
  if (len > lim->max_file_size)
    return cf_diag_set(diag, CF_ELIMIT, name, 0, 0,
                       "document is %zu bytes, larger than the limit of %llu", len,
                       (unsigned long long)lim->max_file_size);
  cf_doc_format fmt = opts->format;
  if (fmt == CF_DOC_AUTO) fmt = looks_like_json(buf, len) ? CF_DOC_JSON : CF_DOC_YAML;
  if (fmt == CF_DOC_JSON) {
    /* A JSON document that fails to parse as JSON is reported as such; YAML is a superset
     * of JSON, but falling back would hide the real error behind a confusing YAML one. */
    return cf__doc_parse_json(ctx, buf, len, opts, out, diag);
  }
  return cf__doc_parse_yaml(ctx, buf, len, opts, out, diag);
}
