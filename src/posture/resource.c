/*
 * resource.c - helpers adapters share: making resources and attribute values, string lists,
 * embedded JSON, URL decoding and warnings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "doc/doc_internal.h"
#include "model.h"

cf_resource_t *cf__res_new(cf_adapt_ctx_t *ac, const char *type, const char *address,
                           cf_pos_t pos) {
  cf_resource_t *r = cf__arena_zalloc(ac->arena, sizeof(*r));
  if (!r) return NULL;
  r->type = type;
  r->address = address ? cf__arena_strdup(ac->arena, address) : NULL;
  r->pos = pos;
  r->source = ac->source;
  r->attrs = cf_node_new_object(ac->arena, pos);
  if ((address && !r->address) || !r->attrs) return NULL;
  return r;
}

cf_err cf__res_add_id(cf_adapt_ctx_t *ac, cf_resource_t *r, const char *id) {
  if (!id || !*id) return CF_OK;
  for (uint32_t i = 0; i < r->n_ids; i++)
    if (strcmp(r->ids[i], id) == 0) return CF_OK;
  if (r->n_ids == r->cap_ids) {
    uint32_t nc = r->cap_ids ? r->cap_ids * 2 : 4;
    const char **n = cf__arena_alloc(ac->arena, nc * sizeof(char *));
    if (!n) return CF_ENOMEM;
    if (r->n_ids) memcpy(n, r->ids, r->n_ids * sizeof(char *));
    r->ids = n;
    r->cap_ids = nc;
  }
  const char *c = cf__arena_strdup(ac->arena, id);
  if (!c) return CF_ENOMEM;
  r->ids[r->n_ids++] = c;
  return CF_OK;
}

cf_err cf__res_suppress(cf_adapt_ctx_t *ac, cf_resource_t *r, const char *rule,
                        const char *reason, cf_suppression kind) {
  cf_res_suppress_t *s = cf__arena_zalloc(ac->arena, sizeof(*s));
  if (!s) return CF_ENOMEM;
  s->rule = cf__arena_strdup(ac->arena, rule);
  s->reason = reason ? cf__arena_strdup(ac->arena, reason) : NULL;
  s->kind = kind;
  if (!s->rule || (reason && !s->reason)) return CF_ENOMEM;
  s->next = r->suppress;
  r->suppress = s;
  return CF_OK;
}

cf_err cf__res_set(cf_adapt_ctx_t *ac, cf_resource_t *r, const char *key, cf_node_t *value) {
  if (!value) return CF_ENOMEM;
  return cf_node_set(ac->arena, r->attrs, key, value);
}

cf_err cf__obj_set_path(cf_arena_t *a, cf_node_t *obj, const char *dotted, cf_node_t *value,
                        cf_pos_t pos) {
  if (!value) return CF_ENOMEM;
  char key[128];
  const char *p = dotted;
  for (;;) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n == 0 || n >= sizeof key) return CF_EINVAL;
    memcpy(key, p, n);
    key[n] = '\0';
    if (!dot) return cf_node_set(a, obj, key, value);
    cf_node_t *next = (cf_node_t *)cf_node_get(obj, key);
    if (!next || next->type != CF_NODE_OBJECT) {
      next = cf_node_new_object(a, pos);
      if (!next) return CF_ENOMEM;
      cf_err e = cf_node_set(a, obj, key, next);
      if (e) return e;
    }
    obj = next;
    p = dot + 1;
  }
}

void cf__adapt_warn(cf_adapt_ctx_t *ac, cf_pos_t pos, const char *fmt, ...) {
  if (!ac->errors) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  (void)cf_diags_add(ac->errors, CF_EPARSE, ac->path, pos.line, pos.column, "%s", msg);
}

cf_node_t *cf__n_str(cf_adapt_ctx_t *ac, const char *s, cf_pos_t pos) {
  return s ? cf_node_new_cstr(ac->arena, s, pos) : NULL;
}
cf_node_t *cf__n_bool(cf_adapt_ctx_t *ac, bool b, cf_pos_t pos) { return cf_node_new_bool(ac->arena, b, pos); }
cf_node_t *cf__n_int(cf_adapt_ctx_t *ac, int64_t i, cf_pos_t pos) { return cf_node_new_int(ac->arena, i, pos); }
cf_node_t *cf__n_unknown(cf_adapt_ctx_t *ac, cf_pos_t pos) { return cf_node_new(ac->arena, CF_NODE_UNKNOWN, pos); }
cf_node_t *cf__n_obj(cf_adapt_ctx_t *ac, cf_pos_t pos) { return cf_node_new_object(ac->arena, pos); }
cf_node_t *cf__n_arr(cf_adapt_ctx_t *ac, cf_pos_t pos) { return cf_node_new_array(ac->arena, pos); }
cf_node_t *cf__n_copy(cf_adapt_ctx_t *ac, const cf_node_t *n) { return cf_node_copy(ac->arena, n); }

cf_node_t *cf__n_strlist(cf_adapt_ctx_t *ac, const cf_node_t *n) {
  if (!n) return NULL;
  if (n->type == CF_NODE_UNKNOWN) return cf__n_unknown(ac, n->pos);
  cf_node_t *arr = cf__n_arr(ac, n->pos);
  if (!arr) return NULL;
  if (n->type == CF_NODE_ARRAY) {
    for (uint32_t i = 0; i < n->len; i++) {
      const cf_node_t *it = n->u.items[i];
      cf_node_t *c = NULL;
      if (it->type == CF_NODE_STRING || it->type == CF_NODE_UNKNOWN) c = cf__n_copy(ac, it);
      else if (it->type == CF_NODE_OBJECT) c = cf__n_unknown(ac, it->pos); /* an intrinsic function */
      if (c && cf_node_push(ac->arena, arr, c)) return NULL;
    }
  } else if (n->type == CF_NODE_STRING) {
    cf_node_t *c = cf__n_copy(ac, n);
    if (!c || cf_node_push(ac->arena, arr, c)) return NULL;
  } else if (n->type == CF_NODE_OBJECT) {
    cf_node_t *c = cf__n_unknown(ac, n->pos);
    if (!c || cf_node_push(ac->arena, arr, c)) return NULL;
  }
  return arr;
}

cf_node_t *cf__parse_inner_json(cf_adapt_ctx_t *ac, const char *text, size_t len, cf_pos_t pos) {
  if (len > CF_LIMIT_INNER_JSON) {
    cf__adapt_warn(ac, pos, "embedded JSON larger than %llu bytes", (unsigned long long)CF_LIMIT_INNER_JSON);
    return NULL;
  }
  cf_node_t *out = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__json_parse_into(ac->ctx, ac->arena, text, len, ac->file, ac->path, true, pos, &out, &d);
  if (e) {
    cf__adapt_warn(ac, pos, "embedded JSON: %s", d.message ? d.message : cf_strerror(e));
    cf_diag_cleanup(&d);
    return NULL;
  }
  cf_diag_cleanup(&d);
  return out;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char *cf__url_decode(cf_arena_t *a, const char *s, size_t n, bool plus_space) {
  char *out = cf__arena_alloc(a, n + 1);
  if (!out) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else if (plus_space && s[i] == '+') {
      out[k++] = ' ';
    } else {
      out[k++] = s[i];
    }
  }
  out[k] = '\0';
  return out;
}

const char *cf__fw_protocol(const cf_node_t *proto, char *buf, size_t n) {
  static const struct {
    const char *in, *name;
  } m[] = {{"6", "tcp"}, {"17", "udp"}, {"1", "icmp"}, {"58", "icmpv6"}, {"all", "-1"}, {"-1", "-1"}};
  char num[32];
  const char *p = cf_node_str(proto);
  double d;
  if (!p && cf_node_number(proto, &d)) {
    /* Converting a number outside long long's range (.inf, 1e300) would be undefined. */
    if (d > -9.0e18 && d < 9.0e18) snprintf(num, sizeof num, "%lld", (long long)d);
    else snprintf(num, sizeof num, "%g", d);
    p = num;
  }
  if (!p || n == 0) return NULL;
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
    if (strcasecmp(m[i].in, p) == 0) return m[i].name;
  size_t i = 0;
  for (; p[i] && i + 1 < n; i++) buf[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
  buf[i] = '\0';
  return buf;
}

static int b64_value(unsigned char ch) {
  if (ch >= 'A' && ch <= 'Z') return ch - 'A';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9') return ch - '0' + 52;
  if (ch == '+' || ch == '-') return 62;
  if (ch == '/' || ch == '_') return 63;
  return -1;
}

cf_err cf__base64_decode(cf_arena_t *a, const char *s, size_t n, char **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  char *buf = cf__arena_alloc(a, n / 4 * 3 + 4);
  if (!buf) return CF_ENOMEM;
  uint32_t acc = 0;
  int bits = 0;
  size_t k = 0;
  bool padding = false;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
    if (ch == '=') {
      padding = true;
      continue;
    }
    int v = b64_value(ch);
    if (v < 0 || padding) return CF_EINVAL; /* not base64, or data after the padding */
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      buf[k++] = (char)((acc >> bits) & 0xFF);
    }
  }
  if (bits >= 6) return CF_EINVAL; /* a single leftover character cannot be base64 */
  buf[k] = '\0';
  *out = buf;
  *out_len = k;
  return CF_OK;
}
