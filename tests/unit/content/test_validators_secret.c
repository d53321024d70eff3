/*
 * test_validators_secret.c - the credential validators (src/content/validators_secret.c).
 *
 * Valid candidates are built here with routines of the test's own (a bitwise CRC-32, base
 * conversions, a base64 encoder), so that a validator and its test do not share a mistake;
 * published examples (npm's announcement token, the AWS key id decoded in the format's
 * write-up, the RFC 7519 header) pin the formats to the outside world. Each validator also
 * sees near misses and hostile input: empty, truncated, non-ASCII bytes.
 */
#include "testutil.h"

#include "content/content_internal.h"

/* ---- independent helpers ---- */

static uint32_t ref_crc32(const char *s, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= (uint8_t)s[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}

/* v in base `base` with the given digits, left-padded with '0' to width, NUL-terminated. */
static void ref_base(uint32_t v, const char *digits, uint32_t base, char *out, int width) {
  out[width] = '\0';
  for (int i = width - 1; i >= 0; i--) {
    out[i] = digits[v % base];
    v /= base;
  }
}

static void ref_b64(const uint8_t *in, size_t n, bool url, char *out) {
  const char *a = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                      : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t k = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < n) v |= in[i + 2];
    out[k++] = a[(v >> 18) & 63];
    out[k++] = a[(v >> 12) & 63];
    if (i + 1 < n) out[k++] = a[(v >> 6) & 63];
    else if (!url) out[k++] = '=';
    if (i + 2 < n) out[k++] = a[v & 63];
    else if (!url) out[k++] = '=';
  }
  out[k] = '\0';
}

static const char B62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int check(const char *validator, const char *s) {
  const cf_validator_t *v = cf__validator_find(validator);
  assert_non_null(v);
  return v->fn(s, strlen(s));
}

static void detail(const char *validator, const char *s, char *out, size_t n) {
  const cf_validator_t *v = cf__validator_find(validator);
  assert_non_null(v);
  assert_non_null(v->detail);
  v->detail(s, strlen(s), out, n);
}

#define assert_valid(v, s) assert_int_equal(1, check(v, s))
#define assert_invalid(v, s) assert_int_equal(-1, check(v, s))
#define assert_no_opinion(v, s) assert_int_equal(0, check(v, s))

/* ---- registry ---- */

static void test_registry(void **state) {
  (void)state;
  const char *names[] = {"github-crc32", "npm-crc32", "gitlab-crc32", "atlassian-crc32", "aws-key-id",
                         "jwt", "pem-key", "openssh-key", "putty-key"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    const cf_validator_t *v = cf__validator_find(names[i]);
    assert_non_null(v);
    assert_non_null(v->what);
    assert_string_equal(names[i], v->name);
  }
  assert_null(cf__validator_find("no-such-validator"));
}

/* ---- GitHub and npm ---- */

static void base62_token(const char *prefix, const char *random30, char *out) {
  char sum[7];
  ref_base(ref_crc32(random30, 30), B62, 62, sum, 6);
  sprintf(out, "%s%s%s", prefix, random30, sum);
}

static void test_github(void **state) {
  (void)state;
  char tok[64];
  const char *prefixes[] = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"};
  for (int i = 0; i < 5; i++) {
    base62_token(prefixes[i], "Zq3vR8mK1pXw7TnB4yLc9HdF2sGj6A", tok);
    assert_valid("github-crc32", tok);
  }
  base62_token("ghp_", "00000000000000000000000000000a", tok);
  assert_valid("github-crc32", tok);
  /* One changed character in the random part or the checksum. */
  base62_token("ghp_", "Zq3vR8mK1pXw7TnB4yLc9HdF2sGj6A", tok);
  tok[10] = tok[10] == 'x' ? 'y' : 'x';
  assert_invalid("github-crc32", tok);
  base62_token("ghp_", "Zq3vR8mK1pXw7TnB4yLc9HdF2sGj6A", tok);
  tok[39] = tok[39] == '0' ? '1' : '0';
  assert_invalid("github-crc32", tok);
  /* Wrong prefix, wrong length, the look-alikes of documentation. */
  base62_token("ghx_", "Zq3vR8mK1pXw7TnB4yLc9HdF2sGj6A", tok);
  assert_invalid("github-crc32", tok);
  assert_invalid("github-crc32", "ghp_abcdefghijklmnopqrstuvwxyzABCD012345");
  assert_invalid("github-crc32", "ghp_0000000000000000000000000000000000000");
  assert_invalid("github-crc32", "ghp_short");
  assert_invalid("github-crc32", "");
  assert_invalid("github-crc32", "ghp_Zq3vR8mK1pXw7TnB4yLc9HdF2sGj6\xc3\xa9\x80\xff" "0000");
  /* Fine-grained tokens carry no published checksum. */
  assert_no_opinion("github-crc32",
                    "github_pat_11ABCDEFG0123456789abc_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456");
}

static void test_npm(void **state) {
  (void)state;
  /* The example of npm's announcement of the format (a dummy token). */
  assert_valid("npm-crc32", "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");
  assert_invalid("npm-crc32", "npm_qkJaB6MffYVzZXWqmcoF49yrUxP3wf0LsakQ");
  assert_invalid("npm-crc32", "npm_qkJaB6MffYVzZXWqmcoF49yrUxP3wf0Lsak");
  char tok[64];
  base62_token("npm_", "p9WmQ2xR7vT4kL8nB3cY6hJ1dF5gS0", tok);
  assert_valid("npm-crc32", tok);
  tok[0] = 'N';
  assert_invalid("npm-crc32", tok);
  assert_invalid("npm-crc32", "");
  assert_invalid("npm-crc32", "npm_");
}

/* ---- GitLab ---- */

/* A routable token as GitLab's design document describes it. */
static void gitlab_token(const char *prefix, const char *payload, bool versioned, char *out) {
  char b64[256], len[3], crc[8], body[512];
  ref_b64((const uint8_t *)payload, strlen(payload), true, b64);
  ref_base((uint32_t)strlen(b64), "0123456789abcdefghijklmnopqrstuvwxyz", 36, len, 2);
  snprintf(body, sizeof body, "%s%s.%s%s", prefix, b64, versioned ? "01." : "", len);
  ref_base(ref_crc32(body, strlen(body)), "0123456789abcdefghijklmnopqrstuvwxyz", 36, crc, 7);
  sprintf(out, "%s%s", body, crc);
}

static void test_gitlab(void **state) {
  (void)state;
  char tok[600];
  gitlab_token("glpat-", "c:1\no:2s\nu:a7\x8e\x11\xfa\x03\x99\x42\x10\xee\xc5\x01\x77\x5a\x6b\x3c\x90\x2d\x10", false, tok);
  assert_valid("gitlab-crc32", tok);
  gitlab_token("glpat-", "o:9z\nu:1\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x10", true, tok);
  assert_valid("gitlab-crc32", tok);
  gitlab_token("glrt-", "o:1\n\xaa\xbb\xcc\xdd\xee\xff\x11\x22\x33\x44\x55\x66\x77\x88\x99\x00\x10", true, tok);
  assert_valid("gitlab-crc32", tok);
  /* One changed character anywhere breaks the checksum. */
  tok[8] = tok[8] == 'A' ? 'B' : 'A';
  assert_invalid("gitlab-crc32", tok);
  gitlab_token("glpat-", "o:1\n0123456789abcdef\x10", true, tok);
  size_t n = strlen(tok);
  tok[n - 1] = tok[n - 1] == 'z' ? 'y' : 'z';
  assert_invalid("gitlab-crc32", tok);
  /* A suffix that is not 2 + 7 base36 digits. */
  assert_invalid("gitlab-crc32", "glpat-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.01.1cABCDEFG");
  assert_invalid("gitlab-crc32", "glpat-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.1c12345");
  /* Legacy tokens have no checksum. */
  assert_no_opinion("gitlab-crc32", "glpat-xR4vT9kL2mN7pQ8sW3yZ");
  assert_no_opinion("gitlab-crc32", "");
  assert_invalid("gitlab-crc32", "glpat-\xff\xfe.\x80\x80\x80\x80\x80\x80\x80\x80\x80");
}

/* ---- Atlassian ---- */

static void atlassian_token(const char *body, bool with_eq, char *out) {
  char pre[300];
  snprintf(pre, sizeof pre, "ATATT3xFfGF0%s=", body);
  uint32_t c = ref_crc32(pre, strlen(pre) - (with_eq ? 0 : 1));
  sprintf(out, "%s%08X", pre, (unsigned)c);
}

static void test_atlassian(void **state) {
  (void)state;
  char tok[400];
  const char *body = "Kp7_Qx2-Vr9LmN4sT8wY1zB6cD3fG5hJ0kM2nP4qR6sT8uV0wX2yZ4aB6cD8eF0gH2iJ4kL6mN8oP0qR2sT4u";
  atlassian_token(body, true, tok);
  assert_valid("atlassian-crc32", tok);
  atlassian_token(body, false, tok);
  assert_valid("atlassian-crc32", tok);
  /* A checksum that matches neither reading: no opinion, the layout is right. */
  size_t n = strlen(tok);
  tok[n - 1] = tok[n - 1] == 'A' ? 'B' : 'A';
  assert_no_opinion("atlassian-crc32", tok);
  /* Broken layouts. */
  tok[n - 1] = 'g';
  assert_invalid("atlassian-crc32", tok);
  atlassian_token(body, true, tok);
  tok[strlen(tok) - 9] = 'x'; /* no '=' */
  assert_invalid("atlassian-crc32", tok);
  assert_invalid("atlassian-crc32", "ATATT3xFfGF0=0000ABCD");
  assert_invalid("atlassian-crc32", "");
  assert_invalid("atlassian-crc32", "ATATT3xFfGF0\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9=0000ABCD");
}

/* ---- AWS ---- */

/* Builds a current-format key id for an account: the inverse of the published decoding. */
static void aws_key_for(const char *prefix, uint64_t account, uint32_t low7, char *out) {
  static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  uint64_t z = (1ull << 47) | (account << 7) | (low7 & 0x7f); /* 48 bits, top bit set */
  uint64_t fifty = z << 2;                                       /* 10 base32 digits */
  strcpy(out, prefix);
  for (int i = 0; i < 10; i++) out[4 + i] = b32[(fifty >> (45 - 5 * i)) & 31];
  memcpy(out + 14, "XQ4RZA", 6);
  out[20] = '\0';
}

static void test_aws_key_id(void **state) {
  (void)state;
  char d[64];
  /* The example of the key id format's public write-up. */
  assert_valid("aws-key-id", "ASIAY34FZKBOKMUTVV7A");
  detail("aws-key-id", "ASIAY34FZKBOKMUTVV7A", d, sizeof d);
  assert_string_equal("account 609629065308", d);
  char key[32];
  aws_key_for("AKIA", 123456789012ull, 0x55, key);
  assert_valid("aws-key-id", key);
  detail("aws-key-id", key, d, sizeof d);
  assert_string_equal("account 123456789012", d);
  aws_key_for("AKIA", 7ull, 0, key);
  detail("aws-key-id", key, d, sizeof d);
  assert_string_equal("account 000000000007", d);
  /* AWS documentation's example is well-formed but of the old format: no account. */
  assert_valid("aws-key-id", "AKIAIOSFODNN7EXAMPLE");
  detail("aws-key-id", "AKIAIOSFODNN7EXAMPLE", d, sizeof d);
  assert_string_equal("", d);
  assert_invalid("aws-key-id", "AKIAIOSFODNN7EXAMPL");   /* 19 characters */
  assert_invalid("aws-key-id", "AKIAIOSFODNN7EXAMPLE1"); /* 21 */
  assert_invalid("aws-key-id", "AKIAIOSFODNN1EXAMPLE");  /* '1' is not base32 */
  assert_invalid("aws-key-id", "AKIAiosfodnn7example");
  assert_invalid("aws-key-id", "XKIAIOSFODNN7EXAMPLE");
  assert_invalid("aws-key-id", "");
  assert_invalid("aws-key-id", "AKIA\xc3\x89OSFODNN7EXAMPL");
  detail("aws-key-id", "AKIA", d, sizeof d);
  assert_string_equal("", d);
}

/* ---- JWT ---- */

static void test_jwt(void **state) {
  (void)state;
  char d[64];
  /* RFC 7519 section 3.1's header and a made-up signature. */
  const char *hs = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLW5vdC1yZWFs";
  assert_valid("jwt", hs);
  detail("jwt", hs, d, sizeof d);
  assert_string_equal("alg HS256", d);
  char hdr[128], tok[256];
  const char *json = "{ \"typ\": \"JWT\", \"alg\" : \"ES384\" }";
  ref_b64((const uint8_t *)json, strlen(json), true, hdr);
  snprintf(tok, sizeof tok, "%s.eyJpc3MiOiJ4In0.AbCdEf012345", hdr);
  assert_valid("jwt", tok);
  detail("jwt", tok, d, sizeof d);
  assert_string_equal("alg ES384", d);
  /* A header without "alg", a header that is not JSON, a missing part. */
  ref_b64((const uint8_t *)"{\"typ\":\"JWT\"}", 13, true, hdr);
  snprintf(tok, sizeof tok, "%s.eyJpc3MiOiJ4In0.AbCdEf012345", hdr);
  assert_invalid("jwt", tok);
  detail("jwt", tok, d, sizeof d);
  assert_string_equal("", d);
  assert_invalid("jwt", "eyJub3QganNvbiBhdCBhbGw.eyJpc3MiOiJ4In0.AbCdEf012345");
  assert_invalid("jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0");
  assert_invalid("jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  assert_invalid("jwt", "");
  assert_invalid("jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\xc3\xa9\xc3\xa9.AbCd");
  /* A value that would inject into the detail is not reported. */
  ref_b64((const uint8_t *)"{\"alg\":\"a b\"}", 13, true, hdr);
  snprintf(tok, sizeof tok, "%s.eyJpc3MiOiJ4In0.AbCdEf012345", hdr);
  detail("jwt", tok, d, sizeof d);
  assert_string_equal("", d);
}

/* ---- PEM and OpenSSH ---- */

static char *pem(const char *label, const char *end_label, const uint8_t *der, size_t n, const char *headers) {
  char b64[4096];
  ref_b64(der, n, false, b64);
  char *out = malloc(8192);
  assert_non_null(out);
  size_t k = (size_t)sprintf(out, "-----BEGIN %s-----\n%s", label, headers ? headers : "");
  size_t len = strlen(b64);
  for (size_t i = 0; i < len; i += 64) k += (size_t)sprintf(out + k, "%.64s\n", b64 + i);
  sprintf(out + k, "-----END %s-----", end_label);
  return out;
}

static void test_pem(void **state) {
  (void)state;
  uint8_t der[600];
  for (size_t i = 0; i < sizeof der; i++) der[i] = (uint8_t)(i * 37 + 11);
  der[0] = 0x30;
  der[1] = 0x82;
  const char *labels[] = {"RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "PRIVATE KEY",
                          "ENCRYPTED PRIVATE KEY"};
  for (int i = 0; i < 5; i++) {
    char *p = pem(labels[i], labels[i], der, sizeof der, NULL);
    assert_valid("pem-key", p);
    free(p);
  }
  char *p = pem("RSA PRIVATE KEY", "RSA PRIVATE KEY", der, sizeof der,
                "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\n");
  assert_valid("pem-key", p);
  free(p);
  /* A key kept in a JSON string (a Google service account file): "\n" escapes. */
  p = pem("PRIVATE KEY", "PRIVATE KEY", der, sizeof der, NULL);
  char *json = malloc(16384);
  assert_non_null(json);
  size_t k = 0;
  for (const char *c = p; *c; c++) {
    if (*c == '\n') {
      json[k++] = '\\';
      json[k++] = 'n';
    } else {
      json[k++] = *c;
    }
  }
  json[k] = '\0';
  assert_null(strchr(json, '\n'));
  assert_valid("pem-key", json);
  free(json);
  free(p);
  p = pem("RSA PRIVATE KEY", "EC PRIVATE KEY", der, sizeof der, NULL); /* labels differ */
  assert_invalid("pem-key", p);
  free(p);
  p = pem("PRIVATE KEY", "PRIVATE KEY", der, 20, NULL); /* too short for any key */
  assert_invalid("pem-key", p);
  free(p);
  der[0] = 0x04; /* not a DER SEQUENCE */
  p = pem("PRIVATE KEY", "PRIVATE KEY", der, sizeof der, NULL);
  assert_invalid("pem-key", p);
  free(p);
  assert_invalid("pem-key", "-----BEGIN RSA PRIVATE KEY-----\nnot*base64!\n-----END RSA PRIVATE KEY-----");
  assert_invalid("pem-key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA");
  assert_invalid("pem-key", "");
  assert_invalid("pem-key", "-----BEGIN \xff\xfe-----\n\x80\x81\n-----END \xff\xfe-----");
  /* An OpenSSH key inside the PEM validator. */
  uint8_t ossh[300];
  memset(ossh, 0x5a, sizeof ossh);
  memcpy(ossh, "openssh-key-v1\0", 15);
  p = pem("OPENSSH PRIVATE KEY", "OPENSSH PRIVATE KEY", ossh, sizeof ossh, NULL);
  assert_valid("pem-key", p);
  assert_valid("openssh-key", p);
  free(p);
  ossh[13] = '2';
  p = pem("OPENSSH PRIVATE KEY", "OPENSSH PRIVATE KEY", ossh, sizeof ossh, NULL);
  assert_invalid("openssh-key", p);
  assert_invalid("pem-key", p);
  free(p);
  ossh[13] = '1';
  p = pem("RSA PRIVATE KEY", "RSA PRIVATE KEY", ossh, sizeof ossh, NULL); /* wrong label */
  assert_invalid("openssh-key", p);
  free(p);
  /* The bare base64 body also passes. */
  char b64[1024];
  ref_b64(ossh, sizeof ossh, false, b64);
  assert_valid("openssh-key", b64);
  ref_b64(ossh, 20, false, b64); /* too short to hold a key */
  assert_invalid("openssh-key", b64);
  assert_invalid("openssh-key", "");
}

/* ---- PuTTY ---- */

static void test_putty(void **state) {
  (void)state;
  const char *v2 =
      "PuTTY-User-Key-File-2: ssh-rsa\r\n"
      "Encryption: none\r\n"
      "Comment: rsa-key-20240101\r\n"
      "Public-Lines: 2\r\n"
      "AAAAB3NzaC1yc2EAAAABJQAAAQEAs1Zq4gT8mR0pVw3JkXyL7nB2cD9fG6hK1mN4\r\n"
      "pQ8sT3vW6yZ0aC5eH2jL7oR1uX4zB8dF3gK6nP9qS2tV5wY8\r\n"
      "Private-Lines: 1\r\n"
      "AAABAEk7pR2mX9vT4sL8nB3cY6hJ1dF5gS0wQ2xR7vT4kL8nB3cY6hJ1dF5gS0wQ\r\n"
      "Private-MAC: 5d41402abc4b2a76b9719d911017c592aa3c2e1f\r\n";
  assert_valid("putty-key", v2);
  const char *v3 =
      "PuTTY-User-Key-File-3: ssh-ed25519\n"
      "Encryption: aes256-cbc\n"
      "Comment: ed25519-key-20240101\n"
      "Public-Lines: 2\n"
      "AAAAC3NzaC1lZDI1NTE5AAAAIOq3vR8mK1pXw7TnB4yLc9HdF2sGj6AZq3vR8mK1\n"
      "pXw7TnB4\n"
      "Key-Derivation: Argon2id\n"
      "Argon2-Memory: 8192\n"
      "Argon2-Passes: 13\n"
      "Argon2-Parallelism: 1\n"
      "Argon2-Salt: 0f1e2d3c4b5a69788796a5b4c3d2e1f0\n"
      "Private-Lines: 1\n"
      "Zq3vR8mK1pXw7TnB4yLc9HdF2sGj6AZq3vR8mK1pXw7TnB4yLc9HdF2sGj6AZq3v\n"
      "Private-MAC: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\n";
  assert_valid("putty-key", v3);
  /* Line counts that do not match, a v3 file with a v2 MAC, a missing MAC, bad base64. */
  char buf[2048];
  strcpy(buf, v2);
  memcpy(strstr(buf, "Public-Lines: 2"), "Public-Lines: 3", 15);
  assert_invalid("putty-key", buf);
  strcpy(buf, v3);
  strcpy(strstr(buf, "Private-MAC: ") + 13, "5d41402abc4b2a76b9719d911017c592aa3c2e1f\n");
  assert_invalid("putty-key", buf);
  strcpy(buf, v2);
  *strstr(buf, "Private-MAC") = '\0';
  assert_invalid("putty-key", buf);
  strcpy(buf, v2);
  strstr(buf, "Private-Lines: 1\r\n")[18] = '*';
  assert_invalid("putty-key", buf);
  assert_invalid("putty-key", "PuTTY-User-Key-File-2: \nEncryption: none\n");
  assert_invalid("putty-key", "PuTTY-User-Key-File-9: ssh-rsa\n");
  assert_invalid("putty-key", "");
  assert_invalid("putty-key", "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: \xff\nPublic-Lines: 99999\n");
}

/* ---- hostile input ---- */

/* Every validator and detail function on random bytes behind each format's prefix, each input
 * in a heap block of its exact size so that the sanitizers see any read past its end. */
static void test_hostile(void **state) {
  (void)state;
  static const char *const prefixes[] = {"", "ghp_", "npm_", "github_pat_", "glpat-", "glpat-AAAA.", "ATATT3xFfGF0",
                                         "AKIA", "ASIAQ", "eyJ", "eyJhbGciOiJIUzI1NiJ9.", "-----BEGIN ",
                                         "-----BEGIN PRIVATE KEY-----\n", "-----BEGIN OPENSSH PRIVATE KEY-----\n",
                                         "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: c\nPublic-Lines: 1\n"};
  static const char alphabet[] = "AZaz09+/=-_.:\n\r \\\x80\xff\x00Q~";
  size_t alen = sizeof alphabet - 1;
  uint32_t seed = 12345;
  unsigned counts[3] = {0, 0, 0};
  for (int iter = 0; iter < 4000; iter++) {
    const char *p = prefixes[(size_t)iter % (sizeof prefixes / sizeof *prefixes)];
    seed = seed * 1103515245u + 12345u;
    size_t extra = (seed >> 8) % 300, plen = strlen(p), n = plen + extra;
    char *buf = malloc(n ? n : 1);
    assert_non_null(buf);
    memcpy(buf, p, plen);
    for (size_t i = plen; i < n; i++) {
      seed = seed * 1103515245u + 12345u;
      buf[i] = (seed >> 16) & 1 ? alphabet[(seed >> 17) % alen] : (char)(seed >> 20);
    }
    for (const cf_validator_t *v = cf__validators_table(0); v->name; v++) {
      int r = v->fn(buf, n);
      assert_true(r >= -1 && r <= 1);
      counts[r + 1]++;
      if (v->detail) {
        char out[64];
        for (size_t sz = 0; sz <= sizeof out; sz += 16) {
          memset(out, 'x', sizeof out);
          v->detail(buf, n, out, sz);
          if (sz) assert_true(memchr(out, '\0', sz) != NULL);
        }
      }
    }
    free(buf);
  }
  /* Random bytes are almost never well-formed. */
  assert_true(counts[0] > counts[2]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_registry), cmocka_unit_test(test_github), cmocka_unit_test(test_npm),
      cmocka_unit_test(test_gitlab),   cmocka_unit_test(test_atlassian), cmocka_unit_test(test_aws_key_id),
      cmocka_unit_test(test_jwt),      cmocka_unit_test(test_pem),    cmocka_unit_test(test_putty),
      cmocka_unit_test(test_hostile),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
