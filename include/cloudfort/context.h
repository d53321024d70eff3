/*
 * cloudfort/context.h - the library context: logging and limits.
 *
 * A cf_ctx_t carries what every analyser needs from its host: where log messages go and the
 * limits that keep hostile input bounded. The library never writes to stdout or stderr; it
 * calls the log callback, and checks the level before it formats anything.
 *
 * Thread safety: a context may be shared by threads once set up; the setters are not
 * thread-safe and must be called before the context is shared.
 */
#ifndef CLOUDFORT_CONTEXT_H
#define CLOUDFORT_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cf_log_level {
  CF_LOG_ERROR = 0,
  CF_LOG_WARN = 1,
  CF_LOG_INFO = 2,
  CF_LOG_DEBUG = 3
} cf_log_level;

/* Called with a formatted message (no trailing newline). The message is borrowed. */
typedef void (*cf_log_cb)(void *userdata, cf_log_level level, const char *message);

/* Limits on input. A zero field means "use the default" (see cf_limits_default). */
typedef struct cf_limits {
  uint64_t max_file_size;     /* bytes of one input file, after decompression (1 GiB) */
  uint32_t max_depth;         /* nesting of JSON and YAML values (512) */
  uint64_t max_nodes;         /* values in one document (50,000,000) */
  uint64_t max_alias_nodes;   /* values reachable through YAML aliases in one document (1,000,000) */
  uint32_t max_walk_depth;    /* directory levels below a scan root (64) */
  uint64_t max_files;         /* files in one scan (10,000,000) */
  uint64_t max_rule_size;     /* bytes of one rule file (1 MiB) */
} cf_limits_t;

/* Fills *l with the default limits. */
void cf_limits_default(cf_limits_t *l);

/* Progress of a scan: called after each input file (or as it is queued), from one thread. */
typedef void (*cf_progress_cb)(void *userdata, uint64_t files_done, const char *path);

typedef struct cf_ctx cf_ctx_t;

/* Creates a context with default limits and no log callback. Returns NULL when out of memory. */
cf_ctx_t *cf_ctx_new(void);
void cf_ctx_free(cf_ctx_t *ctx);
/* Sets the log callback and the most verbose level passed to it. cb may be NULL. */
void cf_ctx_set_log(cf_ctx_t *ctx, cf_log_cb cb, void *userdata, cf_log_level level);
/* Replaces the limits; zero fields take their default. */
void cf_ctx_set_limits(cf_ctx_t *ctx, const cf_limits_t *limits);
/* Borrowed pointer to the limits in force. */
const cf_limits_t *cf_ctx_limits(const cf_ctx_t *ctx);
/* The time rules compare ages against (seconds since the epoch). Defaults to the time the
 * context was made; tests pin it so that "older than 90 days" does not depend on the day. */
void cf_ctx_set_now(cf_ctx_t *ctx, int64_t unix_seconds);
/* A folder where compiled content rule databases are kept between runs (created when
 * missing), so that a run with the same rules skips compiling them; NULL or "" (the default)
 * keeps nothing. A cached database is used only when its checksum and the rules it was
 * compiled from match; anything else is compiled afresh. Returns false when out of memory. */
bool cf_ctx_set_cache_dir(cf_ctx_t *ctx, const char *dir);
int64_t cf_ctx_now(const cf_ctx_t *ctx);

/* Parses an RFC 3339 / ISO 8601 time ("2025-01-31T00:00:00Z", offsets and fractions allowed,
 * or a date alone) into seconds since the epoch. Returns false when s is not such a time. */
bool cf_parse_time(const char *s, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif
