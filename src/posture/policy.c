/*
 * policy.c - IAM-style policy documents: normalisation into the canonical shape
 * (docs/internals/canonical.md) and the questions rules ask of them (the `policy` operator).
 *
 * Semantics follow AWS's policy evaluation logic: a statement applies to a request when its
 * principal, action and resource match and its conditions hold; Action, Resource and
 * Principal may be a string or a list; NotAction/NotResource/NotPrincipal invert the match.
 * "Public" means a principal of "*" (or {"AWS": "*"}) on an Allow statement whose conditions
 * do not really restrict the caller: a condition restricts only when it uses a positive
 * operator (not a Not... operator, not ...IfExists) on a key that pins the caller or the
 * network (source IP other than /0, VPC, VPC endpoint, organisation, account, ARN) with a
 * value that is not just "*".
 */
#include <string.h>
#include <strings.h>

#include "doc/doc_internal.h"
#include "rule.h"

/* ---- normalisation ---- */

static cf_node_t *strlist(cf_adapt_ctx_t *ac, const cf_node_t *n) {
  if (!n) return NULL;
  return cf__n_strlist(ac, n);
}

static cf_node_t *norm_principal(cf_adapt_ctx_t *ac, const cf_node_t *p, bool *all) {
  cf_node_t *out = cf__n_obj(ac, p->pos);
  if (!out) return NULL;
  *all = false;
  if (p->type == CF_NODE_STRING) {
    if (strcmp(p->u.s, "*") == 0) *all = true;
    cf_node_t *l = cf__n_strlist(ac, p);
    if (!l || cf_node_set(ac->arena, out, "aws", l)) return NULL;
    return out;
  }
  if (p->type != CF_NODE_OBJECT) return out;
  for (uint32_t i = 0; i < p->len; i++) {
    const cf_member_t *m = &p->u.members[i];
    const char *key = strcasecmp(m->key, "AWS") == 0 ? "aws"
                      : strcasecmp(m->key, "Service") == 0 ? "service"
                      : strcasecmp(m->key, "Federated") == 0 ? "federated"
                      : strcasecmp(m->key, "CanonicalUser") == 0 ? "canonical_user"
                      : NULL;
    if (!key) continue;
    cf_node_t *l = cf__n_strlist(ac, m->value);
    if (!l || cf_node_set(ac->arena, out, key, l)) return NULL;
    if (strcmp(key, "aws") == 0 || strcmp(key, "canonical_user") == 0)
      for (uint32_t k = 0; k < l->len; k++)
        if (cf_node_str_eq(l->u.items[k], "*")) *all = true;
  }
  return out;
}

/* Appends one condition value as a string: IAM compares booleans and numbers as their text,
 * and a value written as a number ("aws:SourceAccount": 123456789012) restricts as much as
 * the same value in quotes. An intrinsic function (an object) is unknown. */
static bool push_cond_value(cf_adapt_ctx_t *ac, cf_node_t *arr, const cf_node_t *v) {
  char num[64];
  const char *txt = NULL;
  cf_node_t *item = NULL;
  switch (v->type) {
  case CF_NODE_STRING:
  case CF_NODE_UNKNOWN: item = cf__n_copy(ac, v); break;
  case CF_NODE_OBJECT: item = cf__n_unknown(ac, v->pos); break;
  case CF_NODE_BOOL: txt = v->u.b ? "true" : "false"; break;
  case CF_NODE_INT:
    snprintf(num, sizeof num, "%lld", (long long)v->u.i);
    txt = num;
    break;
  case CF_NODE_FLOAT:
    snprintf(num, sizeof num, "%.17g", v->u.f);
    txt = num;
    break;
  default: return true; /* null: nothing to compare */
  }
  if (txt) item = cf__n_str(ac, txt, v->pos);
  return item && cf_node_push(ac->arena, arr, item) == CF_OK;
}

static cf_node_t *cond_values(cf_adapt_ctx_t *ac, const cf_node_t *v) {
  if (v->type == CF_NODE_UNKNOWN) return cf__n_unknown(ac, v->pos);
  cf_node_t *arr = cf__n_arr(ac, v->pos);
  if (!arr) return NULL;
  if (v->type != CF_NODE_ARRAY) return push_cond_value(ac, arr, v) ? arr : NULL;
  for (uint32_t i = 0; i < v->len; i++)
    if (!push_cond_value(ac, arr, v->u.items[i])) return NULL;
  return arr;
}

static cf_node_t *norm_conditions(cf_adapt_ctx_t *ac, const cf_node_t *c) {
  cf_node_t *arr = cf__n_arr(ac, c->pos);
  if (!arr) return NULL;
  if (c->type == CF_NODE_UNKNOWN) return cf__n_unknown(ac, c->pos);
  if (c->type != CF_NODE_OBJECT) return arr;
  for (uint32_t i = 0; i < c->len; i++) {
    const cf_member_t *op = &c->u.members[i];
    if (op->value->type != CF_NODE_OBJECT) continue;
    for (uint32_t k = 0; k < op->value->len; k++) {
      const cf_member_t *kv = &op->value->u.members[k];
      cf_node_t *e = cf__n_obj(ac, kv->key_pos);
      cf_node_t *vals = cond_values(ac, kv->value);
      if (!e || !vals) return NULL;
      if (cf_node_set(ac->arena, e, "operator", cf__n_str(ac, op->key, op->key_pos)) ||
          cf_node_set(ac->arena, e, "key", cf__n_str(ac, kv->key, kv->key_pos)) ||
          cf_node_set(ac->arena, e, "values", vals) || cf_node_push(ac->arena, arr, e))
        return NULL;
    }
  }
  return arr;
}

static cf_node_t *norm_statement(cf_adapt_ctx_t *ac, const cf_node_t *s) {
  if (s->type == CF_NODE_UNKNOWN) return cf__n_copy(ac, s);
  if (s->type != CF_NODE_OBJECT) return NULL;
  cf_arena_t *a = ac->arena;
  cf_node_t *o = cf__n_obj(ac, s->pos);
  if (!o) return NULL;
  const cf_node_t *v;
  if ((v = CF_GET(s, "Sid")) && cf_node_set(a, o, "sid", cf__n_copy(ac, v))) return NULL;
  if ((v = CF_GET(s, "Effect")) && cf_node_set(a, o, "effect", cf__n_copy(ac, v))) return NULL;
  static const struct { const char *src, *dst; } lists[] = {
      {"Action", "actions"}, {"NotAction", "not_actions"},
      {"Resource", "resources"}, {"NotResource", "not_resources"}};
  for (size_t i = 0; i < CF_ARRAY_LEN(lists); i++) {
    if ((v = cf_node_get(s, lists[i].src))) {
      cf_node_t *l = strlist(ac, v);
      if (!l || cf_node_set(a, o, lists[i].dst, l)) return NULL;
    }
  }
  const cf_node_t *p = CF_GET(s, "Principal");
  bool notp = false;
  if (!p && (p = CF_GET(s, "NotPrincipal"))) notp = true;
  if (p) {
    if (p->type == CF_NODE_UNKNOWN) {
      if (cf_node_set(a, o, "principals", cf__n_unknown(ac, p->pos))) return NULL;
    } else {
      bool all = false;
      cf_node_t *pn = norm_principal(ac, p, &all);
      if (!pn || cf_node_set(a, o, "principals", pn) ||
          cf_node_set(a, o, "principal_all", cf__n_bool(ac, all, p->pos)))
        return NULL;
    }
    if (notp && cf_node_set(a, o, "not_principal", cf__n_bool(ac, true, p->pos))) return NULL;
  }
  if ((v = CF_GET(s, "Condition"))) {
    cf_node_t *c = norm_conditions(ac, v);
    if (!c || cf_node_set(a, o, "conditions", c)) return NULL;
  }
  return o;
}

cf_node_t *cf__policy_normalize(cf_adapt_ctx_t *ac, const cf_node_t *n) {
  if (!n) return NULL;
  if (n->type == CF_NODE_UNKNOWN) return cf__n_unknown(ac, n->pos);
  const cf_node_t *doc = n;
  if (n->type == CF_NODE_STRING) {
    const char *t = n->u.s;
    size_t len = n->len;
    while (len && (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r')) t++, len--;
    if (len && t[0] == '%') {
      /* URL-encoded (IAM's GetAccountAuthorizationDetails, Config's IAM items). */
      char *dec = cf__url_decode(ac->arena, t, len, true);
      if (!dec) return NULL;
      t = dec;
      len = strlen(dec);
    }
    if (len == 0) return NULL;
    doc = cf__parse_inner_json(ac, t, len, n->pos);
    if (!doc) return NULL;
  }
  if (doc->type != CF_NODE_OBJECT) {
    cf__adapt_warn(ac, n->pos, "policy document is not a JSON object");
    return NULL;
  }
  cf_node_t *out = cf__n_obj(ac, doc->pos);
  cf_node_t *sts = cf__n_arr(ac, doc->pos);
  if (!out || !sts) return NULL;
  const cf_node_t *v = CF_GET(doc, "Version");
  if (v && cf_node_set(ac->arena, out, "version", cf__n_copy(ac, v))) return NULL;
  const cf_node_t *st = CF_GET(doc, "Statement");
  if (st && st->type == CF_NODE_UNKNOWN) {
    if (cf_node_set(ac->arena, out, "statements", cf__n_unknown(ac, st->pos))) return NULL;
    return out;
  }
  if (st && st->type == CF_NODE_OBJECT) {
    cf_node_t *s = norm_statement(ac, st);
    if (s && cf_node_push(ac->arena, sts, s)) return NULL;
  } else if (st && st->type == CF_NODE_ARRAY) {
    for (uint32_t i = 0; i < st->len; i++) {
      cf_node_t *s = norm_statement(ac, st->u.items[i]);
      if (s && cf_node_push(ac->arena, sts, s)) return NULL;
    }
  }
  if (cf_node_set(ac->arena, out, "statements", sts)) return NULL;
  return out;
}

/* ---- questions ---- */

bool cf__cidr_is_internet(const char *s) {
  const char *slash = strchr(s, '/');
  if (!slash) return strcmp(s, "*") == 0;
  const char *len = slash + 1;
  while (*len == '0') len++;
  return *len == '\0' && slash[1] == '0';
}

/* Does some item of list (strings, maybe unknown) glob-match want? */
static tri_t list_matches(const cf_node_t *list, const char *want) {
  if (!list) return TRI_F;
  if (list->type == CF_NODE_UNKNOWN) return TRI_U;
  tri_t res = TRI_F;
  for (uint32_t i = 0; i < list->len; i++) {
    const cf_node_t *it = list->u.items[i];
    if (it->type == CF_NODE_UNKNOWN) {
      res = TRI_U;
      continue;
    }
    if (it->type == CF_NODE_STRING && cf__glob_match(it->u.s, want, true)) return TRI_T;
  }
  return res;
}

static tri_t list_has(const cf_node_t *list, bool (*pred)(const char *)) {
  if (!list) return TRI_F;
  if (list->type == CF_NODE_UNKNOWN) return TRI_U;
  tri_t res = TRI_F;
  for (uint32_t i = 0; i < list->len; i++) {
    const cf_node_t *it = list->u.items[i];
    if (it->type == CF_NODE_UNKNOWN) res = TRI_U;
    else if (it->type == CF_NODE_STRING && pred(it->u.s)) return TRI_T;
  }
  return res;
}

static bool is_star(const char *s) { return strcmp(s, "*") == 0; }
static bool is_wild_action(const char *s) {
  size_t n = strlen(s);
  return strcmp(s, "*") == 0 || (n >= 2 && strcmp(s + n - 2, ":*") == 0);
}

static tri_t t_and(tri_t a, tri_t b) {
  if (a == TRI_F || b == TRI_F) return TRI_F;
  if (a == TRI_U || b == TRI_U) return TRI_U;
  return TRI_T;
}
static tri_t t_or(tri_t a, tri_t b) {
  if (a == TRI_T || b == TRI_T) return TRI_T;
  if (a == TRI_U || b == TRI_U) return TRI_U;
  return TRI_F;
}
static tri_t t_not(tri_t a) { return a == TRI_U ? TRI_U : (a == TRI_T ? TRI_F : TRI_T); }

static const char *const restricting_keys[] = {
    "aws:SourceIp", "aws:VpcSourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:SourceAccount",
    "aws:SourceArn", "aws:SourceOwner", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:userid",
    "aws:username", "aws:PrincipalServiceName", "kms:CallerAccount", "s3:DataAccessPointAccount",
    "s3:DataAccessPointArn", "sts:ExternalId", "aws:ResourceOrgID", NULL};

static bool restricting_key(const char *k) {
  for (int i = 0; restricting_keys[i]; i++)
    if (strcasecmp(k, restricting_keys[i]) == 0) return true;
  return false;
}

/* Whether one condition really restricts who can use an Allow statement. */
static tri_t condition_restricts(const cf_node_t *c) {
  const char *op = cf_node_str(CF_GET(c, "operator"));
  const char *key = cf_node_str(CF_GET(c, "key"));
  const cf_node_t *vals = CF_GET(c, "values");
  if (!op || !key) return TRI_U;
  if (strcasestr(op, "Not") || strcasestr(op, "IfExists") || strcasecmp(op, "Null") == 0) return TRI_F;
  if (!restricting_key(key)) return TRI_F;
  if (!vals || vals->type == CF_NODE_UNKNOWN) return TRI_U;
  tri_t res = TRI_F;
  for (uint32_t i = 0; i < vals->len; i++) {
    const cf_node_t *v = vals->u.items[i];
    if (v->type == CF_NODE_UNKNOWN) return TRI_U;
    const char *s = cf_node_str(v);
    if (!s) continue;
    /* A wildcard value or the whole internet restricts nothing. */
    if (strcmp(s, "*") == 0 || cf__cidr_is_internet(s)) return TRI_F;
    res = TRI_T;
  }
  return res;
}

static tri_t statement_unrestricted(const cf_node_t *st) {
  const cf_node_t *conds = CF_GET(st, "conditions");
  if (!conds) return TRI_T;
  if (conds->type == CF_NODE_UNKNOWN) return TRI_U;
  tri_t any = TRI_F;
  for (uint32_t i = 0; i < conds->len; i++) any = t_or(any, condition_restricts(conds->u.items[i]));
  return t_not(any);
}

static tri_t statement_public(const cf_node_t *st) {
  const cf_node_t *pr = CF_GET(st, "principals");
  if (pr && pr->type == CF_NODE_UNKNOWN) return TRI_U;
  if (cf_node_truth(CF_GET(st, "not_principal")) == 1) return TRI_T; /* all but some */
  if (cf_node_truth(CF_GET(st, "principal_all")) == 1) return TRI_T;
  if (!pr) return TRI_F;
  return t_or(list_has(CF_GET(pr, "aws"), is_star), list_has(CF_GET(pr, "canonical_user"), is_star));
}

/* Does the statement grant action a? */
static tri_t statement_grants(const cf_node_t *st, const char *a) {
  const cf_node_t *acts = CF_GET(st, "actions");
  const cf_node_t *nacts = CF_GET(st, "not_actions");
  if (acts) return list_matches(acts, a);
  if (nacts) return t_not(list_matches(nacts, a));
  return TRI_F;
}

static tri_t statement_matches(const policy_q_t *q, const cf_node_t *st) {
  if (st->type == CF_NODE_UNKNOWN) return TRI_U;
  if (st->type != CF_NODE_OBJECT) return TRI_F;
  const cf_node_t *eff = CF_GET(st, "effect");
  if (eff && eff->type == CF_NODE_UNKNOWN) return TRI_U;
  bool allow = !eff || !cf_node_str(eff) || strcasecmp(eff->u.s, "Deny") != 0;
  if ((q->effect_allow == 1) != allow) return TRI_F;
  tri_t res = TRI_T;
  if (q->principal_public == 1) res = t_and(res, statement_public(st));
  if (res == TRI_F) return res;
  if (q->n_actions) {
    tri_t any = TRI_F;
    for (uint32_t i = 0; i < q->n_actions && any != TRI_T; i++) any = t_or(any, statement_grants(st, q->actions[i]));
    res = t_and(res, any);
  }
  const cf_node_t *acts = CF_GET(st, "actions");
  const cf_node_t *res_l = CF_GET(st, "resources");
  if (q->action_wildcard >= 0) {
    tri_t w = CF_GET(st, "not_actions") && !acts ? TRI_T : list_has(acts, is_wild_action);
    res = t_and(res, q->action_wildcard ? w : t_not(w));
  }
  if (q->resource_wildcard >= 0) {
    tri_t w = CF_GET(st, "not_resources") && !res_l ? TRI_T : list_has(res_l, is_star);
    res = t_and(res, q->resource_wildcard ? w : t_not(w));
  }
  if (q->full_access >= 0) {
    tri_t w = t_and(list_has(acts, is_star), res_l ? list_has(res_l, is_star) : TRI_T);
    res = t_and(res, q->full_access ? w : t_not(w));
  }
  if (q->unrestricted >= 0) {
    tri_t u = statement_unrestricted(st);
    res = t_and(res, q->unrestricted ? u : t_not(u));
  }
  return res;
}

/* A Deny for every principal when aws:SecureTransport is false. */
static tri_t denies_insecure(const cf_node_t *sts) {
  tri_t res = TRI_F;
  for (uint32_t i = 0; i < sts->len; i++) {
    const cf_node_t *st = sts->u.items[i];
    if (st->type == CF_NODE_UNKNOWN) {
      res = t_or(res, TRI_U);
      continue;
    }
    const char *eff = cf_node_str(CF_GET(st, "effect"));
    if (!eff || strcasecmp(eff, "Deny") != 0) continue;
    const cf_node_t *conds = CF_GET(st, "conditions");
    if (!conds) continue;
    if (conds->type == CF_NODE_UNKNOWN) {
      res = t_or(res, TRI_U);
      continue;
    }
    tri_t has = TRI_F;
    for (uint32_t k = 0; k < conds->len; k++) {
      const cf_node_t *c = conds->u.items[k];
      const char *op = cf_node_str(CF_GET(c, "operator"));
      const char *key = cf_node_str(CF_GET(c, "key"));
      if (!op || !key || strcasecmp(key, "aws:SecureTransport") != 0) continue;
      if (strncasecmp(op, "Bool", 4) != 0) continue;
      const cf_node_t *vals = CF_GET(c, "values");
      if (vals && vals->type == CF_NODE_UNKNOWN) has = t_or(has, TRI_U);
      else if (vals)
        for (uint32_t x = 0; x < vals->len; x++)
          if (cf_node_str(vals->u.items[x]) && strcasecmp(vals->u.items[x]->u.s, "false") == 0) has = TRI_T;
    }
    if (has == TRI_F) continue;
    /* It must cover object reads for everyone. */
    tri_t cover = t_and(statement_public(st), t_or(statement_grants(st, "s3:GetObject"), statement_grants(st, "s3:PutObject")));
    res = t_or(res, t_and(has, cover));
  }
  return res;
}

tri_t cf__policy_eval(const policy_q_t *q, const cf_node_t *policy, const cf_node_t **witness) {
  *witness = NULL;
  if (!policy) return TRI_F;
  if (policy->type == CF_NODE_UNKNOWN) return TRI_U;
  const cf_node_t *sts = CF_GET(policy, "statements");
  if (!sts) return q->denies_insecure_transport == 0 ? TRI_T : TRI_F;
  if (sts->type == CF_NODE_UNKNOWN) return TRI_U;
  if (sts->type != CF_NODE_ARRAY) return TRI_F;
  if (q->denies_insecure_transport >= 0) {
    tri_t d = denies_insecure(sts);
    return q->denies_insecure_transport ? d : t_not(d);
  }
  tri_t res = TRI_F;
  for (uint32_t i = 0; i < sts->len && res != TRI_T; i++) {
    tri_t t = statement_matches(q, sts->u.items[i]);
    if (t == TRI_T) *witness = sts->u.items[i];
    res = t_or(res, t);
  }
  return res;
}
