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

/* A `# cloudfort:ignore RULE reason` (or `//`) comment: the line it is on and its text
 * after the marker. */
typedef struct hcl_note {
  uint32_t line;
  const char *text;
} hcl_note_t;

typedef struct hcl_file {
  hcl_body_t body;
  hcl_note_t *notes;
  uint32_t n_notes;
} hcl_file_t;

/* Nesting of expressions and blocks one file may have. */
#define HCL_MAX_DEPTH 256u

/*
 * Parses HCL native syntax text[0..len) into *out, allocated in a. Positions carry file.
 * Returns CF_OK; CF_EPARSE with name, line, column and what was expected in diag;
 * CF_ELIMIT for nesting deeper than HCL_MAX_DEPTH; CF_ENOMEM.
 */
cf_err cf__hcl_parse(cf_arena_t *a, const char *text, size_t len, uint32_t file, const char *name,
                     hcl_file_t **out, cf_diag_t *diag) CF_MUST_CHECK;

#endif
