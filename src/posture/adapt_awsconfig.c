/*
 * adapt_awsconfig.c - AWS Config configuration items into canonical resources.
 *
 * AWS Config records each resource as a configuration item: a fixed envelope (resourceType,
 * resourceId, resourceName, ARN, accountId, awsRegion, configurationItemStatus, tags,
 * relationships) around `configuration` (the service's own description of the resource) and
 * `supplementaryConfiguration` (extra facts Config gathers with further calls, such as a
 * bucket's ACL and policy). scan.c hands us one item at a time, so a snapshot of millions of
 * items is adapted in memory proportional to one item; everything here is allocated in
 * ac->arena, which the streamer resets after each item.
 *
 * Why the item is decoded defensively: the same item reaches us in several spellings.
 *   - Snapshot and history files delivered to S3 say `configurationItemVersion`,
 *     `awsAccountId` and `ARN`; the API (get-resource-config-history, batch-get-resource-
 *     config) says `version`, `accountId` and `arn`; select-resource-config gives tags as a
 *     list of {key, value}.
 *   - `configuration`, `supplementaryConfiguration` and each supplementary value may be
 *     objects or JSON text in a string; a bucket's AccessControlList is JSON text inside a
 *     JSON string inside the item (encoded twice). decoded() unwraps up to three levels.
 *   - IAM policy documents (users', roles' and groups' inline policies, trust policies,
 *     managed policy versions) are URL-encoded JSON; cf__policy_normalize decodes them.
 *   - Field names follow the SDK that produced them: EC2 items are camelCase
 *     (`metadataOptions.httpTokens`), resources Config records through the CloudFormation
 *     registry are PascalCase (`LaunchTemplateData.MetadataOptions.HttpTokens`), and
 *     Elasticsearch items carry the Java SDK's odd capitals (`vPCOptions`, `aRN`,
 *     `tLSSecurityPolicy`). Keys are therefore looked up exactly first and then without
 *     regard to case.
 *
 * Invariants: a JSON null is treated as absent (Config writes null for every unset field);
 * values parsed from a string carry the string's own position; an item whose status says the
 * resource is gone or not recorded (ResourceDeleted, ResourceNotRecorded,
 * ResourceDeletedNotRecorded) yields nothing; an item of a type we do not map yields nothing
 * and costs one table lookup. A resource whose `configuration` (or, for S3 buckets and KMS
 * keys, whose supplementaryConfiguration) is missing is emitted as incomplete, so rules
 * about absent settings answer "unknown" rather than firing on facts Config did not give.
 *
 * Limits: nested JSON strings are unwrapped three levels deep at most; searches inside
 * supplementary values stop at depth 8; embedded JSON is bounded by CF_LIMIT_INNER_JSON in
 * cf__parse_inner_json.
 *
 * What Config does not record, and so is never set here: an IAM user's console password, MFA
 * devices and access keys (the credential report has those), instance user data, a KMS key's
 * policy, whether a trail is logging (describe-trails fields only, no trail status). A load
 * balancer's web ACL is not recorded either; since "no web ACL" would then look like a fact,
 * load balancers are emitted as incomplete (see map_lb).
 */
#include <string.h>
#include <strings.h>

#include "model.h"

#define MAX_ENCODING_LEVELS 3
#define MAX_SEARCH_DEPTH 8

typedef struct cfg {
  cf_adapt_ctx_t *ac;
  cf_resource_t *r;
  const cf_node_t *item;
  const cf_node_t *conf; /* configuration as an object; NULL when the item has none */
  const cf_node_t *supp; /* supplementaryConfiguration as an object; NULL when absent */
  bool oom;
} cfg_t;

/* ---- reading the item ---- */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/*
 * A member of obj: the exact spelling if present, else the first that matches ignoring case;
 * NULL for a JSON null. One pass, and only keys of the right length are compared: this is
 * the adapter's innermost loop, run dozens of times per item over a million items.
 */
static const cf_node_t *get_n(const cf_node_t *obj, const char *key, size_t n) {
  if (!obj || obj->type != CF_NODE_OBJECT) return NULL;
  const cf_node_t *ci = NULL;
  for (uint32_t i = 0; i < obj->len; i++) {
    const cf_member_t *m = &obj->u.members[i];
    if (m->key_len != n) continue;
    if (memcmp(m->key, key, n) == 0) {
      ci = m->value;
      break;
    }
    if (!ci && strncasecmp(m->key, key, n) == 0) ci = m->value;
  }
  return ci && ci->type != CF_NODE_NULL ? ci : NULL;
}

/* Inlined so that the length of a literal key is computed at compile time: items are many. */
static inline __attribute__((always_inline)) const cf_node_t *get(const cf_node_t *obj, const char *key) {
  return get_n(obj, key, strlen(key));
}

/* The first of several spellings a field has across Config's item shapes. */
static const cf_node_t *get_any(const cf_node_t *obj, const char *const *keys) {
  for (; *keys; keys++) {
    const cf_node_t *v = get(obj, *keys);
    if (v) return v;
  }
  return NULL;
}

/*
 * Unwraps JSON carried in strings: a string whose text starts like JSON (an object, a list,
 * or another quoted string) is parsed, up to MAX_ENCODING_LEVELS times. Returns v itself when
 * it is not such a string, NULL for null or for text that does not parse (after a warning).
 */
static const cf_node_t *decoded(cfg_t *x, const cf_node_t *v) {
  for (int level = 0; v && v->type == CF_NODE_STRING && level < MAX_ENCODING_LEVELS; level++) {
    const char *s = v->u.s;
    size_t n = v->len;
    while (n && is_space(*s)) s++, n--;
    if (!n || (*s != '{' && *s != '[' && *s != '"')) break;
    v = cf__parse_inner_json(x->ac, s, n, v->pos);
  }
  return v && v->type != CF_NODE_NULL ? v : NULL;
}

/* Follows a dotted path of keys from obj, unwrapping JSON strings met on the way. */
static const cf_node_t *at(cfg_t *x, const cf_node_t *obj, const char *dotted) {
  char key[96];
  const char *p = dotted;
  const cf_node_t *v = obj;
  while (v) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n == 0 || n >= sizeof key) return NULL;
    memcpy(key, p, n);
    key[n] = '\0';
    v = get(decoded(x, v), key);
    if (!dot) break;
    p = dot + 1;
  }
  return v;
}

static const cf_node_t *conf(cfg_t *x, const char *dotted) { return at(x, x->conf, dotted); }

/* A supplementary value, decoded (each value may be JSON text). */
static const cf_node_t *supp(cfg_t *x, const char *dotted) {
  const cf_node_t *v = at(x, x->supp, dotted);
  return v ? decoded(x, v) : NULL;
}

/* ---- writing attributes ---- */

static void set(cfg_t *x, const char *path, cf_node_t *v) {
  if (!v) {
    x->oom = true;
    return;
  }
  if (cf__obj_set_path(x->ac->arena, x->r->attrs, path, v, v->pos)) x->oom = true;
}

static void set_str(cfg_t *x, const char *path, const cf_node_t *v) {
  if (v && v->type == CF_NODE_STRING) set(x, path, (cf_node_t *)v);
}

static void set_bool(cfg_t *x, const char *path, const cf_node_t *v) {
  int t = cf_node_truth(v);
  if (t >= 0) set(x, path, cf__n_bool(x->ac, t == 1, v->pos));
}

static void set_int(cfg_t *x, const char *path, const cf_node_t *v) {
  double d;
  if (v && cf_node_number(v, &d) && d >= -9.2e18 && d <= 9.2e18) set(x, path, cf__n_int(x->ac, (int64_t)d, v->pos));
}

/* A string list from a string, a list of strings, or a list of objects holding `field`. */
static void set_strlist(cfg_t *x, const char *path, const cf_node_t *v, const char *field) {
  v = decoded(x, v);
  if (!v) return;
  cf_node_t *arr = cf__n_arr(x->ac, v->pos);
  if (!arr) {
    x->oom = true;
    return;
  }
  if (v->type == CF_NODE_STRING) {
    if (cf_node_push(x->ac->arena, arr, (cf_node_t *)v)) x->oom = true;
  } else if (v->type == CF_NODE_ARRAY) {
    for (uint32_t i = 0; i < v->len; i++) {
      const cf_node_t *it = v->u.items[i];
      if (it->type == CF_NODE_OBJECT && field) it = get(it, field);
      if (it && it->type == CF_NODE_STRING && cf_node_push(x->ac->arena, arr, (cf_node_t *)it)) x->oom = true;
    }
  } else {
    return;
  }
  set(x, path, arr);
}

static void set_policy(cfg_t *x, const char *path, const cf_node_t *v) {
  if (!v) return;
  cf_node_t *p = cf__policy_normalize(x->ac, v);
  if (p) set(x, path, p); /* NULL: not a policy, and normalize has said so */
}

static void add_id(cfg_t *x, const cf_node_t *v) {
  if (v && v->type == CF_NODE_STRING && cf__res_add_id(x->ac, x->r, v->u.s)) x->oom = true;
}

/*
 * User data as the instance sees it. Config keeps the base64 the API returns; text scripts
 * are decoded, while binary user data (gzip, MIME archives compressed by cloud-init tools)
 * is not knowable as text and stays absent, as does text that is not base64.
 */
static void set_user_data(cfg_t *x, const char *path, const cf_node_t *v) {
  if (!v || v->type != CF_NODE_STRING || v->len == 0) return;
  size_t n = 0;
  char *d = NULL;
  cf_err e = cf__base64_decode(x->ac->arena, v->u.s, v->len, &d, &n);
  if (e == CF_ENOMEM) x->oom = true;
  if (e || memchr(d, '\0', n) || cf__utf8_valid_prefix((const uint8_t *)d, n) != n) return;
  set(x, path, cf_node_new_str(x->ac->arena, d, n, v->pos));
}

/* ---- S3 ---- */

static const char *group_uri(const char *name) {
  static const struct { const char *name, *uri; } g[] = {
      {"AllUsers", "http://acs.amazonaws.com/groups/global/AllUsers"},
      {"AuthenticatedUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},
      {"LogDelivery", "http://acs.amazonaws.com/groups/s3/LogDelivery"}};
  for (size_t i = 0; i < CF_ARRAY_LEN(g); i++)
    if (strcasecmp(g[i].name, name) == 0) return g[i].uri;
  return NULL;
}

/* Config writes the Java SDK's permission names (FullControl, ReadAcp); the canonical model
 * keeps the S3 API's (FULL_CONTROL, READ_ACP), as every other source does. */
static const char *permission_name(const char *p) {
  static const struct { const char *sdk, *api; } m[] = {
      {"FullControl", "FULL_CONTROL"}, {"Read", "READ"}, {"Write", "WRITE"},
      {"ReadAcp", "READ_ACP"}, {"WriteAcp", "WRITE_ACP"}};
  for (size_t i = 0; i < CF_ARRAY_LEN(m); i++)
    if (strcasecmp(m[i].sdk, p) == 0 || strcasecmp(m[i].api, p) == 0) return m[i].api;
  return p;
}

static cf_err put(cfg_t *x, cf_node_t *obj, const char *key, cf_node_t *v) {
  if (!v) return CF_ENOMEM;
  return cf_node_set(x->ac->arena, obj, key, v);
}

static cf_err put_str(cfg_t *x, cf_node_t *obj, const char *key, const char *s, cf_pos_t pos) {
  return put(x, obj, key, cf__n_str(x->ac, s, pos));
}

/*
 * One grant of Config's ACL: {"grantee": G, "permission": "Read"} where G is a group name
 * ("AllUsers"), a canonical user {"id", "displayName"}, or {"identifier", "typeIdentifier"}
 * (id, emailAddress or uri) in some SDK versions.
 */
static cf_node_t *acl_grant(cfg_t *x, const cf_node_t *g) {
  cf_node_t *o = cf__n_obj(x->ac, g->pos);
  if (!o) return NULL;
  const cf_node_t *who = decoded(x, get(g, "grantee"));
  const cf_node_t *perm = get(g, "permission");
  const char *type = NULL, *uri = NULL, *id = NULL;
  cf_pos_t wpos = who ? who->pos : g->pos;
  if (who && who->type == CF_NODE_STRING) {
    uri = group_uri(who->u.s);
    if (!uri && cf__str_istarts(who->u.s, "http")) uri = who->u.s;
    if (uri) type = "Group";
    else {
      type = "CanonicalUser";
      id = who->u.s;
    }
  } else if (who && who->type == CF_NODE_OBJECT) {
    const char *ident = cf_node_str(get(who, "identifier"));
    const char *tid = cf_node_str(get(who, "typeIdentifier"));
    const char *uri_field = cf_node_str(get(who, "uri"));
    const char *id_field = cf_node_str(get(who, "id"));
    const char *email = cf_node_str(get(who, "emailAddress"));
    if (uri_field || (ident && tid && strcasecmp(tid, "uri") == 0)) {
      type = "Group";
      uri = uri_field ? uri_field : ident;
    } else if (email || (ident && tid && strcasecmp(tid, "emailAddress") == 0)) {
      type = "AmazonCustomerByEmail";
      id = email ? email : ident;
    } else if (id_field || ident) {
      type = "CanonicalUser";
      id = id_field ? id_field : ident;
    }
  }
  if ((type && put_str(x, o, "grantee_type", type, wpos)) || (uri && put_str(x, o, "grantee_uri", uri, wpos)) ||
      (id && put_str(x, o, "grantee_id", id, wpos)))
    return NULL;
  if (perm && perm->type == CF_NODE_STRING && put_str(x, o, "permission", permission_name(perm->u.s), perm->pos))
    return NULL;
  return o;
}

static void map_bucket_acl(cfg_t *x) {
  const cf_node_t *acl = supp(x, "AccessControlList");
  if (!acl || acl->type != CF_NODE_OBJECT) return;
  const cf_node_t *list = decoded(x, get(acl, "grantList"));
  if (!list) list = decoded(x, get(acl, "grantSet"));
  if (!list) list = decoded(x, get(acl, "grants"));
  if (!list || list->type != CF_NODE_ARRAY) return;
  cf_node_t *arr = cf__n_arr(x->ac, list->pos);
  if (!arr) {
    x->oom = true;
    return;
  }
  for (uint32_t i = 0; i < list->len; i++) {
    const cf_node_t *g = list->u.items[i];
    if (g->type != CF_NODE_OBJECT) continue;
    cf_node_t *o = acl_grant(x, g);
    if (!o || cf_node_push(x->ac->arena, arr, o)) {
      x->oom = true;
      return;
    }
  }
  set(x, "acl.grants", arr);
}

/* The first member named key below n (objects and lists), depth-bounded. */
static const cf_node_t *find_key(cfg_t *x, const cf_node_t *n, const char *key, unsigned depth) {
  n = decoded(x, n);
  if (!n || depth > MAX_SEARCH_DEPTH) return NULL;
  if (n->type == CF_NODE_OBJECT) {
    const cf_node_t *v = get(n, key);
    if (v) return v;
    for (uint32_t i = 0; i < n->len; i++) {
      const cf_node_t *f = find_key(x, n->u.members[i].value, key, depth + 1);
      if (f) return f;
    }
  } else if (n->type == CF_NODE_ARRAY) {
    for (uint32_t i = 0; i < n->len; i++) {
      const cf_node_t *f = find_key(x, n->u.items[i], key, depth + 1);
      if (f) return f;
    }
  }
  return NULL;
}

static bool has_content(const cf_node_t *v) {
  if (!v || v->type == CF_NODE_NULL) return false;
  if (v->type == CF_NODE_STRING || v->type == CF_NODE_ARRAY || v->type == CF_NODE_OBJECT) return v->len > 0;
  return true;
}

static void map_bucket(cfg_t *x) {
  cf_adapt_ctx_t *ac = x->ac;
  const cf_node_t *name = conf(x, "name");
  if (!name) name = get(x->item, "resourceName");
  set_str(x, "name", name);
  add_id(x, name);
  if (!x->supp) {
    /* select-resource-config can leave supplementaryConfiguration out: the ACL, policy and
     * the rest are then not known, rather than absent. */
    x->r->incomplete = true;
    return;
  }
  map_bucket_acl(x);
  /* BucketOwnershipControls nests its rules differently across SDK versions; the setting is
   * the one objectOwnership inside it. */
  const cf_node_t *own = find_key(x, supp(x, "BucketOwnershipControls"), "objectOwnership", 0);
  set_str(x, "object_ownership", own);
  set_policy(x, "policy", decoded(x, supp(x, "BucketPolicy.policyText")));

  const cf_node_t *pab = supp(x, "PublicAccessBlockConfiguration");
  if (pab && pab->type == CF_NODE_OBJECT) {
    static const char *const f[4][2] = {{"blockPublicAcls", "public_access_block.block_public_acls"},
                                        {"ignorePublicAcls", "public_access_block.ignore_public_acls"},
                                        {"blockPublicPolicy", "public_access_block.block_public_policy"},
                                        {"restrictPublicBuckets", "public_access_block.restrict_public_buckets"}};
    for (int i = 0; i < 4; i++) set_bool(x, f[i][1], get(pab, f[i][0]));
  }

  const cf_node_t *sse = supp(x, "ServerSideEncryptionConfiguration.rules");
  if (sse && sse->type == CF_NODE_ARRAY) {
    cf_node_t *rules = cf__n_arr(ac, sse->pos);
    for (uint32_t i = 0; rules && i < sse->len; i++) {
      const cf_node_t *it = sse->u.items[i];
      const cf_node_t *def = decoded(x, get(it, "applyServerSideEncryptionByDefault"));
      const cf_node_t *alg = get(def, "sseAlgorithm"), *key = get(def, "kmsMasterKeyID");
      const cf_node_t *bk = get(it, "bucketKeyEnabled");
      cf_node_t *o = cf__n_obj(ac, it->pos);
      int bkt = cf_node_truth(bk);
      if (!o || (alg && alg->type == CF_NODE_STRING && put(x, o, "algorithm", (cf_node_t *)alg)) ||
          (key && key->type == CF_NODE_STRING && put(x, o, "kms_key_id", (cf_node_t *)key)) ||
          (bkt >= 0 && put(x, o, "bucket_key_enabled", cf__n_bool(ac, bkt == 1, bk->pos))) ||
          cf_node_push(ac->arena, rules, o))
        x->oom = true;
    }
    set(x, "encryption.rules", rules);
  }

  const cf_node_t *log = supp(x, "BucketLoggingConfiguration");
  if (log && log->type == CF_NODE_OBJECT) {
    const cf_node_t *dest = get(log, "destinationBucketName");
    set(x, "logging.enabled", cf__n_bool(ac, has_content(dest), dest ? dest->pos : log->pos));
    set_str(x, "logging.target_bucket", dest);
    set_str(x, "logging.target_prefix", get(log, "logFilePrefix"));
  }

  const cf_node_t *ver = supp(x, "BucketVersioningConfiguration");
  if (ver && ver->type == CF_NODE_OBJECT) {
    const cf_node_t *st = get(ver, "status");
    if (st && st->type == CF_NODE_STRING) {
      /* Config says "Off" for a bucket whose versioning was never turned on. */
      if (strcasecmp(st->u.s, "Off") == 0) set(x, "versioning.status", cf__n_str(ac, "Disabled", st->pos));
      else set(x, "versioning.status", (cf_node_t *)st);
    }
    const cf_node_t *mfa = get(ver, "isMfaDeleteEnabled");
    int t = cf_node_truth(mfa);
    if (t >= 0) set(x, "versioning.mfa_delete", cf__n_str(ac, t ? "Enabled" : "Disabled", mfa->pos));
  }

  const cf_node_t *web = supp(x, "BucketWebsiteConfiguration");
  if (web && web->type == CF_NODE_OBJECT) {
    bool on = has_content(get(web, "indexDocumentSuffix")) || has_content(get(web, "redirectAllRequestsTo")) ||
              has_content(get(web, "routingRules"));
    set(x, "website.enabled", cf__n_bool(ac, on, web->pos));
  }
}

static void map_account_pab(cfg_t *x) {
  static const char *const acct[] = {"accountId", "awsAccountId", NULL};
  const cf_node_t *id = get_any(x->item, acct);
  if (!id) id = get(x->item, "resourceId");
  set_str(x, "account_id", id);
  static const char *const f[4][2] = {{"blockPublicAcls", "block_public_acls"},
                                      {"ignorePublicAcls", "ignore_public_acls"},
                                      {"blockPublicPolicy", "block_public_policy"},
                                      {"restrictPublicBuckets", "restrict_public_buckets"}};
  for (int i = 0; i < 4; i++) set_bool(x, f[i][1], conf(x, f[i][0]));
}

/* ---- EC2 ---- */

static void map_metadata_options(cfg_t *x, const cf_node_t *mo) {
  mo = decoded(x, mo);
  if (!mo || mo->type != CF_NODE_OBJECT) return;
  set_str(x, "metadata_options.http_tokens", get(mo, "httpTokens"));
  set_str(x, "metadata_options.http_endpoint", get(mo, "httpEndpoint"));
  set_int(x, "metadata_options.http_put_response_hop_limit", get(mo, "httpPutResponseHopLimit"));
}

static void map_instance(cfg_t *x) {
  const cf_node_t *id = conf(x, "instanceId");
  if (!id) id = get(x->item, "resourceId");
  set_str(x, "instance_id", id);
  add_id(x, id);
  set_str(x, "name", get(x->item, "resourceName"));
  map_metadata_options(x, conf(x, "metadataOptions"));
  set_str(x, "iam_instance_profile", conf(x, "iamInstanceProfile.arn"));
  set_str(x, "public_ip", conf(x, "publicIpAddress"));
  set_strlist(x, "security_groups", conf(x, "securityGroups"), "groupId");
}

static void map_launch_template(cfg_t *x) {
  const cf_node_t *id = conf(x, "Id");
  if (!id) id = conf(x, "LaunchTemplateId");
  if (!id) id = get(x->item, "resourceId");
  set_str(x, "launch_template_id", id);
  add_id(x, id);
  const cf_node_t *name = conf(x, "LaunchTemplateName");
  if (!name) name = get(x->item, "resourceName");
  set_str(x, "name", name);
  add_id(x, name);
  /* Config records the template's default version. */
  set_int(x, "version", conf(x, "DefaultVersionNumber"));
  const cf_node_t *data = decoded(x, conf(x, "LaunchTemplateData"));
  map_metadata_options(x, get(data, "MetadataOptions"));
  const cf_node_t *prof = at(x, data, "IamInstanceProfile.Arn");
  if (!prof) prof = at(x, data, "IamInstanceProfile.Name");
  set_str(x, "iam_instance_profile", prof);
  set_user_data(x, "user_data", get(data, "UserData"));
  const cf_node_t *sg = get(data, "SecurityGroupIds");
  if (!sg) sg = get(data, "SecurityGroups");
  set_strlist(x, "security_groups", sg, NULL);
  const cf_node_t *nis = decoded(x, get(data, "NetworkInterfaces"));
  for (uint32_t i = 0; nis && nis->type == CF_NODE_ARRAY && i < nis->len; i++)
    set_bool(x, "associate_public_ip_address", get(nis->u.items[i], "AssociatePublicIpAddress"));
}

static void map_launch_configuration(cfg_t *x) {
  const cf_node_t *name = conf(x, "launchConfigurationName");
  if (!name) name = get(x->item, "resourceName");
  set_str(x, "name", name);
  add_id(x, name);
  add_id(x, conf(x, "launchConfigurationARN"));
  map_metadata_options(x, conf(x, "metadataOptions"));
  set_str(x, "iam_instance_profile", conf(x, "iamInstanceProfile"));
  set_user_data(x, "user_data", conf(x, "userData"));
  set_bool(x, "associate_public_ip_address", conf(x, "associatePublicIpAddress"));
  set_strlist(x, "security_groups", conf(x, "securityGroups"), NULL);
}

/* Pushes each `field` of the objects in list (or each plain string) to obj[key]. */
static cf_err push_field(cfg_t *x, cf_node_t *obj, const char *key, const cf_node_t *list, const char *field,
                         const cf_node_t **desc, unsigned *entries) {
  if (!list || list->type != CF_NODE_ARRAY || list->len == 0) return CF_OK;
  cf_node_t *arr = cf__n_arr(x->ac, list->pos);
  if (!arr) return CF_ENOMEM;
  for (uint32_t i = 0; i < list->len; i++) {
    const cf_node_t *it = list->u.items[i];
    const cf_node_t *v = it->type == CF_NODE_OBJECT ? get(it, field) : it;
    if (!v || v->type != CF_NODE_STRING) continue;
    if (cf_node_push(x->ac->arena, arr, (cf_node_t *)v)) return CF_ENOMEM;
    (*entries)++;
    const cf_node_t *d = it->type == CF_NODE_OBJECT ? get(it, "description") : NULL;
    if (d && d->type == CF_NODE_STRING && !*desc) *desc = d;
  }
  return arr->len ? cf_node_set(x->ac->arena, obj, key, arr) : CF_OK;
}

/* One IpPermission: {ipProtocol, fromPort, toPort, ipv4Ranges, ipv6Ranges, userIdGroupPairs,
 * prefixListIds}. Older items list IPv4 ranges only as ipRanges (plain strings). */
static cf_node_t *sg_rule(cfg_t *x, const cf_node_t *p) {
  cf_adapt_ctx_t *ac = x->ac;
  cf_node_t *o = cf__n_obj(ac, p->pos);
  if (!o) return NULL;
  const cf_node_t *proto = get(p, "ipProtocol");
  char buf[32];
  double num;
  bool all = false;
  const char *name = cf__fw_protocol(proto, buf, sizeof buf);
  if (name) {
    all = strcmp(name, "-1") == 0;
    if (put_str(x, o, "protocol", name, proto->pos)) return NULL;
  }
  if (all) {
    /* Protocol -1 means every protocol and port; Config leaves the ports null. */
    if (put(x, o, "from_port", cf__n_int(ac, 0, proto->pos)) || put(x, o, "to_port", cf__n_int(ac, 65535, proto->pos)))
      return NULL;
  } else {
    const cf_node_t *fp = get(p, "fromPort"), *tp = get(p, "toPort");
    /* Ports out of int64's range are no ports (converting them would be undefined). */
    if (fp && cf_node_number(fp, &num) && num > -9.0e18 && num < 9.0e18 &&
        put(x, o, "from_port", cf__n_int(ac, (int64_t)num, fp->pos)))
      return NULL;
    if (tp && cf_node_number(tp, &num) && num > -9.0e18 && num < 9.0e18 &&
        put(x, o, "to_port", cf__n_int(ac, (int64_t)num, tp->pos)))
      return NULL;
  }
  const cf_node_t *desc = NULL;
  unsigned entries = 0;
  const cf_node_t *v4 = get(p, "ipv4Ranges");
  if (!v4 || v4->type != CF_NODE_ARRAY || v4->len == 0) v4 = get(p, "ipRanges");
  if (push_field(x, o, "cidrs", v4, "cidrIp", &desc, &entries) ||
      push_field(x, o, "ipv6_cidrs", get(p, "ipv6Ranges"), "cidrIpv6", &desc, &entries) ||
      push_field(x, o, "source_groups", get(p, "userIdGroupPairs"), "groupId", &desc, &entries) ||
      push_field(x, o, "prefix_lists", get(p, "prefixListIds"), "prefixListId", &desc, &entries))
    return NULL;
  /* A permission groups several sources, each with its own description; the rule's
   * description is only well defined when it has one source. */
  if (desc && entries == 1 && put(x, o, "description", (cf_node_t *)desc)) return NULL;
  return o;
}

static void sg_rules(cfg_t *x, const char *from, const char *to) {
  const cf_node_t *l = decoded(x, conf(x, from));
  if (!l || l->type != CF_NODE_ARRAY) return;
  cf_node_t *arr = cf__n_arr(x->ac, l->pos);
  for (uint32_t i = 0; arr && i < l->len; i++) {
    if (l->u.items[i]->type != CF_NODE_OBJECT) continue;
    cf_node_t *o = sg_rule(x, l->u.items[i]);
    if (!o || cf_node_push(x->ac->arena, arr, o)) x->oom = true;
  }
  set(x, to, arr);
}

static void map_security_group(cfg_t *x) {
  const cf_node_t *id = conf(x, "groupId");
  if (!id) id = get(x->item, "resourceId");
  set_str(x, "group_id", id);
  add_id(x, id);
  const cf_node_t *name = conf(x, "groupName");
  if (!name) name = get(x->item, "resourceName");
  set_str(x, "name", name);
  add_id(x, name);
  set_str(x, "vpc_id", conf(x, "vpcId"));
  sg_rules(x, "ipPermissions", "ingress");
  sg_rules(x, "ipPermissionsEgress", "egress");
}

/* ---- IAM ---- */

/* [{policyName, policyDocument}] -> inline_policies [{name, document}] */
static void inline_policies(cfg_t *x, const char *from) {
  const cf_node_t *l = decoded(x, conf(x, from));
  if (!l || l->type != CF_NODE_ARRAY) return;
  cf_node_t *arr = cf__n_arr(x->ac, l->pos);
  if (!arr) {
    x->oom = true;
    return;
  }
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *it = l->u.items[i];
    if (it->type != CF_NODE_OBJECT) continue;
    cf_node_t *o = cf__n_obj(x->ac, it->pos);
    if (!o) {
      x->oom = true;
      return;
    }
    const cf_node_t *name = get(it, "policyName");
    if (name && name->type == CF_NODE_STRING && put(x, o, "name", (cf_node_t *)name)) x->oom = true;
    const cf_node_t *doc = get(it, "policyDocument");
    cf_node_t *pd = doc ? cf__policy_normalize(x->ac, doc) : NULL;
    if (pd && put(x, o, "document", pd)) x->oom = true;
    if (cf_node_push(x->ac->arena, arr, o)) x->oom = true;
  }
  set(x, "inline_policies", arr);
}

static void iam_common(cfg_t *x, const char *name_field, const char *policies_field) {
  const cf_node_t *name = conf(x, name_field);
  if (!name) name = get(x->item, "resourceName");
  set_str(x, "name", name);
  add_id(x, name);
  inline_policies(x, policies_field);
  set_strlist(x, "managed_policies", conf(x, "attachedManagedPolicies"), "policyArn");
}

static void map_user(cfg_t *x) {
  iam_common(x, "userName", "userPolicyList");
  set_strlist(x, "groups", conf(x, "groupList"), NULL);
}

static void map_role(cfg_t *x) {
  iam_common(x, "roleName", "rolePolicyList");
  set_policy(x, "assume_role_policy", conf(x, "assumeRolePolicyDocument"));
  /* An instance names its role through an instance profile, so the profiles' ARNs and names
   * are identities of the role: relationship rules can go from an instance to its role. */
  const cf_node_t *ips = decoded(x, conf(x, "instanceProfileList"));
  if (!ips || ips->type != CF_NODE_ARRAY) return;
  cf_node_t *arr = cf__n_arr(x->ac, ips->pos);
  for (uint32_t i = 0; arr && i < ips->len; i++) {
    const cf_node_t *arn = get(ips->u.items[i], "arn"), *name = get(ips->u.items[i], "instanceProfileName");
    add_id(x, arn);
    add_id(x, name);
    const cf_node_t *v = arn && arn->type == CF_NODE_STRING ? arn : name;
    if (v && v->type == CF_NODE_STRING && cf_node_push(x->ac->arena, arr, (cf_node_t *)v)) x->oom = true;
  }
  set(x, "instance_profiles", arr);
}

static void map_group(cfg_t *x) { iam_common(x, "groupName", "groupPolicyList"); }

static void map_managed_policy(cfg_t *x) {
  const cf_node_t *name = conf(x, "policyName");
  if (!name) name = get(x->item, "resourceName");
  set_str(x, "name", name);
  add_id(x, name);
  const cf_node_t *arn = conf(x, "arn");
  if (!arn) arn = get(x->item, "ARN");
  /* AWS managed policies live under the account "aws" in every partition. */
  const char *a = cf_node_str(arn);
  if (a) set(x, "aws_managed", cf__n_bool(x->ac, strstr(a, ":iam::aws:policy/") != NULL, arn->pos));
  set_int(x, "attachment_count", conf(x, "attachmentCount"));
  /* The document is the default version's: the one marked isDefaultVersion, or the one whose
   * versionId is defaultVersionId. */
  const cf_node_t *versions = decoded(x, conf(x, "policyVersionList"));
  const char *def = cf_node_str(conf(x, "defaultVersionId"));
  const cf_node_t *doc = NULL;
  for (uint32_t i = 0; versions && versions->type == CF_NODE_ARRAY && i < versions->len && !doc; i++) {
    const cf_node_t *v = versions->u.items[i];
    const char *vid = cf_node_str(get(v, "versionId"));
    if (cf_node_truth(get(v, "isDefaultVersion")) == 1 || (def && vid && strcmp(def, vid) == 0)) doc = get(v, "document");
  }
  set_policy(x, "document", doc);
}

/* ---- other services ---- */

static void map_opensearch(cfg_t *x) {
  static const char *const names[] = {"DomainName", NULL};
  static const char *const arns[] = {"ARN", "Arn", NULL};
  static const char *const versions[] = {"EngineVersion", "ElasticsearchVersion", NULL};
  const cf_node_t *name = get_any(x->conf, names);
  if (!name) name = get(x->item, "resourceName");
  set_str(x, "name", name);
  add_id(x, name);
  add_id(x, get_any(x->conf, arns));
  add_id(x, conf(x, "DomainId"));
  set_str(x, "engine_version", get_any(x->conf, versions));
  /* A domain with a public endpoint has no VPC options (Config writes null, or an object of
   * empty lists). */
  const cf_node_t *vpc = decoded(x, conf(x, "VPCOptions"));
  const cf_node_t *subnets = get(vpc, "SubnetIds");
  if (vpc && vpc->type == CF_NODE_OBJECT && (has_content(subnets) || has_content(get(vpc, "VPCId")))) {
    set(x, "vpc", cf__n_obj(x->ac, vpc->pos));
    set_strlist(x, "vpc.subnet_ids", subnets, NULL);
    set_strlist(x, "vpc.security_group_ids", get(vpc, "SecurityGroupIds"), NULL);
  }
  set_policy(x, "access_policy", decoded(x, conf(x, "AccessPolicies")));
  set_bool(x, "fine_grained_access_control.enabled", conf(x, "AdvancedSecurityOptions.Enabled"));
  set_bool(x, "fine_grained_access_control.internal_user_database", conf(x, "AdvancedSecurityOptions.InternalUserDatabaseEnabled"));
  set_bool(x, "fine_grained_access_control.anonymous_auth_enabled", conf(x, "AdvancedSecurityOptions.AnonymousAuthEnabled"));
  set_bool(x, "encryption_at_rest.enabled", conf(x, "EncryptionAtRestOptions.Enabled"));
  set_bool(x, "node_to_node_encryption.enabled", conf(x, "NodeToNodeEncryptionOptions.Enabled"));
  set_bool(x, "domain_endpoint.enforce_https", conf(x, "DomainEndpointOptions.EnforceHTTPS"));
  set_str(x, "domain_endpoint.tls_policy", conf(x, "DomainEndpointOptions.TLSSecurityPolicy"));
}

static void map_lb(cfg_t *x) {
  /* Config's load balancer item says nothing about WAF: the web ACL association lives with
   * the web ACL and is read through wafv2 GetWebACLForResource, which Config does not call.
   * Marking the resource incomplete makes "has no web ACL" unknown instead of true. */
  x->r->incomplete = true;
  const cf_node_t *name = conf(x, "loadBalancerName");
  if (!name) name = get(x->item, "resourceName");
  set_str(x, "name", name);
  add_id(x, name);
  add_id(x, conf(x, "loadBalancerArn"));
  set_str(x, "scheme", conf(x, "scheme"));
  set_str(x, "type", conf(x, "type"));
}

/* The REST API id inside a stage ARN: arn:aws:apigateway:REGION::/restapis/ID/stages/NAME. */
static void set_rest_api_id(cfg_t *x, const cf_node_t *arn) {
  const char *s = cf_node_str(arn);
  const char *p = s ? strstr(s, "/restapis/") : NULL;
  if (p) {
    p += strlen("/restapis/");
    size_t n = strcspn(p, "/");
    if (n) {
      set(x, "rest_api_id", cf_node_new_str(x->ac->arena, p, n, arn->pos));
      return;
    }
  }
  /* Otherwise the relationship "Is contained in RestApi". */
  const cf_node_t *rels = decoded(x, get(x->item, "relationships"));
  for (uint32_t i = 0; rels && rels->type == CF_NODE_ARRAY && i < rels->len; i++) {
    const cf_node_t *rel = rels->u.items[i];
    if (cf_node_str_eq(get(rel, "resourceType"), "AWS::ApiGateway::RestApi")) {
      set_str(x, "rest_api_id", get(rel, "resourceId"));
      return;
    }
  }
}

static void map_stage(cfg_t *x) {
  const cf_node_t *name = conf(x, "stageName");
  if (!name) name = get(x->item, "resourceName");
  set_str(x, "name", name);
  static const char *const arns[] = {"ARN", "arn", NULL};
  set_rest_api_id(x, get_any(x->item, arns));
  if (!cf_node_get(x->r->attrs, "rest_api_id")) set_str(x, "rest_api_id", conf(x, "restApiId"));
  set_str(x, "web_acl_arn", conf(x, "webAclArn"));
}

static void map_trail(cfg_t *x) {
  const cf_node_t *name = conf(x, "name");
  if (!name) name = get(x->item, "resourceName");
  set_str(x, "name", name);
  add_id(x, name);
  add_id(x, conf(x, "trailARN"));
  set_bool(x, "multi_region", conf(x, "isMultiRegionTrail"));
  set_bool(x, "log_file_validation", conf(x, "logFileValidationEnabled"));
  set_str(x, "kms_key_id", conf(x, "kmsKeyId"));
  set_str(x, "s3_bucket_name", conf(x, "s3BucketName"));
  set_bool(x, "include_global_service_events", conf(x, "includeGlobalServiceEvents"));
}

static void map_kms(cfg_t *x) {
  const cf_node_t *id = conf(x, "keyId");
  if (!id) id = get(x->item, "resourceId");
  set_str(x, "key_id", id);
  add_id(x, id);
  set_str(x, "key_manager", conf(x, "keyManager"));
  set_str(x, "origin", conf(x, "origin"));
  const cf_node_t *spec = conf(x, "keySpec");
  if (!spec) spec = conf(x, "customerMasterKeySpec");
  set_str(x, "key_spec", spec);
  set_bool(x, "enabled", conf(x, "enabled"));
  /* Config records rotation as supplementaryConfiguration.KeyRotationStatus. */
  if (x->supp) set_bool(x, "rotation_enabled", supp(x, "KeyRotationStatus"));
  else x->r->incomplete = true;
}

/* Lambda's environment.variables {NAME: value} -> environment [{name, value}] */
static void map_lambda(cfg_t *x) {
  const cf_node_t *name = conf(x, "functionName");
  if (!name) name = get(x->item, "resourceName");
  set_str(x, "name", name);
  add_id(x, name);
  add_id(x, conf(x, "functionArn"));
  set_str(x, "runtime", conf(x, "runtime"));
  set_str(x, "role", conf(x, "role"));
  const cf_node_t *vars = decoded(x, conf(x, "environment.variables"));
  if (!vars || vars->type != CF_NODE_OBJECT) return;
  cf_node_t *arr = cf__n_arr(x->ac, vars->pos);
  for (uint32_t i = 0; arr && i < vars->len; i++) {
    const cf_member_t *m = &vars->u.members[i];
    cf_node_t *o = cf__n_obj(x->ac, m->key_pos);
    if (!o || put_str(x, o, "name", m->key, m->key_pos) ||
        (m->value->type != CF_NODE_NULL && put(x, o, "value", m->value)) || cf_node_push(x->ac->arena, arr, o))
      x->oom = true;
  }
  set(x, "environment", arr);
}

static void map_task_definition(cfg_t *x) {
  const cf_node_t *family = conf(x, "Family");
  set_str(x, "family", family);
  add_id(x, family);
  add_id(x, conf(x, "TaskDefinitionArn"));
  const cf_node_t *defs = decoded(x, conf(x, "ContainerDefinitions"));
  if (!defs || defs->type != CF_NODE_ARRAY) return;
  cf_adapt_ctx_t *ac = x->ac;
  cf_node_t *arr = cf__n_arr(ac, defs->pos);
  for (uint32_t i = 0; arr && i < defs->len; i++) {
    const cf_node_t *d = defs->u.items[i];
    if (d->type != CF_NODE_OBJECT) continue;
    cf_node_t *o = cf__n_obj(ac, d->pos);
    if (!o) {
      x->oom = true;
      return;
    }
    const cf_node_t *v;
    if ((v = get(d, "Name")) && v->type == CF_NODE_STRING && put(x, o, "name", (cf_node_t *)v)) x->oom = true;
    if ((v = get(d, "Image")) && v->type == CF_NODE_STRING && put(x, o, "image", (cf_node_t *)v)) x->oom = true;
    if ((v = get(d, "User")) && v->type == CF_NODE_STRING && put(x, o, "user", (cf_node_t *)v)) x->oom = true;
    v = get(d, "Privileged");
    int t = cf_node_truth(v);
    if (t >= 0 && put(x, o, "privileged", cf__n_bool(ac, t == 1, v->pos))) x->oom = true;
    const cf_node_t *env = get(d, "Environment");
    if (env && env->type == CF_NODE_ARRAY) {
      cf_node_t *ea = cf__n_arr(ac, env->pos);
      for (uint32_t k = 0; ea && k < env->len; k++) {
        const cf_node_t *e = env->u.items[k];
        const cf_node_t *en = get(e, "Name"), *ev = get(e, "Value");
        cf_node_t *eo = cf__n_obj(ac, e->pos);
        if (!eo || (en && put(x, eo, "name", (cf_node_t *)en)) || (ev && put(x, eo, "value", (cf_node_t *)ev)) ||
            cf_node_push(ac->arena, ea, eo))
          x->oom = true;
      }
      if (!ea || put(x, o, "environment", ea)) x->oom = true;
    }
    if (cf_node_push(ac->arena, arr, o)) x->oom = true;
  }
  set(x, "containers", arr);
}

/* ---- the item ---- */

typedef struct type_map {
  const char *config;
  const char *canonical;
  void (*map)(cfg_t *);
} type_map_t;

static const type_map_t types[] = {
    {"AWS::S3::Bucket", "aws.s3.bucket", map_bucket},
    {"AWS::S3::AccountPublicAccessBlock", "aws.s3.account_public_access_block", map_account_pab},
    {"AWS::EC2::Instance", "aws.ec2.instance", map_instance},
    {"AWS::EC2::LaunchTemplate", "aws.ec2.launch_template", map_launch_template},
    {"AWS::AutoScaling::LaunchConfiguration", "aws.autoscaling.launch_configuration", map_launch_configuration},
    {"AWS::IAM::User", "aws.iam.user", map_user},
    {"AWS::IAM::Role", "aws.iam.role", map_role},
    {"AWS::IAM::Group", "aws.iam.group", map_group},
    {"AWS::IAM::Policy", "aws.iam.policy", map_managed_policy},
    {"AWS::EC2::SecurityGroup", "aws.ec2.security_group", map_security_group},
    {"AWS::OpenSearch::Domain", "aws.opensearch.domain", map_opensearch},
    {"AWS::Elasticsearch::Domain", "aws.opensearch.domain", map_opensearch},
    {"AWS::ElasticLoadBalancingV2::LoadBalancer", "aws.elbv2.load_balancer", map_lb},
    {"AWS::ApiGateway::Stage", "aws.apigateway.stage", map_stage},
    {"AWS::CloudTrail::Trail", "aws.cloudtrail.trail", map_trail},
    {"AWS::KMS::Key", "aws.kms.key", map_kms},
    {"AWS::Lambda::Function", "aws.lambda.function", map_lambda},
    {"AWS::ECS::TaskDefinition", "aws.ecs.task_definition", map_task_definition},
};

static const type_map_t *type_of(const char *t) {
  /* Every mapped type starts with "AWS::"; most items in a snapshot are of other types. */
  if (strncmp(t, "AWS::", 5) != 0) return NULL;
  for (size_t i = 0; i < CF_ARRAY_LEN(types); i++)
    if (strcmp(types[i].config + 5, t + 5) == 0) return &types[i];
  return NULL;
}

/* Every top-level member this file reads through get()/get_any()/cf_node_get() on the item;
 * a member missing here is never built for a streamed snapshot. */
const char *const cf__awsconfig_item_keys[] = {
    "resourceType", "resourceId", "resourceName", "ARN", "arn", "configuration",
    "supplementaryConfiguration", "configurationItemStatus", "relationships", "tags",
    "accountId", "awsAccountId", NULL};

/*
 * Narrower lists for the most common types, chosen by the item's resourceType before it is
 * parsed: `relationships` only for API Gateway stages (map_stage), and for EC2 instances and
 * Lambda functions only the members of `configuration` their mappers read ("name.sub" entries
 * narrow that object; its other members, such as an instance's block device mappings and
 * network interfaces, are skipped unbuilt). A mapper that reads a new member must list it
 * here; the awsconfig unit tests and rule fixtures run through these lists.
 */
#define ENVELOPE "resourceType", "resourceId", "resourceName", "ARN", "arn", "supplementaryConfiguration", \
                 "configurationItemStatus", "tags", "accountId", "awsAccountId"
static const char *const keys_plain[] = {ENVELOPE, "configuration", NULL};
static const char *const keys_instance[] = {ENVELOPE,
                                            "configuration.instanceId",
                                            "configuration.metadataOptions",
                                            "configuration.iamInstanceProfile",
                                            "configuration.publicIpAddress",
                                            "configuration.securityGroups",
                                            NULL};
static const char *const keys_lambda[] = {ENVELOPE,
                                          "configuration.functionName",
                                          "configuration.functionArn",
                                          "configuration.runtime",
                                          "configuration.role",
                                          "configuration.environment",
                                          NULL};

const char *const *cf__awsconfig_item_keys_for(const char *type, size_t len) {
  if (!type) return cf__awsconfig_item_keys;
  if (len == 18 && !memcmp(type, "AWS::EC2::Instance", 18)) return keys_instance;
  if (len == 21 && !memcmp(type, "AWS::Lambda::Function", 21)) return keys_lambda;
  if (len == 22 && !memcmp(type, "AWS::ApiGateway::Stage", 22)) return cf__awsconfig_item_keys;
  return keys_plain;
}

bool cf__awsconfig_type_supported(const char *type, size_t len) {
  for (size_t i = 0; i < CF_ARRAY_LEN(types); i++)
    if (strlen(types[i].config) == len && memcmp(types[i].config, type, len) == 0) return true;
  return false;
}

static bool is_gone(const char *status) {
  return status && (strcmp(status, "ResourceDeleted") == 0 || strcmp(status, "ResourceNotRecorded") == 0 ||
                    strcmp(status, "ResourceDeletedNotRecorded") == 0);
}

/* Tags as an object: Config writes {"k": "v"}, select-resource-config [{"key", "value"}]. */
static void map_tags(cfg_t *x) {
  const cf_node_t *t = decoded(x, get(x->item, "tags"));
  if (!t || t->len == 0) return;
  if (t->type == CF_NODE_OBJECT) {
    set(x, "tags", (cf_node_t *)t);
    return;
  }
  if (t->type != CF_NODE_ARRAY) return;
  cf_node_t *o = cf__n_obj(x->ac, t->pos);
  for (uint32_t i = 0; o && i < t->len; i++) {
    const char *k = cf_node_str(get(t->u.items[i], "key"));
    const cf_node_t *v = get(t->u.items[i], "value");
    if (k && v && cf_node_set(x->ac->arena, o, k, (cf_node_t *)v)) x->oom = true;
  }
  set(x, "tags", o);
}

cf_err cf__adapt_awsconfig_item(cf_adapt_ctx_t *ac, const cf_node_t *item) {
  if (!item || item->type != CF_NODE_OBJECT) {
    if (item) cf__adapt_warn(ac, item->pos, "configuration item is not a JSON object");
    return CF_OK;
  }
  const char *rtype = cf_node_str(cf_node_get(item, "resourceType"));
  if (!rtype) {
    cf__adapt_warn(ac, item->pos, "configuration item has no resourceType");
    return CF_OK;
  }
  const type_map_t *tm = type_of(rtype);
  if (!tm) return CF_OK;
  if (is_gone(cf_node_str(cf_node_get(item, "configurationItemStatus")))) return CF_OK;

  cfg_t x;
  memset(&x, 0, sizeof x);
  x.ac = ac;
  x.item = item;
  const cf_node_t *c = decoded(&x, get(item, "configuration"));
  x.conf = c && c->type == CF_NODE_OBJECT ? c : NULL;
  const cf_node_t *s = decoded(&x, get(item, "supplementaryConfiguration"));
  x.supp = s && s->type == CF_NODE_OBJECT ? s : NULL;

  static const char *const arn_keys[] = {"ARN", "arn", NULL};
  const cf_node_t *arn = get_any(item, arn_keys);
  const cf_node_t *rid = get(item, "resourceId"), *rname = get(item, "resourceName");
  const char *address = cf_node_str(arn);
  if (!address) address = cf_node_str(rid);
  if (!address) address = cf_node_str(rname);
  cf_resource_t *r = cf__res_new(ac, tm->canonical, address ? address : rtype, item->pos);
  if (!r) return CF_ENOMEM;
  x.r = r;
  add_id(&x, rid);
  add_id(&x, rname);
  add_id(&x, arn);
  set_str(&x, "arn", arn);
  if (!x.conf) r->incomplete = true; /* nothing but the envelope is known */
  tm->map(&x);
  map_tags(&x);
  if (x.oom) return CF_ENOMEM;
  return ac->emit(ac, r);
}
