/*
 * cmd_rules.c - `cloudfort rules list` and `cloudfort rules test`.
 *
 * rules test runs every rule's fixtures. Posture rule ID: the folder FIXTURES/ID holds inputs
 * named `fire.<source>.<ext>` (or `fire-<n>.<source>.<ext>`) on which the rule must fire and
 * `pass.<source>.<ext>` on which it must not, where <source> is a source format
 * (cloudformation, terraform-plan, aws-config, aws-cli, kubernetes, arm); a fixture may be a
 * folder (saved aws CLI output, a folder per resource). Every rule needs both kinds for every
 * format its resource types come from; a fixture must be recognised as the format its name
 * says and must load without errors. Ages are judged as of 2025-06-01 unless --now says
 * otherwise, so fixtures do not expire.
 *
 * Content rule ID (secrets, dlp): the folder CONTENT_FIXTURES/ID holds files (or folders,
 * archives) named `fire[-<n>].<ext>` that the rule must find something in and
 * `pass[-<n>].<ext>` it must find nothing in; every content rule needs at least one of each.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define FIXTURE_NOW "2025-06-01T00:00:00Z"

static void rules_usage(FILE *f) {
  fputs("Usage: cloudfort rules list [--format text|json] [--rules DIR] [--no-builtin-rules]\n"
        "       cloudfort rules test [--fixtures DIR] [--content-fixtures DIR] [--rules DIR]\n"
        "                            [--no-builtin-rules] [ID...]\n"
        "\n"
        "list   prints every loaded rule (posture, secrets, dlp): id, analyser, severity,\n"
        "       threats, resource types, title.\n"
        "test   runs each rule's fixtures. Posture: FIXTURES/<rule-id>/fire.<source>.<ext> must\n"
        "       fire, pass.<source>.<ext> must not, both for every source format the rule's\n"
        "       resource types come from (FIXTURES defaults to tests/rules/posture). Secrets and\n"
        "       dlp: CONTENT_FIXTURES/<rule-id>/fire*.<ext> must fire, pass*.<ext> must not, at\n"
        "       least one of each (default tests/rules/content). Prints TAP and ends with\n"
        "       'N passed, N failed'; exit 1 when any failed.\n"
        "\nOptions:\n"
        "  -f, --format FMT        list: text (default) or json\n"
        "      --rules DIR         also load the rules in DIR (repeatable)\n"
        "      --no-builtin-rules  do not load the shipped rules\n"
        "      --fixtures DIR      test: where the posture fixture folders are\n"
        "      --content-fixtures DIR  test: where the secrets and dlp fixture folders are\n"
        "      --now TIME          test: judge ages as of TIME (default " FIXTURE_NOW ")\n"
        "  -h, --help              show this help\n"
        "\nExit codes: 0 success, 1 a fixture failed (test), 2 usage error or a rule that does\n"
        "not load.\n", f);
}

/* A JSON string: rule files and paths are ours or the user's, but quote them properly anyway. */
static void json_str(const char *v) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)(v ? v : ""); *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

/* One listed rule: posture rules have source formats, content rules none. */
typedef struct listed {
  const cf_rule_info_t *info;
  const char *const *sources;
} listed_t;

static void print_list(const listed_t *rules, size_t n, bool json) {
  int idw = 12;
  for (size_t i = 0; i < n; i++) {
    int len = (int)strlen(rules[i].info->id);
    if (len > idw) idw = len;
  }
  if (json) fputs("[\n", stdout);
  for (size_t i = 0; i < n; i++) {
    const cf_rule_info_t *r = rules[i].info;
    if (json) {
      fputs("  {\"id\": ", stdout);
      json_str(r->id);
      fputs(", \"analyzer\": ", stdout);
      json_str(r->analyzer);
      printf(", \"severity\": \"%s\", \"threats\": [", cf_severity_name(r->severity));
      for (unsigned t = 0; t < r->n_threats; t++) printf("%s%u", t ? ", " : "", r->threats[t]);
      printf("], \"group\": %u, \"service_models\": [", cf_rule_group(r));
      bool first = true;
      for (unsigned m = 0; m < CF_SM_COUNT; m++)
        if (r->service_models & (1u << m)) {
          printf("%s\"%s\"", first ? "" : ", ", cf_service_model_name(m));
          first = false;
        }
      fputs("], \"resource_types\": [", stdout);
      for (const char *const *p = r->resource_types; p && *p; p++) {
        if (p != r->resource_types) fputs(", ", stdout);
        json_str(*p);
      }
      fputs("], \"sources\": [", stdout);
      const char *const *src = rules[i].sources;
      for (const char *const *p = src; p && *p; p++) printf("%s\"%s\"", p == src ? "" : ", ", *p);
      fputs("], \"title\": ", stdout);
      json_str(r->title);
      fputs(", \"file\": ", stdout);
      json_str(r->file);
      printf("}%s\n", i + 1 < n ? "," : "");
    } else {
      char threats[64] = "";
      size_t k = 0;
      for (unsigned t = 0; t < r->n_threats && k < sizeof threats - 4; t++)
        k += (size_t)snprintf(threats + k, sizeof threats - k, "%s%u", t ? "," : "", r->threats[t]);
      const char *what = r->resource_types && r->resource_types[0] ? r->resource_types[0] : r->analyzer;
      printf("%-*s %-8s %-8s %-36s %s\n", idw, r->id, cf_severity_name(r->severity), threats, what ? what : "-", r->title);
    }
  }
  if (json) fputs("]\n", stdout);
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

typedef struct tally {
  unsigned passed, failed, n;
} tally_t;

/* One TAP line: "ok N - RULE: what" or "not ok N - RULE: what # why". */
static void tap(tally_t *t, bool ok, const char *rule, const char *what, const char *why) {
  t->n++;
  if (ok) t->passed++;
  else t->failed++;
  printf("%s %u - %s: %s", ok ? "ok" : "not ok", t->n, rule, what);
  if (!ok && why && *why) printf(" # %s", why);
  putchar('\n');
}

/* "fire.cloudformation.yaml" -> kind fire, source cloudformation. */
static bool parse_fixture_name(const char *name, bool *fire, char *src, size_t n) {
  if (strncmp(name, "fire", 4) == 0) *fire = true;
  else if (strncmp(name, "pass", 4) == 0) *fire = false;
  else return false;
  const char *dot = strchr(name, '.');
  if (!dot) return false;
  const char *end = strchr(dot + 1, '.');
  size_t len = end ? (size_t)(end - dot - 1) : strlen(dot + 1);
  if (len == 0 || len >= n) return false;
  memcpy(src, dot + 1, len);
  src[len] = '\0';
  return true;
}

static int source_index(const char *name) {
  for (unsigned k = 1; cf_source_name(k); k++)
    if (strcmp(cf_source_name(k), name) == 0) return (int)k;
  return -1;
}

/* The verdict on one fixture scan of rule_id: true when it may count, else why (scan failed,
 * an input error, fired when it should not or the other way round). recognised is false when
 * the fixture was not read as the format its name says (posture only). */
static bool fixture_verdict(cf_err e, const cf_report_t *rep, const char *rule_id, bool fire, bool recognised,
                            const char *src, char *why, size_t why_size) {
  size_t hits = 0;
  for (size_t f = 0; f < cf_findings_count(rep->findings); f++) {
    const cf_finding_t *fd = cf_findings_at(rep->findings, f);
    if (strcmp(fd->rule->id, rule_id) == 0 && !fd->suppressed) hits++;
  }
  why[0] = '\0';
  if (e) {
    snprintf(why, why_size, "scan failed: %s", cf_strerror(e));
  } else if (rep->errors.len) {
    const cf_diag_t *dg = &rep->errors.items[0];
    snprintf(why, why_size, "input error: %s:%u: %s", dg->file ? dg->file : "?", dg->line, dg->message ? dg->message : "");
  } else if (!recognised) {
    snprintf(why, why_size, "not recognised as %s", src);
  } else if (fire && hits == 0) {
    snprintf(why, why_size, "expected the rule to fire; it did not");
  } else if (!fire && hits) {
    snprintf(why, why_size, "expected no finding; got %zu", hits);
  }
  return why[0] == '\0';
}

static void test_rule(cf_ctx_t *ctx, const cf_ruleset_t *rs, size_t idx, const char *fixtures, tally_t *t) {
  const cf_rule_info_t *r = cf_ruleset_info(rs, idx);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/%s", fixtures, r->id);
  unsigned have_fire = 0, have_pass = 0;
  DIR *d = opendir(dir);
  char **names = NULL;
  size_t n = 0;
  if (d) {
    struct dirent *de;
    while ((de = readdir(d))) {
      if (de->d_name[0] == '.') continue;
      char **nn = realloc(names, (n + 1) * sizeof(char *));
      if (!nn) break;
      names = nn;
      names[n++] = strdup(de->d_name);
    }
    closedir(d);
  }
  for (size_t i = 0; i < n; i++) {
    if (!names[i]) continue;
    bool fire;
    char src[64];
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (!parse_fixture_name(names[i], &fire, src, sizeof src) || source_index(src) < 0) {
      tap(t, false, r->id, names[i], "name must be fire.<source>.<ext> or pass.<source>.<ext>");
      continue;
    }
    int k = source_index(src);
    cf_report_t rep;
    if (cf_report_init(&rep)) return;
    const char *paths[1] = {path};
    cf_posture_opts_t o;
    memset(&o, 0, sizeof o);
    cf_err e = cf_posture_scan(ctx, rs, paths, 1, &o, &rep);
    char why[512];
    bool ok = fixture_verdict(e, &rep, r->id, fire, (rep.sources_seen & (1u << k)) != 0, src, why, sizeof why);
    if (ok) {
      if (fire) have_fire |= 1u << k;
      else have_pass |= 1u << k;
    }
    tap(t, ok, r->id, names[i], why);
    cf_report_cleanup(&rep);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  /* Every source format of the rule's types needs a firing and a passing fixture. */
  for (const char *const *s = cf_ruleset_sources(rs, idx); s && *s; s++) {
    int k = source_index(*s);
    char what[128];
    if (!(have_fire & (1u << k))) {
      snprintf(what, sizeof what, "fire.%s", *s);
      tap(t, false, r->id, what, "missing");
    }
    if (!(have_pass & (1u << k))) {
      snprintf(what, sizeof what, "pass.%s", *s);
      tap(t, false, r->id, what, "missing");
    }
  }
}

/* Lists the entries of dir (sorted, dot files left out); NULL-terminated, or NULL. */
static char **list_dir(const char *dir, size_t *n_out) {
  *n_out = 0;
  DIR *d = opendir(dir);
  if (!d) return NULL;
  char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char **nn = realloc(names, (n + 2) * sizeof(char *));
    if (!nn) break;
    names = nn;
    if (!(names[n] = strdup(de->d_name))) break;
    names[++n] = NULL;
  }
  closedir(d);
  if (names) qsort(names, n, sizeof(char *), cmp_name);
  *n_out = n;
  return names;
}

static void test_content_rule(cf_ctx_t *ctx, const cf_content_rules_t *rs, size_t idx, const char *fixtures, tally_t *t) {
  const cf_rule_info_t *r = cf_content_rules_info(rs, idx);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/%s", fixtures, r->id);
  size_t n = 0;
  char **names = list_dir(dir, &n);
  bool have_fire = false, have_pass = false;
  for (size_t i = 0; i < n; i++) {
    bool fire = strncmp(names[i], "fire", 4) == 0;
    bool pass = strncmp(names[i], "pass", 4) == 0;
    char c = names[i][4];
    if ((!fire && !pass) || (c != '.' && c != '-' && c != '\0')) {
      tap(t, false, r->id, names[i], "name must be fire[-N].<ext> or pass[-N].<ext>");
      continue;
    }
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    cf_report_t rep;
    if (cf_report_init(&rep)) break;
    const char *paths[1] = {path};
    cf_content_opts_t o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    cf_err e = cf_content_scan(ctx, rs, paths, 1, &o, &rep);
    char why[512];
    bool ok = fixture_verdict(e, &rep, r->id, fire, true, NULL, why, sizeof why);
    if (ok && fire) have_fire = true;
    if (ok && pass) have_pass = true;
    tap(t, ok, r->id, names[i], why);
    cf_report_cleanup(&rep);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  if (!have_fire) tap(t, false, r->id, "fire.*", "missing");
  if (!have_pass) tap(t, false, r->id, "pass.*", "missing");
}

int cmd_rules(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    rules_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_CLEAN;
  }
  const char *sub = argv[1];
  if (strcmp(sub, "list") && strcmp(sub, "test")) {
    cli_error("rules: unknown subcommand '%s' (list or test)", sub);
    return EXIT_USAGE;
  }
  enum { O_RULES = 256, O_NO_BUILTIN, O_FIXTURES, O_CFIXTURES, O_NOW };
  static const struct option longopts[] = {
      {"format", required_argument, 0, 'f'}, {"rules", required_argument, 0, O_RULES},
      {"no-builtin-rules", no_argument, 0, O_NO_BUILTIN}, {"fixtures", required_argument, 0, O_FIXTURES},
      {"content-fixtures", required_argument, 0, O_CFIXTURES},
      {"now", required_argument, 0, O_NOW}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  const char *format = "text", *fixtures = "tests/rules/posture", *now = FIXTURE_NOW;
  const char *cfixtures = "tests/rules/content";
  const char *dirs[64];
  size_t n_dirs = 0;
  bool no_builtin = false;
  int c;
  optind = 1;
  opterr = 0;
  argc--;
  argv++;
  /* The leading ':' makes getopt tell a missing value (':') from an unknown option ('?'). */
  while ((c = getopt_long(argc, argv, ":f:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'f':
      if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
        cli_error("--format: expected text or json, got '%s'", optarg);
        return EXIT_USAGE;
      }
      format = optarg;
      break;
    case O_RULES:
      if (n_dirs == 64) {
        cli_error("--rules: at most 64 directories");
        return EXIT_USAGE;
      }
      dirs[n_dirs++] = optarg;
      break;
    case O_NO_BUILTIN: no_builtin = true; break;
    case O_FIXTURES: fixtures = optarg; break;
    case O_CFIXTURES: cfixtures = optarg; break;
    case O_NOW: now = optarg; break;
    case 'h': rules_usage(stdout); return EXIT_CLEAN;
    case ':':
      cli_error("rules %s: option '%s' needs a value (see 'cloudfort rules --help')", sub, argv[optind - 1]);
      return EXIT_USAGE;
    default:
      if (optopt > 0 && optopt < 256) cli_error("rules %s: unknown option '-%c' (see 'cloudfort rules --help')", sub, optopt);
      else cli_error("rules %s: unknown option '%s' (see 'cloudfort rules --help')", sub, argv[optind - 1]);
      return EXIT_USAGE;
    }
  }
  if (strcmp(sub, "list") == 0 && optind < argc) {
    cli_error("rules list: unexpected argument '%s' (see 'cloudfort rules --help')", argv[optind]);
    return EXIT_USAGE;
  }
  int64_t now_ts;
  if (!cf_parse_time(now, &now_ts)) {
    cli_error("--now: expected an RFC 3339 time, got '%s'", now);
    return EXIT_USAGE;
  }
  cf_ctx_t *ctx = cli_ctx_new();
  cf_ruleset_t *rs = NULL;
  cf_content_rules_t *crs = NULL;
  listed_t *all = NULL;
  cf_diags_t errs;
  cf_diags_init(&errs);
  int rc = EXIT_USAGE;
  if (!ctx || cf_ruleset_new(ctx, &rs) || cf_content_rules_new(ctx, 0, &crs)) {
    cli_error("out of memory");
    goto out;
  }
  cf_ctx_set_now(ctx, now_ts);
  bool bad = false;
  if (!no_builtin && cf_ruleset_load_builtin(rs, &errs)) bad = true;
  if (!no_builtin && cf_content_rules_load_builtin(crs, &errs)) bad = true;
  for (size_t i = 0; i < n_dirs; i++) {
    if (cf_ruleset_load_dir(rs, dirs[i], &errs)) bad = true;
    /* The posture loader has already said what is wrong with a missing folder. */
    if (cf_content_rules_load_dir(crs, dirs[i], NULL)) bad = true;
  }
  if (!bad && cf_content_rules_compile(crs, &errs)) bad = true;
  for (size_t i = 0; i < errs.len; i++) cli_print_diag(&errs.items[i]);
  if (bad) {
    cli_error("rules did not load");
    goto out;
  }
  size_t np = cf_ruleset_count(rs), nc = cf_content_rules_count(crs);
  all = calloc(np + nc + 1, sizeof(*all));
  if (!all) {
    cli_error("out of memory");
    goto out;
  }
  for (size_t i = 0; i < np; i++) all[i] = (listed_t){cf_ruleset_info(rs, i), cf_ruleset_sources(rs, i)};
  for (size_t i = 0; i < nc; i++) all[np + i] = (listed_t){cf_content_rules_info(crs, i), NULL};
  if (strcmp(sub, "list") == 0) {
    print_list(all, np + nc, strcmp(format, "json") == 0);
    rc = EXIT_CLEAN;
    goto out;
  }
  struct stat st;
  if (np && (stat(fixtures, &st) != 0 || !S_ISDIR(st.st_mode))) {
    cli_error("rules test: fixture folder '%s' not found (use --fixtures DIR)", fixtures);
    goto out;
  }
  if (nc && (stat(cfixtures, &st) != 0 || !S_ISDIR(st.st_mode))) {
    cli_error("rules test: fixture folder '%s' not found (use --content-fixtures DIR)", cfixtures);
    goto out;
  }
  tally_t t = {0, 0, 0};
  for (int k = optind; k < argc; k++) {
    bool known = false;
    for (size_t i = 0; i < np + nc && !known; i++) known = strcmp(argv[k], all[i].info->id) == 0;
    if (!known) {
      cli_error("rules test: no loaded rule has the id '%s'", argv[k]);
      goto out;
    }
  }
  for (size_t i = 0; i < np + nc; i++) {
    const cf_rule_info_t *r = all[i].info;
    bool selected = optind >= argc;
    for (int k = optind; k < argc; k++) selected = selected || strcmp(argv[k], r->id) == 0;
    if (!selected) continue;
    if (i < np) test_rule(ctx, rs, i, fixtures, &t);
    else test_content_rule(ctx, crs, i - np, cfixtures, &t);
  }
  printf("1..%u\n%u passed, %u failed\n", t.n, t.passed, t.failed);
  rc = t.failed || t.n == 0 ? EXIT_FINDINGS : EXIT_CLEAN;
out:
  free(all);
  cf_diags_cleanup(&errs);
  cf_ruleset_free(rs);
  cf_content_rules_free(crs);
  cf_ctx_free(ctx);
  return rc;
}
