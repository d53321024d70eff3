/*
 * scan.c - the posture scan: walks inputs, recognises each one, runs its adapter, evaluates
 * the rules on every canonical resource and applies suppressions.
 *
 * Flow and memory: each file is read, parsed and adapted with a per-file arena that is freed
 * when the file is done. A resource is evaluated the moment its adapter emits it, except
 *   - partial resources (a bucket's ACL and policy from separate `aws` CLI files), which are
 *     copied, merged by (type, merge key) at the end and then evaluated, and
 *   - resources that are the subject of a relationship rule ("this load balancer has a WAF
 *     association"), which are copied and evaluated at the end, when facts about every other
 *     resource are known.
 * Facts for relationship rules are recorded as resources pass: for each relation, the
 * identities (or referring values) of the resources of its type that satisfy its `where`.
 * So a 1 GB AWS Config snapshot is streamed item by item and memory stays near the size of
 * the largest item plus what relationship rules need.
 *
 * Suppressions are applied after all files: inline comments need to know which resource of
 * their file a comment belongs to, which is known only once the file is adapted.
 *
 * Links: a symbolic link is followed only when its target lies inside the scan root; `.git`
 * folders are skipped; a directory already visited (by device and inode) is not entered again.
 */
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_secrets.h"
#include "doc/doc_internal.h"
#include "rule.h"

#define CF_MAX_THREADS 16

/* ---- string set with three-valued membership (relation facts) ---- */

typedef struct sset {
  const char **keys;
  uint8_t *vals; /* TRI_T or TRI_U */
  size_t cap, len;
} sset_t;

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
  return h;
}

static cf_err sset_put(sset_t *s, cf_arena_t *a, const char *key, tri_t v) {
  if (s->len * 2 >= s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 64;
    const char **nk = calloc(nc, sizeof(char *));
    uint8_t *nv = calloc(nc, 1);
    if (!nk || !nv) {
      free(nk);
      free(nv);
      return CF_ENOMEM;
    }
    for (size_t i = 0; i < s->cap; i++) {
      if (!s->keys[i]) continue;
      size_t j = hash_str(s->keys[i]) & (nc - 1);
      while (nk[j]) j = (j + 1) & (nc - 1);
      nk[j] = s->keys[i];
      nv[j] = s->vals[i];
    }
    free(s->keys);
    free(s->vals);
    s->keys = nk;
    s->vals = nv;
    s->cap = nc;
  }
  size_t j = hash_str(key) & (s->cap - 1);
  while (s->keys[j]) {
    if (strcmp(s->keys[j], key) == 0) {
      if (v == TRI_T) s->vals[j] = TRI_T; /* true wins over unknown */
      return CF_OK;
    }
    j = (j + 1) & (s->cap - 1);
  }
  const char *k = cf__arena_strdup(a, key);
  if (!k) return CF_ENOMEM;
  s->keys[j] = k;
  s->vals[j] = (uint8_t)v;
  s->len++;
  return CF_OK;
}

static tri_t sset_get(const sset_t *s, const char *key) {
  if (!s->cap) return TRI_F;
  size_t j = hash_str(key) & (s->cap - 1);
  while (s->keys[j]) {
    if (strcmp(s->keys[j], key) == 0) return (tri_t)s->vals[j];
    j = (j + 1) & (s->cap - 1);
  }
  return TRI_F;
}

static void sset_free(sset_t *s) {
  free(s->keys);
  free(s->vals);
}

/* ---- scan state ---- */

typedef struct ignore_comment {
  uint32_t line;
  bool standalone; /* alone on its line (may belong to the resource that follows) */
  char *rules;  /* comma-separated ids, or "*" */
  char *reason;
} ignore_comment_t;

typedef struct res_line {
  uint32_t line;
  const char *address; /* engine arena */
} res_line_t;

typedef struct file_entry {
  char *path;
  ignore_comment_t *ignores;
  size_t n_ignores, cap_ignores;
  res_line_t *res_lines; /* only kept when the file has ignore comments */
  size_t n_res_lines, cap_res_lines;
} file_entry_t;

typedef struct retained {
  cf_resource_t *r;
  bool eval_all; /* partial resources: every rule; otherwise only relational rules */
} retained_t;

typedef struct type_rules {
  const char *type;
  const rule_t **rules;
  size_t n;
} type_rules_t;

/* What evaluation writes: the scan has one shard; streamed AWS Config snapshots are
 * evaluated by worker threads, each with a shard of its own, merged into the scan's after
 * the file. Everything else a shard reads (rules, options, the file table) is not modified
 * while workers run. */
typedef struct shard {
  struct scan *s;
  cf_findings_t *findings; /* the report's for the scan's own shard */
  uint64_t *resources;     /* likewise the report's counter */
  cf_diags_t *errors;      /* likewise the report's errors */
  cf_arena_t *keep;        /* retained resources, facts, strings */
  retained_t *held;
  size_t n_held, cap_held;
  sset_t *facts;           /* one per relation slot */
  type_rules_t *types;     /* rules by resource type (rules_for_type) */
  size_t n_types, cap_types;
  uint32_t *finding_file;  /* file of the resource of each finding this shard added */
  size_t n_ff, cap_ff;
  eval_env_t env;
  bool eval_nomem;         /* env.nomem points here */
  cf_cfgsec_t sec;         /* the secrets pass (opts->content_rules) */
  bool has_sec;
} shard_t;

typedef struct scan {
  const cf_ctx_t *ctx;
  const cf_ruleset_t *rs;
  const cf_posture_opts_t *opts;
  cf_report_t *report;
  shard_t sh;             /* the scan's own shard */
  cf_arena_t **arenas;    /* workers' arenas, alive until the end of the scan */
  size_t n_arenas, cap_arenas;
  unsigned threads;       /* evaluation threads for streamed snapshots */
  file_entry_t *files;
  size_t n_files, cap_files;
  size_t first_finding;   /* findings before this scan are not ours */
  cf_err fatal;
  /* root of the current walk, for the link rule */
  char root_real[PATH_MAX];
  struct seen { dev_t dev; ino_t ino; } *seen;
  size_t n_seen, cap_seen;
  /* Terraform source: folders and files of .tf, evaluated together at the end. */
  cf_tf_t *tf;
  /* The file being adapted, for the secrets pass to find values in its text. */
  uint32_t cur_file;
  const char *cur_text;
  size_t cur_len;
} scan_t;


static uint32_t add_file(scan_t *s, const char *path) {
  if (!cf__grow((void **)&s->files, &s->cap_files, s->n_files, sizeof(file_entry_t))) {
    s->fatal = CF_ENOMEM;
    return 0;
  }
  file_entry_t *f = &s->files[s->n_files];
  memset(f, 0, sizeof(*f));
  f->path = strdup(path);
  if (!f->path) {
    s->fatal = CF_ENOMEM;
    return 0;
  }
  return (uint32_t)s->n_files++;
}

/* ---- findings ---- */

static cf_err emit_finding(shard_t *sh, const rule_t *rule, const cf_resource_t *r,
                           const eval_out_t *out, bool unknown) {
  cf_finding_t f;
  memset(&f, 0, sizeof f);
  f.rule = &rule->info;
  cf_pos_t pos = out->witness && out->witness->pos.line ? out->witness->pos : r->pos;
  if (pos.file >= sh->s->n_files) pos = r->pos;
  f.file = pos.file < sh->s->n_files ? sh->s->files[pos.file].path : NULL;
  f.line = pos.line;
  f.column = pos.column;
  f.resource = r->address;
  f.resource_type = r->type;
  f.attribute = out->attribute;
  f.evidence = out->evidence[0] ? out->evidence : NULL;
  f.unknown = unknown;
  /* The fingerprint uses the resource's file, so that evidence moving between files of one
   * merged resource does not change it. */
  cf_finding_t fp = f;
  fp.file = r->pos.file < sh->s->n_files ? sh->s->files[r->pos.file].path : f.file;
  cf_finding_fingerprint(&fp, f.fingerprint);
  if (!f.fingerprint[0]) return CF_ENOMEM;
  for (const cf_res_suppress_t *sp = r->suppress; sp && !sh->s->opts->no_inline_suppress; sp = sp->next) {
    if (strcmp(sp->rule, "*") == 0 || strcasecmp(sp->rule, rule->info.id) == 0) {
      f.suppressed = sp->kind;
      f.suppress_reason = sp->reason;
      break;
    }
  }
  if (!cf__grow((void **)&sh->finding_file, &sh->cap_ff, sh->n_ff, sizeof(uint32_t))) return CF_ENOMEM;
  cf_err e = cf_findings_add(sh->findings, &f);
  if (!e) sh->finding_file[sh->n_ff++] = r->pos.file;
  return e;
}

static cf_unknown_mode rule_unknown_mode(const shard_t *sh, const rule_t *rule) {
  return rule->unknown >= 0 ? (cf_unknown_mode)rule->unknown : sh->s->opts->unknown;
}

static cf_err eval_rule(shard_t *sh, const rule_t *rule, const cf_resource_t *r) {
  /* Most rules do not fire: decide first without gathering evidence, and evaluate again
   * with evidence only for the few that do (evaluation has no side effects). */
  tri_t t = cf__rule_eval(&sh->env, rule, r, NULL);
  if (sh->eval_nomem) return CF_ENOMEM;
  if (t == TRI_F) return CF_OK;
  cf_unknown_mode m = rule_unknown_mode(sh, rule);
  if (t == TRI_U && m == CF_UNKNOWN_PASS) return CF_OK;
  eval_out_t out;
  (void)cf__rule_eval(&sh->env, rule, r, &out);
  if (sh->eval_nomem) return CF_ENOMEM;
  return emit_finding(sh, rule, r, &out, t == TRI_U && m == CF_UNKNOWN_REPORT);
}

static bool rule_applies(const rule_t *rule, const cf_resource_t *r) {
  if (!(rule->source_mask & (1u << r->source))) return false;
  for (uint32_t i = 0; i < rule->n_types; i++)
    if (strcmp(rule->types[i], r->type) == 0) return true;
  return false;
}

/* ---- relations ---- */

static tri_t rel_query(const eval_env_t *env, const cond_t *c, const cf_resource_t *r,
                       const cf_node_t *ctx) {
  shard_t *sh = env->ud;
  const sset_t *facts = &sh->facts[c->rel_slot];
  tri_t res = TRI_F;
  if (c->kind == C_RELATED) {
    /* Our values at path, looked up among the identities of the related type. */
    rpath_t p = c->path;
    const cf_node_t *start = p.from_root ? r->attrs : ctx;
    /* Reuse the leaf machinery through a tiny walk: values are strings or lists of them. */
    const cf_node_t *v = start;
    for (uint32_t i = 0; v && i < p.n; i++) {
      if (v->type == CF_NODE_UNKNOWN) break;
      if (p.steps[i].kind != STEP_KEY) return TRI_U;
      v = cf__node_get_n(v, p.steps[i].key, p.steps[i].key_len);
    }
    if (!v) return TRI_F;
    if (v->type == CF_NODE_UNKNOWN) return TRI_U;
    if (v->type == CF_NODE_STRING) return sset_get(facts, v->u.s);
    if (v->type == CF_NODE_ARRAY) {
      for (uint32_t i = 0; i < v->len; i++) {
        const cf_node_t *it = v->u.items[i];
        tri_t t = it->type == CF_NODE_UNKNOWN ? TRI_U : it->type == CF_NODE_STRING ? sset_get(facts, it->u.s) : TRI_F;
        if (t == TRI_T) return TRI_T;
        if (t == TRI_U) res = TRI_U;
      }
    }
    return res;
  }
  /* referenced_by: one of our identities among the values the other type refers to. */
  for (uint32_t i = 0; i < r->n_ids; i++) {
    tri_t t = sset_get(facts, r->ids[i]);
    if (t == TRI_T) return TRI_T;
    if (t == TRI_U) res = TRI_U;
  }
  return res;
}

static cf_err add_fact_values(shard_t *sh, sset_t *set, const cf_node_t *v, tri_t t) {
  if (!v) return CF_OK;
  if (v->type == CF_NODE_STRING) return sset_put(set, sh->keep, v->u.s, t);
  if (v->type == CF_NODE_ARRAY)
    for (uint32_t i = 0; i < v->len; i++) {
      cf_err e = add_fact_values(sh, set, v->u.items[i], t);
      if (e) return e;
    }
  return CF_OK;
}

static cf_err record_facts(shard_t *sh, const cf_resource_t *r) {
  for (size_t i = 0; i < sh->s->rs->n_rels; i++) {
    const cond_t *c = sh->s->rs->rels[i].c;
    if (strcmp(c->rel_type, r->type) != 0) continue;
    tri_t t = TRI_T;
    if (c->where) t = cf__cond_eval(&sh->env, c->where, r, r->attrs, NULL);
    if (sh->eval_nomem) return CF_ENOMEM;
    if (t == TRI_F) continue;
    cf_err e = CF_OK;
    if (c->kind == C_RELATED) {
      for (uint32_t k = 0; !e && k < r->n_ids; k++) e = sset_put(&sh->facts[i], sh->keep, r->ids[k], t);
    } else {
      const cf_node_t *v = r->attrs;
      for (uint32_t k = 0; v && k < c->path.n; k++)
        v = c->path.steps[k].kind == STEP_KEY ? cf__node_get_n(v, c->path.steps[k].key, c->path.steps[k].key_len) : NULL;
      e = add_fact_values(sh, &sh->facts[i], v, t);
    }
    if (e) return e;
  }
  return CF_OK;
}

/* ---- resources ---- */

static cf_resource_t *copy_resource(shard_t *sh, const cf_resource_t *r) {
  cf_arena_t *a = sh->keep;
  cf_resource_t *c = cf__arena_alloc(a, sizeof(*c));
  if (!c) return NULL;
  *c = *r;
  c->address = r->address ? cf__arena_strdup(a, r->address) : NULL;
  c->merge_key = r->merge_key ? cf__arena_strdup(a, r->merge_key) : NULL;
  c->attrs = cf_node_copy(a, r->attrs);
  if (!c->attrs) return NULL;
  c->ids = r->n_ids ? cf__arena_alloc(a, r->n_ids * sizeof(char *)) : NULL;
  c->cap_ids = r->n_ids;
  for (uint32_t i = 0; i < r->n_ids; i++)
    if (!(c->ids[i] = cf__arena_strdup(a, r->ids[i]))) return NULL;
  c->suppress = NULL;
  for (const cf_res_suppress_t *sp = r->suppress; sp; sp = sp->next) {
    cf_res_suppress_t *n = cf__arena_alloc(a, sizeof(*n));
    if (!n) return NULL;
    n->rule = cf__arena_strdup(a, sp->rule);
    n->reason = sp->reason ? cf__arena_strdup(a, sp->reason) : NULL;
    n->kind = sp->kind;
    n->next = c->suppress;
    c->suppress = n;
  }
  return c;
}

static cf_err hold(shard_t *sh, const cf_resource_t *r, bool eval_all) {
  cf_resource_t *c = copy_resource(sh, r);
  if (!c || !cf__grow((void **)&sh->held, &sh->cap_held, sh->n_held, sizeof(retained_t))) return CF_ENOMEM;
  sh->held[sh->n_held].r = c;
  sh->held[sh->n_held].eval_all = eval_all;
  sh->n_held++;
  return CF_OK;
}

static cf_err note_resource_line(shard_t *sh, const cf_resource_t *r) {
  if (r->pos.file >= sh->s->n_files) return CF_OK;
  file_entry_t *f = &sh->s->files[r->pos.file];
  if (!f->n_ignores) return CF_OK;
  if (!cf__grow((void **)&f->res_lines, &f->cap_res_lines, f->n_res_lines, sizeof(res_line_t))) return CF_ENOMEM;
  const char *addr = r->address ? cf__arena_strdup(sh->keep, r->address) : "";
  if (!addr) return CF_ENOMEM;
  f->res_lines[f->n_res_lines].line = r->pos.line;
  f->res_lines[f->n_res_lines].address = addr;
  f->n_res_lines++;
  return CF_OK;
}

/* Evaluates a complete resource (not partial): rules without relations now, the others later. */
/* The rules that target a resource type, found once per type and scan (a scan sees a few
 * dozen types and evaluates millions of resources). Adapters pass types as string literals,
 * so the pointer usually matches before any string comparison. */
static const type_rules_t *rules_for_type(shard_t *sh, const char *type) {
  for (size_t i = 0; i < sh->n_types; i++)
    if (sh->types[i].type == type) return &sh->types[i];
  for (size_t i = 0; i < sh->n_types; i++)
    if (strcmp(sh->types[i].type, type) == 0) return &sh->types[i];
  if (!cf__grow((void **)&sh->types, &sh->cap_types, sh->n_types, sizeof(type_rules_t))) return NULL;
  type_rules_t *t = &sh->types[sh->n_types];
  t->type = cf__arena_strdup(sh->keep, type);
  t->rules = cf__arena_alloc(sh->keep, (sh->s->rs->n_rules + 1) * sizeof(const rule_t *));
  t->n = 0;
  if (!t->type || !t->rules) return NULL;
  for (size_t i = 0; i < sh->s->rs->n_rules; i++) {
    const rule_t *rule = sh->s->rs->rules[i];
    for (uint32_t k = 0; k < rule->n_types; k++)
      if (strcmp(rule->types[k], type) == 0) {
        t->rules[t->n++] = rule;
        break;
      }
  }
  sh->n_types++;
  return t;
}

static cf_err process(shard_t *sh, const cf_resource_t *r) {
  (*sh->resources)++;
  cf_err e = note_resource_line(sh, r);
  bool needs_hold = false;
  const type_rules_t *tr = e ? NULL : rules_for_type(sh, r->type);
  if (!e && !tr) e = CF_ENOMEM;
  for (size_t i = 0; !e && i < tr->n; i++) {
    const rule_t *rule = tr->rules[i];
    if (!(rule->source_mask & (1u << r->source))) continue;
    if (rule->has_relations) needs_hold = true;
    else e = eval_rule(sh, rule, r);
  }
  if (!e && sh->has_sec) e = cf__cfgsec_resource(&sh->sec, r);
  if (!e) e = record_facts(sh, r);
  if (!e && needs_hold) e = hold(sh, r, false);
  return e;
}

/* ---- the secrets pass's side of the engine ---- */

static cf_err sec_add(void *ud, const cf_finding_t *f, uint32_t file) {
  shard_t *sh = ud;
  if (!cf__grow((void **)&sh->finding_file, &sh->cap_ff, sh->n_ff, sizeof(uint32_t))) return CF_ENOMEM;
  cf_err e = cf_findings_add(sh->findings, f);
  if (!e) sh->finding_file[sh->n_ff++] = file;
  return e;
}

static const char *sec_path(void *ud, uint32_t file) {
  const shard_t *sh = ud;
  return file < sh->s->n_files ? sh->s->files[file].path : NULL;
}

static const char *sec_text(void *ud, uint32_t file, size_t *len) {
  const shard_t *sh = ud;
  if (!sh->s->cur_text || file != sh->s->cur_file) return NULL;
  *len = sh->s->cur_len;
  return sh->s->cur_text;
}

static cf_err on_text(cf_adapt_ctx_t *ac, const char *type, const char *address, const char *attr, const char *name,
                      const cf_node_t *value, const cf_res_suppress_t *suppress) {
  shard_t *sh = ac->emit_ud;
  return sh->has_sec ? cf__cfgsec_value(&sh->sec, type, address, attr, name, value, suppress) : CF_OK;
}

static cf_err on_emit(cf_adapt_ctx_t *ac, cf_resource_t *r) {
  shard_t *sh = ac->emit_ud;
  if (!r || !r->type || !r->attrs) return CF_EINVAL;
  if (r->partial) return hold(sh, r, true);
  return process(sh, r);
}

/* Merges held partial resources with the same type and key, then processes them. */
static int cmp_partial(const void *pa, const void *pb) {
  const retained_t *a = pa, *b = pb;
  if (a->eval_all != b->eval_all) return a->eval_all ? -1 : 1;
  int c = strcmp(a->r->type, b->r->type);
  if (c) return c;
  c = strcmp(a->r->merge_key ? a->r->merge_key : "", b->r->merge_key ? b->r->merge_key : "");
  if (c) return c;
  /* Parts of one resource in input order (files are walked in sorted order), so the merged
   * resource is placed, and fingerprinted, the same way on every run. */
  if (a->r->pos.file != b->r->pos.file) return a->r->pos.file < b->r->pos.file ? -1 : 1;
  if (a->r->pos.line != b->r->pos.line) return a->r->pos.line < b->r->pos.line ? -1 : 1;
  return 0;
}

static cf_err merge_into(scan_t *s, cf_resource_t *dst, const cf_resource_t *src) {
  /* One complete part (describe-trails) makes the whole known even when another part
   * (get-trail-status) knows only a little. */
  if (!src->incomplete) dst->incomplete = false;
  for (uint32_t i = 0; i < src->attrs->len; i++) {
    const cf_member_t *m = &src->attrs->u.members[i];
    const cf_node_t *have = cf_node_get(dst->attrs, m->key);
    if (have && have->type == CF_NODE_OBJECT && m->value->type == CF_NODE_OBJECT) {
      for (uint32_t k = 0; k < m->value->len; k++) {
        const cf_member_t *mm = &m->value->u.members[k];
        if (!cf_node_get(have, mm->key) && cf_node_set(s->sh.keep, (cf_node_t *)have, mm->key, mm->value))
          return CF_ENOMEM;
      }
    } else if (!have) {
      if (cf_node_set(s->sh.keep, dst->attrs, m->key, m->value)) return CF_ENOMEM;
    }
  }
  cf_adapt_ctx_t ac;
  memset(&ac, 0, sizeof ac);
  ac.arena = s->sh.keep;
  for (uint32_t i = 0; i < src->n_ids; i++)
    if (cf__res_add_id(&ac, dst, src->ids[i])) return CF_ENOMEM;
  for (const cf_res_suppress_t *sp = src->suppress; sp; sp = sp->next)
    if (cf__res_suppress(&ac, dst, sp->rule, sp->reason, sp->kind)) return CF_ENOMEM;
  return CF_OK;
}

static cf_err finish_partials(scan_t *s) {
  size_t n = s->sh.n_held;
  if (!n) return CF_OK;
  qsort(s->sh.held, n, sizeof(retained_t), cmp_partial);
  size_t n_partial = 0;
  while (n_partial < n && s->sh.held[n_partial].eval_all) n_partial++;
  /* Take the partials out of the held list; process() may add new held entries. */
  retained_t *parts = malloc(n_partial * sizeof(retained_t) + 1);
  if (!parts) return CF_ENOMEM;
  memcpy(parts, s->sh.held, n_partial * sizeof(retained_t));
  memmove(s->sh.held, s->sh.held + n_partial, (n - n_partial) * sizeof(retained_t));
  s->sh.n_held = n - n_partial;
  cf_err e = CF_OK;
  for (size_t i = 0; !e && i < n_partial;) {
    cf_resource_t *base = parts[i].r;
    size_t j = i + 1;
    while (j < n_partial && strcmp(parts[j].r->type, base->type) == 0 &&
           strcmp(parts[j].r->merge_key ? parts[j].r->merge_key : "", base->merge_key ? base->merge_key : "") == 0) {
      e = merge_into(s, base, parts[j].r);
      if (e) break;
      j++;
    }
    if (!e) {
      base->partial = false;
      e = process(&s->sh, base);
    }
    i = j;
  }
  free(parts);
  return e;
}

static cf_err finish_held(scan_t *s) {
  for (size_t h = 0; h < s->sh.n_held; h++) {
    const cf_resource_t *r = s->sh.held[h].r;
    for (size_t i = 0; i < s->rs->n_rules; i++) {
      const rule_t *rule = s->rs->rules[i];
      if (!rule->has_relations || !rule_applies(rule, r)) continue;
      cf_err e = eval_rule(&s->sh, rule, r);
      if (e) return e;
    }
  }
  return CF_OK;
}

/* ---- inline suppression ---- */

/* Finds "cloudfort:ignore RULE[,RULE] reason" in comments ('#' or '//') of text. */
static cf_err collect_ignores(file_entry_t *f, const char *text, size_t len) {
  static const char tag[] = "cloudfort:ignore";
  const char *p = text, *end = text + len;
  /* One forward pass: `counted` follows the matches, keeping the line number and whether a
   * comment marker has been seen on the current line, so that a long line full of matches
   * costs linear time rather than a rescan of the line per match. */
  uint32_t line = 1;
  const char *counted = text;
  bool comment = false, code = false, standalone = false;
  while ((p = memmem(p, (size_t)(end - p), tag, sizeof(tag) - 1)) != NULL) {
    for (; counted < p; counted++) {
      char ch = *counted;
      if (ch == '\n') {
        line++;
        comment = code = false;
      } else if (comment) {
        continue;
      } else if (ch == '#' || (ch == '/' && counted + 1 < p && counted[1] == '/')) {
        comment = true;
        standalone = !code; /* nothing but blanks before the comment on its line */
      } else if (ch != ' ' && ch != '\t' && ch != '\r') {
        code = true;
      }
    }
    const char *q = p + sizeof(tag) - 1;
    p = q;
    if (!comment || q >= end || (*q != ' ' && *q != '\t')) continue;
    while (q < end && (*q == ' ' || *q == '\t')) q++;
    const char *ids = q;
    while (q < end && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r') q++;
    const char *ids_end = q;
    while (q < end && (*q == ' ' || *q == '\t')) q++;
    const char *reason = q;
    while (q < end && *q != '\n' && *q != '\r') q++;
    const char *reason_end = q;
    while (reason_end > reason && (reason_end[-1] == ' ' || reason_end[-1] == '\t')) reason_end--;
    if (ids_end == ids) continue;
    if (!cf__grow((void **)&f->ignores, &f->cap_ignores, f->n_ignores, sizeof(ignore_comment_t))) return CF_ENOMEM;
    ignore_comment_t *ic = &f->ignores[f->n_ignores];
    ic->line = line;
    ic->standalone = standalone;
    ic->rules = strndup(ids, (size_t)(ids_end - ids));
    ic->reason = reason_end > reason ? strndup(reason, (size_t)(reason_end - reason)) : NULL;
    if (!ic->rules || (reason_end > reason && !ic->reason)) {
      free(ic->rules);
      free(ic->reason);
      return CF_ENOMEM;
    }
    f->n_ignores++;
  }
  return CF_OK;
}

static bool ids_match(const char *list, const char *id) {
  const char *p = list;
  while (*p) {
    size_t n = strcspn(p, ",");
    if ((n == 1 && *p == '*') || (n == strlen(id) && strncasecmp(p, id, n) == 0)) return true;
    p += n;
    if (*p == ',') p++;
  }
  return false;
}

/* The resource a comment on line c belongs to: for a comment alone on its line, the resource
 * declared on the next line if there is one; else the last one declared at or before c (a
 * comment trailing a line belongs to what is on that line). */
static const char *comment_target(const file_entry_t *f, uint32_t c, bool standalone) {
  const res_line_t *best = NULL;
  for (size_t i = 0; standalone && i < f->n_res_lines; i++)
    if (f->res_lines[i].line == c + 1) return f->res_lines[i].address;
  for (size_t i = 0; i < f->n_res_lines; i++) {
    const res_line_t *rl = &f->res_lines[i];
    if (rl->line <= c && (!best || rl->line > best->line)) best = rl;
  }
  return best ? best->address : NULL;
}

/* The inline-suppression index of one file: its comments with their targets resolved once,
 * sorted by target and by line, so that each finding looks up the comments that may apply to
 * it by binary search. Without it a file of thousands of resources, each under a comment, took
 * time cubic in its size. Within equal keys the order is the comments' own, because the first
 * matching comment in the file wins. */
typedef struct ign_ref {
  const char *target; /* the resource the comment belongs to, or NULL */
  uint32_t line;
  size_t k;           /* index in the file's comments */
} ign_ref_t;

typedef struct ign_index {
  ign_ref_t *by_target, *by_line;
  size_t n;
} ign_index_t;

static int cmp_by_target(const void *pa, const void *pb) {
  const ign_ref_t *a = pa, *b = pb;
  int c = (a->target == NULL) - (b->target == NULL);
  if (!c && a->target) c = strcmp(a->target, b->target);
  return c ? c : (a->k > b->k) - (a->k < b->k);
}

static int cmp_by_line(const void *pa, const void *pb) {
  const ign_ref_t *a = pa, *b = pb;
  if (a->line != b->line) return a->line < b->line ? -1 : 1;
  return (a->k > b->k) - (a->k < b->k);
}

static cf_err ign_index_build(const file_entry_t *f, ign_index_t *ix) {
  ix->n = f->n_ignores;
  ix->by_target = malloc(ix->n * sizeof(ign_ref_t));
  ix->by_line = malloc(ix->n * sizeof(ign_ref_t));
  if (!ix->by_target || !ix->by_line) return CF_ENOMEM;
  for (size_t k = 0; k < ix->n; k++) {
    const ignore_comment_t *ic = &f->ignores[k];
    ix->by_target[k] = (ign_ref_t){comment_target(f, ic->line, ic->standalone), ic->line, k};
  }
  memcpy(ix->by_line, ix->by_target, ix->n * sizeof(ign_ref_t));
  qsort(ix->by_target, ix->n, sizeof(ign_ref_t), cmp_by_target);
  qsort(ix->by_line, ix->n, sizeof(ign_ref_t), cmp_by_line);
  return CF_OK;
}

/* The first comment (lowest index) among refs[lo..] whose key equals the probe's and whose
 * ids name the rule; refs is sorted with cmp, and probe has k 0 so that it sorts first. */
static size_t ign_first(const ign_ref_t *refs, size_t n, const ign_ref_t *probe,
                        int (*cmp)(const void *, const void *), const file_entry_t *f, const char *id) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cmp(&refs[mid], probe) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (; lo < n; lo++) {
    ign_ref_t key = refs[lo];
    key.k = 0;
    if (cmp(&key, probe) != 0) break;
    if (ids_match(f->ignores[refs[lo].k].rules, id)) return refs[lo].k;
  }
  return SIZE_MAX;
}

static void apply_inline(scan_t *s) {
  if (s->opts->no_inline_suppress) return;
  ign_index_t *idx = NULL;
  for (size_t i = 0; i < s->sh.n_ff && !s->fatal; i++) {
    cf_finding_t *fd = cf_findings_at_mut(s->report->findings, s->first_finding + i);
    if (!fd || fd->suppressed) continue;
    uint32_t fi = s->sh.finding_file[i];
    if (fi >= s->n_files) continue;
    const file_entry_t *f = &s->files[fi];
    if (!f->n_ignores) continue;
    if (!idx && !(idx = calloc(s->n_files, sizeof *idx))) {
      s->fatal = CF_ENOMEM;
      break;
    }
    if (!idx[fi].n && ign_index_build(f, &idx[fi])) {
      s->fatal = CF_ENOMEM;
      break;
    }
    size_t best = SIZE_MAX;
    if (fd->file && strcmp(fd->file, f->path) == 0) {
      ign_ref_t probe = {NULL, fd->line, 0};
      best = ign_first(idx[fi].by_line, idx[fi].n, &probe, cmp_by_line, f, fd->rule->id);
    }
    if (fd->resource) {
      ign_ref_t probe = {fd->resource, 0, 0};
      size_t k = ign_first(idx[fi].by_target, idx[fi].n, &probe, cmp_by_target, f, fd->rule->id);
      if (k < best) best = k;
    }
    if (best != SIZE_MAX &&
        cf_findings_suppress(s->report->findings, s->first_finding + i, CF_SUPPRESS_INLINE, f->ignores[best].reason))
      s->fatal = CF_ENOMEM;
  }
  for (size_t i = 0; idx && i < s->n_files; i++) {
    free(idx[i].by_target);
    free(idx[i].by_line);
  }
  free(idx);
}

/* ---- inputs ---- */

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* The folder holding path ("my-bucket" for "exports/my-bucket/get-bucket-acl.json"). */
static void dir_name(const char *path, char *out, size_t n) {
  const char *end = strrchr(path, '/');
  out[0] = '\0';
  if (!end) return;
  const char *start = end;
  while (start > path && start[-1] != '/') start--;
  size_t len = (size_t)(end - start);
  if (len >= n) len = n - 1;
  memcpy(out, start, len);
  out[len] = '\0';
}

static cf_err shard_init(shard_t *sh, scan_t *s, cf_findings_t *findings, uint64_t *resources,
                         cf_diags_t *errors);
static void shard_cleanup(shard_t *sh, bool keep_arena);

/* ---- AWS Config snapshots: streamed, evaluated on worker threads ----
 *
 * cf__json_split cuts the snapshot into items on the calling thread; items of resource types
 * no adapter maps are dropped there by their resourceType alone. The others are copied into
 * batches of about a megabyte that worker threads parse, adapt and evaluate, each into a
 * shard of its own; the shards are merged into the scan's when the file is done, in a
 * sorted order, so that the result does not depend on which thread took which batch. A
 * broken item is reported with its position and skipped. With one thread the items are
 * handled on the calling thread, in order, with no copies. */

/* Parses and adapts one item; the resources go to the shard behind ac->emit_ud. */
static cf_err config_item(shard_t *sh, cf_adapt_ctx_t *ac, cf_arena_t *item_arena, const char *text,
                          size_t len, uint32_t line, uint32_t col, const char *const *keys) {
  cf_node_t *item = NULL;
  cf_pos_t at = {ac->file, line, col};
  cf_diag_t d;
  cf_diag_init(&d);
  /* The text lies in a window or batch with spare bytes after it (see cf__json_split and
   * batch_add), so it is parsed in place; only the members the adapter reads are built. */
  cf_err e = cf__json_parse_item(sh->s->ctx, item_arena, text, len, true, ac->file, ac->path, at,
                                 keys, &item, &d);
  if (e) {
    cf__arena_reset(item_arena);
    if (e != CF_ENOMEM) (void)cf_diags_adopt(sh->errors, &d);
    cf_diag_cleanup(&d);
    return e == CF_ENOMEM ? e : CF_OK;
  }
  /* The adapter allocates in the item's arena; the file's arena is put back afterwards. */
  cf_arena_t *file_arena = ac->arena;
  ac->arena = item_arena;
  e = cf__adapt_awsconfig_item(ac, item);
  ac->arena = file_arena;
  if (cf__arena_failed(item_arena)) e = CF_ENOMEM; /* see scan_buffer */
  cf__arena_reset(item_arena);
  return e == CF_ENOMEM ? e : CF_OK;
}

typedef struct item_ref {
  size_t off, len;
  uint32_t line, col;
  const char *const *keys; /* the members to build (cf__awsconfig_item_keys_for) */
} item_ref_t;

typedef struct batch {
  char *text;
  size_t len, cap;
  item_ref_t *items;
  size_t n, cap_items;
} batch_t;

#define BATCH_BYTES (1u << 20)
#define BATCH_ITEMS 4096u

typedef struct pool {
  pthread_mutex_t mu;
  pthread_cond_t cv_work, cv_free;
  batch_t **work; /* ring of batches to evaluate */
  size_t w_head, w_count;
  batch_t **spare; /* batches free for the producer */
  size_t n_spare, n_batches;
  bool done, abort;
} pool_t;

typedef struct worker {
  pthread_t th;
  bool started;
  pool_t *pool;
  shard_t sh;
  cf_findings_t *findings;
  uint64_t resources;
  cf_diags_t errors;
  cf_adapt_ctx_t ac;
  cf_arena_t *item_arena;
  cf_err err;
} worker_t;

typedef struct stream_ud {
  scan_t *s;
  cf_adapt_ctx_t *ac;
  cf_arena_t *item_arena;
  pool_t *pool;   /* NULL: one thread */
  batch_t *cur;   /* the batch being filled */
} stream_ud_t;

static void batch_free(batch_t *b) {
  if (!b) return;
  free(b->text);
  free(b->items);
  free(b);
}

static void *worker_main(void *arg) {
  worker_t *w = arg;
  pool_t *p = w->pool;
  for (;;) {
    pthread_mutex_lock(&p->mu);
    while (!p->w_count && !p->done && !p->abort) pthread_cond_wait(&p->cv_work, &p->mu);
    if (!p->w_count || p->abort) {
      pthread_mutex_unlock(&p->mu);
      break;
    }
    batch_t *b = p->work[p->w_head];
    p->w_head = (p->w_head + 1) % p->n_batches;
    p->w_count--;
    pthread_mutex_unlock(&p->mu);
    cf_err e = CF_OK;
    for (size_t i = 0; !e && i < b->n; i++) {
      const item_ref_t *it = &b->items[i];
      e = config_item(&w->sh, &w->ac, w->item_arena, b->text + it->off, it->len, it->line, it->col, it->keys);
      if (!e && w->sh.eval_nomem) e = CF_ENOMEM;
    }
    b->len = b->n = 0;
    pthread_mutex_lock(&p->mu);
    p->spare[p->n_spare++] = b;
    if (e) {
      w->err = e;
      p->abort = true;
      pthread_cond_broadcast(&p->cv_work);
    }
    pthread_cond_signal(&p->cv_free);
    pthread_mutex_unlock(&p->mu);
    if (e) break;
  }
  cf__eval_thread_done();
  cf__hash_thread_done();
  return NULL;
}

/* Hands the batch being filled to the workers and takes a spare one (waiting for it). */
static cf_err submit(stream_ud_t *su) {
  pool_t *p = su->pool;
  pthread_mutex_lock(&p->mu);
  if (su->cur) {
    if (su->cur->n) {
      p->work[(p->w_head + p->w_count) % p->n_batches] = su->cur;
      p->w_count++;
      pthread_cond_signal(&p->cv_work);
    } else {
      p->spare[p->n_spare++] = su->cur;
    }
    su->cur = NULL;
  }
  while (!p->n_spare && !p->abort) pthread_cond_wait(&p->cv_free, &p->mu);
  cf_err e = p->abort ? CF_ENOMEM : CF_OK;
  if (!e) su->cur = p->spare[--p->n_spare];
  pthread_mutex_unlock(&p->mu);
  return e;
}

static cf_err batch_add(stream_ud_t *su, const cf_json_item_t *it) {
  batch_t *b = su->cur;
  if (b->len + it->len > b->cap) {
    size_t cap = b->cap ? b->cap : BATCH_BYTES;
    while (cap < b->len + it->len) cap *= 2;
    /* Spare bytes after the text: items are parsed in place (cf__json_parse_item). */
    char *t = realloc(b->text, cap + CF_JSON_PADDING);
    if (!t) return CF_ENOMEM;
    b->text = t;
    b->cap = cap;
  }
  if (b->n == b->cap_items) {
    size_t nc = b->cap_items ? b->cap_items * 2 : 256;
    item_ref_t *ni = realloc(b->items, nc * sizeof(*ni));
    if (!ni) return CF_ENOMEM;
    b->items = ni;
    b->cap_items = nc;
  }
  memcpy(b->text + b->len, it->text, it->len);
  b->items[b->n++] = (item_ref_t){b->len, it->len, it->line, it->column, cf__awsconfig_item_keys_for(it->probe, it->probe_len)};
  b->len += it->len;
  if (b->len >= BATCH_BYTES || b->n >= BATCH_ITEMS) return submit(su);
  return CF_OK;
}

static cf_err on_config_item(void *ud, const cf_json_item_t *it) {
  stream_ud_t *su = ud;
  if (it->probe && !cf__awsconfig_type_supported(it->probe, it->probe_len)) return CF_OK;
  if (su->pool) return batch_add(su, it);
  cf_err e = config_item(&su->s->sh, su->ac, su->item_arena, it->text, it->len, it->line, it->column,
                         cf__awsconfig_item_keys_for(it->probe, it->probe_len));
  if (!e && su->s->sh.eval_nomem) e = CF_ENOMEM;
  return e ? e : su->s->fatal;
}

static int cmp_finding_pos(const void *pa, const void *pb) {
  const cf_finding_t *a = *(const cf_finding_t *const *)pa, *b = *(const cf_finding_t *const *)pb;
  if (a->line != b->line) return a->line < b->line ? -1 : 1;
  if (a->column != b->column) return a->column < b->column ? -1 : 1;
  int c = strcmp(a->rule->id, b->rule->id);
  return c ? c : strcmp(a->fingerprint, b->fingerprint);
}

static int cmp_diag_pos(const void *pa, const void *pb) {
  const cf_diag_t *a = *(const cf_diag_t *const *)pa, *b = *(const cf_diag_t *const *)pb;
  if (a->line != b->line) return a->line < b->line ? -1 : 1;
  return a->column < b->column ? -1 : a->column > b->column;
}

static int cmp_held_pos(const void *pa, const void *pb) {
  const retained_t *a = pa, *b = pb;
  if (a->r->pos.line != b->r->pos.line) return a->r->pos.line < b->r->pos.line ? -1 : 1;
  return a->r->pos.column < b->r->pos.column ? -1 : a->r->pos.column > b->r->pos.column;
}

/* Moves what the workers found into the scan, in an order that does not depend on them. */
static cf_err merge_workers(scan_t *s, worker_t *ws, unsigned n, uint32_t file) {
  shard_t *main = &s->sh;
  size_t n_find = 0, n_err = 0, n_held = 0;
  for (unsigned i = 0; i < n; i++) {
    n_find += cf_findings_count(ws[i].findings);
    n_err += ws[i].errors.len;
    n_held += ws[i].sh.n_held;
    s->report->resources += ws[i].resources;
  }
  const cf_finding_t **fs = malloc((n_find + 1) * sizeof(*fs));
  cf_diag_t **ds = malloc((n_err + 1) * sizeof(*ds));
  cf_err e = fs && ds ? CF_OK : CF_ENOMEM;
  size_t k = 0, kd = 0;
  for (unsigned i = 0; !e && i < n; i++) {
    for (size_t j = 0; j < cf_findings_count(ws[i].findings); j++) fs[k++] = cf_findings_at(ws[i].findings, j);
    for (size_t j = 0; j < ws[i].errors.len; j++) ds[kd++] = &ws[i].errors.items[j];
  }
  if (!e) {
    qsort(fs, k, sizeof(*fs), cmp_finding_pos);
    qsort(ds, kd, sizeof(*ds), cmp_diag_pos);
  }
  for (size_t j = 0; !e && j < k; j++) {
    if (!cf__grow((void **)&main->finding_file, &main->cap_ff, main->n_ff, sizeof(uint32_t))) e = CF_ENOMEM;
    else if (!(e = cf_findings_add(main->findings, fs[j]))) main->finding_file[main->n_ff++] = file;
  }
  for (size_t j = 0; !e && j < kd; j++) e = cf_diags_adopt(main->errors, ds[j]);
  /* Facts and held resources: the held ones stay in their worker's arena, kept to the end. */
  for (unsigned i = 0; !e && i < n; i++) {
    for (size_t r = 0; !e && r < s->rs->n_rels; r++) {
      const sset_t *fs_i = &ws[i].sh.facts[r];
      for (size_t j = 0; !e && j < fs_i->cap; j++)
        if (fs_i->keys[j]) e = sset_put(&main->facts[r], main->keep, fs_i->keys[j], (tri_t)fs_i->vals[j]);
    }
    for (size_t j = 0; !e && j < ws[i].sh.n_held; j++) {
      if (!cf__grow((void **)&main->held, &main->cap_held, main->n_held, sizeof(retained_t))) e = CF_ENOMEM;
      else main->held[main->n_held++] = ws[i].sh.held[j];
    }
  }
  if (!e && n_held) qsort(main->held + (main->n_held - n_held), n_held, sizeof(retained_t), cmp_held_pos);
  free(fs);
  free(ds);
  return e;
}

/* Streams the items of an AWS Config snapshot or history file from rd. */
static cf_err stream_config(scan_t *s, cf_adapt_ctx_t *ac, cf_reader_t *rd, cf_diag_t *d) {
  cf_arena_t *item = cf__arena_new(0);
  if (!item) return CF_ENOMEM;
  stream_ud_t su = {s, ac, item, NULL, NULL};
  unsigned nw = s->threads > 1 ? s->threads : 0;
  pool_t pool;
  worker_t *ws = NULL;
  cf_err e = CF_OK;
  if (nw) {
    memset(&pool, 0, sizeof pool);
    pool.n_batches = nw * 2 + 2;
    pool.work = calloc(pool.n_batches, sizeof(batch_t *));
    pool.spare = calloc(pool.n_batches, sizeof(batch_t *));
    ws = calloc(nw, sizeof(worker_t));
    if (!pool.work || !pool.spare || !ws) e = CF_ENOMEM;
    for (size_t i = 0; !e && i < pool.n_batches; i++)
      if (!(pool.spare[pool.n_spare++] = calloc(1, sizeof(batch_t)))) e = CF_ENOMEM;
    pthread_mutex_init(&pool.mu, NULL);
    pthread_cond_init(&pool.cv_work, NULL);
    pthread_cond_init(&pool.cv_free, NULL);
    for (unsigned i = 0; !e && i < nw; i++) {
      worker_t *w = &ws[i];
      w->pool = &pool;
      cf_diags_init(&w->errors);
      w->findings = cf_findings_new();
      w->item_arena = cf__arena_new(0);
      if (!w->findings || !w->item_arena || shard_init(&w->sh, s, w->findings, &w->resources, &w->errors)) {
        e = CF_ENOMEM;
        break;
      }
      w->ac = *ac;
      w->ac.errors = &w->errors;
      w->ac.emit_ud = &w->sh;
      w->started = pthread_create(&w->th, NULL, worker_main, w) == 0;
      if (!w->started) e = CF_ENOMEM;
    }
    su.pool = &pool;
    if (!e) e = submit(&su);
  }
  if (!e) e = cf__json_split(rd, ac->path, "configurationItems", "resourceType", CF_LIMIT_INNER_JSON,
                             on_config_item, &su, d);
  if (nw) {
    if (su.cur && !pool.abort) {
      cf_err e2 = submit(&su);
      if (!e) e = e2;
    }
    pthread_mutex_lock(&pool.mu);
    pool.done = true;
    if (e == CF_ENOMEM) pool.abort = true;
    pthread_cond_broadcast(&pool.cv_work);
    pthread_mutex_unlock(&pool.mu);
    for (unsigned i = 0; i < nw; i++)
      if (ws && ws[i].started) pthread_join(ws[i].th, NULL);
    for (unsigned i = 0; ws && i < nw; i++)
      if (ws[i].err == CF_ENOMEM) e = CF_ENOMEM;
    if (e != CF_ENOMEM && ws) {
      cf_err em = merge_workers(s, ws, nw, ac->file);
      if (em) e = em;
    }
    for (unsigned i = 0; ws && i < nw; i++) {
      worker_t *w = &ws[i];
      if (w->sh.s) {
        bool keep = w->sh.n_held > 0;
        if (keep && cf__grow((void **)&s->arenas, &s->cap_arenas, s->n_arenas, sizeof(cf_arena_t *)))
          s->arenas[s->n_arenas++] = w->sh.keep;
        else if (keep)
          e = CF_ENOMEM, keep = false;
        shard_cleanup(&w->sh, keep);
      }
      cf_findings_free(w->findings);
      cf_diags_cleanup(&w->errors);
      cf__arena_free(w->item_arena);
    }
    batch_free(su.cur);
    for (size_t i = 0; i < pool.n_spare; i++) batch_free(pool.spare[i]);
    for (size_t i = 0; i < pool.w_count; i++) batch_free(pool.work[(pool.w_head + i) % pool.n_batches]);
    free(pool.work);
    free(pool.spare);
    free(ws);
    pthread_mutex_destroy(&pool.mu);
    pthread_cond_destroy(&pool.cv_work);
    pthread_cond_destroy(&pool.cv_free);
  }
  cf__arena_free(item);
  if (e && e != CF_ENOMEM) {
    (void)cf_diags_adopt(&s->report->errors, d);
    e = CF_OK;
  }
  return e;
}

static bool wanted_name(const char *name);

/* An adapter context whose resources go to the scan's own shard, with an arena of its own
 * (the caller frees it). Returns false, with s->fatal set, when out of memory. */
static bool adapt_ctx_init(scan_t *s, cf_adapt_ctx_t *ac, const char *path, uint32_t file, const char *dir_name,
                           const char *base) {
  memset(ac, 0, sizeof *ac);
  ac->ctx = s->ctx;
  ac->path = path;
  ac->file = file;
  ac->dir_name = dir_name;
  ac->base_name = base;
  ac->errors = &s->report->errors;
  ac->emit = on_emit;
  ac->emit_ud = &s->sh;
  if (s->sh.has_sec) ac->secret_text = on_text;
  ac->arena = cf__arena_new(0);
  if (!ac->arena) s->fatal = CF_ENOMEM;
  return ac->arena != NULL;
}

/* Scans one input held in buf (len bytes followed by CF_JSON_PADDING zero bytes; buf is
 * NUL-terminated), or, when config_rd is given, an AWS Config snapshot streamed from it (buf
 * is then NULL). explicit: named by the user, so an unrecognised input is an error rather
 * than silently skipped. */
static void scan_buffer(scan_t *s, const char *path, char *buf, size_t len, bool explicit_arg,
                        cf_reader_t *config_rd) {
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = CF_OK;
  uint32_t fi = add_file(s, path);
  if (s->fatal) return;
  char dn[256];
  dir_name(path, dn, sizeof dn);
  cf_adapt_ctx_t ac;
  if (!adapt_ctx_init(s, &ac, s->files[fi].path, fi, dn, base_name(path))) return;
  ac.text = buf;
  ac.text_len = len;
  if (buf && collect_ignores(&s->files[fi], buf, len)) s->fatal = CF_ENOMEM;
  s->cur_file = fi;
  s->cur_text = buf;
  s->cur_len = len;
  cf_doc_t *doc = NULL;
  bool scanned = false;
  cf_source_kind kind = CF_SRC_UNKNOWN;
  if (config_rd) {
    ac.source = CF_SRC_AWSCONFIG;
    e = stream_config(s, &ac, config_rd, &d);
    kind = CF_SRC_AWSCONFIG;
    scanned = true;
  } else if (cf__detect_credreport(buf, len)) {
    ac.source = CF_SRC_AWSCLI;
    e = cf__adapt_credreport(&ac, buf, len);
    kind = CF_SRC_AWSCLI;
    scanned = true;
  } else if (cf__detect_awsconfig_text(buf, len) && buf[strspn(buf, " \t\r\n\xef\xbb\xbf")] == '{') {
    /* Streamed item by item, like a file (see scan_file). */
    cf_reader_t *rd = NULL;
    ac.source = CF_SRC_AWSCONFIG;
    e = cf__reader_open_mem(path, buf, len, len + 1, &rd, &d);
    if (!e) e = stream_config(s, &ac, rd, &d);
    else if (e != CF_ENOMEM) {
      (void)cf_diags_adopt(&s->report->errors, &d);
      e = CF_OK;
    }
    cf__reader_close(rd);
    kind = CF_SRC_AWSCONFIG;
    scanned = true;
  } else {
    cf_doc_opts_t o = {CF_DOC_AUTO, fi, ac.path, true};
    e = cf_doc_parse(s->ctx, buf, len, &o, &doc, &d);
    if (e) {
      if (e == CF_ENOMEM) s->fatal = e;
      /* In a directory walk, YAML that is not even YAML (a Helm template) is still worth
       * reporting: the user asked to scan it and may expect findings from it. It does not
       * count as scanned, so that a scan whose every input failed to parse is an input
       * error (exit code 2) rather than a clean result. Leniently (beside the content
       * analysers), only files named like infrastructure code are reported. */
      if (!s->opts->only_recognised || wanted_name(path)) (void)cf_diags_adopt(&s->report->errors, &d);
      e = CF_OK;
    } else {
      kind = cf__detect_doc(doc, ac.base_name);
      ac.source = (uint8_t)kind;
      switch (kind) {
      case CF_SRC_CFN: e = cf__adapt_cfn(&ac, doc); scanned = true; break;
      case CF_SRC_TFPLAN: e = cf__adapt_tfplan(&ac, doc); scanned = true; break;
      case CF_SRC_AWSCONFIG: {
        const cf_node_t *root = doc->roots[0];
        const cf_node_t *items = cf_node_get(root, "configurationItems");
        if (!items) items = cf_node_get(root, "baseConfigurationItems");
        const cf_node_t *results = cf_node_get(root, "Results");
        if (items && items->type == CF_NODE_ARRAY) {
          for (uint32_t i = 0; !e && i < items->len; i++) e = cf__adapt_awsconfig_item(&ac, items->u.items[i]);
        } else if (results && results->type == CF_NODE_ARRAY) {
          for (uint32_t i = 0; !e && i < results->len; i++) {
            const cf_node_t *r = results->u.items[i];
            const cf_node_t *it = r->type == CF_NODE_STRING ? cf__parse_inner_json(&ac, r->u.s, r->len, r->pos) : r;
            if (it) e = cf__adapt_awsconfig_item(&ac, it);
          }
        } else {
          e = cf__adapt_awsconfig_item(&ac, root);
        }
        scanned = true;
        break;
      }
      case CF_SRC_AWSCLI: e = cf__adapt_awscli(&ac, doc); scanned = true; break;
      case CF_SRC_K8S: e = cf__adapt_k8s(&ac, doc); scanned = true; break;
      case CF_SRC_ARM: e = cf__adapt_arm(&ac, doc); scanned = true; break;
      default:
        if (explicit_arg && (len == 0 || doc->n_roots == 0))
          (void)cf_diags_add(&s->report->errors, CF_EUNSUPPORTED, path, 0, 0, "empty input: nothing to scan");
        else if (explicit_arg)
          (void)cf_diags_add(&s->report->errors, CF_EUNSUPPORTED, path, 0, 0,
                             "not a recognised input (CloudFormation, Terraform plan JSON, AWS Config, aws CLI output, IAM credential report, Kubernetes, ARM)");
        break;
      }
    }
  }
  /* An adapter that took a failed allocation for a missing value must not make a scan that
   * silently saw less: any failure in the file's arena ends the scan. */
  if (cf__arena_failed(ac.arena)) e = CF_ENOMEM;
  s->cur_text = NULL;
  if (e == CF_ENOMEM) s->fatal = e;
  else if (e && e != CF_OK) (void)cf_diags_add(&s->report->errors, e, path, 0, 0, "%s", cf_strerror(e));
  if (scanned) s->report->files++;
  if (kind != CF_SRC_UNKNOWN) s->report->sources_seen |= 1u << kind;
  if (s->opts->progress) s->opts->progress(s->opts->progress_ud, s->report->files, path);
  cf_doc_free(doc);
  cf__arena_free(ac.arena);
  cf_diag_cleanup(&d);
}

/* Whether a regular file is an AWS Config snapshot or history file, from its first bytes
 * (decompressed). Such files are streamed, never read whole. */
static bool file_is_config(const char *path, size_t max) {
  cf_reader_t *rd = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  char head[4096];
  size_t got = 0, n = 0;
  bool yes = false;
  if (cf__reader_open(path, max, &rd, &d) == CF_OK) {
    while (n < sizeof head - 1 && cf__reader_read(rd, head + n, sizeof head - 1 - n, &got, &d) == CF_OK && got) n += got;
    head[n] = '\0';
    yes = cf__detect_awsconfig_text(head, n) && head[strspn(head, " \t\r\n\xef\xbb\xbf")] == '{';
  }
  cf__reader_close(rd);
  cf_diag_cleanup(&d);
  return yes;
}

/* Reads and scans one file (or stream). */
static void scan_file(scan_t *s, const char *path, bool explicit_arg, FILE *stream) {
  const cf_limits_t *lim = cf__limits(s->ctx);
  char *buf = NULL;
  size_t len = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  if (!stream && file_is_config(path, lim->max_file_size)) {
    cf_reader_t *rd = NULL;
    cf_err e = cf__reader_open(path, lim->max_file_size, &rd, &d);
    if (e) {
      if (e == CF_ENOMEM) s->fatal = e;
      (void)cf_diags_adopt(&s->report->errors, &d);
    } else {
      scan_buffer(s, path, NULL, 0, explicit_arg, rd);
    }
    cf__reader_close(rd);
    cf_diag_cleanup(&d);
    return;
  }
  cf_err e = stream ? cf__read_stream(stream, path, lim->max_file_size, CF_JSON_PADDING, &buf, &len, &d)
                    : cf__read_file(path, lim->max_file_size, CF_JSON_PADDING, &buf, &len, &d);
  if (e) {
    if (e == CF_ENOMEM) s->fatal = e;
    (void)cf_diags_adopt(&s->report->errors, &d);
    cf_diag_cleanup(&d);
    return;
  }
  scan_buffer(s, path, buf, len, explicit_arg, NULL);
  free(buf);
}

/* ---- Terraform source ----
 *
 * .tf files are not scanned one by one: a module is its folder. The walk hands each folder
 * holding .tf files to a session (adapt_tf.c); when every path has been walked, the
 * session evaluates the root modules and their resources go through the engine like any
 * other. Each .tf file is registered as a file of the scan, for positions and for inline
 * `# cloudfort:ignore` comments. */

static uint32_t tf_file_cb(void *ud, const char *path, const char *text, size_t len) {
  scan_t *s = ud;
  uint32_t fi = add_file(s, path);
  if (s->fatal) return 0;
  if (collect_ignores(&s->files[fi], text, len)) s->fatal = CF_ENOMEM;
  s->report->files++;
  if (s->opts->progress) s->opts->progress(s->opts->progress_ud, s->report->files, path);
  return fi;
}

static cf_tf_t *tf_session(scan_t *s) {
  if (s->tf) return s->tf;
  cf_tf_opts_t o;
  memset(&o, 0, sizeof o);
  o.ctx = s->ctx;
  o.root_real = s->root_real;
  o.var_files = s->opts->tf_var_files;
  o.n_var_files = s->opts->n_tf_var_files;
  o.vars = s->opts->tf_vars;
  o.n_vars = s->opts->n_tf_vars;
  o.file_cb = tf_file_cb;
  o.file_ud = s;
  o.errors = &s->report->errors;
  if (cf__tf_new(&o, &s->tf)) s->fatal = CF_ENOMEM;
  return s->tf;
}

static bool is_tf_file(const char *name) { return cf__str_ends(name, ".tf") || cf__str_ends(name, ".tf.json"); }

/* Evaluates what the session gathered, as one more input of the scan. */
static void tf_finish(scan_t *s) {
  if (!s->tf) return;
  if (!s->fatal) {
    cf_adapt_ctx_t ac;
    if (adapt_ctx_init(s, &ac, "terraform", 0, "", "")) {
      ac.source = CF_SRC_TF;
      cf_err e = cf__tf_run(s->tf, &ac);
      if (e == CF_ENOMEM || cf__arena_failed(ac.arena)) s->fatal = CF_ENOMEM;
      s->report->sources_seen |= 1u << CF_SRC_TF;
      cf__arena_free(ac.arena);
    }
  }
  cf__tf_free(s->tf);
  s->tf = NULL;
}

/* A .tf file named on its own: read as a module of one file. */
static void tf_add_file(scan_t *s, const char *path) {
  const cf_limits_t *lim = cf__limits(s->ctx);
  char *buf = NULL;
  size_t len = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__read_file(path, lim->max_file_size, CF_JSON_PADDING, &buf, &len, &d);
  if (e) {
    if (e == CF_ENOMEM) s->fatal = e;
    (void)cf_diags_adopt(&s->report->errors, &d);
    cf_diag_cleanup(&d);
    return;
  }
  cf_tf_t *tf = tf_session(s);
  if (tf && cf__tf_add_text(tf, path, buf, len) == CF_ENOMEM) s->fatal = CF_ENOMEM;
  free(buf);
}

static bool wanted_name(const char *name) {
  static const char *const exts[] = {".json", ".yaml", ".yml", ".template", ".csv", ".json.gz",
                                     ".gz", ".tfplan.json", NULL};
  for (int i = 0; exts[i]; i++)
    if (cf__str_ends(name, exts[i])) return true;
  return false;
}

static bool seen_dir(scan_t *s, const struct stat *st) {
  for (size_t i = 0; i < s->n_seen; i++)
    if (s->seen[i].dev == st->st_dev && s->seen[i].ino == st->st_ino) return true;
  if (!cf__grow((void **)&s->seen, &s->cap_seen, s->n_seen, sizeof(*s->seen))) {
    s->fatal = CF_ENOMEM;
    return true;
  }
  s->seen[s->n_seen].dev = st->st_dev;
  s->seen[s->n_seen].ino = st->st_ino;
  s->n_seen++;
  return false;
}

static bool inside_root(scan_t *s, const char *path) {
  char real[PATH_MAX];
  if (!realpath(path, real)) return false;
  size_t n = strlen(s->root_real);
  return strncmp(real, s->root_real, n) == 0 && (real[n] == '/' || real[n] == '\0' || (n == 1 && s->root_real[0] == '/'));
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void walk_dir(scan_t *s, const char *dir, unsigned depth) {
  const cf_limits_t *lim = cf__limits(s->ctx);
  if (depth > lim->max_walk_depth) {
    (void)cf_diags_add(&s->report->errors, CF_ELIMIT, dir, 0, 0, "directory nesting deeper than %u levels; not entered", lim->max_walk_depth);
    return;
  }
  DIR *d = opendir(dir);
  if (!d) {
    (void)cf_diags_add(&s->report->errors, CF_EIO, dir, 0, 0, "cannot open directory: %s", strerror(errno));
    return;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    /* .terraform holds what `terraform init` downloaded: providers and remote modules. */
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || strcmp(de->d_name, ".git") == 0 ||
        strcmp(de->d_name, ".terraform") == 0)
      continue;
    if (!cf__grow((void **)&names, &cap, n, sizeof(char *)) || !(names[n] = strdup(de->d_name))) {
      s->fatal = CF_ENOMEM;
      break;
    }
    n++;
  }
  closedir(d);
  if (names) qsort(names, n, sizeof(char *), cmp_names);
  for (size_t i = 0; i < n && !s->fatal; i++)
    if (is_tf_file(names[i])) {
      cf_tf_t *tf = tf_session(s);
      if (tf && cf__tf_add_dir(tf, dir) == CF_ENOMEM) s->fatal = CF_ENOMEM;
      break;
    }
  for (size_t i = 0; i < n && !s->fatal; i++) {
    size_t plen = strlen(dir) + strlen(names[i]) + 2;
    char *p = malloc(plen);
    if (!p) {
      s->fatal = CF_ENOMEM;
      break;
    }
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/') dlen--; /* "examples/" + "x", not "examples//x" */
    if (dlen == 1 && dir[0] == '/') snprintf(p, plen, "/%s", names[i]);
    else snprintf(p, plen, "%.*s/%s", (int)dlen, dir, names[i]);
    struct stat lst, st;
    if (lstat(p, &lst) != 0) {
      free(p);
      continue;
    }
    if (S_ISLNK(lst.st_mode)) {
      /* Followed only when the target stays inside the scan root. A link that loops on
       * itself (a -> b -> a) is reported: it is never a legitimate input. Dangling links and
       * links out of the root are skipped quietly. */
      if (stat(p, &st) != 0) {
        if (errno == ELOOP)
          (void)cf_diags_add(&s->report->errors, CF_EIO, p, 0, 0, "not followed: symbolic link loop");
        free(p);
        continue;
      }
      if (!inside_root(s, p)) {
        free(p);
        continue;
      }
    } else {
      st = lst;
    }
    if (S_ISDIR(st.st_mode)) {
      if (!seen_dir(s, &st)) walk_dir(s, p, depth + 1);
    } else if (S_ISREG(st.st_mode) && wanted_name(names[i])) {
      if (s->n_files >= lim->max_files) {
        (void)cf_diags_add(&s->report->errors, CF_ELIMIT, p, 0, 0, "more than %llu files; the rest are not scanned", (unsigned long long)lim->max_files);
        s->fatal = CF_ELIMIT;
      } else {
        scan_file(s, p, false, NULL);
      }
    }
    free(p);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

static void free_files(scan_t *s) {
  for (size_t i = 0; i < s->n_files; i++) {
    for (size_t k = 0; k < s->files[i].n_ignores; k++) {
      free(s->files[i].ignores[k].rules);
      free(s->files[i].ignores[k].reason);
    }
    free(s->files[i].ignores);
    free(s->files[i].res_lines);
    free(s->files[i].path);
  }
  free(s->files);
}

/* Prepares a shard; its findings, counters and errors go where the arguments say. */
static cf_err shard_init(shard_t *sh, scan_t *s, cf_findings_t *findings, uint64_t *resources,
                         cf_diags_t *errors) {
  memset(sh, 0, sizeof *sh);
  sh->s = s;
  sh->findings = findings;
  sh->resources = resources;
  sh->errors = errors;
  sh->keep = cf__arena_new(0);
  sh->facts = calloc(s->rs->n_rels + 1, sizeof(sset_t));
  if (!sh->keep || !sh->facts) {
    cf__arena_free(sh->keep);
    free(sh->facts);
    sh->keep = NULL;
    sh->facts = NULL;
    return CF_ENOMEM;
  }
  sh->env.ctx = s->ctx;
  sh->env.now = cf_ctx_now(s->ctx);
  sh->env.rel_query = rel_query;
  sh->env.ud = sh;
  sh->env.nomem = &sh->eval_nomem;
  if (s->opts->content_rules) {
    cf_err e = cf__cfgsec_init(&sh->sec, s->opts->content_rules);
    if (e) {
      cf__arena_free(sh->keep);
      free(sh->facts);
      sh->keep = NULL;
      sh->facts = NULL;
      return e;
    }
    sh->has_sec = true;
    sh->sec.show_secrets = s->opts->show_secrets;
    sh->sec.no_inline_suppress = s->opts->no_inline_suppress;
    sh->sec.add = sec_add;
    sh->sec.path_of = sec_path;
    sh->sec.text_of = sec_text;
    sh->sec.ud = sh;
  }
  return CF_OK;
}

/* Frees a shard's own storage (not its arena when keep_arena, whose retained resources then
 * live on in the scan). */
static void shard_cleanup(shard_t *sh, bool keep_arena) {
  if (sh->facts)
    for (size_t i = 0; i < sh->s->rs->n_rels; i++) sset_free(&sh->facts[i]);
  free(sh->facts);
  free(sh->types);
  free(sh->held);
  free(sh->finding_file);
  if (sh->has_sec) cf__cfgsec_cleanup(&sh->sec);
  if (!keep_arena) cf__arena_free(sh->keep);
  memset(sh, 0, sizeof *sh);
}

static cf_err scan_begin(scan_t *s, const cf_ctx_t *ctx, const cf_ruleset_t *rs,
                         const cf_posture_opts_t *opts, const cf_posture_opts_t *defaults,
                         cf_report_t *report) {
  memset(s, 0, sizeof *s);
  s->ctx = ctx;
  s->rs = rs;
  s->opts = opts ? opts : defaults;
  s->report = report;
  s->first_finding = cf_findings_count(report->findings);
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  s->threads = s->opts->threads ? s->opts->threads : (cpus > 0 ? (unsigned)cpus : 1);
  if (s->threads > CF_MAX_THREADS) s->threads = CF_MAX_THREADS;
  cf_err se = shard_init(&s->sh, s, report->findings, &report->resources, &report->errors);
  if (se) return se;
  for (size_t i = 0; i < rs->n_rules; i++)
    if (cf_report_add_rule(report, &rs->rules[i]->info)) s->fatal = CF_ENOMEM;
  /* The secret rules the secrets pass runs. */
  const cf_content_rules_t *cr = s->opts->content_rules;
  for (size_t i = 0; cr && i < cf_content_rules_count(cr); i++) {
    const cf_rule_info_t *ri = cf_content_rules_info(cr, i);
    if (ri->analyzer && strcmp(ri->analyzer, "secrets") == 0 && cf_report_add_rule(report, ri)) s->fatal = CF_ENOMEM;
  }
  return CF_OK;
}

static cf_err scan_end(scan_t *s) {
  tf_finish(s);
  if (!s->fatal) s->fatal = finish_partials(s);
  if (!s->fatal) s->fatal = finish_held(s);
  cf_err e = s->fatal == CF_ELIMIT ? CF_OK : s->fatal;
  if (!e) {
    apply_inline(s);
    e = s->fatal ? s->fatal : cf_report_apply_baseline(s->ctx, s->report, s->opts->baseline, s->first_finding);
  }
  shard_cleanup(&s->sh, false);
  /* What evaluation cached on this thread goes too: a scan leaves nothing behind. */
  cf__eval_thread_done();
  cf__hash_thread_done();
  for (size_t i = 0; i < s->n_arenas; i++) cf__arena_free(s->arenas[i]);
  free(s->arenas);
  free(s->seen);
  free_files(s);
  return e;
}

cf_err cf_posture_scan(const cf_ctx_t *ctx, const cf_ruleset_t *rs, const char *const *paths,
                       size_t n_paths, const cf_posture_opts_t *opts, cf_report_t *report) {
  cf_posture_opts_t defaults;
  memset(&defaults, 0, sizeof defaults);
  scan_t s;
  cf_err e = scan_begin(&s, ctx, rs, opts, &defaults, report);
  if (e) return e;
  for (size_t i = 0; i < n_paths && !s.fatal; i++) {
    const char *p = paths[i];
    bool lenient = s.opts->only_recognised;
    if (strcmp(p, "-") == 0) {
      scan_file(&s, "<stdin>", !lenient, stdin);
      continue;
    }
    struct stat st;
    if (stat(p, &st) != 0) {
      /* Leniently, the analyser running beside this one reports a missing input. */
      if (!lenient) (void)cf_diags_add(&report->errors, CF_ENOTFOUND, p, 0, 0, "cannot access: %s", strerror(errno));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (!realpath(p, s.root_real)) s.root_real[0] = '\0';
      s.n_seen = 0;
      if (!seen_dir(&s, &st)) walk_dir(&s, p, 0);
    } else if (is_tf_file(p)) {
      tf_add_file(&s, p);
    } else if (!lenient || wanted_name(p)) {
      scan_file(&s, p, !lenient, NULL);
    }
  }
  return scan_end(&s);
}

cf_err cf_posture_scan_buffer(const cf_ctx_t *ctx, const cf_ruleset_t *rs, const char *name,
                              const void *data, size_t len, const cf_posture_opts_t *opts,
                              cf_report_t *report) {
  const cf_limits_t *lim = cf__limits(ctx);
  if (len > lim->max_file_size) {
    (void)cf_diags_add(&report->errors, CF_ELIMIT, name, 0, 0, "input larger than the limit of %llu bytes",
                       (unsigned long long)lim->max_file_size);
    return CF_OK;
  }
  char *buf = NULL;
  size_t blen = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  const uint8_t *p = data;
  cf_err e;
  if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
    e = cf__gunzip(name, p, len, lim->max_file_size, CF_JSON_PADDING, &buf, &blen, &d);
    if (e) {
      (void)cf_diags_adopt(&report->errors, &d);
      cf_diag_cleanup(&d);
      return e == CF_ENOMEM ? e : CF_OK;
    }
  } else {
    buf = malloc(len + CF_JSON_PADDING);
    if (!buf) return CF_ENOMEM;
    if (len) memcpy(buf, data, len);
    memset(buf + len, 0, CF_JSON_PADDING);
    blen = len;
  }
  cf_posture_opts_t defaults;
  memset(&defaults, 0, sizeof defaults);
  scan_t s;
  e = scan_begin(&s, ctx, rs, opts, &defaults, report);
  if (!e) {
    if (is_tf_file(name)) {
      cf_tf_t *tf = tf_session(&s);
      if (tf && cf__tf_add_text(tf, name, buf, blen) == CF_ENOMEM) s.fatal = CF_ENOMEM;
    } else {
      scan_buffer(&s, name, buf, blen, !s.opts->only_recognised, NULL);
    }
    e = scan_end(&s);
  }
  free(buf);
  return e;
}
