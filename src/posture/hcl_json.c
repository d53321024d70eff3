/*
 * hcl_json.c - Terraform's JSON variant (`.tf.json`, `.tfvars.json`) into the HCL tree of
 * hcl.h, so that the evaluator and the adapter read both syntaxes the same way.
 *
 * The JSON variant has no syntax for blocks: Terraform knows from the provider's schema
 * which object is a nested block and which a map-valued argument. Without schemas, the
 * top-level structure is read as Terraform defines it (resource, data, module, variable,
 * output, locals, provider, terraform; labels as nested object keys), and inside a resource
 * or module body an object, or an array of objects, is a nested block unless its name is
 * one of the map-valued arguments listed in map_args (tags, environment variables, ...).
 * Strings are templates (`"${var.name}"`), except variable defaults and tfvars values, which
 * are literal, as in Terraform. Keys named "//" are comments.
 *
 * Limits: those of the JSON front end (size, depth, values).
 */
#include <string.h>

#include "doc/doc_internal.h"
#include "hcl.h"

typedef struct conv {
  cf_arena_t *a;
  const char *name;
  cf_diag_t *diag;
  cf_err err;
} conv_t;

static bool oom(conv_t *c) {
  if (!c->err) c->err = cf_diag_set(c->diag, CF_ENOMEM, c->name, 0, 0, "out of memory");
  return false;
}

static hcl_expr_t *enode(conv_t *c, hcl_ekind k, cf_pos_t pos) {
  hcl_expr_t *e = cf__arena_zalloc(c->a, sizeof *e);
  if (!e) {
    oom(c);
    return NULL;
  }
  e->kind = (uint8_t)k;
  e->pos = pos;
  return e;
}

/* A JSON value as an expression; with literal, strings are not templates. */
static hcl_expr_t *expr_of(conv_t *c, const cf_node_t *v, bool literal, unsigned depth) {
  if (depth > HCL_MAX_DEPTH) {
    c->err = cf_diag_set(c->diag, CF_ELIMIT, c->name, v->pos.line, v->pos.column, "nesting too deep");
    return NULL;
  }
  switch (v->type) {
  case CF_NODE_STRING:
    if (!literal && (memmem(v->u.s, v->len, "${", 2) || memmem(v->u.s, v->len, "%{", 2))) {
      hcl_expr_t *e = NULL;
      cf_err err = cf__hcl_parse_template_at(c->a, v->u.s, v->len, v->pos, c->name, &e, c->diag);
      if (err) {
        c->err = err;
        return NULL;
      }
      return e;
    }
    __attribute__((fallthrough)); /* a plain string is a literal */
  case CF_NODE_NULL:
  case CF_NODE_BOOL:
  case CF_NODE_INT:
  case CF_NODE_FLOAT: {
    hcl_expr_t *e = enode(c, HCL_E_LITERAL, v->pos);
    if (e) e->value = (cf_node_t *)v;
    return e;
  }
  case CF_NODE_ARRAY:
  case CF_NODE_OBJECT: {
    bool obj = v->type == CF_NODE_OBJECT;
    hcl_expr_t *e = enode(c, obj ? HCL_E_OBJECT : HCL_E_TUPLE, v->pos);
    if (!e) return NULL;
    uint32_t n = obj ? 2 * v->len : v->len;
    e->items = cf__arena_alloc(c->a, (n ? n : 1) * sizeof *e->items);
    if (!e->items) return oom(c), NULL;
    for (uint32_t i = 0; i < v->len; i++) {
      if (obj) {
        const cf_member_t *m = &v->u.members[i];
        cf_node_t *k = cf_node_new_str(c->a, m->key, m->key_len, m->key_pos);
        hcl_expr_t *ke = k ? enode(c, HCL_E_LITERAL, m->key_pos) : NULL;
        if (!ke) return oom(c), NULL;
        ke->value = k;
        hcl_expr_t *ve = expr_of(c, m->value, literal, depth + 1);
        if (!ve) return NULL;
        e->items[e->n_items++] = ke;
        e->items[e->n_items++] = ve;
      } else {
        hcl_expr_t *ie = expr_of(c, v->u.items[i], literal, depth + 1);
        if (!ie) return NULL;
        e->items[e->n_items++] = ie;
      }
    }
    return e;
  }
  default: {
    hcl_expr_t *e = enode(c, HCL_E_LITERAL, v->pos);
    if (e) e->value = (cf_node_t *)v;
    return e;
  }
  }
}

/* Arguments that take a map (an object is then a value, not a block). */
static bool map_arg(const char *k) {
  static const char *const map_args[] = {"tags", "tags_all", "default_tags", "variables", "labels", "annotations",
                                         "parameters", "triggers", "environment_variables", "metadata", NULL};
  for (int i = 0; map_args[i]; i++)
    if (!strcmp(k, map_args[i])) return true;
  return false;
}

typedef struct bodyb {
  hcl_attr_t *attrs;
  uint32_t n_attrs, cap_attrs;
  hcl_block_t *blocks;
  uint32_t n_blocks, cap_blocks;
} bodyb_t;

static bool grow(conv_t *c, void **v, uint32_t *cap, uint32_t n, size_t size) {
  if (n < *cap) return true;
  uint32_t nc = *cap ? *cap * 2 : 4;
  void *x = cf__arena_alloc(c->a, nc * size);
  if (!x) return oom(c);
  if (n) memcpy(x, *v, n * size);
  *v = x;
  *cap = nc;
  return true;
}

static bool body_of(conv_t *c, const cf_node_t *obj, hcl_body_t *out, int kind, unsigned depth);

/* Kinds of bodies: what their object members are. */
enum { B_GENERIC, B_VARIABLE, B_LOCALS, B_OUTPUT, B_MODULE };

static bool add_block(conv_t *c, bodyb_t *bb, const char *type, const char **labels, uint32_t nl, const cf_node_t *body,
                      cf_pos_t pos, int kind, unsigned depth) {
  if (!grow(c, (void **)&bb->blocks, &bb->cap_blocks, bb->n_blocks, sizeof(hcl_block_t))) return false;
  hcl_block_t *b = &bb->blocks[bb->n_blocks];
  memset(b, 0, sizeof *b);
  b->type = type;
  b->pos = pos;
  if (nl) {
    b->labels = cf__arena_alloc(c->a, nl * sizeof(char *));
    if (!b->labels) return oom(c);
    memcpy(b->labels, labels, nl * sizeof(char *));
    b->n_labels = nl;
  }
  bb->n_blocks++;
  hcl_body_t inner;
  if (!body_of(c, body, &inner, kind, depth + 1)) return false;
  bb->blocks[bb->n_blocks - 1].body = inner;
  return true;
}

static bool add_attr(conv_t *c, bodyb_t *bb, const cf_member_t *m, bool literal, unsigned depth) {
  hcl_expr_t *e = expr_of(c, m->value, literal, depth + 1);
  if (!e) return false;
  if (!grow(c, (void **)&bb->attrs, &bb->cap_attrs, bb->n_attrs, sizeof(hcl_attr_t))) return false;
  bb->attrs[bb->n_attrs++] = (hcl_attr_t){m->key, m->key_pos, e};
  return true;
}

/* A resource, data, module or nested block body. */
static bool body_of(conv_t *c, const cf_node_t *obj, hcl_body_t *out, int kind, unsigned depth) {
  memset(out, 0, sizeof *out);
  if (depth > HCL_MAX_DEPTH) {
    c->err = cf_diag_set(c->diag, CF_ELIMIT, c->name, obj->pos.line, obj->pos.column, "nesting too deep");
    return false;
  }
  /* A body given as a list of objects is their union. */
  if (obj->type == CF_NODE_ARRAY) {
    bodyb_t bb = {0};
    for (uint32_t i = 0; i < obj->len; i++) {
      hcl_body_t part;
      if (obj->u.items[i]->type != CF_NODE_OBJECT) continue;
      if (!body_of(c, obj->u.items[i], &part, kind, depth + 1)) return false;
      for (uint32_t k = 0; k < part.n_attrs; k++) {
        if (!grow(c, (void **)&bb.attrs, &bb.cap_attrs, bb.n_attrs, sizeof(hcl_attr_t))) return false;
        bb.attrs[bb.n_attrs++] = part.attrs[k];
      }
      for (uint32_t k = 0; k < part.n_blocks; k++) {
        if (!grow(c, (void **)&bb.blocks, &bb.cap_blocks, bb.n_blocks, sizeof(hcl_block_t))) return false;
        bb.blocks[bb.n_blocks++] = part.blocks[k];
      }
    }
    *out = (hcl_body_t){bb.attrs, bb.n_attrs, bb.blocks, bb.n_blocks};
    return true;
  }
  if (obj->type != CF_NODE_OBJECT) {
    c->err = cf_diag_set(c->diag, CF_EPARSE, c->name, obj->pos.line, obj->pos.column, "expected an object for a block body");
    return false;
  }
  bodyb_t bb = {0};
  for (uint32_t i = 0; i < obj->len; i++) {
    const cf_member_t *m = &obj->u.members[i];
    if (!strcmp(m->key, "//")) continue;
    const cf_node_t *v = m->value;
    if (kind == B_VARIABLE || kind == B_LOCALS || kind == B_OUTPUT || kind == B_MODULE) {
      if (!add_attr(c, &bb, m, kind == B_VARIABLE && !strcmp(m->key, "default"), depth)) return false;
      continue;
    }
    if (!strcmp(m->key, "dynamic") && v->type == CF_NODE_OBJECT) {
      for (uint32_t k = 0; k < v->len; k++) {
        const char *lab = v->u.members[k].key;
        if (!add_block(c, &bb, "dynamic", &lab, 1, v->u.members[k].value, v->u.members[k].key_pos, B_GENERIC, depth)) return false;
      }
      continue;
    }
    bool blocky = !map_arg(m->key) &&
                  (v->type == CF_NODE_OBJECT ||
                   (v->type == CF_NODE_ARRAY && v->len && v->u.items[0]->type == CF_NODE_OBJECT));
    if (!blocky) {
      if (!add_attr(c, &bb, m, false, depth)) return false;
      continue;
    }
    if (v->type == CF_NODE_OBJECT) {
      if (!add_block(c, &bb, m->key, NULL, 0, v, m->key_pos, B_GENERIC, depth)) return false;
    } else {
      for (uint32_t k = 0; k < v->len; k++)
        if (!add_block(c, &bb, m->key, NULL, 0, v->u.items[k], v->u.items[k]->pos, B_GENERIC, depth)) return false;
    }
  }
  *out = (hcl_body_t){bb.attrs, bb.n_attrs, bb.blocks, bb.n_blocks};
  return true;
}

/* Top level: block types, with labels as nested keys. */
static bool top_level(conv_t *c, const cf_node_t *root, hcl_body_t *out, bool tfvars) {
  memset(out, 0, sizeof *out);
  if (root->type != CF_NODE_OBJECT) {
    c->err = cf_diag_set(c->diag, CF_EPARSE, c->name, root->pos.line, root->pos.column, "expected a JSON object at the top level");
    return false;
  }
  bodyb_t bb = {0};
  for (uint32_t i = 0; i < root->len; i++) {
    const cf_member_t *m = &root->u.members[i];
    const cf_node_t *v = m->value;
    if (!strcmp(m->key, "//")) continue;
    if (tfvars) {
      if (!add_attr(c, &bb, m, true, 0)) return false;
      continue;
    }
    int labels = !strcmp(m->key, "resource") || !strcmp(m->key, "data") ? 2
                 : !strcmp(m->key, "variable") || !strcmp(m->key, "output") || !strcmp(m->key, "module") ||
                         !strcmp(m->key, "provider")
                     ? 1
                     : 0;
    int kind = !strcmp(m->key, "variable") ? B_VARIABLE : !strcmp(m->key, "output") ? B_OUTPUT
               : !strcmp(m->key, "locals") ? B_LOCALS : !strcmp(m->key, "module") ? B_MODULE : B_GENERIC;
    if (labels == 0) {
      if (!add_block(c, &bb, m->key, NULL, 0, v, m->key_pos, kind, 0)) return false;
      continue;
    }
    if (v->type != CF_NODE_OBJECT) {
      c->err = cf_diag_set(c->diag, CF_EPARSE, c->name, v->pos.line, v->pos.column, "expected an object of %s blocks by name", m->key);
      return false;
    }
    for (uint32_t k = 0; k < v->len; k++) {
      const cf_member_t *l1 = &v->u.members[k];
      if (!strcmp(l1->key, "//")) continue;
      if (labels == 1) {
        const char *lab = l1->key;
        if (!add_block(c, &bb, m->key, &lab, 1, l1->value, l1->key_pos, kind, 0)) return false;
        continue;
      }
      if (l1->value->type != CF_NODE_OBJECT) {
        c->err = cf_diag_set(c->diag, CF_EPARSE, c->name, l1->value->pos.line, l1->value->pos.column, "expected an object of %s blocks by name", l1->key);
        return false;
      }
      for (uint32_t j = 0; j < l1->value->len; j++) {
        const cf_member_t *l2 = &l1->value->u.members[j];
        if (!strcmp(l2->key, "//")) continue;
        const char *labs[2] = {l1->key, l2->key};
        if (!add_block(c, &bb, m->key, labs, 2, l2->value, l2->key_pos, kind, 0)) return false;
      }
    }
  }
  *out = (hcl_body_t){bb.attrs, bb.n_attrs, bb.blocks, bb.n_blocks};
  return true;
}

cf_err cf__hcl_from_json(const cf_ctx_t *ctx, cf_arena_t *a, const char *text, size_t len, uint32_t file,
                         const char *name, hcl_file_t **out, cf_diag_t *diag) {
  *out = NULL;
  cf_node_t *root = NULL;
  cf_pos_t base = {file, 1, 1};
  cf_err e = cf__json_parse_item(ctx, a, text, len, false, file, name, base, NULL, &root, diag);
  if (e) return e;
  conv_t c = {a, name, diag, CF_OK};
  hcl_file_t *f = cf__arena_zalloc(a, sizeof *f);
  if (!f) return cf_diag_set(diag, CF_ENOMEM, name, 0, 0, "out of memory");
  bool tfvars = cf__str_ends(name, ".tfvars.json");
  if (!top_level(&c, root, &f->body, tfvars)) return c.err ? c.err : CF_EPARSE;
  *out = f;
  return CF_OK;
}
