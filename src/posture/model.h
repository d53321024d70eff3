/*
 * model.h - the canonical cloud model and the adapter interface (internal).
 *
 * Adapters turn one source format (CloudFormation, a Terraform plan, an AWS Config snapshot,
 * saved `aws` CLI output, Kubernetes manifests, ARM templates, an IAM credential report) into
 * canonical resources: a type such as "aws.s3.bucket", an address to show the user, and an
 * attribute tree whose every value keeps the file, line and column it came from. Rules target
 * canonical types and attribute paths, so one rule finds the same mistake in every format.
 * The attributes of each type are specified in docs/internals/canonical.md; an adapter sets
 * what its source knows, leaves out what the source does not say, and sets CF_NODE_UNKNOWN
 * where the source says "decided at deployment".
 *
 * Memory: an adapter allocates resources and their attributes in ac->arena, which lives as
 * long as the file being adapted; the engine copies whatever it keeps longer.
 */
#ifndef CF_POSTURE_MODEL_H
#define CF_POSTURE_MODEL_H

#include "cloudfort/doc.h"
#include "cloudfort/error.h"
#include "cloudfort/finding.h"
#include "core/core.h"

/* Source formats. The names are used in fixtures, `rules list` and docs. */
typedef enum cf_source_kind {
  CF_SRC_UNKNOWN = 0,
  CF_SRC_CFN,        /* "cloudformation" */
  CF_SRC_TFPLAN,     /* "terraform-plan" */
  CF_SRC_AWSCONFIG,  /* "aws-config" */
  CF_SRC_AWSCLI,     /* "aws-cli" (and the IAM credential report) */
  CF_SRC_K8S,        /* "kubernetes" */
  CF_SRC_ARM,        /* "arm" */
  CF_SRC_TF,         /* "terraform": .tf source, read through the plan adapter */
  CF_SRC__COUNT
} cf_source_kind;

const char *cf__source_kind_name(cf_source_kind k);
cf_source_kind cf__source_kind_parse(const char *name);

/* A rule id suppressed on one resource by the resource itself (CloudFormation Metadata,
 * Kubernetes annotation). rule "*" suppresses every rule. */
typedef struct cf_res_suppress {
  const char *rule;
  const char *reason; /* may be NULL */
  cf_suppression kind;
  struct cf_res_suppress *next;
} cf_res_suppress_t;

typedef struct cf_resource {
  const char *type;     /* canonical type, "aws.s3.bucket" */
  const char *address;  /* shown to users: "MyBucket", "aws_s3_bucket.logs", an ARN */
  cf_pos_t pos;         /* where the resource is declared */
  cf_node_t *attrs;     /* object of canonical attributes */
  /* Identities other resources may use to refer to this one (name, ARN, id, template
   * logical id "cfn:Bucket", Terraform address "aws_s3_bucket.logs"). Relationship rules
   * match references against these. */
  const char **ids;
  uint32_t n_ids, cap_ids;
  uint8_t source;       /* cf_source_kind */
  /* Partial resources (a bucket's ACL from one file, its policy from another) are merged
   * with the others of the same type and merge_key before rules run. */
  bool partial;
  const char *merge_key;
  /* Known only in part (a bucket policy whose bucket is defined elsewhere): an attribute that
   * is absent is unknown rather than unset. */
  bool incomplete;
  cf_res_suppress_t *suppress;
} cf_resource_t;

typedef struct cf_adapt_ctx cf_adapt_ctx_t;

/* The engine's side of the adapter interface: takes a finished resource. The resource and
 * its attributes must stay valid until the adapter returns. */
typedef cf_err (*cf_emit_cb)(cf_adapt_ctx_t *ac, cf_resource_t *r);

/* The engine's side for strings outside the canonical model that may hold secrets (a
 * CloudFormation parameter's Default, the template of a user data Fn::Sub): reported on a
 * resource of `type` called `address`; name (may be NULL) is the variable's name; suppress
 * (may be NULL) the resource's suppressions. Called only when set. */
typedef cf_err (*cf_text_cb)(cf_adapt_ctx_t *ac, const char *type, const char *address, const char *attr,
                             const char *name, const cf_node_t *value, const cf_res_suppress_t *suppress);

struct cf_adapt_ctx {
  const cf_ctx_t *ctx;
  cf_arena_t *arena;     /* allocate resources and attributes here */
  const char *path;      /* the file as reported */
  uint32_t file;         /* file index for positions */
  const char *dir_name;  /* name of the folder holding the file ("my-bucket"), may be "" */
  const char *base_name; /* the file's name without folders */
  const char *text;      /* the raw file content (NUL-terminated), may be NULL */
  size_t text_len;
  uint8_t source;        /* cf_source_kind of the file; cf__res_new copies it */
  cf_diags_t *errors;    /* problems that do not stop the file */
  cf_emit_cb emit;
  void *emit_ud;
  cf_text_cb secret_text; /* may be NULL; called with emit_ud in ac */
};

/* ---- helpers for adapters (resource.c) ---- */

/* A new resource of `type` at pos, with an empty attribute object. NULL when out of memory. */
cf_resource_t *cf__res_new(cf_adapt_ctx_t *ac, const char *type, const char *address,
                           cf_pos_t pos);
/* Adds an identity (copied). */
cf_err cf__res_add_id(cf_adapt_ctx_t *ac, cf_resource_t *r, const char *id) CF_MUST_CHECK;
/* Adds a suppression (strings copied). */
cf_err cf__res_suppress(cf_adapt_ctx_t *ac, cf_resource_t *r, const char *rule,
                        const char *reason, cf_suppression kind) CF_MUST_CHECK;
/* Sets attrs.<key> = value (value must be allocated in ac->arena). */
cf_err cf__res_set(cf_adapt_ctx_t *ac, cf_resource_t *r, const char *key, cf_node_t *value)
    CF_MUST_CHECK;
/* Sets a nested attribute by dotted path, creating objects on the way. */
cf_err cf__obj_set_path(cf_arena_t *a, cf_node_t *obj, const char *dotted, cf_node_t *value,
                        cf_pos_t pos) CF_MUST_CHECK;
/* Records a non-fatal problem with a file position. */
void cf__adapt_warn(cf_adapt_ctx_t *ac, cf_pos_t pos, const char *fmt, ...) CF_PRINTF(3, 4);

/* Builders with the arena of ac. */
cf_node_t *cf__n_str(cf_adapt_ctx_t *ac, const char *s, cf_pos_t pos);
cf_node_t *cf__n_bool(cf_adapt_ctx_t *ac, bool b, cf_pos_t pos);
cf_node_t *cf__n_int(cf_adapt_ctx_t *ac, int64_t i, cf_pos_t pos);
cf_node_t *cf__n_unknown(cf_adapt_ctx_t *ac, cf_pos_t pos);
cf_node_t *cf__n_obj(cf_adapt_ctx_t *ac, cf_pos_t pos);
cf_node_t *cf__n_arr(cf_adapt_ctx_t *ac, cf_pos_t pos);
/* A copy of a source node into the adapter's arena. */
cf_node_t *cf__n_copy(cf_adapt_ctx_t *ac, const cf_node_t *n);
/* A string list from a string or an array of strings (other items are skipped; an unknown
 * item stays unknown). NULL when n is NULL. */
cf_node_t *cf__n_strlist(cf_adapt_ctx_t *ac, const cf_node_t *n);

/*
 * Normalises an IAM-style policy document (bucket policy, identity policy, trust policy,
 * OpenSearch access policy) into the canonical policy shape (docs/internals/canonical.md):
 * accepts an object, a JSON string, or a URL-encoded JSON string; Statement as object or
 * list; Action/Resource/Principal as string or list. Values it cannot know become unknown.
 * Returns NULL (after a warning) when the text is not a policy; unknown when n is unknown.
 */
cf_node_t *cf__policy_normalize(cf_adapt_ctx_t *ac, const cf_node_t *n);

/*
 * Parses JSON embedded in a string (AWS Config's `configuration` and
 * `supplementaryConfiguration`) into ac->arena; every position becomes the string's own.
 * Returns NULL (after a warning) when the text is not JSON.
 */
cf_node_t *cf__parse_inner_json(cf_adapt_ctx_t *ac, const char *text, size_t len, cf_pos_t pos);

/* The canonical protocol of a firewall rule from a source's value: "tcp", "udp", "icmp",
 * "icmpv6", or "-1" for every protocol (written "-1", -1 or "all"); IANA numbers 6, 17, 1
 * and 58 as strings or numbers are named; other names are lower-cased into buf. Returns NULL
 * when proto is neither a string nor a number. */
const char *cf__fw_protocol(const cf_node_t *proto, char *buf, size_t n);

/* Decodes base64 (RFC 4648, standard or URL-safe alphabet; blanks ignored; padding optional)
 * into a NUL-terminated arena string. CF_EINVAL when s is not base64, CF_ENOMEM. */
cf_err cf__base64_decode(cf_arena_t *a, const char *s, size_t n, char **out, size_t *out_len)
    CF_MUST_CHECK;

/* Decodes %XX escapes (and '+' as space when plus_space) into an arena string. */
char *cf__url_decode(cf_arena_t *a, const char *s, size_t n, bool plus_space);

/* ---- the adapters ---- */
cf_err cf__adapt_cfn(cf_adapt_ctx_t *ac, const cf_doc_t *doc);
cf_err cf__adapt_tfplan(cf_adapt_ctx_t *ac, const cf_doc_t *doc);

/*
 * Terraform source (adapt_tf.c): folders of .tf files are added as the walk finds them, and
 * cf__tf_run evaluates each root module (a folder no other folder calls) and emits its
 * resources through ac, as the plan adapter would for its plan.
 */
typedef struct cf_tf cf_tf_t;
/* Registers a file the session read (for positions and inline suppressions); returns its
 * file index. */
typedef uint32_t (*cf_tf_file_cb)(void *ud, const char *path, const char *text, size_t len);
typedef struct cf_tf_opts {
  const cf_ctx_t *ctx;
  const char *root_real;           /* realpath of the scan root: nothing outside is read */
  const char *const *var_files;    /* --var-file, in order */
  size_t n_var_files;
  const char *const *vars;         /* --var NAME=VALUE, in order */
  size_t n_vars;
  cf_tf_file_cb file_cb;
  void *file_ud;
  cf_diags_t *errors;              /* syntax errors, modules not scanned, evaluation problems */
} cf_tf_opts_t;
cf_err cf__tf_new(const cf_tf_opts_t *o, cf_tf_t **out) CF_MUST_CHECK;
cf_err cf__tf_add_dir(cf_tf_t *t, const char *dir);
cf_err cf__tf_add_text(cf_tf_t *t, const char *name, const char *text, size_t len);
cf_err cf__tf_run(cf_tf_t *t, cf_adapt_ctx_t *ac);
void cf__tf_free(cf_tf_t *t);
/* AWS Config: called once per configuration item (snapshots are streamed). */
cf_err cf__adapt_awsconfig_item(cf_adapt_ctx_t *ac, const cf_node_t *item);
/* Whether the AWS Config adapter maps items of this resourceType (raw text, len bytes): the
 * scan skips the others without parsing them. */
bool cf__awsconfig_type_supported(const char *type, size_t len);
/* The members of a configuration item the adapter reads (NULL-terminated): the scan builds
 * only these when it streams a snapshot. */
extern const char *const cf__awsconfig_item_keys[];
/* The members to build for an item of resourceType `type` (len bytes; NULL when not known):
 * a subset of the above, narrower for common types. */
const char *const *cf__awsconfig_item_keys_for(const char *type, size_t len);
cf_err cf__adapt_awscli(cf_adapt_ctx_t *ac, const cf_doc_t *doc);
cf_err cf__adapt_credreport(cf_adapt_ctx_t *ac, const char *csv, size_t len);
/* The same for a report decoded from the JSON of `aws iam get-credential-report`
 * (adapt_awscli.c): lines of the decoded text are not lines of the file, so every value
 * takes the position `at` of the encoded Content. */
cf_err cf__adapt_credreport_at(cf_adapt_ctx_t *ac, const char *csv, size_t len, cf_pos_t at);
cf_err cf__adapt_k8s(cf_adapt_ctx_t *ac, const cf_doc_t *doc);
cf_err cf__adapt_arm(cf_adapt_ctx_t *ac, const cf_doc_t *doc);

/* ---- detection (detect.c) ---- */
/* Whether a document is saved `aws` CLI output the awscli adapter reads (adapt_awscli.c). */
bool cf__awscli_recognize(const cf_doc_t *doc, const char *base_name);
/* What a parsed document is, from its shape (and the file name for aws CLI outputs whose
 * shape is ambiguous, such as an empty get-bucket-logging result). */
cf_source_kind cf__detect_doc(const cf_doc_t *doc, const char *base_name);
/* Whether raw text is an IAM credential report (CSV with the report's header). */
bool cf__detect_credreport(const char *text, size_t len);
/* Whether raw JSON text is an AWS Config snapshot or history file worth streaming. */
bool cf__detect_awsconfig_text(const char *text, size_t len);

#endif
