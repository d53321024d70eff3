/*
 * fileio.c - reading whole inputs into memory, with gzip decompression (zlib).
 *
 * Inputs are read, not mapped: the JSON front end needs a padded buffer, and reading lets a
 * file that grows while it is read be cut at the limit rather than crash the scan. gzip is
 * recognised by its magic bytes, not its name, because AWS Config history files arrive both
 * as ".json.gz" and renamed. The decompressed size is capped by the same limit as plain files,
 * which makes a gzip bomb end in CF_ELIMIT after at most max bytes of output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core.h"

static cf_err grow(char **buf, size_t *cap, size_t need, size_t pad) {
  if (need + pad <= *cap) return CF_OK;
  size_t ncap = *cap ? *cap : 65536;
  while (ncap < need + pad) ncap *= 2;
  char *n = realloc(*buf, ncap);
  if (!n) return CF_ENOMEM;
  *buf = n;
  *cap = ncap;
  return CF_OK;
}

cf_err cf__gunzip(const char *name, const uint8_t *in, size_t n, size_t max, size_t pad,
                  char **out, size_t *out_len, cf_diag_t *diag) {
  *out = NULL;
  *out_len = 0;
  z_stream zs;
  memset(&zs, 0, sizeof(zs));
  /* 15 + 32: zlib or gzip header, detected automatically. */
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return cf_diag_set(diag, CF_ENOMEM, name, 0, 0, "cannot start decompression");
  char *buf = NULL;
  size_t cap = 0, len = 0;
  cf_err err = CF_OK;
  zs.next_in = (Bytef *)in;
  size_t remaining = n;
  for (;;) {
    if (zs.avail_in == 0 && remaining) {
      zs.avail_in = remaining > (1u << 30) ? (1u << 30) : (uInt)remaining;
      remaining -= zs.avail_in;
    }
    if ((err = grow(&buf, &cap, len + 65536 > max + 1 ? max + 1 : len + 65536, pad)) != CF_OK) {
      cf_diag_set(diag, err, name, 0, 0, "out of memory while decompressing");
      goto out;
    }
    size_t room = cap - pad - len;
    if (room == 0) {
      err = cf_diag_set(diag, CF_ELIMIT, name, 0, 0,
                        "decompressed size passes the limit of %zu bytes", max);
      goto out;
    }
    zs.next_out = (Bytef *)buf + len;
    zs.avail_out = room > (1u << 30) ? (1u << 30) : (uInt)room;
    uInt before = zs.avail_out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    len += before - zs.avail_out;
    if (len > max) {
      err = cf_diag_set(diag, CF_ELIMIT, name, 0, 0,
                        "decompressed size passes the limit of %zu bytes", max);
      goto out;
    }
    if (rc == Z_STREAM_END) {
      /* Concatenated gzip members are legal; continue with the next one. */
      if (zs.avail_in == 0 && remaining == 0) break;
      if (inflateReset(&zs) != Z_OK) break;
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && remaining == 0) {
      err = cf_diag_set(diag, CF_EPARSE, name, 0, 0, "truncated gzip data");
      goto out;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      err = cf_diag_set(diag, CF_EPARSE, name, 0, 0, "corrupt gzip data: %s",
                        zs.msg ? zs.msg : "inflate failed");
      goto out;
    }
  }
  memset(buf + len, 0, pad);
  *out = buf;
  *out_len = len;
  buf = NULL;
out:
  inflateEnd(&zs);
  free(buf);
  return err;
}

static bool is_gzip(const char *p, size_t n) {
  return n >= 2 && (uint8_t)p[0] == 0x1f && (uint8_t)p[1] == 0x8b;
}

cf_err cf__read_stream(FILE *f, const char *name, size_t max, size_t pad, char **out,
                       size_t *out_len, cf_diag_t *diag) {
  *out = NULL;
  *out_len = 0;
  char *buf = NULL;
  size_t cap = 0, len = 0;
  cf_err err = CF_OK;
  /* Compressed input may be larger than max is not the question: its output is capped. The
   * raw read is capped at max as well. */
  for (;;) {
    if ((err = grow(&buf, &cap, len + 65536, pad)) != CF_OK) {
      cf_diag_set(diag, err, name, 0, 0, "out of memory reading input");
      goto out;
    }
    size_t want = cap - pad - len;
    size_t got = fread(buf + len, 1, want, f);
    len += got;
    if (len > max) {
      err = cf_diag_set(diag, CF_ELIMIT, name, 0, 0,
                        "file is larger than the limit of %zu bytes (see --max-file-size)", max);
      goto out;
    }
    if (got < want) {
      if (ferror(f)) {
        err = cf_diag_set(diag, CF_EIO, name, 0, 0, "read error: %s", strerror(errno));
        goto out;
      }
      break;
    }
  }
  if (is_gzip(buf, len)) {
    char *z = NULL;
    size_t zlen = 0;
    err = cf__gunzip(name, (const uint8_t *)buf, len, max, pad, &z, &zlen, diag);
    if (err) goto out;
    free(buf);
    buf = z;
    len = zlen;
  } else {
    memset(buf + len, 0, pad);
  }
  *out = buf;
  *out_len = len;
  buf = NULL;
out:
  free(buf);
  return err;
}

cf_err cf__read_file(const char *path, size_t max, size_t pad, char **out, size_t *out_len,
                     cf_diag_t *diag) {
  *out = NULL;
  *out_len = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return cf_diag_set(diag, errno == ENOENT ? CF_ENOTFOUND : errno == ENOMEM ? CF_ENOMEM : CF_EIO, path, 0, 0,
                       "cannot open: %s", strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      fclose(f);
      return cf_diag_set(diag, CF_EINVAL, path, 0, 0, "is a directory");
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
      fclose(f);
      return cf_diag_set(diag, CF_ELIMIT, path, 0, 0,
                         "file is %lld bytes, larger than the limit of %zu (see --max-file-size)",
                         (long long)st.st_size, max);
    }
  }
  /* Reads go straight into our buffer in 64 KiB pieces: a stdio buffer would only add a copy
   * (and an allocation that stdio quietly does without when memory is short). */
  setvbuf(f, NULL, _IONBF, 0);
  cf_err err = cf__read_stream(f, path, max, pad, out, out_len, diag);
  fclose(f);
  return err;
}

/* ---- streaming reader ----
 * Reads a file, or a buffer already in memory, piece by piece, inflating gzip on the way.
 * Used where an input can be far larger than memory should be (AWS Config snapshots): the
 * caller keeps only a window of it. The decompressed total is capped like a whole read. */

struct cf_reader {
  FILE *f;              /* NULL for a memory reader */
  const uint8_t *mem;   /* memory reader: the data */
  size_t mem_len, mem_off;
  bool gzip;
  z_stream zs;
  uint8_t *zin;         /* compressed input window */
  bool z_end;           /* the compressed input is exhausted */
  size_t total, max;
  const char *name;
};

#define READER_ZIN (1u << 20)

static cf_err reader_start(cf_reader_t *r, cf_diag_t *diag) {
  /* Peek two bytes for the gzip magic without consuming them. */
  uint8_t magic[2];
  size_t n = 0;
  if (r->f) {
    n = fread(magic, 1, 2, r->f);
    if (ferror(r->f)) return cf_diag_set(diag, CF_EIO, r->name, 0, 0, "read error: %s", strerror(errno));
    /* Only regular files are streamed (standard input is read whole), so rewinding works. */
    if (n && fseek(r->f, 0, SEEK_SET) != 0)
      return cf_diag_set(diag, CF_EIO, r->name, 0, 0, "cannot rewind the input: %s", strerror(errno));
  } else {
    n = r->mem_len < 2 ? r->mem_len : 2;
    memcpy(magic, r->mem, n);
  }
  r->gzip = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (!r->gzip) return CF_OK;
  memset(&r->zs, 0, sizeof r->zs);
  if (inflateInit2(&r->zs, 15 + 32) != Z_OK) return cf_diag_set(diag, CF_ENOMEM, r->name, 0, 0, "cannot start decompression");
  if (r->f && !(r->zin = malloc(READER_ZIN))) {
    inflateEnd(&r->zs);
    r->gzip = false;
    return cf_diag_set(diag, CF_ENOMEM, r->name, 0, 0, "out of memory");
  }
  if (!r->f) {
    r->zs.next_in = (Bytef *)r->mem;
    r->zs.avail_in = r->mem_len > UINT32_MAX ? UINT32_MAX : (uInt)r->mem_len;
    r->mem_off = r->zs.avail_in;
  }
  return CF_OK;
}

cf_err cf__reader_open(const char *path, size_t max, cf_reader_t **out, cf_diag_t *diag) {
  *out = NULL;
  cf_reader_t *r = calloc(1, sizeof(*r));
  if (!r) return cf_diag_set(diag, CF_ENOMEM, path, 0, 0, "out of memory");
  r->name = path;
  r->max = max;
  r->f = fopen(path, "rb");
  if (!r->f) {
    cf_err e = cf_diag_set(diag, errno == ENOENT ? CF_ENOTFOUND : CF_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    free(r);
    return e;
  }
  cf_err e = reader_start(r, diag);
  if (e) {
    fclose(r->f);
    free(r);
    return e;
  }
  *out = r;
  return CF_OK;
}

cf_err cf__reader_open_mem(const char *name, const void *data, size_t len, size_t max, cf_reader_t **out,
                           cf_diag_t *diag) {
  *out = NULL;
  cf_reader_t *r = calloc(1, sizeof(*r));
  if (!r) return cf_diag_set(diag, CF_ENOMEM, name, 0, 0, "out of memory");
  r->name = name;
  r->max = max;
  r->mem = data;
  r->mem_len = len;
  cf_err e = reader_start(r, diag);
  if (e) {
    free(r);
    return e;
  }
  *out = r;
  return CF_OK;
}

static cf_err raw_read(cf_reader_t *r, uint8_t *buf, size_t n, size_t *got, cf_diag_t *diag) {
  if (r->f) {
    *got = fread(buf, 1, n, r->f);
    if (*got < n && ferror(r->f)) return cf_diag_set(diag, CF_EIO, r->name, 0, 0, "read error: %s", strerror(errno));
    return CF_OK;
  }
  size_t left = r->mem_len - r->mem_off;
  *got = left < n ? left : n;
  memcpy(buf, r->mem + r->mem_off, *got);
  r->mem_off += *got;
  return CF_OK;
}

cf_err cf__reader_read(cf_reader_t *r, char *buf, size_t n, size_t *got, cf_diag_t *diag) {
  *got = 0;
  if (n == 0) return CF_OK;
  cf_err e;
  if (!r->gzip) {
    if ((e = raw_read(r, (uint8_t *)buf, n, got, diag))) return e;
  } else {
    size_t done = 0;
    while (done < n) {
      if (r->zs.avail_in == 0 && !r->z_end) {
        if (r->f) {
          size_t in = 0;
          if ((e = raw_read(r, r->zin, READER_ZIN, &in, diag))) return e;
          r->zs.next_in = r->zin;
          r->zs.avail_in = (uInt)in;
          if (in == 0) r->z_end = true;
        } else {
          size_t left = r->mem_len - r->mem_off;
          if (left == 0) {
            r->z_end = true;
          } else {
            r->zs.next_in = (Bytef *)r->mem + r->mem_off;
            r->zs.avail_in = left > UINT32_MAX ? UINT32_MAX : (uInt)left;
            r->mem_off += r->zs.avail_in;
          }
        }
      }
      size_t want = n - done;
      r->zs.next_out = (Bytef *)buf + done;
      r->zs.avail_out = want > UINT32_MAX ? UINT32_MAX : (uInt)want;
      uInt before = r->zs.avail_out;
      int rc = inflate(&r->zs, Z_NO_FLUSH);
      done += before - r->zs.avail_out;
      if (rc == Z_STREAM_END) {
        /* Concatenated members are legal gzip; stop at the end of the input. */
        if (r->zs.avail_in == 0 && r->z_end) break;
        if (r->zs.avail_in == 0 && r->f) {
          size_t in = 0;
          if ((e = raw_read(r, r->zin, READER_ZIN, &in, diag))) return e;
          if (in == 0) {
            r->z_end = true;
            break;
          }
          r->zs.next_in = r->zin;
          r->zs.avail_in = (uInt)in;
        } else if (r->zs.avail_in == 0) {
          if (r->mem_off >= r->mem_len) {
            r->z_end = true;
            break;
          }
        }
        if (inflateReset(&r->zs) != Z_OK) break;
        continue;
      }
      if (rc == Z_BUF_ERROR && r->z_end && r->zs.avail_in == 0) {
        if (before != r->zs.avail_out) continue;
        return cf_diag_set(diag, CF_EPARSE, r->name, 0, 0, "truncated gzip data");
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        return cf_diag_set(diag, CF_EPARSE, r->name, 0, 0, "corrupt gzip data: %s", r->zs.msg ? r->zs.msg : "inflate failed");
      if (before == r->zs.avail_out && r->z_end) break;
    }
    *got = done;
  }
  r->total += *got;
  if (r->total > r->max)
    return cf_diag_set(diag, CF_ELIMIT, r->name, 0, 0, "input is larger than the limit of %zu bytes (see --max-file-size)", r->max);
  return CF_OK;
}

void cf__reader_close(cf_reader_t *r) {
  if (!r) return;
  if (r->f) fclose(r->f);
  if (r->gzip) inflateEnd(&r->zs);
  free(r->zin);
  free(r);
}
