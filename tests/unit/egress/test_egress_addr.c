/*
 * test_egress_addr.c - address classes (src/egress/egress_addr.c).
 *
 * Specified here, after the IANA special-purpose address registries: for every range the
 * first and the last address inside it and the neighbours just outside; every metadata
 * endpoint and its neighbours; IPv6 addresses that carry an IPv4 address (mapped,
 * compatible, NAT64, 6to4, Teredo) take the stricter of the two classes; and the reason
 * sentences name the range and, for a metadata endpoint, the cloud.
 */
#include "egress_test.h"

static const struct {
  const char *addr;
  cf_addr_class cls;
} cases[] = {
    {"255.255.255.255", CF_ADDR_RESERVED},
    {"255.255.255.254", CF_ADDR_RESERVED},
    {"0.0.0.0", CF_ADDR_UNSPECIFIED},
    {"0.255.255.255", CF_ADDR_UNSPECIFIED},
    {"1.0.0.0", CF_ADDR_GLOBAL},
    {"10.0.0.0", CF_ADDR_PRIVATE},
    {"10.255.255.255", CF_ADDR_PRIVATE},
    {"9.255.255.255", CF_ADDR_GLOBAL},
    {"11.0.0.0", CF_ADDR_GLOBAL},
    {"100.64.0.0", CF_ADDR_SHARED},
    {"100.127.255.255", CF_ADDR_SHARED},
    {"100.63.255.255", CF_ADDR_GLOBAL},
    {"100.128.0.0", CF_ADDR_GLOBAL},
    {"127.0.0.0", CF_ADDR_LOOPBACK},
    {"127.255.255.255", CF_ADDR_LOOPBACK},
    {"126.255.255.255", CF_ADDR_GLOBAL},
    {"128.0.0.0", CF_ADDR_GLOBAL},
    {"169.254.0.0", CF_ADDR_LINK_LOCAL},
    {"169.254.255.255", CF_ADDR_LINK_LOCAL},
    {"169.253.255.255", CF_ADDR_GLOBAL},
    {"169.255.0.0", CF_ADDR_GLOBAL},
    {"172.16.0.0", CF_ADDR_PRIVATE},
    {"172.31.255.255", CF_ADDR_PRIVATE},
    {"172.15.255.255", CF_ADDR_GLOBAL},
    {"172.32.0.0", CF_ADDR_GLOBAL},
    {"192.0.0.0", CF_ADDR_RESERVED},
    {"192.0.0.255", CF_ADDR_RESERVED},
    {"191.255.255.255", CF_ADDR_GLOBAL},
    {"192.0.1.0", CF_ADDR_GLOBAL},
    {"192.0.2.0", CF_ADDR_DOCUMENTATION},
    {"192.0.2.255", CF_ADDR_DOCUMENTATION},
    {"192.0.1.255", CF_ADDR_GLOBAL},
    {"192.0.3.0", CF_ADDR_GLOBAL},
    {"192.88.99.0", CF_ADDR_RESERVED},
    {"192.88.99.255", CF_ADDR_RESERVED},
    {"192.88.98.255", CF_ADDR_GLOBAL},
    {"192.88.100.0", CF_ADDR_GLOBAL},
    {"192.168.0.0", CF_ADDR_PRIVATE},
    {"192.168.255.255", CF_ADDR_PRIVATE},
    {"192.167.255.255", CF_ADDR_GLOBAL},
    {"192.169.0.0", CF_ADDR_GLOBAL},
    {"198.18.0.0", CF_ADDR_BENCHMARK},
    {"198.19.255.255", CF_ADDR_BENCHMARK},
    {"198.17.255.255", CF_ADDR_GLOBAL},
    {"198.20.0.0", CF_ADDR_GLOBAL},
    {"198.51.100.0", CF_ADDR_DOCUMENTATION},
    {"198.51.100.255", CF_ADDR_DOCUMENTATION},
    {"198.51.99.255", CF_ADDR_GLOBAL},
    {"198.51.101.0", CF_ADDR_GLOBAL},
    {"203.0.113.0", CF_ADDR_DOCUMENTATION},
    {"203.0.113.255", CF_ADDR_DOCUMENTATION},
    {"203.0.112.255", CF_ADDR_GLOBAL},
    {"203.0.114.0", CF_ADDR_GLOBAL},
    {"224.0.0.0", CF_ADDR_MULTICAST},
    {"239.255.255.255", CF_ADDR_MULTICAST},
    {"223.255.255.255", CF_ADDR_GLOBAL},
    {"240.0.0.0", CF_ADDR_RESERVED},
    {"100.100.100.199", CF_ADDR_SHARED},
    {"100.100.100.200", CF_ADDR_METADATA},
    {"100.100.100.201", CF_ADDR_SHARED},
    {"168.63.129.15", CF_ADDR_GLOBAL},
    {"168.63.129.16", CF_ADDR_METADATA},
    {"168.63.129.17", CF_ADDR_GLOBAL},
    {"169.254.169.253", CF_ADDR_LINK_LOCAL},
    {"169.254.169.254", CF_ADDR_METADATA},
    {"169.254.169.255", CF_ADDR_LINK_LOCAL},
    {"169.254.170.1", CF_ADDR_LINK_LOCAL},
    {"169.254.170.2", CF_ADDR_METADATA},
    {"169.254.170.3", CF_ADDR_LINK_LOCAL},
    {"169.254.170.22", CF_ADDR_LINK_LOCAL},
    {"169.254.170.23", CF_ADDR_METADATA},
    {"169.254.170.24", CF_ADDR_LINK_LOCAL},
    {"192.0.0.191", CF_ADDR_RESERVED},
    {"192.0.0.192", CF_ADDR_METADATA},
    {"192.0.0.193", CF_ADDR_RESERVED},
    {"::", CF_ADDR_UNSPECIFIED},
    {"::1", CF_ADDR_LOOPBACK},
    {"::2", CF_ADDR_UNSPECIFIED},
    {"::ffff:0:0", CF_ADDR_UNSPECIFIED},
    {"::ffff:ffff:ffff", CF_ADDR_RESERVED},
    {"::fffe:ffff:ffff", CF_ADDR_RESERVED},
    {"::1:0:0:0", CF_ADDR_RESERVED},
    {"::ffff:ffff", CF_ADDR_RESERVED},
    {"::1:0:0", CF_ADDR_RESERVED},
    {"64:ff9b::", CF_ADDR_UNSPECIFIED},
    {"64:ff9b::ffff:ffff", CF_ADDR_RESERVED},
    {"64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_RESERVED},
    {"64:ff9b::1:0:0", CF_ADDR_RESERVED},
    {"64:ff9b:1::", CF_ADDR_UNSPECIFIED},
    {"64:ff9b:1:ffff:ffff:ffff:ffff:ffff", CF_ADDR_RESERVED},
    {"64:ff9b:0:ffff:ffff:ffff:ffff:ffff", CF_ADDR_RESERVED},
    {"64:ff9b:2::", CF_ADDR_RESERVED},
    {"100::", CF_ADDR_RESERVED},
    {"100::ffff:ffff:ffff:ffff", CF_ADDR_RESERVED},
    {"ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_RESERVED},
    {"100:0:0:1::", CF_ADDR_RESERVED},
    {"2001::", CF_ADDR_RESERVED},
    {"2001:0:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_UNSPECIFIED},
    {"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_GLOBAL},
    {"2001:1::", CF_ADDR_RESERVED},
    {"2001:db8::", CF_ADDR_DOCUMENTATION},
    {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_DOCUMENTATION},
    {"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_GLOBAL},
    {"2001:db9::", CF_ADDR_GLOBAL},
    {"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_RESERVED},
    {"2001:200::", CF_ADDR_GLOBAL},
    {"2002::", CF_ADDR_UNSPECIFIED},
    {"2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_RESERVED},
    {"2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_GLOBAL},
    {"2003::", CF_ADDR_GLOBAL},
    {"fc00::", CF_ADDR_PRIVATE},
    {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_PRIVATE},
    {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_RESERVED},
    {"fe00::", CF_ADDR_RESERVED},
    {"fe80::", CF_ADDR_LINK_LOCAL},
    {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_LINK_LOCAL},
    {"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_RESERVED},
    {"fec0::", CF_ADDR_RESERVED},
    {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_RESERVED},
    {"ff00::", CF_ADDR_MULTICAST},
    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_MULTICAST},
    {"fd00:ec2::22", CF_ADDR_PRIVATE},
    {"fd00:ec2::23", CF_ADDR_METADATA},
    {"fd00:ec2::24", CF_ADDR_PRIVATE},
    {"fd00:ec2::253", CF_ADDR_PRIVATE},
    {"fd00:ec2::254", CF_ADDR_METADATA},
    {"fd00:ec2::255", CF_ADDR_PRIVATE},
    {"::ffff:169.254.169.254", CF_ADDR_METADATA},
    {"::ffff:8.8.8.8", CF_ADDR_TRANSLATED},
    {"::ffff:127.0.0.1", CF_ADDR_LOOPBACK},
    {"::169.254.169.254", CF_ADDR_METADATA},
    {"::8.8.8.8", CF_ADDR_RESERVED},
    {"64:ff9b::8.8.8.8", CF_ADDR_TRANSLATED},
    {"64:ff9b::10.0.0.1", CF_ADDR_PRIVATE},
    {"64:ff9b:1::a9fe:a9fe", CF_ADDR_METADATA},
    {"2002:a9fe:a9fe::", CF_ADDR_METADATA},
    {"2002:0808:0808::", CF_ADDR_TRANSLATED},
    {"2002:7f00:1::", CF_ADDR_LOOPBACK},
    {"2001:0:4136:e378:8000:63bf:5601:5601", CF_ADDR_METADATA},
    {"2001:0:4136:e378:8000:63bf:f7f7:f7f7", CF_ADDR_TRANSLATED},
    {"2001:0:4136:e378:8000:63bf:80ff:fffe", CF_ADDR_LOOPBACK},
    {"2606:4700:4700::1111", CF_ADDR_GLOBAL},
    {"2001:4860:4860::8888", CF_ADDR_GLOBAL},
    {"1::", CF_ADDR_RESERVED},
    {"3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_GLOBAL},
    {"4000::", CF_ADDR_RESERVED},
    {"1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", CF_ADDR_RESERVED},
};

static cf_addr_class classify_text(const char *text, char *why, size_t n) {
  uint8_t a[16];
  int family = strchr(text, ':') ? AF_INET6 : AF_INET;
  assert_int_equal(1, inet_pton(family, text, a));
  return cf_addr_classify(family, a, why, n);
}

#define assert_addr_class(text, want)                                                            \
  do {                                                                                           \
    char why_[256];                                                                              \
    cf_addr_class got_ = classify_text((text), why_, sizeof why_);                               \
    if (got_ != (want)) {                                                                        \
      print_error("%s: %s (%s), expected %s\n", (text), cf_addr_class_name(got_), why_,          \
                  cf_addr_class_name(want));                                                     \
      fail();                                                                                    \
    }                                                                                            \
  } while (0)

static void test_boundaries(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) assert_addr_class(cases[i].addr, cases[i].cls);
}

static void assert_reason(const char *addr, const char *want) {
  char why[256];
  (void)classify_text(addr, why, sizeof why);
  if (strcmp(why, want) != 0) {
    print_error("%s:\n  got      %s\n  expected %s\n", addr, why, want);
    fail();
  }
}

static void test_reasons(void **state) {
  (void)state;
  assert_reason("169.254.169.254",
                "169.254.169.254 is link-local (169.254.0.0/16): the AWS, GCP and Azure instance metadata service");
  assert_reason("169.254.170.2",
                "169.254.170.2 is link-local (169.254.0.0/16): the AWS ECS task metadata and credentials endpoint");
  assert_reason("169.254.1.1", "169.254.1.1 is link-local (169.254.0.0/16), the range of cloud instance metadata services");
  assert_reason("168.63.129.16", "168.63.129.16 is in global address space: the Azure WireServer (platform metadata and agent endpoint)");
  assert_reason("100.100.100.200", "100.100.100.200 is shared address space for carrier-grade NAT (100.64.0.0/10): the Alibaba Cloud instance metadata service");
  assert_reason("192.0.0.192", "192.0.0.192 is reserved for IETF protocol assignments (192.0.0.0/24): the Oracle Cloud instance metadata service");
  assert_reason("fd00:ec2::254", "fd00:ec2::254 is unique local (fc00::/7): the AWS instance metadata service (IPv6)");
  assert_reason("10.1.2.3", "10.1.2.3 is private (10.0.0.0/8)");
  assert_reason("8.8.8.8", "8.8.8.8 is global");
  assert_reason("::ffff:169.254.169.254",
                "::ffff:a9fe:a9fe is IPv4-mapped (::ffff:0:0/96) and carries 169.254.169.254, which is link-local "
                "(169.254.0.0/16): the AWS, GCP and Azure instance metadata service");
  assert_reason("2001:0:4136:e378:8000:63bf:f7f7:f7f7",
                "2001:0:4136:e378:8000:63bf:f7f7:f7f7 is Teredo (2001::/32) and carries 8.8.8.8, which is global");
  /* A short buffer is cut, never overrun, and always terminated. */
  char small[12];
  memset(small, 'x', sizeof small);
  uint8_t a[4] = {169, 254, 169, 254};
  assert_int_equal(CF_ADDR_METADATA, cf_addr_classify(AF_INET, a, small, sizeof small));
  assert_string_equal("169.254.169", small);
  assert_int_equal(CF_ADDR_METADATA, cf_addr_classify(AF_INET, a, NULL, 0));
  assert_int_equal(CF_ADDR_RESERVED, cf_addr_classify(AF_UNIX, a, NULL, 0));
}

static void test_names(void **state) {
  (void)state;
  static const char *const names[] = {"global", "unspecified", "loopback", "private", "shared", "link-local",
                                      "metadata", "documentation", "benchmark", "multicast", "reserved", "translated"};
  for (int c = CF_ADDR_GLOBAL; c <= CF_ADDR_TRANSLATED; c++) assert_string_equal(names[c], cf_addr_class_name(c));
  assert_string_equal("unknown", cf_addr_class_name((cf_addr_class)99));
  assert_string_equal("metadata", cf_egress_why_name(CF_EGRESS_WHY_METADATA));
  assert_string_equal("denied_range", cf_egress_why_name(CF_EGRESS_WHY_DENIED_RANGE));
  assert_string_equal("unknown", cf_egress_why_name((cf_egress_why)99));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_boundaries), cmocka_unit_test(test_reasons),
                                     cmocka_unit_test(test_names)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
