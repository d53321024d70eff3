/*
 * fuzz_proxy_request.c - libFuzzer target for the egress proxy's HTTP/1.1 parsing
 * (src/egress/proxy/proxy_http.c): request heads, response heads and the chunked-body scanner.
 *
 * The input is parsed as a request head and as a response head with a small and a large
 * limit, and fed to the chunked scanner whole and in pieces of every length the first byte
 * chooses. Invariants checked here (a crash when broken): a head that parses lies inside the
 * input and ends with CRLF CRLF; every field points inside the head, has a non-empty token
 * name and a value without CR or LF; a head never parses when one of the refusals applies
 * (Transfer-Encoding with Content-Length); the scanner gives the same verdict and end however
 * the body is cut, and never claims more bytes than it was given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egress/proxy/proxy_internal.h"

#define CHECK(x)       \
  do {                 \
    if (!(x)) abort(); \
  } while (0)

static void check_head(const uint8_t *data, size_t size, const cf__http_head_t *h, cf__http_status st, size_t max) {
  if (st != CF__HTTP_OK) {
    if (st != CF__HTTP_INCOMPLETE) CHECK(h->why != NULL);
    return;
  }
  const char *b = (const char *)data;
  CHECK(h->head_len >= 4 && h->head_len <= size && h->head_len <= max);
  CHECK(memcmp(b + h->head_len - 4, "\r\n\r\n", 4) == 0);
  CHECK(h->n_fields <= CF__HTTP_MAX_FIELDS);
  for (unsigned i = 0; i < h->n_fields; i++) {
    const cf__http_field_t *f = &h->fields[i];
    CHECK(f->name >= b && f->name + f->name_len <= b + h->head_len && f->name_len > 0);
    CHECK(f->value >= b && f->value + f->value_len <= b + h->head_len);
    CHECK(!memchr(f->value, '\r', f->value_len) && !memchr(f->value, '\n', f->value_len));
    CHECK(!memchr(f->name, ':', f->name_len) && !memchr(f->name, ' ', f->name_len));
  }
  CHECK(!(h->chunked && h->content_length >= 0));
  CHECK(h->content_length >= -1);
  if (h->method) CHECK(h->method_len > 0 && h->method + h->method_len <= b + h->head_len);
  if (h->target) CHECK(h->target_len > 0 && !memchr(h->target, ' ', h->target_len));
}

static cf__chunk_status scan(const uint8_t *data, size_t size, size_t step, size_t *end) {
  cf__chunked_t c;
  cf__chunked_init(&c, 4096);
  size_t off = 0;
  while (off < size) {
    size_t n = size - off < step ? size - off : step;
    size_t used = 0;
    cf__chunk_status st = cf__chunked_feed(&c, (const char *)data + off, n, &used);
    CHECK(used <= n);
    if (st != CF__CHUNK_MORE) {
      *end = off + used;
      return st;
    }
    CHECK(used == n);
    off += n;
  }
  *end = size;
  return CF__CHUNK_MORE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cf__http_head_t *h = malloc(sizeof *h);
  if (!h) return 0;
  size_t limits[2] = {1024, 32768};
  for (int k = 0; k < 2; k++) {
    cf__http_status st = cf__http_parse_request((const char *)data, size, limits[k], h);
    check_head(data, size, h, st, limits[k]);
    if (st == CF__HTTP_OK && h->proxy_auth) {
      char user[64];
      char pass[64];
      if (cf__http_basic_credentials(h->proxy_auth, h->proxy_auth_len, user, sizeof user, pass, sizeof pass))
        CHECK(strlen(user) < sizeof user && strlen(pass) < sizeof pass && user[0]);
    }
    if (st == CF__HTTP_OK) {
      for (unsigned i = 0; i < h->n_fields; i++)
        (void)cf__http_connection_names(h, h->fields[i].name, h->fields[i].name_len);
    }
    st = cf__http_parse_response((const char *)data, size, limits[k], h);
    check_head(data, size, h, st, limits[k]);
    if (st == CF__HTTP_OK) CHECK(h->status >= 100 && h->status <= 599);
  }
  free(h);
  size_t end_whole = 0, end_cut = 0;
  cf__chunk_status whole = scan(data, size, size ? size : 1, &end_whole);
  size_t step = size ? (size_t)data[0] % 7 + 1 : 1;
  cf__chunk_status cut = scan(data, size, step, &end_cut);
  CHECK(whole == cut);
  if (whole == CF__CHUNK_DONE) CHECK(end_whole == end_cut);
  (void)cf__http_head_end((const char *)data, size, size / 2);
  return 0;
}
