/*
 * doc_internal.h - what the document front ends share with each other and with the adapters
 * that stream large JSON inputs (AWS Config snapshots).
 */
#ifndef CF_DOC_INTERNAL_H
#define CF_DOC_INTERNAL_H

#include "cloudfort/doc.h"
#include "core/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of zero padding the JSON front end needs after the input (simdjson reads ahead). */
#define CF_JSON_PADDING 64

/* Capacity of a parsed or built array/object of len elements (see doc.c). */
size_t cf__node_cap(uint32_t len);

/* Appends a member without looking for an existing key (duplicates are kept; lookups find
 * the first). The key is copied. */
cf_err cf__node_append_member(cf_arena_t *a, cf_node_t *obj, const char *key, size_t klen,
                              cf_pos_t kpos, cf_node_t *value) CF_MUST_CHECK;

/* cf_node_get with the key's length known (rule paths keep theirs): no strlen per lookup. */
const cf_node_t *cf__node_get_n(const cf_node_t *obj, const char *key, size_t n);
/* cf_node_get for a string literal key, its length known at compile time. */
#define CF_GET(obj, lit) cf__node_get_n((obj), "" lit, sizeof(lit) - 1)

/* Writes s[0..n) as a quoted JSON string; invalid UTF-8 becomes U+FFFD. */
cf_err cf__json_escape(cf_buf_t *b, const char *s, size_t n) CF_MUST_CHECK;

/* The front ends. buf must be followed by CF_JSON_PADDING readable bytes for JSON when
 * `padded` is set in cf__doc_parse_json_padded; cf__doc_parse_json copies when needed. */
cf_err cf__doc_parse_json(const cf_ctx_t *ctx, const char *buf, size_t len,
                          const cf_doc_opts_t *opts, cf_doc_t **out, cf_diag_t *diag);
cf_err cf__doc_parse_yaml(const cf_ctx_t *ctx, const char *buf, size_t len,
                          const cf_doc_opts_t *opts, cf_doc_t **out, cf_diag_t *diag);

/*
 * Parses JSON text into nodes allocated in arena a (no document wrapper). With `flat` every
 * position is `base` (JSON embedded in a string maps to the string's own position); without
 * it positions are counted from `base`, the line and column of the first byte (an element cut
 * out of a larger file). Small inputs reuse a per-thread parser. Thread-safe.
 */
cf_err cf__json_parse_into(const cf_ctx_t *ctx, cf_arena_t *a, const char *buf, size_t len,
                           uint32_t file, const char *name, bool flat, cf_pos_t base,
                           cf_node_t **out, cf_diag_t *diag);

/*
 * Parses one element cut out of a larger JSON file (see cf__json_split), positions counted
 * from `base`. With `padded`, buf has CF_JSON_PADDING readable bytes after len and an object
 * or array is parsed in place. With top_keys (NULL-terminated, compared ignoring ASCII case)
 * only those members of the root object are built; the others are skipped unread.
 */
cf_err cf__json_parse_item(const cf_ctx_t *ctx, cf_arena_t *a, const char *buf, size_t len,
                           bool padded, uint32_t file, const char *name, cf_pos_t base,
                           const char *const *top_keys, cf_node_t **out, cf_diag_t *diag);

/*
 * Finds the elements of the array under top-level key `key` of the JSON object read from rd,
 * a window at a time (json_split.c), and passes each element's text to cb with the line and
 * column where it starts; the text is valid only during the call. Elements larger than
 * max_item bytes end the scan with CF_ELIMIT. Positions in errors are the input's. When
 * probe_key is given, the string value of that top-level key of each object element is
 * passed along, so the caller can skip elements without parsing them.
 */
typedef struct cf_json_item {
  const char *text;  /* the element's JSON text (not NUL-terminated) */
  size_t len;
  uint32_t line, column;
  size_t index;
  const char *probe; /* raw (still escaped) string value of probe_key in the element, or NULL */
  size_t probe_len;
} cf_json_item_t;
typedef cf_err (*cf_json_item_cb)(void *ud, const cf_json_item_t *item);
/* The window of cf__json_split in bytes (0: the default, 4 MiB); tests make it small. */
extern size_t cf__json_split_window;
cf_err cf__json_split(cf_reader_t *rd, const char *name, const char *key, const char *probe_key,
                      size_t max_item, cf_json_item_cb cb, void *ud, cf_diag_t *diag);

/* Maps a CloudFormation short-form tag on value v to its long form ({"Ref": ...},
 * {"Fn::GetAtt": [...]} ...). Returns NULL with *err set when the tag is not a CloudFormation
 * tag (err CF_ENOTFOUND) or memory runs out (CF_ENOMEM). */
cf_node_t *cf__cfn_tag(cf_arena_t *a, const char *tag, cf_node_t *v, cf_err *err);

#ifdef __cplusplus
}
#endif
#endif
