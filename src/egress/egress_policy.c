/*
 * egress_policy.c - egress policies: loading them from YAML (docs/egress.md) and the two
 * checks, of a URL and of an address about to be connected to.
 *
 * A policy is a list of roles. A request is judged by one role, chosen from who asks: the
 * verified client certificate's common name first, then the Proxy-Authorization user, then
 * the client's address (CIDRs); within each kind the first role in the file that names it;
 * otherwise the default role. A role says which schemes, ports and hosts may be reached,
 * which address ranges are allowed although they are not global (a test upstream on
 * 127.0.0.1) or denied although they are, whether credentials may appear in URLs, and its
 * mode: enforce, report (judge, log, let through) or open (let everything through unjudged).
 *
 * What no role can turn off: the cloud metadata names (metadata.google.internal and the other
 * names in egress_addr.c) are denied by name, and a metadata address is allowed only by an
 * allowed range that names exactly that address, never by a wider one such as
 * 169.254.0.0/16.
 *
 * The policy is parsed through the shared document model (libyaml with positions), so every
 * error carries file, line and column. Everything it holds lives in one arena; once made it
 * is never written again, and any number of threads may check against it at once. The checks
 * allocate nothing and, for an IP literal, format the reason with appends only: the proxy
 * calls them for every request.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "egress_internal.h"

#define POLICY_ARENA_MAX (64u << 20)

typedef struct cidr {
  uint8_t family; /* AF_INET or AF_INET6 */
  uint8_t bits;
  uint8_t addr[16];
  const char *text;
} cidr_t;

typedef struct portr {
  uint16_t lo, hi;
} portr_t;

typedef struct hostpat {
  const char *name; /* canonical host; for a glob the part after "*." */
  bool glob;
} hostpat_t;

typedef struct list {
  void *items;
  size_t n;
} list_t;

enum { SCHEME_HTTP = 1u, SCHEME_HTTPS = 2u };

typedef struct role {
  const char *name;
  cf_egress_mode mode;
  unsigned schemes;
  bool deny_userinfo;
  list_t allow_hosts, deny_hosts; /* hostpat_t */
  list_t ports;                   /* portr_t; empty: any port */
  list_t allow_ranges, deny_ranges, clients; /* cidr_t */
  list_t users, cert_cns;         /* const char * */
  cf_pos_t pos;                   /* where the role is named */
} role_t;

struct cf_egress_policy {
  cf_arena_t *arena;
  role_t *roles;
  size_t n_roles;
  size_t def; /* index of the default role */
  struct cf__creds *creds; /* the credentials file, or NULL */
};

static const char *const why_names[] = {
    [CF_EGRESS_WHY_OK] = "ok",           [CF_EGRESS_WHY_BAD_URL] = "bad_url",
    [CF_EGRESS_WHY_SCHEME] = "scheme",   [CF_EGRESS_WHY_PORT] = "port",
    [CF_EGRESS_WHY_HOST] = "host",       [CF_EGRESS_WHY_METADATA] = "metadata",
    [CF_EGRESS_WHY_ADDRESS] = "address", [CF_EGRESS_WHY_DENIED_RANGE] = "denied_range",
    [CF_EGRESS_WHY_USERINFO] = "userinfo", [CF_EGRESS_WHY_AUTH] = "auth",
};

const char *cf_egress_why_name(cf_egress_why why) {
  if ((unsigned)why < CF_ARRAY_LEN(why_names) && why_names[why]) return why_names[why];
  return "unknown";
}

static void role_defaults(role_t *r, const char *name) {
  memset(r, 0, sizeof *r);
  r->name = name;
  r->mode = CF_EGRESS_ENFORCE;
  r->schemes = SCHEME_HTTP | SCHEME_HTTPS;
}

static cf_err policy_new(cf_egress_policy_t **out) {
  cf_egress_policy_t *p = calloc(1, sizeof *p);
  if (!p) return CF_ENOMEM;
  if (!(p->arena = cf__arena_new(POLICY_ARENA_MAX))) {
    free(p);
    return CF_ENOMEM;
  }
  *out = p;
  return CF_OK;
}

void cf_egress_policy_free(cf_egress_policy_t *p) {
  if (!p) return;
  cf__arena_free(p->arena);
  free(p);
}

cf_err cf_egress_policy_default(cf_egress_policy_t **out) {
  if (!out) return CF_EINVAL;
  *out = NULL;
  cf_egress_policy_t *p = NULL;
  if (policy_new(&p)) return CF_ENOMEM;
  p->roles = cf__arena_zalloc(p->arena, sizeof(role_t));
  if (!p->roles) {
    cf_egress_policy_free(p);
    return CF_ENOMEM;
  }
  role_defaults(&p->roles[0], "default");
  p->n_roles = 1;
  *out = p;
  return CF_OK;
}

/* ---- loading ---- */

typedef struct loader {
  cf_egress_policy_t *p;
  const char *name;
  cf_diag_t *diag;
  cf_err err;
  const cf_ctx_t *ctx;
} loader_t;

static bool lfail(loader_t *l, cf_pos_t pos, const char *fmt, ...) CF_PRINTF(3, 4);
static bool lfail(loader_t *l, cf_pos_t pos, const char *fmt, ...) {
  if (l->err) return false;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  l->err = CF_EPARSE;
  (void)cf_diag_set(l->diag, CF_EPARSE, l->name, pos.line, pos.column, "%s", msg);
  return false;
}

static bool oom(loader_t *l) {
  if (!l->err) {
    l->err = CF_ENOMEM;
    (void)cf_diag_set(l->diag, CF_ENOMEM, l->name, 0, 0, "out of memory");
  }
  return false;
}

/* A list of n items of size bytes, each made by fn from one node. */
typedef bool (*item_fn)(loader_t *l, const cf_node_t *v, void *item);

static bool read_list(loader_t *l, const cf_member_t *m, size_t size, item_fn fn, list_t *out) {
  const cf_node_t *v = m->value;
  if (v->type == CF_NODE_NULL) return true;
  if (v->type != CF_NODE_ARRAY) return lfail(l, v->pos, "%s: expected a list", m->key);
  if (v->len == 0) return true;
  char *items = cf__arena_zalloc(l->p->arena, size * v->len);
  if (!items) return oom(l);
  for (uint32_t i = 0; i < v->len; i++)
    if (!fn(l, v->u.items[i], items + i * size)) return false;
  out->items = items;
  out->n = v->len;
  return true;
}

static const char *need_str(loader_t *l, const cf_node_t *v, const char *what) {
  if (v->type != CF_NODE_STRING || v->len == 0 || strlen(v->u.s) != v->len) {
    lfail(l, v->pos, "expected %s", what);
    return NULL;
  }
  return v->u.s;
}

static bool host_item(loader_t *l, const cf_node_t *v, void *item) {
  hostpat_t *h = item;
  const char *s = need_str(l, v, "a host name, an IP address or a pattern such as *.example.com");
  if (!s) return false;
  size_t n = strlen(s);
  bool glob = n > 2 && s[0] == '*' && s[1] == '.';
  if (glob) s += 2, n -= 2;
  if (memchr(s, '*', n)) return lfail(l, v->pos, "'*' is allowed only as a whole first label, as in *.example.com");
  bool br = n >= 2 && s[0] == '[' && s[n - 1] == ']';
  if (br) s++, n -= 2;
  else if (memchr(s, ':', n)) br = true; /* IPv6 written without brackets */
  char canon[256], why[160];
  cf_url_host_kind kind;
  uint8_t addr[16];
  bool dot;
  cf_err e = cf__egress_url_host(s, n, br, canon, &kind, addr, &dot, why, sizeof why);
  if (e == CF_ENOMEM) return oom(l);
  if (e) return lfail(l, v->pos, "not a valid host: %s", why);
  if (glob && kind != CF_URL_HOST_DOMAIN) return lfail(l, v->pos, "a '*.' pattern must end in a domain name, not an address");
  h->glob = glob;
  if (!(h->name = cf__arena_strdup(l->p->arena, canon))) return oom(l);
  return true;
}

static bool cidr_parse(const char *s, cidr_t *c) {
  char buf[64];
  size_t n = strlen(s);
  if (n >= sizeof buf) return false;
  memcpy(buf, s, n + 1);
  char *slash = strchr(buf, '/');
  int bits = -1;
  if (slash) {
    *slash = '\0';
    char *end = NULL;
    if (!slash[1] || slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3) return false;
    bits = (int)strtol(slash + 1, &end, 10);
    if (*end) return false;
  }
  memset(c->addr, 0, sizeof c->addr);
  if (inet_pton(AF_INET, buf, c->addr) == 1) {
    c->family = AF_INET;
    if (bits < 0) bits = 32;
    if (bits > 32) return false;
  } else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
    c->family = AF_INET6;
    if (bits < 0) bits = 128;
    if (bits > 128) return false;
  } else {
    return false;
  }
  c->bits = (uint8_t)bits;
  /* Bits beyond the prefix are cleared: 10.1.2.3/8 means 10.0.0.0/8. */
  for (unsigned i = 0; i < 16; i++) {
    int keep = bits - (int)(8 * i);
    if (keep >= 8) continue;
    c->addr[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
  }
  return true;
}

static bool cidr_item(loader_t *l, const cf_node_t *v, void *item) {
  cidr_t *c = item;
  const char *s = need_str(l, v, "an address range such as 10.0.0.0/8 or fd00::/8");
  if (!s) return false;
  if (!cidr_parse(s, c)) return lfail(l, v->pos, "expected an address range such as 10.0.0.0/8 or fd00::/8, not '%s'", s);
  if (!(c->text = cf__arena_strdup(l->p->arena, s))) return oom(l);
  return true;
}

static bool port_number(const char *s, size_t n, uint16_t *out) {
  if (n == 0 || n > 5) return false;
  unsigned v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (unsigned)(s[i] - '0');
  }
  if (v < 1 || v > 65535) return false;
  *out = (uint16_t)v;
  return true;
}

static bool port_item(loader_t *l, const cf_node_t *v, void *item) {
  portr_t *r = item;
  if (v->type == CF_NODE_INT) {
    if (v->u.i < 1 || v->u.i > 65535) return lfail(l, v->pos, "expected a port from 1 to 65535");
    r->lo = r->hi = (uint16_t)v->u.i;
    return true;
  }
  const char *s = v->type == CF_NODE_STRING ? v->u.s : NULL;
  const char *dash = s ? strchr(s, '-') : NULL;
  bool ok = false;
  if (s && dash) ok = port_number(s, (size_t)(dash - s), &r->lo) && port_number(dash + 1, strlen(dash + 1), &r->hi) && r->lo <= r->hi;
  else if (s) ok = port_number(s, strlen(s), &r->lo) && (r->hi = r->lo, true);
  if (!ok) return lfail(l, v->pos, "expected a port from 1 to 65535 or a range such as \"8000-8999\"");
  return true;
}

static bool scheme_item(loader_t *l, const cf_node_t *v, void *item) {
  unsigned *bit = item;
  const char *s = v->type == CF_NODE_STRING ? v->u.s : "";
  if (cf__str_ieq(s, "http")) *bit = SCHEME_HTTP;
  else if (cf__str_ieq(s, "https")) *bit = SCHEME_HTTPS;
  else return lfail(l, v->pos, "expected a scheme: http or https");
  return true;
}

static bool str_item(loader_t *l, const cf_node_t *v, void *item) {
  const char **s = item;
  if (!(*s = need_str(l, v, "a name"))) return false;
  if (!(*s = cf__arena_strdup(l->p->arena, *s))) return oom(l);
  return true;
}

static bool read_match(loader_t *l, const cf_member_t *mm, role_t *r) {
  const cf_node_t *v = mm->value;
  if (v->type != CF_NODE_OBJECT) return lfail(l, v->pos, "match: expected a mapping with clients, users or cert_cns");
  for (uint32_t i = 0; i < v->len; i++) {
    const cf_member_t *m = &v->u.members[i];
    bool ok;
    if (strcmp(m->key, "clients") == 0) ok = read_list(l, m, sizeof(cidr_t), cidr_item, &r->clients);
    else if (strcmp(m->key, "users") == 0) ok = read_list(l, m, sizeof(char *), str_item, &r->users);
    else if (strcmp(m->key, "cert_cns") == 0) ok = read_list(l, m, sizeof(char *), str_item, &r->cert_cns);
    else ok = lfail(l, m->key_pos, "unknown key '%s' in match (expected clients, users or cert_cns)", m->key);
    if (!ok) return false;
  }
  return true;
}

static bool read_role(loader_t *l, const cf_member_t *rm, role_t *r) {
  role_defaults(r, NULL);
  r->pos = rm->key_pos;
  if (!(r->name = cf__arena_strdup(l->p->arena, rm->key))) return oom(l);
  const cf_node_t *v = rm->value;
  if (v->type == CF_NODE_NULL) return true;
  if (v->type != CF_NODE_OBJECT) return lfail(l, v->pos, "role '%s': expected a mapping", rm->key);
  for (uint32_t i = 0; i < v->len; i++) {
    const cf_member_t *m = &v->u.members[i];
    const cf_node_t *x = m->value;
    bool ok = true;
    if (strcmp(m->key, "mode") == 0) {
      const char *s = x->type == CF_NODE_STRING ? x->u.s : "";
      if (strcmp(s, "enforce") == 0) r->mode = CF_EGRESS_ENFORCE;
      else if (strcmp(s, "report") == 0) r->mode = CF_EGRESS_REPORT;
      else if (strcmp(s, "open") == 0) r->mode = CF_EGRESS_OPEN;
      else ok = lfail(l, x->pos, "mode: expected enforce, report or open");
    } else if (strcmp(m->key, "match") == 0) {
      ok = read_match(l, m, r);
    } else if (strcmp(m->key, "allow_hosts") == 0) {
      ok = read_list(l, m, sizeof(hostpat_t), host_item, &r->allow_hosts);
    } else if (strcmp(m->key, "deny_hosts") == 0) {
      ok = read_list(l, m, sizeof(hostpat_t), host_item, &r->deny_hosts);
    } else if (strcmp(m->key, "schemes") == 0) {
      list_t s = {0};
      ok = read_list(l, m, sizeof(unsigned), scheme_item, &s);
      r->schemes = 0;
      for (size_t k = 0; ok && k < s.n; k++) r->schemes |= ((unsigned *)s.items)[k];
      if (ok && !r->schemes) ok = lfail(l, x->pos, "schemes: expected http, https or both");
    } else if (strcmp(m->key, "ports") == 0) {
      ok = read_list(l, m, sizeof(portr_t), port_item, &r->ports);
    } else if (strcmp(m->key, "allow_ranges") == 0) {
      ok = read_list(l, m, sizeof(cidr_t), cidr_item, &r->allow_ranges);
    } else if (strcmp(m->key, "deny_ranges") == 0) {
      ok = read_list(l, m, sizeof(cidr_t), cidr_item, &r->deny_ranges);
    } else if (strcmp(m->key, "deny_userinfo") == 0) {
      if (x->type != CF_NODE_BOOL) ok = lfail(l, x->pos, "deny_userinfo: expected true or false");
      else r->deny_userinfo = x->u.b;
    } else {
      ok = lfail(l, m->key_pos,
                 "unknown key '%s' in role '%s' (expected mode, match, allow_hosts, deny_hosts, schemes, ports, "
                 "allow_ranges, deny_ranges or deny_userinfo)", m->key, rm->key);
    }
    if (!ok) return false;
  }
  return true;
}

/* credentials: a USER:HASH file, relative to the policy's folder. */
static bool read_credentials(loader_t *l, const cf_node_t *v) {
  const char *file = need_str(l, v, "the path of a USER:HASH file");
  if (!file) return false;
  if (!*file) return lfail(l, v->pos, "credentials: expected the path of a USER:HASH file");
  char path[4096];
  const char *slash = l->name ? strrchr(l->name, '/') : NULL;
  int n = (file[0] == '/' || !slash) ? snprintf(path, sizeof path, "%s", file)
                                     : snprintf(path, sizeof path, "%.*s/%s", (int)(slash - l->name), l->name, file);
  if (n < 0 || (size_t)n >= sizeof path) return lfail(l, v->pos, "credentials: the path is too long");
  cf_err e = cf__egress_creds_load(l->p->arena, l->ctx, path, &l->p->creds, l->diag);
  if (e) {
    l->err = e;
    return false;
  }
  return true;
}

static bool read_policy(loader_t *l, const cf_node_t *root) {
  cf_egress_policy_t *p = l->p;
  if (root->type != CF_NODE_OBJECT) return lfail(l, root->pos, "expected a mapping with version, default_role and roles");
  const char *def_name = "default";
  cf_pos_t def_pos = root->pos;
  const cf_node_t *roles = NULL;
  for (uint32_t i = 0; i < root->len; i++) {
    const cf_member_t *m = &root->u.members[i];
    const cf_node_t *v = m->value;
    if (strcmp(m->key, "version") == 0) {
      if (v->type != CF_NODE_INT || v->u.i != 1) return lfail(l, v->pos, "version: expected 1");
    } else if (strcmp(m->key, "default_role") == 0) {
      if (!(def_name = need_str(l, v, "the name of a role"))) return false;
      def_pos = v->pos;
    } else if (strcmp(m->key, "roles") == 0) {
      if (v->type != CF_NODE_OBJECT && v->type != CF_NODE_NULL) return lfail(l, v->pos, "roles: expected a mapping of role names to roles");
      roles = v;
    } else if (strcmp(m->key, "credentials") == 0) {
      if (!read_credentials(l, v)) return false;
    } else {
      return lfail(l, m->key_pos, "unknown key '%s' (expected version, default_role, credentials or roles)", m->key);
    }
  }
  size_t n = roles && roles->type == CF_NODE_OBJECT ? roles->len : 0;
  if (!(p->roles = cf__arena_zalloc(p->arena, sizeof(role_t) * (n + 1)))) return oom(l);
  for (size_t i = 0; i < n; i++) {
    const cf_member_t *m = &roles->u.members[i];
    for (size_t k = 0; k < i; k++)
      if (strcmp(p->roles[k].name, m->key) == 0) return lfail(l, m->key_pos, "role '%s' is defined twice", m->key);
    if (!read_role(l, m, &p->roles[i])) return false;
  }
  p->n_roles = n;
  for (size_t i = 0; i < n; i++)
    if (strcmp(p->roles[i].name, def_name) == 0) {
      p->def = i;
      return true;
    }
  if (strcmp(def_name, "default") != 0) return lfail(l, def_pos, "default_role: no role named '%s'", def_name);
  /* No role "default": one with the default settings. */
  role_defaults(&p->roles[n], "default");
  p->def = n;
  p->n_roles = n + 1;
  return true;
}

/* Users that choose roles: with a credentials file each must be in it (a user who is not could
 * never authenticate); without one, anybody can claim any user, which is said once. */
static void check_users(loader_t *l) {
  const cf_egress_policy_t *p = l->p;
  bool named = false;
  for (size_t i = 0; i < p->n_roles; i++) {
    const char *const *u = p->roles[i].users.items;
    for (size_t k = 0; k < p->roles[i].users.n; k++) {
      named = true;
      if (p->creds && !cf__egress_creds_has(p->creds, u[k])) {
        (void)lfail(l, p->roles[i].pos, "role '%s' is chosen by user '%s', who is not in the credentials file",
                    p->roles[i].name, u[k]);
        return;
      }
    }
  }
  if (named && !p->creds)
    cf__log(l->ctx, CF_LOG_WARN,
            "%s: roles are chosen by Proxy-Authorization users but the policy has no credentials file: "
            "any client can name any user",
            l->name ? l->name : "egress policy");
}

cf_egress_auth cf_egress_authenticate(const cf_egress_policy_t *p, const char *user, const char *password) {
  return p ? cf__egress_creds_check(p->creds, user, password) : CF_EGRESS_AUTH_NONE;
}

bool cf_egress_policy_has_credentials(const cf_egress_policy_t *p) { return p && p->creds; }

cf_err cf_egress_policy_parse(const cf_ctx_t *ctx, const char *text, size_t len, const char *name,
                              cf_egress_policy_t **out, cf_diag_t *diag) {
  if (!out) return CF_EINVAL;
  *out = NULL;
  if (!text) return cf_diag_set(diag, CF_EINVAL, name, 0, 0, "no policy text");
  const cf_limits_t *lim = cf__limits(ctx);
  if (len > lim->max_rule_size)
    return cf_diag_set(diag, CF_ELIMIT, name, 0, 0, "the policy is larger than %llu bytes",
                       (unsigned long long)lim->max_rule_size);
  cf_doc_opts_t opts = {CF_DOC_YAML, 0, name, false};
  cf_doc_t *doc = NULL;
  cf_err e = cf_doc_parse(ctx, text, len, &opts, &doc, diag);
  if (e) return e;
  cf_egress_policy_t *p = NULL;
  if ((e = policy_new(&p))) {
    cf_doc_free(doc);
    return cf_diag_set(diag, e, name, 0, 0, "out of memory");
  }
  loader_t l = {p, name, diag, CF_OK, ctx};
  const cf_node_t *root = NULL;
  for (size_t i = 0; i < doc->n_roots; i++) {
    if (doc->roots[i]->type == CF_NODE_NULL) continue;
    if (root) {
      lfail(&l, doc->roots[i]->pos, "expected one YAML document, found a second");
      break;
    }
    root = doc->roots[i];
  }
  if (!l.err) {
    if (root) {
      (void)read_policy(&l, root);
    } else if (!(p->roles = cf__arena_zalloc(p->arena, sizeof(role_t)))) {
      oom(&l);
    } else {
      role_defaults(&p->roles[0], "default");
      p->n_roles = 1;
    }
  }
  cf_doc_free(doc);
  if (!l.err && cf__arena_failed(p->arena)) oom(&l);
  if (!l.err) check_users(&l);
  if (l.err) {
    cf_egress_policy_free(p);
    return l.err;
  }
  *out = p;
  return CF_OK;
}

cf_err cf__egress_read_file(const cf_ctx_t *ctx, const char *path, char **buf, size_t *len, cf_diag_t *diag) {
  cf_err e = cf__read_file(path, cf__limits(ctx)->max_rule_size, 1, buf, len, diag);
  if (e == CF_ENOTFOUND || e == CF_EINVAL) { /* missing, or a folder */
    if (diag) diag->code = CF_EIO;
    e = CF_EIO;
  }
  return e;
}

cf_err cf_egress_policy_load(const cf_ctx_t *ctx, const char *path, cf_egress_policy_t **out, cf_diag_t *diag) {
  if (!out || !path) return CF_EINVAL;
  *out = NULL;
  char *buf = NULL;
  size_t len = 0;
  cf_err e = cf__egress_read_file(ctx, path, &buf, &len, diag);
  if (e) return e;
  e = cf_egress_policy_parse(ctx, buf, len, path, out, diag);
  free(buf);
  return e;
}

/* ---- choosing a role ---- */

static bool cidr_contains(const cidr_t *c, int family, const uint8_t *a) {
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (c->family == AF_INET && family == AF_INET6 && memcmp(a, mapped, 12) == 0) {
    family = AF_INET;
    a += 12;
  }
  if (c->family != family) return false;
  unsigned full = c->bits / 8u, rest = c->bits % 8u;
  if (memcmp(a, c->addr, full) != 0) return false;
  return !rest || (a[full] & (uint8_t)(0xff << (8 - rest))) == c->addr[full];
}

static const cidr_t *cidr_find(const list_t *l, int family, const uint8_t *a) {
  const cidr_t *c = l->items;
  for (size_t i = 0; i < l->n; i++)
    if (cidr_contains(&c[i], family, a)) return &c[i];
  return NULL;
}

static bool name_in(const list_t *l, const char *s) {
  const char *const *v = l->items;
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(v[i], s) == 0) return true;
  return false;
}

/* The family and bytes of a socket address; false for another family or a short length. */
static bool sa_bytes(const struct sockaddr *sa, socklen_t len, int *family, const uint8_t **a, uint16_t *port) {
  if (!sa) return false;
  if (sa->sa_family == AF_INET && (len == 0 || len >= (socklen_t)sizeof(struct sockaddr_in))) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
    *family = AF_INET;
    *a = (const uint8_t *)&s4->sin_addr;
    if (port) *port = ntohs(s4->sin_port);
    return true;
  }
  if (sa->sa_family == AF_INET6 && (len == 0 || len >= (socklen_t)sizeof(struct sockaddr_in6))) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
    *family = AF_INET6;
    *a = s6->sin6_addr.s6_addr;
    if (port) *port = ntohs(s6->sin6_port);
    return true;
  }
  return false;
}

static const role_t *choose_role(const cf_egress_policy_t *p, const cf_egress_client_t *c) {
  if (!c) return &p->roles[p->def];
  if (c->cert_cn)
    for (size_t i = 0; i < p->n_roles; i++)
      if (name_in(&p->roles[i].cert_cns, c->cert_cn)) return &p->roles[i];
  if (c->user)
    for (size_t i = 0; i < p->n_roles; i++)
      if (name_in(&p->roles[i].users, c->user)) return &p->roles[i];
  int family;
  const uint8_t *a;
  if (sa_bytes(c->addr, c->addr_len, &family, &a, NULL))
    for (size_t i = 0; i < p->n_roles; i++)
      if (cidr_find(&p->roles[i].clients, family, a)) return &p->roles[i];
  return &p->roles[p->def];
}

/* ---- checks ---- */

static void result_init(cf_egress_result_t *res, const role_t *r) {
  res->verdict = CF_EGRESS_ALLOW;
  res->policy_denied = false;
  res->why = CF_EGRESS_WHY_OK;
  res->mode = r->mode;
  res->role = r->name;
  res->needs_resolution = false;
  res->reason[0] = '\0';
}

static void deny(cf_egress_result_t *res, cf_egress_why why, const char *fmt, ...) CF_PRINTF(3, 4);
static void deny(cf_egress_result_t *res, cf_egress_why why, const char *fmt, ...) {
  res->policy_denied = true;
  res->why = why;
  res->verdict = res->mode == CF_EGRESS_ENFORCE ? CF_EGRESS_DENY : CF_EGRESS_ALLOW;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->reason, sizeof res->reason, fmt, ap);
    va_end(ap);
  }
}

static bool port_ok(const role_t *r, unsigned port) {
  if (!r->ports.n) return true;
  const portr_t *v = r->ports.items;
  for (size_t i = 0; i < r->ports.n; i++)
    if (port >= v[i].lo && port <= v[i].hi) return true;
  return false;
}

static bool host_matches(const list_t *l, const char *host) {
  const hostpat_t *h = l->items;
  size_t n = strlen(host);
  for (size_t i = 0; i < l->n; i++) {
    if (!h[i].glob) {
      if (strcmp(h[i].name, host) == 0) return true;
      continue;
    }
    size_t k = strlen(h[i].name);
    if (n > k + 1 && host[n - k - 1] == '.' && memcmp(host + n - k, h[i].name, k) == 0) return true;
  }
  return false;
}

/* The address part of both checks: denied ranges, then the class, which allowed ranges may
 * override (a metadata address only by a range that is exactly that address). */
static void check_address(const role_t *r, int family, const uint8_t *a, const char *host, cf_egress_result_t *res) {
  char why[224];
  const cidr_t *c = cidr_find(&r->deny_ranges, family, a);
  if (c) {
    char addr[48];
    if (family == AF_INET) inet_ntop(AF_INET, a, addr, sizeof addr);
    else cf__egress_ipv6_format(a, addr, sizeof addr);
    deny(res, CF_EGRESS_WHY_DENIED_RANGE, "%s%s%s is in the range %s that role '%s' denies", host ? host : "",
         host ? " resolves to " : "", addr, c->text, r->name);
    return;
  }
  /* A literal's reason is the classifier's sentence, written in place. */
  char *text = host ? why : res->reason;
  size_t text_size = host ? sizeof why : sizeof res->reason;
  cf_addr_class cls = cf_addr_classify(family, a, text, text_size);
  const cidr_t *ok = cls == CF_ADDR_GLOBAL ? NULL : cidr_find(&r->allow_ranges, family, a);
  bool allowed = cls == CF_ADDR_GLOBAL ||
                 (ok && (cls != CF_ADDR_METADATA || ok->bits == (ok->family == AF_INET ? 32 : 128)));
  cf_egress_why w = cls == CF_ADDR_METADATA ? CF_EGRESS_WHY_METADATA : CF_EGRESS_WHY_ADDRESS;
  if (!allowed) deny(res, w, NULL);
  const char *is = host ? strstr(why, " is ") : NULL;
  if (is) cf__strfmt(res->reason, sizeof res->reason, "%s resolves to %.*s, which%s", host, (int)(is - why), why, is);
  else if (host) cf__strfmt(res->reason, sizeof res->reason, "%s resolves to %s", host, why);
  if (ok && allowed) {
    size_t k = strlen(res->reason);
    cf__strfmt(res->reason + k, sizeof res->reason - k, "; allowed by the range %s of role '%s'", ok->text, r->name);
  }
}

cf_err cf_egress_check_url(const cf_egress_policy_t *p, const cf_egress_client_t *client, const char *url, size_t len,
                           cf_egress_result_t *res, cf_url_t *out_url) {
  if (!p || !url || !res) return CF_EINVAL;
  const role_t *r = choose_role(p, client);
  result_init(res, r);
  cf_url_t local;
  cf_url_t *u = out_url ? out_url : &local;
  char why[160];
  cf_err e = cf__egress_url_parse(url, len, u, why, sizeof why);
  if (r->mode == CF_EGRESS_OPEN) {
    cf__strfmt(res->reason, sizeof res->reason, "role '%s' is open: nothing is checked", r->name);
    return CF_OK;
  }
  if (e == CF_EUNSUPPORTED) {
    deny(res, CF_EGRESS_WHY_SCHEME, "the scheme '%s' is not http or https", u->scheme);
    return CF_OK;
  }
  if (e) {
    deny(res, CF_EGRESS_WHY_BAD_URL, "%s", why);
    /* Out of memory (libidn2) is no verdict on the URL: say so, denied all the same. */
    return e == CF_ENOMEM ? CF_ENOMEM : CF_OK;
  }
  unsigned bit = u->scheme[4] == 's' ? SCHEME_HTTPS : SCHEME_HTTP;
  if (!(r->schemes & bit)) {
    deny(res, CF_EGRESS_WHY_SCHEME, "the scheme %s is not allowed for role '%s'", u->scheme, r->name);
    return CF_OK;
  }
  if (u->has_userinfo && r->deny_userinfo) {
    deny(res, CF_EGRESS_WHY_USERINFO, "the URL carries credentials, which role '%s' does not allow", r->name);
    return CF_OK;
  }
  if (!port_ok(r, u->port)) {
    deny(res, CF_EGRESS_WHY_PORT, "port %u is not allowed for role '%s'", u->port, r->name);
    return CF_OK;
  }
  const char *cloud = NULL;
  if (u->host_kind == CF_URL_HOST_DOMAIN && cf__egress_metadata_name(u->host, &cloud)) {
    deny(res, CF_EGRESS_WHY_METADATA, "%s is a cloud metadata name: %s", u->host, cloud);
    return CF_OK;
  }
  if (r->deny_hosts.n && host_matches(&r->deny_hosts, u->host)) {
    deny(res, CF_EGRESS_WHY_HOST, "%s is among the hosts role '%s' denies", u->host, r->name);
    return CF_OK;
  }
  if (r->allow_hosts.n && !host_matches(&r->allow_hosts, u->host)) {
    deny(res, CF_EGRESS_WHY_HOST, "%s is not among the hosts role '%s' allows", u->host, r->name);
    return CF_OK;
  }
  if (u->host_kind == CF_URL_HOST_DOMAIN) {
    res->needs_resolution = true;
    cf__strfmt(res->reason, sizeof res->reason, "%s may be fetched if every address it resolves to passes", u->host);
    return CF_OK;
  }
  check_address(r, u->host_kind == CF_URL_HOST_IPV4 ? AF_INET : AF_INET6, u->addr, NULL, res);
  return CF_OK;
}

cf_err cf_egress_check_addr(const cf_egress_policy_t *p, const cf_egress_client_t *client, const struct sockaddr *sa,
                            const char *host, cf_egress_result_t *res) {
  if (!p || !sa || !res) return CF_EINVAL;
  int family;
  const uint8_t *a;
  uint16_t port = 0;
  if (!sa_bytes(sa, 0, &family, &a, &port)) return CF_EINVAL;
  const role_t *r = choose_role(p, client);
  result_init(res, r);
  if (r->mode == CF_EGRESS_OPEN) {
    cf__strfmt(res->reason, sizeof res->reason, "role '%s' is open: nothing is checked", r->name);
    return CF_OK;
  }
  /* Port 0: the caller did not say; the URL check has judged the port already. */
  if (port && !port_ok(r, port)) {
    deny(res, CF_EGRESS_WHY_PORT, "port %u is not allowed for role '%s'", port, r->name);
    return CF_OK;
  }
  check_address(r, family, a, host, res);
  return CF_OK;
}
