/*
 * test_validators_pii.c - the personal-data validators: Luhn, IBAN, US SSN, Japanese
 * Individual Number and Korean resident registration number.
 *
 * Valid values are either published examples (the test card numbers card networks print,
 * the IBAN examples of the ISO 13616 registry) or numbers whose check digit this file
 * computes itself, with code written from the specifications independently of the
 * validators. Luhn and MOD 97 values are also altered one digit at a time, which those check
 * digits always catch (the My Number and RRN sums map two remainders to one check digit, so
 * there only the check digit itself is varied).
 */
#include "testutil.h"

#include "content/content_internal.h"

static int run(const char *name, const char *s) {
  const cf_validator_t *v = cf__validator_find(name);
  assert_non_null(v);
  return v->fn(s, strlen(s));
}

#define assert_verdict(name, s, want)                                                      \
  do {                                                                                     \
    int got_ = run(name, s);                                                               \
    if (got_ != (want)) fail_msg("%s(\"%s\") = %d, expected %d", name, s, got_, (int)(want)); \
  } while (0)

/* A small deterministic generator, so failures reproduce. */
static uint32_t rng_state = 12345;
static uint32_t rnd(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return (rng_state >> 8) & 0xffffff;
}

/* Every single-digit change of a value must fail (Luhn and MOD 97 catch any one substituted
 * digit). */
static void assert_digit_changes_fail(const char *name, const char *valid, int fail_value) {
  char buf[64];
  size_t n = strlen(valid);
  assert_true(n < sizeof buf);
  for (size_t i = 0; i < n; i++) {
    if (valid[i] < '0' || valid[i] > '9') continue;
    for (char c = '0'; c <= '9'; c++) {
      if (c == valid[i]) continue;
      memcpy(buf, valid, n + 1);
      buf[i] = c;
      assert_verdict(name, buf, fail_value);
    }
  }
}

/* ---- Luhn ---- */

static void test_luhn_published(void **state) {
  (void)state;
  static const char *const good[] = {
      "4111111111111111",    /* Visa */
      "4111 1111 1111 1111", /* separators are skipped */
      "4111-1111-1111-1111",
      "5555555555554444",    /* Mastercard */
      "2223003122003222",    /* Mastercard 2-series */
      "378282246310005",     /* American Express */
      "6011111111111117",    /* Discover */
      "3530111333300000",    /* JCB */
      "30569309025904",      /* Diners Club */
      "6200000000000005",    /* UnionPay */
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    assert_verdict("luhn", good[i], 1);
    assert_digit_changes_fail("luhn", good[i], -1);
  }
  assert_verdict("luhn", "4111111111111112", -1);
  assert_verdict("luhn", "41111111111", -1);          /* fewer than 12 digits */
  assert_verdict("luhn", "4111x11111111111", -1);     /* not a digit */
  assert_verdict("luhn", "4111\xef\xbc\x91" "111111111111", -1); /* a full-width digit */
}

/* ---- IBAN ---- */

/* MOD 97-10 computed on a decimal string, the way ISO 7064 describes it: nine digits at a
 * time. */
static unsigned mod97_decimal(const char *digits) {
  unsigned long rem = 0;
  size_t n = strlen(digits), i = 0;
  while (i < n) {
    char chunk[16];
    int k = snprintf(chunk, sizeof chunk, "%lu", rem);
    while (i < n && k < 9) chunk[k++] = digits[i++];
    chunk[k] = '\0';
    rem = strtoul(chunk, NULL, 10) % 97;
  }
  return (unsigned)rem;
}

/* Builds an IBAN for country cc and bban with correct check digits into out. */
static void make_iban(const char *cc, const char *bban, char *out, size_t size) {
  char rearranged[128] = "";
  char num[256] = "";
  snprintf(rearranged, sizeof rearranged, "%s%s00", bban, cc);
  size_t k = 0;
  for (const char *p = rearranged; *p; p++)
    k += (size_t)snprintf(num + k, sizeof num - k, "%d", *p >= 'A' ? *p - 'A' + 10 : *p - '0');
  unsigned check = 98 - mod97_decimal(num);
  snprintf(out, size, "%s%02u%s", cc, check, bban);
}

static void test_iban_published(void **state) {
  (void)state;
  static const char *const good[] = {
      "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000",
      "DE89 3704 0044 0532 0130 00", "FR1420041010050500013M02606", "NL91ABNA0417164300",
      "BE68539007547034", "NO9386011117947", "CH9300762011623852957",
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    assert_verdict("iban", good[i], 1);
    assert_digit_changes_fail("iban", good[i], -1);
  }
}

static void test_iban_generated(void **state) {
  (void)state;
  static const struct {
    const char *cc;
    int len;
  } countries[] = {{"DE", 22}, {"GB", 22}, {"FR", 27}, {"IT", 27}, {"ES", 24}, {"NL", 18},
                   {"NO", 15}, {"MT", 31}, {"PL", 28}, {"SE", 24}};
  for (size_t c = 0; c < sizeof countries / sizeof countries[0]; c++) {
    for (int t = 0; t < 20; t++) {
      char bban[40], iban[48];
      int n = countries[c].len - 4;
      for (int i = 0; i < n; i++) {
        unsigned r = rnd() % 36;
        /* Letters only where some countries put bank codes: anywhere is fine for MOD 97. */
        bban[i] = (char)(r < 10 || t % 2 == 0 ? '0' + (int)(r % 10) : 'A' + (int)(r - 10));
      }
      bban[n] = '\0';
      make_iban(countries[c].cc, bban, iban, sizeof iban);
      assert_verdict("iban", iban, 1);
    }
  }
}

static void test_iban_invalid(void **state) {
  (void)state;
  assert_verdict("iban", "GB82WEST1234569876543", -1);    /* one character short */
  assert_verdict("iban", "GB82WEST123456987654321", -1);  /* one too long */
  assert_verdict("iban", "GB28WEST12345698765432", -1);   /* check digits swapped */
  assert_verdict("iban", "XX82WEST12345698765432", -1);   /* no such country */
  assert_verdict("iban", "gb82west12345698765432", -1);   /* IBANs are upper case */
  assert_verdict("iban", "GB82-WEST-1234-5698-7654-32", -1);
  assert_verdict("iban", "GB82WEST1234\xc3\xa9" "698765432", -1);
  assert_verdict("iban", "", -1);
  assert_verdict("iban", "GB", -1);
  assert_verdict("iban", "GB82WEST12345698765432GB82WEST12345698765432", -1); /* past 34 */
}

/* ---- US SSN ---- */

static void test_us_ssn(void **state) {
  (void)state;
  static const struct {
    const char *s;
    int want;
  } cases[] = {
      {"123-45-6789", 0}, /* plausible: no check digit, so no opinion */
      {"001-01-0001", 0}, {"665-99-9999", 0}, {"667-01-0001", 0}, {"899-99-9999", 0},
      {"000-12-3456", -1}, {"666-12-3456", -1}, {"900-12-3456", -1}, {"999-12-3456", -1},
      {"123-00-4567", -1}, {"123-45-0000", -1},
      {"123456789", -1}, {"123-456-789", -1}, {"12-345-6789", -1}, {"123-45-678a", -1},
      {"123 45 6789", -1}, {"", -1}, {"123-45-\xd9\xa6" "789", -1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) assert_verdict("us-ssn", cases[i].s, cases[i].want);
}

/* ---- Japan: My Number ---- */

/* The check digit as the ministerial ordinance states it, written here separately. */
static int my_number_check(const char *eleven) {
  int sum = 0;
  for (int n = 1; n <= 11; n++) {
    int p = eleven[11 - n] - '0';
    int q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  int r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

static void test_jp_my_number(void **state) {
  (void)state;
  /* The example value used throughout Japanese documentation (check digit worked by hand:
   * the sum is 212, 212 mod 11 = 3, 11 - 3 = 8). */
  assert_verdict("jp-my-number", "123456789018", 1);
  assert_verdict("jp-my-number", "1234-5678-9018", 1);
  assert_verdict("jp-my-number", "1234 5678 9018", 1);
  assert_verdict("jp-my-number", "123456789017", -1);
  for (int t = 0; t < 200; t++) {
    char s[16];
    for (int i = 0; i < 11; i++) s[i] = (char)('0' + rnd() % 10);
    s[11] = (char)('0' + my_number_check(s));
    s[12] = '\0';
    assert_verdict("jp-my-number", s, 1);
    /* Exactly one check digit fits. */
    for (char c = '0'; c <= '9'; c++) {
      if (c == s[11]) continue;
      char o = s[11];
      s[11] = c;
      assert_verdict("jp-my-number", s, -1);
      s[11] = o;
    }
  }
  assert_verdict("jp-my-number", "12345678901", -1);   /* 11 digits */
  assert_verdict("jp-my-number", "1234567890188", -1); /* 13 digits */
  assert_verdict("jp-my-number", "1234/5678/9018", -1);
  assert_verdict("jp-my-number", "１２３４５６７８９０１８", -1); /* full-width digits */
}

/* ---- Korea: RRN ---- */

static int rrn_check(const char *twelve) {
  static const int w[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
  int sum = 0;
  for (int i = 0; i < 12; i++) sum += (twelve[i] - '0') * w[i];
  return (11 - sum % 11) % 10;
}

/* "YYMMDD-S" + five digits + the computed check digit. */
static void make_rrn(const char *date, char s, const char *five, char *out) {
  char digits[13];
  snprintf(digits, sizeof digits, "%s%c%s", date, s, five);
  snprintf(out, 16, "%s-%c%s%d", date, s, five, rrn_check(digits));
}

static void test_kr_rrn(void **state) {
  (void)state;
  char rrn[16];
  make_rrn("900101", '1', "23456", rrn);
  assert_verdict("kr-rrn", rrn, 1);
  /* Since October 2020 the last digits are random: a failed check is no opinion. */
  for (char c = '0'; c <= '9'; c++) {
    char o = rrn[13];
    if (c == o) continue;
    rrn[13] = c;
    assert_verdict("kr-rrn", rrn, 0);
    rrn[13] = o;
  }
  make_rrn("040229", '3', "10101", rrn); /* 2004 was a leap year */
  assert_verdict("kr-rrn", rrn, 1);
  make_rrn("000229", '4', "10101", rrn); /* so was 2000 */
  assert_verdict("kr-rrn", rrn, 1);
  make_rrn("851231", '6', "54321", rrn); /* a foreign resident born in 1985 */
  assert_verdict("kr-rrn", rrn, 1);
  make_rrn("991130", '8', "00001", rrn);
  assert_verdict("kr-rrn", rrn, 1);
  char nodash[16];
  make_rrn("750615", '2', "11111", rrn);
  snprintf(nodash, sizeof nodash, "%.6s%s", rrn, rrn + 7);
  assert_verdict("kr-rrn", nodash, 1);
  /* Impossible dates and century digits. */
  make_rrn("050229", '3', "10101", rrn); /* 2005 was not a leap year */
  assert_verdict("kr-rrn", rrn, -1);
  make_rrn("000229", '2', "10101", rrn); /* 1900 was not either */
  assert_verdict("kr-rrn", rrn, -1);
  make_rrn("901301", '1', "23456", rrn);
  assert_verdict("kr-rrn", rrn, -1);
  make_rrn("900100", '1', "23456", rrn);
  assert_verdict("kr-rrn", rrn, -1);
  make_rrn("900431", '1', "23456", rrn);
  assert_verdict("kr-rrn", rrn, -1);
  make_rrn("900101", '9', "23456", rrn);
  assert_verdict("kr-rrn", rrn, -1);
  make_rrn("900101", '0', "23456", rrn);
  assert_verdict("kr-rrn", rrn, -1);
  assert_verdict("kr-rrn", "900101-123456", -1);   /* 12 digits */
  assert_verdict("kr-rrn", "900101-12345678", -1); /* 14 digits */
  assert_verdict("kr-rrn", "900101_1234567", -1);
  assert_verdict("kr-rrn", "", -1);
  assert_verdict("kr-rrn", "900101-12345\xc2\xb2", -1);
}

static void test_registry(void **state) {
  (void)state;
  static const char *const names[] = {"luhn", "iban", "us-ssn", "jp-my-number", "kr-rrn"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const cf_validator_t *v = cf__validator_find(names[i]);
    assert_non_null(v);
    assert_non_null(v->what);
  }
  assert_null(cf__validator_find("no-such-validator"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_luhn_published), cmocka_unit_test(test_iban_published),
      cmocka_unit_test(test_iban_generated), cmocka_unit_test(test_iban_invalid),
      cmocka_unit_test(test_us_ssn),         cmocka_unit_test(test_jp_my_number),
      cmocka_unit_test(test_kr_rrn),         cmocka_unit_test(test_registry),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
