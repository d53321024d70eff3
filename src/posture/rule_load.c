/*
 * rule_load.c - compiles posture rule files (YAML, docs/rules.md) into condition trees.
 *
 * Rules are data; this file is the only place that knows their syntax. Every error names the
 * rule file, line and column and what was expected, and a rule that fails to compile is left
 * out while the others load. Regexes are compiled once with PCRE2 (JIT when available) and
 * kept in the rule set; operands stay in the parsed rule documents, which the set keeps.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rule.h"

typedef struct cctx {
  cf_ruleset_t *rs;
  const char *file;
  cf_diags_t *errors;
  bool failed;
  bool oom;      /* an allocation failed: the load returns CF_ENOMEM, not a rule error */
  unsigned depth;
} cctx_t;

static void cerr(cctx_t *c, cf_pos_t pos, const char *fmt, ...) CF_PRINTF(3, 4);
static void cerr(cctx_t *c, cf_pos_t pos, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  c->failed = true;
  if (c->errors) (void)cf_diags_add(c->errors, CF_ERULE, c->file, pos.line, pos.column, "%s", msg);
}

/* Allocations in the rule set's arena. A failure marks the file failed and out of memory, so
 * that no half-built rule is kept and cf_ruleset_load_text returns CF_ENOMEM. */
static void nomem(cctx_t *c) { c->oom = c->failed = true; }

static void *c_alloc(cctx_t *c, size_t n) {
  void *p = cf__arena_alloc(c->rs->arena, n);
  if (!p) nomem(c);
  return p;
}

static void *c_zalloc(cctx_t *c, size_t n) {
  void *p = cf__arena_zalloc(c->rs->arena, n);
  if (!p) nomem(c);
  return p;
}

static char *c_strndup(cctx_t *c, const char *s, size_t n) {
  char *p = cf__arena_strndup(c->rs->arena, s, n);
  if (!p) nomem(c);
  return p;
}

/* ---- rule set storage ---- */

cf_err cf_ruleset_new(const cf_ctx_t *ctx, cf_ruleset_t **out) {
  *out = NULL;
  cf_ruleset_t *rs = calloc(1, sizeof(*rs));
  if (!rs) return CF_ENOMEM;
  rs->ctx = ctx;
  rs->arena = cf__arena_new(0);
  if (!rs->arena) {
    free(rs);
    return CF_ENOMEM;
  }
  *out = rs;
  return CF_OK;
}

void cf_ruleset_free(cf_ruleset_t *rs) {
  if (!rs) return;
  for (size_t i = 0; i < rs->n_codes; i++) pcre2_code_free(rs->codes[i]);
  for (size_t i = 0; i < rs->n_docs; i++) cf_doc_free(rs->docs[i]);
  free(rs->codes);
  free(rs->docs);
  free(rs->rules);
  free(rs->rels);
  cf__arena_free(rs->arena);
  free(rs);
}


size_t cf_ruleset_count(const cf_ruleset_t *rs) { return rs->n_rules; }

const cf_rule_info_t *cf_ruleset_info(const cf_ruleset_t *rs, size_t i) {
  return i < rs->n_rules ? &rs->rules[i]->info : NULL;
}

const char *const *cf_ruleset_sources(const cf_ruleset_t *rs, size_t i) {
  return i < rs->n_rules ? (const char *const *)rs->rules[i]->sources : NULL;
}

static bool any_glob(const char *const *globs, size_t n, const char *id) {
  for (size_t i = 0; i < n; i++)
    if (cf__glob_match(globs[i], id, true)) return true;
  return false;
}

cf_err cf_ruleset_filter(cf_ruleset_t *rs, const char *const *include, size_t n_include,
                         const char *const *exclude, size_t n_exclude) {
  size_t k = 0;
  for (size_t i = 0; i < rs->n_rules; i++) {
    const char *id = rs->rules[i]->info.id;
    if (n_include && !any_glob(include, n_include, id)) continue;
    if (n_exclude && any_glob(exclude, n_exclude, id)) continue;
    rs->rules[k++] = rs->rules[i];
  }
  rs->n_rules = k;
  return CF_OK;
}

/* ---- paths ---- */

static bool parse_path(cctx_t *c, const char *text, cf_pos_t pos, rpath_t *out) {
  memset(out, 0, sizeof(*out));
  out->text = c_strndup(c, text, strlen(text));
  if (!out->text) return false;
  const char *p = text;
  if (p[0] == '$') {
    out->from_root = true;
    p++;
    if (*p == '.') p++;
  }
  if (strcmp(p, ".") == 0 || *p == '\0') return true;
  size_t cap = 8;
  out->steps = c_alloc(c, cap * sizeof(path_step_t));
  if (!out->steps) return false;
  while (*p) {
    if (out->n == cap) {
      path_step_t *ns = c_alloc(c, cap * 2 * sizeof(path_step_t));
      if (!ns) return false;
      memcpy(ns, out->steps, cap * sizeof(path_step_t));
      out->steps = ns;
      cap *= 2;
    }
    path_step_t *st = &out->steps[out->n];
    if (*p == '[') {
      const char *close = strchr(p, ']');
      if (!close) {
        cerr(c, pos, "path '%s': '[' without ']'", text);
        return false;
      }
      if (close == p + 2 && p[1] == '*') {
        st->kind = STEP_ANY;
      } else {
        char *end = NULL;
        long long idx = strtoll(p + 1, &end, 10);
        if (end != close || idx < 0) {
          cerr(c, pos, "path '%s': expected [*] or [N]", text);
          return false;
        }
        st->kind = STEP_INDEX;
        st->index = idx;
      }
      p = close + 1;
    } else if (*p == '"') {
      const char *close = strchr(p + 1, '"');
      if (!close) {
        cerr(c, pos, "path '%s': unterminated quoted key", text);
        return false;
      }
      st->kind = STEP_KEY;
      st->key = c_strndup(c, p + 1, (size_t)(close - p - 1));
      st->key_len = (uint32_t)(close - p - 1);
      if (!st->key) return false;
      p = close + 1;
    } else {
      size_t n = strcspn(p, ".[");
      if (n == 0) {
        cerr(c, pos, "path '%s': empty segment", text);
        return false;
      }
      if (n == 1 && p[0] == '*') {
        st->kind = STEP_ANY;
      } else {
        st->kind = STEP_KEY;
        st->key = c_strndup(c, p, n);
        st->key_len = (uint32_t)n;
        if (!st->key) return false;
      }
      p += n;
    }
    out->n++;
    if (*p == '.') {
      p++;
      if (!*p) {
        cerr(c, pos, "path '%s': ends with '.'", text);
        return false;
      }
    } else if (*p && *p != '[') {
      cerr(c, pos, "path '%s': expected '.' or '[' after a segment", text);
      return false;
    }
  }
  return true;
}

/* ---- conditions ---- */

static const struct {
  const char *name;
  cond_op op;
} op_names[] = {
    {"exists", OP_EXISTS},           {"missing", OP_MISSING},
    {"equals", OP_EQUALS},           {"not_equals", OP_NOT_EQUALS},
    {"iequals", OP_IEQUALS},         {"in", OP_IN},
    {"not_in", OP_NOT_IN},           {"iin", OP_IIN},
    {"regex", OP_REGEX},             {"gt", OP_GT},
    {"gte", OP_GTE},                 {"lt", OP_LT},
    {"lte", OP_LTE},                 {"contains", OP_CONTAINS},
    {"empty", OP_EMPTY},             {"internet", OP_INTERNET},
    {"port_includes", OP_PORT_INCLUDES}, {"older_than_days", OP_OLDER_THAN_DAYS},
    {"newer_than_days", OP_NEWER_THAN_DAYS}, {"policy", OP_POLICY},
    {"type", OP_TYPE},
};

static int find_op(const char *name) {
  for (size_t i = 0; i < CF_ARRAY_LEN(op_names); i++)
    if (strcmp(op_names[i].name, name) == 0) return (int)op_names[i].op;
  return -1;
}

static cond_t *compile_cond(cctx_t *c, const cf_node_t *n);

static cond_t *new_cond(cctx_t *c, cond_kind kind, const cf_node_t *n) {
  cond_t *k = c_zalloc(c, sizeof(*k));
  if (!k) return NULL;
  k->kind = (uint8_t)kind;
  k->pos = n->pos;
  return k;
}

static bool compile_list(cctx_t *c, cond_t *k, const cf_node_t *list, const char *what) {
  if (!list || list->type != CF_NODE_ARRAY || list->len == 0) {
    cerr(c, list ? list->pos : k->pos, "'%s' needs a non-empty list of conditions", what);
    return false;
  }
  k->kids = c_alloc(c, list->len * sizeof(cond_t *));
  if (!k->kids) return false;
  for (uint32_t i = 0; i < list->len; i++) {
    cond_t *kid = compile_cond(c, list->u.items[i]);
    if (!kid) return false;
    k->kids[k->n_kids++] = kid;
  }
  return true;
}

static bool need_bool(cctx_t *c, const cf_node_t *v, const char *key) {
  if (!v || v->type != CF_NODE_BOOL) {
    cerr(c, v ? v->pos : (cf_pos_t){0, 0, 0}, "'%s' expects true or false", key);
    return false;
  }
  return true;
}

static bool need_number(cctx_t *c, const cf_node_t *v, const char *key, double *out) {
  if (!v || (v->type != CF_NODE_INT && v->type != CF_NODE_FLOAT)) {
    cerr(c, v ? v->pos : (cf_pos_t){0, 0, 0}, "'%s' expects a number", key);
    return false;
  }
  *out = v->type == CF_NODE_INT ? (double)v->u.i : v->u.f;
  return true;
}

static bool compile_regex(cctx_t *c, cond_t *k, const cf_node_t *v) {
  if (!v || v->type != CF_NODE_STRING) {
    cerr(c, v ? v->pos : k->pos, "'regex' expects a string");
    return false;
  }
  if (v->len > CF_LIMIT_REGEX_LEN) {
    cerr(c, v->pos, "regex longer than %u bytes", CF_LIMIT_REGEX_LEN);
    return false;
  }
  int ec;
  PCRE2_SIZE eo;
  pcre2_code *re = pcre2_compile((PCRE2_SPTR)v->u.s, v->len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                                 &ec, &eo, NULL);
  if (!re && ec == PCRE2_ERROR_HEAP_FAILED) {
    nomem(c);
    return false;
  }
  if (!re) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(ec, msg, sizeof msg);
    cerr(c, v->pos, "invalid regex at offset %zu: %s", (size_t)eo, (const char *)msg);
    return false;
  }
  (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
  cf_ruleset_t *rs = c->rs;
  if (!cf__grow((void **)&rs->codes, &rs->cap_codes, rs->n_codes, sizeof(pcre2_code *))) {
    pcre2_code_free(re);
    nomem(c);
    return false;
  }
  rs->codes[rs->n_codes++] = re;
  k->re = re;
  return true;
}

static bool compile_policy(cctx_t *c, cond_t *k, const cf_node_t *v) {
  if (!v || v->type != CF_NODE_OBJECT) {
    cerr(c, v ? v->pos : k->pos, "'policy' expects a mapping (statement: ..., or denies_insecure_transport: true)");
    return false;
  }
  policy_q_t *q = c_alloc(c, sizeof(*q));
  if (!q) return false;
  q->effect_allow = 1;
  q->principal_public = q->action_wildcard = q->full_access = q->resource_wildcard = -1;
  q->unrestricted = q->denies_insecure_transport = -1;
  q->actions = NULL;
  q->n_actions = 0;
  for (uint32_t i = 0; i < v->len; i++) {
    const cf_member_t *m = &v->u.members[i];
    if (strcmp(m->key, "denies_insecure_transport") == 0) {
      if (!need_bool(c, m->value, m->key)) return false;
      q->denies_insecure_transport = m->value->u.b;
    } else if (strcmp(m->key, "statement") == 0) {
      const cf_node_t *s = m->value;
      if (s->type != CF_NODE_OBJECT) {
        cerr(c, s->pos, "'statement' expects a mapping");
        return false;
      }
      for (uint32_t j = 0; j < s->len; j++) {
        const cf_member_t *sm = &s->u.members[j];
        const cf_node_t *sv = sm->value;
        if (strcmp(sm->key, "effect") == 0) {
          if (cf_node_str_eq(sv, "Allow")) q->effect_allow = 1;
          else if (cf_node_str_eq(sv, "Deny")) q->effect_allow = 0;
          else {
            cerr(c, sv->pos, "'effect' expects Allow or Deny");
            return false;
          }
        } else if (strcmp(sm->key, "principal") == 0) {
          if (cf_node_str_eq(sv, "public")) q->principal_public = 1;
          else if (cf_node_str_eq(sv, "any")) q->principal_public = -1;
          else {
            cerr(c, sv->pos, "'principal' expects public or any");
            return false;
          }
        } else if (strcmp(sm->key, "actions") == 0) {
          if (sv->type != CF_NODE_ARRAY || sv->len == 0) {
            cerr(c, sv->pos, "'actions' expects a list of actions");
            return false;
          }
          q->actions = c_alloc(c, sv->len * sizeof(char *));
          if (!q->actions) return false;
          for (uint32_t x = 0; x < sv->len; x++) {
            const char *a = cf_node_str(sv->u.items[x]);
            if (!a) {
              cerr(c, sv->u.items[x]->pos, "actions must be strings");
              return false;
            }
            q->actions[q->n_actions++] = a;
          }
        } else if (strcmp(sm->key, "action_wildcard") == 0 || strcmp(sm->key, "full_access") == 0 ||
                   strcmp(sm->key, "resource_wildcard") == 0 || strcmp(sm->key, "unrestricted") == 0) {
          if (!need_bool(c, sv, sm->key)) return false;
          int b = sv->u.b;
          if (sm->key[0] == 'a') q->action_wildcard = b;
          else if (sm->key[0] == 'f') q->full_access = b;
          else if (sm->key[0] == 'r') q->resource_wildcard = b;
          else q->unrestricted = b;
        } else {
          cerr(c, sm->key_pos, "unknown statement property '%s' (expected effect, principal, actions, action_wildcard, full_access, resource_wildcard, unrestricted)", sm->key);
          return false;
        }
      }
    } else {
      cerr(c, m->key_pos, "unknown policy question '%s' (expected statement or denies_insecure_transport)", m->key);
      return false;
    }
  }
  k->pq = q;
  return true;
}

static bool compile_operand(cctx_t *c, cond_t *k, const char *key, const cf_node_t *v) {
  k->operand = v;
  switch ((cond_op)k->op) {
  case OP_EXISTS: case OP_MISSING: case OP_EMPTY: case OP_INTERNET:
    return need_bool(c, v, key);
  case OP_IN: case OP_NOT_IN: case OP_IIN:
    if (v->type != CF_NODE_ARRAY) {
      cerr(c, v->pos, "'%s' expects a list", key);
      return false;
    }
    return true;
  case OP_IEQUALS:
    if (v->type != CF_NODE_STRING) {
      cerr(c, v->pos, "'iequals' expects a string");
      return false;
    }
    return true;
  case OP_REGEX: return compile_regex(c, k, v);
  case OP_GT: case OP_GTE: case OP_LT: case OP_LTE: case OP_PORT_INCLUDES:
  case OP_OLDER_THAN_DAYS: case OP_NEWER_THAN_DAYS:
    return need_number(c, v, key, &k->num);
  case OP_POLICY: return compile_policy(c, k, v);
  case OP_TYPE: {
    /* `type: null` is written naturally, and YAML reads it as a null, not as a name. */
    static const char *const names[] = {"string", "bool", "int", "float", "number", "array", "object", "null"};
    const char *name = v->type == CF_NODE_NULL ? "null" : cf_node_str(v);
    bool known = false;
    for (size_t i = 0; name && i < CF_ARRAY_LEN(names); i++) known = known || strcmp(names[i], name) == 0;
    if (!known) {
      cerr(c, v->pos, "'type' expects a type name (string, bool, int, float, number, array, object, null)");
      return false;
    }
    if (v->type == CF_NODE_NULL) {
      cf_node_t *s = cf_node_new_cstr(c->rs->arena, "null", v->pos);
      if (!s) {
        nomem(c);
        return false;
      }
      k->operand = s;
    }
    return true;
  }
  default: return true;
  }
}

static bool add_relation(cctx_t *c, cond_t *k) {
  cf_ruleset_t *rs = c->rs;
  if (!cf__grow((void **)&rs->rels, &rs->cap_rels, rs->n_rels, sizeof(relation_t))) {
    nomem(c);
    return false;
  }
  rs->rels[rs->n_rels].c = k;
  k->rel_slot = (uint32_t)rs->n_rels++;
  return true;
}

static cond_t *compile_relation(cctx_t *c, const cf_node_t *n, cond_kind kind, const cf_node_t *v) {
  cond_t *k = new_cond(c, kind, n);
  if (!k) return NULL;
  const char *what = kind == C_RELATED ? "related" : "referenced_by";
  if (!v || v->type != CF_NODE_OBJECT) {
    cerr(c, v ? v->pos : n->pos, "'%s' expects a mapping with type, path and optional where", what);
    return NULL;
  }
  const char *type = cf_node_str(cf_node_get(v, "type"));
  const char *path = cf_node_str(cf_node_get(v, "path"));
  if (!type || !path) {
    cerr(c, v->pos, "'%s' needs 'type' (a canonical resource type) and 'path'", what);
    return NULL;
  }
  for (uint32_t i = 0; i < v->len; i++) {
    const char *key = v->u.members[i].key;
    if (strcmp(key, "type") && strcmp(key, "path") && strcmp(key, "where")) {
      cerr(c, v->u.members[i].key_pos, "unknown key '%s' in '%s'", key, what);
      return NULL;
    }
  }
  k->rel_type = type;
  if (!parse_path(c, path, cf_node_get(v, "path")->pos, &k->path)) return NULL;
  const cf_node_t *where = cf_node_get(v, "where");
  if (where && !(k->where = compile_cond(c, where))) return NULL;
  if (!add_relation(c, k)) return NULL;
  return k;
}

static cond_t *compile_cond(cctx_t *c, const cf_node_t *n) {
  if (++c->depth > CF_LIMIT_RULE_DEPTH) {
    cerr(c, n->pos, "condition nested deeper than %u levels", CF_LIMIT_RULE_DEPTH);
    return NULL;
  }
  cond_t *res = NULL;
  if (n->type != CF_NODE_OBJECT || n->len == 0) {
    cerr(c, n->pos, "a condition must be a mapping (all, any, not, some, every, none, count, related, referenced_by, or path with an operator)");
    goto out;
  }
  const cf_member_t *first = &n->u.members[0];
  const char *k0 = first->key;
  if (n->len == 1 && (strcmp(k0, "all") == 0 || strcmp(k0, "any") == 0)) {
    cond_t *k = new_cond(c, k0[1] == 'l' ? C_ALL : C_ANY, n);
    if (k && compile_list(c, k, first->value, k0)) res = k;
    goto out;
  }
  if (n->len == 1 && strcmp(k0, "not") == 0) {
    cond_t *k = new_cond(c, C_NOT, n);
    if (!k) goto out;
    k->kids = c_alloc(c, sizeof(cond_t *));
    if (!k->kids || !(k->kids[0] = compile_cond(c, first->value))) goto out;
    k->n_kids = 1;
    res = k;
    goto out;
  }
  if (n->len == 1 && (strcmp(k0, "related") == 0 || strcmp(k0, "referenced_by") == 0)) {
    res = compile_relation(c, n, k0[0] == 'r' && k0[2] == 'l' ? C_RELATED : C_REFBY, first->value);
    goto out;
  }
  const cf_node_t *q;
  cond_kind qk;
  if ((q = cf_node_get(n, "some"))) qk = C_SOME;
  else if ((q = cf_node_get(n, "every"))) qk = C_EVERY;
  else if ((q = cf_node_get(n, "none"))) qk = C_NONE;
  else if ((q = cf_node_get(n, "count"))) qk = C_COUNT;
  else q = NULL;
  if (q) {
    cond_t *k = new_cond(c, qk, n);
    if (!k) goto out;
    if (q->type != CF_NODE_STRING) {
      cerr(c, q->pos, "the quantifier expects a path");
      goto out;
    }
    if (!parse_path(c, q->u.s, q->pos, &k->path)) goto out;
    bool have_cmp = false;
    for (uint32_t i = 0; i < n->len; i++) {
      const cf_member_t *m = &n->u.members[i];
      if (cf_node_get(n, m->key) == q) continue;
      if (strcmp(m->key, "where") == 0) {
        if (!(k->where = compile_cond(c, m->value))) goto out;
      } else if (qk == C_COUNT && (strcmp(m->key, "gt") == 0 || strcmp(m->key, "gte") == 0 ||
                                   strcmp(m->key, "lt") == 0 || strcmp(m->key, "lte") == 0 ||
                                   strcmp(m->key, "equals") == 0)) {
        if (!need_number(c, m->value, m->key, &k->num)) goto out;
        k->count_op = (uint8_t)(strcmp(m->key, "equals") == 0 ? OP_EQUALS : find_op(m->key));
        have_cmp = true;
      } else {
        cerr(c, m->key_pos, "unexpected key '%s' here (expected where%s)", m->key,
             qk == C_COUNT ? ", gt, gte, lt, lte or equals" : "");
        goto out;
      }
    }
    if (qk != C_COUNT && !k->where) {
      cerr(c, n->pos, "'%s' needs a 'where' condition", qk == C_SOME ? "some" : qk == C_EVERY ? "every" : "none");
      goto out;
    }
    if (qk == C_COUNT && !have_cmp) {
      cerr(c, n->pos, "'count' needs a comparison (gt, gte, lt, lte or equals)");
      goto out;
    }
    res = k;
    goto out;
  }
  /* A leaf: optional path plus exactly one operator. */
  {
    cond_t *k = new_cond(c, C_LEAF, n);
    if (!k) goto out;
    int op = -1;
    const cf_member_t *opm = NULL;
    const cf_node_t *path = NULL;
    for (uint32_t i = 0; i < n->len; i++) {
      const cf_member_t *m = &n->u.members[i];
      if (strcmp(m->key, "path") == 0) {
        path = m->value;
        continue;
      }
      int o = find_op(m->key);
      if (o < 0) {
        cerr(c, m->key_pos, "unknown operator '%s'", m->key);
        goto out;
      }
      if (opm) {
        cerr(c, m->key_pos, "one operator per condition ('%s' and '%s'); combine them with all/any", opm->key, m->key);
        goto out;
      }
      op = o;
      opm = m;
    }
    if (!opm) {
      cerr(c, n->pos, "condition has a path but no operator");
      goto out;
    }
    if (path && path->type != CF_NODE_STRING) {
      cerr(c, path->pos, "'path' expects a string");
      goto out;
    }
    if (!parse_path(c, path ? path->u.s : ".", path ? path->pos : n->pos, &k->path)) goto out;
    k->op = (uint8_t)op;
    k->pos = opm->key_pos;
    if (!compile_operand(c, k, opm->key, opm->value)) goto out;
    res = k;
  }
out:
  c->depth--;
  return res;
}

/* ---- rule documents ---- */

static const char *req_str(cctx_t *c, const cf_node_t *doc, const char *key) {
  const cf_node_t *v = cf_node_get(doc, key);
  if (!v || v->type != CF_NODE_STRING || v->len == 0) {
    cerr(c, v ? v->pos : doc->pos, "rule needs '%s' (a non-empty string)", key);
    return NULL;
  }
  return v->u.s;
}

static const char **str_list(cctx_t *c, const cf_node_t *v, const char *key, uint32_t *n_out) {
  uint32_t n = 0;
  const char **out;
  if (!v) {
    out = c_zalloc(c, sizeof(char *));
  } else if (v->type == CF_NODE_STRING) {
    out = c_zalloc(c, 2 * sizeof(char *));
    if (out) out[n++] = v->u.s;
  } else if (v->type == CF_NODE_ARRAY) {
    out = c_zalloc(c, (v->len + 1) * sizeof(char *));
    for (uint32_t i = 0; out && i < v->len; i++) {
      const char *s = cf_node_str(v->u.items[i]);
      if (!s) {
        cerr(c, v->u.items[i]->pos, "'%s' expects strings", key);
        return NULL;
      }
      out[n++] = s;
    }
  } else {
    cerr(c, v->pos, "'%s' expects a string or a list of strings", key);
    return NULL;
  }
  if (n_out) *n_out = n;
  return out;
}

static const char *const known_keys[] = {
    "id", "title", "description", "severity", "threats", "service_models", "resource",
    "condition", "unknown", "remediation", "references", "analyzer", "sources", NULL};

static bool type_known(const char *t) { return cf__type_sources(t) != NULL; }

static bool cond_has_rel(const cond_t *k) {
  if (!k) return false;
  if (k->kind == C_RELATED || k->kind == C_REFBY) return true;
  for (uint32_t i = 0; i < k->n_kids; i++)
    if (cond_has_rel(k->kids[i])) return true;
  return cond_has_rel(k->where);
}

static void compile_rule(cctx_t *c, const cf_node_t *doc) {
  if (doc->type != CF_NODE_OBJECT) {
    cerr(c, doc->pos, "a rule must be a mapping");
    return;
  }
  for (uint32_t i = 0; i < doc->len; i++) {
    bool ok = false;
    for (int k = 0; known_keys[k]; k++) ok = ok || strcmp(known_keys[k], doc->u.members[i].key) == 0;
    if (!ok) {
      cerr(c, doc->u.members[i].key_pos, "unknown rule key '%s'", doc->u.members[i].key);
      return;
    }
  }
  bool was_failed = c->failed;
  c->failed = false;
  rule_t *r = c_zalloc(c, sizeof(*r));
  if (!r) return;
  r->unknown = -1;
  r->info.id = req_str(c, doc, "id");
  r->info.title = req_str(c, doc, "title");
  r->info.analyzer = "posture";
  r->info.description = cf_node_str(cf_node_get(doc, "description"));
  r->info.file = c_strndup(c, c->file, strlen(c->file));
  r->info.line = doc->pos.line;
  const cf_node_t *sev = cf_node_get(doc, "severity");
  if (!sev || !cf_node_str(sev) || !cf_severity_parse(sev->u.s, &r->info.severity))
    cerr(c, sev ? sev->pos : doc->pos, "rule needs 'severity' (critical, high, medium, low or info)");
  const cf_node_t *th = cf_node_get(doc, "threats");
  if (!th || th->type != CF_NODE_ARRAY || th->len == 0 || th->len > CF_THREAT_COUNT) {
    cerr(c, th ? th->pos : doc->pos, "rule needs 'threats': a list of CSA threat numbers 1-11");
  } else {
    for (uint32_t i = 0; i < th->len; i++) {
      const cf_node_t *t = th->u.items[i];
      if (t->type != CF_NODE_INT || !cf_threat_get((unsigned)t->u.i)) {
        cerr(c, t->pos, "threat must be a number from 1 to 11");
        break;
      }
      r->info.threats[r->info.n_threats++] = (uint8_t)t->u.i;
    }
  }
  uint32_t n_sm = 0;
  const char **sms = str_list(c, cf_node_get(doc, "service_models"), "service_models", &n_sm);
  for (uint32_t i = 0; sms && i < n_sm; i++) {
    unsigned bit = cf_service_model_parse(sms[i]);
    if (!bit) cerr(c, cf_node_get(doc, "service_models")->pos, "unknown service model '%s' (IaaS, PaaS, SaaS, FaaS, CaaS, BaaS)", sms[i]);
    r->info.service_models |= bit;
  }
  const cf_node_t *res = cf_node_get(doc, "resource");
  if (!res) cerr(c, doc->pos, "rule needs 'resource': a canonical resource type or a list of them");
  r->types = str_list(c, res, "resource", &r->n_types);
  for (uint32_t i = 0; r->types && i < r->n_types; i++)
    if (!type_known(r->types[i])) cerr(c, res->pos, "unknown resource type '%s' (see docs/internals/canonical.md)", r->types[i]);
  r->info.resource_types = r->types;
  const cf_node_t *cond = cf_node_get(doc, "condition");
  if (!cond) cerr(c, doc->pos, "rule needs 'condition'");
  else r->cond = compile_cond(c, cond);
  const cf_node_t *unk = cf_node_get(doc, "unknown");
  if (unk) {
    if (cf_node_str_eq(unk, "pass")) r->unknown = CF_UNKNOWN_PASS;
    else if (cf_node_str_eq(unk, "fail")) r->unknown = CF_UNKNOWN_FAIL;
    else if (cf_node_str_eq(unk, "report")) r->unknown = CF_UNKNOWN_REPORT;
    else cerr(c, unk->pos, "'unknown' expects pass, fail or report");
  }
  const cf_node_t *rem = cf_node_get(doc, "remediation");
  if (rem && rem->type == CF_NODE_STRING) {
    r->info.remediation.text = rem->u.s;
  } else if (rem && rem->type == CF_NODE_OBJECT) {
    r->info.remediation.text = cf_node_str(cf_node_get(rem, "text"));
    r->info.remediation.cli = cf_node_str(cf_node_get(rem, "cli"));
    r->info.remediation.terraform = cf_node_str(cf_node_get(rem, "terraform"));
    r->info.remediation.cloudformation = cf_node_str(cf_node_get(rem, "cloudformation"));
    r->info.remediation.kubernetes = cf_node_str(cf_node_get(rem, "kubernetes"));
  } else if (rem) {
    cerr(c, rem->pos, "'remediation' expects text or a mapping (text, cli, terraform, cloudformation, kubernetes)");
  }
  if (!r->info.remediation.text) cerr(c, rem ? rem->pos : doc->pos, "rule needs 'remediation' with at least 'text'");
  const cf_node_t *refs = cf_node_get(doc, "references");
  if (refs) r->info.references = str_list(c, refs, "references", NULL);
  /* Duplicate ids would make suppressions and baselines ambiguous. */
  for (size_t i = 0; r->info.id && i < c->rs->n_rules; i++)
    if (strcmp(c->rs->rules[i]->info.id, r->info.id) == 0)
      cerr(c, cf_node_get(doc, "id")->pos, "duplicate rule id '%s' (also in %s:%u)", r->info.id,
           c->rs->rules[i]->info.file, c->rs->rules[i]->info.line);
  /* From here on c->failed says whether this rule failed; the file's earlier state is
   * restored only once the rule is in the set (a failed rule leaves it set). */
  if (c->failed) return;
  r->has_relations = cond_has_rel(r->cond);
  /* Sources: the formats its types come from, narrowed by `sources:` when a format cannot
   * express what the rule looks at (MFA is only in the credential report). */
  uint32_t n_want = 0;
  const cf_node_t *want_node = cf_node_get(doc, "sources");
  const char **want = want_node ? str_list(c, want_node, "sources", &n_want) : NULL;
  for (uint32_t i = 0; want && i < n_want; i++)
    if (cf__source_kind_parse(want[i]) == CF_SRC_UNKNOWN)
      cerr(c, want_node->pos, "unknown source format '%s' (cloudformation, terraform-plan, terraform, aws-config, aws-cli, kubernetes, arm)", want[i]);
  if (c->failed) return;
  const char *srcs[CF_SRC__COUNT + 1];
  size_t ns = 0;
  for (uint32_t i = 0; i < r->n_types; i++) {
    const char *const *ts = cf__type_sources(r->types[i]);
    for (; ts && *ts; ts++) {
      bool seen = false, wanted = !want;
      for (size_t j = 0; j < ns; j++) seen = seen || strcmp(srcs[j], *ts) == 0;
      /* A rule for plans reads the same model from .tf source: "terraform-plan" covers both. */
      for (uint32_t j = 0; want && j < n_want; j++)
        wanted = wanted || strcmp(want[j], *ts) == 0 || (!strcmp(want[j], "terraform-plan") && !strcmp(*ts, "terraform"));
      if (!seen && wanted && ns < CF_SRC__COUNT) {
        srcs[ns++] = *ts;
        r->source_mask |= 1u << cf__source_kind_parse(*ts);
      }
    }
  }
  if (ns == 0) {
    cerr(c, want_node ? want_node->pos : doc->pos, "no source format produces the rule's resource types");
    return;
  }
  r->sources = c_zalloc(c, (ns + 1) * sizeof(char *));
  if (!r->sources) return;
  memcpy(r->sources, srcs, ns * sizeof(char *));
  if (!cf__grow((void **)&c->rs->rules, &c->rs->cap_rules, c->rs->n_rules, sizeof(rule_t *))) {
    nomem(c);
    return;
  }
  c->rs->rules[c->rs->n_rules++] = r;
  c->failed = was_failed;
}

cf_err cf_ruleset_load_text(cf_ruleset_t *rs, const char *name, const char *text, size_t len,
                            cf_diags_t *errors) {
  const cf_limits_t *lim = cf__limits(rs->ctx);
  if (len > lim->max_rule_size) {
    if (errors) (void)cf_diags_add(errors, CF_ELIMIT, name, 0, 0, "rule file larger than %llu bytes", (unsigned long long)lim->max_rule_size);
    return CF_ERULE;
  }
  cf_doc_opts_t opts = {CF_DOC_YAML, 0, name, false};
  cf_doc_t *doc = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf_doc_parse(rs->ctx, text, len, &opts, &doc, &d);
  if (e) {
    if (errors) (void)cf_diags_adopt(errors, &d);
    cf_diag_cleanup(&d);
    return e == CF_ENOMEM ? CF_ENOMEM : CF_ERULE;
  }
  if (!cf__grow((void **)&rs->docs, &rs->cap_docs, rs->n_docs, sizeof(cf_doc_t *))) {
    cf_doc_free(doc);
    return CF_ENOMEM;
  }
  rs->docs[rs->n_docs++] = doc;
  cctx_t c = {rs, name, errors, false, false, 0};
  size_t before = rs->n_rules, others = 0;
  for (size_t i = 0; i < doc->n_roots; i++) {
    if (doc->roots[i]->type == CF_NODE_NULL) continue; /* an empty document in the stream */
    /* Content rules (analyzer: secrets or dlp) may share a rule folder; they are not ours. */
    const char *an = cf_node_str(cf_node_get(doc->roots[i], "analyzer"));
    if (an && (strcmp(an, "secrets") == 0 || strcmp(an, "dlp") == 0)) {
      others++;
      continue;
    }
    compile_rule(&c, doc->roots[i]);
  }
  if (c.oom) return CF_ENOMEM;
  if (!c.failed && rs->n_rules == before && !others) {
    cerr(&c, (cf_pos_t){0, 1, 1}, "no rule in file");
  }
  return c.failed ? CF_ERULE : CF_OK;
}

cf_err cf_ruleset_load_file(cf_ruleset_t *rs, const char *path, cf_diags_t *errors) {
  char *buf = NULL;
  size_t len = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__read_file(path, cf__limits(rs->ctx)->max_rule_size, 1, &buf, &len, &d);
  if (e) {
    if (errors) (void)cf_diags_adopt(errors, &d);
    cf_diag_cleanup(&d);
    return e == CF_ENOMEM ? e : CF_ERULE;
  }
  e = cf_ruleset_load_text(rs, path, buf, len, errors);
  free(buf);
  return e;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static cf_err load_dir(cf_ruleset_t *rs, const char *dir, cf_diags_t *errors, unsigned depth,
                       bool *any_bad) {
  if (depth > 16) return CF_OK;
  DIR *d = opendir(dir);
  if (!d) {
    if (errors) (void)cf_diags_add(errors, CF_EIO, dir, 0, 0, "cannot open rule directory: %s", strerror(errno));
    *any_bad = true;
    return CF_OK;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  cf_err err = CF_OK;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    if (!cf__grow((void **)&names, &cap, n, sizeof(char *)) || !(names[n] = strdup(de->d_name))) {
      err = CF_ENOMEM;
      break;
    }
    n++;
  }
  closedir(d);
  if (names) qsort(names, n, sizeof(char *), cmp_str); /* a stable order on every machine */
  for (size_t i = 0; !err && i < n; i++) {
    size_t plen = strlen(dir) + strlen(names[i]) + 2;
    char *p = malloc(plen);
    if (!p) {
      err = CF_ENOMEM;
      break;
    }
    snprintf(p, plen, "%s/%s", dir, names[i]);
    struct stat st;
    if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
      err = load_dir(rs, p, errors, depth + 1, any_bad);
    } else if (cf__str_ends(names[i], ".yaml") || cf__str_ends(names[i], ".yml")) {
      cf_err e = cf_ruleset_load_file(rs, p, errors);
      if (e == CF_ENOMEM) err = e;
      else if (e) *any_bad = true;
    }
    free(p);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return err;
}

cf_err cf_ruleset_load_dir(cf_ruleset_t *rs, const char *dir, cf_diags_t *errors) {
  bool bad = false;
  cf_err e = load_dir(rs, dir, errors, 0, &bad);
  if (e) return e;
  return bad ? CF_ERULE : CF_OK;
}

typedef struct cf_embedded_file {
  const char *path;
  const char *data;
  size_t len;
} cf_embedded_file_t;
extern const cf_embedded_file_t cf__embedded_rules[];

cf_err cf_ruleset_load_builtin(cf_ruleset_t *rs, cf_diags_t *errors) {
  bool bad = false;
  for (const cf_embedded_file_t *f = cf__embedded_rules; f->path; f++) {
    if (!cf__str_starts(f->path, "rules/posture/")) continue;
    cf_err e = cf_ruleset_load_text(rs, f->path, f->data, f->len, errors);
    if (e == CF_ENOMEM) return e;
    if (e) bad = true;
  }
  return bad ? CF_ERULE : CF_OK;
}
