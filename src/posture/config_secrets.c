/*
 * config_secrets.c - secrets in cloud configuration: the posture scan hands the string
 * attributes that commonly hold credentials to the content engine.
 *
 * Which strings: Lambda environment variables, ECS container environments, EC2 instance,
 * launch template and launch configuration user data (the adapters keep it decoded), and
 * Kubernetes container env values, whatever the source format (CloudFormation and SAM,
 * Terraform plans, AWS Config, saved aws CLI output, manifests); adapters add strings outside
 * the canonical model through cf__cfgsec_value (CloudFormation parameter defaults, the
 * template of a user data Fn::Sub whose variables are not known). A variable is scanned as
 * "NAME=value" so that assignment rules ("DB_PASSWORD=...") see its name; only matches inside
 * the value count.
 *
 * Findings are made by the content analyser's own cf__content_finding, so rule id, threats,
 * masked evidence and fingerprint (rule, file, secret) are those a raw scan of the same file
 * gives; the resource, its type and the attribute are added. Location: when the value is
 * written verbatim in the file near the attribute's position (a plain or quoted scalar, a
 * YAML block, a JSON string without escapes in the secret), the secret's own line and column;
 * otherwise (decoded base64, a value taken from a parameter) the attribute's position. A raw
 * scan of the same file therefore reports the same rule on the same line, or the same
 * fingerprint, which is how `cloudfort scan` drops its duplicate.
 *
 * Limits: strings longer than MAX_VALUE bytes are not scanned; the verbatim search looks at
 * most twice the value's length (plus a little) past the attribute's position.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_secrets.h"
#include "content/content_scan.h"

#define MAX_VALUE (4u << 20)

cf_err cf__cfgsec_init(cf_cfgsec_t *cs, const cf_content_rules_t *rules) {
  memset(cs, 0, sizeof *cs);
  cf_err e = cf_content_scanner_new(rules, &cs->sc);
  if (e) return e;
  cs->scratch = cf_findings_new();
  if (!cs->scratch) {
    cf__cfgsec_cleanup(cs);
    return CF_ENOMEM;
  }
  return CF_OK;
}

void cf__cfgsec_cleanup(cf_cfgsec_t *cs) {
  cf_content_scanner_free(cs->sc);
  cf_findings_free(cs->scratch);
  if (cs->buf) {
    memset(cs->buf, 0, cs->cap); /* it held secrets */
    free(cs->buf);
  }
  memset(cs, 0, sizeof *cs);
}

typedef struct hit {
  cf_cfgsec_t *cs;
  const char *type, *address, *attr;
  const cf_node_t *value;
  const cf_res_suppress_t *suppress;
  size_t prefix;      /* bytes of "NAME=" before the value in the scanned text */
  const char *file;   /* reported path */
  const char *ftext;  /* the file's text, or NULL */
  size_t flen;
  size_t off;         /* the value's offset in ftext */
  bool have_off;
  size_t cursor;      /* where the next verbatim search starts */
  cf_err err;
} hit_t;

/* Offset of (line, column) in text. */
static bool offset_of(const char *text, size_t len, uint32_t line, uint32_t col, size_t *off) {
  if (!line || !col) return false;
  size_t p = 0;
  for (uint32_t l = 1; l < line; l++) {
    const char *nl = memchr(text + p, '\n', len - p);
    if (!nl) return false;
    p = (size_t)(nl - text) + 1;
  }
  if (p + col - 1 > len) return false;
  *off = p + col - 1;
  return true;
}

/* Line and column of offset `at`, counting from `from` at (line, col of from). */
static void advance(const char *text, size_t from, size_t at, uint32_t line, uint32_t col, uint32_t *ol,
                    uint32_t *oc) {
  size_t last_nl = SIZE_MAX;
  for (size_t i = from; i < at; i++)
    if (text[i] == '\n') {
      line++;
      last_nl = i;
    }
  *ol = line;
  *oc = last_nl == SIZE_MAX ? col + (uint32_t)(at - from) : (uint32_t)(at - last_nl);
}

static bool suppressed_by(const cf_res_suppress_t *s, const char *id, const cf_res_suppress_t **which) {
  for (; s; s = s->next)
    if (strcmp(s->rule, "*") == 0 || strcasecmp(s->rule, id) == 0) {
      *which = s;
      return true;
    }
  return false;
}

static int on_match(void *ud, const cf_content_match_t *m) {
  hit_t *h = ud;
  cf_cfgsec_t *cs = h->cs;
  if (m->kind != CF_CONTENT_SECRET) return 0;
  if (m->end <= m->start || m->start < h->prefix) return 0; /* a file-name rule, or inside the name */
  size_t so = m->start - h->prefix, n = m->end - m->start;
  cf_content_match_t m2 = *m;
  const cf_pos_t vp = h->value->pos;
  m2.line = m2.end_line = vp.line;
  m2.column = m2.end_column = vp.column;
  int inl = 0;
  char reason[CF_LIMIT_EVIDENCE + 1];
  reason[0] = '\0';
  if (h->have_off) {
    size_t start = h->cursor > h->off ? h->cursor : h->off;
    size_t limit = h->off + 2 * (size_t)h->value->len + 256;
    if (limit > h->flen) limit = h->flen;
    const char *p = start < limit ? memmem(h->ftext + start, limit - start, h->value->u.s + so, n) : NULL;
    if (p) {
      size_t at = (size_t)(p - h->ftext);
      advance(h->ftext, h->off, at, vp.line, vp.column, &m2.line, &m2.column);
      advance(h->ftext, h->off, at + n - 1, vp.line, vp.column, &m2.end_line, &m2.end_column);
      h->cursor = at + n;
      if (!cs->no_inline_suppress) inl = cf__content_inline(h->ftext, h->flen, at, m->rule->id, reason, sizeof reason);
      if (inl < 0) return 0; /* gitleaks:allow on the line */
    }
  }
  cf_content_opts_t copts;
  memset(&copts, 0, sizeof copts);
  copts.show_secrets = cs->show_secrets;
  cf_findings_t *fresh = cf_findings_new();
  if (!fresh) goto oom;
  cf_findings_free(cs->scratch);
  cs->scratch = fresh;
  if ((h->err = cf__content_finding(cs->scratch, &copts, &m2, h->file, NULL))) return 1;
  cf_finding_t f = *cf_findings_at(cs->scratch, 0);
  f.resource = h->address;
  f.resource_type = h->type;
  f.attribute = h->attr;
  const cf_res_suppress_t *sp = NULL;
  if (inl > 0) {
    f.suppressed = CF_SUPPRESS_INLINE;
    f.suppress_reason = reason[0] ? reason : NULL;
  } else if (!cs->no_inline_suppress && suppressed_by(h->suppress, m->rule->id, &sp)) {
    f.suppressed = sp->kind;
    f.suppress_reason = sp->reason;
  }
  h->err = cs->add(cs->ud, &f, vp.file);
  return h->err != CF_OK;
oom:
  h->err = CF_ENOMEM;
  return 1;
}

cf_err cf__cfgsec_value(cf_cfgsec_t *cs, const char *type, const char *address, const char *attr,
                        const char *name, const cf_node_t *value, const cf_res_suppress_t *suppress) {
  if (!value || value->type != CF_NODE_STRING || value->len == 0 || value->len > MAX_VALUE) return CF_OK;
  size_t nl = name ? strlen(name) : 0;
  if (nl > 1024) nl = 0; /* a name that long is no variable name: scan the value alone */
  size_t prefix = nl ? nl + 1 : 0;
  size_t need = prefix + value->len + 1;
  if (need > cs->cap) {
    size_t nc = need < 256 ? 256 : need;
    char *nb = malloc(nc);
    if (!nb) return CF_ENOMEM;
    if (cs->buf) {
      memset(cs->buf, 0, cs->cap);
      free(cs->buf);
    }
    cs->buf = nb;
    cs->cap = nc;
  }
  if (nl) {
    memcpy(cs->buf, name, nl);
    cs->buf[nl] = '=';
  }
  memcpy(cs->buf + prefix, value->u.s, value->len);
  cs->buf[prefix + value->len] = '\0';
  hit_t h;
  memset(&h, 0, sizeof h);
  h.cs = cs;
  h.type = type;
  h.address = address;
  h.attr = attr;
  h.value = value;
  h.suppress = suppress;
  h.prefix = prefix;
  h.file = cs->path_of ? cs->path_of(cs->ud, value->pos.file) : NULL;
  h.ftext = cs->text_of ? cs->text_of(cs->ud, value->pos.file, &h.flen) : NULL;
  if (h.ftext) h.have_off = offset_of(h.ftext, h.flen, value->pos.line, value->pos.column, &h.off);
  cf_err e = cf_content_scan_text(cs->sc, cs->buf, prefix + value->len, h.file, on_match, &h);
  if (e == CF_ELIMIT) e = CF_OK; /* too many candidates: what was found is reported */
  return e ? e : h.err;
}

/* Every {name, value} of an environment list. */
static cf_err env_list(cf_cfgsec_t *cs, const cf_resource_t *r, const char *where, const cf_node_t *arr) {
  if (!arr || arr->type != CF_NODE_ARRAY) return CF_OK;
  for (uint32_t i = 0; i < arr->len; i++) {
    const cf_node_t *it = arr->u.items[i];
    const char *name = cf_node_str(cf_node_get(it, "name"));
    char attr[256];
    snprintf(attr, sizeof attr, "%s.%s", where, name ? name : "?");
    cf_err e = cf__cfgsec_value(cs, r->type, r->address, attr, name, cf_node_get(it, "value"), r->suppress);
    if (e) return e;
  }
  return CF_OK;
}

static cf_err containers(cf_cfgsec_t *cs, const cf_resource_t *r, const char *env_key) {
  const cf_node_t *cl = cf_node_get(r->attrs, "containers");
  if (!cl || cl->type != CF_NODE_ARRAY) return CF_OK;
  for (uint32_t i = 0; i < cl->len; i++) {
    const cf_node_t *c = cl->u.items[i];
    const char *cname = cf_node_str(cf_node_get(c, "name"));
    char where[160];
    if (cname) snprintf(where, sizeof where, "containers[%s].%s", cname, env_key);
    else snprintf(where, sizeof where, "containers[%u].%s", i, env_key);
    cf_err e = env_list(cs, r, where, cf_node_get(c, env_key));
    if (e) return e;
  }
  return CF_OK;
}

cf_err cf__cfgsec_resource(cf_cfgsec_t *cs, const cf_resource_t *r) {
  const char *t = r->type;
  if (strcmp(t, "aws.lambda.function") == 0) return env_list(cs, r, "environment", cf_node_get(r->attrs, "environment"));
  if (strcmp(t, "aws.ecs.task_definition") == 0) return containers(cs, r, "environment");
  if (strcmp(t, "k8s.workload") == 0) return containers(cs, r, "env");
  if (strcmp(t, "aws.ec2.instance") == 0 || strcmp(t, "aws.ec2.launch_template") == 0 ||
      strcmp(t, "aws.autoscaling.launch_configuration") == 0)
    return cf__cfgsec_value(cs, t, r->address, "user_data", NULL, cf_node_get(r->attrs, "user_data"), r->suppress);
  return CF_OK;
}
