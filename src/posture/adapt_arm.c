/*
 * adapt_arm.c - Azure Resource Manager templates into canonical azure.storage.account and
 * azure.storage.container resources.
 *
 * Resources. The template's `resources` (an array, or an object keyed by symbolic name in
 * languageVersion 2.0 templates) is walked with the resources nested in each resource. A
 * nested resource's type and name are relative to its parent ("blobServices/containers" and
 * "default/logs" under the storage account "acct" make
 * Microsoft.Storage/storageAccounts/blobServices/containers "acct/default/logs") unless its
 * type is written in full. Nested deployments (Microsoft.Resources/deployments with an inline
 * `properties.template`) are walked too: with the default "outer" evaluation scope their
 * expressions see the parent template's parameters and variables, with "inner" their own,
 * fed by the values the deployment passes. Resources marked `existing` are references to
 * resources deployed elsewhere and are not reported (their nested children are), nor is a
 * resource whose `condition` is the literal false.
 *
 * Expressions. A string "[...]" is an ARM template expression, "[[..." is a literal string
 * starting with "[". Expressions are evaluated by a small interpreter that knows only pure
 * functions of the template: parameters() (the value a nested deployment passes, else the
 * parameter's defaultValue, else unknown), variables(), concat, format ({0}-style
 * placeholders without format specifiers), toLower, toUpper, string, bool, int, if, equals,
 * not, and, or, true, false, empty and coalesce, plus property access (`.name`, `['name']`)
 * and indexing (`[0]`). Everything that depends on the deployment (resourceId, reference,
 * resourceGroup, subscription, uniqueString, copyIndex, user functions, ...) is unknown,
 * and so is every value computed from an unknown one. Function, parameter, variable and
 * property names are compared without regard to case, as Azure does.
 *
 * Canonical values (docs/internals/canonical.md): an account's allowBlobPublicAccess,
 * supportsHttpsTrafficOnly and minimumTlsVersion, a container's publicAccess (None, Blob,
 * Container become none, blob, container). A property the template does not set is absent.
 * How Azure reads an absent property depends on the API version and the account's age
 * (supportsHttpsTrafficOnly defaults to true from API 2019-04-01; allowBlobPublicAccess was
 * read as allowed by older API versions and is denied for accounts created since late 2023),
 * so both types also carry `api_version` for rules that want to reason about the default.
 *
 * Address: the resource id without subscription and group,
 * "Microsoft.Storage/storageAccounts/acct/blobServices/default/containers/logs", with the
 * name as written when it cannot be evaluated. Position: the resource's "type" key.
 * Suppression: `"metadata": {"cloudfort": {"ignore": [{"id": ..., "reason": ...}]}}` on a
 * resource (Resource Manager ignores metadata objects), as in CloudFormation.
 *
 * Limits: resources nest at most 16 deep and deployments 8 deep; an expression is at most
 * 64 KiB and 64 calls deep; evaluation of one file stops (values become unknown) after a
 * budget of steps and of bytes proportional to the file's size, so that variables referring
 * to each other in a cycle, or a small template that expands exponentially, can neither
 * hang the scan nor exhaust memory.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doc/doc_internal.h"
#include "model.h"

#define ARM_MAX_NEST 16
#define ARM_MAX_DEPLOY_NEST 8
#define ARM_MAX_EVAL_DEPTH 64
#define ARM_MAX_EXPR 65536
#define ARM_MAX_ARGS 64
/* Evaluation budgets per file: a fixed allowance plus a small multiple of the input's size,
 * so that large honest templates are evaluated in full while the work and memory any template
 * can cause stay within a constant of its own size. */
#define ARM_STEP_BUDGET 2000000u
#define ARM_STEPS_PER_BYTE 4u
#define ARM_BYTE_BUDGET (64u << 20)
#define ARM_BYTES_PER_BYTE 4u

typedef struct arm_scope arm_scope_t;
struct arm_scope {
  const cf_node_t *params;   /* the template's `parameters` section (may be NULL) */
  const cf_node_t *vars;     /* its `variables` section (may be NULL) */
  const cf_node_t *values;   /* values an inner-scope nested deployment passes (may be NULL) */
  const arm_scope_t *outer;  /* the scope those values are evaluated in */
};

typedef struct arm {
  cf_adapt_ctx_t *ac;
  unsigned depth;    /* current evaluation nesting */
  size_t budget;     /* evaluation steps left for this file */
  size_t bytes_left; /* bytes evaluation may still copy or build for this file */
  bool oom;
} arm_t;

/* Takes n bytes from the byte budget; false (and the budget spent) when there are not so many
 * left. */
static bool charge(arm_t *a, size_t n) {
  if (n > a->bytes_left) {
    a->bytes_left = 0;
    return false;
  }
  a->bytes_left -= n;
  return true;
}

static cf_node_t *unknown_at(arm_t *a, cf_pos_t pos) {
  cf_node_t *u = cf__n_unknown(a->ac, pos);
  if (!u) a->oom = true;
  return u;
}

static cf_node_t *resolve(arm_t *a, const arm_scope_t *sc, const cf_node_t *n);

/* ---- the expression interpreter ---- */

typedef struct ex {
  arm_t *a;
  const arm_scope_t *sc;
  const char *p, *end;
  cf_pos_t pos;    /* every value an expression yields carries the expression's position */
  bool bad;        /* a syntax error: the whole expression is unknown */
} ex_t;

static bool is_unknown(const cf_node_t *v) { return !v || v->type == CF_NODE_UNKNOWN; }

static void skip_ws(ex_t *x) {
  while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\n')) x->p++;
}

static bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

static cf_node_t *unk(ex_t *x);

static cf_node_t *mk_str(ex_t *x, const char *s, size_t n) {
  if (!charge(x->a, n)) return unk(x);
  cf_node_t *v = cf_node_new_str(x->a->ac->arena, s, n, x->pos);
  if (!v) x->a->oom = true;
  return v;
}

static cf_node_t *mk_bool(ex_t *x, bool b) {
  cf_node_t *v = cf__n_bool(x->a->ac, b, x->pos);
  if (!v) x->a->oom = true;
  return v;
}

static cf_node_t *mk_int(ex_t *x, int64_t i) {
  cf_node_t *v = cf__n_int(x->a->ac, i, x->pos);
  if (!v) x->a->oom = true;
  return v;
}

static cf_node_t *unk(ex_t *x) { return unknown_at(x->a, x->pos); }

/* Value of a resolved node at the expression's position (scalars are re-positioned; objects
 * and arrays keep the positions of their members). */
static cf_node_t *at_expr(ex_t *x, cf_node_t *v) {
  if (v && v->type != CF_NODE_OBJECT && v->type != CF_NODE_ARRAY) v->pos = x->pos;
  return v;
}

/* A parameter's value: what an inner-scope deployment passes, else the default. */
static cf_node_t *fn_parameters(ex_t *x, const char *name) {
  const arm_scope_t *sc = x->sc;
  if (sc->values) {
    const cf_node_t *pv = cf_node_get_ci(sc->values, name);
    if (pv) {
      const cf_node_t *val = cf_node_get_ci(pv, "value");
      if (!val || !sc->outer) return unk(x); /* a Key Vault reference, or no outer scope */
      return at_expr(x, resolve(x->a, sc->outer, val));
    }
  }
  const cf_node_t *def = cf_node_get_ci(sc->params, name);
  const cf_node_t *dv = def ? cf_node_get_ci(def, "defaultValue") : NULL;
  if (!dv) return unk(x);
  return at_expr(x, resolve(x->a, sc, dv));
}

static cf_node_t *fn_variables(ex_t *x, const char *name) {
  const cf_node_t *v = cf_node_get_ci(x->sc->vars, name);
  if (!v) return unk(x);
  return at_expr(x, resolve(x->a, x->sc, v));
}

/* Scalar to text for concat and format; false for values without a text form. */
static bool scalar_text(const cf_node_t *v, cf_buf_t *b, bool *oom) {
  cf_err e;
  switch (v->type) {
  case CF_NODE_STRING: e = cf__buf_append(b, v->u.s, v->len); break;
  case CF_NODE_INT: e = cf__buf_printf(b, "%lld", (long long)v->u.i); break;
  case CF_NODE_BOOL: e = cf__buf_puts(b, v->u.b ? "True" : "False"); break;
  default: return false;
  }
  if (e == CF_ENOMEM) *oom = true;
  return e == CF_OK;
}

static cf_node_t *buf_result(ex_t *x, cf_buf_t *b, bool ok, bool oom) {
  if (oom) x->a->oom = true;
  cf_node_t *v = ok && !oom ? mk_str(x, b->data ? b->data : "", b->len) : unk(x);
  cf__buf_cleanup(b);
  return v;
}

static cf_node_t *fn_concat(ex_t *x, cf_node_t **args, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (is_unknown(args[i])) return unk(x);
  if (n && args[0]->type == CF_NODE_ARRAY) {
    cf_node_t *arr = cf__n_arr(x->a->ac, x->pos);
    if (!arr) {
      x->a->oom = true;
      return NULL;
    }
    for (size_t i = 0; i < n; i++) {
      if (args[i]->type != CF_NODE_ARRAY || !charge(x->a, args[i]->len * sizeof(cf_node_t *))) return unk(x);
      for (uint32_t k = 0; k < args[i]->len; k++)
        if (cf_node_push(x->a->ac->arena, arr, args[i]->u.items[k])) {
          x->a->oom = true;
          return NULL;
        }
    }
    return arr;
  }
  cf_buf_t b;
  cf__buf_init(&b, ARM_MAX_EXPR);
  bool ok = true, oom = false;
  for (size_t i = 0; i < n && ok; i++) ok = scalar_text(args[i], &b, &oom);
  return buf_result(x, &b, ok, oom);
}

/* format("{0}-{1}", a, b): .NET composite formatting without format specifiers. */
static cf_node_t *fn_format(ex_t *x, cf_node_t **args, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (is_unknown(args[i])) return unk(x);
  if (n < 1 || args[0]->type != CF_NODE_STRING) return unk(x);
  const char *f = args[0]->u.s, *fe = f + args[0]->len;
  cf_buf_t b;
  cf__buf_init(&b, ARM_MAX_EXPR);
  bool ok = true, oom = false;
  while (f < fe && ok) {
    if ((f[0] == '{' || f[0] == '}') && f + 1 < fe && f[1] == f[0]) {
      if (cf__buf_putc(&b, f[0])) ok = false;
      f += 2;
    } else if (f[0] == '{') {
      const char *q = f + 1;
      size_t idx = 0;
      while (q < fe && *q >= '0' && *q <= '9' && idx < 1000) idx = idx * 10 + (size_t)(*q++ - '0');
      if (q == f + 1 || q >= fe || *q != '}' || idx + 1 >= n) ok = false; /* specifiers, bad index */
      else ok = scalar_text(args[idx + 1], &b, &oom);
      f = q + 1;
    } else {
      if (cf__buf_putc(&b, *f++)) ok = false;
    }
  }
  return buf_result(x, &b, ok, oom);
}

static cf_node_t *fn_case(ex_t *x, cf_node_t *v, bool upper) {
  if (is_unknown(v) || v->type != CF_NODE_STRING) return unk(x);
  char *s = cf__arena_strndup(x->a->ac->arena, v->u.s, v->len);
  if (!s) {
    x->a->oom = true;
    return NULL;
  }
  for (uint32_t i = 0; i < v->len; i++)
    if (upper ? (s[i] >= 'a' && s[i] <= 'z') : (s[i] >= 'A' && s[i] <= 'Z')) s[i] = (char)(s[i] ^ 0x20);
  return mk_str(x, s, v->len);
}

/* 1 true, 0 false, -1 unknown or not a boolean. */
static int as_bool(const cf_node_t *v) { return v && v->type == CF_NODE_BOOL ? (v->u.b ? 1 : 0) : -1; }

/* equals: 1, 0, or -1 when it cannot be told (unknowns, objects). */
static int values_equal(const cf_node_t *l, const cf_node_t *r, unsigned depth) {
  if (is_unknown(l) || is_unknown(r) || depth > 32) return -1;
  if (l->type != r->type) {
    double dl, dr;
    if ((l->type == CF_NODE_INT || l->type == CF_NODE_FLOAT) && (r->type == CF_NODE_INT || r->type == CF_NODE_FLOAT) &&
        cf_node_number(l, &dl) && cf_node_number(r, &dr))
      return dl == dr;
    return 0;
  }
  switch (l->type) {
  case CF_NODE_NULL: return 1;
  case CF_NODE_BOOL: return l->u.b == r->u.b;
  case CF_NODE_INT: return l->u.i == r->u.i;
  case CF_NODE_FLOAT: return l->u.f == r->u.f;
  case CF_NODE_STRING: return l->len == r->len && memcmp(l->u.s, r->u.s, l->len) == 0;
  case CF_NODE_ARRAY: {
    if (l->len != r->len) return 0;
    int res = 1;
    for (uint32_t i = 0; i < l->len; i++) {
      int e = values_equal(l->u.items[i], r->u.items[i], depth + 1);
      if (e == 0) return 0;
      if (e < 0) res = -1;
    }
    return res;
  }
  default: return -1;
  }
}

static cf_node_t *call(ex_t *x, const char *fn, cf_node_t **args, size_t n) {
  cf_node_t *a0 = n > 0 ? args[0] : NULL;
  if (strcasecmp(fn, "parameters") == 0 || strcasecmp(fn, "variables") == 0) {
    if (n != 1 || is_unknown(a0) || a0->type != CF_NODE_STRING) return unk(x);
    return fn[0] == 'p' || fn[0] == 'P' ? fn_parameters(x, a0->u.s) : fn_variables(x, a0->u.s);
  }
  if (strcasecmp(fn, "concat") == 0) return fn_concat(x, args, n);
  if (strcasecmp(fn, "format") == 0) return fn_format(x, args, n);
  if (strcasecmp(fn, "toLower") == 0 && n == 1) return fn_case(x, a0, false);
  if (strcasecmp(fn, "toUpper") == 0 && n == 1) return fn_case(x, a0, true);
  if (strcasecmp(fn, "true") == 0 && n == 0) return mk_bool(x, true);
  if (strcasecmp(fn, "false") == 0 && n == 0) return mk_bool(x, false);
  if (strcasecmp(fn, "string") == 0 && n == 1) {
    if (is_unknown(a0)) return unk(x);
    if (a0->type == CF_NODE_STRING) return a0;
    cf_buf_t b;
    cf__buf_init(&b, 64);
    bool oom = false, ok = scalar_text(a0, &b, &oom);
    return buf_result(x, &b, ok, oom);
  }
  if (strcasecmp(fn, "bool") == 0 && n == 1) {
    if (is_unknown(a0)) return unk(x);
    if (a0->type == CF_NODE_BOOL) return a0;
    int t = cf_node_truth(a0);
    if (t >= 0) return mk_bool(x, t == 1);
    if (a0->type == CF_NODE_INT) return mk_bool(x, a0->u.i != 0);
    return unk(x);
  }
  if (strcasecmp(fn, "int") == 0 && n == 1) {
    if (is_unknown(a0)) return unk(x);
    if (a0->type == CF_NODE_INT) return a0;
    if (a0->type == CF_NODE_STRING) {
      char *end = NULL;
      long long v = strtoll(a0->u.s, &end, 10);
      if (end != a0->u.s && *end == '\0') return mk_int(x, v);
    }
    return unk(x);
  }
  if (strcasecmp(fn, "if") == 0 && n == 3) {
    int c = as_bool(a0);
    return c < 0 ? unk(x) : c ? args[1] : args[2];
  }
  if (strcasecmp(fn, "equals") == 0 && n == 2) {
    int e = values_equal(args[0], args[1], 0);
    return e < 0 ? unk(x) : mk_bool(x, e == 1);
  }
  if (strcasecmp(fn, "not") == 0 && n == 1) {
    int c = as_bool(a0);
    return c < 0 ? unk(x) : mk_bool(x, !c);
  }
  if ((strcasecmp(fn, "and") == 0 || strcasecmp(fn, "or") == 0) && n >= 1) {
    /* and is false as soon as one part is false, even next to unknowns; or is the dual. */
    bool is_and = fn[0] == 'a' || fn[0] == 'A', any_unknown = false;
    for (size_t i = 0; i < n; i++) {
      int c = as_bool(args[i]);
      if (c < 0) any_unknown = true;
      else if (c == (is_and ? 0 : 1)) return mk_bool(x, !is_and);
    }
    return any_unknown ? unk(x) : mk_bool(x, is_and);
  }
  if (strcasecmp(fn, "empty") == 0 && n == 1) {
    if (is_unknown(a0)) return unk(x);
    if (a0->type == CF_NODE_NULL) return mk_bool(x, true);
    if (a0->type == CF_NODE_STRING || a0->type == CF_NODE_ARRAY || a0->type == CF_NODE_OBJECT) return mk_bool(x, a0->len == 0);
    return unk(x);
  }
  if (strcasecmp(fn, "coalesce") == 0) {
    for (size_t i = 0; i < n; i++) {
      if (is_unknown(args[i])) return unk(x);
      if (args[i]->type != CF_NODE_NULL) return args[i];
    }
    return unk(x);
  }
  /* Everything else depends on the deployment, or is not worth knowing here. */
  return unk(x);
}

static cf_node_t *parse_expr(ex_t *x);

/* 'text' with '' for a quote. */
static cf_node_t *parse_string(ex_t *x) {
  cf_buf_t b;
  cf__buf_init(&b, ARM_MAX_EXPR);
  x->p++;
  bool closed = false, oom = false;
  while (x->p < x->end) {
    char c = *x->p++;
    if (c == '\'') {
      if (x->p < x->end && *x->p == '\'') {
        x->p++;
      } else {
        closed = true;
        break;
      }
    }
    cf_err e = cf__buf_putc(&b, c);
    if (e == CF_ENOMEM) oom = true;
    if (e) break;
  }
  if (!closed) x->bad = true;
  return buf_result(x, &b, closed, oom);
}

static cf_node_t *parse_number(ex_t *x) {
  const char *s = x->p;
  if (*x->p == '-') x->p++;
  long long v = 0;
  bool any = false;
  while (x->p < x->end && *x->p >= '0' && *x->p <= '9') {
    if (v < 100000000000000000LL) v = v * 10 + (*x->p - '0');
    x->p++;
    any = true;
  }
  if (!any) {
    x->bad = true;
    return unk(x);
  }
  return mk_int(x, *s == '-' ? -v : v);
}

static cf_node_t *parse_call(ex_t *x) {
  char name[128];
  size_t n = 0;
  /* Names of user-defined functions carry a namespace: "ns.fn". */
  while (x->p < x->end && (ident_char(*x->p) || (*x->p == '.' && x->p + 1 < x->end && ident_start(x->p[1])))) {
    if (n + 1 < sizeof name) name[n++] = *x->p;
    x->p++;
  }
  name[n] = '\0';
  skip_ws(x);
  if (x->p >= x->end || *x->p != '(') {
    if (strcasecmp(name, "true") == 0) return mk_bool(x, true);
    if (strcasecmp(name, "false") == 0) return mk_bool(x, false);
    if (strcasecmp(name, "null") == 0) {
      cf_node_t *v = cf_node_new(x->a->ac->arena, CF_NODE_NULL, x->pos);
      if (!v) x->a->oom = true;
      return v;
    }
    x->bad = true;
    return unk(x);
  }
  x->p++;
  cf_node_t *args[ARM_MAX_ARGS];
  size_t na = 0;
  skip_ws(x);
  if (x->p < x->end && *x->p == ')') {
    x->p++;
  } else {
    for (;;) {
      cf_node_t *v = parse_expr(x);
      if (!v || x->bad) return v;
      if (na == ARM_MAX_ARGS) {
        x->bad = true;
        return unk(x);
      }
      args[na++] = v;
      skip_ws(x);
      if (x->p < x->end && *x->p == ',') {
        x->p++;
        continue;
      }
      if (x->p < x->end && *x->p == ')') {
        x->p++;
        break;
      }
      x->bad = true;
      return unk(x);
    }
  }
  return call(x, name, args, na);
}

/* A property or an index of a value. */
static cf_node_t *member_of(ex_t *x, cf_node_t *v, const cf_node_t *key) {
  if (is_unknown(v) || is_unknown(key)) return unk(x);
  if (v->type == CF_NODE_OBJECT && key->type == CF_NODE_STRING) {
    const cf_node_t *m = cf_node_get_ci(v, key->u.s);
    return m ? (cf_node_t *)m : unk(x);
  }
  if (v->type == CF_NODE_ARRAY && key->type == CF_NODE_INT && key->u.i >= 0 && (uint64_t)key->u.i < v->len)
    return v->u.items[key->u.i];
  return unk(x);
}

static cf_node_t *parse_expr(ex_t *x) {
  /* One depth count for calls and for the values they resolve (a parameter's default that is
   * itself an expression), so that the C stack stays small whatever the template does. */
  if (x->a->depth >= ARM_MAX_EVAL_DEPTH || x->a->budget == 0) {
    x->bad = true;
    return unk(x);
  }
  x->a->depth++;
  x->a->budget--;
  skip_ws(x);
  cf_node_t *v;
  if (x->p >= x->end) {
    x->bad = true;
    v = unk(x);
  } else if (*x->p == '\'') {
    v = parse_string(x);
  } else if (*x->p == '-' || (*x->p >= '0' && *x->p <= '9')) {
    v = parse_number(x);
  } else if (ident_start(*x->p)) {
    v = parse_call(x);
  } else {
    x->bad = true;
    v = unk(x);
  }
  /* Accessors: .name and [index]. */
  while (v && !x->bad) {
    skip_ws(x);
    if (x->p < x->end && *x->p == '.') {
      x->p++;
      const char *s = x->p;
      while (x->p < x->end && ident_char(*x->p)) x->p++;
      if (x->p == s) {
        x->bad = true;
        break;
      }
      cf_node_t *key = mk_str(x, s, (size_t)(x->p - s));
      v = key ? member_of(x, v, key) : NULL;
    } else if (x->p < x->end && *x->p == '[') {
      x->p++;
      cf_node_t *key = parse_expr(x);
      skip_ws(x);
      if (!key || x->bad || x->p >= x->end || *x->p != ']') {
        x->bad = true;
        break;
      }
      x->p++;
      v = member_of(x, v, key);
    } else {
      break;
    }
  }
  x->a->depth--;
  return x->bad ? unk(x) : v;
}

/* Evaluates the expression inside "[...]" (text without the brackets). */
static cf_node_t *eval_expression(arm_t *a, const arm_scope_t *sc, const char *text, size_t len, cf_pos_t pos) {
  ex_t x = {a, sc, text, text + len, pos, false};
  if (len > ARM_MAX_EXPR) return unknown_at(a, pos);
  cf_node_t *v = parse_expr(&x);
  skip_ws(&x);
  if (!v) return NULL;
  if (x.bad || x.p != x.end) return unknown_at(a, pos);
  /* A scalar picked out of a parameter or variable (`variables('cfg').https`) is reported
   * where the template uses it. Every value here is a fresh copy, so this changes nothing
   * else. */
  if (v->type != CF_NODE_OBJECT && v->type != CF_NODE_ARRAY) v->pos = pos;
  return v;
}

/* A deep copy of n with every expression string evaluated. NULL only when out of memory. */
static cf_node_t *resolve(arm_t *a, const arm_scope_t *sc, const cf_node_t *n) {
  if (!n) return NULL;
  if (a->oom) return NULL;
  if (a->depth >= ARM_MAX_EVAL_DEPTH || a->budget == 0) return unknown_at(a, n->pos);
  a->depth++;
  a->budget--;
  cf_node_t *out = NULL;
  cf_arena_t *ar = a->ac->arena;
  switch (n->type) {
  case CF_NODE_STRING:
    if (!charge(a, n->len)) {
      out = cf__n_unknown(a->ac, n->pos);
    } else if (n->len >= 2 && n->u.s[0] == '[' && n->u.s[n->len - 1] == ']') {
      if (n->u.s[1] == '[') out = cf_node_new_str(ar, n->u.s + 1, n->len - 1, n->pos);
      else out = eval_expression(a, sc, n->u.s + 1, n->len - 2, n->pos);
    } else {
      out = cf__n_copy(a->ac, n);
    }
    break;
  case CF_NODE_OBJECT:
    out = cf_node_new_object(ar, n->pos);
    /* Appended as they come (cf_node_set would search the object for every key): duplicate
     * keys stay as the source had them, and lookups find the first, as in the source. */
    for (uint32_t i = 0; out && i < n->len; i++) {
      const cf_member_t *m = &n->u.members[i];
      cf_node_t *v = resolve(a, sc, m->value);
      if (!v || cf__node_append_member(ar, out, m->key, m->key_len, m->key_pos, v)) out = NULL;
    }
    break;
  case CF_NODE_ARRAY:
    out = cf_node_new_array(ar, n->pos);
    for (uint32_t i = 0; out && i < n->len; i++) {
      cf_node_t *v = resolve(a, sc, n->u.items[i]);
      if (!v || cf_node_push(ar, out, v)) out = NULL;
    }
    break;
  default:
    out = cf__n_copy(a->ac, n);
  }
  a->depth--;
  if (!out) a->oom = true;
  return out;
}

/* ---- resources ---- */

typedef struct res_info {
  const char *type;     /* full type */
  const char *name;     /* full name when known, else NULL */
  const char *address;  /* shown to users (see the file's comment) */
  cf_node_t *name_node; /* the resolved own (possibly relative) name */
  cf_pos_t pos;
} res_info_t;

/* A type whose first segment is a provider namespace ("Microsoft.Storage/...") is full. */
static bool type_is_full(const char *t) {
  const char *slash = strchr(t, '/');
  const char *dot = strchr(t, '.');
  return dot && (!slash || dot < slash);
}

static size_t count_char(const char *s, char c) {
  size_t n = 0;
  for (; *s; s++) n += *s == c;
  return n;
}

/* prefix + "t1/t2" + "n1/n2" -> "prefix/t1/n1/t2/n2" when the name is known and its segments
 * line up with the type's, else "prefix/t1/t2/name-as-written". prefix is the provider
 * namespace for a resource declared with its full type, the parent's address for a nested
 * one. */
static char *make_address(cf_arena_t *ar, const char *prefix, const char *type, const char *name, const char *written) {
  if (!name || count_char(type, '/') != count_char(name, '/'))
    return cf__arena_printf(ar, "%s/%s/%s", prefix, type, name ? name : written);
  cf_buf_t b;
  cf__buf_init(&b, 1u << 16);
  bool ok = cf__buf_puts(&b, prefix) == CF_OK;
  const char *t = type, *nm = name;
  while (ok && *t) {
    size_t tl = strcspn(t, "/"), nl = strcspn(nm, "/");
    ok = cf__buf_putc(&b, '/') == CF_OK && cf__buf_append(&b, t, tl) == CF_OK && cf__buf_putc(&b, '/') == CF_OK &&
         cf__buf_append(&b, nm, nl) == CF_OK;
    t += tl + (t[tl] == '/');
    nm += nl + (nm[nl] == '/');
  }
  char *out = ok ? cf__arena_strndup(ar, b.data, b.len) : NULL;
  cf__buf_cleanup(&b);
  return out;
}

typedef struct map_ctx {
  arm_t *a;
  cf_resource_t *r;
  const res_info_t *ri;
  const cf_node_t *props; /* resolved properties, may be NULL */
} map_ctx_t;

static void set_attr(map_ctx_t *m, const char *key, cf_node_t *v) {
  if (!v || cf__res_set(m->a->ac, m->r, key, v)) m->a->oom = true;
}

static void set_bool_prop(map_ctx_t *m, const char *prop, const char *key) {
  const cf_node_t *v = cf_node_get_ci(m->props, prop);
  if (!v || v->type == CF_NODE_NULL) return;
  int t = cf_node_truth(v);
  set_attr(m, key, t >= 0 ? cf__n_bool(m->a->ac, t == 1, v->pos) : (cf_node_t *)v);
}

static void map_account(map_ctx_t *m) {
  set_attr(m, "name", m->ri->name_node);
  set_bool_prop(m, "allowBlobPublicAccess", "allow_blob_public_access");
  set_bool_prop(m, "supportsHttpsTrafficOnly", "https_only");
  const cf_node_t *tls = cf_node_get_ci(m->props, "minimumTlsVersion");
  if (tls && tls->type != CF_NODE_NULL) set_attr(m, "min_tls_version", (cf_node_t *)tls);
}

/* The segment `which` (0 first, -1 last) of a/b/c as a string node at pos. */
static cf_node_t *segment(arm_t *a, const char *s, int which, cf_pos_t pos) {
  const char *start = s, *end;
  if (which < 0) {
    const char *slash = strrchr(s, '/');
    start = slash ? slash + 1 : s;
    end = s + strlen(s);
  } else {
    end = s + strcspn(s, "/");
  }
  cf_node_t *v = cf_node_new_str(a->ac->arena, start, (size_t)(end - start), pos);
  if (!v) a->oom = true;
  return v;
}

static void map_container(map_ctx_t *m, const res_info_t *parent) {
  arm_t *a = m->a;
  cf_pos_t npos = m->ri->name_node ? m->ri->name_node->pos : m->ri->pos;
  const char *own = cf_node_str(m->ri->name_node);
  /* The container's name is the last segment of its name; the account is the first segment
   * of the full name, known from the parent even when the container's own name is not. */
  if (m->ri->name) set_attr(m, "name", segment(a, m->ri->name, -1, npos));
  else if (own) set_attr(m, "name", segment(a, own, -1, npos));
  else set_attr(m, "name", unknown_at(a, npos));
  if (m->ri->name) set_attr(m, "storage_account", segment(a, m->ri->name, 0, npos));
  else if (parent && parent->name) set_attr(m, "storage_account", segment(a, parent->name, 0, npos));
  else set_attr(m, "storage_account", unknown_at(a, npos));
  const cf_node_t *pa = cf_node_get_ci(m->props, "publicAccess");
  if (pa && pa->type == CF_NODE_STRING) {
    char *low = cf__arena_strndup(a->ac->arena, pa->u.s, pa->len);
    if (!low) {
      a->oom = true;
      return;
    }
    for (char *c = low; *c; c++)
      if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
    set_attr(m, "public_access", cf__n_str(a->ac, low, pa->pos));
  } else if (pa && pa->type != CF_NODE_NULL) {
    set_attr(m, "public_access", (cf_node_t *)pa);
  }
}

static const struct arm_type {
  const char *type;
  const char *canonical;
} arm_types[] = {
    {"Microsoft.Storage/storageAccounts", "azure.storage.account"},
    {"Microsoft.Storage/storageAccounts/blobServices/containers", "azure.storage.container"},
};

/* `metadata: {cloudfort: {ignore: [{id, reason} | "ID"]}}` (also "cloudfort:ignore"). */
static cf_err metadata_suppress(arm_t *a, cf_resource_t *r, const cf_node_t *def) {
  const cf_node_t *meta = cf_node_get_ci(def, "metadata");
  const cf_node_t *list = cf_node_get(cf_node_get(meta, "cloudfort"), "ignore");
  if (!list) list = cf_node_get(meta, "cloudfort:ignore");
  if (!list) return CF_OK;
  const cf_node_t *one[1] = {list};
  const cf_node_t *const *items = list->type == CF_NODE_ARRAY ? (const cf_node_t *const *)list->u.items : one;
  uint32_t n = list->type == CF_NODE_ARRAY ? list->len : 1;
  for (uint32_t i = 0; i < n; i++) {
    const char *id = cf_node_str(items[i]);
    const char *reason = NULL;
    if (!id) {
      id = cf_node_str(cf_node_get(items[i], "id"));
      reason = cf_node_str(cf_node_get(items[i], "reason"));
    }
    if (!id) {
      cf__adapt_warn(a->ac, items[i]->pos, "metadata cloudfort.ignore entries need an 'id' (and a 'reason')");
      continue;
    }
    cf_err e = cf__res_suppress(a->ac, r, id, reason, CF_SUPPRESS_METADATA);
    if (e) return e;
  }
  return CF_OK;
}

static cf_err emit_resource(arm_t *a, const arm_scope_t *sc, const cf_node_t *def, const res_info_t *ri,
                            const res_info_t *parent, const struct arm_type *at) {
  cf_adapt_ctx_t *ac = a->ac;
  const char *address = ri->address;
  cf_resource_t *r = cf__res_new(ac, at->canonical, address, ri->pos);
  if (!r || cf__res_add_id(ac, r, address)) return CF_ENOMEM;
  const cf_node_t *props_src = cf_node_get_ci(def, "properties");
  cf_node_t *props = props_src ? resolve(a, sc, props_src) : NULL;
  if (a->oom) return CF_ENOMEM;
  map_ctx_t m = {a, r, ri, props && props->type == CF_NODE_OBJECT ? props : NULL};
  if (strcmp(at->canonical, "azure.storage.account") == 0) {
    map_account(&m);
    if (ri->name && cf__res_add_id(ac, r, ri->name)) return CF_ENOMEM;
  } else {
    map_container(&m, parent);
  }
  const cf_node_t *api = cf_node_get_ci(def, "apiVersion");
  if (cf_node_str(api)) set_attr(&m, "api_version", cf__n_copy(ac, api));
  const cf_node_t *tags = cf_node_get_ci(def, "tags");
  if (tags) {
    cf_node_t *t = resolve(a, sc, tags);
    if (t && (t->type == CF_NODE_OBJECT || t->type == CF_NODE_UNKNOWN)) set_attr(&m, "tags", t);
  }
  if (a->oom) return CF_ENOMEM;
  cf_err e = metadata_suppress(a, r, def);
  if (e) return e;
  return ac->emit(ac, r);
}

static cf_err walk(arm_t *a, const arm_scope_t *sc, const cf_node_t *list, const res_info_t *parent, unsigned nest,
                   unsigned deploy_nest);

/* An inline nested deployment: its template's resources in the scope it asks for. */
static cf_err walk_deployment(arm_t *a, const arm_scope_t *sc, const cf_node_t *def, unsigned nest, unsigned deploy_nest) {
  const cf_node_t *props = cf_node_get_ci(def, "properties");
  const cf_node_t *tmpl = cf_node_get_ci(props, "template");
  if (!tmpl || tmpl->type != CF_NODE_OBJECT) return CF_OK;
  if (deploy_nest >= ARM_MAX_DEPLOY_NEST) {
    cf__adapt_warn(a->ac, tmpl->pos, "deployments nested deeper than %d levels are not read", ARM_MAX_DEPLOY_NEST);
    return CF_OK;
  }
  const char *scope = cf_node_str(cf_node_get_ci(cf_node_get_ci(props, "expressionEvaluationOptions"), "scope"));
  arm_scope_t inner = {cf_node_get_ci(tmpl, "parameters"), cf_node_get_ci(tmpl, "variables"),
                       cf_node_get_ci(props, "parameters"), sc};
  const arm_scope_t *use = scope && strcasecmp(scope, "inner") == 0 ? &inner : sc;
  return walk(a, use, cf_node_get_ci(tmpl, "resources"), NULL, nest + 1, deploy_nest + 1);
}

static cf_err walk_one(arm_t *a, const arm_scope_t *sc, const cf_node_t *def, const res_info_t *parent, unsigned nest,
                       unsigned deploy_nest) {
  if (!def || def->type != CF_NODE_OBJECT) return CF_OK;
  const cf_node_t *cond = cf_node_get_ci(def, "condition");
  if (cond && cond->type == CF_NODE_BOOL && !cond->u.b) return CF_OK; /* never deployed */
  const cf_member_t *tm = NULL;
  for (uint32_t i = 0; i < def->len && !tm; i++)
    if (strcasecmp(def->u.members[i].key, "type") == 0) tm = &def->u.members[i];
  const char *type = tm ? cf_node_str(tm->value) : NULL;
  if (!type || !*type) return CF_OK;
  cf_arena_t *ar = a->ac->arena;
  res_info_t ri;
  memset(&ri, 0, sizeof ri);
  ri.pos = tm->key_pos;
  bool relative = parent && !type_is_full(type);
  ri.type = relative ? cf__arena_printf(ar, "%s/%s", parent->type, type) : type;
  const cf_node_t *name_src = cf_node_get_ci(def, "name");
  ri.name_node = name_src ? resolve(a, sc, name_src) : unknown_at(a, ri.pos);
  if (!ri.type || !ri.name_node || a->oom) return CF_ENOMEM;
  const char *own = cf_node_str(ri.name_node);
  const char *written = cf_node_str(name_src);
  if (!written) written = "(unnamed)";
  if (relative) {
    ri.name = own && parent->name ? cf__arena_printf(ar, "%s/%s", parent->name, own) : NULL;
    if (own && parent->name && !ri.name) return CF_ENOMEM;
    ri.address = make_address(ar, parent->address, type, own, written);
  } else {
    ri.name = own;
    const char *slash = strchr(type, '/');
    char *ns = cf__arena_strndup(ar, type, slash ? (size_t)(slash - type) : strlen(type));
    ri.address = ns ? make_address(ar, ns, slash ? slash + 1 : "", own, written) : NULL;
  }
  if (!ri.address) return CF_ENOMEM;
  const cf_node_t *existing = cf_node_get_ci(def, "existing");
  bool deployed = !(existing && cf_node_truth(existing) == 1);
  for (size_t i = 0; deployed && i < CF_ARRAY_LEN(arm_types); i++) {
    if (strcasecmp(arm_types[i].type, ri.type) != 0) continue;
    cf_err e = emit_resource(a, sc, def, &ri, parent, &arm_types[i]);
    if (e) return e;
  }
  if (deployed && strcasecmp(ri.type, "Microsoft.Resources/deployments") == 0) {
    cf_err e = walk_deployment(a, sc, def, nest, deploy_nest);
    if (e) return e;
  }
  const cf_node_t *children = cf_node_get_ci(def, "resources");
  return children ? walk(a, sc, children, &ri, nest + 1, deploy_nest) : CF_OK;
}

static cf_err walk(arm_t *a, const arm_scope_t *sc, const cf_node_t *list, const res_info_t *parent, unsigned nest,
                   unsigned deploy_nest) {
  if (!list) return CF_OK;
  if (nest >= ARM_MAX_NEST) {
    cf__adapt_warn(a->ac, list->pos, "resources nested deeper than %d levels are not read", ARM_MAX_NEST);
    return CF_OK;
  }
  /* languageVersion 2.0 templates key their resources by symbolic name. */
  if (list->type == CF_NODE_OBJECT) {
    for (uint32_t i = 0; i < list->len; i++) {
      cf_err e = walk_one(a, sc, list->u.members[i].value, parent, nest, deploy_nest);
      if (e) return e;
    }
  } else if (list->type == CF_NODE_ARRAY) {
    for (uint32_t i = 0; i < list->len; i++) {
      cf_err e = walk_one(a, sc, list->u.items[i], parent, nest, deploy_nest);
      if (e) return e;
    }
  }
  return CF_OK;
}

cf_err cf__adapt_arm(cf_adapt_ctx_t *ac, const cf_doc_t *doc) {
  if (!doc || doc->n_roots == 0) return CF_OK;
  const cf_node_t *root = doc->roots[0];
  size_t text_len = ac->text ? ac->text_len : 0;
  arm_t a = {ac, 0, ARM_STEP_BUDGET + ARM_STEPS_PER_BYTE * text_len, ARM_BYTE_BUDGET + ARM_BYTES_PER_BYTE * text_len,
             false};
  arm_scope_t top = {cf_node_get_ci(root, "parameters"), cf_node_get_ci(root, "variables"), NULL, NULL};
  cf_err e = walk(&a, &top, cf_node_get_ci(root, "resources"), NULL, 0, 0);
  if (!e && a.oom) e = CF_ENOMEM;
  return e;
}
