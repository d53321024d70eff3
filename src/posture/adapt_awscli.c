/*
 * adapt_awscli.c - saved `aws` CLI JSON output into canonical resources.
 *
 * Users save the output of describe/get commands, one command per file (the layout is
 * documented in docs/internals/aws-cli-layout.md). Each output is recognised from its JSON
 * shape, as the AWS API reference defines it ({"Reservations": [...]}, {"trailList": [...]},
 * {"Grants": [...], "Owner": {...}} ...). The file name is used only where the shape is
 * ambiguous: the CLI prints nothing at all for an empty result (get-bucket-logging of a
 * bucket without logging, get-bucket-versioning of a bucket never versioned), so an empty
 * file or `{}` is judged by its name; bucket-level and account-level public access blocks
 * share one shape and are told apart by the folder or file name.
 *
 * Outputs that are about one resource and do not name it (every `s3api get-bucket-*`,
 * `cloudtrail get-trail-status`, `kms get-key-rotation-status`, `kms get-key-policy`,
 * `wafv2 list-resources-for-web-acl`, `apigateway get-stages`) take the resource's name from
 * the folder that holds the file. Resources that several outputs describe are emitted as
 * partial resources keyed by what names them in every output (bucket name, trail name, key
 * id, launch template id, user ARN) and merged by scan.c before rules run; resources with a
 * globally unique id (instance id, ARN) are keyed by it as well, so that two exports of one
 * account do not double every finding. A part that knows only one fact (a trail's logging
 * status, a key's rotation) is marked incomplete so that what it does not say is unknown
 * rather than absent, until a complete part is merged with it.
 *
 * Absence follows the CLI: a command that finds no configuration fails (NoSuchBucketPolicy,
 * ServerSideEncryptionConfigurationNotFoundError ...) and leaves no file, so a bucket folder
 * without get-bucket-policy.json is a bucket without a policy.
 *
 * Limits: the document model bounds size and depth; this file walks fixed shapes without
 * recursion, decodes base64 (user data, the credential report) into buffers no larger than
 * the encoded text, and gunzips user data only up to USER_DATA_MAX bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"

#define USER_DATA_MAX (1u << 20)

typedef enum cli_kind {
  K_NONE,
  K_S3_ACL, K_S3_POLICY, K_S3_ENCRYPTION, K_S3_LOGGING, K_S3_PAB, K_S3_VERSIONING,
  K_S3_OWNERSHIP, K_S3_WEBSITE,
  K_EC2_INSTANCES, K_EC2_SECURITY_GROUPS, K_EC2_LAUNCH_TEMPLATES, K_EC2_LT_VERSIONS,
  K_LAUNCH_CONFIGURATIONS,
  K_IAM_AUTH_DETAILS, K_IAM_PASSWORD_POLICY, K_IAM_CREDENTIAL_REPORT,
  K_OPENSEARCH_DOMAINS, K_OPENSEARCH_DOMAIN, K_ELBV2, K_APIGW_STAGES, K_WAF_RESOURCES,
  K_TRAILS, K_TRAIL_STATUS, K_KMS_KEY, K_KMS_ROTATION, K_KMS_POLICY, K_LAMBDA_FUNCTIONS,
  K_ECS_TASK_DEFINITION
} cli_kind;

/* ---- recognition ---- */

static bool is_obj(const cf_node_t *n) { return n && n->type == CF_NODE_OBJECT; }
static bool is_arr(const cf_node_t *n) { return n && n->type == CF_NODE_ARRAY; }
static bool is_str(const cf_node_t *n) { return n && n->type == CF_NODE_STRING; }
static bool is_bool(const cf_node_t *n) { return n && n->type == CF_NODE_BOOL; }

/* root.<list> is an array whose first item, if any, is an object holding `key`. An empty list
 * is accepted: the CLI prints one for an account without such resources. */
static bool list_of(const cf_node_t *root, const char *list, const char *key) {
  const cf_node_t *l = cf_node_get(root, list);
  if (!is_arr(l)) return false;
  return l->len == 0 || (is_obj(l->u.items[0]) && cf_node_get(l->u.items[0], key));
}

/* Every key of obj is one of keys (NULL-terminated). */
static bool only_keys(const cf_node_t *obj, const char *const *keys) {
  for (uint32_t i = 0; i < obj->len; i++) {
    bool found = false;
    for (const char *const *k = keys; *k && !found; k++) found = strcmp(obj->u.members[i].key, *k) == 0;
    if (!found) return false;
  }
  return true;
}

static bool name_has(const char *base_name, const char *part) {
  return base_name && strcasestr(base_name, part) != NULL;
}

/* What an empty result is, by the name of the file it was saved in. */
static cli_kind empty_kind(const char *base_name) {
  if (name_has(base_name, "bucket-logging")) return K_S3_LOGGING;
  if (name_has(base_name, "bucket-versioning")) return K_S3_VERSIONING;
  return K_NONE;
}

static cli_kind classify(const cf_doc_t *doc, const char *base_name) {
  if (!doc) return K_NONE;
  if (doc->n_roots == 0) return empty_kind(base_name);
  if (doc->n_roots != 1) return K_NONE;
  const cf_node_t *root = doc->roots[0];
  if (root->type == CF_NODE_NULL) return empty_kind(base_name);
  if (!is_obj(root)) return K_NONE;
  if (root->len == 0) return empty_kind(base_name);
  const cf_node_t *v;

  /* s3api get-bucket-* */
  if (is_arr(cf_node_get(root, "Grants")) && is_obj(cf_node_get(root, "Owner"))) return K_S3_ACL;
  if (is_obj(cf_node_get(root, "ServerSideEncryptionConfiguration"))) return K_S3_ENCRYPTION;
  if (is_obj(cf_node_get(root, "LoggingEnabled"))) return K_S3_LOGGING;
  if (is_obj(cf_node_get(root, "PublicAccessBlockConfiguration"))) return K_S3_PAB;
  if (is_obj(cf_node_get(root, "OwnershipControls"))) return K_S3_OWNERSHIP;
  static const char *const versioning_keys[] = {"Status", "MFADelete", NULL};
  if (only_keys(root, versioning_keys) && (is_str(cf_node_get(root, "Status")) || is_str(cf_node_get(root, "MFADelete"))))
    return K_S3_VERSIONING;
  static const char *const website_keys[] = {"IndexDocument", "ErrorDocument", "RedirectAllRequestsTo", "RoutingRules", NULL};
  if (only_keys(root, website_keys) && (cf_node_get(root, "IndexDocument") || cf_node_get(root, "RedirectAllRequestsTo")))
    return K_S3_WEBSITE;
  /* {"Policy": "<JSON>"} is get-bucket-policy; get-key-policy adds "PolicyName" in recent
   * versions and is saved as get-key-policy.json; Lambda's get-policy adds "RevisionId" and is
   * not ours. */
  if (is_str(cf_node_get(root, "Policy")) && !cf_node_get(root, "RevisionId")) {
    if (cf_node_get(root, "PolicyName") || name_has(base_name, "key-policy")) return K_KMS_POLICY;
    static const char *const policy_keys[] = {"Policy", NULL};
    if (only_keys(root, policy_keys)) return K_S3_POLICY;
  }

  /* ec2, autoscaling */
  if (list_of(root, "Reservations", "Instances")) return K_EC2_INSTANCES;
  if (list_of(root, "SecurityGroups", "GroupId")) return K_EC2_SECURITY_GROUPS;
  if (list_of(root, "LaunchTemplateVersions", "LaunchTemplateId")) return K_EC2_LT_VERSIONS;
  if (list_of(root, "LaunchTemplates", "LaunchTemplateId")) return K_EC2_LAUNCH_TEMPLATES;
  if (list_of(root, "LaunchConfigurations", "LaunchConfigurationName")) return K_LAUNCH_CONFIGURATIONS;

  /* iam */
  if (list_of(root, "UserDetailList", "UserName") || list_of(root, "RoleDetailList", "RoleName") ||
      list_of(root, "GroupDetailList", "GroupName"))
    return K_IAM_AUTH_DETAILS;
  if (is_obj(cf_node_get(root, "PasswordPolicy"))) return K_IAM_PASSWORD_POLICY;
  if (is_str(cf_node_get(root, "Content")) && is_str(cf_node_get(root, "ReportFormat"))) return K_IAM_CREDENTIAL_REPORT;

  /* opensearch / es, elbv2, apigateway, wafv2 */
  if (list_of(root, "DomainStatusList", "DomainName")) return K_OPENSEARCH_DOMAINS;
  if (is_obj(v = cf_node_get(root, "DomainStatus")) && cf_node_get(v, "DomainName")) return K_OPENSEARCH_DOMAIN;
  if (list_of(root, "LoadBalancers", "LoadBalancerArn")) return K_ELBV2;
  v = cf_node_get(root, "item");
  if (!v) v = cf_node_get(root, "items");
  if (is_arr(v) && ((v->len && is_obj(v->u.items[0]) && cf_node_get(v->u.items[0], "stageName")) ||
                    (v->len == 0 && name_has(base_name, "stages"))))
    return K_APIGW_STAGES;
  if (is_arr(cf_node_get(root, "ResourceArns"))) return K_WAF_RESOURCES;

  /* cloudtrail, kms, lambda, ecs */
  if (list_of(root, "trailList", "Name")) return K_TRAILS;
  if (is_bool(cf_node_get(root, "IsLogging"))) return K_TRAIL_STATUS;
  if (is_obj(v = cf_node_get(root, "KeyMetadata")) && cf_node_get(v, "KeyId")) return K_KMS_KEY;
  if (is_bool(cf_node_get(root, "KeyRotationEnabled"))) return K_KMS_ROTATION;
  if (list_of(root, "Functions", "FunctionName")) return K_LAMBDA_FUNCTIONS;
  if (is_obj(v = cf_node_get(root, "taskDefinition")) && (cf_node_get(v, "containerDefinitions") || cf_node_get(v, "family")))
    return K_ECS_TASK_DEFINITION;
  return K_NONE;
}

bool cf__awscli_recognize(const cf_doc_t *doc, const char *base_name) {
  return classify(doc, base_name) != K_NONE;
}

/* ---- building helpers ---- */

typedef struct cli {
  cf_adapt_ctx_t *ac;
  cf_pos_t at; /* position of the document (line 1 for an empty file) */
  bool oom;
} cli_t;

static cf_pos_t P(const cf_node_t *n) { return n->pos; }

/* Sets obj.<dotted> = v; a NULL v is a failed allocation. */
static void put(cli_t *c, cf_node_t *obj, const char *dotted, cf_node_t *v) {
  if (c->oom) return;
  if (!v || cf__obj_set_path(c->ac->arena, obj, dotted, v, v->pos)) c->oom = true;
}

static const cf_node_t *get(const cf_node_t *src, const char *dotted) {
  const cf_node_t *v = cf_node_at(src, dotted);
  return v && v->type != CF_NODE_NULL ? v : NULL;
}

/* Copies src.<from> to obj.<to> when it is there. */
static const cf_node_t *copy(cli_t *c, cf_node_t *obj, const cf_node_t *src, const char *from, const char *to) {
  const cf_node_t *v = get(src, from);
  if (v) put(c, obj, to, (cf_node_t *)v);
  return v;
}

static void copy_bool(cli_t *c, cf_node_t *obj, const cf_node_t *src, const char *from, const char *to) {
  const cf_node_t *v = get(src, from);
  int t = cf_node_truth(v);
  if (t >= 0) put(c, obj, to, cf__n_bool(c->ac, t == 1, P(v)));
}

/* A number as an integer; false for anything else, NaN and values out of range (converting
 * those would be undefined). */
static bool as_int(const cf_node_t *v, int64_t *out) {
  double d;
  if (!v || !cf_node_number(v, &d) || !(d > -9.0e18 && d < 9.0e18)) return false;
  *out = (int64_t)d;
  return true;
}

static void copy_int(cli_t *c, cf_node_t *obj, const cf_node_t *src, const char *from, const char *to) {
  const cf_node_t *v = get(src, from);
  int64_t i;
  if (as_int(v, &i)) put(c, obj, to, cf__n_int(c->ac, i, P(v)));
}

static void copy_policy(cli_t *c, cf_node_t *obj, const cf_node_t *src, const char *from, const char *to) {
  const cf_node_t *v = get(src, from);
  if (!v) return;
  /* An empty string is "no policy" (OpenSearch prints "" for a domain without one). */
  if (v->type == CF_NODE_STRING && v->len == 0) return;
  cf_node_t *p = cf__policy_normalize(c->ac, v);
  if (p) put(c, obj, to, p);
}

/* A list of the strings found at key in each object of list ([{GroupId: ...}] -> [...]). */
static cf_node_t *pluck(cli_t *c, const cf_node_t *list, const char *key) {
  if (!is_arr(list)) return NULL;
  cf_node_t *arr = cf__n_arr(c->ac, P(list));
  if (!arr) {
    c->oom = true;
    return NULL;
  }
  for (uint32_t i = 0; i < list->len; i++) {
    const cf_node_t *v = cf_node_get(list->u.items[i], key);
    if (is_str(v) && cf_node_push(c->ac->arena, arr, (cf_node_t *)v)) c->oom = true;
  }
  return arr;
}

static void put_pluck(cli_t *c, cf_node_t *obj, const cf_node_t *src, const char *from, const char *key, const char *to) {
  const cf_node_t *l = get(src, from);
  if (!is_arr(l)) return;
  put(c, obj, to, pluck(c, l, key));
}

static cf_resource_t *new_res(cli_t *c, const char *type, const char *address, cf_pos_t pos) {
  cf_resource_t *r = cf__res_new(c->ac, type, address, pos);
  if (!r) c->oom = true;
  return r;
}

static void add_id(cli_t *c, cf_resource_t *r, const cf_node_t *v) {
  const char *s = cf_node_str(v);
  if (s && cf__res_add_id(c->ac, r, s)) c->oom = true;
}

static void add_id_str(cli_t *c, cf_resource_t *r, const char *s) {
  if (s && cf__res_add_id(c->ac, r, s)) c->oom = true;
}

/* A partial resource merged by scan.c with the others of its type and key. */
static void make_partial(cf_resource_t *r, const char *key) {
  r->partial = true;
  r->merge_key = key;
}

/* Outputs that name a resource by a globally unique id (instance id, ARN) are merged by it
 * too, so that a resource saved in two exports (Monday's and Tuesday's, or one Region saved
 * twice) is one resource and its findings are not doubled. Without such an id the resource
 * stays on its own. */
static void merge_by(cf_resource_t *r, const cf_node_t *id) {
  if (is_str(id) && id->len) make_partial(r, id->u.s);
}

static cf_err emit(cli_t *c, cf_resource_t *r) {
  if (c->oom || !r) return CF_ENOMEM;
  return c->ac->emit(c->ac, r);
}

/* Tags as an object: EC2-style [{Key, Value}] (ECS writes key/value), or an object as is. */
static void put_tags(cli_t *c, cf_resource_t *r, const cf_node_t *tags) {
  if (!tags) return;
  if (is_obj(tags)) {
    put(c, r->attrs, "tags", (cf_node_t *)tags);
    return;
  }
  if (!is_arr(tags)) return;
  cf_node_t *o = cf__n_obj(c->ac, P(tags));
  if (!o) {
    c->oom = true;
    return;
  }
  for (uint32_t i = 0; i < tags->len && !c->oom; i++) {
    const cf_node_t *t = tags->u.items[i];
    const cf_node_t *k = cf_node_get(t, "Key"), *v = cf_node_get(t, "Value");
    if (!k) k = cf_node_get(t, "key");
    if (!v) v = cf_node_get(t, "value");
    if (is_str(k) && v && cf_node_set(c->ac->arena, o, k->u.s, (cf_node_t *)v)) c->oom = true;
  }
  put(c, r->attrs, "tags", o);
}

static const cf_node_t *tag_value(const cf_node_t *tags, const char *key) {
  for (uint32_t i = 0; is_arr(tags) && i < tags->len; i++)
    if (cf_node_str_eq(cf_node_get(tags->u.items[i], "Key"), key)) return cf_node_get(tags->u.items[i], "Value");
  return NULL;
}

/* User data as text: base64-decoded, gunzipped when compressed, kept when it is UTF-8. */
static void put_user_data(cli_t *c, cf_node_t *obj, const cf_node_t *src, const char *from) {
  const cf_node_t *v = get(src, from);
  if (!is_str(v) || v->len == 0) return;
  char *dec;
  size_t n;
  cf_err be = cf__base64_decode(c->ac->arena, v->u.s, v->len, &dec, &n);
  if (be == CF_ENOMEM) c->oom = true;
  if (be) return; /* not base64: not user data */
  char *unz = NULL;
  if (n >= 2 && (unsigned char)dec[0] == 0x1f && (unsigned char)dec[1] == 0x8b) {
    size_t zn = 0;
    cf_diag_t d;
    cf_diag_init(&d);
    cf_err e = cf__gunzip(c->ac->path, (const uint8_t *)dec, n, USER_DATA_MAX, 1, &unz, &zn, &d);
    cf_diag_cleanup(&d);
    if (e == CF_ENOMEM) {
      c->oom = true;
      return;
    }
    if (e) return;
    dec = unz;
    n = zn;
  }
  if (cf__utf8_valid_prefix((const uint8_t *)dec, n) == n)
    put(c, obj, "user_data", cf_node_new_str(c->ac->arena, dec, n, P(v)));
  free(unz);
}

/* ---- s3api: one folder per bucket ---- */

static cf_resource_t *bucket_part(cli_t *c) {
  const char *bucket = c->ac->dir_name;
  if (!bucket || !*bucket || strcmp(bucket, ".") == 0 || strcmp(bucket, "..") == 0) {
    cf__adapt_warn(c->ac, c->at,
                   "cannot tell which bucket this s3api output is about: save each bucket's outputs in a folder named after the bucket");
    return NULL;
  }
  cf_resource_t *r = new_res(c, "aws.s3.bucket", bucket, c->at);
  if (!r) return NULL;
  make_partial(r, r->address);
  put(c, r->attrs, "name", cf__n_str(c->ac, bucket, c->at));
  add_id_str(c, r, bucket);
  return r;
}

static void map_acl(cli_t *c, cf_resource_t *r, const cf_node_t *root) {
  const cf_node_t *grants = cf_node_get(root, "Grants");
  cf_node_t *arr = cf__n_arr(c->ac, P(grants));
  if (!arr) {
    c->oom = true;
    return;
  }
  for (uint32_t i = 0; i < grants->len && !c->oom; i++) {
    const cf_node_t *g = grants->u.items[i];
    if (!is_obj(g)) continue;
    cf_node_t *o = cf__n_obj(c->ac, P(g));
    if (!o) {
      c->oom = true;
      return;
    }
    copy(c, o, g, "Grantee.Type", "grantee_type");
    copy(c, o, g, "Grantee.URI", "grantee_uri");
    copy(c, o, g, "Grantee.ID", "grantee_id");
    copy(c, o, g, "Permission", "permission");
    if (!c->oom && cf_node_push(c->ac->arena, arr, o)) c->oom = true;
  }
  put(c, r->attrs, "acl.grants", arr);
}

static void map_encryption(cli_t *c, cf_resource_t *r, const cf_node_t *root) {
  const cf_node_t *rules = get(root, "ServerSideEncryptionConfiguration.Rules");
  if (!is_arr(rules)) return;
  cf_node_t *arr = cf__n_arr(c->ac, P(rules));
  if (!arr) {
    c->oom = true;
    return;
  }
  for (uint32_t i = 0; i < rules->len && !c->oom; i++) {
    const cf_node_t *it = rules->u.items[i];
    cf_node_t *o = cf__n_obj(c->ac, P(it));
    if (!o) {
      c->oom = true;
      return;
    }
    copy(c, o, it, "ApplyServerSideEncryptionByDefault.SSEAlgorithm", "algorithm");
    copy(c, o, it, "ApplyServerSideEncryptionByDefault.KMSMasterKeyID", "kms_key_id");
    copy_bool(c, o, it, "BucketKeyEnabled", "bucket_key_enabled");
    if (!c->oom && cf_node_push(c->ac->arena, arr, o)) c->oom = true;
  }
  put(c, r->attrs, "encryption.rules", arr);
}

static void map_logging(cli_t *c, cf_resource_t *r, const cf_node_t *root) {
  const cf_node_t *le = root ? get(root, "LoggingEnabled") : NULL;
  if (!le) {
    /* The CLI prints nothing (or {}) for a bucket without logging. */
    put(c, r->attrs, "logging.enabled", cf__n_bool(c->ac, false, c->at));
    return;
  }
  put(c, r->attrs, "logging.enabled", cf__n_bool(c->ac, true, P(le)));
  copy(c, r->attrs, le, "TargetBucket", "logging.target_bucket");
  copy(c, r->attrs, le, "TargetPrefix", "logging.target_prefix");
}

static void map_versioning(cli_t *c, cf_resource_t *r, const cf_node_t *root) {
  /* A bucket that was never versioned has no Status: the API's "unversioned". */
  if (!copy(c, r->attrs, root, "Status", "versioning.status"))
    put(c, r->attrs, "versioning.status", cf__n_str(c->ac, "Disabled", c->at));
  copy(c, r->attrs, root, "MFADelete", "versioning.mfa_delete");
}

/* The four Block Public Access settings into obj.<prefix>...; a setting the output leaves out
 * is false, as the S3 API defines it. */
static void map_pab(cli_t *c, cf_node_t *obj, const cf_node_t *cfg, const char *prefix) {
  static const char *const f[4][2] = {{"BlockPublicAcls", "block_public_acls"}, {"IgnorePublicAcls", "ignore_public_acls"},
                                      {"BlockPublicPolicy", "block_public_policy"}, {"RestrictPublicBuckets", "restrict_public_buckets"}};
  for (int i = 0; i < 4; i++) {
    char to[96];
    snprintf(to, sizeof to, "%s%s", prefix, f[i][1]);
    const cf_node_t *v = get(cfg, f[i][0]);
    int t = cf_node_truth(v);
    if (v && t < 0) continue; /* not a boolean: say nothing rather than guess */
    put(c, obj, to, cf__n_bool(c->ac, t == 1, v ? P(v) : P(cfg)));
  }
}

/* Account-level (s3control) block: saved in a folder named "s3control", or in a file whose
 * name starts with "s3control" or contains "account". */
static bool account_level(const cf_adapt_ctx_t *ac) {
  return (ac->dir_name && strcmp(ac->dir_name, "s3control") == 0) || cf__str_istarts(ac->base_name, "s3control") ||
         name_has(ac->base_name, "account");
}

static cf_err do_account_pab(cli_t *c, const cf_node_t *root) {
  const cf_node_t *cfg = cf_node_get(root, "PublicAccessBlockConfiguration");
  /* The account id, when the file name carries one (account-123456789012.json). */
  char account[13] = "";
  for (const char *p = c->ac->base_name; p && *p;) {
    size_t k = strspn(p, "0123456789");
    if (k == 12) {
      memcpy(account, p, 12);
      break;
    }
    p += k ? k : 1;
  }
  cf_resource_t *r = new_res(c, "aws.s3.account_public_access_block", account[0] ? account : "account", P(root));
  if (!r) return CF_ENOMEM;
  if (account[0]) {
    put(c, r->attrs, "account_id", cf__n_str(c->ac, account, P(root)));
    add_id_str(c, r, account);
  }
  map_pab(c, r->attrs, cfg, "");
  return emit(c, r);
}

static cf_err do_bucket(cli_t *c, cli_kind k, const cf_node_t *root) {
  if (k == K_S3_PAB && account_level(c->ac)) return do_account_pab(c, root);
  cf_resource_t *r = bucket_part(c);
  if (!r) return c->oom ? CF_ENOMEM : CF_OK;
  switch (k) {
  case K_S3_ACL: map_acl(c, r, root); break;
  case K_S3_POLICY: copy_policy(c, r->attrs, root, "Policy", "policy"); break;
  case K_S3_ENCRYPTION: map_encryption(c, r, root); break;
  case K_S3_LOGGING: map_logging(c, r, root); break;
  case K_S3_PAB: map_pab(c, r->attrs, cf_node_get(root, "PublicAccessBlockConfiguration"), "public_access_block."); break;
  case K_S3_VERSIONING: map_versioning(c, r, root); break;
  case K_S3_OWNERSHIP: {
    const cf_node_t *rules = get(root, "OwnershipControls.Rules");
    if (is_arr(rules) && rules->len) copy(c, r->attrs, rules->u.items[0], "ObjectOwnership", "object_ownership");
    break;
  }
  case K_S3_WEBSITE: put(c, r->attrs, "website.enabled", cf__n_bool(c->ac, true, P(root))); break;
  default: break;
  }
  return emit(c, r);
}

/* ---- ec2, autoscaling ---- */

static void map_metadata_options(cli_t *c, cf_resource_t *r, const cf_node_t *mo) {
  if (!is_obj(mo)) return;
  copy(c, r->attrs, mo, "HttpTokens", "metadata_options.http_tokens");
  copy(c, r->attrs, mo, "HttpEndpoint", "metadata_options.http_endpoint");
  copy_int(c, r->attrs, mo, "HttpPutResponseHopLimit", "metadata_options.http_put_response_hop_limit");
}

/* associate_public_ip_address from the network interfaces of a template or configuration. */
static void map_public_ip_flag(cli_t *c, cf_resource_t *r, const cf_node_t *nis) {
  for (uint32_t i = 0; is_arr(nis) && i < nis->len; i++) {
    const cf_node_t *v = cf_node_get(nis->u.items[i], "AssociatePublicIpAddress");
    int t = cf_node_truth(v);
    if (t >= 0) {
      put(c, r->attrs, "associate_public_ip_address", cf__n_bool(c->ac, t == 1, P(v)));
      if (t == 1) return;
    }
  }
}

static cf_err do_instances(cli_t *c, const cf_node_t *root) {
  const cf_node_t *res = cf_node_get(root, "Reservations");
  for (uint32_t i = 0; i < res->len; i++) {
    const cf_node_t *insts = cf_node_get(res->u.items[i], "Instances");
    for (uint32_t k = 0; is_arr(insts) && k < insts->len; k++) {
      const cf_node_t *in = insts->u.items[k];
      if (!is_obj(in)) continue;
      const cf_node_t *id = get(in, "InstanceId");
      cf_resource_t *r = new_res(c, "aws.ec2.instance", is_str(id) ? id->u.s : "instance", P(in));
      if (!r) return CF_ENOMEM;
      copy(c, r->attrs, in, "InstanceId", "instance_id");
      add_id(c, r, id);
      merge_by(r, id);
      const cf_node_t *name = tag_value(cf_node_get(in, "Tags"), "Name");
      if (is_str(name)) put(c, r->attrs, "name", (cf_node_t *)name);
      /* EC2 tags an instance launched from a template with the template's id. */
      const cf_node_t *lt = tag_value(cf_node_get(in, "Tags"), "aws:ec2launchtemplate:id");
      if (is_str(lt)) put(c, r->attrs, "launch_template", (cf_node_t *)lt);
      map_metadata_options(c, r, cf_node_get(in, "MetadataOptions"));
      if (!copy(c, r->attrs, in, "IamInstanceProfile.Arn", "iam_instance_profile"))
        copy(c, r->attrs, in, "IamInstanceProfile.Id", "iam_instance_profile");
      copy(c, r->attrs, in, "PublicIpAddress", "public_ip");
      put_pluck(c, r->attrs, in, "SecurityGroups", "GroupId", "security_groups");
      put_tags(c, r, cf_node_get(in, "Tags"));
      cf_err e = emit(c, r);
      if (e) return e;
    }
  }
  return CF_OK;
}

/* One IpPermissions entry as a canonical firewall rule. */
static cf_node_t *sg_rule(cli_t *c, const cf_node_t *p) {
  cf_node_t *o = cf__n_obj(c->ac, P(p));
  if (!o) {
    c->oom = true;
    return NULL;
  }
  const cf_node_t *proto = get(p, "IpProtocol");
  char pbuf[32];
  const char *low = cf__fw_protocol(proto, pbuf, sizeof pbuf);
  if (low) {
    put(c, o, "protocol", cf__n_str(c->ac, low, P(proto)));
    if (strcmp(low, "-1") == 0) {
      put(c, o, "from_port", cf__n_int(c->ac, 0, P(proto)));
      put(c, o, "to_port", cf__n_int(c->ac, 65535, P(proto)));
    }
  }
  if (!cf_node_get(o, "from_port")) {
    copy_int(c, o, p, "FromPort", "from_port");
    copy_int(c, o, p, "ToPort", "to_port");
  }
  static const struct { const char *list, *key, *to; } lists[] = {
      {"IpRanges", "CidrIp", "cidrs"}, {"Ipv6Ranges", "CidrIpv6", "ipv6_cidrs"},
      {"UserIdGroupPairs", "GroupId", "source_groups"}, {"PrefixListIds", "PrefixListId", "prefix_lists"}};
  const cf_node_t *desc = NULL;
  for (size_t i = 0; i < CF_ARRAY_LEN(lists); i++) {
    const cf_node_t *l = get(p, lists[i].list);
    if (!is_arr(l)) continue;
    put(c, o, lists[i].to, pluck(c, l, lists[i].key));
    /* The API keeps a description per range; the canonical rule has one, the first. */
    for (uint32_t k = 0; !desc && k < l->len; k++) {
      const cf_node_t *d = cf_node_get(l->u.items[k], "Description");
      if (is_str(d) && d->len) desc = d;
    }
  }
  if (desc) put(c, o, "description", (cf_node_t *)desc);
  return o;
}

static void sg_rules(cli_t *c, cf_resource_t *r, const cf_node_t *g, const char *from, const char *to) {
  const cf_node_t *l = get(g, from);
  if (!is_arr(l)) return;
  cf_node_t *arr = cf__n_arr(c->ac, P(l));
  if (!arr) {
    c->oom = true;
    return;
  }
  for (uint32_t i = 0; i < l->len && !c->oom; i++) {
    cf_node_t *o = sg_rule(c, l->u.items[i]);
    if (o && cf_node_push(c->ac->arena, arr, o)) c->oom = true;
  }
  put(c, r->attrs, to, arr);
}

static cf_err do_security_groups(cli_t *c, const cf_node_t *root) {
  const cf_node_t *l = cf_node_get(root, "SecurityGroups");
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *g = l->u.items[i];
    if (!is_obj(g)) continue;
    const cf_node_t *id = get(g, "GroupId");
    cf_resource_t *r = new_res(c, "aws.ec2.security_group", is_str(id) ? id->u.s : "security-group", P(g));
    if (!r) return CF_ENOMEM;
    merge_by(r, id);
    copy(c, r->attrs, g, "GroupId", "group_id");
    copy(c, r->attrs, g, "GroupName", "name");
    copy(c, r->attrs, g, "VpcId", "vpc_id");
    add_id(c, r, id);
    add_id(c, r, get(g, "GroupName"));
    sg_rules(c, r, g, "IpPermissions", "ingress");
    sg_rules(c, r, g, "IpPermissionsEgress", "egress");
    put_tags(c, r, cf_node_get(g, "Tags"));
    cf_err e = emit(c, r);
    if (e) return e;
  }
  return CF_OK;
}

/* describe-launch-templates knows names and ids but not the data: an incomplete part that
 * describe-launch-template-versions completes. */
static cf_err do_launch_templates(cli_t *c, const cf_node_t *root) {
  const cf_node_t *l = cf_node_get(root, "LaunchTemplates");
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *t = l->u.items[i];
    const cf_node_t *id = get(t, "LaunchTemplateId");
    if (!is_str(id)) continue;
    cf_resource_t *r = new_res(c, "aws.ec2.launch_template", id->u.s, P(t));
    if (!r) return CF_ENOMEM;
    make_partial(r, r->address);
    r->incomplete = true;
    copy(c, r->attrs, t, "LaunchTemplateName", "name");
    copy(c, r->attrs, t, "LaunchTemplateId", "launch_template_id");
    add_id(c, r, id);
    add_id(c, r, get(t, "LaunchTemplateName"));
    put_tags(c, r, cf_node_get(t, "Tags"));
    cf_err e = emit(c, r);
    if (e) return e;
  }
  return CF_OK;
}

typedef struct lt_version {
  const char *id;
  double number;
  bool is_default;
  const cf_node_t *node;
} lt_version_t;

static int cmp_lt_version(const void *pa, const void *pb) {
  const lt_version_t *a = pa, *b = pb;
  int k = strcmp(a->id, b->id);
  if (k) return k;
  return a->number < b->number ? -1 : a->number > b->number;
}

/* One resource per template: the default version when the output holds it, else the highest
 * version it holds (`--versions '$Latest'`). */
static cf_err do_lt_versions(cli_t *c, const cf_node_t *root) {
  const cf_node_t *l = cf_node_get(root, "LaunchTemplateVersions");
  if (l->len == 0) return CF_OK;
  lt_version_t *v = cf__arena_alloc(c->ac->arena, l->len * sizeof(lt_version_t));
  if (!v) return CF_ENOMEM;
  size_t n = 0;
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *it = l->u.items[i];
    const char *id = cf_node_str(get(it, "LaunchTemplateId"));
    if (!id) continue;
    double num = 0;
    (void)cf_node_number(get(it, "VersionNumber"), &num);
    v[n].id = id;
    v[n].number = num;
    v[n].is_default = cf_node_truth(get(it, "DefaultVersion")) == 1;
    v[n].node = it;
    n++;
  }
  qsort(v, n, sizeof *v, cmp_lt_version);
  for (size_t i = 0; i < n;) {
    size_t j = i, pick = i;
    bool have_default = false;
    for (; j < n && strcmp(v[j].id, v[i].id) == 0; j++) {
      if (v[j].is_default && !have_default) {
        pick = j;
        have_default = true;
      } else if (!have_default) {
        pick = j; /* sorted by number: the last is the highest */
      }
    }
    const cf_node_t *it = v[pick].node;
    cf_resource_t *r = new_res(c, "aws.ec2.launch_template", v[pick].id, P(it));
    if (!r) return CF_ENOMEM;
    make_partial(r, r->address);
    copy(c, r->attrs, it, "LaunchTemplateName", "name");
    copy(c, r->attrs, it, "LaunchTemplateId", "launch_template_id");
    copy_int(c, r->attrs, it, "VersionNumber", "version");
    add_id_str(c, r, v[pick].id);
    add_id(c, r, get(it, "LaunchTemplateName"));
    const cf_node_t *data = get(it, "LaunchTemplateData");
    map_metadata_options(c, r, cf_node_get(data, "MetadataOptions"));
    if (!copy(c, r->attrs, data, "IamInstanceProfile.Arn", "iam_instance_profile"))
      copy(c, r->attrs, data, "IamInstanceProfile.Name", "iam_instance_profile");
    put_user_data(c, r->attrs, data, "UserData");
    const cf_node_t *sg = get(data, "SecurityGroupIds");
    if (!sg) sg = get(data, "SecurityGroups");
    if (sg) put(c, r->attrs, "security_groups", cf__n_strlist(c->ac, sg));
    map_public_ip_flag(c, r, get(data, "NetworkInterfaces"));
    cf_err e = emit(c, r);
    if (e) return e;
    i = j;
  }
  return CF_OK;
}

static cf_err do_launch_configurations(cli_t *c, const cf_node_t *root) {
  const cf_node_t *l = cf_node_get(root, "LaunchConfigurations");
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *it = l->u.items[i];
    const cf_node_t *name = get(it, "LaunchConfigurationName");
    if (!is_str(name)) continue;
    cf_resource_t *r = new_res(c, "aws.autoscaling.launch_configuration", name->u.s, P(it));
    if (!r) return CF_ENOMEM;
    merge_by(r, get(it, "LaunchConfigurationARN"));
    put(c, r->attrs, "name", (cf_node_t *)name);
    copy(c, r->attrs, it, "LaunchConfigurationARN", "arn");
    add_id(c, r, name);
    add_id(c, r, get(it, "LaunchConfigurationARN"));
    map_metadata_options(c, r, cf_node_get(it, "MetadataOptions"));
    copy(c, r->attrs, it, "IamInstanceProfile", "iam_instance_profile");
    put_user_data(c, r->attrs, it, "UserData");
    copy_bool(c, r->attrs, it, "AssociatePublicIpAddress", "associate_public_ip_address");
    const cf_node_t *sg = get(it, "SecurityGroups");
    if (sg) put(c, r->attrs, "security_groups", cf__n_strlist(c->ac, sg));
    cf_err e = emit(c, r);
    if (e) return e;
  }
  return CF_OK;
}

/* ---- iam ---- */

/* [{PolicyName, PolicyDocument}] -> inline_policies [{name, document}]; the documents are
 * objects or URL-encoded JSON strings depending on the CLI version. */
static void inline_policies(cli_t *c, cf_resource_t *r, const cf_node_t *src, const char *from) {
  const cf_node_t *l = get(src, from);
  if (!is_arr(l)) return;
  cf_node_t *arr = cf__n_arr(c->ac, P(l));
  if (!arr) {
    c->oom = true;
    return;
  }
  for (uint32_t i = 0; i < l->len && !c->oom; i++) {
    const cf_node_t *it = l->u.items[i];
    cf_node_t *o = cf__n_obj(c->ac, P(it));
    if (!o) {
      c->oom = true;
      return;
    }
    copy(c, o, it, "PolicyName", "name");
    copy_policy(c, o, it, "PolicyDocument", "document");
    if (!c->oom && cf_node_push(c->ac->arena, arr, o)) c->oom = true;
  }
  put(c, r->attrs, "inline_policies", arr);
}

static void iam_common(cli_t *c, cf_resource_t *r, const cf_node_t *it, const char *name_key, const char *id_key,
                       const char *policies_key) {
  const cf_node_t *name = get(it, name_key);
  put(c, r->attrs, "name", (cf_node_t *)name);
  copy(c, r->attrs, it, "Arn", "arn");
  add_id(c, r, name);
  add_id(c, r, get(it, "Arn"));
  add_id(c, r, get(it, id_key));
  inline_policies(c, r, it, policies_key);
  put_pluck(c, r->attrs, it, "AttachedManagedPolicies", "PolicyArn", "managed_policies");
  put_tags(c, r, cf_node_get(it, "Tags"));
}

/* The default version's document of a managed policy. */
static const cf_node_t *default_document(const cf_node_t *pol) {
  const cf_node_t *vl = get(pol, "PolicyVersionList");
  const char *def = cf_node_str(get(pol, "DefaultVersionId"));
  for (uint32_t i = 0; is_arr(vl) && i < vl->len; i++) {
    const cf_node_t *v = vl->u.items[i];
    if (cf_node_truth(get(v, "IsDefaultVersion")) == 1 || (def && cf_node_str_eq(get(v, "VersionId"), def)))
      return get(v, "Document");
  }
  return NULL;
}

static bool is_aws_managed_arn(const char *arn) {
  /* arn:<partition>:iam::aws:policy/... */
  if (!arn || !cf__str_starts(arn, "arn:")) return false;
  const char *p = strchr(arn + 4, ':');
  return p && cf__str_starts(p, ":iam::aws:policy/");
}

static cf_err do_auth_details(cli_t *c, const cf_node_t *root) {
  const cf_node_t *l;
  cf_err e;
  if (is_arr(l = cf_node_get(root, "UserDetailList"))) {
    for (uint32_t i = 0; i < l->len; i++) {
      const cf_node_t *it = l->u.items[i];
      const cf_node_t *name = get(it, "UserName");
      if (!is_str(name)) continue;
      cf_resource_t *r = new_res(c, "aws.iam.user", name->u.s, P(it));
      if (!r) return CF_ENOMEM;
      /* Merged with the user's row of the credential report: by ARN, which both print and
       * which, unlike the name, is unique across accounts; by name when the ARN is missing. */
      make_partial(r, r->address);
      merge_by(r, get(it, "Arn"));
      iam_common(c, r, it, "UserName", "UserId", "UserPolicyList");
      const cf_node_t *groups = get(it, "GroupList");
      if (groups) put(c, r->attrs, "groups", cf__n_strlist(c->ac, groups));
      if ((e = emit(c, r))) return e;
    }
  }
  if (is_arr(l = cf_node_get(root, "GroupDetailList"))) {
    for (uint32_t i = 0; i < l->len; i++) {
      const cf_node_t *it = l->u.items[i];
      const cf_node_t *name = get(it, "GroupName");
      if (!is_str(name)) continue;
      cf_resource_t *r = new_res(c, "aws.iam.group", name->u.s, P(it));
      if (!r) return CF_ENOMEM;
      merge_by(r, get(it, "Arn"));
      iam_common(c, r, it, "GroupName", "GroupId", "GroupPolicyList");
      if ((e = emit(c, r))) return e;
    }
  }
  if (is_arr(l = cf_node_get(root, "RoleDetailList"))) {
    for (uint32_t i = 0; i < l->len; i++) {
      const cf_node_t *it = l->u.items[i];
      const cf_node_t *name = get(it, "RoleName");
      if (!is_str(name)) continue;
      cf_resource_t *r = new_res(c, "aws.iam.role", name->u.s, P(it));
      if (!r) return CF_ENOMEM;
      merge_by(r, get(it, "Arn"));
      iam_common(c, r, it, "RoleName", "RoleId", "RolePolicyList");
      copy_policy(c, r->attrs, it, "AssumeRolePolicyDocument", "assume_role_policy");
      /* Instances name their profile, not the role: the role answers to its profiles' names
       * and ARNs too, so that relationship rules can go from an instance to its role. */
      const cf_node_t *ips = get(it, "InstanceProfileList");
      if (is_arr(ips)) {
        put(c, r->attrs, "instance_profiles", pluck(c, ips, "InstanceProfileName"));
        for (uint32_t k = 0; k < ips->len; k++) {
          add_id(c, r, get(ips->u.items[k], "InstanceProfileName"));
          add_id(c, r, get(ips->u.items[k], "Arn"));
        }
      }
      if ((e = emit(c, r))) return e;
    }
  }
  if (is_arr(l = cf_node_get(root, "Policies"))) {
    for (uint32_t i = 0; i < l->len; i++) {
      const cf_node_t *it = l->u.items[i];
      const cf_node_t *name = get(it, "PolicyName");
      const cf_node_t *arn = get(it, "Arn");
      if (!is_str(name) && !is_str(arn)) continue;
      cf_resource_t *r = new_res(c, "aws.iam.policy", is_str(arn) ? arn->u.s : name->u.s, P(it));
      if (!r) return CF_ENOMEM;
      merge_by(r, arn);
      if (name) put(c, r->attrs, "name", (cf_node_t *)name);
      if (arn) put(c, r->attrs, "arn", (cf_node_t *)arn);
      add_id(c, r, name);
      add_id(c, r, arn);
      add_id(c, r, get(it, "PolicyId"));
      const cf_node_t *doc = default_document(it);
      if (doc) {
        cf_node_t *p = cf__policy_normalize(c->ac, doc);
        if (p) put(c, r->attrs, "document", p);
      }
      put(c, r->attrs, "aws_managed", cf__n_bool(c->ac, is_aws_managed_arn(cf_node_str(arn)), P(it)));
      copy_int(c, r->attrs, it, "AttachmentCount", "attachment_count");
      if ((e = emit(c, r))) return e;
    }
  }
  return CF_OK;
}

static cf_err do_password_policy(cli_t *c, const cf_node_t *root) {
  const cf_node_t *pp = cf_node_get(root, "PasswordPolicy");
  cf_resource_t *r = new_res(c, "aws.iam.password_policy", "account password policy", P(pp));
  if (!r) return CF_ENOMEM;
  copy_int(c, r->attrs, pp, "MinimumPasswordLength", "minimum_length");
  copy_bool(c, r->attrs, pp, "RequireSymbols", "require_symbols");
  copy_bool(c, r->attrs, pp, "RequireNumbers", "require_numbers");
  copy_bool(c, r->attrs, pp, "RequireUppercaseCharacters", "require_uppercase");
  copy_bool(c, r->attrs, pp, "RequireLowercaseCharacters", "require_lowercase");
  copy_bool(c, r->attrs, pp, "AllowUsersToChangePassword", "allow_users_to_change");
  copy_int(c, r->attrs, pp, "MaxPasswordAge", "max_age_days");
  copy_int(c, r->attrs, pp, "PasswordReusePrevention", "reuse_prevention");
  copy_bool(c, r->attrs, pp, "HardExpiry", "hard_expiry");
  return emit(c, r);
}

static cf_err do_credential_report(cli_t *c, const cf_node_t *root) {
  const cf_node_t *content = cf_node_get(root, "Content");
  const cf_node_t *fmt = cf_node_get(root, "ReportFormat");
  if (!cf_node_str_eq(fmt, "text/csv")) {
    cf__adapt_warn(c->ac, P(fmt), "credential report in format '%s' is not supported (text/csv is)", fmt->u.s);
    return CF_OK;
  }
  char *csv;
  size_t n;
  cf_err be = cf__base64_decode(c->ac->arena, content->u.s, content->len, &csv, &n);
  if (be == CF_ENOMEM) return be;
  if (be) {
    cf__adapt_warn(c->ac, P(content), "credential report: Content is not base64");
    return CF_OK;
  }
  return cf__adapt_credreport_at(c->ac, csv, n, P(content));
}

/* ---- opensearch, elbv2, apigateway, wafv2 ---- */

static cf_err domain(cli_t *c, const cf_node_t *d) {
  if (!is_obj(d)) return CF_OK;
  const cf_node_t *name = get(d, "DomainName");
  cf_resource_t *r = new_res(c, "aws.opensearch.domain", is_str(name) ? name->u.s : "domain", P(d));
  if (!r) return CF_ENOMEM;
  merge_by(r, get(d, "ARN"));
  copy(c, r->attrs, d, "DomainName", "name");
  copy(c, r->attrs, d, "ARN", "arn");
  if (!copy(c, r->attrs, d, "EngineVersion", "engine_version")) copy(c, r->attrs, d, "ElasticsearchVersion", "engine_version");
  add_id(c, r, name);
  add_id(c, r, get(d, "ARN"));
  add_id(c, r, get(d, "DomainId"));
  /* VPCOptions is printed only for domains in a VPC; a public domain has none. */
  const cf_node_t *vpc = get(d, "VPCOptions");
  const cf_node_t *subnets = get(vpc, "SubnetIds");
  if (is_obj(vpc) && (get(vpc, "VPCId") || (is_arr(subnets) && subnets->len))) {
    put(c, r->attrs, "vpc", cf__n_obj(c->ac, P(vpc)));
    if (subnets) put(c, r->attrs, "vpc.subnet_ids", cf__n_strlist(c->ac, subnets));
    const cf_node_t *sgs = get(vpc, "SecurityGroupIds");
    if (sgs) put(c, r->attrs, "vpc.security_group_ids", cf__n_strlist(c->ac, sgs));
  }
  copy_policy(c, r->attrs, d, "AccessPolicies", "access_policy");
  copy_bool(c, r->attrs, d, "AdvancedSecurityOptions.Enabled", "fine_grained_access_control.enabled");
  copy_bool(c, r->attrs, d, "AdvancedSecurityOptions.InternalUserDatabaseEnabled", "fine_grained_access_control.internal_user_database");
  copy_bool(c, r->attrs, d, "AdvancedSecurityOptions.AnonymousAuthEnabled", "fine_grained_access_control.anonymous_auth_enabled");
  copy_bool(c, r->attrs, d, "EncryptionAtRestOptions.Enabled", "encryption_at_rest.enabled");
  copy_bool(c, r->attrs, d, "NodeToNodeEncryptionOptions.Enabled", "node_to_node_encryption.enabled");
  copy_bool(c, r->attrs, d, "DomainEndpointOptions.EnforceHTTPS", "domain_endpoint.enforce_https");
  copy(c, r->attrs, d, "DomainEndpointOptions.TLSSecurityPolicy", "domain_endpoint.tls_policy");
  return emit(c, r);
}

static cf_err do_domains(cli_t *c, const cf_node_t *root, cli_kind k) {
  if (k == K_OPENSEARCH_DOMAIN) return domain(c, cf_node_get(root, "DomainStatus"));
  const cf_node_t *l = cf_node_get(root, "DomainStatusList");
  for (uint32_t i = 0; i < l->len; i++) {
    cf_err e = domain(c, l->u.items[i]);
    if (e) return e;
  }
  return CF_OK;
}

static cf_err do_load_balancers(cli_t *c, const cf_node_t *root) {
  const cf_node_t *l = cf_node_get(root, "LoadBalancers");
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *lb = l->u.items[i];
    const cf_node_t *arn = get(lb, "LoadBalancerArn");
    if (!is_str(arn)) continue;
    cf_resource_t *r = new_res(c, "aws.elbv2.load_balancer", arn->u.s, P(lb));
    if (!r) return CF_ENOMEM;
    merge_by(r, arn);
    copy(c, r->attrs, lb, "LoadBalancerName", "name");
    put(c, r->attrs, "arn", (cf_node_t *)arn);
    copy(c, r->attrs, lb, "Scheme", "scheme");
    copy(c, r->attrs, lb, "Type", "type");
    add_id(c, r, arn);
    add_id(c, r, get(lb, "LoadBalancerName"));
    add_id(c, r, get(lb, "DNSName"));
    cf_err e = emit(c, r);
    if (e) return e;
  }
  return CF_OK;
}

/* get-stages does not print the REST API id it was asked about: it comes from the folder. */
static cf_err do_stages(cli_t *c, const cf_node_t *root) {
  const cf_node_t *l = cf_node_get(root, "item");
  if (!l) l = cf_node_get(root, "items");
  const char *api = c->ac->dir_name && *c->ac->dir_name ? c->ac->dir_name : NULL;
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *st = l->u.items[i];
    const cf_node_t *name = get(st, "stageName");
    if (!is_str(name)) continue;
    char addr[512];
    snprintf(addr, sizeof addr, "%s/%s", api ? api : "restapi", name->u.s);
    cf_resource_t *r = new_res(c, "aws.apigateway.stage", addr, P(st));
    if (!r) return CF_ENOMEM;
    put(c, r->attrs, "name", (cf_node_t *)name);
    if (api) put(c, r->attrs, "rest_api_id", cf__n_str(c->ac, api, c->at));
    copy(c, r->attrs, st, "webAclArn", "web_acl_arn");
    add_id_str(c, r, addr);
    put_tags(c, r, get(st, "tags"));
    cf_err e = emit(c, r);
    if (e) return e;
  }
  return CF_OK;
}

/* list-resources-for-web-acl prints the protected ARNs only; the web ACL is the folder. */
static cf_err do_waf_resources(cli_t *c, const cf_node_t *root) {
  const cf_node_t *l = cf_node_get(root, "ResourceArns");
  const char *acl = c->ac->dir_name && *c->ac->dir_name ? c->ac->dir_name : NULL;
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *arn = l->u.items[i];
    if (!is_str(arn)) continue;
    cf_resource_t *r = new_res(c, "aws.wafv2.web_acl_association", arn->u.s, P(arn));
    if (!r) return CF_ENOMEM;
    put(c, r->attrs, "resource_arn", (cf_node_t *)arn);
    if (acl) put(c, r->attrs, "web_acl_name", cf__n_str(c->ac, acl, c->at));
    cf_err e = emit(c, r);
    if (e) return e;
  }
  return CF_OK;
}

/* ---- cloudtrail, kms, lambda, ecs ---- */

static cf_err do_trails(cli_t *c, const cf_node_t *root) {
  const cf_node_t *l = cf_node_get(root, "trailList");
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *t = l->u.items[i];
    const cf_node_t *name = get(t, "Name");
    if (!is_str(name)) continue;
    cf_resource_t *r = new_res(c, "aws.cloudtrail.trail", name->u.s, P(t));
    if (!r) return CF_ENOMEM;
    /* Merged by name with get-trail-status saved in the folder named after the trail; a
     * multi-Region trail listed by every Region's describe-trails is one trail. */
    make_partial(r, r->address);
    put(c, r->attrs, "name", (cf_node_t *)name);
    copy(c, r->attrs, t, "TrailARN", "arn");
    copy_bool(c, r->attrs, t, "IsMultiRegionTrail", "multi_region");
    copy_bool(c, r->attrs, t, "LogFileValidationEnabled", "log_file_validation");
    copy(c, r->attrs, t, "KmsKeyId", "kms_key_id");
    copy(c, r->attrs, t, "S3BucketName", "s3_bucket_name");
    copy_bool(c, r->attrs, t, "IncludeGlobalServiceEvents", "include_global_service_events");
    add_id(c, r, name);
    add_id(c, r, get(t, "TrailARN"));
    cf_err e = emit(c, r);
    if (e) return e;
  }
  return CF_OK;
}

/* A part named after the folder holding the file (trail name, key id), or NULL with a
 * warning when the file is not in such a folder. */
static cf_resource_t *folder_part(cli_t *c, const char *type, const char *what, const char *key) {
  if (!key) key = c->ac->dir_name;
  if (!key || !*key || strcmp(key, ".") == 0 || strcmp(key, "..") == 0) {
    cf__adapt_warn(c->ac, c->at, "cannot tell which %s this output is about: save it in a folder named after the %s", what, what);
    return NULL;
  }
  cf_resource_t *r = new_res(c, type, key, c->at);
  if (!r) return NULL;
  make_partial(r, r->address);
  /* This part knows one fact; what it does not say is not known to be unset. */
  r->incomplete = true;
  add_id_str(c, r, r->address);
  return r;
}

static cf_err do_trail_status(cli_t *c, const cf_node_t *root) {
  cf_resource_t *r = folder_part(c, "aws.cloudtrail.trail", "trail", NULL);
  if (!r) return c->oom ? CF_ENOMEM : CF_OK;
  put(c, r->attrs, "name", cf__n_str(c->ac, r->address, c->at));
  copy_bool(c, r->attrs, root, "IsLogging", "is_logging");
  return emit(c, r);
}

/* The key id of a KeyId value that may be an ARN (arn:aws:kms:...:key/<id>). */
static const char *key_id_of(cli_t *c, const cf_node_t *v) {
  const char *s = cf_node_str(v);
  if (!s || !*s) return NULL;
  const char *slash = cf__str_starts(s, "arn:") ? strstr(s, ":key/") : NULL;
  if (slash) s = slash + 5;
  char *id = cf__arena_strdup(c->ac->arena, s);
  if (!id) c->oom = true;
  return id;
}

static cf_err do_kms_key(cli_t *c, const cf_node_t *root) {
  const cf_node_t *m = cf_node_get(root, "KeyMetadata");
  const cf_node_t *id = get(m, "KeyId");
  if (!is_str(id)) return CF_OK;
  cf_resource_t *r = new_res(c, "aws.kms.key", id->u.s, P(m));
  if (!r) return CF_ENOMEM;
  /* Merged by key id with get-key-rotation-status and get-key-policy. */
  make_partial(r, r->address);
  put(c, r->attrs, "key_id", (cf_node_t *)id);
  copy(c, r->attrs, m, "Arn", "arn");
  copy(c, r->attrs, m, "KeyManager", "key_manager");
  if (!copy(c, r->attrs, m, "KeySpec", "key_spec")) copy(c, r->attrs, m, "CustomerMasterKeySpec", "key_spec");
  copy_bool(c, r->attrs, m, "Enabled", "enabled");
  copy(c, r->attrs, m, "Origin", "origin");
  add_id(c, r, id);
  add_id(c, r, get(m, "Arn"));
  return emit(c, r);
}

static cf_err do_kms_part(cli_t *c, const cf_node_t *root, cli_kind k) {
  /* Recent CLI versions print the key id with the rotation status; older ones only the
   * folder says which key it is. */
  const char *id = k == K_KMS_ROTATION ? key_id_of(c, get(root, "KeyId")) : NULL;
  if (c->oom) return CF_ENOMEM;
  cf_resource_t *r = folder_part(c, "aws.kms.key", "key", id);
  if (!r) return c->oom ? CF_ENOMEM : CF_OK;
  put(c, r->attrs, "key_id", cf__n_str(c->ac, r->address, c->at));
  if (k == K_KMS_ROTATION) copy_bool(c, r->attrs, root, "KeyRotationEnabled", "rotation_enabled");
  else copy_policy(c, r->attrs, root, "Policy", "policy");
  return emit(c, r);
}

/* Environment variables {"NAME": "value"} (Lambda) or [{name, value}] (ECS) as [{name, value}]. */
static void environment(cli_t *c, cf_node_t *obj, const cf_node_t *vars, const char *to) {
  if (!vars) return;
  cf_node_t *arr = cf__n_arr(c->ac, P(vars));
  if (!arr) {
    c->oom = true;
    return;
  }
  if (is_obj(vars)) {
    for (uint32_t i = 0; i < vars->len && !c->oom; i++) {
      const cf_member_t *m = &vars->u.members[i];
      cf_node_t *o = cf__n_obj(c->ac, m->key_pos);
      if (!o) {
        c->oom = true;
        return;
      }
      put(c, o, "name", cf__n_str(c->ac, m->key, m->key_pos));
      put(c, o, "value", m->value);
      if (!c->oom && cf_node_push(c->ac->arena, arr, o)) c->oom = true;
    }
  } else if (is_arr(vars)) {
    for (uint32_t i = 0; i < vars->len && !c->oom; i++) {
      const cf_node_t *it = vars->u.items[i];
      cf_node_t *o = cf__n_obj(c->ac, P(it));
      if (!o) {
        c->oom = true;
        return;
      }
      copy(c, o, it, "name", "name");
      copy(c, o, it, "value", "value");
      if (!c->oom && cf_node_push(c->ac->arena, arr, o)) c->oom = true;
    }
  }
  put(c, obj, to, arr);
}

static cf_err do_functions(cli_t *c, const cf_node_t *root) {
  const cf_node_t *l = cf_node_get(root, "Functions");
  for (uint32_t i = 0; i < l->len; i++) {
    const cf_node_t *f = l->u.items[i];
    const cf_node_t *name = get(f, "FunctionName");
    if (!is_str(name)) continue;
    cf_resource_t *r = new_res(c, "aws.lambda.function", name->u.s, P(f));
    if (!r) return CF_ENOMEM;
    merge_by(r, get(f, "FunctionArn"));
    put(c, r->attrs, "name", (cf_node_t *)name);
    copy(c, r->attrs, f, "FunctionArn", "arn");
    copy(c, r->attrs, f, "Runtime", "runtime");
    copy(c, r->attrs, f, "Role", "role");
    environment(c, r->attrs, get(f, "Environment.Variables"), "environment");
    add_id(c, r, name);
    add_id(c, r, get(f, "FunctionArn"));
    cf_err e = emit(c, r);
    if (e) return e;
  }
  return CF_OK;
}

static cf_err do_task_definition(cli_t *c, const cf_node_t *root) {
  const cf_node_t *td = cf_node_get(root, "taskDefinition");
  const cf_node_t *family = get(td, "family");
  const cf_node_t *arn = get(td, "taskDefinitionArn");
  const char *addr = is_str(arn) ? arn->u.s : is_str(family) ? family->u.s : "task-definition";
  cf_resource_t *r = new_res(c, "aws.ecs.task_definition", addr, P(td));
  if (!r) return CF_ENOMEM;
  merge_by(r, arn);
  if (family) put(c, r->attrs, "family", (cf_node_t *)family);
  if (arn) put(c, r->attrs, "arn", (cf_node_t *)arn);
  add_id(c, r, family);
  add_id(c, r, arn);
  int64_t rev;
  if (is_str(family) && as_int(get(td, "revision"), &rev)) {
    char fr[512];
    snprintf(fr, sizeof fr, "%s:%lld", family->u.s, (long long)rev);
    add_id_str(c, r, fr);
  }
  const cf_node_t *defs = get(td, "containerDefinitions");
  if (is_arr(defs)) {
    cf_node_t *arr = cf__n_arr(c->ac, P(defs));
    if (!arr) return CF_ENOMEM;
    for (uint32_t i = 0; i < defs->len && !c->oom; i++) {
      const cf_node_t *d = defs->u.items[i];
      cf_node_t *o = cf__n_obj(c->ac, P(d));
      if (!o) return CF_ENOMEM;
      copy(c, o, d, "name", "name");
      copy(c, o, d, "image", "image");
      copy_bool(c, o, d, "privileged", "privileged");
      copy(c, o, d, "user", "user");
      environment(c, o, get(d, "environment"), "environment");
      if (!c->oom && cf_node_push(c->ac->arena, arr, o)) c->oom = true;
    }
    put(c, r->attrs, "containers", arr);
  }
  put_tags(c, r, get(root, "tags"));
  return emit(c, r);
}

/* ---- entry ---- */

cf_err cf__adapt_awscli(cf_adapt_ctx_t *ac, const cf_doc_t *doc) {
  cli_kind k = classify(doc, ac->base_name);
  const cf_node_t *root = doc && doc->n_roots ? doc->roots[0] : NULL;
  cli_t c = {ac, {ac->file, 1, 1}, false};
  if (root && root->pos.line) c.at = root->pos;
  if (root && root->type != CF_NODE_OBJECT) root = NULL; /* an empty result */
  switch (k) {
  case K_NONE: return CF_OK;
  case K_S3_ACL: case K_S3_POLICY: case K_S3_ENCRYPTION: case K_S3_LOGGING: case K_S3_PAB:
  case K_S3_VERSIONING: case K_S3_OWNERSHIP: case K_S3_WEBSITE:
    return do_bucket(&c, k, root);
  case K_EC2_INSTANCES: return do_instances(&c, root);
  case K_EC2_SECURITY_GROUPS: return do_security_groups(&c, root);
  case K_EC2_LAUNCH_TEMPLATES: return do_launch_templates(&c, root);
  case K_EC2_LT_VERSIONS: return do_lt_versions(&c, root);
  case K_LAUNCH_CONFIGURATIONS: return do_launch_configurations(&c, root);
  case K_IAM_AUTH_DETAILS: return do_auth_details(&c, root);
  case K_IAM_PASSWORD_POLICY: return do_password_policy(&c, root);
  case K_IAM_CREDENTIAL_REPORT: return do_credential_report(&c, root);
  case K_OPENSEARCH_DOMAINS: case K_OPENSEARCH_DOMAIN: return do_domains(&c, root, k);
  case K_ELBV2: return do_load_balancers(&c, root);
  case K_APIGW_STAGES: return do_stages(&c, root);
  case K_WAF_RESOURCES: return do_waf_resources(&c, root);
  case K_TRAILS: return do_trails(&c, root);
  case K_TRAIL_STATUS: return do_trail_status(&c, root);
  case K_KMS_KEY: return do_kms_key(&c, root);
  case K_KMS_ROTATION: case K_KMS_POLICY: return do_kms_part(&c, root, k);
  case K_LAMBDA_FUNCTIONS: return do_functions(&c, root);
  case K_ECS_TASK_DEFINITION: return do_task_definition(&c, root);
  }
  return CF_OK;
}
