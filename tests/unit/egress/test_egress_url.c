/*
 * test_egress_url.c - the URL parser (src/egress/egress_url.c) and the URL check under the
 * default policy.
 *
 * Specified here: the WHATWG URL standard's host parser for http and https (percent-decoding,
 * UTS #46 mapping, the IPv4 number parser with its one-to-four parts in three bases, the
 * "ends in a number" rule, the IPv6 parser with compression and a dotted tail, the
 * serializations), default and explicit ports, userinfo, paths, and the spellings refused
 * because clients disagree on them. Then the two held-out tables under tests/data/egress:
 * every URL of deny_urls.txt is denied and every URL of allow_urls.txt is allowed.
 */
#include "egress_test.h"

typedef struct pcase {
  const char *url;
  cf_err err;
  const char *host; /* serialized host on success */
  cf_url_host_kind kind;
  uint16_t port;
} pcase_t;

#define D CF_URL_HOST_DOMAIN
#define V4 CF_URL_HOST_IPV4
#define V6 CF_URL_HOST_IPV6

static const pcase_t parse_cases[] = {
    /* names */
    {"http://example.com/", CF_OK, "example.com", D, 80},
    {"https://Example.COM/x", CF_OK, "example.com", D, 443},
    {"HtTpS://example.com:8443", CF_OK, "example.com", D, 8443},
    {"http://example.com:/", CF_OK, "example.com", D, 80},
    {"http://example.com:0080/", CF_OK, "example.com", D, 80},
    {"http://example.com.:81/", CF_OK, "example.com", D, 81},
    {"http://ex%41mple.com/", CF_OK, "example.com", D, 80},
    {"http://bücher.example/", CF_OK, "xn--bcher-kva.example", D, 80},
    {"http://XN--BCHER-KVA.example/", CF_OK, "xn--bcher-kva.example", D, 80},
    {"http://b%C3%BCcher.example/", CF_OK, "xn--bcher-kva.example", D, 80},
    {"http://ｅｘａｍｐｌｅ.com/", CF_OK, "example.com", D, 80},
    {"http://a_b.example/", CF_OK, "a_b.example", D, 80},
    {"http://0x.example/", CF_OK, "0x.example", D, 80},
    {"http://1.2.3.com/", CF_OK, "1.2.3.com", D, 80},
    {"http://user:pw@example.com/", CF_OK, "example.com", D, 80},
    /* IPv4 in one to four parts, three bases */
    {"http://127.0.0.1/", CF_OK, "127.0.0.1", V4, 80},
    {"http://127.1/", CF_OK, "127.0.0.1", V4, 80},
    {"http://127.0.1/", CF_OK, "127.0.0.1", V4, 80},
    {"http://0x7f.1/", CF_OK, "127.0.0.1", V4, 80},
    {"http://0177.0.0.1/", CF_OK, "127.0.0.1", V4, 80},
    {"http://2130706433/", CF_OK, "127.0.0.1", V4, 80},
    {"http://0x7F000001/", CF_OK, "127.0.0.1", V4, 80},
    {"http://017700000001/", CF_OK, "127.0.0.1", V4, 80},
    {"http://0/", CF_OK, "0.0.0.0", V4, 80},
    {"http://0x/", CF_EPARSE, NULL, D, 0},
    {"http://0xa8.0x.1.1/", CF_EPARSE, NULL, D, 0},
    {"http://1.0X/", CF_EPARSE, NULL, D, 0},
    {"http://00000000000000000000000177.1/", CF_OK, "127.0.0.1", V4, 80},
    {"http://4294967295/", CF_OK, "255.255.255.255", V4, 80},
    {"http://169.254.43518/", CF_OK, "169.254.169.254", V4, 80},
    {"http://169.16689662/", CF_OK, "169.254.169.254", V4, 80},
    {"http://0xa9.0xfe.0xa9.0xfe/", CF_OK, "169.254.169.254", V4, 80},
    {"http://0251.0376.0251.0376/", CF_OK, "169.254.169.254", V4, 80},
    {"http://127.0.0.1./", CF_EPARSE, NULL, D, 0},
    {"http://0x7f.1./", CF_EPARSE, NULL, D, 0},
    {"http://%31%32%37.0.0.1/", CF_OK, "127.0.0.1", V4, 80},
    {"http://１２７．０．０．１/", CF_OK, "127.0.0.1", V4, 80},
    {"http://127。0。0。1/", CF_OK, "127.0.0.1", V4, 80},
    {"http://①②⑦.0.0.1/", CF_OK, "127.0.0.1", V4, 80},
    {"http://foo.0x10/", CF_EPARSE, NULL, D, 0},
    {"http://4294967296/", CF_EPARSE, NULL, D, 0},
    {"http://0x100000000/", CF_EPARSE, NULL, D, 0},
    {"http://256.0.0.1/", CF_EPARSE, NULL, D, 0},
    {"http://1.2.3.256/", CF_EPARSE, NULL, D, 0},
    {"http://1.2.65536/", CF_EPARSE, NULL, D, 0},
    {"http://1.16777216/", CF_EPARSE, NULL, D, 0},
    {"http://1.2.3.4.5/", CF_EPARSE, NULL, D, 0},
    {"http://08.1.1.1/", CF_EPARSE, NULL, D, 0},
    {"http://0xg.1/", CF_EPARSE, NULL, D, 0},
    {"http://1..1/", CF_EPARSE, NULL, D, 0},
    {"http://example.09/", CF_EPARSE, NULL, D, 0},
    /* IPv6 */
    {"http://[::1]/", CF_OK, "::1", V6, 80},
    {"http://[::]:8080/", CF_OK, "::", V6, 8080},
    {"http://[0:0:0:0:0:0:0:1]/", CF_OK, "::1", V6, 80},
    {"http://[2001:DB8:0:0:1:0:0:1]/", CF_OK, "2001:db8::1:0:0:1", V6, 80},
    {"http://[2001:db8:0:1:1:1:1:1]/", CF_OK, "2001:db8:0:1:1:1:1:1", V6, 80},
    {"http://[::ffff:169.254.169.254]/", CF_OK, "::ffff:a9fe:a9fe", V6, 80},
    {"http://[0:0:0:0:0:ffff:127.0.0.1]/", CF_OK, "::ffff:7f00:1", V6, 80},
    {"http://[1::]/", CF_OK, "1::", V6, 80},
    {"http://[1:0:0:2::3:0]/", CF_OK, "1::2:0:0:3:0", V6, 80},
    {"http://[::1%25eth0]/", CF_EPARSE, NULL, D, 0},
    {"http://[::1/", CF_EPARSE, NULL, D, 0},
    {"http://[::1]x/", CF_EPARSE, NULL, D, 0},
    {"http://[1:2:3:4:5:6:7:8:9]/", CF_EPARSE, NULL, D, 0},
    {"http://[1::2::3]/", CF_EPARSE, NULL, D, 0},
    {"http://[1:2:3:4:5:6:7]/", CF_EPARSE, NULL, D, 0},
    {"http://[::ffff:127.0.0.01]/", CF_EPARSE, NULL, D, 0},
    {"http://[::ffff:127.0.0]/", CF_EPARSE, NULL, D, 0},
    {"http://[12345::]/", CF_EPARSE, NULL, D, 0},
    {"http://[:1]/", CF_EPARSE, NULL, D, 0},
    {"http://[1:]/", CF_EPARSE, NULL, D, 0},
    /* refused: clients disagree */
    {"http://a@b@c/", CF_EPARSE, NULL, D, 0},
    {"http://a\\@b/", CF_EPARSE, NULL, D, 0},
    {"http://a/b\\c", CF_EPARSE, NULL, D, 0},
    {"http:\\\\a/", CF_EPARSE, NULL, D, 0},
    {"http:/a/", CF_EPARSE, NULL, D, 0},
    {"http:a/", CF_EPARSE, NULL, D, 0},
    {"http://a b/", CF_EPARSE, NULL, D, 0},
    {"http://a\tb/", CF_EPARSE, NULL, D, 0},
    {"http://ab/\x7f", CF_EPARSE, NULL, D, 0},
    {" http://ab/", CF_EPARSE, NULL, D, 0},
    {"http:///a", CF_EPARSE, NULL, D, 0},
    {"http://@/", CF_EPARSE, NULL, D, 0},
    {"http://:80/", CF_EPARSE, NULL, D, 0},
    {"http://a:65536/", CF_EPARSE, NULL, D, 0},
    {"http://a:8o/", CF_EPARSE, NULL, D, 0},
    {"http://a%/", CF_EPARSE, NULL, D, 0},
    {"http://a%2/", CF_EPARSE, NULL, D, 0},
    {"http://a%25b/", CF_EPARSE, NULL, D, 0},
    {"http://a%2fb/", CF_EPARSE, NULL, D, 0},
    {"http://a%00b/", CF_EPARSE, NULL, D, 0},
    {"http://%ff/", CF_EPARSE, NULL, D, 0},
    {"http://a..b/", CF_EPARSE, NULL, D, 0},
    {"http://./", CF_EPARSE, NULL, D, 0},
    {"http://a../", CF_EPARSE, NULL, D, 0},
    {"http://xn--zz.example/", CF_EPARSE, NULL, D, 0},
    {"http://ａｂｃ／ｄ.com/", CF_EPARSE, NULL, D, 0},
    {"http://a^b/", CF_EPARSE, NULL, D, 0},
    {"example.com", CF_EPARSE, NULL, D, 0},
    {"", CF_EPARSE, NULL, D, 0},
    /* other schemes */
    {"ftp://example.com/", CF_EUNSUPPORTED, NULL, D, 0},
    {"javascript:alert(1)", CF_EUNSUPPORTED, NULL, D, 0},
    {"httpx://a/", CF_EUNSUPPORTED, NULL, D, 0},
};

static void test_parse_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
    const pcase_t *c = &parse_cases[i];
    cf_url_t u;
    cf_diag_t d;
    cf_diag_init(&d);
    cf_err e = cf_url_parse(c->url, strlen(c->url), &u, &d);
    cf_err want = c->err;
    if (e != want) {
      print_error("%s: %s (%s), expected %s\n", c->url, cf_err_name(e), d.message ? d.message : u.host, cf_err_name(want));
      fail();
    }
    if (e == CF_OK) {
      if (strcmp(u.host, c->host) != 0 || u.host_kind != c->kind || u.port != c->port) {
        print_error("%s: host %s kind %d port %u, expected %s kind %d port %u\n", c->url, u.host, u.host_kind, u.port,
                    c->host, c->kind, c->port);
        fail();
      }
    } else {
      assert_non_null(d.message); /* every refusal says why */
      assert_true(strlen(d.message) > 10);
    }
    cf_diag_cleanup(&d);
  }
}

static void test_parse_fields(void **state) {
  (void)state;
  cf_url_t u;
  const char *s = "https://user:pw@Example.COM.:8443/a/b?q=1#frag";
  assert_int_equal(CF_OK, cf_url_parse(s, strlen(s), &u, NULL));
  assert_string_equal("https", u.scheme);
  assert_string_equal("example.com", u.host);
  assert_true(u.has_userinfo);
  assert_true(u.port_given);
  assert_true(u.host_was_trailing_dot);
  assert_int_equal(8443, u.port);
  assert_int_equal(strlen("/a/b?q=1"), u.path_len);
  assert_memory_equal("/a/b?q=1", u.path, u.path_len);

  s = "http://example.com";
  assert_int_equal(CF_OK, cf_url_parse(s, strlen(s), &u, NULL));
  assert_false(u.has_userinfo || u.port_given || u.host_was_trailing_dot);
  assert_int_equal(80, u.port);
  assert_string_equal("/", u.path);
  s = "http://example.com?x=1#y";
  assert_int_equal(CF_OK, cf_url_parse(s, strlen(s), &u, NULL));
  assert_int_equal(4, u.path_len);
  assert_memory_equal("?x=1", u.path, 4);

  s = "http://[::ffff:10.0.0.1]:81/";
  assert_int_equal(CF_OK, cf_url_parse(s, strlen(s), &u, NULL));
  static const uint8_t want6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1};
  assert_memory_equal(want6, u.addr, 16);
  s = "http://0x0a.1/";
  assert_int_equal(CF_OK, cf_url_parse(s, strlen(s), &u, NULL));
  static const uint8_t want4[4] = {10, 0, 0, 1};
  assert_memory_equal(want4, u.addr, 4);

  /* Not NUL-terminated: the parser reads len bytes only. */
  char buf[] = {'h', 't', 't', 'p', ':', '/', '/', 'a', '.', 'b', 'X'};
  assert_int_equal(CF_OK, cf_url_parse(buf, sizeof buf - 1, &u, NULL));
  assert_string_equal("a.b", u.host);

  /* Another scheme keeps the scheme, so that a caller can name it. */
  s = "FTP://example.com/";
  assert_int_equal(CF_EUNSUPPORTED, cf_url_parse(s, strlen(s), &u, NULL));
  assert_string_equal("ftp", u.scheme);
}

static void test_parse_limits(void **state) {
  (void)state;
  cf_url_t u;
  char *big = malloc(9000);
  assert_non_null(big);
  memcpy(big, "http://a/", 9);
  memset(big + 9, 'x', 9000 - 9);
  assert_int_equal(CF_ELIMIT, cf_url_parse(big, 9000, &u, NULL));
  /* A name of 253 bytes is fine, 254 is not. */
  char host[300];
  size_t k = 0;
  while (k < 253) {
    size_t lab = 253 - k >= 50 ? 49 : 253 - k;
    memset(host + k, 'a', lab);
    k += lab;
    if (k < 253) host[k++] = '.';
  }
  host[k] = '\0';
  assert_int_equal(253, strlen(host));
  char url[400];
  snprintf(url, sizeof url, "http://%s/", host);
  assert_int_equal(CF_OK, cf_url_parse(url, strlen(url), &u, NULL));
  snprintf(url, sizeof url, "http://%sa/", host);
  assert_int_equal(CF_ELIMIT, cf_url_parse(url, strlen(url), &u, NULL));
  /* A huge host is a limit, not a crash. */
  memcpy(big, "http://", 7);
  memset(big + 7, 'a', 9000 - 7);
  assert_int_equal(CF_ELIMIT, cf_url_parse(big, 8192, &u, NULL));
  free(big);
  assert_int_equal(CF_EINVAL, cf_url_parse(NULL, 0, &u, NULL));
}

static void test_verdicts(void **state) {
  (void)state;
  assert_url_verdict("http://0x7f.1/", CF_EGRESS_DENY);
  assert_url_verdict("http://169.254.169.254/latest/meta-data/", CF_EGRESS_DENY);
  assert_url_verdict("http://[::ffff:a9fe:a9fe]/", CF_EGRESS_DENY);
  assert_url_verdict("http://metadata.google.internal/", CF_EGRESS_DENY);
  assert_url_verdict("http://a@b@c/", CF_EGRESS_DENY);
  assert_url_verdict("gopher://127.0.0.1/", CF_EGRESS_DENY);
  assert_url_verdict("https://example.com/", CF_EGRESS_ALLOW);
  assert_url_verdict("http://8.8.8.8/", CF_EGRESS_ALLOW);

  /* A name passes by name and asks to be resolved; a literal is judged at once. */
  cf_egress_result_t r;
  const char *s = "https://example.com/";
  assert_int_equal(CF_OK, cf_egress_check_url(eg_default_policy(), NULL, s, strlen(s), &r, NULL));
  assert_true(r.needs_resolution);
  assert_string_equal("default", r.role);
  s = "http://8.8.8.8/";
  assert_int_equal(CF_OK, cf_egress_check_url(eg_default_policy(), NULL, s, strlen(s), &r, NULL));
  assert_false(r.needs_resolution);
  /* The reasons name the range and the cloud. */
  s = "http://2852039166/";
  assert_int_equal(CF_OK, cf_egress_check_url(eg_default_policy(), NULL, s, strlen(s), &r, NULL));
  assert_int_equal(CF_EGRESS_WHY_METADATA, r.why);
  assert_string_equal("169.254.169.254 is link-local (169.254.0.0/16): the AWS, GCP and Azure instance metadata service",
                      r.reason);
  s = "ftp://example.com/";
  assert_int_equal(CF_OK, cf_egress_check_url(eg_default_policy(), NULL, s, strlen(s), &r, NULL));
  assert_int_equal(CF_EGRESS_WHY_SCHEME, r.why);
  s = "http://a\\b/";
  assert_int_equal(CF_OK, cf_egress_check_url(eg_default_policy(), NULL, s, strlen(s), &r, NULL));
  assert_int_equal(CF_EGRESS_WHY_BAD_URL, r.why);
  assert_non_null(strstr(r.reason, "backslash"));
  assert_int_equal(CF_EINVAL, cf_egress_check_url(NULL, NULL, s, strlen(s), &r, NULL));
  assert_int_equal(CF_EINVAL, cf_egress_check_url(eg_default_policy(), NULL, NULL, 0, &r, NULL));
}

/* The held-out tables. */
static void test_deny_table(void **state) {
  (void)state;
  size_t n = 0;
  char **v = eg_read_lines("tests/data/egress/deny_urls.txt", &n);
  assert_true(n >= 200);
  for (size_t i = 0; i < n; i++) assert_url_verdict(v[i], CF_EGRESS_DENY);
  eg_lines_free(v);
}

static void test_allow_table(void **state) {
  (void)state;
  size_t n = 0;
  char **v = eg_read_lines("tests/data/egress/allow_urls.txt", &n);
  assert_true(n >= 40);
  for (size_t i = 0; i < n; i++) assert_url_verdict(v[i], CF_EGRESS_ALLOW);
  eg_lines_free(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_table),  cmocka_unit_test(test_parse_fields), cmocka_unit_test(test_parse_limits),
      cmocka_unit_test(test_verdicts),     cmocka_unit_test(test_deny_table),   cmocka_unit_test(test_allow_table),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  cf_egress_policy_t *p = (cf_egress_policy_t *)eg_default_policy();
  cf_egress_policy_free(p);
  return rc;
}
