/*
 * replay_main.c - a plain driver for the libFuzzer targets, so that CI replays every corpus
 * with any compiler and without libFuzzer: it calls LLVMFuzzerInitialize when the target
 * defines one, then LLVMFuzzerTestOneInput once for every file named on the command line or
 * found (recursively, in sorted order) below a named folder, and prints TAP: one
 * "ok N - <file>" per input, "1..N" at the end. A crash or sanitizer report ends the process,
 * which the test runner counts as a failure; an unreadable input is "not ok".
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned long n_inputs, n_failed;

/* Reads a whole file; the buffer has exactly the file's bytes, so that reads past the end
 * are caught by sanitizers as they would be under libFuzzer. */
static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    uint8_t *nb = realloc(buf, cap * 2);
    if (!nb) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = nb;
    cap *= 2;
  }
  if (buf && ferror(f)) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (!buf) return NULL;
  uint8_t *exact = malloc(n ? n : 1);
  if (exact && n) memcpy(exact, buf, n);
  free(buf);
  *len = n;
  return exact;
}

static void run_file(const char *path) {
  size_t len = 0;
  uint8_t *data = slurp(path, &len);
  n_inputs++;
  if (!data) {
    n_failed++;
    printf("not ok %lu - %s # cannot read\n", n_inputs, path);
    return;
  }
  LLVMFuzzerTestOneInput(data, len);
  free(data);
  printf("ok %lu - %s\n", n_inputs, path);
  fflush(stdout);
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    n_inputs++;
    n_failed++;
    printf("not ok %lu - %s # no such file or folder\n", n_inputs, path);
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    run_file(path);
    return;
  }
  DIR *d = opendir(path);
  if (!d) return;
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.') continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **nn = realloc(names, cap * sizeof *nn);
      if (!nn) break;
      names = nn;
    }
    size_t plen = strlen(path) + strlen(de->d_name) + 2;
    names[n] = malloc(plen);
    if (!names[n]) break;
    snprintf(names[n], plen, "%s/%s", path, de->d_name);
    n++;
  }
  closedir(d);
  if (names) qsort(names, n, sizeof *names, cmp_names);
  for (size_t i = 0; i < n; i++) {
    run_path(names[i]);
    free(names[i]);
  }
  free(names);
}

int main(int argc, char **argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  for (int i = 1; i < argc; i++) run_path(argv[i]);
  printf("1..%lu\n", n_inputs);
  return n_failed ? 1 : 0;
}
