/*
 * test_egress_curl_diff.c - the URL check against another parser: libcurl's URL API, the
 * parser behind a great many of the HTTP clients a policy protects.
 *
 * Every URL of the held-out tables (tests/data/egress) and of a set of spellings made from
 * them (credentials before the host, backslashes, fragments and queries holding '@', ports,
 * case, trailing dots, percent-encoding, tabs and spaces, and delimiters inserted at random
 * places of the authority from a fixed seed) goes to cf_egress_check_url() under
 * the default policy and to curl_url_set(CURLUPART_URL) / curl_url_get(CURLUPART_HOST, PORT).
 * Hosts are compared after normalising curl's answer (brackets and case, one trailing dot,
 * percent-decoding, IDNA to A-labels for international names, IPv4 numbers as the resolver
 * reads them (inet_aton) and IPv6 literals through inet_pton). Asserted:
 *
 *  - where curl accepts a URL and the two disagree on the host or the port, our verdict is
 *    DENY: a URL we pass is fetched from the host we checked;
 *  - where curl reads a literal address that is not global, our verdict is DENY, whatever we
 *    read.
 *
 * Disagreements are counted and printed, so that a change in either parser shows.
 */
#include <curl/curl.h>
#include <ctype.h>
#include <idn2.h>

#include "egress_test.h"

typedef struct tally {
  unsigned total, curl_ok, both_ok, host_differs, port_differs, denied_literal, failures;
} tally_t;

/* curl's host, normalised; false when it cannot be (then only the literal rule applies). */
static bool normalise(const char *in, char *out, size_t n, int *family, uint8_t addr[16]) {
  char buf[1024];
  size_t k = 0, len = strlen(in);
  *family = 0;
  if (len >= sizeof buf) return false;
  if (len >= 2 && in[0] == '[' && in[len - 1] == ']') {
    memcpy(buf, in + 1, len - 2);
    buf[len - 2] = '\0';
    char *pct = strchr(buf, '%');
    if (pct) *pct = '\0'; /* curl keeps a zone id; the address is what it connects to */
    if (inet_pton(AF_INET6, buf, addr) != 1) return false;
    *family = AF_INET6;
    inet_ntop(AF_INET6, addr, out, (socklen_t)n);
    return true;
  }
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)in[i];
    if (c == '%' && i + 2 < len && isxdigit((unsigned char)in[i + 1]) && isxdigit((unsigned char)in[i + 2])) {
      char hex[3] = {in[i + 1], in[i + 2], 0};
      c = (unsigned char)strtoul(hex, NULL, 16);
      i += 2;
    }
    buf[k++] = (char)((c >= 'A' && c <= 'Z') ? c | 0x20 : c);
  }
  buf[k] = '\0';
  if (strlen(buf) != k) return false; /* a decoded NUL */
  /* curl maps an international name with libidn2 before resolving it. */
  bool ascii_only = true;
  for (size_t i = 0; i < k; i++) ascii_only = ascii_only && (unsigned char)buf[i] < 0x80;
  if (!ascii_only) {
    char *ascii = NULL;
    if (idn2_to_ascii_8z(buf, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK) return false;
    snprintf(buf, sizeof buf, "%s", ascii);
    idn2_free(ascii);
    k = strlen(buf);
  }
  if (k > 1 && buf[k - 1] == '.') buf[--k] = '\0';
  /* The resolver reads numbers as inet_aton does: one to four parts, octal and hex. */
  struct in_addr in4;
  if (inet_aton(buf, &in4) != 0 && !strpbrk(buf, " \t")) {
    *family = AF_INET;
    memcpy(addr, &in4, 4);
    inet_ntop(AF_INET, addr, out, (socklen_t)n);
    return true;
  }
  snprintf(out, n, "%s", buf);
  return true;
}

/* Our host in the same form. */
static void ours(const cf_url_t *u, char *out, size_t n) {
  if (u->host_kind == CF_URL_HOST_IPV6) inet_ntop(AF_INET6, u->addr, out, (socklen_t)n);
  else snprintf(out, n, "%s", u->host);
}

static void compare(tally_t *t, const char *url) {
  t->total++;
  cf_egress_result_t r;
  cf_url_t u;
  assert_int_equal(CF_OK, cf_egress_check_url(eg_default_policy(), NULL, url, strlen(url), &r, &u));
  bool we_parsed = r.why != CF_EGRESS_WHY_BAD_URL && r.why != CF_EGRESS_WHY_SCHEME;

  CURLU *h = curl_url();
  assert_non_null(h);
  char *chost = NULL, *cport = NULL;
  CURLUcode cu = curl_url_set(h, CURLUPART_URL, url, 0);
  if (cu == CURLUE_OK) cu = curl_url_get(h, CURLUPART_HOST, &chost, 0);
  if (cu == CURLUE_OK) cu = curl_url_get(h, CURLUPART_PORT, &cport, CURLU_DEFAULT_PORT);
  char *cscheme = NULL;
  if (cu == CURLUE_OK) cu = curl_url_get(h, CURLUPART_SCHEME, &cscheme, 0);
  if (cu == CURLUE_OK && cscheme && strcmp(cscheme, "http") != 0 && strcmp(cscheme, "https") != 0) cu = CURLUE_UNSUPPORTED_SCHEME;
  if (cu == CURLUE_OK) {
    t->curl_ok++;
    char theirs[1100], mine[300];
    int family = 0;
    uint8_t addr[16];
    bool norm = normalise(chost, theirs, sizeof theirs, &family, addr);
    if (family && cf_addr_classify(family, addr, NULL, 0) != CF_ADDR_GLOBAL) {
      t->denied_literal++;
      if (r.verdict != CF_EGRESS_DENY) {
        print_error("%s: curl connects to %s, which is not global, and we allow it (host %s)\n", url, chost, u.host);
        t->failures++;
      }
    }
    if (we_parsed) {
      t->both_ok++;
      ours(&u, mine, sizeof mine);
      bool host_differs = !norm || strcmp(mine, theirs) != 0;
      bool port_differs = strtoul(cport, NULL, 10) != u.port;
      t->host_differs += host_differs;
      if ((host_differs || port_differs) && getenv("CF_DIFF_VERBOSE"))
        print_message("differs (denied: %s): %s: we read %s:%u, curl %s:%s\n", r.reason, url, mine, u.port, chost, cport);
      t->port_differs += port_differs;
      if ((host_differs || port_differs) && r.verdict != CF_EGRESS_DENY) {
        print_error("%s: we read %s:%u, curl reads %s:%s, and we allow it\n", url, mine, u.port, chost, cport);
        t->failures++;
      }
    }
  }
  curl_free(chost);
  curl_free(cport);
  curl_free(cscheme);
  curl_url_cleanup(h);
}

/* Spellings made from one URL: "http://HOST/PATH" pieces recombined around the authority. */
static void variants(tally_t *t, const char *url) {
  compare(t, url);
  const char *sep = strstr(url, "://");
  if (!sep) return;
  size_t pre = (size_t)(sep + 3 - url);
  const char *rest = url + pre;
  size_t alen = strcspn(rest, "/?#");
  char auth[512];
  if (alen >= sizeof auth) return;
  memcpy(auth, rest, alen);
  auth[alen] = '\0';
  const char *tail = rest + alen;
  /* Text put before and after the authority. */
  static const char *const around[][2] = {
      {"", ""},                   /* as it is */
      {"example.com@", ""},       /* credentials that look like a host */
      {"", "@example.com"},       /* the host as credentials */
      {"", "#@example.com"},      /* '@' in the fragment */
      {"", "?@example.com"},      /* '@' in the query */
      {"example.com\\@", ""},    /* a backslash before '@' */
      {"", "\\@example.com"},    /* a backslash after the host */
      {"", ":80"},                /* an explicit port (a second one when there is one) */
      {"", "."},                  /* a trailing dot */
      {"", "%2e"},                /* an encoded trailing dot */
      {"", "\t"},                 /* a tab */
      {"", " "},                  /* a space */
      {"a:b@", "/"},              /* credentials with a password, a doubled slash */
      {"", "/..%2f.."},           /* path noise */
  };
  char buf[2048];
  for (size_t i = 0; i < sizeof around / sizeof around[0]; i++) {
    snprintf(buf, sizeof buf, "%.*s%s%s%s%s", (int)pre, url, around[i][0], auth, around[i][1], tail);
    compare(t, buf);
  }
  /* Random insertions of delimiters into the authority, from a fixed seed so that a failure
   * repeats: the bytes on which parsers are known to part ways. */
  static const char *const bits[] = {"@", "\\", "#", "?", "%", ".", ":", "[", "]", "/", "%2e", "%40",
                                     "\xe3\x80\x82", "\xef\xbc\x8e", "0", "0x", ";", "&", "'"};
  static uint32_t seed = 12345;
  for (int k = 0; k < 12 && alen; k++) {
    seed = seed * 1103515245u + 12345u;
    size_t at = (seed >> 8) % (alen + 1);
    const char *bit = bits[(seed >> 20) % (sizeof bits / sizeof bits[0])];
    snprintf(buf, sizeof buf, "%.*s%.*s%s%s%s", (int)pre, url, (int)at, auth, bit, auth + at, tail);
    compare(t, buf);
  }
  /* Upper case scheme and host. */
  snprintf(buf, sizeof buf, "%s", url);
  for (char *p = buf; *p && p < buf + pre + alen; p++)
    if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
  compare(t, buf);
}

static const char *const extra[] = {
    "http://127.0.0.1:80@example.com/",
    "http://example.com:80@127.0.0.1/",
    "http://[::1]:80@example.com/",
    "http://example.com%23@127.0.0.1/",
    "http://example.com%40127.0.0.1/",
    "http://127.0.0.1%2f@example.com/",
    "http://0177.0.0.01/",
    "http://0x7f.0x0.0x0.0x1/",
    "http://127.0.0.1:0/",
    "http://127.0.0.1:00080/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://[::1]./",
    "http://[::1%25lo]/",
    "http://localhost./",
    "http://LOCALHOST/",
    "http://127.0.0.1;@example.com/",
    "http://example.com;@127.0.0.1/",
    "http://a:b:c@127.0.0.1/",
    "http://:@127.0.0.1/",
    "http://@127.0.0.1/",
    "http://127.1.1/",
    "http://0x100.1/",
    "http://1.0x1000000/",
    "http://4294967296/",
    "http://example.com./",
    "http://ex%61mple.com/",
};

static void test_against_curl(void **state) {
  (void)state;
  tally_t t = {0};
  static const char *const tables[] = {"tests/data/egress/deny_urls.txt", "tests/data/egress/allow_urls.txt"};
  for (size_t k = 0; k < 2; k++) {
    size_t n = 0;
    char **v = eg_read_lines(tables[k], &n);
    for (size_t i = 0; i < n; i++) variants(&t, v[i]);
    eg_lines_free(v);
  }
  for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) variants(&t, extra[i]);
  print_message("compared %u URLs: curl accepted %u, both %u; hosts differ %u, ports differ %u; "
                "non-global literals as curl reads them %u (all denied)\n",
                t.total, t.curl_ok, t.both_ok, t.host_differs, t.port_differs, t.denied_literal);
  assert_int_equal(0, t.failures);
  assert_true(t.total > 10000);
  assert_true(t.both_ok > 1000); /* the comparison is not vacuous */
}

int main(void) {
  assert_int_equal(CURLE_OK, curl_global_init(CURL_GLOBAL_NOTHING));
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_against_curl)};
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  cf_egress_policy_free((cf_egress_policy_t *)eg_default_policy());
  curl_global_cleanup();
  return rc;
}
