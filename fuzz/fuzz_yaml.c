/*
 * fuzz_yaml.c - libFuzzer target for the YAML front end (libyaml events into the document
 * model, src/doc/doc_yaml.c) with CloudFormation short forms on: anchors, aliases, merge
 * keys, tags, multi-document streams and the limits on depth and alias expansion.
 *
 * A document that loads is rendered to JSON with a bounded size (rendering expands aliases,
 * so an unbounded render of an alias-heavy document would only measure the renderer), and its
 * roots and positions are checked. A failure must come with a diagnostic and no document.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cf_doc_t *doc = NULL;
  cf_diag_t d;
  cf_diag_init(&d);
  cf_doc_opts_t o = {CF_DOC_YAML, 5, "fuzz.yaml", true};
  cf_err e = cf_doc_parse(NULL, (const char *)data, size, &o, &doc, &d);
  if (e) {
    CHECK(doc == NULL);
    CHECK(d.code == e && d.message != NULL);
  } else {
    CHECK(doc != NULL);
    cf_arena_t *a = cf__arena_new(0);
    CHECK(a);
    for (size_t i = 0; i < doc->n_roots; i++) {
      const cf_node_t *r = doc->roots[i];
      CHECK(r != NULL);
      CHECK(r->pos.file == 5);
      (void)cf_node_to_json(a, r, 256u << 10);
      (void)cf_node_get(r, "Resources");
      (void)cf_node_get_ci(r, "kind");
      (void)cf_node_truth(r);
    }
    cf__arena_free(a);
  }
  cf_doc_free(doc);
  cf_diag_cleanup(&d);
  return 0;
}
