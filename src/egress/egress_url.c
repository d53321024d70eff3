/*
 * egress_url.c - the URL parser behind the egress checks: absolute http and https URLs after
 * the WHATWG URL standard (https://url.spec.whatwg.org/), the special-scheme path.
 *
 * What it is for decides how it is built. A URL is checked here and then fetched by another
 * program (curl, a browser, a language's HTTP client, our own proxy). When that program reads
 * a different host out of the same string, the check is worthless: this is how most SSRF
 * filters have been bypassed ("http://a@b@c/", "http://evil\@good/", "http://good#@evil/").
 * So the parser follows the standard where the standard is clear and agreed on, and refuses,
 * with a reason, every spelling on which widely used parsers are known to disagree:
 * backslashes before the end of the path, more than one '@' in the authority, spaces,
 * tabs, control characters and DEL anywhere (the standard strips or drops some of them,
 * others keep them), IPv6 zone identifiers, a missing "//" after the scheme, empty hosts and
 * empty labels, percent signs that do not start a valid escape in the host, and IPv4
 * addresses followed by a trailing dot or holding an empty hex part ("0x").
 *
 * The host goes through the standard's host parser: percent-decoding, then IDNA (UTS #46,
 * non-transitional, through libidn2) for a host that is not plain ASCII or holds an A-label,
 * the forbidden domain code points, the "ends in a number" rule and the IPv4 number parser
 * (one to four parts, each decimal, octal with a leading 0 or hex with 0x; the last part fills
 * the remaining bytes; anything over 32 bits fails). That is how "http://0x7f.1/" and
 * "http://①②⑦.0.0.1/" are both 127.0.0.1 here, as they are in a browser.
 *
 * Speed: the common case, an ASCII host, never calls libidn2 and allocates nothing; the whole
 * parse is a few passes over a short string, so that a proxy can check millions of URLs per
 * second on one core. Limits: 8 KiB per URL (CF_ELIMIT), 253 bytes per host name in ASCII.
 */
#include <idn2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "egress_internal.h"

/* Room for a percent-decoded host before IDNA: full-width and enclosed digits take three
 * bytes of UTF-8 for one ASCII byte, so four times the longest name is plenty. */
#define HOST_RAW_MAX 1024u

static cf_err fail(char *why, size_t n, cf_err code, const char *fmt, ...) CF_PRINTF(4, 5);
static cf_err fail(char *why, size_t n, cf_err code, const char *fmt, ...) {
  if (why && n) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
  }
  return code;
}

static inline int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

static inline unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c; }

/* The standard's forbidden domain code points, ASCII part: the forbidden host code points
 * (NUL, tab, LF, CR, space, # / : < > ? @ [ \ ] ^ |), every other C0 control, '%' and DEL. */
static inline bool forbidden_domain_byte(unsigned char c) {
  if (c < 0x20 || c == 0x7f) return true;
  switch (c) {
  case ' ': case '#': case '/': case ':': case '<': case '>': case '?': case '@':
  case '[': case '\\': case ']': case '^': case '|': case '%':
    return true;
  default:
    return false;
  }
}

/* ---- IPv4 (WHATWG "IPv4 parser") ---- */

/* One part: decimal, octal after a leading 0, hex after 0x (an empty hex part is 0). Values
 * beyond 32 bits saturate at 2^32, which every caller rejects. */
static bool ipv4_number(const char *s, size_t n, uint64_t *out) {
  if (n == 0) return false;
  unsigned radix = 10;
  if (n >= 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
    s += 2, n -= 2, radix = 16;
  } else if (n >= 2 && s[0] == '0') {
    s += 1, n -= 1, radix = 8;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    int d = hexval((unsigned char)s[i]);
    if (d < 0 || (unsigned)d >= radix) return false;
    v = v * radix + (unsigned)d;
    if (v > 0xffffffffull) v = 0x100000000ull;
  }
  *out = v;
  return true;
}

/* Whether a name (no trailing dot) ends in a number: its last label is all digits or parses
 * as an IPv4 number (hex "0x..." included). */
static bool ends_in_number(const char *s, size_t n) {
  size_t k = n;
  while (k > 0 && s[k - 1] != '.') k--;
  const char *last = s + k;
  size_t m = n - k;
  if (m == 0) return false;
  bool digits = true;
  for (size_t i = 0; i < m; i++)
    if (last[i] < '0' || last[i] > '9') digits = false;
  if (digits) return true;
  uint64_t v;
  return ipv4_number(last, m, &v);
}

/* The standard's IPv4 parser, less one thing: an empty hex part ("0x") is 0 to a browser but
 * makes the resolver behind curl and most other clients take the host for a name, so it is
 * refused. */
static bool ipv4_parse(const char *s, size_t n, uint8_t out[4]) {
  uint64_t parts[4];
  size_t np = 0, start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && s[i] != '.') continue;
    if (np == 4) return false;
    if (i - start == 2 && s[start] == '0' && (s[start + 1] | 0x20) == 'x') return false;
    if (!ipv4_number(s + start, i - start, &parts[np])) return false;
    np++;
    start = i + 1;
  }
  for (size_t i = 0; i + 1 < np; i++)
    if (parts[i] > 255) return false;
  uint64_t limit = 1ull << (8 * (5 - np));
  if (parts[np - 1] >= limit) return false;
  uint64_t v = parts[np - 1];
  for (size_t i = 0; i + 1 < np; i++) v += parts[i] << (8 * (3 - i));
  out[0] = (uint8_t)(v >> 24), out[1] = (uint8_t)(v >> 16), out[2] = (uint8_t)(v >> 8), out[3] = (uint8_t)v;
  return true;
}

/* ---- IPv6 (WHATWG "IPv6 parser": pieces, "::" compression, a trailing dotted IPv4) ---- */

static bool ipv6_parse(const char *s, size_t n, uint8_t out[16]) {
  uint16_t pieces[8] = {0};
  int idx = 0, compress = -1;
  size_t p = 0;
#define C(i) ((i) < n ? (unsigned char)s[i] : 0u)
  if (C(p) == ':') {
    if (C(p + 1) != ':') return false;
    p += 2;
    idx++;
    compress = idx;
  }
  while (p < n) {
    if (idx == 8) return false;
    if (C(p) == ':') {
      if (compress != -1) return false;
      p++;
      idx++;
      compress = idx;
      continue;
    }
    unsigned value = 0, length = 0;
    while (length < 4 && p < n && hexval(C(p)) >= 0) {
      value = value * 16 + (unsigned)hexval(C(p));
      p++, length++;
    }
    if (C(p) == '.') {
      if (length == 0) return false;
      p -= length;
      if (idx > 6) return false;
      int seen = 0;
      while (p < n) {
        int v4 = -1;
        if (seen > 0) {
          if (C(p) == '.' && seen < 4) p++;
          else return false;
        }
        if (C(p) < '0' || C(p) > '9') return false;
        while (C(p) >= '0' && C(p) <= '9') {
          int d = C(p) - '0';
          if (v4 == -1) v4 = d;
          else if (v4 == 0) return false;
          else v4 = v4 * 10 + d;
          if (v4 > 255) return false;
          p++;
        }
        pieces[idx] = (uint16_t)(pieces[idx] * 0x100 + v4);
        seen++;
        if (seen == 2 || seen == 4) idx++;
      }
      if (seen != 4) return false;
      break;
    } else if (C(p) == ':') {
      p++;
      if (p >= n) return false;
    } else if (p < n) {
      return false;
    }
    pieces[idx] = (uint16_t)value;
    idx++;
  }
#undef C
  if (compress != -1) {
    int swaps = idx - compress;
    idx = 7;
    while (idx != 0 && swaps > 0) {
      uint16_t t = pieces[idx];
      pieces[idx] = pieces[compress + swaps - 1];
      pieces[compress + swaps - 1] = t;
      idx--, swaps--;
    }
  } else if (idx != 8) {
    return false;
  }
  for (int i = 0; i < 8; i++) out[2 * i] = (uint8_t)(pieces[i] >> 8), out[2 * i + 1] = (uint8_t)pieces[i];
  return true;
}

void cf__egress_ipv6_format(const uint8_t a[16], char *out, size_t n) {
  static const char hx[] = "0123456789abcdef";
  unsigned pc[8];
  for (int i = 0; i < 8; i++) pc[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    if (pc[i]) {
      i++;
      continue;
    }
    int j = i;
    while (j < 8 && pc[j] == 0) j++;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j;
  }
  char buf[48];
  size_t k = 0;
  for (int i = 0; i < 8; i++) {
    if (i == best) {
      buf[k++] = ':';
      if (i == 0) buf[k++] = ':';
      i += best_len - 1;
      continue;
    }
    bool lead = true;
    for (int sh = 12; sh >= 0; sh -= 4) {
      unsigned d = (pc[i] >> sh) & 15u;
      if (d == 0 && lead && sh) continue;
      lead = false;
      buf[k++] = hx[d];
    }
    if (i < 7) buf[k++] = ':';
  }
  buf[k] = '\0';
  if (n == 0) return;
  if (k >= n) k = n - 1;
  memcpy(out, buf, k);
  out[k] = '\0';
}

/* snprintf would cost more than the rest of a URL check. */
void cf__egress_ipv4_format(const uint8_t a[4], char out[16]) {
  size_t k = 0;
  for (int i = 0; i < 4; i++) {
    unsigned v = a[i];
    if (v >= 100) out[k++] = (char)('0' + v / 100);
    if (v >= 10) out[k++] = (char)('0' + v / 10 % 10);
    out[k++] = (char)('0' + v % 10);
    if (i < 3) out[k++] = '.';
  }
  out[k] = '\0';
}

/* ---- hosts ---- */

/* Runs a decoded, valid UTF-8 host through UTS #46 (non-transitional, as the standard asks)
 * into name (NUL-terminated ASCII). */
static cf_err idna_map(const char *raw, char *name, size_t name_size, size_t *name_len, char *why, size_t wn) {
  char *ascii = NULL;
  int rc = idn2_to_ascii_8z(raw, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  if (rc == IDN2_MALLOC) return fail(why, wn, CF_ENOMEM, "out of memory mapping an international name");
  if (rc != IDN2_OK || !ascii)
    return fail(why, wn, CF_EPARSE, "the host is not a valid international name (IDNA: %s)", idn2_strerror(rc));
  size_t m = strlen(ascii);
  if (m >= name_size) {
    idn2_free(ascii);
    return fail(why, wn, CF_ELIMIT, "the host is longer than %u bytes", CF_URL_MAX_NAME);
  }
  for (size_t i = 0; i < m; i++) name[i] = (char)lower((unsigned char)ascii[i]);
  name[m] = '\0';
  *name_len = m;
  idn2_free(ascii);
  return CF_OK;
}

cf_err cf__egress_url_host(const char *in, size_t n, bool bracketed, char host_out[256], cf_url_host_kind *kind,
                           uint8_t addr[16], bool *trailing_dot, char *why, size_t wn) {
  *trailing_dot = false;
  if (bracketed) {
    if (memchr(in, '%', n))
      return fail(why, wn, CF_EPARSE, "IPv6 zone identifiers and percent signs in an IPv6 host are not accepted");
    if (!ipv6_parse(in, n, addr)) return fail(why, wn, CF_EPARSE, "the host is not a valid IPv6 address");
    *kind = CF_URL_HOST_IPV6;
    cf__egress_ipv6_format(addr, host_out, 256);
    return CF_OK;
  }
  if (n == 0) return fail(why, wn, CF_EPARSE, "the host is empty");
  if (n > 4 * HOST_RAW_MAX) return fail(why, wn, CF_ELIMIT, "the host is longer than %u bytes", CF_URL_MAX_NAME);

  /* Percent-decoding, lower-casing and a look at what the host holds, in one pass. */
  char raw[HOST_RAW_MAX + 1];
  char name[HOST_RAW_MAX + 1];
  size_t m = 0;
  bool non_ascii = false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)in[i];
    if (c == '%') {
      int hi = i + 2 < n ? hexval((unsigned char)in[i + 1]) : -1;
      int lo = hi >= 0 ? hexval((unsigned char)in[i + 2]) : -1;
      if (lo < 0) return fail(why, wn, CF_EPARSE, "a '%%' in the host that is not a percent-encoded byte");
      c = (unsigned char)(hi << 4 | lo);
      i += 2;
    }
    if (m == HOST_RAW_MAX) return fail(why, wn, CF_ELIMIT, "the host is longer than %u bytes", CF_URL_MAX_NAME);
    if (c >= 0x80) non_ascii = true;
    else if (forbidden_domain_byte(c))
      return fail(why, wn, CF_EPARSE, "the host holds a character no host may hold (byte 0x%02x)", c);
    raw[m++] = (char)lower(c);
  }
  raw[m] = '\0';

  size_t len = m;
  /* A-labels ("xn--") are checked by IDNA too, so that a bad one fails here as in a browser. */
  bool alabel = false;
  for (size_t i = 0; !non_ascii && i + 4 <= m; i++)
    if (raw[i] == 'x' && raw[i + 1] == 'n' && raw[i + 2] == '-' && raw[i + 3] == '-' && (i == 0 || raw[i - 1] == '.'))
      alabel = true;
  const char *h = raw;
  if (non_ascii || alabel) {
    if (cf__utf8_valid_prefix((const uint8_t *)raw, m) != m)
      return fail(why, wn, CF_EPARSE, "the host is not valid UTF-8 after percent-decoding");
    cf_err e = idna_map(raw, name, sizeof name, &len, why, wn);
    if (e) return e;
    for (size_t i = 0; i < len; i++)
      if (forbidden_domain_byte((unsigned char)name[i]) || (unsigned char)name[i] >= 0x80)
        return fail(why, wn, CF_EPARSE, "the host maps to a character no host may hold ('%c')",
                    (unsigned char)name[i] >= 0x20 && (unsigned char)name[i] < 0x7f ? name[i] : '?');
    h = name;
  }
  if (len && h[len - 1] == '.') {
    *trailing_dot = true;
    len--;
  }
  if (len == 0) return fail(why, wn, CF_EPARSE, "the host is empty");
  if (h[0] == '.' || h[len - 1] == '.' || memmem(h, len, "..", 2))
    return fail(why, wn, CF_EPARSE, "the host has an empty label");
  if (ends_in_number(h, len)) {
    /* The standard drops the dot of "127.0.0.1."; curl and others hand "0x7f.1." to the
     * resolver as a name. Which address is reached depends on the client: refuse. */
    if (*trailing_dot)
      return fail(why, wn, CF_EPARSE, "an IPv4 address with a trailing dot (clients disagree on what it names)");
    if (!ipv4_parse(h, len, addr))
      return fail(why, wn, CF_EPARSE, "the host ends in a number but is not a valid IPv4 address");
    *kind = CF_URL_HOST_IPV4;
    cf__egress_ipv4_format(addr, host_out);
    return CF_OK;
  }
  if (len > CF_URL_MAX_NAME) return fail(why, wn, CF_ELIMIT, "the host is longer than %u bytes", CF_URL_MAX_NAME);
  memcpy(host_out, h, len);
  host_out[len] = '\0';
  *kind = CF_URL_HOST_DOMAIN;
  return CF_OK;
}

/* ---- URLs ---- */

cf_err cf__egress_url_parse(const char *url, size_t len, cf_url_t *out, char *why, size_t wn) {
  memset(out, 0, sizeof *out);
  if (why && wn) why[0] = '\0';
  if (!url) return fail(why, wn, CF_EINVAL, "no URL");
  if (len > CF_URL_MAX_LEN) return fail(why, wn, CF_ELIMIT, "the URL is longer than %u bytes", CF_URL_MAX_LEN);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)url[i];
    if (c <= 0x20 || c == 0x7f)
      return fail(why, wn, CF_EPARSE, "a space or control character at byte %zu (clients disagree on them)", i + 1);
  }

  /* scheme ":" */
  size_t i = 0;
  unsigned char c0 = len ? lower((unsigned char)url[0]) : 0;
  if (!(c0 >= 'a' && c0 <= 'z')) return fail(why, wn, CF_EPARSE, "the URL does not start with a scheme");
  while (i < len) {
    unsigned char c = lower((unsigned char)url[i]);
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) break;
    if (i < sizeof out->scheme - 1) out->scheme[i] = (char)c;
    i++;
  }
  if (i == len || url[i] != ':') return fail(why, wn, CF_EPARSE, "the URL does not start with a scheme");
  bool https = strcmp(out->scheme, "https") == 0;
  if (i >= sizeof out->scheme || !(https || strcmp(out->scheme, "http") == 0))
    return fail(why, wn, CF_EUNSUPPORTED, "the scheme is not http or https");
  i++;
  if (i + 2 > len || url[i] != '/' || url[i + 1] != '/') {
    if (i < len && (url[i] == '\\' || (i + 1 < len && url[i + 1] == '\\')))
      return fail(why, wn, CF_EPARSE, "a backslash after the scheme (clients disagree on backslashes)");
    return fail(why, wn, CF_EPARSE, "no \"//\" after the scheme");
  }
  i += 2;

  /* authority: up to the first '/', '?' or '#' */
  size_t auth = i, at = SIZE_MAX;
  for (; i < len; i++) {
    char c = url[i];
    if (c == '/' || c == '?' || c == '#') break;
    if (c == '\\') return fail(why, wn, CF_EPARSE, "a backslash in the authority (clients disagree on backslashes)");
    if (c == '@') {
      if (at != SIZE_MAX) return fail(why, wn, CF_EPARSE, "more than one '@' in the authority (clients disagree on which one ends the credentials)");
      at = i;
    }
  }
  size_t auth_end = i;
  /* path: up to '?' or '#'; the query up to '#' */
  size_t path = i;
  for (; i < len && url[i] != '?' && url[i] != '#'; i++)
    if (url[i] == '\\') return fail(why, wn, CF_EPARSE, "a backslash in the path (clients disagree on backslashes)");
  while (i < len && url[i] != '#') i++;
  if (i > path) {
    out->path = url + path;
    out->path_len = i - path;
  } else {
    out->path = "/";
    out->path_len = 1;
  }

  size_t hp = auth;
  if (at != SIZE_MAX) {
    out->has_userinfo = true;
    hp = at + 1;
  }
  if (hp == auth_end) return fail(why, wn, CF_EPARSE, "the host is empty");
  size_t hs = hp, he, port_at = SIZE_MAX;
  bool bracketed = url[hp] == '[';
  if (bracketed) {
    const char *rb = memchr(url + hp, ']', auth_end - hp);
    if (!rb) return fail(why, wn, CF_EPARSE, "an IPv6 host without its closing ']'");
    hs = hp + 1;
    he = (size_t)(rb - url);
    if (he + 1 < auth_end) {
      if (url[he + 1] != ':') return fail(why, wn, CF_EPARSE, "characters after the IPv6 host's ']'");
      port_at = he + 1;
    }
  } else {
    const char *colon = memchr(url + hp, ':', auth_end - hp);
    he = colon ? (size_t)(colon - url) : auth_end;
    if (colon) port_at = he;
  }
  out->port = https ? 443 : 80;
  if (port_at != SIZE_MAX && port_at + 1 < auth_end) {
    unsigned v = 0;
    for (size_t k = port_at + 1; k < auth_end; k++) {
      unsigned char c = (unsigned char)url[k];
      if (c < '0' || c > '9') return fail(why, wn, CF_EPARSE, "the port is not a number");
      v = v * 10 + (c - '0');
      if (v > 65535) return fail(why, wn, CF_EPARSE, "the port is out of range (0 to 65535)");
    }
    out->port = (uint16_t)v;
    out->port_given = true;
  }
  return cf__egress_url_host(url + hs, he - hs, bracketed, out->host, &out->host_kind, out->addr,
                             &out->host_was_trailing_dot, why, wn);
}

cf_err cf_url_parse(const char *url, size_t len, cf_url_t *out, cf_diag_t *diag) {
  char why[160];
  if (!out) return cf_diag_set(diag, CF_EINVAL, NULL, 0, 0, "no URL");
  cf_err e = cf__egress_url_parse(url, len, out, why, sizeof why);
  if (e) {
    char scheme[sizeof out->scheme];
    memcpy(scheme, out->scheme, sizeof scheme);
    bool keep_scheme = e == CF_EUNSUPPORTED;
    memset(out, 0, sizeof *out);
    if (keep_scheme) memcpy(out->scheme, scheme, sizeof scheme);
    (void)cf_diag_set(diag, e, NULL, 0, 0, "%s", why);
  }
  return e;
}
