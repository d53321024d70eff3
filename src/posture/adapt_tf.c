/*
 * adapt_tf.c - Terraform source (`.tf` trees) into canonical resources, without a plan.
 *
 * How: the folders the walk found are parsed (hcl_parse.c); a folder that no other folder
 * calls as a local module is a root module. Each root is evaluated (hcl_eval.c) the way
 * Terraform would plan it as far as the configuration alone allows: variables from defaults,
 * terraform.tfvars, *.auto.tfvars, --var-file and --var; locals; `count` and `for_each`
 * expanded into instances where their values are known; local modules (`source = "./x"`)
 * loaded with their inputs and evaluated as instances of their own; data sources of type
 * aws_iam_policy_document rendered into the JSON policy they produce. What only apply can
 * know (an id, an ARN, a count that depends on one) is unknown.
 *
 * Why through a plan: the result is written as the document `terraform show -json` would
 * print (planned_values, prior_state for data sources, and configuration with every
 * expression's references), and handed to the plan adapter (adapt_tfplan.c). So the
 * canonical model, the joins of split S3 resources to their bucket, security group rules
 * to their group, policies to their principals, and every rule, are the same for a plan and
 * for the source it came from. Values keep the position of the `.tf` expression that
 * produced them, so findings point into the `.tf` files; resources point at their block.
 *
 * Registry and git module sources are never fetched: such a module is reported once as not
 * scanned, and its outputs are unknown.
 *
 * Limits: modules nest at most TF_MAX_MODULE_DEPTH deep; a module that calls itself (directly
 * or through others) ends in a diagnostic; cyclic references between locals, resources and
 * modules end in a diagnostic and an unknown value; a folder's .tf files are read only inside
 * the scan root and each at most the file-size limit.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "doc/doc_internal.h"
#include "hcl.h"
#include "model.h"

#define TF_MAX_MODULE_DEPTH 16u
#define TF_MAX_INSTANCES 10000u /* instances of one resource or module call */

/* ---- parsed folders ---- */

typedef struct tf_file {
  const char *path;
  uint32_t fid;
  hcl_file_t *hcl;
} tf_file_t;

/* Names to indexes (open addressing, in the session's arena): a module's resources, data
 * sources, module calls and locals are looked up by name for every reference, so a root
 * module of thousands of blocks must not be searched from the start each time. */
typedef struct nmap {
  const char **keys;
  uint32_t *vals;
  uint32_t cap, len;
} nmap_t;

static uint64_t name_hash(const char *a, const char *b) {
  uint64_t h = 1469598103934665603ull;
  for (; *a; a++) h = (h ^ (uint8_t)*a) * 1099511628211ull;
  if (b) {
    h = (h ^ '.') * 1099511628211ull;
    for (; *b; b++) h = (h ^ (uint8_t)*b) * 1099511628211ull;
  }
  return h;
}

/* Whether key (stored as "a.b" or "a") equals a and b joined with a dot. */
static bool name_eq(const char *key, const char *a, const char *b) {
  size_t la = strlen(a);
  if (strncmp(key, a, la)) return false;
  if (!b) return key[la] == '\0';
  return key[la] == '.' && !strcmp(key + la + 1, b);
}

static int64_t nmap_get(const nmap_t *m, const char *a, const char *b) {
  if (!m->cap) return -1;
  for (uint64_t i = name_hash(a, b) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (!m->keys[i]) return -1;
    if (name_eq(m->keys[i], a, b)) return m->vals[i];
  }
}

/* Adds key -> v; the first of duplicated names wins, as a lookup by scanning would. */
static bool nmap_put(cf_arena_t *ar, nmap_t *m, const char *key, uint32_t v) {
  if ((m->len + 1) * 2 > m->cap) {
    uint32_t nc = m->cap ? m->cap * 2 : 16;
    const char **nk = cf__arena_zalloc(ar, nc * sizeof *nk);
    uint32_t *nv = cf__arena_alloc(ar, nc * sizeof *nv);
    if (!nk || !nv) return false;
    for (uint32_t i = 0; i < m->cap; i++) {
      if (!m->keys[i]) continue;
      uint64_t j = name_hash(m->keys[i], NULL) & (nc - 1);
      while (nk[j]) j = (j + 1) & (nc - 1);
      nk[j] = m->keys[i];
      nv[j] = m->vals[i];
    }
    m->keys = nk;
    m->vals = nv;
    m->cap = nc;
  }
  uint64_t i = name_hash(key, NULL) & (m->cap - 1);
  for (; m->keys[i]; i = (i + 1) & (m->cap - 1))
    if (!strcmp(m->keys[i], key)) return true;
  m->keys[i] = key;
  m->vals[i] = v;
  m->len++;
  return true;
}

/* One module folder, parsed: its files and top-level blocks by kind. */
typedef struct tf_src {
  const char *dir;  /* as walked or resolved: shown to the user */
  const char *real; /* realpath; "" for a text given on its own */
  tf_file_t *files;
  uint32_t n_files, cap_files;
  const hcl_block_t **vars, **res, **mods, **outs;
  uint32_t n_vars, n_res, n_mods, n_outs;
  uint32_t cap_vars, cap_res, cap_mods, cap_outs;
  const hcl_attr_t **locals;
  uint32_t n_locals, cap_locals;
  nmap_t by_res, by_mod, by_local; /* built on first use (index_names) */
  cf_node_t *config;                /* its `configuration` module, built once (config_module) */
  bool indexed;
  bool walked; /* found by the walk (a candidate root) */
  bool called; /* some folder calls it as a module */
} tf_src_t;

struct cf_tf {
  cf_tf_opts_t o;
  cf_arena_t *a;
  tf_src_t **srcs;
  size_t n_srcs, cap_srcs;
  cf_err fatal;
  /* per run */
  cf_adapt_ctx_t *ac;
  cf_node_t *tfvars; /* root variable values from files and --var */
  const tf_src_t *root_src; /* the root module being evaluated: path.root */
};

static void warn(cf_tf_t *t, uint32_t fid, cf_pos_t pos, const char *fmt, ...) CF_PRINTF(4, 5);

/* Diagnostics name the file a position is in. */
static const char *path_of(cf_tf_t *t, uint32_t fid) {
  for (size_t i = 0; i < t->n_srcs; i++)
    for (uint32_t k = 0; k < t->srcs[i]->n_files; k++)
      if (t->srcs[i]->files[k].fid == fid) return t->srcs[i]->files[k].path;
  return NULL;
}

static void warn(cf_tf_t *t, uint32_t fid, cf_pos_t pos, const char *fmt, ...) {
  if (!t->o.errors) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cf_diag_t d;
  cf_diag_init(&d);
  const char *p = path_of(t, fid ? fid : pos.file);
  cf_diag_set(&d, CF_EPARSE, p ? p : "terraform", pos.line, pos.column, "%s", msg);
  d.partial = true;
  if (cf_diags_adopt(t->o.errors, &d)) t->fatal = CF_ENOMEM;
  cf_diag_cleanup(&d);
}

static bool grow(cf_tf_t *t, void **v, uint32_t *cap, uint32_t n, size_t size) {
  if (n < *cap) return true;
  uint32_t nc = *cap ? *cap * 2 : 8;
  void *x = cf__arena_alloc(t->a, nc * size);
  if (!x) {
    t->fatal = CF_ENOMEM;
    return false;
  }
  if (n) memcpy(x, *v, n * size);
  *v = x;
  *cap = nc;
  return true;
}

static bool is_tf_name(const char *n) {
  size_t l = strlen(n);
  return (l > 3 && !strcmp(n + l - 3, ".tf")) || (l > 8 && !strcmp(n + l - 8, ".tf.json"));
}

/* Files a folder's module is made of: *.tf (JSON variant *.tf.json is read by the same
 * path once parsed), sorted by name as Terraform reads them. */
static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static void index_body(cf_tf_t *t, tf_src_t *s, const hcl_body_t *b) {
  for (uint32_t i = 0; i < b->n_blocks && !t->fatal; i++) {
    const hcl_block_t *k = &b->blocks[i];
    if (!strcmp(k->type, "variable") && k->n_labels == 1) {
      if (grow(t, (void **)&s->vars, &s->cap_vars, s->n_vars, sizeof(void *))) s->vars[s->n_vars++] = k;
    } else if ((!strcmp(k->type, "resource") || !strcmp(k->type, "data")) && k->n_labels == 2) {
      if (grow(t, (void **)&s->res, &s->cap_res, s->n_res, sizeof(void *))) s->res[s->n_res++] = k;
    } else if (!strcmp(k->type, "module") && k->n_labels == 1) {
      if (grow(t, (void **)&s->mods, &s->cap_mods, s->n_mods, sizeof(void *))) s->mods[s->n_mods++] = k;
    } else if (!strcmp(k->type, "output") && k->n_labels == 1) {
      if (grow(t, (void **)&s->outs, &s->cap_outs, s->n_outs, sizeof(void *))) s->outs[s->n_outs++] = k;
    } else if (!strcmp(k->type, "locals")) {
      for (uint32_t j = 0; j < k->body.n_attrs; j++)
        if (grow(t, (void **)&s->locals, &s->cap_locals, s->n_locals, sizeof(void *))) s->locals[s->n_locals++] = &k->body.attrs[j];
    }
  }
}

/* Adds a parsed file to the folder. */
static void add_parsed(cf_tf_t *t, tf_src_t *s, const char *path, uint32_t fid, hcl_file_t *f) {
  if (!grow(t, (void **)&s->files, &s->cap_files, s->n_files, sizeof(tf_file_t))) return;
  s->files[s->n_files++] = (tf_file_t){cf__arena_strdup(t->a, path), fid, f};
  index_body(t, s, &f->body);
}

/* Parses one file's text (native syntax, or the JSON variant by its name) into the folder; a
 * syntax error is reported and the file left out. */
static void add_file(cf_tf_t *t, tf_src_t *s, const char *path, const char *text, size_t len) {
  uint32_t fid = t->o.file_cb ? t->o.file_cb(t->o.file_ud, path, text, len) : 0;
  hcl_file_t *f = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__str_ends(path, ".json") ? cf__hcl_from_json(t->o.ctx, t->a, text, len, fid, path, &f, &d)
                                         : cf__hcl_parse(t->a, text, len, fid, path, &f, &d);
  if (e == CF_ENOMEM) t->fatal = e;
  else if (e && t->o.errors && cf_diags_adopt(t->o.errors, &d)) t->fatal = CF_ENOMEM;
  cf_diag_cleanup(&d);
  if (f) add_parsed(t, s, path, fid, f);
}

static tf_src_t *new_src(cf_tf_t *t, const char *dir, const char *real) {
  tf_src_t *s = cf__arena_zalloc(t->a, sizeof *s);
  if (!s || !(s->dir = cf__arena_strdup(t->a, dir)) || !(s->real = cf__arena_strdup(t->a, real))) {
    t->fatal = CF_ENOMEM;
    return NULL;
  }
  if (!cf__grow((void **)&t->srcs, &t->cap_srcs, t->n_srcs, sizeof(tf_src_t *))) {
    t->fatal = CF_ENOMEM;
    return NULL;
  }
  t->srcs[t->n_srcs++] = s;
  return s;
}

static tf_src_t *find_src(cf_tf_t *t, const char *real) {
  for (size_t i = 0; i < t->n_srcs; i++)
    if (t->srcs[i]->real[0] && !strcmp(t->srcs[i]->real, real)) return t->srcs[i];
  return NULL;
}

static bool inside_root(const cf_tf_t *t, const char *real) {
  const char *r = t->o.root_real;
  if (!r || !*r) return false;
  size_t n = strlen(r);
  return !strncmp(real, r, n) && (real[n] == '/' || real[n] == '\0' || (n == 1 && r[0] == '/'));
}

/* Loads a folder (once): every .tf file in it, in name order. */
static tf_src_t *load_dir(cf_tf_t *t, const char *dir) {
  char real[PATH_MAX];
  if (!realpath(dir, real)) return NULL;
  tf_src_t *s = find_src(t, real);
  if (s) return s;
  if (!(s = new_src(t, dir, real))) return NULL;
  DIR *d = opendir(dir);
  if (!d) return s;
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (!is_tf_name(de->d_name)) continue;
    if (!cf__grow((void **)&names, &cap, n, sizeof(char *)) || !(names[n] = strdup(de->d_name))) {
      t->fatal = CF_ENOMEM;
      break;
    }
    n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof(char *), cmp_str);
  const cf_limits_t *lim = cf__limits(t->o.ctx);
  for (size_t i = 0; i < n && !t->fatal; i++) {
    char path[PATH_MAX + 256], fr[PATH_MAX];
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') dl--;
    snprintf(path, sizeof path, "%.*s/%s", (int)dl, dir, names[i]);
    struct stat st;
    /* A link to a file outside the root is not read, as in the walk. */
    if (!realpath(path, fr) || !inside_root(t, fr) || stat(fr, &st) || !S_ISREG(st.st_mode)) continue;
    char *buf = NULL;
    size_t len = 0;
    cf_diag_t dg;
    cf_diag_init(&dg);
    cf_err e = cf__read_file(path, lim->max_file_size, CF_JSON_PADDING, &buf, &len, &dg);
    if (e == CF_ENOMEM) t->fatal = e;
    else if (e && t->o.errors) (void)cf_diags_adopt(t->o.errors, &dg);
    cf_diag_cleanup(&dg);
    if (!e) add_file(t, s, path, buf, len);
    free(buf);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return s;
}

cf_err cf__tf_new(const cf_tf_opts_t *o, cf_tf_t **out) {
  *out = NULL;
  cf_tf_t *t = calloc(1, sizeof *t);
  if (!t) return CF_ENOMEM;
  t->o = *o;
  t->a = cf__arena_new(0);
  if (!t->a) {
    free(t);
    return CF_ENOMEM;
  }
  *out = t;
  return CF_OK;
}

void cf__tf_free(cf_tf_t *t) {
  if (!t) return;
  cf__arena_free(t->a);
  free(t->srcs);
  free(t);
}

cf_err cf__tf_add_dir(cf_tf_t *t, const char *dir) {
  tf_src_t *s = load_dir(t, dir);
  if (s) s->walked = true;
  return t->fatal;
}

cf_err cf__tf_add_text(cf_tf_t *t, const char *name, const char *text, size_t len) {
  tf_src_t *s = new_src(t, ".", "");
  if (!s) return t->fatal;
  s->walked = true;
  add_file(t, s, name, text, len);
  return t->fatal;
}

/* ---- module instances ---- */

typedef struct tf_inst tf_inst_t;

/* One resource or data block in an instance, expanded into instances. */
typedef struct tf_res {
  const hcl_block_t *b;
  bool data;
  uint8_t state; /* 0 not yet, 1 expanding, 2 done */
  const cf_node_t *value; /* what references see: an instance, a list or a map of them */
  uint32_t n;              /* instances */
  const cf_node_t **keys;  /* NULL (single), number or string per instance */
  cf_node_t **vals;        /* attribute values per instance */
} tf_res_t;

typedef struct tf_call {
  const hcl_block_t *b;
  uint8_t state;
  const cf_node_t *value; /* outputs object, or a list or a map of them; unknown when not scanned */
  tf_inst_t **kids;
  const cf_node_t **keys;
  uint32_t n;
  tf_src_t *child; /* the loaded folder, or NULL */
} tf_call_t;

typedef struct tf_local {
  uint8_t state;
  const cf_node_t *value;
} tf_local_t;

struct tf_inst {
  cf_tf_t *t;
  tf_src_t *src;
  const char *addr; /* "" for the root, "module.a[0]." */
  tf_inst_t *parent;
  unsigned depth;
  cf_node_t *vars;  /* name -> value */
  tf_local_t *locals;
  tf_res_t *res;
  tf_call_t *calls;
  uint8_t out_state;
  cf_node_t *outs;
};

/* What an expression is evaluated in: an instance, and the count or each of the block. */
typedef struct tf_ctx {
  tf_inst_t *inst;
  const cf_node_t *count_index;
  const cf_node_t *each_key, *each_value;
} tf_ctx_t;

static const cf_node_t *eval_in(tf_ctx_t *c, const hcl_expr_t *e, bool quiet);

/* Adds a member whose key is unique by construction (instance keys of a map, block labels
 * Terraform requires to be unique): no search for an earlier one, which would make building
 * an object of n members cost n squared. Returns true on failure. */
static bool append(cf_tf_t *t, cf_node_t *obj, const char *key, const cf_node_t *v) {
  return cf__node_append_member(t->a, obj, key, strlen(key), v->pos, (cf_node_t *)v) != CF_OK;
}

static cf_node_t *unk(cf_tf_t *t, cf_pos_t pos) {
  cf_node_t *n = cf_node_new(t->a, CF_NODE_UNKNOWN, pos);
  if (!n) t->fatal = CF_ENOMEM;
  return n;
}

static const hcl_attr_t *attr_of(const hcl_body_t *b, const char *name) {
  for (uint32_t i = 0; i < b->n_attrs; i++)
    if (!strcmp(b->attrs[i].name, name)) return &b->attrs[i];
  return NULL;
}

/* The key of an instance in an address: [0] or ["name"]. */
static const char *key_text(cf_tf_t *t, const cf_node_t *k) {
  if (!k) return "";
  if (k->type == CF_NODE_INT) return cf__arena_printf(t->a, "[%lld]", (long long)k->u.i);
  if (k->type == CF_NODE_STRING) {
    /* Quotes and backslashes in keys are escaped, as Terraform prints them. */
    cf_buf_t b;
    cf__buf_init(&b, 1u << 20);
    bool ok = cf__buf_puts(&b, "[\"") == CF_OK;
    for (uint32_t i = 0; ok && i < k->len; i++) {
      char c = k->u.s[i];
      ok = (c == '"' || c == '\\' ? cf__buf_putc(&b, '\\') == CF_OK : true) && cf__buf_putc(&b, c) == CF_OK;
    }
    ok = ok && cf__buf_puts(&b, "\"]") == CF_OK;
    const char *r = ok ? cf__arena_strndup(t->a, b.data, b.len) : NULL;
    cf__buf_cleanup(&b);
    if (!r) t->fatal = CF_ENOMEM;
    return r ? r : "";
  }
  return "";
}

static tf_inst_t *new_inst(cf_tf_t *t, tf_src_t *src, const char *addr, tf_inst_t *parent, unsigned depth) {
  tf_inst_t *in = cf__arena_zalloc(t->a, sizeof *in);
  if (!in) {
    t->fatal = CF_ENOMEM;
    return NULL;
  }
  in->t = t;
  in->src = src;
  in->addr = addr;
  in->parent = parent;
  in->depth = depth;
  in->vars = cf_node_new_object(t->a, (cf_pos_t){0, 0, 0});
  in->locals = cf__arena_zalloc(t->a, (src->n_locals + 1) * sizeof *in->locals);
  in->res = cf__arena_zalloc(t->a, (src->n_res + 1) * sizeof *in->res);
  in->calls = cf__arena_zalloc(t->a, (src->n_mods + 1) * sizeof *in->calls);
  if (!in->vars || !in->locals || !in->res || !in->calls) {
    t->fatal = CF_ENOMEM;
    return NULL;
  }
  for (uint32_t i = 0; i < src->n_res; i++) {
    in->res[i].b = src->res[i];
    in->res[i].data = !strcmp(src->res[i]->type, "data");
  }
  for (uint32_t i = 0; i < src->n_mods; i++) in->calls[i].b = src->mods[i];
  return in;
}

/* ---- values of locals, resources and module calls, on demand ---- */

static void index_names(cf_tf_t *t, tf_src_t *s) {
  if (s->indexed) return;
  s->indexed = true;
  for (uint32_t i = 0; i < s->n_res; i++) {
    const hcl_block_t *b = s->res[i];
    bool data = !strcmp(b->type, "data");
    const char *key = cf__arena_printf(t->a, "%s%s.%s", data ? "data." : "", b->labels[0], b->labels[1]);
    if (!key || !nmap_put(t->a, &s->by_res, key, i)) t->fatal = CF_ENOMEM;
  }
  for (uint32_t i = 0; i < s->n_mods; i++)
    if (!nmap_put(t->a, &s->by_mod, s->mods[i]->labels[0], i)) t->fatal = CF_ENOMEM;
  for (uint32_t i = 0; i < s->n_locals; i++)
    if (!nmap_put(t->a, &s->by_local, s->locals[i]->name, i)) t->fatal = CF_ENOMEM;
}

static const cf_node_t *local_value(tf_inst_t *in, const char *name, cf_pos_t pos) {
  index_names(in->t, in->src);
  int64_t at = nmap_get(&in->src->by_local, name, NULL);
  if (at < 0) return NULL;
  const hcl_attr_t *a = in->src->locals[at];
  tf_local_t *l = &in->locals[at];
  if (l->state == 2) return l->value;
  if (l->state == 1) {
    warn(in->t, 0, a->pos, "local.%s refers to itself (a cycle); its value is unknown", name);
    return unk(in->t, pos);
  }
  l->state = 1;
  tf_ctx_t c = {in, NULL, NULL, NULL};
  const cf_node_t *v = eval_in(&c, a->expr, false);
  l->value = v ? v : unk(in->t, a->pos);
  l->state = 2;
  return l->value;
}

static void expand_res(tf_inst_t *in, tf_res_t *r);
static void expand_call(tf_inst_t *in, tf_call_t *c);

static const cf_node_t *res_value(tf_inst_t *in, bool data, const char *type, const char *name, cf_pos_t pos) {
  index_names(in->t, in->src);
  char key[512];
  snprintf(key, sizeof key, "%s%s", data ? "data." : "", type);
  int64_t at = nmap_get(&in->src->by_res, key, name);
  if (at < 0) return NULL;
  tf_res_t *r = &in->res[at];
  if (r->state == 1) {
    warn(in->t, 0, pos, "%s%s.%s is part of a reference cycle; its value is unknown here", data ? "data." : "", type, name);
    return unk(in->t, pos);
  }
  expand_res(in, r);
  return r->value ? r->value : unk(in->t, pos);
}

static const cf_node_t *outputs_of(tf_inst_t *in);

static const cf_node_t *call_value(tf_inst_t *in, const char *name, cf_pos_t pos) {
  index_names(in->t, in->src);
  int64_t at = nmap_get(&in->src->by_mod, name, NULL);
  if (at < 0) return NULL;
  tf_call_t *c = &in->calls[at];
  if (c->state == 1) {
    warn(in->t, 0, pos, "module.%s is part of a reference cycle; its outputs are unknown here", name);
    return unk(in->t, pos);
  }
  expand_call(in, c);
  return c->value ? c->value : unk(in->t, pos);
}

static const cf_node_t *lookup(void *ud, const char *root, const char *a1, const char *a2, unsigned *used, cf_pos_t pos) {
  tf_ctx_t *c = ud;
  tf_inst_t *in = c->inst;
  cf_tf_t *t = in->t;
  *used = 0;
  if (!strcmp(root, "var")) {
    if (!a1) return in->vars;
    *used = 1;
    const cf_node_t *v = cf_node_get(in->vars, a1);
    return v ? v : unk(t, pos); /* an undeclared variable: Terraform refuses; we do not guess */
  }
  if (!strcmp(root, "local")) {
    if (!a1) return NULL;
    *used = 1;
    const cf_node_t *v = local_value(in, a1, pos);
    return v ? v : unk(t, pos);
  }
  if (!strcmp(root, "count")) {
    if (!a1 || strcmp(a1, "index") || !c->count_index) return NULL;
    *used = 1;
    return c->count_index;
  }
  if (!strcmp(root, "each")) {
    if (!a1 || (!c->each_key && !c->each_value)) return NULL;
    *used = 1;
    if (!strcmp(a1, "key")) return c->each_key;
    if (!strcmp(a1, "value")) return c->each_value;
    return NULL;
  }
  if (!strcmp(root, "path")) {
    if (!a1) return NULL;
    *used = 1;
    /* Real paths where known: file("${path.module}/x") is then read from the module's folder
     * and not from that folder named again below the one relative paths start from. */
    const tf_src_t *ps = !strcmp(a1, "module") ? in->src : !strcmp(a1, "root") ? t->root_src : NULL;
    const char *p = !ps ? "." : ps->real[0] ? ps->real : ps->dir;
    cf_node_t *v = cf_node_new_cstr(t->a, p ? p : ".", pos);
    if (!v) t->fatal = CF_ENOMEM;
    return v;
  }
  if (!strcmp(root, "terraform")) {
    *used = a1 ? 1 : 0;
    cf_node_t *v = a1 && !strcmp(a1, "workspace") ? cf_node_new_cstr(t->a, "default", pos) : unk(t, pos);
    if (!v) t->fatal = CF_ENOMEM;
    return v;
  }
  if (!strcmp(root, "self")) return unk(t, pos);
  if (!strcmp(root, "module")) {
    if (!a1) return NULL;
    *used = 1;
    const cf_node_t *v = call_value(in, a1, pos);
    return v;
  }
  if (!strcmp(root, "data")) {
    if (!a1 || !a2) return NULL;
    *used = 2;
    return res_value(in, true, a1, a2, pos);
  }
  if (!a1) return NULL;
  *used = 1;
  return res_value(in, false, root, a1, pos);
}

/* Where relative paths of file() and templatefile() start: Terraform's working directory,
 * the root module's folder (modules use path.module to name their own files). */
static const char *work_dir(const tf_inst_t *in) {
  return in->t->root_src ? in->t->root_src->dir : in->src->dir;
}

/* Evaluates e in c; an error is reported (unless quiet) and the value is unknown. */
static const cf_node_t *eval_in(tf_ctx_t *c, const hcl_expr_t *e, bool quiet) {
  cf_tf_t *t = c->inst->t;
  hcl_ev_t ev;
  memset(&ev, 0, sizeof ev);
  ev.a = t->a;
  ev.ctx = t->o.ctx;
  ev.lookup = lookup;
  ev.ud = c;
  ev.module_dir = work_dir(c->inst);
  ev.root_dir = t->o.root_real;
  const cf_node_t *v = cf__hcl_eval(&ev, e);
  if (ev.oom) {
    t->fatal = CF_ENOMEM;
    return NULL;
  }
  if (!v) {
    if (!quiet) warn(t, 0, ev.why_pos.line ? ev.why_pos : e->pos, "%s; the value is unknown", ev.why);
    return unk(t, e->pos);
  }
  return v;
}

/* ---- resource bodies into values ---- */

static bool meta_arg(const char *n) {
  static const char *const meta[] = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection", NULL};
  for (int i = 0; meta[i]; i++)
    if (!strcmp(n, meta[i])) return true;
  return false;
}

static cf_node_t *body_value(tf_ctx_t *c, const hcl_body_t *b, cf_pos_t pos, const hcl_scope_t *scope, unsigned depth);

/* Appends block value v to obj[name] (a list). */
static void append_block(cf_tf_t *t, cf_node_t *obj, const char *name, cf_node_t *v, cf_pos_t pos) {
  cf_node_t *l = (cf_node_t *)cf_node_get(obj, name);
  if (!l) {
    if (!(l = cf_node_new_array(t->a, pos)) || cf_node_set(t->a, obj, name, l)) {
      t->fatal = CF_ENOMEM;
      return;
    }
  }
  if (l->type == CF_NODE_ARRAY && cf_node_push(t->a, l, v)) t->fatal = CF_ENOMEM;
}

/* A `dynamic "name" { for_each = ..., iterator = x, content { ... } }` block. */
static void dynamic_blocks(tf_ctx_t *c, cf_node_t *obj, const hcl_block_t *d, const hcl_scope_t *scope, unsigned depth) {
  cf_tf_t *t = c->inst->t;
  if (d->n_labels != 1) return;
  const char *name = d->labels[0];
  const hcl_attr_t *fe = attr_of(&d->body, "for_each");
  const hcl_block_t *content = NULL;
  for (uint32_t i = 0; i < d->body.n_blocks; i++)
    if (!strcmp(d->body.blocks[i].type, "content")) content = &d->body.blocks[i];
  if (!fe || !content) return;
  const char *it = name;
  const hcl_attr_t *ia = attr_of(&d->body, "iterator");
  if (ia && ia->expr->kind == HCL_E_VAR) it = ia->expr->name;
  hcl_ev_t dummy;
  (void)dummy;
  tf_ctx_t cc = *c;
  const cf_node_t *coll;
  {
    hcl_ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.a = t->a;
    ev.ctx = t->o.ctx;
    ev.lookup = lookup;
    ev.ud = &cc;
    ev.scope = scope;
    ev.module_dir = work_dir(c->inst);
    ev.root_dir = t->o.root_real;
    coll = cf__hcl_eval(&ev, fe->expr);
    if (ev.oom) {
      t->fatal = CF_ENOMEM;
      return;
    }
    if (!coll) {
      warn(t, 0, fe->pos, "%s; the dynamic blocks are unknown", ev.why);
      coll = unk(t, fe->pos);
    }
  }
  if (!coll) return;
  if (coll->type == CF_NODE_UNKNOWN) {
    /* Unknown blocks: one block whose every attribute is unknown. */
    cf_node_t *o = cf_node_new_object(t->a, d->pos);
    if (!o) {
      t->fatal = CF_ENOMEM;
      return;
    }
    o->flags |= HCL_NODE_OPEN;
    append_block(t, obj, name, o, d->pos);
    return;
  }
  if (coll->type != CF_NODE_ARRAY && coll->type != CF_NODE_OBJECT) return;
  for (uint32_t i = 0; i < coll->len && !t->fatal; i++) {
    cf_node_t *iv = cf_node_new_object(t->a, d->pos);
    if (!iv) {
      t->fatal = CF_ENOMEM;
      return;
    }
    const cf_node_t *k, *v;
    if (coll->type == CF_NODE_ARRAY) {
      k = cf_node_new_int(t->a, i, d->pos);
      v = coll->u.items[i];
    } else {
      k = cf_node_new_str(t->a, coll->u.members[i].key, coll->u.members[i].key_len, coll->u.members[i].key_pos);
      v = coll->u.members[i].value;
    }
    if (!k || cf_node_set(t->a, iv, "key", (cf_node_t *)k) || cf_node_set(t->a, iv, "value", (cf_node_t *)v)) {
      t->fatal = CF_ENOMEM;
      return;
    }
    hcl_scope_t s = {it, iv, scope};
    cf_node_t *bv = body_value(c, &content->body, content->pos, &s, depth + 1);
    if (bv) append_block(t, obj, name, bv, content->pos);
  }
}

static cf_node_t *body_value(tf_ctx_t *c, const hcl_body_t *b, cf_pos_t pos, const hcl_scope_t *scope, unsigned depth) {
  cf_tf_t *t = c->inst->t;
  cf_node_t *o = cf_node_new_object(t->a, pos);
  if (!o) {
    t->fatal = CF_ENOMEM;
    return NULL;
  }
  if (depth > HCL_MAX_DEPTH) return o;
  for (uint32_t i = 0; i < b->n_attrs && !t->fatal; i++) {
    const hcl_attr_t *a = &b->attrs[i];
    if (depth == 0 && meta_arg(a->name)) continue;
    const cf_node_t *v;
    if (scope) {
      hcl_ev_t ev;
      memset(&ev, 0, sizeof ev);
      ev.a = t->a;
      ev.ctx = t->o.ctx;
      ev.lookup = lookup;
      ev.ud = c;
      ev.scope = scope;
      ev.module_dir = work_dir(c->inst);
      ev.root_dir = t->o.root_real;
      v = cf__hcl_eval(&ev, a->expr);
      if (ev.oom) {
        t->fatal = CF_ENOMEM;
        return NULL;
      }
      if (!v) {
        warn(t, 0, ev.why_pos.line ? ev.why_pos : a->pos, "%s; the value is unknown", ev.why);
        v = unk(t, a->expr->pos);
      }
    } else {
      v = eval_in(c, a->expr, false);
    }
    if (!v) return NULL;
    if (cf_node_set(t->a, o, a->name, (cf_node_t *)v)) {
      t->fatal = CF_ENOMEM;
      return NULL;
    }
    o->u.members[o->len - 1].key_pos = a->pos;
  }
  for (uint32_t i = 0; i < b->n_blocks && !t->fatal; i++) {
    const hcl_block_t *k = &b->blocks[i];
    if (depth == 0 && meta_arg(k->type)) continue;
    if (!strcmp(k->type, "dynamic")) {
      dynamic_blocks(c, o, k, scope, depth);
      continue;
    }
    cf_node_t *bv = body_value(c, &k->body, k->pos, scope, depth + 1);
    if (bv) append_block(t, o, k->type, bv, k->pos);
  }
  return o;
}

/* ---- aws_iam_policy_document ---- */

static cf_node_t *obj_put(cf_tf_t *t, cf_node_t *o, const char *k, const cf_node_t *v) {
  if (v && cf_node_set(t->a, o, k, (cf_node_t *)v)) t->fatal = CF_ENOMEM;
  return o;
}

/* The policy a data "aws_iam_policy_document" renders, as a value (a JSON string when fully
 * known, else the document itself with its unknowns). */
static const cf_node_t *render_policy(cf_tf_t *t, const cf_node_t *v, cf_pos_t pos) {
  cf_node_t *doc = cf_node_new_object(t->a, pos);
  cf_node_t *stmts = cf_node_new_array(t->a, pos);
  if (!doc || !stmts) {
    t->fatal = CF_ENOMEM;
    return NULL;
  }
  const cf_node_t *ver = cf_node_get(v, "version");
  obj_put(t, doc, "Version", ver ? ver : cf_node_new_cstr(t->a, "2012-10-17", pos));
  const cf_node_t *ss = cf_node_get(v, "statement");
  for (uint32_t i = 0; ss && ss->type == CF_NODE_ARRAY && i < ss->len && !t->fatal; i++) {
    const cf_node_t *s = ss->u.items[i];
    cf_node_t *o = cf_node_new_object(t->a, s->pos);
    if (!o) {
      t->fatal = CF_ENOMEM;
      return NULL;
    }
    static const char *const map[][2] = {{"sid", "Sid"}, {"actions", "Action"}, {"not_actions", "NotAction"},
                                         {"resources", "Resource"}, {"not_resources", "NotResource"}};
    const cf_node_t *eff = cf_node_get(s, "effect");
    obj_put(t, o, "Effect", eff ? eff : cf_node_new_cstr(t->a, "Allow", s->pos));
    for (size_t k = 0; k < sizeof map / sizeof *map; k++) obj_put(t, o, map[k][1], cf_node_get(s, map[k][0]));
    static const char *const pk[][2] = {{"principals", "Principal"}, {"not_principals", "NotPrincipal"}};
    for (size_t k = 0; k < 2; k++) {
      const cf_node_t *ps = cf_node_get(s, pk[k][0]);
      if (!ps || ps->type != CF_NODE_ARRAY || !ps->len) continue;
      cf_node_t *po = cf_node_new_object(t->a, ps->pos);
      if (!po) {
        t->fatal = CF_ENOMEM;
        return NULL;
      }
      const cf_node_t *star = NULL;
      for (uint32_t j = 0; j < ps->len; j++) {
        const cf_node_t *p = ps->u.items[j];
        const char *ty = cf_node_str(cf_node_get(p, "type"));
        const cf_node_t *ids = cf_node_get(p, "identifiers");
        if (!ty) {
          obj_put(t, po, "AWS", cf_node_get(p, "type")); /* unknown type */
          continue;
        }
        /* type "*" with identifiers ["*"] is the principal "*" (everyone). */
        if (!strcmp(ty, "*")) {
          star = ids ? ids : p;
          continue;
        }
        const cf_node_t *have = cf_node_get(po, ty);
        if (have && have->type == CF_NODE_ARRAY && ids && ids->type == CF_NODE_ARRAY) {
          for (uint32_t q = 0; q < ids->len; q++)
            if (cf_node_push(t->a, (cf_node_t *)have, ids->u.items[q])) t->fatal = CF_ENOMEM;
        } else {
          obj_put(t, po, ty, ids);
        }
      }
      if (star && !po->len) obj_put(t, o, pk[k][1], cf_node_new_cstr(t->a, "*", star->pos));
      else {
        if (star) obj_put(t, po, "AWS", cf_node_new_cstr(t->a, "*", star->pos));
        obj_put(t, o, pk[k][1], po);
      }
    }
    const cf_node_t *cs = cf_node_get(s, "condition");
    if (cs && cs->type == CF_NODE_ARRAY && cs->len) {
      cf_node_t *co = cf_node_new_object(t->a, cs->pos);
      if (!co) {
        t->fatal = CF_ENOMEM;
        return NULL;
      }
      for (uint32_t j = 0; j < cs->len; j++) {
        const char *test = cf_node_str(cf_node_get(cs->u.items[j], "test"));
        const char *var = cf_node_str(cf_node_get(cs->u.items[j], "variable"));
        const cf_node_t *vals = cf_node_get(cs->u.items[j], "values");
        if (!test || !var || !vals) continue;
        cf_node_t *inner = (cf_node_t *)cf_node_get(co, test);
        if (!inner) {
          if (!(inner = cf_node_new_object(t->a, cs->u.items[j]->pos)) || cf_node_set(t->a, co, test, inner)) {
            t->fatal = CF_ENOMEM;
            return NULL;
          }
        }
        obj_put(t, inner, var, vals);
      }
      obj_put(t, o, "Condition", co);
    }
    if (cf_node_push(t->a, stmts, o)) t->fatal = CF_ENOMEM;
  }
  obj_put(t, doc, "Statement", stmts);
  if (t->fatal) return NULL;
  if (cf__hcl_has_unknown(doc, 0)) return doc;
  /* Fully known: the JSON text, as the data source's `json` attribute holds it. */
  hcl_ev_t ev;
  memset(&ev, 0, sizeof ev);
  ev.a = t->a;
  hcl_expr_t lit = {.kind = HCL_E_LITERAL, .pos = pos, .value = doc};
  hcl_expr_t *argv[1] = {&lit};
  hcl_expr_t call = {.kind = HCL_E_CALL, .pos = pos, .name = "jsonencode", .items = argv, .n_items = 1};
  const cf_node_t *j = cf__hcl_eval(&ev, &call);
  if (ev.oom) t->fatal = CF_ENOMEM;
  return j ? j : doc;
}

/* ---- expansion ---- */

static void expand_res(tf_inst_t *in, tf_res_t *r) {
  cf_tf_t *t = in->t;
  if (r->state) return;
  r->state = 1;
  const hcl_block_t *b = r->b;
  tf_ctx_t c0 = {in, NULL, NULL, NULL};
  const hcl_attr_t *count = attr_of(&b->body, "count"), *fe = attr_of(&b->body, "for_each");
  const cf_node_t *cv = count ? eval_in(&c0, count->expr, false) : NULL;
  const cf_node_t *fv = fe ? eval_in(&c0, fe->expr, false) : NULL;
  if (t->fatal) return;
  /* Instances: their keys. */
  uint32_t n = 1;
  const cf_node_t *coll = NULL;
  bool list_value = false, map_value = false;
  if (cv && cv->type != CF_NODE_UNKNOWN) {
    double d = 0;
    if (!cf_node_number(cv, &d) || d < 0 || d != (double)(int64_t)d) {
      warn(t, 0, count->pos, "count must be a whole number; the resource is read as one instance");
      cv = NULL;
    } else if (d > TF_MAX_INSTANCES) {
      warn(t, 0, count->pos, "count of %.0f is over the limit of %u instances; the first %u are read", d, TF_MAX_INSTANCES, TF_MAX_INSTANCES);
      n = TF_MAX_INSTANCES;
      list_value = true;
    } else {
      n = (uint32_t)d;
      list_value = true;
    }
  } else if (fv && fv->type != CF_NODE_UNKNOWN) {
    if (fv->type != CF_NODE_ARRAY && fv->type != CF_NODE_OBJECT) {
      warn(t, 0, fe->pos, "for_each needs a map or a set of strings; the resource is read as one instance");
      fv = NULL;
    } else {
      coll = fv;
      n = fv->len > TF_MAX_INSTANCES ? TF_MAX_INSTANCES : fv->len;
      map_value = true;
    }
  }
  r->n = n;
  r->keys = cf__arena_zalloc(t->a, (n ? n : 1) * sizeof *r->keys);
  r->vals = cf__arena_zalloc(t->a, (n ? n : 1) * sizeof *r->vals);
  cf_node_t *agg = list_value ? cf_node_new_array(t->a, b->pos) : map_value ? cf_node_new_object(t->a, b->pos) : NULL;
  if (!r->keys || !r->vals || ((list_value || map_value) && !agg)) {
    t->fatal = CF_ENOMEM;
    return;
  }
  for (uint32_t i = 0; i < n && !t->fatal; i++) {
    tf_ctx_t c = {in, NULL, NULL, NULL};
    if (count) {
      /* A known count gives the index; an unknown one leaves it unknown. */
      c.count_index = list_value ? cf_node_new_int(t->a, i, count->pos) : unk(t, count->pos);
      if (list_value) r->keys[i] = c.count_index;
    } else if (fe) {
      if (coll) {
        if (coll->type == CF_NODE_OBJECT) {
          c.each_key = cf_node_new_str(t->a, coll->u.members[i].key, coll->u.members[i].key_len, coll->u.members[i].key_pos);
          c.each_value = coll->u.members[i].value;
        } else {
          const cf_node_t *k = coll->u.items[i];
          if (k->type != CF_NODE_STRING) {
            warn(t, 0, fe->pos, "for_each over a set needs strings");
            k = unk(t, fe->pos);
          }
          c.each_key = c.each_value = k;
        }
        r->keys[i] = c.each_key;
      } else {
        c.each_key = c.each_value = unk(t, fe->pos);
      }
    }
    cf_node_t *v = body_value(&c, &b->body, b->pos, NULL, 0);
    if (!v) return;
    v->flags |= HCL_NODE_OPEN;
    if (r->data && !strcmp(b->labels[0], "aws_iam_policy_document")) {
      const cf_node_t *j = render_policy(t, v, b->pos);
      if (j && cf_node_set(t->a, v, "json", (cf_node_t *)j)) t->fatal = CF_ENOMEM;
    }
    r->vals[i] = v;
    if (list_value && cf_node_push(t->a, agg, v)) t->fatal = CF_ENOMEM;
    if (map_value && r->keys[i] && r->keys[i]->type == CF_NODE_STRING && append(t, agg, r->keys[i]->u.s, v))
      t->fatal = CF_ENOMEM;
  }
  r->value = agg ? agg : (n ? r->vals[0] : NULL);
  r->state = 2;
}

/* Whether a module source is a local path. */
static bool local_source(const char *s) { return !strncmp(s, "./", 2) || !strncmp(s, "../", 3); }

static void set_vars(tf_inst_t *kid, tf_ctx_t *pc, const hcl_block_t *call);

static const cf_node_t *outputs_of(tf_inst_t *in) {
  cf_tf_t *t = in->t;
  if (in->out_state == 2) return in->outs;
  if (in->out_state == 1) return unk(t, (cf_pos_t){0, 0, 0});
  in->out_state = 1;
  cf_node_t *o = cf_node_new_object(t->a, (cf_pos_t){0, 0, 0});
  if (!o) {
    t->fatal = CF_ENOMEM;
    return NULL;
  }
  for (uint32_t i = 0; i < in->src->n_outs && !t->fatal; i++) {
    const hcl_block_t *b = in->src->outs[i];
    const hcl_attr_t *v = attr_of(&b->body, "value");
    tf_ctx_t c = {in, NULL, NULL, NULL};
    const cf_node_t *val = v ? eval_in(&c, v->expr, false) : unk(t, b->pos);
    if (val && append(t, o, b->labels[0], val)) t->fatal = CF_ENOMEM;
  }
  in->outs = o;
  in->out_state = 2;
  return o;
}

static bool ancestor_has(const tf_inst_t *in, const tf_src_t *s) {
  for (; in; in = in->parent)
    if (in->src == s) return true;
  return false;
}

static void expand_call(tf_inst_t *in, tf_call_t *c) {
  cf_tf_t *t = in->t;
  if (c->state) return;
  c->state = 1;
  const hcl_block_t *b = c->b;
  const char *name = b->labels[0];
  tf_ctx_t c0 = {in, NULL, NULL, NULL};
  const hcl_attr_t *src = attr_of(&b->body, "source");
  const cf_node_t *sv = src ? eval_in(&c0, src->expr, true) : NULL;
  const char *source = cf_node_str(sv);
  if (!source || !local_source(source)) {
    warn(t, 0, b->pos, "module.%s: source %s%s%s is not scanned (only local module folders are read, never fetched)", name,
         source ? "'" : "", source ? source : "unknown", source ? "'" : "");
    c->value = unk(t, b->pos);
    c->state = 2;
    return;
  }
  if (in->src->real[0] == '\0') {
    warn(t, 0, b->pos, "module.%s: a local module of a file scanned on its own is not read", name);
    c->value = unk(t, b->pos);
    c->state = 2;
    return;
  }
  char path[PATH_MAX + 256], real[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", in->src->dir, source);
  if (!realpath(path, real) || !inside_root(t, real)) {
    warn(t, 0, src->pos, "module.%s: '%s' is missing or outside the scan root; not scanned", name, source);
    c->value = unk(t, b->pos);
    c->state = 2;
    return;
  }
  tf_src_t *child = load_dir(t, path);
  if (!child || t->fatal) {
    c->value = unk(t, b->pos);
    c->state = 2;
    return;
  }
  child->called = true;
  if (ancestor_has(in, child) || in->depth + 1 > TF_MAX_MODULE_DEPTH) {
    warn(t, 0, b->pos, ancestor_has(in, child) ? "module.%s includes itself (through '%s'); not expanded again"
                                               : "module.%s: modules nested deeper than the limit; '%s' is not read",
         name, source);
    c->value = unk(t, b->pos);
    c->state = 2;
    return;
  }
  c->child = child;
  const hcl_attr_t *count = attr_of(&b->body, "count"), *fe = attr_of(&b->body, "for_each");
  const cf_node_t *cv = count ? eval_in(&c0, count->expr, false) : NULL;
  const cf_node_t *fv = fe ? eval_in(&c0, fe->expr, false) : NULL;
  uint32_t n = 1;
  bool list_value = false, map_value = false;
  double d = 0;
  if (cv && cv->type != CF_NODE_UNKNOWN && cf_node_number(cv, &d) && d >= 0) {
    n = d > TF_MAX_INSTANCES ? TF_MAX_INSTANCES : (uint32_t)d;
    list_value = true;
  } else if (fv && (fv->type == CF_NODE_ARRAY || fv->type == CF_NODE_OBJECT)) {
    n = fv->len > TF_MAX_INSTANCES ? TF_MAX_INSTANCES : fv->len;
    map_value = true;
  }
  c->n = n;
  c->kids = cf__arena_zalloc(t->a, (n ? n : 1) * sizeof *c->kids);
  c->keys = cf__arena_zalloc(t->a, (n ? n : 1) * sizeof *c->keys);
  cf_node_t *agg = list_value ? cf_node_new_array(t->a, b->pos) : map_value ? cf_node_new_object(t->a, b->pos) : NULL;
  if (!c->kids || !c->keys || ((list_value || map_value) && !agg)) {
    t->fatal = CF_ENOMEM;
    return;
  }
  for (uint32_t i = 0; i < n && !t->fatal; i++) {
    tf_ctx_t pc = {in, NULL, NULL, NULL};
    const cf_node_t *key = NULL;
    if (list_value) {
      key = pc.count_index = cf_node_new_int(t->a, i, b->pos);
    } else if (map_value) {
      if (fv->type == CF_NODE_OBJECT) {
        key = pc.each_key = cf_node_new_str(t->a, fv->u.members[i].key, fv->u.members[i].key_len, fv->u.members[i].key_pos);
        pc.each_value = fv->u.members[i].value;
      } else {
        key = pc.each_key = pc.each_value = fv->u.items[i];
      }
    } else if (count) {
      pc.count_index = unk(t, count->pos);
    } else if (fe) {
      pc.each_key = pc.each_value = unk(t, fe->pos);
    }
    const char *addr = cf__arena_printf(t->a, "%smodule.%s%s.", in->addr, name, key_text(t, key));
    tf_inst_t *kid = addr ? new_inst(t, child, addr, in, in->depth + 1) : NULL;
    if (!kid) {
      t->fatal = CF_ENOMEM;
      return;
    }
    set_vars(kid, &pc, b);
    c->kids[i] = kid;
    c->keys[i] = key;
  }
  /* Outputs are what module.NAME is; they are read after every instance exists. */
  for (uint32_t i = 0; i < n && !t->fatal; i++) {
    const cf_node_t *o = outputs_of(c->kids[i]);
    if (list_value && o && cf_node_push(t->a, agg, (cf_node_t *)o)) t->fatal = CF_ENOMEM;
    if (map_value && o && c->keys[i] && c->keys[i]->type == CF_NODE_STRING && append(t, agg, c->keys[i]->u.s, o))
      t->fatal = CF_ENOMEM;
  }
  c->value = agg ? agg : n ? outputs_of(c->kids[0]) : unk(t, b->pos);
  c->state = 2;
}

/* A child's variables: the call's arguments (evaluated in the parent), else defaults. */
static void set_vars(tf_inst_t *kid, tf_ctx_t *pc, const hcl_block_t *call) {
  cf_tf_t *t = kid->t;
  for (uint32_t i = 0; i < kid->src->n_vars && !t->fatal; i++) {
    const hcl_block_t *v = kid->src->vars[i];
    const char *name = v->labels[0];
    const hcl_attr_t *arg = call ? attr_of(&call->body, name) : NULL;
    const cf_node_t *val = NULL;
    if (arg) {
      val = eval_in(pc, arg->expr, false);
    } else if (!call && t->tfvars && cf_node_get(t->tfvars, name)) {
      val = cf_node_get(t->tfvars, name);
    } else {
      const hcl_attr_t *def = attr_of(&v->body, "default");
      tf_ctx_t kc = {kid, NULL, NULL, NULL};
      val = def ? eval_in(&kc, def->expr, false) : unk(t, v->pos);
    }
    if (val && cf_node_set(t->a, kid->vars, name, (cf_node_t *)val)) t->fatal = CF_ENOMEM;
  }
}

static void expand_all(tf_inst_t *in) {
  for (uint32_t i = 0; i < in->src->n_res && !in->t->fatal; i++) expand_res(in, &in->res[i]);
  for (uint32_t i = 0; i < in->src->n_mods && !in->t->fatal; i++) {
    expand_call(in, &in->calls[i]);
    for (uint32_t k = 0; k < in->calls[i].n && !in->t->fatal; k++)
      if (in->calls[i].kids[k]) expand_all(in->calls[i].kids[k]);
  }
}

/* ---- the plan document ---- */

typedef struct refs {
  cf_node_t *list;
  tf_src_t *src;
  const hcl_expr_t *each; /* the block's for_each: what each.key and each.value stand for */
  unsigned depth;
} refs_t;

static void add_ref(cf_tf_t *t, refs_t *r, const char *s) {
  if (!s) {
    t->fatal = CF_ENOMEM;
    return;
  }
  for (uint32_t i = 0; i < r->list->len; i++)
    if (!strcmp(r->list->u.items[i]->u.s, s)) return;
  cf_node_t *n = cf_node_new_cstr(t->a, s, r->list->pos);
  if (!n || cf_node_push(t->a, r->list, n)) t->fatal = CF_ENOMEM;
}

/* A static index key of a traversal step, as an address prints it, or NULL. */
static const char *static_key(cf_tf_t *t, const hcl_expr_t *x) {
  if (x->kind != HCL_E_INDEX || !x->b || x->b->kind != HCL_E_LITERAL) return NULL;
  const cf_node_t *k = x->b->value;
  if (k->type != CF_NODE_INT && k->type != CF_NODE_STRING) return NULL;
  return key_text(t, k);
}

static void refs_expr(cf_tf_t *t, refs_t *r, const hcl_expr_t *e, const hcl_scope_t *bound);

static bool is_bound(const hcl_scope_t *s, const char *n) {
  for (; s; s = s->up)
    if (!strcmp(s->name, n)) return true;
  return false;
}

/* The references of a traversal chain rooted at a VAR, in the plan's style: the longest
 * static prefix and the resource's own address ("aws_s3_bucket.b.id", "aws_s3_bucket.b"). */
static void refs_chain(cf_tf_t *t, refs_t *r, const hcl_expr_t *e, const hcl_scope_t *bound) {
  const hcl_expr_t *chain[64];
  size_t n = 0;
  for (const hcl_expr_t *x = e; x && n < 64; x = x->a) {
    chain[n++] = x;
    if (x->kind != HCL_E_GETATTR && x->kind != HCL_E_INDEX) break;
  }
  /* Index expressions inside the chain have references of their own. */
  for (size_t i = 0; i < n; i++)
    if (chain[i]->kind == HCL_E_INDEX) refs_expr(t, r, chain[i]->b, bound);
  const hcl_expr_t *root = chain[n - 1];
  if (root->kind != HCL_E_VAR) {
    refs_expr(t, r, root, bound);
    return;
  }
  const char *rn = root->name;
  if (!strcmp(rn, "each") && r->each && !is_bound(bound, rn)) {
    /* each.value.id under `for_each = aws_s3_bucket.b`: the for_each's references stand in,
     * so the plan adapter joins each instance to the one with its own key. */
    const hcl_expr_t *fe = r->each;
    r->each = NULL;
    refs_expr(t, r, fe, NULL);
    r->each = fe;
    return;
  }
  if (is_bound(bound, rn) || !strcmp(rn, "each") || !strcmp(rn, "count") || !strcmp(rn, "path") ||
      !strcmp(rn, "terraform") || !strcmp(rn, "self"))
    return;
  if (!strcmp(rn, "local")) {
    /* Locals are not in a plan: their own references stand in for them. */
    if (n < 2 || chain[n - 2]->kind != HCL_E_GETATTR || r->depth > 32) return;
    for (uint32_t i = 0; i < r->src->n_locals; i++)
      if (!strcmp(r->src->locals[i]->name, chain[n - 2]->name)) {
        r->depth++;
        refs_expr(t, r, r->src->locals[i]->expr, NULL);
        r->depth--;
      }
    return;
  }
  /* How many steps name the object: var.x and module.m (2), data.t.n (3), t.n (2), then an
   * optional key and attribute. */
  size_t base = !strcmp(rn, "data") ? 3 : 2;
  if (n < base) return;
  for (size_t i = 1; i < base; i++)
    if (chain[n - 1 - i]->kind != HCL_E_GETATTR) return;
  char buf[1024];
  size_t k = (size_t)snprintf(buf, sizeof buf, "%s", rn);
  for (size_t i = 1; i < base && k < sizeof buf; i++) k += (size_t)snprintf(buf + k, sizeof buf - k, ".%s", chain[n - 1 - i]->name);
  if (k >= sizeof buf) return;
  char obj[1024];
  memcpy(obj, buf, k + 1);
  size_t at = n - base; /* steps left; chain[at - 1] is the next one */
  bool is_var = !strcmp(rn, "var");
  const char *key = NULL;
  if (!is_var && at >= 1 && chain[at - 1]->kind == HCL_E_INDEX && (key = static_key(t, chain[at - 1]))) at--;
  const char *attr = !is_var && at >= 1 && chain[at - 1]->kind == HCL_E_GETATTR ? chain[at - 1]->name : NULL;
  const char *keyed = key ? cf__arena_printf(t->a, "%s%s", obj, key) : obj;
  if (attr) add_ref(t, r, cf__arena_printf(t->a, "%s.%s", keyed, attr));
  if (key) add_ref(t, r, keyed);
  add_ref(t, r, cf__arena_strdup(t->a, obj));
}

static void refs_expr(cf_tf_t *t, refs_t *r, const hcl_expr_t *e, const hcl_scope_t *bound) {
  if (!e || t->fatal || r->depth > HCL_MAX_DEPTH) return;
  r->depth++;
  switch (e->kind) {
  case HCL_E_VAR:
  case HCL_E_GETATTR:
  case HCL_E_INDEX: refs_chain(t, r, e, bound); break;
  case HCL_E_FOR:
  case HCL_E_TFOR: {
    refs_expr(t, r, e->a, bound);
    hcl_scope_t s1 = {e->name, NULL, bound};
    hcl_scope_t s2 = {e->name2 ? e->name2 : e->name, NULL, &s1};
    refs_expr(t, r, e->b, &s2);
    refs_expr(t, r, e->c, &s2);
    refs_expr(t, r, e->d, &s2);
    break;
  }
  default:
    refs_expr(t, r, e->a, bound);
    refs_expr(t, r, e->b, bound);
    refs_expr(t, r, e->c, bound);
    refs_expr(t, r, e->d, bound);
    for (uint32_t i = 0; i < e->n_items; i++) refs_expr(t, r, e->items[i], bound);
    break;
  }
  r->depth--;
}

/* The plan's `expressions` for a body: {"attr": {"references": [...]}, "block": [{...}]}. */
static cf_node_t *exprs_of(cf_tf_t *t, tf_src_t *src, const hcl_body_t *b, const hcl_expr_t *each, cf_pos_t pos,
                           unsigned depth) {
  cf_node_t *o = cf_node_new_object(t->a, pos);
  if (!o) {
    t->fatal = CF_ENOMEM;
    return NULL;
  }
  if (depth > HCL_MAX_DEPTH) return o;
  for (uint32_t i = 0; i < b->n_attrs && !t->fatal; i++) {
    refs_t r = {cf_node_new_array(t->a, b->attrs[i].pos), src, each, 0};
    if (!r.list) {
      t->fatal = CF_ENOMEM;
      return NULL;
    }
    refs_expr(t, &r, b->attrs[i].expr, NULL);
    cf_node_t *e = cf_node_new_object(t->a, b->attrs[i].pos);
    if (!e || (r.list->len && cf_node_set(t->a, e, "references", r.list)) || cf_node_set(t->a, o, b->attrs[i].name, e))
      t->fatal = CF_ENOMEM;
  }
  for (uint32_t i = 0; i < b->n_blocks && !t->fatal; i++) {
    const hcl_block_t *k = &b->blocks[i];
    const hcl_body_t *body = &k->body;
    const char *name = k->type;
    if (!strcmp(k->type, "dynamic") && k->n_labels == 1) {
      name = k->labels[0];
      for (uint32_t j = 0; j < k->body.n_blocks; j++)
        if (!strcmp(k->body.blocks[j].type, "content")) body = &k->body.blocks[j].body;
    }
    cf_node_t *v = exprs_of(t, src, body, each, k->pos, depth + 1);
    if (v) append_block(t, o, name, v, k->pos);
  }
  return o;
}

static cf_node_t *config_module(cf_tf_t *t, tf_src_t *src, unsigned depth);

/* obj_put for the plan's own fixed keys, which are never repeated: appended unsearched. */
static void obj_add(cf_tf_t *t, cf_node_t *o, const char *k, const cf_node_t *v) {
  if (v && append(t, o, k, v)) t->fatal = CF_ENOMEM;
}

static cf_node_t *str_node(cf_tf_t *t, const char *s, cf_pos_t pos) {
  cf_node_t *n = cf_node_new_cstr(t->a, s ? s : "", pos);
  if (!n) t->fatal = CF_ENOMEM;
  return n;
}

static cf_node_t *config_module(cf_tf_t *t, tf_src_t *src, unsigned depth) {
  /* A module called many times has one configuration: built once and shared (the adapter
   * only reads it). */
  if (src->config) return src->config;
  cf_pos_t z = {0, 0, 0};
  cf_node_t *m = cf_node_new_object(t->a, z);
  cf_node_t *res = cf_node_new_array(t->a, z);
  cf_node_t *calls = cf_node_new_object(t->a, z);
  cf_node_t *outs = cf_node_new_object(t->a, z);
  if (!m || !res || !calls || !outs) {
    t->fatal = CF_ENOMEM;
    return NULL;
  }
  for (uint32_t i = 0; i < src->n_res && !t->fatal; i++) {
    const hcl_block_t *b = src->res[i];
    bool data = !strcmp(b->type, "data");
    cf_node_t *o = cf_node_new_object(t->a, b->pos);
    if (!o) {
      t->fatal = CF_ENOMEM;
      return NULL;
    }
    obj_add(t, o, "address", str_node(t, cf__arena_printf(t->a, "%s%s.%s", data ? "data." : "", b->labels[0], b->labels[1]), b->pos));
    obj_add(t, o, "mode", str_node(t, data ? "data" : "managed", b->pos));
    obj_add(t, o, "type", str_node(t, b->labels[0], b->pos));
    obj_add(t, o, "name", str_node(t, b->labels[1], b->pos));
    const hcl_attr_t *fe = attr_of(&b->body, "for_each");
    obj_add(t, o, "expressions", exprs_of(t, src, &b->body, fe ? fe->expr : NULL, b->pos, 0));
    if (cf_node_push(t->a, res, o)) t->fatal = CF_ENOMEM;
  }
  for (uint32_t i = 0; i < src->n_mods && !t->fatal; i++) {
    const hcl_block_t *b = src->mods[i];
    cf_node_t *o = cf_node_new_object(t->a, b->pos);
    if (!o) {
      t->fatal = CF_ENOMEM;
      return NULL;
    }
    const hcl_attr_t *fe = attr_of(&b->body, "for_each");
    obj_add(t, o, "expressions", exprs_of(t, src, &b->body, fe ? fe->expr : NULL, b->pos, 0));
    /* The child's configuration, for local sources already loaded. */
    const hcl_attr_t *sa = attr_of(&b->body, "source");
    const char *source = sa && sa->expr->kind == HCL_E_LITERAL ? cf_node_str(sa->expr->value) : NULL;
    if (source && local_source(source) && src->real[0] && depth < TF_MAX_MODULE_DEPTH) {
      char path[PATH_MAX + 256], real[PATH_MAX];
      snprintf(path, sizeof path, "%s/%s", src->dir, source);
      tf_src_t *child = realpath(path, real) ? find_src(t, real) : NULL;
      if (child && child != src) obj_add(t, o, "module", config_module(t, child, depth + 1));
    }
    if (append(t, calls, b->labels[0], o)) t->fatal = CF_ENOMEM;
  }
  for (uint32_t i = 0; i < src->n_outs && !t->fatal; i++) {
    const hcl_block_t *b = src->outs[i];
    const hcl_attr_t *v = attr_of(&b->body, "value");
    refs_t r = {cf_node_new_array(t->a, b->pos), src, NULL, 0};
    cf_node_t *o = cf_node_new_object(t->a, b->pos), *e = cf_node_new_object(t->a, b->pos);
    if (!r.list || !o || !e) {
      t->fatal = CF_ENOMEM;
      return NULL;
    }
    if (v) refs_expr(t, &r, v->expr, NULL);
    obj_add(t, e, "references", r.list);
    obj_add(t, o, "expression", e);
    if (append(t, outs, b->labels[0], o)) t->fatal = CF_ENOMEM;
  }
  obj_add(t, m, "resources", res);
  obj_add(t, m, "module_calls", calls);
  obj_add(t, m, "outputs", outs);
  src->config = m;
  return m;
}

/* Provider defaults that a plan shows and the source may leave out. Only arguments whose
 * default decides a rule, or that the plan adapter reads as a setting, are listed; an entry is
 * skipped when the argument or one of its other names (alias) is set. A "computed" argument,
 * which the provider decides at apply, is never listed: it stays absent. */
typedef struct tf_default {
  const char *type, *attr, *alias;
  bool value;
} tf_default_t;

static const tf_default_t tf_defaults[] = {
    /* azurerm 3.x and 4.x: containers may be made public unless the account forbids it. */
    {"azurerm_storage_account", "allow_nested_items_to_be_public", "allow_blob_public_access", true},
    {"azurerm_storage_account", "enable_https_traffic_only", "https_traffic_only_enabled", true},
    /* aws: each Block Public Access flag is false unless set. */
    {"aws_s3_bucket_public_access_block", "block_public_acls", NULL, false},
    {"aws_s3_bucket_public_access_block", "block_public_policy", NULL, false},
    {"aws_s3_bucket_public_access_block", "ignore_public_acls", NULL, false},
    {"aws_s3_bucket_public_access_block", "restrict_public_buckets", NULL, false},
    {"aws_s3_account_public_access_block", "block_public_acls", NULL, false},
    {"aws_s3_account_public_access_block", "block_public_policy", NULL, false},
    {"aws_s3_account_public_access_block", "ignore_public_acls", NULL, false},
    {"aws_s3_account_public_access_block", "restrict_public_buckets", NULL, false},
    {"aws_cloudtrail", "enable_logging", NULL, true},
    {"aws_cloudtrail", "include_global_service_events", NULL, true},
    {"aws_cloudtrail", "is_multi_region_trail", NULL, false},
    {"aws_cloudtrail", "enable_log_file_validation", NULL, false},
    {"aws_kms_key", "enable_key_rotation", NULL, false},
    {"aws_kms_key", "is_enabled", NULL, true},
};

/* Sets the defaults of tf_defaults on the values v of a managed resource of the type. */
static void put_defaults(cf_tf_t *t, const char *type, cf_node_t *v, cf_pos_t pos) {
  if (!v || v->type != CF_NODE_OBJECT) return;
  for (size_t i = 0; i < CF_ARRAY_LEN(tf_defaults) && !t->fatal; i++) {
    const tf_default_t *d = &tf_defaults[i];
    if (strcmp(d->type, type) || cf_node_get(v, d->attr) || (d->alias && cf_node_get(v, d->alias))) continue;
    cf_node_t *b = cf_node_new_bool(t->a, d->value, pos);
    if (!b || cf_node_set(t->a, v, d->attr, b)) t->fatal = CF_ENOMEM;
  }
}

/* planned_values (managed) or prior_state values (data) of an instance and its children. */
static cf_node_t *values_module(cf_tf_t *t, tf_inst_t *in, bool data) {
  cf_pos_t z = {0, 0, 0};
  cf_node_t *m = cf_node_new_object(t->a, z), *res = cf_node_new_array(t->a, z), *kids = cf_node_new_array(t->a, z);
  if (!m || !res || !kids) {
    t->fatal = CF_ENOMEM;
    return NULL;
  }
  if (*in->addr) {
    size_t l = strlen(in->addr);
    obj_add(t, m, "address", str_node(t, cf__arena_strndup(t->a, in->addr, l - 1), z));
  }
  for (uint32_t i = 0; i < in->src->n_res && !t->fatal; i++) {
    tf_res_t *r = &in->res[i];
    if (r->data != data) continue;
    const char *type = r->b->labels[0], *name = r->b->labels[1];
    const char *us = strchr(type, '_');
    const char *provider = us ? cf__arena_printf(t->a, "registry.terraform.io/hashicorp/%.*s", (int)(us - type), type) : type;
    for (uint32_t k = 0; k < r->n; k++) {
      cf_node_t *o = cf_node_new_object(t->a, r->b->pos);
      if (!o) {
        t->fatal = CF_ENOMEM;
        return NULL;
      }
      const char *addr = cf__arena_printf(t->a, "%s%s%s.%s%s", in->addr, data ? "data." : "", type, name, key_text(t, r->keys[k]));
      obj_add(t, o, "address", str_node(t, addr, r->b->pos));
      obj_add(t, o, "mode", str_node(t, data ? "data" : "managed", r->b->pos));
      obj_add(t, o, "type", str_node(t, type, r->b->pos));
      obj_add(t, o, "name", str_node(t, name, r->b->pos));
      if (r->keys[k]) obj_add(t, o, "index", r->keys[k]);
      obj_add(t, o, "provider_name", str_node(t, provider, r->b->pos));
      if (!data) put_defaults(t, type, r->vals[k], r->b->pos);
      obj_add(t, o, "values", r->vals[k]);
      if (cf_node_push(t->a, res, o)) t->fatal = CF_ENOMEM;
    }
  }
  for (uint32_t i = 0; i < in->src->n_mods && !t->fatal; i++)
    for (uint32_t k = 0; k < in->calls[i].n; k++)
      if (in->calls[i].kids[k]) {
        cf_node_t *c = values_module(t, in->calls[i].kids[k], data);
        if (c && cf_node_push(t->a, kids, c)) t->fatal = CF_ENOMEM;
      }
  obj_add(t, m, "resources", res);
  obj_add(t, m, "child_modules", kids);
  return m;
}

/* ---- variables from tfvars files and --var ---- */

/* Reads `name = value` attributes of a tfvars file into t->tfvars (later files win). */
static void read_tfvars(cf_tf_t *t, const char *path, bool must_exist) {
  char *buf = NULL;
  size_t len = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  const cf_limits_t *lim = cf__limits(t->o.ctx);
  cf_err e = cf__read_file(path, lim->max_file_size, CF_JSON_PADDING, &buf, &len, &d);
  if (e) {
    if (e == CF_ENOMEM) t->fatal = e;
    else if (must_exist && t->o.errors) (void)cf_diags_adopt(t->o.errors, &d);
    cf_diag_cleanup(&d);
    return;
  }
  uint32_t fid = t->o.file_cb ? t->o.file_cb(t->o.file_ud, path, buf, len) : 0;
  hcl_file_t *f = NULL;
  if (cf__str_ends(path, ".json")) e = cf__hcl_from_json(t->o.ctx, t->a, buf, len, fid, path, &f, &d);
  else e = cf__hcl_parse(t->a, buf, len, fid, path, &f, &d);
  free(buf);
  if (e) {
    if (e == CF_ENOMEM) t->fatal = e;
    else if (t->o.errors) (void)cf_diags_adopt(t->o.errors, &d);
    cf_diag_cleanup(&d);
    return;
  }
  cf_diag_cleanup(&d);
  /* Values are constants: evaluated with no names in scope. */
  tf_src_t empty = {0};
  empty.dir = ".";
  empty.real = "";
  tf_inst_t in = {0};
  in.t = t;
  in.src = &empty;
  in.addr = "";
  in.vars = t->tfvars;
  tf_ctx_t c = {&in, NULL, NULL, NULL};
  for (uint32_t i = 0; i < f->body.n_attrs && !t->fatal; i++) {
    const cf_node_t *v = eval_in(&c, f->body.attrs[i].expr, false);
    if (v && cf_node_set(t->a, t->tfvars, f->body.attrs[i].name, (cf_node_t *)v)) t->fatal = CF_ENOMEM;
  }
}

/* --var NAME=VALUE: VALUE is read as an HCL expression when it parses as one that is not a
 * bare name, else as a string (as Terraform does for plain strings on the command line). */
static void read_var_arg(cf_tf_t *t, const char *arg) {
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg) {
    (void)cf_diags_add(t->o.errors, CF_EINVAL, "--var", 0, 0, "expected NAME=VALUE, got '%s'", arg);
    return;
  }
  char *name = cf__arena_strndup(t->a, arg, (size_t)(eq - arg));
  const char *val = eq + 1;
  char *text = cf__arena_printf(t->a, "v = %s\n", val);
  if (!name || !text) {
    t->fatal = CF_ENOMEM;
    return;
  }
  hcl_file_t *f = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  const cf_node_t *v = NULL;
  if (cf__hcl_parse(t->a, text, strlen(text), 0, "--var", &f, &d) == CF_OK && f->body.n_attrs == 1 &&
      f->body.attrs[0].expr->kind != HCL_E_VAR && f->body.attrs[0].expr->kind != HCL_E_GETATTR) {
    tf_src_t empty = {0};
    empty.dir = ".";
    empty.real = "";
    tf_inst_t in = {0};
    in.t = t;
    in.src = &empty;
    in.addr = "";
    in.vars = t->tfvars;
    tf_ctx_t c = {&in, NULL, NULL, NULL};
    v = eval_in(&c, f->body.attrs[0].expr, true);
    if (v && v->type == CF_NODE_UNKNOWN) v = NULL;
  }
  cf_diag_cleanup(&d);
  if (!v) v = cf_node_new_cstr(t->a, val, (cf_pos_t){0, 0, 0});
  if (!v || cf_node_set(t->a, t->tfvars, name, (cf_node_t *)v)) t->fatal = CF_ENOMEM;
}

static void load_root_vars(cf_tf_t *t, tf_src_t *root) {
  t->tfvars = cf_node_new_object(t->a, (cf_pos_t){0, 0, 0});
  if (!t->tfvars) {
    t->fatal = CF_ENOMEM;
    return;
  }
  if (root->real[0]) {
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/terraform.tfvars", root->dir);
    read_tfvars(t, p, false);
    snprintf(p, sizeof p, "%s/terraform.tfvars.json", root->dir);
    read_tfvars(t, p, false);
    DIR *d = opendir(root->dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) {
      if (!cf__str_ends(de->d_name, ".auto.tfvars") && !cf__str_ends(de->d_name, ".auto.tfvars.json")) continue;
      if (!cf__grow((void **)&names, &cap, n, sizeof(char *)) || !(names[n] = strdup(de->d_name))) {
        t->fatal = CF_ENOMEM;
        break;
      }
      n++;
    }
    if (d) closedir(d);
    if (n) qsort(names, n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < n; i++) {
      snprintf(p, sizeof p, "%s/%s", root->dir, names[i]);
      read_tfvars(t, p, false);
      free(names[i]);
    }
    free(names);
  }
  for (size_t i = 0; i < t->o.n_var_files; i++) read_tfvars(t, t->o.var_files[i], true);
  for (size_t i = 0; i < t->o.n_vars; i++) read_var_arg(t, t->o.vars[i]);
}

/* Evaluates one root module and hands its resources to the plan adapter. */
static cf_err run_root(cf_tf_t *t, tf_src_t *root, cf_adapt_ctx_t *ac) {
  t->root_src = root;
  load_root_vars(t, root);
  tf_inst_t *in = t->fatal ? NULL : new_inst(t, root, "", NULL, 0);
  if (!in) return t->fatal ? t->fatal : CF_ENOMEM;
  set_vars(in, NULL, NULL);
  expand_all(in);
  if (t->fatal) return t->fatal;
  cf_pos_t z = {0, 0, 0};
  cf_node_t *plan = cf_node_new_object(t->a, z), *pv = cf_node_new_object(t->a, z), *ps = cf_node_new_object(t->a, z),
            *psv = cf_node_new_object(t->a, z), *cfg = cf_node_new_object(t->a, z);
  if (!plan || !pv || !ps || !psv || !cfg) return CF_ENOMEM;
  obj_put(t, plan, "format_version", str_node(t, "1.2", z));
  obj_put(t, pv, "root_module", values_module(t, in, false));
  obj_put(t, plan, "planned_values", pv);
  obj_put(t, psv, "root_module", values_module(t, in, true));
  obj_put(t, ps, "values", psv);
  obj_put(t, plan, "prior_state", ps);
  obj_put(t, cfg, "root_module", config_module(t, root, 0));
  obj_put(t, plan, "configuration", cfg);
  if (t->fatal) return t->fatal;
  cf_node_t *roots[1] = {plan};
  cf_doc_t doc = {t->a, roots, 1, ac->file};
  return cf__adapt_tfplan(ac, &doc);
}

cf_err cf__tf_run(cf_tf_t *t, cf_adapt_ctx_t *ac) {
  if (t->fatal) return t->fatal;
  t->ac = ac;
  /* Which walked folders are called by another as a module: those are not roots. Calling
   * is known after parsing every walked folder, from the literal sources. */
  size_t walked = t->n_srcs;
  for (size_t i = 0; i < walked; i++) {
    tf_src_t *s = t->srcs[i];
    if (!s->real[0]) continue;
    for (uint32_t k = 0; k < s->n_mods; k++) {
      const hcl_attr_t *sa = attr_of(&s->mods[k]->body, "source");
      const char *source = sa && sa->expr->kind == HCL_E_LITERAL ? cf_node_str(sa->expr->value) : NULL;
      if (!source || !local_source(source)) continue;
      char path[PATH_MAX + 256], real[PATH_MAX];
      snprintf(path, sizeof path, "%s/%s", s->dir, source);
      tf_src_t *c = realpath(path, real) ? find_src(t, real) : NULL;
      if (c && c != s) c->called = true;
    }
  }
  cf_err e = CF_OK;
  for (size_t i = 0; i < walked && !e; i++) {
    tf_src_t *s = t->srcs[i];
    if (!s->walked || s->called || (!s->n_files)) continue;
    e = run_root(t, s, ac);
  }
  return e ? e : t->fatal;
}
