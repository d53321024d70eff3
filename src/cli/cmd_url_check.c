/*
 * cmd_url_check.c - `cloudfort url-check`: judges URLs against an egress policy, the way the
 * egress proxy would before fetching them.
 *
 * Each URL is checked by name first (cf_egress_check_url); a host that is a name is then
 * resolved with getaddrinfo and every address it resolves to is checked
 * (cf_egress_check_addr), unless --no-resolve says to stop after the name. A name that does
 * not resolve is denied, with why "unresolved": nothing can be fetched from it, and a name
 * that resolves nowhere today may resolve to the metadata service tomorrow.
 *
 * Output: one line per URL in text, or one JSON object per line (JSON Lines) with --format
 * json, so that a long list on stdin streams. Exit status: 0 when every URL is allowed, 1
 * when any is denied, 2 for a usage error, an unreadable input or a policy that does not load.
 */
#include <getopt.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

static void url_check_usage(FILE *f) {
  fputs("Usage: cloudfort url-check [options] URL...\n"
        "       cloudfort url-check [options] [-] < list\n"
        "\n"
        "Judges http and https URLs against an egress policy, as the egress proxy would:\n"
        "scheme, port, allowed and denied hosts, cloud metadata names, and every address the\n"
        "host resolves to (no private, loopback, link-local or metadata address). With no URL\n"
        "and standard input not a terminal, or with '-', reads one URL per line from standard\n"
        "input (blank lines and lines starting with '#' are skipped). Prints the verdict, the\n"
        "reason and the canonical host of each URL.\n"
        "\nOptions:\n"
        "  -p, --policy FILE       the egress policy (YAML, see docs/egress.md); default: the\n"
        "                          built-in policy (every public address, no metadata)\n"
        "      --client ADDR       choose the role as for a client at address ADDR\n"
        "      --user NAME         choose the role as for the proxy user NAME\n"
        "      --cert-cn NAME      choose the role as for a client certificate named NAME\n"
        "  -f, --format FMT        text (default) or json (one JSON object per line)\n"
        "      --no-resolve        check names without resolving them\n"
        "      --no-color          no colours (also when NO_COLOR is set)\n"
        "  -h, --help              show this help\n"
        "\nExit codes: 0 every URL allowed, 1 a URL denied, 2 usage error, unreadable input or a\n"
        "policy that does not load.\n", f);
}

typedef struct opts {
  const cf_egress_policy_t *policy;
  cf_egress_client_t client;
  bool json, resolve, color;
} opts_t;

/* A JSON string; bytes that are not valid UTF-8 become U+FFFD. */
static void json_put(const char *s) {
  putchar('"');
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  while (*p) {
    unsigned char c = *p;
    if (c == '"' || c == '\\') {
      printf("\\%c", c);
      p++;
    } else if (c < 0x20 || c == 0x7f) {
      printf("\\u%04x", c);
      p++;
    } else if (c < 0x80) {
      putchar(c);
      p++;
    } else {
      size_t n = strlen((const char *)p), k = n > 4 ? 4 : n;
      int want = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
      bool ok = want && (size_t)want <= k;
      for (int i = 1; ok && i < want; i++) ok = (p[i] & 0xc0) == 0x80;
      if (ok && want == 3) ok = !(c == 0xe0 && p[1] < 0xa0) && !(c == 0xed && p[1] >= 0xa0);
      if (ok && want == 4) ok = !(c == 0xf0 && p[1] < 0x90) && !(c == 0xf4 && p[1] >= 0x90);
      if (ok) {
        fwrite(p, 1, (size_t)want, stdout);
        p += want;
      } else {
        fputs("\\ufffd", stdout);
        p++;
      }
    }
  }
  putchar('"');
}

static const char *host_kind_name(cf_url_host_kind k) {
  return k == CF_URL_HOST_IPV4 ? "ipv4" : k == CF_URL_HOST_IPV6 ? "ipv6" : "domain";
}

static const char *mode_name(cf_egress_mode m) {
  return m == CF_EGRESS_REPORT ? "report" : m == CF_EGRESS_OPEN ? "open" : "enforce";
}

/* One resolved address and what the policy says of it. */
typedef struct addr_res {
  char text[48];
  cf_egress_result_t r;
} addr_res_t;

#define MAX_ADDRS 32

/* Resolves host and checks every distinct address; returns how many were checked, or -1
 * with *gai_err set when the name does not resolve. */
static int resolve_and_check(const opts_t *o, const cf_url_t *u, addr_res_t *out, int *gai_err) {
  struct addrinfo hints, *ai = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(u->host, NULL, &hints, &ai);
  if (rc != 0) {
    *gai_err = rc;
    return -1;
  }
  int n = 0;
  for (struct addrinfo *p = ai; p && n < MAX_ADDRS; p = p->ai_next) {
    struct sockaddr_storage ss;
    char text[48];
    if (p->ai_family == AF_INET) {
      struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)&ss;
      memcpy(s4, p->ai_addr, sizeof *s4);
      s4->sin_port = htons(u->port);
      inet_ntop(AF_INET, &s4->sin_addr, text, sizeof text);
    } else if (p->ai_family == AF_INET6) {
      struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)&ss;
      memcpy(s6, p->ai_addr, sizeof *s6);
      s6->sin6_port = htons(u->port);
      inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof text);
    } else {
      continue;
    }
    bool seen = false;
    for (int i = 0; i < n; i++) seen = seen || strcmp(out[i].text, text) == 0;
    if (seen) continue;
    memcpy(out[n].text, text, sizeof text);
    if (cf_egress_check_addr(o->policy, &o->client, (const struct sockaddr *)&ss, u->host, &out[n].r) != CF_OK) continue;
    n++;
  }
  freeaddrinfo(ai);
  return n;
}

/* Checks one URL and prints the outcome; returns true when it is allowed. */
static bool check_one(const opts_t *o, const char *url) {
  cf_egress_result_t r;
  cf_url_t u;
  size_t len = strlen(url);
  if (cf_egress_check_url(o->policy, &o->client, url, len, &r, &u) != CF_OK) return false;
  bool parsed = r.why != CF_EGRESS_WHY_BAD_URL && u.host[0];
  addr_res_t addrs[MAX_ADDRS];
  int n_addrs = 0;
  bool resolved = false;
  const char *why = cf_egress_why_name(r.why);
  char reason[sizeof r.reason + 160];
  cf_egress_verdict verdict = r.verdict;
  bool policy_denied = r.policy_denied;
  snprintf(reason, sizeof reason, "%s", r.reason);

  if (r.needs_resolution && !r.policy_denied && o->resolve) {
    int gai = 0;
    n_addrs = resolve_and_check(o, &u, addrs, &gai);
    if (n_addrs < 0) {
      n_addrs = 0;
      why = "unresolved";
      snprintf(reason, sizeof reason, "%s does not resolve: %s", u.host, gai_strerror(gai));
      verdict = r.mode == CF_EGRESS_ENFORCE ? CF_EGRESS_DENY : CF_EGRESS_ALLOW;
      policy_denied = true;
    } else {
      resolved = true;
      snprintf(reason, sizeof reason, "every address %s resolves to is allowed", u.host);
      for (int i = 0; i < n_addrs; i++) {
        if (!addrs[i].r.policy_denied) continue;
        why = cf_egress_why_name(addrs[i].r.why);
        snprintf(reason, sizeof reason, "%s", addrs[i].r.reason);
        verdict = addrs[i].r.verdict;
        policy_denied = true;
        break;
      }
    }
  } else if (r.needs_resolution && !r.policy_denied) {
    snprintf(reason, sizeof reason, "%s passes by name; not resolved (--no-resolve)", u.host);
  }

  if (o->json) {
    fputs("{\"url\": ", stdout);
    json_put(url);
    printf(", \"verdict\": \"%s\", \"policy_denied\": %s, \"why\": \"%s\", \"reason\": ",
           verdict == CF_EGRESS_DENY ? "deny" : "allow", policy_denied ? "true" : "false", why);
    json_put(reason);
    fputs(", \"host\": ", stdout);
    if (parsed) json_put(u.host);
    else fputs("null", stdout);
    if (parsed) printf(", \"host_kind\": \"%s\", \"port\": %u", host_kind_name(u.host_kind), u.port);
    else fputs(", \"host_kind\": null, \"port\": null", stdout);
    fputs(", \"role\": ", stdout);
    json_put(r.role);
    printf(", \"mode\": \"%s\", \"resolved\": %s, \"addresses\": [", mode_name(r.mode), resolved ? "true" : "false");
    for (int i = 0; i < n_addrs; i++) {
      printf("%s{\"address\": \"%s\", \"verdict\": \"%s\", \"why\": \"%s\", \"reason\": ", i ? ", " : "", addrs[i].text,
             addrs[i].r.verdict == CF_EGRESS_DENY ? "deny" : "allow", cf_egress_why_name(addrs[i].r.why));
      json_put(addrs[i].r.reason);
      putchar('}');
    }
    fputs("]}\n", stdout);
  } else {
    bool deny = verdict == CF_EGRESS_DENY;
    const char *col = !o->color ? "" : deny ? "\033[1;31m" : policy_denied ? "\033[1;33m" : "\033[1;32m";
    printf("%s%-5s%s  ", col, deny ? "deny" : "allow", o->color ? "\033[0m" : "");
    cli_put_safe(stdout, url);
    fputs("  host ", stdout);
    cli_put_safe(stdout, parsed ? u.host : "-");
    if (policy_denied && !deny) printf("  %s mode, would deny (%s): ", mode_name(r.mode), why);
    else if (policy_denied) printf("  %s: ", why);
    else fputs("  ", stdout);
    cli_put_safe(stdout, reason);
    for (int i = 0; i < n_addrs; i++) printf("%s%s", i ? ", " : " [", addrs[i].text);
    fputs(n_addrs ? "]\n" : "\n", stdout);
  }
  return verdict == CF_EGRESS_ALLOW;
}

/* Reads URLs from stdin, one per line. Returns false on a read error. */
static bool check_stdin(const opts_t *o, bool *all_ok, unsigned long *count) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, stdin)) >= 0) {
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    if (n == 0 || line[0] == '#') continue;
    if (strlen(line) != (size_t)n) {
      cli_error("url-check: a NUL byte in a line of standard input");
      free(line);
      return false;
    }
    if (!check_one(o, line)) *all_ok = false;
    (*count)++;
  }
  bool ok = !ferror(stdin);
  if (!ok) cli_error("url-check: cannot read standard input");
  free(line);
  return ok;
}

int cmd_url_check(int argc, char **argv) {
  enum { O_CLIENT = 256, O_USER, O_CERT, O_NO_RESOLVE, O_NO_COLOR };
  static const struct option longopts[] = {
      {"policy", required_argument, 0, 'p'}, {"client", required_argument, 0, O_CLIENT},
      {"user", required_argument, 0, O_USER}, {"cert-cn", required_argument, 0, O_CERT},
      {"format", required_argument, 0, 'f'}, {"no-resolve", no_argument, 0, O_NO_RESOLVE},
      {"no-color", no_argument, 0, O_NO_COLOR}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  const char *policy_path = NULL, *client_addr = NULL;
  opts_t o;
  memset(&o, 0, sizeof o);
  o.resolve = true;
  bool no_color = false;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":p:f:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'p': policy_path = optarg; break;
    case O_CLIENT: client_addr = optarg; break;
    case O_USER: o.client.user = optarg; break;
    case O_CERT: o.client.cert_cn = optarg; break;
    case 'f':
      if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
        cli_error("--format: expected text or json, got '%s'", optarg);
        return EXIT_USAGE;
      }
      o.json = strcmp(optarg, "json") == 0;
      break;
    case O_NO_RESOLVE: o.resolve = false; break;
    case O_NO_COLOR: no_color = true; break;
    case 'h': url_check_usage(stdout); return EXIT_CLEAN;
    case ':':
      cli_error("url-check: option '%s' needs a value (see 'cloudfort url-check --help')", argv[optind - 1]);
      return EXIT_USAGE;
    default:
      if (optopt > 0 && optopt < 256) cli_error("url-check: unknown option '-%c' (see 'cloudfort url-check --help')", optopt);
      else cli_error("url-check: unknown option '%s' (see 'cloudfort url-check --help')", argv[optind - 1]);
      return EXIT_USAGE;
    }
  }
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  if (client_addr) {
    struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)&ss;
    if (inet_pton(AF_INET, client_addr, &s4->sin_addr) == 1) {
      s4->sin_family = AF_INET;
      o.client.addr_len = sizeof *s4;
    } else if (inet_pton(AF_INET6, client_addr, &s6->sin6_addr) == 1) {
      s6->sin6_family = AF_INET6;
      o.client.addr_len = sizeof *s6;
    } else {
      cli_error("--client: expected an IPv4 or IPv6 address, got '%s'", client_addr);
      return EXIT_USAGE;
    }
    o.client.addr = (const struct sockaddr *)&ss;
  }
  bool from_stdin = optind == argc;
  for (int i = optind; i < argc; i++) from_stdin = from_stdin || strcmp(argv[i], "-") == 0;
  if (optind == argc && isatty(STDIN_FILENO)) {
    cli_error("url-check: no URL given (see 'cloudfort url-check --help')");
    return EXIT_USAGE;
  }
  o.color = cli_use_color(stdout, no_color) && !o.json;

  cf_ctx_t *ctx = cf_ctx_new();
  cf_egress_policy_t *policy = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = !ctx ? CF_ENOMEM
             : policy_path ? cf_egress_policy_load(ctx, policy_path, &policy, &d)
                           : cf_egress_policy_default(&policy);
  if (e) {
    if (d.message) cli_print_diag(&d);
    else cli_error("url-check: %s", cf_strerror(e));
    cf_diag_cleanup(&d);
    cf_ctx_free(ctx);
    return EXIT_USAGE;
  }
  cf_diag_cleanup(&d);
  o.policy = policy;
  bool all_ok = true, io_ok = true;
  unsigned long count = 0;
  for (int i = optind; i < argc; i++) {
    if (strcmp(argv[i], "-") == 0) continue;
    if (!check_one(&o, argv[i])) all_ok = false;
    count++;
  }
  if (from_stdin) io_ok = check_stdin(&o, &all_ok, &count);
  cf_egress_policy_free(policy);
  cf_ctx_free(ctx);
  if (!io_ok) return EXIT_USAGE;
  if (count == 0) {
    cli_error("url-check: no URL to check");
    return EXIT_USAGE;
  }
  return all_ok ? EXIT_CLEAN : EXIT_FINDINGS;
}
