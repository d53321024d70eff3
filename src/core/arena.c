/*
 * arena.c - bump allocator for parse trees, canonical resources and compiled rules.
 *
 * Design: a singly linked list of chunks; each allocation takes the next aligned bytes of the
 * current chunk. Chunks double from 4 KiB up to 1 MiB; a request larger than a quarter of the
 * chunk size gets a chunk of its own so that big strings do not waste the rest of a chunk.
 * Invariant: `used` counts the bytes of all chunks, and stays at or below max_bytes when a
 * maximum is set, so an arena fed by hostile input is bounded. The free space of the current
 * chunk is [bump.cur, bump.end), the struct's first member, so that the common allocation is
 * an inline pointer bump (cf__arena_alloc_fast in core.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define ARENA_MIN_CHUNK 4096u
#define ARENA_MAX_CHUNK (1u << 20)

typedef struct chunk {
  struct chunk *next;
  size_t size; /* usable bytes after the header */
  /* data follows, aligned to 16 */
} chunk_t;

struct cf_arena {
  cf_arena_bump_t bump; /* free space of the head chunk; must stay first (core.h) */
  chunk_t *head;
  size_t next_size;
  size_t used;
  size_t max_bytes;
  bool failed; /* an allocation has failed (sticky) */
};

#define CHUNK_HDR ((sizeof(chunk_t) + 15u) & ~(size_t)15u)

static inline char *chunk_data(chunk_t *c) { return (char *)c + CHUNK_HDR; }

cf_arena_t *cf__arena_new(size_t max_bytes) {
  cf_arena_t *a = calloc(1, sizeof(*a));
  if (!a) return NULL;
  a->next_size = ARENA_MIN_CHUNK;
  a->max_bytes = max_bytes;
  return a;
}

void cf__arena_free(cf_arena_t *a) {
  if (!a) return;
  chunk_t *c = a->head;
  while (c) {
    chunk_t *n = c->next;
    free(c);
    c = n;
  }
  free(a);
}

void cf__arena_reset(cf_arena_t *a) {
  if (!a || !a->head) return;
  /* Keep the largest ordinary chunk: an arena reset once per streamed item then serves the
   * next item from memory it already has instead of going back to malloc (and the kernel). */
  chunk_t *keep = NULL;
  for (chunk_t *c = a->head; c; c = c->next)
    if (c->size <= ARENA_MAX_CHUNK && (!keep || c->size > keep->size)) keep = c;
  chunk_t *c = a->head;
  while (c) {
    chunk_t *n = c->next;
    if (c != keep) free(c);
    c = n;
  }
  a->head = keep;
  a->used = keep ? keep->size : 0;
  if (keep) {
    keep->next = NULL;
    a->bump.cur = chunk_data(keep);
    a->bump.end = a->bump.cur + keep->size;
  } else {
    a->bump.cur = a->bump.end = NULL;
  }
}

static chunk_t *chunk_new(cf_arena_t *a, size_t need) {
  size_t size = a->next_size;
  if (need > size / 4) size = need > size ? need : size;
  if (a->max_bytes && (a->used + size > a->max_bytes || a->used + size < a->used)) {
    if (a->used + need > a->max_bytes) return NULL;
    size = need;
  }
  chunk_t *c = malloc(CHUNK_HDR + size);
  if (!c) return NULL;
  c->size = size;
  a->used += size;
  if (size == a->next_size && a->next_size < ARENA_MAX_CHUNK) a->next_size *= 2;
  return c;
}

void *cf__arena_alloc(cf_arena_t *a, size_t n) {
  if (n == 0) n = 1;
  if (n > SIZE_MAX / 2) {
    a->failed = true;
    return NULL;
  }
  n = (n + 7u) & ~(size_t)7u;
  if ((size_t)(a->bump.end - a->bump.cur) >= n) {
    void *p = a->bump.cur;
    a->bump.cur += n;
    return p;
  }
  chunk_t *c = a->head;
  chunk_t *nc = chunk_new(a, n);
  if (!nc) {
    a->failed = true;
    return NULL;
  }
  if (c && n > a->next_size / 4 && (size_t)(a->bump.end - a->bump.cur) > 256) {
    /* A big dedicated chunk goes behind the current one, which still has room. */
    nc->next = c->next;
    c->next = nc;
    return chunk_data(nc);
  }
  nc->next = c;
  a->head = nc;
  a->bump.cur = chunk_data(nc) + n;
  a->bump.end = chunk_data(nc) + nc->size;
  return chunk_data(nc);
}

void *cf__arena_zalloc(cf_arena_t *a, size_t n) {
  void *p = cf__arena_alloc(a, n);
  if (p) memset(p, 0, n);
  return p;
}

char *cf__arena_strndup(cf_arena_t *a, const char *s, size_t n) {
  char *p = cf__arena_alloc_fast(a, n + 1);
  if (!p) return NULL;
  if (n) memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *cf__arena_strdup(cf_arena_t *a, const char *s) {
  return cf__arena_strndup(a, s, strlen(s));
}

char *cf__arena_printf(cf_arena_t *a, const char *fmt, ...) {
  va_list ap, cp;
  va_start(ap, fmt);
  va_copy(cp, ap);
  int n = vsnprintf(NULL, 0, fmt, cp);
  va_end(cp);
  char *p = NULL;
  if (n >= 0 && (p = cf__arena_alloc(a, (size_t)n + 1)) != NULL) vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

size_t cf__arena_used(const cf_arena_t *a) { return a ? a->used : 0; }

bool cf__arena_failed(const cf_arena_t *a) { return a && a->failed; }
