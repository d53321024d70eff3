/*
 * config_secrets.h - the posture scan's secrets pass: string attributes of canonical
 * resources that commonly hold credentials, scanned with the content engine (internal).
 */
#ifndef CF_POSTURE_CONFIG_SECRETS_H
#define CF_POSTURE_CONFIG_SECRETS_H

#include "cloudfort/content.h"
#include "model.h"

/* Takes one finding (copied) found in the file with index `file`. */
typedef cf_err (*cf_cfgsec_add_cb)(void *ud, const cf_finding_t *f, uint32_t file);
/* The path of file index `file` (NULL when unknown). */
typedef const char *(*cf_cfgsec_path_cb)(void *ud, uint32_t file);
/* The raw text of file index `file` while it is being adapted, else NULL. */
typedef const char *(*cf_cfgsec_text_cb)(void *ud, uint32_t file, size_t *len);

/* One thread's secrets pass: a content scanner of its own and a scratch finding list. */
typedef struct cf_cfgsec {
  cf_content_scanner_t *sc;
  cf_findings_t *scratch;
  bool show_secrets;
  bool no_inline_suppress;
  cf_cfgsec_add_cb add;
  cf_cfgsec_path_cb path_of;
  cf_cfgsec_text_cb text_of;
  void *ud;
  char *buf; /* "NAME=value" being scanned */
  size_t cap;
} cf_cfgsec_t;

/* Prepares a pass with the compiled rules (borrowed; must outlive the pass). CF_ENOMEM,
 * CF_EINVAL when the rules are not compiled. */
cf_err cf__cfgsec_init(cf_cfgsec_t *cs, const cf_content_rules_t *rules) CF_MUST_CHECK;
void cf__cfgsec_cleanup(cf_cfgsec_t *cs);

/* Scans the secret-bearing attributes of r (Lambda and ECS environments, EC2 user data,
 * Kubernetes container env) and hands each secret to cs->add as a content finding carrying
 * the resource. Returns CF_ENOMEM; nothing else fails. */
cf_err cf__cfgsec_resource(cf_cfgsec_t *cs, const cf_resource_t *r) CF_MUST_CHECK;

/* Scans one string that is not a canonical attribute (a CloudFormation parameter's Default,
 * the template of a user data Fn::Sub), reported on a resource of `type` called `address`;
 * name (may be NULL) is scanned in front of the value as "name=value" so that assignment
 * rules see the variable's name. suppress: the resource's suppressions (may be NULL). */
cf_err cf__cfgsec_value(cf_cfgsec_t *cs, const char *type, const char *address, const char *attr,
                        const char *name, const cf_node_t *value, const cf_res_suppress_t *suppress)
    CF_MUST_CHECK;

#endif
