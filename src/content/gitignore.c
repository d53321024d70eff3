/*
 * gitignore.c - which files of a scanned folder its .gitignore files exclude.
 *
 * The walker keeps a stack of pattern lists: .git/info/exclude of the root at the bottom,
 * then one list per .gitignore on the way from the root to the folder being read, each
 * applying to the paths below its own folder. A path is decided by the last pattern that
 * matches it, looking at the deepest list first (gitignore(5): "the last matching pattern
 * decides", deeper files take precedence, .git/info/exclude comes below every .gitignore).
 * The walker never descends into an excluded folder, which gives gitignore(5)'s rule that a
 * file below an excluded folder cannot be re-included.
 *
 * Patterns follow gitignore(5): '#' comments, "\#" and "\!" for literal characters, trailing
 * spaces dropped unless escaped, a CR before the newline dropped, '!' negates, a trailing
 * '/' matches folders only, a pattern with a slash at its start or in its middle is relative
 * to its .gitignore's folder while one without matches a name at any depth, and a "**"
 * segment stands for any number of folders ("**" as the last segment for at least one).
 * Each segment is matched with fnmatch(3) (FNM_PATHNAME, escapes on), which provides '*',
 * '?', bracket expressions with ranges, negation and POSIX classes the way git's wildmatch
 * does inside one path component; only the "**" segments are ours.
 *
 * Why not libgit2: git_ignore_path_is_ignored needs an opened repository and only reads the
 * ignore files of that repository's working tree, while a scanned folder is usually not a
 * repository (an unpacked release, a CI workspace without .git) and the rules must apply
 * there too. The matching itself is small once fnmatch does the per-segment work.
 *
 * Limits: a .gitignore larger than 1 MiB is ignored as a whole (the walker says so); at most
 * 64 segments per pattern and path are matched (deeper ones never match); a pattern with
 * more than four '*' wildcards, or more than four "**" segments, is not used: fnmatch
 * backtracks over each star, so such patterns in a hostile .gitignore could make every
 * match cost billions of steps. Only the first 20,000 patterns of a file are used (every
 * path is matched against each of them).
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "content_scan.h"

#define IGNORE_FILE_MAX (1u << 20)
#define MAX_SEGS 64
#define MAX_STARS 4
#define MAX_PATTERNS 20000u

typedef struct ipat {
  char *text;     /* without '!', leading '/' and trailing '/' */
  bool negated;
  bool dir_only;
  bool anchored;  /* had a slash: matched against the path below the list's folder */
} ipat_t;

typedef struct ilist {
  char *base; /* folder of the .gitignore, relative to the root ("" for the root) */
  size_t base_len;
  ipat_t *pats;
  size_t n, cap;
} ilist_t;

struct cf_ignore {
  ilist_t *lists;
  size_t n, cap;
};

cf_err cf__ignore_new(cf_ignore_t **out) {
  *out = calloc(1, sizeof(cf_ignore_t));
  return *out ? CF_OK : CF_ENOMEM;
}

static void list_cleanup(ilist_t *l) {
  for (size_t i = 0; i < l->n; i++) free(l->pats[i].text);
  free(l->pats);
  free(l->base);
}

void cf__ignore_free(cf_ignore_t *ig) {
  if (!ig) return;
  cf__ignore_pop(ig, 0);
  free(ig->lists);
  free(ig);
}

size_t cf__ignore_mark(const cf_ignore_t *ig) { return ig->n; }

void cf__ignore_pop(cf_ignore_t *ig, size_t mark) {
  while (ig->n > mark) list_cleanup(&ig->lists[--ig->n]);
}

/* Collapses runs of '*' inside a segment (they mean one '*' there) and says whether the
 * pattern is cheap enough to match: fnmatch backtracks over every '*', and "**" segments
 * multiply the work, so patterns with more than MAX_STARS of either are not used. */
static bool normalise(char *t) {
  char *w = t;
  unsigned stars = 0, globstars = 0;
  const char *seg = t;
  for (const char *r = t; *r;) {
    if (*r == '\\' && r[1]) {
      *w++ = *r++;
      *w++ = *r++;
      continue;
    }
    if (*r == '*') {
      size_t run = 0;
      while (r[run] == '*') run++;
      bool whole = run == 2 && r == seg && (r[2] == '/' || r[2] == '\0');
      if (whole) {
        globstars++;
        *w++ = '*';
        *w++ = '*';
      } else {
        stars++;
        *w++ = '*';
      }
      r += run;
      continue;
    }
    if (*r == '/') seg = r + 1;
    *w++ = *r++;
  }
  *w = '\0';
  return stars <= MAX_STARS && globstars <= MAX_STARS;
}

/* Adds one line (without its newline) to l; blank lines and comments add nothing. */
static cf_err add_line(ilist_t *l, const char *s, size_t n) {
  if (n && s[n - 1] == '\r') n--;
  if (!n || s[0] == '#') return CF_OK;
  /* Trailing spaces go unless the last one is escaped with a backslash. */
  size_t keep = n, i = 0;
  bool in_space = false;
  while (i < n) {
    if (s[i] == '\\' && i + 1 < n) {
      i += 2;
      in_space = false;
      keep = i;
      continue;
    }
    if (s[i] == ' ') {
      if (!in_space) keep = i;
      in_space = true;
    } else {
      in_space = false;
      keep = i + 1;
    }
    i++;
  }
  if (in_space) n = keep;
  if (!n) return CF_OK;
  ipat_t p;
  memset(&p, 0, sizeof p);
  if (s[0] == '!') {
    p.negated = true;
    s++;
    n--;
  }
  if (n && s[n - 1] == '/') {
    p.dir_only = true;
    n--;
  }
  if (!n) return CF_OK;
  if (memchr(s, '/', n)) p.anchored = true;
  if (s[0] == '/') {
    s++;
    n--;
  }
  if (!n) return CF_OK;
  p.text = strndup(s, n);
  if (!p.text) return CF_ENOMEM;
  if (!normalise(p.text)) {
    free(p.text);
    return CF_OK;
  }
  if (!cf__grow((void **)&l->pats, &l->cap, l->n, sizeof(ipat_t))) {
    free(p.text);
    return CF_ENOMEM;
  }
  l->pats[l->n++] = p;
  return CF_OK;
}

cf_err cf__ignore_push_text(cf_ignore_t *ig, const char *base, const char *text, size_t len) {
  if (!cf__grow((void **)&ig->lists, &ig->cap, ig->n, sizeof(ilist_t))) return CF_ENOMEM;
  ilist_t *l = &ig->lists[ig->n];
  memset(l, 0, sizeof *l);
  l->base = strdup(base ? base : "");
  if (!l->base) return CF_ENOMEM;
  l->base_len = strlen(l->base);
  ig->n++;
  /* A UTF-8 byte order mark at the start is not part of the first pattern. */
  if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
    text += 3;
    len -= 3;
  }
  size_t a = 0;
  while (a < len) {
    const char *nl = memchr(text + a, '\n', len - a);
    size_t b = nl ? (size_t)(nl - text) : len;
    if (l->n >= MAX_PATTERNS) break;
    cf_err e = add_line(l, text + a, b - a);
    if (e) return e;
    a = b + 1;
  }
  return CF_OK;
}

cf_err cf__ignore_push_file(cf_ignore_t *ig, const char *base, const char *path, cf_diags_t *errors) {
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return CF_OK;
  if ((uint64_t)st.st_size > IGNORE_FILE_MAX) {
    if (errors) (void)cf_diags_add(errors, CF_ELIMIT, path, 0, 0, "ignore file larger than 1 MiB; its patterns are not used");
    return CF_OK;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (errors) (void)cf_diags_add(errors, CF_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
    return CF_OK;
  }
  char *buf = malloc(IGNORE_FILE_MAX + 1);
  if (!buf) {
    fclose(f);
    return CF_ENOMEM;
  }
  size_t n = fread(buf, 1, IGNORE_FILE_MAX, f);
  fclose(f);
  cf_err e = cf__ignore_push_text(ig, base, buf, n);
  free(buf);
  return e;
}

/* Splits s in place at '/' into at most MAX_SEGS segments; returns the count or -1. */
static int split(char *s, char **segs) {
  int n = 0;
  char *p = s;
  for (;;) {
    if (n == MAX_SEGS) return -1;
    segs[n++] = p;
    char *slash = strchr(p, '/');
    if (!slash) break;
    *slash = '\0';
    p = slash + 1;
  }
  return n;
}

/* Segment-wise match of pattern segments ps[0..np) against path segments ss[0..ns). */
static bool match_segs(char **ps, int np, char **ss, int ns) {
  if (np == 0) return ns == 0;
  if (strcmp(ps[0], "**") == 0) {
    if (np == 1) return ns >= 1; /* a trailing "**" segment: everything inside, not the folder itself */
    for (int k = 0; k <= ns; k++)
      if (match_segs(ps + 1, np - 1, ss + k, ns - k)) return true;
    return false;
  }
  if (ns == 0) return false;
  if (fnmatch(ps[0], ss[0], FNM_PATHNAME) != 0) return false;
  return match_segs(ps + 1, np - 1, ss + 1, ns - 1);
}

static bool pattern_hits(const ipat_t *p, const char *rel, bool is_dir) {
  if (p->dir_only && !is_dir) return false;
  if (!p->anchored) {
    const char *slash = strrchr(rel, '/');
    return fnmatch(p->text, slash ? slash + 1 : rel, FNM_PATHNAME) == 0;
  }
  char pbuf[PATH_MAX], sbuf[PATH_MAX];
  size_t pl = strlen(p->text), sl = strlen(rel);
  if (pl >= sizeof pbuf || sl >= sizeof sbuf) return false;
  memcpy(pbuf, p->text, pl + 1);
  memcpy(sbuf, rel, sl + 1);
  char *ps[MAX_SEGS], *ss[MAX_SEGS];
  int np = split(pbuf, ps), ns = split(sbuf, ss);
  if (np < 0 || ns < 0) return false;
  return match_segs(ps, np, ss, ns);
}

bool cf__ignore_match(const cf_ignore_t *ig, const char *rel, bool is_dir) {
  for (size_t i = ig->n; i-- > 0;) {
    const ilist_t *l = &ig->lists[i];
    const char *sub = rel;
    if (l->base_len) {
      if (strncmp(rel, l->base, l->base_len) != 0 || rel[l->base_len] != '/') continue;
      sub = rel + l->base_len + 1;
    }
    for (size_t k = l->n; k-- > 0;)
      if (pattern_hits(&l->pats[k], sub, is_dir)) return !l->pats[k].negated;
  }
  return false;
}
