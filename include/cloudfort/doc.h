/*
 * cloudfort/doc.h - one document model for JSON and YAML, with positions.
 *
 * Every analyser that reads structured input works on this model: a tree of values (null,
 * boolean, integer, float, string, array, object, and "unknown" for a value that is not known
 * until deployment) where every value and every object key carries its file, line and column.
 * Two front ends build it: JSON through simdjson, YAML through libyaml (multi-document, anchors
 * and aliases with an expansion limit, merge keys, and the CloudFormation short-form tags
 * mapped to their long forms).
 *
 * All nodes of a document live in its arena and are freed together by cf_doc_free(); pointers
 * into a document are valid until then. A finished document is immutable and may be read from
 * several threads at once.
 */
#ifndef CLOUDFORT_DOC_H
#define CLOUDFORT_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cf_node_type {
  CF_NODE_NULL = 0,
  CF_NODE_BOOL,
  CF_NODE_INT,
  CF_NODE_FLOAT,
  CF_NODE_STRING,
  CF_NODE_ARRAY,
  CF_NODE_OBJECT,
  CF_NODE_UNKNOWN /* known only after deployment: Terraform "known after apply", an unresolved
                     CloudFormation intrinsic function */
} cf_node_type;

/* Node flags. */
enum {
  CF_NODE_F_QUOTED = 1u << 0,    /* YAML scalar written in quotes or as a block */
  CF_NODE_F_SENSITIVE = 1u << 1, /* the source marks the value as sensitive */
  CF_NODE_F_SYNTHETIC = 1u << 2, /* made by an adapter, such as a reference identity */
  CF_NODE_F_SHARED = 1u << 3     /* reached through a YAML alias; do not modify */
};

/* A position in an input. file is an index into the scan's file table (0 when the document
 * was loaded on its own); line and column are 1-based, 0 when unknown. Columns count bytes. */
typedef struct cf_pos {
  uint32_t file;
  uint32_t line;
  uint32_t column;
} cf_pos_t;

typedef struct cf_node cf_node_t;
typedef struct cf_member cf_member_t;

struct cf_node {
  uint8_t type;    /* cf_node_type */
  uint8_t flags;   /* CF_NODE_F_* */
  uint16_t spare;
  uint32_t len;    /* string bytes (without the terminating NUL), array items, object members */
  cf_pos_t pos;
  union {
    bool b;
    int64_t i;
    double f;
    const char *s;       /* NUL-terminated; may hold NUL bytes before len when the input did */
    cf_node_t **items;   /* array items */
    cf_member_t *members;/* object members, in input order */
  } u;
};

struct cf_member {
  const char *key; /* NUL-terminated */
  uint32_t key_len;
  cf_pos_t key_pos;
  cf_node_t *value;
};

typedef struct cf_arena cf_arena_t;

/* A loaded document: one or more roots (a YAML stream may hold several documents). */
typedef struct cf_doc {
  cf_arena_t *arena;
  cf_node_t **roots;
  size_t n_roots;
  uint32_t file;   /* the file index positions carry */
} cf_doc_t;

/* Which front end to use. */
typedef enum cf_doc_format {
  CF_DOC_AUTO = 0, /* JSON when the first non-blank byte is '{' or '[', else YAML */
  CF_DOC_JSON,
  CF_DOC_YAML
} cf_doc_format;

/* Options for loading. */
typedef struct cf_doc_opts {
  cf_doc_format format;
  uint32_t file;       /* index stored in every position */
  const char *name;    /* file name used in diagnostics; borrowed */
  bool cfn_tags;       /* map CloudFormation short forms (!Ref ...) to long forms */
} cf_doc_opts_t;

/*
 * Parses buf[0..len) into a new document. ctx supplies limits (may be NULL for defaults).
 * On success *out owns the document. On failure *out is NULL and diag (may be NULL) says
 * where and why: CF_EPARSE for bad syntax or invalid UTF-8, CF_ELIMIT for size, depth, node
 * count or alias expansion, CF_ENOMEM.
 */
cf_err cf_doc_parse(const cf_ctx_t *ctx, const char *buf, size_t len, const cf_doc_opts_t *opts,
                    cf_doc_t **out, cf_diag_t *diag) CF_MUST_CHECK;
void cf_doc_free(cf_doc_t *doc);

/* An empty document whose arena adapters may build nodes in. */
cf_err cf_doc_new(uint32_t file, cf_doc_t **out) CF_MUST_CHECK;

/* ---- reading ---- */

/* Value of key in an object (the first such member), or NULL when obj is not an object or has
 * no such key. */
const cf_node_t *cf_node_get(const cf_node_t *obj, const char *key);
/* Same, but compares keys without regard to ASCII case. */
const cf_node_t *cf_node_get_ci(const cf_node_t *obj, const char *key);
/* The member holding key, or NULL. */
const cf_member_t *cf_node_member(const cf_node_t *obj, const char *key);
/* Follows a dotted path of object keys ("Properties.BucketName"); NULL when any step fails. */
const cf_node_t *cf_node_at(const cf_node_t *node, const char *dotted);
/* The string of a string node, or NULL. */
const char *cf_node_str(const cf_node_t *n);
/* true when n is a string equal to s. */
bool cf_node_str_eq(const cf_node_t *n, const char *s);
/* Interprets booleans and the strings "true"/"false" (any case); returns -1 when n is neither. */
int cf_node_truth(const cf_node_t *n);
/* Interprets integers, floats and numeric strings; returns false when n is not a number. */
bool cf_node_number(const cf_node_t *n, double *out);
/* "null", "bool", ... */
const char *cf_node_type_name(cf_node_type t);

/* ---- building (adapters) ---- */

cf_node_t *cf_node_new(cf_arena_t *a, cf_node_type type, cf_pos_t pos);
cf_node_t *cf_node_new_str(cf_arena_t *a, const char *s, size_t len, cf_pos_t pos);
cf_node_t *cf_node_new_cstr(cf_arena_t *a, const char *s, cf_pos_t pos);
cf_node_t *cf_node_new_bool(cf_arena_t *a, bool b, cf_pos_t pos);
cf_node_t *cf_node_new_int(cf_arena_t *a, int64_t i, cf_pos_t pos);
cf_node_t *cf_node_new_float(cf_arena_t *a, double f, cf_pos_t pos);
cf_node_t *cf_node_new_object(cf_arena_t *a, cf_pos_t pos);
cf_node_t *cf_node_new_array(cf_arena_t *a, cf_pos_t pos);
/* Appends to an array or object built by this API (not to parsed nodes). Returns CF_ENOMEM. */
cf_err cf_node_push(cf_arena_t *a, cf_node_t *arr, cf_node_t *item) CF_MUST_CHECK;
cf_err cf_node_set(cf_arena_t *a, cf_node_t *obj, const char *key, cf_node_t *value)
    CF_MUST_CHECK; /* appends or replaces; the key is copied */
/* Deep-copies a node (for instance from a parsed document into a resource's arena). */
cf_node_t *cf_node_copy(cf_arena_t *a, const cf_node_t *n);

/* Writes a node as compact JSON into a NUL-terminated arena string (unknown becomes null).
 * Returns NULL when out of memory or when the text would pass max bytes. */
char *cf_node_to_json(cf_arena_t *a, const cf_node_t *n, size_t max);

#ifdef __cplusplus
}
#endif
#endif
