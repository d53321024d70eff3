/*
 * test_hcl_parse.c - the HCL native syntax parser: each case is a text and the tree it must
 * give, written as an s-expression by show() below, or an error with its line and column.
 * The cases walk the specification: bodies and blocks, literals and templates, heredocs,
 * collections, traversals and splats, calls, operators and their precedence, conditionals
 * and `for` expressions, comments, and the mistakes a user makes.
 */
#include "testutil.h"

#include "posture/hcl.h"

typedef struct out {
  char s[4096];
  size_t n;
} out_t;

static void put(out_t *o, const char *t) {
  size_t k = strlen(t);
  if (o->n + k >= sizeof o->s) k = sizeof o->s - 1 - o->n;
  memcpy(o->s + o->n, t, k);
  o->n += k;
  o->s[o->n] = '\0';
}

static const char *opname(int op) {
  static const char *const names[] = {"?", "neg", "not", "*", "/", "%", "+", "-", "<", "<=", ">", ">=", "==", "!=", "&&", "||"};
  return op > 0 && op < (int)(sizeof names / sizeof *names) ? names[op] : "?";
}

static void show_expr(out_t *o, const hcl_expr_t *e);

static void show_list(out_t *o, hcl_expr_t *const *v, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    put(o, " ");
    show_expr(o, v[i]);
  }
}

static void show_expr(out_t *o, const hcl_expr_t *e) {
  char b[128];
  if (!e) {
    put(o, "_");
    return;
  }
  switch (e->kind) {
  case HCL_E_LITERAL: {
    const cf_node_t *v = e->value;
    if (v->type == CF_NODE_STRING) snprintf(b, sizeof b, "\"%s\"", v->u.s);
    else if (v->type == CF_NODE_INT) snprintf(b, sizeof b, "%lld", (long long)v->u.i);
    else if (v->type == CF_NODE_FLOAT) snprintf(b, sizeof b, "%g", v->u.f);
    else if (v->type == CF_NODE_BOOL) snprintf(b, sizeof b, "%s", v->u.b ? "true" : "false");
    else snprintf(b, sizeof b, "null");
    put(o, b);
    return;
  }
  case HCL_E_TEMPLATE: put(o, "(tpl"); show_list(o, e->items, e->n_items); break;
  case HCL_E_TIF:
    put(o, "(if ");
    show_expr(o, e->a);
    put(o, " ");
    show_expr(o, e->b);
    put(o, " ");
    show_expr(o, e->c);
    break;
  case HCL_E_TFOR:
  case HCL_E_FOR:
    snprintf(b, sizeof b, "(%s %s%s%s ", e->kind == HCL_E_TFOR ? "tfor" : e->flags & HCL_F_OBJECT ? "ofor" : "for",
             e->name, e->name2 ? "," : "", e->name2 ? e->name2 : "");
    put(o, b);
    show_expr(o, e->a);
    put(o, " ");
    show_expr(o, e->b);
    if (e->kind == HCL_E_FOR) {
      put(o, " ");
      show_expr(o, e->c);
      put(o, " ");
      show_expr(o, e->d);
      if (e->flags & HCL_F_GROUP) put(o, " ...");
    }
    break;
  case HCL_E_TUPLE: put(o, "(tuple"); show_list(o, e->items, e->n_items); break;
  case HCL_E_OBJECT: put(o, "(obj"); show_list(o, e->items, e->n_items); break;
  case HCL_E_VAR: put(o, e->name); return;
  case HCL_E_GETATTR:
    put(o, "(. ");
    show_expr(o, e->a);
    put(o, " ");
    put(o, e->name);
    break;
  case HCL_E_INDEX:
    put(o, "([] ");
    show_expr(o, e->a);
    put(o, " ");
    show_expr(o, e->b);
    break;
  case HCL_E_SPLAT:
    put(o, e->flags & HCL_F_ATTR_SPLAT ? "(.* " : "([*] ");
    show_expr(o, e->a);
    put(o, " ");
    show_expr(o, e->b);
    break;
  case HCL_E_SPLAT_ITEM: put(o, "@"); return;
  case HCL_E_CALL:
    put(o, "(call ");
    put(o, e->name);
    show_list(o, e->items, e->n_items);
    if (e->flags & HCL_F_EXPAND) put(o, " ...");
    break;
  case HCL_E_UNARY:
  case HCL_E_BINARY:
    put(o, "(");
    put(o, opname(e->op));
    put(o, " ");
    show_expr(o, e->a);
    if (e->kind == HCL_E_BINARY) {
      put(o, " ");
      show_expr(o, e->b);
    }
    break;
  case HCL_E_COND:
    put(o, "(? ");
    show_expr(o, e->a);
    put(o, " ");
    show_expr(o, e->b);
    put(o, " ");
    show_expr(o, e->c);
    break;
  case HCL_E_PAREN: put(o, "(paren "); show_expr(o, e->a); break;
  default: put(o, "(?"); break;
  }
  put(o, ")");
}

static void show_body(out_t *o, const hcl_body_t *b) {
  for (uint32_t i = 0; i < b->n_attrs; i++) {
    if (o->n && o->s[o->n - 1] != '{') put(o, " ");
    put(o, b->attrs[i].name);
    put(o, "=");
    show_expr(o, b->attrs[i].expr);
  }
  for (uint32_t i = 0; i < b->n_blocks; i++) {
    const hcl_block_t *k = &b->blocks[i];
    if (o->n && o->s[o->n - 1] != '{') put(o, " ");
    put(o, k->type);
    for (uint32_t j = 0; j < k->n_labels; j++) {
      put(o, " '");
      put(o, k->labels[j]);
      put(o, "'");
    }
    put(o, " {");
    show_body(o, &k->body);
    put(o, "}");
  }
}

static hcl_file_t *parse(cf_arena_t *a, const char *text, cf_diag_t *d) {
  hcl_file_t *f = NULL;
  cf_err e = cf__hcl_parse(a, text, strlen(text), 3, "main.tf", &f, d);
  if (e) return NULL;
  return f;
}

static void expect_tree(const char *text, const char *want) {
  cf_arena_t *a = cf__arena_new(0);
  cf_diag_t d;
  cf_diag_init(&d);
  hcl_file_t *f = parse(a, text, &d);
  if (!f) fail_msg("%s\n  failed at %u:%u: %s", text, d.line, d.column, d.message ? d.message : "");
  out_t o = {{0}, 0};
  show_body(&o, &f->body);
  if (strcmp(o.s, want) != 0) fail_msg("%s\n  got:  %s\n  want: %s", text, o.s, want);
  cf_diag_cleanup(&d);
  cf__arena_free(a);
}

static void expect_error(const char *text, uint32_t line, uint32_t col, const char *words) {
  cf_arena_t *a = cf__arena_new(0);
  cf_diag_t d;
  cf_diag_init(&d);
  hcl_file_t *f = parse(a, text, &d);
  if (f) fail_msg("%s\n  parsed, expected an error at %u:%u", text, line, col);
  assert_true(d.code == CF_EPARSE || d.code == CF_ELIMIT);
  assert_string_equal(d.file, "main.tf");
  if (d.line != line || (col && d.column != col) || !d.message || !strstr(d.message, words))
    fail_msg("%s\n  got %u:%u %s\n  want %u:%u ...%s...", text, d.line, d.column, d.message ? d.message : "", line, col, words);
  cf_diag_cleanup(&d);
  cf__arena_free(a);
}

static void test_bodies_and_blocks(void **state) {
  (void)state;
  expect_tree("", "");
  expect_tree("a = 1\nb = \"x\"\n", "a=1 b=\"x\"");
  expect_tree("resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs\"\n}\n",
              "resource 'aws_s3_bucket' 'logs' {bucket=\"acme-logs\"}");
  expect_tree("locals {\n}\nterraform { required_version = \">= 1.0\" }\n", "locals {} terraform {required_version=\">= 1.0\"}");
  expect_tree("a b c {\n  d {\n    e = true\n  }\n  f = null\n}", "a 'b' 'c' {f=null d {e=true}}");
  expect_tree("\xEF\xBB\xBFx = 1", "x=1");
  expect_tree("x = 1 # trailing\n// whole line\n/* block\n comment */ y = 2\n", "x=1 y=2");
  expect_tree("with-dash_and_9 = 1\n", "with-dash_and_9=1");
  expect_tree("x = 1\r\ny = 2\r\n", "x=1 y=2");
}

static void test_literals_and_templates(void **state) {
  (void)state;
  expect_tree("n = 42\nf = 1.5\ne = 1e3\nneg = -7\nbig = 99999999999999999999",
              "n=42 f=1.5 e=1000 neg=(neg 7) big=1e+20");
  expect_tree("s = \"tab\\there \\\"q\\\" \\\\ \\u00e9\"", "s=\"tab\there \"q\" \\ \xc3\xa9\"");
  expect_tree("s = \"${var.x}\"", "s=(tpl (. var x))");
  expect_tree("s = \"arn:${var.p}:s3:::${local.b}/*\"", "s=(tpl \"arn:\" (. var p) \":s3:::\" (. local b) \"/*\")");
  expect_tree("s = \"$${literal} %%{also} 100% $5\"", "s=\"${literal} %{also} 100% $5\"");
  expect_tree("s = \"%{ if var.on }yes%{ else }no%{ endif }\"", "s=(tpl (if (. var on) \"yes\" \"no\"))");
  expect_tree("s = \"%{ for x in var.l }[${x}]%{ endfor }\"", "s=(tpl (tfor x (. var l) (tpl \"[\" x \"]\")))");
  expect_tree("s = \"a  ${~ 1 ~}  b\"", "s=(tpl \"a\" 1 \"b\")");
  expect_tree("s = \"\"", "s=\"\"");
}

static void test_heredocs(void **state) {
  (void)state;
  expect_tree("p = <<EOT\n{\n  \"Version\": \"2012-10-17\"\n}\nEOT\nq = 1\n",
              "p=\"{\n  \"Version\": \"2012-10-17\"\n}\n\" q=1");
  expect_tree("p = <<-EOT\n    line one\n      indented ${var.x}\n    EOT\n",
              "p=(tpl \"line one\n  indented \" (. var x) \"\n\")");
  expect_tree("p = <<EOF\nno \\n escapes\nEOF", "p=\"no \\n escapes\n\"");
  expect_tree("p = <<EOT\nEOT\n", "p=\"\"");
}

static void test_collections_and_traversals(void **state) {
  (void)state;
  expect_tree("t = [1, \"two\", [3],]", "t=(tuple 1 \"two\" (tuple 3))");
  expect_tree("t = [\n  1,\n  2\n]", "t=(tuple 1 2)");
  expect_tree("o = { a = 1, \"b\" = 2\n  c: 3\n  (var.k) = 4\n}",
              "o=(obj \"a\" 1 \"b\" 2 \"c\" 3 (paren (. var k)) 4)");
  expect_tree("o = {}", "o=(obj)");
  expect_tree("r = aws_s3_bucket.logs.id", "r=(. (. aws_s3_bucket logs) id)");
  expect_tree("r = var.m[\"k\"].x[0]", "r=([] (. ([] (. var m) \"k\") x) 0)");
  expect_tree("r = var.l.0.id", "r=(. ([] (. var l) 0) id)");
  expect_tree("r = aws_instance.web[*].id", "r=([*] (. aws_instance web) (. @ id))");
  expect_tree("r = var.l.*.id", "r=(.* (. var l) (. @ id))");
  expect_tree("r = var.l[*].a[0].b", "r=([*] (. var l) (. ([] (. @ a) 0) b))");
  expect_tree("r = var.l[*]", "r=([*] (. var l) @)");
}

static void test_calls_and_operators(void **state) {
  (void)state;
  expect_tree("j = jsonencode({ Version = \"2012-10-17\" })", "j=(call jsonencode (obj \"Version\" \"2012-10-17\"))");
  expect_tree("m = merge(var.a, var.b...)", "m=(call merge (. var a) (. var b) ...)");
  expect_tree("m = max()\nf = provider::aws::arn_parse(var.a)", "m=(call max) f=(call provider::aws::arn_parse (. var a))");
  expect_tree("x = 1 + 2 * 3 - 4 / 2 % 3", "x=(- (+ 1 (* 2 3)) (% (/ 4 2) 3))");
  expect_tree("x = a || b && c == d", "x=(|| a (&& b (== c d)))");
  expect_tree("x = !a != b", "x=(!= (not a) b)");
  expect_tree("x = a < b && c >= d", "x=(&& (< a b) (>= c d))");
  expect_tree("x = (1 + 2) * 3", "x=(* (paren (+ 1 2)) 3)");
  expect_tree("x = var.on ? \"a\" : var.off ? \"b\" : \"c\"", "x=(? (. var on) \"a\" (? (. var off) \"b\" \"c\"))");
  expect_tree("x = (\n  var.on\n  ? 1\n  : 2\n)", "x=(paren (? (. var on) 1 2))");
}

static void test_for_expressions(void **state) {
  (void)state;
  expect_tree("l = [for s in var.l : upper(s)]", "l=(for s (. var l) _ (call upper s) _)");
  expect_tree("l = [for i, s in var.l : s if i > 0]", "l=(for i,s (. var l) _ s (> i 0))");
  expect_tree("m = {for k, v in var.m : k => v.id}", "m=(ofor k,v (. var m) k (. v id) _)");
  expect_tree("m = {\n  for u in var.users : u.role => u.name...\n}", "m=(ofor u (. var users) (. u role) (. u name) _ ...)");
}

static void test_syntax_errors_have_positions(void **state) {
  (void)state;
  expect_error("a = 1\nb = \n", 2, 5, "expected an expression");
  expect_error("a = 1\nresource \"x\" {\n  b = 2\n", 4, 1, "expected '}'");
  expect_error("a = \"open\n", 1, 10, "unterminated string");
  expect_error("a = [1, 2\n", 2, 1, "expected ']'");
  expect_error("a = { b = 1 c = 2 }", 1, 13, "after an object item");
  expect_error("x\n", 1, 2, "expected '=' or a block body after 'x'");
  expect_error("a = 1 b = 2\n", 1, 7, "expected a newline");
  expect_error("a = \"\\q\"", 1, 6, "invalid escape");
  expect_error("p = <<EOT\nnever closed\n", 1, 5, "unterminated heredoc");
  expect_error("a = \"%{ if x }no end\"", 1, 22, "endif");
  expect_error("a = 1 +\n2", 1, 8, "expected an expression");
  expect_error("}", 1, 1, "unexpected '}'");
  expect_error("/* open", 1, 1, "unterminated /* comment");
}

static void test_nul_byte_is_refused(void **state) {
  (void)state;
  static const char text[] = "a = 1\nb = \"x\0y\"";
  cf_arena_t *a = cf__arena_new(0);
  cf_diag_t d;
  cf_diag_init(&d);
  hcl_file_t *f = NULL;
  assert_int_equal(cf__hcl_parse(a, text, sizeof text - 1, 0, "main.tf", &f, &d), CF_EPARSE);
  assert_int_equal(d.line, 2);
  assert_int_equal(d.column, 7);
  assert_non_null(strstr(d.message, "NUL byte"));
  cf_diag_cleanup(&d);
  cf__arena_free(a);
}

static void test_nesting_limit(void **state) {
  (void)state;
  size_t n = 5000;
  char *s = malloc(2 * n + 16);
  assert_non_null(s);
  strcpy(s, "a = ");
  size_t k = 4;
  for (size_t i = 0; i < n; i++) s[k++] = '[';
  for (size_t i = 0; i < n; i++) s[k++] = ']';
  s[k] = '\0';
  cf_arena_t *a = cf__arena_new(0);
  cf_diag_t d;
  cf_diag_init(&d);
  hcl_file_t *f = NULL;
  assert_int_equal(cf__hcl_parse(a, s, k, 0, "deep.tf", &f, &d), CF_ELIMIT);
  assert_null(f);
  assert_int_equal(d.line, 1);
  cf_diag_cleanup(&d);
  /* Blocks nest too. */
  k = 0;
  for (size_t i = 0; i < 300; i++) k += (size_t)sprintf(s + k, "b {\n");
  for (size_t i = 0; i < 300; i++) k += (size_t)sprintf(s + k, "}\n");
  cf_diag_init(&d);
  assert_int_equal(cf__hcl_parse(a, s, k, 0, "deep.tf", &f, &d), CF_ELIMIT);
  cf_diag_cleanup(&d);
  cf__arena_free(a);
  free(s);
}

static void test_positions_of_attributes_and_values(void **state) {
  (void)state;
  const char *t = "resource \"aws_s3_bucket\" \"b\" { # cloudfort:ignore CF-S3-001 public website\n"
                  "  bucket = \"x\"\n"
                  "  // cloudfort:ignore CF-S3-005\n"
                  "}\n# not a directive\n";
  cf_arena_t *a = cf__arena_new(0);
  cf_diag_t d;
  cf_diag_init(&d);
  hcl_file_t *f = parse(a, t, &d);
  assert_non_null(f);
  /* Positions of attributes and values. */
  const hcl_attr_t *bucket = &f->body.blocks[0].body.attrs[0];
  assert_int_equal(bucket->pos.line, 2);
  assert_int_equal(bucket->pos.column, 3);
  assert_int_equal(bucket->expr->pos.line, 2);
  assert_int_equal(bucket->expr->pos.column, 12);
  assert_int_equal(bucket->expr->value->pos.file, 3);
  cf_diag_cleanup(&d);
  cf__arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bodies_and_blocks),
      cmocka_unit_test(test_literals_and_templates),
      cmocka_unit_test(test_heredocs),
      cmocka_unit_test(test_collections_and_traversals),
      cmocka_unit_test(test_calls_and_operators),
      cmocka_unit_test(test_for_expressions),
      cmocka_unit_test(test_syntax_errors_have_positions),
      cmocka_unit_test(test_nul_byte_is_refused),
      cmocka_unit_test(test_nesting_limit),
      cmocka_unit_test(test_positions_of_attributes_and_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
