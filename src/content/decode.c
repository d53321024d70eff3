/*
 * decode.c - finding and decoding encoded blobs in text (base64, hex, percent encoding), so
 * that a credential stored encoded (a Kubernetes Secret's data, a base64 Basic header, a
 * hex-dumped key, a URL-encoded connection string) is scanned in its decoded form too.
 *
 * The text is cut into words at white space, quotes and brackets. A word with at least three
 * %XX escapes is one percent-encoded run. Otherwise the word is searched for runs of the
 * base64 alphabet (standard "+/" or URL-safe "-_", not both; at least 20 characters; '='
 * padding only at the end and only where the length allows it, RFC 4648 sections 4 and 5)
 * and runs of hex digits (at least 32, an even number, after an optional "0x"; a run made
 * of hex digits only is taken as hex, never as base64). Base64 wrapped over lines of one
 * length (MIME, PEM, YAML blocks) is one run. A decoded run is worth scanning only when it
 * looks like text (valid UTF-8, no control bytes but tab and line ends), which also throws
 * away the many identifiers and hashes that merely look encoded.
 *
 * Most words can hold no run, so the finder does not cut every word: it searches for the
 * places where a run can be, a '%' or B64_MIN base64 characters in a row (every base64 and
 * hex run has that many), and cuts and examines only the word around each; the words in
 * between would give nothing. The search takes 64 bytes at a time with SSE2 on x86-64 (a
 * mask bit per byte, and-ed with its own shifts to find B64_MIN set bits in a row);
 * elsewhere it probes one byte in B64_MIN and jumps over the window when that byte is not
 * base64, and finds '%' with memchr.
 *
 * Everything here is a pure function of its input (thread-safe, no allocation); the caller
 * (content_scan.c) owns the recursion and its budget. We decode ourselves rather than with
 * OpenSSL's EVP decoders because the run finder must know exactly where a run ends and which
 * alphabet it uses, and the decoders are a few lines once that is known; the posture
 * module's base64 decoder allocates from a posture arena and is internal to that module
 * (docs/internals/modules.md), and this one writes into the caller's buffer.
 */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "content_scan.h"

#define B64_MIN 20
#define HEX_MIN 32
#define PCT_MIN 3
#define WRAP_MIN 40

/* Character classes, one bit each: 1 word (not white space, quote, bracket or separator),
 * 2 base64 (either alphabet), 4 hex digit, 8 the standard alphabet's "+/", 16 the URL-safe
 * "-_". A table, because the run finder looks at many bytes of every text scanned. */
enum { C_WORD = 1, C_B64 = 2, C_HEX = 4, C_STD = 8, C_URL = 16 };
static const uint8_t cls[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 11, 0, 19, 1, 11, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1, 0, 0, 1, 0, 1,
    1, 7, 7, 7, 7, 7, 7, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 1, 19,
    0, 7, 7, 7, 7, 7, 7, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 1, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static bool is_word_char(unsigned char c) { return cls[c] & C_WORD; }

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool is_b64_char(unsigned char c) { return cls[c] & C_B64; }

static size_t count_pct(const char *s, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i + 2 < n; i++)
    if (s[i] == '%' && hexval((unsigned char)s[i + 1]) >= 0 && hexval((unsigned char)s[i + 2]) >= 0) {
      k++;
      i += 2;
    }
  return k;
}

/* Classifies the alphabet run text[a, b) followed by pad '=' characters; sets *run and
 * returns true when it is a base64 or hex run. */
static bool classify(const char *text, size_t a, size_t b, size_t pad, cf_enc_run_t *run) {
  /* "0x" in front of hex digits is a prefix, not part of the run. */
  if (!pad && b - a > 2 && text[a] == '0' && (text[a + 1] == 'x' || text[a + 1] == 'X')) {
    size_t i = a + 2;
    while (i < b && (cls[(unsigned char)text[i]] & C_HEX)) i++;
    if (i == b) a += 2;
  }
  unsigned any = 0, all = C_HEX;
  for (size_t i = a; i < b; i++) {
    unsigned c = cls[(unsigned char)text[i]];
    any |= c;
    all &= c;
  }
  if (all & C_HEX) {
    if (pad || b - a < HEX_MIN || (b - a) % 2) return false;
    run->start = a;
    run->end = b;
    run->kind = CF_ENC_HEX;
    return true;
  }
  if ((any & C_STD) && (any & C_URL)) {
    /* Both alphabets: a path or an identifier in front of the blob; keep what follows the
     * last separator. */
    size_t last_sep = b - 1;
    while (!(cls[(unsigned char)text[last_sep]] & (C_STD | C_URL))) last_sep--;
    a = last_sep + 1;
    if (b - a < B64_MIN) return false;
    return classify(text, a, b, pad, run);
  }
  size_t n = b - a;
  if (n < B64_MIN) return false;
  if (pad ? (n + pad) % 4 != 0 : n % 4 == 1) return false;
  run->start = a;
  run->end = b + pad;
  run->kind = CF_ENC_BASE64;
  return true;
}

/* Base64 wrapped over several lines (MIME's 76 characters, PEM's 64, a YAML block): a run
 * that ends its line, a whole number of quanta and at least WRAP_MIN long, continues on the
 * next lines (after indentation) while they have its length; the last may be shorter, with
 * padding. Returns the end of the last line taken. */
static size_t wrapped_end(const char *text, size_t len, const cf_enc_run_t *run) {
  size_t width = run->end - run->start, end = run->end;
  if (width < WRAP_MIN || width % 4) return end;
  for (;;) {
    size_t p = end;
    if (p < len && text[p] == '\r') p++;
    if (p >= len || text[p] != '\n') break;
    p++;
    while (p < len && (text[p] == ' ' || text[p] == '\t')) p++;
    size_t q = p;
    while (q < len && q - p <= width && is_b64_char((unsigned char)text[q])) q++;
    size_t n = q - p, pad = 0;
    while (q < len && text[q] == '=' && pad < 2) q++, pad++;
    size_t eol = q;
    while (eol < len && (text[eol] == ' ' || text[eol] == '\t')) eol++;
    /* The line must hold the blob alone. */
    if (!n || n > width || (eol < len && text[eol] != '\n' && text[eol] != '\r')) break;
    if (n == width && !pad) {
      end = q;
      continue;
    }
    if ((n + pad) % 4 == 0 || (!pad && n % 4 != 1)) end = q;
    break;
  }
  return end;
}

/* The search for the places where a run can be (see the top of the file). */
_Static_assert(B64_MIN == 20, "next_candidate() finds windows of 16 + 4 bytes");

/* How far the search looks for '%' with one memchr: bounded, so that a text with many runs
 * and no '%' is not searched to its end once per run. */
#define PCT_CHUNK 4096

/* The first x in [i, len) where text[x] is '%' or text[x, x + B64_MIN) is all base64; len
 * when there is none. Portable version. */
static size_t next_candidate_scalar(const unsigned char *s, size_t i, size_t len) {
  for (;;) {
    size_t lim = len - i > PCT_CHUNK ? i + PCT_CHUNK : len;
    const unsigned char *p = memchr(s + i, '%', lim - i);
    size_t pct = p ? (size_t)(p - s) : lim;
    /* A window that starts before pct ends at pct at the latest ('%' is not base64). Here
     * s[i, ok) is known to be base64. */
    size_t ok = i;
    while (pct - i >= B64_MIN) {
      size_t j = i + B64_MIN - 1;
      if (!is_b64_char(s[j])) {
        i = ok = j + 1;
        continue;
      }
      size_t k = j;
      while (k > ok && is_b64_char(s[k - 1])) k--;
      if (k == ok) return i;
      i = k;
      ok = j + 1;
    }
    if (p || lim == len) return pct;
    /* Nothing in this chunk; i is within B64_MIN - 1 bytes of its end, where a window that
     * runs into the next chunk may start. */
  }
}

#if defined(__SSE2__)
/* Bytes c of v with lo <= c <= lo + n - 1, as a byte mask (signed compare after a shift of
 * the range to the bottom). */
static __m128i in_range(__m128i v, unsigned char lo, unsigned char n) {
  __m128i shifted = _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - lo)));
  return _mm_cmplt_epi8(shifted, _mm_set1_epi8((char)(0x80 + n)));
}

/* Bits of the base64 characters and of '%' among 16 bytes. */
static void masks16(const unsigned char *s, unsigned *b64, unsigned *pct) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
  /* Letters of either case; then '+', '-', '/' and the digits, which is '+' to '9' but for
   * ',' and '.' (the only bytes with c | 2 == '.'); then '_'. */
  __m128i m = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 26);
  __m128i sym = in_range(v, '+', '9' - '+' + 1);
  sym = _mm_andnot_si128(_mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(2)), _mm_set1_epi8('.')), sym);
  m = _mm_or_si128(_mm_or_si128(m, sym), _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
  *b64 = (unsigned)_mm_movemask_epi8(m);
  *pct = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('%')));
}
#endif

/* What the search knows of the bytes [base, end): hits has bit x - base set for each
 * candidate x in there. Kept between the searches of one cf__decode_next() call, since the
 * word around a candidate often ends before the block does. */
typedef struct block {
  size_t base, end;
  uint64_t hits;
} block_t;

/* The first x in [i, len) where text[x] is '%' or text[x, x + B64_MIN) is all base64; len
 * when there is none. */
static size_t next_candidate(const char *text, size_t i, size_t len, block_t *blk) {
  const unsigned char *s = (const unsigned char *)text;
#if defined(__SSE2__)
  /* A block of 64 bytes holds the windows that start in its first STEP bytes. */
  enum { STEP = 64 - (B64_MIN - 1) };
  for (;;) {
    if (i >= blk->base && i < blk->end) {
      uint64_t hits = blk->hits & ~UINT64_C(0) << (i - blk->base);
      if (hits) return blk->base + (size_t)__builtin_ctzll(hits);
      i = blk->end;
    }
    if (len - i < 64) break;
    uint64_t b64 = 0, pct = 0;
    for (unsigned k = 0; k < 64; k += 16) {
      unsigned b, p;
      masks16(s + i + k, &b, &p);
      b64 |= (uint64_t)b << k;
      pct |= (uint64_t)p << k;
    }
    /* Bit x of wN: bytes x .. x + N - 1 are all base64. */
    uint64_t w2 = b64 & b64 >> 1, w4 = w2 & w2 >> 2, w8 = w4 & w4 >> 4, w16 = w8 & w8 >> 8;
    uint64_t w20 = w16 & w4 >> 16; /* B64_MIN */
    blk->base = i;
    blk->end = i + STEP;
    blk->hits = w20 | (pct & ((UINT64_C(1) << STEP) - 1));
  }
#else
  (void)blk;
#endif
  return next_candidate_scalar(s, i, len);
}

/* Examines the word text[ws, we): one percent-encoded run, or the first base64 or hex run
 * inside it. */
static bool scan_word(const char *text, size_t len, size_t ws, size_t we, cf_enc_run_t *run) {
  /* Most words are too short to hold any run: three escapes take 9 bytes. */
  if (we - ws < 3 * PCT_MIN) return false;
  if (memchr(text + ws, '%', we - ws) && count_pct(text + ws, we - ws) >= PCT_MIN) {
    run->start = ws;
    run->end = we;
    run->kind = CF_ENC_PERCENT;
    return true;
  }
  if (we - ws < B64_MIN) return false;
  /* Alphabet runs inside the word. */
  size_t k = ws;
  while (k < we) {
    while (k < we && !is_b64_char((unsigned char)text[k])) k++;
    size_t a = k;
    while (k < we && is_b64_char((unsigned char)text[k])) k++;
    size_t b = k, pad = 0;
    while (k < we && text[k] == '=' && pad < 2) k++, pad++;
    /* '=' followed by more of the alphabet is an assignment, not padding. */
    if (pad && k < we && is_b64_char((unsigned char)text[k])) {
      k = b + pad;
      pad = 0;
    }
    if (b - a >= B64_MIN && classify(text, a, b, pad, run)) {
      if (run->kind == CF_ENC_BASE64 && !pad && k == we) run->end = wrapped_end(text, len, run);
      return true;
    }
    if (k == a) k++;
  }
  return false;
}

bool cf__decode_next(const char *text, size_t len, size_t *pos, cf_enc_run_t *run) {
  size_t i = *pos;
  block_t blk = {0, 0, 0};
  while (i < len) {
    size_t x = next_candidate(text, i, len, &blk);
    if (x == len) break;
    /* The word around x (a '%' or the start of B64_MIN base64 characters, all in the word);
     * words are cut from i on, so it starts at i at the earliest. */
    size_t ws = x, we = text[x] == '%' ? x : x + B64_MIN;
    while (ws > i && is_word_char((unsigned char)text[ws - 1])) ws--;
    while (we < len && is_word_char((unsigned char)text[we])) we++;
    if (scan_word(text, len, ws, we, run)) {
      *pos = run->end;
      return true;
    }
    i = we;
  }
  *pos = len;
  return false;
}

int cf__b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

bool cf__decode_run(const char *text, const cf_enc_run_t *run, uint8_t *out, size_t *out_len) {
  const unsigned char *s = (const unsigned char *)text + run->start;
  size_t n = run->end - run->start, k = 0;
  *out_len = 0;
  switch (run->kind) {
  case CF_ENC_BASE64: {
    while (n && s[n - 1] == '=') n--;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++) {
      if (s[i] == '\n' || s[i] == '\r' || s[i] == ' ' || s[i] == '\t') continue; /* wrapped */
      int v = cf__b64_value(s[i]);
      if (v < 0) return false;
      acc = (acc << 6) | (uint32_t)v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[k++] = (uint8_t)(acc >> bits);
        acc &= (1u << bits) - 1;
      }
    }
    break;
  }
  case CF_ENC_HEX:
    if (n % 2) return false;
    for (size_t i = 0; i < n; i += 2) {
      int hi = hexval(s[i]), lo = hexval(s[i + 1]);
      if (hi < 0 || lo < 0) return false;
      out[k++] = (uint8_t)(hi << 4 | lo);
    }
    break;
  case CF_ENC_PERCENT:
    for (size_t i = 0; i < n; i++) {
      int hi = -1, lo = -1;
      if (s[i] == '%' && i + 2 < n) {
        hi = hexval(s[i + 1]);
        lo = hexval(s[i + 2]);
      }
      if (hi >= 0 && lo >= 0) {
        out[k++] = (uint8_t)(hi << 4 | lo);
        i += 2;
      } else {
        out[k++] = s[i];
      }
    }
    break;
  default:
    return false;
  }
  *out_len = k;
  return true;
}

bool cf__decode_is_text(const uint8_t *s, size_t n) {
  if (!n || cf__utf8_valid_prefix(s, n) != n) return false;
  for (size_t i = 0; i < n; i++)
    if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') || s[i] == 0x7f) return false;
  return true;
}

bool cf__decode_may_be_text(const char *text, const cf_enc_run_t *run) {
  if (run->kind == CF_ENC_PERCENT) return true; /* a prefix may cut an escape: no opinion */
  enum { PREFIX = 16 };                         /* 12 bytes of base64, 8 of hex */
  cf_enc_run_t head = *run;
  if (head.end - head.start > PREFIX) head.end = head.start + PREFIX;
  uint8_t buf[PREFIX];
  size_t n = 0;
  if (!cf__decode_run(text, &head, buf, &n)) return true; /* the whole decides */
  for (size_t i = 0; i < n; i++)
    if ((buf[i] < 0x20 && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r') || buf[i] == 0x7f) return false;
  /* Valid UTF-8 but for a sequence the cut may have split at the end. */
  size_t ok = cf__utf8_valid_prefix(buf, n);
  if (ok == n) return true;
  if (n - ok > 3 || head.end == run->end) return false;
  return buf[ok] >= 0xc2 && buf[ok] <= 0xf4;
}

const char *cf__enc_name(cf_enc kind) {
  switch (kind) {
  case CF_ENC_BASE64: return "base64";
  case CF_ENC_HEX: return "hex";
  case CF_ENC_PERCENT: return "percent";
  }
  return "?";
}
