/*
 * cloudfort/egress.h - SSRF-safe URL policy: URL parsing, address classification, policies.
 *
 * A service that fetches URLs chosen by its users (webhooks, image fetchers, a WAF that follows
 * redirects) must not let them reach the cloud's metadata service or anything else that is not
 * on the public internet. These calls decide, for a URL and for every address it resolves to,
 * whether the request may go out, and say why not. The forward proxy (`cloudfort egress`) and
 * `cloudfort url-check` are built on them; any program can embed them.
 *
 * Parsing follows the WHATWG URL standard for the special schemes http and https: the host is
 * percent-decoded, mapped through IDNA/UTS #46 (libidn2) and, when it ends in a number, parsed
 * as IPv4 in one to four parts of decimal, octal or hex. Input on which common parsers disagree
 * (backslashes, more than one '@', spaces and control characters, IPv6 zone identifiers) is
 * rejected rather than guessed at, so that the host checked here is the host any client would
 * connect to.
 *
 * A domain name is checked twice: once by name (the URL check: scheme, port, allowed hosts,
 * names such as metadata.google.internal), and once per resolved address (the address check).
 * A caller must connect only to an address that passed the address check, and must not resolve
 * the name a second time (DNS rebinding).
 *
 * Thread safety: a policy is immutable once made and may be shared by any number of threads;
 * every function here is thread-safe and keeps no state between calls.
 */
#ifndef CLOUDFORT_EGRESS_H
#define CLOUDFORT_EGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "context.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- URLs ---- */

typedef enum cf_url_host_kind {
  CF_URL_HOST_DOMAIN = 0, /* a name, in ASCII (A-labels), lower case, without a trailing dot */
  CF_URL_HOST_IPV4 = 1,   /* an IPv4 address, in any of the spellings the standard accepts */
  CF_URL_HOST_IPV6 = 2    /* a bracketed IPv6 address */
} cf_url_host_kind;

/*
 * A parsed http or https URL. Caller-owned storage, no heap: fill it with cf_url_parse().
 * path points into the string given to cf_url_parse() and is valid as long as that string is.
 */
typedef struct cf_url {
  char scheme[16];            /* lower case: "http" or "https" */
  cf_url_host_kind host_kind;
  char host[256];             /* serialized host: name, dotted IPv4, or IPv6 without brackets */
  uint8_t addr[16];           /* IPv4 in addr[0..3], or IPv6; valid unless host_kind is DOMAIN */
  uint16_t port;              /* the port given, or the scheme's default */
  bool port_given;            /* the URL spelled a port */
  bool has_userinfo;          /* user (and password) before '@' */
  bool host_was_trailing_dot; /* the host ended in '.', which was removed */
  const char *path;           /* path and query as written ("/" when empty), without fragment;
                                 it starts with '?' when a query follows no path ("http://a?q"):
                                 put "/" before it when writing a request target */
  size_t path_len;
} cf_url_t;

/*
 * Parses an absolute http or https URL of len bytes (not necessarily NUL-terminated) into *out.
 * Returns CF_OK; CF_EPARSE for a URL that is malformed or ambiguous (the reason is in diag's
 * message when diag is not NULL); CF_EUNSUPPORTED for another scheme (out->scheme is still set);
 * CF_ELIMIT for a URL or host over the limits (8 KiB, 253 bytes of name). Thread-safe.
 */
cf_err cf_url_parse(const char *url, size_t len, cf_url_t *out, cf_diag_t *diag) CF_MUST_CHECK;

/* ---- address classes (IANA special-purpose registries) ---- */

/*
 * The class of an IPv4 or IPv6 address. Everything but CF_ADDR_GLOBAL is denied unless a
 * policy's allowed ranges say otherwise.
 */
typedef enum cf_addr_class {
  CF_ADDR_GLOBAL = 0,      /* global unicast */
  CF_ADDR_UNSPECIFIED,     /* 0.0.0.0/8 ("this network"), :: */
  CF_ADDR_LOOPBACK,        /* 127/8, ::1 */
  CF_ADDR_PRIVATE,         /* 10/8, 172.16/12, 192.168/16, fc00::/7 */
  CF_ADDR_SHARED,          /* 100.64/10 (carrier-grade NAT) */
  CF_ADDR_LINK_LOCAL,      /* 169.254/16, fe80::/10 */
  CF_ADDR_METADATA,        /* a cloud metadata endpoint (a more specific class than the above) */
  CF_ADDR_DOCUMENTATION,   /* 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32 */
  CF_ADDR_BENCHMARK,       /* 198.18/15 */
  CF_ADDR_MULTICAST,       /* 224/4, ff00::/8 */
  CF_ADDR_RESERVED,        /* 240/4, 255.255.255.255, 192.0.0/24, 192.88.99/24, 100::/64, 2001::/23,
                              fec0::/10, ::/96 */
  CF_ADDR_TRANSLATED       /* ::ffff:0:0/96, 64:ff9b::/96, 64:ff9b:1::/48, 2002::/16, Teredo
                              whose embedded IPv4 address is global (a non-global one is
                              classified as that address) */
} cf_addr_class;

/* Names of classes, such as "link-local". Never NULL. */
const char *cf_addr_class_name(cf_addr_class c);

/*
 * Classifies an address: family AF_INET (addr holds 4 bytes) or AF_INET6 (16 bytes). For
 * IPv4-mapped, IPv4-compatible, NAT64, 6to4 and Teredo addresses the embedded IPv4 address is
 * classified too, and the stricter class wins. When why is not NULL, a sentence naming the
 * range (and the cloud metadata service, when it is one) is written into it (why_size bytes,
 * always NUL-terminated). Thread-safe.
 */
cf_addr_class cf_addr_classify(int family, const uint8_t *addr, char *why, size_t why_size);

/* ---- policies ---- */

typedef enum cf_egress_verdict { CF_EGRESS_ALLOW = 0, CF_EGRESS_DENY = 1 } cf_egress_verdict;

/* What a role does with a denial: enforce it, report it and let the request through, or
 * let everything through without checks. */
typedef enum cf_egress_mode {
  CF_EGRESS_ENFORCE = 0,
  CF_EGRESS_REPORT = 1,
  CF_EGRESS_OPEN = 2
} cf_egress_mode;

/* A machine-readable reason; the sentence is in cf_egress_result_t.reason. */
typedef enum cf_egress_why {
  CF_EGRESS_WHY_OK = 0,         /* allowed */
  CF_EGRESS_WHY_BAD_URL,        /* the URL does not parse, or is ambiguous */
  CF_EGRESS_WHY_SCHEME,         /* scheme not allowed */
  CF_EGRESS_WHY_PORT,           /* port not allowed */
  CF_EGRESS_WHY_HOST,           /* host not in the role's allowed hosts, or in its denied hosts */
  CF_EGRESS_WHY_METADATA,       /* a cloud metadata endpoint, by name or by address */
  CF_EGRESS_WHY_ADDRESS,        /* an address that is not global unicast */
  CF_EGRESS_WHY_DENIED_RANGE,   /* an address in one of the policy's denied ranges */
  CF_EGRESS_WHY_USERINFO,       /* credentials in the URL, when the policy denies them */
  CF_EGRESS_WHY_AUTH            /* Proxy-Authorization that does not verify (the proxy's 407) */
} cf_egress_why;

/* Short names such as "metadata", for logs and JSON. Never NULL. */
const char *cf_egress_why_name(cf_egress_why why);

/* The result of a check. Caller-owned; no heap. */
typedef struct cf_egress_result {
  cf_egress_verdict verdict; /* what the caller must do (report and open modes always allow) */
  bool policy_denied;        /* the policy denies it; with mode REPORT the verdict is ALLOW */
  cf_egress_why why;         /* why the policy denies it (CF_EGRESS_WHY_OK when it does not) */
  cf_egress_mode mode;       /* the role's mode */
  const char *role;          /* the role's name, borrowed from the policy */
  bool needs_resolution;     /* URL check only: the host is a name; check each address too */
  char reason[256];          /* one sentence, such as "169.254.169.254 is link-local
                                (169.254.0.0/16), the AWS EC2 instance metadata service" */
} cf_egress_result_t;

/* Who is asking, for choosing a role. Every field may be NULL / 0. Borrowed for the call. */
typedef struct cf_egress_client {
  const struct sockaddr *addr; /* the client's address (AF_INET or AF_INET6) */
  socklen_t addr_len;
  const char *user;            /* user from Proxy-Authorization (Basic), already decoded */
  const char *cert_cn;         /* common name of a verified client certificate */
} cf_egress_client_t;

typedef struct cf_egress_policy cf_egress_policy_t;

/*
 * Makes the default policy: one role "default" in enforce mode; schemes http and https; any
 * port; any host; every address that is not global unicast denied, metadata endpoints by name
 * and address. Returns CF_OK or CF_ENOMEM; *out is NULL on failure.
 */
cf_err cf_egress_policy_default(cf_egress_policy_t **out) CF_MUST_CHECK;

/*
 * Loads a policy from YAML text (len bytes; name is the file name used in diagnostics). See
 * docs/egress.md for the format. Returns CF_OK, CF_EPARSE (diag has file, line and column and
 * what was expected), CF_ELIMIT or CF_ENOMEM; *out is NULL on failure.
 */
cf_err cf_egress_policy_parse(const cf_ctx_t *ctx, const char *text, size_t len, const char *name,
                              cf_egress_policy_t **out, cf_diag_t *diag) CF_MUST_CHECK;

/* Reads and parses a policy file. Errors as cf_egress_policy_parse(), and CF_EIO. */
cf_err cf_egress_policy_load(const cf_ctx_t *ctx, const char *path, cf_egress_policy_t **out,
                             cf_diag_t *diag) CF_MUST_CHECK;

/* Frees a policy. NULL does nothing. */
void cf_egress_policy_free(cf_egress_policy_t *p);

/* What the policy says of a Proxy-Authorization user and password. */
typedef enum cf_egress_auth {
  CF_EGRESS_AUTH_NONE = 0, /* the policy has no credentials file: a user names a role unchecked */
  CF_EGRESS_AUTH_OK,       /* the password verifies for the user */
  CF_EGRESS_AUTH_FAILED    /* an unknown user or a wrong password */
} cf_egress_auth;

/*
 * Checks a user and password against the policy's credentials file (`credentials:` in the
 * policy, docs/egress.md). Costs what the stored hash costs (milliseconds for yescrypt), so
 * callers check a client's credentials once and remember the outcome. Thread-safe.
 */
cf_egress_auth cf_egress_authenticate(const cf_egress_policy_t *p, const char *user, const char *password);

/* Whether the policy has a credentials file. */
bool cf_egress_policy_has_credentials(const cf_egress_policy_t *p);

/*
 * Checks a URL of len bytes for the role chosen by client (NULL: the default role). For a host
 * that is a name the result is ALLOW with needs_resolution set when the name passes; the caller
 * must then check every address it would connect to with cf_egress_check_addr(). out->url, when
 * out_url is not NULL, receives the parsed URL. Returns CF_OK whenever a verdict was reached
 * (a malformed URL is a DENY with CF_EGRESS_WHY_BAD_URL, not an error); CF_EINVAL for NULL
 * arguments; CF_ENOMEM when mapping an international name ran out of memory (res is then a
 * DENY too). Thread-safe.
 */
cf_err cf_egress_check_url(const cf_egress_policy_t *p, const cf_egress_client_t *client,
                           const char *url, size_t len, cf_egress_result_t *res,
                           cf_url_t *out_url) CF_MUST_CHECK;

/*
 * Checks one address the caller is about to connect to (sa: AF_INET or AF_INET6; port is
 * checked too) for the role chosen by client (NULL: the default role). host, when not NULL, is
 * the name it was resolved from and appears in the reason. Returns CF_OK with a verdict;
 * CF_EINVAL for NULL arguments or another family. Thread-safe.
 */
cf_err cf_egress_check_addr(const cf_egress_policy_t *p, const cf_egress_client_t *client,
                            const struct sockaddr *sa, const char *host,
                            cf_egress_result_t *res) CF_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif
