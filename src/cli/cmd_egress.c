/*
 * cmd_egress.c - `cloudfort egress`: the egress forward proxy (cloudfort/proxy.h).
 *
 * The command parses options, loads the policy, makes the proxy (which binds its listeners),
 * drops root privileges when asked, and runs the proxy's loop in the main thread. Signals are
 * blocked in every thread and taken by one thread of their own with sigwait(): SIGHUP loads
 * the policy file again and hands it to the proxy (a policy that does not load is reported and
 * the old one stays) and opens --log FILE again (after log rotation), SIGTERM and SIGINT
 * drain (a second one stops at once). Decision lines go to standard error or to --log FILE
 * through one buffered stream, flushed when the proxy asks.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cloudfort/proxy.h"

#define DEFAULT_LISTEN "127.0.0.1:4750"

static void egress_usage(FILE *f) {
  fputs("Usage: cloudfort egress [--listen ADDR] [--policy FILE] [--metrics ADDR] [options]\n"
        "\n"
        "Runs an HTTP/1.1 forward proxy that enforces an egress policy on every request:\n"
        "absolute-form http:// requests are forwarded, CONNECT HOST:PORT is tunnelled. Each URL\n"
        "is checked, its name resolved once, and every address it resolved to checked; the\n"
        "proxy connects only to a checked address. A denial is 403 with the reason in the\n"
        "X-Cloudfort-Egress-Reason header. One JSON line per request goes to the log.\n"
        "SIGHUP reloads the policy file and reopens the log; SIGTERM or SIGINT drain and exit 0.\n"
        "\nOptions:\n"
        "  -l, --listen ADDR        proxy address, HOST:PORT or [V6]:PORT (default " DEFAULT_LISTEN ")\n"
        "  -p, --policy FILE        egress policy (YAML, docs/egress.md); without it the\n"
        "                           built-in policy denies every address that is not global\n"
        "      --metrics ADDR       serve Prometheus metrics on http://ADDR/metrics\n"
        "      --resolver ADDR      DNS server HOST:PORT (default: the servers of /etc/resolv.conf)\n"
        "      --log FILE           write the JSON decision lines to FILE (default standard error)\n"
        "      --tls-cert FILE      clients speak TLS to the proxy, which shows this PEM chain\n"
        "      --tls-key FILE       the PEM private key of --tls-cert (default: in that file)\n"
        "      --tls-client-ca FILE  ask clients for a certificate signed by these CAs; its\n"
        "                           common name chooses the role (cert_cns in the policy)\n"
        "      --user NAME          after binding, run as user NAME (and its groups)\n"
        "      --allow-root         run as root without --user\n"
        "      --max-connections N  client connections; beyond them 503 (default 16384)\n"
        "      --threads N          event loops, one thread each (default: one per CPU, at most 64)\n"
        "      --max-header-size SIZE  bytes of a request or response head (default 32K)\n"
        "      --idle-timeout SECONDS  kept-alive client with no request (default 60)\n"
        "      --header-timeout SECONDS  first to last byte of a request head (default 10)\n"
        "      --request-timeout SECONDS  a whole request and its response (default 300)\n"
        "      --upstream-timeout SECONDS  connect and each wait for the upstream (default 30)\n"
        "      --tunnel-idle-timeout SECONDS  CONNECT tunnel with no traffic (default 300)\n"
        "      --drain-timeout SECONDS  longest wait for requests in flight at exit (default 10)\n"
        "  -h, --help               show this help\n"
        "\nExit codes: 0 stopped by a signal, 2 usage error, a policy that does not load, or an\n"
        "address that cannot be bound.\n", f);
}

/* ---- the decision log ---- */

static FILE *log_file;
static const char *log_path;

/* SIGHUP: what is buffered goes to the old file, then the stream's descriptor is switched to
 * a fresh open of the same name (dup2 under the stream's lock, so the loops' writes go to one
 * file or the other, whole). */
static void reopen_log(void) {
  if (!log_path) return;
  int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    cli_error("egress: cannot reopen %s: %s; still writing the old file", log_path, strerror(errno));
    fflush(stderr);
    return;
  }
  flockfile(log_file);
  fflush_unlocked(log_file);
  if (dup2(fd, fileno(log_file)) < 0) cli_error("egress: cannot reopen %s: %s", log_path, strerror(errno));
  funlockfile(log_file);
  close(fd);
}

static void log_cb(void *ud, const char *line, size_t len) {
  (void)ud;
  if (!line) {
    fflush(log_file);
    return;
  }
  flockfile(log_file);
  fwrite_unlocked(line, 1, len, log_file);
  putc_unlocked('\n', log_file);
  funlockfile(log_file);
}

/* A line of the command's own (reload results) in the same format as the proxy's. */
static void log_event(const char *event, bool ok, const cf_diag_t *d) {
  char t[32];
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(t + n, sizeof t - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
  flockfile(log_file);
  fprintf(log_file, "{\"time\":\"%s\",\"event\":\"%s\",\"ok\":%s", t, event, ok ? "true" : "false");
  if (d && d->message) {
    fputs(",\"error\":\"", log_file);
    if (d->file) {
      for (const char *p = d->file; *p; p++)
        if (*p == '"' || *p == '\\') fprintf(log_file, "\\%c", *p);
        else if ((unsigned char)*p >= 0x20) putc(*p, log_file);
      fprintf(log_file, ":%u:%u: ", d->line, d->column);
    }
    for (const char *p = d->message; *p; p++)
      if (*p == '"' || *p == '\\') fprintf(log_file, "\\%c", *p);
      else if ((unsigned char)*p >= 0x20) putc(*p, log_file);
    putc('"', log_file);
  }
  fputs("}\n", log_file);
  fflush(log_file);
  funlockfile(log_file);
}

static void ctx_log_cb(void *ud, cf_log_level level, const char *msg) {
  (void)ud;
  if (level <= CF_LOG_WARN) {
    cli_error("%s", msg);
    fflush(stderr);
  }
}

/* ---- signals ---- */

typedef struct sigctx {
  cf_proxy_t *proxy;
  cf_ctx_t *ctx;
  const char *policy_path;
  sigset_t set;
} sigctx_t;

static void *signal_thread(void *arg) {
  sigctx_t *s = arg;
  bool draining = false;
  for (;;) {
    int sig = 0;
    if (sigwait(&s->set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      reopen_log();
      if (!s->policy_path) {
        cli_error("egress: SIGHUP: no --policy file to reload; keeping the built-in policy");
        continue;
      }
      cf_egress_policy_t *pol = NULL;
      cf_diag_t d;
      cf_diag_init(&d);
      cf_err e = cf_egress_policy_load(s->ctx, s->policy_path, &pol, &d);
      if (e != CF_OK) {
        if (!d.message) cf_diag_set(&d, e, s->policy_path, 0, 0, "%s", cf_strerror(e));
        cli_print_diag(&d);
        cli_error("egress: the policy did not load; keeping the previous one");
        fflush(stderr);
        log_event("reload", false, &d);
      } else {
        cf_proxy_reload(s->proxy, pol);
      }
      cf_diag_cleanup(&d);
    } else if (sig == SIGTERM || sig == SIGINT) {
      if (draining) {
        cf_proxy_stop(s->proxy);
      } else {
        draining = true;
        cf_proxy_drain(s->proxy);
      }
    }
  }
  return NULL;
}

/* ---- options ---- */

static bool parse_seconds(const char *opt, const char *s, unsigned *ms) {
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !(v > 0) || v > 86400.0 * 7) {
    cli_error("egress: %s takes a positive number of seconds, not '%s'", opt, s);
    return false;
  }
  *ms = (unsigned)(v * 1000.0 + 0.5);
  if (*ms == 0) *ms = 1;
  return true;
}

static bool drop_privileges(const char *user) {
  errno = 0;
  struct passwd *pw = getpwnam(user);
  if (!pw) {
    cli_error("egress: --user %s: %s", user, errno ? strerror(errno) : "no such user");
    return false;
  }
  if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
    cli_error("egress: cannot become %s: %s", user, strerror(errno));
    return false;
  }
  if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
    cli_error("egress: still able to regain root after becoming %s", user);
    return false;
  }
  return true;
}

/* Lets the proxy hold as many descriptors as the hard limit allows. */
static void raise_nofile(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
}

int cmd_egress(int argc, char **argv) {
  enum {
    O_METRICS = 256, O_RESOLVER, O_LOG, O_USER, O_ALLOW_ROOT, O_MAX_CONN, O_MAX_HEADER, O_IDLE,
    O_HEADER_TO, O_REQUEST_TO, O_UPSTREAM_TO, O_TUNNEL_TO, O_DRAIN_TO, O_TLS_CERT, O_TLS_KEY, O_TLS_CA, O_THREADS
  };
  static const struct option opts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"policy", required_argument, NULL, 'p'},
      {"metrics", required_argument, NULL, O_METRICS},
      {"resolver", required_argument, NULL, O_RESOLVER},
      {"log", required_argument, NULL, O_LOG},
      {"user", required_argument, NULL, O_USER},
      {"allow-root", no_argument, NULL, O_ALLOW_ROOT},
      {"max-connections", required_argument, NULL, O_MAX_CONN},
      {"threads", required_argument, NULL, O_THREADS},
      {"max-header-size", required_argument, NULL, O_MAX_HEADER},
      {"idle-timeout", required_argument, NULL, O_IDLE},
      {"header-timeout", required_argument, NULL, O_HEADER_TO},
      {"request-timeout", required_argument, NULL, O_REQUEST_TO},
      {"upstream-timeout", required_argument, NULL, O_UPSTREAM_TO},
      {"tunnel-idle-timeout", required_argument, NULL, O_TUNNEL_TO},
      {"drain-timeout", required_argument, NULL, O_DRAIN_TO},
      {"tls-cert", required_argument, NULL, O_TLS_CERT},
      {"tls-key", required_argument, NULL, O_TLS_KEY},
      {"tls-client-ca", required_argument, NULL, O_TLS_CA},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  cf_proxy_config_t cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.listen = DEFAULT_LISTEN;
  const char *policy_path = NULL, *user = NULL;
  log_path = NULL;
  bool allow_root = false;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+l:p:h", opts, NULL)) != -1) {
    switch (c) {
    case 'l': cfg.listen = optarg; break;
    case 'p': policy_path = optarg; break;
    case O_METRICS: cfg.metrics_listen = optarg; break;
    case O_RESOLVER: cfg.resolver = optarg; break;
    case O_LOG: log_path = optarg; break;
    case O_USER: user = optarg; break;
    case O_ALLOW_ROOT: allow_root = true; break;
    case O_MAX_CONN: {
      char *end = NULL;
      errno = 0;
      unsigned long v = strtoul(optarg, &end, 10);
      if (errno || !end || *end || v == 0 || v > 10000000ul) {
        cli_error("egress: --max-connections takes a positive number, not '%s'", optarg);
        return EXIT_USAGE;
      }
      cfg.max_connections = (unsigned)v;
      break;
    }
    case O_THREADS: {
      char *end = NULL;
      errno = 0;
      unsigned long v = strtoul(optarg, &end, 10);
      if (errno || !end || *end || optarg[0] < '0' || optarg[0] > '9' || v == 0 || v > 64) {
        cli_error("egress: --threads takes a number from 1 to 64, not '%s'", optarg);
        return EXIT_USAGE;
      }
      cfg.threads = (unsigned)v;
      break;
    }
    case O_MAX_HEADER: {
      unsigned long long v = 0;
      if (!cli_parse_size(optarg, &v) || v < 1024 || v > (1u << 20)) {
        cli_error("egress: --max-header-size takes a size from 1K to 1M, not '%s'", optarg);
        return EXIT_USAGE;
      }
      cfg.max_header_bytes = (size_t)v;
      break;
    }
    case O_IDLE: if (!parse_seconds("--idle-timeout", optarg, &cfg.idle_timeout_ms)) return EXIT_USAGE; break;
    case O_HEADER_TO: if (!parse_seconds("--header-timeout", optarg, &cfg.header_timeout_ms)) return EXIT_USAGE; break;
    case O_REQUEST_TO: if (!parse_seconds("--request-timeout", optarg, &cfg.request_timeout_ms)) return EXIT_USAGE; break;
    case O_UPSTREAM_TO: if (!parse_seconds("--upstream-timeout", optarg, &cfg.upstream_timeout_ms)) return EXIT_USAGE; break;
    case O_TUNNEL_TO: if (!parse_seconds("--tunnel-idle-timeout", optarg, &cfg.tunnel_idle_ms)) return EXIT_USAGE; break;
    case O_DRAIN_TO: if (!parse_seconds("--drain-timeout", optarg, &cfg.drain_timeout_ms)) return EXIT_USAGE; break;
    case O_TLS_CERT: cfg.tls_cert = optarg; break;
    case O_TLS_KEY: cfg.tls_key = optarg; break;
    case O_TLS_CA: cfg.tls_client_ca = optarg; break;
    case 'h': egress_usage(stdout); return EXIT_CLEAN;
    default:
      if (optopt) cli_error("egress: option -%c needs a value or is unknown (see 'cloudfort egress --help')", optopt);
      else cli_error("egress: unknown option '%s' (see 'cloudfort egress --help')", argv[optind - 1]);
      return EXIT_USAGE;
    }
  }
  if (optind < argc) {
    cli_error("egress: unexpected argument '%s'", argv[optind]);
    return EXIT_USAGE;
  }
  if ((cfg.tls_key || cfg.tls_client_ca) && !cfg.tls_cert) {
    cli_error("egress: --tls-key and --tls-client-ca need --tls-cert");
    return EXIT_USAGE;
  }
  if (geteuid() == 0 && !user && !allow_root) {
    cli_error("egress: refusing to run as root; give --user NAME to drop privileges after binding, or --allow-root");
    return EXIT_USAGE;
  }
  raise_nofile();

  cf_ctx_t *ctx = cf_ctx_new();
  if (!ctx) {
    cli_error("out of memory");
    return EXIT_USAGE;
  }
  cf_ctx_set_log(ctx, ctx_log_cb, NULL, CF_LOG_WARN);
  int rc = EXIT_USAGE;
  cf_proxy_t *proxy = NULL;
  cf_egress_policy_t *pol = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = policy_path ? cf_egress_policy_load(ctx, policy_path, &pol, &d) : cf_egress_policy_default(&pol);
  if (e != CF_OK) {
    if (!d.message) cf_diag_set(&d, e, policy_path, 0, 0, "%s", cf_strerror(e));
    cli_print_diag(&d);
    goto out;
  }
  if (log_path) {
    if (!(log_file = fopen(log_path, "a"))) {
      cli_error("egress: cannot open %s: %s", log_path, strerror(errno));
      cf_egress_policy_free(pol);
      goto out;
    }
  } else {
    log_file = stderr;
  }
  static char logbuf[1u << 16];
  setvbuf(log_file, logbuf, _IOFBF, sizeof logbuf);
  cfg.log_cb = log_cb;
  cfg.ctx = ctx;
  e = cf_proxy_new(&cfg, pol, &proxy, &d);
  if (e != CF_OK) {
    if (!d.message) cf_diag_set(&d, e, NULL, 0, 0, "%s", cf_strerror(e));
    cli_print_diag(&d);
    goto out;
  }
  if (user && !drop_privileges(user)) goto out;

  /* Every thread blocks the signals the signal thread waits for; SIGPIPE is ignored (a
   * closed peer is an error on its socket). */
  signal(SIGPIPE, SIG_IGN);
  sigctx_t sc = {proxy, ctx, policy_path, {{0}}};
  sigemptyset(&sc.set);
  sigaddset(&sc.set, SIGHUP);
  sigaddset(&sc.set, SIGTERM);
  sigaddset(&sc.set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sc.set, NULL);
  pthread_t th;
  if (pthread_create(&th, NULL, signal_thread, &sc) != 0) {
    cli_error("egress: cannot start the signal thread");
    goto out;
  }
  char a[64], m[64];
  cf_proxy_address(proxy, 0, a, sizeof a);
  cf_proxy_address(proxy, 1, m, sizeof m);
  fprintf(stderr, "cloudfort egress: listening on %s%s%s\n", a, m[0] ? ", metrics on " : "", m);
  fflush(stderr);
  e = cf_proxy_run(proxy);
  pthread_cancel(th);
  pthread_join(th, NULL);
  if (e != CF_OK) cli_error("egress: the event loop failed: %s", cf_strerror(e));
  else rc = EXIT_CLEAN;
out:
  cf_proxy_free(proxy);
  if (log_file && log_file != stderr) {
    if (fclose(log_file) != 0) {
      cli_error("egress: cannot write %s: %s", log_path, strerror(errno));
      rc = EXIT_USAGE;
    }
  } else if (log_file) {
    fflush(log_file);
  }
  log_file = NULL;
  cf_diag_cleanup(&d);
  cf_ctx_free(ctx);
  return rc;
}
