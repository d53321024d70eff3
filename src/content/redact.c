/*
 * redact.c - `cloudfort dlp --redact OUTDIR`: masked copies of the scanned text files.
 *
 * Every text file under the inputs is scanned with the rule set and written to OUTDIR with
 * the same relative layout (a directory's contents go directly under OUTDIR, a file given
 * by itself under its base name), each value the rules find masked in place with '*' so
 * that the copy has the same byte length, the same lines and the same columns:
 *   - personal data keeps its separators ("-", " ", ".", "@") and, when it holds at least
 *     eight digits, its last four digits (the PCI DSS truncation: "**** **** **** 1111",
 *     "***-**-6789"); every other letter and digit becomes '*';
 *   - a secret of 16 bytes or more keeps its first four (which name the kind of key,
 *     "AKIA", "ghp_"), shorter ones are masked whole.
 * Overlapping matches are masked by the union of their masks. Suppressions do not apply: a
 * copy meant to be shared hides whatever the rules match.
 *
 * Safety: nothing is ever written into an input. OUTDIR is resolved (its existing part with
 * realpath, the rest lexically) before anything is created, and refused when it equals or
 * lies inside an input, or an input lies inside it; it must be missing or empty. Each copy is
 * written to a temporary file in its target folder, then renamed. Folders are walked by the
 * scan's own walk (cf__content_walk: sorted, .git skipped, .gitignore honoured, links
 * followed only to files inside the root), so the copies are of exactly the files a scan
 * reads; files that are not text (a NUL byte in the first 8 KiB, or a compressed or archive
 * format) are not copied and are named in the report's errors. Each file is scanned here
 * with cf_content_scan_text, on one thread, for the byte offsets of its matches.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content_internal.h"
#include "content_scan.h"

typedef struct span {
  size_t start, end;
  cf_content_kind kind;
} span_t;

typedef struct redactor {
  const cf_ctx_t *ctx;
  const cf_content_opts_t *opts;
  cf_report_t *report;
  cf_content_scanner_t *sc;
  const char *outdir;     /* as given */
  span_t *spans;
  size_t n_spans, cap_spans;
  bool nomem;
  uint64_t written;
} redactor_t;

/* ---- where OUTDIR is ---- */

/* Resolves path to an absolute path without symbolic links, whether or not it exists: the
 * longest existing prefix through realpath, the rest lexically ("." dropped, ".." going up).
 * Returns false when the path cannot be resolved. */
static bool resolve(const char *path, char *out, size_t size) {
  char buf[PATH_MAX];
  if (!*path || strlen(path) >= sizeof buf) return false;
  snprintf(buf, sizeof buf, "%s", path);
  size_t n = strlen(buf);
  while (n > 1 && buf[n - 1] == '/') buf[--n] = '\0';
  /* Split off trailing components until what is left exists. */
  char rest[PATH_MAX] = "";
  char real[PATH_MAX];
  for (;;) {
    if (realpath(n ? buf : ".", real)) break;
    if (errno != ENOENT) return false;
    char *slash = strrchr(buf, '/');
    const char *last = slash ? slash + 1 : buf;
    char tmp[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s%s%s", last, rest[0] ? "/" : "", rest) >= sizeof tmp) return false;
    memcpy(rest, tmp, strlen(tmp) + 1);
    if (!slash) {
      buf[0] = '\0';
      n = 0;
    } else if (slash == buf) {
      buf[1] = '\0';
      n = 1;
    } else {
      *slash = '\0';
      n = (size_t)(slash - buf);
    }
  }
  size_t k = strlen(real);
  if (k >= size) return false;
  memcpy(out, real, k + 1);
  char *save = NULL;
  for (char *comp = strtok_r(rest, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
    if (strcmp(comp, ".") == 0) continue;
    if (strcmp(comp, "..") == 0) {
      char *s = strrchr(out, '/');
      if (s == out) out[1] = '\0';
      else if (s) *s = '\0';
      k = strlen(out);
      continue;
    }
    size_t c = strlen(comp);
    bool root = k == 1 && out[0] == '/';
    if (k + c + 2 > size) return false;
    if (!root) out[k++] = '/';
    memcpy(out + k, comp, c + 1);
    k += c;
  }
  return true;
}

/* Whether `inner` is `outer` or lies below it (both resolved). */
static bool within(const char *inner, const char *outer) {
  size_t n = strlen(outer);
  if (n == 1 && outer[0] == '/') return true;
  return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

/* Checks OUTDIR against the inputs and creates it; CF_EINVAL (described) when refused. */
static cf_err prepare_outdir(redactor_t *R, const char *const *paths, size_t n_paths) {
  cf_diags_t *errs = &R->report->errors;
  char out_real[PATH_MAX];
  if (!resolve(R->outdir, out_real, sizeof out_real)) {
    (void)cf_diags_add(errs, CF_EINVAL, R->outdir, 0, 0, "--redact: cannot resolve the output folder: %s", strerror(errno));
    return CF_EINVAL;
  }
  for (size_t i = 0; i < n_paths; i++) {
    if (strcmp(paths[i], "-") == 0) continue;
    char in_real[PATH_MAX];
    if (!realpath(paths[i], in_real)) continue; /* the scan already said it cannot be read */
    if (within(out_real, in_real)) {
      (void)cf_diags_add(errs, CF_EINVAL, R->outdir, 0, 0,
                         "--redact: the output folder is %s the input %s; refusing to write into an input",
                         strcmp(out_real, in_real) == 0 ? "the same as" : "inside", paths[i]);
      return CF_EINVAL;
    }
    if (within(in_real, out_real)) {
      (void)cf_diags_add(errs, CF_EINVAL, R->outdir, 0, 0,
                         "--redact: the input %s is inside the output folder; choose a folder outside the inputs",
                         paths[i]);
      return CF_EINVAL;
    }
  }
  struct stat st;
  if (lstat(R->outdir, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      (void)cf_diags_add(errs, CF_EINVAL, R->outdir, 0, 0, "--redact: the output path exists and is not a folder");
      return CF_EINVAL;
    }
    DIR *d = opendir(R->outdir);
    if (!d) {
      (void)cf_diags_add(errs, CF_EIO, R->outdir, 0, 0, "--redact: cannot open the output folder: %s", strerror(errno));
      return CF_EINVAL;
    }
    bool empty = true;
    struct dirent *de;
    while (empty && (de = readdir(d)))
      empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
    closedir(d);
    if (!empty) {
      (void)cf_diags_add(errs, CF_EINVAL, R->outdir, 0, 0, "--redact: the output folder is not empty; give a new or empty folder");
      return CF_EINVAL;
    }
    return CF_OK;
  }
  /* Create it and any missing parents. */
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", out_real);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char c = *p;
      *p = '\0';
      if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
        (void)cf_diags_add(errs, CF_EIO, R->outdir, 0, 0, "--redact: cannot create the output folder: %s", strerror(errno));
        return CF_EINVAL;
      }
      *p = c;
      if (!c) break;
    }
  }
  return CF_OK;
}

/* ---- masking ---- */

static bool is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* Masks src[s, e) into dst[s, e) (see the header): only ever writes '*'. */
static void mask_span(const char *src, char *dst, const span_t *sp) {
  size_t s = sp->start, e = sp->end;
  if (sp->kind == CF_CONTENT_SECRET) {
    size_t keep = e - s >= 16 ? 4 : 0;
    for (size_t i = s + keep; i < e; i++) dst[i] = '*';
    return;
  }
  size_t digits = 0;
  for (size_t i = s; i < e; i++)
    if (src[i] >= '0' && src[i] <= '9') digits++;
  size_t keep = digits >= 8 ? 4 : 0; /* digits kept at the end */
  size_t seen = 0;
  for (size_t i = s; i < e; i++) {
    unsigned char c = (unsigned char)src[i];
    if (c >= '0' && c <= '9') {
      seen++;
      if (seen + keep > digits) continue;
      dst[i] = '*';
    } else if (is_alnum(c) || c >= 0x80) {
      dst[i] = '*';
    }
  }
}

static int on_match(void *ud, const cf_content_match_t *m) {
  redactor_t *R = ud;
  if (m->end <= m->start) return 0; /* a rule about file names: nothing to mask inside */
  if (R->opts->kinds && !(R->opts->kinds & m->kind)) return 0;
  if (!cf__grow((void **)&R->spans, &R->cap_spans, R->n_spans, sizeof(span_t))) {
    R->nomem = true;
    return 1;
  }
  R->spans[R->n_spans++] = (span_t){m->start, m->end, m->kind};
  return 0;
}

/* ---- files ---- */

/* Whether data is not text: a NUL byte early on, or a compressed or archive format. */
static bool not_text(const char *data, size_t len) {
  static const struct {
    const char *magic;
    size_t n;
  } magics[] = {{"\x1f\x8b", 2}, {"PK\x03\x04", 4}, {"PK\x05\x06", 4}, {"BZh", 3}, {"\xfd" "7zXZ", 5},
                {"7z\xbc\xaf", 4}, {"\x28\xb5\x2f\xfd", 4}, {"Rar!", 4}};
  for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
    if (len >= magics[i].n && memcmp(data, magics[i].magic, magics[i].n) == 0) return true;
  return cf__content_is_binary(data, len);
}

/* Reads a whole file as it is (no decompression), at most max bytes. 0 read, 1 unreadable or
 * too large (described), -1 out of memory. */
static int read_raw(redactor_t *R, const char *path, char **out, size_t *out_len) {
  uint64_t max = cf__limits(R->ctx)->max_file_size;
  FILE *f = fopen(path, "rb");
  if (!f) {
    (void)cf_diags_add(&R->report->errors, CF_EIO, path, 0, 0, "not redacted: cannot open: %s", strerror(errno));
    return 1;
  }
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  int rc = 0;
  if (!buf) rc = -1;
  while (!rc) {
    if (len == cap) {
      if (cap > max) break;
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        rc = -1;
        break;
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  if (!rc && (ferror(f) || len > max)) {
    if (len > max)
      (void)cf_diags_add(&R->report->errors, CF_ELIMIT, path, 0, 0, "not redacted: larger than %llu bytes", (unsigned long long)max);
    else
      (void)cf_diags_add(&R->report->errors, CF_EIO, path, 0, 0, "not redacted: read error");
    rc = 1;
  }
  fclose(f);
  if (rc) {
    free(buf);
    return rc;
  }
  *out = buf;
  *out_len = len;
  return 0;
}

/* Creates the folders of rel below outdir (rel's last component is the file). */
static bool make_parents(const char *outdir, const char *rel) {
  char buf[PATH_MAX];
  if ((size_t)snprintf(buf, sizeof buf, "%s/%s", outdir, rel) >= sizeof buf) return false;
  char *p = buf + strlen(outdir) + 1;
  for (; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    struct stat st;
    if (mkdir(buf, 0755) != 0 && !(errno == EEXIST && lstat(buf, &st) == 0 && S_ISDIR(st.st_mode))) return false;
    *p = '/';
  }
  return true;
}

/* Writes data to outdir/rel through a temporary file and a rename. */
static cf_err write_copy(redactor_t *R, const char *src, const char *rel, const char *data, size_t len, mode_t mode) {
  cf_diags_t *errs = &R->report->errors;
  char target[PATH_MAX], tmp[PATH_MAX];
  if ((size_t)snprintf(target, sizeof target, "%s/%s", R->outdir, rel) >= sizeof target ||
      (size_t)snprintf(tmp, sizeof tmp, "%s.cfredact-XXXXXX", target) >= sizeof tmp) {
    (void)cf_diags_add(errs, CF_ELIMIT, src, 0, 0, "not redacted: the output path is too long");
    return CF_OK;
  }
  struct stat st;
  if (lstat(target, &st) == 0) {
    (void)cf_diags_add(errs, CF_EINVAL, src, 0, 0, "not redacted: another input was already written to %s", target);
    return CF_OK;
  }
  if (!make_parents(R->outdir, rel)) {
    (void)cf_diags_add(errs, CF_EIO, src, 0, 0, "not redacted: cannot create the folders of %s: %s", target, strerror(errno));
    return CF_OK;
  }
  int fd = mkstemp(tmp);
  if (fd < 0) {
    (void)cf_diags_add(errs, CF_EIO, src, 0, 0, "not redacted: cannot create %s: %s", tmp, strerror(errno));
    return CF_OK;
  }
  bool ok = true;
  for (size_t off = 0; ok && off < len;) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) ok = false;
    else off += (size_t)w;
  }
  int saved = errno;
  ok = ok && fchmod(fd, mode & 0777) == 0;
  if (close(fd) != 0) ok = false;
  if (ok && rename(tmp, target) != 0) ok = false, saved = errno;
  if (!ok) {
    unlink(tmp);
    (void)cf_diags_add(errs, CF_EIO, src, 0, 0, "not redacted: cannot write %s: %s", target, strerror(saved));
    return CF_OK;
  }
  R->written++;
  return CF_OK;
}

/* Redacts one file to outdir/rel. Returns CF_ENOMEM or CF_OK (problems are described). */
static cf_err redact_file(redactor_t *R, const char *path, const char *rel, mode_t mode) {
  char *data = NULL;
  size_t len = 0;
  int rr = read_raw(R, path, &data, &len);
  if (rr) return rr < 0 ? CF_ENOMEM : CF_OK;
  cf_err err = CF_OK;
  if (not_text(data, len)) {
    /* Not a per-file error: the file was read; it is only left out of the copy. */
    (void)cf_diags_add(&R->report->errors, CF_EUNSUPPORTED, NULL, 0, 0,
                       "%s: not text (binary or archive); not copied to the redacted output", path);
    goto out;
  }
  R->n_spans = 0;
  R->nomem = false;
  err = cf_content_scan_text(R->sc, data, len, path, on_match, R);
  if (err == CF_ELIMIT) {
    /* Matches past the candidate limit would stay in clear: leave the file out. */
    (void)cf_diags_add(&R->report->errors, CF_ELIMIT, path, 0, 0, "not redacted: too many candidate matches");
    err = CF_OK;
    goto out;
  }
  if (!err && R->nomem) err = CF_ENOMEM;
  if (!err) {
    char *copy = malloc(len ? len : 1);
    if (!copy) {
      err = CF_ENOMEM;
      goto out;
    }
    if (len) memcpy(copy, data, len);
    for (size_t i = 0; i < R->n_spans; i++) mask_span(data, copy, &R->spans[i]);
    err = write_copy(R, path, rel, copy, len, mode);
    /* The clear text and the copy held personal data. */
    memset(copy, 0, len);
    free(copy);
  }
out:
  if (data) memset(data, 0, len);
  free(data);
  return err;
}

/* A folder being copied: files the walk lists are written under their path below it. */
typedef struct root_walk {
  redactor_t *R;
  const char *root;
  size_t root_len; /* without trailing slashes */
} root_walk_t;

static cf_err redact_listed(void *ud, const char *path) {
  root_walk_t *w = ud;
  const char *rel = path;
  if (strncmp(path, w->root, w->root_len) == 0 && path[w->root_len] == '/') rel = path + w->root_len + 1;
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return CF_OK; /* gone since it was listed */
  return redact_file(w->R, path, rel, st.st_mode);
}

cf_err cf_content_redact(const cf_ctx_t *ctx, const cf_content_rules_t *rs, const char *const *paths, size_t n_paths,
                         const char *outdir, const cf_content_opts_t *opts, cf_report_t *report) {
  cf_content_opts_t defaults;
  memset(&defaults, 0, sizeof defaults);
  if (!opts) opts = &defaults;
  if (!rs->compiled || !outdir) return CF_EINVAL;
  redactor_t R;
  memset(&R, 0, sizeof R);
  R.ctx = ctx;
  R.opts = opts;
  R.report = report;
  R.outdir = outdir;
  cf_err err = prepare_outdir(&R, paths, n_paths);
  if (err) return err;
  if ((err = cf_content_scanner_new(rs, &R.sc))) return err;
  for (size_t i = 0; !err && i < n_paths; i++) {
    const char *p = paths[i];
    if (strcmp(p, "-") == 0) {
      (void)cf_diags_add(&report->errors, CF_EUNSUPPORTED, NULL, 0, 0,
                         "<stdin>: standard input is not copied to the redacted output");
      continue;
    }
    struct stat st;
    if (stat(p, &st) != 0) continue; /* the scan reported it */
    if (S_ISDIR(st.st_mode)) {
      /* The files a scan of the folder reads (.gitignore honoured, links kept inside it);
       * what cannot be read there the scan itself reports. */
      root_walk_t w = {&R, p, strlen(p)};
      while (w.root_len > 1 && p[w.root_len - 1] == '/') w.root_len--;
      cf_diags_t seen;
      cf_diags_init(&seen);
      err = cf__content_walk(ctx, &p, 1, opts, &seen, redact_listed, &w);
      cf_diags_cleanup(&seen);
    } else if (S_ISREG(st.st_mode)) {
      const char *base = strrchr(p, '/');
      base = base ? base + 1 : p;
      err = redact_file(&R, p, base, st.st_mode);
    }
  }
  cf_content_scanner_free(R.sc);
  free(R.spans);
  return err;
}
