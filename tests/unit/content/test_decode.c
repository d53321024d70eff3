/*
 * test_decode.c - finding encoded runs in text and decoding them: which runs are found (and
 * which look encoded but are not taken: too short, bad padding, odd hex), where they start
 * and end, what they decode to, and the text test that decides whether decoded bytes are
 * scanned. Also the strings taken from compiled Java classes and binaries inside archives.
 */
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_run_table),
      cmocka_unit_test(test_several_runs_in_order),
      cmocka_unit_test(test_wrapped_base64),
      cmocka_unit_test(test_text_test),
      cmocka_unit_test(test_class_file_constants),
      cmocka_unit_test(test_printable_strings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
