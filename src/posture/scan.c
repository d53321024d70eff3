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
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc/doc_internal.h"
#include "rule.h"

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

typedef struct scan {
  const cf_ctx_t *ctx;
  const cf_ruleset_t *rs;
  const cf_posture_opts_t *opts;
  cf_report_t *report;
  cf_arena_t *keep;       /* retained resources, facts, strings */
  file_entry_t *files;
  size_t n_files, cap_files;
  retained_t *held;
  size_t n_held, cap_held;
  sset_t *facts;          /* one per relation slot */
  uint32_t *finding_file; /* file of the resource of each finding this scan added */
  size_t n_ff, cap_ff;
  size_t first_finding;   /* findings before this scan are not ours */
  eval_env_t env;
  cf_err fatal;
  /* root of the current walk, for the link rule */
  char root_real[PATH_MAX];
  struct seen { dev_t dev; ino_t ino; } *seen;
  size_t n_seen, cap_seen;
} scan_t;

static bool grow(void **p, size_t *cap, size_t len, size_t size) {
  if (len < *cap) return true;
  size_t nc = *cap ? *cap * 2 : 16;
  void *n = realloc(*p, nc * size);
  if (!n) return false;
  *p = n;
  *cap = nc;
  return true;
}

static uint32_t add_file(scan_t *s, const char *path) {
  if (!grow((void **)&s->files, &s->cap_files, s->n_files, sizeof(file_entry_t))) {
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

static cf_err emit_finding(scan_t *s, const rule_t *rule, const cf_resource_t *r,
                           const eval_out_t *out, bool unknown) {
  cf_finding_t f;
  memset(&f, 0, sizeof f);
  f.rule = &rule->info;
  cf_pos_t pos = out->witness && out->witness->pos.line ? out->witness->pos : r->pos;
  if (pos.file >= s->n_files) pos = r->pos;
  f.file = pos.file < s->n_files ? s->files[pos.file].path : NULL;
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
  fp.file = r->pos.file < s->n_files ? s->files[r->pos.file].path : f.file;
  cf_finding_fingerprint(&fp, f.fingerprint);
  if (!f.fingerprint[0]) return CF_ENOMEM;
  for (const cf_res_suppress_t *sp = r->suppress; sp && !s->opts->no_inline_suppress; sp = sp->next) {
    if (strcmp(sp->rule, "*") == 0 || strcasecmp(sp->rule, rule->info.id) == 0) {
      f.suppressed = sp->kind;
      f.suppress_reason = sp->reason;
      break;
    }
  }
  if (!grow((void **)&s->finding_file, &s->cap_ff, s->n_ff, sizeof(uint32_t))) return CF_ENOMEM;
  cf_err e = cf_findings_add(s->report->findings, &f);
  if (!e) s->finding_file[s->n_ff++] = r->pos.file;
  return e;
}

static cf_unknown_mode rule_unknown_mode(const scan_t *s, const rule_t *rule) {
  return rule->unknown >= 0 ? (cf_unknown_mode)rule->unknown : s->opts->unknown;
}

static cf_err eval_rule(scan_t *s, const rule_t *rule, const cf_resource_t *r) {
  eval_out_t out;
  tri_t t = cf__rule_eval(&s->env, rule, r, &out);
  if (t == TRI_T) return emit_finding(s, rule, r, &out, false);
  if (t == TRI_U) {
    cf_unknown_mode m = rule_unknown_mode(s, rule);
    if (m == CF_UNKNOWN_PASS) return CF_OK;
    return emit_finding(s, rule, r, &out, m == CF_UNKNOWN_REPORT);
  }
  return CF_OK;
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
  scan_t *s = env->ud;
  const sset_t *facts = &s->facts[c->rel_slot];
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
      v = cf_node_get(v, p.steps[i].key);
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

static cf_err add_fact_values(scan_t *s, sset_t *set, const cf_node_t *v, tri_t t) {
  if (!v) return CF_OK;
  if (v->type == CF_NODE_STRING) return sset_put(set, s->keep, v->u.s, t);
  if (v->type == CF_NODE_ARRAY)
    for (uint32_t i = 0; i < v->len; i++) {
      cf_err e = add_fact_values(s, set, v->u.items[i], t);
      if (e) return e;
    }
  return CF_OK;
}

static cf_err record_facts(scan_t *s, const cf_resource_t *r) {
  for (size_t i = 0; i < s->rs->n_rels; i++) {
    const cond_t *c = s->rs->rels[i].c;
    if (strcmp(c->rel_type, r->type) != 0) continue;
    tri_t t = TRI_T;
    if (c->where) t = cf__cond_eval(&s->env, c->where, r, r->attrs, NULL);
    if (t == TRI_F) continue;
    cf_err e = CF_OK;
    if (c->kind == C_RELATED) {
      for (uint32_t k = 0; !e && k < r->n_ids; k++) e = sset_put(&s->facts[i], s->keep, r->ids[k], t);
    } else {
      const cf_node_t *v = r->attrs;
      for (uint32_t k = 0; v && k < c->path.n; k++)
        v = c->path.steps[k].kind == STEP_KEY ? cf_node_get(v, c->path.steps[k].key) : NULL;
      e = add_fact_values(s, &s->facts[i], v, t);
    }
    if (e) return e;
  }
  return CF_OK;
}

/* ---- resources ---- */

static cf_resource_t *copy_resource(scan_t *s, const cf_resource_t *r) {
  cf_arena_t *a = s->keep;
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

static cf_err hold(scan_t *s, const cf_resource_t *r, bool eval_all) {
  cf_resource_t *c = copy_resource(s, r);
  if (!c || !grow((void **)&s->held, &s->cap_held, s->n_held, sizeof(retained_t))) return CF_ENOMEM;
  s->held[s->n_held].r = c;
  s->held[s->n_held].eval_all = eval_all;
  s->n_held++;
  return CF_OK;
}

static cf_err note_resource_line(scan_t *s, const cf_resource_t *r) {
  if (r->pos.file >= s->n_files) return CF_OK;
  file_entry_t *f = &s->files[r->pos.file];
  if (!f->n_ignores) return CF_OK;
  if (!grow((void **)&f->res_lines, &f->cap_res_lines, f->n_res_lines, sizeof(res_line_t))) return CF_ENOMEM;
  const char *addr = r->address ? cf__arena_strdup(s->keep, r->address) : "";
  if (!addr) return CF_ENOMEM;
  f->res_lines[f->n_res_lines].line = r->pos.line;
  f->res_lines[f->n_res_lines].address = addr;
  f->n_res_lines++;
  return CF_OK;
}

/* Evaluates a complete resource (not partial): rules without relations now, the others later. */
static cf_err process(scan_t *s, const cf_resource_t *r) {
  s->report->resources++;
  cf_err e = note_resource_line(s, r);
  bool needs_hold = false;
  for (size_t i = 0; !e && i < s->rs->n_rules; i++) {
    const rule_t *rule = s->rs->rules[i];
    if (!rule_applies(rule, r)) continue;
    if (rule->has_relations) needs_hold = true;
    else e = eval_rule(s, rule, r);
  }
  if (!e) e = record_facts(s, r);
  if (!e && needs_hold) e = hold(s, r, false);
  return e;
}

static cf_err on_emit(cf_adapt_ctx_t *ac, cf_resource_t *r) {
  scan_t *s = ac->emit_ud;
  if (!r || !r->type || !r->attrs) return CF_EINVAL;
  if (r->partial) return hold(s, r, true);
  return process(s, r);
}

/* Merges held partial resources with the same type and key, then processes them. */
static int cmp_partial(const void *pa, const void *pb) {
  const retained_t *a = pa, *b = pb;
  if (a->eval_all != b->eval_all) return a->eval_all ? -1 : 1;
  int c = strcmp(a->r->type, b->r->type);
  if (c) return c;
  return strcmp(a->r->merge_key ? a->r->merge_key : "", b->r->merge_key ? b->r->merge_key : "");
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
        if (!cf_node_get(have, mm->key) && cf_node_set(s->keep, (cf_node_t *)have, mm->key, mm->value))
          return CF_ENOMEM;
      }
    } else if (!have) {
      if (cf_node_set(s->keep, dst->attrs, m->key, m->value)) return CF_ENOMEM;
    }
  }
  cf_adapt_ctx_t ac;
  memset(&ac, 0, sizeof ac);
  ac.arena = s->keep;
  for (uint32_t i = 0; i < src->n_ids; i++)
    if (cf__res_add_id(&ac, dst, src->ids[i])) return CF_ENOMEM;
  for (const cf_res_suppress_t *sp = src->suppress; sp; sp = sp->next)
    if (cf__res_suppress(&ac, dst, sp->rule, sp->reason, sp->kind)) return CF_ENOMEM;
  return CF_OK;
}

static cf_err finish_partials(scan_t *s) {
  size_t n = s->n_held;
  if (!n) return CF_OK;
  qsort(s->held, n, sizeof(retained_t), cmp_partial);
  size_t n_partial = 0;
  while (n_partial < n && s->held[n_partial].eval_all) n_partial++;
  /* Take the partials out of the held list; process() may add new held entries. */
  retained_t *parts = malloc(n_partial * sizeof(retained_t) + 1);
  if (!parts) return CF_ENOMEM;
  memcpy(parts, s->held, n_partial * sizeof(retained_t));
  memmove(s->held, s->held + n_partial, (n - n_partial) * sizeof(retained_t));
  s->n_held = n - n_partial;
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
      e = process(s, base);
    }
    i = j;
  }
  free(parts);
  return e;
}

static cf_err finish_held(scan_t *s) {
  for (size_t h = 0; h < s->n_held; h++) {
    const cf_resource_t *r = s->held[h].r;
    for (size_t i = 0; i < s->rs->n_rules; i++) {
      const rule_t *rule = s->rs->rules[i];
      if (!rule->has_relations || !rule_applies(rule, r)) continue;
      cf_err e = eval_rule(s, rule, r);
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
    if (!grow((void **)&f->ignores, &f->cap_ignores, f->n_ignores, sizeof(ignore_comment_t))) return CF_ENOMEM;
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

static void apply_inline(scan_t *s) {
  if (s->opts->no_inline_suppress) return;
  for (size_t i = 0; i < s->n_ff; i++) {
    cf_finding_t *fd = cf_findings_at_mut(s->report->findings, s->first_finding + i);
    if (!fd || fd->suppressed) continue;
    uint32_t fi = s->finding_file[i];
    if (fi >= s->n_files) continue;
    const file_entry_t *f = &s->files[fi];
    for (size_t k = 0; k < f->n_ignores; k++) {
      const ignore_comment_t *ic = &f->ignores[k];
      if (!ids_match(ic->rules, fd->rule->id)) continue;
      const char *target = comment_target(f, ic->line, ic->standalone);
      bool same_line = fd->line == ic->line && fd->file && strcmp(fd->file, f->path) == 0;
      if (same_line || (target && fd->resource && strcmp(target, fd->resource) == 0)) {
        if (cf_findings_suppress(s->report->findings, s->first_finding + i, CF_SUPPRESS_INLINE, ic->reason))
          s->fatal = CF_ENOMEM;
        break;
      }
    }
  }
}

/* ---- baseline ---- */

static cf_err apply_baseline(scan_t *s) {
  const char *path = s->opts->baseline;
  if (!path) return CF_OK;
  char *buf = NULL;
  size_t len = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__read_file(path, 256u << 20, CF_JSON_PADDING, &buf, &len, &d);
  cf_doc_t *doc = NULL;
  if (!e) {
    cf_doc_opts_t o = {CF_DOC_JSON, 0, path, false};
    e = cf_doc_parse(s->ctx, buf, len, &o, &doc, &d);
  }
  free(buf);
  if (e) {
    (void)cf_diags_adopt(&s->report->errors, &d);
    cf_diag_cleanup(&d);
    return CF_EINVAL;
  }
  const cf_node_t *fps = cf_node_get(doc->roots[0], "fingerprints");
  if (!fps || fps->type != CF_NODE_ARRAY) {
    (void)cf_diags_add(&s->report->errors, CF_EPARSE, path, doc->roots[0]->pos.line, doc->roots[0]->pos.column,
                       "baseline file needs a \"fingerprints\" list (write one with `cloudfort baseline`)");
    cf_doc_free(doc);
    return CF_EINVAL;
  }
  sset_t set;
  memset(&set, 0, sizeof set);
  for (uint32_t i = 0; !e && i < fps->len; i++) {
    const char *fp = cf_node_str(fps->u.items[i]);
    if (!fp) {
      const cf_node_t *o = fps->u.items[i];
      fp = cf_node_str(cf_node_get(o, "fingerprint"));
    }
    if (fp) e = sset_put(&set, s->keep, fp, TRI_T);
  }
  for (size_t i = 0; !e && i < s->n_ff; i++) {
    cf_finding_t *fd = cf_findings_at_mut(s->report->findings, s->first_finding + i);
    if (fd && !fd->suppressed && sset_get(&set, fd->fingerprint) == TRI_T)
      e = cf_findings_suppress(s->report->findings, s->first_finding + i, CF_SUPPRESS_BASELINE, NULL);
  }
  sset_free(&set);
  cf_doc_free(doc);
  return e;
}

cf_err cf_baseline_write(FILE *out, const cf_report_t *report) {
  fputs("{\n  \"tool\": \"cloudfort\",\n  \"fingerprints\": [", out);
  size_t n = cf_findings_count(report->findings), k = 0;
  for (size_t i = 0; i < n; i++) {
    const cf_finding_t *f = cf_findings_at(report->findings, i);
    if (f->suppressed) continue;
    fprintf(out, "%s\n    \"%s\"", k++ ? "," : "", f->fingerprint);
  }
  fputs(k ? "\n  ]\n}\n" : "]\n}\n", out);
  return ferror(out) ? CF_EIO : CF_OK;
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

typedef struct stream_ud {
  scan_t *s;
  cf_adapt_ctx_t *ac;
  cf_arena_t *item_arena;
} stream_ud_t;

static cf_err on_config_item(void *ud, cf_node_t *elem, size_t index) {
  stream_ud_t *su = ud;
  (void)index;
  /* The adapter allocates in the item's arena; the file's arena is put back afterwards so
   * that scan_buffer frees each arena once. */
  cf_arena_t *file_arena = su->ac->arena;
  su->ac->arena = su->item_arena;
  cf_err e = cf__adapt_awsconfig_item(su->ac, elem);
  su->ac->arena = file_arena;
  cf__arena_reset(su->item_arena);
  if (e == CF_ENOMEM) return e;
  return su->s->fatal ? su->s->fatal : CF_OK;
}

/* Scans one input held in buf (len bytes followed by CF_JSON_PADDING zero bytes; buf is
 * NUL-terminated). explicit: named by the user, so an unrecognised input is an error rather
 * than silently skipped. */
static void scan_buffer(scan_t *s, const char *path, char *buf, size_t len, bool explicit_arg) {
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = CF_OK;
  uint32_t fi = add_file(s, path);
  if (s->fatal) return;
  char dn[256];
  dir_name(path, dn, sizeof dn);
  cf_adapt_ctx_t ac;
  memset(&ac, 0, sizeof ac);
  ac.ctx = s->ctx;
  ac.path = s->files[fi].path;
  ac.file = fi;
  ac.dir_name = dn;
  ac.base_name = base_name(path);
  ac.text = buf;
  ac.text_len = len;
  ac.errors = &s->report->errors;
  ac.emit = on_emit;
  ac.emit_ud = s;
  ac.arena = cf__arena_new(0);
  if (!ac.arena) {
    s->fatal = CF_ENOMEM;
    return;
  }
  if (collect_ignores(&s->files[fi], buf, len)) s->fatal = CF_ENOMEM;
  cf_doc_t *doc = NULL;
  bool scanned = false;
  cf_source_kind kind = CF_SRC_UNKNOWN;
  if (cf__detect_credreport(buf, len)) {
    ac.source = CF_SRC_AWSCLI;
    e = cf__adapt_credreport(&ac, buf, len);
    kind = CF_SRC_AWSCLI;
    scanned = true;
  } else if (cf__detect_awsconfig_text(buf, len) && buf[strspn(buf, " \t\r\n\xef\xbb\xbf")] == '{') {
    /* Streamed item by item: snapshots can be larger than memory would like. */
    cf_arena_t *item = cf__arena_new(0);
    cf_node_t *top = NULL;
    stream_ud_t su = {s, &ac, item};
    ac.source = CF_SRC_AWSCONFIG;
    if (!item) e = CF_ENOMEM;
    else e = cf__json_stream(s->ctx, buf, len, fi, ac.path, "configurationItems", item, ac.arena, &top, on_config_item, &su, &d);
    cf__arena_free(item);
    if (e && e != CF_ENOMEM) {
      (void)cf_diags_adopt(&s->report->errors, &d);
      e = CF_OK;
    }
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
       * error (exit code 2) rather than a clean result. */
      (void)cf_diags_adopt(&s->report->errors, &d);
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
        if (explicit_arg)
          (void)cf_diags_add(&s->report->errors, CF_EUNSUPPORTED, path, 0, 0,
                             "not a recognised input (CloudFormation, Terraform plan JSON, AWS Config, aws CLI output, IAM credential report, Kubernetes, ARM)");
        break;
      }
    }
  }
  if (e == CF_ENOMEM) s->fatal = e;
  else if (e && e != CF_OK) (void)cf_diags_add(&s->report->errors, e, path, 0, 0, "%s", cf_strerror(e));
  if (scanned) s->report->files++;
  if (kind != CF_SRC_UNKNOWN) s->report->sources_seen |= 1u << kind;
  if (s->opts->progress) s->opts->progress(s->opts->progress_ud, s->report->files, path);
  cf_doc_free(doc);
  cf__arena_free(ac.arena);
  cf_diag_cleanup(&d);
}

/* Reads and scans one file (or stream). */
static void scan_file(scan_t *s, const char *path, bool explicit_arg, FILE *stream) {
  const cf_limits_t *lim = cf__limits(s->ctx);
  char *buf = NULL;
  size_t len = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = stream ? cf__read_stream(stream, path, lim->max_file_size, CF_JSON_PADDING, &buf, &len, &d)
                    : cf__read_file(path, lim->max_file_size, CF_JSON_PADDING, &buf, &len, &d);
  if (e) {
    if (e == CF_ENOMEM) s->fatal = e;
    (void)cf_diags_adopt(&s->report->errors, &d);
    cf_diag_cleanup(&d);
    return;
  }
  scan_buffer(s, path, buf, len, explicit_arg);
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
  if (!grow((void **)&s->seen, &s->cap_seen, s->n_seen, sizeof(*s->seen))) {
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
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || strcmp(de->d_name, ".git") == 0) continue;
    if (!grow((void **)&names, &cap, n, sizeof(char *)) || !(names[n] = strdup(de->d_name))) {
      s->fatal = CF_ENOMEM;
      break;
    }
    n++;
  }
  closedir(d);
  if (names) qsort(names, n, sizeof(char *), cmp_names);
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
      /* Followed only when the target stays inside the scan root. */
      if (stat(p, &st) != 0 || !inside_root(s, p)) {
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

static cf_err scan_begin(scan_t *s, const cf_ctx_t *ctx, const cf_ruleset_t *rs,
                         const cf_posture_opts_t *opts, const cf_posture_opts_t *defaults,
                         cf_report_t *report) {
  memset(s, 0, sizeof *s);
  s->ctx = ctx;
  s->rs = rs;
  s->opts = opts ? opts : defaults;
  s->report = report;
  s->first_finding = cf_findings_count(report->findings);
  s->keep = cf__arena_new(0);
  s->facts = calloc(rs->n_rels + 1, sizeof(sset_t));
  if (!s->keep || !s->facts) {
    cf__arena_free(s->keep);
    free(s->facts);
    return CF_ENOMEM;
  }
  s->env.ctx = ctx;
  s->env.now = cf_ctx_now(ctx);
  s->env.rel_query = rel_query;
  s->env.ud = s;
  for (size_t i = 0; i < rs->n_rules; i++)
    if (cf_report_add_rule(report, &rs->rules[i]->info)) s->fatal = CF_ENOMEM;
  return CF_OK;
}

static cf_err scan_end(scan_t *s) {
  if (!s->fatal) s->fatal = finish_partials(s);
  if (!s->fatal) s->fatal = finish_held(s);
  cf_err e = s->fatal == CF_ELIMIT ? CF_OK : s->fatal;
  if (!e) {
    apply_inline(s);
    e = s->fatal ? s->fatal : apply_baseline(s);
  }
  for (size_t i = 0; i < s->rs->n_rels; i++) sset_free(&s->facts[i]);
  free(s->facts);
  free(s->held);
  free(s->finding_file);
  free(s->seen);
  free_files(s);
  cf__arena_free(s->keep);
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
    if (strcmp(p, "-") == 0) {
      scan_file(&s, "<stdin>", true, stdin);
      continue;
    }
    struct stat st;
    if (stat(p, &st) != 0) {
      (void)cf_diags_add(&report->errors, CF_ENOTFOUND, p, 0, 0, "cannot access: %s", strerror(errno));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (!realpath(p, s.root_real)) s.root_real[0] = '\0';
      s.n_seen = 0;
      if (!seen_dir(&s, &st)) walk_dir(&s, p, 0);
    } else {
      scan_file(&s, p, true, NULL);
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
    scan_buffer(&s, name, buf, blen, true);
    e = scan_end(&s);
  }
  free(buf);
  return e;
}
