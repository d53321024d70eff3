/*
 * core.h - internal helpers shared by every module: arena, capped buffer, logging, string and
 * time utilities. Not installed; public types live in include/cloudfort/.
 */
#ifndef CF_CORE_H
#define CF_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cloudfort/context.h"
#include "cloudfort/doc.h"
#include "cloudfort/error.h"
#include "limits.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CF_UNUSED(x) ((void)(x))

/* ---- context internals ---- */
struct cf_ctx {
  cf_log_cb log_cb;
  void *log_ud;
  cf_log_level log_level;
  cf_limits_t limits;
  int64_t now;
  char *cache_dir; /* where compiled rule databases are kept between runs, or NULL */
};

/* Formats and passes a message to the context's callback when the level is enabled. ctx may
 * be NULL (nothing happens). */
void cf__log(const cf_ctx_t *ctx, cf_log_level level, const char *fmt, ...) CF_PRINTF(3, 4);
/* Limits of ctx, or the defaults when ctx is NULL. */
const cf_limits_t *cf__limits(const cf_ctx_t *ctx);

/* ---- arena ----
 * A bump allocator: many small allocations freed at once. Chunks grow geometrically up to a
 * cap; a request larger than a chunk gets its own. The total is bounded by max_bytes (0 means
 * unbounded); an allocation beyond it fails like an out-of-memory condition. Not thread-safe.
 */
cf_arena_t *cf__arena_new(size_t max_bytes);
/* The free space of the arena's current chunk; the first member of every cf_arena_t. */
typedef struct cf_arena_bump {
  char *cur, *end;
} cf_arena_bump_t;
void cf__arena_free(cf_arena_t *a);
/* Frees everything but keeps the first chunk for reuse. */
void cf__arena_reset(cf_arena_t *a);
void *cf__arena_alloc(cf_arena_t *a, size_t n);  /* 8-byte aligned, uninitialised */
void *cf__arena_zalloc(cf_arena_t *a, size_t n); /* zeroed */
/* cf__arena_alloc with the common case (room in the current chunk) inlined. */
static inline void *cf__arena_alloc_fast(cf_arena_t *a, size_t n) {
  cf_arena_bump_t *b = (cf_arena_bump_t *)(void *)a;
  size_t r = (n + 7u) & ~(size_t)7u;
  if (n && n <= SIZE_MAX / 2 && (size_t)(b->end - b->cur) >= r) {
    void *p = b->cur;
    b->cur += r;
    return p;
  }
  return cf__arena_alloc(a, n);
}
char *cf__arena_strndup(cf_arena_t *a, const char *s, size_t n);
char *cf__arena_strdup(cf_arena_t *a, const char *s);
char *cf__arena_printf(cf_arena_t *a, const char *fmt, ...) CF_PRINTF(2, 3);
size_t cf__arena_used(const cf_arena_t *a);
/* Whether an allocation from this arena has failed since it was made (reset does not clear
 * it). Code that builds many nodes can check once at the end instead of after every call:
 * the scan does so for every adapter, so that a failed allocation an adapter took for "no
 * value" still ends the scan with CF_ENOMEM. */
bool cf__arena_failed(const cf_arena_t *a);

/* ---- capped buffer ----
 * A growable byte buffer with a mandatory maximum: appends beyond max fail with CF_ELIMIT and
 * leave the buffer as it was. The content is always NUL-terminated. Caller-owned storage.
 */
typedef struct cf_buf {
  char *data;
  size_t len;
  size_t cap;
  size_t max;
} cf_buf_t;

void cf__buf_init(cf_buf_t *b, size_t max);
void cf__buf_cleanup(cf_buf_t *b);
/* Zeroes the content before freeing it (for buffers that held secrets). */
void cf__buf_cleanup_secure(cf_buf_t *b);
void cf__buf_reset(cf_buf_t *b);
cf_err cf__buf_append(cf_buf_t *b, const void *p, size_t n) CF_MUST_CHECK;
cf_err cf__buf_putc(cf_buf_t *b, char c) CF_MUST_CHECK;
cf_err cf__buf_puts(cf_buf_t *b, const char *s) CF_MUST_CHECK;
cf_err cf__buf_printf(cf_buf_t *b, const char *fmt, ...) CF_PRINTF(2, 3) CF_MUST_CHECK;
cf_err cf__buf_vprintf(cf_buf_t *b, const char *fmt, va_list ap) CF_PRINTF(2, 0) CF_MUST_CHECK;
/* Hands the data to the caller (free with free()) and leaves the buffer empty. */
char *cf__buf_take(cf_buf_t *b);

/* ---- arrays ----
 * Makes room for one more element in a malloc'd array of len elements of `size` bytes with
 * capacity *cap (doubling from 16). Returns false, leaving the array as it was, when out of
 * memory or when the size would overflow. */
bool cf__grow(void **p, size_t *cap, size_t len, size_t size);

/* ---- strings ---- */
/* snprintf that truncates on purpose (evidence, messages): always NUL-terminates. */
void cf__strfmt(char *dst, size_t n, const char *fmt, ...) CF_PRINTF(3, 4);
bool cf__str_ieq(const char *a, const char *b);
bool cf__str_starts(const char *s, const char *prefix);
bool cf__str_ends(const char *s, const char *suffix);
bool cf__str_istarts(const char *s, const char *prefix);
/* Shell-style glob with '*' and '?' only; case-insensitive when ci. */
bool cf__glob_match(const char *pattern, const char *s, bool ci);
/* Length of the longest prefix of s[0..n) that is valid UTF-8. */
size_t cf__utf8_valid_prefix(const uint8_t *s, size_t n);
/* Writes code point cp (at most 0x10FFFF) as UTF-8 into out; returns the bytes written (1-4). */
size_t cf__utf8_encode(uint32_t cp, char out[4]);
/* Line and column (1-based, column in bytes) of offset in buf. */
void cf__line_col(const char *buf, size_t len, size_t offset, uint32_t *line, uint32_t *col);

/* ---- time ---- */
/* Parses an ISO 8601 / RFC 3339 timestamp ("2019-01-02T03:04:05Z", fractional seconds and
 * offsets allowed, a date alone allowed) into seconds since the epoch. */
bool cf__parse_time(const char *s, int64_t *out);

/* ---- files ---- */
/* Reads a whole file (decompressing gzip when the content starts with the gzip magic) into a
 * malloc'd buffer followed by `pad` zero bytes. Fails with CF_ELIMIT beyond max bytes. */
cf_err cf__read_file(const char *path, size_t max, size_t pad, char **out, size_t *out_len,
                     cf_diag_t *diag) CF_MUST_CHECK;
/* The same for an open stream (stdin). */
cf_err cf__read_stream(FILE *f, const char *name, size_t max, size_t pad, char **out,
                       size_t *out_len, cf_diag_t *diag) CF_MUST_CHECK;
/* Decompresses gzip data in[0..n) into a malloc'd buffer of at most max bytes plus pad zeros. */
cf_err cf__gunzip(const char *name, const uint8_t *in, size_t n, size_t max, size_t pad,
                  char **out, size_t *out_len, cf_diag_t *diag) CF_MUST_CHECK;

/* A reader of large inputs, piece by piece, with gzip inflated on the way (fileio.c). The
 * decompressed total is capped at max (CF_ELIMIT beyond). Not thread-safe. */
typedef struct cf_reader cf_reader_t;
cf_err cf__reader_open(const char *path, size_t max, cf_reader_t **out, cf_diag_t *diag) CF_MUST_CHECK;
/* A reader over data already in memory (borrowed until the reader is closed). */
cf_err cf__reader_open_mem(const char *name, const void *data, size_t len, size_t max,
                           cf_reader_t **out, cf_diag_t *diag) CF_MUST_CHECK;
/* Reads up to n bytes into buf; *got is 0 only at the end of the input. */
cf_err cf__reader_read(cf_reader_t *r, char *buf, size_t n, size_t *got, cf_diag_t *diag) CF_MUST_CHECK;
void cf__reader_close(cf_reader_t *r);

/* ---- hashing ---- */
/* Frees the calling thread's digest context (threads that computed fingerprints call it
 * before they end). */
void cf__hash_thread_done(void);
/* SHA-256 of data, written as 64 lowercase hex digits plus NUL into hex[65]; hex is "" when
 * OpenSSL cannot allocate its state. */
void cf__sha256_hex(const void *data, size_t n, char hex[65]);
/* SHA-256 of the strings strs[0..n), each followed by one NUL byte, hashed as they come (no
 * copy, so the inputs may be of any size). Returns false, with hex "", when OpenSSL cannot
 * allocate its state. */
bool cf__sha256_strs_hex(const char *const *strs, size_t n, char hex[65]);

#ifdef __cplusplus
}
#endif
#endif
