/*
 * test_gitignore.c - .gitignore matching as gitignore(5) describes it: one table of
 * (patterns, path, is it a folder, excluded?) cases, then precedence between nested files,
 * hostile patterns that must stay fast, and the walk that lists what a scan reads. The
 * end-to-end test (tests/cli/test_content_sources.py) checks a whole tree against git itself.
 */
#include <sys/stat.h>
#include <time.h>

#include "testutil.h"

#include "content/content_scan.h"

static const struct {
  const char *patterns;
  const char *path;
  bool is_dir;
  bool ignored;
} cases[] = {
    /* plain names match at any depth */
    {"*.log\n", "x.log", false, true},
    {"*.log\n", "a/b/x.log", false, true},
    {"*.log\n", "x.log.txt", false, false},
    {"secret\n", "a/secret", false, true},
    {"secret\n", "a/secret", true, true},
    {"secret\n", "a/secrets", false, false},
    /* comments, blank lines, escapes */
    {"# comment\n\n", "# comment", false, false},
    {"\\#hash\n", "#hash", false, true},
    {"\\!bang\n", "!bang", false, true},
    {"!bang\n", "bang", false, false},
    /* trailing spaces are dropped unless escaped; a CR before the newline too */
    {"name   \n", "name", false, true},
    {"name\\ \n", "name ", false, true},
    {"name\\ \n", "name", false, false},
    {"crlf\r\n", "crlf", false, true},
    /* folder-only patterns */
    {"build/\n", "build", true, true},
    {"build/\n", "build", false, false},
    {"build/\n", "src/build", true, true},
    /* anchoring: a slash at the start or in the middle */
    {"/top\n", "top", false, true},
    {"/top\n", "a/top", false, false},
    {"doc/frotz\n", "doc/frotz", false, true},
    {"doc/frotz\n", "a/doc/frotz", false, false},
    {"doc/*.txt\n", "doc/a.txt", false, true},
    {"doc/*.txt\n", "doc/sub/a.txt", false, false},
    /* ** segments */
    {"**/foo\n", "foo", false, true},
    {"**/foo\n", "a/b/foo", false, true},
    {"**/foo/bar\n", "x/foo/bar", false, true},
    {"abc/**\n", "abc/x", false, true},
    {"abc/**\n", "abc/x/y", false, true},
    {"abc/**\n", "abc", true, false},
    {"a/**/b\n", "a/b", false, true},
    {"a/**/b\n", "a/x/b", false, true},
    {"a/**/b\n", "a/x/y/b", false, true},
    {"a/**/b\n", "a/x/y/c", false, false},
    {"a**b\n", "axxb", false, true},
    {"a**b\n", "ax/xb", false, false},
    /* wildcards and classes never cross a slash */
    {"a/*/c\n", "a/b/c", false, true},
    {"a/*/c\n", "a/b/x/c", false, false},
    {"a?c\n", "abc", false, true},
    {"file[0-9].txt\n", "file7.txt", false, true},
    {"file[0-9].txt\n", "filex.txt", false, false},
    {"file[!0-9].txt\n", "filex.txt", false, true},
    {"[[:upper:]]*.md\n", "README.md", false, true},
    {"[[:upper:]]*.md\n", "notes.md", false, false},
    /* the last matching pattern decides */
    {"*.log\n!keep.log\n", "keep.log", false, false},
    {"*.log\n!keep.log\n", "other.log", false, true},
    {"!keep.log\n*.log\n", "keep.log", false, true},
};

static void test_gitignore_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cf_ignore_t *ig = NULL;
    assert_int_equal(CF_OK, cf__ignore_new(&ig));
    assert_int_equal(CF_OK, cf__ignore_push_text(ig, "", cases[i].patterns, strlen(cases[i].patterns)));
    bool got = cf__ignore_match(ig, cases[i].path, cases[i].is_dir);
    if (got != cases[i].ignored)
      fail_msg("case %zu: patterns %s path '%s'%s: expected %s", i, cases[i].patterns, cases[i].path,
               cases[i].is_dir ? " (folder)" : "", cases[i].ignored ? "ignored" : "kept");
    cf__ignore_free(ig);
  }
}

static void test_nested_files_take_precedence(void **state) {
  (void)state;
  cf_ignore_t *ig = NULL;
  assert_int_equal(CF_OK, cf__ignore_new(&ig));
  const char *root = "*.env\n/only-root\n";
  const char *sub = "!local.env\nonly-root\n";
  assert_int_equal(CF_OK, cf__ignore_push_text(ig, "", root, strlen(root)));
  size_t mark = cf__ignore_mark(ig);
  assert_int_equal(CF_OK, cf__ignore_push_text(ig, "app", sub, strlen(sub)));
  assert_false(cf__ignore_match(ig, "app/local.env", false)); /* re-included below app */
  assert_true(cf__ignore_match(ig, "app/prod.env", false));
  assert_true(cf__ignore_match(ig, "app/only-root", false));  /* unanchored in app/.gitignore */
  assert_true(cf__ignore_match(ig, "local.env", false));      /* app's list does not apply here */
  assert_false(cf__ignore_match(ig, "appx/local2", false));
  assert_true(cf__ignore_match(ig, "only-root", false));
  cf__ignore_pop(ig, mark);
  assert_true(cf__ignore_match(ig, "app/local.env", false));
  /* An anchored pattern in a sub-folder's file is relative to that folder. */
  const char *sub2 = "/x.txt\n";
  assert_int_equal(CF_OK, cf__ignore_push_text(ig, "a/b", sub2, strlen(sub2)));
  assert_true(cf__ignore_match(ig, "a/b/x.txt", false));
  assert_false(cf__ignore_match(ig, "a/b/c/x.txt", false));
  assert_false(cf__ignore_match(ig, "x.txt", false));
  cf__ignore_free(ig);
}

static void test_hostile_patterns_stay_fast(void **state) {
  (void)state;
  cf_ignore_t *ig = NULL;
  assert_int_equal(CF_OK, cf__ignore_new(&ig));
  /* Too many stars: not used at all. Many "**" segments: not used either. */
  const char *pats = "*a*a*a*a*a*a*a*a*a*b\n**/**/**/**/**/**/**/**/z\n*a*a*a*b\n";
  assert_int_equal(CF_OK, cf__ignore_push_text(ig, "", pats, strlen(pats)));
  char name[256];
  memset(name, 'a', sizeof name - 1);
  name[sizeof name - 1] = '\0';
  char deep[1024] = "";
  for (int i = 0; i < 60; i++) strcat(deep, "d/");
  strcat(deep, "y");
  clock_t t0 = clock();
  for (int i = 0; i < 20; i++) {
    assert_false(cf__ignore_match(ig, name, false));
    assert_false(cf__ignore_match(ig, deep, false));
  }
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
  if (secs > 2.0) fail_msg("matching took %.1f s", secs);
  /* The cheap pattern is still in force. */
  assert_true(cf__ignore_match(ig, "xaaab", false));
  cf__ignore_free(ig);
}

static void test_ignore_file_missing_or_present(void **state) {
  (void)state;
  cf_ignore_t *ig = NULL;
  assert_int_equal(CF_OK, cf__ignore_new(&ig));
  assert_int_equal(CF_OK, cf__ignore_push_file(ig, "", "/nonexistent/.gitignore", NULL));
  assert_false(cf__ignore_match(ig, "a", false));
  char *p = tu_write_temp(".gitignore", "\xef\xbb\xbf" "bom.txt\n", 12);
  assert_int_equal(CF_OK, cf__ignore_push_file(ig, "", p, NULL));
  assert_true(cf__ignore_match(ig, "bom.txt", false)); /* the byte order mark is not part of it */
  tu_unlink(p);
  cf__ignore_free(ig);
}

/* ---- the walk other modules use (redaction) ---- */

typedef struct listed {
  char names[16][64];
  size_t n;
} listed_t;

static cf_err collect(void *ud, const char *path) {
  listed_t *l = ud;
  const char *tail = strstr(path, "/walk/");
  assert_non_null(tail);
  assert_true(l->n < 16);
  snprintf(l->names[l->n++], sizeof l->names[0], "%s", tail + 6);
  return CF_OK;
}

static void put(const char *root, const char *rel, const char *text) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", root, rel);
  for (char *s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
    *s = '\0';
    mkdir(p, 0755);
    *s = '/';
  }
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_walk_lists_what_a_scan_reads(void **state) {
  (void)state;
  char tmpl[] = "/tmp/cftest-walk-XXXXXX";
  assert_non_null(mkdtemp(tmpl));
  char root[600];
  snprintf(root, sizeof root, "%s/walk", tmpl);
  assert_int_equal(0, mkdir(root, 0755));
  put(root, ".gitignore", "*.tmp\nbuild/\n");
  put(root, "a.txt", "a");
  put(root, "b.tmp", "b");
  put(root, "build/c.txt", "c");
  put(root, "src/d.txt", "d");
  put(root, "src/.gitignore", "!keep.tmp\n");
  put(root, "src/keep.tmp", "e");
  put(root, ".git/config", "f");
  const char *paths[] = {root};
  cf_diags_t errs;
  cf_diags_init(&errs);
  listed_t l;
  memset(&l, 0, sizeof l);
  assert_int_equal(CF_OK, cf__content_walk(NULL, paths, 1, NULL, &errs, collect, &l));
  const char *want[] = {".gitignore", "a.txt", "src/.gitignore", "src/d.txt", "src/keep.tmp"};
  assert_int_equal(5, l.n);
  for (size_t i = 0; i < 5; i++) assert_string_equal(want[i], l.names[i]);
  /* With no_ignore everything but .git is listed. */
  cf_content_opts_t o;
  memset(&o, 0, sizeof o);
  o.no_ignore = true;
  memset(&l, 0, sizeof l);
  assert_int_equal(CF_OK, cf__content_walk(NULL, paths, 1, &o, &errs, collect, &l));
  assert_int_equal(7, l.n);
  assert_int_equal(0, errs.len);
  cf_diags_cleanup(&errs);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
  assert_int_equal(0, system(cmd));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gitignore_table),
      cmocka_unit_test(test_nested_files_take_precedence),
      cmocka_unit_test(test_hostile_patterns_stay_fast),
      cmocka_unit_test(test_ignore_file_missing_or_present),
      cmocka_unit_test(test_walk_lists_what_a_scan_reads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
