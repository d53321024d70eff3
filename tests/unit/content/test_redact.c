/*
 * test_redact.c - cf_content_redact through the public API: how secrets and personal data are
 * masked (same bytes outside the values, same length, separators and the last four digits of
 * long numbers kept, the first four characters of long secrets kept), which files are copied,
 * and the output folders it refuses.
 *
 * The rules are written here (one secret rule, one personal-data rule) so that the expected
 * copies do not move with the shipped packs.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "testutil.h"

static const char *const RULES =
    "id: t-token\n"
    "analyzer: secrets\n"
    "title: test token\n"
    "severity: high\n"
    "regex: 'tok_[a-z0-9]{4,40}'\n"
    "remediation: rotate\n"
    "---\n"
    "id: t-number\n"
    "analyzer: dlp\n"
    "title: test number\n"
    "severity: medium\n"
    "regex: '\\b\\d{3}[- ]\\d{3}[- ]\\d{4}\\b|\\bP\\d{6}\\b'\n"
    "remediation: remove\n";

typedef struct fixture {
  cf_ctx_t *ctx;
  cf_content_rules_t *rs;
  cf_report_t report;
  char dir[64];
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->ctx = cf_ctx_new();
  assert_non_null(f->ctx);
  assert_int_equal(CF_OK, cf_content_rules_new(f->ctx, 0, &f->rs));
  cf_diags_t errs;
  cf_diags_init(&errs);
  assert_int_equal(CF_OK, cf_content_rules_load_text(f->rs, "t.yaml", RULES, strlen(RULES), &errs));
  assert_int_equal(CF_OK, cf_content_rules_compile(f->rs, &errs));
  cf_diags_cleanup(&errs);
  assert_int_equal(CF_OK, cf_report_init(&f->report));
  snprintf(f->dir, sizeof f->dir, "/tmp/cfredact-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  *state = f;
  return 0;
}

static void rm_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d))) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
      char p[512];
      snprintf(p, sizeof p, "%s/%s", path, de->d_name);
      rm_tree(p);
    }
    if (d) closedir(d);
    rmdir(path);
  } else {
    unlink(path);
  }
}

static int teardown(void **state) {
  fixture_t *f = *state;
  rm_tree(f->dir);
  cf_report_cleanup(&f->report);
  cf_content_rules_free(f->rs);
  cf_ctx_free(f->ctx);
  free(f);
  return 0;
}

static void put(const fixture_t *f, const char *rel, const char *data, size_t len) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", f->dir, rel);
  for (char *s = p + strlen(f->dir) + 1; *s; s++) {
    if (*s != '/') continue;
    *s = '\0';
    mkdir(p, 0755);
    *s = '/';
  }
  FILE *fp = fopen(p, "wb");
  assert_non_null(fp);
  assert_int_equal(len, fwrite(data, 1, len, fp));
  fclose(fp);
}

#define PUT(f, rel, lit) put((f), (rel), (lit), sizeof(lit) - 1)

/* The whole content of dir/rel (NUL-terminated), or NULL when it does not exist. */
static char *get(const fixture_t *f, const char *rel) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", f->dir, rel);
  FILE *fp = fopen(p, "rb");
  if (!fp) return NULL;
  static char buf[4096];
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  return buf;
}

static cf_err redact(fixture_t *f, const char *in_rel, const char *out_rel) {
  char in[512], out[512];
  snprintf(in, sizeof in, "%s/%s", f->dir, in_rel);
  snprintf(out, sizeof out, "%s/%s", f->dir, out_rel);
  const char *paths[1] = {in};
  cf_content_opts_t o;
  memset(&o, 0, sizeof o);
  return cf_content_redact(f->ctx, f->rs, paths, 1, out, &o, &f->report);
}

static void test_masks_values_in_place(void **state) {
  fixture_t *f = *state;
  const char *text = "id,phone,token\n"
                     "1,555-123-4567,tok_abcdefghijklmnop\n" /* 20-byte secret: first four kept */
                     "2,555 987 6543,tok_abcd\n"             /* 8-byte secret: masked whole */
                     "passport P123456 (six digits: none kept)\n";
  put(f, "in/a.csv", text, strlen(text));
  assert_int_equal(CF_OK, redact(f, "in", "out"));
  const char *want = "id,phone,token\n"
                     "1,***-***-4567,tok_****************\n"
                     "2,*** *** 6543,********\n"
                     "passport ******* (six digits: none kept)\n";
  assert_string_equal(want, get(f, "out/a.csv"));
  assert_int_equal(0, f->report.errors.len);
}

static void test_copies_text_files_only(void **state) {
  fixture_t *f = *state;
  PUT(f, "in/sub/deeper/b.txt", "call 555-123-4567\n");
  PUT(f, "in/plain.txt", "");
  PUT(f, "in/bin.dat", "555-123-4567\0\1\2");
  PUT(f, "in/c.gz", "\x1f\x8b\x08\x00 555-123-4567");
  PUT(f, "in/.git/config", "555-123-4567\n");
  char target[512], link[512];
  snprintf(target, sizeof target, "%s/in/plain.txt", f->dir);
  snprintf(link, sizeof link, "%s/in/link.txt", f->dir);
  assert_int_equal(0, symlink(target, link));
  snprintf(link, sizeof link, "%s/in/outside", f->dir);
  assert_int_equal(0, symlink("/etc/hostname", link));
  assert_int_equal(CF_OK, redact(f, "in", "out"));
  assert_string_equal("call ***-***-4567\n", get(f, "out/sub/deeper/b.txt"));
  assert_string_equal("", get(f, "out/plain.txt"));
  assert_string_equal("", get(f, "out/link.txt")); /* a link inside the root is copied */
  assert_null(get(f, "out/outside"));             /* one out of it is not followed */
  assert_null(get(f, "out/bin.dat"));
  assert_null(get(f, "out/c.gz"));
  assert_null(get(f, "out/.git/config"));
  size_t not_copied = 0;
  for (size_t i = 0; i < f->report.errors.len; i++)
    if (f->report.errors.items[i].message && strstr(f->report.errors.items[i].message, "not copied")) not_copied++;
  assert_int_equal(2, not_copied);
}

static void test_file_input_goes_under_its_base_name(void **state) {
  fixture_t *f = *state;
  PUT(f, "in/x/y.txt", "P654321\n");
  assert_int_equal(CF_OK, redact(f, "in/x/y.txt", "new/a/b"));
  assert_string_equal("*******\n", get(f, "new/a/b/y.txt"));
}

static void test_refuses_output_in_or_around_an_input(void **state) {
  fixture_t *f = *state;
  PUT(f, "in/a.txt", "555-123-4567\n");
  PUT(f, "full/keep.txt", "keep\n");
  static const char *const outs[] = {"in", "in/", "in/red", "in/./red/../x", "in/sub/../../in/y", ".", "full"};
  for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
    size_t before = f->report.errors.len;
    assert_int_equal(CF_EINVAL, redact(f, "in", outs[i]));
    assert_true(f->report.errors.len > before);
  }
  /* Nothing was created or changed. */
  assert_null(get(f, "in/red"));
  assert_null(get(f, "in/x"));
  assert_null(get(f, "in/y"));
  assert_string_equal("555-123-4567\n", get(f, "in/a.txt"));
  assert_string_equal("keep\n", get(f, "full/keep.txt"));
  char p[512];
  snprintf(p, sizeof p, "%s/in", f->dir);
  DIR *d = opendir(p);
  assert_non_null(d);
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d))) n += de->d_name[0] != '.';
  closedir(d);
  assert_int_equal(1, n);
  /* A file where the folder should be. */
  assert_int_equal(CF_EINVAL, redact(f, "in", "full/keep.txt"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_masks_values_in_place, setup, teardown),
      cmocka_unit_test_setup_teardown(test_copies_text_files_only, setup, teardown),
      cmocka_unit_test_setup_teardown(test_file_input_goes_under_its_base_name, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refuses_output_in_or_around_an_input, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
