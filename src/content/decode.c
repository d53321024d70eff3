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
 * Everything here is a pure function of its input (thread-safe, no allocation); the caller
 * (content_scan.c) owns the recursion and its budget. We decode ourselves rather than with
 * OpenSSL's EVP decoders because the run finder must know exactly where a run ends and which
 * alphabet it uses, and the decoders are a few lines once that is known; the posture
 * module's base64 decoder allocates from a posture arena and is internal to that module
 * (docs/internals/modules.md), and this one writes into the caller's buffer.
 */
#include <string.h>

#include "content_scan.h"

#define B64_MIN 20
#define HEX_MIN 32
#define PCT_MIN 3
#define WRAP_MIN 40

/* Character classes, one bit each: 1 word (not white space, quote, bracket or separator),
 * 2 base64 (either alphabet), 4 hex digit. A table, because the run finder looks at every
 * byte of every text scanned. */
enum { C_WORD = 1, C_B64 = 2, C_HEX = 4 };
static const uint8_t cls[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 3, 0, 3, 1, 3, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1, 0, 0, 1, 0, 1,
    1, 7, 7, 7, 7, 7, 7, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 1, 3,
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
  bool std = false, url = false, hex = true;
  size_t last_sep = SIZE_MAX;
  for (size_t i = a; i < b; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '+' || c == '/') std = true, last_sep = i;
    if (c == '-' || c == '_') url = true, last_sep = i;
    if (!(cls[c] & C_HEX)) hex = false;
  }
  if (hex) {
    if (pad || b - a < HEX_MIN || (b - a) % 2) return false;
    run->start = a;
    run->end = b;
    run->kind = CF_ENC_HEX;
    return true;
  }
  if (std && url) {
    /* Both alphabets: a path or an identifier in front of the blob; keep what follows the
     * last separator. */
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

bool cf__decode_next(const char *text, size_t len, size_t *pos, cf_enc_run_t *run) {
  size_t i = *pos;
  while (i < len) {
    while (i < len && !is_word_char((unsigned char)text[i])) i++;
    size_t ws = i;
    while (i < len && is_word_char((unsigned char)text[i])) i++;
    size_t we = i;
    /* Most words are too short to hold any run: three escapes take 9 bytes. */
    if (we - ws < 3 * PCT_MIN) continue;
    if (memchr(text + ws, '%', we - ws) && count_pct(text + ws, we - ws) >= PCT_MIN) {
      run->start = ws;
      run->end = we;
      run->kind = CF_ENC_PERCENT;
      *pos = we;
      return true;
    }
    if (we - ws < B64_MIN) continue;
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
        *pos = run->end;
        return true;
      }
      if (k == a) k++;
    }
  }
  *pos = len;
  return false;
}

static int b64val(unsigned char c) {
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
      int v = b64val(s[i]);
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

const char *cf__enc_name(cf_enc kind) {
  switch (kind) {
  case CF_ENC_BASE64: return "base64";
  case CF_ENC_HEX: return "hex";
  case CF_ENC_PERCENT: return "percent";
  }
  return "?";
}
