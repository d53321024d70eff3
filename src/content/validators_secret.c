/*
 * validators_secret.c - validators of credentials: the checksums some providers build into
 * their tokens, and the structure of keys and signed tokens.
 *
 * Each validator is a pure function of the candidate's bytes: +1 the candidate is
 * well-formed (its checksum matched, its key structure parsed), -1 it is not (a typo, a
 * redaction, a made-up look-alike: the finding stays, with low confidence), 0 no opinion.
 * Formats, from the providers' published descriptions:
 *
 *   github-crc32     ghp_/gho_/ghu_/ghs_/ghr_ + 30 base62 + 6 base62 digits of the CRC-32 of
 *                    the 30 random characters (GitHub blog, April 2021).
 *   npm-crc32        npm_ + the same 30 + 6 scheme (GitHub blog, September 2021).
 *   gitlab-crc32     routable GitLab tokens: prefix + base64url payload + "." [+ version "."]
 *                    + 2 base36 digits of the payload length + 7 base36 digits of the CRC-32
 *                    of everything before them (GitLab "routable tokens" design document).
 *                    Tokens without that suffix carry no checksum: no opinion.
 *   atlassian-crc32  ATATT3 + body + "=" + 8 upper-case hex digits of a CRC-32. Atlassian has
 *                    not published which bytes the CRC covers; both readings (with and without
 *                    the "=") are accepted and a mismatch is no opinion, a broken layout -1.
 *   aws-key-id       four-letter prefix + 16 base32 characters; keys issued since 2019 encode
 *                    the account id in their first 10 base32 characters (bits 1..40 of the
 *                    decoded bytes, as published by Aidan Steele and confirmed by AWS's
 *                    sts:GetAccessKeyInfo).
 *   jwt              RFC 7519: the header is base64url JSON naming "alg".
 *   pem-key          RFC 7468: BEGIN and END labels match and the body is base64 of a DER
 *                    SEQUENCE of plausible length (RFC 1421 headers of encrypted keys allowed).
 *   openssh-key      the body decodes to "openssh-key-v1\0" (OpenSSH PROTOCOL.key).
 *   putty-key        the PuTTY-User-Key-File-2/3 header lines, line counts and MAC.
 *
 * The CRC-32 is zlib's. The base64 decoder is a small local one: validators run on every
 * candidate, must not allocate, and mostly need only the first decoded bytes, which the
 * arena-based decoder of the posture module does not offer.
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "content_internal.h"

/* ---- small helpers ---- */

static const char B62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char B36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static uint32_t crc_of(const char *s, size_t n) {
  return (uint32_t)crc32(0L, (const Bytef *)s, (uInt)n);
}

/* Writes v in the given base, left-padded with '0' to width digits (no terminator).
 * Returns false when v needs more digits. */
static bool encode_base(uint32_t v, const char *alphabet, uint32_t base, char *out, size_t width) {
  for (size_t i = width; i-- > 0;) {
    out[i] = alphabet[v % base];
    v /= base;
  }
  return v == 0;
}

/*
 * Decodes base64 from s[0..n): whitespace and "\n" / "\r" escapes are skipped, '=' ends the
 * data (only padding may follow). The first cap bytes go to out (which may be NULL when cap is 0); *total receives
 * the decoded length. Returns false on any other character.
 */
static bool b64_decode(const char *s, size_t n, uint8_t *out, size_t cap, size_t *total) {
  uint32_t acc = 0;
  int bits = 0;
  size_t k = 0;
  bool pad = false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    /* A key inside a JSON or YAML string keeps its line breaks as "\n" escapes. */
    if (c == '\\' && i + 1 < n && (s[i + 1] == 'n' || s[i + 1] == 'r')) {
      i++;
      continue;
    }
    if (c == '=') {
      pad = true;
      continue;
    }
    int v = cf__b64_value(c);
    if (v < 0 || pad) return false;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (k < cap) out[k] = (uint8_t)(acc >> bits);
      k++;
    }
    acc &= (1u << bits) - 1;
  }
  *total = k;
  return true;
}

/* Finds needle in s[0..n); returns its offset or n. */
static size_t find(const char *s, size_t n, const char *needle) {
  size_t m = strlen(needle);
  for (size_t i = 0; m <= n && i + m <= n; i++)
    if (memcmp(s + i, needle, m) == 0) return i;
  return n;
}

/* ---- GitHub and npm: 30 base62 characters + 6 base62 digits of their CRC-32 ---- */

static int check_base62_crc(const char *body, size_t n) {
  if (n != 36) return -1;
  for (size_t i = 0; i < n; i++)
    if (!is_alnum(body[i])) return -1;
  char want[6];
  if (!encode_base(crc_of(body, 30), B62, 62, want, 6)) return -1;
  return memcmp(want, body + 30, 6) == 0 ? 1 : -1;
}

static int v_github(const char *s, size_t n) {
  if (n >= 11 && memcmp(s, "github_pat_", 11) == 0) return 0; /* fine-grained: no published checksum */
  if (n < 4 || s[0] != 'g' || s[1] != 'h' || !strchr("pousr", s[2]) || s[3] != '_') return -1;
  return check_base62_crc(s + 4, n - 4);
}

static int v_npm(const char *s, size_t n) {
  if (n < 4 || memcmp(s, "npm_", 4) != 0) return -1;
  return check_base62_crc(s + 4, n - 4);
}

/* ---- GitLab routable tokens ---- */

static int v_gitlab(const char *s, size_t n) {
  const char *dot = NULL;
  for (size_t i = n; i-- > 0;)
    if (s[i] == '.') {
      dot = s + i;
      break;
    }
  if (!dot) return 0; /* a legacy token: no checksum to check */
  size_t tail = n - (size_t)(dot + 1 - s);
  if (tail != 9) return -1;
  for (size_t i = 0; i < 9; i++) {
    char c = dot[1 + i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return -1;
  }
  /* The two length digits and the CRC are base36; the CRC covers everything before it. */
  char want[7];
  if (!encode_base(crc_of(s, n - 7), B36, 36, want, 7)) return -1;
  return memcmp(want, s + n - 7, 7) == 0 ? 1 : -1;
}

/* ---- Atlassian ATATT3 tokens ---- */

static int v_atlassian(const char *s, size_t n) {
  if (n < 6 + 20 + 9 || memcmp(s, "ATATT3", 6) != 0 || s[n - 9] != '=') return -1;
  uint32_t got = 0;
  for (size_t i = n - 8; i < n; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    got = (got << 4) | (uint32_t)d;
  }
  for (size_t i = 6; i < n - 9; i++)
    if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_') return -1;
  if (crc_of(s, n - 8) == got || crc_of(s, n - 9) == got) return 1;
  return 0;
}

/* ---- AWS access key ids ---- */

static int b32_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

static int v_aws_key_id(const char *s, size_t n) {
  static const char *const prefixes[] = {"AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA",
                                         "AIPA", "ANPA", "ANVA", "APKA", "ASCA", NULL};
  if (n != 20) return -1;
  bool known = false;
  for (int i = 0; prefixes[i] && !known; i++) known = memcmp(s, prefixes[i], 4) == 0;
  if (!known) return -1;
  for (size_t i = 4; i < n; i++)
    if (b32_value(s[i]) < 0) return -1;
  return 1;
}

/* The account id encoded in keys of the current format (first base32 digit Q or later,
 * that is the top bit set); older keys (AKIAI..., AKIAJ...) carry none. */
static void d_aws_key_id(const char *s, size_t n, char *out, size_t out_size) {
  if (out_size) out[0] = '\0';
  if (v_aws_key_id(s, n) <= 0 || b32_value(s[4]) < 16) return;
  uint64_t z = 0;
  for (size_t i = 4; i < 14; i++) z = (z << 5) | (uint64_t)b32_value(s[i]); /* 50 bits */
  z >>= 2;                                                                    /* the first 48 */
  uint64_t account = (z & 0x7fffffffff80ull) >> 7;
  snprintf(out, out_size, "account %012llu", (unsigned long long)account);
}

/* ---- JSON Web Tokens ---- */

/* Decodes the JWT header into buf (NUL-terminated); false when it is not base64url JSON. */
static bool jwt_header(const char *s, size_t n, char *buf, size_t cap, size_t *len) {
  size_t dot = find(s, n, ".");
  if (dot == n || dot < 10) return false;
  size_t second = find(s + dot + 1, n - dot - 1, ".");
  if (second == n - dot - 1 || second < 2) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!is_alnum((char)c) && c != '-' && c != '_' && c != '.' && c != '=') return false;
  }
  size_t total = 0;
  if (!b64_decode(s, dot, (uint8_t *)buf, cap - 1, &total) || total >= cap) return false;
  buf[total] = '\0';
  *len = total;
  if (memchr(buf, '\0', total)) return false;
  size_t i = 0;
  while (i < total && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')) i++;
  return i < total && buf[i] == '{' && strstr(buf, "\"alg\"") != NULL;
}

static int v_jwt(const char *s, size_t n) {
  char buf[512];
  size_t len;
  return jwt_header(s, n, buf, sizeof buf, &len) ? 1 : -1;
}

static void d_jwt(const char *s, size_t n, char *out, size_t out_size) {
  if (out_size) out[0] = '\0';
  char buf[512];
  size_t len;
  if (!jwt_header(s, n, buf, sizeof buf, &len)) return;
  const char *p = strstr(buf, "\"alg\"") + 5;
  while (*p == ' ' || *p == '\t' || *p == ':') p++;
  if (*p != '"') return;
  p++;
  size_t k = 0;
  char alg[24];
  while (p[k] && p[k] != '"' && k + 1 < sizeof alg) {
    unsigned char c = (unsigned char)p[k];
    if (!is_alnum((char)c) && c != '-' && c != '_' && c != '+') return;
    alg[k] = (char)c;
    k++;
  }
  if (p[k] != '"' || k == 0) return;
  alg[k] = '\0';
  snprintf(out, out_size, "alg %s", alg);
}

/* ---- PEM and OpenSSH private keys ---- */

typedef struct pem {
  const char *label;
  size_t label_len;
  const char *body;
  size_t body_len;
} pem_t;

/* Splits "-----BEGIN L-----" body "-----END L-----"; false when the frame is broken or the
 * labels differ. */
static bool pem_split(const char *s, size_t n, pem_t *p) {
  static const char begin[] = "-----BEGIN ", end[] = "-----END ", dashes[] = "-----";
  size_t b = find(s, n, begin);
  if (b == n) return false;
  const char *label = s + b + sizeof begin - 1;
  size_t rest = n - (size_t)(label - s);
  size_t ll = find(label, rest, dashes);
  if (ll == rest || ll == 0 || ll > 64 || memchr(label, '\n', ll)) return false;
  const char *body = label + ll + 5;
  size_t body_room = n - (size_t)(body - s);
  size_t e = find(body, body_room, end);
  if (e == body_room) return false;
  const char *elabel = body + e + sizeof end - 1;
  size_t erest = n - (size_t)(elabel - s);
  if (erest < ll + 5 || memcmp(elabel, label, ll) != 0 || memcmp(elabel + ll, dashes, 5) != 0) return false;
  p->label = label;
  p->label_len = ll;
  p->body = body;
  p->body_len = e;
  /* RFC 1421 headers (Proc-Type, DEK-Info) of traditionally encrypted keys end with a blank
   * line; the base64 follows it. */
  size_t colon = find(body, e, ":");
  if (colon < e) {
    size_t blank = find(body, e, "\n\n");
    size_t blank_crlf = find(body, e, "\r\n\r\n");
    if (blank == e && blank_crlf == e) return false;
    size_t skip = blank < blank_crlf ? blank + 2 : blank_crlf + 4;
    p->body = body + skip;
    p->body_len = e - skip;
  }
  return true;
}

static bool label_is(const pem_t *p, const char *l) {
  return p->label_len == strlen(l) && memcmp(p->label, l, p->label_len) == 0;
}

static int check_openssh_body(const char *body, size_t n) {
  uint8_t head[15];
  size_t total = 0;
  if (!b64_decode(body, n, head, sizeof head, &total)) return -1;
  if (total < 64 || memcmp(head, "openssh-key-v1\0", 15) != 0) return -1;
  return 1;
}

static int v_pem(const char *s, size_t n) {
  pem_t p;
  if (!pem_split(s, n, &p)) return -1;
  if (label_is(&p, "OPENSSH PRIVATE KEY")) return check_openssh_body(p.body, p.body_len);
  if (p.label_len >= 9 && memcmp(p.label, "PGP ", 4) == 0) return 0; /* armour, not DER */
  uint8_t head[2];
  size_t total = 0;
  if (!b64_decode(p.body, p.body_len, head, sizeof head, &total)) return -1;
  /* The smallest DER private keys (Ed25519 in PKCS#8) are 48 bytes; 16 KiB is past the
   * largest RSA keys in use. */
  if (total < 48 || total > 16384) return -1;
  return head[0] == 0x30 ? 1 : -1;
}

static int v_openssh(const char *s, size_t n) {
  pem_t p;
  if (pem_split(s, n, &p)) return label_is(&p, "OPENSSH PRIVATE KEY") ? check_openssh_body(p.body, p.body_len) : -1;
  return check_openssh_body(s, n);
}

/* ---- PuTTY private key files ---- */

/* The next line of s[*pos..n) without its line ending; false at the end. */
static bool next_line(const char *s, size_t n, size_t *pos, const char **line, size_t *len) {
  if (*pos >= n) return false;
  const char *nl = memchr(s + *pos, '\n', n - *pos);
  size_t e = nl ? (size_t)(nl - s) : n;
  *line = s + *pos;
  *len = e - *pos;
  if (*len && (*line)[*len - 1] == '\r') (*len)--;
  *pos = nl ? e + 1 : n;
  return true;
}

static bool starts(const char *line, size_t len, const char *key) {
  size_t m = strlen(key);
  return len >= m && memcmp(line, key, m) == 0;
}

/* "Key: <count>" with a count of 1..4096; returns the count or 0. */
static unsigned line_count(const char *line, size_t len, const char *key) {
  size_t m = strlen(key);
  if (!starts(line, len, key) || len == m || len > m + 4) return 0;
  unsigned v = 0;
  for (size_t i = m; i < len; i++) {
    if (line[i] < '0' || line[i] > '9') return 0;
    v = v * 10 + (unsigned)(line[i] - '0');
  }
  return v <= 4096 ? v : 0;
}

static bool b64_lines(const char *s, size_t n, size_t *pos, unsigned count) {
  for (unsigned i = 0; i < count; i++) {
    const char *l;
    size_t ll, total;
    if (!next_line(s, n, pos, &l, &ll) || ll == 0 || ll > 128 || !b64_decode(l, ll, NULL, 0, &total)) return false;
  }
  return true;
}

static int v_putty(const char *s, size_t n) {
  size_t pos = 0;
  const char *l;
  size_t ll;
  if (!next_line(s, n, &pos, &l, &ll)) return -1;
  bool v3 = starts(l, ll, "PuTTY-User-Key-File-3: ");
  if (!v3 && !starts(l, ll, "PuTTY-User-Key-File-2: ")) return -1;
  if (ll <= 23) return -1; /* the algorithm name */
  if (!next_line(s, n, &pos, &l, &ll) || !starts(l, ll, "Encryption: ")) return -1;
  bool encrypted = !(ll == 16 && memcmp(l + 12, "none", 4) == 0);
  if (!next_line(s, n, &pos, &l, &ll) || !starts(l, ll, "Comment: ")) return -1;
  unsigned pub;
  if (!next_line(s, n, &pos, &l, &ll) || !(pub = line_count(l, ll, "Public-Lines: "))) return -1;
  if (!b64_lines(s, n, &pos, pub)) return -1;
  if (v3 && encrypted) {
    /* Argon2 parameters: Key-Derivation, Argon2-Memory, -Passes, -Parallelism, -Salt. */
    static const char *const kdf[] = {"Key-Derivation: ", "Argon2-Memory: ", "Argon2-Passes: ",
                                      "Argon2-Parallelism: ", "Argon2-Salt: ", NULL};
    for (int i = 0; kdf[i]; i++)
      if (!next_line(s, n, &pos, &l, &ll) || !starts(l, ll, kdf[i])) return -1;
  }
  unsigned priv;
  if (!next_line(s, n, &pos, &l, &ll) || !(priv = line_count(l, ll, "Private-Lines: "))) return -1;
  if (!b64_lines(s, n, &pos, priv)) return -1;
  if (!next_line(s, n, &pos, &l, &ll) || !starts(l, ll, "Private-MAC: ")) return -1;
  size_t hex = ll - 13;
  if (hex != 40 && hex != 64) return -1; /* HMAC-SHA-1 (v2) or HMAC-SHA-256 (v3) */
  for (size_t i = 13; i < ll; i++)
    if (!((l[i] >= '0' && l[i] <= '9') || (l[i] >= 'a' && l[i] <= 'f'))) return -1;
  return (v3 ? hex == 64 : hex == 40) ? 1 : -1;
}

const cf_validator_t cf__validators_secret[] = {
    {"github-crc32", v_github, "GitHub token checksum (CRC-32 of the random part, base62)", NULL},
    {"npm-crc32", v_npm, "npm token checksum (CRC-32 of the random part, base62)", NULL},
    {"gitlab-crc32", v_gitlab, "GitLab routable token checksum (CRC-32, base36); legacy tokens: no opinion", NULL},
    {"atlassian-crc32", v_atlassian, "Atlassian API token layout and trailing CRC-32 (hex)", NULL},
    {"aws-key-id", v_aws_key_id, "AWS access key id prefix and base32 body; reveals the account id", d_aws_key_id},
    {"jwt", v_jwt, "JSON Web Token whose header is base64url JSON naming \"alg\"", d_jwt},
    {"pem-key", v_pem, "PEM private key: matching labels, base64 body of a DER structure", NULL},
    {"openssh-key", v_openssh, "OpenSSH private key: body decodes to openssh-key-v1", NULL},
    {"putty-key", v_putty, "PuTTY private key file: header lines, line counts and MAC", NULL},
    {NULL, NULL, NULL, NULL},
};
