/*
 * doc_yaml.c - the YAML front end: libyaml's event parser into the document model.
 *
 * libyaml's own document loader recurses and has no limit on alias expansion, so we build from
 * the event stream with an explicit stack instead. Design points:
 *
 * - Aliases point at the anchored node (no copy); the node is then shared and flagged. Each
 *   node's "weight" is the number of values a reader would see when walking it with aliases
 *   expanded; the sum of the weights of all alias uses is capped by max_alias_nodes, which
 *   stops a billion-laughs document after a bounded amount of work and memory.
 * - Merge keys (`<<: *base`, or a list of them) add the members that the mapping does not set
 *   itself, as YAML 1.1's merge type specifies; merged members count as alias expansion.
 * - Plain scalars are resolved with the YAML 1.2 core schema (null, booleans, integers in
 *   decimal, 0o and 0x, floats, .inf, .nan). Decimal integers with a leading zero stay strings:
 *   they are account ids and codes far more often than numbers in cloud configuration.
 * - With cfn_tags set, CloudFormation short forms become their long forms (cfn_tags.c).
 * - Positions are libyaml's marks (0-based, made 1-based here); columns count characters.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "doc_internal.h"

typedef struct anchor {
  char *name;
  cf_node_t *node;
  uint64_t weight;
} anchor_t;

typedef struct frame {
  cf_node_t *node;     /* array or object under construction */
  char *anchor;        /* anchor to register when the node completes (malloc'd) */
  char *tag;           /* tag of the node (malloc'd) */
  uint64_t weight;
  /* mapping state */
  bool have_key;
  char *key;           /* arena string */
  size_t key_len;
  cf_pos_t key_pos;
  bool key_is_merge;
  cf_node_t **merges;  /* sources of `<<` (malloc'd array) */
  size_t n_merges;
  cf_pos_t merge_pos;  /* where the last `<<` key is, for errors */
} frame_t;

typedef struct ybuild {
  const cf_ctx_t *ctx;
  cf_arena_t *arena;
  const char *name;
  uint32_t file;
  bool cfn;
  uint64_t nodes, max_nodes;
  uint64_t alias_nodes, max_alias_nodes;
  uint32_t max_depth;
  frame_t *stack;
  size_t depth, cap;
  anchor_t *anchors;
  size_t n_anchors, cap_anchors;
  cf_node_t **roots;
  size_t n_roots, cap_roots;
  cf_diag_t *diag;
  cf_err err;
} ybuild_t;

static cf_pos_t mark_pos(const ybuild_t *b, yaml_mark_t m) {
  cf_pos_t p = {b->file, (uint32_t)m.line + 1, (uint32_t)m.column + 1};
  return p;
}

static cf_err yfail(ybuild_t *b, cf_err code, yaml_mark_t m, const char *msg) {
  if (b->err) return b->err;
  b->err = cf_diag_set(b->diag, code, b->name, (uint32_t)m.line + 1, (uint32_t)m.column + 1,
                       "%s", msg);
  return b->err;
}

static cf_err count_node(ybuild_t *b, yaml_mark_t m) {
  if (++b->nodes > b->max_nodes) return yfail(b, CF_ELIMIT, m, "document has more values than the limit");
  return CF_OK;
}

/* ---- scalars ---- */

static bool all_digits(const char *s, size_t n, int base) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    bool ok = base == 16 ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
              : base == 8 ? (c >= '0' && c <= '7')
                          : (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

static bool is_float_text(const char *s) {
  /* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
  const char *p = s;
  if (*p == '-' || *p == '+') p++;
  bool digits = false;
  while (*p >= '0' && *p <= '9') { p++; digits = true; }
  if (*p == '.') {
    p++;
    while (*p >= '0' && *p <= '9') { p++; digits = true; }
  }
  if (!digits) return false;
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '-' || *p == '+') p++;
    if (!(*p >= '0' && *p <= '9')) return false;
    while (*p >= '0' && *p <= '9') p++;
  }
  return *p == '\0';
}

/* Resolves a plain scalar's type per the YAML 1.2 core schema. */
static cf_node_t *resolve_plain(ybuild_t *b, const char *s, size_t n, cf_pos_t pos) {
  cf_arena_t *a = b->arena;
  if (n == 0 || (n == 1 && s[0] == '~') || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
      strcmp(s, "NULL") == 0)
    return cf_node_new(a, CF_NODE_NULL, pos);
  if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
    return cf_node_new_bool(a, true, pos);
  if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
    return cf_node_new_bool(a, false, pos);
  const char *d = s;
  size_t dn = n;
  if (*d == '-' || *d == '+') { d++; dn--; }
  if (all_digits(d, dn, 10) && !(dn > 1 && d[0] == '0')) {
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno == 0 && end && *end == '\0') return cf_node_new_int(a, v, pos);
    return cf_node_new_float(a, strtod(s, NULL), pos);
  }
  if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    int base = s[1] == 'x' ? 16 : 8;
    if (all_digits(s + 2, n - 2, base)) {
      errno = 0;
      unsigned long long v = strtoull(s + 2, NULL, base);
      if (errno == 0 && v <= INT64_MAX) return cf_node_new_int(a, (int64_t)v, pos);
    }
  }
  if (strcmp(s, ".inf") == 0 || strcmp(s, ".Inf") == 0 || strcmp(s, ".INF") == 0 ||
      strcmp(s, "+.inf") == 0 || strcmp(s, "+.Inf") == 0 || strcmp(s, "+.INF") == 0)
    return cf_node_new_float(a, INFINITY, pos);
  if (strcmp(s, "-.inf") == 0 || strcmp(s, "-.Inf") == 0 || strcmp(s, "-.INF") == 0)
    return cf_node_new_float(a, -INFINITY, pos);
  if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)
    return cf_node_new_float(a, NAN, pos);
  if (is_float_text(s) && !(dn > 1 && d[0] == '0' && d[1] != '.')) return cf_node_new_float(a, strtod(s, NULL), pos);
  return cf_node_new_str(a, s, n, pos);
}

static bool tag_is(const char *tag, const char *core) {
  /* "tag:yaml.org,2002:str" as libyaml reports it for "!!str" */
  static const char prefix[] = "tag:yaml.org,2002:";
  return tag && strncmp(tag, prefix, sizeof(prefix) - 1) == 0 &&
         strcmp(tag + sizeof(prefix) - 1, core) == 0;
}

static cf_node_t *make_scalar(ybuild_t *b, const yaml_event_t *ev) {
  const char *s = (const char *)ev->data.scalar.value;
  size_t n = ev->data.scalar.length;
  cf_pos_t pos = mark_pos(b, ev->start_mark);
  const char *tag = (const char *)ev->data.scalar.tag;
  bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  cf_node_t *node;
  if (tag && tag[0] == '!' && tag[1] != '\0' && !b->cfn) tag = NULL; /* local tags are ignored */
  if (tag_is(tag, "str") || tag_is(tag, "binary") || tag_is(tag, "timestamp")) {
    node = cf_node_new_str(b->arena, s, n, pos);
  } else if (tag_is(tag, "int") || tag_is(tag, "float") || tag_is(tag, "bool") ||
             tag_is(tag, "null")) {
    node = resolve_plain(b, s, n, pos);
  } else if (plain && (!tag || tag[0] == '!')) {
    node = resolve_plain(b, s, n, pos);
  } else {
    node = cf_node_new_str(b->arena, s, n, pos);
  }
  if (!node) return NULL;
  if (!plain) node->flags |= CF_NODE_F_QUOTED;
  return node;
}

/* Applies a CloudFormation short-form tag, when there is one. */
static cf_node_t *apply_tag(ybuild_t *b, const char *tag, cf_node_t *node, yaml_mark_t m) {
  if (!b->cfn || !tag || tag[0] != '!' || tag[1] == '!') return node;
  cf_err e;
  cf_node_t *w = cf__cfn_tag(b->arena, tag, node, &e);
  if (w) return w;
  if (e == CF_ENOMEM) {
    yfail(b, CF_ENOMEM, m, "out of memory");
    return NULL;
  }
  return node; /* some other local tag: keep the value */
}

/* ---- anchors ---- */

static cf_err add_anchor(ybuild_t *b, char *name, cf_node_t *node, uint64_t weight,
                         yaml_mark_t m) {
  if (!name) return CF_OK;
  /* A later anchor with the same name replaces the earlier one (YAML 1.2, 3.2.2.2). */
  for (size_t i = b->n_anchors; i-- > 0;) {
    if (strcmp(b->anchors[i].name, name) == 0) {
      free(b->anchors[i].name);
      b->anchors[i].name = name;
      b->anchors[i].node = node;
      b->anchors[i].weight = weight;
      return CF_OK;
    }
  }
  if (b->n_anchors == b->cap_anchors) {
    size_t nc = b->cap_anchors ? b->cap_anchors * 2 : 16;
    anchor_t *na = realloc(b->anchors, nc * sizeof(*na));
    if (!na) {
      free(name);
      return yfail(b, CF_ENOMEM, m, "out of memory");
    }
    b->anchors = na;
    b->cap_anchors = nc;
  }
  b->anchors[b->n_anchors++] = (anchor_t){name, node, weight};
  node->flags |= CF_NODE_F_SHARED;
  return CF_OK;
}

static anchor_t *find_anchor(ybuild_t *b, const char *name) {
  for (size_t i = b->n_anchors; i-- > 0;)
    if (strcmp(b->anchors[i].name, name) == 0) return &b->anchors[i];
  return NULL;
}

/* ---- building ---- */

static char *dup_or_null(const yaml_char_t *s) { return s ? strdup((const char *)s) : NULL; }

/* Adds a completed node (of the given expanded weight) to the current container or as a root. */
static cf_err attach(ybuild_t *b, cf_node_t *node, uint64_t weight, yaml_mark_t m) {
  if (b->depth == 0) {
    if (b->n_roots == b->cap_roots) {
      size_t nc = b->cap_roots ? b->cap_roots * 2 : 4;
      cf_node_t **nr = realloc(b->roots, nc * sizeof(*nr));
      if (!nr) return yfail(b, CF_ENOMEM, m, "out of memory");
      b->roots = nr;
      b->cap_roots = nc;
    }
    b->roots[b->n_roots++] = node;
    return CF_OK;
  }
  frame_t *f = &b->stack[b->depth - 1];
  f->weight += weight;
  if (f->node->type == CF_NODE_ARRAY) {
    if (cf_node_push(b->arena, f->node, node) != CF_OK) return yfail(b, CF_ENOMEM, m, "out of memory");
    return CF_OK;
  }
  if (!f->have_key) {
    /* This node is a key. Scalars are keys as they are; other keys become their JSON text. */
    if (node->type == CF_NODE_STRING) {
      f->key = (char *)node->u.s;
      f->key_len = node->len;
      f->key_is_merge = node->len == 2 && memcmp(node->u.s, "<<", 2) == 0 &&
                        !(node->flags & CF_NODE_F_QUOTED);
    } else if (node->type == CF_NODE_NULL) {
      f->key = "";
      f->key_len = 0;
      f->key_is_merge = false;
    } else {
      char *txt = cf_node_to_json(b->arena, node, 4096);
      if (!txt) return yfail(b, CF_ELIMIT, m, "mapping key too large");
      f->key = txt;
      f->key_len = strlen(txt);
      f->key_is_merge = false;
    }
    f->key_pos = node->pos;
    f->have_key = true;
    return CF_OK;
  }
  f->have_key = false;
  if (f->key_is_merge) {
    /* `<<: *a` or `<<: [*a, *b]`: remember the sources; merged at the end of the mapping. */
    size_t add = node->type == CF_NODE_ARRAY ? node->len : 1;
    cf_node_t **nm = realloc(f->merges, (f->n_merges + add) * sizeof(*nm));
    if (!nm) return yfail(b, CF_ENOMEM, m, "out of memory");
    f->merges = nm;
    f->merge_pos = f->key_pos;
    if (node->type == CF_NODE_ARRAY) {
      for (uint32_t i = 0; i < node->len; i++) f->merges[f->n_merges++] = node->u.items[i];
    } else {
      f->merges[f->n_merges++] = node;
    }
    return CF_OK;
  }
  if (cf__node_append_member(b->arena, f->node, f->key, f->key_len, f->key_pos, node) != CF_OK)
    return yfail(b, CF_ENOMEM, m, "out of memory");
  return CF_OK;
}

static cf_err do_merges(ybuild_t *b, frame_t *f, yaml_mark_t m) {
  cf_node_t *obj = f->node;
  for (size_t i = 0; i < f->n_merges; i++) {
    const cf_node_t *src = f->merges[i];
    if (src->type != CF_NODE_OBJECT) {
      /* Point at the merge key rather than at the end of the mapping. */
      yaml_mark_t at = m;
      if (f->merge_pos.line) {
        at.line = f->merge_pos.line - 1;
        at.column = f->merge_pos.column - 1;
      }
      return yfail(b, CF_EPARSE, at, "merge key '<<' needs a mapping or a list of mappings");
    }
    b->alias_nodes += src->len;
    if (b->alias_nodes > b->max_alias_nodes)
      return yfail(b, CF_ELIMIT, m, "alias and merge expansion passes the limit");
    for (uint32_t k = 0; k < src->len; k++) {
      const cf_member_t *sm = &src->u.members[k];
      if (cf_node_member(obj, sm->key)) continue; /* the mapping's own keys win */
      if (cf__node_append_member(b->arena, obj, sm->key, sm->key_len, sm->key_pos, sm->value))
        return yfail(b, CF_ENOMEM, m, "out of memory");
    }
  }
  return CF_OK;
}

static cf_err push_frame(ybuild_t *b, cf_node_type t, const yaml_event_t *ev,
                         const yaml_char_t *anchor, const yaml_char_t *tag) {
  if (b->depth >= b->max_depth) {
    char msg[96];
    snprintf(msg, sizeof msg, "nesting deeper than the limit of %u levels", b->max_depth);
    return yfail(b, CF_ELIMIT, ev->start_mark, msg);
  }
  if (count_node(b, ev->start_mark)) return b->err;
  if (b->depth == b->cap) {
    size_t nc = b->cap ? b->cap * 2 : 16;
    frame_t *ns = realloc(b->stack, nc * sizeof(*ns));
    if (!ns) return yfail(b, CF_ENOMEM, ev->start_mark, "out of memory");
    b->stack = ns;
    b->cap = nc;
  }
  cf_node_t *n = cf_node_new(b->arena, t, mark_pos(b, ev->start_mark));
  if (!n) return yfail(b, CF_ENOMEM, ev->start_mark, "out of memory");
  frame_t *f = &b->stack[b->depth++];
  memset(f, 0, sizeof(*f));
  f->node = n;
  f->weight = 1;
  f->anchor = dup_or_null(anchor);
  f->tag = dup_or_null(tag);
  if ((anchor && !f->anchor) || (tag && !f->tag)) return yfail(b, CF_ENOMEM, ev->start_mark, "out of memory");
  return CF_OK;
}

static void frame_cleanup(frame_t *f) {
  free(f->anchor);
  free(f->tag);
  free(f->merges);
  f->anchor = f->tag = NULL;
  f->merges = NULL;
}

static cf_err pop_frame(ybuild_t *b, const yaml_event_t *ev) {
  frame_t f = b->stack[--b->depth];
  cf_err e = CF_OK;
  if (f.node->type == CF_NODE_OBJECT && f.have_key) {
    /* A key without a value cannot happen with libyaml's events; be safe anyway. */
    e = yfail(b, CF_EPARSE, ev->start_mark, "mapping key without a value");
  }
  if (!e && f.n_merges) e = do_merges(b, &f, ev->start_mark);
  cf_node_t *node = f.node;
  if (!e) {
    node = apply_tag(b, f.tag, node, ev->start_mark);
    if (!node) e = b->err;
  }
  if (!e && f.anchor) {
    e = add_anchor(b, f.anchor, node, f.weight, ev->start_mark);
    f.anchor = NULL; /* owned by the anchor table now */
  }
  if (!e) e = attach(b, node, f.weight, ev->start_mark);
  frame_cleanup(&f);
  return e;
}

static cf_err on_event(ybuild_t *b, const yaml_event_t *ev) {
  switch (ev->type) {
  case YAML_SCALAR_EVENT: {
    if (count_node(b, ev->start_mark)) return b->err;
    cf_node_t *n = make_scalar(b, ev);
    if (!n) return yfail(b, CF_ENOMEM, ev->start_mark, "out of memory");
    n = apply_tag(b, (const char *)ev->data.scalar.tag, n, ev->start_mark);
    if (!n) return b->err;
    if (ev->data.scalar.anchor) {
      char *name = strdup((const char *)ev->data.scalar.anchor);
      if (!name) return yfail(b, CF_ENOMEM, ev->start_mark, "out of memory");
      if (add_anchor(b, name, n, 1, ev->start_mark)) return b->err;
    }
    return attach(b, n, 1, ev->start_mark);
  }
  case YAML_SEQUENCE_START_EVENT:
    return push_frame(b, CF_NODE_ARRAY, ev, ev->data.sequence_start.anchor,
                      ev->data.sequence_start.tag);
  case YAML_MAPPING_START_EVENT:
    return push_frame(b, CF_NODE_OBJECT, ev, ev->data.mapping_start.anchor,
                      ev->data.mapping_start.tag);
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    return pop_frame(b, ev);
  case YAML_ALIAS_EVENT: {
    anchor_t *an = find_anchor(b, (const char *)ev->data.alias.anchor);
    if (!an) return yfail(b, CF_EPARSE, ev->start_mark, "alias to an undefined anchor");
    b->alias_nodes += an->weight;
    if (b->alias_nodes > b->max_alias_nodes)
      return yfail(b, CF_ELIMIT, ev->start_mark,
                   "alias expansion passes the limit (a 'billion laughs' document?)");
    return attach(b, an->node, an->weight, ev->start_mark);
  }
  case YAML_DOCUMENT_END_EVENT:
    /* Anchors do not carry across documents of a stream. */
    for (size_t i = 0; i < b->n_anchors; i++) free(b->anchors[i].name);
    b->n_anchors = 0;
    return CF_OK;
  default:
    return CF_OK;
  }
}

cf_err cf__doc_parse_yaml(const cf_ctx_t *ctx, const char *buf, size_t len,
                          const cf_doc_opts_t *opts, cf_doc_t **out, cf_diag_t *diag) {
  *out = NULL;
  const cf_limits_t *lim = cf__limits(ctx);
  cf_doc_t *doc = NULL;
  cf_err err = cf_doc_new(opts->file, &doc);
  if (err) return cf_diag_set(diag, err, opts->name, 0, 0, "out of memory");
  ybuild_t b;
  memset(&b, 0, sizeof(b));
  b.ctx = ctx;
  b.arena = doc->arena;
  b.name = opts->name ? opts->name : "<input>";
  b.file = opts->file;
  b.cfn = opts->cfn_tags;
  b.max_nodes = lim->max_nodes;
  b.max_alias_nodes = lim->max_alias_nodes;
  b.max_depth = lim->max_depth;
  b.diag = diag;

  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    cf_doc_free(doc);
    return cf_diag_set(diag, CF_ENOMEM, opts->name, 0, 0, "out of memory");
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
  bool done = false;
  while (!done && !b.err) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      char msg[512];
      /* libyaml 0.2.5 reports some allocation failures (in its tag and anchor scanners) with
       * no error set at all; every syntax error it reports sets one. */
      if (parser.error == YAML_MEMORY_ERROR || parser.error == YAML_NO_ERROR) {
        b.err = cf_diag_set(diag, CF_ENOMEM, b.name, 0, 0, "out of memory");
        break;
      }
      if (parser.context)
        snprintf(msg, sizeof msg, "%s %s", parser.problem ? parser.problem : "syntax error",
                 parser.context);
      else
        snprintf(msg, sizeof msg, "%s", parser.problem ? parser.problem : "syntax error");
      yaml_mark_t where = parser.problem_mark;
      if (parser.error == YAML_READER_ERROR) {
        /* The reader (invalid UTF-8, control characters) reports a byte offset and leaves
         * problem_mark unset; point at the offending byte instead of 1:1. */
        uint32_t line, col;
        cf__line_col(buf, len, parser.problem_offset, &line, &col);
        where.line = line - 1;
        where.column = col - 1;
      }
      yfail(&b, CF_EPARSE, where, msg);
      break;
    }
    done = ev.type == YAML_STREAM_END_EVENT;
    on_event(&b, &ev);
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  for (size_t i = 0; i < b.depth; i++) frame_cleanup(&b.stack[i]);
  free(b.stack);
  for (size_t i = 0; i < b.n_anchors; i++) free(b.anchors[i].name);
  free(b.anchors);
  if (!b.err && b.n_roots) {
    doc->roots = cf__arena_alloc(doc->arena, b.n_roots * sizeof(cf_node_t *));
    if (!doc->roots) b.err = cf_diag_set(diag, CF_ENOMEM, b.name, 0, 0, "out of memory");
    else {
      memcpy(doc->roots, b.roots, b.n_roots * sizeof(cf_node_t *));
      doc->n_roots = b.n_roots;
    }
  }
  free(b.roots);
  if (b.err) {
    cf_doc_free(doc);
    return b.err;
  }
  *out = doc;
  return CF_OK;
}
