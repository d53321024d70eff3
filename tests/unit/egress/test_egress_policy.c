/*
 * test_egress_policy.c - egress policies (src/egress/egress_policy.c): the YAML format of
 * docs/egress.md and the two checks.
 *
 * Specified here: the shipped example loads and does what its comments say; every kind of
 * mistake in a policy fails with CF_EPARSE at the line and column of the mistake and says
 * what was expected; roles are chosen by certificate name, then user, then client address,
 * else the default role; enforce, report and open modes; host globs; ports and port ranges;
 * allowed and denied ranges (an allowed range never opens a metadata address unless it names
 * exactly that address); credentials in URLs; the address check with its port and the name
 * the address came from; the credentials file behind Proxy-Authorization (yescrypt, bcrypt and
 * SHA-512 crypt verify, weak and malformed hashes are refused at their line).
 */
#include "egress_test.h"

/* ---- errors ---- */

typedef struct ecase {
  const char *yaml;
  uint32_t line, column;
  const char *says; /* a piece of the message */
} ecase_t;

static const ecase_t errors[] = {
    {"bogus: 1\n", 1, 1, "unknown key 'bogus'"},
    {"version: 2\n", 1, 10, "version: expected 1"},
    {"roles:\n  a:\n    mode: enforced\n", 3, 11, "expected enforce, report or open"},
    {"roles:\n  a:\n    colour: red\n", 3, 5, "unknown key 'colour' in role 'a'"},
    {"roles:\n  a:\n    ports: [80, 70000]\n", 3, 17, "expected a port from 1 to 65535"},
    {"roles:\n  a:\n    ports: [\"90-80\"]\n", 3, 13, "or a range such as"},
    {"roles:\n  a:\n    ports: 80\n", 3, 12, "ports: expected a list"},
    {"roles:\n  a:\n    allow_ranges: [10.0.0.0/33]\n", 3, 20, "expected an address range"},
    {"roles:\n  a:\n    deny_ranges: [example.com]\n", 3, 19, "expected an address range"},
    {"roles:\n  a:\n    allow_hosts: [\"foo*.example.com\"]\n", 3, 19, "'*' is allowed only"},
    {"roles:\n  a:\n    allow_hosts: [\"*.10.0.0.1\"]\n", 3, 19, "must end in a domain name"},
    {"roles:\n  a:\n    deny_hosts: [\"a b\"]\n", 3, 18, "not a valid host"},
    {"roles:\n  a:\n    schemes: [ftp]\n", 3, 15, "expected a scheme"},
    {"roles:\n  a:\n    deny_userinfo: yes please\n", 3, 20, "expected true or false"},
    {"roles:\n  a:\n    match:\n      networks: [10.0.0.0/8]\n", 4, 7, "unknown key 'networks' in match"},
    {"roles:\n  a:\n    match: [x]\n", 3, 12, "match: expected a mapping"},
    {"default_role: nobody\nroles:\n  a: {}\n", 1, 15, "no role named 'nobody'"},
    {"roles:\n  a: {}\n  a: {}\n", 3, 3, "defined twice"},
    {"roles: [a, b]\n", 1, 8, "roles: expected a mapping"},
    {"roles:\n  a: 5\n", 2, 6, "role 'a': expected a mapping"},
    {"- just\n- a list\n", 1, 1, "expected a mapping"},
    {"roles:\n  a:\n    mode: [enforce\n", 4, 1, ""},
    {"version: 1\n---\nversion: 1\n", 3, 1, "found a second"},
};

static void test_errors(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
    const ecase_t *c = &errors[i];
    cf_egress_policy_t *p = (cf_egress_policy_t *)1;
    cf_diag_t d;
    cf_diag_init(&d);
    cf_err e = cf_egress_policy_parse(NULL, c->yaml, strlen(c->yaml), "bad.yaml", &p, &d);
    const char *msg = d.message ? d.message : "";
    if (e != CF_EPARSE || p != NULL || d.line != c->line || (c->column && d.column != c->column) ||
        !strstr(msg, c->says) || !d.file || strcmp(d.file, "bad.yaml") != 0) {
      print_error("case %zu: %s -> %s at %u:%u: %s; expected EPARSE at %u:%u saying '%s'\n", i, c->yaml, cf_err_name(e),
                  d.line, d.column, msg, c->line, c->column, c->says);
      fail();
    }
    cf_diag_cleanup(&d);
  }
}

static void test_load(void **state) {
  (void)state;
  cf_egress_policy_t *p = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  assert_int_equal(CF_OK, cf_egress_policy_load(NULL, "examples/egress/egress.yaml", &p, &d));
  assert_non_null(p);
  cf_egress_policy_free(p);
  assert_int_equal(CF_EIO, cf_egress_policy_load(NULL, "tests/data/egress/no-such-policy.yaml", &p, &d));
  assert_null(p);
  assert_non_null(d.message);
  assert_int_equal(CF_EIO, cf_egress_policy_load(NULL, "tests/data/egress", &p, &d));
  cf_diag_cleanup(&d);
  /* An empty policy is the default one. */
  assert_int_equal(CF_OK, cf_egress_policy_parse(NULL, "", 0, "empty.yaml", &p, NULL));
  assert_policy_verdict(p, NULL, "http://127.0.0.1/", CF_EGRESS_DENY, CF_EGRESS_WHY_ADDRESS);
  assert_policy_verdict(p, NULL, "http://example.com:1234/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  cf_egress_policy_free(p);
  cf_egress_policy_free(NULL);
  /* Over the size limit. */
  cf_ctx_t *ctx = cf_ctx_new();
  cf_limits_t lim = {0};
  lim.max_rule_size = 16;
  cf_ctx_set_limits(ctx, &lim);
  const char *y = "roles:\n  a:\n    mode: open\n";
  assert_int_equal(CF_ELIMIT, cf_egress_policy_parse(ctx, y, strlen(y), "big.yaml", &p, NULL));
  assert_null(p);
  cf_ctx_free(ctx);
}

/* ---- roles ---- */

static const char roles_yaml[] =
    "version: 1\n"
    "roles:\n"
    "  default:\n"
    "    ports: [80, 443]\n"
    "  net:\n"
    "    match: {clients: [10.20.0.0/16, \"fd12::/16\"]}\n"
    "    ports: [8080]\n"
    "  user:\n"
    "    match: {users: [alice]}\n"
    "    ports: [8081]\n"
    "  cert:\n"
    "    match: {cert_cns: [svc.example.com]}\n"
    "    ports: [8082]\n";

static void client_with_addr(cf_egress_client_t *c, struct sockaddr_storage *ss, const char *addr) {
  memset(c, 0, sizeof *c);
  c->addr_len = eg_sockaddr(addr, 40000, ss);
  c->addr = (const struct sockaddr *)ss;
}

static void test_roles(void **state) {
  (void)state;
  cf_egress_policy_t *p = eg_policy(roles_yaml);
  cf_egress_client_t c;
  struct sockaddr_storage ss;
  cf_egress_result_t r;
  const char *u = "http://example.com:8080/";

  assert_policy_verdict(p, NULL, u, CF_EGRESS_DENY, CF_EGRESS_WHY_PORT);
  client_with_addr(&c, &ss, "10.20.3.4");
  assert_policy_verdict(p, &c, u, CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_int_equal(CF_OK, cf_egress_check_url(p, &c, u, strlen(u), &r, NULL));
  assert_string_equal("net", r.role);
  client_with_addr(&c, &ss, "::ffff:10.20.3.4"); /* a mapped client is its IPv4 address */
  assert_policy_verdict(p, &c, u, CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  client_with_addr(&c, &ss, "fd12::9");
  assert_policy_verdict(p, &c, u, CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  client_with_addr(&c, &ss, "10.21.0.1");
  assert_policy_verdict(p, &c, u, CF_EGRESS_DENY, CF_EGRESS_WHY_PORT);

  /* The user wins over the address, the certificate over both. */
  client_with_addr(&c, &ss, "10.20.3.4");
  c.user = "alice";
  assert_policy_verdict(p, &c, "http://example.com:8081/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, &c, u, CF_EGRESS_DENY, CF_EGRESS_WHY_PORT);
  c.cert_cn = "svc.example.com";
  assert_policy_verdict(p, &c, "http://example.com:8082/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_int_equal(CF_OK, cf_egress_check_url(p, &c, u, strlen(u), &r, NULL));
  assert_string_equal("cert", r.role);
  /* Unknown names fall through to the next kind. */
  c.cert_cn = "other";
  c.user = "bob";
  assert_policy_verdict(p, &c, u, CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  cf_egress_policy_free(p);

  /* default_role names the role used when none matches. */
  p = eg_policy("default_role: strict\nroles:\n  strict:\n    schemes: [https]\n");
  assert_policy_verdict(p, NULL, "http://example.com/", CF_EGRESS_DENY, CF_EGRESS_WHY_SCHEME);
  assert_policy_verdict(p, NULL, "https://example.com/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  cf_egress_policy_free(p);
}

/* ---- modes ---- */

static void test_modes(void **state) {
  (void)state;
  cf_egress_policy_t *p = eg_policy("roles:\n  default:\n    mode: report\n    ports: [443]\n");
  cf_egress_result_t r;
  const char *u = "http://169.254.169.254/";
  assert_int_equal(CF_OK, cf_egress_check_url(p, NULL, u, strlen(u), &r, NULL));
  assert_int_equal(CF_EGRESS_ALLOW, r.verdict);
  assert_true(r.policy_denied);
  assert_int_equal(CF_EGRESS_REPORT, r.mode);
  assert_int_equal(CF_EGRESS_WHY_PORT, r.why);
  u = "https://example.com/";
  assert_int_equal(CF_OK, cf_egress_check_url(p, NULL, u, strlen(u), &r, NULL));
  assert_false(r.policy_denied);
  cf_egress_policy_free(p);

  p = eg_policy("roles:\n  default:\n    mode: open\n    ports: [443]\n");
  u = "http://169.254.169.254/";
  assert_int_equal(CF_OK, cf_egress_check_url(p, NULL, u, strlen(u), &r, NULL));
  assert_int_equal(CF_EGRESS_ALLOW, r.verdict);
  assert_false(r.policy_denied);
  assert_int_equal(CF_EGRESS_OPEN, r.mode);
  struct sockaddr_storage ss;
  eg_sockaddr("127.0.0.1", 22, &ss);
  assert_int_equal(CF_OK, cf_egress_check_addr(p, NULL, (const struct sockaddr *)&ss, "x", &r));
  assert_int_equal(CF_EGRESS_ALLOW, r.verdict);
  assert_false(r.policy_denied);
  cf_egress_policy_free(p);
}

/* ---- hosts, ports, schemes, userinfo ---- */

static void test_hosts_and_ports(void **state) {
  (void)state;
  cf_egress_policy_t *p = eg_policy("roles:\n"
                                    "  default:\n"
                                    "    allow_hosts: [\"*.example.com\", api.example.net, bücher.example, \"[2606:4700::1]\", 8.8.8.8]\n"
                                    "    deny_hosts: [secret.example.com]\n"
                                    "    ports: [443, \"8000-8002\"]\n"
                                    "    schemes: [HTTPS]\n"
                                    "    deny_userinfo: true\n");
  assert_policy_verdict(p, NULL, "https://a.example.com/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "https://A.B.EXAMPLE.COM./", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "https://example.com/", CF_EGRESS_DENY, CF_EGRESS_WHY_HOST);
  assert_policy_verdict(p, NULL, "https://badexample.com/", CF_EGRESS_DENY, CF_EGRESS_WHY_HOST);
  assert_policy_verdict(p, NULL, "https://example.com.evil.org/", CF_EGRESS_DENY, CF_EGRESS_WHY_HOST);
  assert_policy_verdict(p, NULL, "https://secret.example.com/", CF_EGRESS_DENY, CF_EGRESS_WHY_HOST);
  assert_policy_verdict(p, NULL, "https://api.example.net/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "https://x.api.example.net/", CF_EGRESS_DENY, CF_EGRESS_WHY_HOST);
  assert_policy_verdict(p, NULL, "https://xn--bcher-kva.example/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "https://[2606:4700:0::1]/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "https://134744072/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "https://8.8.4.4/", CF_EGRESS_DENY, CF_EGRESS_WHY_HOST);
  assert_policy_verdict(p, NULL, "https://a.example.com:8001/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "https://a.example.com:8003/", CF_EGRESS_DENY, CF_EGRESS_WHY_PORT);
  assert_policy_verdict(p, NULL, "https://a.example.com:7999/", CF_EGRESS_DENY, CF_EGRESS_WHY_PORT);
  assert_policy_verdict(p, NULL, "http://a.example.com:443/", CF_EGRESS_DENY, CF_EGRESS_WHY_SCHEME);
  assert_policy_verdict(p, NULL, "https://u@a.example.com/", CF_EGRESS_DENY, CF_EGRESS_WHY_USERINFO);
  /* Metadata names stay denied whatever the allowed hosts say. */
  cf_egress_policy_free(p);
  p = eg_policy("roles:\n  default:\n    allow_hosts: [\"*.google.internal\", metadata]\n");
  assert_policy_verdict(p, NULL, "http://metadata.google.internal/", CF_EGRESS_DENY, CF_EGRESS_WHY_METADATA);
  assert_policy_verdict(p, NULL, "http://x.metadata.google.internal/", CF_EGRESS_DENY, CF_EGRESS_WHY_METADATA);
  assert_policy_verdict(p, NULL, "http://metadata/", CF_EGRESS_DENY, CF_EGRESS_WHY_METADATA);
  assert_policy_verdict(p, NULL, "http://other.google.internal/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  cf_egress_policy_free(p);
}

/* ---- ranges and the address check ---- */

static void assert_addr_verdict(const cf_egress_policy_t *p, const char *addr, uint16_t port, cf_egress_verdict want,
                                cf_egress_why want_why) {
  struct sockaddr_storage ss;
  eg_sockaddr(addr, port, &ss);
  cf_egress_result_t r;
  assert_int_equal(CF_OK, cf_egress_check_addr(p, NULL, (const struct sockaddr *)&ss, "svc.example.com", &r));
  if (r.verdict != want || r.why != want_why) {
    print_error("%s port %u: %s %s (%s), expected %s %s\n", addr, port, eg_verdict_name(r.verdict),
                cf_egress_why_name(r.why), r.reason, eg_verdict_name(want), cf_egress_why_name(want_why));
    fail();
  }
}

static void test_ranges(void **state) {
  (void)state;
  cf_egress_policy_t *p = eg_policy("roles:\n"
                                    "  default:\n"
                                    "    allow_ranges: [127.0.0.1/32, 10.1.2.3/16, 169.254.0.0/16, 100.100.100.200, \"fd00::/8\"]\n"
                                    "    deny_ranges: [8.8.8.0/24, \"2606:4700::/32\", 10.1.9.0/24]\n"
                                    "    ports: [80, 8080]\n");
  assert_policy_verdict(p, NULL, "http://127.0.0.1:8080/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "http://127.0.0.2/", CF_EGRESS_DENY, CF_EGRESS_WHY_ADDRESS);
  assert_policy_verdict(p, NULL, "http://[::ffff:127.0.0.1]/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "http://10.1.200.1/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK); /* 10.1.0.0/16 */
  assert_policy_verdict(p, NULL, "http://10.1.9.1/", CF_EGRESS_DENY, CF_EGRESS_WHY_DENIED_RANGE);
  assert_policy_verdict(p, NULL, "http://10.2.0.1/", CF_EGRESS_DENY, CF_EGRESS_WHY_ADDRESS);
  assert_policy_verdict(p, NULL, "http://169.254.1.1/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  /* A wide range does not open the metadata service; an exact one does. */
  assert_policy_verdict(p, NULL, "http://169.254.169.254/", CF_EGRESS_DENY, CF_EGRESS_WHY_METADATA);
  assert_policy_verdict(p, NULL, "http://[fd00:ec2::254]/", CF_EGRESS_DENY, CF_EGRESS_WHY_METADATA);
  assert_policy_verdict(p, NULL, "http://100.100.100.200/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "http://8.8.8.8/", CF_EGRESS_DENY, CF_EGRESS_WHY_DENIED_RANGE);
  assert_policy_verdict(p, NULL, "http://8.8.9.8/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "http://[2606:4700::1111]/", CF_EGRESS_DENY, CF_EGRESS_WHY_DENIED_RANGE);

  assert_addr_verdict(p, "127.0.0.1", 8080, CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_addr_verdict(p, "127.0.0.1", 22, CF_EGRESS_DENY, CF_EGRESS_WHY_PORT);
  assert_addr_verdict(p, "127.0.0.1", 0, CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK); /* no port given */
  assert_addr_verdict(p, "192.168.0.1", 80, CF_EGRESS_DENY, CF_EGRESS_WHY_ADDRESS);
  assert_addr_verdict(p, "169.254.169.254", 80, CF_EGRESS_DENY, CF_EGRESS_WHY_METADATA);
  assert_addr_verdict(p, "::ffff:169.254.169.254", 80, CF_EGRESS_DENY, CF_EGRESS_WHY_METADATA);
  assert_addr_verdict(p, "8.8.8.1", 80, CF_EGRESS_DENY, CF_EGRESS_WHY_DENIED_RANGE);
  assert_addr_verdict(p, "1.1.1.1", 80, CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);

  /* The reason names the host the address came from. */
  struct sockaddr_storage ss;
  eg_sockaddr("169.254.169.254", 80, &ss);
  cf_egress_result_t r;
  assert_int_equal(CF_OK, cf_egress_check_addr(p, NULL, (const struct sockaddr *)&ss, "evil.example", &r));
  assert_string_equal("evil.example resolves to 169.254.169.254, which is link-local (169.254.0.0/16): the AWS, GCP "
                      "and Azure instance metadata service",
                      r.reason);
  /* Bad arguments. */
  struct sockaddr bad = {0};
  bad.sa_family = AF_UNIX;
  assert_int_equal(CF_EINVAL, cf_egress_check_addr(p, NULL, &bad, NULL, &r));
  assert_int_equal(CF_EINVAL, cf_egress_check_addr(p, NULL, NULL, NULL, &r));
  assert_int_equal(CF_EINVAL, cf_egress_check_addr(NULL, NULL, (const struct sockaddr *)&ss, NULL, &r));
  cf_egress_policy_free(p);

  /* The default policy: the same classes, any port. */
  assert_int_equal(CF_OK, cf_egress_policy_default(&p));
  assert_addr_verdict(p, "10.0.0.1", 443, CF_EGRESS_DENY, CF_EGRESS_WHY_ADDRESS);
  assert_addr_verdict(p, "2002:a9fe:a9fe::1", 443, CF_EGRESS_DENY, CF_EGRESS_WHY_METADATA);
  assert_addr_verdict(p, "93.184.216.34", 65535, CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  cf_egress_policy_free(p);
}

/* ---- credentials ---- */

#define CREDS "tests/data/egress/credentials/"

static void test_credentials(void **state) {
  (void)state;
  cf_egress_policy_t *p = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  assert_int_equal(CF_OK, cf_egress_policy_load(NULL, CREDS "policy.yaml", &p, &d));
  assert_true(cf_egress_policy_has_credentials(p));
  /* yescrypt, bcrypt (a line with a further field) and SHA-512 crypt (a CRLF line) */
  assert_int_equal(CF_EGRESS_AUTH_OK, cf_egress_authenticate(p, "alice", "s3cret"));
  assert_int_equal(CF_EGRESS_AUTH_OK, cf_egress_authenticate(p, "bob", "s3cret"));
  assert_int_equal(CF_EGRESS_AUTH_OK, cf_egress_authenticate(p, "carol", "s3cret"));
  assert_int_equal(CF_EGRESS_AUTH_FAILED, cf_egress_authenticate(p, "alice", "s3cret "));
  assert_int_equal(CF_EGRESS_AUTH_FAILED, cf_egress_authenticate(p, "alice", ""));
  assert_int_equal(CF_EGRESS_AUTH_FAILED, cf_egress_authenticate(p, "mallory", "s3cret"));
  assert_int_equal(CF_EGRESS_AUTH_FAILED, cf_egress_authenticate(p, NULL, "s3cret"));
  assert_int_equal(CF_EGRESS_AUTH_FAILED, cf_egress_authenticate(p, "alice", NULL));
  /* The user still chooses the role; verifying is the caller's step before it. */
  cf_egress_client_t c = {0};
  c.user = "bob";
  assert_policy_verdict(p, &c, "https://93.184.216.34:8443/", CF_EGRESS_ALLOW, CF_EGRESS_WHY_OK);
  assert_policy_verdict(p, NULL, "https://93.184.216.34:8443/", CF_EGRESS_DENY, CF_EGRESS_WHY_PORT);
  cf_egress_policy_free(p);
  /* Without a credentials file nothing is checked. */
  assert_int_equal(CF_OK, cf_egress_policy_default(&p));
  assert_false(cf_egress_policy_has_credentials(p));
  assert_int_equal(CF_EGRESS_AUTH_NONE, cf_egress_authenticate(p, "alice", "anything"));
  cf_egress_policy_free(p);
  assert_int_equal(CF_EGRESS_AUTH_NONE, cf_egress_authenticate(NULL, "alice", "s3cret"));

  /* What does not load, and where it says so. */
  static const struct {
    const char *file, *error_file;
    uint32_t line;
    cf_err err;
    const char *says;
  } bad[] = {
      {"weak-md5.htpasswd", CREDS "weak-md5.htpasswd", 2, CF_EPARSE, "user 'dave': a weak hash"},
      {"weak-des.htpasswd", CREDS "weak-des.htpasswd", 1, CF_EPARSE, "user 'erin'"},
      {"no-colon.htpasswd", CREDS "no-colon.htpasswd", 2, CF_EPARSE, "expected USER:HASH"},
      {"not-a-hash.htpasswd", CREDS "not-a-hash.htpasswd", 1, CF_EPARSE, "expected a crypt(3) hash"},
      {"twice.htpasswd", CREDS "twice.htpasswd", 3, CF_EPARSE, "user 'alice' is listed twice (also line 1)"},
      {"empty.htpasswd", CREDS "empty.htpasswd", 1, CF_EPARSE, "no USER:HASH lines"},
      {"no-such.htpasswd", CREDS "no-such.htpasswd", 0, CF_EIO, "cannot open"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char y[256];
    snprintf(y, sizeof y, "credentials: %s\nroles:\n  a:\n    match: {users: [alice]}\n", bad[i].file);
    p = (cf_egress_policy_t *)1;
    cf_err e = cf_egress_policy_parse(NULL, y, strlen(y), CREDS "bad.yaml", &p, &d);
    const char *msg = d.message ? d.message : "";
    if (e != bad[i].err || p || !strstr(msg, bad[i].says) || d.line != bad[i].line ||
        (bad[i].error_file && (!d.file || strcmp(d.file, bad[i].error_file) != 0))) {
      print_error("%s -> %s at %s:%u: %s\n", bad[i].file, cf_err_name(e), d.file ? d.file : "-", d.line, msg);
      fail();
    }
    cf_diag_cleanup(&d);
    cf_diag_init(&d);
  }
  /* A role chosen by a user the file does not have could never be used. */
  static const char y[] = "credentials: users.htpasswd\nroles:\n  a:\n    match: {users: [alice, zoe]}\n";
  assert_int_equal(CF_EPARSE, cf_egress_policy_parse(NULL, y, sizeof y - 1, CREDS "bad.yaml", &p, &d));
  assert_non_null(strstr(d.message, "role 'a' is chosen by user 'zoe', who is not in the credentials file"));
  assert_int_equal(3, d.line);
  assert_int_equal(3, d.column);
  cf_diag_cleanup(&d);
  cf_diag_init(&d);
  static const char y2[] = "credentials: [users.htpasswd]\n";
  assert_int_equal(CF_EPARSE, cf_egress_policy_parse(NULL, y2, sizeof y2 - 1, CREDS "bad.yaml", &p, &d));
  assert_int_equal(1, d.line);
  cf_diag_cleanup(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_errors), cmocka_unit_test(test_load),           cmocka_unit_test(test_roles),
      cmocka_unit_test(test_modes),  cmocka_unit_test(test_hosts_and_ports), cmocka_unit_test(test_ranges),
      cmocka_unit_test(test_credentials),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
