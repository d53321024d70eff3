/*
 * rule_eval.c - evaluates compiled conditions on canonical resources.
 *
 * Three-valued logic (Kleene): a value known only at deployment makes a leaf unknown, `all`
 * is false if any part is false, else unknown if any part is unknown; `any` the dual; `not`
 * keeps unknown. A path may select several values (wildcards, arrays are walked implicitly);
 * a leaf is true when any selected value satisfies it.
 *
 * Incomplete resources (known only in part, such as a bucket whose policy is the only thing
 * the template says about it): a path that selects nothing there is unknown, not absent, for
 * every operator and quantifier, so that "not encrypted" or "not versioned" does not fire on
 * what the source simply does not describe.
 *
 * Evidence: the leaf that decided records its path and the value it saw ("acl.canned =
 * public-read", "logging.enabled is not set"), truncated to CF_LIMIT_EVIDENCE bytes; `all`
 * joins the evidence of its parts with "; ". The witness value gives the finding's line.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "doc/doc_internal.h"
#include "rule.h"

#define MAX_SELECT 4096 /* values one path may select; more are ignored */

typedef struct sel {
  const cf_node_t *v[64];
  const cf_node_t **more;
  size_t n;
  bool truncated;
  bool nomem; /* the overflow block could not be allocated */
} sel_t;

/* Selection results live on the stack up to 64 values; beyond that in a small heap block. */
static void sel_add(sel_t *s, const cf_node_t *n) {
  if (s->n >= MAX_SELECT) {
    s->truncated = true;
    return;
  }
  if (s->n < 64) {
    s->v[s->n++] = n;
    return;
  }
  if (!s->more) {
    s->more = malloc(MAX_SELECT * sizeof(*s->more));
    if (!s->more) {
      s->truncated = s->nomem = true;
      return;
    }
  }
  s->more[s->n++ - 64] = n;
}

static const cf_node_t *sel_get(const sel_t *s, size_t i) { return i < 64 ? s->v[i] : s->more[i - 64]; }

static void sel_free(sel_t *s) { free(s->more); }

static _Thread_local pcre2_match_data *tl_match;

void cf__eval_thread_done(void) {
  pcre2_match_data_free(tl_match);
  tl_match = NULL;
}

/* Records that evaluation ran out of memory (the scan then fails with CF_ENOMEM). */
static void eval_nomem(const eval_env_t *env) {
  if (env->nomem) *env->nomem = true;
}

/* Walks path steps from node, adding every reached value. Arrays met by a key step are walked
 * into (implicit projection). Unknown nodes stop the walk and are added as they are. */
static void walk(const rpath_t *p, uint32_t i, const cf_node_t *n, sel_t *out, unsigned depth) {
  if (!n || depth > 64) return;
  if (n->type == CF_NODE_UNKNOWN) {
    sel_add(out, n);
    return;
  }
  if (i == p->n) {
    sel_add(out, n);
    return;
  }
  const path_step_t *st = &p->steps[i];
  switch (st->kind) {
  case STEP_KEY:
    if (n->type == CF_NODE_OBJECT) {
      walk(p, i + 1, cf__node_get_n(n, st->key, st->key_len), out, depth + 1);
    } else if (n->type == CF_NODE_ARRAY) {
      for (uint32_t k = 0; k < n->len; k++) walk(p, i, n->u.items[k], out, depth + 1);
    }
    break;
  case STEP_ANY:
    if (n->type == CF_NODE_OBJECT) {
      for (uint32_t k = 0; k < n->len; k++) walk(p, i + 1, n->u.members[k].value, out, depth + 1);
    } else if (n->type == CF_NODE_ARRAY) {
      for (uint32_t k = 0; k < n->len; k++) walk(p, i + 1, n->u.items[k], out, depth + 1);
    }
    break;
  case STEP_INDEX:
    if (n->type == CF_NODE_ARRAY && st->index < n->len) walk(p, i + 1, n->u.items[st->index], out, depth + 1);
    break;
  }
}

/* Empties a selection (the value slots need no clearing: n says how many are used). */
static void sel_init(sel_t *s) {
  s->more = NULL;
  s->n = 0;
  s->truncated = s->nomem = false;
}

static void select_path(const rpath_t *p, const cf_resource_t *r, const cf_node_t *ctx, sel_t *out) {
  sel_init(out);
  walk(p, 0, p->from_root ? r->attrs : ctx, out, 0);
}

/* ---- value comparison ---- */

static bool str_eq(const cf_node_t *a, const char *b, bool ci) {
  return a->type == CF_NODE_STRING && (ci ? strcasecmp(a->u.s, b) == 0 : strcmp(a->u.s, b) == 0);
}

/* Equality with the coercions cloud formats need: "true" equals true, "80" equals 80. */
static bool values_equal(const cf_node_t *a, const cf_node_t *b, bool ci, unsigned depth) {
  if (depth > 32) return false;
  if (a->type == CF_NODE_STRING && b->type == CF_NODE_STRING)
    return a->len == b->len && (ci ? strcasecmp(a->u.s, b->u.s) == 0 : memcmp(a->u.s, b->u.s, a->len) == 0);
  int ta = cf_node_truth(a), tb = cf_node_truth(b);
  if ((a->type == CF_NODE_BOOL || b->type == CF_NODE_BOOL) && ta >= 0 && tb >= 0) return ta == tb;
  double x, y;
  if ((a->type == CF_NODE_INT || a->type == CF_NODE_FLOAT || b->type == CF_NODE_INT ||
       b->type == CF_NODE_FLOAT) &&
      cf_node_number(a, &x) && cf_node_number(b, &y))
    return x == y;
  if (a->type != b->type) return false;
  switch (a->type) {
  case CF_NODE_NULL: return true;
  case CF_NODE_ARRAY:
    if (a->len != b->len) return false;
    for (uint32_t i = 0; i < a->len; i++)
      if (!values_equal(a->u.items[i], b->u.items[i], ci, depth + 1)) return false;
    return true;
  case CF_NODE_OBJECT:
    if (a->len != b->len) return false;
    for (uint32_t i = 0; i < a->len; i++) {
      const cf_node_t *bv = cf_node_get(b, a->u.members[i].key);
      if (!bv || !values_equal(a->u.members[i].value, bv, ci, depth + 1)) return false;
    }
    return true;
  default: return false;
  }
}

static bool in_list(const cf_node_t *v, const cf_node_t *list, bool ci) {
  for (uint32_t i = 0; i < list->len; i++)
    if (values_equal(v, list->u.items[i], ci, 0)) return true;
  return false;
}

static bool type_is(const cf_node_t *v, const char *t) {
  switch (v->type) {
  case CF_NODE_STRING: return strcmp(t, "string") == 0;
  case CF_NODE_BOOL: return strcmp(t, "bool") == 0;
  case CF_NODE_INT: return strcmp(t, "int") == 0 || strcmp(t, "number") == 0;
  case CF_NODE_FLOAT: return strcmp(t, "float") == 0 || strcmp(t, "number") == 0;
  case CF_NODE_ARRAY: return strcmp(t, "array") == 0;
  case CF_NODE_OBJECT: return strcmp(t, "object") == 0;
  case CF_NODE_NULL: return strcmp(t, "null") == 0;
  default: return false;
  }
}

/* Port range of an ingress/egress element: protocol -1/all covers every port. */
static tri_t port_includes(const cf_node_t *el, double port) {
  if (el->type != CF_NODE_OBJECT) return TRI_F;
  const cf_node_t *proto = CF_GET(el, "protocol");
  if (proto && proto->type == CF_NODE_UNKNOWN) return TRI_U;
  if (proto && (str_eq(proto, "-1", false) || str_eq(proto, "all", true) ||
                (proto->type == CF_NODE_INT && proto->u.i == -1)))
    return TRI_T;
  /* Only TCP and UDP have ports; ICMP "ports" are types and codes. */
  if (proto && (str_eq(proto, "icmp", true) || str_eq(proto, "icmpv6", true))) return TRI_F;
  const cf_node_t *from = CF_GET(el, "from_port"), *to = CF_GET(el, "to_port");
  if ((from && from->type == CF_NODE_UNKNOWN) || (to && to->type == CF_NODE_UNKNOWN)) return TRI_U;
  double f, t;
  bool hf = cf_node_number(from, &f), ht = cf_node_number(to, &t);
  if (!hf && !ht) return TRI_F;
  if (!hf) f = t;
  if (!ht) t = f;
  if (f == -1 && t == -1) return TRI_T;
  return (port >= f && port <= t) ? TRI_T : TRI_F;
}

/* One value against one operator. *inner may be set to a more precise witness inside v (the
 * policy statement that matched). */
static tri_t leaf_value(const eval_env_t *env, const cond_t *c, const cf_node_t *v,
                        const cf_node_t **inner) {
  if (v->type == CF_NODE_UNKNOWN) return TRI_U;
  double x;
  switch ((cond_op)c->op) {
  case OP_EQUALS: return values_equal(v, c->operand, false, 0) ? TRI_T : TRI_F;
  case OP_NOT_EQUALS: return values_equal(v, c->operand, false, 0) ? TRI_F : TRI_T;
  case OP_IEQUALS: return values_equal(v, c->operand, true, 0) ? TRI_T : TRI_F;
  case OP_IN: return in_list(v, c->operand, false) ? TRI_T : TRI_F;
  case OP_NOT_IN: return in_list(v, c->operand, false) ? TRI_F : TRI_T;
  case OP_IIN: return in_list(v, c->operand, true) ? TRI_T : TRI_F;
  case OP_REGEX: {
    if (v->type != CF_NODE_STRING) return TRI_F;
    /* Rules only ask whether a regex matches, so one small match block per thread serves
     * every pattern (PCRE2 fills what fits); threads that end free it (cf__eval_thread_done). */
    pcre2_match_data *md = tl_match;
    if (!md && !(md = tl_match = pcre2_match_data_create(1, NULL))) {
      eval_nomem(env);
      return TRI_F;
    }
    int rc = pcre2_match(c->re, (PCRE2_SPTR)v->u.s, v->len, 0, 0, md, NULL);
    if (rc == PCRE2_ERROR_NOMEMORY) eval_nomem(env);
    return rc >= 0 ? TRI_T : TRI_F;
  }
  case OP_GT: return cf_node_number(v, &x) && x > c->num ? TRI_T : TRI_F;
  case OP_GTE: return cf_node_number(v, &x) && x >= c->num ? TRI_T : TRI_F;
  case OP_LT: return cf_node_number(v, &x) && x < c->num ? TRI_T : TRI_F;
  case OP_LTE: return cf_node_number(v, &x) && x <= c->num ? TRI_T : TRI_F;
  case OP_CONTAINS:
    if (v->type == CF_NODE_ARRAY) {
      for (uint32_t i = 0; i < v->len; i++) {
        if (v->u.items[i]->type == CF_NODE_UNKNOWN) continue;
        if (values_equal(v->u.items[i], c->operand, false, 0)) return TRI_T;
      }
      return TRI_F;
    }
    if (v->type == CF_NODE_STRING && c->operand->type == CF_NODE_STRING)
      return memmem(v->u.s, v->len, c->operand->u.s, c->operand->len) ? TRI_T : TRI_F;
    return TRI_F;
  case OP_EMPTY: {
    bool empty = (v->type == CF_NODE_STRING || v->type == CF_NODE_ARRAY || v->type == CF_NODE_OBJECT) && v->len == 0;
    empty = empty || v->type == CF_NODE_NULL;
    return empty == c->operand->u.b ? TRI_T : TRI_F;
  }
  case OP_INTERNET:
    if (v->type != CF_NODE_STRING) return c->operand->u.b ? TRI_F : TRI_T;
    return cf__cidr_is_internet(v->u.s) == c->operand->u.b ? TRI_T : TRI_F;
  case OP_PORT_INCLUDES: return port_includes(v, c->num);
  case OP_OLDER_THAN_DAYS:
  case OP_NEWER_THAN_DAYS: {
    int64_t t;
    if (v->type != CF_NODE_STRING || !cf__parse_time(v->u.s, &t)) return TRI_F;
    double age = (double)(env->now - t) / 86400.0;
    return (c->op == OP_OLDER_THAN_DAYS ? age > c->num : age <= c->num) ? TRI_T : TRI_F;
  }
  case OP_POLICY: return cf__policy_eval(c->pq, v, inner);
  case OP_TYPE: return type_is(v, c->operand->u.s) ? TRI_T : TRI_F;
  default: return TRI_F;
  }
}

/* Canonical attributes that may hold a secret: environment variable values and user data.
 * Their evidence shows the first characters and the length only, never the whole value
 * (DESIGN.md: the tool never prints a full secret unless asked). */
static bool may_hold_secret(const char *path) {
  const char *last = strrchr(path, '.');
  last = last ? last + 1 : path;
  size_t n = strcspn(last, "[");
  return (n == 5 && strncmp(last, "value", 5) == 0) || (n == 9 && strncmp(last, "user_data", 9) == 0);
}

/* Operators about single values, which look into a list found at the end of a path. List
 * operators (contains, empty, type), negative ones and equality with a list keep the list. */
static bool op_walks_lists(const cond_t *c) {
  switch ((cond_op)c->op) {
  case OP_IEQUALS: case OP_IN: case OP_IIN: case OP_REGEX: case OP_GT: case OP_GTE: case OP_LT:
  case OP_LTE: case OP_INTERNET: case OP_PORT_INCLUDES: case OP_OLDER_THAN_DAYS:
  case OP_NEWER_THAN_DAYS:
    return true;
  case OP_EQUALS: return c->operand && c->operand->type != CF_NODE_ARRAY;
  default: return false;
  }
}

/* Appends the strings of a list ("a, b, c") to the evidence, as far as it fits. */
static void append_list(char *buf, size_t n, const cf_node_t *l) {
  if (!l) return;
  if (l->type == CF_NODE_UNKNOWN) {
    size_t k = strlen(buf);
    cf__strfmt(buf + k, n - k, "(known after deployment)");
    return;
  }
  for (uint32_t i = 0; l->type == CF_NODE_ARRAY && i < l->len; i++) {
    size_t k = strlen(buf);
    const char *v = cf_node_str(l->u.items[i]);
    cf__strfmt(buf + k, n - k, "%s%s", i ? ", " : "", v ? v : "(computed)");
  }
}

/* "statement PublicRead: Allow * s3:GetObject on arn:aws:s3:::b/(key)": the statement that made a
 * policy question true, which is what a reader needs to find and fix it. */
static void policy_evidence(eval_out_t *out, const char *label, const cf_node_t *st, tri_t res) {
  char *buf = out->evidence;
  size_t n = sizeof out->evidence;
  if (st->type != CF_NODE_OBJECT) {
    cf__strfmt(buf, n, "%s: %s", label, res == TRI_U ? "outcome known after deployment" : "matches");
    return;
  }
  const char *sid = cf_node_str(CF_GET(st, "sid"));
  const char *eff = cf_node_str(CF_GET(st, "effect"));
  cf__strfmt(buf, n, "%s statement%s%s: %s ", label, sid ? " " : "", sid ? sid : "", eff ? eff : "Allow");
  size_t k = strlen(buf);
  if (cf_node_truth(CF_GET(st, "principal_all")) == 1) cf__strfmt(buf + k, n - k, "* ");
  else if (cf_node_truth(CF_GET(st, "not_principal")) == 1) cf__strfmt(buf + k, n - k, "all but some principals ");
  const cf_node_t *acts = CF_GET(st, "actions");
  k = strlen(buf);
  if (!acts) {
    cf__strfmt(buf + k, n - k, "all actions except ");
    acts = CF_GET(st, "not_actions");
  }
  append_list(buf, n, acts);
  const cf_node_t *res_l = CF_GET(st, "resources");
  if (res_l) {
    k = strlen(buf);
    cf__strfmt(buf + k, n - k, " on ");
    append_list(buf, n, res_l);
  }
  const cf_node_t *conds = CF_GET(st, "conditions");
  if (conds && conds->type == CF_NODE_ARRAY && conds->len) {
    k = strlen(buf);
    cf__strfmt(buf + k, n - k, " (%u condition%s)", conds->len, conds->len == 1 ? "" : "s");
  }
}

static void evidence_value(eval_out_t *out, const char *path, const cf_node_t *v, const char *suffix) {
  char val[CF_LIMIT_EVIDENCE + 1];
  switch (v->type) {
  case CF_NODE_STRING:
    if (may_hold_secret(path) && v->len > 4) {
      int keep = 4; /* do not cut a UTF-8 sequence */
      while (keep > 0 && ((unsigned char)v->u.s[keep] & 0xC0) == 0x80) keep--;
      cf__strfmt(val, sizeof val, "%.*s... (%u characters, redacted)", keep, v->u.s, v->len);
    } else {
      cf__strfmt(val, sizeof val, "%s", v->u.s);
    }
    break;
  case CF_NODE_BOOL: cf__strfmt(val, sizeof val, "%s", v->u.b ? "true" : "false"); break;
  case CF_NODE_INT: cf__strfmt(val, sizeof val, "%lld", (long long)v->u.i); break;
  case CF_NODE_FLOAT: cf__strfmt(val, sizeof val, "%g", v->u.f); break;
  case CF_NODE_NULL: cf__strfmt(val, sizeof val, "null"); break;
  case CF_NODE_UNKNOWN: cf__strfmt(val, sizeof val, "(known after deployment)"); break;
  case CF_NODE_ARRAY: cf__strfmt(val, sizeof val, "[%u items]", v->len); break;
  case CF_NODE_OBJECT: cf__strfmt(val, sizeof val, "{%u keys}", v->len); break;
  }
  /* Control characters would corrupt a terminal report; keep the evidence printable. */
  for (char *p = val; *p; p++)
    if ((unsigned char)*p < 0x20) *p = ' ';
  cf__strfmt(out->evidence, sizeof out->evidence, "%s = %s%s", path, val, suffix ? suffix : "");
}

static const char *path_label(const cond_t *c) {
  return (c->path.text && *c->path.text) ? c->path.text : ".";
}

static tri_t eval_leaf(const eval_env_t *env, const cond_t *c, const cf_resource_t *r,
                       const cf_node_t *ctx, eval_out_t *out) {
  sel_t s;
  select_path(&c->path, r, ctx, &s);
  if (s.nomem) eval_nomem(env);
  tri_t res;
  size_t present = 0, unknown = 0;
  const cf_node_t *first_present = NULL, *first_unknown = NULL;
  for (size_t i = 0; i < s.n; i++) {
    const cf_node_t *v = sel_get(&s, i);
    if (v->type == CF_NODE_NULL) continue;
    if (v->type == CF_NODE_UNKNOWN) {
      unknown++;
      if (!first_unknown) first_unknown = v;
      continue;
    }
    present++;
    if (!first_present) first_present = v;
  }
  const char *label = path_label(c);
  if (c->op == OP_EXISTS || c->op == OP_MISSING) {
    bool want_exists = (c->op == OP_EXISTS) == c->operand->u.b;
    if (present) res = want_exists ? TRI_T : TRI_F;
    else if (unknown || r->incomplete) res = TRI_U;
    else res = want_exists ? TRI_F : TRI_T;
    if (out) {
      out->attribute = label;
      if (present) {
        out->witness = first_present;
        evidence_value(out, label, first_present, NULL);
      } else if (unknown) {
        out->witness = first_unknown;
        evidence_value(out, label, first_unknown, NULL);
      } else {
        out->witness = NULL;
        cf__strfmt(out->evidence, sizeof out->evidence, "%s is not set", label);
      }
    }
    sel_free(&s);
    return res;
  }
  /* Negative operators are about the values that exist: "not_equals X" on nothing is false,
   * like every other operator on nothing (rules say `missing` when absence matters). */
  res = TRI_F;
  const cf_node_t *w = NULL;
  for (size_t i = 0; i < s.n && res != TRI_T; i++) {
    const cf_node_t *v = sel_get(&s, i);
    if (v->type == CF_NODE_NULL && c->op != OP_EMPTY && c->op != OP_TYPE && c->op != OP_EQUALS) continue;
    const cf_node_t *inner = NULL;
    tri_t t;
    if (v->type == CF_NODE_ARRAY && op_walks_lists(c)) {
      /* A list at the end of the path: the operator is about its items ("cidrs internet"). */
      t = TRI_F;
      for (uint32_t k = 0; k < v->len && t != TRI_T; k++) {
        const cf_node_t *it = v->u.items[k];
        if (it->type == CF_NODE_NULL) continue;
        tri_t ti = leaf_value(env, c, it, &inner);
        if (ti == TRI_T) {
          t = TRI_T;
          if (!inner) inner = it;
        } else if (ti == TRI_U) {
          t = TRI_U;
        }
      }
    } else {
      t = leaf_value(env, c, v, &inner);
    }
    if (t == TRI_T) {
      res = TRI_T;
      w = inner ? inner : v;
    } else if (t == TRI_U && res == TRI_F) {
      res = TRI_U;
      w = v;
    }
  }
  /* Nothing there on a resource known only in part: the value exists somewhere else. */
  if (res == TRI_F && s.n == 0 && r->incomplete) res = TRI_U;
  if (out) {
    out->attribute = label;
    if (w) {
      out->witness = w;
      if (c->op == OP_POLICY && c->pq->denies_insecure_transport >= 0)
        cf__strfmt(out->evidence, sizeof out->evidence, "%s: %s", label,
                   res == TRI_U ? "outcome known after deployment"
                   : c->pq->denies_insecure_transport ? "denies requests without TLS"
                                                      : "no statement denies requests without TLS (aws:SecureTransport false)");
      else if (c->op == OP_POLICY) policy_evidence(out, label, w, res);
      else if (c->op == OP_PORT_INCLUDES) {
        const cf_node_t *f = CF_GET(w, "from_port"), *t = CF_GET(w, "to_port");
        const char *proto = cf_node_str(CF_GET(w, "protocol"));
        double fv = 0, tv = 0;
        cf_node_number(f, &fv);
        cf_node_number(t, &tv);
        if (proto && strcmp(proto, "-1") == 0)
          cf__strfmt(out->evidence, sizeof out->evidence, "all protocols and ports (include %g)", c->num);
        else
          cf__strfmt(out->evidence, sizeof out->evidence, "%s ports %g-%g include %g", proto ? proto : "ports", fv, tv, c->num);
      } else evidence_value(out, label, w, NULL);
    } else if (first_present) {
      out->witness = first_present;
      evidence_value(out, label, first_present, NULL);
    } else {
      out->witness = NULL;
      cf__strfmt(out->evidence, sizeof out->evidence, "%s is not set", label);
    }
  }
  sel_free(&s);
  return res;
}

static void join_evidence(eval_out_t *dst, const eval_out_t *src) {
  if (!src->evidence[0]) return;
  if (!dst->evidence[0]) {
    memcpy(dst->evidence, src->evidence, sizeof dst->evidence);
  } else if (!strstr(dst->evidence, src->evidence)) {
    size_t n = strlen(dst->evidence);
    cf__strfmt(dst->evidence + n, sizeof dst->evidence - n, "; %s", src->evidence);
  }
  if (!dst->witness && src->witness) dst->witness = src->witness;
  if (!dst->attribute && src->attribute) dst->attribute = src->attribute;
}

/* Elements a quantifier iterates: the values selected, with arrays opened. *selected is the
 * number of values the path itself reached (0 when the attribute is absent). */
static void quant_elems(const cond_t *c, const cf_resource_t *r, const cf_node_t *ctx, sel_t *out,
                        size_t *selected) {
  sel_t s;
  select_path(&c->path, r, ctx, &s);
  *selected = s.n;
  sel_init(out);
  out->nomem = s.nomem;
  for (size_t i = 0; i < s.n; i++) {
    const cf_node_t *v = sel_get(&s, i);
    if (v->type == CF_NODE_ARRAY) {
      for (uint32_t k = 0; k < v->len; k++) sel_add(out, v->u.items[k]);
    } else if (v->type != CF_NODE_NULL) {
      sel_add(out, v);
    }
  }
  sel_free(&s);
}

tri_t cf__cond_eval(const eval_env_t *env, const cond_t *c, const cf_resource_t *r,
                    const cf_node_t *ctx, eval_out_t *out) {
  /* Without `out` nobody wants evidence: children are evaluated without it as well, which
   * keeps formatting off the hot path (most evaluations are false). */
  eval_out_t tmp;
  eval_out_t *kid = out ? &tmp : NULL;
  switch ((cond_kind)c->kind) {
  case C_LEAF: return eval_leaf(env, c, r, ctx, out);
  case C_ALL: {
    /* Evidence comes from the parts that say what is there; negated parts ("not
     * BucketOwnerEnforced") only when there is nothing else. */
    tri_t res = TRI_T;
    eval_out_t acc, neg;
    memset(&acc, 0, sizeof acc);
    memset(&neg, 0, sizeof neg);
    for (uint32_t i = 0; i < c->n_kids; i++) {
      if (kid) memset(&tmp, 0, sizeof tmp);
      tri_t t = cf__cond_eval(env, c->kids[i], r, ctx, kid);
      if (t == TRI_F) {
        if (out) *out = tmp;
        return TRI_F;
      }
      if (t == TRI_U) res = TRI_U;
      if (kid) join_evidence(c->kids[i]->kind == C_NOT ? &neg : &acc, &tmp);
    }
    if (out) {
      if (!acc.evidence[0]) acc = neg;
      else if (!acc.witness) acc.witness = neg.witness;
      *out = acc;
    }
    return res;
  }
  case C_ANY: {
    tri_t res = TRI_F;
    eval_out_t unk;
    memset(&unk, 0, sizeof unk);
    for (uint32_t i = 0; i < c->n_kids; i++) {
      if (kid) memset(&tmp, 0, sizeof tmp);
      tri_t t = cf__cond_eval(env, c->kids[i], r, ctx, kid);
      if (t == TRI_T) {
        if (out) *out = tmp;
        return TRI_T;
      }
      if (t == TRI_U && res == TRI_F) {
        res = TRI_U;
        if (kid) unk = tmp;
      }
    }
    if (out) *out = unk;
    return res;
  }
  case C_NOT: {
    tri_t t = cf__cond_eval(env, c->kids[0], r, ctx, out);
    return t == TRI_U ? TRI_U : (t == TRI_T ? TRI_F : TRI_T);
  }
  case C_SOME:
  case C_NONE:
  case C_EVERY:
  case C_COUNT: {
    sel_t s;
    size_t selected = 0;
    quant_elems(c, r, ctx, &s, &selected);
    if (s.nomem) eval_nomem(env);
    /* An absent list on a resource known only in part may hold anything. */
    size_t n_true = 0, n_unknown = selected == 0 && r->incomplete ? 1 : 0;
    eval_out_t first_true, first_false, first_unknown;
    memset(&first_true, 0, sizeof first_true);
    memset(&first_false, 0, sizeof first_false);
    memset(&first_unknown, 0, sizeof first_unknown);
    bool have_false = false;
    for (size_t i = 0; i < s.n; i++) {
      const cf_node_t *el = sel_get(&s, i);
      tri_t t;
      if (kid) memset(&tmp, 0, sizeof tmp);
      if (el->type == CF_NODE_UNKNOWN) t = TRI_U;
      else if (!c->where) t = TRI_T;
      else t = cf__cond_eval(env, c->where, r, el, kid);
      if (!kid) {
        /* Only the outcome matters: stop as soon as it is decided. */
        if (t == TRI_T) n_true++;
        else if (t == TRI_U) n_unknown++;
        else have_false = true;
        if ((c->kind == C_SOME || c->kind == C_NONE) && t == TRI_T) break;
        if (c->kind == C_EVERY && t == TRI_F) break;
        continue;
      }
      if (!tmp.witness) tmp.witness = el;
      if (t == TRI_T) {
        if (!n_true) first_true = tmp;
        n_true++;
        if (c->kind == C_SOME || c->kind == C_NONE) break;
      } else if (t == TRI_U) {
        if (!n_unknown) first_unknown = tmp;
        n_unknown++;
      } else if (!have_false) {
        first_false = tmp;
        have_false = true;
      }
    }
    size_t total = s.n;
    sel_free(&s);
    tri_t res;
    eval_out_t *pick;
    if (c->kind == C_SOME || c->kind == C_NONE) {
      res = n_true ? TRI_T : (n_unknown ? TRI_U : TRI_F);
      pick = n_true ? &first_true : (n_unknown ? &first_unknown : &first_false);
      if (c->kind == C_NONE) res = res == TRI_U ? TRI_U : (res == TRI_T ? TRI_F : TRI_T);
    } else if (c->kind == C_EVERY) {
      res = have_false ? TRI_F : (n_unknown ? TRI_U : TRI_T);
      pick = have_false ? &first_false : (n_unknown ? &first_unknown : &first_true);
    } else {
      /* count: decided when the comparison holds whether or not the unknown elements count */
      double lo = (double)n_true, hi = (double)(n_true + n_unknown);
      tri_t a, b;
      switch (c->count_op) {
      case OP_GT: a = lo > c->num; b = hi > c->num; break;
      case OP_GTE: a = lo >= c->num; b = hi >= c->num; break;
      case OP_LT: a = lo < c->num; b = hi < c->num; break;
      case OP_LTE: a = lo <= c->num; b = hi <= c->num; break;
      default: a = lo == c->num; b = hi == c->num; break;
      }
      res = a == b ? a : TRI_U;
      pick = n_true ? &first_true : &first_false;
      if (out) {
        *out = *pick;
        cf__strfmt(out->evidence, sizeof out->evidence, "%zu of %zu %s match", n_true, total, path_label(c));
        out->attribute = path_label(c);
      }
      return res;
    }
    if (out) {
      *out = *pick;
      if (!out->attribute) out->attribute = path_label(c);
      if (!out->evidence[0]) {
        if (total == 0) cf__strfmt(out->evidence, sizeof out->evidence, "%s is empty", path_label(c));
      }
    }
    return res;
  }
  case C_RELATED:
  case C_REFBY: {
    if (!env->rel_query) return TRI_F;
    tri_t t = env->rel_query(env, c, r, ctx);
    if (out) {
      memset(out, 0, sizeof *out);
      out->attribute = path_label(c);
      cf__strfmt(out->evidence, sizeof out->evidence, "%s %s %s", c->kind == C_RELATED ? "related" : "referenced by",
               c->rel_type, t == TRI_T ? "(matching)" : t == TRI_U ? "(unknown)" : "(none matching)");
    }
    return t;
  }
  }
  return TRI_F;
}

tri_t cf__rule_eval(const eval_env_t *env, const rule_t *rule, const cf_resource_t *r,
                    eval_out_t *out) {
  if (out) memset(out, 0, sizeof(*out));
  return cf__cond_eval(env, rule->cond, r, r->attrs, out);
}
