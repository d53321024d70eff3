/*
 * detect.c - recognises what a parsed input is, from its shape and (for saved `aws` CLI
 * output, whose shapes can be empty objects) its file name.
 *
 * Order matters only where shapes overlap: a CloudFormation template may also be JSON with a
 * "Resources" key, so it needs resource types that look like CloudFormation's; a Terraform
 * plan has "format_version" plus plan sections; Kubernetes needs apiVersion and kind.
 */
#include <string.h>

#include "model.h"

static bool is_cfn(const cf_node_t *root) {
  if (!root || root->type != CF_NODE_OBJECT) return false;
  if (cf_node_get(root, "AWSTemplateFormatVersion")) return true;
  const cf_node_t *res = cf_node_get(root, "Resources");
  if (!res || res->type != CF_NODE_OBJECT || res->len == 0) return false;
  for (uint32_t i = 0; i < res->len; i++) {
    const char *t = cf_node_str(cf_node_get(res->u.members[i].value, "Type"));
    if (t && (cf__str_starts(t, "AWS::") || cf__str_starts(t, "Custom::") || cf__str_starts(t, "Alexa::")))
      return true;
  }
  return false;
}

static bool is_tfplan(const cf_node_t *root) {
  return root && root->type == CF_NODE_OBJECT && cf_node_get(root, "format_version") &&
         (cf_node_get(root, "planned_values") || cf_node_get(root, "resource_changes") ||
          cf_node_get(root, "prior_state") || cf_node_get(root, "configuration"));
}

static bool is_k8s(const cf_node_t *root) {
  return root && root->type == CF_NODE_OBJECT && cf_node_str(cf_node_get(root, "apiVersion")) &&
         cf_node_str(cf_node_get(root, "kind"));
}

static bool is_arm(const cf_node_t *root) {
  const char *schema = cf_node_str(cf_node_get(root, "$schema"));
  return schema && strcasestr(schema, "deploymentTemplate") && cf_node_get(root, "resources");
}

static bool is_awsconfig(const cf_node_t *root) {
  if (!root || root->type != CF_NODE_OBJECT) return false;
  const cf_node_t *items = cf_node_get(root, "configurationItems");
  if (!items) items = cf_node_get(root, "baseConfigurationItems");
  if (items && items->type == CF_NODE_ARRAY) return true;
  if (cf_node_get(root, "configurationItemCaptureTime") && cf_node_get(root, "resourceType")) return true;
  /* `aws configservice select-resource-config`: {"Results": ["<item as JSON>", ...]} */
  const cf_node_t *results = cf_node_get(root, "Results");
  return results && results->type == CF_NODE_ARRAY && cf_node_get(root, "QueryInfo");
}

cf_source_kind cf__detect_doc(const cf_doc_t *doc, const char *base_name) {
  if (!doc) return CF_SRC_UNKNOWN;
  /* An empty file is what `aws` prints for an empty result (get-bucket-logging of a bucket
   * without logging); only the file name tells what it is. */
  if (doc->n_roots == 0) return cf__awscli_recognize(doc, base_name) ? CF_SRC_AWSCLI : CF_SRC_UNKNOWN;
  const cf_node_t *root = doc->roots[0];
  if (is_cfn(root)) return CF_SRC_CFN;
  if (is_tfplan(root)) return CF_SRC_TFPLAN;
  if (is_awsconfig(root)) return CF_SRC_AWSCONFIG;
  if (is_arm(root)) return CF_SRC_ARM;
  for (size_t i = 0; i < doc->n_roots; i++)
    if (is_k8s(doc->roots[i])) return CF_SRC_K8S;
  if (cf__awscli_recognize(doc, base_name)) return CF_SRC_AWSCLI;
  return CF_SRC_UNKNOWN;
}

bool cf__detect_credreport(const char *text, size_t len) {
  static const char header[] = "user,arn,user_creation_time";
  size_t i = 0;
  if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF) i = 3;
  return len - i >= sizeof(header) - 1 && memcmp(text + i, header, sizeof(header) - 1) == 0;
}

bool cf__detect_awsconfig_text(const char *text, size_t len) {
  /* The key appears near the start of snapshot and history files; look at the first 4 KiB. */
  size_t n = len < 4096 ? len : 4096;
  return memmem(text, n, "\"configurationItems\"", 20) != NULL ||
         memmem(text, n, "\"fileVersion\"", 13) != NULL;
}
