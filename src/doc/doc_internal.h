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

/* Writes s[0..n) as a quoted JSON string; invalid UTF-8 becomes U+FFFD. */
cf_err cf__json_escape(cf_buf_t *b, const char *s, size_t n) CF_MUST_CHECK;

/* The front ends. buf must be followed by CF_JSON_PADDING readable bytes for JSON when
 * `padded` is set in cf__doc_parse_json_padded; cf__doc_parse_json copies when needed. */
cf_err cf__doc_parse_json(const cf_ctx_t *ctx, const char *buf, size_t len,
                          const cf_doc_opts_t *opts, cf_doc_t **out, cf_diag_t *diag);
cf_err cf__doc_parse_yaml(const cf_ctx_t *ctx, const char *buf, size_t len,
                          const cf_doc_opts_t *opts, cf_doc_t **out, cf_diag_t *diag);

/*
 * Parses JSON text into nodes allocated in arena a (no document wrapper), with positions
 * computed against (line, column) of `base` for the first byte: used for JSON embedded in a
 * string, whose positions all map to the string's own position when `flat` is set.
 */
cf_err cf__json_parse_into(const cf_ctx_t *ctx, cf_arena_t *a, const char *buf, size_t len,
                           uint32_t file, const char *name, bool flat, cf_pos_t base,
                           cf_node_t **out, cf_diag_t *diag);

/*
 * Streams a large JSON document: the top level must be an object; each element of the array
 * under top-level key `key` is built into a fresh tree in `a` (which the callback may reset
 * between elements with cf__arena_reset) and passed to cb. Other top-level members are built
 * into *top (an object without the streamed key) before or after the streaming, in order.
 * buf must have CF_JSON_PADDING zero bytes readable after len. cb returns CF_OK to go on.
 */
typedef cf_err (*cf_json_elem_cb)(void *ud, cf_node_t *elem, size_t index);
cf_err cf__json_stream(const cf_ctx_t *ctx, const char *buf, size_t len, uint32_t file,
                       const char *name, const char *key, cf_arena_t *a, cf_arena_t *top_arena,
                       cf_node_t **top, cf_json_elem_cb cb, void *ud, cf_diag_t *diag);

/* Maps a CloudFormation short-form tag on value v to its long form ({"Ref": ...},
 * {"Fn::GetAtt": [...]} ...). Returns NULL with *err set when the tag is not a CloudFormation
 * tag (err CF_ENOTFOUND) or memory runs out (CF_ENOMEM). */
cf_node_t *cf__cfn_tag(cf_arena_t *a, const char *tag, cf_node_t *v, cf_err *err);

#ifdef __cplusplus
}
#endif
#endif
