/*
 * content_rules.c - content rules: loading YAML rule files (docs/content-rules.md) and
 * compiling the whole set into one Hyperscan database.
 *
 * Why Hyperscan and PCRE2 together: Hyperscan finds where any of a few hundred patterns may
 * match in one pass over the input at gigabytes per second, but it reports only where a match
 * ends and has no capture groups; PCRE2 (JIT) then confirms each candidate in a small window
 * and extracts the secret. Every pattern goes to Hyperscan with HS_FLAG_PREFILTER, so that
 * constructs Hyperscan cannot run exactly (lookarounds, back references, big bounded repeats)
 * are approximated by a superset and PCRE2 has the final word.
 *
 * A rule set is built (load, filter) on one thread, compiled once, then only read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "content_internal.h"

typedef struct cctx {
  cf_content_rules_t *rs;
  const char *file;
  cf_diags_t *errors;
  bool failed;
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

cf_err cf_content_rules_new(const cf_ctx_t *ctx, unsigned kinds, cf_content_rules_t **out) {
  *out = NULL;
  cf_content_rules_t *rs = calloc(1, sizeof(*rs));
  if (!rs) return CF_ENOMEM;
  rs->ctx = ctx;
  rs->kinds = kinds & (CF_CONTENT_SECRET | CF_CONTENT_PII) ? kinds : CF_CONTENT_SECRET | CF_CONTENT_PII;
  rs->arena = cf__arena_new(0);
  if (!rs->arena) {
    free(rs);
    return CF_ENOMEM;
  }
  *out = rs;
  return CF_OK;
}

void cf_content_rules_free(cf_content_rules_t *rs) {
  if (!rs) return;
  hs_free_database(rs->db);
  for (size_t i = 0; i < rs->n_codes; i++) pcre2_code_free(rs->codes[i]);
  for (size_t i = 0; i < rs->n_docs; i++) cf_doc_free(rs->docs[i]);
  free(rs->codes);
  free(rs->docs);
  free(rs->rules);
  free(rs->hs_rule);
  free(rs->path_only);
  free(rs->pcre_only);
  free(rs->wide);
  free(rs->global_allows);
  free(rs->kw);
  cf__arena_free(rs->arena);
  free(rs);
}

size_t cf_content_rules_count(const cf_content_rules_t *rs) { return rs->n_rules; }

const cf_rule_info_t *cf_content_rules_info(const cf_content_rules_t *rs, size_t i) {
  return i < rs->n_rules ? &rs->rules[i]->info : NULL;
}

const char *const *cf_content_rules_keywords(const cf_content_rules_t *rs, size_t i) {
  return i < rs->n_rules ? rs->rules[i]->keywords_z : NULL;
}

pcre2_code *cf__content_regex(cf_content_rules_t *rs, const char *pattern, size_t len, bool caseless,
                              char *msg, size_t msg_size) {
  return cf__content_regex_opts(rs, pattern, len, caseless ? PCRE2_CASELESS : 0, msg, msg_size);
}

/*
 * PCRE2's JIT before 10.43 does not let a bare \S, \W or \D match a multi-byte character
 * when PCRE2_MATCH_INVALID_UTF is set (PCRE2 issue #224; Debian 12 ships 10.42), while the
 * interpreter does. The same classes written in brackets, [^\s], [^\w] and [^\d], work in
 * both, so patterns are compiled with that spelling. Returns a malloc'd copy, or NULL when
 * there is nothing to rewrite (or no memory: the pattern is then compiled as written).
 */
static char *jit_safe_classes(const char *p, size_t n, size_t *out_len) {
  bool any = false;
  for (size_t i = 0; i + 1 < n && !any; i++) any = p[i] == '\\' && (p[i + 1] == 'S' || p[i + 1] == 'W' || p[i + 1] == 'D');
  if (!any || n > SIZE_MAX / 3) return NULL;
  char *o = malloc(n * 3 + 1);
  if (!o) return NULL;
  size_t k = 0;
  bool in_class = false, quoted = false;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (quoted) {
      if (c == '\\' && i + 1 < n && p[i + 1] == 'E') quoted = false;
      o[k++] = c;
      continue;
    }
    if (c == '\\' && i + 1 < n) {
      char d = p[i + 1];
      i++;
      if (d == 'Q') quoted = true;
      if (!in_class && (d == 'S' || d == 'W' || d == 'D')) {
        o[k++] = '[';
        o[k++] = '^';
        o[k++] = '\\';
        o[k++] = (char)(d + ('a' - 'A'));
        o[k++] = ']';
      } else {
        o[k++] = c;
        o[k++] = d;
      }
      continue;
    }
    o[k++] = c;
    if (in_class) {
      if (c == ']') in_class = false;
      else if (c == '[' && i + 1 < n && p[i + 1] == ':') {
        /* a POSIX class inside the brackets: copy it whole */
        const char *e = memchr(p + i + 2, ']', n - i - 2);
        if (e && e[-1] == ':') {
          size_t m = (size_t)(e - (p + i + 1)) + 1;
          memcpy(o + k, p + i + 1, m);
          k += m;
          i += m;
        }
      }
    } else if (c == '[') {
      in_class = true;
      if (i + 1 < n && p[i + 1] == '^') o[k++] = p[++i];
      if (i + 1 < n && p[i + 1] == ']') o[k++] = p[++i]; /* a leading ] is literal */
    }
  }
  o[k] = '\0';
  *out_len = k;
  return o;
}

pcre2_code *cf__content_regex_opts(cf_content_rules_t *rs, const char *pattern, size_t len, uint32_t extra,
                                   char *msg, size_t msg_size) {
  if (len > CF_LIMIT_REGEX_LEN * 4) {
    if (msg) snprintf(msg, msg_size, "regex longer than %u bytes", CF_LIMIT_REGEX_LEN * 4);
    return NULL;
  }
  int ec;
  PCRE2_SIZE eo;
  uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | extra;
  size_t safe_len = 0;
  char *safe = jit_safe_classes(pattern, len, &safe_len);
  pcre2_code *re = pcre2_compile((PCRE2_SPTR)(safe ? safe : pattern), safe ? safe_len : len, opts, &ec, &eo, NULL);
  if (!re && safe) re = pcre2_compile((PCRE2_SPTR)pattern, len, opts, &ec, &eo, NULL); /* errors in the rule's terms */
  free(safe);
  if (!re) {
    PCRE2_UCHAR m[256];
    pcre2_get_error_message(ec, m, sizeof m);
    if (msg && ec == PCRE2_ERROR_HEAP_FAILED) snprintf(msg, msg_size, CF_CONTENT_REGEX_NOMEM);
    else if (msg) snprintf(msg, msg_size, "invalid regex at offset %zu: %s", (size_t)eo, (const char *)m);
    return NULL;
  }
  (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter serves when JIT cannot */
  if (!cf__grow((void **)&rs->codes, &rs->cap_codes, rs->n_codes, sizeof(pcre2_code *))) {
    pcre2_code_free(re);
    if (msg) snprintf(msg, msg_size, CF_CONTENT_REGEX_NOMEM);
    return NULL;
  }
  rs->codes[rs->n_codes++] = re;
  return re;
}

cf_err cf__content_add_rule(cf_content_rules_t *rs, crule_t *r) {
  if (rs->compiled) return CF_EINVAL;
  if (!cf__grow((void **)&rs->rules, &rs->cap_rules, rs->n_rules, sizeof(crule_t *))) return CF_ENOMEM;
  rs->rules[rs->n_rules++] = r;
  return CF_OK;
}

/* ---- YAML rules ---- */

static const char *const known_keys[] = {
    "id", "title", "description", "severity", "threats", "service_models", "regex",
    "group", "entropy", "keywords", "validate", "confidence", "path", "context", "allow",
    "remediation", "references", "analyzer", "generic", NULL};

/* The analyser a rule document belongs to: secrets, dlp, or NULL (a posture rule). */
static const char *doc_analyzer(const cf_node_t *doc) {
  const char *an = doc->type == CF_NODE_OBJECT ? cf_node_str(cf_node_get(doc, "analyzer")) : NULL;
  return an && (strcmp(an, "secrets") == 0 || strcmp(an, "dlp") == 0) ? an : NULL;
}

static const char **str_list(cctx_t *c, const cf_node_t *v, const char *key, uint32_t *n_out, bool lower) {
  uint32_t n = 0;
  *n_out = 0;
  if (!v) return NULL;
  const cf_node_t *one[1] = {v};
  const cf_node_t *const *items = v->type == CF_NODE_ARRAY ? (const cf_node_t *const *)v->u.items : one;
  uint32_t count = v->type == CF_NODE_ARRAY ? v->len : 1;
  const char **out = cf__arena_zalloc(c->rs->arena, (count + 1) * sizeof(char *));
  if (!out) return NULL;
  for (uint32_t i = 0; i < count; i++) {
    const char *s = cf_node_str(items[i]);
    if (!s) {
      cerr(c, items[i]->pos, "'%s' expects strings", key);
      return NULL;
    }
    if (lower) {
      char *l = cf__arena_strdup(c->rs->arena, s);
      if (!l) return NULL;
      for (char *p = l; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
      s = l;
    }
    out[n++] = s;
  }
  *n_out = n;
  return out;
}

static bool compile_allow(cctx_t *c, const cf_node_t *v, callow_t *a) {
  memset(a, 0, sizeof *a);
  if (v->type != CF_NODE_OBJECT) {
    cerr(c, v->pos, "'allow' expects a mapping (regexes, stopwords, paths, target, condition)");
    return false;
  }
  for (uint32_t i = 0; i < v->len; i++) {
    const cf_member_t *m = &v->u.members[i];
    if (strcmp(m->key, "regexes") == 0 || strcmp(m->key, "paths") == 0) {
      uint32_t n = 0;
      const char **l = str_list(c, m->value, m->key, &n, false);
      if (!l && n) return false;
      pcre2_code **codes = cf__arena_zalloc(c->rs->arena, (n + 1) * sizeof(pcre2_code *));
      if (!codes) return false;
      for (uint32_t k = 0; k < n; k++) {
        char msg[300];
        if (!(codes[k] = cf__content_regex(c->rs, l[k], strlen(l[k]), false, msg, sizeof msg))) {
          cerr(c, m->value->pos, "allow %s: %s", m->key, msg);
          return false;
        }
      }
      if (m->key[0] == 'r') {
        a->regexes = codes;
        a->n_regexes = n;
      } else {
        a->paths = codes;
        a->n_paths = n;
      }
    } else if (strcmp(m->key, "stopwords") == 0) {
      a->stopwords = str_list(c, m->value, m->key, &a->n_stopwords, true);
    } else if (strcmp(m->key, "target") == 0) {
      const char *t = cf_node_str(m->value);
      if (t && strcmp(t, "secret") == 0) a->target = 0;
      else if (t && strcmp(t, "match") == 0) a->target = 1;
      else if (t && strcmp(t, "line") == 0) a->target = 2;
      else {
        cerr(c, m->value->pos, "'target' expects secret, match or line");
        return false;
      }
    } else if (strcmp(m->key, "condition") == 0) {
      const char *t = cf_node_str(m->value);
      if (t && strcasecmp(t, "and") == 0) a->all = true;
      else if (t && strcasecmp(t, "or") == 0) a->all = false;
      else {
        cerr(c, m->value->pos, "'condition' expects and or or");
        return false;
      }
    } else {
      cerr(c, m->key_pos, "unknown allow key '%s' (regexes, stopwords, paths, target, condition)", m->key);
      return false;
    }
  }
  return !c->failed;
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
  cf_arena_t *a = c->rs->arena;
  crule_t *r = cf__arena_zalloc(a, sizeof(*r));
  if (!r) return;
  const cf_node_t *v;
  r->info.id = cf_node_str(cf_node_get(doc, "id"));
  r->info.title = cf_node_str(cf_node_get(doc, "title"));
  if (!r->info.id || !*r->info.id) cerr(c, doc->pos, "rule needs 'id' (a non-empty string)");
  if (!r->info.title) cerr(c, doc->pos, "rule needs 'title'");
  r->info.description = cf_node_str(cf_node_get(doc, "description"));
  r->info.file = cf__arena_strdup(a, c->file);
  r->info.line = doc->pos.line;
  r->kind = strcmp(doc_analyzer(doc), "dlp") == 0 ? CF_CONTENT_PII : CF_CONTENT_SECRET;
  r->info.analyzer = r->kind == CF_CONTENT_PII ? "dlp" : "secrets";
  v = cf_node_get(doc, "severity");
  if (!v || !cf_node_str(v) || !cf_severity_parse(v->u.s, &r->info.severity))
    cerr(c, v ? v->pos : doc->pos, "rule needs 'severity' (critical, high, medium, low or info)");
  v = cf_node_get(doc, "threats");
  if (!v) {
    /* Secrets are threats 1 and 8; personal data 8 and 11 (the analyser's defaults). */
    r->info.threats[0] = r->kind == CF_CONTENT_PII ? 8 : 1;
    r->info.threats[1] = r->kind == CF_CONTENT_PII ? 11 : 8;
    r->info.n_threats = 2;
  } else if (v->type != CF_NODE_ARRAY || v->len == 0 || v->len > CF_THREAT_COUNT - 1) {
    cerr(c, v->pos, "'threats' expects a list of CSA threat numbers 1-11");
  } else {
    for (uint32_t i = 0; i < v->len; i++) {
      if (v->u.items[i]->type != CF_NODE_INT || !cf_threat_get((unsigned)v->u.items[i]->u.i)) {
        cerr(c, v->u.items[i]->pos, "threat must be a number from 1 to 11");
        break;
      }
      r->info.threats[r->info.n_threats++] = (uint8_t)v->u.items[i]->u.i;
    }
  }
  r->source_threat = r->kind == CF_CONTENT_SECRET;
  uint32_t n_sm = 0;
  const char **sms = str_list(c, cf_node_get(doc, "service_models"), "service_models", &n_sm, false);
  for (uint32_t i = 0; sms && i < n_sm; i++) {
    unsigned bit = cf_service_model_parse(sms[i]);
    if (!bit) cerr(c, cf_node_get(doc, "service_models")->pos, "unknown service model '%s'", sms[i]);
    r->info.service_models |= bit;
  }
  if (!r->info.service_models) r->info.service_models = CF_SM_IAAS | CF_SM_PAAS | CF_SM_SAAS;
  v = cf_node_get(doc, "regex");
  const cf_node_t *path = cf_node_get(doc, "path");
  if (v) {
    if (!cf_node_str(v) || v->len == 0) {
      cerr(c, v->pos, "'regex' expects a non-empty string");
    } else {
      char msg[300];
      r->regex = v->u.s;
      if (!(r->re = cf__content_regex(c->rs, v->u.s, v->len, false, msg, sizeof msg))) cerr(c, v->pos, "%s", msg);
    }
  } else if (!path) {
    cerr(c, doc->pos, "rule needs 'regex' (or 'path' for a rule about file names)");
  }
  if (path) {
    char msg[300];
    if (!cf_node_str(path) || !(r->path = cf__content_regex(c->rs, path->u.s, path->len, false, msg, sizeof msg)))
      cerr(c, path->pos, "'path': %s", cf_node_str(path) ? msg : "expects a regex");
  }
  v = cf_node_get(doc, "group");
  if (v) {
    if (v->type != CF_NODE_INT || v->u.i < 0 || v->u.i > 99) cerr(c, v->pos, "'group' expects a capture group number");
    else r->group = (uint32_t)v->u.i;
  } else if (r->re) {
    uint32_t n_groups = 0;
    pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &n_groups);
    r->group = n_groups ? 1 : 0;
  }
  if (r->re && r->group) {
    uint32_t n_groups = 0;
    pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &n_groups);
    if (r->group > n_groups) cerr(c, cf_node_get(doc, "group") ? cf_node_get(doc, "group")->pos : doc->pos,
                                  "'group' %u but the regex has %u capture groups", r->group, n_groups);
  }
  v = cf_node_get(doc, "entropy");
  if (v) {
    double e;
    if (!cf_node_number(v, &e) || e < 0 || e > 8) cerr(c, v->pos, "'entropy' expects bits per byte from 0 to 8");
    else r->entropy = e;
  }
  r->keywords = str_list(c, cf_node_get(doc, "keywords"), "keywords", &r->n_keywords, true);
  r->keywords_z = r->keywords ? r->keywords : (const char *const *)cf__arena_zalloc(a, sizeof(char *));
  v = cf_node_get(doc, "validate");
  if (v) {
    const char *name = cf_node_str(v);
    if (!name || !(r->validator = cf__validator_find(name))) cerr(c, v->pos, "unknown validator '%s'", name ? name : "?");
  }
  r->confidence = CONF_HIGH;
  v = cf_node_get(doc, "confidence");
  if (v) {
    const char *s = cf_node_str(v);
    if (s && strcmp(s, "high") == 0) r->confidence = CONF_HIGH;
    else if (s && strcmp(s, "medium") == 0) r->confidence = CONF_MEDIUM;
    else if (s && strcmp(s, "low") == 0) r->confidence = CONF_LOW;
    else cerr(c, v->pos, "'confidence' expects high, medium or low");
  }
  v = cf_node_get(doc, "generic");
  if (v) {
    if (v->type != CF_NODE_BOOL) cerr(c, v->pos, "'generic' expects true or false");
    else r->generic = v->u.b;
  }
  v = cf_node_get(doc, "context");
  if (v) {
    const cf_node_t *words = cf_node_get(v, "words");
    if (v->type != CF_NODE_OBJECT || !words) {
      cerr(c, v->pos, "'context' expects a mapping with 'words' (and optional 'window')");
    } else {
      r->context = str_list(c, words, "words", &r->n_context, true);
      const cf_node_t *w = cf_node_get(v, "window");
      r->context_window = 80;
      if (w && (w->type != CF_NODE_INT || w->u.i < 1 || w->u.i > 4096)) cerr(c, w->pos, "'window' expects 1 to 4096 bytes");
      else if (w) r->context_window = (uint32_t)w->u.i;
    }
  }
  v = cf_node_get(doc, "allow");
  if (v) {
    const cf_node_t *one[1] = {v};
    const cf_node_t *const *items = v->type == CF_NODE_ARRAY ? (const cf_node_t *const *)v->u.items : one;
    uint32_t n = v->type == CF_NODE_ARRAY ? v->len : 1;
    r->allows = cf__arena_zalloc(a, (n + 1) * sizeof(callow_t));
    for (uint32_t i = 0; r->allows && i < n; i++)
      if (compile_allow(c, items[i], &r->allows[r->n_allows])) r->n_allows++;
  }
  const cf_node_t *rem = cf_node_get(doc, "remediation");
  if (rem && rem->type == CF_NODE_STRING) r->info.remediation.text = rem->u.s;
  else if (rem && rem->type == CF_NODE_OBJECT) {
    r->info.remediation.text = cf_node_str(cf_node_get(rem, "text"));
    r->info.remediation.cli = cf_node_str(cf_node_get(rem, "cli"));
  }
  if (!r->info.remediation.text) cerr(c, rem ? rem->pos : doc->pos, "rule needs 'remediation' with at least 'text'");
  uint32_t n_refs = 0;
  const char **refs = str_list(c, cf_node_get(doc, "references"), "references", &n_refs, false);
  if (refs) r->info.references = refs;
  for (size_t i = 0; r->info.id && i < c->rs->n_rules; i++)
    if (strcmp(c->rs->rules[i]->info.id, r->info.id) == 0)
      cerr(c, cf_node_get(doc, "id")->pos, "duplicate rule id '%s' (also in %s:%u)", r->info.id,
           c->rs->rules[i]->info.file, c->rs->rules[i]->info.line);
  if (!c->failed && cf__content_add_rule(c->rs, r)) cerr(c, doc->pos, "out of memory");
  c->failed = c->failed || was_failed;
}

cf_err cf_content_rules_load_text(cf_content_rules_t *rs, const char *name, const char *text, size_t len,
                                  cf_diags_t *errors) {
  if (rs->compiled) return CF_EINVAL;
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
  cctx_t c = {rs, name, errors, false};
  size_t before = rs->n_rules, others = 0;
  for (size_t i = 0; i < doc->n_roots; i++) {
    if (doc->roots[i]->type == CF_NODE_NULL) continue;
    /* Posture rules may share a rule folder: a document without `analyzer: secrets` or
     * `analyzer: dlp` is theirs. */
    const char *an = doc_analyzer(doc->roots[i]);
    unsigned kind = an && strcmp(an, "dlp") == 0 ? CF_CONTENT_PII : CF_CONTENT_SECRET;
    if (!an || !(rs->kinds & kind)) {
      others++;
      continue;
    }
    compile_rule(&c, doc->roots[i]);
  }
  if (!c.failed && rs->n_rules == before && !others) cerr(&c, (cf_pos_t){0, 1, 1}, "no rule in file");
  return c.failed ? CF_ERULE : CF_OK;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static cf_err load_dir(cf_content_rules_t *rs, const char *dir, cf_diags_t *errors, unsigned depth, bool *bad) {
  if (depth > 16) return CF_OK;
  DIR *d = opendir(dir);
  if (!d) {
    if (errors) (void)cf_diags_add(errors, CF_EIO, dir, 0, 0, "cannot open rule directory: %s", strerror(errno));
    *bad = true;
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
  if (names) qsort(names, n, sizeof(char *), cmp_str);
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
      err = load_dir(rs, p, errors, depth + 1, bad);
    } else if (cf__str_ends(names[i], ".yaml") || cf__str_ends(names[i], ".yml")) {
      char *buf = NULL;
      size_t len = 0;
      cf_diag_t dg;
      cf_diag_init(&dg);
      cf_err e = cf__read_file(p, cf__limits(rs->ctx)->max_rule_size, 1, &buf, &len, &dg);
      if (e) {
        if (errors) (void)cf_diags_adopt(errors, &dg);
        *bad = true;
      } else {
        e = cf_content_rules_load_text(rs, p, buf, len, errors);
        if (e == CF_ENOMEM) err = e;
        else if (e) *bad = true;
      }
      cf_diag_cleanup(&dg);
      free(buf);
    }
    free(p);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return err;
}

cf_err cf_content_rules_load_dir(cf_content_rules_t *rs, const char *dir, cf_diags_t *errors) {
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

cf_err cf_content_rules_load_builtin(cf_content_rules_t *rs, cf_diags_t *errors) {
  unsigned kinds = rs->kinds;
  bool bad = false;
  for (const cf_embedded_file_t *f = cf__embedded_rules; f->path; f++) {
    bool want = ((kinds & CF_CONTENT_SECRET) && cf__str_starts(f->path, "rules/content/secrets/")) ||
                ((kinds & CF_CONTENT_PII) && cf__str_starts(f->path, "rules/content/pii/"));
    if (!want) continue;
    cf_err e = cf_content_rules_load_text(rs, f->path, f->data, f->len, errors);
    if (e == CF_ENOMEM) return e;
    if (e) bad = true;
  }
  return bad ? CF_ERULE : CF_OK;
}

cf_err cf_content_rules_filter(cf_content_rules_t *rs, const char *const *include, size_t n_include,
                               const char *const *exclude, size_t n_exclude) {
  if (rs->compiled) return CF_EINVAL;
  size_t k = 0;
  for (size_t i = 0; i < rs->n_rules; i++) {
    const char *id = rs->rules[i]->info.id;
    bool in = n_include == 0, out = false;
    for (size_t j = 0; j < n_include; j++) in = in || cf__glob_match(include[j], id, true);
    for (size_t j = 0; j < n_exclude; j++) out = out || cf__glob_match(exclude[j], id, true);
    if (in && !out) rs->rules[k++] = rs->rules[i];
  }
  rs->n_rules = k;
  return CF_OK;
}

/* ---- compiling ---- */

/*
 * Whether a regex may match a non-ASCII character through a construct the prefilter reads
 * byte by byte: `.`, a negated class, \S \W \D \H \V \N \R \X \C, Unicode properties, or a
 * non-ASCII literal. Hyperscan runs without UTF-8 mode (arbitrary bytes must never fail a
 * scan), so for it `.{4}` is four bytes while PCRE2 reads four characters: on text holding
 * non-ASCII bytes such a rule would miss matches its regex has. The test over-approximates
 * (a `.` in a comment counts); the cost is a PCRE2 pass on non-ASCII text only.
 */
static bool regex_is_wide(const char *re) {
  bool in_class = false;
  for (const char *p = re; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c >= 0x80) return true;
    if (c == '\\') {
      char d = p[1];
      if (!d) break;
      if (strchr("SWDHVNRXCpP", d)) return true;
      p++;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '.') return true;
    if (c == '[') {
      if (p[1] == '^') return true;
      in_class = true;
      if (p[1] == ']') p++; /* a leading ] is literal */
    }
  }
  return false;
}

/* The widest window a candidate is confirmed in: matches longer than this are not found
 * (private keys are the longest secrets, a few kilobytes). */
#define MAX_WINDOW (16u << 10)

/* Gives every rule's keywords ids in rs->kw (the distinct keywords, in order of first use). */
static cf_err number_keywords(cf_content_rules_t *rs) {
  size_t cap = 0;
  for (size_t i = 0; i < rs->n_rules; i++) {
    crule_t *r = rs->rules[i];
    if (!r->n_keywords) continue;
    r->kw_ids = cf__arena_alloc(rs->arena, r->n_keywords * sizeof(uint32_t));
    if (!r->kw_ids) return CF_ENOMEM;
    for (uint32_t j = 0; j < r->n_keywords; j++) {
      const char *w = r->keywords[j];
      if (!w[0]) {
        r->kw_always = true;
        r->kw_ids[j] = 0;
        continue;
      }
      size_t x = 0;
      while (x < rs->n_kw && strcmp(rs->kw[x], w) != 0) x++;
      if (x == rs->n_kw) {
        if (!cf__grow((void **)&rs->kw, &cap, rs->n_kw, sizeof(char *))) return CF_ENOMEM;
        rs->kw[rs->n_kw++] = (char *)w;
      }
      r->kw_ids[j] = (uint32_t)x;
    }
  }
  return CF_OK;
}

/* A keyword as a Hyperscan pattern matching exactly its bytes (every byte escaped). */
static char *keyword_pattern(const char *w) {
  size_t n = strlen(w);
  char *p = malloc(4 * n + 1);
  if (!p) return NULL;
  for (size_t i = 0; i < n; i++) snprintf(p + 4 * i, 5, "\\x%02x", (unsigned char)w[i]);
  p[4 * n] = '\0';
  return p;
}

cf_err cf_content_rules_compile(cf_content_rules_t *rs, cf_diags_t *errors) {
  if (rs->compiled) return CF_OK;
  size_t n = rs->n_rules;
  cf_err err = number_keywords(rs);
  if (err) return err;
  size_t nk = rs->n_kw;
  /* The rule patterns, in order, then the keyword literals: what the database is made of. */
  const char **all = calloc(n + nk + 1, sizeof(char *));
  unsigned *all_flags = calloc(n + nk + 1, sizeof(unsigned));
  size_t *all_rule = calloc(n + 1, sizeof(size_t));  /* -> rule index */
  uint8_t *pre = calloc(n + 1, 1);                    /* 1: in the prefilter database */
  uint32_t *width = calloc(n + 1, sizeof(uint32_t));
  const char **exprs = calloc(n + nk + 1, sizeof(char *));
  unsigned *flags = calloc(n + nk + 1, sizeof(unsigned));
  unsigned *ids = calloc(n + nk + 1, sizeof(unsigned));
  size_t *of = calloc(n + 1, sizeof(size_t));         /* database position -> position in all */
  char **kwx = calloc(nk + 1, sizeof(char *));
  rs->hs_rule = calloc(n + 1, sizeof(unsigned));
  rs->path_only = calloc(n + 1, sizeof(crule_t *));
  rs->pcre_only = calloc(n + 1, sizeof(crule_t *));
  rs->wide = calloc(n + 1, sizeof(crule_t *));
  if (!all || !all_flags || !all_rule || !pre || !width || !exprs || !flags || !ids || !of || !kwx || !rs->hs_rule ||
      !rs->path_only || !rs->pcre_only || !rs->wide) {
    err = CF_ENOMEM;
    goto out;
  }
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    crule_t *r = rs->rules[i];
    if (!r->regex) {
      rs->path_only[rs->n_path_only++] = r;
      continue;
    }
    /* Prefilter mode lets Hyperscan accept every PCRE construct as a superset; UTF-8 mode is
     * left off so that arbitrary bytes (binary files, broken encodings) never fail a scan. */
    all[m] = r->regex;
    all_flags[m] = HS_FLAG_PREFILTER | HS_FLAG_ALLOWEMPTY;
    all_rule[m] = i;
    m++;
  }
  /* Keywords are found in the same pass (gitleaks asks for one anywhere in the text), once
   * each: a rule with keywords is considered only when one of them was seen. */
  for (size_t j = 0; j < nk; j++) {
    if (!(kwx[j] = keyword_pattern(rs->kw[j]))) {
      err = CF_ENOMEM;
      goto out;
    }
    all[m + j] = kwx[j];
    all_flags[m + j] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
  }
  char key[65];
  bool keyed = (m || nk) && cf__hs_cache_key(all, all_flags, m + nk, key);
  bool cached = keyed && cf__hs_cache_load(rs->ctx, key, m, pre, width, &rs->db);
  size_t k = 0;
  if (cached) {
    for (size_t j = 0; j < m; j++) {
      crule_t *r = rs->rules[all_rule[j]];
      r->max_width = width[j];
      if (pre[j]) rs->hs_rule[k++] = (unsigned)all_rule[j];
      else rs->pcre_only[rs->n_pcre_only++] = r;
    }
  } else {
    for (size_t j = 0; j < m; j++) {
      crule_t *r = rs->rules[all_rule[j]];
      hs_expr_info_t *info = NULL;
      hs_compile_error_t *ce = NULL;
      if (hs_expression_info(all[j], all_flags[j], &info, &ce) == HS_SUCCESS && info) {
        r->max_width = info->max_width > MAX_WINDOW ? MAX_WINDOW : info->max_width;
        free(info);
      } else {
        /* Even as a prefilter Hyperscan refuses a few constructs: such a rule is run with
         * PCRE2 alone over the whole input (slower, same results). */
        if (ce) hs_free_compile_error(ce);
        r->max_width = MAX_WINDOW;
        width[j] = MAX_WINDOW;
        rs->pcre_only[rs->n_pcre_only++] = r;
        continue;
      }
      width[j] = r->max_width;
      pre[j] = 1;
      of[k] = j;
      rs->hs_rule[k] = (unsigned)all_rule[j];
      k++;
    }
    /* A pattern that passes hs_expression_info may still fail in the combined compile (too
     * large, for one): such a rule moves to PCRE2 alone and the rest are compiled again. */
    while (k + nk) {
      for (size_t j = 0; j < k; j++) {
        exprs[j] = all[of[j]];
        flags[j] = all_flags[of[j]];
        ids[j] = (unsigned)j;
      }
      for (size_t j = 0; j < nk; j++) {
        exprs[k + j] = all[m + j];
        flags[k + j] = all_flags[m + j];
        ids[k + j] = CF_KW_ID_BASE + (unsigned)j;
      }
      hs_compile_error_t *ce = NULL;
      if (hs_compile_multi(exprs, flags, ids, (unsigned)(k + nk), HS_MODE_BLOCK, NULL, &rs->db, &ce) == HS_SUCCESS)
        break;
      int bad = ce ? ce->expression : -1;
      if (bad < 0 || (size_t)bad >= k) {
        if (errors)
          (void)cf_diags_add(errors, CF_ERULE, NULL, 0, 0, "content rules: the prefilter database did not compile: %s",
                             ce && ce->message ? ce->message : "compile error");
        if (ce) hs_free_compile_error(ce);
        err = CF_ERULE;
        goto out;
      }
      if (ce) hs_free_compile_error(ce);
      crule_t *r = rs->rules[rs->hs_rule[bad]];
      r->max_width = MAX_WINDOW;
      pre[of[bad]] = 0;
      width[of[bad]] = MAX_WINDOW;
      rs->pcre_only[rs->n_pcre_only++] = r;
      for (size_t j = (size_t)bad; j + 1 < k; j++) {
        of[j] = of[j + 1];
        rs->hs_rule[j] = rs->hs_rule[j + 1];
      }
      k--;
    }
    if (keyed && rs->db) cf__hs_cache_store(rs->ctx, key, m, pre, width, rs->db);
  }
  rs->n_hs = k;
  for (size_t j = 0; j < k; j++) {
    crule_t *r = rs->rules[rs->hs_rule[j]];
    r->wide = regex_is_wide(r->regex);
    if (r->wide) rs->wide[rs->n_wide++] = r;
  }
  rs->compiled = true;
out:
  for (size_t j = 0; kwx && j < nk; j++) free(kwx[j]);
  free(kwx);
  free(all);
  free(all_flags);
  free(all_rule);
  free(pre);
  free(width);
  free(exprs);
  free(flags);
  free(ids);
  free(of);
  return err;
}
