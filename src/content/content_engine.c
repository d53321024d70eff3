/*
 * content_engine.c - scanning one text with a compiled content rule set.
 *
 * 1. One Hyperscan pass over the text collects candidates: (rule, offset where a match may
 *    end). Hyperscan runs every rule as a prefilter, so candidates are a superset.
 * 2. Per rule, the candidates' windows [end - max width, end] are merged into intervals and
 *    PCRE2 (JIT) searches each interval the way a regex engine searches a file: leftmost
 *    first, non-overlapping, with the real text around it for \b and lookbehind. A match is
 *    kept when it ends inside the interval; one that ends later is found from the next
 *    interval. Every real match ends where Hyperscan said one could, so none is lost, and the
 *    results are those of running the rule's regex over the whole text (gitleaks semantics).
 * 3. Each match is filtered (keywords, entropy, allowlists) and rated (validators, context
 *    words), then handed to the caller in order of position.
 *
 * Rules whose regex can match a non-ASCII character through `.`, a negated class or the like
 * ("wide" rules) skip step 1 on text that holds non-ASCII bytes and run with PCRE2 over the
 * whole text: the prefilter reads bytes, PCRE2 reads UTF-8 characters.
 *
 * Limits: at most MAX_CANDIDATES candidates per text (a text beyond that is scanned for the
 * candidates found so far and the caller is told through the return code), windows of at
 * most 16 KiB, PCRE2 match and depth limits against catastrophic backtracking.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "content_internal.h"

#define MAX_CANDIDATES (4u << 20)
#define LOOKAHEAD 256u
#define PCRE_MATCH_LIMIT 1000000u

cf_err cf_content_scanner_new(const cf_content_rules_t *rs, cf_content_scanner_t **out) {
  *out = NULL;
  if (!rs->compiled) return CF_EINVAL;
  cf_content_scanner_t *sc = calloc(1, sizeof(*sc));
  if (!sc) return CF_ENOMEM;
  sc->rs = rs;
  if (rs->db && hs_alloc_scratch(rs->db, &sc->scratch) != HS_SUCCESS) {
    free(sc);
    return CF_ENOMEM;
  }
  sc->md = pcre2_match_data_create(128, NULL); /* rule groups are at most 99 */
  sc->md2 = pcre2_match_data_create(1, NULL);
  sc->mctx = pcre2_match_context_create(NULL);
  sc->kw_seen = calloc(rs->n_kw + 1, 1);
  if (!sc->md || !sc->md2 || !sc->mctx || !sc->kw_seen) {
    cf_content_scanner_free(sc);
    return CF_ENOMEM;
  }
  pcre2_set_match_limit(sc->mctx, PCRE_MATCH_LIMIT);
  pcre2_set_depth_limit(sc->mctx, 10000);
  *out = sc;
  return CF_OK;
}

void cf_content_scanner_free(cf_content_scanner_t *sc) {
  if (!sc) return;
  if (sc->scratch) hs_free_scratch(sc->scratch);
  pcre2_match_data_free(sc->md);
  pcre2_match_data_free(sc->md2);
  pcre2_match_context_free(sc->mctx);
  free(sc->kw_seen);
  free(sc->cands);
  free(sc->found);
  free(sc->lines);
  free(sc);
}

/* ---- helpers ---- */

void cf_content_mask(const char *value, size_t len, char *out, size_t out_size) {
  if (!out_size) return;
  size_t keep = len >= 16 ? 4 : len >= 8 ? 2 : 0;
  size_t stars = len > keep ? len - keep : 0;
  if (keep + stars > 20) stars = 20 - keep;
  size_t k = 0;
  for (size_t i = 0; i < keep && k + 1 < out_size; i++) {
    unsigned char c = (unsigned char)value[i];
    out[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
  }
  for (size_t i = 0; i < stars && k + 1 < out_size; i++) out[k++] = '*';
  out[k] = '\0';
}

static int on_hs_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                       void *ud) {
  (void)from;
  (void)flags;
  cf_content_scanner_t *sc = ud;
  if (id >= CF_KW_ID_BASE) {
    sc->kw_seen[id - CF_KW_ID_BASE] = 1;
    return 0;
  }
  if (sc->n_cands == sc->cap_cands) {
    if (sc->cap_cands >= MAX_CANDIDATES) {
      sc->cands_overflow = true;
      return 1; /* stop: the scan uses what it has */
    }
    size_t nc = sc->cap_cands ? sc->cap_cands * 2 : 256;
    void *n = realloc(sc->cands, nc * sizeof(*sc->cands));
    if (!n) {
      sc->nomem = true;
      return 1;
    }
    sc->cands = n;
    sc->cap_cands = nc;
  }
  sc->cands[sc->n_cands].rule = sc->rs->hs_rule[id];
  sc->cands[sc->n_cands].end = (size_t)to;
  sc->n_cands++;
  return 0;
}

static int cmp_cand(const void *pa, const void *pb) {
  const struct cand *a = pa, *b = pb;
  if (a->rule != b->rule) return a->rule < b->rule ? -1 : 1;
  return a->end < b->end ? -1 : a->end > b->end;
}

static bool ci_contains(const char *hay, size_t n, const char *needle) {
  size_t m = strlen(needle);
  if (m == 0) return true;
  if (m > n) return false;
  char first = needle[0];
  char up = (first >= 'a' && first <= 'z') ? (char)(first - 32) : first;
  for (size_t i = 0; i + m <= n; i++) {
    if (hay[i] != first && hay[i] != up) continue;
    size_t k = 1;
    for (; k < m; k++) {
      char c = hay[i + k];
      if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
      if (c != needle[k]) break;
    }
    if (k == m) return true;
  }
  return false;
}

static bool regex_hits(pcre2_code *re, pcre2_match_data *md, pcre2_match_context *mc, const char *s, size_t n) {
  return pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, mc) >= 0;
}

/* The line of text containing [start, end). */
static void line_of(const char *text, size_t len, size_t start, size_t end, size_t *ls, size_t *le) {
  size_t a = start;
  while (a > 0 && text[a - 1] != '\n') a--;
  const char *nl = memchr(text + end, '\n', len - end);
  *ls = a;
  *le = nl ? (size_t)(nl - text) : len;
}

/* Whether an allowlist drops a match (gitleaks: any check that holds drops it, or every
 * present check with condition AND). */
static bool allowed(cf_content_scanner_t *sc, const callow_t *a, const char *text, size_t len, const char *path,
                    size_t vs, size_t ve, size_t ms, size_t me) {
  int checks = 0, hits = 0;
  if (a->n_regexes) {
    checks++;
    size_t s0 = vs, e0 = ve;
    if (a->target == 1) s0 = ms, e0 = me;
    else if (a->target == 2) line_of(text, len, ms, me, &s0, &e0);
    for (uint32_t i = 0; i < a->n_regexes; i++)
      if (regex_hits(a->regexes[i], sc->md2, sc->mctx, text + s0, e0 - s0)) {
        hits++;
        break;
      }
  }
  if (a->n_stopwords) {
    checks++;
    for (uint32_t i = 0; i < a->n_stopwords; i++)
      if (ci_contains(text + vs, ve - vs, a->stopwords[i])) {
        hits++;
        break;
      }
  }
  if (a->n_paths) {
    checks++;
    for (uint32_t i = 0; path && i < a->n_paths; i++)
      if (regex_hits(a->paths[i], sc->md2, sc->mctx, path, strlen(path))) {
        hits++;
        break;
      }
  }
  if (a->n_commits) {
    checks++;
    for (uint32_t i = 0; sc->commit && i < a->n_commits; i++)
      if (cf__str_istarts(sc->commit, a->commits[i]) || cf__str_istarts(a->commits[i], sc->commit)) {
        hits++;
        break;
      }
  }
  if (!checks) return false;
  return a->all ? hits == checks : hits > 0;
}

static bool global_applies(const callow_t *a, const char *rule_id) {
  if (!a->n_rules) return true;
  for (uint32_t i = 0; i < a->n_rules; i++)
    if (strcmp(a->rules[i], rule_id) == 0) return true;
  return false;
}

/* Line and column of offset, with an index of line starts built on first use. */
static void position(cf_content_scanner_t *sc, const char *text, size_t len, size_t off, uint32_t *line, uint32_t *col) {
  if (!sc->lines_ready) {
    sc->n_lines = 0;
    size_t pos = 0;
    for (;;) {
      if (sc->n_lines == sc->cap_lines) {
        size_t nc = sc->cap_lines ? sc->cap_lines * 2 : 1024;
        size_t *n = realloc(sc->lines, nc * sizeof(size_t));
        if (!n) {
          sc->nomem = true;
          *line = *col = 0;
          return;
        }
        sc->lines = n;
        sc->cap_lines = nc;
      }
      sc->lines[sc->n_lines++] = pos;
      const char *nl = pos < len ? memchr(text + pos, '\n', len - pos) : NULL;
      if (!nl) break;
      pos = (size_t)(nl - text) + 1;
    }
    sc->lines_ready = true;
  }
  size_t lo = 0, hi = sc->n_lines;
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (sc->lines[mid] <= off) lo = mid;
    else hi = mid;
  }
  *line = (uint32_t)(lo + 1);
  *col = (uint32_t)(off - sc->lines[lo] + 1);
}

static cf_err add_found(cf_content_scanner_t *sc, const cf_content_match_t *m) {
  if (sc->n_found == sc->cap_found) {
    size_t nc = sc->cap_found ? sc->cap_found * 2 : 64;
    cf_content_match_t *n = realloc(sc->found, nc * sizeof(*n));
    if (!n) return CF_ENOMEM;
    sc->found = n;
    sc->cap_found = nc;
  }
  sc->found[sc->n_found++] = *m;
  return CF_OK;
}

/* Filters and rates one regex match of rule r; adds it to the scanner's results. */
static cf_err consider(cf_content_scanner_t *sc, const crule_t *r, const char *text, size_t len, const char *path,
                       size_t ms, size_t me) {
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
  size_t vs = ms, ve = me;
  if (r->group && r->group < pcre2_get_ovector_count(sc->md) && ov[2 * r->group] != PCRE2_UNSET) {
    vs = ov[2 * r->group];
    ve = ov[2 * r->group + 1];
  } else if (!r->group && r->gitleaks) {
    /* gitleaks without secretGroup: the first capture group that matched something. */
    uint32_t n = 0, cap = pcre2_get_ovector_count(sc->md);
    pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &n); /* pairs past it hold stale data */
    for (uint32_t g = 1; g <= n && g < cap; g++)
      if (ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] > ov[2 * g]) {
        vs = ov[2 * g];
        ve = ov[2 * g + 1];
        break;
      }
  }
  if (ve <= vs) return CF_OK; /* an empty secret is no secret */
  if (r->entropy > 0) {
    double h = cf__shannon_entropy(text + vs, ve - vs);
    /* YAML rules give a minimum; gitleaks requires the entropy to exceed its threshold. */
    if (h < r->entropy || (r->gitleaks && h <= r->entropy)) return CF_OK;
  }
  for (uint32_t i = 0; i < r->n_allows; i++)
    if (allowed(sc, &r->allows[i], text, len, path, vs, ve, ms, me)) return CF_OK;
  const cf_content_rules_t *rs = sc->rs;
  for (uint32_t i = 0; i < rs->n_global_allows; i++)
    if (global_applies(&rs->global_allows[i], r->info.id) &&
        allowed(sc, &rs->global_allows[i], text, len, path, vs, ve, ms, me))
      return CF_OK;
  uint8_t conf = r->confidence;
  if (r->validator) {
    int v = r->validator->fn(text + vs, ve - vs);
    if (v > 0) conf = CONF_HIGH;
    else if (v < 0) conf = CONF_LOW;
  }
  if (r->n_context) {
    size_t a = ms > r->context_window ? ms - r->context_window : 0;
    size_t b = me + r->context_window < len ? me + r->context_window : len;
    bool near = false;
    for (uint32_t i = 0; !near && i < r->n_context; i++) near = ci_contains(text + a, b - a, r->context[i]);
    if (near && conf < CONF_HIGH) conf++;
  }
  cf_content_match_t m;
  memset(&m, 0, sizeof m);
  m.rule = &r->info;
  m.kind = r->kind;
  m.start = vs;
  m.end = ve;
  m.match_start = ms;
  m.match_end = me;
  m.confidence = conf;
  m.value = text + vs;
  position(sc, text, len, vs, &m.line, &m.column);
  position(sc, text, len, ve - 1, &m.end_line, &m.end_column);
  return add_found(sc, &m);
}

/* Runs rule r's regex over text[from, to] (matches must end by `to`), leftmost-first and
 * without overlap. */
static cf_err run_regex(cf_content_scanner_t *sc, const crule_t *r, const char *text, size_t len, const char *path,
                        size_t from, size_t to) {
  size_t subject = to + LOOKAHEAD < len ? to + LOOKAHEAD : len;
  size_t off = from;
  while (off <= to) {
    int rc = pcre2_match(r->re, (PCRE2_SPTR)text, subject, off, 0, sc->md, sc->mctx);
    if (rc < 0) {
      if (rc == PCRE2_ERROR_NOMEMORY) return CF_ENOMEM;
      break; /* no match, or a limit: nothing more here */
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
    size_t ms = ov[0], me = ov[1];
    if (ms > to) break;
    if (me <= to && me > ms) {
      cf_err e = consider(sc, r, text, len, path, ms, me);
      if (e) return e;
    }
    off = me > ms ? me : ms + 1;
  }
  return CF_OK;
}

static int cmp_found(const void *pa, const void *pb) {
  const cf_content_match_t *a = pa, *b = pb;
  if (a->start != b->start) return a->start < b->start ? -1 : 1;
  if (a->end != b->end) return a->end < b->end ? -1 : 1;
  return strcmp(a->rule->id, b->rule->id);
}

static bool path_matches(cf_content_scanner_t *sc, const crule_t *r, const char *path) {
  if (!r->path) return true;
  return path && regex_hits(r->path, sc->md2, sc->mctx, path, strlen(path));
}

/* Whether text holds a byte of 0x80 or more (eight bytes at a time). */
static bool has_non_ascii(const char *s, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (w & 0x8080808080808080ull) return true;
  }
  for (; i < n; i++)
    if ((unsigned char)s[i] & 0x80) return true;
  return false;
}

/* gitleaks semantics: one of the rule's keywords occurs somewhere in the text (case
 * ignored). The prefilter database holds every keyword as a literal, so its pass over the
 * text already says which occur; the text is searched only when that pass did not finish. */
static bool keywords_present(const cf_content_scanner_t *sc, const crule_t *r, const char *text, size_t len) {
  if (!r->n_keywords || r->kw_always) return true;
  if (sc->kw_known && r->kw_ids) {
    for (uint32_t i = 0; i < r->n_keywords; i++)
      if (sc->kw_seen[r->kw_ids[i]]) return true;
    return false;
  }
  for (uint32_t i = 0; i < r->n_keywords; i++)
    if (ci_contains(text, len, r->keywords[i])) return true;
  return false;
}

/* The rule of a match (the rule's info is the first member of its crule_t). */
static const crule_t *rule_of(const cf_content_match_t *m) { return (const crule_t *)(const void *)m->rule; }

/* Drops each match of a generic rule whose secret overlaps the secret of a specific rule's
 * match: `password = "ghp_..."` is a GitHub token, reported once. found is sorted by start;
 * overlapping matches are neighbours, so the sweep is linear but for runs of overlaps. */
static void drop_generic_overlaps(cf_content_scanner_t *sc) {
  size_t n = sc->n_found, out = 0;
  size_t left_end = 0; /* furthest end of a specific match starting before the current one */
  bool any = false;
  for (size_t i = 0; i < n; i++) any |= rule_of(&sc->found[i])->generic;
  if (!any) return;
  for (size_t i = 0; i < n; i++) {
    const cf_content_match_t *m = &sc->found[i];
    bool drop = false;
    if (rule_of(m)->generic && m->end > m->start) {
      drop = left_end > m->start;
      for (size_t j = i + 1; !drop && j < n && sc->found[j].start < m->end; j++)
        drop = !rule_of(&sc->found[j])->generic && sc->found[j].end > sc->found[j].start;
    } else if (m->end > left_end) {
      left_end = m->end;
    }
    if (!drop) sc->found[out++] = *m;
  }
  sc->n_found = out;
}

cf_err cf_content_scan_text(cf_content_scanner_t *sc, const char *text, size_t len, const char *path,
                            cf_content_match_cb cb, void *ud) {
  const cf_content_rules_t *rs = sc->rs;
  sc->n_cands = 0;
  sc->n_found = 0;
  sc->cands_overflow = false;
  sc->nomem = false;
  sc->lines_ready = false;
  cf_err e = CF_OK;
  /* Rules about file names. */
  for (size_t i = 0; i < rs->n_path_only; i++) {
    const crule_t *r = rs->path_only[i];
    if (!path || !path_matches(sc, r, path)) continue;
    cf_content_match_t m;
    memset(&m, 0, sizeof m);
    m.rule = &r->info;
    m.kind = r->kind;
    m.value = path;
    m.end = 0;
    m.confidence = r->confidence;
    if ((e = add_found(sc, &m))) return e;
  }
  sc->kw_known = false;
  if (rs->n_kw) memset(sc->kw_seen, 0, rs->n_kw);
  if (rs->db && len) {
    hs_error_t he = hs_scan(rs->db, text, (unsigned)(len > UINT32_MAX ? UINT32_MAX : len), 0, sc->scratch, on_hs_match, sc);
    if (sc->nomem) return CF_ENOMEM;
    if (he != HS_SUCCESS && he != HS_SCAN_TERMINATED) return CF_EINVAL;
    sc->kw_known = he == HS_SUCCESS && len <= UINT32_MAX;
  }
  if (sc->n_cands > 1) qsort(sc->cands, sc->n_cands, sizeof(*sc->cands), cmp_cand);
  /* On non-ASCII text the byte-wise prefilter may miss what wide rules match: they run
   * with PCRE2 over the whole text instead (see regex_is_wide in content_rules.c). */
  bool high = rs->n_wide && has_non_ascii(text, len);
  for (size_t i = 0; !e && i < sc->n_cands;) {
    const crule_t *r = rs->rules[sc->cands[i].rule];
    size_t j = i;
    while (j < sc->n_cands && sc->cands[j].rule == sc->cands[i].rule) j++;
    if (!(high && r->wide) && path_matches(sc, r, path) && keywords_present(sc, r, text, len)) {
      /* Merge the windows of this rule's candidates and search each interval once. */
      size_t k = i;
      while (!e && k < j) {
        size_t end = sc->cands[k].end;
        size_t from = end > r->max_width + 1 ? end - r->max_width - 1 : 0;
        size_t to = end;
        k++;
        while (k < j) {
          size_t e2 = sc->cands[k].end;
          size_t f2 = e2 > r->max_width + 1 ? e2 - r->max_width - 1 : 0;
          if (f2 > to) break;
          to = e2;
          k++;
        }
        e = run_regex(sc, r, text, len, path, from, to);
      }
    }
    i = j;
  }
  for (size_t i = 0; !e && i < rs->n_pcre_only; i++) {
    const crule_t *r = rs->pcre_only[i];
    if (path_matches(sc, r, path) && keywords_present(sc, r, text, len)) e = run_regex(sc, r, text, len, path, 0, len);
  }
  for (size_t i = 0; !e && high && i < rs->n_wide; i++) {
    const crule_t *r = rs->wide[i];
    if (path_matches(sc, r, path) && keywords_present(sc, r, text, len)) e = run_regex(sc, r, text, len, path, 0, len);
  }
  if (!e && sc->nomem) e = CF_ENOMEM;
  if (e) return e;
  if (sc->n_found > 1) qsort(sc->found, sc->n_found, sizeof(*sc->found), cmp_found);
  drop_generic_overlaps(sc);
  for (size_t i = 0; i < sc->n_found; i++)
    if (cb(ud, &sc->found[i])) break;
  return sc->cands_overflow ? CF_ELIMIT : CF_OK;
}
