/*
 * adapt_tfplan.c - Terraform plan JSON (`terraform show -json PLAN`, format_version 0.1 to
 * 1.x) into canonical resources.
 *
 * What is read: planned_values (the state the plan would leave: root_module and nested
 * child_modules), resource_changes (the actions per resource and `after_unknown`, the map of
 * values "known after apply"), configuration (expressions with their references, module
 * calls and module outputs) and prior_state (data sources read while planning, such as the
 * rendered JSON of an aws_iam_policy_document).
 *
 * How, in passes over one plan:
 *   1. index resource_changes by address and the configuration by module-path address;
 *   2. collect managed resources from planned_values, then those only resource_changes
 *      knows (create or update, from change.after), then data sources; every value tree is
 *      overlaid with after_unknown so that each attribute decided at apply is
 *      CF_NODE_UNKNOWN; resources the plan deletes are left out;
 *   3. map each main resource type to its canonical type (docs/internals/canonical.md);
 *   4. join side resources (split S3 bucket configuration, security group rules, IAM
 *      policies, attachments, login profiles and access keys, domain policies, Cloud
 *      Storage IAM and ACLs) into their owner, found through the configuration's
 *      references first (they work while ids are still unknown), then by a known name or
 *      id, else in an owner of their own marked incomplete and named after the reference;
 *   5. let instances without metadata options take those of their launch template, and
 *      emit everything.
 *
 * Why references: in a plan the id of a resource being created is unknown, so a bucket
 * policy's `bucket` is unknown too; only the configuration says which bucket it means.
 * References are resolved relative to the module instance of the referring resource
 * ("aws_s3_bucket.b.id" inside module.m["x"] names module.m["x"].aws_s3_bucket.b); `var.X`
 * follows the module call's argument into the parent module and `module.M.OUT` follows the
 * child module's output. A reference without an instance key to a counted resource
 * (`aws_s3_bucket.b` from aws_s3_bucket_policy.p["x"]) means the instance with the referrer's
 * own key, else the only instance; with several candidates it decides nothing. Every
 * resource carries its Terraform address as an identity, and an unknown attribute that refers
 * to a resource of the plan takes that resource's address as its value, so relationship
 * rules (a WAF association naming a load balancer) still match.
 *
 * Invariants: plan nodes are never modified, only referenced or copied, so every canonical
 * value keeps the file, line and column of the plan value it came from, and values computed
 * here carry the position of their source value. Attributes the plan does not state stay
 * absent, except the defaults canonical.md or the provider schema make explicit (load
 * balancer type "application", CloudTrail logging on, KMS key rotation off). An empty block
 * list (`"logging": []`) is treated as "not configured", the same as a CloudFormation
 * template that leaves the property out, and so is an API stage's empty web_acl_arn. AWS
 * provider 3's `versioning { enabled = false }` becomes status "Suspended", which is what the
 * provider reads back for a bucket whose versioning is not on.
 *
 * Limits: module nesting and reference chains stop at TF_MAX_DEPTH, value overlays at
 * TF_MAX_VALUE_DEPTH, addresses longer than TF_MAX_ADDR bytes are not resolved; a malformed
 * plan section is skipped, never trusted.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "doc/doc_internal.h"
#include "model.h"

#define TF_MAX_DEPTH 32u
#define TF_MAX_VALUE_DEPTH 256u
#define TF_MAX_ADDR 2048u
#define TF_MAX_HOPS 256u /* var/module hops one reference may take (fan-out included) */

/* ---- a string map in the adapter's arena (open addressing) ---- */

typedef struct smap {
  const char **keys; /* borrowed: document or arena strings */
  void **vals;
  size_t cap, len;
} smap_t;

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
  return h;
}

/* Inserts key -> val; an existing key keeps its first value unless replace is set. */
static cf_err smap_set(cf_arena_t *a, smap_t *m, const char *key, void *val, bool replace) {
  if ((m->len + 1) * 2 > m->cap) {
    size_t nc = m->cap ? m->cap * 2 : 64;
    const char **nk = cf__arena_zalloc(a, nc * sizeof(char *));
    void **nv = cf__arena_zalloc(a, nc * sizeof(void *));
    if (!nk || !nv) return CF_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
      if (!m->keys[i]) continue;
      size_t j = hash_str(m->keys[i]) & (nc - 1);
      while (nk[j]) j = (j + 1) & (nc - 1);
      nk[j] = m->keys[i];
      nv[j] = m->vals[i];
    }
    m->keys = nk;
    m->vals = nv;
    m->cap = nc;
  }
  size_t j = hash_str(key) & (m->cap - 1);
  while (m->keys[j]) {
    if (strcmp(m->keys[j], key) == 0) {
      if (replace) m->vals[j] = val;
      return CF_OK;
    }
    j = (j + 1) & (m->cap - 1);
  }
  m->keys[j] = key;
  m->vals[j] = val;
  m->len++;
  return CF_OK;
}

static cf_err smap_put(cf_arena_t *a, smap_t *m, const char *key, void *val) {
  return smap_set(a, m, key, val, false);
}

static void *smap_get(const smap_t *m, const char *key) {
  if (!m->cap || !key) return NULL;
  size_t j = hash_str(key) & (m->cap - 1);
  while (m->keys[j]) {
    if (strcmp(m->keys[j], key) == 0) return m->vals[j];
    j = (j + 1) & (m->cap - 1);
  }
  return NULL;
}

/* ---- plan state ---- */

/* One resource instance of the plan (managed or data). */
typedef struct tfres {
  const char *address;  /* module.m["x"].aws_s3_bucket.b[0] */
  const char *mod_inst; /* module instance path with keys and trailing dot, or "" */
  const char *key;      /* instance key as written in the address ("[0]", "[\"a\"]") or "" */
  const char *type;     /* aws_s3_bucket */
  const cf_node_t *values; /* object: planned values with after_unknown overlaid */
  const cf_node_t *exprs;  /* configuration expressions, or NULL */
  cf_pos_t pos;
  bool data;
  cf_resource_t *canon; /* the canonical resource made from it, if any */
} tfres_t;

typedef struct tf {
  cf_adapt_ctx_t *ac;
  smap_t changes;  /* address -> resource_changes item */
  smap_t config;   /* module-path address (no keys) -> configuration resource */
  smap_t calls;    /* "module.a.module.b." -> module call object */
  smap_t by_addr;  /* address -> tfres_t */
  smap_t bases;    /* address without its own key -> the only instance, or &AMBIGUOUS */
  smap_t ids;      /* "<canonical type>\x1f<identity>" -> cf_resource_t */
  tfres_t **res;
  size_t n_res, cap_res;
  cf_resource_t **extra; /* incomplete owners, in order of creation */
  size_t n_extra, cap_extra;
  unsigned budget; /* hops left for the reference being resolved */
  bool oom;
} tf_t;

/* Marks a base address with several instances (count or for_each). */
static char AMBIGUOUS;

static const cf_node_t *get(const cf_node_t *obj, const char *key) {
  const cf_node_t *v = cf_node_get(obj, key);
  return v && v->type == CF_NODE_NULL ? NULL : v;
}

static const char *str_of(const cf_node_t *obj, const char *key) { return cf_node_str(cf_node_get(obj, key)); }

/* Follows a dotted path through objects; a block list met before the last step stands for
 * its first block (Terraform writes nested blocks as lists). An unknown value on the way is
 * returned as is: everything below it is unknown too. null and empty lists are absent. */
static const cf_node_t *at(const cf_node_t *n, const char *dotted) {
  const char *p = dotted;
  while (n && *p) {
    if (n->type == CF_NODE_ARRAY) {
      if (n->len == 0) return NULL;
      n = n->u.items[0];
    }
    if (n->type == CF_NODE_UNKNOWN) return n;
    if (n->type != CF_NODE_OBJECT) return NULL;
    const char *dot = strchr(p, '.');
    size_t k = dot ? (size_t)(dot - p) : strlen(p);
    const cf_node_t *next = NULL;
    for (uint32_t i = 0; i < n->len; i++) {
      const cf_member_t *m = &n->u.members[i];
      if (m->key_len == k && memcmp(m->key, p, k) == 0) {
        next = m->value;
        break;
      }
    }
    n = next;
    p = dot ? dot + 1 : p + k;
  }
  if (n && n->type == CF_NODE_NULL) return NULL;
  return n;
}

static bool is_unknown(const cf_node_t *n) { return n && n->type == CF_NODE_UNKNOWN; }

/* actions == [only] */
static bool actions_are(const cf_node_t *rc, const char *only) {
  const cf_node_t *a = cf_node_at(rc, "change.actions");
  return a && a->type == CF_NODE_ARRAY && a->len == 1 && cf_node_str_eq(a->u.items[0], only);
}

static cf_node_t *syn_str(tf_t *t, const char *s, cf_pos_t pos) {
  cf_node_t *n = cf__n_str(t->ac, s, pos);
  if (!n) t->oom = true;
  else n->flags |= CF_NODE_F_SYNTHETIC;
  return n;
}

static cf_node_t *unknown_at(tf_t *t, cf_pos_t pos) {
  cf_node_t *n = cf__n_unknown(t->ac, pos);
  if (!n) t->oom = true;
  return n;
}

/* ---- after_unknown ---- */

static bool has_true(const cf_node_t *u, unsigned depth) {
  if (!u || depth > TF_MAX_VALUE_DEPTH) return false;
  if (u->type == CF_NODE_BOOL) return u->u.b;
  if (u->type == CF_NODE_ARRAY) {
    for (uint32_t i = 0; i < u->len; i++)
      if (has_true(u->u.items[i], depth + 1)) return true;
  } else if (u->type == CF_NODE_OBJECT) {
    for (uint32_t i = 0; i < u->len; i++)
      if (has_true(u->u.members[i].value, depth + 1)) return true;
  }
  return false;
}

/*
 * The value v with the after_unknown marks u applied: `true` makes the value unknown, objects
 * and arrays apply member by member. Subtrees without a mark are shared with the document,
 * marked ones are rebuilt in the arena, each object or array in one allocation of
 * cf__node_cap() elements (the document model's capacity rule) whose keys are borrowed from
 * the document, which outlives the adapter. The unknown node takes the position of the value
 * it replaces, or of its `true` in after_unknown when the plan leaves the value out. Returns
 * v (possibly NULL) when nothing applies; NULL with t->oom on allocation failure.
 */
static const cf_node_t *overlay(tf_t *t, const cf_node_t *v, const cf_node_t *u, unsigned depth) {
  if (!u || t->oom) return v;
  if (v && v->type == CF_NODE_NULL) v = NULL;
  if (u->type == CF_NODE_BOOL) return u->u.b ? unknown_at(t, v ? v->pos : u->pos) : v;
  if (depth > TF_MAX_VALUE_DEPTH || !has_true(u, 0)) return v;
  cf_arena_t *a = t->ac->arena;
  if (u->type == CF_NODE_OBJECT) {
    if (v && v->type != CF_NODE_OBJECT) return v;
    uint32_t vn = v ? v->len : 0, extra = 0;
    for (uint32_t i = 0; i < u->len; i++) {
      const cf_node_t *have = v ? cf_node_get(v, u->u.members[i].key) : NULL;
      if (!have && has_true(u->u.members[i].value, 0)) extra++;
    }
    cf_node_t *out = cf__n_obj(t->ac, v ? v->pos : u->pos);
    cf_member_t *m = cf__arena_alloc(a, cf__node_cap(vn + extra) * sizeof(cf_member_t));
    if (!out || !m) goto oom;
    out->u.members = m;
    for (uint32_t i = 0; i < vn; i++) {
      m[i] = v->u.members[i];
      const cf_node_t *nv = overlay(t, m[i].value, cf_node_get(u, m[i].key), depth + 1);
      if (t->oom) return NULL;
      if (nv) m[i].value = (cf_node_t *)nv; /* a null member stays null unless marked */
    }
    out->len = vn;
    for (uint32_t i = 0; i < u->len && out->len < vn + extra; i++) {
      const cf_member_t *um = &u->u.members[i];
      if ((v && cf_node_get(v, um->key)) || !has_true(um->value, 0)) continue;
      const cf_node_t *nv = overlay(t, NULL, um->value, depth + 1);
      if (t->oom) return NULL;
      if (!nv) continue;
      m[out->len] = *um;
      m[out->len].value = (cf_node_t *)nv;
      out->len++;
    }
    return out;
  }
  if (u->type == CF_NODE_ARRAY) {
    if (v && v->type != CF_NODE_ARRAY) return v;
    uint32_t n = v ? v->len : 0;
    if (u->len > n) n = u->len;
    cf_node_t *out = cf__n_arr(t->ac, v ? v->pos : u->pos);
    cf_node_t **items = cf__arena_alloc(a, cf__node_cap(n) * sizeof(cf_node_t *));
    if (!out || !items) goto oom;
    out->u.items = items;
    for (uint32_t i = 0; i < n; i++) {
      const cf_node_t *iv = v && i < v->len ? v->u.items[i] : NULL;
      const cf_node_t *iu = i < u->len ? u->u.items[i] : NULL;
      const cf_node_t *nv = overlay(t, iv, iu, depth + 1);
      if (t->oom) return NULL;
      if (nv) items[out->len++] = (cf_node_t *)nv;
    }
    return out;
  }
  return v;
oom:
  t->oom = true;
  return NULL;
}

/* ---- addresses ---- */

/* p points at '['; returns the character after the matching ']', or NULL. Quoted keys may
 * hold brackets and escaped quotes. */
static const char *skip_bracket(const char *p) {
  p++;
  while (*p && *p != ']') {
    if (*p == '"') {
      p++;
      while (*p && *p != '"') {
        if (*p == '\\' && p[1]) p++;
        p++;
      }
      if (!*p) return NULL;
    }
    p++;
  }
  return *p == ']' ? p + 1 : NULL;
}

/* s without instance keys: module.a["x"].aws_s3_bucket.b[0] -> module.a.aws_s3_bucket.b */
static char *strip_keys(tf_t *t, const char *s, size_t n) {
  char *out = cf__arena_alloc(t->ac->arena, n + 1);
  if (!out) {
    t->oom = true;
    return NULL;
  }
  size_t k = 0;
  const char *end = s + n;
  while (s < end && *s) {
    if (*s == '[') {
      const char *e = skip_bracket(s);
      if (!e || e > end) break;
      s = e;
      continue;
    }
    out[k++] = *s++;
  }
  out[k] = '\0';
  return out;
}

/* Length of the parent of a module instance path ("module.a.module.b[0]." -> 9, the length
 * of "module.a."), or -1 when the path is not made of module segments. */
static long parent_len(const char *mod_inst) {
  const char *p = mod_inst;
  long last = -1;
  while (*p) {
    if (strncmp(p, "module.", 7) != 0) return -1;
    last = (long)(p - mod_inst);
    p += 7;
    while (*p && *p != '.' && *p != '[') p++;
    if (*p == '[') {
      p = skip_bracket(p);
      if (!p) return -1;
    }
    if (*p != '.') return -1;
    p++;
  }
  return last;
}

/* ---- configuration ---- */

static void index_config(tf_t *t, const cf_node_t *mod, const char *prefix, unsigned depth) {
  if (!mod || mod->type != CF_NODE_OBJECT || depth > TF_MAX_DEPTH || t->oom) return;
  const cf_node_t *res = cf_node_get(mod, "resources");
  for (uint32_t i = 0; res && res->type == CF_NODE_ARRAY && i < res->len; i++) {
    const char *addr = str_of(res->u.items[i], "address");
    if (!addr) continue;
    char *key = cf__arena_printf(t->ac->arena, "%s%s", prefix, addr);
    if (!key || smap_put(t->ac->arena, &t->config, key, (void *)res->u.items[i])) t->oom = true;
  }
  const cf_node_t *calls = cf_node_get(mod, "module_calls");
  for (uint32_t i = 0; calls && calls->type == CF_NODE_OBJECT && i < calls->len; i++) {
    const cf_member_t *m = &calls->u.members[i];
    char *child = cf__arena_printf(t->ac->arena, "%smodule.%s.", prefix, m->key);
    if (!child || smap_put(t->ac->arena, &t->calls, child, (void *)m->value)) {
      t->oom = true;
      return;
    }
    index_config(t, cf_node_get(m->value, "module"), child, depth + 1);
  }
}

/* The expression for a dotted attribute path (blocks are lists of expression objects). */
static const cf_node_t *expr_at(const cf_node_t *exprs, const char *dotted) {
  const cf_node_t *e = at(exprs, dotted);
  if (e && e->type == CF_NODE_ARRAY) e = e->len ? e->u.items[0] : NULL;
  return e && e->type == CF_NODE_OBJECT ? e : NULL;
}

static const cf_node_t *refs_of(const cf_node_t *expr) {
  const cf_node_t *r = cf_node_get(expr, "references");
  return r && r->type == CF_NODE_ARRAY ? r : NULL;
}

/* ---- collecting resources ---- */

static tfres_t *add_res(tf_t *t, const cf_node_t *item, const cf_node_t *values, bool data) {
  const cf_node_t *an = cf_node_get(item, "address");
  const char *address = cf_node_str(an);
  const char *type = str_of(item, "type");
  const char *name = str_of(item, "name");
  if (!address || !type || !name) {
    cf__adapt_warn(t->ac, item->pos, "plan resource without address, type or name; skipped");
    return NULL;
  }
  if (smap_get(&t->by_addr, address)) return NULL;
  cf_arena_t *a = t->ac->arena;
  tfres_t *r = cf__arena_zalloc(a, sizeof(*r));
  char *tail = cf__arena_printf(a, "%s%s.%s", data ? "data." : "", type, name);
  if (!r || !tail) goto oom;
  /* The module instance is what precedes "[data.]type.name" (the last occurrence that starts
   * a segment and is followed by a key or the end). */
  size_t tl = strlen(tail), al = strlen(address);
  long found = -1;
  for (size_t i = 0; i + tl <= al; i++) {
    if ((i == 0 || address[i - 1] == '.') && memcmp(address + i, tail, tl) == 0 &&
        (address[i + tl] == '\0' || address[i + tl] == '['))
      found = (long)i;
  }
  if (found < 0) {
    cf__adapt_warn(t->ac, an->pos, "plan address '%s' does not end in its type and name; skipped", address);
    return NULL;
  }
  r->address = address;
  r->mod_inst = cf__arena_strndup(a, address, (size_t)found);
  r->key = address + found + tl;
  r->type = type;
  r->data = data;
  r->pos = an->pos;
  r->values = values && values->type == CF_NODE_OBJECT ? values : cf__n_obj(t->ac, item->pos);
  if (!r->mod_inst || !r->values) goto oom;
  char *cfg_mod = strip_keys(t, r->mod_inst, (size_t)found);
  if (!cfg_mod) return NULL;
  char *cfg = cf__arena_printf(a, "%s%s", cfg_mod, tail);
  if (!cfg) goto oom;
  r->exprs = cf_node_get(smap_get(&t->config, cfg), "expressions");
  if (smap_put(a, &t->by_addr, address, r)) goto oom;
  if (*r->key) {
    char *base = cf__arena_strndup(a, address, (size_t)found + tl);
    if (!base) goto oom;
    void *have = smap_get(&t->bases, base);
    if (smap_set(a, &t->bases, base, have ? (void *)&AMBIGUOUS : (void *)r, true)) goto oom;
  }
  if (t->n_res == t->cap_res) {
    size_t nc = t->cap_res ? t->cap_res * 2 : 64;
    tfres_t **n = cf__arena_alloc(a, nc * sizeof(*n));
    if (!n) goto oom;
    if (t->n_res) memcpy(n, t->res, t->n_res * sizeof(*n));
    t->res = n;
    t->cap_res = nc;
  }
  t->res[t->n_res++] = r;
  return r;
oom:
  t->oom = true;
  return NULL;
}

static void walk_values(tf_t *t, const cf_node_t *mod, unsigned depth, bool data_only) {
  if (!mod || mod->type != CF_NODE_OBJECT || t->oom) return;
  if (depth > TF_MAX_DEPTH) {
    cf__adapt_warn(t->ac, mod->pos, "modules nested deeper than %u levels; not read", TF_MAX_DEPTH);
    return;
  }
  const cf_node_t *res = cf_node_get(mod, "resources");
  for (uint32_t i = 0; res && res->type == CF_NODE_ARRAY && i < res->len && !t->oom; i++) {
    const cf_node_t *it = res->u.items[i];
    const char *mode = str_of(it, "mode");
    bool data = mode && strcmp(mode, "data") == 0;
    if (data_only && !data) continue;
    const char *addr = str_of(it, "address");
    const cf_node_t *rc = addr ? smap_get(&t->changes, addr) : NULL;
    if (!data && rc && actions_are(rc, "delete")) continue;
    const cf_node_t *u = rc ? cf_node_at(rc, "change.after_unknown") : NULL;
    const cf_node_t *v = overlay(t, cf_node_get(it, "values"), u, 0);
    if (t->oom) return;
    (void)add_res(t, it, v, data);
  }
  const cf_node_t *kids = cf_node_get(mod, "child_modules");
  for (uint32_t i = 0; kids && kids->type == CF_NODE_ARRAY && i < kids->len; i++)
    walk_values(t, kids->u.items[i], depth + 1, data_only);
}

/* Resources only resource_changes lists (planned_values left them out). */
static void add_from_changes(tf_t *t, const cf_node_t *rcs) {
  for (uint32_t i = 0; rcs && rcs->type == CF_NODE_ARRAY && i < rcs->len && !t->oom; i++) {
    const cf_node_t *rc = rcs->u.items[i];
    if (cf_node_get(rc, "deposed")) continue;
    const char *addr = str_of(rc, "address");
    if (!addr || smap_get(&t->by_addr, addr)) continue;
    if (actions_are(rc, "delete") || actions_are(rc, "forget")) continue;
    const cf_node_t *after = cf_node_at(rc, "change.after");
    if (!after || after->type != CF_NODE_OBJECT) continue;
    const char *mode = str_of(rc, "mode");
    bool data = mode && strcmp(mode, "data") == 0;
    const cf_node_t *v = overlay(t, after, cf_node_at(rc, "change.after_unknown"), 0);
    if (t->oom) return;
    (void)add_res(t, rc, v, data);
  }
}

/* ---- references ---- */

static bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Reads an identifier at *p; returns its length (0 when none). */
static size_t read_ident(const char **p) {
  const char *s = *p;
  while (ident_char(**p)) (*p)++;
  return (size_t)(*p - s);
}

static tfres_t *resolve_in(tf_t *t, const char *mod_inst, const char *self_key, const char *ref, unsigned depth);

/* Resolves one reference with a fresh hop budget. */
static tfres_t *resolve(tf_t *t, const char *mod_inst, const char *self_key, const char *ref) {
  t->budget = TF_MAX_HOPS;
  return resolve_in(t, mod_inst, self_key, ref, 0);
}

/* Resolves every reference of refs and returns the first that names a resource. */
static tfres_t *resolve_list(tf_t *t, const char *mod_inst, const char *self_key, const cf_node_t *refs,
                             bool want_data) {
  for (uint32_t i = 0; refs && i < refs->len; i++) {
    const char *s = cf_node_str(refs->u.items[i]);
    if (!s) continue;
    tfres_t *r = resolve(t, mod_inst, self_key, s);
    if (r && r->data == want_data) return r;
  }
  return NULL;
}

/*
 * The resource a reference names, seen from module instance mod_inst (and from an instance
 * whose own key is self_key, so that aws_s3_bucket.b inside a counted resource prefers the
 * bucket with the same index). NULL when it names a variable that leads nowhere, a local, a
 * resource outside the plan, or several instances it cannot choose between.
 */
static tfres_t *resolve_in(tf_t *t, const char *mod_inst, const char *self_key, const char *ref, unsigned depth) {
  if (depth > TF_MAX_DEPTH || strlen(ref) + strlen(mod_inst) + 16 > TF_MAX_ADDR) return NULL;
  char buf[TF_MAX_ADDR + 64];
  const char *p = ref;
  if (strncmp(p, "var.", 4) == 0) {
    /* A module's input: follow the argument the parent passes in its module call. */
    long pl = parent_len(mod_inst);
    if (pl < 0 || !*mod_inst || t->budget == 0) return NULL;
    t->budget--;
    p += 4;
    const char *vn = p;
    size_t vl = read_ident(&p);
    if (!vl || vl >= 256) return NULL;
    char var[256];
    memcpy(var, vn, vl);
    var[vl] = '\0';
    char *cfg = strip_keys(t, mod_inst, strlen(mod_inst));
    const cf_node_t *call = cfg ? smap_get(&t->calls, cfg) : NULL;
    const cf_node_t *refs = refs_of(cf_node_get(cf_node_get(call, "expressions"), var));
    if (!refs) return NULL;
    char *parent = cf__arena_strndup(t->ac->arena, mod_inst, (size_t)pl);
    if (!parent) {
      t->oom = true;
      return NULL;
    }
    for (uint32_t i = 0; i < refs->len; i++) {
      const char *s = cf_node_str(refs->u.items[i]);
      tfres_t *r = s ? resolve_in(t, parent, "", s, depth + 1) : NULL;
      if (r) return r;
    }
    return NULL;
  }
  if (strncmp(p, "module.", 7) == 0) {
    /* A child module's output: follow the output's expression inside the child. */
    if (t->budget == 0) return NULL;
    t->budget--;
    p += 7;
    const char *mn = p;
    size_t ml = read_ident(&p);
    if (!ml) return NULL;
    const char *key = p;
    if (*p == '[') {
      p = skip_bracket(p);
      if (!p) return NULL;
    }
    size_t kl = (size_t)(p - key);
    if (*p != '.') return NULL;
    p++;
    const char *on = p;
    size_t ol = read_ident(&p);
    if (!ol || ol >= 256) return NULL;
    char out[256];
    memcpy(out, on, ol);
    out[ol] = '\0';
    snprintf(buf, sizeof buf, "%smodule.%.*s%.*s.", mod_inst, (int)ml, mn, (int)kl, key);
    char *child = cf__arena_strdup(t->ac->arena, buf);
    char *cfg = child ? strip_keys(t, child, strlen(child)) : NULL;
    if (!cfg) {
      t->oom = true;
      return NULL;
    }
    const cf_node_t *call = smap_get(&t->calls, cfg);
    const cf_node_t *outs = cf_node_at(call, "module.outputs");
    const cf_node_t *refs = refs_of(cf_node_get(cf_node_get(outs, out), "expression"));
    for (uint32_t i = 0; refs && i < refs->len; i++) {
      const char *s = cf_node_str(refs->u.items[i]);
      tfres_t *r = s ? resolve_in(t, child, "", s, depth + 1) : NULL;
      if (r) return r;
    }
    return NULL;
  }
  bool data = false;
  if (strncmp(p, "data.", 5) == 0) {
    data = true;
    p += 5;
  } else {
    static const char *const skip[] = {"local.", "each.", "count.", "path.", "self.", "terraform."};
    for (size_t i = 0; i < CF_ARRAY_LEN(skip); i++)
      if (strncmp(p, skip[i], strlen(skip[i])) == 0) return NULL;
  }
  const char *ty = p;
  size_t tyl = read_ident(&p);
  if (!tyl || *p != '.') return NULL;
  p++;
  const char *nm = p;
  size_t nml = read_ident(&p);
  if (!nml) return NULL;
  const char *key = p;
  if (*p == '[') {
    p = skip_bracket(p);
    if (!p) return NULL;
  }
  size_t kl = (size_t)(p - key);
  int n = snprintf(buf, sizeof buf, "%s%s%.*s.%.*s", mod_inst, data ? "data." : "", (int)tyl, ty, (int)nml, nm);
  if (n < 0 || (size_t)n >= sizeof buf - 256) return NULL;
  size_t base = (size_t)n;
  tfres_t *r;
  if (kl) { /* an explicit instance */
    snprintf(buf + base, sizeof buf - base, "%.*s", (int)kl, key);
    return smap_get(&t->by_addr, buf);
  }
  if (self_key && *self_key && strlen(self_key) < 200) {
    snprintf(buf + base, sizeof buf - base, "%s", self_key);
    if ((r = smap_get(&t->by_addr, buf))) return r;
    buf[base] = '\0';
  }
  if ((r = smap_get(&t->by_addr, buf))) return r;
  /* A counted resource referred to as a whole: usable when it has one instance. */
  void *only = smap_get(&t->bases, buf);
  return only == (void *)&AMBIGUOUS ? NULL : only;
}

/* The first managed resource the expression at attr refers to. */
static tfres_t *ref_target(tf_t *t, const tfres_t *r, const char *attr) {
  const cf_node_t *refs = refs_of(expr_at(r->exprs, attr));
  return refs ? resolve_list(t, r->mod_inst, r->key, refs, false) : NULL;
}

/* The value at attr; when it is unknown and the configuration refers to a resource of the
 * plan, that resource's address (its reference identity) instead. */
static cf_node_t *ref_value(tf_t *t, const tfres_t *r, const char *attr) {
  const cf_node_t *v = at(r->values, attr);
  if (!is_unknown(v)) return (cf_node_t *)v;
  tfres_t *tg = ref_target(t, r, attr);
  return tg ? syn_str(t, tg->address, v->pos) : (cf_node_t *)v;
}

/* A string list at attr; an unknown list whose expression refers to resources of the plan
 * becomes the list of their addresses. */
static cf_node_t *ref_list(tf_t *t, const tfres_t *r, const char *attr) {
  const cf_node_t *v = at(r->values, attr);
  if (!v) return NULL;
  if (is_unknown(v)) {
    const cf_node_t *refs = refs_of(expr_at(r->exprs, attr));
    cf_node_t *arr = NULL;
    for (uint32_t i = 0; refs && i < refs->len; i++) {
      const char *s = cf_node_str(refs->u.items[i]);
      tfres_t *tg = s ? resolve(t, r->mod_inst, r->key, s) : NULL;
      if (!tg || tg->data) continue;
      if (!arr && !(arr = cf__n_arr(t->ac, v->pos))) goto oom;
      bool dup = false;
      for (uint32_t k = 0; k < arr->len; k++) dup = dup || strcmp(arr->u.items[k]->u.s, tg->address) == 0;
      if (!dup && cf_node_push(t->ac->arena, arr, syn_str(t, tg->address, v->pos))) goto oom;
    }
    return arr ? arr : (cf_node_t *)v;
  }
  cf_node_t *l = cf__n_strlist(t->ac, v);
  if (!l) goto oom;
  return l;
oom:
  t->oom = true;
  return NULL;
}

/* The value of attribute dattr of the data source of type dtype that the expression at attr
 * refers to (a policy rendered by data.aws_iam_policy_document.X.json). */
static const cf_node_t *data_value(tf_t *t, const tfres_t *r, const char *attr, const char *dtype, const char *dattr) {
  const cf_node_t *refs = refs_of(expr_at(r->exprs, attr));
  for (uint32_t i = 0; refs && i < refs->len; i++) {
    const char *s = cf_node_str(refs->u.items[i]);
    tfres_t *d = s ? resolve(t, r->mod_inst, r->key, s) : NULL;
    if (d && d->data && strcmp(d->type, dtype) == 0) return at(d->values, dattr);
  }
  return NULL;
}

/* A policy attribute, normalised; JSON rendered by a policy document data source stands in
 * for a value that is unknown or left out. */
static cf_node_t *policy_value(tf_t *t, const tfres_t *r, const char *attr) {
  const cf_node_t *v = at(r->values, attr);
  if (!v || is_unknown(v)) {
    const cf_node_t *j = data_value(t, r, attr, "aws_iam_policy_document", "json");
    if (j && j->type == CF_NODE_STRING && j->len) v = j;
  }
  if (!v) return NULL;
  if (v->type == CF_NODE_STRING && v->len == 0) return NULL;
  cf_node_t *p = cf__policy_normalize(t->ac, v);
  return p;
}

/* ---- identities ---- */

static void add_id(tf_t *t, cf_resource_t *r, const char *id) {
  if (!id || !*id) return;
  if (cf__res_add_id(t->ac, r, id)) t->oom = true;
}

static void add_id_node(tf_t *t, cf_resource_t *r, const cf_node_t *n) {
  if (n && n->type == CF_NODE_STRING) add_id(t, r, n->u.s);
}

static void register_ids(tf_t *t, cf_resource_t *r) {
  for (uint32_t i = 0; i < r->n_ids && !t->oom; i++) {
    char *k = cf__arena_printf(t->ac->arena, "%s\x1f%s", r->type, r->ids[i]);
    if (!k || smap_put(t->ac->arena, &t->ids, k, r)) t->oom = true;
  }
}

static cf_resource_t *find_by_id(tf_t *t, const char *ctype, const char *id) {
  char buf[TF_MAX_ADDR + 128];
  int n = snprintf(buf, sizeof buf, "%s\x1f%s", ctype, id);
  if (n < 0 || (size_t)n >= sizeof buf) return NULL;
  return smap_get(&t->ids, buf);
}

/* An owner that the plan does not hold: one incomplete resource per name. */
static cf_resource_t *outside_owner(tf_t *t, const char *ctype, const char *name, cf_pos_t pos) {
  cf_resource_t *r = find_by_id(t, ctype, name);
  if (r) return r;
  r = cf__res_new(t->ac, ctype, name, pos);
  cf_node_t *nn = cf__n_str(t->ac, name, pos);
  if (!r || !nn || cf__res_set(t->ac, r, "name", nn)) goto oom;
  r->incomplete = true;
  add_id(t, r, name);
  register_ids(t, r);
  if (t->n_extra == t->cap_extra) {
    size_t nc = t->cap_extra ? t->cap_extra * 2 : 16;
    cf_resource_t **n = cf__arena_alloc(t->ac->arena, nc * sizeof(*n));
    if (!n) goto oom;
    if (t->n_extra) memcpy(n, t->extra, t->n_extra * sizeof(*n));
    t->extra = n;
    t->cap_extra = nc;
  }
  t->extra[t->n_extra++] = r;
  return t->oom ? NULL : r;
oom:
  t->oom = true;
  return NULL;
}

/* "aws_s3_bucket.b.id" -> "aws_s3_bucket.b"; "data.aws_s3_bucket.x.id" -> "data.aws_s3_bucket.x";
 * other references (var.x, module.m.out) are kept whole. */
static char *ref_resource_part(tf_t *t, const char *ref) {
  const char *p = ref;
  bool data = strncmp(p, "data.", 5) == 0;
  if (data) p += 5;
  static const char *const whole[] = {"var.", "local.", "module.", "each.", "count.", "path.", "self."};
  for (size_t i = 0; i < CF_ARRAY_LEN(whole) && !data; i++)
    if (strncmp(p, whole[i], strlen(whole[i])) == 0) return cf__arena_strdup(t->ac->arena, ref);
  if (!read_ident(&p) || *p != '.') return cf__arena_strdup(t->ac->arena, ref);
  p++;
  if (!read_ident(&p)) return cf__arena_strdup(t->ac->arena, ref);
  if (*p == '[') {
    const char *e = skip_bracket(p);
    if (e) p = e;
  }
  return cf__arena_strndup(t->ac->arena, ref, (size_t)(p - ref));
}

/*
 * The canonical owner (of type ctype) of a side resource, named by its attribute attr: the
 * resource the configuration refers to, else the one whose identity is the attribute's
 * value, else an incomplete owner named after the value or the reference. NULL only when
 * memory runs out.
 */
static cf_resource_t *owner_of(tf_t *t, const tfres_t *side, const char *attr, const char *ctype) {
  const cf_node_t *refs = refs_of(expr_at(side->exprs, attr));
  const char *first_ref = NULL;
  for (uint32_t i = 0; refs && i < refs->len; i++) {
    const char *s = cf_node_str(refs->u.items[i]);
    if (!s) continue;
    if (!first_ref) first_ref = s;
    tfres_t *tg = resolve(t, side->mod_inst, side->key, s);
    if (tg && tg->canon && strcmp(tg->canon->type, ctype) == 0) return tg->canon;
  }
  const cf_node_t *v = at(side->values, attr);
  const char *name = cf_node_str(v);
  if (name && strcmp(ctype, "gcp.storage.bucket") == 0 && strncmp(name, "b/", 2) == 0) name += 2;
  if (name && *name) {
    cf_resource_t *o = find_by_id(t, ctype, name);
    if (o) return o;
    return outside_owner(t, ctype, name, v->pos);
  }
  if (first_ref) {
    char *part = ref_resource_part(t, first_ref);
    if (!part) {
      t->oom = true;
      return NULL;
    }
    return outside_owner(t, ctype, part, v ? v->pos : side->pos);
  }
  return outside_owner(t, ctype, side->address, v ? v->pos : side->pos);
}

/* Every owner named by a list attribute (aws_iam_policy_attachment users/roles/groups). */
static size_t owners_of_list(tf_t *t, const tfres_t *side, const char *attr, const char *ctype,
                             cf_resource_t **out, size_t max) {
  size_t n = 0;
  const cf_node_t *refs = refs_of(expr_at(side->exprs, attr));
  for (uint32_t i = 0; refs && i < refs->len && n < max; i++) {
    const char *s = cf_node_str(refs->u.items[i]);
    tfres_t *tg = s ? resolve(t, side->mod_inst, side->key, s) : NULL;
    if (!tg || !tg->canon || strcmp(tg->canon->type, ctype) != 0) continue;
    bool dup = false;
    for (size_t k = 0; k < n; k++) dup = dup || out[k] == tg->canon;
    if (!dup) out[n++] = tg->canon;
  }
  const cf_node_t *v = at(side->values, attr);
  for (uint32_t i = 0; v && v->type == CF_NODE_ARRAY && i < v->len && n < max; i++) {
    const char *s = cf_node_str(v->u.items[i]);
    if (!s || !*s) continue;
    cf_resource_t *o = find_by_id(t, ctype, s);
    if (!o) o = outside_owner(t, ctype, s, v->u.items[i]->pos);
    if (!o) return n;
    bool dup = false;
    for (size_t k = 0; k < n; k++) dup = dup || out[k] == o;
    if (!dup) out[n++] = o;
  }
  return n;
}

/* ---- building canonical attributes ---- */

typedef struct mx {
  tf_t *t;
  const tfres_t *src;
  cf_resource_t *r;
  const cf_node_t *v; /* the source's values */
} mx_t;

static void set(mx_t *x, const char *path, cf_node_t *v) {
  if (!v) return;
  if (cf__obj_set_path(x->t->ac->arena, x->r->attrs, path, v, v->pos)) x->t->oom = true;
}

static void copy(mx_t *x, const char *from, const char *to) { set(x, to, (cf_node_t *)at(x->v, from)); }

/* Booleans (and the strings "true"/"false" some providers use) as booleans. */
static cf_node_t *as_bool(tf_t *t, const cf_node_t *v) {
  if (!v) return NULL;
  if (v->type == CF_NODE_BOOL || v->type == CF_NODE_UNKNOWN) return (cf_node_t *)v;
  int b = cf_node_truth(v);
  if (b < 0) return NULL;
  cf_node_t *n = cf__n_bool(t->ac, b == 1, v->pos);
  if (!n) t->oom = true;
  return n;
}

static cf_node_t *as_int(tf_t *t, const cf_node_t *v) {
  double d;
  if (!v) return NULL;
  if (v->type == CF_NODE_INT || v->type == CF_NODE_UNKNOWN) return (cf_node_t *)v;
  /* Out of int64's range the conversion would be undefined: not an integer then. */
  if (!cf_node_number(v, &d) || !(d > -9.0e18 && d < 9.0e18)) return NULL;
  cf_node_t *n = cf__n_int(t->ac, (int64_t)d, v->pos);
  if (!n) t->oom = true;
  return n;
}

static void copy_bool(mx_t *x, const char *from, const char *to) { set(x, to, as_bool(x->t, at(x->v, from))); }
static void copy_int(mx_t *x, const char *from, const char *to) { set(x, to, as_int(x->t, at(x->v, from))); }
static void copy_ref(mx_t *x, const char *from, const char *to) { set(x, to, ref_value(x->t, x->src, from)); }
static void copy_list(mx_t *x, const char *from, const char *to) { set(x, to, ref_list(x->t, x->src, from)); }
static void copy_policy(mx_t *x, const char *from, const char *to) { set(x, to, policy_value(x->t, x->src, from)); }

/* Sets `to` to the first of several attribute names the plan states (provider versions
 * renamed some). */
static void copy_first(mx_t *x, const char *const *from, size_t n, const char *to, bool boolean) {
  for (size_t i = 0; i < n; i++) {
    const cf_node_t *v = at(x->v, from[i]);
    if (!v) continue;
    set(x, to, boolean ? as_bool(x->t, v) : (cf_node_t *)v);
    return;
  }
}

static cf_node_t *new_obj(tf_t *t, cf_pos_t pos) {
  cf_node_t *o = cf__n_obj(t->ac, pos);
  if (!o) t->oom = true;
  return o;
}

static void oset(tf_t *t, cf_node_t *o, const char *key, const cf_node_t *v) {
  if (!o || !v) return;
  if (cf_node_set(t->ac->arena, o, key, (cf_node_t *)v)) t->oom = true;
}

/* Appends item to the list attribute key of r, making the list when it is absent or unknown
 * (a list the provider computes at apply is known to hold at least what the plan adds). The
 * list is rebuilt, so lists shared with the document are never modified. */
static void push_to(tf_t *t, cf_resource_t *r, const char *key, cf_node_t *item) {
  if (!item || t->oom) return;
  const cf_node_t *have = cf_node_get(r->attrs, key);
  cf_node_t *l = cf__n_arr(t->ac, have && have->type == CF_NODE_ARRAY ? have->pos : item->pos);
  if (!l) goto oom;
  for (uint32_t i = 0; have && have->type == CF_NODE_ARRAY && i < have->len; i++)
    if (cf_node_push(t->ac->arena, l, have->u.items[i])) goto oom;
  if (cf_node_push(t->ac->arena, l, item) || cf__res_set(t->ac, r, key, l)) goto oom;
  return;
oom:
  t->oom = true;
}

/* Decodes base64 text (user data of launch templates) into a string node at v's position;
 * NULL when v is not base64. */
static cf_node_t *b64_text(tf_t *t, const cf_node_t *v) {
  if (!v || v->type != CF_NODE_STRING || v->len > (64u << 20)) return NULL;
  char *clean = cf__arena_alloc(t->ac->arena, (size_t)v->len + 1);
  if (!clean) goto oom;
  size_t k = 0;
  for (uint32_t i = 0; i < v->len; i++) {
    char c = v->u.s[i];
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') clean[k++] = c;
  }
  if (k % 4) return NULL;
  unsigned char *out = cf__arena_alloc(t->ac->arena, k / 4 * 3 + 1);
  if (!out) goto oom;
  int got = k ? EVP_DecodeBlock(out, (const unsigned char *)clean, (int)k) : 0;
  if (got < 0) return NULL;
  if (k >= 1 && clean[k - 1] == '=') got--;
  if (k >= 2 && clean[k - 2] == '=') got--;
  cf_node_t *n = cf_node_new_str(t->ac->arena, (const char *)out, (size_t)got, v->pos);
  if (!n) goto oom;
  return n;
oom:
  t->oom = true;
  return NULL;
}

/* AWS provider versions keep aws_instance and aws_launch_configuration user_data in the plan
 * as the SHA-1 of the text; the text itself is then only in the configuration. */
static bool is_sha1_hex(const cf_node_t *v) {
  if (!v || v->type != CF_NODE_STRING || v->len != 40) return false;
  for (uint32_t i = 0; i < 40; i++) {
    char c = v->u.s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

static void map_user_data(mx_t *x, bool plain_is_base64) {
  const cf_node_t *b64 = at(x->v, "user_data_base64");
  const cf_node_t *ud = at(x->v, "user_data");
  if (b64 && b64->type == CF_NODE_STRING) set(x, "user_data", b64_text(x->t, b64));
  else if (is_unknown(b64)) set(x, "user_data", (cf_node_t *)b64);
  if (cf_node_get(x->r->attrs, "user_data") || !ud) return;
  if (is_unknown(ud)) {
    set(x, "user_data", (cf_node_t *)ud);
  } else if (plain_is_base64) {
    set(x, "user_data", b64_text(x->t, ud));
  } else if (is_sha1_hex(ud)) {
    const cf_node_t *c = cf_node_get(expr_at(x->src->exprs, "user_data"), "constant_value");
    if (c && c->type == CF_NODE_STRING) set(x, "user_data", (cf_node_t *)c);
  } else if (ud->type == CF_NODE_STRING) {
    set(x, "user_data", (cf_node_t *)ud);
  }
}

static void map_tags(mx_t *x) {
  const cf_node_t *tags = at(x->v, "tags");
  if (tags && (tags->type == CF_NODE_OBJECT || tags->type == CF_NODE_UNKNOWN)) set(x, "tags", (cf_node_t *)tags);
}

/* Block-list attribute that is set and not empty (or unknown). */
static const cf_node_t *block(const cf_node_t *v, const char *name) {
  const cf_node_t *b = get(v, name);
  if (!b) return NULL;
  if (b->type == CF_NODE_ARRAY && b->len == 0) return NULL;
  return b;
}

/* ---- AWS S3 ---- */

/* S3 server-side encryption rules: [{apply_server_side_encryption_by_default: [{sse_algorithm,
 * kms_master_key_id}], bucket_key_enabled}] (the shape of the v3 inline block's `rule` and
 * of aws_s3_bucket_server_side_encryption_configuration). `ebase` is the expression path of
 * the rule list, for a key id known only by reference. */
static cf_node_t *sse_rules(tf_t *t, const tfres_t *src, const cf_node_t *rules, const char *ebase) {
  if (!rules) return NULL;
  if (is_unknown(rules)) return (cf_node_t *)rules;
  if (rules->type != CF_NODE_ARRAY) return NULL;
  cf_node_t *arr = cf__n_arr(t->ac, rules->pos);
  if (!arr) goto oom;
  for (uint32_t i = 0; i < rules->len; i++) {
    const cf_node_t *it = rules->u.items[i];
    cf_node_t *o = new_obj(t, it->pos);
    if (!o) return NULL;
    const cf_node_t *def = at(it, "apply_server_side_encryption_by_default");
    if (def && def->type == CF_NODE_ARRAY) def = def->len ? def->u.items[0] : NULL;
    oset(t, o, "algorithm", at(def, "sse_algorithm"));
    const cf_node_t *key = at(def, "kms_master_key_id");
    if (is_unknown(key) && i == 0) {
      char path[192];
      snprintf(path, sizeof path, "%s.apply_server_side_encryption_by_default.kms_master_key_id", ebase);
      tfres_t *tg = ref_target(t, src, path);
      if (tg) key = syn_str(t, tg->address, key->pos);
    }
    oset(t, o, "kms_key_id", key);
    oset(t, o, "bucket_key_enabled", as_bool(t, at(it, "bucket_key_enabled")));
    if (cf_node_push(t->ac->arena, arr, o)) goto oom;
  }
  return arr;
oom:
  t->oom = true;
  return NULL;
}

/* One canonical grant per permission of a Terraform grant. */
static void push_grant(tf_t *t, cf_node_t *arr, const cf_node_t *type, const cf_node_t *uri, const cf_node_t *id,
                       const cf_node_t *perm, cf_pos_t pos) {
  cf_node_t *o = new_obj(t, perm ? perm->pos : pos);
  if (!o) return;
  oset(t, o, "grantee_type", type);
  oset(t, o, "grantee_uri", uri);
  oset(t, o, "grantee_id", id);
  oset(t, o, "permission", perm);
  if (cf_node_push(t->ac->arena, arr, o)) t->oom = true;
}

static void map_bucket(mx_t *x) {
  tf_t *t = x->t;
  copy(x, "bucket", "name");
  const cf_node_t *acl = at(x->v, "acl");
  if (acl && (acl->type == CF_NODE_STRING || is_unknown(acl))) set(x, "acl.canned", (cf_node_t *)acl);
  /* AWS provider v3 inline blocks. */
  const cf_node_t *grant = block(x->v, "grant");
  if (is_unknown(grant)) {
    set(x, "acl.grants", (cf_node_t *)grant);
  } else if (grant && grant->type == CF_NODE_ARRAY) {
    cf_node_t *arr = cf__n_arr(t->ac, grant->pos);
    if (!arr) {
      t->oom = true;
      return;
    }
    for (uint32_t i = 0; i < grant->len; i++) {
      const cf_node_t *g = grant->u.items[i];
      const cf_node_t *perms = get(g, "permissions");
      if (perms && perms->type == CF_NODE_ARRAY) {
        for (uint32_t k = 0; k < perms->len; k++)
          push_grant(t, arr, get(g, "type"), get(g, "uri"), get(g, "id"), perms->u.items[k], g->pos);
      } else {
        push_grant(t, arr, get(g, "type"), get(g, "uri"), get(g, "id"), perms, g->pos);
      }
    }
    set(x, "acl.grants", arr);
  }
  copy_policy(x, "policy", "policy");
  const cf_node_t *sse = block(x->v, "server_side_encryption_configuration");
  if (sse) set(x, "encryption.rules", sse_rules(t, x->src, at(sse, "rule"), "server_side_encryption_configuration.rule"));
  const cf_node_t *log = block(x->v, "logging");
  if (is_unknown(log)) {
    set(x, "logging", (cf_node_t *)log);
  } else if (log) {
    cf_pos_t lp = log->type == CF_NODE_ARRAY ? log->u.items[0]->pos : log->pos;
    set(x, "logging.enabled", cf__n_bool(t->ac, true, lp));
    copy_ref(x, "logging.target_bucket", "logging.target_bucket");
    copy(x, "logging.target_prefix", "logging.target_prefix");
  }
  const cf_node_t *ver = block(x->v, "versioning");
  if (is_unknown(ver)) {
    set(x, "versioning", (cf_node_t *)ver);
  } else if (ver) {
    /* v3's enabled=false is what the provider reads back for a suspended (or never enabled)
     * bucket; either way it is not Enabled. */
    const cf_node_t *en = at(x->v, "versioning.enabled");
    if (is_unknown(en)) set(x, "versioning.status", (cf_node_t *)en);
    else if (en && en->type == CF_NODE_BOOL) set(x, "versioning.status", syn_str(t, en->u.b ? "Enabled" : "Suspended", en->pos));
    const cf_node_t *mfa = at(x->v, "versioning.mfa_delete");
    if (is_unknown(mfa)) set(x, "versioning.mfa_delete", (cf_node_t *)mfa);
    else if (mfa && mfa->type == CF_NODE_BOOL) set(x, "versioning.mfa_delete", syn_str(t, mfa->u.b ? "Enabled" : "Disabled", mfa->pos));
  }
  const cf_node_t *web = block(x->v, "website");
  if (is_unknown(web)) set(x, "website", (cf_node_t *)web);
  else if (web) set(x, "website.enabled", cf__n_bool(t->ac, true, web->pos));
  map_tags(x);
}

static void map_account_pab(mx_t *x) {
  copy(x, "account_id", "account_id");
  static const char *const f[] = {"block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"};
  for (size_t i = 0; i < CF_ARRAY_LEN(f); i++) copy_bool(x, f[i], f[i]);
}

/* ---- EC2 ---- */

static void map_metadata_options(mx_t *x) {
  const cf_node_t *mo = block(x->v, "metadata_options");
  if (!mo) return;
  if (is_unknown(mo)) {
    set(x, "metadata_options", (cf_node_t *)mo);
    return;
  }
  copy(x, "metadata_options.http_endpoint", "metadata_options.http_endpoint");
  copy(x, "metadata_options.http_tokens", "metadata_options.http_tokens");
  copy_int(x, "metadata_options.http_put_response_hop_limit", "metadata_options.http_put_response_hop_limit");
  /* A block whose every field is null still says "configured here". */
  if (!cf_node_get(x->r->attrs, "metadata_options")) set(x, "metadata_options", new_obj(x->t, mo->pos));
}

/* The launch template an instance starts from: the template's address when it is in the
 * plan, else its id or name. */
static void map_instance_template(mx_t *x) {
  static const char *const via[] = {"launch_template.id", "launch_template.name"};
  for (size_t i = 0; i < CF_ARRAY_LEN(via); i++) {
    const cf_node_t *v = at(x->v, via[i]);
    tfres_t *tg = ref_target(x->t, x->src, via[i]);
    if (tg) {
      set(x, "launch_template", syn_str(x->t, tg->address, v ? v->pos : x->r->pos));
      return;
    }
    if (v && (v->type == CF_NODE_UNKNOWN || (v->type == CF_NODE_STRING && v->len))) {
      set(x, "launch_template", (cf_node_t *)v);
      return;
    }
  }
}

static void map_instance(mx_t *x) {
  copy(x, "id", "instance_id");
  map_metadata_options(x);
  map_instance_template(x);
  copy_ref(x, "iam_instance_profile", "iam_instance_profile");
  copy_bool(x, "associate_public_ip_address", "associate_public_ip_address");
  copy(x, "public_ip", "public_ip");
  map_user_data(x, false);
  const cf_node_t *sg = at(x->v, "vpc_security_group_ids");
  copy_list(x, sg && !(sg->type == CF_NODE_ARRAY && sg->len == 0) ? "vpc_security_group_ids" : "security_groups",
            "security_groups");
  map_tags(x);
}

static void map_launch_template(mx_t *x) {
  copy(x, "name", "name");
  copy(x, "id", "launch_template_id");
  copy_int(x, "latest_version", "version");
  map_metadata_options(x);
  map_user_data(x, true);
  const cf_node_t *ip = at(x->v, "iam_instance_profile.arn");
  if (!ip) ip = at(x->v, "iam_instance_profile.name");
  set(x, "iam_instance_profile", (cf_node_t *)ip);
  copy_bool(x, "network_interfaces.associate_public_ip_address", "associate_public_ip_address");
  const cf_node_t *sg = at(x->v, "vpc_security_group_ids");
  copy_list(x, sg && !(sg->type == CF_NODE_ARRAY && sg->len == 0) ? "vpc_security_group_ids" : "security_group_names",
            "security_groups");
  map_tags(x);
}

static void map_launch_configuration(mx_t *x) {
  copy(x, "name", "name");
  map_metadata_options(x);
  copy_ref(x, "iam_instance_profile", "iam_instance_profile");
  copy_bool(x, "associate_public_ip_address", "associate_public_ip_address");
  map_user_data(x, false);
  copy_list(x, "security_groups", "security_groups");
}

/* Security group rules: the inline/aws_security_group_rule shape (protocol, cidr_blocks,
 * security_groups or source_security_group_id, self) and the aws_vpc_security_group_*_rule
 * shape (ip_protocol, cidr_ipv4, referenced_security_group_id). `src` is the rule's own
 * resource for separate rules (references are then top-level expressions), NULL inline. */
static cf_node_t *sg_rule(tf_t *t, const cf_node_t *it, const tfres_t *src, const cf_resource_t *group) {
  cf_node_t *o = new_obj(t, it->pos);
  if (!o) return NULL;
  const cf_node_t *proto = get(it, "protocol");
  if (!proto) proto = get(it, "ip_protocol");
  char pbuf[32];
  bool all = false;
  const char *low = cf__fw_protocol(proto, pbuf, sizeof pbuf);
  if (low) {
    all = strcmp(low, "-1") == 0;
    oset(t, o, "protocol", cf__n_str(t->ac, low, proto->pos));
    if (all) {
      /* Terraform writes 0/0 (or nothing) for "all protocols"; canonically every port. */
      oset(t, o, "from_port", cf__n_int(t->ac, 0, proto->pos));
      oset(t, o, "to_port", cf__n_int(t->ac, 65535, proto->pos));
    }
  } else if (is_unknown(proto)) {
    oset(t, o, "protocol", proto);
  }
  if (!all) {
    oset(t, o, "from_port", as_int(t, get(it, "from_port")));
    oset(t, o, "to_port", as_int(t, get(it, "to_port")));
  }
  static const char *const lists[][2] = {{"cidr_blocks", "cidrs"}, {"cidr_ipv4", "cidrs"},
                                         {"ipv6_cidr_blocks", "ipv6_cidrs"}, {"cidr_ipv6", "ipv6_cidrs"},
                                         {"prefix_list_ids", "prefix_lists"}, {"prefix_list_id", "prefix_lists"},
                                         {"security_groups", "source_groups"},
                                         {"source_security_group_id", "source_groups"},
                                         {"referenced_security_group_id", "source_groups"}};
  for (size_t i = 0; i < CF_ARRAY_LEN(lists); i++) {
    const cf_node_t *v = get(it, lists[i][0]);
    if (!v) continue;
    /* On a separate rule resource an unknown attribute the configuration does not set is a
     * computed leftover (source_security_group_id of a CIDR rule), not a source. */
    if (src && is_unknown(v) && src->exprs && !expr_at(src->exprs, lists[i][0])) continue;
    if (src && is_unknown(v)) v = ref_value(t, src, lists[i][0]);
    cf_node_t *l = (cf_node_t *)cf_node_get(o, lists[i][1]);
    if (!l) {
      l = cf__n_arr(t->ac, v->pos);
      if (!l) goto oom;
      oset(t, o, lists[i][1], l);
    }
    if (v->type == CF_NODE_ARRAY) {
      for (uint32_t k = 0; k < v->len; k++)
        if (cf_node_push(t->ac->arena, l, v->u.items[k])) goto oom;
    } else if (cf_node_push(t->ac->arena, l, (cf_node_t *)v)) {
      goto oom;
    }
  }
  const cf_node_t *self = get(it, "self");
  if (self && self->type == CF_NODE_BOOL && self->u.b && group) {
    /* Traffic from the group itself: its own reference identity as the source. */
    cf_node_t *l = (cf_node_t *)cf_node_get(o, "source_groups");
    if (!l) {
      l = cf__n_arr(t->ac, self->pos);
      if (!l) goto oom;
      oset(t, o, "source_groups", l);
    }
    if (cf_node_push(t->ac->arena, l, syn_str(t, group->address, self->pos))) goto oom;
  }
  oset(t, o, "description", get(it, "description"));
  return o;
oom:
  t->oom = true;
  return NULL;
}

static void sg_rules(mx_t *x, const char *key) {
  const cf_node_t *l = get(x->v, key);
  if (!l) return;
  if (is_unknown(l)) {
    set(x, key, (cf_node_t *)l);
    return;
  }
  if (l->type != CF_NODE_ARRAY) return;
  cf_node_t *arr = cf__n_arr(x->t->ac, l->pos);
  if (!arr) {
    x->t->oom = true;
    return;
  }
  for (uint32_t i = 0; i < l->len; i++) {
    cf_node_t *o = sg_rule(x->t, l->u.items[i], NULL, x->r);
    if (o && cf_node_push(x->t->ac->arena, arr, o)) x->t->oom = true;
  }
  set(x, key, arr);
}

static void map_security_group(mx_t *x) {
  copy(x, "id", "group_id");
  copy(x, "name", "name");
  copy_ref(x, "vpc_id", "vpc_id");
  sg_rules(x, "ingress");
  sg_rules(x, "egress");
  map_tags(x);
}

/* ---- IAM ---- */

static void map_iam_common(mx_t *x) {
  copy(x, "name", "name");
  copy(x, "arn", "arn");
  map_tags(x);
}

static void map_user(mx_t *x) { map_iam_common(x); }
static void map_group(mx_t *x) { map_iam_common(x); }

static void map_role(mx_t *x) {
  tf_t *t = x->t;
  map_iam_common(x);
  copy_policy(x, "assume_role_policy", "assume_role_policy");
  const cf_node_t *ip = block(x->v, "inline_policy");
  if (is_unknown(ip)) {
    set(x, "inline_policies", (cf_node_t *)ip);
  } else if (ip && ip->type == CF_NODE_ARRAY) {
    cf_node_t *arr = cf__n_arr(t->ac, ip->pos);
    if (!arr) {
      t->oom = true;
      return;
    }
    for (uint32_t i = 0; i < ip->len; i++) {
      const cf_node_t *it = ip->u.items[i];
      const cf_node_t *doc = get(it, "policy");
      if (!doc) continue; /* an empty inline_policy {} removes every inline policy */
      cf_node_t *o = new_obj(t, it->pos);
      oset(t, o, "name", get(it, "name"));
      if (doc->type != CF_NODE_STRING || doc->len) oset(t, o, "document", cf__policy_normalize(t->ac, doc));
      if (o && cf_node_push(t->ac->arena, arr, o)) t->oom = true;
    }
    set(x, "inline_policies", arr);
  }
  const cf_node_t *mp = at(x->v, "managed_policy_arns");
  if (mp && !(mp->type == CF_NODE_ARRAY && mp->len == 0)) copy_list(x, "managed_policy_arns", "managed_policies");
}

static void map_policy(mx_t *x) {
  copy(x, "name", "name");
  copy(x, "arn", "arn");
  copy_policy(x, "policy", "document");
  set(x, "aws_managed", cf__n_bool(x->t->ac, false, x->r->pos));
  map_tags(x);
}

static void map_password_policy(mx_t *x) {
  static const char *const m[][2] = {
      {"minimum_password_length", "minimum_length"}, {"max_password_age", "max_age_days"},
      {"password_reuse_prevention", "reuse_prevention"}};
  static const char *const b[][2] = {
      {"require_symbols", "require_symbols"}, {"require_numbers", "require_numbers"},
      {"require_uppercase_characters", "require_uppercase"}, {"require_lowercase_characters", "require_lowercase"},
      {"allow_users_to_change_password", "allow_users_to_change"}, {"hard_expiry", "hard_expiry"}};
  for (size_t i = 0; i < CF_ARRAY_LEN(m); i++) copy_int(x, m[i][0], m[i][1]);
  for (size_t i = 0; i < CF_ARRAY_LEN(b); i++) copy_bool(x, b[i][0], b[i][1]);
}

/* ---- other AWS services ---- */

static void map_opensearch(mx_t *x) {
  tf_t *t = x->t;
  copy(x, "domain_name", "name");
  copy(x, "arn", "arn");
  copy(x, strcmp(x->src->type, "aws_elasticsearch_domain") == 0 ? "elasticsearch_version" : "engine_version",
       "engine_version");
  const cf_node_t *vpc = block(x->v, "vpc_options");
  if (is_unknown(vpc)) {
    set(x, "vpc", (cf_node_t *)vpc);
  } else if (vpc) {
    copy_list(x, "vpc_options.subnet_ids", "vpc.subnet_ids");
    copy_list(x, "vpc_options.security_group_ids", "vpc.security_group_ids");
    if (!cf_node_get(x->r->attrs, "vpc")) set(x, "vpc", new_obj(t, vpc->pos));
  }
  copy_policy(x, "access_policies", "access_policy");
  copy_bool(x, "advanced_security_options.enabled", "fine_grained_access_control.enabled");
  copy_bool(x, "advanced_security_options.internal_user_database_enabled", "fine_grained_access_control.internal_user_database");
  copy_bool(x, "advanced_security_options.anonymous_auth_enabled", "fine_grained_access_control.anonymous_auth_enabled");
  copy_bool(x, "encrypt_at_rest.enabled", "encryption_at_rest.enabled");
  copy_bool(x, "node_to_node_encryption.enabled", "node_to_node_encryption.enabled");
  copy_bool(x, "domain_endpoint_options.enforce_https", "domain_endpoint.enforce_https");
  copy(x, "domain_endpoint_options.tls_security_policy", "domain_endpoint.tls_policy");
  map_tags(x);
}

static void map_lb(mx_t *x) {
  tf_t *t = x->t;
  copy(x, "name", "name");
  copy(x, "arn", "arn");
  const cf_node_t *internal = at(x->v, "internal");
  if (is_unknown(internal)) set(x, "scheme", (cf_node_t *)internal);
  else if (internal && internal->type == CF_NODE_BOOL)
    set(x, "scheme", syn_str(t, internal->u.b ? "internal" : "internet-facing", internal->pos));
  /* load_balancer_type defaults to "application" in the provider schema. */
  const cf_node_t *type = at(x->v, "load_balancer_type");
  set(x, "type", type ? (cf_node_t *)type : syn_str(t, "application", x->r->pos));
  map_tags(x);
}

static void map_stage(mx_t *x) {
  copy(x, "stage_name", "name");
  copy_ref(x, "rest_api_id", "rest_api_id");
  copy(x, "arn", "arn");
  /* A stage without a web ACL reads back as "": not set. */
  const cf_node_t *waf = at(x->v, "web_acl_arn");
  if (!(waf && waf->type == CF_NODE_STRING && waf->len == 0)) copy_ref(x, "web_acl_arn", "web_acl_arn");
  map_tags(x);
}

static void map_waf_association(mx_t *x) {
  copy_ref(x, "web_acl_arn", "web_acl_arn");
  copy_ref(x, "resource_arn", "resource_arn");
}

static void map_trail(mx_t *x) {
  tf_t *t = x->t;
  copy(x, "name", "name");
  copy(x, "arn", "arn");
  copy_bool(x, "is_multi_region_trail", "multi_region");
  copy_bool(x, "enable_log_file_validation", "log_file_validation");
  copy_ref(x, "kms_key_id", "kms_key_id");
  /* enable_logging defaults to true in the provider schema. */
  const cf_node_t *on = at(x->v, "enable_logging");
  set(x, "is_logging", on ? as_bool(t, on) : cf__n_bool(t->ac, true, x->r->pos));
  copy_ref(x, "s3_bucket_name", "s3_bucket_name");
  copy_bool(x, "include_global_service_events", "include_global_service_events");
  map_tags(x);
}

static void map_kms(mx_t *x) {
  tf_t *t = x->t;
  copy(x, "key_id", "key_id");
  copy(x, "arn", "arn");
  /* enable_key_rotation defaults to false in the provider schema. */
  const cf_node_t *rot = at(x->v, "enable_key_rotation");
  set(x, "rotation_enabled", rot ? as_bool(t, rot) : cf__n_bool(t->ac, false, x->r->pos));
  set(x, "key_manager", syn_str(t, "CUSTOMER", x->r->pos));
  static const char *const spec[] = {"customer_master_key_spec", "key_spec"};
  copy_first(x, spec, CF_ARRAY_LEN(spec), "key_spec", false);
  copy_bool(x, "is_enabled", "enabled");
  copy_policy(x, "policy", "policy");
  if (strcmp(x->src->type, "aws_kms_external_key") == 0) set(x, "origin", syn_str(t, "EXTERNAL", x->r->pos));
  map_tags(x);
}

/* {NAME: value, ...} -> [{name, value}] keeping each key's position for the name. */
static cf_node_t *env_list(tf_t *t, const cf_node_t *vars) {
  if (!vars) return NULL;
  if (is_unknown(vars)) return (cf_node_t *)vars;
  cf_node_t *arr = cf__n_arr(t->ac, vars->pos);
  if (!arr) goto oom;
  if (vars->type == CF_NODE_OBJECT) {
    for (uint32_t i = 0; i < vars->len; i++) {
      const cf_member_t *m = &vars->u.members[i];
      cf_node_t *o = new_obj(t, m->key_pos);
      oset(t, o, "name", cf__n_str(t->ac, m->key, m->key_pos));
      oset(t, o, "value", m->value);
      if (!o || cf_node_push(t->ac->arena, arr, o)) goto oom;
    }
  } else if (vars->type == CF_NODE_ARRAY) { /* ECS: [{name, value}] */
    for (uint32_t i = 0; i < vars->len; i++) {
      const cf_node_t *it = vars->u.items[i];
      cf_node_t *o = new_obj(t, it->pos);
      oset(t, o, "name", get(it, "name"));
      oset(t, o, "value", get(it, "value"));
      if (!o || cf_node_push(t->ac->arena, arr, o)) goto oom;
    }
  }
  return arr;
oom:
  t->oom = true;
  return NULL;
}

static void map_lambda(mx_t *x) {
  copy(x, "function_name", "name");
  copy(x, "arn", "arn");
  copy(x, "runtime", "runtime");
  copy_ref(x, "role", "role");
  set(x, "environment", env_list(x->t, at(x->v, "environment.variables")));
  map_tags(x);
}

static void map_task_definition(mx_t *x) {
  tf_t *t = x->t;
  copy(x, "family", "family");
  const cf_node_t *cd = at(x->v, "container_definitions");
  if (!cd) return;
  if (is_unknown(cd)) {
    set(x, "containers", (cf_node_t *)cd);
    return;
  }
  if (cd->type != CF_NODE_STRING) return;
  const cf_node_t *defs = cf__parse_inner_json(t->ac, cd->u.s, cd->len, cd->pos);
  if (!defs) return;
  if (defs->type != CF_NODE_ARRAY) {
    cf__adapt_warn(t->ac, cd->pos, "container_definitions is not a JSON list");
    return;
  }
  cf_node_t *arr = cf__n_arr(t->ac, cd->pos);
  if (!arr) {
    t->oom = true;
    return;
  }
  for (uint32_t i = 0; i < defs->len; i++) {
    const cf_node_t *d = defs->u.items[i];
    if (d->type != CF_NODE_OBJECT) continue;
    cf_node_t *o = new_obj(t, d->pos);
    oset(t, o, "name", get(d, "name"));
    oset(t, o, "image", get(d, "image"));
    oset(t, o, "privileged", as_bool(t, get(d, "privileged")));
    oset(t, o, "user", get(d, "user"));
    oset(t, o, "environment", env_list(t, get(d, "environment")));
    if (!o || cf_node_push(t->ac->arena, arr, o)) t->oom = true;
  }
  set(x, "containers", arr);
}

/* ---- Azure and Google Cloud storage ---- */

static void map_azure_account(mx_t *x) {
  copy(x, "name", "name");
  static const char *const pub[] = {"allow_nested_items_to_be_public", "allow_blob_public_access"};
  copy_first(x, pub, CF_ARRAY_LEN(pub), "allow_blob_public_access", true);
  static const char *const https[] = {"https_traffic_only_enabled", "enable_https_traffic_only"};
  copy_first(x, https, CF_ARRAY_LEN(https), "https_only", true);
  copy(x, "min_tls_version", "min_tls_version");
  map_tags(x);
}

static void map_azure_container(mx_t *x) {
  copy(x, "name", "name");
  if (at(x->v, "storage_account_name")) copy_ref(x, "storage_account_name", "storage_account");
  else copy_ref(x, "storage_account_id", "storage_account");
  const cf_node_t *cat = at(x->v, "container_access_type");
  if (!cat || (cat->type != CF_NODE_STRING && !is_unknown(cat))) return;
  if (is_unknown(cat)) {
    set(x, "public_access", (cf_node_t *)cat);
    return;
  }
  const char *s = strcasecmp(cat->u.s, "private") == 0 ? "none" : strcasecmp(cat->u.s, "blob") == 0 ? "blob"
                  : strcasecmp(cat->u.s, "container") == 0 ? "container" : cat->u.s;
  set(x, "public_access", syn_str(x->t, s, cat->pos));
}

static void map_gcs_bucket(mx_t *x) {
  copy(x, "name", "name");
  copy_bool(x, "uniform_bucket_level_access", "uniform_bucket_level_access");
  copy(x, "public_access_prevention", "public_access_prevention");
  const cf_node_t *labels = at(x->v, "labels");
  if (labels && labels->type == CF_NODE_OBJECT) set(x, "tags", (cf_node_t *)labels);
}

/* ---- the main types ---- */

typedef struct type_map {
  const char *tf;
  const char *canonical;
  const char *name_attr; /* attribute that names the resource for others, or NULL */
  void (*map)(mx_t *);
} type_map_t;

static const type_map_t main_types[] = {
    {"aws_s3_bucket", "aws.s3.bucket", "bucket", map_bucket},
    {"aws_s3_account_public_access_block", "aws.s3.account_public_access_block", "account_id", map_account_pab},
    {"aws_instance", "aws.ec2.instance", NULL, map_instance},
    {"aws_launch_template", "aws.ec2.launch_template", "name", map_launch_template},
    {"aws_launch_configuration", "aws.autoscaling.launch_configuration", "name", map_launch_configuration},
    {"aws_iam_user", "aws.iam.user", "name", map_user},
    {"aws_iam_role", "aws.iam.role", "name", map_role},
    {"aws_iam_group", "aws.iam.group", "name", map_group},
    {"aws_iam_policy", "aws.iam.policy", "name", map_policy},
    {"aws_iam_account_password_policy", "aws.iam.password_policy", NULL, map_password_policy},
    {"aws_security_group", "aws.ec2.security_group", "name", map_security_group},
    {"aws_default_security_group", "aws.ec2.security_group", "name", map_security_group},
    {"aws_opensearch_domain", "aws.opensearch.domain", "domain_name", map_opensearch},
    {"aws_elasticsearch_domain", "aws.opensearch.domain", "domain_name", map_opensearch},
    {"aws_lb", "aws.elbv2.load_balancer", "name", map_lb},
    {"aws_alb", "aws.elbv2.load_balancer", "name", map_lb},
    {"aws_api_gateway_stage", "aws.apigateway.stage", NULL, map_stage},
    {"aws_wafv2_web_acl_association", "aws.wafv2.web_acl_association", NULL, map_waf_association},
    {"aws_cloudtrail", "aws.cloudtrail.trail", "name", map_trail},
    {"aws_kms_key", "aws.kms.key", "key_id", map_kms},
    {"aws_kms_external_key", "aws.kms.key", "key_id", map_kms},
    {"aws_lambda_function", "aws.lambda.function", "function_name", map_lambda},
    {"aws_ecs_task_definition", "aws.ecs.task_definition", "family", map_task_definition},
    {"azurerm_storage_account", "azure.storage.account", "name", map_azure_account},
    {"azurerm_storage_container", "azure.storage.container", "name", map_azure_container},
    {"google_storage_bucket", "gcp.storage.bucket", "name", map_gcs_bucket},
};

static const type_map_t *main_type(const char *tf) {
  for (size_t i = 0; i < CF_ARRAY_LEN(main_types); i++)
    if (strcmp(main_types[i].tf, tf) == 0) return &main_types[i];
  return NULL;
}

static void build_main(tf_t *t, tfres_t *src) {
  const type_map_t *tm = main_type(src->type);
  if (!tm) return;
  cf_resource_t *r = cf__res_new(t->ac, tm->canonical, src->address, src->pos);
  if (!r) {
    t->oom = true;
    return;
  }
  mx_t x = {t, src, r, src->values};
  tm->map(&x);
  /* Every type has an ARN in the plan (known, or decided at apply). */
  const cf_node_t *arn = at(src->values, "arn");
  if (!cf_node_get(r->attrs, "arn") && arn && (arn->type == CF_NODE_STRING || is_unknown(arn))) set(&x, "arn", (cf_node_t *)arn);
  add_id(t, r, src->address);
  if (tm->name_attr) add_id_node(t, r, at(src->values, tm->name_attr));
  add_id_node(t, r, at(src->values, "arn"));
  add_id_node(t, r, at(src->values, "id"));
  src->canon = r;
}

/* ---- side resources ---- */

typedef struct side_map {
  const char *tf;
  const char *owner;      /* canonical type of the owner */
  const char *owner_attr; /* attribute naming the owner */
  void (*join)(tf_t *t, const tfres_t *side, cf_resource_t *owner);
} side_map_t;

static void join_pab(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  static const char *const f[] = {"block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"};
  mx_t x = {t, s, o, s->values};
  for (size_t i = 0; i < CF_ARRAY_LEN(f); i++) {
    char to[96];
    snprintf(to, sizeof to, "public_access_block.%s", f[i]);
    copy_bool(&x, f[i], to);
  }
}

static void join_sse(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  mx_t x = {t, s, o, s->values};
  set(&x, "encryption.rules", sse_rules(t, s, get(s->values, "rule"), "rule"));
}

static void join_logging(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  mx_t x = {t, s, o, s->values};
  set(&x, "logging", new_obj(t, s->pos));
  set(&x, "logging.enabled", cf__n_bool(t->ac, true, s->pos));
  copy_ref(&x, "target_bucket", "logging.target_bucket");
  copy(&x, "target_prefix", "logging.target_prefix");
}

static void join_bucket_policy(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  mx_t x = {t, s, o, s->values};
  copy_policy(&x, "policy", "policy");
}

static void join_acl(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  mx_t x = {t, s, o, s->values};
  const cf_node_t *acl = at(s->values, "acl");
  if (acl && (acl->type == CF_NODE_STRING || is_unknown(acl))) set(&x, "acl.canned", (cf_node_t *)acl);
  const cf_node_t *grants = at(s->values, "access_control_policy.grant");
  if (is_unknown(grants)) {
    set(&x, "acl.grants", (cf_node_t *)grants);
    return;
  }
  if (!grants || grants->type != CF_NODE_ARRAY) return;
  cf_node_t *arr = cf__n_arr(t->ac, grants->pos);
  if (!arr) {
    t->oom = true;
    return;
  }
  for (uint32_t i = 0; i < grants->len; i++) {
    const cf_node_t *g = grants->u.items[i];
    const cf_node_t *ge = at(g, "grantee");
    if (ge && ge->type == CF_NODE_ARRAY) ge = ge->len ? ge->u.items[0] : NULL;
    push_grant(t, arr, at(ge, "type"), at(ge, "uri"), at(ge, "id"), get(g, "permission"), g->pos);
  }
  set(&x, "acl.grants", arr);
}

static void join_versioning(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  mx_t x = {t, s, o, s->values};
  set(&x, "versioning", new_obj(t, s->pos));
  copy(&x, "versioning_configuration.status", "versioning.status");
  copy(&x, "versioning_configuration.mfa_delete", "versioning.mfa_delete");
}

static void join_ownership(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  mx_t x = {t, s, o, s->values};
  copy(&x, "rule.object_ownership", "object_ownership");
}

static void join_website(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  mx_t x = {t, s, o, s->values};
  set(&x, "website", new_obj(t, s->pos));
  set(&x, "website.enabled", cf__n_bool(t->ac, true, s->pos));
}

static void join_sg_rule(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  const char *dir = NULL;
  if (strcmp(s->type, "aws_vpc_security_group_ingress_rule") == 0) dir = "ingress";
  else if (strcmp(s->type, "aws_vpc_security_group_egress_rule") == 0) dir = "egress";
  else {
    const char *ty = str_of(s->values, "type");
    if (ty && (strcmp(ty, "ingress") == 0 || strcmp(ty, "egress") == 0)) dir = ty;
  }
  if (!dir) {
    cf__adapt_warn(t->ac, s->pos, "%s: rule type is neither ingress nor egress; not joined", s->address);
    return;
  }
  push_to(t, o, dir, sg_rule(t, s->values, s, o));
}

static void join_inline_policy(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  cf_node_t *item = new_obj(t, s->pos);
  oset(t, item, "name", at(s->values, "name"));
  oset(t, item, "document", policy_value(t, s, "policy"));
  push_to(t, o, "inline_policies", item);
}

static void join_attachment(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  push_to(t, o, "managed_policies", ref_value(t, s, "policy_arn"));
}

static void join_login_profile(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  cf_node_t *b = cf__n_bool(t->ac, true, s->pos);
  if (!b || cf__res_set(t->ac, o, "password_enabled", b)) t->oom = true;
}

static void join_access_key(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  cf_node_t *key = new_obj(t, s->pos);
  oset(t, key, "id", at(s->values, "id"));
  const cf_node_t *st = at(s->values, "status");
  if (st && st->type == CF_NODE_STRING) oset(t, key, "active", cf__n_bool(t->ac, strcasecmp(st->u.s, "Active") == 0, st->pos));
  else oset(t, key, "active", st);
  oset(t, key, "last_rotated", at(s->values, "create_date"));
  push_to(t, o, "access_keys", key);
}

static void join_user_groups(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  const cf_node_t *g = at(s->values, "groups");
  for (uint32_t i = 0; g && g->type == CF_NODE_ARRAY && i < g->len; i++) push_to(t, o, "groups", g->u.items[i]);
}

static void join_instance_profile(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  const cf_node_t *n = at(s->values, "name");
  push_to(t, o, "instance_profiles", (cf_node_t *)(n ? n : syn_str(t, s->address, s->pos)));
}

static void join_domain_policy(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  mx_t x = {t, s, o, s->values};
  copy_policy(&x, "access_policies", "access_policy");
}

static void push_member(tf_t *t, cf_resource_t *o, const cf_node_t *role, const cf_node_t *member, cf_pos_t pos) {
  cf_node_t *m = new_obj(t, member ? member->pos : pos);
  oset(t, m, "role", role);
  oset(t, m, "member", member);
  push_to(t, o, "iam_members", m);
}

static void join_gcs_binding(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  const cf_node_t *role = at(s->values, "role");
  const cf_node_t *members = at(s->values, "members");
  if (is_unknown(members)) push_member(t, o, role, members, s->pos);
  for (uint32_t i = 0; members && members->type == CF_NODE_ARRAY && i < members->len; i++)
    push_member(t, o, role, members->u.items[i], s->pos);
}

static void join_gcs_member(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  push_member(t, o, at(s->values, "role"), at(s->values, "member"), s->pos);
}

static void join_gcs_policy(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  const cf_node_t *pd = at(s->values, "policy_data");
  if (!pd || is_unknown(pd)) {
    const cf_node_t *d = data_value(t, s, "policy_data", "google_iam_policy", "policy_data");
    if (d) pd = d;
  }
  if (!pd) return;
  if (is_unknown(pd)) {
    push_member(t, o, pd, pd, pd->pos);
    return;
  }
  if (pd->type != CF_NODE_STRING || !pd->len) return;
  const cf_node_t *doc = cf__parse_inner_json(t->ac, pd->u.s, pd->len, pd->pos);
  const cf_node_t *b = get(doc, "bindings");
  for (uint32_t i = 0; b && b->type == CF_NODE_ARRAY && i < b->len; i++) {
    const cf_node_t *role = get(b->u.items[i], "role");
    const cf_node_t *members = get(b->u.items[i], "members");
    for (uint32_t k = 0; members && members->type == CF_NODE_ARRAY && k < members->len; k++)
      push_member(t, o, role, members->u.items[k], pd->pos);
  }
}

static void join_gcs_acl(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  const cf_node_t *re = at(s->values, "role_entity");
  for (uint32_t i = 0; re && re->type == CF_NODE_ARRAY && i < re->len; i++) {
    const cf_node_t *it = re->u.items[i];
    if (is_unknown(it)) {
      push_member(t, o, it, it, it->pos);
      continue;
    }
    const char *s1 = cf_node_str(it);
    const char *colon = s1 ? strchr(s1, ':') : NULL;
    if (!colon) continue;
    cf_node_t *role = cf_node_new_str(t->ac->arena, s1, (size_t)(colon - s1), it->pos);
    cf_node_t *ent = cf__n_str(t->ac, colon + 1, it->pos);
    if (!role || !ent) {
      t->oom = true;
      return;
    }
    push_member(t, o, role, ent, it->pos);
  }
  /* Predefined ACLs stand for fixed grants (Cloud Storage JSON API, predefinedAcl). */
  const cf_node_t *pre = at(s->values, "predefined_acl");
  const char *p = cf_node_str(pre);
  if (!p) return;
  static const char *const m[][3] = {{"publicRead", "READER", "allUsers"},
                                     {"publicReadWrite", "WRITER", "allUsers"},
                                     {"authenticatedRead", "READER", "allAuthenticatedUsers"}};
  for (size_t i = 0; i < CF_ARRAY_LEN(m); i++)
    if (strcmp(p, m[i][0]) == 0) push_member(t, o, syn_str(t, m[i][1], pre->pos), syn_str(t, m[i][2], pre->pos), pre->pos);
}

static void join_gcs_access_control(tf_t *t, const tfres_t *s, cf_resource_t *o) {
  push_member(t, o, at(s->values, "role"), at(s->values, "entity"), s->pos);
}

static const side_map_t side_types[] = {
    {"aws_s3_bucket_public_access_block", "aws.s3.bucket", "bucket", join_pab},
    {"aws_s3_bucket_server_side_encryption_configuration", "aws.s3.bucket", "bucket", join_sse},
    {"aws_s3_bucket_logging", "aws.s3.bucket", "bucket", join_logging},
    {"aws_s3_bucket_policy", "aws.s3.bucket", "bucket", join_bucket_policy},
    {"aws_s3_bucket_acl", "aws.s3.bucket", "bucket", join_acl},
    {"aws_s3_bucket_versioning", "aws.s3.bucket", "bucket", join_versioning},
    {"aws_s3_bucket_ownership_controls", "aws.s3.bucket", "bucket", join_ownership},
    {"aws_s3_bucket_website_configuration", "aws.s3.bucket", "bucket", join_website},
    {"aws_security_group_rule", "aws.ec2.security_group", "security_group_id", join_sg_rule},
    {"aws_vpc_security_group_ingress_rule", "aws.ec2.security_group", "security_group_id", join_sg_rule},
    {"aws_vpc_security_group_egress_rule", "aws.ec2.security_group", "security_group_id", join_sg_rule},
    {"aws_iam_user_policy", "aws.iam.user", "user", join_inline_policy},
    {"aws_iam_role_policy", "aws.iam.role", "role", join_inline_policy},
    {"aws_iam_group_policy", "aws.iam.group", "group", join_inline_policy},
    {"aws_iam_user_policy_attachment", "aws.iam.user", "user", join_attachment},
    {"aws_iam_role_policy_attachment", "aws.iam.role", "role", join_attachment},
    {"aws_iam_group_policy_attachment", "aws.iam.group", "group", join_attachment},
    {"aws_iam_user_login_profile", "aws.iam.user", "user", join_login_profile},
    {"aws_iam_access_key", "aws.iam.user", "user", join_access_key},
    {"aws_iam_user_group_membership", "aws.iam.user", "user", join_user_groups},
    {"aws_iam_instance_profile", "aws.iam.role", "role", join_instance_profile},
    {"aws_elasticsearch_domain_policy", "aws.opensearch.domain", "domain_name", join_domain_policy},
    {"aws_opensearch_domain_policy", "aws.opensearch.domain", "domain_name", join_domain_policy},
    {"google_storage_bucket_iam_binding", "gcp.storage.bucket", "bucket", join_gcs_binding},
    {"google_storage_bucket_iam_member", "gcp.storage.bucket", "bucket", join_gcs_member},
    {"google_storage_bucket_iam_policy", "gcp.storage.bucket", "bucket", join_gcs_policy},
    {"google_storage_bucket_acl", "gcp.storage.bucket", "bucket", join_gcs_acl},
    {"google_storage_bucket_access_control", "gcp.storage.bucket", "bucket", join_gcs_access_control},
};

/* Side resources that name several owners through list attributes. */
static void join_multi(tf_t *t, const tfres_t *s) {
  cf_resource_t *owners[256];
  if (strcmp(s->type, "aws_iam_policy_attachment") == 0) {
    static const char *const lists[][2] = {{"users", "aws.iam.user"}, {"roles", "aws.iam.role"}, {"groups", "aws.iam.group"}};
    for (size_t i = 0; i < CF_ARRAY_LEN(lists) && !t->oom; i++) {
      size_t n = owners_of_list(t, s, lists[i][0], lists[i][1], owners, CF_ARRAY_LEN(owners));
      for (size_t k = 0; k < n; k++) join_attachment(t, s, owners[k]);
    }
  } else if (strcmp(s->type, "aws_iam_group_membership") == 0) {
    const cf_node_t *g = at(s->values, "group");
    cf_node_t *gname = (cf_node_t *)g;
    if (!g || is_unknown(g)) {
      tfres_t *tg = ref_target(t, s, "group");
      if (tg) gname = syn_str(t, tg->address, g ? g->pos : s->pos);
    }
    if (!gname) return;
    size_t n = owners_of_list(t, s, "users", "aws.iam.user", owners, CF_ARRAY_LEN(owners));
    for (size_t k = 0; k < n; k++) push_to(t, owners[k], "groups", gname);
  }
}

static void join_side(tf_t *t, const tfres_t *s) {
  for (size_t i = 0; i < CF_ARRAY_LEN(side_types); i++) {
    if (strcmp(side_types[i].tf, s->type) != 0) continue;
    cf_resource_t *o = owner_of(t, s, side_types[i].owner_attr, side_types[i].owner);
    if (o) side_types[i].join(t, s, o);
    return;
  }
  join_multi(t, s);
}

/* An instance without metadata options of its own takes its launch template's. */
static void instance_from_template(tf_t *t, tfres_t *s) {
  cf_resource_t *r = s->canon;
  const cf_node_t *mo = cf_node_get(r->attrs, "metadata_options");
  if (mo && !is_unknown(mo)) return;
  if (expr_at(s->exprs, "metadata_options")) return; /* configured here, only not yet known */
  cf_resource_t *lt = NULL;
  static const char *const via[] = {"launch_template.id", "launch_template.name"};
  for (size_t i = 0; i < CF_ARRAY_LEN(via) && !lt; i++) {
    tfres_t *tg = ref_target(t, s, via[i]);
    if (tg && tg->canon && strcmp(tg->canon->type, "aws.ec2.launch_template") == 0) lt = tg->canon;
    const char *known = cf_node_str(at(s->values, via[i]));
    if (!lt && known) lt = find_by_id(t, "aws.ec2.launch_template", known);
  }
  const cf_node_t *lmo = lt ? cf_node_get(lt->attrs, "metadata_options") : NULL;
  if (lmo && cf__res_set(t->ac, r, "metadata_options", (cf_node_t *)lmo)) t->oom = true;
}

cf_err cf__adapt_tfplan(cf_adapt_ctx_t *ac, const cf_doc_t *doc) {
  if (!doc || doc->n_roots == 0) return CF_OK;
  const cf_node_t *root = doc->roots[0];
  if (!root || root->type != CF_NODE_OBJECT) return CF_OK;
  tf_t t;
  memset(&t, 0, sizeof t);
  t.ac = ac;
  cf_arena_t *a = ac->arena;

  /* 1. Indexes. A deposed object (the old copy of a create-before-destroy replacement)
   * shares its address with the new one; only the current object counts. */
  const cf_node_t *rcs = cf_node_get(root, "resource_changes");
  for (uint32_t i = 0; rcs && rcs->type == CF_NODE_ARRAY && i < rcs->len; i++) {
    const cf_node_t *rc = rcs->u.items[i];
    const char *addr = str_of(rc, "address");
    if (!addr || cf_node_get(rc, "deposed")) continue;
    if (smap_put(a, &t.changes, addr, (void *)rc)) return CF_ENOMEM;
  }
  index_config(&t, cf_node_at(root, "configuration.root_module"), "", 0);
  if (t.oom) return CF_ENOMEM;

  /* 2. Resources: planned values, then what only resource_changes has, then data sources
   * read while planning. */
  walk_values(&t, cf_node_at(root, "planned_values.root_module"), 0, false);
  add_from_changes(&t, rcs);
  walk_values(&t, cf_node_at(root, "prior_state.values.root_module"), 0, true);
  if (t.oom) return CF_ENOMEM;

  /* 3. Main resources, then their identities for joins by value. */
  for (size_t i = 0; i < t.n_res && !t.oom; i++)
    if (!t.res[i]->data) build_main(&t, t.res[i]);
  for (size_t i = 0; i < t.n_res && !t.oom; i++)
    if (t.res[i]->canon) register_ids(&t, t.res[i]->canon);

  /* 4. Side resources into their owners. */
  for (size_t i = 0; i < t.n_res && !t.oom; i++)
    if (!t.res[i]->data && !t.res[i]->canon) join_side(&t, t.res[i]);
  for (size_t i = 0; i < t.n_res && !t.oom; i++)
    if (t.res[i]->canon && strcmp(t.res[i]->type, "aws_instance") == 0) instance_from_template(&t, t.res[i]);
  if (t.oom) return CF_ENOMEM;

  /* 5. Emit. */
  for (size_t i = 0; i < t.n_res; i++) {
    if (!t.res[i]->canon) continue;
    cf_err e = ac->emit(ac, t.res[i]->canon);
    if (e) return e;
  }
  for (size_t i = 0; i < t.n_extra; i++) {
    cf_err e = ac->emit(ac, t.extra[i]);
    if (e) return e;
  }
  return CF_OK;
}
