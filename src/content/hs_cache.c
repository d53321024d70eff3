/*
 * hs_cache.c - compiled Hyperscan databases kept between runs.
 *
 * Compiling the prefilter database of a few hundred content rules takes most of a second,
 * which is as long as scanning a gigabyte; the database for a given list of patterns never
 * changes, so it is serialised (hs_serialize_database) into the context's cache folder under
 * a name derived from a hash of the patterns, their flags and the Hyperscan version, and read
 * back (hs_deserialize_database) by the next run with the same rules.
 *
 * File layout, all integers little-endian as the machine writes them (a cache is local):
 *   "CFHSDB01" | u32 n | n x { u8 prefiltered, u32 max_width } | u64 size | database |
 *   SHA-256 of everything before it, in hexadecimal (64 bytes).
 * A file that is short, corrupt, for another pattern count, or that Hyperscan refuses (other
 * CPU features, other version) is ignored and the rules are compiled; a cache that cannot be
 * written is no error. Files are written to a temporary name and renamed, so a reader never
 * sees half a file and concurrent runs do not collide.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content_internal.h"

#define MAGIC "CFHSDB01"
#define MAX_CACHE_FILE (256u << 20)

/* dir/hs-<key>.db into out; false when it does not fit. */
static bool cache_path(const cf_ctx_t *ctx, const char *key, char *out, size_t size) {
  int n = snprintf(out, size, "%s/hs-%.40s.db", ctx->cache_dir, key);
  return n > 0 && (size_t)n < size;
}

bool cf__hs_cache_key(const char *const *exprs, const unsigned *flags, size_t n, char key[65]) {
  /* The digest reads NUL-terminated strings: the flags are written as text. */
  const char **parts = calloc(2 * n + 2, sizeof(char *));
  char(*fl)[16] = calloc(n ? n : 1, sizeof(*fl));
  bool ok = false;
  if (parts && fl) {
    parts[0] = MAGIC;
    parts[1] = hs_version();
    for (size_t i = 0; i < n; i++) {
      snprintf(fl[i], sizeof fl[i], "%u", flags[i]);
      parts[2 + 2 * i] = fl[i];
      parts[3 + 2 * i] = exprs[i];
    }
    ok = cf__sha256_strs_hex(parts, 2 * n + 2, key);
  }
  free(parts);
  free(fl);
  return ok;
}

bool cf__hs_cache_load(const cf_ctx_t *ctx, const char *key, size_t n, uint8_t *prefiltered, uint32_t *max_width,
                       hs_database_t **db) {
  *db = NULL;
  char path[4096];
  if (!ctx || !ctx->cache_dir || !cache_path(ctx, key, path, sizeof path)) return false;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  struct stat st;
  char *buf = NULL;
  bool ok = false;
  size_t len = 0;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= MAX_CACHE_FILE) {
    len = (size_t)st.st_size;
    buf = malloc(len);
    size_t got = 0;
    while (buf && got < len) {
      ssize_t r = read(fd, buf + got, len - got);
      if (r <= 0) break;
      got += (size_t)r;
    }
    ok = buf && got == len;
  }
  close(fd);
  size_t head = 8 + 4 + n * 5 + 8;
  if (ok) ok = len >= head + 64 && memcmp(buf, MAGIC, 8) == 0;
  if (ok) {
    char sum[65];
    cf__sha256_hex(buf, len - 64, sum);
    ok = sum[0] && memcmp(sum, buf + len - 64, 64) == 0;
  }
  uint32_t count = 0;
  uint64_t size = 0;
  if (ok) {
    memcpy(&count, buf + 8, 4);
    memcpy(&size, buf + 8 + 4 + n * 5, 8);
    ok = count == n && size == len - 64 - head;
  }
  if (ok) {
    for (size_t i = 0; i < n; i++) {
      prefiltered[i] = (uint8_t)buf[12 + i * 5];
      memcpy(&max_width[i], buf + 12 + i * 5 + 1, 4);
    }
    ok = hs_deserialize_database(buf + head, (size_t)size, db) == HS_SUCCESS;
    if (!ok) *db = NULL;
  }
  free(buf);
  return ok;
}

void cf__hs_cache_store(const cf_ctx_t *ctx, const char *key, size_t n, const uint8_t *prefiltered,
                        const uint32_t *max_width, const hs_database_t *db) {
  char path[4096], tmp[4096 + 16];
  if (!ctx || !ctx->cache_dir || !db || !cache_path(ctx, key, path, sizeof path)) return;
  if (mkdir(ctx->cache_dir, 0700) != 0 && errno != EEXIST) return;
  char *ser = NULL;
  size_t ser_len = 0;
  if (hs_serialize_database(db, &ser, &ser_len) != HS_SUCCESS) return;
  size_t head = 8 + 4 + n * 5 + 8;
  size_t len = head + ser_len + 64;
  char *buf = len <= MAX_CACHE_FILE ? malloc(len) : NULL;
  if (buf) {
    memcpy(buf, MAGIC, 8);
    uint32_t count = (uint32_t)n;
    uint64_t size = ser_len;
    memcpy(buf + 8, &count, 4);
    for (size_t i = 0; i < n; i++) {
      buf[12 + i * 5] = (char)prefiltered[i];
      memcpy(buf + 12 + i * 5 + 1, &max_width[i], 4);
    }
    memcpy(buf + 8 + 4 + n * 5, &size, 8);
    memcpy(buf + head, ser, ser_len);
    char sum[65];
    cf__sha256_hex(buf, len - 64, sum);
    memcpy(buf + len - 64, sum, 64);
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    int fd = sum[0] ? mkstemp(tmp) : -1;
    if (fd >= 0) {
      size_t put = 0;
      while (put < len) {
        ssize_t w = write(fd, buf + put, len - put);
        if (w <= 0) break;
        put += (size_t)w;
      }
      bool whole = put == len;
      if (close(fd) != 0) whole = false;
      if (!whole || rename(tmp, path) != 0) unlink(tmp);
    }
  }
  free(buf);
  free(ser); /* hs_serialize_database allocates with the default allocator (malloc) */
}
