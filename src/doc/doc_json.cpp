/*
 * doc_json.cpp - the JSON front end: simdjson's On-Demand parser into the document model.
 *
 * This is the tree's one C++ file; it exposes plain C functions (doc_internal.h) and lets no
 * exception or C++ type cross that line (simdjson is used in its error-code mode).
 *
 * Why On-Demand rather than simdjson's DOM: the DOM does not keep where a value was, and every
 * finding must point at a line. On-Demand hands out pointers into the input for every token,
 * so a position is its byte offset. Line and column are computed as the tree is built: values
 * arrive in input order, so a cursor that counts newlines from the last offset (memchr) costs
 * one pass over the input in total.
 *
 * Limits: nesting depth and node count come from the context; the input must be followed by
 * CF_JSON_PADDING readable bytes (the file reader provides them; otherwise we copy).
 */
#include <simdjson.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <strings.h>
#include <new>

#include "doc_internal.h"

/*
 * simdjson's On-Demand code is inlined, so its kernel is fixed by the flags this file is
 * compiled with; it has no run-time dispatch. The Makefile compiles it for SSE4.2 and
 * PCLMULQDQ on x86-64 (simdjson's "westmere" kernel, which every x86-64 CPU since 2010 runs)
 * rather than AVX2: a second AVX2 build picked at run time would share inline functions with
 * this one through the linker, and a non-AVX2 machine could then meet an AVX2 instruction.
 */
#define CF_JSON_FN(name) name

using namespace simdjson;

static_assert(CF_JSON_PADDING >= SIMDJSON_PADDING, "padding too small for simdjson");

namespace {

/*
 * simdjson 3.0's ondemand::parser::allocate() does not check the allocation of its string
 * buffer: when `new (std::nothrow)` fails it still reports success, and the first string it
 * unescapes is written through a null pointer. The buffer is private; it is reached the one
 * way C++ allows around access control, a member pointer named in an explicit instantiation
 * (access is not checked there, [temp.explicit]), so that a failed allocation becomes
 * CF_ENOMEM instead of a crash.
 */
struct string_buf_of {
  typedef std::unique_ptr<uint8_t[]> ondemand::parser::*type;
  friend type member(string_buf_of);
};
template <typename Tag, typename Tag::type M> struct expose {
  friend typename Tag::type member(Tag) { return M; }
};
template struct expose<string_buf_of, &ondemand::parser::string_buf>;

bool has_string_buf(const ondemand::parser &p) { return (p.*member(string_buf_of())) != nullptr; }

struct builder {
  const cf_ctx_t *ctx;
  cf_arena_t *arena;
  const char *base;   /* input start */
  size_t len;
  uint32_t file;
  const char *name;
  bool flat;          /* every position is `fixed` (JSON embedded in a string) */
  cf_pos_t fixed;
  const char *const *top_keys; /* when set, only these members of the root object are built;
                                  "name.sub" entries also narrow the object member `name` to
                                  the listed subs (one such name per list) */
  /* top_keys taken apart once per parse (see set_keys): lengths known, subs separate. */
  struct key_ref {
    const char *s;
    size_t len;
  } tops[32], subs[32];
  size_t n_tops, n_subs;
  const char *parent; /* the narrowed member's name, NULL when none */
  size_t parent_len;
  bool in_parent;     /* building the narrowed member's value */
  bool one_line;      /* the input has no newline: a position is its offset on line_base */
  uint32_t line_base; /* line and column of the first input byte in the file (1, 1 normally) */
  uint32_t col_base;
  /* line cursor */
  size_t cur_off;
  uint32_t cur_line;
  size_t cur_line_start;
  uint64_t nodes;
  uint64_t max_nodes;
  uint32_t max_depth;
  cf_diag_t *diag;
  cf_err err;
};

inline cf_pos_t pos_at(builder &b, const char *p) {
  if (b.flat) return b.fixed;
  size_t off = (p && p >= b.base && p <= b.base + b.len) ? (size_t)(p - b.base) : b.len;
  if (b.one_line) return cf_pos_t{b.file, b.line_base, (uint32_t)(b.col_base + off)};
  if (off < b.cur_off) { /* not expected, but stay correct */
    b.cur_off = 0;
    b.cur_line = 1;
    b.cur_line_start = 0;
  }
  const char *s = b.base + b.cur_off, *e = b.base + off;
  while (s < e) {
    const char *nl = (const char *)memchr(s, '\n', (size_t)(e - s));
    if (!nl) break;
    b.cur_line++;
    s = nl + 1;
    b.cur_line_start = (size_t)(s - b.base);
  }
  b.cur_off = off;
  cf_pos_t pos;
  pos.file = b.file;
  pos.line = b.line_base + b.cur_line - 1;
  pos.column = (uint32_t)(off - b.cur_line_start + 1) + (b.cur_line == 1 ? b.col_base - 1 : 0);
  return pos;
}

cf_err fail(builder &b, cf_err code, const char *where, const char *msg) {
  if (b.err) return b.err;
  cf_pos_t p = pos_at(b, where);
  b.err = cf_diag_set(b.diag, code, b.name, p.line, p.column, "%s", msg);
  return b.err;
}

const char *describe(error_code e) {
  switch (e) {
  case TAPE_ERROR: return "malformed JSON structure";
  case INCOMPLETE_ARRAY_OR_OBJECT: return "unexpected end of input: unclosed array or object";
  case UNCLOSED_STRING: return "unterminated string";
  case STRING_ERROR: return "invalid string (bad escape or control character)";
  case T_ATOM_ERROR: return "invalid literal (expected true)";
  case F_ATOM_ERROR: return "invalid literal (expected false)";
  case N_ATOM_ERROR: return "invalid literal (expected null)";
  case NUMBER_ERROR: return "invalid number";
  case UTF8_ERROR: return "invalid UTF-8";
  case UNESCAPED_CHARS: return "control character in a string (it must be escaped)";
  case INCORRECT_TYPE: return "invalid literal (expected true, false or null)";
  case EMPTY: return "empty input";
  case DEPTH_ERROR: return "nesting too deep";
  case CAPACITY: return "input too large for the JSON parser";
  default: return error_message(e);
  }
}

/* The first control character inside a string (which JSON requires to be escaped), or NULL. */
const char *first_unescaped(const builder &b) {
  bool in_string = false;
  for (size_t i = 0; i < b.len; i++) {
    unsigned char c = (unsigned char)b.base[i];
    if (!in_string) {
      in_string = c == '"';
    } else if (c == '\\') {
      i++;
    } else if (c == '"') {
      in_string = false;
    } else if (c < 0x20) {
      return b.base + i;
    }
  }
  return nullptr;
}

/* Where a stage-1 error is: for invalid UTF-8 and unescaped control characters we can find
 * the byte ourselves. */
const char *locate(builder &b, error_code e, const char *fallback) {
  if (e == UTF8_ERROR) {
    size_t ok = cf__utf8_valid_prefix((const uint8_t *)b.base, b.len);
    return b.base + ok;
  }
  if (e == UNESCAPED_CHARS) {
    const char *p = first_unescaped(b);
    if (p) return p;
  }
  if (e == EMPTY || e == INCOMPLETE_ARRAY_OR_OBJECT || e == UNCLOSED_STRING) return b.base + b.len;
  return fallback;
}

inline cf_node_t *new_node(builder &b, cf_node_type t, const char *where) {
  if (++b.nodes > b.max_nodes) {
    fail(b, CF_ELIMIT, where, "document has more values than the limit");
    return nullptr;
  }
  cf_node_t *n = (cf_node_t *)cf__arena_alloc_fast(b.arena, sizeof(cf_node_t));
  if (!n) {
    fail(b, CF_ENOMEM, where, "out of memory");
    return nullptr;
  }
  memset(n, 0, sizeof *n);
  n->type = (uint8_t)t;
  n->pos = pos_at(b, where);
  return n;
}

cf_node_t *build(builder &b, ondemand::value val, unsigned depth);

cf_node_t *build_array(builder &b, ondemand::array arr, const char *where, unsigned depth) {
  cf_node_t *n = new_node(b, CF_NODE_ARRAY, where);
  if (!n) return nullptr;
  /* Items are collected in a temporary vector-like arena block: first count by building into
   * a growable list, then the node points at it. cf_node_push grows by powers of two. */
  for (auto item : arr) {
    ondemand::value v;
    error_code e = std::move(item).get(v);
    if (e) {
      fail(b, CF_EPARSE, locate(b, e, nullptr), describe(e));
      return nullptr;
    }
    cf_node_t *c = build(b, v, depth + 1);
    if (!c) return nullptr;
    if (cf_node_push(b.arena, n, c) != CF_OK) {
      fail(b, CF_ENOMEM, where, "out of memory");
      return nullptr;
    }
  }
  return n;
}

cf_err append_member(builder &b, cf_node_t *obj, std::string_view key, cf_pos_t kpos,
                     cf_node_t *value) {
  return cf__node_append_member(b.arena, obj, key.data(), key.size(), kpos, value);
}

/* Takes a key list apart: plain names, and "parent.sub" entries. Lists longer than the
 * tables are not narrowed (everything is built). */
void set_keys(builder &b, const char *const *keys) {
  b.top_keys = keys;
  b.n_tops = b.n_subs = 0;
  b.parent = nullptr;
  if (!keys) return;
  for (; *keys; keys++) {
    const char *k = *keys, *dot = strchr(k, '.');
    if (!dot) {
      if (b.n_tops == 32) return (void)(b.top_keys = nullptr);
      b.tops[b.n_tops++] = {k, strlen(k)};
      continue;
    }
    size_t pl = (size_t)(dot - k);
    if (!b.parent) {
      b.parent = k;
      b.parent_len = pl;
      if (b.n_tops == 32) return (void)(b.top_keys = nullptr);
      b.tops[b.n_tops++] = {k, pl};
    } else if (pl != b.parent_len || strncmp(k, b.parent, pl) != 0) {
      return (void)(b.top_keys = nullptr); /* a second narrowed member: not supported */
    }
    if (b.n_subs == 32) return (void)(b.top_keys = nullptr);
    b.subs[b.n_subs++] = {dot + 1, strlen(dot + 1)};
  }
}

/* Whether name is in refs (exact first, then ignoring ASCII case). */
bool in_refs(const builder::key_ref *refs, size_t n, std::string_view key) {
  size_t len = key.size();
  if (!len) return false;
  int c0 = (unsigned char)key[0] | 0x20; /* ASCII letters: one bit apart in either case */
  bool near = false;
  for (size_t i = 0; i < n; i++) {
    if (refs[i].len != len || ((unsigned char)refs[i].s[0] | 0x20) != c0) continue;
    if (memcmp(refs[i].s, key.data(), len) == 0) return true;
    near = true;
  }
  for (size_t i = 0; near && i < n; i++)
    if (refs[i].len == len && strncasecmp(refs[i].s, key.data(), len) == 0) return true;
  return false;
}

cf_node_t *build_object(builder &b, ondemand::object obj, const char *where, unsigned depth) {
  cf_node_t *n = new_node(b, CF_NODE_OBJECT, where);
  if (!n) return nullptr;
  for (auto fr : obj) {
    ondemand::field f;
    error_code e = std::move(fr).get(f);
    if (e) {
      fail(b, CF_EPARSE, locate(b, e, nullptr), describe(e));
      return nullptr;
    }
    const char *kp = f.key().raw();
    cf_pos_t kpos = pos_at(b, kp ? kp - 1 : nullptr);
    std::string_view key;
    if ((e = f.unescaped_key().get(key))) {
      fail(b, CF_EPARSE, kp, describe(e));
      return nullptr;
    }
    if (depth == 1 && b.top_keys && !in_refs(b.tops, b.n_tops, key)) continue; /* skipped unread */
    if (depth == 2 && b.in_parent && !in_refs(b.subs, b.n_subs, key)) continue;
    /* Only the narrowed member's own object is narrowed, not objects deeper in it. */
    bool parent = depth == 1 && b.top_keys && b.parent && key.size() == b.parent_len &&
                  strncasecmp(key.data(), b.parent, key.size()) == 0;
    if (parent) b.in_parent = true;
    cf_node_t *c = build(b, f.value(), depth + 1);
    if (parent) b.in_parent = false;
    if (!c) return nullptr;
    cf_err ae = append_member(b, n, key, kpos, c);
    if (ae) {
      fail(b, ae, where, ae == CF_ENOMEM ? "out of memory" : "key too long");
      return nullptr;
    }
  }
  return n;
}

/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
bool json_number_text(const char *s, size_t n) {
  size_t i = 0;
  auto digit = [&](size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
  if (i < n && s[i] == '-') i++;
  if (!digit(i)) return false;
  if (s[i] == '0') i++;
  else
    while (digit(i)) i++;
  if (i < n && s[i] == '.') {
    i++;
    if (!digit(i)) return false;
    while (digit(i)) i++;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (!digit(i)) return false;
    while (digit(i)) i++;
  }
  return i == n;
}

cf_node_t *build_number(builder &b, ondemand::value &val, const char *where) {
  ondemand::number_type nt;
  error_code e = val.get_number_type().get(nt);
  cf_node_t *n = nullptr;
  if (!e && nt == ondemand::number_type::signed_integer) {
    int64_t i;
    if (!(e = val.get_int64().get(i))) {
      if ((n = new_node(b, CF_NODE_INT, where))) n->u.i = i;
      return n;
    }
  } else if (!e && nt == ondemand::number_type::unsigned_integer) {
    uint64_t u;
    if (!(e = val.get_uint64().get(u))) {
      if ((n = new_node(b, CF_NODE_FLOAT, where))) n->u.f = (double)u;
      return n;
    }
  } else if (!e) {
    double d;
    if (!(e = val.get_double().get(d))) {
      if ((n = new_node(b, CF_NODE_FLOAT, where))) n->u.f = d;
      return n;
    }
  }
  /* Numbers simdjson does not convert (integers beyond 64 bits, exponents out of range) are
   * kept as the nearest double, but only when the whole token is a JSON number: "012",
   * "0x10" or "12abc" are errors, not 12, 0 and 12. */
  std::string_view raw = val.raw_json_token();
  size_t k = raw.size();
  while (k && (raw[k - 1] == ' ' || raw[k - 1] == '\t' || raw[k - 1] == '\n' || raw[k - 1] == '\r')) k--;
  if (!json_number_text(raw.data(), k)) {
    fail(b, CF_EPARSE, where, describe(e ? e : NUMBER_ERROR));
    return nullptr;
  }
  char *tmp = (char *)malloc(k + 1);
  if (!tmp) {
    fail(b, CF_ENOMEM, where, "out of memory");
    return nullptr;
  }
  memcpy(tmp, raw.data(), k);
  tmp[k] = '\0';
  double d = strtod(tmp, nullptr);
  free(tmp);
  if ((n = new_node(b, CF_NODE_FLOAT, where))) n->u.f = d;
  return n;
}

cf_node_t *build(builder &b, ondemand::value val, unsigned depth) {
  const char *where = val.raw_json_token().data();
  if (depth > b.max_depth) {
    char msg[96];
    snprintf(msg, sizeof msg, "nesting deeper than the limit of %u levels", b.max_depth);
    fail(b, CF_ELIMIT, where, msg);
    return nullptr;
  }
  ondemand::json_type t;
  error_code e = val.type().get(t);
  if (e) {
    fail(b, CF_EPARSE, locate(b, e, where), describe(e));
    return nullptr;
  }
  switch (t) {
  case ondemand::json_type::array: {
    ondemand::array arr;
    if ((e = val.get_array().get(arr))) break;
    return build_array(b, arr, where, depth);
  }
  case ondemand::json_type::object: {
    ondemand::object obj;
    if ((e = val.get_object().get(obj))) break;
    return build_object(b, obj, where, depth);
  }
  case ondemand::json_type::string: {
    std::string_view s;
    if ((e = val.get_string().get(s))) break;
    if (s.size() > UINT32_MAX) {
      fail(b, CF_ELIMIT, where, "string too long");
      return nullptr;
    }
    cf_node_t *n = new_node(b, CF_NODE_STRING, where);
    if (!n) return nullptr;
    char *copy = cf__arena_strndup(b.arena, s.data(), s.size());
    if (!copy) {
      fail(b, CF_ENOMEM, where, "out of memory");
      return nullptr;
    }
    n->u.s = copy;
    n->len = (uint32_t)s.size();
    return n;
  }
  case ondemand::json_type::number: return build_number(b, val, where);
  case ondemand::json_type::boolean: {
    bool v;
    if ((e = val.get_bool().get(v))) break;
    cf_node_t *n = new_node(b, CF_NODE_BOOL, where);
    if (n) n->u.b = v;
    return n;
  }
  case ondemand::json_type::null: {
    bool isnull = false;
    if ((e = val.is_null().get(isnull))) break;
    if (!isnull) {
      e = N_ATOM_ERROR;
      break;
    }
    return new_node(b, CF_NODE_NULL, where);
  }
  }
  fail(b, CF_EPARSE, locate(b, e, where), describe(e));
  return nullptr;
}

/* A document whose root is a scalar: On-Demand reads those through the document itself. */
cf_node_t *build_root_scalar(builder &b, ondemand::document &doc, ondemand::json_type t) {
  const char *where = nullptr;
  std::string_view tok;
  if (!doc.raw_json_token().get(tok)) where = tok.data();
  error_code e = SUCCESS;
  cf_node_t *n = nullptr;
  switch (t) {
  case ondemand::json_type::string: {
    std::string_view s;
    if ((e = doc.get_string().get(s))) break;
    cf_pos_t p = pos_at(b, where);
    if (!(n = cf_node_new_str(b.arena, s.data(), s.size(), p))) e = MEMALLOC;
    return n;
  }
  case ondemand::json_type::number: {
    double d;
    int64_t i;
    if (!doc.get_int64().get(i)) {
      if ((n = new_node(b, CF_NODE_INT, where))) n->u.i = i;
      return n;
    }
    if ((e = doc.get_double().get(d))) break;
    if ((n = new_node(b, CF_NODE_FLOAT, where))) n->u.f = d;
    return n;
  }
  case ondemand::json_type::boolean: {
    bool v;
    if ((e = doc.get_bool().get(v))) break;
    if ((n = new_node(b, CF_NODE_BOOL, where))) n->u.b = v;
    return n;
  }
  case ondemand::json_type::null: {
    bool isnull = false;
    if ((e = doc.is_null().get(isnull)) || !isnull) {
      e = e ? e : N_ATOM_ERROR;
      break;
    }
    return new_node(b, CF_NODE_NULL, where);
  }
  default: break;
  }
  fail(b, CF_EPARSE, locate(b, e, where), describe(e));
  return nullptr;
}

void builder_init(builder &b, const cf_ctx_t *ctx, cf_arena_t *a, const char *buf, size_t len,
                  uint32_t file, const char *name, cf_diag_t *diag) {
  const cf_limits_t *lim = cf__limits(ctx);
  b.ctx = ctx;
  b.arena = a;
  b.base = buf;
  b.len = len;
  b.file = file;
  b.name = name ? name : "<input>";
  b.flat = false;
  b.fixed = cf_pos_t{file, 0, 0};
  b.line_base = 1;
  b.col_base = 1;
  b.top_keys = nullptr;
  b.n_tops = b.n_subs = 0;
  b.parent = nullptr;
  b.parent_len = 0;
  b.in_parent = false;
  /* Config items and minified files are one line: positions are then offsets, with no
   * newline counting per value (one vectorised search here instead). */
  b.one_line = len && !memchr(buf, '\n', len);
  b.cur_off = 0;
  b.cur_line = 1;
  b.cur_line_start = 0;
  b.nodes = 0;
  b.max_nodes = lim->max_nodes;
  b.max_depth = lim->max_depth;
  b.diag = diag;
  b.err = CF_OK;
}

/* Parses one whole value from buf (padded) into the arena with the given parser, growing the
 * parser's buffers when the input needs more. */
cf_err parse_value_with(builder &b, ondemand::parser &parser, const char *buf, size_t len, cf_node_t **out) {
  *out = nullptr;
  if (parser.capacity() < len || !has_string_buf(parser)) {
    if (parser.allocate(len < 64 ? 64 : len, b.max_depth + 2) || !has_string_buf(parser))
      return fail(b, CF_ENOMEM, buf, "out of memory");
  }
  padded_string_view view(buf, len, len + CF_JSON_PADDING);
  ondemand::document doc;
  error_code e = parser.iterate(view).get(doc);
  if (e) return fail(b, e == MEMALLOC ? CF_ENOMEM : CF_EPARSE, locate(b, e, buf), describe(e));
  ondemand::json_type t;
  if ((e = doc.type().get(t))) return fail(b, CF_EPARSE, locate(b, e, buf), describe(e));
  cf_node_t *root = nullptr;
  if (t == ondemand::json_type::array || t == ondemand::json_type::object) {
    ondemand::value v;
    if ((e = doc.get_value().get(v))) return fail(b, CF_EPARSE, locate(b, e, buf), describe(e));
    root = build(b, v, 1);
  } else {
    root = build_root_scalar(b, doc, t);
  }
  if (!root) return b.err ? b.err : fail(b, CF_EPARSE, buf, "invalid JSON");
  /* In bounds after the root value means there is more than one value. */
  const char *loc = nullptr;
  if (doc.current_location().get(loc) == SUCCESS && loc)
    return fail(b, CF_EPARSE, loc, "unexpected content after the JSON value");
  *out = root;
  return CF_OK;
}

cf_err parse_value(builder &b, const char *buf, size_t len, cf_node_t **out) {
  ondemand::parser parser;
  return parse_value_with(b, parser, buf, len, out);
}

/*
 * Small documents (an AWS Config item, JSON embedded in a string) are parsed many times per
 * input: each thread keeps one parser and one padded copy buffer for them, so that the
 * parser's buffers are not allocated again for every document. Inputs above SMALL_DOC get a
 * parser of their own, so the cached buffers stay small.
 */
constexpr size_t SMALL_DOC = 4u << 20;

struct small_parsers {
  ondemand::parser parser;
  char *scratch = nullptr;
  size_t scratch_cap = 0;
  ~small_parsers() { free(scratch); }
};
thread_local small_parsers tl_small;

/* A padded copy of buf in the thread's scratch buffer (small inputs) or a fresh one (*own). */
char *padded_copy(const char *buf, size_t len, char **own) {
  *own = nullptr;
  char *dst;
  if (len <= SMALL_DOC) {
    if (tl_small.scratch_cap < len + CF_JSON_PADDING) {
      size_t cap = len + CF_JSON_PADDING < 65536 ? 65536 : len + CF_JSON_PADDING;
      char *n = (char *)realloc(tl_small.scratch, cap);
      if (!n) return nullptr;
      tl_small.scratch = n;
      tl_small.scratch_cap = cap;
    }
    dst = tl_small.scratch;
  } else {
    dst = *own = (char *)malloc(len + CF_JSON_PADDING);
    if (!dst) return nullptr;
  }
  memcpy(dst, buf, len);
  memset(dst + len, 0, CF_JSON_PADDING);
  return dst;
}

cf_err parse_small_or_large(builder &b, const char *copy, size_t len, cf_node_t **out) {
  if (len <= SMALL_DOC) return parse_value_with(b, tl_small.parser, copy, len, out);
  return parse_value(b, copy, len, out);
}

} // namespace

extern "C" cf_err CF_JSON_FN(cf__json_parse_into)(const cf_ctx_t *ctx, cf_arena_t *a, const char *buf,
                                      size_t len, uint32_t file, const char *name, bool flat,
                                      cf_pos_t base, cf_node_t **out, cf_diag_t *diag) {
  *out = nullptr;
  /* The caller's buffer carries no padding promise: parse a padded copy. */
  char *own = nullptr;
  char *copy = padded_copy(buf, len, &own);
  if (!copy) return cf_diag_set(diag, CF_ENOMEM, name, base.line, base.column, "out of memory");
  builder b;
  builder_init(b, ctx, a, copy, len, file, name, diag);
  b.flat = flat;
  b.fixed = base;
  if (!flat) {
    b.line_base = base.line ? base.line : 1;
    b.col_base = base.column ? base.column : 1;
  }
  cf_err err;
  try {
    err = parse_small_or_large(b, copy, len, out);
  } catch (const std::bad_alloc &) {
    err = cf_diag_set(diag, CF_ENOMEM, name, base.line, base.column, "out of memory");
  }
  free(own);
  if (err) *out = nullptr;
  return err;
}

extern "C" cf_err CF_JSON_FN(cf__doc_parse_json)(const cf_ctx_t *ctx, const char *buf, size_t len,
                                     const cf_doc_opts_t *opts, cf_doc_t **out, cf_diag_t *diag) {
  *out = nullptr;
  cf_doc_t *doc = nullptr;
  cf_err err = cf_doc_new(opts->file, &doc);
  if (err) return cf_diag_set(diag, err, opts->name, 0, 0, "out of memory");
  /* Skip a UTF-8 byte order mark, which simdjson does not accept. */
  size_t skip = (len >= 3 && (uint8_t)buf[0] == 0xEF && (uint8_t)buf[1] == 0xBB &&
                 (uint8_t)buf[2] == 0xBF) ? 3 : 0;
  char *copy = (char *)malloc(len + CF_JSON_PADDING);
  if (!copy) {
    cf_doc_free(doc);
    return cf_diag_set(diag, CF_ENOMEM, opts->name, 0, 0, "out of memory");
  }
  memcpy(copy, buf, len);
  memset(copy + len, 0, CF_JSON_PADDING);
  builder b;
  builder_init(b, ctx, doc->arena, copy, len, opts->file, opts->name, diag);
  cf_node_t *root = nullptr;
  try {
    err = parse_value(b, copy + skip, len - skip, &root);
  } catch (const std::bad_alloc &) {
    err = cf_diag_set(diag, CF_ENOMEM, opts->name, 0, 0, "out of memory");
  }
  free(copy);
  if (!err) {
    doc->roots = (cf_node_t **)cf__arena_alloc(doc->arena, sizeof(cf_node_t *));
    if (!doc->roots) err = cf_diag_set(diag, CF_ENOMEM, opts->name, 0, 0, "out of memory");
  }
  if (err) {
    cf_doc_free(doc);
    return err;
  }
  doc->roots[0] = root;
  doc->n_roots = 1;
  *out = doc;
  return CF_OK;
}

extern "C" cf_err cf__json_parse_item(const cf_ctx_t *ctx, cf_arena_t *a, const char *buf, size_t len,
                                      bool padded, uint32_t file, const char *name, cf_pos_t base,
                                      const char *const *top_keys, cf_node_t **out, cf_diag_t *diag) {
  *out = nullptr;
  /* In place when the caller promises padding and the text is an object or array: their last
   * byte is a bracket, so nothing is read as part of a token beyond len (simdjson reads the
   * tail block through a copy of its own). Anything else is copied first. */
  size_t k = 0;
  while (k < len && (buf[k] == ' ' || buf[k] == '\n' || buf[k] == '\t' || buf[k] == '\r')) k++;
  bool in_place = padded && k < len && (buf[k] == '{' || buf[k] == '[');
  char *own = nullptr;
  const char *src = buf;
  if (!in_place && !(src = padded_copy(buf, len, &own)))
    return cf_diag_set(diag, CF_ENOMEM, name, base.line, base.column, "out of memory");
  builder b;
  builder_init(b, ctx, a, src, len, file, name, diag);
  b.line_base = base.line ? base.line : 1;
  b.col_base = base.column ? base.column : 1;
  set_keys(b, top_keys);
  cf_err err;
  try {
    err = parse_small_or_large(b, src, len, out);
  } catch (const std::bad_alloc &) {
    err = cf_diag_set(diag, CF_ENOMEM, name, base.line, base.column, "out of memory");
  }
  free(own);
  if (err) *out = nullptr;
  return err;
}
