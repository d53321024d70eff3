/*
 * egress_auth.c - the credentials behind Proxy-Authorization: a file of USER:HASH lines (the
 * htpasswd layout; '#' starts a comment line) whose hashes are crypt(3) strings.
 *
 * Why libxcrypt (Debian's libcrypt) and not hashing of our own: a stored password must be
 * hashed slowly and with a salt, and crypt(3) implements yescrypt, bcrypt and SHA-512/256
 * crypt, which mkpasswd, htpasswd -B and openssl passwd produce. DES and MD5 hashes, which
 * crypt(3) still reads, are refused when the file is loaded.
 *
 * The users are kept sorted, so a lookup is a binary search; an unknown user is checked
 * against a stored hash all the same, so that the time taken does not tell which users exist.
 * A check costs what the hash costs (yescrypt: milliseconds), which is why the proxy checks
 * a connection's credentials once and not on every request.
 */
#include <crypt.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core.h"
#include "egress_internal.h"

#define MAX_USERS 100000u

typedef struct cred {
  const char *user;
  const char *hash;
  uint32_t line;
} cred_t;

struct cf__creds {
  cred_t *v;
  size_t n;
};

static int cred_cmp(const void *a, const void *b) {
  return strcmp(((const cred_t *)a)->user, ((const cred_t *)b)->user);
}

cf_err cf__egress_creds_load(cf_arena_t *arena, const cf_ctx_t *ctx, const char *path, struct cf__creds **out,
                             cf_diag_t *diag) {
  *out = NULL;
  /* A regular file only: opening a FIFO or a terminal named by mistake would wait forever. */
  struct stat st;
  if (stat(path, &st) != 0)
    return cf_diag_set(diag, errno == ENOMEM ? CF_ENOMEM : CF_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
  if (!S_ISREG(st.st_mode)) return cf_diag_set(diag, CF_EIO, path, 0, 0, "not a regular file");
  char *buf = NULL;
  size_t len = 0;
  cf_err e = cf__egress_read_file(ctx, path, &buf, &len, diag);
  if (e) return e;
  e = cf__egress_creds_parse(arena, buf, len, path, out, diag);
  OPENSSL_cleanse(buf, len);
  free(buf);
  return e;
}

cf_err cf__egress_creds_parse(cf_arena_t *arena, char *buf, size_t len, const char *path, struct cf__creds **out,
                              cf_diag_t *diag) {
  *out = NULL;
  cf_err e = CF_OK;
  struct cf__creds *c = cf__arena_zalloc(arena, sizeof *c);
  size_t lines = 1;
  for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
  if (!c || !(c->v = cf__arena_zalloc(arena, sizeof(cred_t) * lines)))
    return cf_diag_set(diag, CF_ENOMEM, path, 0, 0, "out of memory");
  uint32_t lineno = 0;
  for (char *s = buf; s < buf + len;) {
    char *nl = memchr(s, '\n', (size_t)(buf + len - s));
    char *end = nl ? nl : buf + len;
    char *next = nl ? nl + 1 : buf + len;
    lineno++;
    while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t')) end--;
    *end = '\0';
    char *line = s;
    s = next;
    while (*line == ' ' || *line == '\t') line++;
    if (!*line || *line == '#') continue;
    char *colon = strchr(line, ':');
    if (!colon || colon == line) {
      e = cf_diag_set(diag, CF_EPARSE, path, lineno, 1, "expected USER:HASH");
      break;
    }
    *colon = '\0';
    char *hash = colon + 1, *more = strchr(hash, ':');
    if (more) *more = '\0'; /* htpasswd files may carry more fields */
    for (const char *q = line; *q; q++)
      if ((unsigned char)*q < 0x20 || *q == 0x7f) {
        e = cf_diag_set(diag, CF_EPARSE, path, lineno, 1, "a control character in the user name");
        break;
      }
    if (e) break;
    static const char b64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    bool des = strlen(hash) == 13 && strspn(hash, b64) == 13; /* traditional DES: no prefix */
    int salt = hash[0] == '$' || des ? crypt_checksalt(hash) : CRYPT_SALT_INVALID;
    if (salt == CRYPT_SALT_METHOD_LEGACY || salt == CRYPT_SALT_METHOD_DISABLED) {
      e = cf_diag_set(diag, CF_EPARSE, path, lineno, (unsigned)(hash - line) + 1,
                      "user '%s': a weak hash (DES or MD5); use yescrypt ($y$), bcrypt ($2b$) or SHA-512 crypt "
                      "($6$), as mkpasswd -m yescrypt makes",
                      line);
      break;
    }
    if (salt != CRYPT_SALT_OK) {
      e = cf_diag_set(diag, CF_EPARSE, path, lineno, (unsigned)(hash - line) + 1,
                      "user '%s': expected a crypt(3) hash such as $y$..., $2b$... or $6$...", line);
      break;
    }
    if (c->n >= MAX_USERS) {
      e = cf_diag_set(diag, CF_ELIMIT, path, lineno, 1, "more than %u users", MAX_USERS);
      break;
    }
    cred_t *r = &c->v[c->n++];
    r->line = lineno;
    if (!(r->user = cf__arena_strdup(arena, line)) || !(r->hash = cf__arena_strdup(arena, hash))) {
      e = cf_diag_set(diag, CF_ENOMEM, path, 0, 0, "out of memory");
      break;
    }
  }
  if (e) return e;
  if (c->n == 0) return cf_diag_set(diag, CF_EPARSE, path, lineno ? lineno : 1, 1, "no USER:HASH lines");
  qsort(c->v, c->n, sizeof *c->v, cred_cmp);
  for (size_t i = 1; i < c->n; i++)
    if (strcmp(c->v[i - 1].user, c->v[i].user) == 0) {
      uint32_t a = c->v[i - 1].line, b = c->v[i].line;
      return cf_diag_set(diag, CF_EPARSE, path, a > b ? a : b, 1, "user '%s' is listed twice (also line %u)",
                         c->v[i].user, a > b ? b : a);
    }
  *out = c;
  return CF_OK;
}

bool cf__egress_creds_has(const struct cf__creds *c, const char *user) {
  cred_t key = {user, NULL, 0};
  return c && user && bsearch(&key, c->v, c->n, sizeof *c->v, cred_cmp) != NULL;
}

cf_egress_auth cf__egress_creds_check(const struct cf__creds *c, const char *user, const char *password) {
  if (!c) return CF_EGRESS_AUTH_NONE;
  if (!user || !password) return CF_EGRESS_AUTH_FAILED;
  cred_t key = {user, NULL, 0};
  const cred_t *r = bsearch(&key, c->v, c->n, sizeof *c->v, cred_cmp);
  const char *hash = r ? r->hash : c->v[0].hash; /* an unknown user costs as much as a known one */
  struct crypt_data *d = calloc(1, sizeof *d);
  if (!d) return CF_EGRESS_AUTH_FAILED;
  const char *got = crypt_rn(password, hash, d, (int)sizeof *d);
  size_t n = strlen(hash);
  bool ok = r && got && strlen(got) == n && CRYPTO_memcmp(got, hash, n) == 0;
  OPENSSL_cleanse(d, sizeof *d);
  free(d);
  return ok ? CF_EGRESS_AUTH_OK : CF_EGRESS_AUTH_FAILED;
}
