/*
 * test_core_memory.c - the arena and the capped buffer, the two allocators every parser and
 * writer of untrusted size goes through.
 *
 * What is specified here: arena allocations are 8-byte aligned and independent; an arena
 * with max_bytes never holds more than that and fails an allocation beyond it like an
 * out-of-memory condition, while allocations that still fit keep working; reset keeps one
 * chunk. A capped buffer is always NUL-terminated, refuses with CF_ELIMIT any append or
 * printf that would pass its maximum, and a refused operation leaves length and content
 * exactly as they were.
 */
#include "testutil.h"

#include "core/core.h"

/* ---- arena ---- */

static void test_arena_allocations_are_aligned_and_distinct(void **state) {
  (void)state;
  cf_arena_t *a = cf__arena_new(0);
  assert_non_null(a);
  char *prev = NULL;
  for (size_t n = 1; n < 300; n += 7) {
    char *p = cf__arena_alloc(a, n);
    assert_non_null(p);
    assert_int_equal(0, (uintptr_t)p % 8);
    memset(p, (int)(n & 0xff), n);
    if (prev) assert_true(p != prev);
    prev = p;
  }
  /* Earlier blocks are not overwritten by later ones. */
  char *first = cf__arena_alloc(a, 16);
  memset(first, 'A', 16);
  for (int i = 0; i < 1000; i++) memset(cf__arena_alloc(a, 40), 'B', 40);
  for (int i = 0; i < 16; i++) assert_int_equal('A', first[i]);
  cf__arena_free(a);
}

static void test_arena_zalloc_and_strings(void **state) {
  (void)state;
  cf_arena_t *a = cf__arena_new(0);
  unsigned char *z = cf__arena_zalloc(a, 100);
  for (int i = 0; i < 100; i++) assert_int_equal(0, z[i]);
  assert_string_equal("abc", cf__arena_strndup(a, "abcdef", 3));
  assert_string_equal("", cf__arena_strndup(a, "abc", 0));
  assert_string_equal("hello", cf__arena_strdup(a, "hello"));
  assert_string_equal("x=42 y=z", cf__arena_printf(a, "x=%d y=%s", 42, "z"));
  cf__arena_free(a);
  cf__arena_free(NULL); /* freeing nothing is allowed */
}

static void test_arena_large_request_gets_its_own_chunk(void **state) {
  (void)state;
  cf_arena_t *a = cf__arena_new(0);
  char *small = cf__arena_alloc(a, 32);
  memset(small, 's', 32);
  char *big = cf__arena_alloc(a, 3u << 20);
  assert_non_null(big);
  memset(big, 'b', 3u << 20);
  assert_true(cf__arena_used(a) >= (3u << 20));
  /* The current chunk still serves small requests after the big one. */
  char *after = cf__arena_alloc(a, 32);
  assert_non_null(after);
  assert_int_equal('s', small[31]);
  cf__arena_free(a);
}

static void test_arena_max_bytes_is_a_hard_cap(void **state) {
  (void)state;
  const size_t max = 64 * 1024;
  cf_arena_t *a = cf__arena_new(max);
  size_t got = 0;
  void *p;
  while ((p = cf__arena_alloc(a, 100)) != NULL) {
    got += 100;
    assert_true(cf__arena_used(a) <= max);
    assert_true(got <= max);
  }
  /* It gave out most of the budget before refusing... */
  assert_true(got > max / 2);
  assert_true(cf__arena_used(a) <= max);
  /* ...refuses what does not fit, and keeps refusing. */
  assert_null(cf__arena_alloc(a, max));
  assert_null(cf__arena_alloc(a, 100));
  assert_true(cf__arena_used(a) <= max);
  cf__arena_free(a);
}

static void test_arena_max_bytes_refuses_one_oversized_request(void **state) {
  (void)state;
  cf_arena_t *a = cf__arena_new(10000);
  assert_null(cf__arena_alloc(a, 20000));
  assert_int_equal(0, cf__arena_used(a));
  /* A request that fits is still served after a refusal. */
  assert_non_null(cf__arena_alloc(a, 5000));
  assert_true(cf__arena_used(a) <= 10000);
  /* Sizes that would overflow are refused, not wrapped. */
  assert_null(cf__arena_alloc(a, SIZE_MAX));
  assert_null(cf__arena_alloc(a, SIZE_MAX - 4));
  cf__arena_free(a);
}

static void test_arena_reset_keeps_one_chunk(void **state) {
  (void)state;
  cf_arena_t *a = cf__arena_new(0);
  for (int i = 0; i < 10000; i++) assert_non_null(cf__arena_alloc(a, 64));
  size_t before = cf__arena_used(a);
  cf__arena_reset(a);
  size_t after = cf__arena_used(a);
  assert_true(after < before);
  assert_true(after > 0);
  char *p = cf__arena_alloc(a, 64);
  assert_non_null(p);
  memset(p, 1, 64);
  assert_int_equal(after, cf__arena_used(a)); /* served from the kept chunk */
  cf__arena_free(a);
}

/* ---- capped buffer ---- */

/* The buffer holds exactly `want` (and is NUL-terminated after it). */
static void assert_buf_holds(const cf_buf_t *b, const char *want) {
  assert_int_equal(strlen(want), b->len);
  assert_non_null(b->data);
  assert_memory_equal(want, b->data, b->len);
  assert_int_equal('\0', b->data[b->len]);
}

static void test_buf_appends_and_terminates(void **state) {
  (void)state;
  cf_buf_t b;
  cf__buf_init(&b, 100);
  assert_int_equal(CF_OK, cf__buf_puts(&b, "abc"));
  assert_int_equal(CF_OK, cf__buf_putc(&b, '-'));
  assert_int_equal(CF_OK, cf__buf_append(&b, "xyz", 2));
  assert_int_equal(CF_OK, cf__buf_printf(&b, "[%d:%s]", 7, "q"));
  assert_buf_holds(&b, "abc-xy[7:q]");
  cf__buf_reset(&b);
  assert_buf_holds(&b, "");
  cf__buf_cleanup(&b);
  assert_null(b.data);
  assert_int_equal(0, b.len);
}

static void test_buf_fills_exactly_to_max(void **state) {
  (void)state;
  cf_buf_t b;
  cf__buf_init(&b, 10);
  assert_int_equal(CF_OK, cf__buf_puts(&b, "0123456789"));
  assert_buf_holds(&b, "0123456789");
  assert_true(b.cap <= 11); /* never more storage than max plus the terminator */
  assert_int_equal(CF_ELIMIT, cf__buf_putc(&b, 'x'));
  assert_int_equal(CF_OK, cf__buf_append(&b, "", 0)); /* nothing more is still fine */
  assert_buf_holds(&b, "0123456789");
  cf__buf_cleanup(&b);
}

/* Every kind of refused write, each on a buffer already holding "hello": all refuse with
 * CF_ELIMIT and leave "hello". */
typedef enum { W_APPEND, W_PUTS, W_PUTC, W_PRINTF, W_HUGE } write_kind;
static const struct {
  write_kind kind;
  const char *arg;
  size_t max;
} refused[] = {
    {W_APPEND, "123456", 10}, /* 5 + 6 > 10 */
    {W_PUTS, "world!", 10},
    {W_PUTC, "x", 5},         /* already full */
    {W_PRINTF, "long text", 8},
    {W_HUGE, NULL, 1000},     /* a length that would overflow size_t arithmetic */
};

static void test_buf_refused_write_leaves_buffer_unchanged(void **state) {
  (void)state;
  for (size_t i = 0; i < CF_ARRAY_LEN(refused); i++) {
    cf_buf_t b;
    cf__buf_init(&b, refused[i].max);
    assert_int_equal(CF_OK, cf__buf_puts(&b, "hello"));
    char *data_before = b.data;
    size_t cap_before = b.cap;
    cf_err e = CF_OK;
    switch (refused[i].kind) {
    case W_APPEND: e = cf__buf_append(&b, refused[i].arg, strlen(refused[i].arg)); break;
    case W_PUTS: e = cf__buf_puts(&b, refused[i].arg); break;
    case W_PUTC: e = cf__buf_putc(&b, refused[i].arg[0]); break;
    case W_PRINTF: e = cf__buf_printf(&b, "%s", refused[i].arg); break;
    case W_HUGE: e = cf__buf_append(&b, "x", SIZE_MAX); break;
    }
    if (e != CF_ELIMIT) fail_msg("case %zu: expected CF_ELIMIT, got %s", i, cf_err_name(e));
    assert_buf_holds(&b, "hello");
    assert_ptr_equal(data_before, b.data);
    assert_int_equal(cap_before, b.cap);
    cf__buf_cleanup(&b);
  }
}

static void test_buf_take_hands_over_and_empties(void **state) {
  (void)state;
  cf_buf_t b;
  cf__buf_init(&b, 64);
  assert_int_equal(CF_OK, cf__buf_puts(&b, "secret"));
  char *s = cf__buf_take(&b);
  assert_string_equal("secret", s);
  free(s);
  assert_null(b.data);
  assert_int_equal(0, b.len);
  /* An empty buffer hands over an empty string, never NULL. */
  s = cf__buf_take(&b);
  assert_non_null(s);
  assert_string_equal("", s);
  free(s);
  /* The secure cleanup leaves the buffer empty and reusable. */
  assert_int_equal(CF_OK, cf__buf_puts(&b, "key=AKIA"));
  cf__buf_cleanup_secure(&b);
  assert_null(b.data);
  assert_int_equal(CF_OK, cf__buf_puts(&b, "again"));
  assert_buf_holds(&b, "again");
  cf__buf_cleanup(&b);
}

static void test_buf_grows_through_many_appends(void **state) {
  (void)state;
  cf_buf_t b;
  cf__buf_init(&b, 1u << 20);
  for (int i = 0; i < 10000; i++) assert_int_equal(CF_OK, cf__buf_printf(&b, "%04d,", i % 10000));
  assert_int_equal(50000, b.len);
  assert_memory_equal("0000,0001,", b.data, 10);
  assert_memory_equal("9999,", b.data + b.len - 5, 5);
  cf__buf_cleanup(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_arena_allocations_are_aligned_and_distinct),
      cmocka_unit_test(test_arena_zalloc_and_strings),
      cmocka_unit_test(test_arena_large_request_gets_its_own_chunk),
      cmocka_unit_test(test_arena_max_bytes_is_a_hard_cap),
      cmocka_unit_test(test_arena_max_bytes_refuses_one_oversized_request),
      cmocka_unit_test(test_arena_reset_keeps_one_chunk),
      cmocka_unit_test(test_buf_appends_and_terminates),
      cmocka_unit_test(test_buf_fills_exactly_to_max),
      cmocka_unit_test(test_buf_refused_write_leaves_buffer_unchanged),
      cmocka_unit_test(test_buf_take_hands_over_and_empties),
      cmocka_unit_test(test_buf_grows_through_many_appends),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
