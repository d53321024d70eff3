/*
 * hash.c - SHA-256 through OpenSSL's EVP interface, used for finding fingerprints.
 */
#include <openssl/evp.h>

#include "core.h"

void cf__sha256_hex(const void *data, size_t n, char hex[65]) {
  unsigned char md[32];
  unsigned int mdlen = 0;
  static const char digits[] = "0123456789abcdef";
  if (!EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
    hex[0] = '\0';
    return;
  }
  for (int i = 0; i < 32; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  hex[64] = '\0';
}
