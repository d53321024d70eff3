/*
 * json_split.c - finds the elements of one array inside a huge JSON document without parsing
 * the rest, reading the input piece by piece.
 *
 * Why: an AWS Config snapshot is one JSON object whose "configurationItems" array may hold a
 * million items (gigabytes). Parsing it as one document needs the whole text plus the
 * parser's index and string buffers in memory at once. Instead this scanner keeps a window of
 * the input, locates each element's bytes (tracking only strings and nesting, which is all
 * that is needed to find where a value ends), and hands them to the caller, which parses one
 * element at a time with a reused parser. Memory stays near the window size (a few MiB) plus
 * the largest element, whatever the input size.
 *
 * Objects and arrays, which is what the elements of a Config snapshot are, are measured 64
 * bytes at a time: one pass over a block gives bit masks of its quotes, backslashes,
 * brackets and newlines (SSE2 where the machine has it, a plain loop elsewhere); escaped
 * quotes are found by walking the (rare) runs of backslashes, the bytes inside strings by a
 * prefix XOR of the remaining quotes, and the nesting depth by counting the brackets left
 * outside strings. Only a block in which the depth may return to zero is walked bracket by
 * bracket. This is the idea of simdjson's first stage, written for this one job: simdjson
 * itself has no way to stream the elements of one array out of a document that does not fit
 * its index. Scalars and strings at the top of a value take the byte loop (skip_value).
 *
 * Invariants: bytes before `keep` may be dropped when the window is refilled; `line` and
 * `line_start` (an absolute offset) describe the position of `pos`. Inside JSON strings raw
 * newlines cannot occur, so lines are counted only outside strings. The scanner validates
 * structure only as far as it needs to; each element is validated by the real parser.
 */
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__PCLMUL__)
#include <wmmintrin.h>
#endif

#include "doc_internal.h"

#define WINDOW (4u << 20)
#define MAX_NESTING 4096u

/* The window size; tests make it small to put element boundaries across refills. */
size_t cf__json_split_window = WINDOW;

typedef struct sp {
  cf_reader_t *rd;
  const char *name;
  char *buf;        /* window, with CF_JSON_PADDING spare bytes at the end */
  size_t cap;       /* usable bytes */
  size_t len;       /* valid bytes */
  size_t base;      /* absolute offset of buf[0] */
  bool eof;
  uint32_t line;
  size_t line_start; /* absolute offset of the current line's first byte */
  size_t max_item;
  cf_diag_t *diag;
} sp_t;

static cf_err sp_fail(sp_t *s, cf_err code, size_t at, const char *msg) {
  /* Column from the current line start; `at` is an index into buf. */
  size_t abs = s->base + at;
  uint32_t col = abs >= s->line_start ? (uint32_t)(abs - s->line_start + 1) : 0;
  return cf_diag_set(s->diag, code, s->name, s->line, col, "%s", msg);
}

/* Makes more input available, dropping bytes before `keep`. Returns CF_OK with no new bytes
 * at the end of the input. */
static cf_err sp_refill(sp_t *s, size_t *keep) {
  if (s->eof) return CF_OK;
  if (*keep > 0) {
    memmove(s->buf, s->buf + *keep, s->len - *keep);
    s->base += *keep;
    s->len -= *keep;
    *keep = 0;
  }
  if (s->len == s->cap) {
    /* One value larger than the window: grow, up to the item limit. */
    if (s->cap >= s->max_item) return sp_fail(s, CF_ELIMIT, s->len, "one array element is larger than the item limit");
    size_t ncap = s->cap * 2 > s->max_item ? s->max_item : s->cap * 2;
    char *n = realloc(s->buf, ncap + CF_JSON_PADDING);
    if (!n) return sp_fail(s, CF_ENOMEM, 0, "out of memory");
    s->buf = n;
    s->cap = ncap;
  }
  size_t got = 0;
  cf_err e = cf__reader_read(s->rd, s->buf + s->len, s->cap - s->len, &got, s->diag);
  if (e) return e;
  if (got == 0) s->eof = true;
  s->len += got;
  return CF_OK;
}

/* A member of the element to report without parsing it: the string value of top-level key
 * `key` of an object element (the resource type of a Config item, so that items of types
 * nobody reads need not be parsed at all). Offsets are relative to the element's start. */
typedef struct probe {
  const char *key;
  size_t klen;
  bool found;
  size_t off, len;
  char pat[66]; /* the key in quotes, for the block scanner; plen 0 when the key is longer */
  size_t plen;
} probe_t;

/* Scans one JSON value starting at buf[*pos]. On success *pos is just past it. Returns
 * CF_ENOTFOUND when the window ends first (the caller refills and retries from the start of
 * the value; line counting is rewound by the caller). When pr is given, the string value of
 * its key at the value's top level is recorded. */
static cf_err skip_value(sp_t *s, size_t *pos, probe_t *pr) {
  size_t i = *pos, start = *pos;
  unsigned depth = 0;
  bool expect_key = false, want = false;
  if (pr) pr->found = false;
  if (i < s->len && s->buf[i] != '"' && s->buf[i] != '{' && s->buf[i] != '[') {
    /* A scalar (number, literal): it ends at a delimiter or at the end of the input. */
    while (i < s->len && !strchr(",]} \t\r\n", s->buf[i])) i++;
    if (i >= s->len && !s->eof) return CF_ENOTFOUND;
    *pos = i;
    return CF_OK;
  }
  for (;;) {
    if (i >= s->len) return CF_ENOTFOUND;
    char c = s->buf[i];
    if (c == '"') {
      /* A string: find the closing quote, skipping escaped ones. */
      size_t j = i + 1;
      for (;;) {
        const char *q = j < s->len ? memchr(s->buf + j, '"', s->len - j) : NULL;
        if (!q) return CF_ENOTFOUND;
        size_t k = (size_t)(q - s->buf), bs = 0;
        while (k - bs > i + 1 && s->buf[k - bs - 1] == '\\') bs++;
        j = k + 1;
        if (bs % 2 == 0) break;
      }
      if (pr && depth == 1) {
        if (expect_key) {
          want = j - i - 2 == pr->klen && memcmp(s->buf + i + 1, pr->key, pr->klen) == 0;
          expect_key = false;
        } else if (want && !pr->found) {
          pr->found = true;
          pr->off = i + 1 - start;
          pr->len = j - i - 2;
          want = false;
        }
      }
      i = j;
      if (depth == 0) break;
      continue;
    }
    if (c == '{' || c == '[') {
      if (++depth > MAX_NESTING) return sp_fail(s, CF_ELIMIT, i, "nesting too deep");
      if (depth == 1 && c == '{') expect_key = true;
      if (depth == 2) want = false;
      i++;
      continue;
    }
    if (c == ',' && depth == 1) {
      expect_key = true;
      want = false;
      i++;
      continue;
    }
    if (c == '}' || c == ']') {
      if (depth == 0) return sp_fail(s, CF_EPARSE, i, "unexpected closing bracket");
      i++;
      if (--depth == 0) break;
      continue;
    }
    if (c == '\n') {
      s->line++;
      s->line_start = s->base + i + 1;
      i++;
      continue;
    }
    i++;
  }
  *pos = i;
  return CF_OK;
}

/* Skips blanks (counting lines); returns the index of the next other byte or s->len. */
static size_t skip_ws(sp_t *s, size_t i) {
  while (i < s->len) {
    char c = s->buf[i];
    if (c == '\n') {
      s->line++;
      s->line_start = s->base + i + 1;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      break;
    }
    i++;
  }
  return i;
}

/* Ensures buf[*i] exists (refilling as needed, keeping bytes from *i on). Returns false at the
 * end of the input. */
static cf_err need(sp_t *s, size_t *i, bool *have) {
  *have = true;
  while (*i >= s->len) {
    if (s->eof) {
      *have = false;
      return CF_OK;
    }
    size_t keep = *i;
    cf_err e = sp_refill(s, &keep);
    if (e) return e;
    *i = keep;
  }
  return CF_OK;
}

/* Moves *i to the next byte that is not a blank, refilling as needed; *have is false at the
 * end of the input. */
static cf_err next_token(sp_t *s, size_t *i, bool *have) {
  for (;;) {
    *i = skip_ws(s, *i);
    cf_err e = need(s, i, have);
    if (e || !*have) return e;
    char c = s->buf[*i];
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') return CF_OK;
  }
}

/* ---- objects and arrays, 64 bytes at a time ---- */

typedef struct blockmask {
  uint64_t quote, bslash, open, close, nl;
} blockmask_t;

/* Bit masks of the 64 bytes at p (byte i is bit i); bits from n on are cleared. */
static inline void block_masks(const char *p, unsigned n, blockmask_t *m) {
  uint64_t mq = 0, mb = 0, mo = 0, mc = 0, mn = 0;
#if defined(__SSE2__)
  const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), ob = _mm_set1_epi8('{'),
                cb = _mm_set1_epi8('}'), nl = _mm_set1_epi8('\n'), x20 = _mm_set1_epi8(0x20);
  for (unsigned k = 0; k < 4; k++) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
    /* '[' and ']' differ from '{' and '}' only in bit 0x20, and no other byte maps onto them. */
    __m128i f = _mm_or_si128(v, x20);
    unsigned sh = 16 * k;
    mq |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)) << sh;
    mb |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, bs)) << sh;
    mo |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(f, ob)) << sh;
    mc |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(f, cb)) << sh;
    mn |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) << sh;
  }
#else
  for (unsigned i = 0; i < 64; i++) {
    unsigned char c = (unsigned char)p[i];
    uint64_t bit = 1ull << i;
    if (c == '"') mq |= bit;
    else if (c == '\\') mb |= bit;
    else if ((c | 0x20) == '{') mo |= bit;
    else if ((c | 0x20) == '}') mc |= bit;
    else if (c == '\n') mn |= bit;
  }
#endif
  uint64_t keep = n >= 64 ? ~0ull : (1ull << n) - 1;
  m->quote = mq & keep;
  m->bslash = mb & keep;
  m->open = mo & keep;
  m->close = mc & keep;
  m->nl = mn & keep;
}

/* The bytes escaped by a backslash among the first n of a block with backslashes bs: the byte
 * after each run of odd length. *carry says on entry whether byte 0 is escaped (the previous
 * block ended in such a run) and on return whether byte n is.
 *
 * Without a loop over the runs (string-encoded JSON has a backslash before every quote): the
 * runs that start at an odd position are added to the backslash mask, so that each carries
 * through its own run and lands just past its end; the parity of a run's start and of where
 * its carry lands then tells odd runs from even ones. This is the method of simdjson's first
 * stage (Langdale and Lemire, "Parsing Gigabytes of JSON per Second", 2019). */
static inline uint64_t escaped_bits(uint64_t bs, unsigned n, bool *carry) {
  const uint64_t even = 0x5555555555555555ull;
  uint64_t in = *carry ? 1 : 0;
  bs &= ~in; /* an escaped backslash escapes nothing */
  uint64_t follows = bs << 1 | in;
  uint64_t odd_starts = bs & ~even & ~follows;
  uint64_t sum;
  bool over = __builtin_add_overflow(odd_starts, bs, &sum);
  uint64_t esc = (even ^ (sum << 1)) & follows;
  if (n < 64) {
    *carry = (esc >> n) & 1;
    esc &= (1ull << n) - 1;
  } else {
    *carry = over;
  }
  return esc;
}

/* Bit i set when an odd number of bits at or below i are set in x: with x the unescaped
 * quotes, the bytes inside strings (opening quote included, closing quote not). A carry-less
 * multiplication by all ones where the machine has one. */
static inline uint64_t prefix_xor(uint64_t x) {
#if defined(__PCLMUL__) && defined(__SSE2__)
  __m128i r = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x), _mm_set1_epi8((char)0xFF), 0);
  return (uint64_t)_mm_cvtsi128_si64(r);
#else
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
#endif
}

/* The state of a walk between blocks. */
typedef struct walk {
  unsigned depth;
  uint64_t in_str; /* all ones when the next byte is inside a string */
  bool escaped;    /* the next byte is escaped */
} walk_t;

/* Walks the first n (1..64) bytes of the block at p (64 readable bytes). Returns 0 when the
 * value goes on past them, k when it ends after byte k - 1, and -1 when the nesting passes
 * the limit. *nl receives the newlines among the bytes walked. */
static inline int walk_block(walk_t *w, const char *p, unsigned n, uint64_t *nl) {
  blockmask_t m;
  block_masks(p, n, &m);
  uint64_t esc = (m.bslash || w->escaped) ? escaped_bits(m.bslash, n, &w->escaped) : 0;
  uint64_t in = prefix_xor(m.quote & ~esc) ^ w->in_str;
  w->in_str = (in >> (n - 1)) & 1 ? ~0ull : 0;
  uint64_t open = m.open & ~in, close = m.close & ~in;
  unsigned po = (unsigned)__builtin_popcountll(open), pc = (unsigned)__builtin_popcountll(close);
  *nl = m.nl;
  /* The depth cannot come back to zero in this block, nor pass the limit: count, don't walk. */
  if (pc < w->depth && w->depth + po <= MAX_NESTING) {
    w->depth = w->depth + po - pc;
    return 0;
  }
  for (uint64_t all = open | close; all; all &= all - 1) {
    uint64_t b = all & (~all + 1);
    if (open & b) {
      if (++w->depth > MAX_NESTING) return -1;
    } else if (w->depth == 0 || --w->depth == 0) {
      unsigned k = (unsigned)__builtin_ctzll(b) + 1;
      if (k < 64) *nl &= (1ull << k) - 1;
      return (int)k;
    }
  }
  return 0;
}

/* The block of at most 64 bytes at buf[i], limited to `lim` (<= s->len): read in place when
 * 64 bytes are there, else copied into tmp and padded, so no byte past the input is read. */
static inline const char *block_at(const sp_t *s, size_t i, size_t lim, char *tmp, unsigned *n) {
  size_t avail = lim - i;
  *n = avail < 64 ? (unsigned)avail : 64;
  if (i + 64 <= s->len) return s->buf + i;
  memcpy(tmp, s->buf + i, *n);
  memset(tmp + *n, 0, 64 - *n);
  return tmp;
}

/* skip_value for an object or array at buf[*pos]: same results, a block at a time. */
static cf_err skip_container(sp_t *s, size_t *pos) {
  walk_t w = {0, 0, false};
  size_t i = *pos, last_nl = 0;
  uint32_t lines = 0;
  char tmp[64];
  for (;;) {
    if (i >= s->len) return CF_ENOTFOUND;
    unsigned n;
    const char *p = block_at(s, i, s->len, tmp, &n);
    uint64_t nl;
    int k = walk_block(&w, p, n, &nl);
    if (k < 0) return sp_fail(s, CF_ELIMIT, i, "nesting too deep");
    if (nl) {
      lines += (uint32_t)__builtin_popcountll(nl);
      last_nl = i + 63 - (unsigned)__builtin_clzll(nl);
    }
    if (k > 0) {
      i += (unsigned)k;
      break;
    }
    i += n;
  }
  if (lines) {
    s->line += lines;
    s->line_start = s->base + last_nl + 1;
  }
  *pos = i;
  return CF_OK;
}

/* The probe of skip_value for the object in buf[vs, ve): the string value of the first
 * occurrence of the key at the object's own level. Candidates are found with memmem; the
 * walk from vs tells the depth at each, and goes on from there for the next one. A quoted
 * key followed by ':' cannot lie inside a string of valid JSON (its quote would end it), and
 * the element is validated by the parser anyway. */
static void probe_object(const sp_t *s, size_t vs, size_t ve, probe_t *pr) {
  walk_t w = {0, 0, false};
  size_t at = vs, i = vs;
  char tmp[64];
  const char *b = s->buf;
  pr->found = false;
  while (i < ve) {
    const char *h = memmem(b + i, ve - i, pr->pat, pr->plen);
    if (!h) return;
    size_t hp = (size_t)(h - b);
    while (at < hp) {
      unsigned n;
      const char *p = block_at(s, at, hp, tmp, &n);
      uint64_t nl;
      if (walk_block(&w, p, n, &nl) != 0) return; /* cannot happen before the value's end */
      at += n;
    }
    i = hp + 1;
    if (w.depth != 1 || w.in_str || w.escaped) continue;
    size_t j = hp + pr->plen;
    while (j < ve && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r' || b[j] == '\n')) j++;
    if (j >= ve || b[j] != ':') continue;
    j++;
    while (j < ve && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r' || b[j] == '\n')) j++;
    if (j >= ve || b[j] != '"') continue;
    size_t k = j + 1;
    for (;;) {
      const char *q = k < ve ? memchr(b + k, '"', ve - k) : NULL;
      if (!q) return;
      size_t e = (size_t)(q - b), bsl = 0;
      while (e - bsl > j + 1 && b[e - bsl - 1] == '\\') bsl++;
      k = e + 1;
      if (bsl % 2 == 0) break;
    }
    pr->found = true;
    pr->off = j + 1 - vs;
    pr->len = k - j - 2;
    return;
  }
}

/* skip_value with refills; the bytes of the value stay in the window. */
static cf_err value_bounds(sp_t *s, size_t *start, size_t *end, probe_t *pr) {
  uint32_t line0 = s->line;
  size_t ls0 = s->line_start;
  for (;;) {
    size_t p = *start;
    char c = s->buf[*start];
    bool container = c == '{' || c == '[';
    if (container && pr && !pr->plen) container = false; /* a key too long for the pattern */
    cf_err e = container ? skip_container(s, &p) : skip_value(s, &p, pr);
    if (e == CF_OK) {
      *end = p;
      if (container && pr) {
        pr->found = false;
        if (c == '{') probe_object(s, *start, p, pr);
      }
      return CF_OK;
    }
    if (e != CF_ENOTFOUND) return e;
    if (s->eof) return sp_fail(s, CF_EPARSE, s->len, "unexpected end of input inside a value");
    s->line = line0;
    s->line_start = ls0;
    size_t keep = *start;
    if ((e = sp_refill(s, &keep))) return e;
    *start = keep;
  }
}

cf_err cf__json_split(cf_reader_t *rd, const char *name, const char *key, const char *probe_key,
                      size_t max_item, cf_json_item_cb cb, void *ud, cf_diag_t *diag) {
  probe_t pr = {probe_key, probe_key ? strlen(probe_key) : 0, false, 0, 0, {0}, 0};
  if (probe_key && pr.klen + 2 <= sizeof pr.pat) {
    pr.pat[0] = '"';
    memcpy(pr.pat + 1, probe_key, pr.klen);
    pr.pat[pr.klen + 1] = '"';
    pr.plen = pr.klen + 2;
  }
  sp_t s;
  memset(&s, 0, sizeof s);
  s.rd = rd;
  s.name = name;
  s.line = 1;
  size_t window = cf__json_split_window ? cf__json_split_window : WINDOW;
  s.max_item = max_item < window ? window : max_item;
  s.diag = diag;
  s.cap = window;
  s.buf = malloc(s.cap + CF_JSON_PADDING);
  if (!s.buf) return cf_diag_set(diag, CF_ENOMEM, name, 0, 0, "out of memory");
  cf_err e = CF_OK;
  size_t i = 0, klen = strlen(key);
  bool have;
  bool found = false;
  /* The top-level object. */
  if ((e = need(&s, &i, &have))) goto out;
  if (have && s.len - i >= 3 && (unsigned char)s.buf[i] == 0xEF && (unsigned char)s.buf[i + 1] == 0xBB &&
      (unsigned char)s.buf[i + 2] == 0xBF)
    i += 3;
  if ((e = next_token(&s, &i, &have))) goto out;
  if (!have || s.buf[i] != '{') {
    e = sp_fail(&s, CF_EPARSE, i, "expected a JSON object at the top level");
    goto out;
  }
  i++;
  for (;;) {
    /* At depth 1: a key, a comma, or the closing brace. */
    if ((e = next_token(&s, &i, &have))) goto out;
    if (!have) {
      e = sp_fail(&s, CF_EPARSE, i, "unexpected end of input: unclosed object");
      goto out;
    }
    char c = s.buf[i];
    if (c == '}') break;
    if (c == ',') {
      i++;
      continue;
    }
    if (c != '"') {
      e = sp_fail(&s, CF_EPARSE, i, "expected a key");
      goto out;
    }
    size_t ks = i, ke;
    if ((e = value_bounds(&s, &ks, &ke, NULL))) goto out;
    bool match = ke - ks == klen + 2 && memcmp(s.buf + ks + 1, key, klen) == 0;
    i = ke;
    if ((e = next_token(&s, &i, &have))) goto out;
    if (!have || s.buf[i] != ':') {
      e = sp_fail(&s, CF_EPARSE, i, "expected ':' after a key");
      goto out;
    }
    i++;
    if ((e = next_token(&s, &i, &have))) goto out;
    if (!have) {
      e = sp_fail(&s, CF_EPARSE, i, "unexpected end of input: a key without a value");
      goto out;
    }
    if (!match || s.buf[i] != '[') {
      size_t vs = i, ve;
      if ((e = value_bounds(&s, &vs, &ve, NULL))) goto out;
      i = ve;
      continue;
    }
    /* The array: hand out its elements. */
    found = true;
    i++;
    size_t index = 0;
    for (;;) {
      if ((e = next_token(&s, &i, &have))) goto out;
      if (!have) {
        e = sp_fail(&s, CF_EPARSE, i, "unexpected end of input: unclosed array");
        goto out;
      }
      c = s.buf[i];
      if (c == ']') {
        i++;
        break;
      }
      if (c == ',') {
        if (index == 0) {
          e = sp_fail(&s, CF_EPARSE, i, "unexpected ','");
          goto out;
        }
        i++;
        continue;
      }
      size_t vs = i, ve;
      uint32_t line = s.line;
      uint32_t col = (uint32_t)(s.base + i - s.line_start + 1);
      if ((e = value_bounds(&s, &vs, &ve, probe_key ? &pr : NULL))) goto out;
      /* The element is copied to a padded buffer by the parser; the window stays ours. */
      cf_json_item_t it = {s.buf + vs, ve - vs, line, col, index++, NULL, 0};
      if (probe_key && pr.found) {
        it.probe = s.buf + vs + pr.off;
        it.probe_len = pr.len;
      }
      if ((e = cb(ud, &it))) goto out;
      i = ve;
    }
  }
  if (!found) e = cf_diag_set(diag, CF_EPARSE, name, 1, 1, "no \"%s\" array in the document", key);
out:
  free(s.buf);
  return e;
}
