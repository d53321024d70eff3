/*
 * egress_addr.c - which addresses are on the public internet, and which are a cloud's
 * metadata service.
 *
 * The ranges are those of the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890
 * and its updates) that a fetch on behalf of a user must never reach, each with the class it
 * belongs to and the range written out, so that a denial can say "10.1.2.3 is private
 * (10.0.0.0/8)". IPv6 addresses outside 2000::/3, the only block IANA has allocated for global
 * unicast, are reserved.
 *
 * IPv6 addresses that carry an IPv4 address reach that IPv4 address: IPv4-mapped and
 * IPv4-compatible (RFC 4291), NAT64 (RFC 6052: 64:ff9b::/96 and the local-use 64:ff9b:1::/48,
 * taken here with the address in the last 32 bits, the layout of a /96 prefix), 6to4
 * (RFC 3056: bits 16 to 47) and Teredo (RFC 4380: the client's address is the last 32 bits,
 * inverted). The embedded address is classified too and the stricter class wins, so that
 * [::ffff:169.254.169.254] is the metadata service, not merely "translated".
 *
 * Metadata endpoints are exact addresses inside those ranges (and one, Azure's WireServer,
 * in global space); they get CF_ADDR_METADATA and a reason that names the cloud.
 *
 * The reason is built with plain appends rather than snprintf: the URL check formats one for
 * every denied literal, and it is on the proxy's hot path.
 */
#include <string.h>

#include "core/core.h"
#include "egress_internal.h"

typedef struct range {
  uint8_t prefix[16];
  uint8_t bits;
  uint8_t cls;       /* cf_addr_class */
  uint8_t embed;     /* how an IPv4 address is embedded (IPv6 only) */
  const char *text;  /* the range as written in the registry */
  const char *what;  /* "private", "IPv4-mapped", ... */
} range_t;

enum { EMB_NONE = 0, EMB_LAST32, EMB_6TO4, EMB_TEREDO };

#define V4(a, b, c, d) {a, b, c, d}

/* First match wins: specific entries precede the blocks that contain them. */
static const range_t ranges4[] = {
    {V4(255, 255, 255, 255), 32, CF_ADDR_RESERVED, 0, "255.255.255.255/32", "the limited broadcast address"},
    {V4(0, 0, 0, 0), 8, CF_ADDR_UNSPECIFIED, 0, "0.0.0.0/8", "\"this network\""},
    {V4(10, 0, 0, 0), 8, CF_ADDR_PRIVATE, 0, "10.0.0.0/8", "private"},
    {V4(100, 64, 0, 0), 10, CF_ADDR_SHARED, 0, "100.64.0.0/10", "shared address space for carrier-grade NAT"},
    {V4(127, 0, 0, 0), 8, CF_ADDR_LOOPBACK, 0, "127.0.0.0/8", "loopback"},
    {V4(169, 254, 0, 0), 16, CF_ADDR_LINK_LOCAL, 0, "169.254.0.0/16", "link-local"},
    {V4(172, 16, 0, 0), 12, CF_ADDR_PRIVATE, 0, "172.16.0.0/12", "private"},
    {V4(192, 0, 0, 0), 24, CF_ADDR_RESERVED, 0, "192.0.0.0/24", "reserved for IETF protocol assignments"},
    {V4(192, 0, 2, 0), 24, CF_ADDR_DOCUMENTATION, 0, "192.0.2.0/24", "documentation TEST-NET-1"},
    {V4(192, 88, 99, 0), 24, CF_ADDR_RESERVED, 0, "192.88.99.0/24", "the deprecated 6to4 relay anycast range"},
    {V4(192, 168, 0, 0), 16, CF_ADDR_PRIVATE, 0, "192.168.0.0/16", "private"},
    {V4(198, 18, 0, 0), 15, CF_ADDR_BENCHMARK, 0, "198.18.0.0/15", "benchmarking"},
    {V4(198, 51, 100, 0), 24, CF_ADDR_DOCUMENTATION, 0, "198.51.100.0/24", "documentation TEST-NET-2"},
    {V4(203, 0, 113, 0), 24, CF_ADDR_DOCUMENTATION, 0, "203.0.113.0/24", "documentation TEST-NET-3"},
    {V4(224, 0, 0, 0), 4, CF_ADDR_MULTICAST, 0, "224.0.0.0/4", "multicast"},
    {V4(240, 0, 0, 0), 4, CF_ADDR_RESERVED, 0, "240.0.0.0/4", "reserved for future use"},
};

static const range_t ranges6[] = {
    {{0}, 128, CF_ADDR_UNSPECIFIED, EMB_NONE, "::/128", "the unspecified address"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, CF_ADDR_LOOPBACK, EMB_NONE, "::1/128", "loopback"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96, CF_ADDR_TRANSLATED, EMB_LAST32, "::ffff:0:0/96", "IPv4-mapped"},
    {{0}, 96, CF_ADDR_RESERVED, EMB_LAST32, "::/96", "deprecated IPv4-compatible"},
    {{0, 0x64, 0xff, 0x9b}, 96, CF_ADDR_TRANSLATED, EMB_LAST32, "64:ff9b::/96", "NAT64"},
    {{0, 0x64, 0xff, 0x9b, 0, 1}, 48, CF_ADDR_TRANSLATED, EMB_LAST32, "64:ff9b:1::/48", "local-use NAT64"},
    {{1, 0}, 64, CF_ADDR_RESERVED, EMB_NONE, "100::/64", "discard-only"},
    {{0x20, 0x01, 0, 0}, 32, CF_ADDR_TRANSLATED, EMB_TEREDO, "2001::/32", "Teredo"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, CF_ADDR_DOCUMENTATION, EMB_NONE, "2001:db8::/32", "documentation"},
    {{0x20, 0x01, 0}, 23, CF_ADDR_RESERVED, EMB_NONE, "2001::/23", "reserved for IETF protocol assignments"},
    {{0x20, 0x02}, 16, CF_ADDR_TRANSLATED, EMB_6TO4, "2002::/16", "6to4"},
    {{0xfc}, 7, CF_ADDR_PRIVATE, EMB_NONE, "fc00::/7", "unique local"},
    {{0xfe, 0x80}, 10, CF_ADDR_LINK_LOCAL, EMB_NONE, "fe80::/10", "link-local"},
    {{0xfe, 0xc0}, 10, CF_ADDR_RESERVED, EMB_NONE, "fec0::/10", "deprecated site-local"},
    {{0xff}, 8, CF_ADDR_MULTICAST, EMB_NONE, "ff00::/8", "multicast"},
};

/* Cloud metadata endpoints: exact addresses. */
typedef struct meta {
  int family;
  uint8_t addr[16];
  const char *what;
} meta_t;

static const meta_t metas[] = {
    {AF_INET, V4(169, 254, 169, 254), "the AWS, GCP and Azure instance metadata service"},
    {AF_INET, V4(169, 254, 170, 2), "the AWS ECS task metadata and credentials endpoint"},
    {AF_INET, V4(169, 254, 170, 23), "the AWS EKS Pod Identity credentials endpoint"},
    {AF_INET, V4(168, 63, 129, 16), "the Azure WireServer (platform metadata and agent endpoint)"},
    {AF_INET, V4(100, 100, 100, 200), "the Alibaba Cloud instance metadata service"},
    {AF_INET, V4(192, 0, 0, 192), "the Oracle Cloud instance metadata service"},
    {AF_INET6, {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54}, "the AWS instance metadata service (IPv6)"},
    {AF_INET6, {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x23}, "the AWS EKS Pod Identity credentials endpoint (IPv6)"},
};

static const char *const class_names[] = {
    [CF_ADDR_GLOBAL] = "global",          [CF_ADDR_UNSPECIFIED] = "unspecified",
    [CF_ADDR_LOOPBACK] = "loopback",      [CF_ADDR_PRIVATE] = "private",
    [CF_ADDR_SHARED] = "shared",          [CF_ADDR_LINK_LOCAL] = "link-local",
    [CF_ADDR_METADATA] = "metadata",      [CF_ADDR_DOCUMENTATION] = "documentation",
    [CF_ADDR_BENCHMARK] = "benchmark",    [CF_ADDR_MULTICAST] = "multicast",
    [CF_ADDR_RESERVED] = "reserved",      [CF_ADDR_TRANSLATED] = "translated",
};

const char *cf_addr_class_name(cf_addr_class c) {
  if ((unsigned)c < CF_ARRAY_LEN(class_names) && class_names[c]) return class_names[c];
  return "unknown";
}

/* How strict a class is, for choosing between an IPv6 address and the IPv4 address it
 * carries: the class that names the greater danger wins. */
static int rank(cf_addr_class c) {
  switch (c) {
  case CF_ADDR_METADATA: return 10;
  case CF_ADDR_LOOPBACK: return 9;
  case CF_ADDR_LINK_LOCAL: return 8;
  case CF_ADDR_PRIVATE: return 7;
  case CF_ADDR_SHARED: return 6;
  case CF_ADDR_UNSPECIFIED: return 5;
  case CF_ADDR_MULTICAST: return 4;
  case CF_ADDR_RESERVED: case CF_ADDR_BENCHMARK: case CF_ADDR_DOCUMENTATION: return 3;
  case CF_ADDR_TRANSLATED: return 2;
  default: return 0;
  }
}

static bool prefix_match(const uint8_t *a, const uint8_t *p, unsigned bits) {
  unsigned full = bits / 8, rest = bits % 8;
  if (memcmp(a, p, full) != 0) return false;
  if (!rest) return true;
  uint8_t mask = (uint8_t)(0xff << (8 - rest));
  return (a[full] & mask) == (p[full] & mask);
}

/* ---- a reason, appended piece by piece ---- */

typedef struct out {
  char *s;
  size_t n, k;
} out_t;

static void put(out_t *o, const char *s) {
  if (!o->s) return;
  size_t m = strlen(s);
  if (o->k + m >= o->n) m = o->n - 1 - o->k;
  memcpy(o->s + o->k, s, m);
  o->k += m;
  o->s[o->k] = '\0';
}

static void put_v4(out_t *o, const uint8_t *a) {
  char b[16];
  cf__egress_ipv4_format(a, b);
  put(o, b);
}

static void put_addr(out_t *o, int family, const uint8_t *a) {
  if (family == AF_INET) {
    put_v4(o, a);
  } else {
    char b[48];
    cf__egress_ipv6_format(a, b, sizeof b);
    put(o, b);
  }
}

static const meta_t *find_meta(int family, const uint8_t *a) {
  for (size_t i = 0; i < CF_ARRAY_LEN(metas); i++)
    if (metas[i].family == family && memcmp(metas[i].addr, a, family == AF_INET ? 4 : 16) == 0) return &metas[i];
  return NULL;
}

static const range_t *find_range(const range_t *t, size_t n, const uint8_t *a) {
  for (size_t i = 0; i < n; i++)
    if (prefix_match(a, t[i].prefix, t[i].bits)) return &t[i];
  return NULL;
}

/* Writes "<is><what> (<range>)[: <cloud>]" for an address in range r (NULL: none), which is
 * metadata endpoint m (NULL: not one), and returns its class. outside: an IPv6 address
 * outside 2000::/3 and every listed range. */
static cf_addr_class describe(out_t *o, const char *is, const range_t *r, const meta_t *m, bool outside) {
  cf_addr_class cls = r ? (cf_addr_class)r->cls : outside ? CF_ADDR_RESERVED : CF_ADDR_GLOBAL;
  put(o, is);
  if (r) {
    put(o, r->what);
    put(o, " (");
    put(o, r->text);
    put(o, ")");
  } else if (outside) {
    put(o, "outside 2000::/3, the only block allocated for global unicast");
  } else {
    put(o, m ? "in global address space" : "global");
  }
  if (m) {
    put(o, ": ");
    put(o, m->what);
    return CF_ADDR_METADATA;
  }
  if (cls == CF_ADDR_LINK_LOCAL) put(o, ", the range of cloud instance metadata services");
  return cls;
}

static cf_addr_class classify4(const uint8_t *a, out_t *o, const char *is) {
  return describe(o, is, find_range(ranges4, CF_ARRAY_LEN(ranges4), a), find_meta(AF_INET, a), false);
}

static cf_addr_class classify6(const uint8_t *a, out_t *o) {
  const range_t *r = find_range(ranges6, CF_ARRAY_LEN(ranges6), a);
  cf_addr_class cls = describe(o, " is ", r, find_meta(AF_INET6, a), !r && (a[0] & 0xe0) != 0x20);
  if (cls == CF_ADDR_METADATA) return cls;
  if (!r || r->embed == EMB_NONE) return cls;

  uint8_t v4[4];
  if (r->embed == EMB_LAST32) {
    memcpy(v4, a + 12, 4);
  } else if (r->embed == EMB_6TO4) {
    memcpy(v4, a + 2, 4);
  } else {
    for (int i = 0; i < 4; i++) v4[i] = (uint8_t)(a[12 + i] ^ 0xff);
  }
  put(o, " and carries ");
  put_v4(o, v4);
  cf_addr_class inner = classify4(v4, o, ", which is ");
  return rank(inner) > rank(cls) ? inner : cls;
}

cf_addr_class cf_addr_classify(int family, const uint8_t *addr, char *why, size_t why_size) {
  out_t o = {why_size ? why : NULL, why_size, 0};
  if (o.s) o.s[0] = '\0';
  if (!addr || (family != AF_INET && family != AF_INET6)) {
    put(&o, "not an IPv4 or IPv6 address");
    return CF_ADDR_RESERVED;
  }
  put_addr(&o, family, addr);
  return family == AF_INET ? classify4(addr, &o, " is ") : classify6(addr, &o);
}

/* ---- metadata names ---- */

/* Names that reach a metadata service without naming its address. Single-label names are
 * matched exactly (a resolver's search list turns "metadata" into metadata.google.internal
 * on GCP); the others also match every name below them. */
static const struct {
  const char *name;
  const char *cloud;
} meta_names[] = {
    {"metadata.google.internal", "the GCP instance metadata service"},
    {"metadata.goog", "the GCP instance metadata service"},
    {"metadata", "the GCP instance metadata service (through the resolver's search list)"},
    {"instance-data", "the AWS instance metadata service (through the resolver's search list)"},
    {"instance-data.ec2.internal", "the AWS instance metadata service"},
    {"metadata.ec2.internal", "the AWS instance metadata service"},
    {"metadata.azure.internal", "the Azure instance metadata service"},
    {"metadata.azure.com", "the Azure instance metadata service"},
    {"metadata.tencentyun.com", "the Tencent Cloud instance metadata service"},
    {"metadata.platformequinix.com", "the Equinix Metal metadata service"},
    {"metadata.packet.net", "the Equinix Metal metadata service"},
};

bool cf__egress_metadata_name(const char *name, const char **cloud) {
  size_t n = strlen(name);
  for (size_t i = 0; i < CF_ARRAY_LEN(meta_names); i++) {
    const char *m = meta_names[i].name;
    size_t k = strlen(m);
    bool hit = n == k && memcmp(name, m, n) == 0;
    if (!hit && strchr(m, '.') && n > k && name[n - k - 1] == '.' && memcmp(name + n - k, m, k) == 0) hit = true;
    if (hit) {
      if (cloud) *cloud = meta_names[i].cloud;
      return true;
    }
  }
  return false;
}
