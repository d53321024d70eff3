/*
 * cloudfort/posture.h - the posture analyser: rule sets and scans of infrastructure code and
 * exported cloud configuration.
 *
 * A rule set is compiled once and is then immutable: several scans (threads) may use it at
 * once. A scan walks files and directories, recognises each input (CloudFormation, Terraform
 * plan JSON, AWS Config snapshots, saved `aws` CLI output, IAM credential reports, Kubernetes
 * manifests, ARM templates), turns it into canonical resources and evaluates the rules.
 * Problems with single inputs are recorded in the report's errors and do not stop the scan.
 */
#ifndef CLOUDFORT_POSTURE_H
#define CLOUDFORT_POSTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "content.h"
#include "context.h"
#include "error.h"
#include "finding.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_ruleset cf_ruleset_t;

/* An empty rule set. Returns CF_ENOMEM. */
cf_err cf_ruleset_new(const cf_ctx_t *ctx, cf_ruleset_t **out) CF_MUST_CHECK;
void cf_ruleset_free(cf_ruleset_t *rs);
/* Adds the rule packs compiled into the library (rules/posture). Problems are appended to
 * errors; returns CF_ERULE when any rule failed to load. */
cf_err cf_ruleset_load_builtin(cf_ruleset_t *rs, cf_diags_t *errors) CF_MUST_CHECK;
/* Adds every *.yaml / *.yml file below dir (recursively). */
cf_err cf_ruleset_load_dir(cf_ruleset_t *rs, const char *dir, cf_diags_t *errors) CF_MUST_CHECK;
/* Adds the rules of one file (a file may hold several YAML documents, one rule each). */
cf_err cf_ruleset_load_file(cf_ruleset_t *rs, const char *path, cf_diags_t *errors)
    CF_MUST_CHECK;
/* Adds rules from text; name is used in diagnostics. */
cf_err cf_ruleset_load_text(cf_ruleset_t *rs, const char *name, const char *text, size_t len,
                            cf_diags_t *errors) CF_MUST_CHECK;
/* Name of source format k ("cloudformation"...), NULL when k is out of range. */
const char *cf_source_name(unsigned k);
size_t cf_ruleset_count(const cf_ruleset_t *rs);
/* Borrowed; valid until the rule set is freed. */
const cf_rule_info_t *cf_ruleset_info(const cf_ruleset_t *rs, size_t i);
/* Source formats ("cloudformation", "terraform-plan", ...) that can produce the resource types
 * of rule i; NULL-terminated static array. Bit k of cf_report_t.sources_seen stands for
 * cf_source_name(k). */
const char *const *cf_ruleset_sources(const cf_ruleset_t *rs, size_t i);
/* Keeps only the rules whose id matches one of the globs (include) and none of the
 * exclude globs. Either list may be NULL/empty. */
cf_err cf_ruleset_filter(cf_ruleset_t *rs, const char *const *include, size_t n_include,
                         const char *const *exclude, size_t n_exclude) CF_MUST_CHECK;

/* How a rule whose outcome depends on values known only at deployment is reported. */
typedef enum cf_unknown_mode {
  CF_UNKNOWN_PASS = 0, /* no finding (the default) */
  CF_UNKNOWN_FAIL,     /* a finding, as if the value were insecure */
  CF_UNKNOWN_REPORT    /* a finding marked unknown that does not affect the exit code */
} cf_unknown_mode;

typedef struct cf_posture_opts {
  cf_unknown_mode unknown;
  const char *baseline;      /* path of a baseline file of fingerprints, or NULL */
  bool no_inline_suppress;   /* ignore inline, Metadata and annotation suppressions */
  unsigned threads;          /* threads evaluating streamed snapshots; 0: one per CPU */
  bool only_recognised;      /* inputs that are not infrastructure code are skipped silently
                                (another analyser reads them); missing paths are not errors */
  cf_progress_cb progress;  /* may be NULL */
  void *progress_ud;
  /* Secrets in configuration: when set (compiled; borrowed for the scan), the string
   * attributes that commonly hold credentials (Lambda and ECS environment variables, EC2
   * user data, Kubernetes container env values, CloudFormation parameter defaults) are
   * scanned with the set's secret rules, each thread with a scanner of its own. A secret is
   * reported as a content finding (analyzer "secrets", the rule's id, masked evidence, the
   * fingerprint a raw content scan of the file gives) carrying the resource, its type, the
   * attribute, and the secret's file and line. NULL: no secrets pass. */
  const cf_content_rules_t *content_rules;
  bool show_secrets;         /* the secrets pass puts whole secrets in evidence */
  /* Terraform source (.tf): variable files (--var-file) and NAME=VALUE assignments (--var)
   * for root modules, applied in order after terraform.tfvars and *.auto.tfvars. Borrowed. */
  const char *const *tf_var_files;
  size_t n_tf_var_files;
  const char *const *tf_vars;
  size_t n_tf_vars;
} cf_posture_opts_t;

/* Scans paths (files or directories; "-" reads stdin) and adds findings, errors and counts to
 * report. Returns CF_OK even when single inputs fail (they are in report->errors); returns an
 * error only when the scan could not run at all (CF_ENOMEM, a bad baseline file). */
cf_err cf_posture_scan(const cf_ctx_t *ctx, const cf_ruleset_t *rs, const char *const *paths,
                       size_t n_paths, const cf_posture_opts_t *opts, cf_report_t *report)
    CF_MUST_CHECK;

/* Scans one input held in memory (gzip is recognised), named `name` in findings and used to
 * recognise saved aws CLI output. The same as cf_posture_scan otherwise. */
cf_err cf_posture_scan_buffer(const cf_ctx_t *ctx, const cf_ruleset_t *rs, const char *name,
                              const void *data, size_t len, const cf_posture_opts_t *opts,
                              cf_report_t *report) CF_MUST_CHECK;

/* Writes a baseline file (JSON) listing the fingerprints of the report's findings that are
 * not suppressed. */
cf_err cf_baseline_write(FILE *out, const cf_report_t *report) CF_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif
