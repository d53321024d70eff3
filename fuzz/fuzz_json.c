/*
 * fuzz_json.c - libFuzzer target for the JSON front end (simdjson On-Demand into the
 * document model, src/doc/doc_json.cpp).
 *
 * Every input is parsed; a document that loads is then read the way adapters read one:
 * rendered back to JSON (bounded), looked up by key, copied into another arena, and its
 * positions checked to lie inside the input. A failure must come with a diagnostic and no
 * document. Invariants asserted here crash the target when broken, so libFuzzer reports them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cloudfort/cloudfort.h"
#include "core/core.h"

#define CHECK(x) \
  do {           \
    if (!(x)) abort(); \
  } while (0)

static uint32_t lines_in(const uint8_t *data, size_t size) {
  uint32_t n = 1;
  for (size_t i = 0; i < size; i++) n += data[i] == '\n';
  return n;
}

static void walk(const cf_node_t *n, uint32_t max_line, unsigned depth) {
  CHECK(depth <= CF_LIMIT_DEPTH + 1);
  CHECK(n->pos.line >= 1 && n->pos.line <= max_line);
  CHECK(n->pos.column >= 1);
  switch (n->type) {
  case CF_NODE_STRING: CHECK(n->u.s[n->len] == '\0'); break;
  case CF_NODE_ARRAY:
    for (uint32_t i = 0; i < n->len; i++) walk(n->u.items[i], max_line, depth + 1);
    break;
  case CF_NODE_OBJECT:
    for (uint32_t i = 0; i < n->len; i++) {
      const cf_member_t *m = &n->u.members[i];
      CHECK(m->key[m->key_len] == '\0');
      CHECK(m->key_pos.line >= 1 && m->key_pos.line <= max_line);
      CHECK(cf_node_get(n, m->key) != NULL || memchr(m->key, '\0', m->key_len) != NULL);
      walk(m->value, max_line, depth + 1);
    }
    break;
  default: break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cf_doc_t *doc = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_doc_opts_t o = {CF_DOC_JSON, 3, "fuzz.json", false};
  cf_err e = cf_doc_parse(NULL, (const char *)data, size, &o, &doc, &d);
  if (e) {
    CHECK(doc == NULL);
    CHECK(d.code == e && d.message != NULL);
  } else {
    CHECK(doc && doc->n_roots == 1);
    walk(doc->roots[0], lines_in(data, size), 1);
    cf_arena_t *a = cf__arena_new(0);
    CHECK(a);
    (void)cf_node_to_json(a, doc->roots[0], 1u << 20);
    cf_node_t *copy = cf_node_copy(a, doc->roots[0]);
    CHECK(copy);
    (void)cf_node_at(copy, "Resources.Bucket.Properties");
    double num;
    (void)cf_node_number(copy, &num);
    cf__arena_free(a);
  }
  cf_doc_free(doc);
  cf_diag_cleanup(&d);
  return 0;
}
