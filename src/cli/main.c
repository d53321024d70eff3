/*
 * main.c - the cloudfort command: global options, subcommand dispatch and the helpers every
 * subcommand shares (errors, colour, sizes, all-or-nothing output files).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char *cli_prog = "cloudfort";

void cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", cli_prog);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

bool cli_use_color(FILE *f, bool disabled) {
  if (disabled) return false;
  const char *nc = getenv("NO_COLOR");
  if (nc && *nc) return false;
  const char *term = getenv("TERM");
  if (term && strcmp(term, "dumb") == 0) return false;
  return isatty(fileno(f));
}

bool cli_parse_size(const char *s, unsigned long long *out) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s) return false;
  unsigned long long mul = 1;
  if (*end == 'K' || *end == 'k') mul = 1ull << 10, end++;
  else if (*end == 'M' || *end == 'm') mul = 1ull << 20, end++;
  else if (*end == 'G' || *end == 'g') mul = 1ull << 30, end++;
  if (*end == 'B' || *end == 'b') end++;
  if (*end || v == 0 || v > (~0ull) / mul) return false;
  *out = v * mul;
  return true;
}

bool cli_out_open(cli_out_t *o, const char *path) {
  memset(o, 0, sizeof(*o));
  if (!path || strcmp(path, "-") == 0) {
    o->f = stdout;
    return true;
  }
  size_t n = strlen(path) + 32;
  o->path = strdup(path);
  o->tmp = malloc(n);
  if (!o->path || !o->tmp) return false;
  snprintf(o->tmp, n, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    cli_error("cannot write %s: %s", path, strerror(errno));
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    return false;
  }
  o->f = fdopen(fd, "w");
  if (!o->f) {
    close(fd);
    unlink(o->tmp);
    return false;
  }
  return true;
}

bool cli_out_close(cli_out_t *o, bool ok) {
  if (!o->f) return false;
  if (o->f == stdout) {
    ok = fflush(stdout) == 0 && ok;
    return ok;
  }
  ok = fflush(o->f) == 0 && !ferror(o->f) && ok;
  ok = fclose(o->f) == 0 && ok;
  if (ok && rename(o->tmp, o->path) != 0) {
    cli_error("cannot write %s: %s", o->path, strerror(errno));
    ok = false;
  }
  if (!ok) unlink(o->tmp);
  free(o->path);
  free(o->tmp);
  memset(o, 0, sizeof(*o));
  return ok;
}

static void usage(FILE *f) {
  fprintf(f,
          "Usage: cloudfort [--version] [--help] <command> [options] [PATH...]\n"
          "\n"
          "Finds the root causes of cloud breaches before an attacker does.\n"
          "\n"
          "Commands:\n"
          "  scan       scan PATHs with every analyser that applies (one report)\n"
          "  posture    misconfigurations in CloudFormation, Terraform plans, AWS Config\n"
          "             snapshots, saved aws CLI output, IAM credential reports, Kubernetes\n"
          "             manifests and ARM templates\n"
          "  baseline   write the fingerprints of today's findings, to suppress them later\n"
          "  rules      list the rules (rules list) or run their fixtures (rules test)\n"
          "  version    print the version\n"
          "\n"
          "Run 'cloudfort <command> --help' for a command's options.\n"
          "Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or input error.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    if (argc > 2 && strcmp(cmd, "help") == 0) {
      char *args[] = {argv[2], "--help", NULL};
      return strcmp(argv[2], "rules") == 0 ? cmd_rules(2, args) : cmd_scan(2, args, argv[2]);
    }
    usage(stdout);
    return EXIT_CLEAN;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0) {
    printf("cloudfort %s\n", cf_version());
    return EXIT_CLEAN;
  }
  if (strcmp(cmd, "scan") == 0 || strcmp(cmd, "posture") == 0 || strcmp(cmd, "baseline") == 0)
    return cmd_scan(argc - 1, argv + 1, cmd);
  if (strcmp(cmd, "rules") == 0) return cmd_rules(argc - 1, argv + 1);
  cli_error("unknown command '%s' (see 'cloudfort --help')", cmd);
  return EXIT_USAGE;
}
