/*
 * archive.c - scanning inside archives: zip and its kin (jar, war, ear, apk, aar, ipa), tar,
 * and gzip, bzip2 and xz streams (compressed tars, or a single compressed file), through
 * libarchive, with archives inside archives opened up to --max-depth levels.
 *
 * Nothing is ever written to disk: each entry is read into memory and handed to the scan
 * under the name "outer.apk!res/values/strings.xml" ("a.zip!inner.jar!com/x/Config.class"
 * for nested ones). Entries are recognised by their first bytes, not by their names. Binary
 * entries are skipped, except archives (opened) and compiled code: a Java class contributes
 * its constant pool's strings and a .dex file its printable runs, so that a key compiled
 * into a constant is still found.
 *
 * Hostile archives: every limit ends that archive with a warning naming it, never a crash or
 * unbounded memory. Limits per top-level archive, nested ones included: the bytes unpacked
 * (--max-archive-size, 1 GiB by default), the number of entries (200,000), the ratio of
 * unpacked bytes to the archive's own size (200:1 once more than 16 MiB are out: a zip bomb
 * stops early), the size of one entry (256 MiB or --max-file-size), the nesting depth.
 * Names that climb out of the archive ("../x", "/etc/x") are reported under a cleaned name
 * with a warning; symbolic links are not followed (warning); hard links carry no data and
 * are skipped. Only libarchive's built-in decompressors are enabled: support_filter_all
 * would also allow filters that run external programs.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "content_scan.h"

#define ENTRY_MAX_COUNT 200000u
#define ENTRY_MAX_BYTES (256ull << 20)
#define RATIO_MAX 200u
#define RATIO_FLOOR (16ull << 20)
#define CHUNK (64u << 10)
#define STRINGS_MIN 6

enum { KIND_NONE, KIND_ZIP, KIND_TAR, KIND_GZIP, KIND_BZIP2, KIND_XZ };

int cf__archive_sniff(const void *data, size_t len) {
  const uint8_t *d = data;
  if (len >= 4 && d[0] == 'P' && d[1] == 'K' && ((d[2] == 3 && d[3] == 4) || (d[2] == 5 && d[3] == 6) || (d[2] == 7 && d[3] == 8)))
    return KIND_ZIP;
  if (len >= 3 && d[0] == 0x1f && d[1] == 0x8b && d[2] == 8) return KIND_GZIP;
  if (len >= 10 && memcmp(d, "BZh", 3) == 0 && d[3] >= '1' && d[3] <= '9' &&
      (memcmp(d + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 || memcmp(d + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0))
    return KIND_BZIP2;
  if (len >= 6 && memcmp(d, "\xfd" "7zXZ\0", 6) == 0) return KIND_XZ;
  if (len >= 262 && memcmp(d + 257, "ustar", 5) == 0) return KIND_TAR;
  return KIND_NONE;
}

/* ---- strings from compiled code ---- */

static bool out_append(char **buf, size_t *len, size_t *cap, const uint8_t *s, size_t n) {
  if (*len + n + 2 > *cap) {
    size_t nc = *cap ? *cap : 4096;
    while (nc < *len + n + 2) nc *= 2;
    char *nb = realloc(*buf, nc);
    if (!nb) return false;
    *buf = nb;
    *cap = nc;
  }
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    (*buf)[(*len)++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
  }
  (*buf)[(*len)++] = '\n';
  (*buf)[*len] = '\0';
  return true;
}

bool cf__printable_strings(const uint8_t *data, size_t len, size_t min, char **out, size_t *out_len) {
  char *buf = NULL;
  size_t n = 0, cap = 0;
  *out = NULL;
  *out_len = 0;
  size_t i = 0;
  while (i < len) {
    size_t a = i;
    while (i < len && ((data[i] >= 0x20 && data[i] < 0x7f) || data[i] == '\t')) i++;
    if (i - a >= min && !out_append(&buf, &n, &cap, data + a, i - a)) {
      free(buf);
      return false;
    }
    if (i == a) i++;
  }
  if (!buf && !(buf = calloc(1, 1))) return false;
  *out = buf;
  *out_len = n;
  return true;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* The Java class file format (JVM specification, chapter 4.4): magic, versions, then
 * constant_pool_count - 1 entries whose size follows from their tag. */
bool cf__class_strings(const uint8_t *data, size_t len, char **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (len < 10 || be16(data) != 0xCAFE || be16(data + 2) != 0xBABE) return false;
  unsigned count = be16(data + 8);
  size_t off = 10;
  char *buf = NULL;
  size_t n = 0, cap = 0;
  for (unsigned i = 1; i < count; i++) {
    if (off >= len) goto bad;
    uint8_t tag = data[off++];
    size_t size;
    switch (tag) {
    case 1: /* Utf8 */
      if (off + 2 > len) goto bad;
      size = be16(data + off);
      off += 2;
      if (off + size > len) goto bad;
      if (size && !out_append(&buf, &n, &cap, data + off, size)) goto bad;
      break;
    case 3: case 4: size = 4; break;
    case 5: case 6: size = 8; i++; break; /* takes two slots */
    case 7: case 8: case 16: case 19: case 20: size = 2; break;
    case 9: case 10: case 11: case 12: case 17: case 18: size = 4; break;
    case 15: size = 3; break;
    default: goto bad;
    }
    if (off + size > len) goto bad;
    off += size;
  }
  if (!buf && !(buf = calloc(1, 1))) return false;
  *out = buf;
  *out_len = n;
  return true;
bad:
  free(buf);
  return false;
}

/* ---- walking an archive ---- */

typedef struct abudget {
  uint64_t total, max_total; /* bytes unpacked, and the cap */
  uint64_t packed;           /* size of the top-level archive */
  uint64_t entries;
  uint64_t entry_max;
  unsigned max_depth;
  bool stop;                 /* a limit ended the whole archive */
} abudget_t;

/* Cleans an entry name: no leading '/', no "." or ".." components, '\' taken as '/', control
 * bytes replaced. Returns a malloc'd name; *changed says whether it climbed out. */
static char *clean_name(const char *raw, bool *changed) {
  size_t n = strlen(raw);
  char *out = malloc(n + 2);
  if (!out) return NULL;
  size_t k = 0;
  *changed = false;
  size_t i = 0;
  while (i <= n) {
    size_t a = i;
    while (i < n && raw[i] != '/' && raw[i] != '\\') i++;
    size_t len = i - a;
    if (len == 0) {
      if (a == 0 && n > 0) *changed = true; /* absolute */
    } else if (len == 2 && raw[a] == '.' && raw[a + 1] == '.') {
      *changed = true;
    } else if (!(len == 1 && raw[a] == '.')) {
      if (k) out[k++] = '/';
      for (size_t t = a; t < i; t++) {
        unsigned char c = (unsigned char)raw[t];
        out[k++] = c < 0x20 || c == 0x7f || c == '!' ? '_' : (char)c;
      }
    }
    i++;
  }
  if (!k) out[k++] = '_';
  out[k] = '\0';
  return out;
}

/* The name of the single file inside a compressed stream: the stream's name without its
 * compression suffix. */
static char *raw_name(const char *outer) {
  const char *bang = strrchr(outer, '!');
  const char *slash = strrchr(outer, '/');
  const char *base = bang && (!slash || bang > slash) ? bang + 1 : slash ? slash + 1 : outer;
  static const char *const sufs[] = {".gz", ".bz2", ".xz", ".tgz", ".tbz2", ".txz", NULL};
  size_t n = strlen(base);
  for (int i = 0; sufs[i]; i++) {
    size_t s = strlen(sufs[i]);
    if (n > s && strcasecmp(base + n - s, sufs[i]) == 0) {
      char *r = strndup(base, n - s);
      return r;
    }
  }
  return strdup("data");
}

static struct archive *new_reader(int kind) {
  struct archive *a = archive_read_new();
  if (!a) return NULL;
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_filter_xz(a);
  archive_read_support_format_zip(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  /* A compressed stream may hold a single file rather than a tar. */
  if (kind == KIND_GZIP || kind == KIND_BZIP2 || kind == KIND_XZ) archive_read_support_format_raw(a);
  return a;
}

static bool ends_with(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && strcasecmp(s + n - m, suf) == 0;
}

static cf_err walk(cf_content_job_t *j, abudget_t *b, struct archive *a, const char *aname, unsigned level);

cf_err cf__scan_compiled(cf_content_job_t *j, const char *name, const char *data, size_t len) {
  bool is_class = ends_with(name, ".class") || (len >= 4 && memcmp(data, "\xca\xfe\xba\xbe", 4) == 0);
  bool is_dex = ends_with(name, ".dex") || (len >= 4 && memcmp(data, "dex\n", 4) == 0);
  if (!(is_class || is_dex) || !cf__content_is_binary(data, len)) return cf__job_scan_text(j, name, data, len, NULL, NULL, 0);
  char *txt = NULL;
  size_t tn = 0;
  if (!(is_class && cf__class_strings((const uint8_t *)data, len, &txt, &tn)) &&
      !cf__printable_strings((const uint8_t *)data, len, STRINGS_MIN, &txt, &tn))
    return CF_ENOMEM;
  cf_err err = cf__job_scan_text(j, name, txt, tn, NULL, NULL, 0);
  explicit_bzero(txt, tn);
  free(txt);
  return err;
}

/* Scans one entry's bytes. */
static cf_err scan_entry(cf_content_job_t *j, abudget_t *b, const char *inner, char *data, size_t len, unsigned level) {
  int kind = cf__archive_sniff(data, len);
  if (kind) {
    if (level >= b->max_depth) {
      cf__job_warn(j, CF_ELIMIT, inner, "archive nested deeper than %u levels; not opened (see --max-depth)", b->max_depth);
      return CF_OK;
    }
    struct archive *a = new_reader(kind);
    if (!a) return CF_ENOMEM;
    cf_err err = CF_OK;
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) cf__job_warn(j, CF_EPARSE, inner, "cannot open archive: %s", archive_error_string(a) ? archive_error_string(a) : "unknown format");
    else err = walk(j, b, a, inner, level + 1);
    archive_read_free(a);
    return err;
  }
  return cf__scan_compiled(j, inner, data, len);
}

/* Reads the current entry into *buf; false (entry skipped or archive stopped, said in a
 * warning) when it cannot be had whole. */
static bool read_entry(cf_content_job_t *j, abudget_t *b, struct archive *a, const char *aname, const char *inner,
                       char **buf, size_t *len, bool *fatal, bool *nomem) {
  size_t cap = 0;
  *buf = NULL;
  *len = 0;
  char *tmp = malloc(CHUNK);
  if (!tmp) {
    *nomem = true;
    return false;
  }
  bool ok = true;
  for (;;) {
    la_ssize_t got = archive_read_data(a, tmp, CHUNK);
    if (got == 0) break;
    if (got < 0) {
      cf__job_warn(j, CF_EPARSE, inner, "cannot read entry: %s", archive_error_string(a) ? archive_error_string(a) : "damaged");
      *fatal = got == ARCHIVE_FATAL;
      ok = false;
      break;
    }
    b->total += (uint64_t)got;
    if (b->total > b->max_total) {
      cf__job_warn(j, CF_ELIMIT, aname, "more than %llu bytes unpacked; the rest of the archive was not scanned (see --max-archive-size)",
                   (unsigned long long)b->max_total);
      b->stop = true;
      ok = false;
      break;
    }
    if (b->total > RATIO_FLOOR && b->total / RATIO_MAX > b->packed) {
      cf__job_warn(j, CF_ELIMIT, aname, "compression ratio above %u:1 (a zip bomb?); the rest of the archive was not scanned", RATIO_MAX);
      b->stop = true;
      ok = false;
      break;
    }
    if (*len + (size_t)got > b->entry_max) {
      cf__job_warn(j, CF_ELIMIT, inner, "entry larger than %llu bytes; not scanned", (unsigned long long)b->entry_max);
      ok = false;
      break;
    }
    if (*len + (size_t)got + 1 > cap) {
      size_t nc = cap ? cap : CHUNK;
      while (nc < *len + (size_t)got + 1) nc *= 2;
      char *nb = realloc(*buf, nc);
      if (!nb) {
        *nomem = true;
        ok = false;
        break;
      }
      *buf = nb;
      cap = nc;
    }
    memcpy(*buf + *len, tmp, (size_t)got);
    *len += (size_t)got;
  }
  free(tmp);
  if (!ok) {
    if (*buf) explicit_bzero(*buf, *len);
    free(*buf);
    *buf = NULL;
    *len = 0;
    return false;
  }
  if (!*buf && !(*buf = calloc(1, 1))) {
    *nomem = true;
    return false;
  }
  (*buf)[*len] = '\0';
  return true;
}

static cf_err walk(cf_content_job_t *j, abudget_t *b, struct archive *a, const char *aname, unsigned level) {
  cf_err err = CF_OK;
  cf__job_count_file(j);
  bool is_raw = false;
  for (;;) {
    if (b->stop) break;
    struct archive_entry *ent = NULL;
    int r = archive_read_next_header(a, &ent);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      cf__job_warn(j, CF_EPARSE, aname, "cannot read archive: %s", archive_error_string(a) ? archive_error_string(a) : "damaged");
      break;
    }
    if (++b->entries > ENTRY_MAX_COUNT) {
      cf__job_warn(j, CF_ELIMIT, aname, "more than %u entries; the rest of the archive was not scanned", ENTRY_MAX_COUNT);
      b->stop = true;
      break;
    }
    is_raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
    const char *pn = archive_entry_pathname(ent);
    char *name;
    bool climbed = false;
    if (is_raw) name = raw_name(aname);
    else name = clean_name(pn ? pn : "", &climbed);
    if (!name) return CF_ENOMEM;
    size_t in = strlen(aname) + strlen(name) + 2;
    char *inner = malloc(in);
    if (!inner) {
      free(name);
      return CF_ENOMEM;
    }
    snprintf(inner, in, "%s!%s", aname, name);
    free(name);
    if (climbed) cf__job_warn(j, CF_EPARSE, inner, "entry name leaves the archive; reported under a cleaned name");
    mode_t type = archive_entry_filetype(ent);
    if (type == AE_IFLNK) {
      cf__job_warn(j, CF_EUNSUPPORTED, inner, "symbolic link entry not followed");
    } else if (archive_entry_hardlink(ent) == NULL && (type == AE_IFREG || type == 0)) {
      char *data = NULL;
      size_t len = 0;
      bool fatal = false, nomem = false;
      if (read_entry(j, b, a, aname, inner, &data, &len, &fatal, &nomem)) {
        err = scan_entry(j, b, inner, data, len, level);
        explicit_bzero(data, len);
        free(data);
      }
      if (nomem) err = CF_ENOMEM;
      if (fatal) {
        free(inner);
        break;
      }
    }
    free(inner);
    if (err) break;
  }
  return err;
}

static void budget_init(cf_content_job_t *j, abudget_t *b, uint64_t packed) {
  const cf_content_opts_t *o = cf__job_opts(j);
  memset(b, 0, sizeof *b);
  b->max_total = o->max_archive_bytes ? o->max_archive_bytes : (1ull << 30);
  b->packed = packed ? packed : 1;
  b->max_depth = o->max_depth ? o->max_depth : 3;
  uint64_t fmax = cf__limits(cf__job_ctx(j))->max_file_size;
  b->entry_max = fmax && fmax < ENTRY_MAX_BYTES ? fmax : ENTRY_MAX_BYTES;
}

cf_err cf__archive_scan_mem(cf_content_job_t *j, const char *name, const void *data, size_t len) {
  abudget_t b;
  budget_init(j, &b, len);
  int kind = cf__archive_sniff(data, len);
  struct archive *a = new_reader(kind);
  if (!a) return CF_ENOMEM;
  cf_err err = CF_OK;
  if (archive_read_open_memory(a, data, len) != ARCHIVE_OK)
    cf__job_warn(j, CF_EPARSE, name, "cannot open archive: %s", archive_error_string(a) ? archive_error_string(a) : "unknown format");
  else err = walk(j, &b, a, name, 1);
  archive_read_free(a);
  return err;
}

cf_err cf__archive_scan_file(cf_content_job_t *j, const char *path, const char *name) {
  struct stat st;
  if (stat(path, &st) != 0) {
    cf__job_warn(j, CF_EIO, name, "cannot open archive");
    return CF_OK;
  }
  uint8_t head[512];
  size_t got = 0;
  FILE *f = fopen(path, "rb");
  if (f) {
    got = fread(head, 1, sizeof head, f);
    fclose(f);
  }
  abudget_t b;
  budget_init(j, &b, (uint64_t)st.st_size);
  struct archive *a = new_reader(cf__archive_sniff(head, got));
  if (!a) return CF_ENOMEM;
  cf_err err = CF_OK;
  if (archive_read_open_filename(a, path, CHUNK) != ARCHIVE_OK)
    cf__job_warn(j, CF_EPARSE, name, "cannot open archive: %s", archive_error_string(a) ? archive_error_string(a) : "unknown format");
  else err = walk(j, &b, a, name, 1);
  archive_read_free(a);
  return err;
}
