/*
 * egress_internal.h - what the egress files share: the URL parser's host canonicaliser (the
 * policy runs its host names through it, so that a name is compared in the form a URL would
 * take), address helpers and the metadata names. Not installed.
 */
#ifndef CF_EGRESS_INTERNAL_H
#define CF_EGRESS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cloudfort/egress.h"

#define CF_URL_MAX_LEN 8192u  /* bytes of one URL */
#define CF_URL_MAX_NAME 253u  /* bytes of a host name in ASCII, without a trailing dot */

/*
 * cf_url_parse without a heap diagnostic: the reason for a failure is written into why
 * (why_size bytes, always NUL-terminated; why may be NULL). The URL check uses it so that a
 * denial costs no allocation.
 */
cf_err cf__egress_url_parse(const char *url, size_t len, cf_url_t *out, char *why, size_t why_size);

/*
 * Canonicalises a host written as in a URL's authority (no brackets around IPv6 here unless
 * bracketed is set; no port): percent-decoding, IDNA, the IPv4 number parser. host_out
 * receives the serialized host (256 bytes), kind and addr as in cf_url_t. Errors as
 * cf__egress_url_parse.
 */
cf_err cf__egress_url_host(const char *in, size_t n, bool bracketed, char host_out[256],
                           cf_url_host_kind *kind, uint8_t addr[16], bool *trailing_dot, char *why,
                           size_t why_size);

/* Writes an IPv6 address in the WHATWG / RFC 5952 form (lower case, the longest run of two
 * or more zero pieces compressed) into out (at least 40 bytes). */
void cf__egress_ipv6_format(const uint8_t a[16], char *out, size_t n);

/* Reads a policy or credentials file within the rule-size limit; a missing file or a folder is
 * CF_EIO (egress_policy.c). */
cf_err cf__egress_read_file(const cf_ctx_t *ctx, const char *path, char **buf, size_t *len, cf_diag_t *diag);

/* ---- credentials (egress_auth.c) ---- */

struct cf__creds;
struct cf_arena;
/* Loads a USER:HASH file into arena. Errors carry path and line: CF_EPARSE, CF_ELIMIT, CF_EIO,
 * CF_ENOMEM. */
cf_err cf__egress_creds_load(struct cf_arena *arena, const cf_ctx_t *ctx, const char *path,
                             struct cf__creds **out, cf_diag_t *diag);
/* Parses the lines of such a file from buf[0..len) (written to: lines are cut in place; one
 * byte past len must be writable). path names it in diagnostics. */
cf_err cf__egress_creds_parse(struct cf_arena *arena, char *buf, size_t len, const char *path,
                              struct cf__creds **out, cf_diag_t *diag);
/* Whether user is in the file. */
bool cf__egress_creds_has(const struct cf__creds *c, const char *user);
/* Checks a password (thread-safe; as slow as the stored hash). */
cf_egress_auth cf__egress_creds_check(const struct cf__creds *c, const char *user, const char *password);

/* Writes an IPv4 address in dotted decimal into out. */
void cf__egress_ipv4_format(const uint8_t a[4], char out[16]);

/* Whether name (lower case ASCII, no trailing dot) is a cloud metadata name; when it is and
 * cloud is not NULL, *cloud names the service. */
bool cf__egress_metadata_name(const char *name, const char **cloud);

#endif
