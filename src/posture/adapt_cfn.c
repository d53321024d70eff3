/*
 * adapt_cfn.c - CloudFormation templates (YAML or JSON, SAM functions included) into
 * canonical resources.
 *
 * Values are resolved statically before they are mapped: a Ref to a parameter with a Default
 * becomes the default; a Ref or GetAtt to a resource of the template becomes the identity
 * "cfn:<LogicalId>" (the target carries the same identity, so relationship rules and joins
 * match); Fn::Sub, Fn::Join and Fn::Select with fully known parts are computed; AWS::NoValue
 * removes the property; anything else (pseudo parameters, Fn::If on conditions, imports) is
 * unknown. Side resources are joined into their owner when the owner is in the template:
 * AWS::S3::BucketPolicy into its bucket, AWS::EC2::SecurityGroupIngress/Egress into their
 * group, AWS::IAM::Policy into its users, roles and groups; an owner defined elsewhere gets a
 * resource marked incomplete. Suppression: `Metadata: {cloudfort: {ignore: [{id, reason}]}}`
 * (also accepted under the key `cloudfort:ignore`).
 */
#include <string.h>
#include <strings.h>

#include "model.h"

typedef struct cfn {
  cf_adapt_ctx_t *ac;
  const cf_node_t *params;    /* Parameters */
  const cf_node_t *resources; /* Resources */
  unsigned depth;
  bool oom; /* a string buffer ran out of memory (arena failures are seen by the scan) */
} cfn_t;

static cf_pos_t P(const cf_node_t *n) { return n->pos; }

static const cf_node_t *resource_def(cfn_t *c, const char *logical) {
  return c->resources ? cf_node_get(c->resources, logical) : NULL;
}

static cf_node_t *resolve(cfn_t *c, const cf_node_t *n);

/* Resolves to a plain string, or NULL when not statically known. */
static const char *resolve_str(cfn_t *c, const cf_node_t *n) {
  cf_node_t *v = resolve(c, n);
  return v && v->type == CF_NODE_STRING ? v->u.s : NULL;
}

static cf_node_t *unknown(cfn_t *c, const cf_node_t *n) { return cf__n_unknown(c->ac, P(n)); }

static cf_node_t *ref_identity(cfn_t *c, const char *logical, const cf_node_t *at) {
  char buf[512];
  snprintf(buf, sizeof buf, "cfn:%s", logical);
  cf_node_t *s = cf__n_str(c->ac, buf, P(at));
  if (s) s->flags |= CF_NODE_F_SYNTHETIC;
  return s;
}

/* The value a NoValue reference leaves: a marker the mappers drop. */
static cf_node_t NOVALUE;

static cf_node_t *resolve_ref(cfn_t *c, const cf_node_t *n, const cf_node_t *target) {
  const char *name = cf_node_str(target);
  if (!name) return unknown(c, n);
  if (strcmp(name, "AWS::NoValue") == 0) return &NOVALUE;
  const cf_node_t *p = c->params ? cf_node_get(c->params, name) : NULL;
  if (p) {
    const cf_node_t *def = cf_node_get(p, "Default");
    if (def && def->type != CF_NODE_OBJECT && def->type != CF_NODE_ARRAY) {
      cf_node_t *v = cf__n_copy(c->ac, def);
      if (v) v->pos = P(n);
      /* CommaDelimitedList parameters are lists. */
      const char *type = cf_node_str(cf_node_get(p, "Type"));
      if (v && type && strstr(type, "List") && v->type == CF_NODE_STRING) {
        cf_node_t *arr = cf__n_arr(c->ac, P(n));
        const char *s = v->u.s;
        while (arr && *s) {
          size_t k = strcspn(s, ",");
          cf_node_t *it = cf_node_new_str(c->ac->arena, s, k, P(n));
          if (!it || cf_node_push(c->ac->arena, arr, it)) return NULL;
          s += k;
          if (*s == ',') s++;
        }
        return arr;
      }
      return v;
    }
    return unknown(c, n);
  }
  if (resource_def(c, name)) return ref_identity(c, name, n);
  return unknown(c, n); /* pseudo parameters such as AWS::Region */
}

/* Whether a buffer operation worked. Passing the buffer's size limit makes the value unknown,
 * as before; running out of memory fails the file rather than passing for "unknown". */
static bool buf_ok(cfn_t *c, cf_err e) {
  if (e == CF_ENOMEM) c->oom = true;
  return e == CF_OK;
}

/* Fn::Sub "text ${Name} ${Res.Attr} ${!Literal}" with an optional variable map. */
static cf_node_t *resolve_sub(cfn_t *c, const cf_node_t *n, const cf_node_t *arg) {
  const cf_node_t *tmpl = arg, *vars = NULL;
  if (arg->type == CF_NODE_ARRAY && arg->len >= 1) {
    tmpl = arg->u.items[0];
    if (arg->len > 1) vars = arg->u.items[1];
  }
  const char *t = cf_node_str(tmpl);
  if (!t) return unknown(c, n);
  cf_buf_t b;
  cf__buf_init(&b, 1u << 20);
  bool known = true;
  const char *p = t;
  while (*p && known) {
    const char *open = strstr(p, "${");
    if (!open) {
      known = buf_ok(c, cf__buf_puts(&b, p));
      break;
    }
    if (!buf_ok(c, cf__buf_append(&b, p, (size_t)(open - p)))) known = false;
    const char *close = strchr(open, '}');
    if (!close) {
      known = buf_ok(c, cf__buf_puts(&b, open));
      break;
    }
    if (open[2] == '!') { /* ${!Literal} is written as ${Literal} */
      if (!buf_ok(c, cf__buf_puts(&b, "${")) || !buf_ok(c, cf__buf_append(&b, open + 3, (size_t)(close - open - 3))) ||
          !buf_ok(c, cf__buf_putc(&b, '}')))
        known = false;
      p = close + 1;
      continue;
    }
    char name[256];
    size_t k = (size_t)(close - open - 2);
    if (k >= sizeof name) {
      known = false;
      break;
    }
    memcpy(name, open + 2, k);
    name[k] = '\0';
    const cf_node_t *var = vars ? cf_node_get(vars, name) : NULL;
    const char *val = NULL;
    if (var) {
      val = resolve_str(c, var);
    } else {
      cf_node_t tmp;
      memset(&tmp, 0, sizeof tmp);
      tmp.type = CF_NODE_STRING;
      tmp.u.s = name;
      tmp.len = (uint32_t)k;
      tmp.pos = P(n);
      char *dot = strchr(name, '.');
      if (dot) *dot = '\0';
      cf_node_t *r = resolve_ref(c, n, &tmp);
      if (r && r->type == CF_NODE_STRING && !(r->flags & CF_NODE_F_SYNTHETIC)) val = r->u.s;
    }
    if (!val) known = false;
    else if (!buf_ok(c, cf__buf_puts(&b, val))) known = false;
    p = close + 1;
  }
  cf_node_t *out = known ? cf_node_new_str(c->ac->arena, b.data ? b.data : "", b.len, P(n)) : unknown(c, n);
  cf__buf_cleanup(&b);
  return out;
}

static cf_node_t *resolve_join(cfn_t *c, const cf_node_t *n, const cf_node_t *arg) {
  if (arg->type != CF_NODE_ARRAY || arg->len != 2) return unknown(c, n);
  const char *sep = cf_node_str(arg->u.items[0]);
  cf_node_t *parts = resolve(c, arg->u.items[1]);
  if (!sep || !parts || parts->type != CF_NODE_ARRAY) return unknown(c, n);
  cf_buf_t b;
  cf__buf_init(&b, 1u << 20);
  bool known = true;
  for (uint32_t i = 0; i < parts->len && known; i++) {
    const cf_node_t *it = parts->u.items[i];
    if (it->type != CF_NODE_STRING || (it->flags & CF_NODE_F_SYNTHETIC)) known = false;
    else if ((i && !buf_ok(c, cf__buf_puts(&b, sep))) || !buf_ok(c, cf__buf_puts(&b, it->u.s))) known = false;
  }
  cf_node_t *out = known ? cf_node_new_str(c->ac->arena, b.data ? b.data : "", b.len, P(n)) : unknown(c, n);
  cf__buf_cleanup(&b);
  return out;
}

static cf_node_t *resolve_fn(cfn_t *c, const cf_node_t *n, const char *fn, const cf_node_t *arg) {
  if (strcmp(fn, "Ref") == 0) return resolve_ref(c, n, arg);
  if (strcmp(fn, "Fn::GetAtt") == 0) {
    const char *res = NULL;
    if (arg->type == CF_NODE_ARRAY && arg->len >= 1) res = cf_node_str(arg->u.items[0]);
    else if (arg->type == CF_NODE_STRING) res = arg->u.s;
    char name[256];
    if (res) {
      snprintf(name, sizeof name, "%s", res);
      char *dot = strchr(name, '.');
      if (dot) *dot = '\0';
      if (resource_def(c, name)) return ref_identity(c, name, n);
    }
    return unknown(c, n);
  }
  if (strcmp(fn, "Fn::Sub") == 0) return resolve_sub(c, n, arg);
  if (strcmp(fn, "Fn::Join") == 0) return resolve_join(c, n, arg);
  if (strcmp(fn, "Fn::Select") == 0 && arg->type == CF_NODE_ARRAY && arg->len == 2) {
    cf_node_t *idx = resolve(c, arg->u.items[0]);
    cf_node_t *list = resolve(c, arg->u.items[1]);
    double d;
    if (idx && list && list->type == CF_NODE_ARRAY && cf_node_number(idx, &d) && d >= 0 && d < list->len)
      return list->u.items[(uint32_t)d];
    return unknown(c, n);
  }
  if (strcmp(fn, "Fn::If") == 0 && arg->type == CF_NODE_ARRAY && arg->len == 3) {
    /* Conditions depend on parameters at deploy time; when both branches agree the value is
     * known anyway. */
    cf_node_t *a = resolve(c, arg->u.items[1]), *b = resolve(c, arg->u.items[2]);
    if (a && b && a != &NOVALUE && b != &NOVALUE && a->type == CF_NODE_STRING && b->type == CF_NODE_STRING &&
        strcmp(a->u.s, b->u.s) == 0)
      return a;
    if (a && b && a->type == CF_NODE_BOOL && b->type == CF_NODE_BOOL && a->u.b == b->u.b) return a;
    return unknown(c, n);
  }
  if (strcmp(fn, "Fn::Base64") == 0) return resolve(c, arg); /* user data is kept decoded */
  return unknown(c, n);
}

static cf_node_t *resolve(cfn_t *c, const cf_node_t *n) {
  if (!n) return NULL;
  if (++c->depth > 128) {
    c->depth--;
    return unknown(c, n);
  }
  cf_node_t *out = NULL;
  cf_arena_t *a = c->ac->arena;
  switch (n->type) {
  case CF_NODE_OBJECT:
    if (n->len == 1 && (strcmp(n->u.members[0].key, "Ref") == 0 || strncmp(n->u.members[0].key, "Fn::", 4) == 0)) {
      out = resolve_fn(c, n, n->u.members[0].key, n->u.members[0].value);
      break;
    }
    out = cf_node_new_object(a, P(n));
    for (uint32_t i = 0; out && i < n->len; i++) {
      cf_node_t *v = resolve(c, n->u.members[i].value);
      if (!v) {
        out = NULL;
        break;
      }
      if (v == &NOVALUE) continue;
      if (cf_node_set(a, out, n->u.members[i].key, v)) out = NULL;
    }
    break;
  case CF_NODE_ARRAY:
    out = cf_node_new_array(a, P(n));
    for (uint32_t i = 0; out && i < n->len; i++) {
      cf_node_t *v = resolve(c, n->u.items[i]);
      if (!v) {
        out = NULL;
        break;
      }
      if (v == &NOVALUE) continue;
      if (cf_node_push(a, out, v)) out = NULL;
    }
    break;
  default:
    out = cf__n_copy(c->ac, n);
  }
  c->depth--;
  return out;
}

/* ---- mapping helpers ---- */

typedef struct res_ctx {
  cfn_t *c;
  cf_resource_t *r;
  cf_node_t *props; /* resolved properties (object), never NULL */
  bool oom;
} res_ctx_t;

static const cf_node_t *prop(res_ctx_t *x, const char *dotted) { return cf_node_at(x->props, dotted); }

static void set(res_ctx_t *x, const char *path, cf_node_t *v) {
  if (!v) return;
  if (cf__obj_set_path(x->c->ac->arena, x->r->attrs, path, v, v->pos)) x->oom = true;
}

/* Copies a property (already resolved) to a canonical path. */
static void copy(res_ctx_t *x, const char *from, const char *to) {
  const cf_node_t *v = prop(x, from);
  if (v) set(x, to, (cf_node_t *)v);
}

/* Copies a boolean property; strings "true"/"false" become booleans. */
static void copy_bool(res_ctx_t *x, const char *from, const char *to) {
  const cf_node_t *v = prop(x, from);
  if (!v) return;
  int t = cf_node_truth(v);
  if (t >= 0) set(x, to, cf__n_bool(x->c->ac, t == 1, v->pos));
  else if (v->type == CF_NODE_UNKNOWN) set(x, to, (cf_node_t *)v);
}

/* A number as an integer when it fits: converting a double outside int64's range (a port of
 * 1e80 in a hostile template) is undefined behaviour. */
static bool int_of(double d, int64_t *out) {
  if (!(d > -9.0e18 && d < 9.0e18)) return false;
  *out = (int64_t)d;
  return true;
}

static void copy_int(res_ctx_t *x, const char *from, const char *to) {
  const cf_node_t *v = prop(x, from);
  double d;
  int64_t i;
  if (!v) return;
  if (cf_node_number(v, &d) && int_of(d, &i)) set(x, to, cf__n_int(x->c->ac, i, v->pos));
  else if (v->type == CF_NODE_UNKNOWN) set(x, to, (cf_node_t *)v);
}

static void copy_policy(res_ctx_t *x, const char *from, const char *to) {
  const cf_node_t *v = prop(x, from);
  if (!v) return;
  cf_node_t *p = cf__policy_normalize(x->c->ac, v);
  if (p) set(x, to, p);
}

static void add_id(res_ctx_t *x, const char *id) {
  if (id && cf__res_add_id(x->c->ac, x->r, id)) x->oom = true;
}

/* Policies: [{PolicyName, PolicyDocument}] -> inline_policies [{name, document}] */
static void inline_policies(res_ctx_t *x, const char *from) {
  const cf_node_t *l = prop(x, from);
  if (!l || l->type != CF_NODE_ARRAY) return;
  cf_node_t *arr = cf__n_arr(x->c->ac, l->pos);
  if (!arr) {
    x->oom = true;
    return;
  }
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *it = l->u.items[i];
    cf_node_t *o = cf__n_obj(x->c->ac, it->pos);
    if (!o) {
      x->oom = true;
      return;
    }
    const cf_node_t *name = cf_node_get(it, "PolicyName");
    if (name && cf_node_set(x->c->ac->arena, o, "name", (cf_node_t *)name)) x->oom = true;
    const cf_node_t *doc = cf_node_get(it, "PolicyDocument");
    cf_node_t *pd = doc ? cf__policy_normalize(x->c->ac, doc) : NULL;
    if (pd && cf_node_set(x->c->ac->arena, o, "document", pd)) x->oom = true;
    if (cf_node_push(x->c->ac->arena, arr, o)) x->oom = true;
  }
  set(x, "inline_policies", arr);
}

static const char *kebab_acl(const char *cfn) {
  static const struct { const char *cfn, *canon; } m[] = {
      {"Private", "private"}, {"PublicRead", "public-read"}, {"PublicReadWrite", "public-read-write"},
      {"AuthenticatedRead", "authenticated-read"}, {"LogDeliveryWrite", "log-delivery-write"},
      {"BucketOwnerRead", "bucket-owner-read"}, {"BucketOwnerFullControl", "bucket-owner-full-control"},
      {"AwsExecRead", "aws-exec-read"}};
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
    if (strcasecmp(m[i].cfn, cfn) == 0) return m[i].canon;
  return cfn;
}

/* ---- types ---- */

static void map_bucket(res_ctx_t *x) {
  cf_adapt_ctx_t *ac = x->c->ac;
  copy(x, "BucketName", "name");
  add_id(x, cf_node_str(prop(x, "BucketName")));
  const cf_node_t *acl = prop(x, "AccessControl");
  if (acl && acl->type == CF_NODE_STRING) set(x, "acl.canned", cf__n_str(ac, kebab_acl(acl->u.s), acl->pos));
  else if (acl) set(x, "acl.canned", (cf_node_t *)acl);
  const cf_node_t *pab = prop(x, "PublicAccessBlockConfiguration");
  if (pab) {
    /* In CloudFormation a setting left out of the block is false. */
    static const char *const f[4][2] = {{"BlockPublicAcls", "block_public_acls"}, {"IgnorePublicAcls", "ignore_public_acls"},
                                        {"BlockPublicPolicy", "block_public_policy"}, {"RestrictPublicBuckets", "restrict_public_buckets"}};
    for (int i = 0; i < 4; i++) {
      char from[96], to[96];
      snprintf(from, sizeof from, "PublicAccessBlockConfiguration.%s", f[i][0]);
      snprintf(to, sizeof to, "public_access_block.%s", f[i][1]);
      if (prop(x, from)) copy_bool(x, from, to);
      else if (pab->type == CF_NODE_OBJECT) set(x, to, cf__n_bool(ac, false, pab->pos));
      else set(x, to, cf__n_unknown(ac, pab->pos));
    }
  }
  const cf_node_t *sse = prop(x, "BucketEncryption.ServerSideEncryptionConfiguration");
  if (sse) {
    cf_node_t *rules = cf__n_arr(ac, sse->pos);
    for (uint32_t i = 0; rules && sse->type == CF_NODE_ARRAY && i < sse->len; i++) {
      const cf_node_t *it = sse->u.items[i];
      cf_node_t *o = cf__n_obj(ac, it->pos);
      const cf_node_t *alg = cf_node_at(it, "ServerSideEncryptionByDefault.SSEAlgorithm");
      const cf_node_t *key = cf_node_at(it, "ServerSideEncryptionByDefault.KMSMasterKeyID");
      const cf_node_t *bk = cf_node_get(it, "BucketKeyEnabled");
      if (!o || (alg && cf_node_set(ac->arena, o, "algorithm", (cf_node_t *)alg)) ||
          (key && cf_node_set(ac->arena, o, "kms_key_id", (cf_node_t *)key)) ||
          (bk && cf_node_set(ac->arena, o, "bucket_key_enabled", (cf_node_t *)bk)) || cf_node_push(ac->arena, rules, o))
        x->oom = true;
    }
    if (sse->type == CF_NODE_UNKNOWN) set(x, "encryption.rules", (cf_node_t *)sse);
    else set(x, "encryption.rules", rules);
  }
  const cf_node_t *log = prop(x, "LoggingConfiguration");
  if (log) {
    set(x, "logging.enabled", log->type == CF_NODE_UNKNOWN ? (cf_node_t *)log : cf__n_bool(ac, true, log->pos));
    copy(x, "LoggingConfiguration.DestinationBucketName", "logging.target_bucket");
    copy(x, "LoggingConfiguration.LogFilePrefix", "logging.target_prefix");
  }
  copy(x, "VersioningConfiguration.Status", "versioning.status");
  const cf_node_t *own = prop(x, "OwnershipControls.Rules");
  if (own && own->type == CF_NODE_ARRAY && own->len) {
    const cf_node_t *oo = cf_node_get(own->u.items[0], "ObjectOwnership");
    if (oo) set(x, "object_ownership", (cf_node_t *)oo);
  }
  const cf_node_t *web = prop(x, "WebsiteConfiguration");
  if (web) set(x, "website.enabled", cf__n_bool(ac, true, web->pos));
}

static void map_metadata_options(res_ctx_t *x, const char *base) {
  char from[128];
  snprintf(from, sizeof from, "%s.HttpTokens", base);
  copy(x, from, "metadata_options.http_tokens");
  snprintf(from, sizeof from, "%s.HttpEndpoint", base);
  copy(x, from, "metadata_options.http_endpoint");
  snprintf(from, sizeof from, "%s.HttpPutResponseHopLimit", base);
  copy_int(x, from, "metadata_options.http_put_response_hop_limit");
}

static void map_instance(res_ctx_t *x) {
  cfn_t *c = x->c;
  map_metadata_options(x, "MetadataOptions");
  if (!cf_node_get(x->r->attrs, "metadata_options")) {
    /* The template's launch template, when the instance names one. */
    const cf_node_t *lt = prop(x, "LaunchTemplate.LaunchTemplateId");
    if (!lt) lt = prop(x, "LaunchTemplate.LaunchTemplateName");
    const char *id = cf_node_str(lt);
    if (id && cf__str_starts(id, "cfn:")) {
      const cf_node_t *def = resource_def(c, id + 4);
      const cf_node_t *mo = cf_node_at(def, "Properties.LaunchTemplateData.MetadataOptions");
      if (mo) {
        cf_node_t *props = resolve(c, cf_node_get(def, "Properties"));
        if (props) {
          res_ctx_t y = *x;
          y.props = props;
          map_metadata_options(&y, "LaunchTemplateData.MetadataOptions");
          x->oom = x->oom || y.oom;
        }
      }
    }
  }
  /* The launch template the instance starts from: its settings apply where the instance
   * sets none, so rules must not judge them as absent when the template is elsewhere. */
  copy(x, "LaunchTemplate.LaunchTemplateId", "launch_template");
  if (!cf_node_get(x->r->attrs, "launch_template")) copy(x, "LaunchTemplate.LaunchTemplateName", "launch_template");
  copy(x, "IamInstanceProfile", "iam_instance_profile");
  copy(x, "UserData", "user_data");
  const cf_node_t *sg = prop(x, "SecurityGroupIds");
  if (!sg) sg = prop(x, "SecurityGroups");
  if (sg) set(x, "security_groups", cf__n_strlist(c->ac, sg));
  const cf_node_t *nis = prop(x, "NetworkInterfaces");
  for (uint32_t i = 0; nis && nis->type == CF_NODE_ARRAY && i < nis->len; i++) {
    const cf_node_t *pub = cf_node_get(nis->u.items[i], "AssociatePublicIpAddress");
    int t = cf_node_truth(pub);
    if (t >= 0) set(x, "associate_public_ip_address", cf__n_bool(c->ac, t == 1, pub->pos));
  }
}

static cf_node_t *sg_rule(cfn_t *c, const cf_node_t *it) {
  cf_adapt_ctx_t *ac = c->ac;
  cf_node_t *o = cf__n_obj(ac, it->pos);
  if (!o) return NULL;
  cf_arena_t *a = ac->arena;
  const cf_node_t *proto = cf_node_get(it, "IpProtocol");
  char pbuf[32];
  double num;
  const char *low = cf__fw_protocol(proto, pbuf, sizeof pbuf);
  if (low) {
    if (cf_node_set(a, o, "protocol", cf__n_str(ac, low, proto->pos))) return NULL;
    if (strcmp(low, "-1") == 0) {
      if (cf_node_set(a, o, "from_port", cf__n_int(ac, 0, proto->pos)) || cf_node_set(a, o, "to_port", cf__n_int(ac, 65535, proto->pos)))
        return NULL;
    }
  } else if (proto) {
    if (cf_node_set(a, o, "protocol", cf__n_unknown(ac, proto->pos))) return NULL;
  }
  if (!cf_node_get(o, "from_port")) {
    static const char *const ports[2][2] = {{"FromPort", "from_port"}, {"ToPort", "to_port"}};
    for (int i = 0; i < 2; i++) {
      const cf_node_t *v = cf_node_get(it, ports[i][0]);
      if (!v) continue;
      int64_t port;
      if (cf_node_number(v, &num) && int_of(num, &port)) {
        if (cf_node_set(a, o, ports[i][1], cf__n_int(ac, port, v->pos))) return NULL;
      } else if (cf_node_set(a, o, ports[i][1], cf__n_unknown(ac, v->pos))) {
        return NULL;
      }
    }
  }
  static const char *const lists[][2] = {{"CidrIp", "cidrs"}, {"CidrIpv6", "ipv6_cidrs"},
                                         {"SourceSecurityGroupId", "source_groups"},
                                         {"DestinationSecurityGroupId", "source_groups"},
                                         {"SourcePrefixListId", "prefix_lists"}, {"DestinationPrefixListId", "prefix_lists"}};
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
    const cf_node_t *v = cf_node_get(it, lists[i][0]);
    if (!v) continue;
    cf_node_t *l = (cf_node_t *)cf_node_get(o, lists[i][1]);
    if (!l) {
      l = cf__n_arr(ac, v->pos);
      if (!l || cf_node_set(a, o, lists[i][1], l)) return NULL;
    }
    if (l->type == CF_NODE_ARRAY && cf_node_push(a, l, cf__n_copy(ac, v))) return NULL;
  }
  const cf_node_t *d = cf_node_get(it, "Description");
  if (d && cf_node_set(a, o, "description", cf__n_copy(ac, d))) return NULL;
  return o;
}

static void sg_rules(res_ctx_t *x, const char *from, const char *to) {
  const cf_node_t *l = prop(x, from);
  if (!l) return;
  if (l->type == CF_NODE_UNKNOWN) {
    set(x, to, (cf_node_t *)l);
    return;
  }
  cf_node_t *arr = cf__n_arr(x->c->ac, l->pos);
  for (uint32_t i = 0; arr && l->type == CF_NODE_ARRAY && i < l->len; i++) {
    cf_node_t *o = sg_rule(x->c, l->u.items[i]);
    if (!o || cf_node_push(x->c->ac->arena, arr, o)) x->oom = true;
  }
  set(x, to, arr);
}

static void map_security_group(res_ctx_t *x) {
  copy(x, "GroupName", "name");
  copy(x, "VpcId", "vpc_id");
  sg_rules(x, "SecurityGroupIngress", "ingress");
  sg_rules(x, "SecurityGroupEgress", "egress");
}

static void map_opensearch(res_ctx_t *x) {
  copy(x, "DomainName", "name");
  copy(x, "EngineVersion", "engine_version");
  copy(x, "ElasticsearchVersion", "engine_version");
  const cf_node_t *vpc = prop(x, "VPCOptions");
  if (vpc) {
    copy(x, "VPCOptions.SubnetIds", "vpc.subnet_ids");
    copy(x, "VPCOptions.SecurityGroupIds", "vpc.security_group_ids");
    if (!cf_node_get(x->r->attrs, "vpc")) set(x, "vpc", cf__n_obj(x->c->ac, vpc->pos));
  }
  copy_policy(x, "AccessPolicies", "access_policy");
  copy_bool(x, "AdvancedSecurityOptions.Enabled", "fine_grained_access_control.enabled");
  copy_bool(x, "AdvancedSecurityOptions.InternalUserDatabaseEnabled", "fine_grained_access_control.internal_user_database");
  copy_bool(x, "AdvancedSecurityOptions.AnonymousAuthEnabled", "fine_grained_access_control.anonymous_auth_enabled");
  copy_bool(x, "EncryptionAtRestOptions.Enabled", "encryption_at_rest.enabled");
  copy_bool(x, "NodeToNodeEncryptionOptions.Enabled", "node_to_node_encryption.enabled");
  copy_bool(x, "DomainEndpointOptions.EnforceHTTPS", "domain_endpoint.enforce_https");
  copy(x, "DomainEndpointOptions.TLSSecurityPolicy", "domain_endpoint.tls_policy");
}

static void map_lb(res_ctx_t *x) {
  cf_adapt_ctx_t *ac = x->c->ac;
  copy(x, "Name", "name");
  /* CloudFormation's defaults: internet-facing, application. */
  const cf_node_t *scheme = prop(x, "Scheme");
  set(x, "scheme", scheme ? (cf_node_t *)scheme : cf__n_str(ac, "internet-facing", x->r->pos));
  const cf_node_t *type = prop(x, "Type");
  set(x, "type", type ? (cf_node_t *)type : cf__n_str(ac, "application", x->r->pos));
}

static void environment_list(res_ctx_t *x, const cf_node_t *vars, const char *to) {
  if (!vars) return;
  if (vars->type == CF_NODE_UNKNOWN) {
    set(x, to, (cf_node_t *)vars);
    return;
  }
  cf_adapt_ctx_t *ac = x->c->ac;
  cf_node_t *arr = cf__n_arr(ac, vars->pos);
  if (!arr) {
    x->oom = true;
    return;
  }
  if (vars->type == CF_NODE_OBJECT) {
    for (uint32_t i = 0; i < vars->len; i++) {
      const cf_member_t *m = &vars->u.members[i];
      cf_node_t *o = cf__n_obj(ac, m->key_pos);
      if (!o || cf_node_set(ac->arena, o, "name", cf__n_str(ac, m->key, m->key_pos)) ||
          cf_node_set(ac->arena, o, "value", m->value) || cf_node_push(ac->arena, arr, o))
        x->oom = true;
    }
  } else if (vars->type == CF_NODE_ARRAY) { /* ECS: [{Name, Value}] */
    for (uint32_t i = 0; i < vars->len; i++) {
      const cf_node_t *it = vars->u.items[i];
      const cf_node_t *name = cf_node_get(it, "Name"), *value = cf_node_get(it, "Value");
      cf_node_t *o = cf__n_obj(ac, it->pos);
      if (!o || (name && cf_node_set(ac->arena, o, "name", (cf_node_t *)name)) ||
          (value && cf_node_set(ac->arena, o, "value", (cf_node_t *)value)) || cf_node_push(ac->arena, arr, o))
        x->oom = true;
    }
  }
  set(x, to, arr);
}

static void map_lambda(res_ctx_t *x) {
  copy(x, "FunctionName", "name");
  copy(x, "Runtime", "runtime");
  copy(x, "Role", "role");
  environment_list(x, prop(x, "Environment.Variables"), "environment");
}

static void map_task_definition(res_ctx_t *x) {
  cf_adapt_ctx_t *ac = x->c->ac;
  copy(x, "Family", "family");
  const cf_node_t *defs = prop(x, "ContainerDefinitions");
  if (!defs || defs->type != CF_NODE_ARRAY) return;
  cf_node_t *arr = cf__n_arr(ac, defs->pos);
  cf_node_t *saved = x->r->attrs;
  for (uint32_t i = 0; arr && i < defs->len; i++) {
    const cf_node_t *d = defs->u.items[i];
    cf_node_t *o = cf__n_obj(ac, d->pos);
    if (!o) {
      x->oom = true;
      break;
    }
    res_ctx_t y = *x;
    y.props = (cf_node_t *)d;
    cf_resource_t tmp = *x->r;
    tmp.attrs = o;
    y.r = &tmp;
    copy(&y, "Name", "name");
    copy(&y, "Image", "image");
    copy_bool(&y, "Privileged", "privileged");
    copy(&y, "User", "user");
    environment_list(&y, cf_node_get(d, "Environment"), "environment");
    x->oom = x->oom || y.oom;
    if (cf_node_push(ac->arena, arr, o)) x->oom = true;
  }
  x->r->attrs = saved;
  set(x, "containers", arr);
}

static void map_trail(res_ctx_t *x) {
  copy(x, "TrailName", "name");
  copy_bool(x, "IsMultiRegionTrail", "multi_region");
  copy_bool(x, "EnableLogFileValidation", "log_file_validation");
  copy(x, "KMSKeyId", "kms_key_id");
  copy_bool(x, "IsLogging", "is_logging");
  copy(x, "S3BucketName", "s3_bucket_name");
  copy_bool(x, "IncludeGlobalServiceEvents", "include_global_service_events");
}

static void map_kms(res_ctx_t *x) {
  cf_adapt_ctx_t *ac = x->c->ac;
  copy_bool(x, "EnableKeyRotation", "rotation_enabled");
  if (!cf_node_get(x->r->attrs, "rotation_enabled")) set(x, "rotation_enabled", cf__n_bool(ac, false, x->r->pos));
  const cf_node_t *spec = prop(x, "KeySpec");
  set(x, "key_spec", spec ? (cf_node_t *)spec : cf__n_str(ac, "SYMMETRIC_DEFAULT", x->r->pos));
  set(x, "key_manager", cf__n_str(ac, "CUSTOMER", x->r->pos));
  copy_bool(x, "Enabled", "enabled");
  copy(x, "Origin", "origin");
  copy_policy(x, "KeyPolicy", "policy");
}

static void map_iam_common(res_ctx_t *x, const char *name_prop) {
  copy(x, name_prop, "name");
  add_id(x, cf_node_str(prop(x, name_prop)));
  inline_policies(x, "Policies");
  const cf_node_t *m = prop(x, "ManagedPolicyArns");
  if (m) set(x, "managed_policies", cf__n_strlist(x->c->ac, m));
}

static void map_user(res_ctx_t *x) {
  map_iam_common(x, "UserName");
  const cf_node_t *lp = prop(x, "LoginProfile");
  if (lp) set(x, "password_enabled", cf__n_bool(x->c->ac, true, lp->pos));
  const cf_node_t *g = prop(x, "Groups");
  if (g) set(x, "groups", cf__n_strlist(x->c->ac, g));
}

static void map_managed_policy(res_ctx_t *x) {
  copy(x, "ManagedPolicyName", "name");
  copy_policy(x, "PolicyDocument", "document");
  set(x, "aws_managed", cf__n_bool(x->c->ac, false, x->r->pos));
  uint32_t n = 0;
  static const char *const att[] = {"Users", "Roles", "Groups"};
  for (int i = 0; i < 3; i++) {
    const cf_node_t *l = prop(x, att[i]);
    if (l && l->type == CF_NODE_ARRAY) n += l->len;
  }
  set(x, "attachment_count", cf__n_int(x->c->ac, n, x->r->pos));
}

static void map_stage(res_ctx_t *x) {
  copy(x, "StageName", "name");
  copy(x, "RestApiId", "rest_api_id");
}

static void map_waf_association(res_ctx_t *x) {
  copy(x, "WebACLArn", "web_acl_arn");
  const cf_node_t *arn = cf_node_get(x->props, "ResourceArn");
  if (!arn) return;
  /* ResourceArn is usually !Ref/!GetAtt of the load balancer, or a !Sub naming an API stage:
   * refer to every template resource it names. */
  const cf_node_t *def = cf_node_at(resource_def(x->c, x->r->address), "Properties.ResourceArn");
  cf_node_t *refs = cf__n_arr(x->c->ac, arn->pos);
  if (!refs) {
    x->oom = true;
    return;
  }
  if (arn->type == CF_NODE_STRING) {
    if (cf_node_push(x->c->ac->arena, refs, (cf_node_t *)arn)) x->oom = true;
  }
  const char *sub = def ? cf_node_str(cf_node_get(def, "Fn::Sub")) : NULL;
  for (const char *p = sub; p && (p = strstr(p, "${")) != NULL;) {
    const char *close = strchr(p, '}');
    if (!close) break;
    char name[256];
    size_t k = (size_t)(close - p - 2);
    if (k < sizeof name) {
      memcpy(name, p + 2, k);
      name[k] = '\0';
      char *dot = strchr(name, '.');
      if (dot) *dot = '\0';
      if (resource_def(x->c, name) && cf_node_push(x->c->ac->arena, refs, ref_identity(x->c, name, arn))) x->oom = true;
    }
    p = close + 1;
  }
  set(x, "resource_arn", refs->len == 1 ? refs->u.items[0] : refs->len ? refs : (cf_node_t *)arn);
}

static void map_launch_template(res_ctx_t *x);
static void map_launch_configuration(res_ctx_t *x);
static void map_role(res_ctx_t *x);
static void map_group(res_ctx_t *x);

typedef struct type_map {
  const char *cfn;
  const char *canonical;
  void (*map)(res_ctx_t *);
} type_map_t;

static const type_map_t types[] = {
    {"AWS::S3::Bucket", "aws.s3.bucket", map_bucket},
    {"AWS::EC2::Instance", "aws.ec2.instance", map_instance},
    {"AWS::EC2::LaunchTemplate", "aws.ec2.launch_template", map_launch_template},
    {"AWS::AutoScaling::LaunchConfiguration", "aws.autoscaling.launch_configuration", map_launch_configuration},
    {"AWS::IAM::User", "aws.iam.user", map_user},
    {"AWS::IAM::Role", "aws.iam.role", map_role},
    {"AWS::IAM::Group", "aws.iam.group", map_group},
    {"AWS::IAM::ManagedPolicy", "aws.iam.policy", map_managed_policy},
    {"AWS::EC2::SecurityGroup", "aws.ec2.security_group", map_security_group},
    {"AWS::OpenSearchService::Domain", "aws.opensearch.domain", map_opensearch},
    {"AWS::Elasticsearch::Domain", "aws.opensearch.domain", map_opensearch},
    {"AWS::ElasticLoadBalancingV2::LoadBalancer", "aws.elbv2.load_balancer", map_lb},
    {"AWS::ApiGateway::Stage", "aws.apigateway.stage", map_stage},
    {"AWS::WAFv2::WebACLAssociation", "aws.wafv2.web_acl_association", map_waf_association},
    {"AWS::CloudTrail::Trail", "aws.cloudtrail.trail", map_trail},
    {"AWS::KMS::Key", "aws.kms.key", map_kms},
    {"AWS::Lambda::Function", "aws.lambda.function", map_lambda},
    {"AWS::Serverless::Function", "aws.lambda.function", map_lambda},
    {"AWS::ECS::TaskDefinition", "aws.ecs.task_definition", map_task_definition},
};

static void map_launch_template(res_ctx_t *x) {
  copy(x, "LaunchTemplateName", "name");
  map_metadata_options(x, "LaunchTemplateData.MetadataOptions");
  copy(x, "LaunchTemplateData.UserData", "user_data");
  copy(x, "LaunchTemplateData.IamInstanceProfile.Arn", "iam_instance_profile");
}

static void map_launch_configuration(res_ctx_t *x) {
  copy(x, "LaunchConfigurationName", "name");
  map_metadata_options(x, "MetadataOptions");
  copy(x, "UserData", "user_data");
  copy(x, "IamInstanceProfile", "iam_instance_profile");
}

static void map_role(res_ctx_t *x) {
  map_iam_common(x, "RoleName");
  copy_policy(x, "AssumeRolePolicyDocument", "assume_role_policy");
}

static void map_group(res_ctx_t *x) { map_iam_common(x, "GroupName"); }

/* ---- suppression in Metadata ---- */

static void metadata_suppress(cfn_t *c, cf_resource_t *r, const cf_node_t *meta) {
  if (!meta) return;
  const cf_node_t *list = cf_node_at(meta, "cloudfort.ignore");
  if (!list) list = cf_node_get(meta, "cloudfort:ignore");
  if (!list) return;
  const cf_node_t *one[1] = {list};
  const cf_node_t *const *items = list->type == CF_NODE_ARRAY ? (const cf_node_t *const *)list->u.items : one;
  uint32_t n = list->type == CF_NODE_ARRAY ? list->len : 1;
  for (uint32_t i = 0; i < n; i++) {
    const cf_node_t *it = items[i];
    const char *id = cf_node_str(it);
    const char *reason = NULL;
    if (!id) {
      id = cf_node_str(cf_node_get(it, "id"));
      reason = cf_node_str(cf_node_get(it, "reason"));
    }
    if (!id) {
      cf__adapt_warn(c->ac, it->pos, "Metadata cloudfort.ignore entries need an 'id' (and a 'reason')");
      continue;
    }
    if (cf__res_suppress(c->ac, r, id, reason, CF_SUPPRESS_METADATA)) return;
  }
}

/* ---- side resources ---- */

typedef struct pending {
  cf_resource_t *r;
  const char *logical;
} pending_t;

/* Finds the resource built for logical id `logical`. */
static cf_resource_t *find_built(pending_t *built, size_t n, const char *logical) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(built[i].logical, logical) == 0) return built[i].r;
  return NULL;
}

static cf_resource_t *outside_owner(cfn_t *c, const char *type, const char *ref, cf_pos_t pos,
                                    pending_t **extra, size_t *n_extra) {
  /* An owner that the template does not define: one incomplete resource per reference. */
  for (size_t i = 0; i < *n_extra; i++)
    if (strcmp((*extra)[i].logical, ref) == 0 && strcmp((*extra)[i].r->type, type) == 0) return (*extra)[i].r;
  cf_resource_t *r = cf__res_new(c->ac, type, ref, pos);
  if (!r) return NULL;
  r->incomplete = true;
  if (cf__res_add_id(c->ac, r, ref)) return NULL;
  cf_node_t *name = cf__n_str(c->ac, ref, pos);
  if (!name || cf__res_set(c->ac, r, "name", name)) return NULL;
  pending_t *n = cf__arena_alloc(c->ac->arena, (*n_extra + 1) * sizeof(pending_t));
  if (!n) return NULL;
  if (*n_extra) memcpy(n, *extra, *n_extra * sizeof(pending_t));
  n[*n_extra].r = r;
  n[*n_extra].logical = cf__arena_strdup(c->ac->arena, ref);
  *extra = n;
  (*n_extra)++;
  return r;
}

static cf_resource_t *owner_of(cfn_t *c, const cf_node_t *ref_value, const char *type, pending_t *built,
                               size_t n_built, pending_t **extra, size_t *n_extra, cf_pos_t pos) {
  const char *s = cf_node_str(ref_value);
  if (!s) return NULL;
  if (cf__str_starts(s, "cfn:")) {
    cf_resource_t *r = find_built(built, n_built, s + 4);
    if (r && strcmp(r->type, type) == 0) return r;
    return NULL;
  }
  /* A literal name: the template's resource of that name, else one defined elsewhere. */
  for (size_t i = 0; i < n_built; i++) {
    if (strcmp(built[i].r->type, type) != 0) continue;
    for (uint32_t k = 0; k < built[i].r->n_ids; k++)
      if (strcmp(built[i].r->ids[k], s) == 0) return built[i].r;
  }
  return outside_owner(c, type, s, pos, extra, n_extra);
}

static cf_err push_to(cf_adapt_ctx_t *ac, cf_resource_t *r, const char *key, cf_node_t *item) {
  cf_node_t *l = (cf_node_t *)cf_node_get(r->attrs, key);
  if (!l || l->type != CF_NODE_ARRAY) {
    l = cf__n_arr(ac, item->pos);
    if (!l || cf__res_set(ac, r, key, l)) return CF_ENOMEM;
  }
  return cf_node_push(ac->arena, l, item);
}

static cf_err join_side(cfn_t *c, const char *type, const char *logical, cf_node_t *props, pending_t *built,
                        size_t n_built, pending_t **extra, size_t *n_extra, cf_pos_t pos) {
  cf_adapt_ctx_t *ac = c->ac;
  if (strcmp(type, "AWS::S3::BucketPolicy") == 0) {
    cf_resource_t *b = owner_of(c, cf_node_get(props, "Bucket"), "aws.s3.bucket", built, n_built, extra, n_extra, pos);
    const cf_node_t *doc = cf_node_get(props, "PolicyDocument");
    if (!b || !doc) return CF_OK;
    cf_node_t *p = cf__policy_normalize(ac, doc);
    return p ? cf__res_set(ac, b, "policy", p) : CF_OK;
  }
  if (strcmp(type, "AWS::EC2::SecurityGroupIngress") == 0 || strcmp(type, "AWS::EC2::SecurityGroupEgress") == 0) {
    const cf_node_t *gid = cf_node_get(props, "GroupId");
    if (!gid) gid = cf_node_get(props, "GroupName");
    cf_resource_t *g = owner_of(c, gid, "aws.ec2.security_group", built, n_built, extra, n_extra, pos);
    if (!g) return CF_OK;
    cf_node_t *rule = sg_rule(c, props);
    if (!rule) return CF_ENOMEM;
    return push_to(ac, g, strstr(type, "Ingress") ? "ingress" : "egress", rule);
  }
  if (strcmp(type, "AWS::IAM::Policy") == 0 || strcmp(type, "AWS::IAM::UserPolicy") == 0 ||
      strcmp(type, "AWS::IAM::RolePolicy") == 0 || strcmp(type, "AWS::IAM::GroupPolicy") == 0) {
    const cf_node_t *doc = cf_node_get(props, "PolicyDocument");
    cf_node_t *pd = doc ? cf__policy_normalize(ac, doc) : NULL;
    if (!pd) return CF_OK;
    cf_node_t *item = cf__n_obj(ac, pos);
    const cf_node_t *name = cf_node_get(props, "PolicyName");
    if (!item || (name && cf_node_set(ac->arena, item, "name", (cf_node_t *)name)) || cf_node_set(ac->arena, item, "document", pd))
      return CF_ENOMEM;
    static const struct { const char *list, *one, *type; } owners[] = {
        {"Users", "UserName", "aws.iam.user"}, {"Roles", "RoleName", "aws.iam.role"}, {"Groups", "GroupName", "aws.iam.group"}};
    bool attached = false;
    for (int i = 0; i < 3; i++) {
      const cf_node_t *l = cf_node_get(props, owners[i].list);
      const cf_node_t *one = cf_node_get(props, owners[i].one);
      const cf_node_t *single[1] = {one};
      const cf_node_t *const *items = l && l->type == CF_NODE_ARRAY ? (const cf_node_t *const *)l->u.items : single;
      uint32_t n = l && l->type == CF_NODE_ARRAY ? l->len : (one ? 1 : 0);
      for (uint32_t k = 0; k < n; k++) {
        cf_resource_t *o = owner_of(c, items[k], owners[i].type, built, n_built, extra, n_extra, pos);
        if (!o) continue;
        if (push_to(ac, o, "inline_policies", item)) return CF_ENOMEM;
        attached = true;
      }
    }
    if (!attached) {
      /* Attached to principals we cannot see: judge the document on its own. */
      cf_resource_t *r = cf__res_new(ac, "aws.iam.policy", logical, pos);
      if (!r || cf__res_add_id(ac, r, "") || cf__res_set(ac, r, "document", pd)) return CF_ENOMEM;
      if (name && cf__res_set(ac, r, "name", (cf_node_t *)name)) return CF_ENOMEM;
      return ac->emit(ac, r);
    }
    return CF_OK;
  }
  return CF_OK;
}

/* ---- strings for the secrets pass ---- */

/* User data written as Fn::Base64 of an Fn::Sub whose variables are not known is unknown to
 * the rules; its template is still text a secret may sit in. */
static cf_err sub_user_data(cfn_t *c, const cf_resource_t *r, const cf_node_t *props) {
  const cf_node_t *ud = cf_node_get(r->attrs, "user_data");
  if (!props || !ud || ud->type != CF_NODE_UNKNOWN) return CF_OK;
  const cf_node_t *raw = cf_node_get(props, "UserData");
  if (!raw) raw = cf_node_at(props, "LaunchTemplateData.UserData");
  const cf_node_t *in = cf_node_get(raw, "Fn::Base64");
  const cf_node_t *sub = cf_node_get(in ? in : raw, "Fn::Sub");
  if (sub && sub->type == CF_NODE_ARRAY && sub->len >= 1) sub = sub->u.items[0];
  if (!sub || sub->type != CF_NODE_STRING) return CF_OK;
  return c->ac->secret_text(c->ac, r->type, r->address, "user_data", NULL, sub, r->suppress);
}

/* Parameters' Default values. */
static cf_err parameter_defaults(cfn_t *c) {
  if (!c->params || c->params->type != CF_NODE_OBJECT) return CF_OK;
  for (uint32_t i = 0; i < c->params->len; i++) {
    const cf_member_t *m = &c->params->u.members[i];
    const cf_node_t *def = cf_node_get(m->value, "Default");
    if (!def || def->type != CF_NODE_STRING) continue;
    char attr[320];
    snprintf(attr, sizeof attr, "Parameters.%s.Default", m->key);
    cf_err e = c->ac->secret_text(c->ac, "aws.cloudformation.parameter", m->key, attr, m->key, def, NULL);
    if (e) return e;
  }
  return CF_OK;
}

cf_err cf__adapt_cfn(cf_adapt_ctx_t *ac, const cf_doc_t *doc) {
  const cf_node_t *root = doc->roots[0];
  cfn_t c = {ac, cf_node_get(root, "Parameters"), cf_node_get(root, "Resources"), 0, false};
  if (!c.resources || c.resources->type != CF_NODE_OBJECT) return CF_OK;
  if (ac->secret_text) {
    cf_err e = parameter_defaults(&c);
    if (e) return e;
  }
  size_t n = c.resources->len;
  pending_t *built = cf__arena_zalloc(ac->arena, (n + 1) * sizeof(pending_t));
  if (!built) return CF_ENOMEM;
  size_t n_built = 0;
  pending_t *extra = NULL;
  size_t n_extra = 0;
  /* Pass 1: main resources. */
  for (size_t i = 0; i < n; i++) {
    const cf_member_t *m = &c.resources->u.members[i];
    const cf_node_t *def = m->value;
    const char *type = cf_node_str(cf_node_get(def, "Type"));
    if (!type) {
      cf__adapt_warn(ac, m->key_pos, "resource '%s' has no Type", m->key);
      continue;
    }
    const type_map_t *tm = NULL;
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
      if (strcmp(types[k].cfn, type) == 0) tm = &types[k];
    if (!tm) continue;
    cf_resource_t *r = cf__res_new(ac, tm->canonical, m->key, m->key_pos);
    if (!r) return CF_ENOMEM;
    char id[512];
    snprintf(id, sizeof id, "cfn:%s", m->key);
    if (cf__res_add_id(ac, r, id) || cf__res_add_id(ac, r, m->key)) return CF_ENOMEM;
    const cf_node_t *props = cf_node_get(def, "Properties");
    cf_node_t *rp = props ? resolve(&c, props) : NULL;
    if (!rp || rp->type != CF_NODE_OBJECT) rp = cf__n_obj(ac, m->key_pos);
    if (!rp) return CF_ENOMEM;
    res_ctx_t x = {&c, r, rp, false};
    tm->map(&x);
    if (x.oom) return CF_ENOMEM;
    const cf_node_t *tags = cf_node_get(rp, "Tags");
    if (tags && cf__res_set(ac, r, "tags", (cf_node_t *)tags)) return CF_ENOMEM;
    metadata_suppress(&c, r, cf_node_get(def, "Metadata"));
    if (ac->secret_text) {
      cf_err e = sub_user_data(&c, r, props);
      if (e) return e;
    }
    built[n_built].r = r;
    built[n_built].logical = m->key;
    n_built++;
  }
  /* Pass 2: side resources joined into their owners. */
  for (size_t i = 0; i < n; i++) {
    const cf_member_t *m = &c.resources->u.members[i];
    const char *type = cf_node_str(cf_node_get(m->value, "Type"));
    if (!type) continue;
    const cf_node_t *props = cf_node_get(m->value, "Properties");
    if (!props) continue;
    cf_node_t *rp = resolve(&c, props);
    if (!rp) return CF_ENOMEM;
    cf_err e = join_side(&c, type, m->key, rp, built, n_built, &extra, &n_extra, m->key_pos);
    if (e) return e;
  }
  if (c.oom) return CF_ENOMEM;
  for (size_t i = 0; i < n_built; i++) {
    cf_err e = ac->emit(ac, built[i].r);
    if (e) return e;
  }
  for (size_t i = 0; i < n_extra; i++) {
    cf_err e = ac->emit(ac, extra[i].r);
    if (e) return e;
  }
  return CF_OK;
}
