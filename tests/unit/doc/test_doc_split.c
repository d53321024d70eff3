/*
 * test_doc_split.c - the snapshot splitter (json_split.c) against documents whose answer is
 * known because the test wrote them: random arrays of objects with nested values, strings
 * full of escaped quotes and backslash runs of every length, quoted keys inside strings, the
 * probed key at other depths, duplicated or with values that are not strings, and random
 * blanks and newlines between tokens. Each element's bytes, line, column and probed value
 * must come out exactly, whatever the window size, so that element boundaries fall across
 * every refill and every 64-byte block position.
 */
#include "doctest.h"
#include "doc/doc_internal.h"

typedef struct gen {
  char *s;
  size_t len, cap;
  uint64_t rng;
} gen_t;

static uint32_t rnd(gen_t *g, uint32_t n) {
  g->rng ^= g->rng << 13;
  g->rng ^= g->rng >> 7;
  g->rng ^= g->rng << 17;
  return (uint32_t)(g->rng % n);
}

static void put(gen_t *g, const char *t, size_t n) {
  if (g->len + n + 1 > g->cap) {
    g->cap = (g->len + n + 1) * 2;
    g->s = realloc(g->s, g->cap);
    assert_non_null(g->s);
  }
  memcpy(g->s + g->len, t, n);
  g->len += n;
  g->s[g->len] = '\0';
}

static void puts_(gen_t *g, const char *t) { put(g, t, strlen(t)); }

static void blanks(gen_t *g) {
  static const char *const ws[] = {"", "", "", " ", "\n", "  ", "\r\n", "\t", "\n    "};
  puts_(g, ws[rnd(g, 9)]);
}

/* A string literal: plain text, escaped quotes, backslash runs, a quoted key, brackets. */
static void string_with(gen_t *g, const char *lead) {
  static const char *const parts[] = {"abc",     "\\\"",  "\\\\",        "\\\\\\\"", "{[",
                                      "]}",      "\\n",   "\\u00e9",     "x,y:z",    "\\\"resourceType\\\":\\\"AWS::S3::Bucket\\\"",
                                      "\\\\\\\\", "\xc3\xa9", "resourceType", ""};
  puts_(g, "\"");
  puts_(g, lead);
  for (uint32_t n = rnd(g, 5); n; n--) puts_(g, parts[rnd(g, sizeof parts / sizeof *parts)]);
  /* A run of backslashes of any length, kept even so that the literal stays valid. */
  for (uint32_t n = rnd(g, 4); n; n--) puts_(g, "\\\\");
  puts_(g, "\"");
}

static void string(gen_t *g) { string_with(g, ""); }

/* A key that is never the probed one. */
static void other_key(gen_t *g) { string_with(g, "k"); }

static void value(gen_t *g, unsigned depth);

static void object(gen_t *g, unsigned depth) {
  puts_(g, "{");
  uint32_t n = rnd(g, 5);
  for (uint32_t i = 0; i < n; i++) {
    if (i) puts_(g, ",");
    blanks(g);
    if (rnd(g, 4) == 0) puts_(g, "\"resourceType\"");
    else string(g);
    blanks(g);
    puts_(g, ":");
    blanks(g);
    value(g, depth + 1);
    blanks(g);
  }
  puts_(g, "}");
}

static void value(gen_t *g, unsigned depth) {
  uint32_t k = rnd(g, depth > 6 ? 3 : 6);
  if (k == 0) string(g);
  else if (k == 1) puts_(g, rnd(g, 2) ? "-12.5e3" : "true");
  else if (k == 2) puts_(g, "null");
  else if (k == 3) object(g, depth);
  else {
    puts_(g, "[");
    for (uint32_t i = 0, n = rnd(g, 5); i < n; i++) {
      if (i) puts_(g, ",");
      blanks(g);
      value(g, depth + 1);
      blanks(g);
    }
    puts_(g, "]");
  }
}

typedef struct want {
  size_t off, len;
  uint32_t line, col;
  const char *probe; /* expected raw value, or NULL */
  size_t probe_len;
} want_t;

/* One element: an object whose top-level members may include the probed key with a string,
 * a number or an object, once or twice; or now and then an array or a scalar. */
static void element(gen_t *g, want_t *w) {
  w->off = g->len;
  w->probe = NULL;
  uint32_t kind = rnd(g, 11);
  if (kind == 0) {
    puts_(g, "[");
    value(g, 5); /* an object in here has its keys one level down */
    puts_(g, "]");
  } else if (kind == 9) {
    puts_(g, rnd(g, 2) ? "12" : "false");
  } else if (kind == 1) {
    string(g);
  } else {
    puts_(g, "{");
    uint32_t n = 1 + rnd(g, 6);
    size_t probe_off = 0, probe_len = 0;
    bool probed = false;
    for (uint32_t i = 0; i < n; i++) {
      if (i) puts_(g, ",");
      blanks(g);
      if (rnd(g, 3) == 0) {
        puts_(g, "\"resourceType\"");
        blanks(g);
        puts_(g, ":");
        blanks(g);
        uint32_t v = rnd(g, 3);
        if (v == 0) {
          size_t at = g->len;
          string(g);
          if (!probed) {
            probed = true;
            probe_off = at + 1;
            probe_len = g->len - at - 2;
          }
        } else if (v == 1) {
          puts_(g, "42");
        } else {
          object(g, 2);
        }
      } else {
        other_key(g);
        blanks(g);
        puts_(g, ":");
        blanks(g);
        value(g, 2);
      }
      blanks(g);
    }
    puts_(g, "}");
    if (probed) {
      w->probe = (const char *)(uintptr_t)probe_off; /* an offset until the text is final */
      w->probe_len = probe_len;
    }
  }
  w->len = g->len - w->off;
}

typedef struct got {
  const char *text;
  want_t *want;
  size_t n, seen;
  bool ok;
} got_t;

static cf_err on_item(void *ud, const cf_json_item_t *it) {
  got_t *g = ud;
  assert_true(g->seen < g->n);
  const want_t *w = &g->want[g->seen];
  if (it->len != w->len || memcmp(it->text, g->text + w->off, w->len) != 0) {
    fail_msg("element %zu: %zu bytes, expected %zu: %.*s", g->seen, it->len, w->len, (int)w->len,
             g->text + w->off);
  }
  assert_int_equal(it->index, g->seen);
  if (it->line != w->line || it->column != w->col)
    fail_msg("element %zu at %u:%u, expected %u:%u", g->seen, it->line, it->column, w->line, w->col);
  if (!w->probe) {
    if (it->probe) fail_msg("element %zu: probe found %.*s", g->seen, (int)it->probe_len, it->probe);
  } else {
    assert_non_null(it->probe);
    assert_int_equal(it->probe_len, w->probe_len);
    assert_memory_equal(it->probe, g->text + (uintptr_t)w->probe, w->probe_len);
  }
  g->seen++;
  return CF_OK;
}

static void line_col(const char *s, size_t off, uint32_t *line, uint32_t *col) {
  uint32_t l = 1;
  size_t start = 0;
  for (size_t i = 0; i < off; i++)
    if (s[i] == '\n') l++, start = i + 1;
  *line = l;
  *col = (uint32_t)(off - start + 1);
}

static void split_and_check(const char *text, size_t len, want_t *want, size_t n, size_t window) {
  cf_reader_t *rd = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  assert_int_equal(cf__reader_open_mem("snap.json", text, len, len + 1, &rd, &d), CF_OK);
  size_t saved = cf__json_split_window;
  cf__json_split_window = window;
  got_t g = {text, want, n, 0, true};
  cf_err e = cf__json_split(rd, "snap.json", "configurationItems", "resourceType", 1u << 20, on_item, &g, &d);
  cf__json_split_window = saved;
  if (e) fail_msg("window %zu: %s at %u:%u: %s", window, cf_err_name(e), d.line, d.column, d.message ? d.message : "");
  assert_int_equal(g.seen, n);
  cf__reader_close(rd);
  cf_diag_cleanup(&d);
}

static void test_random_snapshots_split_exactly(void **state) {
  (void)state;
  static const size_t windows[] = {64, 65, 127, 200, 1000, 4096, 0};
  for (uint64_t seed = 1; seed <= 60; seed++) {
    gen_t g = {NULL, 0, 0, seed * 0x9e3779b97f4a7c15ull};
    size_t n = 1 + rnd(&g, 120);
    want_t *want = calloc(n, sizeof *want);
    assert_non_null(want);
    puts_(&g, "{\"fileVersion\":\"1.0\",");
    blanks(&g);
    puts_(&g, "\"other\": [{\"configurationItems\": [1, 2]}],\n\"configurationItems\"");
    blanks(&g);
    puts_(&g, ":");
    blanks(&g);
    puts_(&g, "[");
    for (size_t i = 0; i < n; i++) {
      if (i) puts_(&g, ",");
      blanks(&g);
      element(&g, &want[i]);
      blanks(&g);
    }
    puts_(&g, "]}\n");
    for (size_t i = 0; i < n; i++) line_col(g.s, want[i].off, &want[i].line, &want[i].col);
    for (size_t w = 0; w < sizeof windows / sizeof *windows; w++) split_and_check(g.s, g.len, want, n, windows[w]);
    free(want);
    free(g.s);
  }
}

/* Elements far larger than the window, so that one value spans many refills. */
static void test_element_larger_than_the_window(void **state) {
  (void)state;
  gen_t g = {NULL, 0, 0, 77};
  want_t want[2];
  puts_(&g, "{\"configurationItems\":[\n");
  want[0].off = g.len;
  puts_(&g, "{\"a\":[");
  for (int i = 0; i < 3000; i++) puts_(&g, i ? ",\n\"x\\\\\\\"}\"" : "\"x\\\\\\\"}\"");
  puts_(&g, "],\"resourceType\":\"AWS::S3::Bucket\"}");
  want[0].len = g.len - want[0].off;
  want[0].probe = (const char *)(uintptr_t)(g.len - 17);
  want[0].probe_len = 15;
  puts_(&g, ",");
  want[1].off = g.len;
  puts_(&g, "[[[[[[[[[[]]]]]]]]]]");
  want[1].len = g.len - want[1].off;
  want[1].probe = NULL;
  puts_(&g, "]}");
  for (int i = 0; i < 2; i++) line_col(g.s, want[i].off, &want[i].line, &want[i].col);
  split_and_check(g.s, g.len, want, 2, 64);
  split_and_check(g.s, g.len, want, 2, 1000);
  free(g.s);
}

static cf_err count_item(void *ud, const cf_json_item_t *it) {
  (void)it;
  (*(size_t *)ud)++;
  return CF_OK;
}

static void expect_split_error(const char *text, size_t window, cf_err code, uint32_t line) {
  cf_reader_t *rd = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  assert_int_equal(cf__reader_open_mem("bad.json", text, strlen(text), strlen(text) + 1, &rd, &d), CF_OK);
  size_t saved = cf__json_split_window, n = 0;
  cf__json_split_window = window;
  cf_err e = cf__json_split(rd, "bad.json", "configurationItems", "resourceType", 1u << 20, count_item, &n, &d);
  cf__json_split_window = saved;
  assert_int_equal(e, code);
  if (line) assert_int_equal(d.line, line);
  cf__reader_close(rd);
  cf_diag_cleanup(&d);
}

static void test_broken_and_hostile_arrays(void **state) {
  (void)state;
  /* Unclosed element, in a window that is refilled and in one that is not. */
  expect_split_error("{\"configurationItems\":[\n{\"a\":\"}\"", 64, CF_EPARSE, 0);
  expect_split_error("{\"configurationItems\":[\n{\"a\":[1,2}", 0, CF_EPARSE, 0);
  /* Nesting past the splitter's limit of 4096 levels. */
  size_t n = 5000;
  char *deep = malloc(2 * n + 64);
  assert_non_null(deep);
  strcpy(deep, "{\"configurationItems\":[\n");
  size_t k = strlen(deep);
  for (size_t i = 0; i < n; i++) deep[k++] = '[';
  for (size_t i = 0; i < n; i++) deep[k++] = ']';
  strcpy(deep + k, "]}");
  expect_split_error(deep, 0, CF_ELIMIT, 2);
  expect_split_error(deep, 100, CF_ELIMIT, 2);
  free(deep);
}

/* Items are parsed with a list of the members to build: "name.sub" entries narrow one
 * member's own object (names compared ignoring case), and nothing deeper. */
static void test_item_members_narrowed(void **state) {
  (void)state;
  static const char text[] = "{\"a\": 1, \"b\": 2, \"Conf\": {\"x\": 1, \"y\": 2, \"X2\": 3, \"z\": {\"q\": 1}},"
                             " \"other\": {\"y\": 5}}";
  static const char *const keys[] = {"a", "conf.x", "conf.z", "other", NULL};
  cf_arena_t *a = cf__arena_new(0);
  cf_node_t *root = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_pos_t base = {0, 1, 1};
  assert_int_equal(cf__json_parse_item(NULL, a, text, strlen(text), false, 0, "item", base, keys, &root, &d), CF_OK);
  assert_non_null(cf_node_get(root, "a"));
  assert_null(cf_node_get(root, "b"));
  const cf_node_t *conf = cf_node_get(root, "Conf");
  assert_non_null(conf);
  assert_int_equal(conf->len, 2);
  assert_non_null(cf_node_get(conf, "x"));
  assert_null(cf_node_get(conf, "y"));
  assert_null(cf_node_get(conf, "X2"));
  assert_non_null(cf_node_at(conf, "z.q")); /* deeper objects are whole */
  assert_non_null(cf_node_at(root, "other.y")); /* another member is not narrowed */
  cf_diag_cleanup(&d);
  cf__arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_snapshots_split_exactly),
      cmocka_unit_test(test_element_larger_than_the_window),
      cmocka_unit_test(test_broken_and_hostile_arrays),
      cmocka_unit_test(test_item_members_narrowed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
