/*
 * proxy_http.c - HTTP/1.1 message heads and chunked bodies for the egress proxy (RFC 9112).
 *
 * Why our own parser: Debian 12 packages no llhttp, and libevent's evhttp is a whole server
 * that tolerates what a proxy in front of other servers must refuse. Request smuggling lives
 * in the differences between two parsers' readings of one message, so this one accepts only
 * the strict grammar and refuses the rest: line ends must be CRLF (a bare CR or LF is an
 * error), obs-fold is an error, field names are tokens with no whitespace before the colon,
 * values hold VCHAR, SP, HTAB and obs-text only, Content-Length is one decimal number (equal
 * duplicates are folded), Transfer-Encoding together with Content-Length is refused, and the
 * only transfer coding is chunked.
 *
 * Everything here is a pure function of its input: no allocation, no I/O, no global state.
 * Heads are parsed from a contiguous buffer (the proxy pulls the head's bytes together first)
 * and every pointer in the result points into that buffer. Limits: CF__HTTP_MAX_LINE bytes of
 * request line, max_head bytes of head, CF__HTTP_MAX_FIELDS fields.
 */
#include <string.h>

#include "proxy_internal.h"

/* tchar of RFC 9110 5.6.2. */
static const uint8_t tchar[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
    ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1, ['~'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

static inline bool is_vchar_or_obs(uint8_t c) { return (c >= 0x21 && c != 0x7f); }
static inline bool is_ows(uint8_t c) { return c == ' ' || c == '\t'; }
static inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

size_t cf__http_head_end(const char *buf, size_t len, size_t from) {
  if (len < 4) return 0;
  size_t i = from > 3 ? from - 3 : 0;
  while (i + 4 <= len) {
    const char *cr = memchr(buf + i, '\r', len - i);
    if (!cr) return 0;
    i = (size_t)(cr - buf);
    if (i + 4 > len) return 0;
    if (cr[1] == '\n' && cr[2] == '\r' && cr[3] == '\n') return i + 4;
    i++;
  }
  return 0;
}

/* Parses "1*DIGIT" of at most 18 digits; false for anything else. */
static bool parse_decimal(const char *s, size_t n, int64_t *out) {
  if (n == 0 || n > 18) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

/* Content-Length: a list of equal decimal numbers (RFC 9110 8.6 allows a recipient to fold
 * "42, 42"). Folds into *cl; false when malformed or different from a value seen before. */
static bool take_content_length(const char *v, size_t n, int64_t *cl) {
  size_t i = 0;
  bool any = false;
  while (i <= n) {
    size_t j = i;
    while (j < n && v[j] != ',') j++;
    size_t a = i, b = j;
    while (a < b && is_ows((uint8_t)v[a])) a++;
    while (b > a && is_ows((uint8_t)v[b - 1])) b--;
    int64_t x;
    if (!parse_decimal(v + a, b - a, &x)) return false;
    if (*cl >= 0 && *cl != x) return false;
    *cl = x;
    any = true;
    i = j + 1;
  }
  return any;
}

/* Transfer-Encoding: sets *chunked when the list is exactly "chunked" (any case, OWS around
 * it), *other when it names anything else. */
static void take_transfer_encoding(const char *v, size_t n, bool *chunked, bool *other) {
  size_t i = 0;
  while (i <= n) {
    size_t j = i;
    while (j < n && v[j] != ',') j++;
    size_t a = i, b = j;
    while (a < b && is_ows((uint8_t)v[a])) a++;
    while (b > a && is_ows((uint8_t)v[b - 1])) b--;
    if (b > a) {
      if (cf__http_name_is(v + a, b - a, "chunked") && !*chunked) *chunked = true;
      else *other = true; /* another coding, or chunked twice */
    }
    i = j + 1;
  }
}

/* Connection: notes close and keep-alive among its tokens. */
static void take_connection(const char *v, size_t n, bool *close, bool *keep) {
  size_t i = 0;
  while (i <= n) {
    size_t j = i;
    while (j < n && v[j] != ',') j++;
    size_t a = i, b = j;
    while (a < b && is_ows((uint8_t)v[a])) a++;
    while (b > a && is_ows((uint8_t)v[b - 1])) b--;
    if (cf__http_name_is(v + a, b - a, "close")) *close = true;
    else if (cf__http_name_is(v + a, b - a, "keep-alive")) *keep = true;
    i = j + 1;
  }
}

bool cf__http_connection_names(const cf__http_head_t *h, const char *name, size_t n) {
  for (unsigned k = 0; k < h->n_fields; k++) {
    const cf__http_field_t *f = &h->fields[k];
    if (!cf__http_name_is(f->name, f->name_len, "connection")) continue;
    const char *v = f->value;
    size_t vn = f->value_len, i = 0;
    while (i <= vn) {
      size_t j = i;
      while (j < vn && v[j] != ',') j++;
      size_t a = i, b = j;
      while (a < b && is_ows((uint8_t)v[a])) a++;
      while (b > a && is_ows((uint8_t)v[b - 1])) b--;
      if (b - a == n) {
        size_t q = 0;
        while (q < n && lower(v[a + q]) == lower(name[q])) q++;
        if (q == n) return true;
      }
      i = j + 1;
    }
  }
  return false;
}

bool cf__http_is_hop_by_hop(const char *name, size_t n) {
  static const char *const hop[] = {"connection", "keep-alive", "proxy-connection",
                                    "proxy-authorization", "proxy-authenticate", "te",
                                    "trailer", "upgrade"};
  for (size_t i = 0; i < sizeof hop / sizeof hop[0]; i++)
    if (cf__http_name_is(name, n, hop[i])) return true;
  return false;
}

/* "HTTP/1.x" at s (8 bytes available); sets *minor. */
static cf__http_status parse_version(const char *s, int *minor) {
  if (memcmp(s, "HTTP/", 5) != 0) return CF__HTTP_BAD;
  if (s[5] < '0' || s[5] > '9' || s[6] != '.' || s[7] < '0' || s[7] > '9') return CF__HTTP_BAD;
  if (s[5] != '1') return CF__HTTP_BAD_VERSION;
  *minor = s[7] - '0';
  return CF__HTTP_OK;
}

/*
 * The header field lines of a head, from p (the start of the first field line) to end (just
 * past the final CRLF CRLF). request selects the rules that differ.
 */
static cf__http_status parse_fields(const char *p, const char *end, bool request, cf__http_head_t *h) {
  const char *last = end - 2; /* the final empty line's CRLF */
  while (p < last) {
    if (is_ows((uint8_t)*p)) {
      h->why = "obs-fold (a field line starting with whitespace)";
      return CF__HTTP_BAD;
    }
    const char *name = p;
    while (p < last && tchar[(uint8_t)*p]) p++;
    if (p == name || p >= last || *p != ':') {
      h->why = (p < last && is_ows((uint8_t)*p)) ? "whitespace between a field name and ':'"
                                                  : "invalid character in a field name";
      return CF__HTTP_BAD;
    }
    size_t name_len = (size_t)(p - name);
    p++;
    while (p < last && is_ows((uint8_t)*p)) p++;
    const char *value = p;
    const char *vend = p;
    for (; p < last; p++) {
      uint8_t c = (uint8_t)*p;
      if (c == '\r') break;
      if (is_vchar_or_obs(c)) vend = p + 1;
      else if (!is_ows(c)) {
        h->why = c == '\n' ? "a bare LF in a field line" : "a control character in a field value";
        return CF__HTTP_BAD;
      }
    }
    if (p >= last + 2 || p[0] != '\r' || p[1] != '\n') {
      h->why = "a bare CR in a field line";
      return CF__HTTP_BAD;
    }
    p += 2;
    if (h->n_fields == CF__HTTP_MAX_FIELDS) {
      h->why = "too many header fields";
      return CF__HTTP_TOO_LARGE;
    }
    if (name_len > 0xffff || (size_t)(vend - value) > 0xffff) {
      h->why = "a header field too long";
      return CF__HTTP_TOO_LARGE;
    }
    cf__http_field_t *f = &h->fields[h->n_fields++];
    f->name = name;
    f->name_len = (uint16_t)name_len;
    f->value = value;
    f->value_len = (uint16_t)(vend - value);
    size_t vl = f->value_len;
    switch (lower(name[0])) {
    case 'c':
      if (cf__http_name_is(name, name_len, "content-length")) {
        if (!take_content_length(value, vl, &h->content_length)) {
          h->why = "an invalid or conflicting Content-Length";
          return CF__HTTP_BAD;
        }
      } else if (cf__http_name_is(name, name_len, "connection")) {
        take_connection(value, vl, &h->conn_close, &h->conn_keep_alive);
      }
      break;
    case 't':
      if (cf__http_name_is(name, name_len, "transfer-encoding")) {
        bool other = false;
        take_transfer_encoding(value, vl, &h->chunked, &other);
        if (other) {
          if (request) {
            h->why = "a transfer coding other than chunked";
            return CF__HTTP_NOT_IMPLEMENTED;
          }
          h->te_other = true;
        }
        if (!h->chunked && !other) {
          h->why = "an empty Transfer-Encoding";
          return CF__HTTP_BAD;
        }
      }
      break;
    case 'h':
      if (cf__http_name_is(name, name_len, "host")) h->n_host++;
      break;
    case 'p':
      if (cf__http_name_is(name, name_len, "proxy-authorization")) {
        h->proxy_auth = value;
        h->proxy_auth_len = vl;
      }
      break;
    default: break;
    }
  }
  if ((h->chunked || h->te_other) && h->content_length >= 0) {
    h->why = "both Transfer-Encoding and Content-Length";
    return CF__HTTP_BAD;
  }
  if ((h->chunked || h->te_other) && h->minor == 0) {
    h->why = "Transfer-Encoding in an HTTP/1.0 message";
    return CF__HTTP_BAD;
  }
  return CF__HTTP_OK;
}

static void head_init(cf__http_head_t *h) {
  h->method = h->target = h->status_line_rest = NULL;
  h->method_len = h->target_len = h->status_line_rest_len = 0;
  h->status = 0;
  h->minor = 1;
  h->head_len = 0;
  h->n_fields = 0;
  h->content_length = -1;
  h->chunked = h->te_other = h->conn_close = h->conn_keep_alive = false;
  h->n_host = 0;
  h->proxy_auth = NULL;
  h->proxy_auth_len = 0;
  h->why = NULL;
}

/* Finds the head's end or says why there is none yet; shared by both parsers. */
static cf__http_status find_head(const char *buf, size_t len, size_t max_head, cf__http_head_t *h,
                                 const char **line_end) {
  /* The first line's end decides 414 before the head's size decides 431. */
  const char *lf = memchr(buf, '\n', len < CF__HTTP_MAX_LINE + 2 ? len : CF__HTTP_MAX_LINE + 2);
  if (!lf) {
    if (len > CF__HTTP_MAX_LINE + 1) {
      h->why = "the first line is too long";
      return CF__HTTP_URI_TOO_LONG;
    }
    /* A CR followed by anything but LF is malformed already. */
    const char *cr = memchr(buf, '\r', len);
    if (cr && cr + 1 < buf + len) {
      h->why = "a bare CR in the first line";
      return CF__HTTP_BAD;
    }
    return CF__HTTP_INCOMPLETE;
  }
  if (lf == buf || lf[-1] != '\r') {
    h->why = "a bare LF in the first line";
    return CF__HTTP_BAD;
  }
  *line_end = lf - 1;
  size_t scan = len < max_head ? len : max_head;
  size_t end = cf__http_head_end(buf, scan, 0);
  if (!end) {
    if (len >= max_head) {
      h->why = "the header section is too large";
      return CF__HTTP_TOO_LARGE;
    }
    return CF__HTTP_INCOMPLETE;
  }
  h->head_len = end;
  return CF__HTTP_OK;
}

cf__http_status cf__http_parse_request(const char *buf, size_t len, size_t max_head, cf__http_head_t *h) {
  head_init(h);
  const char *le = NULL;
  cf__http_status st = find_head(buf, len, max_head, h, &le);
  if (st != CF__HTTP_OK) return st;
  /* request-line = method SP request-target SP HTTP-version */
  const char *p = buf;
  while (p < le && tchar[(uint8_t)*p]) p++;
  if (p == buf || p >= le || *p != ' ') {
    h->why = "an invalid method";
    return CF__HTTP_BAD;
  }
  h->method = buf;
  h->method_len = (size_t)(p - buf);
  const char *t = ++p;
  while (p < le && (uint8_t)*p > 0x20 && (uint8_t)*p < 0x7f) p++;
  if (p == t || p >= le || *p != ' ') {
    h->why = "an invalid request target";
    return CF__HTTP_BAD;
  }
  h->target = t;
  h->target_len = (size_t)(p - t);
  p++;
  if (le - p != 8) {
    h->why = "an invalid HTTP version";
    return CF__HTTP_BAD;
  }
  st = parse_version(p, &h->minor);
  if (st != CF__HTTP_OK) {
    h->why = st == CF__HTTP_BAD_VERSION ? "an HTTP version other than 1.x" : "an invalid HTTP version";
    return st;
  }
  st = parse_fields(le + 2, buf + h->head_len, true, h);
  if (st != CF__HTTP_OK) return st;
  if (h->n_host > 1 || (h->minor >= 1 && h->n_host == 0)) {
    h->why = h->n_host ? "more than one Host field" : "no Host field in an HTTP/1.1 request";
    return CF__HTTP_BAD;
  }
  return CF__HTTP_OK;
}

cf__http_status cf__http_parse_response(const char *buf, size_t len, size_t max_head, cf__http_head_t *h) {
  head_init(h);
  const char *le = NULL;
  cf__http_status st = find_head(buf, len, max_head, h, &le);
  if (st != CF__HTTP_OK) return st;
  /* status-line = HTTP-version SP status-code SP [ reason-phrase ] */
  if (le - buf < 12 || buf[8] != ' ') {
    h->why = "an invalid status line";
    return CF__HTTP_BAD;
  }
  st = parse_version(buf, &h->minor);
  if (st != CF__HTTP_OK) {
    h->why = "an invalid HTTP version in the status line";
    return CF__HTTP_BAD;
  }
  const char *s = buf + 9;
  if (s[0] < '1' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' ||
      (s + 3 < le && s[3] != ' ')) {
    h->why = "an invalid status code";
    return CF__HTTP_BAD;
  }
  h->status = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
  const char *r = s + 3 < le ? s + 4 : le;
  for (const char *q = r; q < le; q++) {
    uint8_t c = (uint8_t)*q;
    if (!is_vchar_or_obs(c) && !is_ows(c)) {
      h->why = "a control character in the reason phrase";
      return CF__HTTP_BAD;
    }
  }
  h->status_line_rest = r;
  h->status_line_rest_len = (size_t)(le - r);
  return parse_fields(le + 2, buf + h->head_len, false, h);
}

bool cf__http_basic_credentials(const char *value, size_t n, char *user, size_t usize, char *pass, size_t psize) {
  if (usize == 0 || (pass && psize == 0)) return false;
  user[0] = '\0';
  if (pass) pass[0] = '\0';
  if (n < 6 || !cf__http_name_is(value, 5, "basic") || !is_ows((uint8_t)value[5])) return false;
  size_t i = 6;
  while (i < n && is_ows((uint8_t)value[i])) i++;
  uint32_t acc = 0;
  unsigned bits = 0;
  size_t k = 0, pk = 0;
  bool in_pass = false;
  for (; i < n; i++) {
    char c = value[i];
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') break;
    else return false;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits < 8) continue;
    bits -= 8;
    char out = (char)((acc >> bits) & 0xff);
    if (!in_pass) {
      if (out == ':') { /* the user ends at the first colon; the rest is the password */
        user[k] = '\0';
        if (k == 0) return false;
        if (!pass) return true;
        in_pass = true;
        continue;
      }
      if ((uint8_t)out < 0x20 || out == 0x7f || k + 1 >= usize) return false;
      user[k++] = out;
    } else {
      if (out == '\0' || pk + 1 >= psize) {
        pass[0] = '\0';
        return false;
      }
      pass[pk++] = out;
    }
  }
  if (!in_pass) {
    user[k] = '\0';
    return false; /* no colon: not user-pass */
  }
  pass[pk] = '\0';
  return true;
}

/* ---- chunked bodies ---- */

enum {
  CH_SIZE = 0, /* hex digits of the chunk size */
  CH_EXT,      /* chunk extensions up to CR */
  CH_SIZE_LF,  /* LF after the size line */
  CH_DATA,     /* chunk data */
  CH_DATA_CR,  /* CRLF after the data */
  CH_DATA_LF,
  CH_TRAILER_START, /* a trailer line or the final CRLF */
  CH_TRAILER,       /* inside a trailer field line */
  CH_TRAILER_LF,
  CH_END_LF, /* LF of the final CRLF */
  CH_DONE,
  CH_BAD
};

void cf__chunked_init(cf__chunked_t *c, uint32_t max_trailer) {
  memset(c, 0, sizeof *c);
  c->max_trailer = max_trailer;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

cf__chunk_status cf__chunked_feed(cf__chunked_t *c, const char *buf, size_t len, size_t *used) {
  size_t i = 0;
  while (i < len) {
    char ch = buf[i];
    switch (c->state) {
    case CH_SIZE: {
      int v = hexval(ch);
      if (v >= 0) {
        if (c->digits >= 15) goto bad; /* 15 hex digits: 2^60 bytes, far past any body */
        c->remaining = (c->remaining << 4) | (uint64_t)v;
        c->digits++;
        i++;
        break;
      }
      if (c->digits == 0) goto bad;
      if (ch == '\r') c->state = CH_SIZE_LF;
      else if (ch == ';' || ch == ' ' || ch == '\t') c->state = CH_EXT;
      else goto bad;
      i++;
      break;
    }
    case CH_EXT:
      /* chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): the proxy relays
       * extensions as they are and only refuses control characters in them. */
      if (ch == '\r') c->state = CH_SIZE_LF;
      else if ((uint8_t)ch < 0x20 && ch != '\t') goto bad;
      else if (++c->trailer_bytes > c->max_trailer) goto bad;
      i++;
      break;
    case CH_SIZE_LF:
      if (ch != '\n') goto bad;
      i++;
      c->digits = 0;
      c->state = c->remaining ? CH_DATA : CH_TRAILER_START;
      break;
    case CH_DATA: {
      size_t n = len - i;
      if ((uint64_t)n > c->remaining) n = (size_t)c->remaining;
      c->remaining -= n;
      i += n;
      if (c->remaining == 0) c->state = CH_DATA_CR;
      break;
    }
    case CH_DATA_CR:
      if (ch != '\r') goto bad;
      c->state = CH_DATA_LF;
      i++;
      break;
    case CH_DATA_LF:
      if (ch != '\n') goto bad;
      c->state = CH_SIZE;
      i++;
      break;
    case CH_TRAILER_START:
      if (ch == '\r') c->state = CH_END_LF;
      else if (tchar[(uint8_t)ch]) c->state = CH_TRAILER;
      else goto bad; /* obs-fold or junk */
      if (++c->trailer_bytes > c->max_trailer) goto bad;
      i++;
      break;
    case CH_TRAILER:
      if (ch == '\r') c->state = CH_TRAILER_LF;
      else if (ch == '\n' || ((uint8_t)ch < 0x20 && ch != '\t') || ch == 0x7f) goto bad;
      if (++c->trailer_bytes > c->max_trailer) goto bad;
      i++;
      break;
    case CH_TRAILER_LF:
      if (ch != '\n') goto bad;
      c->state = CH_TRAILER_START;
      i++;
      break;
    case CH_END_LF:
      if (ch != '\n') goto bad;
      i++;
      c->state = CH_DONE;
      *used = i;
      return CF__CHUNK_DONE;
    case CH_DONE:
      *used = 0;
      return CF__CHUNK_DONE;
    default: goto bad;
    }
  }
  *used = i;
  return c->state == CH_DONE ? CF__CHUNK_DONE : CF__CHUNK_MORE;
bad:
  c->state = CH_BAD;
  *used = i;
  return CF__CHUNK_BAD;
}
