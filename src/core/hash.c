/*
 * hash.c - SHA-256 through OpenSSL's EVP interface, used for finding fingerprints.
 *
 * EVP allocates its digest state, so hashing can fail when memory runs out; the functions
 * then leave an empty string, which callers turn into CF_ENOMEM instead of using a
 * fingerprint computed from garbage.
 */
#include <string.h>

#include <openssl/evp.h>

#include "core.h"

static void to_hex(const unsigned char md[32], char hex[65]) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  hex[64] = '\0';
}

void cf__sha256_hex(const void *data, size_t n, char hex[65]) {
  unsigned char md[32];
  unsigned int mdlen = 0;
  if (!EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
    hex[0] = '\0';
    return;
  }
  to_hex(md, hex);
}

bool cf__sha256_strs_hex(const char *const *strs, size_t n, char hex[65]) {
  unsigned char md[32];
  unsigned int mdlen = 0;
  bool ok = false;
  hex[0] = '\0';
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) goto out;
  for (size_t i = 0; i < n; i++)
    if (!EVP_DigestUpdate(ctx, strs[i], strlen(strs[i]) + 1)) goto out;
  if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32) goto out;
  to_hex(md, hex);
  ok = true;
out:
  EVP_MD_CTX_free(ctx);
  return ok;
}
