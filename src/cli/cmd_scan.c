/*
 * cmd_scan.c - `cloudfort scan`, `cloudfort posture` and `cloudfort baseline`.
 *
 * All three load the rules, scan the paths and then print a report (scan, posture) or write
 * a baseline of fingerprints (baseline). Exit codes: 0 when no unsuppressed finding is at or
 * above --fail-on, 1 when one is, 2 when the arguments are wrong, a rule or the baseline does
 * not load, the report cannot be written, or no input could be scanned at all (every input
 * was missing, unreadable or invalid). An unreadable file among readable ones is reported in
 * the report's errors and does not change the exit code. Reports and baselines are written
 * whole or not at all (cli_out_t).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

typedef struct scan_args {
  const char *format;
  const char *output;
  cf_severity fail_on;
  const char **rule_dirs;
  size_t n_rule_dirs;
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
} scan_args_t;

static void scan_usage(FILE *f, const char *mode) {
  bool base = strcmp(mode, "baseline") == 0;
  fprintf(f, "Usage: cloudfort %s [options] PATH...\n\n", mode);
  if (strcmp(mode, "scan") == 0)
    fputs("Scans files and directories with every analyser that applies and prints one report.\n", f);
  else if (strcmp(mode, "posture") == 0)
    fputs("Finds misconfigurations in infrastructure code and exported cloud configuration:\n"
          "CloudFormation (YAML/JSON), Terraform plan JSON (terraform show -json), AWS Config\n"
          "snapshots and history files (plain or .gz), saved aws CLI output, IAM credential\n"
          "reports, Kubernetes manifests and ARM templates.\n", f);
  else
    fputs("Writes the fingerprints of the current findings to a file; later scans given\n"
          "--baseline FILE report only what is new.\n", f);
  fputs("PATH may be a file, a directory (walked recursively, .git skipped, links followed\n"
        "only inside it) or - for standard input.\n\nOptions:\n", f);
  if (!base)
    fputs("  -f, --format FMT        text (default), json or sarif\n", f);
  fprintf(f, "  -o, --output FILE       write to FILE (whole or not at all)%s\n", base ? "; required" : "");
  if (!base)
    fputs("      --fail-on SEV       exit 1 when a finding at or above SEV remains: critical, high,\n"
          "                          medium, low (default) or info\n", f);
  fputs("      --rules DIR         also load the rules in DIR (repeatable)\n"
        "      --no-builtin-rules  do not load the shipped rules\n"
        "      --rule ID           run only rules whose id matches ID (glob; repeatable)\n"
        "      --skip-rule ID      do not run rules whose id matches ID (glob; repeatable)\n"
        "      --baseline FILE     suppress findings whose fingerprints FILE lists\n"
        "      --unknown MODE      values known only after deployment: pass (default, no\n"
        "                          finding), fail (report as a finding) or report (list them\n"
        "                          without failing)\n"
        "      --no-suppress       ignore inline, Metadata and annotation suppressions\n", f);
  if (!base) fputs("      --show-suppressed   list suppressed findings too\n", f);
  fputs("      --max-file-size N   largest input file after decompression (default 1G; K, M, G)\n"
        "      --now TIME          judge ages (key rotation) as of TIME (RFC 3339)\n"
        "  -j, --threads N         threads evaluating large AWS Config snapshots (default: one\n"
        "                          per CPU)\n", f);
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
  fprintf(stderr, "\r\033[K%llu files  %s%s", (unsigned long long)files, n > 60 ? "..." : "", tail);
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
  size_t bad = 0;
  for (size_t i = 0; i < r->errors.len; i++) {
    const char *f = r->errors.items[i].file;
    bool seen = false;
    for (size_t k = 0; f && k < i && !seen; k++) seen = r->errors.items[k].file && strcmp(r->errors.items[k].file, f) == 0;
    if (f && !seen) bad++;
  }
  return bad >= r->files;
}

int cmd_scan(int argc, char **argv, const char *mode) {
  bool baseline_mode = strcmp(mode, "baseline") == 0;
  scan_args_t a;
  memset(&a, 0, sizeof a);
  a.format = "text";
  a.fail_on = CF_SEV_LOW;
  enum { O_FAIL_ON = 256, O_RULES, O_NO_BUILTIN, O_RULE, O_SKIP, O_BASELINE, O_UNKNOWN,
         O_NO_SUPPRESS, O_SHOW_SUPP, O_MAXSIZE, O_NOW, O_NO_COLOR, O_THREADS };
  static const struct option longopts[] = {
      {"format", required_argument, 0, 'f'},   {"output", required_argument, 0, 'o'},
      {"fail-on", required_argument, 0, O_FAIL_ON}, {"rules", required_argument, 0, O_RULES},
      {"no-builtin-rules", no_argument, 0, O_NO_BUILTIN}, {"rule", required_argument, 0, O_RULE},
      {"skip-rule", required_argument, 0, O_SKIP}, {"baseline", required_argument, 0, O_BASELINE},
      {"unknown", required_argument, 0, O_UNKNOWN}, {"no-suppress", no_argument, 0, O_NO_SUPPRESS},
      {"show-suppressed", no_argument, 0, O_SHOW_SUPP}, {"max-file-size", required_argument, 0, O_MAXSIZE},
      {"now", required_argument, 0, O_NOW}, {"no-color", no_argument, 0, O_NO_COLOR},
      {"threads", required_argument, 0, 'j'},
      {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  int rc = EXIT_USAGE, c;
  optind = 1;
  opterr = 0;
  /* The leading ':' makes getopt tell a missing value (':') from an unknown option ('?'). */
  while ((c = getopt_long(argc, argv, ":f:o:j:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'f':
      if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "sarif")) {
        cli_error("--format: expected text, json or sarif, got '%s'", optarg);
        goto out;
      }
      a.format = optarg;
      break;
    case 'o': a.output = optarg; break;
    case O_FAIL_ON:
      if (!cf_severity_parse(optarg, &a.fail_on)) {
        cli_error("--fail-on: expected critical, high, medium, low or info, got '%s'", optarg);
        goto out;
      }
      break;
    case O_RULES:
      if (!push(&a.rule_dirs, &a.n_rule_dirs, optarg)) goto oom;
      break;
    case O_NO_BUILTIN: a.no_builtin = true; break;
    case O_RULE:
      if (!push(&a.only, &a.n_only, optarg)) goto oom;
      break;
    case O_SKIP:
      if (!push(&a.skip, &a.n_skip, optarg)) goto oom;
      break;
    case O_BASELINE: a.baseline = optarg; break;
    case O_UNKNOWN:
      if (strcmp(optarg, "pass") == 0) a.unknown = CF_UNKNOWN_PASS;
      else if (strcmp(optarg, "fail") == 0) a.unknown = CF_UNKNOWN_FAIL;
      else if (strcmp(optarg, "report") == 0) a.unknown = CF_UNKNOWN_REPORT;
      else {
        cli_error("--unknown: expected pass, fail or report, got '%s'", optarg);
        goto out;
      }
      break;
    case O_NO_SUPPRESS: a.no_suppress = true; break;
    case O_SHOW_SUPP: a.show_suppressed = true; break;
    case O_MAXSIZE:
      if (!cli_parse_size(optarg, &a.max_file_size)) {
        cli_error("--max-file-size: expected a size such as 512M or 2G, got '%s'", optarg);
        goto out;
      }
      break;
    case O_NOW: {
      if (!cf_parse_time(optarg, &a.now)) {
        cli_error("--now: expected an RFC 3339 time such as 2025-01-31T00:00:00Z, got '%s'", optarg);
        goto out;
      }
      a.have_now = true;
      break;
    }
    case O_NO_COLOR: a.no_color = true; break;
    case 'j': {
      char *end = NULL;
      unsigned long v = strtoul(optarg, &end, 10);
      if (!*optarg || *end || v < 1 || v > 64) {
        cli_error("--threads: expected a number from 1 to 64, got '%s'", optarg);
        goto out;
      }
      a.threads = (unsigned)v;
      break;
    }
    case 'q': a.quiet = true; break;
    case 'h':
      scan_usage(stdout, mode);
      rc = EXIT_CLEAN;
      goto out;
    case ':':
      cli_error("option '%s' needs a value (see 'cloudfort %s --help')", argv[optind - 1], mode);
      goto out;
    default:
      if (optopt > 0 && optopt < 256) cli_error("unknown option '-%c' (see 'cloudfort %s --help')", optopt, mode);
      else cli_error("unknown option '%s' (see 'cloudfort %s --help')", argv[optind - 1], mode);
      goto out;
    }
  }
  if (optind >= argc) {
    cli_error("%s: no PATH given (see 'cloudfort %s --help')", mode, mode);
    goto out;
  }
  if (baseline_mode && !a.output) {
    cli_error("baseline: --output FILE is required");
    goto out;
  }

  cf_ctx_t *ctx = cf_ctx_new();
  cf_ruleset_t *rs = NULL;
  cf_report_t report;
  bool report_ok = false;
  if (!ctx) goto oom;
  cf_ctx_set_log(ctx, log_cb, NULL, CF_LOG_WARN);
  if (a.have_now) cf_ctx_set_now(ctx, a.now);
  if (cf_report_init(&report)) {
    cf_ctx_free(ctx);
    goto oom;
  }
  report_ok = true;
  bool rules_bad = false;
  if (cf_ruleset_new(ctx, &rs)) goto oom2;
  if (!a.no_builtin) {
    cf_err e = cf_ruleset_load_builtin(rs, &report.errors);
    if (e == CF_ENOMEM) goto oom2;
    rules_bad = rules_bad || e;
  }
  for (size_t i = 0; i < a.n_rule_dirs; i++) {
    cf_err e = cf_ruleset_load_dir(rs, a.rule_dirs[i], &report.errors);
    if (e == CF_ENOMEM) goto oom2;
    rules_bad = rules_bad || e;
  }
  if (rules_bad) {
    for (size_t i = 0; i < report.errors.len; i++) cli_print_diag(&report.errors.items[i]);
    cli_error("rules did not load; nothing was scanned");
    rc = EXIT_USAGE;
    goto done;
  }
  /* --max-file-size is about the inputs: set it once the rules are loaded. */
  if (a.max_file_size) {
    cf_limits_t lim = *cf_ctx_limits(ctx);
    lim.max_file_size = a.max_file_size;
    cf_ctx_set_limits(ctx, &lim);
  }
  if (cf_ruleset_filter(rs, a.only, a.n_only, a.skip, a.n_skip)) goto oom2;
  if (cf_ruleset_count(rs) == 0) {
    cli_error("no rule selected (check --rule, --skip-rule and --no-builtin-rules)");
    rc = EXIT_USAGE;
    goto done;
  }

  progress_t prog;
  memset(&prog, 0, sizeof prog);
  cf_posture_opts_t popts;
  memset(&popts, 0, sizeof popts);
  popts.unknown = a.unknown;
  popts.baseline = a.baseline;
  popts.no_inline_suppress = a.no_suppress;
  popts.threads = a.threads;
  const char *term = getenv("TERM");
  if (!a.quiet && isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0)) {
    popts.progress = on_progress;
    popts.progress_ud = &prog;
  }
  cf_err e = cf_posture_scan(ctx, rs, (const char *const *)argv + optind, (size_t)(argc - optind), &popts, &report);
  if (prog.on) fputs("\r\033[K", stderr);
  if (e == CF_ENOMEM) goto oom2;
  if (e) {
    for (size_t i = 0; i < report.errors.len; i++) cli_print_diag(&report.errors.items[i]);
    if (e == CF_EINVAL && a.baseline)
      cli_error("--baseline %s: not a baseline file (write one with 'cloudfort baseline'); nothing was reported", a.baseline);
    else
      cli_error("scan failed: %s", cf_strerror(e));
    rc = EXIT_USAGE;
    goto done;
  }
  cf_findings_sort(report.findings);
  bool nothing_scanned = no_input_scanned(&report);

  if (baseline_mode) {
    /* There is no report to list them in: what could not be read goes to stderr. */
    for (size_t i = 0; i < report.errors.len; i++) cli_print_diag(&report.errors.items[i]);
    if (nothing_scanned) {
      /* An empty baseline would hide nothing and mislead; write none. */
      cli_error("baseline: no input could be scanned; %s was not written", a.output);
      rc = EXIT_USAGE;
      goto done;
    }
    cli_out_t out;
    if (!cli_out_open(&out, a.output)) {
      rc = EXIT_USAGE;
      goto done;
    }
    bool ok = cf_baseline_write(out.f, &report) == CF_OK;
    if (!cli_out_close(&out, ok)) {
      rc = EXIT_USAGE;
      goto done;
    }
    if (!a.quiet) {
      size_t nf = 0;
      for (size_t i = 0; i < cf_findings_count(report.findings); i++)
        if (!cf_findings_at(report.findings, i)->suppressed) nf++;
      fprintf(stderr, "%s: wrote %zu fingerprint%s to %s\n", cli_prog, nf, nf == 1 ? "" : "s", a.output);
    }
    rc = EXIT_CLEAN;
    goto done;
  }

  /* Quiet prints nothing on stdout, but a report asked for with -o is still written. */
  if (!a.quiet || a.output) {
    cli_out_t out;
    if (!cli_out_open(&out, a.output)) {
      rc = EXIT_USAGE;
      goto done;
    }
    cf_err we;
    if (strcmp(a.format, "json") == 0) we = cf_report_write_json(out.f, &report, a.show_suppressed);
    else if (strcmp(a.format, "sarif") == 0) we = cf_report_write_sarif(out.f, &report);
    else {
      cf_text_opts_t to = {cli_use_color(out.f, a.no_color), a.show_suppressed, true};
      we = cf_report_write_text(out.f, &report, &to);
    }
    if (!cli_out_close(&out, we == CF_OK)) {
      /* An I/O error was reported by cli_out_close; say what else went wrong. */
      if (we != CF_OK && we != CF_EIO) cli_error("could not write the report: %s", cf_strerror(we));
      rc = EXIT_USAGE;
      goto done;
    }
  }
  if (a.quiet) {
    /* Quiet still says what could not be read, on stderr. */
    for (size_t i = 0; i < report.errors.len; i++) cli_print_diag(&report.errors.items[i]);
  }
  if (nothing_scanned) {
    cli_error("no input could be scanned");
    rc = EXIT_USAGE;
  } else rc = cf_report_count_at_least(&report, a.fail_on) ? EXIT_FINDINGS : EXIT_CLEAN;
  goto done;

oom2:
  cli_error("out of memory");
  rc = EXIT_USAGE;
done:
  cf_ruleset_free(rs);
  if (report_ok) cf_report_cleanup(&report);
  cf_ctx_free(ctx);
  goto out;
oom:
  cli_error("out of memory");
  rc = EXIT_USAGE;
out:
  free(a.rule_dirs);
  free(a.only);
  free(a.skip);
  return rc;
}
