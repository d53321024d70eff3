/*
 * test_hcl_eval.c - the HCL evaluator: each case is an expression and the value it must give,
 * written compactly by show() (strings quoted, `?` for unknown), or the error it must give.
 * Names resolve through a small lookup: var.* from a fixed object, local.n = 3, and the
 * resource aws_s3_bucket.b whose computed attributes (id, arn) are unknown.
 */
#include "testutil.h"

#include "posture/hcl.h"

static cf_arena_t *arena;
static cf_node_t *vars, *bucket;

static void show(char *o, size_t cap, size_t *n, const cf_node_t *v) {
#define OUT(...) (*n += (size_t)snprintf(o + *n, *n < cap ? cap - *n : 0, __VA_ARGS__))
  if (*n >= cap) return;
  switch (v->type) {
  case CF_NODE_NULL: OUT("null"); break;
  case CF_NODE_BOOL: OUT("%s", v->u.b ? "true" : "false"); break;
  case CF_NODE_INT: OUT("%lld", (long long)v->u.i); break;
  case CF_NODE_FLOAT: OUT("%g", v->u.f); break;
  case CF_NODE_STRING: OUT("\"%s\"", v->u.s); break;
  case CF_NODE_UNKNOWN: OUT("?"); break;
  case CF_NODE_ARRAY:
    OUT("[");
    for (uint32_t i = 0; i < v->len; i++) {
      if (i) OUT(",");
      show(o, cap, n, v->u.items[i]);
    }
    OUT("]");
    break;
  case CF_NODE_OBJECT:
    OUT("{");
    for (uint32_t i = 0; i < v->len; i++) {
      if (i) OUT(",");
      OUT("%s:", v->u.members[i].key);
      show(o, cap, n, v->u.members[i].value);
    }
    OUT("}");
    break;
  default: OUT("!"); break;
  }
#undef OUT
}

static const cf_node_t *lookup(void *ud, const char *root, const char *a1, const char *a2, unsigned *used, cf_pos_t pos) {
  (void)ud;
  (void)a2;
  (void)pos;
  *used = 0;
  if (!strcmp(root, "var")) return vars;
  if (!strcmp(root, "local") && a1 && !strcmp(a1, "n")) {
    *used = 1;
    return cf_node_new_int(arena, 3, pos);
  }
  if (!strcmp(root, "aws_s3_bucket") && a1 && !strcmp(a1, "b")) {
    *used = 1;
    return bucket;
  }
  return NULL;
}

static const cf_node_t *eval_text(const char *expr, hcl_ev_t *ev) {
  char text[2048];
  snprintf(text, sizeof text, "x = %s\n", expr);
  hcl_file_t *f = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_err e = cf__hcl_parse(arena, text, strlen(text), 0, "t.tf", &f, &d);
  if (e) fail_msg("%s: parse error %u:%u %s", expr, d.line, d.column, d.message);
  cf_diag_cleanup(&d);
  memset(ev, 0, sizeof *ev);
  ev->a = arena;
  ev->lookup = lookup;
  ev->module_dir = ".";
  return cf__hcl_eval(ev, f->body.attrs[0].expr);
}

static void value_is(const char *expr, const char *want) {
  hcl_ev_t ev;
  const cf_node_t *v = eval_text(expr, &ev);
  if (!v) fail_msg("%s: error: %s", expr, ev.why);
  char o[2048];
  size_t n = 0;
  o[0] = '\0';
  show(o, sizeof o, &n, v);
  if (strcmp(o, want) != 0) fail_msg("%s\n  got:  %s\n  want: %s", expr, o, want);
}

static void fails_with(const char *expr, const char *words) {
  hcl_ev_t ev;
  const cf_node_t *v = eval_text(expr, &ev);
  if (v) fail_msg("%s: evaluated, expected an error with '%s'", expr, words);
  if (!strstr(ev.why, words)) fail_msg("%s: error '%s', expected '%s'", expr, ev.why, words);
}

static int setup(void **state) {
  (void)state;
  arena = cf__arena_new(0);
  cf_pos_t z = {0, 1, 1};
  vars = cf_node_new_object(arena, z);
  cf_node_t *l = cf_node_new_array(arena, z);
  cf_node_t *m = cf_node_new_object(arena, z);
  bucket = cf_node_new_object(arena, z);
  assert_int_equal(cf_node_push(arena, l, cf_node_new_cstr(arena, "a", z)), CF_OK);
  assert_int_equal(cf_node_push(arena, l, cf_node_new_cstr(arena, "b", z)), CF_OK);
  assert_int_equal(cf_node_set(arena, m, "k", cf_node_new_cstr(arena, "v", z)), CF_OK);
  assert_int_equal(cf_node_set(arena, m, "j", cf_node_new_int(arena, 2, z)), CF_OK);
  assert_int_equal(cf_node_set(arena, vars, "env", cf_node_new_cstr(arena, "prod", z)), CF_OK);
  assert_int_equal(cf_node_set(arena, vars, "list", l), CF_OK);
  assert_int_equal(cf_node_set(arena, vars, "map", m), CF_OK);
  assert_int_equal(cf_node_set(arena, vars, "on", cf_node_new_bool(arena, true, z)), CF_OK);
  assert_int_equal(cf_node_set(arena, vars, "nothing", cf_node_new(arena, CF_NODE_NULL, z)), CF_OK);
  assert_int_equal(cf_node_set(arena, vars, "later", cf_node_new(arena, CF_NODE_UNKNOWN, z)), CF_OK);
  assert_int_equal(cf_node_set(arena, bucket, "bucket", cf_node_new_cstr(arena, "acme", z)), CF_OK);
  bucket->flags |= HCL_NODE_OPEN;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  cf__arena_free(arena);
  return 0;
}

static void test_literals_operators_and_templates(void **state) {
  (void)state;
  value_is("1 + 2 * 3", "7");
  value_is("7 / 2", "3.5");
  value_is("7 % 4", "3");
  value_is("-(1 - 3)", "2");
  value_is("\"5\" + 1", "6");
  value_is("1 < 2 && !false", "true");
  value_is("1 == \"1\"", "false");
  value_is("[1, \"a\"] == [1, \"a\"]", "true");
  value_is("\"${var.env}-${local.n}-${true}\"", "\"prod-3-true\"");
  value_is("\"${var.list}\"", "[\"a\",\"b\"]"); /* one interpolation keeps its type */
  value_is("\"%{ if var.on }yes%{ else }no%{ endif }\"", "\"yes\"");
  value_is("\"%{ for s in var.list }<${s}>%{ endfor }\"", "\"<a><b>\"");
  value_is("var.on ? \"x\" : \"y\"", "\"x\"");
  value_is("{ a = 1, \"b\" = [2] }", "{a:1,b:[2]}");
  value_is("var.map.k", "\"v\"");
  value_is("var.map[\"j\"]", "2");
  value_is("var.list[1]", "\"b\"");
}

static void test_unknown_propagates(void **state) {
  (void)state;
  value_is("aws_s3_bucket.b.id", "?");
  value_is("aws_s3_bucket.b.bucket", "\"acme\"");
  value_is("\"arn:aws:s3:::${aws_s3_bucket.b.id}/*\"", "?");
  value_is("var.later + 1", "?");
  value_is("var.later == 1", "?");
  value_is("false && var.later", "false");
  value_is("true || var.later", "true");
  value_is("var.later ? \"same\" : \"same\"", "\"same\"");
  value_is("var.later ? \"a\" : \"b\"", "?");
  value_is("upper(var.later)", "?");
  value_is("[for s in var.later : s]", "?");
  value_is("timestamp()", "?"); /* not evaluated statically */
  /* jsonencode keeps a value with unknowns as the value itself. */
  value_is("jsonencode({ Resource = aws_s3_bucket.b.arn })", "{Resource:?}");
}

static void test_collections_for_and_splat(void **state) {
  (void)state;
  value_is("[for s in var.list : upper(s)]", "[\"A\",\"B\"]");
  value_is("[for i, s in var.list : i if s != \"a\"]", "[1]");
  value_is("{for k, v in var.map : k => v}", "{k:\"v\",j:2}");
  value_is("{for s in [\"x\", \"y\", \"x\"] : s => s...}", "{x:[\"x\",\"x\"],y:[\"y\"]}");
  value_is("[{ id = 1 }, { id = 2 }][*].id", "[1,2]");
  value_is("var.nothing[*]", "[]");
  value_is("var.env[*]", "[\"prod\"]");
}

static void test_functions(void **state) {
  (void)state;
  value_is("jsonencode({ b = [1, true, null], a = \"q\\\"<\" })", "\"{\"a\":\"q\\\"\\u003c\",\"b\":[1,true,null]}\"");
  value_is("jsondecode(\"{\\\"a\\\": [1, 2.5, \\\"x\\\"]}\")", "{a:[1,2.5,\"x\"]}");
  value_is("format(\"%s-%d-%q-%.2f\", \"a\", 7, \"q\", 1.5)", "\"a-7-\"q\"-1.50\"");
  value_is("lookup(var.map, \"k\", \"d\")", "\"v\"");
  value_is("lookup(var.map, \"zz\", \"d\")", "\"d\"");
  value_is("merge(var.map, { k = \"w\", n = 1 })", "{k:\"w\",j:2,n:1}");
  value_is("concat(var.list, [\"c\"])", "[\"a\",\"b\",\"c\"]");
  value_is("toset([\"a\", \"b\", \"a\"])", "[\"a\",\"b\"]");
  value_is("coalesce(\"\", null, \"x\")", "\"x\"");
  value_is("try(var.map.missing, \"fallback\")", "\"fallback\"");
  value_is("can(var.map.missing)", "false");
  value_is("can(var.map.k)", "true");
  value_is("length(\"h\xc3\xa9llo\")", "5");
  value_is("length(var.map)", "2");
  value_is("element(var.list, 3)", "\"b\"");
  value_is("join(\",\", var.list, [\"c\"])", "\"a,b,c\"");
  value_is("split(\",\", \"a,,b\")", "[\"a\",\"\",\"b\"]");
  value_is("replace(\"a-b-c\", \"-\", \"+\")", "\"a+b+c\"");
  value_is("lower(\"AbC\")", "\"abc\"");
  value_is("upper(\"AbC\")", "\"ABC\"");
  value_is("tostring(12)", "\"12\"");
  value_is("tonumber(\"1.5\")", "1.5");
  value_is("tobool(\"true\")", "true");
  value_is("keys({ b = 1, a = 2 })", "[\"a\",\"b\"]");
  value_is("values({ b = 1, a = 2 })", "[2,1]");
  value_is("contains(var.list, \"b\")", "true");
  value_is("flatten([[1], [[2]], 3])", "[1,2,3]");
  value_is("compact([\"a\", \"\", null])", "[\"a\"]");
  value_is("trimspace(\"  x \\n\")", "\"x\"");
  value_is("substr(\"hello\", 1, 3)", "\"ell\"");
  value_is("base64encode(\"hi!\")", "\"aGkh\"");
  value_is("base64decode(\"aGkh\")", "\"hi!\"");
  value_is("range(3)", "[0,1,2]");
  value_is("zipmap([\"a\", \"b\"], [1, 2])", "{a:1,b:2}");
  value_is("one([])", "null");
  value_is("max(1, 5, 3)", "5");
  value_is("sort([\"b\", \"a\"])", "[\"a\",\"b\"]");
  value_is("formatlist(\"%s!\", var.list)", "[\"a!\",\"b!\"]");
  value_is("max([4, 9]...)", "9");
}

static void test_errors(void **state) {
  (void)state;
  fails_with("var.map.missing", "no attribute 'missing'");
  fails_with("var.list[5]", "out of range");
  fails_with("1 + \"x\"", "need numbers");
  fails_with("undefined_thing", "unknown name");
  fails_with("var.nothing.x", "null");
  fails_with("try(var.map.a, var.map.b)", "every argument failed");
  fails_with("file(\"/etc/passwd\")", "outside the scan root");
  fails_with("lookup(var.map, \"zz\")", "no key 'zz'");
  fails_with("\"${var.list}x\"", "cannot be inserted");
  fails_with("jsondecode(\"{bad\")", "not valid JSON");
  fails_with("[for s in \"x\" : s]", "needs a list");
  fails_with("min(var.list...)", "needs numbers");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_literals_operators_and_templates),
      cmocka_unit_test(test_unknown_propagates),
      cmocka_unit_test(test_collections_for_and_splat),
      cmocka_unit_test(test_functions),
      cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
