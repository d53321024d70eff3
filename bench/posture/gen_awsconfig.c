/*
 * gen_awsconfig.c - writes a synthetic AWS Config snapshot for the posture benchmark.
 *
 *   gen_awsconfig ITEMS OUT.json [SEED]
 *
 * The file has the shape Config delivers to S3 ({"fileVersion", "configSnapshotId",
 * "configurationItems": [...]}, one compact item per line) and a type mix weighted like a
 * real account: network interfaces, volumes, compliance records and alarms that no rule
 * targets outnumber the resources rules look at, as they do in practice. Items carry what
 * makes Config costly to read: buckets have every supplementaryConfiguration value as JSON
 * text and the ACL encoded twice, IAM roles, users and policies carry URL-encoded policy
 * documents, EC2 items have their nested block-device and network-interface lists. A fixed
 * share of resources is insecure (public ACLs and policies, IMDSv1, SSH open to the world,
 * administrator inline policies, unrotated keys), so findings exist and the writer of the
 * report is measured too.
 *
 * The output is a pure function of ITEMS and SEED (splitmix64), so runs compare. Written for
 * speed (a million items in a few seconds) with one output buffer per item; every string
 * this program writes is ASCII it chose itself, so escaping needs only quotes and
 * backslashes.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- output buffers ---- */

typedef struct sbuf {
  char *p;
  size_t len, cap;
} sbuf_t;

static void sb_reserve(sbuf_t *b, size_t n) {
  if (b->len + n + 1 <= b->cap) return;
  size_t nc = b->cap ? b->cap * 2 : 4096;
  while (nc < b->len + n + 1) nc *= 2;
  char *np = realloc(b->p, nc);
  if (!np) {
    fprintf(stderr, "gen_awsconfig: out of memory\n");
    exit(1);
  }
  b->p = np;
  b->cap = nc;
}

static void sb_put(sbuf_t *b, const char *s, size_t n) {
  sb_reserve(b, n);
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void sb_puts(sbuf_t *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_printf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[1024];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof tmp) {
    sb_put(b, tmp, (size_t)n);
    return;
  }
  sb_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

/* s as a JSON string literal (quotes and backslashes escaped; the text is ASCII). */
static void sb_jstr(sbuf_t *b, const char *s) {
  sb_reserve(b, strlen(s) * 2 + 2);
  b->p[b->len++] = '"';
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') b->p[b->len++] = '\\';
    b->p[b->len++] = *s;
  }
  b->p[b->len++] = '"';
  b->p[b->len] = '\0';
}

/* s percent-encoded as IAM returns policy documents (RFC 3986 unreserved kept). */
static void sb_urlenc(sbuf_t *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  sb_reserve(b, strlen(s) * 3);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      b->p[b->len++] = (char)c;
    } else {
      b->p[b->len++] = '%';
      b->p[b->len++] = hex[c >> 4];
      b->p[b->len++] = hex[c & 15];
    }
  }
  b->p[b->len] = '\0';
}

/* ---- randomness ---- */

static uint64_t rng_state;

static uint64_t rnd(void) {
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }
static int chance(unsigned percent) { return rn(100) < percent; }

static void hexid(char *out, int n) {
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < n; i++) out[i] = hex[rn(16)];
  out[n] = '\0';
}

static const char *const regions[] = {"eu-west-1", "us-east-1", "us-west-2", "ap-northeast-1", "eu-central-1"};
static const char *const words[] = {"api", "web", "billing", "search", "etl", "auth", "reports", "media", "ml", "batch",
                                    "gateway", "orders", "ledger", "cache", "ingest", "audit", "export", "mobile"};
#define ACCOUNT "123456789012"

static const char *region;
static char capture[32];

static void pick_time(char *out, size_t n, int year_lo) {
  snprintf(out, n, "%d-%02u-%02uT%02u:%02u:%02u.000Z", year_lo + (int)rn(5), 1 + rn(12), 1 + rn(28), rn(24), rn(60), rn(60));
}

/* The envelope every item has, up to (not including) configuration. */
static void envelope(sbuf_t *b, const char *type, const char *id, const char *name, const char *arn, const char *az,
                     const char *status) {
  char created[32];
  pick_time(created, sizeof created, 2018);
  sb_puts(b, "{\"relatedEvents\":[],\"configurationItemVersion\":\"1.3\",\"configurationItemCaptureTime\":");
  sb_jstr(b, capture);
  sb_printf(b, ",\"configurationStateId\":%llu,\"awsAccountId\":\"" ACCOUNT "\",\"configurationItemStatus\":\"%s\"",
            1700000000000ull + (rnd() % 60000000000ull), status);
  sb_printf(b, ",\"resourceType\":\"%s\",\"resourceId\":", type);
  sb_jstr(b, id);
  if (name) {
    sb_puts(b, ",\"resourceName\":");
    sb_jstr(b, name);
  }
  sb_puts(b, ",\"ARN\":");
  sb_jstr(b, arn);
  sb_printf(b, ",\"awsRegion\":\"%s\",\"availabilityZone\":\"%s\",\"configurationStateMd5Hash\":\"\",\"resourceCreationTime\":\"%s\"",
            region, az, created);
}

static void tags(sbuf_t *b, const char *app) {
  sb_printf(b, ",\"tags\":{\"app\":\"%s\",\"env\":\"%s\",\"owner\":\"team-%s\"}", app, chance(60) ? "prod" : "staging",
            words[rn(18)]);
}

/* ---- resource kinds ---- */

typedef struct counts {
  unsigned long long items, public_acl;
} counts_t;

static counts_t counts;

static void gen_bucket(sbuf_t *b, unsigned long i) {
  char name[96], arn[160], inner[2048];
  const char *w = words[rn(18)];
  snprintf(name, sizeof name, "acme-%s-%s-%06lu", w, region, i);
  snprintf(arn, sizeof arn, "arn:aws:s3:::%s", name);
  envelope(b, "AWS::S3::Bucket", name, name, arn, "Regional", "OK");
  char owner[65];
  hexid(owner, 64);
  sb_printf(b, ",\"relationships\":[],\"configuration\":{\"name\":\"%s\",\"owner\":{\"displayName\":null,\"id\":\"%s\"},"
               "\"creationDate\":\"2021-03-04T05:06:07.000Z\"}",
            name, owner);
  int public_acl = chance(4), public_policy = chance(3), pab = chance(70), logging = chance(40), versioning = chance(55);
  if (public_acl) counts.public_acl++;
  sb_puts(b, ",\"supplementaryConfiguration\":{");
  /* AccessControlList: JSON text inside a JSON string (encoded twice). */
  snprintf(inner, sizeof inner,
           "{\"grantSet\":null,\"grantList\":[{\"grantee\":{\"id\":\"%s\",\"displayName\":null},\"permission\":\"FullControl\"}%s],"
           "\"owner\":{\"displayName\":null,\"id\":\"%s\"},\"isRequesterCharged\":false}",
           owner, public_acl ? ",{\"grantee\":\"AllUsers\",\"permission\":\"Read\"}" : "", owner);
  sbuf_t once = {0}, twice = {0};
  sb_jstr(&once, inner);
  sb_jstr(&twice, once.p);
  sb_puts(b, "\"AccessControlList\":");
  sb_put(b, twice.p, twice.len);
  free(once.p);
  free(twice.p);
  /* The other values: JSON text once. */
  sb_puts(b, ",\"BucketAccelerateConfiguration\":");
  sb_jstr(b, "{\"status\":null}");
  snprintf(inner, sizeof inner, logging ? "{\"destinationBucketName\":\"acme-access-logs-%s\",\"logFilePrefix\":\"%s/\"}"
                                        : "{\"destinationBucketName\":null,\"logFilePrefix\":null%s%s}",
           logging ? region : "", logging ? name : "");
  sb_puts(b, ",\"BucketLoggingConfiguration\":");
  sb_jstr(b, inner);
  sb_puts(b, ",\"BucketNotificationConfiguration\":");
  sb_jstr(b, "{\"configurations\":{}}");
  if (public_policy || chance(30)) {
    char pol[1024];
    if (public_policy)
      snprintf(pol, sizeof pol,
               "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PublicRead\",\"Effect\":\"Allow\",\"Principal\":\"*\","
               "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::%s/*\"}]}",
               name);
    else
      snprintf(pol, sizeof pol,
               "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\","
               "\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::%s\",\"arn:aws:s3:::%s/*\"],"
               "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}",
               name, name);
    sbuf_t pt = {0};
    sb_puts(&pt, "{\"policyText\":");
    sb_jstr(&pt, pol);
    sb_puts(&pt, "}");
    sb_puts(b, ",\"BucketPolicy\":");
    sb_jstr(b, pt.p);
    free(pt.p);
  } else {
    sb_puts(b, ",\"BucketPolicy\":");
    sb_jstr(b, "{\"policyText\":null}");
  }
  sb_puts(b, ",\"BucketVersioningConfiguration\":");
  sb_jstr(b, versioning ? "{\"status\":\"Enabled\",\"isMfaDeleteEnabled\":null}" : "{\"status\":\"Off\",\"isMfaDeleteEnabled\":null}");
  sb_puts(b, ",\"IsRequesterPaysEnabled\":\"false\"");
  sb_puts(b, ",\"PublicAccessBlockConfiguration\":");
  sb_jstr(b, pab ? "{\"blockPublicAcls\":true,\"ignorePublicAcls\":true,\"blockPublicPolicy\":true,\"restrictPublicBuckets\":true}"
                 : "{\"blockPublicAcls\":false,\"ignorePublicAcls\":false,\"blockPublicPolicy\":false,\"restrictPublicBuckets\":false}");
  sb_puts(b, ",\"ServerSideEncryptionConfiguration\":");
  sb_jstr(b, chance(80) ? "{\"rules\":[{\"applyServerSideEncryptionByDefault\":{\"sseAlgorithm\":\"AES256\",\"kmsMasterKeyID\":null},"
                          "\"bucketKeyEnabled\":false}]}"
                        : "{\"rules\":[{\"applyServerSideEncryptionByDefault\":{\"sseAlgorithm\":\"aws:kms\",\"kmsMasterKeyID\":"
                          "\"arn:aws:kms:eu-west-1:123456789012:key/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6\"},\"bucketKeyEnabled\":true}]}");
  sb_puts(b, "}");
  tags(b, w);
  sb_puts(b, "}");
}

static void gen_instance(sbuf_t *b, unsigned long i) {
  char id[32], arn[128], vol[32], eni[32], att[32], sg[32], subnet[32], vpc[32], az[32];
  char h[18];
  hexid(h, 17);
  snprintf(id, sizeof id, "i-%s", h);
  hexid(h, 17);
  snprintf(vol, sizeof vol, "vol-%s", h);
  hexid(h, 17);
  snprintf(eni, sizeof eni, "eni-%s", h);
  hexid(h, 17);
  snprintf(att, sizeof att, "eni-attach-%s", h);
  hexid(h, 17);
  snprintf(sg, sizeof sg, "sg-%s", h);
  hexid(h, 8);
  snprintf(subnet, sizeof subnet, "subnet-%s", h);
  hexid(h, 8);
  snprintf(vpc, sizeof vpc, "vpc-%s", h);
  snprintf(az, sizeof az, "%sa", region);
  snprintf(arn, sizeof arn, "arn:aws:ec2:%s:" ACCOUNT ":instance/%s", region, id);
  envelope(b, "AWS::EC2::Instance", id, NULL, arn, az, "OK");
  unsigned ip3 = rn(250), ip4 = 1 + rn(250);
  int imdsv1 = chance(35);
  const char *w = words[rn(18)];
  sb_printf(b, ",\"relationships\":[{\"resourceId\":\"%s\",\"resourceType\":\"AWS::EC2::NetworkInterface\",\"name\":\"Contains NetworkInterface\"},"
               "{\"resourceId\":\"%s\",\"resourceType\":\"AWS::EC2::SecurityGroup\",\"name\":\"Is associated with SecurityGroup\"},"
               "{\"resourceId\":\"%s\",\"resourceType\":\"AWS::EC2::Subnet\",\"name\":\"Is contained in Subnet\"},"
               "{\"resourceId\":\"%s\",\"resourceType\":\"AWS::EC2::Volume\",\"name\":\"Is attached to Volume\"},"
               "{\"resourceId\":\"%s\",\"resourceType\":\"AWS::EC2::VPC\",\"name\":\"Is contained in Vpc\"}]",
            eni, sg, subnet, vol, vpc);
  sb_printf(b, ",\"configuration\":{\"amiLaunchIndex\":0,\"imageId\":\"ami-0%08x%08x\",\"instanceId\":\"%s\",\"instanceType\":\"%s\","
               "\"kernelId\":null,\"keyName\":\"ops-%s\",\"launchTime\":\"2024-10-11T12:13:14.000Z\",\"monitoring\":{\"state\":\"disabled\"},"
               "\"placement\":{\"availabilityZone\":\"%s\",\"affinity\":null,\"groupName\":\"\",\"partitionNumber\":null,\"hostId\":null,"
               "\"tenancy\":\"default\",\"spreadDomain\":null,\"hostResourceGroupArn\":null},\"platform\":null,"
               "\"privateDnsName\":\"ip-10-0-%u-%u.%s.compute.internal\",\"privateIpAddress\":\"10.0.%u.%u\",\"productCodes\":[],",
            (unsigned)rnd(), (unsigned)rnd(), id, chance(50) ? "t3.medium" : "m6i.large", w, az, ip3, ip4, region, ip3, ip4);
  if (chance(30)) sb_printf(b, "\"publicDnsName\":\"ec2-203-0-113-%u.compute.amazonaws.com\",\"publicIpAddress\":\"203.0.113.%u\",", ip4, ip4);
  else sb_puts(b, "\"publicDnsName\":\"\",\"publicIpAddress\":null,");
  sb_printf(b, "\"state\":{\"code\":16,\"name\":\"running\"},\"stateTransitionReason\":\"\",\"subnetId\":\"%s\",\"vpcId\":\"%s\","
               "\"architecture\":\"x86_64\",\"blockDeviceMappings\":[{\"deviceName\":\"/dev/xvda\",\"ebs\":{\"attachTime\":"
               "\"2024-10-11T12:13:15.000Z\",\"deleteOnTermination\":true,\"status\":\"attached\",\"volumeId\":\"%s\"}}],"
               "\"clientToken\":\"\",\"ebsOptimized\":false,\"enaSupport\":true,\"hypervisor\":\"xen\",",
            subnet, vpc, vol);
  if (chance(80)) sb_printf(b, "\"iamInstanceProfile\":{\"arn\":\"arn:aws:iam::" ACCOUNT ":instance-profile/%s-role-%lu\",\"id\":\"AIPA%012lu\"},", w, i % 5000, i);
  sb_printf(b, "\"networkInterfaces\":[{\"attachment\":{\"attachTime\":\"2024-10-11T12:13:14.000Z\",\"attachmentId\":\"%s\","
               "\"deleteOnTermination\":true,\"deviceIndex\":0,\"status\":\"attached\",\"networkCardIndex\":0},\"description\":\"\","
               "\"groups\":[{\"groupName\":\"%s-sg\",\"groupId\":\"%s\"}],\"ipv6Addresses\":[],\"macAddress\":\"0a:1b:2c:3d:4e:5f\","
               "\"networkInterfaceId\":\"%s\",\"ownerId\":\"" ACCOUNT "\",\"privateDnsName\":\"ip-10-0-%u-%u.%s.compute.internal\","
               "\"privateIpAddress\":\"10.0.%u.%u\",\"privateIpAddresses\":[{\"primary\":true,\"privateDnsName\":"
               "\"ip-10-0-%u-%u.%s.compute.internal\",\"privateIpAddress\":\"10.0.%u.%u\"}],\"sourceDestCheck\":true,"
               "\"status\":\"in-use\",\"subnetId\":\"%s\",\"vpcId\":\"%s\",\"interfaceType\":\"interface\"}],",
            att, w, sg, eni, ip3, ip4, region, ip3, ip4, ip3, ip4, region, ip3, ip4, subnet, vpc);
  sb_printf(b, "\"rootDeviceName\":\"/dev/xvda\",\"rootDeviceType\":\"ebs\",\"securityGroups\":[{\"groupName\":\"%s-sg\",\"groupId\":\"%s\"}],"
               "\"sourceDestCheck\":true,\"virtualizationType\":\"hvm\",\"cpuOptions\":{\"coreCount\":1,\"threadsPerCore\":2},"
               "\"capacityReservationSpecification\":{\"capacityReservationPreference\":\"open\"},\"hibernationOptions\":{\"configured\":false},"
               "\"metadataOptions\":{\"state\":\"applied\",\"httpTokens\":\"%s\",\"httpPutResponseHopLimit\":%u,\"httpEndpoint\":\"enabled\","
               "\"httpProtocolIpv6\":\"disabled\",\"instanceMetadataTags\":\"disabled\"},\"enclaveOptions\":{\"enabled\":false},"
               "\"bootMode\":null,\"platformDetails\":\"Linux/UNIX\",\"usageOperation\":\"RunInstances\"}",
            w, sg, imdsv1 ? "optional" : "required", chance(10) ? 3u : (imdsv1 ? 1u : 2u));
  sb_puts(b, ",\"supplementaryConfiguration\":{}");
  tags(b, w);
  sb_puts(b, "}");
}

static void gen_security_group(sbuf_t *b, unsigned long i) {
  char id[32], arn[128], vpc[32], h[18];
  hexid(h, 17);
  snprintf(id, sizeof id, "sg-%s", h);
  hexid(h, 8);
  snprintf(vpc, sizeof vpc, "vpc-%s", h);
  snprintf(arn, sizeof arn, "arn:aws:ec2:%s:" ACCOUNT ":security-group/%s", region, id);
  const char *w = words[rn(18)];
  char name[64];
  snprintf(name, sizeof name, "%s-sg-%lu", w, i);
  envelope(b, "AWS::EC2::SecurityGroup", id, name, arn, "Not Applicable", "OK");
  sb_printf(b, ",\"relationships\":[{\"resourceId\":\"%s\",\"resourceType\":\"AWS::EC2::VPC\",\"name\":\"Is contained in Vpc\"}]", vpc);
  sb_printf(b, ",\"configuration\":{\"description\":\"%s tier\",\"groupName\":\"%s\",\"ownerId\":\"" ACCOUNT "\",\"groupId\":\"%s\","
               "\"vpcId\":\"%s\",\"ipPermissions\":[",
            w, name, id, vpc);
  int open_ssh = chance(3), open_db = chance(1);
  sb_printf(b, "{\"fromPort\":443,\"ipProtocol\":\"tcp\",\"ipv6Ranges\":[],\"prefixListIds\":[],\"toPort\":443,\"userIdGroupPairs\":[],"
               "\"ipv4Ranges\":[{\"cidrIp\":\"%s\",\"description\":\"https\"}],\"ipRanges\":[\"%s\"]}",
            chance(40) ? "0.0.0.0/0" : "10.0.0.0/8", chance(40) ? "0.0.0.0/0" : "10.0.0.0/8");
  sb_printf(b, ",{\"fromPort\":22,\"ipProtocol\":\"tcp\",\"ipv6Ranges\":[],\"prefixListIds\":[],\"toPort\":22,"
               "\"userIdGroupPairs\":[{\"groupId\":\"sg-0bastion%08lx\",\"userId\":\"" ACCOUNT "\",\"description\":\"bastion\"}],"
               "\"ipv4Ranges\":[{\"cidrIp\":\"%s\"}],\"ipRanges\":[\"%s\"]}",
            i % 97, open_ssh ? "0.0.0.0/0" : "10.20.0.0/16", open_ssh ? "0.0.0.0/0" : "10.20.0.0/16");
  if (open_db)
    sb_puts(b, ",{\"fromPort\":5432,\"ipProtocol\":\"tcp\",\"ipv6Ranges\":[{\"cidrIpv6\":\"::/0\"}],\"prefixListIds\":[],\"toPort\":5432,"
               "\"userIdGroupPairs\":[],\"ipv4Ranges\":[{\"cidrIp\":\"0.0.0.0/0\"}],\"ipRanges\":[\"0.0.0.0/0\"]}");
  sb_puts(b, "],\"ipPermissionsEgress\":[{\"ipProtocol\":\"-1\",\"ipv6Ranges\":[],\"prefixListIds\":[],\"userIdGroupPairs\":[],"
             "\"ipv4Ranges\":[{\"cidrIp\":\"0.0.0.0/0\"}],\"ipRanges\":[\"0.0.0.0/0\"]}]");
  sb_printf(b, ",\"tags\":[{\"key\":\"app\",\"value\":\"%s\"}]}", w);
  sb_puts(b, ",\"supplementaryConfiguration\":{}");
  tags(b, w);
  sb_puts(b, "}");
}

static const char trust_ec2[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                                "\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
static const char trust_lambda[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                                   "\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
static const char admin_doc[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";

static void app_policy(char *out, size_t n, const char *w) {
  snprintf(out, n,
           "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"ReadData\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\","
           "\"s3:ListBucket\"],\"Resource\":[\"arn:aws:s3:::acme-%s-data\",\"arn:aws:s3:::acme-%s-data/*\"]},{\"Sid\":\"Queue\","
           "\"Effect\":\"Allow\",\"Action\":[\"sqs:SendMessage\",\"sqs:ReceiveMessage\",\"sqs:DeleteMessage\"],\"Resource\":"
           "\"arn:aws:sqs:eu-west-1:" ACCOUNT ":%s-jobs\"}]}",
           w, w, w);
}

static void gen_role(sbuf_t *b, unsigned long i) {
  const char *w = words[rn(18)];
  char name[64], arn[160], id[32], doc[1024];
  snprintf(name, sizeof name, "%s-role-%lu", w, i);
  snprintf(arn, sizeof arn, "arn:aws:iam::" ACCOUNT ":role/%s", name);
  snprintf(id, sizeof id, "AROA%016lu", i);
  const char *saved = region;
  region = "global";
  envelope(b, "AWS::IAM::Role", id, name, arn, "Not Applicable", "OK");
  region = saved;
  int ec2 = chance(50);
  sb_printf(b, ",\"relationships\":[{\"resourceId\":\"ANPA%016lu\",\"resourceType\":\"AWS::IAM::Policy\",\"name\":\"Is attached to CustomerManagedPolicy\"}]", i);
  sb_printf(b, ",\"configuration\":{\"path\":\"/\",\"roleName\":\"%s\",\"roleId\":\"%s\",\"arn\":\"%s\",\"createDate\":\"2022-05-06T07:08:09.000Z\","
               "\"assumeRolePolicyDocument\":\"",
            name, id, arn);
  sb_urlenc(b, ec2 ? trust_ec2 : trust_lambda);
  sb_puts(b, "\",\"instanceProfileList\":[");
  if (ec2)
    sb_printf(b, "{\"path\":\"/\",\"instanceProfileName\":\"%s\",\"instanceProfileId\":\"AIPA%016lu\",\"arn\":\"arn:aws:iam::" ACCOUNT
                 ":instance-profile/%s\",\"createDate\":\"2022-05-06T07:08:10.000Z\",\"roles\":[]}",
              name, i, name);
  sb_puts(b, "],\"rolePolicyList\":[{\"policyName\":\"app-access\",\"policyDocument\":\"");
  app_policy(doc, sizeof doc, w);
  sb_urlenc(b, doc);
  sb_puts(b, "\"}");
  if (chance(2)) {
    sb_puts(b, ",{\"policyName\":\"break-glass\",\"policyDocument\":\"");
    sb_urlenc(b, admin_doc);
    sb_puts(b, "\"}");
  }
  sb_printf(b, "],\"attachedManagedPolicies\":[{\"policyName\":\"%s-app\",\"policyArn\":\"arn:aws:iam::" ACCOUNT ":policy/%s-app-%lu\"},"
               "{\"policyName\":\"CloudWatchAgentServerPolicy\",\"policyArn\":\"arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy\"}],"
               "\"permissionsBoundary\":null,\"tags\":[],\"roleLastUsed\":{\"lastUsedDate\":\"2025-02-01T00:00:00.000Z\",\"region\":\"%s\"}}",
            w, w, i, saved);
  sb_puts(b, ",\"supplementaryConfiguration\":{}");
  tags(b, w);
  sb_puts(b, "}");
}

static void gen_policy(sbuf_t *b, unsigned long i) {
  const char *w = words[rn(18)];
  char name[64], arn[160], id[32], doc[1024];
  snprintf(name, sizeof name, "%s-app-%lu", w, i);
  snprintf(arn, sizeof arn, "arn:aws:iam::" ACCOUNT ":policy/%s", name);
  snprintf(id, sizeof id, "ANPA%016lu", i);
  const char *saved = region;
  region = "global";
  envelope(b, "AWS::IAM::Policy", id, name, arn, "Not Applicable", "OK");
  region = saved;
  sb_puts(b, ",\"relationships\":[]");
  sb_printf(b, ",\"configuration\":{\"policyName\":\"%s\",\"policyId\":\"%s\",\"arn\":\"%s\",\"path\":\"/\",\"defaultVersionId\":\"v2\","
               "\"attachmentCount\":%u,\"permissionsBoundaryUsageCount\":0,\"isAttachable\":true,\"description\":\"%s access\","
               "\"createDate\":\"2022-01-01T00:00:00.000Z\",\"updateDate\":\"2024-01-01T00:00:00.000Z\",\"policyVersionList\":["
               "{\"document\":\"",
            name, id, arn, rn(4), w);
  app_policy(doc, sizeof doc, w);
  sb_urlenc(b, doc);
  sb_puts(b, "\",\"versionId\":\"v1\",\"isDefaultVersion\":false,\"createDate\":\"2022-01-01T00:00:00.000Z\"},{\"document\":\"");
  sb_urlenc(b, chance(2) ? admin_doc : doc);
  sb_puts(b, "\",\"versionId\":\"v2\",\"isDefaultVersion\":true,\"createDate\":\"2024-01-01T00:00:00.000Z\"}]}");
  sb_puts(b, ",\"supplementaryConfiguration\":{}");
  tags(b, w);
  sb_puts(b, "}");
}

static void gen_user(sbuf_t *b, unsigned long i) {
  const char *w = words[rn(18)];
  char name[64], arn[160], id[32], doc[1024];
  snprintf(name, sizeof name, "%s.user%lu", w, i);
  snprintf(arn, sizeof arn, "arn:aws:iam::" ACCOUNT ":user/%s", name);
  snprintf(id, sizeof id, "AIDA%016lu", i);
  const char *saved = region;
  region = "global";
  envelope(b, "AWS::IAM::User", id, name, arn, "Not Applicable", "OK");
  region = saved;
  sb_puts(b, ",\"relationships\":[]");
  sb_printf(b, ",\"configuration\":{\"path\":\"/\",\"userName\":\"%s\",\"userId\":\"%s\",\"arn\":\"%s\",\"createDate\":\"2021-01-01T00:00:00.000Z\","
               "\"userPolicyList\":[{\"policyName\":\"self-service\",\"policyDocument\":\"",
            name, id, arn);
  app_policy(doc, sizeof doc, w);
  sb_urlenc(b, doc);
  sb_printf(b, "\"}],\"groupList\":[\"%s-developers\"],\"attachedManagedPolicies\":[%s],\"permissionsBoundary\":null,\"tags\":[]}", w,
            chance(5) ? "{\"policyName\":\"AdministratorAccess\",\"policyArn\":\"arn:aws:iam::aws:policy/AdministratorAccess\"}" : "");
  sb_puts(b, ",\"supplementaryConfiguration\":{}");
  tags(b, w);
  sb_puts(b, "}");
}

static void gen_kms(sbuf_t *b, unsigned long i) {
  char id[40], arn[160];
  snprintf(id, sizeof id, "%08lx-%04x-4%03x-8%03x-%012llx", i, rn(65536), rn(4096), rn(4096), (unsigned long long)(rnd() & 0xFFFFFFFFFFFFull));
  snprintf(arn, sizeof arn, "arn:aws:kms:%s:" ACCOUNT ":key/%s", region, id);
  envelope(b, "AWS::KMS::Key", id, NULL, arn, "Not Applicable", "OK");
  int aws = chance(40);
  sb_printf(b, ",\"relationships\":[],\"configuration\":{\"awsaccountId\":\"" ACCOUNT "\",\"keyId\":\"%s\",\"arn\":\"%s\","
               "\"creationDate\":\"2020-02-02T02:02:02.000Z\",\"enabled\":true,\"description\":\"%s\",\"keyUsage\":\"ENCRYPT_DECRYPT\","
               "\"keyState\":\"Enabled\",\"origin\":\"AWS_KMS\",\"keyManager\":\"%s\",\"customerMasterKeySpec\":\"SYMMETRIC_DEFAULT\","
               "\"keySpec\":\"SYMMETRIC_DEFAULT\",\"encryptionAlgorithms\":[\"SYMMETRIC_DEFAULT\"],\"multiRegion\":false}",
            id, arn, aws ? "Default key that protects my EBS volumes when no other key is defined" : "application data", aws ? "AWS" : "CUSTOMER");
  sb_printf(b, ",\"supplementaryConfiguration\":{\"KeyRotationStatus\":\"%s\"}", aws || chance(60) ? "true" : "false");
  sb_puts(b, ",\"tags\":{}}");
}

static void gen_lambda(sbuf_t *b, unsigned long i) {
  const char *w = words[rn(18)];
  char name[64], arn[160];
  snprintf(name, sizeof name, "%s-handler-%lu", w, i);
  snprintf(arn, sizeof arn, "arn:aws:lambda:%s:" ACCOUNT ":function:%s", region, name);
  envelope(b, "AWS::Lambda::Function", name, name, arn, "Not Applicable", "OK");
  sb_printf(b, ",\"relationships\":[{\"resourceName\":\"%s-role-%lu\",\"resourceType\":\"AWS::IAM::Role\",\"name\":\"Is associated with Role\"}]", w, i % 5000);
  sb_printf(b, ",\"configuration\":{\"functionName\":\"%s\",\"functionArn\":\"%s\",\"runtime\":\"%s\",\"role\":\"arn:aws:iam::" ACCOUNT
               ":role/%s-role-%lu\",\"handler\":\"app.handler\",\"codeSize\":%u,\"description\":\"\",\"timeout\":30,\"memorySize\":256,"
               "\"lastModified\":\"2024-06-07T08:09:10.000+0000\",\"codeSha256\":\"q2pPsm3HEnsQG0zUxU7BFS5pR7nM/1ZrWp0d5cBhH4k=\","
               "\"version\":\"$LATEST\",\"tracingConfig\":{\"mode\":\"PassThrough\"},\"environment\":{\"variables\":{\"LOG_LEVEL\":\"info\","
               "\"TABLE_NAME\":\"%s-table\"%s},\"error\":null},\"packageType\":\"Zip\",\"architectures\":[\"x86_64\"],"
               "\"ephemeralStorage\":{\"size\":512}}",
            name, arn, chance(50) ? "python3.12" : "nodejs20.x", w, i % 5000, 10000 + rn(5000000), w,
            chance(3) ? ",\"STRIPE_SECRET_KEY\":\"sk_live_51H8b2cEXAMPLEkeyV4lu3\"" : "");
  sb_puts(b, ",\"supplementaryConfiguration\":{\"Policy\":null,\"Tags\":{}}");
  tags(b, w);
  sb_puts(b, "}");
}

/* Resources no rule targets: they cost parsing and dispatch only. */
static void gen_eni(sbuf_t *b, unsigned long i) {
  char id[32], arn[128], h[18], az[32];
  hexid(h, 17);
  snprintf(id, sizeof id, "eni-%s", h);
  snprintf(az, sizeof az, "%sb", region);
  snprintf(arn, sizeof arn, "arn:aws:ec2:%s:" ACCOUNT ":network-interface/%s", region, id);
  envelope(b, "AWS::EC2::NetworkInterface", id, NULL, arn, az, "OK");
  unsigned a = rn(250), c = 1 + rn(250);
  sb_printf(b, ",\"relationships\":[{\"resourceId\":\"sg-%08lx\",\"resourceType\":\"AWS::EC2::SecurityGroup\",\"name\":\"Is associated with SecurityGroup\"}]"
               ",\"configuration\":{\"availabilityZone\":\"%s\",\"description\":\"ELB app/%s/%lu\",\"groups\":[{\"groupName\":\"lb-sg\","
               "\"groupId\":\"sg-%08lx\"}],\"interfaceType\":\"interface\",\"ipv6Addresses\":[],\"macAddress\":\"06:aa:bb:cc:dd:ee\","
               "\"networkInterfaceId\":\"%s\",\"ownerId\":\"" ACCOUNT "\",\"privateDnsName\":\"ip-10-1-%u-%u.%s.compute.internal\","
               "\"privateIpAddress\":\"10.1.%u.%u\",\"privateIpAddresses\":[{\"primary\":true,\"privateIpAddress\":\"10.1.%u.%u\"}],"
               "\"requesterId\":\"amazon-elb\",\"requesterManaged\":true,\"sourceDestCheck\":true,\"status\":\"in-use\","
               "\"subnetId\":\"subnet-%08lx\",\"tagSet\":[],\"vpcId\":\"vpc-%08lx\"}",
            i % 4096, az, words[rn(18)], i, i % 4096, id, a, c, region, a, c, a, c, i % 512, i % 64);
  sb_puts(b, ",\"supplementaryConfiguration\":{},\"tags\":{}}");
}

static void gen_volume(sbuf_t *b, unsigned long i) {
  char id[32], arn[128], h[18], az[32];
  hexid(h, 17);
  snprintf(id, sizeof id, "vol-%s", h);
  snprintf(az, sizeof az, "%sa", region);
  snprintf(arn, sizeof arn, "arn:aws:ec2:%s:" ACCOUNT ":volume/%s", region, id);
  envelope(b, "AWS::EC2::Volume", id, NULL, arn, az, "OK");
  sb_printf(b, ",\"relationships\":[{\"resourceId\":\"i-%017lx\",\"resourceType\":\"AWS::EC2::Instance\",\"name\":\"Is attached to Instance\"}]"
               ",\"configuration\":{\"attachments\":[{\"attachTime\":\"2024-01-02T03:04:05.000Z\",\"device\":\"/dev/xvda\",\"instanceId\":"
               "\"i-%017lx\",\"state\":\"attached\",\"volumeId\":\"%s\",\"deleteOnTermination\":true}],\"availabilityZone\":\"%s\","
               "\"createTime\":\"2024-01-02T03:04:00.000Z\",\"encrypted\":%s,\"kmsKeyId\":null,\"size\":%u,\"snapshotId\":\"snap-%017lx\","
               "\"state\":\"in-use\",\"volumeId\":\"%s\",\"iops\":3000,\"tags\":[],\"volumeType\":\"gp3\",\"multiAttachEnabled\":false,"
               "\"throughput\":125}",
            i, i, id, az, chance(70) ? "true" : "false", 8u << rn(6), i, id);
  sb_puts(b, ",\"supplementaryConfiguration\":{},\"tags\":{}}");
}

static void gen_compliance(sbuf_t *b, unsigned long i) {
  char id[96], arn[200];
  snprintf(id, sizeof id, "AWS::EC2::Instance/i-%017lx", i);
  snprintf(arn, sizeof arn, "arn:aws:config:%s:" ACCOUNT ":resource-compliance/%s", region, id);
  envelope(b, "AWS::Config::ResourceCompliance", id, NULL, arn, "Not Applicable", "OK");
  sb_printf(b, ",\"relationships\":[{\"resourceId\":\"i-%017lx\",\"resourceType\":\"AWS::EC2::Instance\",\"name\":\"Is associated with \"}]"
               ",\"configuration\":{\"complianceType\":\"%s\",\"configRuleList\":[{\"configRuleArn\":\"arn:aws:config:%s:" ACCOUNT
               ":config-rule/config-rule-%06lx\",\"configRuleId\":\"config-rule-%06lx\",\"configRuleName\":\"ec2-imdsv2-check\","
               "\"complianceType\":\"%s\"}],\"resourceId\":\"i-%017lx\",\"resourceType\":\"AWS::EC2::Instance\"}",
            i, chance(70) ? "COMPLIANT" : "NON_COMPLIANT", region, i % 200, i % 200, chance(70) ? "COMPLIANT" : "NON_COMPLIANT", i);
  sb_puts(b, ",\"supplementaryConfiguration\":{},\"tags\":{}}");
}

static void gen_alarm(sbuf_t *b, unsigned long i) {
  char name[96], arn[200];
  const char *w = words[rn(18)];
  snprintf(name, sizeof name, "%s-high-cpu-%lu", w, i);
  snprintf(arn, sizeof arn, "arn:aws:cloudwatch:%s:" ACCOUNT ":alarm:%s", region, name);
  envelope(b, "AWS::CloudWatch::Alarm", name, name, arn, "Not Applicable", "OK");
  sb_printf(b, ",\"relationships\":[],\"configuration\":{\"alarmName\":\"%s\",\"alarmArn\":\"%s\",\"alarmDescription\":null,"
               "\"alarmConfigurationUpdatedTimestamp\":\"2024-03-03T03:03:03.000Z\",\"actionsEnabled\":true,\"okActions\":[],"
               "\"alarmActions\":[\"arn:aws:sns:%s:" ACCOUNT ":ops-alerts\"],\"insufficientDataActions\":[],\"stateValue\":\"OK\","
               "\"metricName\":\"CPUUtilization\",\"namespace\":\"AWS/EC2\",\"statistic\":\"Average\",\"dimensions\":[{\"name\":"
               "\"AutoScalingGroupName\",\"value\":\"%s-asg\"}],\"period\":300,\"evaluationPeriods\":2,\"threshold\":80.0,"
               "\"comparisonOperator\":\"GreaterThanThreshold\"}",
            name, arn, region, w);
  sb_puts(b, ",\"supplementaryConfiguration\":{},\"tags\":{}}");
}

static void gen_subnet(sbuf_t *b, unsigned long i) {
  char id[32], arn[128], az[32];
  snprintf(id, sizeof id, "subnet-%08lx", i);
  snprintf(az, sizeof az, "%sc", region);
  snprintf(arn, sizeof arn, "arn:aws:ec2:%s:" ACCOUNT ":subnet/%s", region, id);
  envelope(b, "AWS::EC2::Subnet", id, NULL, arn, az, "OK");
  sb_printf(b, ",\"relationships\":[{\"resourceId\":\"vpc-%08lx\",\"resourceType\":\"AWS::EC2::VPC\",\"name\":\"Is contained in Vpc\"}]"
               ",\"configuration\":{\"availabilityZone\":\"%s\",\"availableIpAddressCount\":%u,\"cidrBlock\":\"10.%lu.%lu.0/24\","
               "\"defaultForAz\":false,\"mapPublicIpOnLaunch\":%s,\"state\":\"available\",\"subnetId\":\"%s\",\"vpcId\":\"vpc-%08lx\","
               "\"assignIpv6AddressOnCreation\":false,\"ipv6CidrBlockAssociationSet\":[],\"subnetArn\":\"%s\"}",
            i % 64, az, rn(250), (i >> 8) % 256, i % 256, chance(20) ? "true" : "false", id, i % 64, arn);
  sb_puts(b, ",\"supplementaryConfiguration\":{},\"tags\":{}}");
}

static void gen_lb(sbuf_t *b, unsigned long i) {
  char name[64], arn[200];
  const char *w = words[rn(18)];
  snprintf(name, sizeof name, "%s-alb-%lu", w, i % 100000);
  snprintf(arn, sizeof arn, "arn:aws:elasticloadbalancing:%s:" ACCOUNT ":loadbalancer/app/%s/%016lx", region, name, i);
  envelope(b, "AWS::ElasticLoadBalancingV2::LoadBalancer", arn, name, arn, "Not Applicable", "OK");
  sb_printf(b, ",\"relationships\":[],\"configuration\":{\"loadBalancerArn\":\"%s\",\"dNSName\":\"%s-%lu.%s.elb.amazonaws.com\","
               "\"canonicalHostedZoneId\":\"Z32O12XQLNTSW2\",\"createdTime\":\"2023-03-03T03:03:03.000Z\",\"loadBalancerName\":\"%s\","
               "\"scheme\":\"%s\",\"vpcId\":\"vpc-%08lx\",\"state\":{\"code\":\"active\"},\"type\":\"application\","
               "\"availabilityZones\":[{\"zoneName\":\"%sa\",\"subnetId\":\"subnet-%08lx\",\"loadBalancerAddresses\":[]}],"
               "\"securityGroups\":[\"sg-%08lx\"],\"ipAddressType\":\"ipv4\"}",
            arn, name, i, region, name, chance(60) ? "internet-facing" : "internal", i % 64, region, i % 512, i % 4096);
  sb_puts(b, ",\"supplementaryConfiguration\":{\"LoadBalancerAttributes\":[{\"key\":\"routing.http.drop_invalid_header_fields.enabled\","
             "\"value\":\"false\"},{\"key\":\"access_logs.s3.enabled\",\"value\":\"false\"}]}");
  tags(b, w);
  sb_puts(b, "}");
}

static void gen_task_definition(sbuf_t *b, unsigned long i) {
  char arn[200], family[64];
  const char *w = words[rn(18)];
  snprintf(family, sizeof family, "%s-service", w);
  snprintf(arn, sizeof arn, "arn:aws:ecs:%s:" ACCOUNT ":task-definition/%s:%lu", region, family, i);
  envelope(b, "AWS::ECS::TaskDefinition", arn, NULL, arn, "Not Applicable", "OK");
  sb_printf(b, ",\"relationships\":[],\"configuration\":{\"TaskDefinitionArn\":\"%s\",\"Family\":\"%s\",\"NetworkMode\":\"awsvpc\","
               "\"RequiresCompatibilities\":[\"FARGATE\"],\"Cpu\":\"512\",\"Memory\":\"1024\",\"ExecutionRoleArn\":\"arn:aws:iam::" ACCOUNT
               ":role/ecsTaskExecutionRole\",\"ContainerDefinitions\":[{\"Name\":\"%s\",\"Image\":\"" ACCOUNT ".dkr.ecr.%s.amazonaws.com/%s:1.%u.%u\","
               "\"Essential\":true,\"Privileged\":%s,\"PortMappings\":[{\"ContainerPort\":8080,\"HostPort\":8080,\"Protocol\":\"tcp\"}],"
               "\"Environment\":[{\"Name\":\"PORT\",\"Value\":\"8080\"},{\"Name\":\"STAGE\",\"Value\":\"prod\"}],"
               "\"LogConfiguration\":{\"LogDriver\":\"awslogs\",\"Options\":{\"awslogs-group\":\"/ecs/%s\",\"awslogs-region\":\"%s\"}}}]}",
            arn, family, w, region, w, rn(20), rn(100), chance(3) ? "true" : "false", family, region);
  sb_puts(b, ",\"supplementaryConfiguration\":{},\"tags\":{}}");
}

/* ---- the mix ---- */

typedef struct kind {
  const char *name;
  unsigned weight; /* per thousand */
  void (*gen)(sbuf_t *, unsigned long);
} kind_t;

static const kind_t kinds[] = {
    {"AWS::EC2::NetworkInterface", 170, gen_eni},
    {"AWS::EC2::Volume", 130, gen_volume},
    {"AWS::Config::ResourceCompliance", 110, gen_compliance},
    {"AWS::EC2::Instance", 100, gen_instance},
    {"AWS::EC2::SecurityGroup", 90, gen_security_group},
    {"AWS::IAM::Role", 80, gen_role},
    {"AWS::CloudWatch::Alarm", 70, gen_alarm},
    {"AWS::S3::Bucket", 60, gen_bucket},
    {"AWS::IAM::Policy", 50, gen_policy},
    {"AWS::Lambda::Function", 45, gen_lambda},
    {"AWS::EC2::Subnet", 40, gen_subnet},
    {"AWS::IAM::User", 20, gen_user},
    {"AWS::KMS::Key", 15, gen_kms},
    {"AWS::ECS::TaskDefinition", 12, gen_task_definition},
    {"AWS::ElasticLoadBalancingV2::LoadBalancer", 8, gen_lb},
};

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: gen_awsconfig ITEMS OUT.json [SEED]\n");
    return 2;
  }
  unsigned long n = strtoul(argv[1], NULL, 10);
  rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 20250601ull;
  FILE *out = fopen(argv[2], "wb");
  if (!out) {
    perror(argv[2]);
    return 1;
  }
  static char obuf[1 << 20];
  setvbuf(out, obuf, _IOFBF, sizeof obuf);
  unsigned total = 0;
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) total += kinds[k].weight;
  fprintf(out, "{\"fileVersion\":\"1.0\",\"configSnapshotId\":\"5f0e3c1a-7b2d-4c8e-9a1f-%012llx\",\"configurationItems\":[\n",
          (unsigned long long)(rnd() & 0xFFFFFFFFFFFFull));
  sbuf_t b = {0};
  unsigned long per_kind[sizeof kinds / sizeof kinds[0]] = {0};
  for (unsigned long i = 0; i < n; i++) {
    unsigned pick = rn(total);
    size_t k = 0;
    while (pick >= kinds[k].weight) pick -= kinds[k++].weight;
    region = regions[rn(5)];
    pick_time(capture, sizeof capture, 2025);
    b.len = 0;
    kinds[k].gen(&b, i);
    per_kind[k]++;
    counts.items++;
    if (fwrite(b.p, 1, b.len, out) != b.len || fputs(i + 1 < n ? ",\n" : "\n", out) < 0) {
      perror(argv[2]);
      return 1;
    }
  }
  fputs("]}\n", out);
  if (fclose(out) != 0) {
    perror(argv[2]);
    return 1;
  }
  free(b.p);
  /* A summary the benchmark prints and checks against: items per type. */
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) printf("%s %lu\n", kinds[k].name, per_kind[k]);
  printf("items %llu\npublic_acl_buckets %llu\n", counts.items, counts.public_acl);
  return 0;
}
