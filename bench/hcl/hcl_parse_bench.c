/*
 * hcl_parse_bench.c - times the HCL parser alone (cf__hcl_parse) over every .tf file of a
 * tree, held in memory, so that the figure is the parser's and not the disk's or the
 * evaluator's. Runs the whole set RUNS times and prints the median in MB/s and lines/s.
 *
 *   hcl_parse_bench DIR [RUNS]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "posture/hcl.h"

typedef struct text {
  char *s;
  size_t n;
} text_t;

static text_t *texts;
static size_t n_texts, cap_texts;

static void load(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
    size_t l = strlen(de->d_name);
    if (de->d_type == DT_DIR) {
      load(p);
      continue;
    }
    if (l < 3 || strcmp(de->d_name + l - 3, ".tf")) continue;
    FILE *f = fopen(p, "rb");
    if (!f) continue;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)sz + 1);
    if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz) exit(2);
    fclose(f);
    if (n_texts == cap_texts) {
      cap_texts = cap_texts ? cap_texts * 2 : 64;
      texts = realloc(texts, cap_texts * sizeof *texts);
      if (!texts) exit(2);
    }
    texts[n_texts++] = (text_t){buf, (size_t)sz};
  }
  closedir(d);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: hcl_parse_bench DIR [RUNS]\n");
    return 2;
  }
  int runs = argc > 2 ? atoi(argv[2]) : 5;
  if (runs < 1) runs = 1;
  load(argv[1]);
  size_t bytes = 0, lines = 0;
  for (size_t i = 0; i < n_texts; i++) {
    bytes += texts[i].n;
    for (size_t k = 0; k < texts[i].n; k++) lines += texts[i].s[k] == '\n';
  }
  double *t = calloc((size_t)runs, sizeof *t);
  for (int r = 0; r < runs; r++) {
    cf_arena_t *a = cf__arena_new(0);
    double t0 = now();
    for (size_t i = 0; i < n_texts; i++) {
      hcl_file_t *f = NULL;
      cf_diag_t d;
      cf_diag_init(&d);
      if (cf__hcl_parse(a, texts[i].s, texts[i].n, (uint32_t)i, "bench.tf", &f, &d)) {
        fprintf(stderr, "parse error %u:%u %s\n", d.line, d.column, d.message);
        return 1;
      }
      cf_diag_cleanup(&d);
    }
    t[r] = now() - t0;
    cf__arena_free(a);
  }
  qsort(t, (size_t)runs, sizeof *t, cmp_d);
  double med = t[runs / 2];
  printf("parse       %zu files, %zu lines, %.1f MB: median of %d %.3f s = %.1f MB/s, %.0f lines/s\n", n_texts, lines,
         bytes / 1e6, runs, med, bytes / 1e6 / med, lines / med);
  return 0;
}
