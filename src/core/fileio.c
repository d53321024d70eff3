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
  if (!f) return cf_diag_set(diag, errno == ENOENT ? CF_ENOTFOUND : CF_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
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
  cf_err err = cf__read_stream(f, path, max, pad, out, out_len, diag);
  fclose(f);
  return err;
}
