/*
 * gitleaks.c - gitleaks TOML configurations as content rules, and .gitleaksignore files.
 *
 * A configuration (gitleaks' documented format) is read with toml.c and turned into the
 * engine's rules: [[rules]] (id, description, regex, secretGroup, entropy, keywords, path,
 * tags, [[rules.allowlists]] and the older [rules.allowlist]), the global [allowlist] and
 * [[allowlists]] (with targetRules), and [extend]:
 *
 *   useDefault = true   the shipped secret pack is the base configuration;
 *   path = "base.toml"  another configuration is (relative to this file; at most
 *                       MAX_EXTEND levels, and a file that extends itself is refused);
 *   disabledRules       ids of the base configuration's rules that are dropped.
 *
 * A rule whose id is already in the base configuration is merged into that rule the way
 * gitleaks merges: its description, entropy, secretGroup, regex and path replace the base's
 * when given, its tags, keywords and allowlists are added to the base's. Allowlists of every
 * level are global.
 *
 * Regexes are Go RE2 syntax. PCRE2 reads nearly all of it the same way; where the two differ
 * the pattern is rewritten (re2_to_pcre): `\v` is RE2's vertical tab (a class in PCRE2), an
 * octal escape `\123` becomes `\o{123}` (PCRE2 would read a back reference), `{,n}` is
 * literal text as in RE2 (newer PCRE2 reads a repeat), and `$` outside multi-line mode
 * matches only at the very end (PCRE2_DOLLAR_ENDONLY). RE2 has no back
 * references or lookarounds, so nothing else needs care.
 *
 * A .gitleaksignore lists gitleaks fingerprints, one a line ("file:rule-id:line", or
 * "commit:file:rule-id:line" for git history; '#' starts a comment); findings with such a
 * fingerprint are suppressed like baseline entries.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "content_internal.h"
#include "content_scan.h"
#include "gitleaks.h"
#include "toml.h"

#define MAX_EXTEND 2u

typedef struct gload {
  cf_content_rules_t *rs;
  cf_diags_t *errors;
  const char *file; /* the configuration being read (arena copy) */
  bool failed;
  bool nomem; /* an allocation failed: the load returns CF_ENOMEM */
  bool used_default;
  char *chain[MAX_EXTEND + 1]; /* real paths being read, for cycles */
  unsigned depth;
} gload_t;

static void gerr(gload_t *g, cf_pos_t pos, const char *fmt, ...) CF_PRINTF(3, 4);
static void gerr(gload_t *g, cf_pos_t pos, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  g->failed = true;
  if (g->errors) (void)cf_diags_add(g->errors, CF_ERULE, g->file, pos.line, pos.column, "%s", msg);
}

/* Out of memory: sticky, and the load ends with CF_ENOMEM rather than a rule error. */
static void oom(gload_t *g) {
  g->failed = true;
  g->nomem = true;
}

/* ---- regexes ---- */

/* Rewrites an RE2 pattern for PCRE2 into the arena (see the file comment). */
static char *re2_to_pcre(cf_arena_t *a, const char *re, size_t n) {
  cf_buf_t b;
  cf__buf_init(&b, n * 4 + 16);
  bool quoted = false;
  cf_err e = CF_OK;
  for (size_t i = 0; !e && i < n; i++) {
    char c = re[i];
    if (quoted) {
      if (c == '\\' && i + 1 < n && re[i + 1] == 'E') quoted = false;
      e = cf__buf_putc(&b, c);
      continue;
    }
    if (c == '{' && i + 1 < n && re[i + 1] == ',') {
      /* "{,n}" is literal text in RE2; PCRE2 from 10.43 reads it as {0,n}. */
      e = cf__buf_append(&b, "\\{", 2);
      continue;
    }
    if (c != '\\' || i + 1 >= n) {
      e = cf__buf_putc(&b, c);
      continue;
    }
    char d = re[i + 1];
    if (d == 'Q') {
      quoted = true;
      e = cf__buf_append(&b, "\\Q", 2);
      i++;
    } else if (d == 'v') {
      e = cf__buf_append(&b, "\\x0b", 4);
      i++;
    } else if (d >= '0' && d <= '7') {
      size_t k = i + 1, m = 0;
      char oct[4];
      while (k < n && m < 3 && re[k] >= '0' && re[k] <= '7') oct[m++] = re[k++];
      oct[m] = '\0';
      e = cf__buf_printf(&b, "\\o{%s}", oct);
      i = k - 1;
    } else {
      e = cf__buf_putc(&b, c);
      if (!e) e = cf__buf_putc(&b, d);
      i++;
    }
  }
  char *out = e ? NULL : cf__arena_strndup(a, b.data ? b.data : "", b.len);
  cf__buf_cleanup(&b);
  return out;
}

/* Compiles an RE2 pattern; NULL with the error recorded. */
static pcre2_code *compile_re2(gload_t *g, const cf_node_t *v, const char *what, const char **translated) {
  const char *s = cf_node_str(v);
  if (!s) {
    gerr(g, v->pos, "'%s' expects a regular expression (a string)", what);
    return NULL;
  }
  if (strlen(s) != v->len) {
    gerr(g, v->pos, "'%s' holds a NUL character", what);
    return NULL;
  }
  char *p = re2_to_pcre(g->rs->arena, s, v->len);
  if (!p) {
    oom(g);
    return NULL;
  }
  char msg[300];
  pcre2_code *re = cf__content_regex_opts(g->rs, p, strlen(p), PCRE2_DOLLAR_ENDONLY, msg, sizeof msg);
  if (!re && cf__str_starts(msg, CF_CONTENT_REGEX_NOMEM)) oom(g);
  else if (!re) gerr(g, v->pos, "'%s': %s", what, msg);
  if (translated) *translated = p;
  return re;
}

/* ---- small readers ---- */

/* A list of strings (an array of strings); NULL-terminated in the arena. */
static const char **strings(gload_t *g, const cf_node_t *v, const char *what, uint32_t *n_out, bool lower) {
  *n_out = 0;
  if (!v) return NULL;
  if (v->type != CF_NODE_ARRAY) {
    gerr(g, v->pos, "'%s' expects an array of strings", what);
    return NULL;
  }
  const char **out = cf__arena_zalloc(g->rs->arena, ((size_t)v->len + 1) * sizeof(char *));
  if (!out) {
    oom(g);
    return NULL;
  }
  uint32_t k = 0;
  for (uint32_t i = 0; i < v->len; i++) {
    const char *s = cf_node_str(v->u.items[i]);
    if (!s) {
      gerr(g, v->u.items[i]->pos, "'%s' expects strings", what);
      return NULL;
    }
    if (lower) {
      char *l = cf__arena_strdup(g->rs->arena, s);
      if (!l) {
        oom(g);
        return NULL;
      }
      for (char *q = l; *q; q++)
        if (*q >= 'A' && *q <= 'Z') *q = (char)(*q + 32);
      s = l;
    }
    if (!*s && lower) continue; /* an empty keyword or stopword would match everything */
    out[k++] = s;
  }
  *n_out = k;
  return out;
}

/* Appends list b to list a (both NULL-terminated arena lists). */
static const char **concat(gload_t *g, const char **a, uint32_t na, const char **b, uint32_t nb, uint32_t *n_out) {
  const char **out = cf__arena_zalloc(g->rs->arena, ((size_t)na + nb + 1) * sizeof(char *));
  if (!out) {
    oom(g);
    *n_out = na;
    return a;
  }
  if (na) memcpy(out, a, na * sizeof(char *));
  if (nb) memcpy(out + na, b, nb * sizeof(char *));
  *n_out = na + nb;
  return out;
}

static bool key_in(const char *k, const char *const *known) {
  for (int i = 0; known[i]; i++)
    if (strcmp(k, known[i]) == 0) return true;
  return false;
}

static void unknown_keys(gload_t *g, const cf_node_t *t, const char *const *known, const char *where) {
  for (uint32_t i = 0; i < t->len; i++)
    if (!key_in(t->u.members[i].key, known))
      cf__log(g->rs->ctx, CF_LOG_WARN, "%s:%u: unknown key '%s' in %s ignored", g->file, t->u.members[i].key_pos.line,
              t->u.members[i].key, where);
}

/* ---- allowlists ---- */

static const char *const allow_keys[] = {"description", "condition", "regexTarget", "regexes", "stopwords", "paths",
                                         "commits", "targetRules", NULL};

static bool compile_allow(gload_t *g, const cf_node_t *v, callow_t *a, bool global) {
  memset(a, 0, sizeof *a);
  if (v->type != CF_NODE_OBJECT) {
    gerr(g, v->pos, "an allowlist must be a table");
    return false;
  }
  bool was = g->failed;
  g->failed = false;
  unknown_keys(g, v, allow_keys, "an allowlist");
  const cf_node_t *x;
  if ((x = cf_node_get(v, "condition"))) {
    const char *c = cf_node_str(x);
    if (c && (strcasecmp(c, "and") == 0 || strcmp(c, "&&") == 0)) a->all = true;
    else if (c && (strcasecmp(c, "or") == 0 || strcmp(c, "||") == 0 || !*c)) a->all = false;
    else gerr(g, x->pos, "'condition' expects \"OR\" or \"AND\"");
  }
  if ((x = cf_node_get(v, "regexTarget"))) {
    const char *t = cf_node_str(x);
    if (t && (!*t || strcmp(t, "secret") == 0)) a->target = 0;
    else if (t && strcmp(t, "match") == 0) a->target = 1;
    else if (t && strcmp(t, "line") == 0) a->target = 2;
    else gerr(g, x->pos, "'regexTarget' expects \"secret\", \"match\" or \"line\"");
  }
  for (int which = 0; which < 2; which++) {
    const char *key = which ? "paths" : "regexes";
    x = cf_node_get(v, key);
    if (!x) continue;
    if (x->type != CF_NODE_ARRAY) {
      gerr(g, x->pos, "'%s' expects an array of regular expressions", key);
      continue;
    }
    pcre2_code **codes = cf__arena_zalloc(g->rs->arena, ((size_t)x->len + 1) * sizeof(pcre2_code *));
    if (!codes) {
      oom(g);
      break;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < x->len; i++) {
      pcre2_code *re = compile_re2(g, x->u.items[i], key, NULL);
      if (re) codes[k++] = re;
    }
    if (which) a->paths = codes, a->n_paths = k;
    else a->regexes = codes, a->n_regexes = k;
  }
  a->stopwords = strings(g, cf_node_get(v, "stopwords"), "stopwords", &a->n_stopwords, true);
  a->commits = strings(g, cf_node_get(v, "commits"), "commits", &a->n_commits, false);
  if ((x = cf_node_get(v, "targetRules"))) {
    if (!global) gerr(g, x->pos, "'targetRules' belongs in a global [[allowlists]] only");
    else a->rules = strings(g, x, "targetRules", &a->n_rules, false);
  }
  if (!g->failed && !a->n_regexes && !a->n_paths && !a->n_stopwords && !a->n_commits)
    gerr(g, v->pos, "an allowlist needs at least one of commits, paths, regexes or stopwords");
  bool ok = !g->failed;
  g->failed = g->failed || was;
  return ok;
}

static void add_global(gload_t *g, const cf_node_t *v) {
  cf_content_rules_t *rs = g->rs;
  callow_t a;
  if (!compile_allow(g, v, &a, true)) return;
  if (rs->n_global_allows == rs->cap_global_allows) {
    uint32_t nc = rs->cap_global_allows ? rs->cap_global_allows * 2 : 8;
    callow_t *n = realloc(rs->global_allows, nc * sizeof(callow_t));
    if (!n) {
      oom(g);
      return;
    }
    rs->global_allows = n;
    rs->cap_global_allows = nc;
  }
  rs->global_allows[rs->n_global_allows++] = a;
}

/* ---- rules ---- */

static const char *const rule_keys[] = {"id", "description", "regex", "secretGroup", "entropy", "keywords", "path",
                                        "tags", "allowlist", "allowlists", NULL};

/* What a [[rules]] table says; fields not given stay NULL / 0. */
typedef struct grule {
  const cf_node_t *node;
  const char *id;
  const char *description;
  const char *regex; /* translated */
  pcre2_code *re;
  pcre2_code *path;
  int64_t group;
  double entropy;
  const char **keywords;
  uint32_t n_keywords;
  const char **tags;
  uint32_t n_tags;
  callow_t *allows;
  uint32_t n_allows;
} grule_t;

static bool read_rule(gload_t *g, const cf_node_t *t, grule_t *r) {
  memset(r, 0, sizeof *r);
  r->node = t;
  if (t->type != CF_NODE_OBJECT) {
    gerr(g, t->pos, "a rule must be a table ([[rules]])");
    return false;
  }
  bool was = g->failed;
  g->failed = false;
  unknown_keys(g, t, rule_keys, "a rule");
  const cf_node_t *x = cf_node_get(t, "id");
  r->id = cf_node_str(x);
  if (!r->id || !*r->id) gerr(g, x ? x->pos : t->pos, "a rule needs an 'id' (a non-empty string)");
  if ((x = cf_node_get(t, "description")) && !(r->description = cf_node_str(x)))
    gerr(g, x->pos, "'description' expects a string");
  if ((x = cf_node_get(t, "regex"))) r->re = compile_re2(g, x, "regex", &r->regex);
  if ((x = cf_node_get(t, "path"))) r->path = compile_re2(g, x, "path", NULL);
  if ((x = cf_node_get(t, "secretGroup"))) {
    if (x->type != CF_NODE_INT || x->u.i < 0 || x->u.i > 99) gerr(g, x->pos, "'secretGroup' expects a capture group number");
    else r->group = x->u.i;
  }
  if ((x = cf_node_get(t, "entropy"))) {
    double e = 0;
    if ((x->type != CF_NODE_INT && x->type != CF_NODE_FLOAT) || !cf_node_number(x, &e) || !(e >= 0 && e <= 8))
      gerr(g, x->pos, "'entropy' expects a number of bits per byte from 0 to 8");
    else r->entropy = e;
  }
  r->keywords = strings(g, cf_node_get(t, "keywords"), "keywords", &r->n_keywords, true);
  r->tags = strings(g, cf_node_get(t, "tags"), "tags", &r->n_tags, false);
  const cf_node_t *one = cf_node_get(t, "allowlist");
  const cf_node_t *many = cf_node_get(t, "allowlists");
  if (many && many->type != CF_NODE_ARRAY) {
    gerr(g, many->pos, "'allowlists' expects an array of tables ([[rules.allowlists]])");
    many = NULL;
  }
  uint32_t n = (one ? 1 : 0) + (many ? many->len : 0);
  if (n) {
    r->allows = cf__arena_zalloc(g->rs->arena, n * sizeof(callow_t));
    if (!r->allows) oom(g);
    for (uint32_t i = 0; r->allows && i < n; i++) {
      const cf_node_t *v = one ? (i == 0 ? one : many->u.items[i - 1]) : many->u.items[i];
      if (compile_allow(g, v, &r->allows[r->n_allows], false)) r->n_allows++;
    }
  }
  bool ok = !g->failed;
  g->failed = g->failed || was;
  return ok;
}

static bool check_group(gload_t *g, const crule_t *c, cf_pos_t pos) {
  if (!c->re || !c->group) return true;
  uint32_t n_groups = 0;
  pcre2_pattern_info(c->re, PCRE2_INFO_CAPTURECOUNT, &n_groups);
  if (c->group <= n_groups) return true;
  gerr(g, pos, "rule '%s': secretGroup %u but the regex has %u capture groups", c->info.id, c->group, n_groups);
  return false;
}

static const char *const no_tags[] = {NULL};

/* A new engine rule from a gitleaks rule. */
static void add_rule(gload_t *g, const grule_t *r) {
  cf_arena_t *a = g->rs->arena;
  if (!r->re && !r->path) {
    gerr(g, r->node->pos, "rule '%s': both 'regex' and 'path' are empty, so it would find nothing", r->id);
    return;
  }
  crule_t *c = cf__arena_zalloc(a, sizeof(*c));
  if (!c) {
    oom(g);
    return;
  }
  c->info.id = r->id;
  c->info.title = r->id;
  c->info.description = r->description;
  c->info.analyzer = "secrets";
  c->info.severity = CF_SEV_HIGH;
  c->info.threats[0] = 1;
  c->info.threats[1] = 8;
  c->info.n_threats = 2;
  c->info.service_models = CF_SM_IAAS | CF_SM_PAAS | CF_SM_SAAS;
  c->info.remediation.text = "Revoke the credential, issue a new one, and remove it from the file and from version "
                             "control history.";
  c->info.tags = r->tags ? r->tags : no_tags;
  c->info.file = g->file;
  c->info.line = r->node->pos.line;
  c->kind = CF_CONTENT_SECRET;
  c->regex = r->regex;
  c->re = r->re;
  c->path = r->path;
  c->group = (uint32_t)r->group;
  c->entropy = r->entropy;
  c->keywords = r->keywords;
  c->n_keywords = r->n_keywords;
  c->keywords_z = r->keywords ? r->keywords : no_tags;
  c->confidence = CONF_HIGH;
  c->allows = r->allows;
  c->n_allows = r->n_allows;
  c->source_threat = true;
  c->gitleaks = true;
  if (!check_group(g, c, r->node->pos)) return;
  if (cf__content_add_rule(g->rs, c)) oom(g);
}

/* Merges a gitleaks rule into a rule of the extended configuration (gitleaks' semantics). */
static void merge_rule(gload_t *g, crule_t *base, const grule_t *r) {
  if (r->description) base->info.description = r->description;
  if (r->entropy != 0) base->entropy = r->entropy;
  if (r->group) base->group = (uint32_t)r->group;
  if (r->re) {
    base->re = r->re;
    base->regex = r->regex;
  }
  if (r->path) base->path = r->path;
  if (r->n_tags) {
    uint32_t nt = 0;
    while (base->info.tags && base->info.tags[nt]) nt++;
    uint32_t n = 0;
    base->info.tags = concat(g, (const char **)base->info.tags, nt, r->tags, r->n_tags, &n);
  }
  if (r->n_keywords) {
    base->keywords = concat(g, base->keywords, base->n_keywords, r->keywords, r->n_keywords, &base->n_keywords);
    base->keywords_z = base->keywords;
  }
  if (r->n_allows) {
    callow_t *n = cf__arena_zalloc(g->rs->arena, ((size_t)base->n_allows + r->n_allows) * sizeof(callow_t));
    if (!n) {
      oom(g);
      return;
    }
    if (base->n_allows) memcpy(n, base->allows, base->n_allows * sizeof(callow_t));
    memcpy(n + base->n_allows, r->allows, r->n_allows * sizeof(callow_t));
    base->allows = n;
    base->n_allows += r->n_allows;
  }
  base->gitleaks = true;
  (void)check_group(g, base, r->node->pos);
}

/* ---- files ---- */

static cf_err load_file(gload_t *g, const char *path, cf_pos_t from);

/* [extend]: loads the base configuration; rules from index *mark on are the base's. */
static cf_err load_extend(gload_t *g, const cf_node_t *ext, size_t *mark) {
  cf_content_rules_t *rs = g->rs;
  *mark = rs->n_rules;
  if (ext->type != CF_NODE_OBJECT) {
    gerr(g, ext->pos, "[extend] must be a table");
    return CF_OK;
  }
  static const char *const ext_keys[] = {"useDefault", "path", "disabledRules", NULL};
  unknown_keys(g, ext, ext_keys, "[extend]");
  const cf_node_t *ud = cf_node_get(ext, "useDefault");
  const cf_node_t *p = cf_node_get(ext, "path");
  bool use_default = false;
  if (ud && ud->type != CF_NODE_BOOL) gerr(g, ud->pos, "'useDefault' expects true or false");
  else if (ud) use_default = ud->u.b;
  if (p && !cf_node_str(p)) {
    gerr(g, p->pos, "'path' expects a file name");
    p = NULL;
  }
  if (use_default && p) {
    gerr(g, p->pos, "[extend] takes 'useDefault' or 'path', not both");
    return CF_OK;
  }
  cf_err e = CF_OK;
  if (use_default && !g->used_default) {
    g->used_default = true;
    e = cf_content_rules_load_builtin(rs, g->errors);
    if (e == CF_ENOMEM) return e;
    if (e) g->failed = true;
    e = CF_OK;
  } else if (p) {
    if (g->depth > MAX_EXTEND) {
      gerr(g, p->pos, "[extend] nested deeper than %u levels", MAX_EXTEND);
      return CF_OK;
    }
    const char *rel = cf_node_str(p);
    char *full;
    if (rel[0] == '/') {
      full = cf__arena_strdup(rs->arena, rel);
    } else {
      char *dcopy = cf__arena_strdup(rs->arena, g->file);
      full = dcopy ? cf__arena_printf(rs->arena, "%s/%s", dirname(dcopy), rel) : NULL;
    }
    if (!full) return CF_ENOMEM;
    const char *saved = g->file;
    e = load_file(g, full, p->pos);
    g->file = saved;
    if (e) return e;
  }
  const cf_node_t *dis = cf_node_get(ext, "disabledRules");
  uint32_t nd = 0;
  const char **ids = strings(g, dis, "disabledRules", &nd, false);
  for (uint32_t i = 0; ids && i < nd; i++) {
    bool found = false;
    for (size_t k = *mark; k < rs->n_rules;) {
      if (strcmp(rs->rules[k]->info.id, ids[i]) == 0) {
        memmove(&rs->rules[k], &rs->rules[k + 1], (rs->n_rules - k - 1) * sizeof(crule_t *));
        rs->n_rules--;
        found = true;
      } else {
        k++;
      }
    }
    if (!found)
      cf__log(rs->ctx, CF_LOG_WARN, "%s: disabled rule '%s' is not in the extended configuration", g->file, ids[i]);
  }
  return e;
}

static cf_err load_doc(gload_t *g, const cf_node_t *root) {
  cf_content_rules_t *rs = g->rs;
  static const char *const top_keys[] = {"title", "description", "minVersion", "extend", "rules", "allowlist",
                                         "allowlists", NULL};
  unknown_keys(g, root, top_keys, "the configuration");
  const cf_node_t *x = cf_node_get(root, "title");
  if (x && !cf_node_str(x)) gerr(g, x->pos, "'title' expects a string");
  size_t mark = rs->n_rules;
  cf_err e = CF_OK;
  if ((x = cf_node_get(root, "extend")) && (e = load_extend(g, x, &mark))) return e;
  size_t base_end = rs->n_rules;
  const cf_node_t *rules = cf_node_get(root, "rules");
  if (rules && rules->type != CF_NODE_ARRAY) {
    gerr(g, rules->pos, "'rules' expects an array of tables ([[rules]])");
    rules = NULL;
  }
  /* gitleaks rules are secret rules: a set that keeps none (dlp alone) takes none. */
  bool keep = (rs->kinds & CF_CONTENT_SECRET) != 0;
  for (uint32_t i = 0; keep && rules && i < rules->len; i++) {
    grule_t r;
    if (!read_rule(g, rules->u.items[i], &r)) continue;
    crule_t *base = NULL;
    for (size_t k = mark; k < base_end && !base; k++)
      if (strcmp(rs->rules[k]->info.id, r.id) == 0) base = rs->rules[k];
    if (base) {
      merge_rule(g, base, &r);
      continue;
    }
    bool dup = false;
    for (size_t k = base_end; k < rs->n_rules && !dup; k++) dup = strcmp(rs->rules[k]->info.id, r.id) == 0;
    if (!dup)
      for (size_t k = 0; k < mark && !dup; k++) dup = strcmp(rs->rules[k]->info.id, r.id) == 0;
    if (dup) gerr(g, r.node->pos, "duplicate rule id '%s'", r.id);
    else add_rule(g, &r);
  }
  if ((x = cf_node_get(root, "allowlist"))) add_global(g, x);
  if ((x = cf_node_get(root, "allowlists"))) {
    if (x->type != CF_NODE_ARRAY) gerr(g, x->pos, "'allowlists' expects an array of tables ([[allowlists]])");
    for (uint32_t i = 0; x->type == CF_NODE_ARRAY && i < x->len; i++) add_global(g, x->u.items[i]);
  }
  return CF_OK;
}

/* Parses and loads one configuration held in memory; real identifies it for cycles. */
static cf_err load_buffer(gload_t *g, const char *name, const char *real, const char *buf, size_t len) {
  cf_content_rules_t *rs = g->rs;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_doc_t *doc = NULL;
  cf_err e = cf__toml_parse(rs->ctx, buf, len, name, &doc, &d);
  if (e) {
    if (g->errors) (void)cf_diags_adopt(g->errors, &d);
    cf_diag_cleanup(&d);
    g->failed = true;
    return e == CF_ENOMEM ? e : CF_OK;
  }
  cf_diag_cleanup(&d);
  if (!cf__grow((void **)&rs->docs, &rs->cap_docs, rs->n_docs, sizeof(cf_doc_t *))) {
    cf_doc_free(doc);
    return CF_ENOMEM;
  }
  rs->docs[rs->n_docs++] = doc;
  char *keep = cf__arena_strdup(rs->arena, real);
  if (!keep) return CF_ENOMEM;
  g->chain[g->depth++] = keep;
  g->file = name;
  e = load_doc(g, doc->roots[0]);
  g->depth--;
  return e;
}

static cf_err load_file(gload_t *g, const char *path, cf_pos_t from) {
  cf_content_rules_t *rs = g->rs;
  const char *parent = g->file;
  char real[PATH_MAX];
  if (!realpath(path, real)) {
    if (parent) gerr(g, from, "cannot open %s: %s", path, strerror(errno));
    else if (g->errors) (void)cf_diags_add(g->errors, CF_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    g->failed = true;
    return CF_OK;
  }
  struct stat st;
  if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
    /* A device or a pipe could block or never end. */
    if (parent) gerr(g, from, "%s is not a regular file", path);
    else if (g->errors) (void)cf_diags_add(g->errors, CF_EIO, path, 0, 0, "not a regular file");
    g->failed = true;
    return CF_OK;
  }
  for (unsigned i = 0; i < g->depth; i++)
    if (strcmp(g->chain[i], real) == 0) {
      gerr(g, from, "%s extends itself (through [extend] path)", path);
      return CF_OK;
    }
  const char *name = cf__arena_strdup(rs->arena, path);
  if (!name) return CF_ENOMEM;
  char *buf = NULL;
  size_t len = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__read_file(path, cf__limits(rs->ctx)->max_rule_size, 1, &buf, &len, &d);
  if (e) {
    if (g->errors) (void)cf_diags_adopt(g->errors, &d);
    cf_diag_cleanup(&d);
    g->failed = true;
    return e == CF_ENOMEM ? e : CF_OK;
  }
  cf_diag_cleanup(&d);
  e = load_buffer(g, name, real, buf, len);
  free(buf);
  return e;
}

cf_err cf_content_rules_load_gitleaks(cf_content_rules_t *rs, const char *path, cf_diags_t *errors) {
  if (rs->compiled) return CF_EINVAL;
  gload_t g;
  memset(&g, 0, sizeof g);
  g.rs = rs;
  g.errors = errors;
  cf_err e = load_file(&g, path, (cf_pos_t){0, 0, 0});
  if (e) return e;
  return g.nomem ? CF_ENOMEM : g.failed ? CF_ERULE : CF_OK;
}

cf_err cf__gitleaks_load_text(cf_content_rules_t *rs, const char *name, const char *text, size_t len,
                              cf_diags_t *errors) {
  if (rs->compiled) return CF_EINVAL;
  gload_t g;
  memset(&g, 0, sizeof g);
  g.rs = rs;
  g.errors = errors;
  const char *n = cf__arena_strdup(rs->arena, name);
  if (!n) return CF_ENOMEM;
  cf_err e = load_buffer(&g, n, n, text, len);
  if (e) return e;
  return g.nomem ? CF_ENOMEM : g.failed ? CF_ERULE : CF_OK;
}

/* ---- .gitleaksignore ---- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

typedef struct ignore_set {
  char **items;
  size_t n, cap;
} ignore_set_t;

/* Adds the fingerprints of one ignore file; a file that does not exist adds nothing. */
static cf_err read_ignore(const cf_ctx_t *ctx, cf_report_t *report, const char *path, bool must_exist, ignore_set_t *set) {
  char *buf = NULL;
  size_t len = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  struct stat st;
  /* A scanned folder's own file must be a regular file: a FIFO there would stall the scan. */
  if (!must_exist && (stat(path, &st) != 0 || !S_ISREG(st.st_mode))) return CF_OK;
  cf_err e = cf__read_file(path, cf__limits(ctx)->max_rule_size * 16, 1, &buf, &len, &d);
  if (e) {
    (void)cf_diags_adopt(&report->errors, &d);
    cf_diag_cleanup(&d);
    return e == CF_ENOMEM ? e : CF_OK;
  }
  cf_diag_cleanup(&d);
  for (size_t i = 0; i < len && !e;) {
    const char *nl = memchr(buf + i, '\n', len - i);
    size_t end = nl ? (size_t)(nl - buf) : len;
    size_t a = i, b = end;
    while (a < b && (buf[a] == ' ' || buf[a] == '\t')) a++;
    while (b > a && (buf[b - 1] == ' ' || buf[b - 1] == '\t' || buf[b - 1] == '\r')) b--;
    if (b > a && buf[a] != '#') {
      if (!cf__grow((void **)&set->items, &set->cap, set->n, sizeof(char *)) || !(set->items[set->n] = strndup(buf + a, b - a)))
        e = CF_ENOMEM;
      else
        set->n++;
    }
    i = end + 1;
  }
  free(buf);
  return e;
}

static bool listed(const ignore_set_t *set, const char *fp) {
  return set->n && bsearch(&fp, set->items, set->n, sizeof(char *), cmp_str) != NULL;
}

cf_err cf__gitleaks_ignore_apply(const cf_ctx_t *ctx, cf_report_t *report, size_t first, const cf_content_opts_t *opts,
                                 const char *const *roots, size_t n_roots) {
  ignore_set_t set = {NULL, 0, 0};
  cf_err e = CF_OK;
  if (opts && opts->gitleaks_ignore) {
    e = read_ignore(ctx, report, opts->gitleaks_ignore, true, &set);
  } else {
    for (size_t i = 0; !e && i < n_roots; i++) {
      struct stat st;
      if (strcmp(roots[i], "-") == 0 || stat(roots[i], &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      size_t n = strlen(roots[i]) + sizeof "/.gitleaksignore";
      char *p = malloc(n);
      if (!p) {
        e = CF_ENOMEM;
        break;
      }
      snprintf(p, n, "%s/.gitleaksignore", roots[i]);
      e = read_ignore(ctx, report, p, false, &set);
      free(p);
    }
  }
  if (!e && set.n) {
    qsort(set.items, set.n, sizeof(char *), cmp_str);
    size_t total = cf_findings_count(report->findings);
    for (size_t i = first; !e && i < total; i++) {
      const cf_finding_t *f = cf_findings_at(report->findings, i);
      if (f->suppressed || !f->rule || !f->file) continue;
      /* The file as reported, and relative to the scanned folder it is in (gitleaks writes
       * paths relative to the folder it scans). */
      const char *names[2] = {f->file, NULL};
      for (size_t r = 0; r < n_roots && !names[1]; r++) {
        size_t rl = strlen(roots[r]);
        while (rl > 1 && roots[r][rl - 1] == '/') rl--;
        if (strncmp(f->file, roots[r], rl) == 0 && f->file[rl] == '/') names[1] = f->file + rl + 1;
      }
      bool hit = false;
      for (int k = 0; k < 2 && !hit && names[k]; k++) {
        char *fp = NULL;
        if (f->commit) {
          if (asprintf(&fp, "%s:%s:%s:%u", f->commit, names[k], f->rule->id, f->line) < 0) fp = NULL;
          if (!fp) break;
          hit = listed(&set, fp);
          free(fp);
          fp = NULL;
        }
        if (!hit) {
          if (asprintf(&fp, "%s:%s:%u", names[k], f->rule->id, f->line) < 0) {
            fp = NULL;
            break;
          }
          hit = listed(&set, fp);
          free(fp);
        }
      }
      if (hit) e = cf_findings_suppress(report->findings, i, CF_SUPPRESS_BASELINE, ".gitleaksignore");
    }
  }
  for (size_t i = 0; i < set.n; i++) free(set.items[i]);
  free(set.items);
  return e;
}
