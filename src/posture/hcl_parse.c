/*
 * hcl_parse.c - HCL native syntax (Terraform's `.tf` files) into the syntax tree of hcl.h.
 *
 * Why our own: Debian packages no C implementation of HCL (HashiCorp's is Go), and the
 * posture analyser must read `.tf` trees without a plan, fast, with a position on every node.
 *
 * How: one recursive-descent pass straight over the bytes, with no token array. Newlines are
 * significant where the specification makes them so (they end an attribute, separate the
 * items of an object constructor and the members of a body) and ignored inside parentheses,
 * tuple constructors, `for` expressions and template interpolations; `p->nl` says which
 * applies and each bracket saves and restores it. Operator precedence, from loosest:
 * `?:`, `||`, `&&`, `== !=`, `< <= > >=`, `+ -`, `* / %`, then unary `- !`, then
 * traversals. A quoted template with no interpolation becomes a plain string literal; a
 * template that is one interpolation keeps it, so that `"${var.x}"` evaluates to x itself,
 * as the specification requires. Heredocs (`<<EOT`, and `<<-EOT`, whose common leading
 * blanks are removed) are templates without backslash escapes.
 *
 * Limits: nesting of blocks, expressions and templates stops at HCL_MAX_DEPTH with CF_ELIMIT;
 * the first syntax error ends the file with CF_EPARSE, its line and column, and what was
 * expected there (the caller goes on with other files).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcl.h"

typedef struct parser {
  cf_arena_t *a;
  const char *s, *p, *end;
  uint32_t line;
  const char *line_start;
  uint32_t file;
  const char *name;
  bool nl; /* newlines are tokens here */
  uint32_t col_base; /* columns of the first line start after this many (a string inside a file) */
  unsigned depth;
  cf_diag_t *diag;
  cf_err err;
} parser_t;

static cf_pos_t here(const parser_t *p) {
  uint32_t extra = p->line_start == p->s ? p->col_base : 0;
  return (cf_pos_t){p->file, p->line, (uint32_t)(p->p - p->line_start) + 1 + extra};
}

static bool fail(parser_t *p, const char *fmt, ...) CF_PRINTF(2, 3);
static bool fail(parser_t *p, const char *fmt, ...) {
  if (p->err) return false;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cf_pos_t at = here(p);
  p->err = cf_diag_set(p->diag, CF_EPARSE, p->name, at.line, at.column, "%s", msg);
  return false;
}

static bool oom(parser_t *p) {
  if (!p->err) p->err = cf_diag_set(p->diag, CF_ENOMEM, p->name, 0, 0, "out of memory");
  return false;
}

static bool enter(parser_t *p) {
  if (++p->depth <= HCL_MAX_DEPTH) return true;
  if (!p->err) {
    cf_pos_t at = here(p);
    p->err = cf_diag_set(p->diag, CF_ELIMIT, p->name, at.line, at.column,
                         "nesting deeper than the limit of %u levels", HCL_MAX_DEPTH);
  }
  return false;
}

static void newline_at(parser_t *p, const char *nl) {
  p->line++;
  p->line_start = nl + 1;
}

/* Skips blanks and comments, and newlines too unless they are tokens here. Stops at a
 * significant newline. */
static void skip(parser_t *p) {
  while (p->p < p->end) {
    char c = *p->p;
    if (c == ' ' || c == '\t' || c == '\r') {
      p->p++;
    } else if (c == '\n') {
      if (p->nl) return;
      newline_at(p, p->p);
      p->p++;
    } else if (c == '#' || (c == '/' && p->p + 1 < p->end && p->p[1] == '/')) {
      const char *e = memchr(p->p, '\n', (size_t)(p->end - p->p));
      if (!e) e = p->end;
      p->p = e;
    } else if (c == '/' && p->p + 1 < p->end && p->p[1] == '*') {
      const char *q = p->p + 2;
      for (;;) {
        if (q + 1 >= p->end) {
          fail(p, "%s", "unterminated /* comment");
          p->p = p->end;
          return;
        }
        if (q[0] == '*' && q[1] == '/') break;
        if (*q == '\n') newline_at(p, q);
        q++;
      }
      p->p = q + 2;
    } else {
      return;
    }
  }
}

/* Skips blanks, comments and newlines, whatever the mode. */
static void skip_all(parser_t *p) {
  bool nl = p->nl;
  p->nl = false;
  skip(p);
  p->nl = nl;
}

static int peek(parser_t *p) {
  skip(p);
  return p->p < p->end ? (unsigned char)*p->p : -1;
}

static bool at_str(parser_t *p, const char *s) {
  size_t n = strlen(s);
  return (size_t)(p->end - p->p) >= n && memcmp(p->p, s, n) == 0;
}

static bool accept(parser_t *p, const char *s) {
  skip(p);
  if (!at_str(p, s)) return false;
  p->p += strlen(s);
  return true;
}

static bool expect(parser_t *p, const char *s) {
  if (accept(p, s)) return true;
  return fail(p, "expected '%s'", s);
}

static bool id_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; }
static bool id_char(int c) { return id_start(c) || (c >= '0' && c <= '9') || c == '-'; }

/* An identifier at p->p (after skip), or NULL. */
static const char *ident(parser_t *p) {
  if (peek(p) < 0 || !id_start((unsigned char)*p->p)) return NULL;
  const char *b = p->p;
  while (p->p < p->end && id_char((unsigned char)*p->p)) p->p++;
  const char *s = cf__arena_strndup(p->a, b, (size_t)(p->p - b));
  if (!s) oom(p);
  return s;
}

/* Whether the identifier at p->p (after skip) is the keyword kw, followed by a non-name. */
static bool at_keyword(parser_t *p, const char *kw) {
  if (peek(p) < 0) return false;
  size_t n = strlen(kw);
  return at_str(p, kw) && (p->p + n >= p->end || !id_char((unsigned char)p->p[n]));
}

static hcl_expr_t *node(parser_t *p, hcl_ekind k, cf_pos_t pos) {
  hcl_expr_t *e = cf__arena_zalloc(p->a, sizeof *e);
  if (!e) {
    oom(p);
    return NULL;
  }
  e->kind = (uint8_t)k;
  e->pos = pos;
  return e;
}

/* A growable list of expressions, copied into the arena when done. */
typedef struct elist {
  hcl_expr_t **v;
  uint32_t n, cap;
} elist_t;

static bool elist_push(parser_t *p, elist_t *l, hcl_expr_t *e) {
  if (l->n == l->cap) {
    uint32_t nc = l->cap ? l->cap * 2 : 4;
    hcl_expr_t **v = cf__arena_alloc(p->a, nc * sizeof *v);
    if (!v) return oom(p);
    if (l->n) memcpy(v, l->v, l->n * sizeof *v);
    l->v = v;
    l->cap = nc;
  }
  l->v[l->n++] = e;
  return true;
}

static hcl_expr_t *literal(parser_t *p, cf_node_t *v, cf_pos_t pos) {
  if (!v) {
    oom(p);
    return NULL;
  }
  hcl_expr_t *e = node(p, HCL_E_LITERAL, pos);
  if (e) e->value = v;
  return e;
}

static hcl_expr_t *expr(parser_t *p);

/* ---- templates ---- */

/* A buffer for the literal text of a template part. */
typedef struct tbuf {
  char *s;
  size_t n, cap;
} tbuf_t;

static bool tbuf_put(parser_t *p, tbuf_t *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t nc = (b->n + n + 1) * 2;
    char *t = cf__arena_alloc(p->a, nc);
    if (!t) return oom(p);
    if (b->n) memcpy(t, b->s, b->n);
    b->s = t;
    b->cap = nc;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
  return true;
}

static bool tbuf_utf8(parser_t *p, tbuf_t *b, unsigned long cp) {
  char u[4];
  size_t n = cf__utf8_encode((uint32_t)cp, u);
  return tbuf_put(p, b, u, n);
}

/* Template state: the parts so far and the pending literal. */
typedef struct tstate {
  elist_t parts;
  tbuf_t lit;
  cf_pos_t lit_pos;
  bool strip_next; /* a `~}` asked to strip the blanks at the start of the next literal */
} tstate_t;

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Ends the pending literal; with strip_prev (a `{~`), its trailing blanks go. */
static bool flush_lit(parser_t *p, tstate_t *t, bool strip_prev) {
  if (strip_prev)
    while (t->lit.n && is_blank(t->lit.s[t->lit.n - 1])) t->lit.s[--t->lit.n] = '\0';
  if (!t->lit.n) return true;
  hcl_expr_t *e = literal(p, cf_node_new_str(p->a, t->lit.s, t->lit.n, t->lit_pos), t->lit_pos);
  t->lit = (tbuf_t){0};
  return e && elist_push(p, &t->parts, e);
}

static bool add_lit(parser_t *p, tstate_t *t, const char *s, size_t n) {
  if (t->strip_next) {
    while (n && is_blank(*s)) s++, n--;
    if (!n) return true;
    t->strip_next = false;
  }
  if (!t->lit.n) t->lit_pos = here(p);
  return tbuf_put(p, &t->lit, s, n);
}

typedef enum tend { T_EOF, T_QUOTE, T_ELSE, T_ENDIF, T_ENDFOR } tend_t;

static hcl_expr_t *finish_template(parser_t *p, tstate_t *t, cf_pos_t pos);
static bool template_seq(parser_t *p, bool quoted, bool heredoc, tstate_t *t, tend_t *end);

/* After `%{`: a directive. Returns the terminator it is (for else/endif/endfor) or adds an
 * if/for part to t. */
static bool directive(parser_t *p, bool quoted, bool heredoc, tstate_t *t, tend_t *term, bool *is_term) {
  cf_pos_t pos = here(p);
  bool save = p->nl;
  p->nl = false;
  bool strip = accept(p, "~");
  if (!flush_lit(p, t, strip)) return false;
  *is_term = false;
  const char *kw = ident(p);
  if (!kw) return fail(p, "%s", "expected if, else, endif, for or endfor after %{");
  hcl_expr_t *d = NULL;
  if (!strcmp(kw, "else") || !strcmp(kw, "endif") || !strcmp(kw, "endfor")) {
    *is_term = true;
    *term = kw[1] == 'l' ? T_ELSE : kw[3] == 'i' ? T_ENDIF : T_ENDFOR;
  } else if (!strcmp(kw, "if")) {
    d = node(p, HCL_E_TIF, pos);
    if (!d || !(d->a = expr(p))) return false;
  } else if (!strcmp(kw, "for")) {
    d = node(p, HCL_E_TFOR, pos);
    if (!d || !(d->name = ident(p))) return d ? fail(p, "%s", "expected a variable name after for") : false;
    if (accept(p, ",") && !(d->name2 = ident(p))) return fail(p, "%s", "expected a second variable name");
    if (!at_keyword(p, "in")) return fail(p, "%s", "expected 'in'");
    p->p += 2;
    if (!(d->a = expr(p))) return false;
  } else {
    return fail(p, "unknown template directive '%s'", kw);
  }
  bool strip_after = accept(p, "~");
  if (!expect(p, "}")) return false;
  p->nl = save;
  t->strip_next = strip_after;
  if (!d) return true;
  /* The directive's body, up to its else/endif/endfor. */
  tstate_t body = {0};
  body.strip_next = strip_after;
  tend_t e;
  if (!template_seq(p, quoted, heredoc, &body, &e)) return false;
  if (d->kind == HCL_E_TIF) {
    if (e != T_ELSE && e != T_ENDIF) return fail(p, "%s", "expected %{ endif } before the end of the template");
    if (!(d->b = finish_template(p, &body, pos))) return false;
    if (e == T_ELSE) {
      tstate_t alt = {0};
      alt.strip_next = body.strip_next;
      if (!template_seq(p, quoted, heredoc, &alt, &e)) return false;
      if (e != T_ENDIF) return fail(p, "%s", "expected %{ endif } before the end of the template");
      if (!(d->c = finish_template(p, &alt, pos))) return false;
      t->strip_next = alt.strip_next;
    } else {
      t->strip_next = body.strip_next;
    }
  } else {
    if (e != T_ENDFOR) return fail(p, "%s", "expected %{ endfor } before the end of the template");
    if (!(d->b = finish_template(p, &body, pos))) return false;
    t->strip_next = body.strip_next;
  }
  return elist_push(p, &t->parts, d);
}

/* Reads template parts up to the closing quote (quoted), the end of the text (heredoc) or a
 * terminating directive. */
static bool template_seq(parser_t *p, bool quoted, bool heredoc, tstate_t *t, tend_t *end) {
  if (!enter(p)) return false;
  for (;;) {
    if (p->p >= p->end) {
      if (quoted) return fail(p, "%s", "unterminated string");
      *end = T_EOF;
      break;
    }
    char c = *p->p;
    if (quoted && c == '"') {
      p->p++;
      *end = T_QUOTE;
      break;
    }
    if (quoted && c == '\n') return fail(p, "%s", "unterminated string (a newline in a quoted string)");
    if ((c == '$' || c == '%') && p->end - p->p >= 3 && p->p[1] == c && p->p[2] == '{') {
      /* $${ and %%{ are the literal $ { and % {. */
      if (!add_lit(p, t, p->p + 1, 2)) return false;
      p->p += 3;
      continue;
    }
    if (c == '$' && p->p + 1 < p->end && p->p[1] == '{') {
      cf_pos_t pos = here(p);
      p->p += 2;
      bool save = p->nl;
      p->nl = false;
      bool strip = accept(p, "~");
      if (!flush_lit(p, t, strip)) return false;
      hcl_expr_t *e = expr(p);
      if (!e) return false;
      e->pos = e->pos.line ? e->pos : pos;
      t->strip_next = accept(p, "~");
      if (!expect(p, "}")) return false;
      p->nl = save;
      if (!elist_push(p, &t->parts, e)) return false;
      continue;
    }
    if (c == '%' && p->p + 1 < p->end && p->p[1] == '{') {
      p->p += 2;
      bool is_term = false;
      tend_t term;
      if (!directive(p, quoted, heredoc, t, &term, &is_term)) return false;
      if (is_term) {
        *end = term;
        break;
      }
      continue;
    }
    if (quoted && c == '\\') {
      if (p->p + 1 >= p->end) return fail(p, "%s", "unterminated string");
      char x = p->p[1];
      const char *rep = NULL;
      switch (x) {
      case 'n': rep = "\n"; break;
      case 'r': rep = "\r"; break;
      case 't': rep = "\t"; break;
      case '"': rep = "\""; break;
      case '\\': rep = "\\"; break;
      default: break;
      }
      if (rep) {
        if (!add_lit(p, t, rep, 1)) return false;
        p->p += 2;
        continue;
      }
      if (x == 'u' || x == 'U') {
        int n = x == 'u' ? 4 : 8;
        unsigned long cp = 0;
        if (p->end - p->p < 2 + n) return fail(p, "%s", "incomplete \\u escape");
        for (int i = 0; i < n; i++) {
          char h = p->p[2 + i];
          int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
          if (v < 0) return fail(p, "%s", "invalid hex digit in a \\u escape");
          cp = cp * 16 + (unsigned long)v;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return fail(p, "%s", "invalid code point in a \\u escape");
        if (!t->lit.n) t->lit_pos = here(p);
        t->strip_next = false;
        if (!tbuf_utf8(p, &t->lit, cp)) return false;
        p->p += 2 + n;
        continue;
      }
      return fail(p, "%s", "invalid escape sequence in a string");
    }
    /* A run of plain text. */
    const char *b = p->p;
    while (p->p < p->end) {
      char d = *p->p;
      if (d == '$' || d == '%' || d == '\n' || (quoted && (d == '"' || d == '\\'))) break;
      p->p++;
    }
    if (p->p == b) {
      /* A lone $ or %, or a newline in a heredoc. */
      if (*p->p == '\n') {
        if (!add_lit(p, t, "\n", 1)) return false;
        newline_at(p, p->p);
      } else if (!add_lit(p, t, p->p, 1)) {
        return false;
      }
      p->p++;
      continue;
    }
    if (!add_lit(p, t, b, (size_t)(p->p - b))) return false;
  }
  (void)heredoc;
  p->depth--;
  return true;
}

static hcl_expr_t *finish_template(parser_t *p, tstate_t *t, cf_pos_t pos) {
  if (!flush_lit(p, t, false)) return NULL;
  if (t->parts.n == 0) return literal(p, cf_node_new_str(p->a, "", 0, pos), pos);
  if (t->parts.n == 1 && t->parts.v[0]->kind == HCL_E_LITERAL) {
    /* A plain string is where its opening quote is. */
    hcl_expr_t *e = t->parts.v[0];
    e->pos = e->value->pos = pos;
    return e;
  }
  hcl_expr_t *e = node(p, HCL_E_TEMPLATE, pos);
  if (!e) return NULL;
  e->items = t->parts.v;
  e->n_items = t->parts.n;
  return e;
}

/* After the opening quote. */
static hcl_expr_t *quoted_template(parser_t *p, cf_pos_t pos) {
  tstate_t t = {0};
  tend_t end;
  bool save = p->nl;
  if (!template_seq(p, true, false, &t, &end)) return NULL;
  p->nl = save;
  if (end != T_QUOTE) {
    fail(p, "%s", "unexpected template directive (no matching %{ if } or %{ for })");
    return NULL;
  }
  return finish_template(p, &t, pos);
}

/* At `<<`: a heredoc template. */
static hcl_expr_t *heredoc(parser_t *p) {
  cf_pos_t pos = here(p);
  const char *start = p->p, *start_ls = p->line_start;
  p->p += 2;
  bool flush = false;
  if (p->p < p->end && *p->p == '-') flush = true, p->p++;
  const char *mb = p->p;
  while (p->p < p->end && id_char((unsigned char)*p->p)) p->p++;
  size_t mlen = (size_t)(p->p - mb);
  if (!mlen || mb >= p->end || !id_start((unsigned char)*mb)) {
    fail(p, "%s", "expected a heredoc marker after <<");
    return NULL;
  }
  while (p->p < p->end && (*p->p == ' ' || *p->p == '\t' || *p->p == '\r')) p->p++;
  if (p->p >= p->end || *p->p != '\n') {
    fail(p, "%s", "expected a newline after the heredoc marker");
    return NULL;
  }
  newline_at(p, p->p);
  p->p++;
  /* Find the closing line: blanks, the marker, blanks. */
  const char *body = p->p, *q = p->p, *close = NULL, *after = NULL;
  uint32_t lines = 0;
  while (q < p->end) {
    const char *eol = memchr(q, '\n', (size_t)(p->end - q));
    if (!eol) eol = p->end;
    const char *t = q;
    while (t < eol && (*t == ' ' || *t == '\t')) t++;
    const char *te = eol;
    while (te > t && (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '\r')) te--;
    if ((size_t)(te - t) == mlen && memcmp(t, mb, mlen) == 0) {
      close = q;
      after = te;
      break;
    }
    lines++;
    q = eol < p->end ? eol + 1 : eol;
  }
  if (!close) {
    p->p = start;
    p->line = pos.line;
    p->line_start = start_ls;
    fail(p, "unterminated heredoc (no line '%.*s' closes it)", (int)(mlen > 64 ? 64 : mlen), mb);
    return NULL;
  }
  /* The text, with the common indentation removed for <<-. */
  size_t n = (size_t)(close - body);
  const char *text = body;
  if (flush && n) {
    size_t min = (size_t)-1;
    for (const char *l = body; l < close;) {
      const char *eol = memchr(l, '\n', (size_t)(close - l));
      if (!eol) eol = close;
      const char *t = l;
      while (t < eol && (*t == ' ' || *t == '\t')) t++;
      if (t < eol && *t != '\r' && (size_t)(t - l) < min) min = (size_t)(t - l);
      l = eol + 1;
    }
    if (min == (size_t)-1) min = 0;
    char *buf = cf__arena_alloc(p->a, n + 1);
    if (!buf) {
      oom(p);
      return NULL;
    }
    size_t k = 0;
    for (const char *l = body; l < close;) {
      const char *eol = memchr(l, '\n', (size_t)(close - l));
      const char *stop = eol ? eol + 1 : close;
      size_t skipn = 0;
      while (skipn < min && l + skipn < stop && (l[skipn] == ' ' || l[skipn] == '\t')) skipn++;
      memcpy(buf + k, l + skipn, (size_t)(stop - l - (ptrdiff_t)skipn));
      k += (size_t)(stop - l - (ptrdiff_t)skipn);
      l = stop;
    }
    buf[k] = '\0';
    text = buf;
    n = k;
  }
  /* Parse the text as a template with a parser of its own over it. */
  parser_t sub = *p;
  sub.s = sub.p = text;
  sub.end = text + n;
  sub.line_start = text;
  sub.col_base = 0;
  sub.nl = false;
  tstate_t t = {0};
  tend_t end;
  hcl_expr_t *e = NULL;
  if (template_seq(&sub, false, true, &t, &end)) {
    if (end != T_EOF) fail(&sub, "%s", "unexpected template directive (no matching %{ if } or %{ for })");
    else e = finish_template(&sub, &t, pos);
  }
  p->err = sub.err;
  if (!e) return NULL;
  p->line += lines;
  p->line_start = close;
  p->p = after;
  return e;
}

/* ---- expressions ---- */

static hcl_expr_t *number(parser_t *p) {
  cf_pos_t pos = here(p);
  const char *b = p->p;
  bool integral = true;
  while (p->p < p->end && *p->p >= '0' && *p->p <= '9') p->p++;
  if (p->p + 1 < p->end && *p->p == '.' && p->p[1] >= '0' && p->p[1] <= '9') {
    integral = false;
    p->p++;
    while (p->p < p->end && *p->p >= '0' && *p->p <= '9') p->p++;
  }
  if (p->p < p->end && (*p->p == 'e' || *p->p == 'E')) {
    const char *q = p->p + 1;
    if (q < p->end && (*q == '+' || *q == '-')) q++;
    if (q < p->end && *q >= '0' && *q <= '9') {
      integral = false;
      p->p = q;
      while (p->p < p->end && *p->p >= '0' && *p->p <= '9') p->p++;
    }
  }
  char tmp[64];
  size_t n = (size_t)(p->p - b);
  if (n >= sizeof tmp) {
    /* Longer numbers are kept as the nearest double. */
    integral = false;
    n = sizeof tmp - 1;
  }
  memcpy(tmp, b, n);
  tmp[n] = '\0';
  if (integral) {
    char *e = NULL;
    errno = 0;
    long long v = strtoll(tmp, &e, 10);
    if (!errno) return literal(p, cf_node_new_int(p->a, v, pos), pos);
  }
  return literal(p, cf_node_new_float(p->a, strtod(tmp, NULL), pos), pos);
}

/* [ ... ] after the '[': a tuple or a for expression. */
static hcl_expr_t *for_expr(parser_t *p, cf_pos_t pos, bool object);

static hcl_expr_t *tuple(parser_t *p, cf_pos_t pos) {
  bool save = p->nl;
  p->nl = false;
  if (at_keyword(p, "for")) {
    hcl_expr_t *f = for_expr(p, pos, false);
    p->nl = save;
    return f;
  }
  elist_t l = {0};
  while (!accept(p, "]")) {
    hcl_expr_t *e = expr(p);
    if (!e || !elist_push(p, &l, e)) return NULL;
    if (accept(p, ",")) continue;
    if (!expect(p, "]")) return NULL;
    break;
  }
  p->nl = save;
  hcl_expr_t *t = node(p, HCL_E_TUPLE, pos);
  if (t) t->items = l.v, t->n_items = l.n;
  return t;
}

/* After `for`: name[, name2] in coll : ... */
static hcl_expr_t *for_expr(parser_t *p, cf_pos_t pos, bool object) {
  p->p += 3;
  hcl_expr_t *f = node(p, HCL_E_FOR, pos);
  if (!f) return NULL;
  if (object) f->flags |= HCL_F_OBJECT;
  if (!(f->name = ident(p))) return fail(p, "%s", "expected a variable name after for"), NULL;
  if (accept(p, ",") && !(f->name2 = ident(p))) return fail(p, "%s", "expected a second variable name"), NULL;
  if (!at_keyword(p, "in")) return fail(p, "%s", "expected 'in'"), NULL;
  p->p += 2;
  if (!(f->a = expr(p)) || !expect(p, ":")) return NULL;
  if (object) {
    if (!(f->b = expr(p)) || !expect(p, "=>")) return NULL;
  }
  if (!(f->c = expr(p))) return NULL;
  if (object && accept(p, "...")) f->flags |= HCL_F_GROUP;
  if (at_keyword(p, "if")) {
    p->p += 2;
    if (!(f->d = expr(p))) return NULL;
  }
  if (!expect(p, object ? "}" : "]")) return NULL;
  return f;
}

/* { ... } after the '{': an object constructor or a for expression. */
static hcl_expr_t *object(parser_t *p, cf_pos_t pos) {
  bool save = p->nl;
  p->nl = false;
  if (at_keyword(p, "for")) {
    hcl_expr_t *f = for_expr(p, pos, true);
    p->nl = save;
    return f;
  }
  elist_t l = {0};
  for (;;) {
    p->nl = false;
    if (accept(p, "}")) break;
    /* A key: a bare identifier is a string; anything else an expression. */
    hcl_expr_t *k = NULL;
    cf_pos_t kpos = here(p);
    const char *save_p = p->p;
    uint32_t save_line = p->line;
    const char *save_ls = p->line_start;
    const char *name = NULL;
    if (peek(p) >= 0 && id_start((unsigned char)*p->p)) {
      name = ident(p);
      if (!name) return NULL;
      int c = peek(p);
      if (c == '=' || c == ':') {
        if (at_str(p, "==")) name = NULL;
      } else {
        name = NULL;
      }
      if (!name) {
        p->p = save_p;
        p->line = save_line;
        p->line_start = save_ls;
      }
    }
    if (name) {
      k = literal(p, cf_node_new_cstr(p->a, name, kpos), kpos);
      if (k) k->flags |= HCL_F_BARE_KEY;
    } else {
      k = expr(p);
    }
    if (!k) return NULL;
    if (!accept(p, "=") && !accept(p, ":")) return fail(p, "%s", "expected '=' or ':' after an object key"), NULL;
    p->nl = true;
    hcl_expr_t *v = expr(p);
    if (!v || !elist_push(p, &l, k) || !elist_push(p, &l, v)) return NULL;
    /* Items end at a comma, a newline or the closing brace. */
    int c = peek(p);
    if (c == ',') {
      p->p++;
    } else if (c == '\n') {
      skip_all(p);
    } else if (c != '}') {
      return fail(p, "%s", "expected ',', a newline or '}' after an object item"), NULL;
    }
  }
  p->nl = save;
  hcl_expr_t *o = node(p, HCL_E_OBJECT, pos);
  if (o) o->items = l.v, o->n_items = l.n;
  return o;
}

static hcl_expr_t *call(parser_t *p, const char *name, cf_pos_t pos) {
  hcl_expr_t *c = node(p, HCL_E_CALL, pos);
  if (!c) return NULL;
  c->name = name;
  bool save = p->nl;
  p->nl = false;
  elist_t l = {0};
  while (!accept(p, ")")) {
    hcl_expr_t *e = expr(p);
    if (!e || !elist_push(p, &l, e)) return NULL;
    if (accept(p, "...")) {
      c->flags |= HCL_F_EXPAND;
      accept(p, ",");
      if (!expect(p, ")")) return NULL;
      break;
    }
    if (accept(p, ",")) continue;
    if (!expect(p, ")")) return NULL;
    break;
  }
  p->nl = save;
  c->items = l.v;
  c->n_items = l.n;
  return c;
}

static hcl_expr_t *primary(parser_t *p) {
  int c = peek(p);
  cf_pos_t pos = here(p);
  if (c < 0) return fail(p, "%s", "expected an expression"), NULL;
  if (c >= '0' && c <= '9') return number(p);
  if (c == '"') {
    p->p++;
    return quoted_template(p, pos);
  }
  if (c == '<' && at_str(p, "<<")) return heredoc(p);
  if (c == '(') {
    p->p++;
    bool save = p->nl;
    p->nl = false;
    hcl_expr_t *in = expr(p);
    if (!in || !expect(p, ")")) return NULL;
    p->nl = save;
    hcl_expr_t *e = node(p, HCL_E_PAREN, pos);
    if (e) e->a = in;
    return e;
  }
  if (c == '[') {
    p->p++;
    return tuple(p, pos);
  }
  if (c == '{') {
    p->p++;
    return object(p, pos);
  }
  if (id_start(c)) {
    const char *name = ident(p);
    if (!name) return NULL;
    if (!strcmp(name, "true") || !strcmp(name, "false"))
      return literal(p, cf_node_new_bool(p->a, name[0] == 't', pos), pos);
    if (!strcmp(name, "null")) return literal(p, cf_node_new(p->a, CF_NODE_NULL, pos), pos);
    /* Provider-defined functions: provider::NAME::FUNCTION(...). */
    while (p->p + 1 < p->end && p->p[0] == ':' && p->p[1] == ':') {
      p->p += 2;
      const char *b = p->p;
      while (p->p < p->end && id_char((unsigned char)*p->p)) p->p++;
      if (p->p == b) return fail(p, "%s", "expected a name after ::"), NULL;
      name = cf__arena_printf(p->a, "%s::%.*s", name, (int)(p->p - b), b);
      if (!name) return oom(p), NULL;
    }
    if (p->p < p->end && *p->p == '(') {
      p->p++;
      return call(p, name, pos);
    }
    if (strstr(name, "::")) return fail(p, "%s", "expected '(' after a provider function name"), NULL;
    hcl_expr_t *v = node(p, HCL_E_VAR, pos);
    if (v) v->name = name;
    return v;
  }
  if (c == '\n') return fail(p, "%s", "expected an expression before the end of the line"), NULL;
  char what[8];
  snprintf(what, sizeof what, "%c", c >= 0x20 && c < 0x7f ? c : '?');
  return fail(p, "unexpected '%s': expected an expression", what), NULL;
}

/* Traversal steps applied to `e`; in a splat only attribute (and, for a full splat, index)
 * steps. */
static hcl_expr_t *traversal(parser_t *p, hcl_expr_t *e, int splat) {
  for (;;) {
    /* No blanks before a traversal step: `a [0]` is still an index, but a newline ends it. */
    skip(p);
    if (p->p >= p->end) return e;
    cf_pos_t pos = here(p);
    if (*p->p == '.' && !at_str(p, "...")) {
      p->p++;
      if (p->p < p->end && *p->p == '*') {
        if (splat) return e; /* a second splat starts after this one's traversal */
        p->p++;
        hcl_expr_t *s = node(p, HCL_E_SPLAT, pos);
        if (!s) return NULL;
        s->flags |= HCL_F_ATTR_SPLAT;
        s->a = e;
        hcl_expr_t *item = node(p, HCL_E_SPLAT_ITEM, pos);
        if (!item || !(s->b = traversal(p, item, 1))) return NULL;
        e = s;
        continue;
      }
      if (p->p < p->end && *p->p >= '0' && *p->p <= '9') {
        /* The legacy index a.0 */
        const char *b = p->p;
        long long v = 0;
        while (p->p < p->end && *p->p >= '0' && *p->p <= '9' && v < 1000000000) v = v * 10 + (*p->p++ - '0');
        if (p->p < p->end && *p->p >= '0' && *p->p <= '9') return fail(p, "%s", "index too large"), NULL;
        (void)b;
        hcl_expr_t *ix = node(p, HCL_E_INDEX, pos);
        if (!ix || !(ix->b = literal(p, cf_node_new_int(p->a, v, pos), pos))) return NULL;
        ix->a = e;
        e = ix;
        continue;
      }
      const char *name = NULL;
      if (p->p < p->end && id_start((unsigned char)*p->p)) {
        const char *b = p->p;
        while (p->p < p->end && id_char((unsigned char)*p->p)) p->p++;
        name = cf__arena_strndup(p->a, b, (size_t)(p->p - b));
        if (!name) return oom(p), NULL;
      }
      if (!name) return fail(p, "%s", "expected an attribute name after '.'"), NULL;
      hcl_expr_t *g = node(p, HCL_E_GETATTR, pos);
      if (!g) return NULL;
      g->a = e;
      g->name = name;
      e = g;
      continue;
    }
    if (*p->p == '[' && splat != 1) {
      p->p++;
      bool save = p->nl;
      p->nl = false;
      if (accept(p, "*")) {
        if (!expect(p, "]")) return NULL;
        p->nl = save;
        if (splat) return fail(p, "%s", "a splat inside a splat must be in parentheses"), NULL;
        hcl_expr_t *s = node(p, HCL_E_SPLAT, pos);
        if (!s) return NULL;
        s->a = e;
        hcl_expr_t *item = node(p, HCL_E_SPLAT_ITEM, pos);
        if (!item || !(s->b = traversal(p, item, 2))) return NULL;
        e = s;
        continue;
      }
      hcl_expr_t *k = expr(p);
      if (!k || !expect(p, "]")) return NULL;
      p->nl = save;
      hcl_expr_t *ix = node(p, HCL_E_INDEX, pos);
      if (!ix) return NULL;
      ix->a = e;
      ix->b = k;
      e = ix;
      continue;
    }
    return e;
  }
}

static hcl_expr_t *unary(parser_t *p) {
  if (!enter(p)) return NULL;
  int c = peek(p);
  cf_pos_t pos = here(p);
  hcl_expr_t *e;
  if (c == '-' || (c == '!' && !at_str(p, "!="))) {
    p->p++;
    hcl_expr_t *in = unary(p);
    if (!in) return NULL;
    e = node(p, HCL_E_UNARY, pos);
    if (e) e->op = c == '-' ? HCL_OP_NEG : HCL_OP_NOT, e->a = in;
  } else {
    e = primary(p);
    if (e) e = traversal(p, e, 0);
  }
  p->depth--;
  return e;
}

/* The binary operator at p->p: its code, precedence level (1 = ||, 6 = * / %) and length;
 * 0 when there is none. One look at the next two bytes. */
static int binop(parser_t *p, int *lvl, size_t *len) {
  skip(p);
  if (p->p >= p->end) return 0;
  char c = *p->p, d = p->p + 1 < p->end ? p->p[1] : 0;
  *len = 1;
  switch (c) {
  case '|': return d == '|' ? (*lvl = 1, *len = 2, HCL_OP_OR) : 0;
  case '&': return d == '&' ? (*lvl = 2, *len = 2, HCL_OP_AND) : 0;
  case '=': return d == '=' ? (*lvl = 3, *len = 2, HCL_OP_EQ) : 0;
  case '!': return d == '=' ? (*lvl = 3, *len = 2, HCL_OP_NE) : 0;
  case '<':
    if (d == '<') return 0; /* a heredoc, never an operator */
    *lvl = 4;
    return d == '=' ? (*len = 2, HCL_OP_LE) : HCL_OP_LT;
  case '>':
    *lvl = 4;
    return d == '=' ? (*len = 2, HCL_OP_GE) : HCL_OP_GT;
  case '+': return *lvl = 5, HCL_OP_ADD;
  case '-': return *lvl = 5, HCL_OP_SUB;
  case '*': return *lvl = 6, HCL_OP_MUL;
  case '/': return *lvl = 6, HCL_OP_DIV;
  case '%': return *lvl = 6, HCL_OP_MOD;
  default: return 0;
  }
}

/* Operators of level min and tighter, by precedence climbing: left-associative, one call per
 * operand rather than one per level. */
static hcl_expr_t *binary(parser_t *p, int min) {
  if (!enter(p)) return NULL;
  hcl_expr_t *l = unary(p);
  while (l) {
    size_t n = 0;
    int lvl = 0;
    int op = binop(p, &lvl, &n);
    if (!op || lvl < min) break;
    cf_pos_t pos = here(p);
    p->p += n;
    hcl_expr_t *r = binary(p, lvl + 1);
    if (!r) return NULL;
    hcl_expr_t *b = node(p, HCL_E_BINARY, pos);
    if (!b) return NULL;
    b->op = (uint8_t)op;
    b->a = l;
    b->b = r;
    b->pos = l->pos;
    l = b;
  }
  p->depth--;
  return l;
}

static hcl_expr_t *expr(parser_t *p) {
  if (!enter(p)) return NULL;
  hcl_expr_t *c = binary(p, 1);
  if (c && peek(p) == '?') {
    p->p++;
    hcl_expr_t *e = node(p, HCL_E_COND, c->pos);
    if (!e) return NULL;
    e->a = c;
    if (!(e->b = expr(p)) || !expect(p, ":") || !(e->c = expr(p))) return NULL;
    c = e;
  }
  p->depth--;
  return c;
}

/* ---- bodies ---- */

typedef struct alist {
  hcl_attr_t *v;
  uint32_t n, cap;
} alist_t;

typedef struct blist {
  hcl_block_t *v;
  uint32_t n, cap;
} blist_t;

static bool grow(parser_t *p, void **v, uint32_t *cap, uint32_t n, size_t size) {
  if (n < *cap) return true;
  uint32_t nc = *cap ? *cap * 2 : 4;
  void *t = cf__arena_alloc(p->a, nc * size);
  if (!t) return oom(p);
  if (n) memcpy(t, *v, n * size);
  *v = t;
  *cap = nc;
  return true;
}

/* Members up to '}' (inner) or the end of the input. */
static bool body(parser_t *p, hcl_body_t *out, bool inner) {
  if (!enter(p)) return false;
  alist_t as = {0};
  blist_t bs = {0};
  for (;;) {
    p->nl = true;
    skip_all(p);
    if (p->p >= p->end) {
      if (inner) return fail(p, "%s", "expected '}' to close the block");
      break;
    }
    if (*p->p == '}') {
      if (!inner) return fail(p, "%s", "unexpected '}'");
      p->p++;
      break;
    }
    cf_pos_t pos = here(p);
    const char *name = ident(p);
    if (!name) return p->err ? false : fail(p, "%s", "expected an attribute or block name");
    int c = peek(p);
    if (c == '=' && !at_str(p, "==")) {
      p->p++;
      hcl_expr_t *e = expr(p);
      if (!e) return false;
      if (!grow(p, (void **)&as.v, &as.cap, as.n, sizeof(hcl_attr_t))) return false;
      as.v[as.n++] = (hcl_attr_t){name, pos, e};
    } else {
      /* A block: labels, then a body. */
      const char *labels[16];
      uint32_t nl = 0;
      for (;;) {
        c = peek(p);
        if (c == '"') {
          cf_pos_t lpos = here(p);
          p->p++;
          hcl_expr_t *l = quoted_template(p, lpos);
          if (!l) return false;
          if (l->kind != HCL_E_LITERAL) return fail(p, "%s", "a block label cannot hold an interpolation");
          if (nl == 16) return fail(p, "%s", "too many block labels");
          labels[nl++] = l->value->u.s;
        } else if (c >= 0 && id_start(c)) {
          const char *l = ident(p);
          if (!l) return false;
          if (nl == 16) return fail(p, "%s", "too many block labels");
          labels[nl++] = l;
        } else {
          break;
        }
      }
      if (peek(p) != '{') return fail(p, nl ? "expected '{' after the labels of block '%s'" : "expected '=' or a block body after '%s'", name);
      p->p++;
      if (!grow(p, (void **)&bs.v, &bs.cap, bs.n, sizeof(hcl_block_t))) return false;
      hcl_block_t *b = &bs.v[bs.n++];
      memset(b, 0, sizeof *b);
      b->type = name;
      b->pos = pos;
      b->n_labels = nl;
      if (nl) {
        b->labels = cf__arena_alloc(p->a, nl * sizeof(char *));
        if (!b->labels) return oom(p);
        memcpy(b->labels, labels, nl * sizeof(char *));
      }
      hcl_body_t inner_body;
      if (!body(p, &inner_body, true)) return false;
      /* The block may have moved: the list grows while the body is read. */
      bs.v[bs.n - 1].body = inner_body;
    }
    /* A member ends at a newline, a comment, the end of the input, or a closing brace. */
    p->nl = true;
    c = peek(p);
    if (c == '\n') {
      newline_at(p, p->p);
      p->p++;
    } else if (c != '}' && c >= 0) {
      return fail(p, "%s", "expected a newline after the attribute or block");
    }
  }
  out->attrs = as.v;
  out->n_attrs = as.n;
  out->blocks = bs.v;
  out->n_blocks = bs.n;
  p->depth--;
  return true;
}

cf_err cf__hcl_parse(cf_arena_t *a, const char *text, size_t len, uint32_t file, const char *name,
                     hcl_file_t **out, cf_diag_t *diag) {
  *out = NULL;
  parser_t p = {0};
  p.a = a;
  p.s = p.p = text;
  p.end = text + len;
  p.line = 1;
  p.line_start = text;
  p.file = file;
  p.name = name;
  p.diag = diag;
  /* A byte order mark is allowed before the first member. */
  if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) p.p += 3, p.line_start = p.p;
  if (memchr(text, '\0', len)) {
    const char *z = memchr(text, '\0', len);
    p.p = z;
    const char *ls = text;
    for (const char *q = text; q < z; q++)
      if (*q == '\n') p.line++, ls = q + 1;
    p.line_start = ls;
    fail(&p, "%s", "a NUL byte (this is not a text file)");
    return p.err;
  }
  hcl_file_t *f = cf__arena_zalloc(a, sizeof *f);
  if (!f) return cf_diag_set(diag, CF_ENOMEM, name, 0, 0, "out of memory");
  if (!body(&p, &f->body, false)) return p.err ? p.err : cf_diag_set(diag, CF_EPARSE, name, p.line, 0, "syntax error");
  if (p.err) return p.err;
  *out = f;
  return CF_OK;
}

cf_err cf__hcl_parse_template(cf_arena_t *a, const char *text, size_t len, uint32_t file, const char *name,
                              hcl_expr_t **out, cf_diag_t *diag) {
  return cf__hcl_parse_template_at(a, text, len, (cf_pos_t){file, 1, 0}, name, out, diag);
}

cf_err cf__hcl_parse_template_at(cf_arena_t *a, const char *text, size_t len, cf_pos_t at, const char *name,
                                 hcl_expr_t **out, cf_diag_t *diag) {
  *out = NULL;
  parser_t p = {0};
  uint32_t file = at.file;
  p.a = a;
  p.s = p.p = text;
  p.end = text + len;
  p.line = at.line ? at.line : 1;
  /* Columns of the first line continue from `at` (the character after a quote). */
  p.line_start = text;
  p.col_base = at.column;
  p.file = file;
  p.name = name;
  p.diag = diag;
  if (memchr(text, '\0', len)) return cf_diag_set(diag, CF_EPARSE, name, 0, 0, "a NUL byte (this is not a text file)");
  tstate_t t = {0};
  tend_t end;
  cf_pos_t pos = {file, p.line, at.column ? at.column : 1};
  hcl_expr_t *e = NULL;
  if (template_seq(&p, false, true, &t, &end)) {
    if (end != T_EOF) fail(&p, "%s", "unexpected template directive (no matching %{ if } or %{ for })");
    else e = finish_template(&p, &t, pos);
  }
  if (!e) return p.err ? p.err : cf_diag_set(diag, CF_ENOMEM, name, 0, 0, "out of memory");
  *out = e;
  return CF_OK;
}
