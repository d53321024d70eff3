/*
 * urlcheck_bench.c - how many URL checks one core does per second: cf_egress_check_url()
 * under the default policy on IP-literal URLs in mixed spellings (dotted, decimal, hex,
 * octal, short forms, IPv6 with embedded IPv4, percent-encoded, full-width), half of them
 * denied, as a proxy would see them. Literals need no resolution, so this is the whole cost
 * of the check.
 *
 * Prints the machine, the number of distinct URLs, each run's rate and the median of five
 * runs; the goal is 5,000,000 checks per second. Usage: urlcheck_bench [SECONDS_PER_RUN]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "cloudfort/cloudfort.h"

static const char *const urls[] = {
    "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/",
    "http://0xa9fea9fe/",
    "http://0251.0376.0251.0376/",
    "http://169.254.43518/",
    "http://0x7f.1/",
    "http://127.0.0.1:8080/admin",
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://[::1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[fd00:ec2::254]/",
    "http://%31%36%39.254.169.254/",
    "http://example.com@10.1.2.3/",
    "http://8.8.8.8/",
    "https://1.1.1.1/dns-query",
    "http://134744072/",
    "https://[2606:4700:4700::1111]/",
    "http://93.184.216.34/index.html",
    "https://140.82.112.3:443/repos",
    "http://0x08080808/",
    "http://[2001:4860:4860::8888]/",
    "https://52.95.110.1/bucket/key?x=1",
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 1.0;
  if (secs <= 0) secs = 1.0;
  cf_egress_policy_t *p = NULL;
  if (cf_egress_policy_default(&p) != CF_OK) return 2;
  enum { N = sizeof urls / sizeof urls[0] };
  size_t lens[N];
  unsigned denied = 0;
  for (size_t i = 0; i < N; i++) {
    lens[i] = strlen(urls[i]);
    cf_egress_result_t r;
    if (cf_egress_check_url(p, NULL, urls[i], lens[i], &r, NULL) != CF_OK) return 2;
    denied += r.verdict == CF_EGRESS_DENY;
  }
  struct utsname un;
  uname(&un);
  printf("machine: %s %s; %u URLs, %u denied; one thread\n", un.sysname, un.machine, (unsigned)N, denied);
  double rates[5];
  volatile unsigned sink = 0;
  for (int run = 0; run < 5; run++) {
    unsigned long n = 0;
    double t0 = now(), t;
    do {
      for (int rep = 0; rep < 1000; rep++)
        for (size_t i = 0; i < N; i++) {
          cf_egress_result_t r;
          (void)!cf_egress_check_url(p, NULL, urls[i], lens[i], &r, NULL);
          sink += r.verdict;
        }
      n += 1000 * N;
      t = now() - t0;
    } while (t < secs);
    rates[run] = (double)n / t;
    printf("run %d: %.0f checks/s\n", run + 1, rates[run]);
  }
  qsort(rates, 5, sizeof rates[0], cmp);
  printf("url-check: median %.2f million checks/s on one core (goal 5.00): %s\n", rates[2] / 1e6,
         rates[2] >= 5e6 ? "met" : "NOT met");
  cf_egress_policy_free(p);
  return 0;
}
