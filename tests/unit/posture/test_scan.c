/*
 * test_scan.c - the posture scan end to end on small CloudFormation inputs: the directory
 * walker (.git skipped, links followed only inside the root, no loops), inline and Metadata
 * suppressions, baselines, the unknown modes, incomplete resources, and input errors that
 * are reported without stopping the scan.
 *
 * Every scan here uses one test rule, so that what fires is exactly what the case says:
 *   CF-T-001 fires on a bucket whose canned ACL is public-read (witness: AccessControl);
 *   CF-T-002 fires on a bucket whose versioning is not Enabled.
 * Directory trees are made under a fresh temporary folder and removed afterwards.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "testutil.h"

#include "core/core.h"

static const char test_rules[] =
    "id: CF-T-001\ntitle: Public bucket\nseverity: high\nthreats: [8]\nresource: aws.s3.bucket\n"
    "remediation: Make it private.\ncondition: {path: acl.canned, iin: [public-read]}\n"
    "---\n"
    "id: CF-T-002\ntitle: Unversioned bucket\nseverity: low\nthreats: [3]\nresource: aws.s3.bucket\n"
    "remediation: Turn on versioning.\ncondition: {not: {path: versioning.status, iequals: Enabled}}\n";

#define PUBLIC_BUCKET                                                                              \
  "Resources:\n"                                                                                   \
  "  Site:\n"                                                                                      \
  "    Type: AWS::S3::Bucket\n"                                                                    \
  "    Properties:\n"                                                                              \
  "      AccessControl: PublicRead\n"                                                              \
  "      VersioningConfiguration: {Status: Enabled}\n"

typedef struct scan {
  cf_ctx_t *ctx;
  cf_ruleset_t *rs;
  cf_report_t report;
  cf_err err;
} scan_t;

static void scan_setup(scan_t *s) {
  memset(s, 0, sizeof *s);
  s->ctx = cf_ctx_new();
  assert_non_null(s->ctx);
  cf_ctx_set_now(s->ctx, 1748736000);
  assert_int_equal(CF_OK, cf_ruleset_new(s->ctx, &s->rs));
  assert_int_equal(CF_OK, cf_ruleset_load_text(s->rs, "test-rules.yaml", test_rules, strlen(test_rules), NULL));
  assert_int_equal(CF_OK, cf_report_init(&s->report));
}

static void scan_paths(scan_t *s, const char *const *paths, size_t n, const cf_posture_opts_t *opts) {
  scan_setup(s);
  s->err = cf_posture_scan(s->ctx, s->rs, paths, n, opts, &s->report);
}

static void scan_one(scan_t *s, const char *path, const cf_posture_opts_t *opts) {
  scan_paths(s, &path, 1, opts);
  assert_int_equal(CF_OK, s->err);
}

static void scan_text(scan_t *s, const char *name, const char *text, const cf_posture_opts_t *opts) {
  scan_setup(s);
  s->err = cf_posture_scan_buffer(s->ctx, s->rs, name, text, strlen(text), opts, &s->report);
  assert_int_equal(CF_OK, s->err);
}

static void scan_free(scan_t *s) {
  cf_report_cleanup(&s->report);
  cf_ruleset_free(s->rs);
  cf_ctx_free(s->ctx);
}

/* Findings of a rule: all of them, and how many are suppressed. */
static size_t count_all(const scan_t *s, const char *id) {
  size_t n = 0;
  for (size_t i = 0; i < cf_findings_count(s->report.findings); i++)
    if (strcmp(cf_findings_at(s->report.findings, i)->rule->id, id) == 0) n++;
  return n;
}

#define assert_fires(s, id, n) assert_int_equal((n), tu_count(&(s)->report, (id)))
#define assert_suppressed(s, id, n) assert_int_equal((n), count_all((s), (id)) - tu_count(&(s)->report, (id)))

/* ---- temporary trees ---- */

static char root[64];

static void tree_make(void) {
  snprintf(root, sizeof root, "/tmp/cfscan-XXXXXX");
  assert_non_null(mkdtemp(root));
}

static void tree_file(const char *rel, const char *text) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", root, rel);
  /* make the folders on the way */
  for (char *q = p + strlen(root) + 1; *q; q++)
    if (*q == '/') {
      *q = '\0';
      mkdir(p, 0755);
      *q = '/';
    }
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void tree_link(const char *rel, const char *target) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", root, rel);
  assert_int_equal(0, symlink(target, p));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(p);
}

static void tree_remove(const char *dir) { nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

static const cf_diag_t *error_for(const scan_t *s, const char *suffix);

/* ---- the walker ---- */

static void test_walker_skips_git_folders(void **state) {
  (void)state;
  tree_make();
  tree_file("t.yaml", PUBLIC_BUCKET);
  tree_file(".git/objects/t.yaml", PUBLIC_BUCKET);
  tree_file("sub/.git/t.yaml", PUBLIC_BUCKET);
  scan_t s;
  scan_one(&s, root, NULL);
  assert_int_equal(1, s.report.files);
  assert_fires(&s, "CF-T-001", 1);
  scan_free(&s);
  tree_remove(root);
}

static void test_walker_follows_links_inside_the_root(void **state) {
  (void)state;
  tree_make();
  /* The template's own name is not one the walker picks up; only the link's is. */
  tree_file("data/site.txt", PUBLIC_BUCKET);
  tree_link("site.yaml", "data/site.txt");
  tree_file("real/t.template", PUBLIC_BUCKET);
  tree_link("alias", "real"); /* a folder link inside the root: its files are scanned once */
  scan_t s;
  scan_one(&s, root, NULL);
  assert_int_equal(2, s.report.files);
  assert_fires(&s, "CF-T-001", 2);
  assert_int_equal(0, s.report.errors.len);
  scan_free(&s);
  tree_remove(root);
}

static void test_walker_does_not_follow_links_out_of_the_root(void **state) {
  (void)state;
  char outside[64];
  snprintf(outside, sizeof outside, "/tmp/cfout-XXXXXX");
  assert_non_null(mkdtemp(outside));
  char target[128];
  snprintf(target, sizeof target, "%s/t.yaml", outside);
  FILE *f = fopen(target, "w");
  fputs(PUBLIC_BUCKET, f);
  fclose(f);
  tree_make();
  tree_link("escape.yaml", target);
  tree_link("escape-dir", outside);
  tree_link("up", "..");
  tree_file("inside.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n");
  scan_t s;
  scan_one(&s, root, NULL);
  assert_fires(&s, "CF-T-001", 0);
  assert_int_equal(1, s.report.files);
  scan_free(&s);
  tree_remove(root);
  tree_remove(outside);
}

static void test_walker_survives_link_cycles(void **state) {
  (void)state;
  tree_make();
  tree_file("a/t.yaml", PUBLIC_BUCKET);
  tree_link("a/loop", "..");    /* back to the root */
  tree_link("a/self", "self");  /* a link to itself */
  tree_link("b", "c");          /* b -> c -> b */
  tree_link("c", "b");
  tree_link("a/here", ".");
  clock_t t0 = clock();
  scan_t s;
  scan_one(&s, root, NULL);
  assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
  assert_int_equal(1, s.report.files);
  assert_fires(&s, "CF-T-001", 1);
  /* Links that loop on themselves are reported by name; links back to a folder already
   * walked are simply not entered again. */
  assert_int_equal(3, s.report.errors.len);
  static const char *const loops[] = {"/a/self", "/b", "/c"};
  for (size_t i = 0; i < CF_ARRAY_LEN(loops); i++) {
    const cf_diag_t *d = error_for(&s, loops[i]);
    if (!d) fail_msg("no error for the link loop %s", loops[i]);
    assert_non_null(strstr(d->message, "symbolic link loop"));
  }
  scan_free(&s);
  tree_remove(root);
}

static void test_walker_depth_limit(void **state) {
  (void)state;
  tree_make();
  tree_file("1/2/3/4/5/t.yaml", PUBLIC_BUCKET);
  scan_t s;
  scan_setup(&s);
  cf_limits_t lim = *cf_ctx_limits(s.ctx);
  lim.max_walk_depth = 3;
  cf_ctx_set_limits(s.ctx, &lim);
  const char *p = root;
  assert_int_equal(CF_OK, cf_posture_scan(s.ctx, s.rs, &p, 1, NULL, &s.report));
  assert_int_equal(0, s.report.files);
  assert_int_equal(1, s.report.errors.len);
  assert_int_equal(CF_ELIMIT, s.report.errors.items[0].code);
  scan_free(&s);
  tree_remove(root);
}

/* ---- errors do not stop the scan ---- */

static const cf_diag_t *error_for(const scan_t *s, const char *suffix) {
  for (size_t i = 0; i < s->report.errors.len; i++)
    if (s->report.errors.items[i].file && cf__str_ends(s->report.errors.items[i].file, suffix))
      return &s->report.errors.items[i];
  return NULL;
}

static void test_bad_files_are_reported_and_the_rest_scanned(void **state) {
  (void)state;
  tree_make();
  tree_file("a-good.yaml", PUBLIC_BUCKET);
  tree_file("b-bad.yaml", "Resources:\n  X: [1, 2\n  Y: 3\n");
  tree_file("c-truncated.json", "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"");
  tree_file("d-utf8.yaml", "Resources:\n  B:\n    Type: \"\xff\"\n");
  tree_file("e-good.json", "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"AccessControl\": \"PublicRead\"}}}}");
  tree_file("f-unrelated.json", "{\"hello\": \"world\"}");
  scan_t s;
  scan_one(&s, root, NULL);
  assert_fires(&s, "CF-T-001", 2);
  /* Files that failed to parse are errors, not scanned files; an unrecognised JSON file found
   * by the walker is neither. */
  assert_int_equal(2, s.report.files);
  assert_int_equal(3, s.report.errors.len);
  const cf_diag_t *d = error_for(&s, "b-bad.yaml");
  assert_non_null(d);
  assert_int_equal(CF_EPARSE, d->code);
  assert_int_equal(3, d->line);
  d = error_for(&s, "c-truncated.json");
  assert_non_null(d);
  assert_int_equal(CF_EPARSE, d->code);
  assert_int_equal(1, d->line);
  d = error_for(&s, "d-utf8.yaml");
  assert_non_null(d);
  assert_int_equal(3, d->line);
  assert_int_equal(12, d->column);
  scan_free(&s);
  tree_remove(root);
}

static void test_an_input_that_fails_to_parse_is_not_scanned(void **state) {
  (void)state;
  scan_t s;
  scan_text(&s, "bad.yaml", "a: [1\n", NULL);
  assert_int_equal(0, s.report.files);
  assert_int_equal(1, s.report.errors.len);
  scan_free(&s);
  scan_text(&s, "empty.yaml", "", NULL);
  assert_int_equal(0, s.report.files);
  assert_int_equal(CF_EUNSUPPORTED, s.report.errors.items[0].code);
  assert_string_equal("empty input: nothing to scan", s.report.errors.items[0].message);
  scan_free(&s);
  scan_text(&s, "comments.yaml", "# nothing but a comment\n", NULL);
  assert_int_equal(0, s.report.files);
  assert_string_equal("empty input: nothing to scan", s.report.errors.items[0].message);
  scan_free(&s);
  scan_text(&s, "other.json", "{\"hello\": \"world\"}", NULL);
  assert_int_equal(0, s.report.files);
  assert_non_null(strstr(s.report.errors.items[0].message, "not a recognised input"));
  scan_free(&s);
}

static void test_missing_path_is_an_error(void **state) {
  (void)state;
  const char *paths[] = {"/nonexistent/cloudfort/t.yaml"};
  scan_t s;
  scan_paths(&s, paths, 1, NULL);
  assert_int_equal(CF_OK, s.err);
  assert_int_equal(1, s.report.errors.len);
  assert_int_equal(CF_ENOTFOUND, s.report.errors.items[0].code);
  scan_free(&s);
}

/* ---- findings ---- */

static void test_finding_points_at_the_deciding_value(void **state) {
  (void)state;
  scan_t s;
  scan_text(&s, "site.yaml", PUBLIC_BUCKET, NULL);
  assert_fires(&s, "CF-T-001", 1);
  const cf_finding_t *f = tu_first(&s.report, "CF-T-001");
  assert_string_equal("site.yaml", f->file);
  assert_int_equal(5, f->line);
  assert_int_equal(22, f->column);
  assert_string_equal("Site", f->resource);
  assert_string_equal("aws.s3.bucket", f->resource_type);
  assert_string_equal("acl.canned = public-read", f->evidence);
  assert_int_equal(1, s.report.resources);
  scan_free(&s);
}

static void test_fingerprints_are_stable_across_scans(void **state) {
  (void)state;
  scan_t a, b, c;
  scan_text(&a, "t/site.yaml", PUBLIC_BUCKET, NULL);
  scan_text(&b, "./t/site.yaml", PUBLIC_BUCKET, NULL);
  /* Moved down two lines: same finding. */
  scan_text(&c, "t/site.yaml", "# moved\n\n" PUBLIC_BUCKET, NULL);
  const char *fa = tu_first(&a.report, "CF-T-001")->fingerprint;
  assert_string_equal(fa, tu_first(&b.report, "CF-T-001")->fingerprint);
  assert_string_equal(fa, tu_first(&c.report, "CF-T-001")->fingerprint);
  assert_int_equal(7, tu_first(&c.report, "CF-T-001")->line);
  scan_free(&a);
  scan_free(&b);
  scan_free(&c);
}

/* ---- suppression ---- */

static const struct {
  const char *label;
  const char *text;
  size_t suppressed_001; /* of the two buckets' CF-T-001 findings */
} inline_cases[] = {
    {"comment on the line before the resource",
     "Resources:\n"
     "  # cloudfort:ignore CF-T-001 public website\n"
     "  Site:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n"
     "  Other:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n",
     1},
    {"comment inside the resource",
     "Resources:\n"
     "  Site:\n"
     "    # cloudfort:ignore CF-T-001 public website\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n"
     "  Other:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n",
     1},
    {"comment on the finding's line",
     "Resources:\n"
     "  Site:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties:\n"
     "      AccessControl: PublicRead  # cloudfort:ignore CF-T-001 public website\n"
     "  Other:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n",
     1},
    {"several ids and lower case",
     "Resources:\n"
     "  # cloudfort:ignore cf-t-002,cf-t-001\n"
     "  Site:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n"
     "  Other:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n",
     1},
    {"every rule with *",
     "Resources:\n"
     "  Site:\n"
     "    Type: AWS::S3::Bucket  # cloudfort:ignore * legacy\n"
     "    Properties: {AccessControl: PublicRead}\n"
     "  Other:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n",
     1},
    {"another rule's id does not suppress",
     "Resources:\n"
     "  # cloudfort:ignore CF-T-002\n"
     "  Site:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n"
     "  Other:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n",
     0},
    {"not in a comment",
     "Description: cloudfort:ignore CF-T-001 is how to silence a rule\n"
     "Resources:\n"
     "  Site:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n"
     "  Other:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n",
     0},
    {"without a rule id",
     "Resources:\n"
     "  # cloudfort:ignore\n"
     "  Site:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n"
     "  Other:\n"
     "    Type: AWS::S3::Bucket\n"
     "    Properties: {AccessControl: PublicRead}\n",
     0},
};

static void test_inline_suppression(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(inline_cases); i++) {
    scan_t s;
    scan_text(&s, "t.yaml", inline_cases[i].text, NULL);
    size_t all = count_all(&s, "CF-T-001");
    size_t open = tu_count(&s.report, "CF-T-001");
    if (all != 2 || all - open != inline_cases[i].suppressed_001)
      fail_msg("%s: %zu findings, %zu suppressed; expected 2 and %zu", inline_cases[i].label, all, all - open,
               inline_cases[i].suppressed_001);
    /* The suppressed one is Site's, with the comment's reason. */
    for (size_t k = 0; k < cf_findings_count(s.report.findings); k++) {
      const cf_finding_t *f = cf_findings_at(s.report.findings, k);
      if (f->suppressed) {
        assert_int_equal(CF_SUPPRESS_INLINE, f->suppressed);
        assert_string_equal("Site", f->resource);
      }
    }
    scan_free(&s);
  }
}

static void test_inline_suppression_reason_and_opt_out(void **state) {
  (void)state;
  const char *text = inline_cases[0].text;
  scan_t s;
  scan_text(&s, "t.yaml", text, NULL);
  for (size_t k = 0; k < cf_findings_count(s.report.findings); k++) {
    const cf_finding_t *f = cf_findings_at(s.report.findings, k);
    if (f->suppressed) assert_string_equal("public website", f->suppress_reason);
  }
  scan_free(&s);
  cf_posture_opts_t opts;
  memset(&opts, 0, sizeof opts);
  opts.no_inline_suppress = true;
  scan_text(&s, "t.yaml", text, &opts);
  assert_suppressed(&s, "CF-T-001", 0);
  assert_fires(&s, "CF-T-001", 2);
  scan_free(&s);
}

static void test_metadata_suppression(void **state) {
  (void)state;
  static const char *const texts[] = {
      "Resources:\n"
      "  Site:\n"
      "    Type: AWS::S3::Bucket\n"
      "    Metadata:\n"
      "      cloudfort:\n"
      "        ignore:\n"
      "          - {id: CF-T-001, reason: static website}\n"
      "    Properties: {AccessControl: PublicRead}\n",
      "Resources:\n"
      "  Site:\n"
      "    Type: AWS::S3::Bucket\n"
      "    Metadata: {'cloudfort:ignore': [{id: CF-T-001, reason: static website}]}\n"
      "    Properties: {AccessControl: PublicRead}\n",
      "{\"Resources\": {\"Site\": {\"Type\": \"AWS::S3::Bucket\",\n"
      "  \"Metadata\": {\"cloudfort\": {\"ignore\": [{\"id\": \"CF-T-001\", \"reason\": \"static website\"}]}},\n"
      "  \"Properties\": {\"AccessControl\": \"PublicRead\"}}}}\n",
  };
  for (size_t i = 0; i < CF_ARRAY_LEN(texts); i++) {
    scan_t s;
    scan_text(&s, i == 2 ? "t.json" : "t.yaml", texts[i], NULL);
    assert_int_equal(1, count_all(&s, "CF-T-001"));
    const cf_finding_t *f = tu_first(&s.report, "CF-T-001");
    if (f->suppressed != CF_SUPPRESS_METADATA) fail_msg("form %zu: not suppressed by Metadata", i);
    assert_string_equal("static website", f->suppress_reason);
    assert_fires(&s, "CF-T-002", 1); /* other rules still fire */
    scan_free(&s);
    cf_posture_opts_t opts;
    memset(&opts, 0, sizeof opts);
    opts.no_inline_suppress = true;
    scan_text(&s, "t.yaml", texts[i], &opts);
    assert_fires(&s, "CF-T-001", 1);
    scan_free(&s);
  }
}

/* ---- baselines ---- */

static void test_baseline_round_trip(void **state) {
  (void)state;
  const char *before = PUBLIC_BUCKET;
  const char *after = PUBLIC_BUCKET
      "  New:\n"
      "    Type: AWS::S3::Bucket\n"
      "    Properties: {AccessControl: PublicRead}\n";
  scan_t s;
  scan_text(&s, "t.yaml", before, NULL);
  assert_fires(&s, "CF-T-001", 1);
  char path[] = "/tmp/cfbaseline-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_int_equal(CF_OK, cf_baseline_write(f, &s.report));
  fclose(f);
  scan_free(&s);

  cf_posture_opts_t opts;
  memset(&opts, 0, sizeof opts);
  opts.baseline = path;
  scan_text(&s, "t.yaml", after, &opts);
  assert_int_equal(2, count_all(&s, "CF-T-001"));
  assert_fires(&s, "CF-T-001", 1); /* only the new bucket remains */
  const cf_finding_t *open = NULL;
  for (size_t i = 0; i < cf_findings_count(s.report.findings); i++) {
    const cf_finding_t *x = cf_findings_at(s.report.findings, i);
    if (strcmp(x->rule->id, "CF-T-001") != 0) continue;
    if (x->suppressed) assert_int_equal(CF_SUPPRESS_BASELINE, x->suppressed);
    else open = x;
  }
  assert_non_null(open);
  assert_string_equal("New", open->resource);
  scan_free(&s);
  unlink(path);
}

static void test_bad_baseline_stops_the_scan(void **state) {
  (void)state;
  char path[] = "/tmp/cfbaseline-XXXXXX";
  int fd = mkstemp(path);
  assert_int_equal(9, write(fd, "{\"x\": 1}\n", 9));
  close(fd);
  cf_posture_opts_t opts;
  memset(&opts, 0, sizeof opts);
  opts.baseline = path;
  scan_t s;
  scan_setup(&s);
  cf_err e = cf_posture_scan_buffer(s.ctx, s.rs, "t.yaml", PUBLIC_BUCKET, strlen(PUBLIC_BUCKET), &opts, &s.report);
  assert_int_not_equal(CF_OK, e);
  assert_non_null(error_for(&s, path + 5));
  scan_free(&s);
  unlink(path);
  opts.baseline = "/nonexistent/baseline.json";
  scan_setup(&s);
  assert_int_not_equal(CF_OK, cf_posture_scan_buffer(s.ctx, s.rs, "t.yaml", PUBLIC_BUCKET, strlen(PUBLIC_BUCKET), &opts, &s.report));
  scan_free(&s);
}

/* ---- unknown values ---- */

#define UNKNOWN_ACL                                                                                \
  "Parameters:\n"                                                                                  \
  "  Acl: {Type: String}\n"                                                                        \
  "Resources:\n"                                                                                   \
  "  Site:\n"                                                                                      \
  "    Type: AWS::S3::Bucket\n"                                                                    \
  "    Properties:\n"                                                                              \
  "      AccessControl: !Ref Acl\n"                                                                \
  "      VersioningConfiguration: {Status: Enabled}\n"

static void test_unknown_modes(void **state) {
  (void)state;
  static const struct {
    cf_unknown_mode mode;
    size_t findings;
    bool marked;
  } modes[] = {{CF_UNKNOWN_PASS, 0, false}, {CF_UNKNOWN_FAIL, 1, false}, {CF_UNKNOWN_REPORT, 1, true}};
  for (size_t i = 0; i < CF_ARRAY_LEN(modes); i++) {
    cf_posture_opts_t opts;
    memset(&opts, 0, sizeof opts);
    opts.unknown = modes[i].mode;
    scan_t s;
    scan_text(&s, "t.yaml", UNKNOWN_ACL, &opts);
    assert_int_equal(modes[i].findings, count_all(&s, "CF-T-001"));
    if (modes[i].findings) {
      const cf_finding_t *f = tu_first(&s.report, "CF-T-001");
      assert_int_equal(modes[i].marked, f->unknown);
      /* A finding marked unknown does not count towards the exit code. */
      assert_int_equal(modes[i].marked ? 0 : 1, cf_report_count_at_least(&s.report, CF_SEV_HIGH));
    }
    scan_free(&s);
  }
  /* A parameter with a default is known. */
  scan_t s;
  scan_text(&s, "t.yaml", "Parameters:\n  Acl: {Type: String, Default: PublicRead}\n"
                          "Resources:\n  Site:\n    Type: AWS::S3::Bucket\n"
                          "    Properties: {AccessControl: !Ref Acl}\n", NULL);
  assert_fires(&s, "CF-T-001", 1);
  scan_free(&s);
}

static void test_rule_sets_its_own_unknown_mode(void **state) {
  (void)state;
  const char *rule = "id: CF-T-009\ntitle: t\nseverity: high\nthreats: [8]\nresource: aws.s3.bucket\n"
                     "remediation: r\nunknown: fail\ncondition: {path: acl.canned, iin: [public-read]}\n";
  scan_t s;
  scan_setup(&s);
  assert_int_equal(CF_OK, cf_ruleset_load_text(s.rs, "r.yaml", rule, strlen(rule), NULL));
  assert_int_equal(CF_OK, cf_posture_scan_buffer(s.ctx, s.rs, "t.yaml", UNKNOWN_ACL, strlen(UNKNOWN_ACL), NULL, &s.report));
  assert_fires(&s, "CF-T-009", 1);  /* the rule's own mode */
  assert_int_equal(0, count_all(&s, "CF-T-001")); /* the scan's default: pass */
  scan_free(&s);
}

static void test_incomplete_resource_from_cloudformation(void **state) {
  (void)state;
  /* A bucket policy for a bucket defined elsewhere makes an incomplete bucket: its versioning
   * is unknown, so CF-T-002 does not fire on it, while the template's own bucket, which says
   * nothing about versioning, fires. */
  const char *text =
      "Resources:\n"
      "  Mine:\n"
      "    Type: AWS::S3::Bucket\n"
      "  Policy:\n"
      "    Type: AWS::S3::BucketPolicy\n"
      "    Properties:\n"
      "      Bucket: someone-elses-bucket\n"
      "      PolicyDocument:\n"
      "        Statement: [{Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: '*'}]\n";
  scan_t s;
  scan_text(&s, "t.yaml", text, NULL);
  assert_int_equal(2, s.report.resources);
  assert_fires(&s, "CF-T-002", 1);
  assert_string_equal("Mine", tu_first(&s.report, "CF-T-002")->resource);
  scan_free(&s);
}

/* ---- hostile input through the scan ---- */

static void test_many_ignore_tags_on_one_line_stay_linear(void **state) {
  (void)state;
  size_t n = 4u << 20;
  char *text = malloc(n + 1);
  memcpy(text, "# ", 2);
  size_t k = 2;
  while (k + 16 < n) {
    memcpy(text + k, "cloudfort:ignore", 16);
    k += 16;
  }
  text[k] = '\0';
  clock_t t0 = clock();
  scan_t s;
  scan_text(&s, "t.yaml", text, NULL);
  assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 3.0);
  scan_free(&s);
  free(text);
}

/* gzip of text with zlib (windowBits 31 writes the gzip wrapper). */
static size_t gzip_of(const char *text, uint8_t *out, size_t cap) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  assert_int_equal(Z_OK, deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY));
  zs.next_in = (Bytef *)text;
  zs.avail_in = (uInt)strlen(text);
  zs.next_out = out;
  zs.avail_out = (uInt)cap;
  assert_int_equal(Z_STREAM_END, deflate(&zs, Z_FINISH));
  size_t n = zs.total_out;
  deflateEnd(&zs);
  return n;
}

static void test_many_commented_resources_stay_fast(void **state) {
  (void)state;
  /* Thousands of resources, each under a comment that applies to every rule: matching
   * comments to findings must not take time cubic in the file. */
  enum { N = 3000 };
  size_t cap = (size_t)N * 128 + 64, k = 0;
  char *text = malloc(cap);
  k += (size_t)snprintf(text + k, cap - k, "Resources:\n");
  for (int i = 0; i < N; i++)
    k += (size_t)snprintf(text + k, cap - k,
                          "  # cloudfort:ignore CF-NONE-%d,* generated\n  B%d:\n    Type: AWS::S3::Bucket\n"
                          "    Properties: {AccessControl: PublicRead}\n",
                          i, i);
  clock_t t0 = clock();
  scan_t s;
  scan_text(&s, "many.yaml", text, NULL);
  assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 3.0);
  assert_int_equal(N, count_all(&s, "CF-T-001"));
  assert_suppressed(&s, "CF-T-001", N);
  assert_suppressed(&s, "CF-T-002", N);
  scan_free(&s);
  free(text);
}

static void test_numbers_out_of_integer_range(void **state) {
  (void)state;
  /* Found by fuzz_cfn (corpus: crash-sg-port-out-of-range.yaml): a port of 4e83 was converted
   * to an integer, which is undefined behaviour. Such a number is no port at all: the rule
   * cannot tell, so its outcome is unknown. */
  const char *rule = "id: CF-T-010\ntitle: SSH open\nseverity: high\nthreats: [3]\nresource: aws.ec2.security_group\n"
                     "remediation: r\ncondition: {some: ingress, where: {path: '.', port_includes: 22}}\n";
  const char *text = "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
                     "      SecurityGroupIngress:\n"
                     "        - {IpProtocol: tcp, FromPort: 1e300, ToPort: -1e300, CidrIp: 0.0.0.0/0}\n"
                     "        - {IpProtocol: tcp, FromPort: .inf, ToPort: '99999999999999999999', CidrIp: 0.0.0.0/0}\n"
                     /* fuzz_cfn again (crash-protocol-infinity.yaml): a protocol number of .inf */
                     "        - {IpProtocol: .inf, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}\n"
                     "        - {IpProtocol: -1e300, CidrIp: 0.0.0.0/0}\n";
  for (int mode = 0; mode < 2; mode++) {
    cf_posture_opts_t opts;
    memset(&opts, 0, sizeof opts);
    opts.unknown = mode ? CF_UNKNOWN_FAIL : CF_UNKNOWN_PASS;
    scan_t s;
    scan_setup(&s);
    assert_int_equal(CF_OK, cf_ruleset_load_text(s.rs, "r.yaml", rule, strlen(rule), NULL));
    assert_int_equal(CF_OK, cf_posture_scan_buffer(s.ctx, s.rs, "t.yaml", text, strlen(text), &opts, &s.report));
    assert_int_equal(1, s.report.resources);
    assert_int_equal(0, s.report.errors.len);
    assert_fires(&s, "CF-T-010", mode ? 1 : 0);
    scan_free(&s);
  }
}

static void test_numbers_out_of_integer_range_in_plans_and_snapshots(void **state) {
  (void)state;
  /* The same conversion in the Terraform plan and AWS Config adapters (undefined behaviour that
   * the sanitizer build stops on). */
  static const struct {
    const char *name, *text;
  } inputs[] = {
      {"plan.json",
       "{\"format_version\": \"1.1\", \"planned_values\": {\"root_module\": {\"resources\": [{\"address\": "
       "\"aws_security_group.w\", \"mode\": \"managed\", \"type\": \"aws_security_group\", \"name\": \"w\", "
       "\"values\": {\"name\": \"w\", \"ingress\": [{\"from_port\": 1e300, \"to_port\": \"1e300\", \"protocol\": "
       "\"tcp\", \"cidr_blocks\": [\"0.0.0.0/0\"]}]}}]}}}"},
      {"snapshot.json",
       "{\"fileVersion\": \"1.0\", \"configurationItems\": [{\"configurationItemStatus\": \"OK\", \"resourceType\": "
       "\"AWS::EC2::SecurityGroup\", \"resourceId\": \"sg-1\", \"configurationItemCaptureTime\": \"2024-01-01T00:00:00Z\", "
       "\"configuration\": {\"groupId\": \"sg-1\", \"ipPermissions\": [{\"ipProtocol\": \"tcp\", \"fromPort\": 1e300, "
       "\"toPort\": -1e300, \"ipv4Ranges\": [{\"cidrIp\": \"0.0.0.0/0\"}]}]}}]}"},
  };
  for (size_t i = 0; i < CF_ARRAY_LEN(inputs); i++) {
    scan_t s;
    scan_text(&s, inputs[i].name, inputs[i].text, NULL);
    if (s.report.resources != 1 || s.report.errors.len)
      fail_msg("%s: %llu resources, %zu errors", inputs[i].name, (unsigned long long)s.report.resources, s.report.errors.len);
    scan_free(&s);
  }
}

static void test_gzip_input(void **state) {
  (void)state;
  uint8_t gz[1024];
  size_t n = gzip_of(PUBLIC_BUCKET, gz, sizeof gz);
  scan_t s;
  scan_setup(&s);
  assert_int_equal(CF_OK, cf_posture_scan_buffer(s.ctx, s.rs, "t.yaml.gz", gz, n, NULL, &s.report));
  assert_fires(&s, "CF-T-001", 1);
  scan_free(&s);
  /* The same stream cut short is an error, not a crash. */
  scan_setup(&s);
  assert_int_equal(CF_OK, cf_posture_scan_buffer(s.ctx, s.rs, "t.yaml.gz", gz, n - 12, NULL, &s.report));
  assert_int_equal(1, s.report.errors.len);
  assert_int_equal(0, s.report.files);
  scan_free(&s);
  /* A small stream that expands past the file-size limit stops at the limit. */
  static char big[1 << 20];
  memset(big, 'A', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  static uint8_t bomb[1 << 14];
  n = gzip_of(big, bomb, sizeof bomb);
  assert_true(n < 4096);
  scan_setup(&s);
  cf_limits_t lim = *cf_ctx_limits(s.ctx);
  lim.max_file_size = 64 * 1024;
  cf_ctx_set_limits(s.ctx, &lim);
  assert_int_equal(CF_OK, cf_posture_scan_buffer(s.ctx, s.rs, "bomb.json.gz", bomb, n, NULL, &s.report));
  assert_int_equal(1, s.report.errors.len);
  assert_int_equal(CF_ELIMIT, s.report.errors.items[0].code);
  scan_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_walker_skips_git_folders),
      cmocka_unit_test(test_walker_follows_links_inside_the_root),
      cmocka_unit_test(test_walker_does_not_follow_links_out_of_the_root),
      cmocka_unit_test(test_walker_survives_link_cycles),
      cmocka_unit_test(test_walker_depth_limit),
      cmocka_unit_test(test_bad_files_are_reported_and_the_rest_scanned),
      cmocka_unit_test(test_an_input_that_fails_to_parse_is_not_scanned),
      cmocka_unit_test(test_missing_path_is_an_error),
      cmocka_unit_test(test_finding_points_at_the_deciding_value),
      cmocka_unit_test(test_fingerprints_are_stable_across_scans),
      cmocka_unit_test(test_inline_suppression),
      cmocka_unit_test(test_inline_suppression_reason_and_opt_out),
      cmocka_unit_test(test_metadata_suppression),
      cmocka_unit_test(test_baseline_round_trip),
      cmocka_unit_test(test_bad_baseline_stops_the_scan),
      cmocka_unit_test(test_unknown_modes),
      cmocka_unit_test(test_rule_sets_its_own_unknown_mode),
      cmocka_unit_test(test_incomplete_resource_from_cloudformation),
      cmocka_unit_test(test_many_ignore_tags_on_one_line_stay_linear),
      cmocka_unit_test(test_many_commented_resources_stay_fast),
      cmocka_unit_test(test_numbers_out_of_integer_range),
      cmocka_unit_test(test_numbers_out_of_integer_range_in_plans_and_snapshots),
      cmocka_unit_test(test_gzip_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
