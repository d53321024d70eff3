/*
 * hcl_eval.c - evaluates HCL expressions (hcl.h) into values: the part of Terraform's
 * language a posture scan needs to know what a resource's attributes will be without a plan.
 *
 * Values are cf_node_t trees, the same model every other source produces, so that the
 * Terraform plan adapter can read them: strings, numbers (CF_NODE_INT when integral and in
 * range, else CF_NODE_FLOAT), booleans, null, lists/sets/tuples as arrays, maps/objects as
 * objects. Whatever cannot be known statically (a resource's id, a function that reads the
 * clock, a variable with no value) is CF_NODE_UNKNOWN, and unknowns propagate: an operator,
 * a template or a function call with an unknown operand is unknown, except where the answer
 * does not depend on it (`false && x`, `true || x`, a conditional whose branches agree).
 * Rules then decide what an unknown means (--unknown).
 *
 * jsonencode() of a value that holds unknowns cannot be text; it returns the value itself, so
 * that a policy written with jsonencode and an unknown ARN is still read as a policy, with
 * the unknown where the ARN is.
 *
 * Errors (a missing attribute, an index out of range, a type that does not fit) set
 * ev->failed and return NULL; try() and can() catch them. Functions the scan does not
 * implement give an unknown, never an error, so that nothing is guessed.
 *
 * Limits: nesting of evaluation stops at HCL_MAX_DEPTH; collections built by `for`, range()
 * and friends at 100,000 elements; file() and templatefile() read files of at most 4 MiB and
 * only inside the scan root.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doc/doc_internal.h"
#include "hcl.h"

#define MAX_COLLECTION 100000u
#define MAX_FILE (4u << 20)

static const cf_node_t *fail(hcl_ev_t *ev, cf_pos_t pos, const char *fmt, ...) CF_PRINTF(3, 4);
static const cf_node_t *fail(hcl_ev_t *ev, cf_pos_t pos, const char *fmt, ...) {
  if (!ev->failed) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev->why, sizeof ev->why, fmt, ap);
    va_end(ap);
    ev->why_pos = pos;
  }
  ev->failed = true;
  return NULL;
}

static const cf_node_t *nomem(hcl_ev_t *ev) {
  ev->oom = true;
  ev->failed = true;
  snprintf(ev->why, sizeof ev->why, "out of memory");
  return NULL;
}

static cf_node_t *unknown(hcl_ev_t *ev, cf_pos_t pos) {
  cf_node_t *n = cf_node_new(ev->a, CF_NODE_UNKNOWN, pos);
  if (!n) nomem(ev);
  return n;
}

static bool is_unknown(const cf_node_t *v) { return v && v->type == CF_NODE_UNKNOWN; }
static bool is_num(const cf_node_t *v) { return v && (v->type == CF_NODE_INT || v->type == CF_NODE_FLOAT); }
static bool is_coll(const cf_node_t *v) { return v && (v->type == CF_NODE_ARRAY || v->type == CF_NODE_OBJECT); }

bool cf__hcl_has_unknown(const cf_node_t *v, unsigned depth) {
  if (!v || depth > HCL_MAX_DEPTH) return false;
  if (v->type == CF_NODE_UNKNOWN) return true;
  if (v->type == CF_NODE_ARRAY)
    for (uint32_t i = 0; i < v->len; i++)
      if (cf__hcl_has_unknown(v->u.items[i], depth + 1)) return true;
  if (v->type == CF_NODE_OBJECT)
    for (uint32_t i = 0; i < v->len; i++)
      if (cf__hcl_has_unknown(v->u.members[i].value, depth + 1)) return true;
  return false;
}

static double num_of(const cf_node_t *v) { return v->type == CF_NODE_INT ? (double)v->u.i : v->u.f; }

static cf_node_t *num(hcl_ev_t *ev, double d, cf_pos_t pos) {
  cf_node_t *n;
  if (d == floor(d) && fabs(d) < 9.0e15) n = cf_node_new_int(ev->a, (int64_t)d, pos);
  else n = cf_node_new_float(ev->a, d, pos);
  if (!n) nomem(ev);
  return n;
}

static cf_node_t *str(hcl_ev_t *ev, const char *s, size_t n, cf_pos_t pos) {
  cf_node_t *v = cf_node_new_str(ev->a, s, n, pos);
  if (!v) nomem(ev);
  return v;
}

static cf_node_t *boolean(hcl_ev_t *ev, bool b, cf_pos_t pos) {
  cf_node_t *v = cf_node_new_bool(ev->a, b, pos);
  if (!v) nomem(ev);
  return v;
}

static cf_node_t *new_arr(hcl_ev_t *ev, cf_pos_t pos) {
  cf_node_t *v = cf_node_new_array(ev->a, pos);
  if (!v) nomem(ev);
  return v;
}

static cf_node_t *new_obj(hcl_ev_t *ev, cf_pos_t pos) {
  cf_node_t *v = cf_node_new_object(ev->a, pos);
  if (!v) nomem(ev);
  return v;
}

static bool push(hcl_ev_t *ev, cf_node_t *arr, const cf_node_t *item) {
  if (arr->len >= MAX_COLLECTION) {
    fail(ev, arr->pos, "a collection of more than %u elements", MAX_COLLECTION);
    return false;
  }
  if (cf_node_push(ev->a, arr, (cf_node_t *)item)) return nomem(ev), false;
  return true;
}

/* Sets key in obj, replacing an earlier value (object constructors and merge()). */
static bool put(hcl_ev_t *ev, cf_node_t *obj, const char *key, const cf_node_t *v) {
  if (obj->len >= MAX_COLLECTION) {
    fail(ev, obj->pos, "an object of more than %u attributes", MAX_COLLECTION);
    return false;
  }
  if (cf_node_set(ev->a, obj, key, (cf_node_t *)v)) return nomem(ev), false;
  return true;
}

/* ---- conversions ---- */

static void fmt_num(char *b, size_t n, const cf_node_t *v) {
  if (v->type == CF_NODE_INT) {
    snprintf(b, n, "%lld", (long long)v->u.i);
    return;
  }
  double d = v->u.f;
  if (d == floor(d) && fabs(d) < 1e17) snprintf(b, n, "%.0f", d);
  else snprintf(b, n, "%.15g", d);
}

const char *cf__hcl_to_string(hcl_ev_t *ev, const cf_node_t *v) {
  char b[64];
  if (!v) return NULL;
  switch (v->type) {
  case CF_NODE_STRING: return v->u.s;
  case CF_NODE_BOOL: return v->u.b ? "true" : "false";
  case CF_NODE_INT:
  case CF_NODE_FLOAT: {
    fmt_num(b, sizeof b, v);
    char *s = cf__arena_strdup(ev->a, b);
    if (!s) nomem(ev);
    return s;
  }
  default: return NULL;
  }
}

/* A number from a number or a numeric string. */
static bool to_num(const cf_node_t *v, double *out) {
  if (is_num(v)) {
    *out = num_of(v);
    return true;
  }
  if (v && v->type == CF_NODE_STRING && v->len) {
    char *e = NULL;
    errno = 0;
    double d = strtod(v->u.s, &e);
    if (!errno && e && !*e && isfinite(d)) {
      *out = d;
      return true;
    }
  }
  return false;
}

/* A boolean from a boolean or the strings "true" and "false". */
static int to_bool(const cf_node_t *v) {
  if (!v) return -1;
  if (v->type == CF_NODE_BOOL) return v->u.b;
  if (v->type == CF_NODE_STRING) {
    if (!strcmp(v->u.s, "true")) return 1;
    if (!strcmp(v->u.s, "false")) return 0;
  }
  return -1;
}

/* Deep equality; -1 when it depends on an unknown. */
static int equal(const cf_node_t *a, const cf_node_t *b, unsigned depth) {
  if (is_unknown(a) || is_unknown(b)) return -1;
  if (depth > HCL_MAX_DEPTH) return -1;
  if (is_num(a) && is_num(b)) return num_of(a) == num_of(b);
  if (a->type != b->type) return 0;
  switch (a->type) {
  case CF_NODE_NULL: return 1;
  case CF_NODE_BOOL: return a->u.b == b->u.b;
  case CF_NODE_STRING: return a->len == b->len && memcmp(a->u.s, b->u.s, a->len) == 0;
  case CF_NODE_ARRAY: {
    if (a->len != b->len) return 0;
    int r = 1;
    for (uint32_t i = 0; i < a->len; i++) {
      int e = equal(a->u.items[i], b->u.items[i], depth + 1);
      if (e == 0) return 0;
      if (e < 0) r = -1;
    }
    return r;
  }
  case CF_NODE_OBJECT: {
    if (a->len != b->len) return 0;
    int r = 1;
    for (uint32_t i = 0; i < a->len; i++) {
      const cf_node_t *bv = cf_node_get(b, a->u.members[i].key);
      if (!bv) return 0;
      int e = equal(a->u.members[i].value, bv, depth + 1);
      if (e == 0) return 0;
      if (e < 0) r = -1;
    }
    return r;
  }
  default: return 0;
  }
}

/* ---- JSON ---- */

/* Writes v as JSON. Returns CF_OK, CF_ENOMEM, or CF_ELIMIT (too deep, or longer than the
 * buffer's cap). */
#define TRY(x)                    \
  do {                            \
    cf_err try_e_ = (x);          \
    if (try_e_) return try_e_;    \
  } while (0)

static cf_err json_out(cf_buf_t *b, const cf_node_t *v, unsigned depth) {
  if (depth > HCL_MAX_DEPTH) return CF_ELIMIT;
  char t[64];
  switch (v ? v->type : CF_NODE_NULL) {
  case CF_NODE_NULL: return cf__buf_puts(b, "null");
  case CF_NODE_BOOL: return cf__buf_puts(b, v->u.b ? "true" : "false");
  case CF_NODE_INT:
  case CF_NODE_FLOAT:
    fmt_num(t, sizeof t, v);
    return cf__buf_puts(b, t);
  case CF_NODE_STRING: {
    TRY(cf__buf_putc(b, '"'));
    for (uint32_t i = 0; i < v->len; i++) {
      unsigned char c = (unsigned char)v->u.s[i];
      if (c == '"' || c == '\\') {
        TRY(cf__buf_putc(b, '\\'));
        TRY(cf__buf_putc(b, (char)c));
      } else if (c == '\n') {
        TRY(cf__buf_puts(b, "\\n"));
      } else if (c == '\r') {
        TRY(cf__buf_puts(b, "\\r"));
      } else if (c == '\t') {
        TRY(cf__buf_puts(b, "\\t"));
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        /* As Terraform's jsonencode: HTML-significant characters escaped too. */
        TRY(cf__buf_printf(b, "\\u%04x", c));
      } else {
        TRY(cf__buf_putc(b, (char)c));
      }
    }
    return cf__buf_putc(b, '"');
  }
  case CF_NODE_ARRAY:
    TRY(cf__buf_putc(b, '['));
    for (uint32_t i = 0; i < v->len; i++) {
      if (i) TRY(cf__buf_putc(b, ','));
      TRY(json_out(b, v->u.items[i], depth + 1));
    }
    return cf__buf_putc(b, ']');
  case CF_NODE_OBJECT: {
    /* Terraform writes object keys in lexical order. */
    uint32_t n = v->len;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) return CF_ENOMEM;
    for (uint32_t i = 0; i < n; i++) order[i] = i;
    for (uint32_t i = 1; i < n; i++)
      for (uint32_t j = i; j > 0 && strcmp(v->u.members[order[j - 1]].key, v->u.members[order[j]].key) > 0; j--) {
        uint32_t x = order[j];
        order[j] = order[j - 1];
        order[j - 1] = x;
      }
    cf_err e = cf__buf_putc(b, '{');
    for (uint32_t k = 0; !e && k < n; k++) {
      const cf_member_t *m = &v->u.members[order[k]];
      cf_node_t key = {.type = CF_NODE_STRING, .len = m->key_len, .u.s = m->key};
      if (k) e = cf__buf_putc(b, ',');
      if (!e) e = json_out(b, &key, depth + 1);
      if (!e) e = cf__buf_putc(b, ':');
      if (!e) e = json_out(b, m->value, depth + 1);
    }
    free(order);
    return e ? e : cf__buf_putc(b, '}');
  }
  default: return CF_EINVAL;
  }
}

/* A failed write into a buffer: out of memory, or a value over the limits. */
static const cf_node_t *buf_failed(hcl_ev_t *ev, cf_err e, cf_pos_t pos, const char *what) {
  if (e == CF_ENOMEM) return nomem(ev);
  return fail(ev, pos, "%s: the value is too large or nested too deep", what);
}

/* ---- traversal ---- */

static const cf_node_t *get_attr(hcl_ev_t *ev, const cf_node_t *v, const char *name, cf_pos_t pos) {
  if (is_unknown(v)) return v;
  if (!v || v->type == CF_NODE_NULL) return fail(ev, pos, "attribute '%s' of a null value", name);
  if (v->type != CF_NODE_OBJECT) return fail(ev, pos, "attribute '%s' of a %s, which has none", name, cf_node_type_name((cf_node_type)v->type));
  const cf_node_t *m = cf_node_get(v, name);
  if (!m && (v->flags & HCL_NODE_OPEN)) return unknown(ev, pos);
  if (!m) return fail(ev, pos, "no attribute '%s'", name);
  return m;
}

static const cf_node_t *index_of(hcl_ev_t *ev, const cf_node_t *v, const cf_node_t *k, cf_pos_t pos) {
  if (is_unknown(v)) return v;
  if (is_unknown(k)) return unknown(ev, pos);
  if (!v || v->type == CF_NODE_NULL) return fail(ev, pos, "index into a null value");
  if (v->type == CF_NODE_ARRAY) {
    double d;
    if (!to_num(k, &d) || d != floor(d)) return fail(ev, pos, "a list index must be a whole number");
    if (d < 0 || d >= v->len) return fail(ev, pos, "index %.0f out of range (the list has %u elements)", d, v->len);
    return v->u.items[(uint32_t)d];
  }
  if (v->type == CF_NODE_OBJECT) {
    const char *key = cf__hcl_to_string(ev, k);
    if (!key) return fail(ev, pos, "a map key must be a string");
    const cf_node_t *m = cf_node_get(v, key);
    if (!m) return fail(ev, pos, "no element '%s'", key);
    return m;
  }
  return fail(ev, pos, "index into a %s", cf_node_type_name((cf_node_type)v->type));
}

static const cf_node_t *lookup_var(hcl_ev_t *ev, const char *name) {
  for (const hcl_scope_t *s = ev->scope; s; s = s->up)
    if (!strcmp(s->name, name)) return s->value;
  return NULL;
}

/* The root of a traversal chain and its value, consuming attribute steps the lookup
 * callback takes. chain[0] is the VAR; chain[1..] the steps outward. */
static const cf_node_t *eval_chain(hcl_ev_t *ev, const hcl_expr_t *e) {
  const hcl_expr_t *chain[64];
  size_t n = 0;
  for (const hcl_expr_t *x = e; x; x = x->a) {
    if (n == 64) return fail(ev, e->pos, "traversal too long");
    chain[n++] = x;
    if (x->kind != HCL_E_GETATTR && x->kind != HCL_E_INDEX) break;
  }
  /* chain[n-1] is the innermost expression: a VAR, or anything else. */
  const hcl_expr_t *root = chain[n - 1];
  const cf_node_t *v;
  size_t step = n - 1; /* chain[step] has been applied */
  if (root->kind == HCL_E_VAR && !lookup_var(ev, root->name)) {
    const char *a1 = step >= 1 && chain[step - 1]->kind == HCL_E_GETATTR ? chain[step - 1]->name : NULL;
    const char *a2 = a1 && step >= 2 && chain[step - 2]->kind == HCL_E_GETATTR ? chain[step - 2]->name : NULL;
    unsigned used = 0;
    v = ev->lookup ? ev->lookup(ev->ud, root->name, a1, a2, &used, root->pos) : NULL;
    if (ev->oom) return NULL;
    if (!v) return ev->failed ? NULL : fail(ev, root->pos, "unknown name '%s'", root->name);
    step -= used;
  } else {
    v = cf__hcl_eval(ev, root);
    if (!v) return NULL;
  }
  while (step > 0) {
    const hcl_expr_t *x = chain[--step];
    if (x->kind == HCL_E_GETATTR) {
      v = get_attr(ev, v, x->name, x->pos);
    } else {
      const cf_node_t *k = cf__hcl_eval(ev, x->b);
      if (!k) return NULL;
      v = index_of(ev, v, k, x->pos);
    }
    if (!v) return NULL;
  }
  return v;
}

static const cf_node_t *eval_splat(hcl_ev_t *ev, const hcl_expr_t *e) {
  const cf_node_t *src = cf__hcl_eval(ev, e->a);
  if (!src) return NULL;
  if (is_unknown(src)) return src;
  cf_node_t *out = new_arr(ev, e->pos);
  if (!out) return NULL;
  if (src->type == CF_NODE_NULL) return out;
  const cf_node_t *saved = ev->splat_item;
  if (src->type != CF_NODE_ARRAY) {
    /* A single value is treated as a list of one. */
    ev->splat_item = src;
    const cf_node_t *r = cf__hcl_eval(ev, e->b);
    ev->splat_item = saved;
    return r && push(ev, out, r) ? out : NULL;
  }
  for (uint32_t i = 0; i < src->len; i++) {
    ev->splat_item = src->u.items[i];
    const cf_node_t *r = cf__hcl_eval(ev, e->b);
    ev->splat_item = saved;
    if (!r || !push(ev, out, r)) return NULL;
  }
  return out;
}

/* Binds the variables of a `for` expression or directive x to element i of coll: with two
 * names, the first is the index or key and the second the value; with one, the value. sk and
 * sv are the caller's storage; ev->scope is set (the caller restores it). */
static bool bind_element(hcl_ev_t *ev, const hcl_expr_t *x, const cf_node_t *coll, uint32_t i, hcl_scope_t *sk,
                         hcl_scope_t *sv) {
  const cf_node_t *key, *val;
  if (coll->type == CF_NODE_ARRAY) {
    key = num(ev, i, coll->pos);
    val = coll->u.items[i];
  } else {
    key = str(ev, coll->u.members[i].key, coll->u.members[i].key_len, coll->u.members[i].key_pos);
    val = coll->u.members[i].value;
  }
  if (!key) return false;
  if (x->name2) {
    *sk = (hcl_scope_t){x->name, key, ev->scope};
    *sv = (hcl_scope_t){x->name2, val, sk};
  } else {
    *sv = (hcl_scope_t){x->name, val, ev->scope};
  }
  ev->scope = sv;
  return true;
}

/* ---- templates ---- */

static const cf_node_t *eval_template(hcl_ev_t *ev, const hcl_expr_t *e);

static bool template_part(hcl_ev_t *ev, cf_buf_t *b, const hcl_expr_t *x, bool *unk) {
  if (x->kind == HCL_E_TIF) {
    const cf_node_t *c = cf__hcl_eval(ev, x->a);
    if (!c) return false;
    if (is_unknown(c)) {
      *unk = true;
      return true;
    }
    int t = to_bool(c);
    if (t < 0) return fail(ev, x->a->pos, "a template condition must be a boolean"), false;
    const hcl_expr_t *part = t ? x->b : x->c;
    if (!part) return true;
    const cf_node_t *v = eval_template(ev, part);
    if (!v) return false;
    if (is_unknown(v)) *unk = true;
    else if (cf__buf_puts(b, cf__hcl_to_string(ev, v) ? cf__hcl_to_string(ev, v) : "")) return nomem(ev), false;
    return true;
  }
  if (x->kind == HCL_E_TFOR) {
    const cf_node_t *coll = cf__hcl_eval(ev, x->a);
    if (!coll) return false;
    if (is_unknown(coll)) {
      *unk = true;
      return true;
    }
    if (!is_coll(coll)) return fail(ev, x->a->pos, "a template for directive needs a collection"), false;
    for (uint32_t i = 0; i < coll->len; i++) {
      hcl_scope_t sk, sv;
      const hcl_scope_t *saved = ev->scope;
      if (!bind_element(ev, x, coll, i, &sk, &sv)) return false;
      const cf_node_t *v = eval_template(ev, x->b);
      ev->scope = saved;
      if (!v) return false;
      if (is_unknown(v)) *unk = true;
      else if (cf__buf_puts(b, cf__hcl_to_string(ev, v) ? cf__hcl_to_string(ev, v) : "")) return nomem(ev), false;
    }
    return true;
  }
  const cf_node_t *v = cf__hcl_eval(ev, x);
  if (!v) return false;
  if (is_unknown(v)) {
    *unk = true;
    return true;
  }
  if (v->type == CF_NODE_NULL) return fail(ev, x->pos, "a null value in a template"), false;
  const char *s = cf__hcl_to_string(ev, v);
  if (!s) return fail(ev, x->pos, "a %s cannot be inserted into a string", cf_node_type_name((cf_node_type)v->type)), false;
  if (cf__buf_append(b, s, v->type == CF_NODE_STRING ? v->len : strlen(s))) return nomem(ev), false;
  return true;
}

static const cf_node_t *eval_template(hcl_ev_t *ev, const hcl_expr_t *e) {
  if (e->kind != HCL_E_TEMPLATE) {
    if (e->kind == HCL_E_TIF || e->kind == HCL_E_TFOR) {
      cf_buf_t b;
      cf__buf_init(&b, 64u << 20);
      bool unk = false;
      bool ok = template_part(ev, &b, e, &unk);
      const cf_node_t *r = !ok ? NULL : unk ? unknown(ev, e->pos) : str(ev, b.data ? b.data : "", b.len, e->pos);
      cf__buf_cleanup(&b);
      return r;
    }
    return cf__hcl_eval(ev, e);
  }
  /* One interpolation and nothing else: the value itself, of whatever type. */
  if (e->n_items == 1 && e->items[0]->kind != HCL_E_LITERAL && e->items[0]->kind != HCL_E_TIF &&
      e->items[0]->kind != HCL_E_TFOR)
    return cf__hcl_eval(ev, e->items[0]);
  cf_buf_t b;
  cf__buf_init(&b, 64u << 20);
  bool unk = false, ok = true;
  for (uint32_t i = 0; ok && i < e->n_items; i++) ok = template_part(ev, &b, e->items[i], &unk);
  const cf_node_t *r = !ok ? NULL : unk ? unknown(ev, e->pos) : str(ev, b.data ? b.data : "", b.len, e->pos);
  cf__buf_cleanup(&b);
  return r;
}

/* ---- operators ---- */

static const cf_node_t *eval_binary(hcl_ev_t *ev, const hcl_expr_t *e) {
  const cf_node_t *l = cf__hcl_eval(ev, e->a);
  if (!l) return NULL;
  if (e->op == HCL_OP_AND || e->op == HCL_OP_OR) {
    int lb = is_unknown(l) ? -1 : to_bool(l);
    if (!is_unknown(l) && lb < 0) return fail(ev, e->a->pos, "the operands of %s must be booleans", e->op == HCL_OP_AND ? "&&" : "||");
    if (lb == (e->op == HCL_OP_OR)) return boolean(ev, lb, e->pos); /* decided by the left */
    const cf_node_t *r = cf__hcl_eval(ev, e->b);
    if (!r) return NULL;
    int rb = is_unknown(r) ? -1 : to_bool(r);
    if (!is_unknown(r) && rb < 0) return fail(ev, e->b->pos, "the operands of %s must be booleans", e->op == HCL_OP_AND ? "&&" : "||");
    if (rb == (e->op == HCL_OP_OR)) return boolean(ev, rb, e->pos);
    if (lb < 0 || rb < 0) return unknown(ev, e->pos);
    return boolean(ev, e->op == HCL_OP_AND ? lb && rb : lb || rb, e->pos);
  }
  const cf_node_t *r = cf__hcl_eval(ev, e->b);
  if (!r) return NULL;
  if (e->op == HCL_OP_EQ || e->op == HCL_OP_NE) {
    int q = equal(l, r, 0);
    if (q < 0) return unknown(ev, e->pos);
    return boolean(ev, e->op == HCL_OP_EQ ? q : !q, e->pos);
  }
  if (is_unknown(l) || is_unknown(r)) return unknown(ev, e->pos);
  double a, b;
  if (!to_num(l, &a) || !to_num(r, &b)) return fail(ev, e->pos, "arithmetic and comparison need numbers");
  switch (e->op) {
  case HCL_OP_ADD: return num(ev, a + b, e->pos);
  case HCL_OP_SUB: return num(ev, a - b, e->pos);
  case HCL_OP_MUL: return num(ev, a * b, e->pos);
  case HCL_OP_DIV:
    if (b == 0) return fail(ev, e->pos, "division by zero");
    return num(ev, a / b, e->pos);
  case HCL_OP_MOD:
    if (b == 0) return fail(ev, e->pos, "modulo by zero");
    return num(ev, fmod(a, b), e->pos);
  case HCL_OP_LT: return boolean(ev, a < b, e->pos);
  case HCL_OP_LE: return boolean(ev, a <= b, e->pos);
  case HCL_OP_GT: return boolean(ev, a > b, e->pos);
  case HCL_OP_GE: return boolean(ev, a >= b, e->pos);
  default: return fail(ev, e->pos, "unknown operator");
  }
}

static const cf_node_t *eval_for(hcl_ev_t *ev, const hcl_expr_t *e) {
  const cf_node_t *coll = cf__hcl_eval(ev, e->a);
  if (!coll) return NULL;
  if (is_unknown(coll)) return unknown(ev, e->pos);
  if (!is_coll(coll)) return fail(ev, e->a->pos, "a for expression needs a list, set, map or object");
  bool object = e->flags & HCL_F_OBJECT;
  cf_node_t *out = object ? new_obj(ev, e->pos) : new_arr(ev, e->pos);
  if (!out) return NULL;
  for (uint32_t i = 0; i < coll->len; i++) {
    hcl_scope_t sk, sv;
    const hcl_scope_t *saved = ev->scope;
    if (!bind_element(ev, e, coll, i, &sk, &sv)) return NULL;
    const cf_node_t *r = NULL, *k = NULL;
    bool keep = true;
    if (e->d) {
      const cf_node_t *c = cf__hcl_eval(ev, e->d);
      if (!c) goto fail;
      if (is_unknown(c)) {
        ev->scope = saved;
        return unknown(ev, e->pos);
      }
      int t = to_bool(c);
      if (t < 0) {
        fail(ev, e->d->pos, "a for expression's condition must be a boolean");
        goto fail;
      }
      keep = t;
    }
    if (keep) {
      if (object && !(k = cf__hcl_eval(ev, e->b))) goto fail;
      if (!(r = cf__hcl_eval(ev, e->c))) goto fail;
    }
    ev->scope = saved;
    if (!keep) continue;
    if (!object) {
      if (!push(ev, out, r)) return NULL;
      continue;
    }
    if (is_unknown(k)) return unknown(ev, e->pos);
    const char *ks = cf__hcl_to_string(ev, k);
    if (!ks) return fail(ev, e->b->pos, "an object key must be a string");
    if (e->flags & HCL_F_GROUP) {
      cf_node_t *g = (cf_node_t *)cf_node_get(out, ks);
      if (!g) {
        if (!(g = new_arr(ev, r->pos)) || !put(ev, out, ks, g)) return NULL;
      }
      if (!push(ev, g, r)) return NULL;
    } else {
      if (cf_node_get(out, ks)) return fail(ev, e->b->pos, "duplicate key '%s' in a for expression (use ... to group)", ks);
      if (!put(ev, out, ks, r)) return NULL;
    }
    continue;
  fail:
    ev->scope = saved;
    return NULL;
  }
  return out;
}

static const cf_node_t *eval_object(hcl_ev_t *ev, const hcl_expr_t *e) {
  cf_node_t *o = new_obj(ev, e->pos);
  if (!o) return NULL;
  bool unk = false;
  for (uint32_t i = 0; i + 1 < e->n_items; i += 2) {
    const hcl_expr_t *ke = e->items[i];
    const cf_node_t *k;
    /* A bare name is the key itself; (name) or another expression is evaluated. */
    if (ke->flags & HCL_F_BARE_KEY) k = ke->value;
    else if (!(k = cf__hcl_eval(ev, ke))) return NULL;
    const cf_node_t *v = cf__hcl_eval(ev, e->items[i + 1]);
    if (!v) return NULL;
    if (is_unknown(k)) {
      unk = true;
      continue;
    }
    const char *ks = cf__hcl_to_string(ev, k);
    if (!ks) return fail(ev, ke->pos, "an object key must be a string");
    if (!put(ev, o, ks, v)) return NULL;
    o->u.members[o->len - 1].key_pos = ke->pos;
  }
  return unk ? unknown(ev, e->pos) : o;
}

/* ---- functions ---- */

typedef const cf_node_t *(*fn_t)(hcl_ev_t *ev, const hcl_expr_t *call, const cf_node_t **args, uint32_t n);

static const cf_node_t *need_string(hcl_ev_t *ev, const hcl_expr_t *call, const cf_node_t *v, const char **out) {
  *out = "";
  const char *s = cf__hcl_to_string(ev, v);
  if (!s) return fail(ev, call->pos, "%s() needs a string", call->name);
  *out = s;
  return v;
}

static const cf_node_t *fn_jsonencode(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (cf__hcl_has_unknown(a[0], 0)) return a[0]; /* see the file header */
  cf_buf_t b;
  cf__buf_init(&b, 64u << 20);
  cf_err e = json_out(&b, a[0], 0);
  const cf_node_t *r = !e ? str(ev, b.data ? b.data : "", b.len, c->pos) : buf_failed(ev, e, c->pos, "jsonencode()");
  cf__buf_cleanup(&b);
  return r;
}

static const cf_node_t *fn_jsondecode(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  const char *s;
  if (!need_string(ev, c, a[0], &s)) return NULL;
  cf_node_t *out = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__json_parse_item(ev->ctx, ev->a, s, strlen(s), false, c->pos.file, "jsondecode()", c->pos, NULL, &out, &d);
  cf_diag_cleanup(&d);
  if (e == CF_ENOMEM) return nomem(ev);
  if (e) return fail(ev, c->pos, "jsondecode(): the string is not valid JSON");
  return out;
}

static const cf_node_t *fn_format(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  const char *f;
  if (!need_string(ev, c, a[0], &f)) return NULL;
  cf_buf_t b;
  cf__buf_init(&b, 64u << 20);
  uint32_t next = 1;
  bool ok = true;
  for (const char *p = f; ok && *p; p++) {
    if (*p != '%') {
      ok = cf__buf_putc(&b, *p) == CF_OK;
      continue;
    }
    p++;
    if (*p == '%') {
      ok = cf__buf_putc(&b, '%') == CF_OK;
      continue;
    }
    /* Flags, width and precision are read and, but for %f's precision, not applied. */
    int prec = -1;
    while (*p && strchr("+-# 0", *p)) p++;
    while (*p >= '0' && *p <= '9') p++;
    if (*p == '.') {
      prec = 0;
      for (p++; *p >= '0' && *p <= '9'; p++) prec = prec * 10 + (*p - '0');
    }
    if (!*p || next >= n) {
      cf__buf_cleanup(&b);
      return fail(ev, c->pos, "format(): not enough arguments for the format");
    }
    const cf_node_t *v = a[next++];
    char t[64];
    switch (*p) {
    case 's':
    case 'v':
    case 'd':
    case 't': {
      const char *s = cf__hcl_to_string(ev, v);
      if (!s && *p == 'v') {
        cf_buf_t j;
        cf__buf_init(&j, 64u << 20);
        cf_err je = json_out(&j, v, 0);
        if (!je) je = cf__buf_append(&b, j.data, j.len);
        cf__buf_cleanup(&j);
        if (je) {
          cf__buf_cleanup(&b);
          return buf_failed(ev, je, c->pos, "format()");
        }
        break;
      }
      if (!s) {
        cf__buf_cleanup(&b);
        return fail(ev, c->pos, "format(): a %s for %%%c", cf_node_type_name((cf_node_type)v->type), *p);
      }
      ok = cf__buf_puts(&b, s) == CF_OK;
      break;
    }
    case 'q': {
      const char *s = cf__hcl_to_string(ev, v);
      cf_node_t q = {.type = CF_NODE_STRING, .len = s ? (uint32_t)strlen(s) : 0, .u.s = s ? s : ""};
      ok = json_out(&b, &q, 0) == CF_OK;
      break;
    }
    case 'f':
    case 'e':
    case 'g': {
      double d;
      if (!to_num(v, &d)) {
        cf__buf_cleanup(&b);
        return fail(ev, c->pos, "format(): %%%c needs a number", *p);
      }
      int pr = prec < 0 ? 6 : prec > 30 ? 30 : prec;
      if (*p == 'f') snprintf(t, sizeof t, "%.*f", pr, d);
      else if (*p == 'e') snprintf(t, sizeof t, "%.*e", pr, d);
      else snprintf(t, sizeof t, "%.*g", pr, d);
      ok = cf__buf_puts(&b, t) == CF_OK;
      break;
    }
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      double d;
      if (!to_num(v, &d)) {
        cf__buf_cleanup(&b);
        return fail(ev, c->pos, "format(): %%%c needs a number", *p);
      }
      long long i = (long long)d;
      if (*p == 'b') {
        char bits[72];
        int k = 0;
        unsigned long long u = (unsigned long long)i;
        do bits[k++] = (char)('0' + (u & 1)); while ((u >>= 1) && k < 70);
        while (k) ok = ok && cf__buf_putc(&b, bits[--k]) == CF_OK;
      } else {
        snprintf(t, sizeof t, *p == 'x' ? "%llx" : *p == 'X' ? "%llX" : "%llo", i);
        ok = cf__buf_puts(&b, t) == CF_OK;
      }
      break;
    }
    default:
      cf__buf_cleanup(&b);
      return fail(ev, c->pos, "format(): unsupported verb %%%c", *p);
    }
  }
  const cf_node_t *r = ok ? str(ev, b.data ? b.data : "", b.len, c->pos) : nomem(ev);
  cf__buf_cleanup(&b);
  return r;
}

static const cf_node_t *fn_lookup(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  if (a[0]->type != CF_NODE_OBJECT) return fail(ev, c->pos, "lookup() needs a map");
  const char *k;
  if (!need_string(ev, c, a[1], &k)) return NULL;
  const cf_node_t *v = cf_node_get(a[0], k);
  if (v) return v;
  if (n >= 3) return a[2];
  return fail(ev, c->pos, "lookup(): no key '%s' and no default", k);
}

static const cf_node_t *fn_merge(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  cf_node_t *o = new_obj(ev, c->pos);
  if (!o) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    if (a[i]->type == CF_NODE_NULL) continue;
    if (a[i]->type != CF_NODE_OBJECT) return fail(ev, c->pos, "merge() needs maps or objects");
    for (uint32_t k = 0; k < a[i]->len; k++)
      if (!put(ev, o, a[i]->u.members[k].key, a[i]->u.members[k].value)) return NULL;
  }
  return o;
}

static const cf_node_t *fn_concat(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  cf_node_t *o = new_arr(ev, c->pos);
  if (!o) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    if (a[i]->type != CF_NODE_ARRAY) return fail(ev, c->pos, "concat() needs lists");
    for (uint32_t k = 0; k < a[i]->len; k++)
      if (!push(ev, o, a[i]->u.items[k])) return NULL;
  }
  return o;
}

/* A list without repeated elements, in first-seen order (toset, distinct). */
static const cf_node_t *dedupe(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t *l) {
  if (l->type != CF_NODE_ARRAY) return fail(ev, c->pos, "%s() needs a list", c->name);
  cf_node_t *o = new_arr(ev, c->pos);
  if (!o) return NULL;
  for (uint32_t i = 0; i < l->len; i++) {
    bool dup = false;
    for (uint32_t k = 0; k < o->len && !dup; k++) dup = equal(o->u.items[k], l->u.items[i], 0) == 1;
    if (!dup && !push(ev, o, l->u.items[i])) return NULL;
  }
  return o;
}

static const cf_node_t *fn_toset(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  return dedupe(ev, c, a[0]);
}

static const cf_node_t *fn_identity_coll(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  bool want_list = strcmp(c->name, "tomap") != 0;
  if (a[0]->type == CF_NODE_NULL) return a[0];
  if (want_list ? a[0]->type != CF_NODE_ARRAY : a[0]->type != CF_NODE_OBJECT)
    return fail(ev, c->pos, "%s() cannot convert a %s", c->name, cf_node_type_name((cf_node_type)a[0]->type));
  return a[0];
}

static const cf_node_t *fn_coalesce(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (a[i]->type == CF_NODE_NULL || (a[i]->type == CF_NODE_STRING && a[i]->len == 0)) continue;
    return a[i];
  }
  return fail(ev, c->pos, "coalesce(): every argument is null or empty");
}

static size_t utf8_len(const char *s, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) k++;
  return k;
}

static const cf_node_t *fn_length(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (a[0]->type == CF_NODE_STRING) return num(ev, (double)utf8_len(a[0]->u.s, a[0]->len), c->pos);
  if (is_coll(a[0])) return num(ev, a[0]->len, c->pos);
  return fail(ev, c->pos, "length() needs a string or a collection");
}

static const cf_node_t *fn_element(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  double d;
  if (a[0]->type != CF_NODE_ARRAY || !to_num(a[1], &d)) return fail(ev, c->pos, "element() needs a list and an index");
  if (!a[0]->len) return fail(ev, c->pos, "element() of an empty list");
  if (d < 0) return fail(ev, c->pos, "element() with a negative index");
  return a[0]->u.items[(uint64_t)d % a[0]->len];
}

static const cf_node_t *fn_join(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  const char *sep;
  if (!need_string(ev, c, a[0], &sep)) return NULL;
  cf_buf_t b;
  cf__buf_init(&b, 64u << 20);
  bool first = true, ok = true;
  for (uint32_t i = 1; ok && i < n; i++) {
    if (a[i]->type != CF_NODE_ARRAY) {
      cf__buf_cleanup(&b);
      return fail(ev, c->pos, "join() needs lists");
    }
    for (uint32_t k = 0; ok && k < a[i]->len; k++) {
      const char *s = cf__hcl_to_string(ev, a[i]->u.items[k]);
      if (!s) {
        cf__buf_cleanup(&b);
        return is_unknown(a[i]->u.items[k]) ? unknown(ev, c->pos) : fail(ev, c->pos, "join() needs a list of strings");
      }
      ok = (first || cf__buf_puts(&b, sep) == CF_OK) && cf__buf_puts(&b, s) == CF_OK;
      first = false;
    }
  }
  const cf_node_t *r = ok ? str(ev, b.data ? b.data : "", b.len, c->pos) : nomem(ev);
  cf__buf_cleanup(&b);
  return r;
}

static const cf_node_t *fn_split(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  const char *sep, *s;
  if (!need_string(ev, c, a[0], &sep) || !need_string(ev, c, a[1], &s)) return NULL;
  cf_node_t *o = new_arr(ev, c->pos);
  if (!o) return NULL;
  size_t sl = strlen(sep);
  if (!*s) return push(ev, o, str(ev, "", 0, c->pos)) ? o : NULL;
  for (;;) {
    const char *q = sl ? strstr(s, sep) : (*s && s[1] ? s + 1 : NULL);
    size_t len = q ? (size_t)(q - s) : strlen(s);
    cf_node_t *part = str(ev, s, len, c->pos);
    if (!part || !push(ev, o, part)) return NULL;
    if (!q) break;
    s = q + sl;
  }
  return o;
}

static const cf_node_t *fn_replace(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  const char *s, *from, *to;
  if (!need_string(ev, c, a[0], &s) || !need_string(ev, c, a[1], &from) || !need_string(ev, c, a[2], &to)) return NULL;
  size_t fl = strlen(from);
  if (fl >= 2 && from[0] == '/' && from[fl - 1] == '/') return unknown(ev, c->pos); /* a regular expression */
  if (!fl) return a[0];
  cf_buf_t b;
  cf__buf_init(&b, 64u << 20);
  bool ok = true;
  for (const char *p = s; ok;) {
    const char *q = strstr(p, from);
    if (!q) {
      ok = cf__buf_puts(&b, p) == CF_OK;
      break;
    }
    ok = cf__buf_append(&b, p, (size_t)(q - p)) == CF_OK && cf__buf_puts(&b, to) == CF_OK;
    p = q + fl;
  }
  const cf_node_t *r = ok ? str(ev, b.data ? b.data : "", b.len, c->pos) : nomem(ev);
  cf__buf_cleanup(&b);
  return r;
}

static const cf_node_t *fn_case(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  const char *s;
  if (!need_string(ev, c, a[0], &s)) return NULL;
  char *t = cf__arena_strdup(ev->a, s);
  if (!t) return nomem(ev);
  bool up = c->name[0] == 'u';
  for (char *p = t; *p; p++)
    if (up ? (*p >= 'a' && *p <= 'z') : (*p >= 'A' && *p <= 'Z')) *p = (char)(*p ^ 0x20);
  return str(ev, t, strlen(t), c->pos);
}

static const cf_node_t *fn_tostring(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (a[0]->type == CF_NODE_NULL) return a[0];
  const char *s = cf__hcl_to_string(ev, a[0]);
  if (!s) return fail(ev, c->pos, "tostring() of a %s", cf_node_type_name((cf_node_type)a[0]->type));
  return str(ev, s, strlen(s), c->pos);
}

static const cf_node_t *fn_tonumber(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  double d;
  if (a[0]->type == CF_NODE_NULL) return a[0];
  if (!to_num(a[0], &d)) return fail(ev, c->pos, "tonumber(): not a number");
  return num(ev, d, c->pos);
}

static const cf_node_t *fn_tobool(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (a[0]->type == CF_NODE_NULL) return a[0];
  int b = to_bool(a[0]);
  if (b < 0) return fail(ev, c->pos, "tobool(): not a boolean");
  return boolean(ev, b, c->pos);
}

static const cf_node_t *fn_keys_values(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (a[0]->type != CF_NODE_OBJECT) return fail(ev, c->pos, "%s() needs a map", c->name);
  cf_node_t *o = new_arr(ev, c->pos);
  if (!o) return NULL;
  /* In lexical order of the keys, as Terraform gives them. */
  uint32_t len = a[0]->len;
  const cf_member_t **m = cf__arena_alloc(ev->a, (len ? len : 1) * sizeof *m);
  if (!m) return nomem(ev);
  for (uint32_t i = 0; i < len; i++) m[i] = &a[0]->u.members[i];
  for (uint32_t i = 1; i < len; i++)
    for (uint32_t j = i; j > 0 && strcmp(m[j - 1]->key, m[j]->key) > 0; j--) {
      const cf_member_t *x = m[j];
      m[j] = m[j - 1];
      m[j - 1] = x;
    }
  bool keys = c->name[0] == 'k';
  for (uint32_t i = 0; i < len; i++) {
    const cf_node_t *v = keys ? str(ev, m[i]->key, m[i]->key_len, m[i]->key_pos) : m[i]->value;
    if (!v || !push(ev, o, v)) return NULL;
  }
  return o;
}

static const cf_node_t *fn_contains(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (a[0]->type != CF_NODE_ARRAY) return fail(ev, c->pos, "contains() needs a list");
  bool unk = false;
  for (uint32_t i = 0; i < a[0]->len; i++) {
    int q = equal(a[0]->u.items[i], a[1], 0);
    if (q == 1) return boolean(ev, true, c->pos);
    if (q < 0) unk = true;
  }
  return unk ? unknown(ev, c->pos) : boolean(ev, false, c->pos);
}

static bool flatten_into(hcl_ev_t *ev, cf_node_t *o, const cf_node_t *l, unsigned depth) {
  if (depth > HCL_MAX_DEPTH) return fail(ev, o->pos, "flatten(): too deep"), false;
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *x = l->u.items[i];
    if (x->type == CF_NODE_ARRAY) {
      if (!flatten_into(ev, o, x, depth + 1)) return false;
    } else if (!push(ev, o, x)) {
      return false;
    }
  }
  return true;
}

static const cf_node_t *fn_flatten(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (a[0]->type != CF_NODE_ARRAY) return fail(ev, c->pos, "flatten() needs a list");
  cf_node_t *o = new_arr(ev, c->pos);
  return o && flatten_into(ev, o, a[0], 0) ? o : NULL;
}

static const cf_node_t *fn_compact(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (a[0]->type != CF_NODE_ARRAY) return fail(ev, c->pos, "compact() needs a list");
  cf_node_t *o = new_arr(ev, c->pos);
  if (!o) return NULL;
  for (uint32_t i = 0; i < a[0]->len; i++) {
    const cf_node_t *x = a[0]->u.items[i];
    if (x->type == CF_NODE_NULL || (x->type == CF_NODE_STRING && !x->len)) continue;
    if (!push(ev, o, x)) return NULL;
  }
  return o;
}

static const cf_node_t *fn_trimspace(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  const char *s;
  if (!need_string(ev, c, a[0], &s)) return NULL;
  size_t len = strlen(s);
  while (len && strchr(" \t\r\n", *s)) s++, len--;
  while (len && strchr(" \t\r\n", s[len - 1])) len--;
  if (!strcmp(c->name, "chomp")) {
    /* chomp() removes newlines at the end only: start again from the argument. */
    s = a[0]->type == CF_NODE_STRING ? a[0]->u.s : s;
    len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r')) len--;
  }
  return str(ev, s, len, c->pos);
}

static const cf_node_t *fn_affix(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  const char *s, *x;
  if (!need_string(ev, c, a[0], &s) || !need_string(ev, c, a[1], &x)) return NULL;
  size_t sl = strlen(s), xl = strlen(x);
  bool r = xl <= sl && (c->name[0] == 's' ? !memcmp(s, x, xl) : !memcmp(s + sl - xl, x, xl));
  return boolean(ev, r, c->pos);
}

static const cf_node_t *fn_substr(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  const char *s;
  double off, len;
  if (!need_string(ev, c, a[0], &s) || !to_num(a[1], &off) || !to_num(a[2], &len))
    return ev->failed ? NULL : fail(ev, c->pos, "substr() needs a string, an offset and a length");
  size_t total = utf8_len(s, strlen(s));
  if (off < 0) off += (double)total;
  if (off < 0 || off > (double)total) return fail(ev, c->pos, "substr(): offset out of range");
  size_t o = (size_t)off, l = len < 0 ? total - o : (size_t)len;
  if (o + l > total) l = total - o;
  /* Offsets count characters; walk the UTF-8. */
  const char *p = s;
  for (size_t k = 0; k < o; k++) do p++; while (((unsigned char)*p & 0xC0) == 0x80);
  const char *q = p;
  for (size_t k = 0; k < l && *q; k++) do q++; while (((unsigned char)*q & 0xC0) == 0x80);
  return str(ev, p, (size_t)(q - p), c->pos);
}

static const cf_node_t *fn_base64(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char *s;
  if (!need_string(ev, c, a[0], &s)) return NULL;
  size_t len = strlen(s);
  if (!strcmp(c->name, "base64encode")) {
    char *o = cf__arena_alloc(ev->a, (len + 2) / 3 * 4 + 1);
    if (!o) return nomem(ev);
    size_t k = 0;
    for (size_t i = 0; i < len; i += 3) {
      uint32_t v = (uint32_t)(unsigned char)s[i] << 16 | (i + 1 < len ? (uint32_t)(unsigned char)s[i + 1] << 8 : 0) |
                   (i + 2 < len ? (unsigned char)s[i + 2] : 0);
      o[k++] = tbl[v >> 18];
      o[k++] = tbl[(v >> 12) & 63];
      o[k++] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
      o[k++] = i + 2 < len ? tbl[v & 63] : '=';
    }
    return str(ev, o, k, c->pos);
  }
  char *o = cf__arena_alloc(ev->a, len / 4 * 3 + 4);
  if (!o) return nomem(ev);
  size_t k = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '=') break;
    const char *x = strchr(tbl, s[i]);
    if (!x || !s[i]) return fail(ev, c->pos, "base64decode(): not base64");
    acc = acc << 6 | (uint32_t)(x - tbl);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      o[k++] = (char)(acc >> bits);
    }
  }
  return str(ev, o, k, c->pos);
}

static const cf_node_t *fn_range(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  double start = 0, end, step = 1;
  if (n == 1 && to_num(a[0], &end)) {
  } else if (n >= 2 && to_num(a[0], &start) && to_num(a[1], &end) && (n < 3 || to_num(a[2], &step))) {
  } else {
    return fail(ev, c->pos, "range() needs numbers");
  }
  if (step == 0) return fail(ev, c->pos, "range(): a step of zero");
  cf_node_t *o = new_arr(ev, c->pos);
  if (!o) return NULL;
  for (double x = start; step > 0 ? x < end : x > end; x += step) {
    const cf_node_t *v = num(ev, x, c->pos);
    if (!v || !push(ev, o, v)) return NULL;
  }
  return o;
}

static const cf_node_t *fn_zipmap(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (a[0]->type != CF_NODE_ARRAY || a[1]->type != CF_NODE_ARRAY || a[0]->len != a[1]->len)
    return fail(ev, c->pos, "zipmap() needs two lists of the same length");
  cf_node_t *o = new_obj(ev, c->pos);
  if (!o) return NULL;
  for (uint32_t i = 0; i < a[0]->len; i++) {
    const char *k = cf__hcl_to_string(ev, a[0]->u.items[i]);
    if (!k) return is_unknown(a[0]->u.items[i]) ? unknown(ev, c->pos) : fail(ev, c->pos, "zipmap(): keys must be strings");
    if (!put(ev, o, k, a[1]->u.items[i])) return NULL;
  }
  return o;
}

static const cf_node_t *fn_one(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (a[0]->type != CF_NODE_ARRAY) return fail(ev, c->pos, "one() needs a list");
  if (a[0]->len == 0) return cf_node_new(ev->a, CF_NODE_NULL, c->pos);
  if (a[0]->len > 1) return fail(ev, c->pos, "one(): the list has more than one element");
  return a[0]->u.items[0];
}

static const cf_node_t *fn_math(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  const char *f = c->name;
  double r = 0, d;
  if (!strcmp(f, "max") || !strcmp(f, "min")) {
    if (!n) return fail(ev, c->pos, "%s() needs at least one number", f);
    for (uint32_t i = 0; i < n; i++) {
      if (!to_num(a[i], &d)) return fail(ev, c->pos, "%s() needs numbers", f);
      if (!i || (f[1] == 'a' ? d > r : d < r)) r = d;
    }
    return num(ev, r, c->pos);
  }
  if (!n || !to_num(a[0], &d)) return fail(ev, c->pos, "%s() needs a number", f);
  if (!strcmp(f, "abs")) r = fabs(d);
  else if (!strcmp(f, "ceil")) r = ceil(d);
  else r = floor(d);
  return num(ev, r, c->pos);
}

static const cf_node_t *fn_slice(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  double s, e;
  if (a[0]->type != CF_NODE_ARRAY || !to_num(a[1], &s) || !to_num(a[2], &e)) return fail(ev, c->pos, "slice() needs a list and two indexes");
  if (s < 0 || e < s || e > a[0]->len) return fail(ev, c->pos, "slice(): indexes out of range");
  cf_node_t *o = new_arr(ev, c->pos);
  if (!o) return NULL;
  for (uint32_t i = (uint32_t)s; i < (uint32_t)e; i++)
    if (!push(ev, o, a[0]->u.items[i])) return NULL;
  return o;
}

static const cf_node_t *fn_reverse(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (a[0]->type != CF_NODE_ARRAY) return fail(ev, c->pos, "reverse() needs a list");
  cf_node_t *o = new_arr(ev, c->pos);
  if (!o) return NULL;
  for (uint32_t i = a[0]->len; i > 0; i--)
    if (!push(ev, o, a[0]->u.items[i - 1])) return NULL;
  return o;
}

static int cmp_str_nodes(const void *x, const void *y) {
  return strcmp((*(const cf_node_t *const *)x)->u.s, (*(const cf_node_t *const *)y)->u.s);
}

static const cf_node_t *fn_sort(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  if (a[0]->type != CF_NODE_ARRAY) return fail(ev, c->pos, "sort() needs a list of strings");
  cf_node_t *o = new_arr(ev, c->pos);
  if (!o) return NULL;
  for (uint32_t i = 0; i < a[0]->len; i++) {
    const cf_node_t *x = a[0]->u.items[i];
    if (is_unknown(x)) return unknown(ev, c->pos);
    const char *s = cf__hcl_to_string(ev, x);
    const cf_node_t *sv = s ? (x->type == CF_NODE_STRING ? x : str(ev, s, strlen(s), x->pos)) : NULL;
    if (!sv) return ev->failed ? NULL : fail(ev, c->pos, "sort() needs a list of strings");
    if (!push(ev, o, sv)) return NULL;
  }
  if (o->len > 1) qsort(o->u.items, o->len, sizeof(cf_node_t *), cmp_str_nodes);
  return o;
}

static const cf_node_t *fn_formatlist(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  /* Every list argument must have the same length; scalars repeat. */
  uint32_t len = UINT32_MAX;
  for (uint32_t i = 1; i < n; i++)
    if (a[i]->type == CF_NODE_ARRAY) {
      if (len != UINT32_MAX && a[i]->len != len) return fail(ev, c->pos, "formatlist(): lists of different lengths");
      len = a[i]->len;
    }
  if (len == UINT32_MAX) len = 1;
  cf_node_t *o = new_arr(ev, c->pos);
  if (!o) return NULL;
  const cf_node_t **row = cf__arena_alloc(ev->a, (n ? n : 1) * sizeof *row);
  if (!row) return nomem(ev);
  hcl_expr_t fake = *c;
  fake.name = "formatlist";
  for (uint32_t k = 0; k < len; k++) {
    row[0] = a[0];
    for (uint32_t i = 1; i < n; i++) row[i] = a[i]->type == CF_NODE_ARRAY ? a[i]->u.items[k] : a[i];
    bool unk = false;
    for (uint32_t i = 1; i < n; i++) unk = unk || is_unknown(row[i]);
    const cf_node_t *s = unk ? unknown(ev, c->pos) : fn_format(ev, &fake, row, n);
    if (!s || !push(ev, o, s)) return NULL;
  }
  return o;
}

/* Reads a file named relative to the module's folder, inside the scan root only. */
static char *read_in_root(hcl_ev_t *ev, const hcl_expr_t *c, const char *rel, size_t *len) {
  char path[4096], real[4096];
  if (rel[0] == '/') snprintf(path, sizeof path, "%s", rel);
  else snprintf(path, sizeof path, "%s/%s", ev->module_dir ? ev->module_dir : ".", rel);
  if (!realpath(path, real)) {
    fail(ev, c->pos, "%s(): cannot read '%s'", c->name, rel);
    return NULL;
  }
  size_t rl = ev->root_dir ? strlen(ev->root_dir) : 0;
  if (!ev->root_dir || strncmp(real, ev->root_dir, rl) != 0 || (real[rl] != '/' && real[rl] != '\0' && rl != 1)) {
    fail(ev, c->pos, "%s(): '%s' is outside the scan root; not read", c->name, rel);
    return NULL;
  }
  char *buf = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__read_file(real, MAX_FILE, 1, &buf, len, &d);
  cf_diag_cleanup(&d);
  if (e == CF_ENOMEM) {
    nomem(ev);
    return NULL;
  }
  if (e) {
    fail(ev, c->pos, "%s(): cannot read '%s'", c->name, rel);
    return NULL;
  }
  char *copy = cf__arena_strndup(ev->a, buf, *len);
  free(buf);
  if (!copy) nomem(ev);
  return copy;
}

static const cf_node_t *fn_file(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)n;
  const char *rel;
  if (!need_string(ev, c, a[0], &rel)) return NULL;
  size_t len = 0;
  char *t = read_in_root(ev, c, rel, &len);
  if (!t) return NULL;
  return str(ev, t, len, c->pos);
}

static const cf_node_t *fn_templatefile(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  const char *rel;
  if (!need_string(ev, c, a[0], &rel)) return NULL;
  if (n < 2 || a[1]->type != CF_NODE_OBJECT) return fail(ev, c->pos, "templatefile() needs a path and a map of variables");
  size_t len = 0;
  char *t = read_in_root(ev, c, rel, &len);
  if (!t) return NULL;
  hcl_expr_t *tpl = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__hcl_parse_template(ev->a, t, len, c->pos.file, rel, &tpl, &d);
  if (e) {
    fail(ev, c->pos, "templatefile(): %s:%u:%u: %s", rel, d.line, d.column, d.message ? d.message : "syntax error");
    cf_diag_cleanup(&d);
    return e == CF_ENOMEM ? nomem(ev) : NULL;
  }
  cf_diag_cleanup(&d);
  /* The template sees only the variables given (and no lookups); values keep the call's
   * position, since the template file is not a scanned input. */
  hcl_scope_t *scopes = cf__arena_alloc(ev->a, (a[1]->len ? a[1]->len : 1) * sizeof *scopes);
  if (!scopes) return nomem(ev);
  const hcl_scope_t *up = NULL;
  for (uint32_t i = 0; i < a[1]->len; i++) {
    scopes[i] = (hcl_scope_t){a[1]->u.members[i].key, a[1]->u.members[i].value, up};
    up = &scopes[i];
  }
  const hcl_scope_t *saved_scope = ev->scope;
  hcl_lookup_cb saved_lookup = ev->lookup;
  ev->scope = up;
  ev->lookup = NULL;
  const cf_node_t *r = eval_template(ev, tpl);
  ev->scope = saved_scope;
  ev->lookup = saved_lookup;
  if (r && r->type == CF_NODE_STRING) return str(ev, r->u.s, r->len, c->pos);
  return r;
}

static const cf_node_t *fn_unknown(hcl_ev_t *ev, const hcl_expr_t *c, const cf_node_t **a, uint32_t n) {
  (void)a;
  (void)n;
  return unknown(ev, c->pos);
}

static const struct fn {
  const char *name;
  fn_t fn;
  uint8_t min, max; /* arguments; max 255 = any number */
} fns[] = {
    {"abs", fn_math, 1, 1},
    {"base64decode", fn_base64, 1, 1},
    {"base64encode", fn_base64, 1, 1},
    {"ceil", fn_math, 1, 1},
    {"chomp", fn_trimspace, 1, 1},
    {"coalesce", fn_coalesce, 1, 255},
    {"compact", fn_compact, 1, 1},
    {"concat", fn_concat, 0, 255},
    {"contains", fn_contains, 2, 2},
    {"distinct", fn_toset, 1, 1},
    {"element", fn_element, 2, 2},
    {"endswith", fn_affix, 2, 2},
    {"file", fn_file, 1, 1},
    {"flatten", fn_flatten, 1, 1},
    {"floor", fn_math, 1, 1},
    {"format", fn_format, 1, 255},
    {"formatlist", fn_formatlist, 1, 255},
    {"join", fn_join, 1, 255},
    {"jsondecode", fn_jsondecode, 1, 1},
    {"jsonencode", fn_jsonencode, 1, 1},
    {"keys", fn_keys_values, 1, 1},
    {"length", fn_length, 1, 1},
    {"lookup", fn_lookup, 2, 3},
    {"lower", fn_case, 1, 1},
    {"max", fn_math, 1, 255},
    {"merge", fn_merge, 0, 255},
    {"min", fn_math, 1, 255},
    {"one", fn_one, 1, 1},
    {"range", fn_range, 1, 3},
    {"replace", fn_replace, 3, 3},
    {"reverse", fn_reverse, 1, 1},
    {"slice", fn_slice, 3, 3},
    {"sort", fn_sort, 1, 1},
    {"split", fn_split, 2, 2},
    {"startswith", fn_affix, 2, 2},
    {"substr", fn_substr, 3, 3},
    {"templatefile", fn_templatefile, 2, 2},
    {"tobool", fn_tobool, 1, 1},
    {"tolist", fn_identity_coll, 1, 1},
    {"tomap", fn_identity_coll, 1, 1},
    {"tonumber", fn_tonumber, 1, 1},
    {"toset", fn_toset, 1, 1},
    {"tostring", fn_tostring, 1, 1},
    {"trimspace", fn_trimspace, 1, 1},
    {"upper", fn_case, 1, 1},
    {"values", fn_keys_values, 1, 1},
    {"zipmap", fn_zipmap, 2, 2},
};

static const struct fn *find_fn(const char *name) {
  size_t lo = 0, hi = sizeof fns / sizeof *fns;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(name, fns[mid].name);
    if (!c) return &fns[mid];
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return NULL;
}

static const cf_node_t *eval_call(hcl_ev_t *ev, const hcl_expr_t *e) {
  const char *name = e->name;
  if (!strncmp(name, "core::", 6)) name += 6;
  /* try() and can() see their arguments' errors. */
  if (!strcmp(name, "try") || !strcmp(name, "can")) {
    bool can = name[0] == 'c';
    if (can ? e->n_items != 1 : e->n_items < 1) return fail(ev, e->pos, "%s() needs %s", name, can ? "one argument" : "at least one argument");
    for (uint32_t i = 0; i < e->n_items; i++) {
      bool was = ev->failed;
      const cf_node_t *v = cf__hcl_eval(ev, e->items[i]);
      if (ev->oom) return NULL;
      if (v) {
        if (can) return is_unknown(v) ? unknown(ev, e->pos) : boolean(ev, true, e->pos);
        return v;
      }
      ev->failed = was;
    }
    if (can) return boolean(ev, false, e->pos);
    return fail(ev, e->pos, "try(): every argument failed");
  }
  const struct fn *f = find_fn(name);
  /* Arguments, with the last one expanded for f(list...). */
  uint32_t n = e->n_items;
  const cf_node_t **args = cf__arena_alloc(ev->a, (n ? n : 1) * sizeof *args);
  if (!args) return nomem(ev);
  bool unk = false;
  for (uint32_t i = 0; i < n; i++) {
    if (!(args[i] = cf__hcl_eval(ev, e->items[i]))) return NULL;
    if (is_unknown(args[i])) unk = true;
  }
  if ((e->flags & HCL_F_EXPAND) && n) {
    const cf_node_t *last = args[n - 1];
    if (is_unknown(last)) return unknown(ev, e->pos);
    if (last->type != CF_NODE_ARRAY) return fail(ev, e->pos, "only a list can be expanded with ...");
    const cf_node_t **more = cf__arena_alloc(ev->a, (n - 1 + last->len + 1) * sizeof *more);
    if (!more) return nomem(ev);
    memcpy(more, args, (n - 1) * sizeof *more);
    for (uint32_t i = 0; i < last->len; i++) {
      more[n - 1 + i] = last->u.items[i];
      if (is_unknown(last->u.items[i])) unk = true;
    }
    args = more;
    n = n - 1 + last->len;
  }
  /* A function the scan does not evaluate (the clock, hashes, address arithmetic): its value
   * is unknown, never guessed. */
  if (!f) return fn_unknown(ev, e, args, n);
  if (n < f->min || (f->max != 255 && n > f->max))
    return fail(ev, e->pos, "%s() takes %u%s argument%s, not %u", name, f->min, f->max == 255 ? " or more" : f->max > f->min ? " to N" : "",
                f->min == 1 && f->max == 1 ? "" : "s", n);
  /* jsonencode keeps a partly unknown value (see the file header); others are unknown. */
  if (unk && f->fn != fn_jsonencode && f->fn != fn_coalesce && f->fn != fn_merge && f->fn != fn_concat &&
      f->fn != fn_identity_coll)
    return unknown(ev, e->pos);
  if (unk && f->fn != fn_jsonencode) {
    /* merge, concat, coalesce and conversions work on known collections holding unknowns;
     * an unknown argument itself makes the result unknown. */
    for (uint32_t i = 0; i < n; i++)
      if (is_unknown(args[i])) return unknown(ev, e->pos);
  }
  return f->fn(ev, e, args, n);
}

const cf_node_t *cf__hcl_eval(hcl_ev_t *ev, const hcl_expr_t *e) {
  if (!e) return fail(ev, (cf_pos_t){0, 0, 0}, "no expression");
  if (++ev->depth > HCL_MAX_DEPTH) {
    ev->depth--;
    return fail(ev, e->pos, "evaluation nested deeper than %u levels", HCL_MAX_DEPTH);
  }
  const cf_node_t *r = NULL;
  switch (e->kind) {
  case HCL_E_LITERAL: r = e->value; break;
  case HCL_E_TEMPLATE:
  case HCL_E_TIF:
  case HCL_E_TFOR: r = eval_template(ev, e); break;
  case HCL_E_TUPLE: {
    cf_node_t *o = new_arr(ev, e->pos);
    for (uint32_t i = 0; o && i < e->n_items; i++) {
      const cf_node_t *v = cf__hcl_eval(ev, e->items[i]);
      if (!v || !push(ev, o, v)) o = NULL;
    }
    r = o;
    break;
  }
  case HCL_E_OBJECT: r = eval_object(ev, e); break;
  case HCL_E_VAR: {
    r = lookup_var(ev, e->name);
    if (!r) r = eval_chain(ev, e);
    break;
  }
  case HCL_E_GETATTR:
  case HCL_E_INDEX: r = eval_chain(ev, e); break;
  case HCL_E_SPLAT: r = eval_splat(ev, e); break;
  case HCL_E_SPLAT_ITEM: r = ev->splat_item ? ev->splat_item : fail(ev, e->pos, "a splat item outside a splat"); break;
  case HCL_E_CALL: r = eval_call(ev, e); break;
  case HCL_E_UNARY: {
    const cf_node_t *v = cf__hcl_eval(ev, e->a);
    if (!v) break;
    if (is_unknown(v)) {
      r = v;
      break;
    }
    if (e->op == HCL_OP_NEG) {
      double d;
      r = to_num(v, &d) ? num(ev, -d, e->pos) : fail(ev, e->pos, "'-' needs a number");
    } else {
      int b = to_bool(v);
      r = b >= 0 ? boolean(ev, !b, e->pos) : fail(ev, e->pos, "'!' needs a boolean");
    }
    break;
  }
  case HCL_E_BINARY: r = eval_binary(ev, e); break;
  case HCL_E_COND: {
    const cf_node_t *c = cf__hcl_eval(ev, e->a);
    if (!c) break;
    if (is_unknown(c)) {
      /* Unknown condition: known only when both branches agree. */
      const cf_node_t *x = cf__hcl_eval(ev, e->b), *y = x ? cf__hcl_eval(ev, e->c) : NULL;
      if (!x || !y) {
        ev->failed = false;
        r = unknown(ev, e->pos);
        break;
      }
      r = equal(x, y, 0) == 1 ? x : unknown(ev, e->pos);
      break;
    }
    int b = to_bool(c);
    r = b < 0 ? fail(ev, e->a->pos, "a condition must be a boolean") : cf__hcl_eval(ev, b ? e->b : e->c);
    break;
  }
  case HCL_E_FOR: r = eval_for(ev, e); break;
  case HCL_E_PAREN: r = cf__hcl_eval(ev, e->a); break;
  default: r = fail(ev, e->pos, "unknown expression"); break;
  }
  ev->depth--;
  return r;
}
