/*
 * sources.c - which source formats produce which canonical types, and the names of the
 * formats. The table mirrors docs/internals/canonical.md; `rules test` uses it to require a
 * firing and a non-firing fixture per format for every rule, and the rule loader uses it to
 * reject unknown resource types.
 */
#include <string.h>

#include "rule.h"

static const char *const kind_names[CF_SRC__COUNT] = {
    "unknown", "cloudformation", "terraform-plan", "aws-config", "aws-cli", "kubernetes", "arm", "terraform"};

const char *cf__source_kind_name(cf_source_kind k) {
  return (unsigned)k < CF_SRC__COUNT ? kind_names[k] : "unknown";
}

const char *cf_source_name(unsigned k) { return k > 0 && k < CF_SRC__COUNT ? kind_names[k] : NULL; }

cf_source_kind cf__source_kind_parse(const char *name) {
  for (unsigned i = 1; i < CF_SRC__COUNT; i++)
    if (strcmp(kind_names[i], name) == 0) return (cf_source_kind)i;
  return CF_SRC_UNKNOWN;
}

#define CFN "cloudformation"
#define TFP "terraform-plan"
#define CFG "aws-config"
#define CLI "aws-cli"
#define K8S "kubernetes"
#define ARM "arm"
#define TF "terraform"

static const struct {
  const char *type;
  const char *sources[8];
} table[] = {
    {"aws.s3.bucket", {CFN, TFP, TF, CFG, CLI}},
    {"aws.s3.account_public_access_block", {TFP, TF, CFG, CLI}},
    {"aws.ec2.instance", {CFN, TFP, TF, CFG, CLI}},
    {"aws.ec2.launch_template", {CFN, TFP, TF, CFG, CLI}},
    {"aws.autoscaling.launch_configuration", {CFN, TFP, TF, CFG, CLI}},
    {"aws.iam.user", {CFN, TFP, TF, CFG, CLI}},
    {"aws.iam.role", {CFN, TFP, TF, CFG, CLI}},
    {"aws.iam.group", {CFN, TFP, TF, CFG, CLI}},
    {"aws.iam.policy", {CFN, TFP, TF, CFG, CLI}},
    {"aws.iam.root_account", {CLI}},
    {"aws.iam.password_policy", {TFP, TF, CLI}},
    {"aws.ec2.security_group", {CFN, TFP, TF, CFG, CLI}},
    {"aws.opensearch.domain", {CFN, TFP, TF, CFG, CLI}},
    {"aws.elbv2.load_balancer", {CFN, TFP, TF, CFG, CLI}},
    {"aws.apigateway.stage", {CFN, TFP, TF, CFG, CLI}},
    {"aws.wafv2.web_acl_association", {CFN, TFP, TF, CLI}},
    {"aws.cloudtrail.trail", {CFN, TFP, TF, CFG, CLI}},
    {"aws.kms.key", {CFN, TFP, TF, CFG, CLI}},
    {"aws.lambda.function", {CFN, TFP, TF, CFG, CLI}},
    {"aws.ecs.task_definition", {CFN, TFP, TF, CFG, CLI}},
    {"k8s.workload", {K8S}},
    {"azure.storage.account", {TFP, TF, ARM}},
    {"azure.storage.container", {TFP, TF, ARM}},
    {"gcp.storage.bucket", {TFP, TF}},
};

const char *const *cf__type_sources(const char *type) {
  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
    if (strcmp(table[i].type, type) == 0) return table[i].sources;
  return NULL;
}
