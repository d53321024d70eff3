/*
 * cli.h - what the subcommands of the cloudfort binary share. The CLI includes public
 * headers only: it parses arguments, calls the library and prints.
 */
#ifndef CF_CLI_H
#define CF_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cloudfort/cloudfort.h"

/* Exit codes (stable; documented in the man page and README). */
enum {
  EXIT_CLEAN = 0,    /* no finding at or above --fail-on */
  EXIT_FINDINGS = 1, /* findings at or above --fail-on */
  EXIT_USAGE = 2     /* bad arguments, unreadable rules, or nothing could be scanned */
};

extern const char *cli_prog;

/* Prints "cloudfort: message" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes s with control characters (C0, DEL, C1) replaced by '?': names and messages that
 * come from scanned files must not drive the terminal. */
void cli_put_safe(FILE *f, const char *s);
/* Prints "cloudfort: FILE:LINE:COLUMN: message" to stderr, leaving out what is unknown. */
void cli_print_diag(const cf_diag_t *d);
/* Whether colour should be used on this stream (a terminal, NO_COLOR unset, not disabled). */
bool cli_use_color(FILE *f, bool disabled);
/* A new context whose compiled content rules are cached in $CLOUDFORT_CACHE_DIR, else
 * $XDG_CACHE_HOME/cloudfort, else ~/.cache/cloudfort (CLOUDFORT_CACHE_DIR set but empty: no
 * cache). NULL when out of memory. */
cf_ctx_t *cli_ctx_new(void);
/* Parses "10", "64K", "1M", "2G" into bytes. */
bool cli_parse_size(const char *s, unsigned long long *out);

/*
 * Output that is written whole or not at all: to stdout, or to a temporary file next to
 * `path` that is renamed over it on success.
 */
typedef struct cli_out {
  FILE *f;
  char *path;
  char *tmp;
  bool direct; /* a device or pipe, written in place */
} cli_out_t;
bool cli_out_open(cli_out_t *o, const char *path);
/* Opening prints why it failed. Closing renames the temporary into place when ok is true and
 * everything was written; otherwise it removes the temporary. Returns false when ok was false
 * or the output could not be written (and says why on stderr in that case). */
bool cli_out_close(cli_out_t *o, bool ok);

int cmd_scan(int argc, char **argv, const char *mode);
int cmd_rules(int argc, char **argv);
int cmd_url_check(int argc, char **argv);
int cmd_egress(int argc, char **argv);

#endif
