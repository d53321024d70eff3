/*
 * test_decode.c - finding encoded runs in text and decoding them: which runs are found (and
 * which look encoded but are not taken: too short, bad padding, odd hex), where they start
 * and end, what they decode to, and the text test that decides whether decoded bytes are
 * scanned. Also the strings taken from compiled Java classes and binaries inside archives,
 * and a differential test of the run finder against its first, byte-at-a-time version.
 */
#include <ftw.h>
#include <sys/stat.h>

#include "testutil.h"

#include "content/content_scan.h"

/* A run expected in a text: its kind, the encoded text and what it decodes to. */
static const struct {
  const char *text;
  cf_enc kind;     /* 0: no run is found */
  const char *run; /* the run as it appears in text */
  const char *decoded;
} runs[] = {
    /* base64, standard alphabet, with and without padding */
    {"token: c2VjcmV0LXZhbHVlLWZvci10ZXN0cw==", CF_ENC_BASE64, "c2VjcmV0LXZhbHVlLWZvci10ZXN0cw==", "secret-value-for-tests"},
    {"x=\"aGVsbG8gd29ybGQsIGhlbGxvIHdvcmxk\";", CF_ENC_BASE64, "aGVsbG8gd29ybGQsIGhlbGxvIHdvcmxk", "hello world, hello world"},
    {"YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg", CF_ENC_BASE64, "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg", "abcdefghijklmnopqrstuv"},
    /* URL-safe alphabet */
    {"u=d2hhdD8-PndoYXQ_Pj53aGF0Pz4-", CF_ENC_BASE64, "d2hhdD8-PndoYXQ_Pj53aGF0Pz4-", "what?>>what?>>what?>>"},
    /* an assignment is not padding: the run starts after '=' */
    {"secret=aGVsbG8gd29ybGQsIGhlbGxvIHdvcmxk", CF_ENC_BASE64, "aGVsbG8gd29ybGQsIGhlbGxvIHdvcmxk", "hello world, hello world"},
    /* a path in front of a URL-safe blob is cut at its last separator */
    {"/path/to-it/aGVsbG8gd29ybGQsIGhlbGxvIHdvcmxk", CF_ENC_BASE64, "/path/to-it/aGVsbG8gd29ybGQsIGhlbGxvIHdvcmxk", NULL},
    /* too short, impossible lengths and padding */
    {"c2VjcmV0LXZhbHVl", 0, NULL, NULL},
    {"aGVsbG8gd29ybGQsIGhlbGxvIHdvcmxkA", 0, NULL, NULL}, /* 33 characters: 4n+1 */
    {"aGVsbG8gd29ybGQsIGhlbGxvIHdvcm=", 0, NULL, NULL},   /* padding that does not fill a quantum */
    /* hex: at least 32 digits, even count; all-hex runs are hex, never base64 */
    {"key 68656c6c6f20776f726c642c2068656c6c6f20776f726c64 end", CF_ENC_HEX,
     "68656c6c6f20776f726c642c2068656c6c6f20776f726c64", "hello world, hello world"},
    {"68656C6C6F20776F726C642C2068656C6C", CF_ENC_HEX, "68656C6C6F20776F726C642C2068656C6C", "hello world, hell"},
    {"v=0x68656c6c6f20776f726c642c2068656c6c6f;", CF_ENC_HEX, "68656c6c6f20776f726c642c2068656c6c6f", "hello world, hello"},
    {"68656c6c6f20776f726c642c2068656c6c6", 0, NULL, NULL},  /* odd */
    {"68656c6c6f20776f726c642c20", 0, NULL, NULL},           /* short, and not base64 */
    /* percent encoding: three escapes at least */
    {"url=https://x.example/?q=a%20b%3Dc%26d", CF_ENC_PERCENT, "url=https://x.example/?q=a%20b%3Dc%26d",
     "url=https://x.example/?q=a b=c&d"},
    {"a%20b%20c", 0, NULL, NULL},
    {"100% sure, 50% off", 0, NULL, NULL},
    {"%41%4", 0, NULL, NULL},
};

static void test_run_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
    const char *t = runs[i].text;
    size_t pos = 0;
    cf_enc_run_t r;
    bool found = cf__decode_next(t, strlen(t), &pos, &r);
    if (!runs[i].kind) {
      if (found) fail_msg("case %zu '%s': unexpected %s run at %zu", i, t, cf__enc_name(r.kind), r.start);
      continue;
    }
    if (!found) fail_msg("case %zu '%s': no run found", i, t);
    assert_int_equal(runs[i].kind, r.kind);
    const char *where = strstr(t, runs[i].run);
    assert_non_null(where);
    size_t start = (size_t)(where - t);
    if (runs[i].decoded == NULL) {
      /* only the blob after the last separator */
      assert_true(r.start > start);
    } else {
      if (r.start != start || r.end != start + strlen(runs[i].run))
        fail_msg("case %zu '%s': run [%zu, %zu), expected [%zu, %zu)", i, t, r.start, r.end, start,
                 start + strlen(runs[i].run));
      uint8_t out[256];
      size_t n = 0;
      assert_true(cf__decode_run(t, &r, out, &n));
      assert_int_equal(strlen(runs[i].decoded), n);
      assert_memory_equal(runs[i].decoded, out, n);
    }
    assert_int_equal(pos, r.end);
  }
}

static void test_several_runs_in_order(void **state) {
  (void)state;
  const char *t = "a: aGVsbG8gd29ybGQsIGhlbGxvIHdvcmxk\nb: 68656c6c6f20776f726c642c2068656c6c6f20776f726c64\n"
                  "c: x%41%42%43\n";
  size_t pos = 0;
  cf_enc_run_t r;
  cf_enc kinds[3];
  size_t n = 0;
  while (n < 3 && cf__decode_next(t, strlen(t), &pos, &r)) kinds[n++] = r.kind;
  assert_int_equal(3, n);
  assert_int_equal(CF_ENC_BASE64, kinds[0]);
  assert_int_equal(CF_ENC_HEX, kinds[1]);
  assert_int_equal(CF_ENC_PERCENT, kinds[2]);
  assert_false(cf__decode_next(t, strlen(t), &pos, &r));
}

/* Wrapped base64: lines of one length make one run, which decodes across the breaks. */
static void test_wrapped_base64(void **state) {
  (void)state;
  /* "wrapped secret text: AKIAIOSFODNN7EXAMPLQ and more words after it" in lines of 44 */
  const char *t = "data: |\n"
                  "  d3JhcHBlZCBzZWNyZXQgdGV4dDogQUtJQUlPU0ZPRE5O\n"
                  "  N0VYQU1QTFEgYW5kIG1vcmUgd29yZHMgYWZ0ZXIgaXQ=\n"
                  "next: value\n";
  size_t pos = 0;
  cf_enc_run_t r;
  assert_true(cf__decode_next(t, strlen(t), &pos, &r));
  assert_int_equal(CF_ENC_BASE64, r.kind);
  const char *first = strstr(t, "d3Jh");
  const char *last = strstr(t, "aXQ=");
  assert_int_equal((size_t)(first - t), r.start);
  assert_int_equal((size_t)(last - t) + 4, r.end);
  uint8_t out[128];
  size_t n = 0;
  assert_true(cf__decode_run(t, &r, out, &n));
  const char *want = "wrapped secret text: AKIAIOSFODNN7EXAMPLQ and more words after it";
  assert_int_equal(strlen(want), n);
  assert_memory_equal(want, out, n);
  /* A following line of another length, or with other characters, is not taken. */
  const char *t2 = "d3JhcHBlZCBzZWNyZXQgdGV4dDogQUtJQUlPU0ZPRE5O\nnot base64: at all\n";
  pos = 0;
  assert_true(cf__decode_next(t2, strlen(t2), &pos, &r));
  assert_int_equal(0, r.start);
  assert_int_equal(44, r.end);
  /* Short lines are separate runs (prose, not a wrapped blob). */
  const char *t3 = "QUtJQUlPU0ZPRE5ON0VYQU1Q\nQUtJQUlPU0ZPRE5ON0VYQU1Q\n";
  pos = 0;
  assert_true(cf__decode_next(t3, strlen(t3), &pos, &r));
  assert_int_equal(24, r.end);
}

static void test_text_test(void **state) {
  (void)state;
  assert_true(cf__decode_is_text((const uint8_t *)"plain words\n\ttab", 16));
  assert_true(cf__decode_is_text((const uint8_t *)"caf\xc3\xa9", 5));
  assert_false(cf__decode_is_text((const uint8_t *)"", 0));
  assert_false(cf__decode_is_text((const uint8_t *)"bin\0ary", 7));
  assert_false(cf__decode_is_text((const uint8_t *)"esc\x1b[0m", 7));
  assert_false(cf__decode_is_text((const uint8_t *)"bad \xc3\x28", 6));
  /* An identifier that happens to be in the base64 alphabet decodes to bytes that are not
   * text, so it is never scanned. */
  const char *ident = "ThisIsAVeryLongIdentifierName";
  size_t pos = 0;
  cf_enc_run_t r;
  if (cf__decode_next(ident, strlen(ident), &pos, &r)) {
    uint8_t out[64];
    size_t n = 0;
    assert_true(cf__decode_run(ident, &r, out, &n));
    assert_false(cf__decode_is_text(out, n));
  }
}

static void test_class_file_constants(void **state) {
  (void)state;
  /* CAFEBABE, version 52, constant pool of 5 slots: Utf8 "Config", Long (two slots),
   * String #4, Utf8 "AKIAIOSFODNN7EXAMPLQ". */
  static const uint8_t cls[] = {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, 0, 6,
                                1, 0, 6, 'C', 'o', 'n', 'f', 'i', 'g',
                                5, 0, 0, 0, 0, 0, 0, 0, 1,
                                8, 0, 5,
                                1, 0, 20, 'A', 'K', 'I', 'A', 'I', 'O', 'S', 'F', 'O', 'D', 'N', 'N', '7', 'E', 'X',
                                'A', 'M', 'P', 'L', 'Q',
                                0, 0x21};
  char *txt = NULL;
  size_t n = 0;
  assert_true(cf__class_strings(cls, sizeof cls, &txt, &n));
  assert_string_equal("Config\nAKIAIOSFODNN7EXAMPLQ\n", txt);
  assert_int_equal(strlen(txt), n);
  free(txt);
  /* Truncated pools and unknown tags are refused, never read past the end. */
  for (size_t cut = 0; cut < sizeof cls - 2; cut++) {
    txt = NULL;
    bool ok = cf__class_strings(cls, cut, &txt, &n);
    assert_false(ok);
    assert_null(txt);
  }
  uint8_t bad[sizeof cls];
  memcpy(bad, cls, sizeof cls);
  bad[10] = 99;
  assert_false(cf__class_strings(bad, sizeof bad, &txt, &n));
}

static void test_printable_strings(void **state) {
  (void)state;
  static const uint8_t bin[] = "\x01\x02short\x00\x03long enough run\x00\xff\xfe" "abcdef";
  char *txt = NULL;
  size_t n = 0;
  assert_true(cf__printable_strings(bin, sizeof bin - 1, 6, &txt, &n));
  assert_string_equal("long enough run\nabcdef\n", txt);
  free(txt);
}


/* ---- differential test: the run finder against its first, byte-at-a-time version ----
 *
 * cf__decode_next() searches for candidate places instead of cutting every word; it must find
 * exactly the runs the straightforward version below found, for every text and from every
 * starting position. ref_* is that version, unchanged but for the names (and
 * its one-line class tests written out). */
#define B64_MIN 20
#define HEX_MIN 32
#define PCT_MIN 3
#define WRAP_MIN 40
enum { C_WORD = 1, C_B64 = 2, C_HEX = 4 };
static const uint8_t ref_cls[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 3, 0, 3, 1, 3, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1, 0, 0, 1, 0, 1,
    1, 7, 7, 7, 7, 7, 7, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 1, 3,
    0, 7, 7, 7, 7, 7, 7, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 1, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static int ref_hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static size_t ref_count_pct(const char *s, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i + 2 < n; i++)
    if (s[i] == '%' && ref_hexval((unsigned char)s[i + 1]) >= 0 && ref_hexval((unsigned char)s[i + 2]) >= 0) {
      k++;
      i += 2;
    }
  return k;
}

static bool ref_classify(const char *text, size_t a, size_t b, size_t pad, cf_enc_run_t *run) {
  /* "0x" in front of hex digits is a prefix, not part of the run. */
  if (!pad && b - a > 2 && text[a] == '0' && (text[a + 1] == 'x' || text[a + 1] == 'X')) {
    size_t i = a + 2;
    while (i < b && (ref_cls[(unsigned char)text[i]] & C_HEX)) i++;
    if (i == b) a += 2;
  }
  bool std = false, url = false, hex = true;
  size_t last_sep = SIZE_MAX;
  for (size_t i = a; i < b; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '+' || c == '/') std = true, last_sep = i;
    if (c == '-' || c == '_') url = true, last_sep = i;
    if (!(ref_cls[c] & C_HEX)) hex = false;
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
    return ref_classify(text, a, b, pad, run);
  }
  size_t n = b - a;
  if (n < B64_MIN) return false;
  if (pad ? (n + pad) % 4 != 0 : n % 4 == 1) return false;
  run->start = a;
  run->end = b + pad;
  run->kind = CF_ENC_BASE64;
  return true;
}

static size_t ref_wrapped_end(const char *text, size_t len, const cf_enc_run_t *run) {
  size_t width = run->end - run->start, end = run->end;
  if (width < WRAP_MIN || width % 4) return end;
  for (;;) {
    size_t p = end;
    if (p < len && text[p] == '\r') p++;
    if (p >= len || text[p] != '\n') break;
    p++;
    while (p < len && (text[p] == ' ' || text[p] == '\t')) p++;
    size_t q = p;
    while (q < len && q - p <= width && (ref_cls[(unsigned char)text[q]] & C_B64)) q++;
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

static bool ref_decode_next(const char *text, size_t len, size_t *pos, cf_enc_run_t *run) {
  size_t i = *pos;
  while (i < len) {
    while (i < len && !(ref_cls[(unsigned char)text[i]] & C_WORD)) i++;
    size_t ws = i;
    while (i < len && (ref_cls[(unsigned char)text[i]] & C_WORD)) i++;
    size_t we = i;
    /* Most words are too short to hold any run: three escapes take 9 bytes. */
    if (we - ws < 3 * PCT_MIN) continue;
    if (memchr(text + ws, '%', we - ws) && ref_count_pct(text + ws, we - ws) >= PCT_MIN) {
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
      while (k < we && !(ref_cls[(unsigned char)text[k]] & C_B64)) k++;
      size_t a = k;
      while (k < we && (ref_cls[(unsigned char)text[k]] & C_B64)) k++;
      size_t b = k, pad = 0;
      while (k < we && text[k] == '=' && pad < 2) k++, pad++;
      /* '=' followed by more of the alphabet is an assignment, not padding. */
      if (pad && k < we && (ref_cls[(unsigned char)text[k]] & C_B64)) {
        k = b + pad;
        pad = 0;
      }
      if (b - a >= B64_MIN && ref_classify(text, a, b, pad, run)) {
        if (run->kind == CF_ENC_BASE64 && !pad && k == we) run->end = ref_wrapped_end(text, len, run);
        *pos = run->end;
        return true;
      }
      if (k == a) k++;
    }
  }
  *pos = len;
  return false;
}

/* Compares the runs found from pos by both versions; what names the text in a failure. */
static void expect_same_runs(const char *t, size_t len, size_t pos, const char *what) {
  size_t p_new = pos, p_ref = pos;
  for (size_t n = 0;; n++) {
    cf_enc_run_t r_new = {0}, r_ref = {0};
    bool f_new = cf__decode_next(t, len, &p_new, &r_new);
    bool f_ref = ref_decode_next(t, len, &p_ref, &r_ref);
    if (f_new != f_ref || p_new != p_ref ||
        (f_ref && (r_new.start != r_ref.start || r_new.end != r_ref.end || r_new.kind != r_ref.kind)))
      fail_msg("%s (%zu bytes) from %zu, run %zu: found %d [%zu, %zu) %s pos %zu, expected %d [%zu, %zu) %s pos %zu",
               what, len, pos, n, f_new, r_new.start, r_new.end, cf__enc_name(r_new.kind), p_new, f_ref, r_ref.start,
               r_ref.end, cf__enc_name(r_ref.kind), p_ref);
    if (!f_ref) return;
  }
}

static void test_same_runs_on_cases(void **state) {
  (void)state;
  static const char *more[] = {
      "a: aGVsbG8gd29ybGQsIGhlbGxvIHdvcmxk\nb: 68656c6c6f20776f726c642c2068656c6c6f20776f726c64\nc: x%41%42%43\n",
      "data: |\n  d3JhcHBlZCBzZWNyZXQgdGV4dDogQUtJQUlPU0ZPRE5O\n  N0VYQU1QTFEgYW5kIG1vcmUgd29yZHMgYWZ0ZXIgaXQ=\nnext: value\n",
      "d3JhcHBlZCBzZWNyZXQgdGV4dDogQUtJQUlPU0ZPRE5O\nnot base64: at all\n",
      "QUtJQUlPU0ZPRE5ON0VYQU1Q\nQUtJQUlPU0ZPRE5ON0VYQU1Q\n",
      "ThisIsAVeryLongIdentifierName",
      "",
  };
  for (size_t i = 0; i < sizeof runs / sizeof runs[0] + sizeof more / sizeof more[0]; i++) {
    const char *t = i < sizeof runs / sizeof runs[0] ? runs[i].text : more[i - sizeof runs / sizeof runs[0]];
    for (size_t pos = 0; pos <= strlen(t) + 1; pos++) expect_same_runs(t, strlen(t), pos, t);
  }
}

/* xorshift64: the same texts on every run. */
static uint64_t rnd_next(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

/* Random text from an alphabet biased towards what the finder cares about: base64 and hex
 * runs of lengths around the limits, '=' and '%' escapes, separators, line ends with
 * indentation (wrapped blobs), quotes and bytes above 0x7f. */
static void random_text(uint64_t *rs, char *t, size_t len) {
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_";
  static const char hex[] = "0123456789abcdefABCDEF";
  static const char other[] = " \t\n\n\r\"'()[]{}<>,;:=%%.!#*&?@\\`|~^";
  size_t i = 0;
  unsigned line = 20 + (unsigned)(rnd_next(rs) % 60);
  while (i < len) {
    uint64_t r = rnd_next(rs);
    size_t n = 1 + (size_t)(r >> 8) % (r & 1 ? 48 : 12);
    switch ((r >> 1) % 10) {
    case 0: case 1: case 2: /* base64, one alphabet or both */
      for (size_t k = 0; k < n && i < len; k++) t[i++] = b64[rnd_next(rs) % (r & 2 ? 64 : 66)];
      break;
    case 3: /* hex, sometimes with 0x */
      if (r & 4 && i + 2 < len) t[i++] = '0', t[i++] = r & 8 ? 'x' : 'X';
      for (size_t k = 0; k < n && i < len; k++) t[i++] = hex[rnd_next(rs) % 22];
      break;
    case 4: /* padding or an assignment */
      for (size_t k = 0; k < 1 + (r >> 20) % 3 && i < len; k++) t[i++] = '=';
      break;
    case 5: /* a %XX escape, or a lone '%' */
      t[i++] = '%';
      for (size_t k = 0; k < (r >> 20) % 3 && i < len; k++) t[i++] = hex[rnd_next(rs) % 22];
      break;
    case 6: /* a wrapped line of base64 */
      if (i < len) t[i++] = '\n';
      for (size_t k = 0; k < (r >> 20) % 4 && i < len; k++) t[i++] = ' ';
      for (size_t k = 0; k < line - (r & 16 ? (r >> 24) % 8 : 0) && i < len; k++) t[i++] = b64[rnd_next(rs) % 64];
      break;
    case 7: /* bytes above 0x7f */
      for (size_t k = 0; k < n % 4 + 1 && i < len; k++) t[i++] = (char)(0x80 | rnd_next(rs) % 0x80);
      break;
    default: /* separators and other punctuation */
      for (size_t k = 0; k < n % 3 + 1 && i < len; k++) t[i++] = other[rnd_next(rs) % (sizeof other - 1)];
      break;
    }
  }
}

static void test_same_runs_on_random_texts(void **state) {
  (void)state;
  uint64_t rs = 0x9e3779b97f4a7c15u;
  enum { MAX_LEN = 3000 };
  char *t = malloc(MAX_LEN);
  assert_non_null(t);
  for (unsigned n = 0; n < 6000; n++) {
    size_t len = n < 300 ? n : (size_t)(rnd_next(&rs) % MAX_LEN);
    random_text(&rs, t, len);
    /* An exact-size copy, so that reading past the end is an error under ASan. */
    char *exact = malloc(len ? len : 1);
    assert_non_null(exact);
    memcpy(exact, t, len);
    char what[64];
    snprintf(what, sizeof what, "random text %u", n);
    expect_same_runs(exact, len, 0, what);
    for (unsigned k = 0; k < 3 && len; k++) expect_same_runs(exact, len, (size_t)(rnd_next(&rs) % len), what);
    free(exact);
  }
  free(t);
}

/* Base64 (standard alphabet, padded) of s[0..n) into out. */
static size_t b64_encode(const uint8_t *s, size_t n, char *out) {
  static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t k = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
    out[k++] = al[v >> 18 & 63];
    out[k++] = al[v >> 12 & 63];
    out[k++] = i + 1 < n ? al[v >> 6 & 63] : '=';
    out[k++] = i + 2 < n ? al[v & 63] : '=';
  }
  return k;
}

/* The quick look at a run's first bytes never turns away a run whose whole decodes to text:
 * over random texts with base64 of real text (ASCII, Japanese UTF-8, split at any point)
 * planted among garbage. */
static void test_prefix_check_never_drops_text(void **state) {
  (void)state;
  static const char *const plain[] = {"password=hunter2-and-more-words", "東京都の個人番号は123456789012です",
                                      "aws_secret_access_key = wJalrXUtnFEMI", "line one\nline two\tend"};
  uint64_t rs = 0x2545f4914f6cdd1du;
  size_t kept = 0, dropped = 0, texts = 0;
  char t[4096];
  for (unsigned n = 0; n < 4000; n++) {
    size_t len = 200 + (size_t)(rnd_next(&rs) % 1500);
    random_text(&rs, t, len);
    const char *p = plain[n % 4];
    size_t pn = strlen(p), cut = (size_t)(rnd_next(&rs) % pn);
    char enc[256];
    size_t en = b64_encode((const uint8_t *)p + cut, pn - cut, enc);
    size_t at = (size_t)(rnd_next(&rs) % (len - 100));
    t[at] = ' ';
    memcpy(t + at + 1, enc, en);
    t[at + 1 + en] = ' ';
    size_t pos = 0;
    cf_enc_run_t run;
    while (cf__decode_next(t, len, &pos, &run)) {
      uint8_t out[4096];
      size_t out_len = 0;
      bool text = cf__decode_run(t, &run, out, &out_len) && out_len && cf__decode_is_text(out, out_len);
      texts += text;
      if (cf__decode_may_be_text(t, &run)) kept++;
      else {
        dropped++;
        if (text) fail_msg("text %u: a run decoding to text was turned away: %.*s", n, (int)(run.end - run.start), t + run.start);
      }
    }
  }
  print_message("runs kept %zu (%zu decode to text), turned away %zu\n", kept, texts, dropped);
  assert_true(texts > 1000 && dropped > 1000);
}

/* Real text: every file under /usr/include up to 4 MiB. */
static size_t files_compared;

static int compare_file(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)ftw;
  if (type != FTW_F || !S_ISREG(st->st_mode) || st->st_size > (4 << 20)) return 0;
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t size = (size_t)st->st_size;
  char *t = malloc(size ? size : 1);
  assert_non_null(t);
  size_t len = fread(t, 1, size, f);
  fclose(f);
  expect_same_runs(t, len, 0, path);
  free(t);
  files_compared++;
  return 0;
}

static void test_same_runs_on_system_headers(void **state) {
  (void)state;
  assert_int_equal(0, access("/usr/include", R_OK)); /* installed with the build tools */
  assert_int_equal(0, nftw("/usr/include", compare_file, 32, FTW_PHYS));
  print_message("compared the runs of %zu files under /usr/include\n", files_compared);
  assert_true(files_compared > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_run_table),
      cmocka_unit_test(test_several_runs_in_order),
      cmocka_unit_test(test_wrapped_base64),
      cmocka_unit_test(test_text_test),
      cmocka_unit_test(test_class_file_constants),
      cmocka_unit_test(test_printable_strings),
      cmocka_unit_test(test_same_runs_on_cases),
      cmocka_unit_test(test_same_runs_on_random_texts),
      cmocka_unit_test(test_same_runs_on_system_headers),
      cmocka_unit_test(test_prefix_check_never_drops_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
