/*
 * cmd_scan.c - the scanning commands: `scan` (every analyser), `posture`, `secrets`, `dlp`
 * and `baseline`.
 *
 * Each loads the rules of its analysers, scans the paths and then prints a report (or, for
 * baseline, writes the fingerprints of the findings). Exit codes: 0 when no unsuppressed
 * finding is at or above --fail-on, 1 when one is, 2 when the arguments are wrong, a rule or
 * the baseline does not load, the report cannot be written, or no input could be scanned at
 * all (every input was missing, unreadable or invalid). An unreadable file among readable
 * ones is reported in the report's errors and does not change the exit code. Reports and
 * baselines are written whole or not at all (cli_out_t).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Analysers, as bits. */
enum { A_POSTURE = 1, A_SECRETS = 2, A_DLP = 4, A_ALL = 7, A_CONTENT = A_SECRETS | A_DLP };

typedef struct scan_args {
  const char *mode;
  unsigned analyzers;
  const char *format;
  const char *output;
  cf_severity fail_on;
  const char **rule_dirs;
  size_t n_rule_dirs;
  const char **tf_var_files;
  size_t n_tf_var_files;
  const char **tf_vars;
  size_t n_tf_vars;
  bool no_builtin;
  const char **only;
  size_t n_only;
  const char **skip;
  size_t n_skip;
  const char *baseline;
  cf_unknown_mode unknown;
  bool no_suppress;
  bool show_suppressed;
  bool no_color;
  bool quiet;
  unsigned long long max_file_size;
  bool have_now;
  unsigned threads;
  int64_t now;
  /* content */
  const char *gitleaks_config;
  const char *gitleaks_ignore;
  bool show_secrets;
  bool no_ignore;
  bool git;
  const char *git_range;
  unsigned max_depth;
  unsigned decode_depth;
  bool no_archives;
  bool no_decode;
  unsigned long long max_archive_size;
  const char *redact_dir;
  bool no_config_secrets;
} scan_args_t;

static unsigned mode_analyzers(const char *mode) {
  if (strcmp(mode, "posture") == 0) return A_POSTURE;
  if (strcmp(mode, "secrets") == 0) return A_SECRETS;
  if (strcmp(mode, "dlp") == 0) return A_DLP;
  return A_ALL;
}

static void scan_usage(FILE *f, const char *mode) {
  bool base = strcmp(mode, "baseline") == 0;
  bool multi = base || strcmp(mode, "scan") == 0;
  unsigned an = mode_analyzers(mode);
  fprintf(f, "Usage: cloudfort %s [options] PATH...\n\n", mode);
  if (strcmp(mode, "scan") == 0)
    fputs("Scans files and directories with every analyser (posture, secrets, dlp) and prints\n"
          "one report.\n", f);
  else if (strcmp(mode, "posture") == 0)
    fputs("Finds misconfigurations in infrastructure code and exported cloud configuration:\n"
          "CloudFormation (YAML/JSON), Terraform source (.tf and .tf.json folders, evaluated without a\n"
          "plan: variables, locals, count, for_each, local modules), Terraform plan JSON (terraform\n"
          "show -json), AWS Config snapshots and history files (plain or .gz), saved aws CLI output,\n"
          "IAM credential reports, Kubernetes manifests and ARM templates.\n", f);
  else if (strcmp(mode, "secrets") == 0)
    fputs("Finds credentials (cloud keys, API tokens, private keys, passwords) in files,\n"
          "archives (zip, jar, apk, tar, ...), encoded blobs and git history.\n", f);
  else if (strcmp(mode, "dlp") == 0)
    fputs("Finds personal data (payment cards, IBANs, national ID numbers, phone numbers, email\n"
          "and passport numbers) in files, archives and git history, with counts per file and\n"
          "type; --redact writes masked copies.\n", f);
  else
    fputs("Writes the fingerprints of the current findings to a file; later scans given\n"
          "--baseline FILE report only what is new.\n", f);
  fputs("PATH may be a file, a directory (walked recursively, .git skipped, links followed\n"
        "only inside it) or - for standard input.\n\nOptions:\n", f);
  if (multi)
    fputs("      --analyzer LIST     run only these analysers: posture, secrets, dlp (comma-\n"
          "                          separated; default all)\n", f);
  if (!base)
    fprintf(f, "  -f, --format FMT        text (default), json, sarif%s (also --report-format)\n",
            an & A_CONTENT ? " or gitleaks-json" : "");
  fprintf(f, "  -o, --output FILE       write to FILE (whole or not at all)%s\n", base ? "; required" : "");
  if (!base)
    fputs("      --fail-on SEV       exit 1 when a finding at or above SEV remains: critical, high,\n"
          "                          medium, low (default) or info\n", f);
  fputs("      --rules DIR         also load the rules in DIR (repeatable)\n"
        "      --no-builtin-rules  do not load the shipped rules\n"
        "      --rule ID           run only rules whose id matches ID (glob; repeatable)\n"
        "      --skip-rule ID      do not run rules whose id matches ID (glob; repeatable)\n"
        "      --baseline FILE     suppress findings whose fingerprints FILE lists\n", f);
  if (an & A_POSTURE)
    fputs("      --unknown MODE      values known only after deployment: pass (default, no\n"
          "                          finding), fail (report as a finding) or report (list them\n"
          "                          without failing)\n", f);
  fputs("      --no-suppress       ignore inline, Metadata and annotation suppressions\n", f);
  if (!base) fputs("      --show-suppressed   list suppressed findings too\n", f);
  fputs("      --max-file-size N   largest input file after decompression (default 1G; K, M, G)\n", f);
  if (an & A_POSTURE) fputs("      --now TIME          judge ages (key rotation) as of TIME (RFC 3339)\n", f);
  if (an & A_POSTURE)
    fputs("      --var NAME=VALUE    Terraform source: set a root module variable (repeatable;\n"
          "                          VALUE is an HCL expression, or else a string)\n"
          "      --var-file FILE     Terraform source: read root variables from FILE (.tfvars or\n"
          "                          .tfvars.json; repeatable; after terraform.tfvars and\n"
          "                          *.auto.tfvars, before --var)\n", f);
  if (an & A_POSTURE)
    fputs("      --no-config-secrets  posture does not scan configuration values (Lambda and ECS\n"
          "                          environments, EC2 user data, Kubernetes env, CloudFormation\n"
          "                          parameter defaults) with the secret rules\n", f);
  fputs("  -j, --threads N         worker threads (default: one per CPU)\n", f);
  if (an & A_CONTENT)
    fputs("      --config FILE       load a gitleaks TOML configuration (its [extend] useDefault\n"
          "                          adds the shipped secret rules)\n"
          "      --gitleaks-ignore FILE  fingerprints to ignore, in .gitleaksignore form (default:\n"
          "                          a .gitleaksignore at the top of a scanned folder)\n"
          "      --show-secrets      print whole secrets in evidence (masked by default)\n"
          "      --no-ignore         do not honour .gitignore files\n"
          "      --git               PATHs are git repositories: scan every line added in their\n"
          "                          history and report commit, author and date\n"
          "      --git-range RANGE   with --git, only these commits (\"main..HEAD\", \"v1.0..\")\n"
          "      --max-depth N       archives inside archives opened up to N levels (default 3)\n"
          "      --decode-depth N    rounds of base64/hex/percent decoding (default 2; 0 for none)\n"
          "      --max-archive-size N  bytes unpacked from one archive (default 1G; K, M, G)\n", f);
  if (an == A_DLP) fputs("      --redact OUTDIR     also write masked copies of the text files to OUTDIR\n", f);
  if (base)
    fputs("  -q, --quiet             do not say how many fingerprints were written\n"
          "  -h, --help              show this help\n"
          "\nExit codes: 0 baseline written, 2 usage or input error (nothing written).\n", f);
  else
    fputs("      --no-color          no colours (also when NO_COLOR is set)\n"
          "  -q, --quiet             print nothing on standard output (a report given -o is\n"
          "                          still written; input errors still go to standard error)\n"
          "  -h, --help              show this help\n"
          "\nExit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.\n", f);
}

static bool push(const char ***list, size_t *n, const char *v) {
  const char **nl = realloc(*list, (*n + 1) * sizeof(char *));
  if (!nl) return false;
  nl[(*n)++] = v;
  *list = nl;
  return true;
}

/* Progress on a terminal: one line, rewritten at most ten times a second. */
typedef struct progress {
  bool on;
  struct timespec last;
} progress_t;

static void on_progress(void *ud, uint64_t files, const char *path) {
  progress_t *p = ud;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long ms = (now.tv_sec - p->last.tv_sec) * 1000 + (now.tv_nsec - p->last.tv_nsec) / 1000000;
  if (ms < 100) return;
  p->last = now;
  size_t n = strlen(path);
  const char *tail = n > 60 ? path + n - 60 : path;
  fprintf(stderr, "\r\033[K%llu files  ", (unsigned long long)files);
  if (n > 60) fputs("...", stderr);
  cli_put_safe(stderr, tail);
  p->on = true;
}

static void log_cb(void *ud, cf_log_level level, const char *msg) {
  (void)ud;
  fprintf(stderr, "%s: %s: %s\n", cli_prog, level == CF_LOG_ERROR ? "error" : level == CF_LOG_WARN ? "warning" : "info", msg);
}

/*
 * True when there were inputs and none of them could be scanned: every one was missing,
 * unreadable, unrecognised or invalid. report->files counts the files the library read and
 * recognised, which includes a template whose every resource was rejected with an error; so
 * nothing was scanned when each counted file has an error and no resource came out.
 */
static bool no_input_scanned(const cf_report_t *r) {
  if (r->errors.len == 0 || r->resources > 0) return false;
  /* Warnings alone (an archive stopped at a limit) mean the input was scanned. */
  size_t bad = 0;
  for (size_t i = 0; i < r->errors.len; i++) {
    if (r->errors.items[i].partial) continue; /* read and scanned, in part */
    const char *f = r->errors.items[i].file;
    bool seen = false;
    for (size_t k = 0; f && k < i && !seen; k++) seen = r->errors.items[k].file && strcmp(r->errors.items[k].file, f) == 0;
    if (f && !seen) bad++;
  }
  return bad >= r->files;
}

static bool parse_count(const char *opt, const char *v, unsigned lo, unsigned hi, unsigned *out) {
  char *end = NULL;
  unsigned long n = strtoul(v, &end, 10);
  if (!*v || *end || n < lo || n > hi || v[0] == '-') {
    cli_error("%s: expected a number from %u to %u, got '%s'", opt, lo, hi, v);
    return false;
  }
  *out = (unsigned)n;
  return true;
}

static bool parse_analyzers(const char *v, unsigned *out) {
  unsigned bits = 0;
  const char *p = v;
  while (*p) {
    size_t n = strcspn(p, ",");
    if (n == 7 && strncmp(p, "posture", 7) == 0) bits |= A_POSTURE;
    else if (n == 7 && strncmp(p, "secrets", 7) == 0) bits |= A_SECRETS;
    else if (n == 3 && strncmp(p, "dlp", 3) == 0) bits |= A_DLP;
    else {
      cli_error("--analyzer: expected posture, secrets or dlp (comma-separated), got '%.*s'", (int)n, p);
      return false;
    }
    p += n;
    if (*p == ',') p++;
  }
  if (!bits) {
    cli_error("--analyzer: expected posture, secrets or dlp (comma-separated)");
    return false;
  }
  *out = bits;
  return true;
}

/* Parses the options; returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, scan_args_t *a) {
  const char *mode = a->mode;
  bool base = strcmp(mode, "baseline") == 0;
  bool multi = base || strcmp(mode, "scan") == 0;
  enum { O_FAIL_ON = 256, O_RULES, O_NO_BUILTIN, O_RULE, O_SKIP, O_BASELINE, O_UNKNOWN,
         O_NO_SUPPRESS, O_SHOW_SUPP, O_MAXSIZE, O_NOW, O_NO_COLOR, O_ANALYZER, O_CONFIG,
         O_GL_IGNORE, O_SHOW_SECRETS, O_NO_IGNORE, O_GIT, O_GIT_RANGE, O_MAX_DEPTH,
         O_DECODE_DEPTH, O_MAX_ARCHIVE, O_REDACT, O_NO_CFG_SECRETS, O_TF_VAR, O_TF_VAR_FILE };
  static const struct option longopts[] = {
      {"format", required_argument, 0, 'f'}, {"report-format", required_argument, 0, 'f'},
      {"output", required_argument, 0, 'o'}, {"fail-on", required_argument, 0, O_FAIL_ON},
      {"rules", required_argument, 0, O_RULES}, {"no-builtin-rules", no_argument, 0, O_NO_BUILTIN},
      {"rule", required_argument, 0, O_RULE}, {"skip-rule", required_argument, 0, O_SKIP},
      {"baseline", required_argument, 0, O_BASELINE}, {"unknown", required_argument, 0, O_UNKNOWN},
      {"no-suppress", no_argument, 0, O_NO_SUPPRESS}, {"show-suppressed", no_argument, 0, O_SHOW_SUPP},
      {"max-file-size", required_argument, 0, O_MAXSIZE}, {"now", required_argument, 0, O_NOW},
      {"no-color", no_argument, 0, O_NO_COLOR}, {"threads", required_argument, 0, 'j'},
      {"analyzer", required_argument, 0, O_ANALYZER}, {"config", required_argument, 0, O_CONFIG},
      {"gitleaks-ignore", required_argument, 0, O_GL_IGNORE}, {"show-secrets", no_argument, 0, O_SHOW_SECRETS},
      {"no-ignore", no_argument, 0, O_NO_IGNORE}, {"git", no_argument, 0, O_GIT},
      {"git-range", required_argument, 0, O_GIT_RANGE}, {"max-depth", required_argument, 0, O_MAX_DEPTH},
      {"decode-depth", required_argument, 0, O_DECODE_DEPTH}, {"max-archive-size", required_argument, 0, O_MAX_ARCHIVE},
      {"redact", required_argument, 0, O_REDACT},
      {"no-config-secrets", no_argument, 0, O_NO_CFG_SECRETS},
      {"var", required_argument, 0, O_TF_VAR}, {"var-file", required_argument, 0, O_TF_VAR_FILE},
      {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  int c;
  optind = 1;
  opterr = 0;
  /* Options of analysers the command does not run are refused by name, so that a mistaken
   * command is noticed. (baseline takes the report options and ignores them.) */
  const char *wrong = NULL;
  /* The leading ':' makes getopt tell a missing value (':') from an unknown option ('?'). */
  while ((c = getopt_long(argc, argv, ":f:o:j:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'f':
      if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "sarif") &&
               strcmp(optarg, "gitleaks-json")) {
        cli_error("--format: expected text, json, sarif or gitleaks-json, got '%s'", optarg);
        return EXIT_USAGE;
      }
      a->format = optarg;
      break;
    case 'o': a->output = optarg; break;
    case O_FAIL_ON:
      if (!cf_severity_parse(optarg, &a->fail_on)) {
        cli_error("--fail-on: expected critical, high, medium, low or info, got '%s'", optarg);
        return EXIT_USAGE;
      }
      break;
    case O_RULES:
      if (!push(&a->rule_dirs, &a->n_rule_dirs, optarg)) goto oom;
      break;
    case O_NO_BUILTIN: a->no_builtin = true; break;
    case O_RULE:
      if (!push(&a->only, &a->n_only, optarg)) goto oom;
      break;
    case O_SKIP:
      if (!push(&a->skip, &a->n_skip, optarg)) goto oom;
      break;
    case O_BASELINE: a->baseline = optarg; break;
    case O_UNKNOWN:
      if (!(mode_analyzers(mode) & A_POSTURE)) wrong = "--unknown";
      else if (strcmp(optarg, "pass") == 0) a->unknown = CF_UNKNOWN_PASS;
      else if (strcmp(optarg, "fail") == 0) a->unknown = CF_UNKNOWN_FAIL;
      else if (strcmp(optarg, "report") == 0) a->unknown = CF_UNKNOWN_REPORT;
      else {
        cli_error("--unknown: expected pass, fail or report, got '%s'", optarg);
        return EXIT_USAGE;
      }
      break;
    case O_NO_SUPPRESS: a->no_suppress = true; break;
    case O_SHOW_SUPP: a->show_suppressed = true;
      break;
    case O_MAXSIZE:
      if (!cli_parse_size(optarg, &a->max_file_size)) {
        cli_error("--max-file-size: expected a size such as 512M or 2G, got '%s'", optarg);
        return EXIT_USAGE;
      }
      break;
    case O_NOW:
      if (!(mode_analyzers(mode) & A_POSTURE)) wrong = "--now";
      else if (!cf_parse_time(optarg, &a->now)) {
        cli_error("--now: expected an RFC 3339 time such as 2025-01-31T00:00:00Z, got '%s'", optarg);
        return EXIT_USAGE;
      }
      a->have_now = true;
      break;
    case O_NO_COLOR: a->no_color = true;
      break;
    case O_TF_VAR:
      if (!(mode_analyzers(mode) & A_POSTURE)) wrong = "--var";
      else if (!strchr(optarg, '=') || optarg[0] == '=') {
        cli_error("--var: expected NAME=VALUE, got '%s'", optarg);
        return EXIT_USAGE;
      } else if (!push(&a->tf_vars, &a->n_tf_vars, optarg)) {
        goto oom;
      }
      break;
    case O_TF_VAR_FILE:
      if (!(mode_analyzers(mode) & A_POSTURE)) wrong = "--var-file";
      else if (access(optarg, R_OK) != 0) {
        cli_error("--var-file: cannot read '%s': %s", optarg, strerror(errno));
        return EXIT_USAGE;
      } else if (!push(&a->tf_var_files, &a->n_tf_var_files, optarg)) {
        goto oom;
      }
      break;
    case 'j':
      if (!parse_count("--threads", optarg, 1, 64, &a->threads)) return EXIT_USAGE;
      break;
    case O_ANALYZER:
      if (!multi) wrong = "--analyzer";
      else if (!parse_analyzers(optarg, &a->analyzers)) return EXIT_USAGE;
      break;
    case O_CONFIG: a->gitleaks_config = optarg; break;
    case O_GL_IGNORE: a->gitleaks_ignore = optarg; break;
    case O_SHOW_SECRETS: a->show_secrets = true; break;
    case O_NO_IGNORE: a->no_ignore = true; break;
    case O_GIT: a->git = true; break;
    case O_GIT_RANGE: a->git_range = optarg; break;
    case O_MAX_DEPTH:
      if (!parse_count("--max-depth", optarg, 0, 16, &a->max_depth)) return EXIT_USAGE;
      a->no_archives = a->max_depth == 0;
      break;
    case O_DECODE_DEPTH:
      if (!parse_count("--decode-depth", optarg, 0, 8, &a->decode_depth)) return EXIT_USAGE;
      a->no_decode = a->decode_depth == 0;
      break;
    case O_MAX_ARCHIVE:
      if (!cli_parse_size(optarg, &a->max_archive_size)) {
        cli_error("--max-archive-size: expected a size such as 512M or 2G, got '%s'", optarg);
        return EXIT_USAGE;
      }
      break;
    case O_REDACT:
      if (strcmp(mode, "dlp") != 0) wrong = "--redact";
      a->redact_dir = optarg;
      break;
    case O_NO_CFG_SECRETS:
      if (!(mode_analyzers(mode) & A_POSTURE)) wrong = "--no-config-secrets";
      a->no_config_secrets = true;
      break;
    case 'q': a->quiet = true; break;
    case 'h':
      scan_usage(stdout, mode);
      return EXIT_CLEAN;
    case ':':
      cli_error("option '%s' needs a value (see 'cloudfort %s --help')", argv[optind - 1], mode);
      return EXIT_USAGE;
    default:
      if (optopt > 0 && optopt < 256) cli_error("unknown option '-%c' (see 'cloudfort %s --help')", optopt, mode);
      else cli_error("unknown option '%s' (see 'cloudfort %s --help')", argv[optind - 1], mode);
      return EXIT_USAGE;
    }
    if (wrong) {
      cli_error("%s: not an option of '%s' (see 'cloudfort %s --help')", wrong, mode, mode);
      return EXIT_USAGE;
    }
  }
  /* Content options need a content analyser; checked once --analyzer is known. */
  if (!(a->analyzers & A_CONTENT)) {
    const char *opt = a->gitleaks_config ? "--config" : a->gitleaks_ignore ? "--gitleaks-ignore"
                      : a->show_secrets ? "--show-secrets" : a->no_ignore ? "--no-ignore" : a->git ? "--git"
                      : a->git_range ? "--git-range" : a->max_depth || a->no_archives ? "--max-depth"
                      : a->decode_depth || a->no_decode ? "--decode-depth"
                      : a->max_archive_size ? "--max-archive-size" : NULL;
    if (opt) {
      cli_error("%s: only for the secrets and dlp analysers (see 'cloudfort %s --help')", opt, mode);
      return EXIT_USAGE;
    }
    if (strcmp(a->format, "gitleaks-json") == 0) {
      cli_error("--format gitleaks-json: only for the secrets and dlp analysers");
      return EXIT_USAGE;
    }
  }
  if (a->git_range && !a->git) {
    cli_error("--git-range needs --git");
    return EXIT_USAGE;
  }
  if (optind >= argc) {
    cli_error("%s: no PATH given (see 'cloudfort %s --help')", mode, mode);
    return EXIT_USAGE;
  }
  if (base && !a->output) {
    cli_error("baseline: --output FILE is required");
    return EXIT_USAGE;
  }
  return -1;
oom:
  cli_error("out of memory");
  return EXIT_USAGE;
}

/* Loaded rules of every analyser that runs. */
typedef struct loaded {
  cf_ruleset_t *posture;
  cf_content_rules_t *content;
  /* The secret rules posture scans configuration values with: `content` when it holds the
   * secret rules, else a set of their own (owned_config). NULL: no secrets pass. */
  const cf_content_rules_t *config;
  cf_content_rules_t *owned_config;
} loaded_t;

/*
 * The secrets pass of posture: configuration values (Lambda and ECS environments, EC2 user
 * data, Kubernetes env, CloudFormation parameter defaults) scanned with the secret rules. It
 * runs whenever posture runs (unless --no-config-secrets): with the secrets analyser beside
 * it, on the same compiled set; otherwise on a set of the secret rules alone, built once here
 * from the same sources (the shipped pack unless --no-builtin-rules, --rules folders) and the
 * same --rule/--skip-rule selection. Returns -1 to go on, or an exit code.
 */
static int load_config_secrets(const scan_args_t *a, cf_ctx_t *ctx, cf_report_t *report, loaded_t *L) {
  if (!(a->analyzers & A_POSTURE) || a->no_config_secrets) return -1;
  if (L->content && (a->analyzers & A_SECRETS)) {
    L->config = L->content;
    return -1;
  }
  if (cf_content_rules_new(ctx, CF_CONTENT_SECRET, &L->owned_config)) return -2;
  cf_diags_t errs;
  cf_diags_init(&errs);
  bool bad = false;
  cf_err e = a->no_builtin ? CF_OK : cf_content_rules_load_builtin(L->owned_config, &errs);
  bad = bad || e;
  /* The folders exist: the posture loader has read them. */
  for (size_t i = 0; e != CF_ENOMEM && i < a->n_rule_dirs; i++) {
    e = cf_content_rules_load_dir(L->owned_config, a->rule_dirs[i], &errs);
    bad = bad || e;
  }
  if (e != CF_ENOMEM && !bad) e = cf_content_rules_filter(L->owned_config, a->only, a->n_only, a->skip, a->n_skip);
  if (e != CF_ENOMEM && !bad && !e) e = cf_content_rules_compile(L->owned_config, &errs);
  bad = bad || e;
  int rc = -1;
  if (e == CF_ENOMEM) {
    rc = -2;
  } else if (bad) {
    for (size_t i = 0; i < errs.len; i++) cli_print_diag(&errs.items[i]);
    cli_error("secret rules did not load; nothing was scanned (--no-config-secrets skips them)");
    rc = EXIT_USAGE;
  } else if (cf_content_rules_count(L->owned_config)) {
    L->config = L->owned_config;
  }
  (void)report;
  cf_diags_cleanup(&errs);
  return rc;
}

/* Loads and selects the rules; returns -1 to go on, or an exit code. */
static int load_rules(const scan_args_t *a, cf_ctx_t *ctx, cf_report_t *report, loaded_t *L) {
  bool bad = false;
  if (a->analyzers & A_POSTURE) {
    if (cf_ruleset_new(ctx, &L->posture)) return -2;
    cf_err e = a->no_builtin ? CF_OK : cf_ruleset_load_builtin(L->posture, &report->errors);
    if (e == CF_ENOMEM) return -2;
    bad = bad || e;
    for (size_t i = 0; i < a->n_rule_dirs; i++) {
      e = cf_ruleset_load_dir(L->posture, a->rule_dirs[i], &report->errors);
      if (e == CF_ENOMEM) return -2;
      bad = bad || e;
    }
  }
  if (a->analyzers & A_CONTENT) {
    unsigned kinds = (a->analyzers & A_SECRETS ? CF_CONTENT_SECRET : 0) | (a->analyzers & A_DLP ? CF_CONTENT_PII : 0);
    if (cf_content_rules_new(ctx, kinds, &L->content)) return -2;
    /* A gitleaks configuration replaces the shipped pack unless it extends it (useDefault). */
    cf_err e = a->no_builtin || a->gitleaks_config ? CF_OK : cf_content_rules_load_builtin(L->content, &report->errors);
    if (e == CF_ENOMEM) return -2;
    bad = bad || e;
    if (a->gitleaks_config) {
      e = cf_content_rules_load_gitleaks(L->content, a->gitleaks_config, &report->errors);
      if (e == CF_ENOMEM) return -2;
      bad = bad || e;
    }
    for (size_t i = 0; i < a->n_rule_dirs; i++) {
      /* The posture loader already said what is wrong with a missing folder. */
      cf_err e2 = cf_content_rules_load_dir(L->content, a->rule_dirs[i], (a->analyzers & A_POSTURE) ? NULL : &report->errors);
      if (e2 == CF_ENOMEM) return -2;
      bad = bad || e2;
    }
  }
  if (bad) {
    for (size_t i = 0; i < report->errors.len; i++) cli_print_diag(&report->errors.items[i]);
    cli_error("rules did not load; nothing was scanned");
    return EXIT_USAGE;
  }
  size_t total = 0;
  if (L->posture) {
    if (cf_ruleset_filter(L->posture, a->only, a->n_only, a->skip, a->n_skip)) return -2;
    total += cf_ruleset_count(L->posture);
  }
  if (L->content) {
    if (cf_content_rules_filter(L->content, a->only, a->n_only, a->skip, a->n_skip)) return -2;
    cf_err e = cf_content_rules_compile(L->content, &report->errors);
    if (e == CF_ENOMEM) return -2;
    if (e) {
      for (size_t i = 0; i < report->errors.len; i++) cli_print_diag(&report->errors.items[i]);
      cli_error("rules did not compile; nothing was scanned");
      return EXIT_USAGE;
    }
    total += cf_content_rules_count(L->content);
  }
  int crc = load_config_secrets(a, ctx, report, L);
  if (crc != -1) return crc;
  if (L->config && L->config != L->content) total += cf_content_rules_count(L->config);
  if (total == 0) {
    cli_error("no rule selected (check --rule, --skip-rule and --no-builtin-rules)");
    return EXIT_USAGE;
  }
  return -1;
}

/* Reads standard input whole: 0 read, 1 too large or unreadable (in report->errors), -1 out
 * of memory. */
static int read_stdin(unsigned long long max, char **out, size_t *out_len, cf_report_t *report) {
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  if (!buf) return -1;
  for (;;) {
    if (len == cap) {
      if (cap > max) break;
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        return -1;
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + len, 1, cap - len, stdin);
    len += got;
    if (got == 0) break;
  }
  if (ferror(stdin) || len > max) {
    free(buf);
    if (len > max)
      (void)cf_diags_add(&report->errors, CF_ELIMIT, "<stdin>", 0, 0, "input larger than --max-file-size (%llu bytes)", max);
    else
      (void)cf_diags_add(&report->errors, CF_EIO, "<stdin>", 0, 0, "cannot read standard input");
    return 1;
  }
  *out = buf;
  *out_len = len;
  return 0;
}

/* ---- one report for a secret found twice ----
 *
 * With posture's secrets pass and the secrets analyser on the same files, a secret in a
 * template's Lambda environment is found once with its resource and once more by the raw
 * scan of the file. The raw finding is dropped when a finding with a resource has the same
 * rule, file and line, or the same fingerprint (rule, file and the secret itself: the raw
 * scan also finds a decoded value, or the copies a Terraform plan repeats, elsewhere). */

static bool is_secret(const cf_finding_t *f) { return f->rule->analyzer && strcmp(f->rule->analyzer, "secrets") == 0; }

static int cmp_fp(const void *pa, const void *pb) {
  return strcmp((*(const cf_finding_t *const *)pa)->fingerprint, (*(const cf_finding_t *const *)pb)->fingerprint);
}

static int cmp_place(const void *pa, const void *pb) {
  const cf_finding_t *a = *(const cf_finding_t *const *)pa, *b = *(const cf_finding_t *const *)pb;
  int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
  if (c) return c;
  if (a->line != b->line) return a->line < b->line ? -1 : 1;
  return strcmp(a->rule->id, b->rule->id);
}

static int drop_raw_duplicates(cf_report_t *report) {
  size_t n = cf_findings_count(report->findings), m = 0;
  const cf_finding_t **cfg = malloc((n + 1) * sizeof(*cfg)), **by_place = malloc((n + 1) * sizeof(*by_place));
  bool *drop = calloc(n + 1, 1);
  cf_findings_t *kept = NULL;
  int rc = -1;
  if (!cfg || !by_place || !drop) goto out;
  for (size_t i = 0; i < n; i++) {
    const cf_finding_t *f = cf_findings_at(report->findings, i);
    if (is_secret(f) && f->resource) cfg[m++] = f;
  }
  rc = 0;
  if (!m) goto out;
  memcpy(by_place, cfg, m * sizeof(*cfg));
  qsort(cfg, m, sizeof(*cfg), cmp_fp);
  qsort(by_place, m, sizeof(*by_place), cmp_place);
  size_t n_drop = 0;
  for (size_t i = 0; i < n; i++) {
    const cf_finding_t *f = cf_findings_at(report->findings, i);
    if (!is_secret(f) || f->resource) continue;
    drop[i] = bsearch(&f, cfg, m, sizeof(*cfg), cmp_fp) || bsearch(&f, by_place, m, sizeof(*by_place), cmp_place);
    n_drop += drop[i];
  }
  if (!n_drop) goto out;
  rc = -1;
  if (!(kept = cf_findings_new())) goto out;
  for (size_t i = 0; i < n; i++)
    if (!drop[i] && cf_findings_add(kept, cf_findings_at(report->findings, i))) goto out;
  cf_findings_free(report->findings);
  report->findings = kept;
  kept = NULL;
  rc = 0;
out:
  cf_findings_free(kept);
  free(cfg);
  free(by_place);
  free(drop);
  return rc;
}

/* Runs the analysers; returns -1 to go on, or an exit code. */
static int run_analysers(const scan_args_t *a, cf_ctx_t *ctx, loaded_t *L, const char *const *paths, size_t n_paths,
                         cf_report_t *report) {
  progress_t prog;
  memset(&prog, 0, sizeof prog);
  const char *term = getenv("TERM");
  bool show_progress = !a->quiet && isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
  /* Posture runs for its rules, or for its secrets pass alone. */
  bool run_posture = L->posture && (cf_ruleset_count(L->posture) || L->config);
  bool both = run_posture && L->content && cf_content_rules_count(L->content);
  /* Standard input can be read once: with two analysers it is read here and handed to each. */
  char *stdin_buf = NULL;
  size_t stdin_len = 0;
  const char **rest = NULL;
  size_t n_rest = 0;
  bool has_stdin = false;
  int rc = -1;
  if (both) {
    rest = malloc((n_paths + 1) * sizeof(char *));
    if (!rest) return -2;
    for (size_t i = 0; i < n_paths; i++) {
      if (strcmp(paths[i], "-") == 0) has_stdin = true;
      else rest[n_rest++] = paths[i];
    }
    if (has_stdin) {
      int e = read_stdin(cf_ctx_limits(ctx)->max_file_size, &stdin_buf, &stdin_len, report);
      if (e < 0) {
        free(rest);
        return -2;
      }
      has_stdin = e == 0;
    }
    paths = rest;
    n_paths = n_rest;
  }
  uint64_t posture_files = 0;
  if (run_posture) {
    cf_posture_opts_t popts;
    memset(&popts, 0, sizeof popts);
    popts.unknown = a->unknown;
    popts.tf_var_files = a->tf_var_files;
    popts.n_tf_var_files = a->n_tf_var_files;
    popts.tf_vars = a->tf_vars;
    popts.n_tf_vars = a->n_tf_vars;
    popts.baseline = a->baseline;
    popts.no_inline_suppress = a->no_suppress;
    popts.threads = a->threads;
    /* Beside the content analysers, files posture does not recognise are theirs, not errors. */
    popts.only_recognised = both;
    popts.content_rules = L->config;
    popts.show_secrets = a->show_secrets;
    if (show_progress) {
      popts.progress = on_progress;
      popts.progress_ud = &prog;
    }
    cf_err e = n_paths ? cf_posture_scan(ctx, L->posture, paths, n_paths, &popts, report) : CF_OK;
    if (!e && has_stdin) e = cf_posture_scan_buffer(ctx, L->posture, "<stdin>", stdin_buf, stdin_len, &popts, report);
    if (e) {
      rc = e == CF_ENOMEM ? -2 : EXIT_USAGE;
      goto fail;
    }
    posture_files = report->files;
    report->files = 0;
  }
  if (L->content && cf_content_rules_count(L->content)) {
    cf_content_opts_t copts;
    memset(&copts, 0, sizeof copts);
    copts.show_secrets = a->show_secrets;
    copts.no_ignore = a->no_ignore;
    copts.git = a->git;
    copts.git_range = a->git_range;
    copts.max_depth = a->max_depth;
    copts.no_archives = a->no_archives;
    copts.decode_depth = a->decode_depth;
    copts.no_decode = a->no_decode;
    copts.threads = a->threads;
    copts.baseline = a->baseline;
    copts.gitleaks_ignore = a->gitleaks_ignore;
    copts.max_archive_bytes = a->max_archive_size;
    copts.no_inline_suppress = a->no_suppress;
    if (show_progress) {
      copts.progress = on_progress;
      copts.progress_ud = &prog;
    }
    cf_err e = n_paths ? cf_content_scan(ctx, L->content, paths, n_paths, &copts, report) : CF_OK;
    if (!e && has_stdin) e = cf_content_scan_buffer(ctx, L->content, "<stdin>", stdin_buf, stdin_len, &copts, report);
    if (!e && a->redact_dir) e = cf_content_redact(ctx, L->content, paths, n_paths, a->redact_dir, &copts, report);
    if (e) {
      rc = e == CF_ENOMEM ? -2 : EXIT_USAGE;
      goto fail;
    }
  }
  /* A file both analysers read counts once. */
  if (posture_files > report->files) report->files = posture_files;
  if (L->config && L->content && (a->analyzers & A_SECRETS) && drop_raw_duplicates(report)) {
    rc = -2;
    goto fail;
  }
  if (prog.on) fputs("\r\033[K", stderr);
  free(stdin_buf);
  free(rest);
  return -1;
fail:
  if (prog.on) fputs("\r\033[K", stderr);
  if (rc == EXIT_USAGE) {
    for (size_t i = 0; i < report->errors.len; i++) cli_print_diag(&report->errors.items[i]);
    if (a->baseline)
      cli_error("--baseline %s: not a baseline file (write one with 'cloudfort baseline'); nothing was reported", a->baseline);
    else
      cli_error("scan failed");
  }
  free(stdin_buf);
  free(rest);
  return rc;
}

static int write_baseline(const scan_args_t *a, cf_report_t *report, bool nothing_scanned) {
  /* There is no report to list them in: what could not be read goes to stderr. */
  for (size_t i = 0; i < report->errors.len; i++) cli_print_diag(&report->errors.items[i]);
  if (nothing_scanned) {
    /* An empty baseline would hide nothing and mislead; write none. */
    cli_error("baseline: no input could be scanned; %s was not written", a->output);
    return EXIT_USAGE;
  }
  cli_out_t out;
  if (!cli_out_open(&out, a->output)) return EXIT_USAGE;
  bool ok = cf_baseline_write(out.f, report) == CF_OK;
  if (!cli_out_close(&out, ok)) return EXIT_USAGE;
  if (!a->quiet) {
    size_t nf = 0;
    for (size_t i = 0; i < cf_findings_count(report->findings); i++)
      if (!cf_findings_at(report->findings, i)->suppressed) nf++;
    fprintf(stderr, "%s: wrote %zu fingerprint%s to %s\n", cli_prog, nf, nf == 1 ? "" : "s", a->output);
  }
  return EXIT_CLEAN;
}

static int write_report(const scan_args_t *a, cf_report_t *report, bool nothing_scanned) {
  /* Quiet prints nothing on stdout, but a report asked for with -o is still written. */
  if (!a->quiet || a->output) {
    cli_out_t out;
    if (!cli_out_open(&out, a->output)) return EXIT_USAGE;
    cf_err we;
    if (strcmp(a->format, "json") == 0) we = cf_report_write_json(out.f, report, a->show_suppressed);
    else if (strcmp(a->format, "sarif") == 0) we = cf_report_write_sarif(out.f, report);
    else if (strcmp(a->format, "gitleaks-json") == 0) we = cf_report_write_gitleaks(out.f, report);
    else {
      cf_text_opts_t to = {cli_use_color(out.f, a->no_color), a->show_suppressed, true};
      we = cf_report_write_text(out.f, report, &to);
    }
    if (!cli_out_close(&out, we == CF_OK)) {
      /* An I/O error was reported by cli_out_close; say what else went wrong. */
      if (we != CF_OK && we != CF_EIO) cli_error("could not write the report: %s", cf_strerror(we));
      return EXIT_USAGE;
    }
  }
  /* Quiet, or a report format without an errors section, still says what could not be read. */
  if (a->quiet || strcmp(a->format, "gitleaks-json") == 0)
    for (size_t i = 0; i < report->errors.len; i++) cli_print_diag(&report->errors.items[i]);
  if (nothing_scanned) {
    cli_error("no input could be scanned");
    return EXIT_USAGE;
  }
  return cf_report_count_at_least(report, a->fail_on) ? EXIT_FINDINGS : EXIT_CLEAN;
}

int cmd_scan(int argc, char **argv, const char *mode) {
  scan_args_t a;
  memset(&a, 0, sizeof a);
  a.mode = mode;
  a.analyzers = mode_analyzers(mode);
  a.format = "text";
  a.fail_on = CF_SEV_LOW;
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0) goto out;

  cf_ctx_t *ctx = cli_ctx_new();
  loaded_t L;
  memset(&L, 0, sizeof L);
  cf_report_t report;
  bool report_ok = false;
  if (!ctx || cf_report_init(&report)) {
    rc = -2;
    goto done;
  }
  report_ok = true;
  cf_ctx_set_log(ctx, log_cb, NULL, CF_LOG_WARN);
  if (a.have_now) cf_ctx_set_now(ctx, a.now);
  rc = load_rules(&a, ctx, &report, &L);
  if (rc != -1) goto done;
  /* --max-file-size is about the inputs: set it once the rules are loaded. */
  if (a.max_file_size) {
    cf_limits_t lim = *cf_ctx_limits(ctx);
    lim.max_file_size = a.max_file_size;
    cf_ctx_set_limits(ctx, &lim);
  }
  rc = run_analysers(&a, ctx, &L, (const char *const *)argv + optind, (size_t)(argc - optind), &report);
  if (rc != -1) goto done;
  cf_findings_sort(report.findings);
  bool nothing_scanned = no_input_scanned(&report);
  rc = strcmp(mode, "baseline") == 0 ? write_baseline(&a, &report, nothing_scanned)
                                     : write_report(&a, &report, nothing_scanned);
done:
  if (rc == -2) {
    cli_error("out of memory");
    rc = EXIT_USAGE;
  }
  cf_ruleset_free(L.posture);
  cf_content_rules_free(L.content);
  cf_content_rules_free(L.owned_config);
  if (report_ok) cf_report_cleanup(&report);
  cf_ctx_free(ctx);
out:
  free(a.rule_dirs);
  free(a.tf_vars);
  free(a.tf_var_files);
  free(a.only);
  free(a.skip);
  return rc;
}
