/*
 * hcl.h - Terraform source: the syntax tree of HCL's native syntax (hcl_parse.c) and its
 * evaluation into values (hcl_eval.c). Internal to the posture module.
 *
 * The tree follows HashiCorp's HCL native syntax specification: a file is a body of
 * attributes (`name = expr`) and blocks (`type "label" ... { body }`); expressions are
 * literals, templates (quoted strings and heredocs with `${...}` interpolations and `%{...}`
 * directives), tuples, objects, variables with attribute, index and splat traversals,
 * function calls, unary, binary and conditional operators and `for` expressions. Every node
 * keeps the file, line and column it starts at, so that findings point into the `.tf` file.
 *
 * Memory: everything lives in the arena given to the parser and is freed with it.
 */
#ifndef CF_POSTURE_HCL_H
#define CF_POSTURE_HCL_H

#include "cloudfort/doc.h"
#include "cloudfort/error.h"
#include "core/core.h"

typedef enum hcl_ekind {
  HCL_E_LITERAL = 0, /* value: null, bool, number or string */
  HCL_E_TEMPLATE,    /* items: parts (LITERAL strings, interpolated expressions, TIF, TFOR) */
  HCL_E_TIF,         /* template directive: a = condition, b = then part, c = else part (may be NULL) */
  HCL_E_TFOR,        /* template directive: name/name2 = variables, a = collection, b = body */
  HCL_E_TUPLE,       /* items */
  HCL_E_OBJECT,      /* items: key, value, key, value ... (a bare identifier key is a LITERAL
                        string with HCL_F_BARE_KEY) */
  HCL_E_VAR,         /* name: the root of a traversal ("var", "local", "aws_s3_bucket", ...) */
  HCL_E_GETATTR,     /* a . name */
  HCL_E_INDEX,       /* a [ b ] (also the legacy a.0) */
  HCL_E_SPLAT,       /* a[*] or a.*: b applied to each element (b refers to HCL_E_SPLAT_ITEM) */
  HCL_E_SPLAT_ITEM,  /* the element a splat's traversal starts from */
  HCL_E_CALL,        /* name ( items ) with HCL_F_EXPAND when the last argument ends in ... */
  HCL_E_UNARY,       /* op a */
  HCL_E_BINARY,      /* a op b */
  HCL_E_COND,        /* a ? b : c */
  HCL_E_FOR,         /* [for name, name2 in a : c if d] or {for ... : b => c ... if d} */
  HCL_E_PAREN        /* ( a ) */
} hcl_ekind;

/* Operators. */
enum {
  HCL_OP_NEG = 1, HCL_OP_NOT, HCL_OP_MUL, HCL_OP_DIV, HCL_OP_MOD, HCL_OP_ADD, HCL_OP_SUB,
  HCL_OP_LT, HCL_OP_LE, HCL_OP_GT, HCL_OP_GE, HCL_OP_EQ, HCL_OP_NE, HCL_OP_AND, HCL_OP_OR
};

/* Flags. */
enum {
  HCL_F_EXPAND = 1u << 0,   /* CALL: the last argument is expanded (f(list...)) */
  HCL_F_OBJECT = 1u << 1,   /* FOR: makes an object */
  HCL_F_GROUP = 1u << 2,    /* FOR: object grouping mode (value ...) */
  HCL_F_BARE_KEY = 1u << 3, /* OBJECT key written as a bare identifier */
  HCL_F_ATTR_SPLAT = 1u << 4 /* SPLAT: the attribute-only form a.*.b */
};

typedef struct hcl_expr hcl_expr_t;
struct hcl_expr {
  uint8_t kind;  /* hcl_ekind */
  uint8_t op;    /* UNARY, BINARY */
  uint8_t flags; /* HCL_F_* */
  cf_pos_t pos;
  const char *name;  /* VAR, GETATTR, CALL; FOR and TFOR: the first variable */
  const char *name2; /* FOR and TFOR: the second variable, or NULL */
  hcl_expr_t *a, *b, *c, *d;
  hcl_expr_t **items;
  uint32_t n_items;
  cf_node_t *value; /* LITERAL */
};

typedef struct hcl_attr {
  const char *name;
  cf_pos_t pos;
  hcl_expr_t *expr;
} hcl_attr_t;

typedef struct hcl_block hcl_block_t;

typedef struct hcl_body {
  hcl_attr_t *attrs;
  uint32_t n_attrs;
  hcl_block_t *blocks;
  uint32_t n_blocks;
} hcl_body_t;

struct hcl_block {
  const char *type;
  const char **labels;
  uint32_t n_labels;
  cf_pos_t pos;
  hcl_body_t body;
};

/* A parsed file. (Inline `# cloudfort:ignore` comments are read from the text by the scan,
 * as for every other format.) */
typedef struct hcl_file {
  hcl_body_t body;
} hcl_file_t;

/* A flag on an object value (cf_node_t.flags): an attribute it does not hold is unknown
 * rather than an error. Resource instances are such objects: what the configuration does not
 * set, the provider computes at apply (an id, an ARN). */
#define HCL_NODE_OPEN 0x80u

/* Nesting of expressions and blocks one file may have. */
#define HCL_MAX_DEPTH 256u

/*
 * Parses HCL native syntax text[0..len) into *out, allocated in a. Positions carry file.
 * Returns CF_OK; CF_EPARSE with name, line, column and what was expected in diag;
 * CF_ELIMIT for nesting deeper than HCL_MAX_DEPTH; CF_ENOMEM.
 */
cf_err cf__hcl_parse(cf_arena_t *a, const char *text, size_t len, uint32_t file, const char *name,
                     hcl_file_t **out, cf_diag_t *diag) CF_MUST_CHECK;

/*
 * Parses text[0..len) as a bare template (the contents of a file read by templatefile(): no
 * quotes, no backslash escapes, `${...}` and `%{...}` as in a heredoc). Errors as
 * cf__hcl_parse.
 */
cf_err cf__hcl_parse_template(cf_arena_t *a, const char *text, size_t len, uint32_t file, const char *name,
                              hcl_expr_t **out, cf_diag_t *diag) CF_MUST_CHECK;

/* The same, for text that starts at position `at` of a file (a string of the JSON variant,
 * whose first character is at at.column + 1). */
cf_err cf__hcl_parse_template_at(cf_arena_t *a, const char *text, size_t len, cf_pos_t at, const char *name,
                                 hcl_expr_t **out, cf_diag_t *diag) CF_MUST_CHECK;

/*
 * Reads a Terraform file in the JSON variant (`.tf.json`, `.tfvars.json`) into the same
 * tree (hcl_json.c). Strings are templates; which objects are blocks and which are map
 * values follows Terraform's top-level structure and, inside resources, the rule documented
 * there. Errors as cf__hcl_parse.
 */
cf_err cf__hcl_from_json(const cf_ctx_t *ctx, cf_arena_t *a, const char *text, size_t len, uint32_t file,
                         const char *name, hcl_file_t **out, cf_diag_t *diag) CF_MUST_CHECK;

/* ---- evaluation (hcl_eval.c) ---- */

/* A name bound by a `for` expression or a template `for` directive. */
typedef struct hcl_scope {
  const char *name;
  const cf_node_t *value;
  const struct hcl_scope *up;
} hcl_scope_t;

/*
 * Resolves a traversal that starts at a name no scope binds: root, followed by up to two
 * attribute names a1 and a2 (NULL when the traversal has fewer). Returns the value of
 * root[.a1[.a2]] and sets *used to the number of attribute names consumed (0 to 2); returns
 * NULL for a name the caller does not know (an evaluation error).
 */
typedef const cf_node_t *(*hcl_lookup_cb)(void *ud, const char *root, const char *a1, const char *a2,
                                          unsigned *used, cf_pos_t pos);

typedef struct hcl_ev {
  cf_arena_t *a;
  const cf_ctx_t *ctx;
  hcl_lookup_cb lookup;
  void *ud;
  const hcl_scope_t *scope;
  const char *module_dir; /* relative paths of file() and templatefile() start here */
  const char *root_dir;   /* files outside it are never read (realpath, no trailing slash) */
  uint32_t file;          /* file index for values read from files */
  unsigned depth;
  const cf_node_t *splat_item;
  /* The last error (a missing attribute, a type mismatch, a bad call): try() and can()
   * catch it; otherwise the caller reports it. */
  bool failed;
  char why[200];
  cf_pos_t why_pos;
  bool oom;
} hcl_ev_t;

/*
 * Evaluates e. Values are trees of cf_node_t in ev->a (borrowed ones may be shared: never
 * modify a result). A value not known statically is CF_NODE_UNKNOWN, and so is anything
 * computed from one. Returns NULL on an evaluation error (ev->failed, ev->why) or when out of
 * memory (ev->oom).
 */
const cf_node_t *cf__hcl_eval(hcl_ev_t *ev, const hcl_expr_t *e);

/* The value's text as a template would insert it (strings, numbers, booleans); NULL for
 * other kinds. */
const char *cf__hcl_to_string(hcl_ev_t *ev, const cf_node_t *v);

/* Whether a value is or holds an unknown. */
bool cf__hcl_has_unknown(const cf_node_t *v, unsigned depth);

#endif
