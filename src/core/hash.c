/*
 * hash.c - SHA-256 through OpenSSL's EVP interface, used for finding fingerprints.
 *
 * EVP allocates its digest state, so hashing can fail when memory runs out; the functions
 * then leave an empty string, which callers turn into CF_ENOMEM instead of using a
 * fingerprint computed from garbage.
 *
 * Speed: OpenSSL 3 looks the algorithm up by name on every EVP_sha256() digest, which costs
 * more than hashing a fingerprint's hundred bytes. The algorithm is fetched once per process
 * and each thread keeps its digest context, so a scan with a few hundred thousand findings
 * spends its time hashing, not looking up.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "core.h"

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void) { sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL); }

/* The fetched algorithm, or EVP_sha256() (implicit fetch) when the fetch failed. */
static const EVP_MD *md_sha256(void) {
  pthread_once(&sha256_once, fetch_sha256);
  return sha256_md ? sha256_md : EVP_sha256();
}

/* One reusable digest context per thread; freed by the OpenSSL thread cleanup at exit of
 * the process (threads of the scan free theirs with cf__hash_thread_done). */
static _Thread_local EVP_MD_CTX *tl_ctx;

void cf__hash_thread_done(void) {
  EVP_MD_CTX_free(tl_ctx);
  tl_ctx = NULL;
}

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
  if (!EVP_Digest(data, n, md, &mdlen, md_sha256(), NULL) || mdlen != 32) {
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
  EVP_MD_CTX *ctx = tl_ctx ? tl_ctx : (tl_ctx = EVP_MD_CTX_new());
  if (!ctx || !EVP_DigestInit_ex2(ctx, md_sha256(), NULL)) goto out;
  for (size_t i = 0; i < n; i++)
    if (!EVP_DigestUpdate(ctx, strs[i], strlen(strs[i]) + 1)) goto out;
  if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32) goto out;
  to_hex(md, hex);
  ok = true;
out:
  return ok;
}
