/*
 * cloudfort/finding.h - the one finding type every analyser produces, and the rule metadata
 * findings point to.
 *
 * A finding says which rule fired, where (file, line, column, resource, event), what was seen
 * (redacted evidence) and how to fix it, and carries a stable fingerprint: the same finding in
 * an unchanged file gets the same fingerprint on every run and machine, and moving it to
 * another line does not change it (the line is not part of it). Fingerprints drive
 * suppression baselines and history.
 *
 * Thread safety: a cf_findings_t is not thread-safe; give each thread its own and merge.
 */
#ifndef CLOUDFORT_FINDING_H
#define CLOUDFORT_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "taxonomy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cf_severity {
  CF_SEV_INFO = 0,
  CF_SEV_LOW,
  CF_SEV_MEDIUM,
  CF_SEV_HIGH,
  CF_SEV_CRITICAL
} cf_severity;
#define CF_SEV_COUNT 5

/* "low", "medium", "high" for confidence 1..3; NULL otherwise. */
const char *cf_confidence_name(unsigned confidence);

/* "info", "low", "medium", "high", "critical". */
const char *cf_severity_name(cf_severity s);
/* Parses a severity name (any case); returns false when unknown. */
bool cf_severity_parse(const char *name, cf_severity *out);

/* How to fix what a rule finds, in prose and for each way of managing the resource. Any field
 * may be NULL. */
typedef struct cf_remediation {
  const char *text;
  const char *cli;
  const char *terraform;
  const char *cloudformation;
  const char *kubernetes;
} cf_remediation_t;

/* What a rule is. Owned by the rule set that loaded it; valid until that is freed. */
typedef struct cf_rule_info {
  const char *id;          /* "CF-S3-001" */
  const char *analyzer;    /* "posture", "secrets", ... */
  const char *title;
  const char *description; /* may be NULL */
  cf_severity severity;
  uint8_t threats[CF_THREAT_COUNT]; /* CSA numbers; the first decides the group */
  uint8_t n_threats;
  unsigned service_models; /* cf_service_model bits */
  const char *const *resource_types; /* NULL-terminated; may be NULL */
  cf_remediation_t remediation;
  const char *const *references;     /* NULL-terminated URLs; may be NULL */
  const char *const *tags;           /* NULL-terminated free-form tags (gitleaks); may be NULL */
  const char *file;        /* where the rule was loaded from */
  uint32_t line;
} cf_rule_info_t;

/* The group (1..4) of a rule: the group of its first threat (4 when it has none). */
unsigned cf_rule_group(const cf_rule_info_t *rule);

/* How a finding was suppressed. */
typedef enum cf_suppression {
  CF_SUPPRESS_NONE = 0,
  CF_SUPPRESS_INLINE,     /* "# cloudfort:ignore RULE reason" in the file */
  CF_SUPPRESS_METADATA,   /* CloudFormation Metadata */
  CF_SUPPRESS_ANNOTATION, /* Kubernetes annotation */
  CF_SUPPRESS_BASELINE    /* fingerprint listed in a baseline file */
} cf_suppression;

typedef struct cf_finding {
  const cf_rule_info_t *rule; /* borrowed from the rule set */
  const char *file;           /* NULL when not from a file */
  uint32_t line;              /* 1-based; 0 when unknown */
  uint32_t column;
  const char *resource;       /* resource address, may be NULL */
  const char *resource_type;  /* canonical type, may be NULL */
  const char *event_id;       /* for log findings, may be NULL */
  const char *attribute;      /* the canonical attribute that decided the finding, may be NULL */
  const char *evidence;       /* redacted excerpt, may be NULL */
  char fingerprint[33];       /* 32 hex digits */
  bool unknown;               /* the outcome depends on values known only at deployment */
  uint8_t confidence;         /* content findings: 1 low, 2 medium, 3 high; 0 not rated */
  uint8_t extra_threat;       /* a CSA threat this finding adds to its rule's (0: none), such
                                 as 5 for a secret found in source code */
  const char *commit;         /* git history: the commit that added the line, may be NULL */
  const char *author;         /* its author's name, may be NULL */
  const char *email;          /* its author's email, may be NULL */
  const char *date;           /* its date (RFC 3339), may be NULL */
  const char *message;        /* its message (first line), may be NULL */
  uint32_t end_line;          /* content findings: where the secret ends (0: unknown) */
  uint32_t end_column;
  double entropy;             /* content findings: Shannon entropy of the secret (bits/byte) */
  const char *secret;         /* content findings: the secret, masked unless the scan showed
                                 secrets (no notes added); may be NULL */
  const char *match;          /* content findings: the rule's whole match, the secret in it
                                 masked the same way (at most 200 bytes); may be NULL */
  cf_suppression suppressed;
  const char *suppress_reason; /* may be NULL */
} cf_finding_t;

typedef struct cf_findings cf_findings_t;

cf_findings_t *cf_findings_new(void);
void cf_findings_free(cf_findings_t *f);
/*
 * Adds a copy of *tmpl: its strings are copied, rule is borrowed. When tmpl->fingerprint is
 * empty, the fingerprint is computed from rule id, file, resource, attribute and evidence.
 * Returns CF_ENOMEM.
 */
cf_err cf_findings_add(cf_findings_t *f, const cf_finding_t *tmpl) CF_MUST_CHECK;
size_t cf_findings_count(const cf_findings_t *f);
/* Borrowed; valid until the list changes. */
const cf_finding_t *cf_findings_at(const cf_findings_t *f, size_t i);
cf_finding_t *cf_findings_at_mut(cf_findings_t *f, size_t i);
/* Marks finding i suppressed; reason (may be NULL) is copied. Returns CF_ENOMEM/CF_EINVAL. */
cf_err cf_findings_suppress(cf_findings_t *f, size_t i, cf_suppression kind, const char *reason)
    CF_MUST_CHECK;
/* Sorts by group, severity (highest first), file, line, rule id: the report order. */
void cf_findings_sort(cf_findings_t *f);
/* Computes the fingerprint of a finding into out[33] (see the header comment). out is left
 * empty ("") only when memory runs out. */
void cf_finding_fingerprint(const cf_finding_t *fd, char out[33]);

#ifdef __cplusplus
}
#endif
#endif
