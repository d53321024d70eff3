/*
 * finding.c - the findings list, severities and fingerprints.
 *
 * Fingerprint: SHA-256 over the rule id, the file path as reported (a leading "./" removed),
 * the resource address, the attribute and the evidence, separated by NUL bytes; the first 128
 * bits in hex. The line is left out on purpose, so that moving a block does not turn a
 * suppressed finding into a new one; two findings that differ only in line are the same
 * problem reported twice.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cloudfort/finding.h"
#include "core.h"

struct cf_findings {
  cf_finding_t *items;
  size_t len, cap;
  cf_arena_t *arena;
  /* Findings come in runs from one file and one resource: their strings are kept once per
   * run, which saves memory and lets sorting compare pointers first. */
  const char *last_file, *last_type;
};

static const char *const sev_names[CF_SEV_COUNT] = {"info", "low", "medium", "high", "critical"};

const char *cf_confidence_name(unsigned confidence) {
  static const char *const names[] = {NULL, "low", "medium", "high"};
  return confidence < 4 ? names[confidence] : NULL;
}

const char *cf_severity_name(cf_severity s) {
  return (unsigned)s < CF_SEV_COUNT ? sev_names[s] : "unknown";
}

bool cf_severity_parse(const char *name, cf_severity *out) {
  for (unsigned i = 0; i < CF_SEV_COUNT; i++) {
    if (strcasecmp(name, sev_names[i]) == 0) {
      *out = (cf_severity)i;
      return true;
    }
  }
  return false;
}

unsigned cf_rule_group(const cf_rule_info_t *rule) {
  if (!rule || rule->n_threats == 0) return 4;
  const cf_threat_info_t *t = cf_threat_get(rule->threats[0]);
  return t ? t->group : 4;
}

cf_findings_t *cf_findings_new(void) {
  cf_findings_t *f = calloc(1, sizeof(*f));
  if (!f) return NULL;
  f->arena = cf__arena_new(0);
  if (!f->arena) {
    free(f);
    return NULL;
  }
  return f;
}

void cf_findings_free(cf_findings_t *f) {
  if (!f) return;
  cf__arena_free(f->arena);
  free(f->items);
  free(f);
}

static const char *norm_path(const char *p) {
  while (p && p[0] == '.' && p[1] == '/') p += 2;
  return p;
}

void cf_finding_fingerprint(const cf_finding_t *fd, char out[33]) {
  const char *parts[5] = {fd->rule ? fd->rule->id : "", norm_path(fd->file), fd->resource,
                          fd->attribute, fd->evidence};
  for (int i = 0; i < 5; i++)
    if (!parts[i]) parts[i] = "";
  char hex[65];
  if (!cf__sha256_strs_hex(parts, 5, hex)) {
    out[0] = '\0'; /* out of memory: no fingerprint rather than a wrong one */
    return;
  }
  memcpy(out, hex, 32);
  out[32] = '\0';
}

static const char *dup(cf_arena_t *a, const char *s, bool *oom) {
  if (!s) return NULL;
  char *c = cf__arena_strdup(a, s);
  if (!c) *oom = true;
  return c;
}

cf_err cf_findings_add(cf_findings_t *f, const cf_finding_t *t) {
  if (f->len == f->cap) {
    size_t nc = f->cap ? f->cap * 2 : 64;
    cf_finding_t *n = realloc(f->items, nc * sizeof(*n));
    if (!n) return CF_ENOMEM;
    f->items = n;
    f->cap = nc;
  }
  cf_finding_t *d = &f->items[f->len];
  bool oom = false;
  *d = *t;
  if (t->file && f->last_file && strcmp(t->file, f->last_file) == 0) d->file = f->last_file;
  else d->file = f->last_file = dup(f->arena, t->file, &oom);
  d->resource = dup(f->arena, t->resource, &oom);
  if (t->resource_type && f->last_type && strcmp(t->resource_type, f->last_type) == 0) d->resource_type = f->last_type;
  else d->resource_type = f->last_type = dup(f->arena, t->resource_type, &oom);
  d->event_id = dup(f->arena, t->event_id, &oom);
  d->attribute = dup(f->arena, t->attribute, &oom);
  d->evidence = dup(f->arena, t->evidence, &oom);
  d->suppress_reason = dup(f->arena, t->suppress_reason, &oom);
  d->commit = dup(f->arena, t->commit, &oom);
  d->author = dup(f->arena, t->author, &oom);
  d->email = dup(f->arena, t->email, &oom);
  d->date = dup(f->arena, t->date, &oom);
  d->message = dup(f->arena, t->message, &oom);
  d->secret = dup(f->arena, t->secret, &oom);
  d->match = dup(f->arena, t->match, &oom);
  if (oom) return CF_ENOMEM;
  if (!d->fingerprint[0]) cf_finding_fingerprint(d, d->fingerprint);
  if (!d->fingerprint[0]) return CF_ENOMEM;
  f->len++;
  return CF_OK;
}

cf_err cf_findings_suppress(cf_findings_t *f, size_t i, cf_suppression kind, const char *reason) {
  if (i >= f->len) return CF_EINVAL;
  const char *r = NULL;
  if (reason && !(r = cf__arena_strdup(f->arena, reason))) return CF_ENOMEM;
  f->items[i].suppressed = kind;
  f->items[i].suppress_reason = r;
  return CF_OK;
}

size_t cf_findings_count(const cf_findings_t *f) { return f ? f->len : 0; }

const cf_finding_t *cf_findings_at(const cf_findings_t *f, size_t i) {
  return i < f->len ? &f->items[i] : NULL;
}

cf_finding_t *cf_findings_at_mut(cf_findings_t *f, size_t i) {
  return i < f->len ? &f->items[i] : NULL;
}

static int strcmp_null(const char *a, const char *b) {
  if (a == b) return 0;
  if (!a || !b) return (a != NULL) - (b != NULL);
  return strcmp(a, b);
}

static int cmp_finding(const void *pa, const void *pb) {
  const cf_finding_t *a = pa, *b = pb;
  unsigned ga = cf_rule_group(a->rule), gb = cf_rule_group(b->rule);
  if (ga != gb) return ga < gb ? -1 : 1;
  cf_severity sa = a->rule ? a->rule->severity : CF_SEV_INFO;
  cf_severity sb = b->rule ? b->rule->severity : CF_SEV_INFO;
  if (sa != sb) return sa > sb ? -1 : 1;
  int c = strcmp_null(a->file, b->file);
  if (c) return c;
  if (a->line != b->line) return a->line < b->line ? -1 : 1;
  c = strcmp_null(a->rule ? a->rule->id : NULL, b->rule ? b->rule->id : NULL);
  if (c) return c;
  c = strcmp_null(a->resource, b->resource);
  if (c) return c;
  return strcmp(a->fingerprint, b->fingerprint);
}

/* The report's order: group, severity (highest first), file, line, rule, resource,
 * fingerprint. Group and severity are computed once per finding into a small key, and the
 * keys are sorted rather than the findings, which are large: a report of 300,000 findings
 * is sorted by moving 16-byte keys, then each finding moves once. */
typedef struct sort_key {
  uint32_t rank; /* group << 8 | (255 - severity) */
  uint32_t line;
  const cf_finding_t *f;
} sort_key_t;

static int cmp_key(const void *pa, const void *pb) {
  const sort_key_t *ka = pa, *kb = pb;
  if (ka->rank != kb->rank) return ka->rank < kb->rank ? -1 : 1;
  const cf_finding_t *a = ka->f, *b = kb->f;
  int c = strcmp_null(a->file, b->file);
  if (c) return c;
  if (ka->line != kb->line) return ka->line < kb->line ? -1 : 1;
  c = strcmp_null(a->rule ? a->rule->id : NULL, b->rule ? b->rule->id : NULL);
  if (c) return c;
  c = strcmp_null(a->resource, b->resource);
  if (c) return c;
  return strcmp(a->fingerprint, b->fingerprint);
}

void cf_findings_sort(cf_findings_t *f) {
  if (!f || f->len < 2) return;
  sort_key_t *keys = malloc(f->len * sizeof *keys);
  cf_finding_t *sorted = keys ? malloc(f->len * sizeof *sorted) : NULL;
  if (!sorted) {
    /* No memory for the keys: sort in place with the same order, slower. */
    free(keys);
    qsort(f->items, f->len, sizeof(cf_finding_t), cmp_finding);
    return;
  }
  for (size_t i = 0; i < f->len; i++) {
    const cf_finding_t *x = &f->items[i];
    cf_severity sev = x->rule ? x->rule->severity : CF_SEV_INFO;
    keys[i] = (sort_key_t){cf_rule_group(x->rule) << 8 | (255u - (unsigned)sev), x->line, x};
  }
  qsort(keys, f->len, sizeof *keys, cmp_key);
  for (size_t i = 0; i < f->len; i++) sorted[i] = *keys[i].f;
  free(keys);
  free(f->items);
  f->items = sorted;
  f->cap = f->len;
}
