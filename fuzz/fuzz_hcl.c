/*
 * fuzz_hcl.c - libFuzzer target for the HCL native syntax parser (hcl_parse.c): arbitrary
 * bytes are parsed as a `.tf` file, and the tree that comes out is walked to its leaves, so
 * that every pointer the parser leaves behind is read.
 *
 * Invariants: a parse that fails says where (line >= 1) and why; a parse that succeeds
 * leaves no diagnostic. Inputs above 256 KiB are skipped to keep runs short.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "posture/hcl.h"

static size_t walk_expr(const hcl_expr_t *e, unsigned depth);

static size_t walk_body(const hcl_body_t *b, unsigned depth) {
  size_t n = 0;
  for (uint32_t i = 0; i < b->n_attrs; i++) n += strlen(b->attrs[i].name) + walk_expr(b->attrs[i].expr, depth + 1);
  for (uint32_t i = 0; i < b->n_blocks; i++) {
    n += strlen(b->blocks[i].type);
    for (uint32_t j = 0; j < b->blocks[i].n_labels; j++) n += strlen(b->blocks[i].labels[j]);
    n += walk_body(&b->blocks[i].body, depth + 1);
  }
  return n;
}

static size_t walk_expr(const hcl_expr_t *e, unsigned depth) {
  if (!e) return 0;
  if (depth > 4 * HCL_MAX_DEPTH) abort(); /* the parser's limit must hold */
  size_t n = 1;
  if (e->name) n += strlen(e->name);
  if (e->name2) n += strlen(e->name2);
  if (e->kind == HCL_E_LITERAL && !e->value) abort();
  if (e->value && e->value->type == CF_NODE_STRING) n += strlen(e->value->u.s);
  n += walk_expr(e->a, depth + 1) + walk_expr(e->b, depth + 1) + walk_expr(e->c, depth + 1) + walk_expr(e->d, depth + 1);
  for (uint32_t i = 0; i < e->n_items; i++) n += walk_expr(e->items[i], depth + 1);
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (256u << 10)) return 0;
  cf_arena_t *a = cf__arena_new(0);
  if (!a) abort();
  cf_diag_t d;
  cf_diag_init(&d);
  hcl_file_t *f = NULL;
  cf_err e = cf__hcl_parse(a, (const char *)data, size, 1, "fuzz.tf", &f, &d);
  if (e == CF_OK) {
    if (!f || d.message) abort();
    volatile size_t n = walk_body(&f->body, 0);
    (void)n;
  } else if (e != CF_ENOMEM && (f || d.line < 1 || !d.message)) {
    abort();
  }
  cf_diag_cleanup(&d);
  cf__arena_free(a);
  return 0;
}
