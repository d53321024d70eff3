/*
 * test_gitleaks_load.c - gitleaks configurations in the content engine (src/content/gitleaks.c)
 * and .gitleaksignore.
 *
 * Specified here, after gitleaks' documented configuration: without secretGroup the secret
 * is the first capture group that matched something (the whole match when there is none);
 * entropy must exceed the threshold; keywords are case-insensitive and one must occur in
 * the text; RE2 forms that PCRE2 reads differently (`$` at the very end only, octal escapes,
 * `\v`, `{,n}`) mean what they mean in RE2; a path-only rule reports a file by name; an
 * ignore file lists "file:rule:line" and "commit:file:rule:line" fingerprints.
 */
#include "testutil.h"
#include "content/gitleaks.h"
#include "content/content_scan.h"

typedef struct hits {
  char ids[8][64];
  char secrets[8][64];
  size_t n;
} hits_t;

static int on_hit(void *ud, const cf_content_match_t *m) {
  hits_t *h = ud;
  if (h->n < 8) {
    snprintf(h->ids[h->n], 64, "%s", m->rule->id);
    size_t n = m->end - m->start;
    snprintf(h->secrets[h->n], 64, "%.*s", (int)(n < 63 ? n : 63), m->end > m->start ? m->value : "");
  }
  h->n++;
  return 0;
}

/* Loads config, scans text (as path) and returns what was found. */
static hits_t scan_with(const char *config, const char *text, const char *path) {
  cf_content_rules_t *rs = NULL;
  assert_int_equal(CF_OK, cf_content_rules_new(NULL, CF_CONTENT_SECRET, &rs));
  cf_diags_t errs;
  cf_diags_init(&errs);
  cf_err e = cf__gitleaks_load_text(rs, "test.toml", config, strlen(config), &errs);
  if (e) fail_msg("load: %s: %s", cf_strerror(e), errs.len ? errs.items[0].message : "");
  assert_int_equal(CF_OK, cf_content_rules_compile(rs, &errs));
  cf_content_scanner_t *sc = NULL;
  assert_int_equal(CF_OK, cf_content_scanner_new(rs, &sc));
  hits_t h;
  memset(&h, 0, sizeof h);
  assert_int_equal(CF_OK, cf_content_scan_text(sc, text, strlen(text), path, on_hit, &h));
  cf_content_scanner_free(sc);
  cf_content_rules_free(rs);
  cf_diags_cleanup(&errs);
  return h;
}

static const struct {
  const char *what, *config, *text, *path;
  size_t n;
  const char *secret; /* of the first hit */
} cases[] = {
    {"first non-empty group", "[[rules]]\nid='r'\nregex='''key=(?:(x{3})|(y{3}))'''\n", "key=yyy", "a", 1, "yyy"},
    {"no group: whole match", "[[rules]]\nid='r'\nregex='''key=[xy]{3}'''\n", "key=xyx", "a", 1, "key=xyx"},
    {"secretGroup", "[[rules]]\nid='r'\nregex='''(k)(e)(y)=(\\d+)'''\nsecretGroup=4\n", "key=42", "a", 1, "42"},
    /* "abcd" has exactly 2 bits per byte: gitleaks keeps a secret only above the threshold. */
    {"entropy equal is dropped", "[[rules]]\nid='r'\nregex='''v=(\\w+)'''\nentropy=2.0\n", "v=abcd", "a", 0, NULL},
    {"entropy above is kept", "[[rules]]\nid='r'\nregex='''v=(\\w+)'''\nentropy=1.9\n", "v=abcd", "a", 1, "abcd"},
    {"keyword absent", "[[rules]]\nid='r'\nregex='''t_[a-z]{4}'''\nkeywords=['MARK']\n", "t_abcd", "a", 0, NULL},
    {"keyword any case", "[[rules]]\nid='r'\nregex='''t_[a-z]{4}'''\nkeywords=['MARK']\n", "mark t_abcd", "a", 1,
     "t_abcd"},
    {"$ is the end of the text", "[[rules]]\nid='r'\nregex='''t_[a-z]+$'''\n", "t_abc\n", "a", 0, NULL},
    {"$ at the very end", "[[rules]]\nid='r'\nregex='''t_[a-z]+$'''\n", "x\nt_abc", "a", 1, "t_abc"},
    {"(?m)$ at a line end", "[[rules]]\nid='r'\nregex='''(?m)t_[a-z]+$'''\n", "t_abc\nx", "a", 1, "t_abc"},
    {"octal escape", "[[rules]]\nid='r'\nregex='''\\101bc'''\n", "xAbc", "a", 1, "Abc"},
    {"\\v is a vertical tab", "[[rules]]\nid='r'\nregex='''a\\vb'''\n", "a\nb a\x0b" "b", "a", 1, "a\x0b" "b"},
    {"{,n} is literal", "[[rules]]\nid='r'\nregex=\"a{,2}\"\n", "aa a{,2}", "a", 1, "a{,2}"},
    /* The prefilter reads bytes and PCRE2 characters: non-ASCII text must not hide matches. */
    {"non-ASCII under .", "[[rules]]\nid='r'\nregex='''tok=(.{4});'''\n", "x\ntok=\xc3\xa9" "abc;", "a", 1,
     "\xc3\xa9" "abc"},
    {"non-ASCII in a negated class", "[[rules]]\nid='r'\nregex='''k=([^;]{3});'''\n", "k=\xc3\xa4" "b1;", "a", 1,
     "\xc3\xa4" "b1"},
    {"non-ASCII under \\S", "[[rules]]\nid='r'\nregex='''k=(\\S{2}),'''\n", "k=\xe2\x82\xac" "1,", "a", 1,
     "\xe2\x82\xac" "1"},
    {"non-ASCII under \\W and \\D", "[[rules]]\nid='r'\nregex='''k=(\\W\\D\\d),'''\n", "k=\xe2\x82\xac\xc3\xa9" "1,", "a",
     1, "\xe2\x82\xac\xc3\xa9" "1"},
    {"\\S in a class and \\Q\\S\\E stay", "[[rules]]\nid='r'\nregex='''k=([\\S]+)\\Q\\S\\E'''\n", "k=\xc3\xa9x\\S", "a", 1,
     "\xc3\xa9x"},
    {"path-only rule", "[[rules]]\nid='p12'\npath='''(?i)\\.p12$'''\n", "binary", "keys/Store.P12", 1, NULL},
    {"path and regex", "[[rules]]\nid='r'\nregex='''pw=\\w+'''\npath='''\\.env$'''\n", "pw=abc", "x.txt", 0, NULL},
    {"path and regex match", "[[rules]]\nid='r'\nregex='''pw=\\w+'''\npath='''\\.env$'''\n", "pw=abc", "x.env", 1,
     "pw=abc"},
};

static void test_rule_semantics(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    hits_t h = scan_with(cases[i].config, cases[i].text, cases[i].path);
    if (h.n != cases[i].n) fail_msg("%s: %zu hits, want %zu", cases[i].what, h.n, cases[i].n);
    if (cases[i].secret && strcmp(h.secrets[0], cases[i].secret) != 0)
      fail_msg("%s: secret '%s', want '%s'", cases[i].what, h.secrets[0], cases[i].secret);
  }
}

static void test_load_errors_name_the_place(void **state) {
  (void)state;
  const char *cfg = "[[rules]]\nid = 'a'\nregex = '''(?<!x)y'''\n[[rules]]\nid = 'b'\nregex = '''[z'''\n";
  cf_content_rules_t *rs = NULL;
  assert_int_equal(CF_OK, cf_content_rules_new(NULL, CF_CONTENT_SECRET, &rs));
  cf_diags_t errs;
  cf_diags_init(&errs);
  assert_int_equal(CF_ERULE, cf__gitleaks_load_text(rs, "cfg.toml", cfg, strlen(cfg), &errs));
  assert_int_equal(1, errs.len);
  assert_string_equal("cfg.toml", errs.items[0].file);
  assert_int_equal(6, errs.items[0].line);
  assert_int_equal(9, errs.items[0].column);
  /* The rule before the broken one loaded (PCRE2 takes a lookbehind RE2 would refuse). */
  assert_int_equal(1, cf_content_rules_count(rs));
  cf_diags_cleanup(&errs);
  cf_content_rules_free(rs);
}

static void test_ignore_file_fingerprints(void **state) {
  (void)state;
  cf_rule_info_t rule;
  memset(&rule, 0, sizeof rule);
  rule.id = "tok";
  rule.analyzer = "secrets";
  rule.title = "t";
  cf_report_t rep;
  assert_int_equal(CF_OK, cf_report_init(&rep));
  static const struct {
    const char *file, *commit;
    uint32_t line;
    bool suppressed;
  } fs[] = {
      {"root/a.txt", NULL, 3, true},               /* relative to the scanned folder */
      {"root/a.txt", NULL, 4, false},              /* another line */
      {"root/b.txt", "abc123", 7, true},           /* commit form */
      {"root/b.txt", "def456", 7, true},           /* no commit in the entry: every commit */
      {"root/c.txt", "abc123", 1, false},
      {"root/d.txt", NULL, 2, true},               /* the path as reported */
      {"root/e.txt", "abc123", 5, true},           /* commit form only */
      {"root/e.txt", "def456", 5, false},          /* ... for that commit only */
  };
  for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
    cf_finding_t f;
    memset(&f, 0, sizeof f);
    f.rule = &rule;
    f.file = fs[i].file;
    f.commit = fs[i].commit;
    f.line = fs[i].line;
    snprintf(f.fingerprint, sizeof f.fingerprint, "%032zu", i);
    assert_int_equal(CF_OK, cf_findings_add(rep.findings, &f));
  }
  const char *ign = "# reviewed\n\na.txt:tok:3\nabc123:b.txt:tok:7\nb.txt:tok:7\r\n  root/d.txt:tok:2  \nc.txt:tok:9\nabc123:e.txt:tok:5\n";
  char *path = tu_write_temp(".gitleaksignore", ign, strlen(ign));
  cf_content_opts_t opts;
  memset(&opts, 0, sizeof opts);
  opts.gitleaks_ignore = path;
  const char *roots[] = {"root/"};
  assert_int_equal(CF_OK, cf__gitleaks_ignore_apply(NULL, &rep, 0, &opts, roots, 1));
  for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
    const cf_finding_t *f = cf_findings_at(rep.findings, i);
    if ((f->suppressed != CF_SUPPRESS_NONE) != fs[i].suppressed)
      fail_msg("finding %zu (%s:%u): suppressed %d", i, fs[i].file, fs[i].line, (int)f->suppressed);
  }
  /* A missing ignore file named explicitly is an error in the report, not a crash. */
  opts.gitleaks_ignore = "/nonexistent/.gitleaksignore";
  assert_int_equal(CF_OK, cf__gitleaks_ignore_apply(NULL, &rep, 0, &opts, roots, 1));
  assert_true(rep.errors.len >= 1);
  tu_unlink(path);
  cf_report_cleanup(&rep);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rule_semantics),
      cmocka_unit_test(test_load_errors_name_the_place),
      cmocka_unit_test(test_ignore_file_fingerprints),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
