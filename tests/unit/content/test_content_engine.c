/*
 * test_content_engine.c - the content engine through its public API: rules loaded from YAML
 * text, compiled, and run over texts whose answers follow from the rules (every match the
 * rule's regex has over the whole text, no more, with the capture group as the secret),
 * the filters (keywords, entropy, allowlists, paths), confidence from validators and
 * context words, positions, masking, and hostile texts.
 */
#include <sys/stat.h>

#include "testutil.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

typedef struct hit {
  char rule[64];
  char value[128];
  size_t start, end;
  uint32_t line, column, end_line, end_column;
  uint8_t confidence;
} hit_t;

typedef struct hits {
  hit_t h[64];
  size_t n;
  size_t total;
} hits_t;

static int collect(void *ud, const cf_content_match_t *m) {
  hits_t *hs = ud;
  hs->total++;
  if (hs->n == N_OF(hs->h)) return 0;
  hit_t *h = &hs->h[hs->n++];
  memset(h, 0, sizeof *h);
  snprintf(h->rule, sizeof h->rule, "%s", m->rule->id);
  size_t n = m->end - m->start;
  if (n >= sizeof h->value) n = sizeof h->value - 1;
  memcpy(h->value, m->value, n);
  h->start = m->start;
  h->end = m->end;
  h->line = m->line;
  h->column = m->column;
  h->end_line = m->end_line;
  h->end_column = m->end_column;
  h->confidence = m->confidence;
  return 0;
}

typedef struct eng {
  cf_ctx_t *ctx;
  cf_content_rules_t *rs;
  cf_content_scanner_t *sc;
} eng_t;

/* Compiles the rules of yaml (no shipped rules); fails the test when they do not load. */
static void eng_open(eng_t *e, const char *yaml) {
  e->ctx = cf_ctx_new();
  assert_non_null(e->ctx);
  assert_int_equal(CF_OK, cf_content_rules_new(e->ctx, 0, &e->rs));
  cf_diags_t errs;
  cf_diags_init(&errs);
  cf_err err = cf_content_rules_load_text(e->rs, "test.yaml", yaml, strlen(yaml), &errs);
  if (err) fail_msg("rules did not load: %s", errs.len ? errs.items[0].message : "?");
  assert_int_equal(CF_OK, cf_content_rules_compile(e->rs, &errs));
  assert_int_equal(0, errs.len);
  cf_diags_cleanup(&errs);
  assert_int_equal(CF_OK, cf_content_scanner_new(e->rs, &e->sc));
}

static void eng_close(eng_t *e) {
  cf_content_scanner_free(e->sc);
  cf_content_rules_free(e->rs);
  cf_ctx_free(e->ctx);
}

static hits_t scan(eng_t *e, const char *text, const char *path) {
  hits_t hs;
  memset(&hs, 0, sizeof hs);
  assert_int_equal(CF_OK, cf_content_scan_text(e->sc, text, strlen(text), path, collect, &hs));
  return hs;
}

#define TOKEN_RULE                                                                              \
  "id: demo-token\nanalyzer: secrets\nremediation: r\ntitle: Demo token\nseverity: high\n"                     \
  "regex: '\\b(dmo_[A-Za-z0-9]{12})\\b'\nkeywords: [dmo_]\n"

static void test_every_match_with_its_position(void **state) {
  (void)state;
  eng_t e;
  eng_open(&e, TOKEN_RULE);
  const char *text = "first line\n  key = dmo_abcdefGHIJ12 and dmo_ZZZZZZZZZZZZ\nx dmo_short\n"
                     "tail dmo_0123456789ab";
  hits_t hs = scan(&e, text, "a.env");
  assert_int_equal(3, hs.n);
  assert_string_equal("dmo_abcdefGHIJ12", hs.h[0].value);
  assert_int_equal(2, hs.h[0].line);
  assert_int_equal(9, hs.h[0].column);
  assert_int_equal(2, hs.h[0].end_line);
  assert_int_equal(24, hs.h[0].end_column);
  assert_int_equal(strstr(text, "dmo_abc") - text, hs.h[0].start);
  assert_string_equal("dmo_ZZZZZZZZZZZZ", hs.h[1].value);
  assert_string_equal("dmo_0123456789ab", hs.h[2].value);
  assert_int_equal(4, hs.h[2].line);
  assert_int_equal(6, hs.h[2].column);
  /* \b after the token: a longer run is not this token. */
  hs = scan(&e, "dmo_abcdefGHIJ123", NULL);
  assert_int_equal(0, hs.n);
  /* At the very start and end of the text. */
  hs = scan(&e, "dmo_abcdefGHIJ12", NULL);
  assert_int_equal(1, hs.n);
  assert_int_equal(1, hs.h[0].column);
  eng_close(&e);
}

static void test_capture_group_is_the_secret(void **state) {
  (void)state;
  eng_t e;
  eng_open(&e, "id: demo-assign\nanalyzer: secrets\nremediation: r\ntitle: t\nseverity: high\n"
               "regex: '(?i)demo_secret\\s*[:=]\\s*\"([A-Za-z0-9/+]{16,40})\"'\ngroup: 1\nkeywords: [demo_secret]\n");
  hits_t hs = scan(&e, "DEMO_SECRET = \"aB3dE5gH7jK9mN1pQ3sT\"\n", NULL);
  assert_int_equal(1, hs.n);
  assert_string_equal("aB3dE5gH7jK9mN1pQ3sT", hs.h[0].value);
  assert_int_equal(16, hs.h[0].column);
  eng_close(&e);
}

static void test_keywords_entropy_and_allowlists(void **state) {
  (void)state;
  eng_t e;
  eng_open(&e, "id: demo-generic\nanalyzer: secrets\nremediation: r\ntitle: t\nseverity: medium\n"
               "regex: '(?i)passwd\\s*=\\s*([^\\s]{8,64})'\ngroup: 1\nkeywords: [passwd]\nentropy: 3.0\n"
               "allow:\n  stopwords: [changeme]\n  regexes: ['^\\$\\{']\n");
  /* High entropy: found. */
  hits_t hs = scan(&e, "passwd = Xk9#mQ2$vL7!pR4z\n", NULL);
  assert_int_equal(1, hs.n);
  /* Low entropy (one repeated character): dropped. */
  hs = scan(&e, "passwd = aaaaaaaaaaaaaaaa\n", NULL);
  assert_int_equal(0, hs.n);
  /* A stop-word anywhere in the secret, whatever its case. */
  hs = scan(&e, "passwd = xCHANGEMEq9#Z2v\n", NULL);
  assert_int_equal(0, hs.n);
  /* An allow regex on the secret. */
  hs = scan(&e, "passwd = ${DB_PASSWORD_FROM_ENV}\n", NULL);
  assert_int_equal(0, hs.n);
  eng_close(&e);
}

static void test_path_scoped_rule_and_allow_paths(void **state) {
  (void)state;
  eng_t e;
  eng_open(&e, TOKEN_RULE "path: '\\.env$'\n---\n"
               "id: other-token\nanalyzer: secrets\nremediation: r\ntitle: t\nseverity: low\n"
               "regex: '\\b(oth_[a-z0-9]{10})\\b'\nkeywords: [oth_]\nallow:\n  paths: ['(^|/)testdata/']\n");
  const char *text = "dmo_abcdefGHIJ12 oth_abcdef0123\n";
  hits_t hs = scan(&e, text, "app/.env");
  assert_int_equal(2, hs.n);
  hs = scan(&e, text, "app/config.py");
  assert_int_equal(1, hs.n);
  assert_string_equal("other-token", hs.h[0].rule);
  hs = scan(&e, text, "repo/testdata/x.env");
  assert_int_equal(1, hs.n);
  assert_string_equal("demo-token", hs.h[0].rule);
  eng_close(&e);
}

static void test_validator_and_context_set_confidence(void **state) {
  (void)state;
  eng_t e;
  eng_open(&e, "id: demo-card\nanalyzer: dlp\nremediation: r\ntitle: t\nseverity: medium\n"
               "regex: '\\b(\\d{4}[ -]?\\d{4}[ -]?\\d{4}[ -]?\\d{4})\\b'\nvalidate: luhn\nconfidence: medium\n"
               "context:\n  words: [card, カード]\n  window: 40\n");
  /* 4111 1111 1111 1111 passes Luhn: high. */
  hits_t hs = scan(&e, "4111 1111 1111 1111\n", NULL);
  assert_int_equal(1, hs.n);
  assert_int_equal(3, hs.h[0].confidence);
  /* The same with the last digit changed fails Luhn: low, but still reported. */
  hs = scan(&e, "4111 1111 1111 1112\n", NULL);
  assert_int_equal(1, hs.n);
  assert_int_equal(1, hs.h[0].confidence);
  /* A context word near it raises a failed one by one step. */
  hs = scan(&e, "カード番号: 4111 1111 1111 1112\n", NULL);
  assert_int_equal(1, hs.n);
  assert_int_equal(2, hs.h[0].confidence);
  /* ... but not when it is outside the window. */
  char far[256];
  snprintf(far, sizeof far, "card%s4111 1111 1111 1112\n", "                                                          ");
  hs = scan(&e, far, NULL);
  assert_int_equal(1, hs.h[0].confidence);
  eng_close(&e);
}

/* Every match over a text with many candidates equals a plain left-to-right regex search,
 * checked here by counting tokens the text was built from. */
static void test_many_matches_across_windows(void **state) {
  (void)state;
  eng_t e;
  eng_open(&e, TOKEN_RULE);
  size_t n = 5000;
  char *text = malloc(n * 24 + 1);
  assert_non_null(text);
  size_t k = 0;
  unsigned planted = 0;
  for (size_t i = 0; i < n; i++) {
    if (i % 3 == 0) {
      k += (size_t)sprintf(text + k, "dmo_%012zu\n", i * 7919);
      planted++;
    } else if (i % 3 == 1) {
      k += (size_t)sprintf(text + k, "dmo_%011zu\n", i); /* one short: not a token */
    } else {
      k += (size_t)sprintf(text + k, "noise %zu\n", i);
    }
  }
  hits_t hs;
  memset(&hs, 0, sizeof hs);
  assert_int_equal(CF_OK, cf_content_scan_text(e.sc, text, k, NULL, collect, &hs));
  assert_int_equal(planted, hs.total);
  free(text);
  eng_close(&e);
}

static void test_hostile_texts(void **state) {
  (void)state;
  eng_t e;
  eng_open(&e, TOKEN_RULE "---\nid: demo-generic\nanalyzer: secrets\nremediation: r\ntitle: t\nseverity: medium\n"
                          "regex: '(?i)passwd\\s*=\\s*(\\S{8,64})'\ngroup: 1\nkeywords: [passwd]\n");
  /* NUL bytes, invalid UTF-8 and a token right after them. */
  static const char bin[] = "\0\xff\xfe passwd=\xc3\x28\xa0\xa1xyzzy12345 \0dmo_abcdefGHIJ12";
  hits_t hs;
  memset(&hs, 0, sizeof hs);
  assert_int_equal(CF_OK, cf_content_scan_text(e.sc, bin, sizeof bin - 1, NULL, collect, &hs));
  bool token = false;
  for (size_t i = 0; i < hs.n; i++) token |= strcmp(hs.h[i].value, "dmo_abcdefGHIJ12") == 0;
  assert_true(token);
  /* An empty text and a text of one keyword repeated a million times. */
  memset(&hs, 0, sizeof hs);
  assert_int_equal(CF_OK, cf_content_scan_text(e.sc, "", 0, NULL, collect, &hs));
  assert_int_equal(0, hs.total);
  size_t n = 1u << 20;
  char *big = malloc(n * 7);
  assert_non_null(big);
  for (size_t i = 0; i < n; i++) memcpy(big + i * 7, "passwd=", 7);
  memset(&hs, 0, sizeof hs);
  cf_err err = cf_content_scan_text(e.sc, big, n * 7, NULL, collect, &hs);
  assert_true(err == CF_OK || err == CF_ELIMIT);
  free(big);
  eng_close(&e);
}

static void test_bad_rules_are_diagnosed(void **state) {
  (void)state;
  static const char *const bad[] = {
      "id: x\nanalyzer: secrets\nremediation: r\ntitle: t\nseverity: high\nregex: '(unclosed'\n",
      "id: x\nanalyzer: secrets\nremediation: r\ntitle: t\nseverity: high\nregex: 'a(b)'\ngroup: 3\n",
      "id: x\nanalyzer: secrets\nremediation: r\ntitle: t\nseverity: nope\nregex: 'abc'\n",
      "id: x\nanalyzer: secrets\nremediation: r\ntitle: t\nseverity: high\nregex: 'abc'\nvalidate: no-such-validator\n",
      "id: x\nanalyzer: secrets\nremediation: r\ntitle: t\nseverity: high\nregex: 'abc'\nunknown_key: 1\n",
      "analyzer: secrets\nremediation: r\ntitle: t\nseverity: high\nregex: 'abc'\n",
  };
  for (size_t i = 0; i < N_OF(bad); i++) {
    cf_ctx_t *ctx = cf_ctx_new();
    cf_content_rules_t *rs = NULL;
    assert_int_equal(CF_OK, cf_content_rules_new(ctx, 0, &rs));
    cf_diags_t errs;
    cf_diags_init(&errs);
    cf_err err = cf_content_rules_load_text(rs, "bad.yaml", bad[i], strlen(bad[i]), &errs);
    if (err == CF_OK) fail_msg("rule %zu loaded but should not:\n%s", i, bad[i]);
    assert_true(errs.len >= 1);
    assert_string_equal("bad.yaml", errs.items[0].file);
    assert_true(errs.items[0].line >= 1);
    cf_diags_cleanup(&errs);
    cf_content_rules_free(rs);
    cf_ctx_free(ctx);
  }
}

static void test_mask(void **state) {
  (void)state;
  char out[64];
  cf_content_mask("AKIAABCDEFGHIJKLMNOP", 20, out, sizeof out);
  assert_string_equal("AKIA****************", out);
  cf_content_mask("abcdefgh", 8, out, sizeof out);
  assert_string_equal("ab******", out);
  cf_content_mask("abc", 3, out, sizeof out);
  assert_string_equal("***", out);
  /* Long values never show more than 4 characters nor print more than 20. */
  static const char longv[] = "sk-0123456789abcdefghijklmnopqrstuvwxyz0123456789";
  cf_content_mask(longv, sizeof longv - 1, out, sizeof out);
  assert_int_equal(20, strlen(out));
  assert_memory_equal("sk-0", out, 4);
  assert_null(strpbrk(out + 4, "0123456789abcdefghijklmnopqrstuvwxyz"));
  /* Control bytes in the kept part are not copied. */
  cf_content_mask("\x1b[2Jabcdefghijklmnop", 20, out, sizeof out);
  assert_int_equal('?', out[0]);
  /* A small buffer is never overrun. */
  char tiny[5];
  cf_content_mask(longv, sizeof longv - 1, tiny, sizeof tiny);
  assert_int_equal(4, strlen(tiny));
}

/* Compiles TOKEN_RULE plus a second rule with the given cache folder and returns the matches
 * of a fixed text. */
static hits_t scan_with_cache(const char *dir) {
  eng_t e;
  e.ctx = cf_ctx_new();
  assert_non_null(e.ctx);
  assert_true(cf_ctx_set_cache_dir(e.ctx, dir));
  assert_int_equal(CF_OK, cf_content_rules_new(e.ctx, 0, &e.rs));
  static const char yaml[] = TOKEN_RULE "---\nid: demo-generic\nanalyzer: secrets\nremediation: r\ntitle: t\n"
                             "severity: medium\nregex: '(?i)passwd\\s*=\\s*(\\S{8,64})'\ngroup: 1\nkeywords: [passwd]\n";
  cf_diags_t errs;
  cf_diags_init(&errs);
  assert_int_equal(CF_OK, cf_content_rules_load_text(e.rs, "c.yaml", yaml, sizeof yaml - 1, &errs));
  assert_int_equal(CF_OK, cf_content_rules_compile(e.rs, &errs));
  cf_diags_cleanup(&errs);
  assert_int_equal(CF_OK, cf_content_scanner_new(e.rs, &e.sc));
  hits_t hs = scan(&e, "passwd = Xk9#mQ2$vL7!pR4z\nid dmo_abcdefGHIJ12\n", NULL);
  eng_close(&e);
  return hs;
}

/* The one file a cache folder holds (its path into out), or false. */
static bool cache_file(const char *dir, char *out, size_t size) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "ls %s/hs-*.db 2>/dev/null", dir);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  bool got = fgets(out, (int)size, p) != NULL;
  pclose(p);
  if (got) out[strcspn(out, "\n")] = '\0';
  return got;
}

static void test_compiled_database_cache(void **state) {
  (void)state;
  char dir[] = "/tmp/cftest-cache-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char sub[64];
  snprintf(sub, sizeof sub, "%s/c", dir); /* created by the first run */
  hits_t cold = scan_with_cache(sub);
  assert_int_equal(2, cold.n);
  char file[256];
  assert_true(cache_file(sub, file, sizeof file));
  struct stat st1;
  assert_int_equal(0, stat(file, &st1));
  /* A second run reads it and finds the same. */
  hits_t warm = scan_with_cache(sub);
  assert_int_equal(cold.n, warm.n);
  for (size_t i = 0; i < cold.n; i++) {
    assert_string_equal(cold.h[i].rule, warm.h[i].rule);
    assert_int_equal(cold.h[i].start, warm.h[i].start);
  }
  /* A damaged file (one byte flipped in the middle, then cut short) is ignored: the rules are
   * compiled again, with the same results, and the file is written anew. */
  FILE *f = fopen(file, "r+b");
  assert_non_null(f);
  fseek(f, st1.st_size / 2, SEEK_SET);
  int c = fgetc(f);
  fseek(f, st1.st_size / 2, SEEK_SET);
  fputc(c ^ 0x5a, f);
  fclose(f);
  hits_t again = scan_with_cache(sub);
  assert_int_equal(cold.n, again.n);
  assert_int_equal(0, truncate(file, st1.st_size / 3));
  again = scan_with_cache(sub);
  assert_int_equal(cold.n, again.n);
  struct stat st2;
  assert_int_equal(0, stat(file, &st2));
  assert_int_equal(st1.st_size, st2.st_size);
  /* A folder that cannot be made is no error. */
  hits_t none = scan_with_cache("/proc/cloudfort-cannot-be-here");
  assert_int_equal(cold.n, none.n);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(0, system(cmd));
}

static void test_generic_rule_yields_to_a_specific_one(void **state) {
  (void)state;
  eng_t e;
  eng_open(&e, TOKEN_RULE "---\nid: demo-generic\nanalyzer: secrets\nremediation: r\ntitle: t\nseverity: medium\n"
                          "generic: true\nregex: '(?i)passwd\\s*=\\s*(\\S{8,64})'\ngroup: 1\nkeywords: [passwd]\n");
  /* The same bytes: the specific rule only. */
  hits_t hs = scan(&e, "passwd = dmo_abcdefGHIJ12\n", NULL);
  assert_int_equal(1, hs.n);
  assert_string_equal("demo-token", hs.h[0].rule);
  /* Overlapping from the left (the specific match starts before the generic secret). */
  hs = scan(&e, "xdmo_abcdefGHIJ12 passwd=dmo_abcdefGHIJ12\n", NULL);
  assert_int_equal(1, hs.n);
  /* Apart: both. */
  hs = scan(&e, "passwd = Xk9#mQ2$vL7!pR4z\nother dmo_abcdefGHIJ12\n", NULL);
  assert_int_equal(2, hs.n);
  assert_string_equal("demo-generic", hs.h[0].rule);
  assert_string_equal("demo-token", hs.h[1].rule);
  eng_close(&e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_match_with_its_position),
      cmocka_unit_test(test_capture_group_is_the_secret),
      cmocka_unit_test(test_keywords_entropy_and_allowlists),
      cmocka_unit_test(test_path_scoped_rule_and_allow_paths),
      cmocka_unit_test(test_validator_and_context_set_confidence),
      cmocka_unit_test(test_many_matches_across_windows),
      cmocka_unit_test(test_hostile_texts),
      cmocka_unit_test(test_bad_rules_are_diagnosed),
      cmocka_unit_test(test_mask),
      cmocka_unit_test(test_generic_rule_yields_to_a_specific_one),
      cmocka_unit_test(test_compiled_database_cache),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
