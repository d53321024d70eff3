/*
 * rule.h - compiled posture rules and their evaluation (internal).
 *
 * A rule is a condition tree over one resource's canonical attributes (docs/rules.md).
 * Evaluation uses three-valued logic: true, false, and unknown when the outcome depends on a
 * value known only at deployment. Compiled rules are immutable and shared between threads.
 */
#ifndef CF_POSTURE_RULE_H
#define CF_POSTURE_RULE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "cloudfort/finding.h"
#include "cloudfort/posture.h"
#include "model.h"

typedef enum tri { TRI_F = 0, TRI_T = 1, TRI_U = 2 } tri_t;

typedef enum path_step_kind { STEP_KEY, STEP_ANY, STEP_INDEX } path_step_kind;

typedef struct path_step {
  uint8_t kind;
  uint32_t key_len;
  const char *key;
  int64_t index;
} path_step_t;

typedef struct rpath {
  path_step_t *steps;
  uint32_t n;
  bool from_root; /* "$.x": from the resource, not the current element */
  const char *text;
} rpath_t;

typedef enum cond_kind {
  C_ALL, C_ANY, C_NOT, C_LEAF, C_SOME, C_EVERY, C_NONE, C_COUNT, C_RELATED, C_REFBY
} cond_kind;

typedef enum cond_op {
  OP_EXISTS, OP_MISSING, OP_EQUALS, OP_NOT_EQUALS, OP_IEQUALS, OP_IN, OP_NOT_IN, OP_IIN,
  OP_REGEX, OP_GT, OP_GTE, OP_LT, OP_LTE, OP_CONTAINS, OP_EMPTY, OP_INTERNET,
  OP_PORT_INCLUDES, OP_OLDER_THAN_DAYS, OP_NEWER_THAN_DAYS, OP_POLICY, OP_TYPE, OP__COUNT
} cond_op;

/* A policy question (the `policy` operator). Fields left at -1 / NULL are not asked. */
typedef struct policy_q {
  int effect_allow;        /* 1 Allow (default), 0 Deny */
  int principal_public;    /* 1: principal is everyone */
  const char **actions;    /* statement grants at least one of these */
  uint32_t n_actions;
  int action_wildcard;     /* an action is "*" or "service:*" */
  int full_access;         /* actions "*" and resources "*" */
  int resource_wildcard;   /* a resource is "*" */
  int unrestricted;        /* no condition that really restricts the caller */
  int denies_insecure_transport; /* the policy denies requests without TLS */
} policy_q_t;

typedef struct cond {
  uint8_t kind;
  uint8_t op;
  cf_pos_t pos;
  rpath_t path;
  const cf_node_t *operand;
  pcre2_code *re;
  double num;
  policy_q_t *pq;
  struct cond **kids;
  uint32_t n_kids;
  struct cond *where;
  const char *rel_type; /* related / referenced_by */
  uint32_t rel_slot;    /* index of the relation in the rule set */
  uint8_t count_op;     /* OP_GT.. for C_COUNT */
} cond_t;

typedef struct rule {
  cf_rule_info_t info;
  const char **types;   /* resource types (NULL-terminated), same as info.resource_types */
  uint32_t n_types;
  cond_t *cond;
  int unknown;          /* -1: the scan's mode; else cf_unknown_mode */
  bool has_relations;
  const char **sources; /* source formats it runs on (NULL-terminated) */
  unsigned source_mask; /* the same, as bits (1 << cf_source_kind) */
} rule_t;

/* A relationship a rule asks about: facts collected over every resource of `type`. */
typedef struct relation {
  const cond_t *c;      /* the C_RELATED / C_REFBY node */
} relation_t;

struct cf_ruleset {
  const cf_ctx_t *ctx;
  cf_arena_t *arena;
  rule_t **rules;
  size_t n_rules, cap_rules;
  relation_t *rels;
  size_t n_rels, cap_rels;
  cf_doc_t **docs;      /* rule documents, kept for operands */
  size_t n_docs, cap_docs;
  pcre2_code **codes;   /* compiled regexes, freed with the set */
  size_t n_codes, cap_codes;
};

/* Result of an evaluation with what to show the user. */
typedef struct eval_out {
  const cf_node_t *witness; /* the value that decided, may be NULL */
  const char *attribute;    /* path text of the deciding leaf */
  char evidence[CF_LIMIT_EVIDENCE + 1];
} eval_out_t;

/* Relation facts, filled by the engine. */
typedef struct eval_env eval_env_t;
typedef tri_t (*rel_query_cb)(const eval_env_t *env, const cond_t *c, const cf_resource_t *r,
                              const cf_node_t *ctx);

struct eval_env {
  const cf_ctx_t *ctx;
  int64_t now;
  rel_query_cb rel_query; /* may be NULL when the rule has no relations */
  void *ud;
  bool *nomem;            /* set to true when evaluation could not allocate (regex match data,
                             large selections): the outcome is then not to be trusted. May be
                             NULL. */
};

tri_t cf__rule_eval(const eval_env_t *env, const rule_t *rule, const cf_resource_t *r,
                    eval_out_t *out);
tri_t cf__cond_eval(const eval_env_t *env, const cond_t *c, const cf_resource_t *r,
                    const cf_node_t *ctx, eval_out_t *out);

/* Frees what evaluation keeps per thread; threads that evaluated rules call it before they
 * end (the main thread's is freed at exit). */
void cf__eval_thread_done(void);

/* Policy operator (policy.c). */
tri_t cf__policy_eval(const policy_q_t *q, const cf_node_t *policy, const cf_node_t **witness);
/* Whether a CIDR string covers the whole internet (0.0.0.0/0, ::/0, any /0). */
bool cf__cidr_is_internet(const char *s);

/* Source formats that produce a canonical type (sources.c); NULL-terminated static array. */
const char *const *cf__type_sources(const char *type);

#endif
