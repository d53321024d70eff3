/*
 * test_proxy_http.c - the egress proxy's HTTP/1.1 head parser and chunked-body scanner
 * (src/egress/proxy/proxy_http.c), as tables of messages and the verdict RFC 9112 asks for.
 */
#include "testutil.h"

#include "egress/proxy/proxy_internal.h"

#define MAX_HEAD 32768u

typedef struct req_case {
  const char *text;
  cf__http_status want;
} req_case_t;

static const req_case_t requests[] = {
    {"GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", CF__HTTP_OK},
    {"GET http://a/ HTTP/1.0\r\n\r\n", CF__HTTP_OK}, /* HTTP/1.0 needs no Host */
    {"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", CF__HTTP_OK},
    {"POST http://a/ HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n", CF__HTTP_OK},
    {"GET http://a/ HTTP/1.1\r\nHost: a\r\nX-Obs: caf\xc3\xa9\r\n\r\n", CF__HTTP_OK}, /* obs-text */
    {"GET http://a/ HTTP/1.1\r\nHost: a\r\n", CF__HTTP_INCOMPLETE},
    {"GET http://a/ HT", CF__HTTP_INCOMPLETE},
    {"GET http://a/ HTTP/1.1\r\nHost: a\r\nX: 1\r\n folded\r\n\r\n", CF__HTTP_BAD},
    {"GET http://a/ HTTP/1.1\r\nHost: a\r\nX: 1\r\n\tfolded\r\n\r\n", CF__HTTP_BAD},
    {"GET http://a/ HTTP/1.1\nHost: a\r\n\r\n", CF__HTTP_BAD},
    {"GET http://a/ HTTP/1.1\r\nHost: a\rb\r\n\r\n", CF__HTTP_BAD},
    {"GET http://a/ HTTP/1.1\r\nHost: a\r\nX: a\nb\r\n\r\n", CF__HTTP_BAD},
    {"GET http://a/ HTTP/1.1\r\nHost : a\r\n\r\n", CF__HTTP_BAD},
    {"GET http://a/ HTTP/1.1\r\nHost: a\r\nBad(Name): v\r\n\r\n", CF__HTTP_BAD},
    {"GET http://a/ HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n", CF__HTTP_BAD},
    {"G(T http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", CF__HTTP_BAD},
    {"GET  http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", CF__HTTP_BAD},
    {"GET http://a/ HTTP/1.1 \r\nHost: a\r\n\r\n", CF__HTTP_BAD},
    {"GET http://a/ HTTP/1.1\r\n\r\n", CF__HTTP_BAD},                        /* no Host */
    {"GET http://a/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", CF__HTTP_BAD},  /* two Hosts */
    {"POST http://a/ HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", CF__HTTP_BAD},
    {"POST http://a/ HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\n", CF__HTTP_BAD},
    {"POST http://a/ HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n", CF__HTTP_BAD},
    {"POST http://a/ HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", CF__HTTP_BAD},
    {"POST http://a/ HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", CF__HTTP_BAD},
    {"POST http://a/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", CF__HTTP_BAD},
    {"POST http://a/ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", CF__HTTP_BAD},
    {"POST http://a/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", CF__HTTP_NOT_IMPLEMENTED},
    {"POST http://a/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", CF__HTTP_NOT_IMPLEMENTED},
    {"GET http://a/ HTTP/2.0\r\nHost: a\r\n\r\n", CF__HTTP_BAD_VERSION},
    {"GET http://a/ HTTP/1.1x\r\nHost: a\r\n\r\n", CF__HTTP_BAD},
};

static void test_request_table(void **state) {
  (void)state;
  cf__http_head_t *h = malloc(sizeof *h);
  assert_non_null(h);
  for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
    const char *t = requests[i].text;
    cf__http_status st = cf__http_parse_request(t, strlen(t), MAX_HEAD, h);
    if (st != requests[i].want) fail_msg("case %zu (%s): got %d, expected %d (%s)", i, t, st, requests[i].want, h->why ? h->why : "");
  }
  free(h);
}

static void test_request_fields(void **state) {
  (void)state;
  cf__http_head_t *h = malloc(sizeof *h);
  assert_non_null(h);
  const char *t = "POST http://a.example/p?q HTTP/1.1\r\nHost: a.example\r\nConnection: keep-alive, X-Hop\r\n"
                  "X-Hop: 1\r\nProxy-Authorization: Basic YXVkaXQ6c2VjcmV0\r\nTransfer-Encoding: Chunked\r\n"
                  "X-Trim:   spaced value \t \r\n\r\nBODY";
  assert_int_equal(CF__HTTP_OK, cf__http_parse_request(t, strlen(t), MAX_HEAD, h));
  assert_int_equal(strlen(t) - 4, h->head_len);
  assert_true(h->chunked && h->conn_keep_alive && !h->conn_close);
  assert_int_equal(-1, h->content_length);
  assert_int_equal(6, h->n_fields);
  assert_memory_equal("spaced value", h->fields[5].value, h->fields[5].value_len);
  assert_true(cf__http_connection_names(h, "x-hop", 5));
  assert_false(cf__http_connection_names(h, "host", 4));
  assert_true(cf__http_is_hop_by_hop("Proxy-Authorization", 19));
  assert_false(cf__http_is_hop_by_hop("X-Hop", 5));
  char user[32];
  assert_true(cf__http_basic_credentials(h->proxy_auth, h->proxy_auth_len, user, sizeof user, NULL, 0));
  assert_string_equal("audit", user);
  assert_false(cf__http_basic_credentials("Bearer abc", 10, user, sizeof user, NULL, 0));
  /* the password is everything after the first colon, colons included */
  char pass[32];
  static const char both[] = "Basic YXVkaXQ6czNjcjN0OmV4dHJh"; /* audit:s3cr3t:extra */
  assert_true(cf__http_basic_credentials(both, sizeof both - 1, user, sizeof user, pass, sizeof pass));
  assert_string_equal("audit", user);
  assert_string_equal("s3cr3t:extra", pass);
  assert_false(cf__http_basic_credentials(both, sizeof both - 1, user, sizeof user, pass, 8)); /* does not fit */
  assert_false(cf__http_basic_credentials("Basic OnBhc3M=", 14, user, sizeof user, pass, sizeof pass)); /* no user */
  assert_true(cf__http_basic_credentials("Basic dTo=", 10, user, sizeof user, pass, sizeof pass));
  assert_string_equal("u", user);
  assert_string_equal("", pass);
  free(h);
}

static void test_limits(void **state) {
  (void)state;
  cf__http_head_t *h = malloc(sizeof *h);
  size_t n = 40000;
  char *big = malloc(n + 64);
  assert_non_null(h);
  assert_non_null(big);
  int k = snprintf(big, n + 64, "GET http://a/ HTTP/1.1\r\nHost: a\r\nX: ");
  memset(big + k, 'a', n - (size_t)k);
  memcpy(big + n, "\r\n\r\n", 4);
  assert_int_equal(CF__HTTP_TOO_LARGE, cf__http_parse_request(big, n + 4, MAX_HEAD, h));
  /* the same head under a limit that fits it */
  assert_int_equal(CF__HTTP_OK, cf__http_parse_request(big, n + 4, 65536, h));
  memcpy(big, "GET http://a/", 13);
  memset(big + 13, 'b', 9000);
  assert_int_equal(CF__HTTP_URI_TOO_LONG, cf__http_parse_request(big, 9013, MAX_HEAD, h));
  free(big);
  free(h);
}

static void test_responses(void **state) {
  (void)state;
  cf__http_head_t *h = malloc(sizeof *h);
  assert_non_null(h);
  const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  assert_int_equal(CF__HTTP_OK, cf__http_parse_response(ok, strlen(ok), MAX_HEAD, h));
  assert_int_equal(200, h->status);
  assert_int_equal(5, h->content_length);
  const char *noreason = "HTTP/1.1 204\r\n\r\n";
  assert_int_equal(CF__HTTP_OK, cf__http_parse_response(noreason, strlen(noreason), MAX_HEAD, h));
  assert_int_equal(204, h->status);
  const char *other = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n";
  assert_int_equal(CF__HTTP_OK, cf__http_parse_response(other, strlen(other), MAX_HEAD, h));
  assert_true(h->te_other && !h->chunked);
  const char *both = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n";
  assert_int_equal(CF__HTTP_BAD, cf__http_parse_response(both, strlen(both), MAX_HEAD, h));
  const char *badcode = "HTTP/1.1 2000 OK\r\n\r\n";
  assert_int_equal(CF__HTTP_BAD, cf__http_parse_response(badcode, strlen(badcode), MAX_HEAD, h));
  free(h);
}

typedef struct chunk_case {
  const char *text;
  cf__chunk_status want;
  size_t end; /* for DONE: where the body ends */
} chunk_case_t;

static const chunk_case_t chunks[] = {
    {"0\r\n\r\n", CF__CHUNK_DONE, 5},
    {"5\r\nhello\r\n0\r\n\r\nNEXT", CF__CHUNK_DONE, 15},
    {"5;a=b;c\r\nhello\r\n0\r\nX-T: 1\r\n\r\n", CF__CHUNK_DONE, 29},
    {"A\r\n0123456789\r\n0\r\n\r\n", CF__CHUNK_DONE, 20},
    {"5\r\nhel", CF__CHUNK_MORE, 0},
    {"5\r\nhelloX\r\n", CF__CHUNK_BAD, 0},
    {"\r\n", CF__CHUNK_BAD, 0},
    {"-1\r\n", CF__CHUNK_BAD, 0},
    {"1000000000000000\r\n", CF__CHUNK_BAD, 0},
    {"0\r\n folded\r\n\r\n", CF__CHUNK_BAD, 0},
    {"5\nhello\r\n", CF__CHUNK_BAD, 0},
};

static void test_chunked_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
    const char *t = chunks[i].text;
    size_t len = strlen(t);
    /* whole, then one byte at a time: the same verdict and end */
    for (int bytewise = 0; bytewise < 2; bytewise++) {
      cf__chunked_t c;
      cf__chunked_init(&c, 1024);
      cf__chunk_status st = CF__CHUNK_MORE;
      size_t off = 0, used = 0;
      while (off < len && st == CF__CHUNK_MORE) {
        size_t n = bytewise ? 1 : len - off;
        st = cf__chunked_feed(&c, t + off, n, &used);
        off += used;
      }
      if (st != chunks[i].want) fail_msg("chunk case %zu (bytewise %d): got %d, expected %d", i, bytewise, st, chunks[i].want);
      if (st == CF__CHUNK_DONE && off != chunks[i].end)
        fail_msg("chunk case %zu: ends at %zu, expected %zu", i, off, chunks[i].end);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_request_table), cmocka_unit_test(test_request_fields), cmocka_unit_test(test_limits),
      cmocka_unit_test(test_responses), cmocka_unit_test(test_chunked_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
