/*
 * cloudfort/error.h - error codes and diagnostics.
 *
 * Every library function that can fail returns a cf_err. The codes are few on purpose; the
 * detail of what went wrong (which file, line and column, what was expected) goes into a
 * caller-owned cf_diag_t. Codes are generated from one list so that names and messages can
 * never drift apart; values are appended, never renumbered.
 *
 * Thread safety: everything here is thread-safe (no shared state).
 */
#ifndef CLOUDFORT_ERROR_H
#define CLOUDFORT_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CF_MUST_CHECK __attribute__((warn_unused_result))
#define CF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CF_MUST_CHECK
#define CF_PRINTF(a, b)
#endif

/* X(name, message). Append only. */
#define CF_ERR_MAP(X)                                              \
  X(OK, "success")                                                 \
  X(ENOMEM, "out of memory")                                       \
  X(EINVAL, "invalid argument")                                    \
  X(EIO, "input/output error")                                     \
  X(EPARSE, "parse error")                                         \
  X(ELIMIT, "limit exceeded")                                      \
  X(ENOTFOUND, "not found")                                        \
  X(EUNSUPPORTED, "unsupported input")                             \
  X(ERULE, "invalid rule")

typedef enum cf_err {
#define CF_ERR_ENUM(name, msg) CF_##name,
  CF_ERR_MAP(CF_ERR_ENUM)
#undef CF_ERR_ENUM
  CF_ERR__COUNT
} cf_err;

/* Returns a static message for an error code ("unknown error" for values out of range). */
const char *cf_strerror(cf_err err);
/* Returns the code's name without prefix, such as "EPARSE". */
const char *cf_err_name(cf_err err);

/*
 * A diagnostic: where a problem is and what it is. Caller-owned storage; the strings it holds
 * are owned by the diagnostic and released by cf_diag_cleanup(). line and column are 1-based;
 * 0 means unknown.
 */
typedef struct cf_diag {
  cf_err code;
  char *file;    /* may be NULL */
  uint32_t line;
  uint32_t column;
  char *message; /* may be NULL */
  bool partial;  /* a warning: the input was read and scanned, but not all of it (an archive
                    stopped at a limit, a history entry that could not be read) */
} cf_diag_t;

void cf_diag_init(cf_diag_t *d);
void cf_diag_cleanup(cf_diag_t *d);
/* Records a problem, replacing what the diagnostic held. d may be NULL (then nothing is
 * recorded). Returns code, so that callers can write `return cf_diag_set(d, CF_EPARSE, ...)`. */
cf_err cf_diag_set(cf_diag_t *d, cf_err code, const char *file, uint32_t line, uint32_t column,
                   const char *fmt, ...) CF_PRINTF(6, 7);

/*
 * A growable list of diagnostics (the "errors" of a report). Caller-owned storage.
 * cf_diags_add copies its strings; it returns CF_ENOMEM when it cannot. Recording a
 * diagnostic is best effort, so these are not marked must-check.
 */
typedef struct cf_diags {
  cf_diag_t *items;
  size_t len;
  size_t cap;
} cf_diags_t;

void cf_diags_init(cf_diags_t *l);
void cf_diags_cleanup(cf_diags_t *l);
cf_err cf_diags_add(cf_diags_t *l, cf_err code, const char *file, uint32_t line,
                    uint32_t column, const char *fmt, ...) CF_PRINTF(6, 7);
/* Moves a diagnostic into the list (the diagnostic is left empty). */
cf_err cf_diags_adopt(cf_diags_t *l, cf_diag_t *d);

#ifdef __cplusplus
}
#endif
#endif
