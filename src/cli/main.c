/*
 * main.c - the cloudfort command: global options, subcommand dispatch and the helpers every
 * subcommand shares (errors, colour, sizes, all-or-nothing output files).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

void cli_put_safe(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
    /* C0 controls, DEL and the C1 controls (U+0080..U+009F, two bytes in UTF-8). */
    if (*p < 0x20 || *p == 0x7f) fputc('?', f);
    else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) fputc('?', f), p++;
    else fputc(*p, f);
  }
}

void cli_print_diag(const cf_diag_t *d) {
  fprintf(stderr, "%s: ", cli_prog);
  if (d->file) {
    cli_put_safe(stderr, d->file);
    if (d->line) fprintf(stderr, ":%u", d->line);
    if (d->line && d->column) fprintf(stderr, ":%u", d->column);
    fputs(": ", stderr);
  }
  cli_put_safe(stderr, d->message ? d->message : cf_strerror(d->code));
  fputc('\n', stderr);
}

cf_ctx_t *cli_ctx_new(void) {
  cf_ctx_t *ctx = cf_ctx_new();
  if (!ctx) return NULL;
  const char *dir = getenv("CLOUDFORT_CACHE_DIR");
  char buf[4096];
  buf[0] = '\0';
  if (dir) {
    snprintf(buf, sizeof buf, "%s", dir);
  } else if ((dir = getenv("XDG_CACHE_HOME")) && dir[0] == '/') {
    snprintf(buf, sizeof buf, "%s/cloudfort", dir);
  } else if ((dir = getenv("HOME")) && dir[0] == '/') {
    /* ~/.cache itself may be missing: make it, as other programs would. */
    snprintf(buf, sizeof buf, "%s/.cache", dir);
    (void)mkdir(buf, 0700);
    snprintf(buf, sizeof buf, "%s/.cache/cloudfort", dir);
  }
  if (!cf_ctx_set_cache_dir(ctx, buf)) {
    cf_ctx_free(ctx);
    return NULL;
  }
  return ctx;
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
  /* A device, pipe or socket (/dev/null, /dev/stdout, a FIFO) is written as it is: renaming
   * a temporary file over it would replace the device with a regular file. Only regular
   * files (or new names) are written whole-or-not-at-all. */
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) {
      cli_error("cannot write %s: is a directory", path);
      return false;
    }
    if (!(o->f = fopen(path, "w"))) {
      cli_error("cannot write %s: %s", path, strerror(errno));
      return false;
    }
    o->direct = true;
    return true;
  }
  size_t n = strlen(path) + 32;
  o->path = strdup(path);
  o->tmp = malloc(n);
  if (!o->path || !o->tmp) {
    cli_error("out of memory");
    goto fail;
  }
  /* mkstemp's template: six X characters after the prefix, replaced by a unique suffix. */
  int k = snprintf(o->tmp, n, "%s.tmp.", path);
  memset(o->tmp + k, 'X', 6);
  o->tmp[k + 6] = '\0';
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    cli_error("cannot write %s: %s", path, strerror(errno));
    goto fail;
  }
  /* mkstemp creates the file 0600; a report gets the mode any new file would get. */
  mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "w"))) {
    cli_error("cannot write %s: %s", path, strerror(errno));
    close(fd);
    unlink(o->tmp);
    goto fail;
  }
  return true;
fail:
  free(o->path);
  free(o->tmp);
  memset(o, 0, sizeof(*o));
  return false;
}

bool cli_out_close(cli_out_t *o, bool ok) {
  if (!o->f) return false;
  const char *name = o->path ? o->path : "standard output";
  bool io_ok = fflush(o->f) == 0 && !ferror(o->f);
  int err = errno;
  if (o->f != stdout) {
    if (fclose(o->f) != 0 && io_ok) {
      io_ok = false;
      err = errno;
    }
    if (o->direct) {
      /* written in place: nothing to rename or remove */
    } else if (ok && io_ok && rename(o->tmp, o->path) != 0) {
      io_ok = false;
      err = errno;
    }
    if (!o->direct && (!ok || !io_ok)) unlink(o->tmp);
  }
  if (!io_ok) cli_error("cannot write %s: %s", name, strerror(err ? err : EIO));
  free(o->path);
  free(o->tmp);
  memset(o, 0, sizeof(*o));
  return ok && io_ok;
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
          "  secrets    credentials in files, archives, encoded blobs and git history\n"
          "  dlp        personal data (cards, IBANs, national IDs, phones, email, passports)\n"
          "  baseline   write the fingerprints of today's findings, to suppress them later\n"
          "  url-check  judge URLs against an egress policy (SSRF: metadata, private and\n"
          "             loopback addresses in any spelling)\n"
          "  rules      list the rules (rules list) or run their fixtures (rules test)\n"
          "  egress     run the egress forward proxy that enforces an egress policy\n"
          "  version    print the version\n"
          "\n"
          "Run 'cloudfort <command> --help' or 'cloudfort help <command>' for a command's options.\n"
          "Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or input error.\n");
}

static bool is_scan_command(const char *c) {
  return strcmp(c, "scan") == 0 || strcmp(c, "posture") == 0 || strcmp(c, "secrets") == 0 ||
         strcmp(c, "dlp") == 0 || strcmp(c, "baseline") == 0;
}

static int version_command(int argc, char **argv) {
  if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs("Usage: cloudfort version (also --version, -V)\n\nPrints the version.\n", stdout);
    return EXIT_CLEAN;
  }
  printf("cloudfort %s\n", cf_version());
  return EXIT_CLEAN;
}

static int run(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    if (argc > 2 && strcmp(cmd, "help") == 0) {
      const char *topic = argv[2];
      char *args[] = {argv[2], "--help", NULL};
      if (is_scan_command(topic)) return cmd_scan(2, args, topic);
      if (strcmp(topic, "rules") == 0) return cmd_rules(2, args);
      if (strcmp(topic, "url-check") == 0) return cmd_url_check(2, args);
      if (strcmp(topic, "egress") == 0) return cmd_egress(2, args);
      if (strcmp(topic, "version") == 0) return version_command(2, args);
      if (strcmp(topic, "help") != 0) {
        cli_error("help: unknown command '%s' (see 'cloudfort --help')", topic);
        return EXIT_USAGE;
      }
    }
    usage(stdout);
    return EXIT_CLEAN;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0)
    return version_command(argc - 1, argv + 1);
  if (is_scan_command(cmd)) return cmd_scan(argc - 1, argv + 1, cmd);
  if (strcmp(cmd, "rules") == 0) return cmd_rules(argc - 1, argv + 1);
  if (strcmp(cmd, "url-check") == 0) return cmd_url_check(argc - 1, argv + 1);
  if (strcmp(cmd, "egress") == 0) return cmd_egress(argc - 1, argv + 1);
  cli_error("unknown command '%s' (see 'cloudfort --help')", cmd);
  return EXIT_USAGE;
}

int main(int argc, char **argv) {
  int rc = run(argc, argv);
  /* Output that never reached its reader (a full disk, a closed pipe) is a failure, as in
   * coreutils' close_stdout. Commands that already failed have said why. */
  if (rc != EXIT_USAGE && (fflush(stdout) != 0 || ferror(stdout))) {
    cli_error("cannot write standard output: %s", strerror(errno));
    return EXIT_USAGE;
  }
  return rc;
}
