/*
 * content_scan.c - the content scan: walks the inputs, hands files to worker threads that
 * scan them with their own scanner, and turns matches into findings.
 *
 * The calling thread walks directories (sorted, .git skipped, links followed only inside the
 * root, paths excluded by .gitignore files and .git/info/exclude left out unless no_ignore;
 * see gitignore.c) and queues paths; a file named directly is always queued. Each worker
 * reads a file and scans it; an archive (recognised by its first bytes) is opened instead
 * (archive.c), a git repository's history walked with --git (git.c). Every text, wherever it
 * came from, goes through cf__job_scan_text: binary data is skipped, the rules run, then the
 * encoded blobs in the text (decode.c) are decoded and scanned, round after round up to
 * decode_depth, within a budget of decoded bytes per text. A match in decoded text is
 * reported at the encoded run's place in the text as read, its evidence saying how it was
 * decoded. Each worker keeps its findings and warnings in lists of its own; the lists are
 * merged at the end and the findings sorted by position, so the result does not depend on
 * the number of threads or on which thread took which file.
 *
 * Findings: the evidence is the masked secret ("AKIA************ (20 characters)") unless
 * show_secrets is set; the fingerprint is SHA-256 over the rule id, the file and the secret
 * itself, so it survives the secret moving to another line and differs between secrets.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content_internal.h"
#include "content_scan.h"

/* ---- findings ---- */

static bool is_source_code(const char *path) {
  static const char *const exts[] = {".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".go", ".java", ".kt", ".kts",
                                     ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".py", ".rb", ".php", ".rs",
                                     ".swift", ".scala", ".sh", ".bash", ".ps1", ".pl", ".lua", ".m", ".smali",
                                     ".dart", ".groovy", ".r", NULL};
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash)) return false;
  for (int i = 0; exts[i]; i++)
    if (strcasecmp(dot, exts[i]) == 0) return true;
  return false;
}

/* The fingerprint hashes the secret itself: stable when it moves, distinct per secret.
 * Writes 32 hex digits into fp[33]; false when out of memory. */
static bool match_fingerprint(const cf_content_match_t *m, const char *file, char fp[33]) {
  const char *parts[3] = {m->rule->id, file ? file : "", NULL};
  char secret_hex[65];
  cf__sha256_hex(m->value, m->end > m->start ? m->end - m->start : strlen(m->value), secret_hex);
  parts[2] = secret_hex;
  char full[65];
  if (!cf__sha256_strs_hex(parts, 3, full)) return false;
  memcpy(fp, full, 32);
  fp[32] = '\0';
  return true;
}

/* Appends s[0..n) to out (of size cap, holding k bytes) with control bytes as spaces, as far
 * as it fits; returns the new length. */
static size_t append_printable(char *out, size_t cap, size_t k, const char *s, size_t n) {
  for (size_t i = 0; i < n && k + 1 < cap; i++) out[k++] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
  out[k] = '\0';
  return k;
}

static void copy_printable(char *out, size_t cap, const char *s, size_t n) { (void)append_printable(out, cap, 0, s, n); }

/* A finding for m; via, when given, says how the text it was found in was decoded. */
static cf_err content_finding(cf_findings_t *out, const cf_content_opts_t *opts, const cf_content_match_t *m,
                              const char *file, const cf_content_origin_t *origin, const char *via) {
  cf_finding_t f;
  memset(&f, 0, sizeof f);
  f.rule = m->rule;
  f.file = file;
  f.line = m->line;
  f.column = m->column;
  f.end_line = m->end_line;
  f.end_column = m->end_column;
  f.confidence = m->confidence;
  if (origin) {
    f.commit = origin->commit;
    f.author = origin->author;
    f.email = origin->email;
    f.date = origin->date;
    f.message = origin->message;
  }
  if (m->kind == CF_CONTENT_SECRET && file && is_source_code(file)) f.extra_threat = 5;
  char ev[CF_LIMIT_EVIDENCE + 1];
  size_t n = m->end - m->start;
  if (m->end == 0 && m->start == 0) {
    cf__strfmt(ev, sizeof ev, "file name matches");
  } else if (opts && opts->show_secrets) {
    size_t k = n < CF_LIMIT_EVIDENCE ? n : CF_LIMIT_EVIDENCE;
    memcpy(ev, m->value, k);
    ev[k] = '\0';
    for (char *p = ev; *p; p++)
      if ((unsigned char)*p < 0x20) *p = ' ';
  } else {
    char mask[32];
    cf_content_mask(m->value, n, mask, sizeof mask);
    cf__strfmt(ev, sizeof ev, "%s (%zu characters)", mask, n);
  }
  /* What a validator learnt from the value (an AWS key's account, a JWT's algorithm). */
  const crule_t *cr = (const crule_t *)m->rule; /* info is the first member of crule_t */
  if (m->end > m->start && cr->validator && cr->validator->detail) {
    char detail[96];
    detail[0] = '\0';
    cr->validator->detail(m->value, n, detail, sizeof detail);
    size_t k = strlen(ev);
    if (detail[0] && k + 3 < sizeof ev) cf__strfmt(ev + k, sizeof ev - k, "; %s", detail);
  }
  if (via) {
    size_t k = strlen(ev);
    if (k + 3 < sizeof ev) cf__strfmt(ev + k, sizeof ev - k, "; found %s", via);
  }
  f.evidence = ev;
  /* The secret and the whole match, for reports in gitleaks' shape. */
  char sec[CF_LIMIT_EVIDENCE + 1], whole[CF_LIMIT_EVIDENCE + 1];
  if (m->end > m->start) {
    bool show = opts && opts->show_secrets;
    if (show) copy_printable(sec, sizeof sec, m->value, n);
    else cf_content_mask(m->value, n, sec, sizeof sec);
    const char *text = m->value - m->start;
    size_t k = 0;
    k = append_printable(whole, sizeof whole, k, text + m->match_start, m->start - m->match_start);
    k = append_printable(whole, sizeof whole, k, sec, strlen(sec));
    append_printable(whole, sizeof whole, k, text + m->end, m->match_end > m->end ? m->match_end - m->end : 0);
    f.secret = sec;
    f.match = whole;
  }
  if (m->end > m->start) f.entropy = cf__shannon_entropy(m->value, n);
  if (!match_fingerprint(m, file, f.fingerprint)) return CF_ENOMEM;
  return cf_findings_add(out, &f);
}

cf_err cf__content_finding(cf_findings_t *out, const cf_content_opts_t *opts, const cf_content_match_t *m,
                           const char *file, const cf_content_origin_t *origin) {
  return content_finding(out, opts, m, file, origin, NULL);
}

/* ---- work queue ---- */

enum { JOB_FILE, JOB_MEM, JOB_GIT };

typedef struct job {
  int kind;
  char *path;    /* file or repository to read (JOB_FILE, JOB_GIT) */
  char *name;    /* reported name */
  char *data;    /* in-memory input (stdin), owned */
  size_t len;
} job_t;

typedef struct queue {
  pthread_mutex_t mu;
  pthread_cond_t cv_put, cv_get;
  job_t *jobs;
  size_t head, count, cap;
  bool done, abort;
  bool put_waiting; /* the walker waits for room: woken once half the queue is free, not per job */
} queue_t;

/* One worker thread; also what archive.c and git.c see as the job they scan for. */
struct cf_content_job {
  pthread_t th;
  bool started;
  struct cscan *cs;
  cf_content_scanner_t *sc;
  cf_findings_t *findings;
  cf_diags_t errors;
  uint64_t files;
  cf_err err;
};
typedef struct cf_content_job worker_t;

typedef struct cscan {
  const cf_ctx_t *ctx;
  const cf_content_rules_t *rs;
  const cf_content_opts_t *opts;
  cf_report_t *report;
  queue_t q;
  worker_t *workers;
  unsigned n_workers;
  uint64_t queued;
  cf_err fatal;
} cscan_t;

static void job_free(job_t *j) {
  free(j->path);
  free(j->name);
  free(j->data);
}

static cf_err queue_put(cscan_t *cs, job_t *j) {
  queue_t *q = &cs->q;
  pthread_mutex_lock(&q->mu);
  while (q->count == q->cap && !q->abort) {
    q->put_waiting = true;
    pthread_cond_wait(&q->cv_put, &q->mu);
  }
  if (q->abort) {
    pthread_mutex_unlock(&q->mu);
    job_free(j);
    return CF_ENOMEM;
  }
  q->jobs[(q->head + q->count) % q->cap] = *j;
  q->count++;
  pthread_cond_signal(&q->cv_get);
  pthread_mutex_unlock(&q->mu);
  return CF_OK;
}

static bool queue_get(queue_t *q, job_t *j) {
  pthread_mutex_lock(&q->mu);
  while (!q->count && !q->done && !q->abort) pthread_cond_wait(&q->cv_get, &q->mu);
  if (!q->count || q->abort) {
    pthread_mutex_unlock(&q->mu);
    return false;
  }
  *j = q->jobs[q->head];
  q->head = (q->head + 1) % q->cap;
  q->count--;
  if (q->put_waiting && q->count <= q->cap / 2) {
    q->put_waiting = false;
    pthread_cond_signal(&q->cv_put);
  }
  pthread_mutex_unlock(&q->mu);
  return true;
}

/* ---- one text ---- */

#define NO_OFFSET SIZE_MAX
/* Decoded bytes scanned per input at most (all rounds together). */
#define DECODE_BUDGET (64u << 20)
/* Findings on one line compared with a decoded one to drop duplicates at most (a line of a
 * hostile file may hold millions). */
#define DEDUP_SPAN 64u

/* Line and column of offsets visited in increasing order, in time linear in the text
 * (decoded findings point at their runs, which come in order). */
typedef struct linecur {
  size_t off, line_start;
  uint32_t line;
} linecur_t;

static void linecur_at(linecur_t *c, const char *text, size_t len, size_t off, uint32_t *line, uint32_t *col) {
  if (off > len) off = len;
  if (off < c->off || c->line == 0) {
    c->off = 0;
    c->line_start = 0;
    c->line = 1;
  }
  while (c->off < off) {
    const char *nl = memchr(text + c->off, '\n', off - c->off);
    if (!nl) {
      c->off = off;
      break;
    }
    c->line++;
    c->off = (size_t)(nl - text) + 1;
    c->line_start = c->off;
  }
  *line = c->line;
  *col = (uint32_t)(off - c->line_start + 1);
}

/* What the last line asked about holds for inline suppression, so that the many matches of
 * one long line (minified files, a blob of encoded secrets) look at the line once. */
typedef struct inlcache {
  bool valid;
  size_t ls, le;  /* the line */
  bool allow;     /* gitleaks:allow on it */
  bool tagged;    /* cloudfort:ignore on it or on the line above */
  const char *rule; /* when tagged: the last rule asked about, its answer and reason */
  int answer;
  char reason[CF_LIMIT_EVIDENCE + 1];
} inlcache_t;

static void line_around(const char *text, size_t len, size_t off, size_t *ls, size_t *le);

/* cf__content_inline, with the line's facts cached in c. */
static int inline_cached(inlcache_t *c, const char *text, size_t len, size_t off, const char *rule_id, char *reason,
                         size_t rn) {
  reason[0] = '\0';
  if (!text) return 0;
  if (!c->valid || off < c->ls || off > c->le) {
    size_t ls, le;
    line_around(text, len, off, &ls, &le);
    c->valid = true;
    c->ls = ls;
    c->le = le;
    c->allow = memmem(text + ls, le - ls, "gitleaks:allow", 14) != NULL;
    size_t ps = ls ? ls - 1 : 0;
    while (ps > 0 && text[ps - 1] != '\n') ps--;
    c->tagged = memmem(text + ps, le - ps, "cloudfort:ignore", 16) != NULL;
    c->rule = NULL;
  }
  if (c->allow) return -1;
  if (!c->tagged) return 0;
  if (c->rule != rule_id) {
    c->answer = cf__content_inline(text, len, off, rule_id, c->reason, sizeof c->reason);
    c->rule = rule_id;
  }
  cf__strfmt(reason, rn, "%s", c->reason);
  return c->answer;
}

typedef struct emit_ud {
  worker_t *w;
  const char *name;
  const char *text;  /* the input as read (inline suppressions are looked up there) */
  size_t len;
  const cf_content_origin_t *origin;
  const uint32_t *line_map; /* line i of text -> reported line (git hunks) */
  size_t n_map;
  size_t at, at_end; /* decoded text: where its encoded run lies in text (else NO_OFFSET) */
  const char *via;   /* decoded text: how it was decoded */
  size_t first, plain_end; /* the worker's findings from this input as read, in line order */
  linecur_t *cur_start, *cur_end; /* decoded text: positions of at and at_end in text */
  inlcache_t *inl;
  cf_err err;
} emit_ud_t;

static uint32_t map_line(const emit_ud_t *e, uint32_t line) {
  if (!e->line_map || line == 0) return line;
  return line <= e->n_map ? e->line_map[line - 1] : 0;
}

static int on_match(void *ud, const cf_content_match_t *m0) {
  emit_ud_t *e = ud;
  unsigned kinds = e->w->cs->opts->kinds;
  if (kinds && !(kinds & m0->kind)) return 0;
  cf_content_match_t m = *m0;
  size_t off = m.start;
  if (e->at != NO_OFFSET) {
    /* Found decoded: the finding points at the encoded run in the text as read. */
    off = e->at;
    linecur_at(e->cur_start, e->text, e->len, e->at, &m.line, &m.column);
    linecur_at(e->cur_end, e->text, e->len, e->at_end > e->at ? e->at_end - 1 : e->at, &m.end_line, &m.end_column);
  }
  m.line = map_line(e, m.line);
  m.end_line = map_line(e, m.end_line);
  if (e->at != NO_OFFSET) {
    /* A secret readable without decoding (percent encoding leaves most characters as they
     * are) has been reported from the text as read: not again from its decoded form. */
    char fp[33];
    if (!match_fingerprint(&m, e->name, fp)) {
      e->err = CF_ENOMEM;
      return 1;
    }
    size_t lo = e->first, hi = e->plain_end;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (cf_findings_at(e->w->findings, mid)->line < m.line) lo = mid + 1;
      else hi = mid;
    }
    for (size_t i = lo; i < e->plain_end && i < lo + DEDUP_SPAN; i++) {
      const cf_finding_t *f = cf_findings_at(e->w->findings, i);
      if (f->line != m.line) break;
      if (f->rule == m.rule && strcmp(f->fingerprint, fp) == 0) return 0;
    }
    /* Nor twice from one encoded run (a blob repeating its secret): decoded findings come
     * in line order after the others. */
    size_t top = cf_findings_count(e->w->findings);
    for (size_t i = top; i-- > e->plain_end && top - i <= DEDUP_SPAN;) {
      const cf_finding_t *f = cf_findings_at(e->w->findings, i);
      if (f->line != m.line) break;
      if (f->rule == m.rule && strcmp(f->fingerprint, fp) == 0) return 0;
    }
  }
  char reason[CF_LIMIT_EVIDENCE + 1];
  int inl = m.end > m.start && !e->w->cs->opts->no_inline_suppress
                ? inline_cached(e->inl, e->text, e->len, off, m.rule->id, reason, sizeof reason)
                : 0;
  if (inl < 0) return 0; /* gitleaks:allow: the line is not reported at all */
  cf_findings_t *out = e->w->findings;
  e->err = content_finding(out, e->w->cs->opts, &m, e->name, e->origin, e->via);
  if (!e->err && inl > 0)
    e->err = cf_findings_suppress(out, cf_findings_count(out) - 1, CF_SUPPRESS_INLINE, reason[0] ? reason : NULL);
  return e->err != CF_OK;
}

/* The line around offset off: [*ls, *le). */
static void line_around(const char *text, size_t len, size_t off, size_t *ls, size_t *le) {
  size_t a = off;
  while (a > 0 && text[a - 1] != '\n') a--;
  const char *nl = off < len ? memchr(text + off, '\n', len - off) : NULL;
  *ls = a;
  *le = nl ? (size_t)(nl - text) : len;
}

/* Whether "cloudfort:ignore IDS [reason]" in text[ls, le) names id ("*" names every rule);
 * copies the reason. */
static bool ignore_names(const char *text, size_t ls, size_t le, const char *id, char *reason, size_t rn) {
  static const char tag[] = "cloudfort:ignore";
  const char *p = memmem(text + ls, le - ls, tag, sizeof tag - 1);
  if (!p) return false;
  const char *q = p + sizeof tag - 1, *end = text + le;
  if (q >= end || (*q != ' ' && *q != '\t')) return false;
  while (q < end && (*q == ' ' || *q == '\t')) q++;
  const char *ids = q;
  while (q < end && *q != ' ' && *q != '\t' && *q != '\r') q++;
  bool hit = false;
  size_t idn = strlen(id);
  for (const char *a = ids; a < q && !hit;) {
    const char *b = memchr(a, ',', (size_t)(q - a));
    if (!b) b = q;
    size_t n = (size_t)(b - a);
    hit = (n == 1 && *a == '*') || (n == idn && strncasecmp(a, id, n) == 0);
    a = b + 1;
  }
  if (!hit) return false;
  while (q < end && (*q == ' ' || *q == '\t')) q++;
  const char *r = q;
  while (end > r && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) end--;
  size_t k = (size_t)(end - r) < rn - 1 ? (size_t)(end - r) : rn - 1;
  memcpy(reason, r, k);
  reason[k] = '\0';
  for (size_t i = 0; i < k; i++)
    if ((unsigned char)reason[i] < 0x20) reason[i] = ' ';
  return true;
}

int cf__content_inline(const char *text, size_t len, size_t off, const char *rule_id, char *reason, size_t rn) {
  size_t ls, le;
  reason[0] = '\0';
  if (!text) return 0;
  line_around(text, len, off, &ls, &le);
  if (memmem(text + ls, le - ls, "gitleaks:allow", 14)) return -1;
  if (ignore_names(text, ls, le, rule_id, reason, rn)) return 1;
  /* A comment alone on the line above applies to this line. */
  if (ls > 0) {
    size_t ps, pe;
    line_around(text, len, ls - 1, &ps, &pe);
    size_t k = ps;
    while (k < pe && (text[k] == ' ' || text[k] == '\t')) k++;
    bool comment = k < pe && (text[k] == '#' || (text[k] == '/' && k + 1 < pe && text[k + 1] == '/') ||
                              (text[k] == '<' && k + 3 < pe && memcmp(text + k, "<!--", 4) == 0) ||
                              (text[k] == '-' && k + 1 < pe && text[k + 1] == '-') || text[k] == ';');
    if (comment && ignore_names(text, ps, pe, rule_id, reason, rn)) return 1;
  }
  return 0;
}

/* Whether data looks binary: a NUL byte in its first 8 KiB (what git and grep check). */
bool cf__content_is_binary(const char *data, size_t len) {
  size_t n = len < 8192 ? len : 8192;
  return memchr(data, '\0', n) != NULL;
}


const cf_content_opts_t *cf__job_opts(const cf_content_job_t *j) { return j->cs->opts; }
const cf_ctx_t *cf__job_ctx(const cf_content_job_t *j) { return j->cs->ctx; }

void cf__job_count_file(cf_content_job_t *j) { j->files++; }

void cf__job_warn(cf_content_job_t *j, cf_err code, const char *name, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (cf_diags_add(&j->errors, code, name, 0, 0, "%s", msg) == CF_OK) j->errors.items[j->errors.len - 1].partial = true;
}

/* Scans one text with e's settings; a text with too many candidates is scanned in part. */
static cf_err scan_one(emit_ud_t *e, const char *text, size_t len) {
  cf_err err = cf_content_scan_text(e->w->sc, text, len, e->name, on_match, e);
  if (err == CF_ELIMIT) {
    cf__job_warn(e->w, CF_ELIMIT, e->name, "too many candidate matches; the rest of the %s was not scanned",
                 e->via ? "decoded text" : "file");
    err = CF_OK;
  }
  return err ? err : e->err;
}

typedef struct decoding {
  emit_ud_t base;   /* the input's settings */
  uint64_t budget;  /* decoded bytes left */
  unsigned rounds;  /* rounds of decoding allowed */
} decoding_t;

/* Scans the encoded runs of text (round `round`, 0 for the input itself); at/at_end place
 * text's runs in the input for rounds after the first. */
static cf_err decode_round(decoding_t *d, const char *text, size_t len, unsigned round, size_t at, size_t at_end,
                           const char *via) {
  size_t pos = 0;
  cf_enc_run_t run;
  while (cf__decode_next(text, len, &pos, &run)) {
    size_t n = run.end - run.start;
    if (n > d->budget) {
      if (d->budget != 0) cf__job_warn(d->base.w, CF_ELIMIT, d->base.name, "more than %u MiB of encoded text; the rest was not decoded", DECODE_BUDGET >> 20);
      d->budget = 0;
      return CF_OK;
    }
    if (!cf__decode_may_be_text(text, &run)) continue;
    uint8_t *buf = malloc(n + 1);
    if (!buf) return CF_ENOMEM;
    size_t out_len = 0;
    cf_err err = CF_OK;
    if (cf__decode_run(text, &run, buf, &out_len) && out_len && cf__decode_is_text(buf, out_len)) {
      d->budget -= n;
      char how[160];
      if (via) cf__strfmt(how, sizeof how, "%s, then %s-decoded", via, cf__enc_name(run.kind));
      else cf__strfmt(how, sizeof how, "%s-decoded", cf__enc_name(run.kind));
      emit_ud_t e = d->base;
      e.at = round ? at : run.start;
      e.at_end = round ? at_end : run.end;
      e.via = how;
      e.err = CF_OK;
      err = scan_one(&e, (const char *)buf, out_len);
      if (!err && round + 1 < d->rounds) err = decode_round(d, (const char *)buf, out_len, round + 1, e.at, e.at_end, how);
    }
    explicit_bzero(buf, n + 1);
    free(buf);
    if (err) return err;
  }
  return CF_OK;
}

cf_err cf__job_scan_text(cf_content_job_t *w, const char *name, const char *text, size_t len,
                         const cf_content_origin_t *origin, const uint32_t *line_map, size_t n_map) {
  if (cf__content_is_binary(text, len)) return CF_OK;
  inlcache_t inl;
  memset(&inl, 0, sizeof inl);
  emit_ud_t e = {w, name, text, len, origin, line_map, n_map, NO_OFFSET, NO_OFFSET, NULL, cf_findings_count(w->findings), 0, NULL, NULL, &inl, CF_OK};
  w->sc->commit = origin ? origin->commit : NULL;
  cf_err err = scan_one(&e, text, len);
  e.plain_end = cf_findings_count(w->findings);
  const cf_content_opts_t *o = w->cs->opts;
  if (!err && !o->no_decode) {
    linecur_t c1, c2;
    memset(&c1, 0, sizeof c1);
    memset(&c2, 0, sizeof c2);
    e.cur_start = &c1;
    e.cur_end = &c2;
    decoding_t d = {e, DECODE_BUDGET, o->decode_depth ? o->decode_depth : 2};
    err = decode_round(&d, text, len, 0, NO_OFFSET, NO_OFFSET, NULL);
  }
  w->sc->commit = NULL;
  w->files++;
  return err;
}

/* Scans an input held in memory: an archive is opened, anything else scanned as text. */
static cf_err scan_mem(worker_t *w, const char *name, const char *data, size_t len) {
  if (cf__archive_sniff(data, len)) {
    if (w->cs->opts->no_archives) return CF_OK; /* binary to us */
    return cf__archive_scan_mem(w, name, data, len);
  }
  return cf__scan_compiled(w, name, data, len);
}

/* Reads a regular file of at most max bytes through one descriptor: its first bytes decide
 * whether it is an archive (*archive set, nothing returned), else the whole file is returned
 * in a malloc'd buffer with a NUL after it. False when the quick path does not apply (not a
 * regular file, too large, unreadable): the caller then takes the general one, which also
 * says why in a diagnostic. */
static bool read_regular(const char *path, size_t max, bool *archive, char **out, size_t *out_len) {
  *archive = false;
  *out = NULL;
  *out_len = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool ok = false;
  char *buf = NULL;
  size_t got = 0;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) goto out;
  size_t size = (size_t)st.st_size;
  buf = malloc(size + 1);
  if (!buf) goto out;
  size_t head = size < 512 ? size : 512;
  while (got < size) {
    ssize_t r = read(fd, buf + got, (got < head ? head : size) - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
    if (got == head && got < size && cf__archive_sniff(buf, got)) {
      *archive = true;
      break;
    }
  }
  if (!*archive && got == head && cf__archive_sniff(buf, got)) *archive = true;
  if (*archive) {
    free(buf);
    buf = NULL;
    got = 0;
  } else {
    buf[got] = '\0'; /* a file that shrank while read is scanned as far as it went */
  }
  ok = true;
out:
  close(fd);
  if (!ok) free(buf);
  else {
    *out = buf;
    *out_len = got;
  }
  return ok;
}

static cf_err scan_file(worker_t *w, const char *path, const char *name) {
  const cf_limits_t *lim = cf__limits(w->cs->ctx);
  bool archive = false;
  char *data = NULL;
  size_t data_len = 0;
  if (read_regular(path, lim->max_file_size, &archive, &data, &data_len)) {
    if (archive) return w->cs->opts->no_archives ? CF_OK : cf__archive_scan_file(w, path, name);
    cf_err e = cf__scan_compiled(w, name, data, data_len);
    free(data);
    return e;
  }
  /* The first bytes of a regular file say whether it is an archive, which is then read as a
   * stream. Anything else (a pipe such as <(cmd)) can be read only once: it is read whole. */
  struct stat st;
  bool regular = stat(path, &st) == 0 && S_ISREG(st.st_mode);
  if (regular) {
    uint8_t head[512];
    size_t got = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
      got = fread(head, 1, sizeof head, f);
      fclose(f);
    }
    if (f && cf__archive_sniff(head, got)) {
      if (w->cs->opts->no_archives) return CF_OK;
      return cf__archive_scan_file(w, path, name);
    }
  }
  char *buf = NULL;
  size_t len = 0;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = CF_OK;
  cf_err re = cf__read_file(path, lim->max_file_size, 1, &buf, &len, &d);
  if (re == CF_ENOMEM) e = re;
  else if (re) (void)cf_diags_adopt(&w->errors, &d);
  else if (regular) e = cf__scan_compiled(w, name, buf, len);
  else e = scan_mem(w, name, buf, len);
  cf_diag_cleanup(&d);
  free(buf);
  return e;
}

static void *worker_main(void *arg) {
  worker_t *w = arg;
  cscan_t *cs = w->cs;
  job_t j;
  while (queue_get(&cs->q, &j)) {
    cf_err e = CF_OK;
    if (j.kind == JOB_MEM) e = scan_mem(w, j.name, j.data, j.len);
    else if (j.kind == JOB_GIT) e = cf__git_scan(w, j.path);
    else e = scan_file(w, j.path, j.name);
    job_free(&j);
    if (e) {
      w->err = e;
      pthread_mutex_lock(&cs->q.mu);
      cs->q.abort = true;
      pthread_cond_broadcast(&cs->q.cv_put);
      pthread_cond_broadcast(&cs->q.cv_get);
      pthread_mutex_unlock(&cs->q.mu);
      break;
    }
  }
  cf__hash_thread_done();
  return NULL;
}

/* ---- walking ---- */

typedef struct walker {
  const cf_ctx_t *ctx;
  const cf_content_opts_t *opts;
  cf_diags_t *errors;
  cf_content_walk_cb cb;
  void *ud;
  char root_real[PATH_MAX];
  cf_ignore_t *ignore; /* NULL with no_ignore */
} walker_t;

/* Directory entries are kept as their d_type byte followed by the name, so that a regular
 * file or folder the directory already describes needs no lstat. */
static int cmp_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a + 1, *(const char *const *)b + 1);
}

static char *entry_new(const struct dirent *de) {
  size_t n = strlen(de->d_name);
  char *e = malloc(n + 2);
  if (!e) return NULL;
  e[0] = (char)de->d_type;
  memcpy(e + 1, de->d_name, n + 1);
  return e;
}

static bool inside_root(walker_t *wk, const char *path) {
  char real[PATH_MAX];
  if (!realpath(path, real)) return false;
  size_t n = strlen(wk->root_real);
  return strncmp(real, wk->root_real, n) == 0 && (real[n] == '/' || real[n] == '\0' || (n == 1 && wk->root_real[0] == '/'));
}

/* Joins a and b with '/' into a malloc'd string (b alone when a is empty). */
static char *join(const char *a, size_t alen, const char *b) {
  size_t n = alen + strlen(b) + 2;
  char *p = malloc(n);
  if (p) {
    if (alen) snprintf(p, n, "%.*s/%s", (int)alen, a, b);
    else snprintf(p, n, "%s", b);
  }
  return p;
}

/* Walks dir, whose path below the root is rel ("" for the root). */
static cf_err walk_dir(walker_t *wk, const char *dir, const char *rel, unsigned depth) {
  const cf_limits_t *lim = cf__limits(wk->ctx);
  if (depth > lim->max_walk_depth) {
    (void)cf_diags_add(wk->errors, CF_ELIMIT, dir, 0, 0, "directory nesting deeper than %u levels; not entered", lim->max_walk_depth);
    return CF_OK;
  }
  DIR *d = opendir(dir);
  if (!d) {
    (void)cf_diags_add(wk->errors, CF_EIO, dir, 0, 0, "cannot open directory: %s", strerror(errno));
    return CF_OK;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  cf_err err = CF_OK;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || strcmp(de->d_name, ".git") == 0) continue;
    if (!cf__grow((void **)&names, &cap, n, sizeof(char *)) || !(names[n] = entry_new(de))) {
      err = CF_ENOMEM;
      break;
    }
    n++;
  }
  closedir(d);
  if (names) qsort(names, n, sizeof(char *), cmp_names);
  size_t dlen = strlen(dir);
  while (dlen > 1 && dir[dlen - 1] == '/') dlen--;
  size_t mark = wk->ignore ? cf__ignore_mark(wk->ignore) : 0;
  if (!err && wk->ignore) {
    char *gi = join(dir, dlen, ".gitignore");
    if (!gi) err = CF_ENOMEM;
    if (!err && depth == 0) {
      /* The repository's own exclude file ranks below every .gitignore. */
      char *ex = join(dir, dlen, ".git/info/exclude");
      err = ex ? cf__ignore_push_file(wk->ignore, "", ex, wk->errors) : CF_ENOMEM;
      free(ex);
    }
    if (!err) err = cf__ignore_push_file(wk->ignore, rel, gi, wk->errors);
    free(gi);
  }
  for (size_t i = 0; !err && i < n; i++) {
    unsigned char type = (unsigned char)names[i][0];
    char *p = join(dir, dlen, names[i] + 1);
    char *r = join(rel, strlen(rel), names[i] + 1);
    if (!p || !r) {
      free(p);
      free(r);
      err = CF_ENOMEM;
      break;
    }
    struct stat lst, st;
    memset(&lst, 0, sizeof lst);
    bool known = type == DT_REG || type == DT_DIR;
    if (known) lst.st_mode = type == DT_REG ? S_IFREG : S_IFDIR;
    if (known || lstat(p, &lst) == 0) {
      bool ok = true;
      if (S_ISLNK(lst.st_mode)) ok = stat(p, &st) == 0 && inside_root(wk, p);
      else st = lst;
      /* git decides on the link itself, which is never a folder to it. */
      if (ok && wk->ignore && cf__ignore_match(wk->ignore, r, S_ISDIR(lst.st_mode))) ok = false;
      if (ok && S_ISDIR(st.st_mode) && !S_ISLNK(lst.st_mode)) err = walk_dir(wk, p, r, depth + 1);
      else if (ok && S_ISREG(st.st_mode)) err = wk->cb(wk->ud, p);
    }
    free(p);
    free(r);
  }
  if (wk->ignore) cf__ignore_pop(wk->ignore, mark);
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return err;
}

/* Walks one root given by the user: a folder is walked, a file passed to cb as it is. */
static cf_err walk_root(walker_t *wk, const char *p) {
  struct stat st;
  if (stat(p, &st) != 0) {
    (void)cf_diags_add(wk->errors, CF_ENOTFOUND, p, 0, 0, "cannot access: %s", strerror(errno));
    return CF_OK;
  }
  if (!S_ISDIR(st.st_mode)) return wk->cb(wk->ud, p);
  if (!realpath(p, wk->root_real)) wk->root_real[0] = '\0';
  cf_err err = CF_OK;
  if (!wk->opts->no_ignore && (err = cf__ignore_new(&wk->ignore))) return err;
  err = walk_dir(wk, p, "", 0);
  cf__ignore_free(wk->ignore);
  wk->ignore = NULL;
  return err;
}

cf_err cf__content_walk(const cf_ctx_t *ctx, const char *const *paths, size_t n_paths, const cf_content_opts_t *opts,
                        cf_diags_t *errors, cf_content_walk_cb cb, void *ud) {
  cf_content_opts_t defaults;
  memset(&defaults, 0, sizeof defaults);
  walker_t wk;
  memset(&wk, 0, sizeof wk);
  wk.ctx = ctx;
  wk.opts = opts ? opts : &defaults;
  wk.errors = errors;
  wk.cb = cb;
  wk.ud = ud;
  cf_err err = CF_OK;
  for (size_t i = 0; !err && i < n_paths; i++)
    if (strcmp(paths[i], "-") != 0) err = walk_root(&wk, paths[i]);
  return err;
}

static cf_err queue_file(void *ud, const char *path) {
  cscan_t *cs = ud;
  job_t j;
  memset(&j, 0, sizeof j);
  j.kind = JOB_FILE;
  j.path = strdup(path);
  j.name = strdup(path);
  if (!j.path || !j.name) {
    job_free(&j);
    return CF_ENOMEM;
  }
  cs->queued++;
  if (cs->opts->progress) cs->opts->progress(cs->opts->progress_ud, cs->queued, path);
  return queue_put(cs, &j);
}

static int cmp_finding_pos(const void *pa, const void *pb) {
  const cf_finding_t *a = *(const cf_finding_t *const *)pa, *b = *(const cf_finding_t *const *)pb;
  int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
  if (c) return c;
  if (a->line != b->line) return a->line < b->line ? -1 : 1;
  if (a->column != b->column) return a->column < b->column ? -1 : 1;
  return strcmp(a->rule->id, b->rule->id);
}

/* Scans paths and, when mem_name is given, one input held in memory (copied). */
static cf_err run_scan(const cf_ctx_t *ctx, const cf_content_rules_t *rs, const char *const *paths, size_t n_paths,
                       const char *mem_name, const void *mem, size_t mem_len, const cf_content_opts_t *opts,
                       cf_report_t *report) {
  cf_content_opts_t defaults;
  memset(&defaults, 0, sizeof defaults);
  if (!opts) opts = &defaults;
  if (!rs->compiled) return CF_EINVAL;
  cscan_t cs;
  memset(&cs, 0, sizeof cs);
  cs.ctx = ctx;
  cs.rs = rs;
  cs.opts = opts;
  cs.report = report;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned nw = opts->threads ? opts->threads : (cpus > 0 ? (unsigned)cpus : 1);
  if (nw > 64) nw = 64;
  cs.q.cap = nw * 64;
  cs.q.jobs = calloc(cs.q.cap, sizeof(job_t));
  cs.workers = calloc(nw, sizeof(worker_t));
  if (!cs.q.jobs || !cs.workers) {
    free(cs.q.jobs);
    free(cs.workers);
    return CF_ENOMEM;
  }
  pthread_mutex_init(&cs.q.mu, NULL);
  pthread_cond_init(&cs.q.cv_put, NULL);
  pthread_cond_init(&cs.q.cv_get, NULL);
  for (size_t i = 0; i < rs->n_rules; i++) {
    const crule_t *r = rs->rules[i];
    if (opts->kinds && !(opts->kinds & r->kind)) continue;
    if (cf_report_add_rule(report, &r->info)) cs.fatal = CF_ENOMEM;
  }
  for (unsigned i = 0; !cs.fatal && i < nw; i++) {
    worker_t *w = &cs.workers[i];
    w->cs = &cs;
    cf_diags_init(&w->errors);
    w->findings = cf_findings_new();
    if (!w->findings || cf_content_scanner_new(rs, &w->sc)) {
      cs.fatal = CF_ENOMEM;
      break;
    }
    w->started = pthread_create(&w->th, NULL, worker_main, w) == 0;
    if (!w->started) cs.fatal = CF_ENOMEM;
    cs.n_workers++;
  }
  if (!cs.fatal && mem_name) {
    job_t j;
    memset(&j, 0, sizeof j);
    j.kind = JOB_MEM;
    j.name = strdup(mem_name);
    j.data = malloc(mem_len + 1);
    j.len = mem_len;
    if (!j.name || !j.data) {
      job_free(&j);
      cs.fatal = CF_ENOMEM;
    } else {
      if (mem_len) memcpy(j.data, mem, mem_len);
      j.data[mem_len] = '\0';
      cs.fatal = queue_put(&cs, &j);
    }
  }
  if (!cs.fatal && opts->git) {
    /* Every repository and the range are checked before any history is read, so that a
     * wrong path or range ends the scan with nothing reported. */
    cf_err bad = CF_OK;
    for (size_t i = 0; i < n_paths; i++)
      if (cf__git_check(paths[i], opts->git_range, &report->errors)) bad = CF_EINVAL;
    for (size_t i = 0; !bad && !cs.fatal && i < n_paths; i++) {
      job_t j;
      memset(&j, 0, sizeof j);
      j.kind = JOB_GIT;
      j.path = strdup(paths[i]);
      j.name = strdup(paths[i]);
      if (!j.path || !j.name) {
        job_free(&j);
        cs.fatal = CF_ENOMEM;
      } else {
        cs.fatal = queue_put(&cs, &j);
      }
    }
    if (bad && !cs.fatal) cs.fatal = bad;
  }
  for (size_t i = 0; !cs.fatal && !opts->git && i < n_paths; i++) {
    const char *p = paths[i];
    if (strcmp(p, "-") == 0) {
      job_t j;
      memset(&j, 0, sizeof j);
      j.kind = JOB_MEM;
      cf_diag_t d;
      cf_diag_init(&d);
      cf_err e = cf__read_stream(stdin, "<stdin>", cf__limits(ctx)->max_file_size, 1, &j.data, &j.len, &d);
      if (e) {
        if (e == CF_ENOMEM) cs.fatal = e;
        (void)cf_diags_adopt(&report->errors, &d);
      } else if (!(j.name = strdup("<stdin>"))) {
        free(j.data);
        cs.fatal = CF_ENOMEM;
      } else {
        cs.fatal = queue_put(&cs, &j);
      }
      cf_diag_cleanup(&d);
      continue;
    }
    cs.fatal = cf__content_walk(ctx, &p, 1, opts, &report->errors, queue_file, &cs);
  }
  pthread_mutex_lock(&cs.q.mu);
  cs.q.done = true;
  if (cs.fatal) cs.q.abort = true;
  pthread_cond_broadcast(&cs.q.cv_get);
  pthread_mutex_unlock(&cs.q.mu);
  for (unsigned i = 0; i < cs.n_workers; i++)
    if (cs.workers[i].started) pthread_join(cs.workers[i].th, NULL);
  /* Merge: findings in file and position order, errors in worker order then by file. */
  size_t total = 0;
  for (unsigned i = 0; i < cs.n_workers; i++) {
    worker_t *w = &cs.workers[i];
    if (w->err && !cs.fatal) cs.fatal = w->err;
    total += cf_findings_count(w->findings);
    report->files += w->files;
  }
  const cf_finding_t **all = malloc((total + 1) * sizeof(*all));
  if (!all && !cs.fatal) cs.fatal = CF_ENOMEM;
  size_t k = 0;
  for (unsigned i = 0; all && i < cs.n_workers; i++)
    for (size_t j = 0; j < cf_findings_count(cs.workers[i].findings); j++) all[k++] = cf_findings_at(cs.workers[i].findings, j);
  if (all) qsort(all, k, sizeof(*all), cmp_finding_pos);
  size_t first = cf_findings_count(report->findings);
  for (size_t j = 0; !cs.fatal && j < k; j++) cs.fatal = cf_findings_add(report->findings, all[j]);
  free(all);
  if (!cs.fatal && opts->baseline) cs.fatal = cf_report_apply_baseline(ctx, report, opts->baseline, first);
  if (!cs.fatal) cs.fatal = cf__gitleaks_ignore_apply(ctx, report, first, opts, paths, n_paths);
  for (unsigned i = 0; i < cs.n_workers; i++) {
    worker_t *w = &cs.workers[i];
    for (size_t j = 0; j < w->errors.len; j++) (void)cf_diags_adopt(&report->errors, &w->errors.items[j]);
    cf_diags_cleanup(&w->errors);
    cf_findings_free(w->findings);
    cf_content_scanner_free(w->sc);
  }
  for (size_t i = 0; i < cs.q.count; i++) job_free(&cs.q.jobs[(cs.q.head + i) % cs.q.cap]);
  free(cs.q.jobs);
  free(cs.workers);
  pthread_mutex_destroy(&cs.q.mu);
  pthread_cond_destroy(&cs.q.cv_put);
  pthread_cond_destroy(&cs.q.cv_get);
  return cs.fatal;
}

cf_err cf_content_scan(const cf_ctx_t *ctx, const cf_content_rules_t *rs, const char *const *paths, size_t n_paths,
                       const cf_content_opts_t *opts, cf_report_t *report) {
  return run_scan(ctx, rs, paths, n_paths, NULL, NULL, 0, opts, report);
}

cf_err cf_content_scan_buffer(const cf_ctx_t *ctx, const cf_content_rules_t *rs, const char *name, const void *data,
                              size_t len, const cf_content_opts_t *opts, cf_report_t *report) {
  return run_scan(ctx, rs, NULL, 0, name ? name : "<input>", data, len, opts, report);
}
