/*
 * taxonomy.c - the CSA Top Threats to Cloud Computing 2022 table and the service models.
 *
 * Groups, views and owners follow the source analysis's table of the eleven threats: group 1
 * strategy and management (1, 3, 4, 9), group 2 data leakage (2, 8, 11), group 3
 * infrastructure and software sharing (5, 6, 7), group 4 cybercrime (10).
 */
#include <strings.h>

#include "cloudfort/taxonomy.h"

static const cf_threat_info_t threats[CF_THREAT_COUNT] = {
    {1, 1, "Insufficient identity, credential, access and key management, privileged accounts",
     "identity-and-keys", "administrative", "customer"},
    {2, 2, "Insecure interfaces and APIs", "insecure-interfaces", "technical", "customer / CSP"},
    {3, 1, "Misconfiguration and inadequate change control", "misconfiguration",
     "administrative", "shared"},
    {4, 1, "Lack of cloud security architecture and strategy", "architecture-and-strategy",
     "administrative + technical", "customer"},
    {5, 3, "Insecure software development", "insecure-development", "technical", "shared"},
    {6, 3, "Unsecured third-party resources (supply chain)", "third-party-resources",
     "technical", "shared"},
    {7, 3, "System vulnerabilities", "system-vulnerabilities", "technical", "shared"},
    {8, 2, "Accidental cloud data disclosure", "accidental-disclosure", "administrative",
     "shared"},
    {9, 1, "Misconfiguration and exploitation of serverless and container workloads",
     "serverless-and-containers", "administrative", "shared"},
    {10, 4, "Organised crime, hackers and APT", "organised-crime-apt", "technical", "shared"},
    {11, 2, "Cloud storage data exfiltration", "storage-exfiltration", "technical", "shared"},
};

static const char *const groups[CF_GROUP_COUNT] = {
    "Strategy and management",
    "Data leakage",
    "Infrastructure and software sharing",
    "Cybercrime",
};

static const char *const models[CF_SM_COUNT] = {"IaaS", "PaaS", "SaaS", "FaaS", "CaaS", "BaaS"};

const cf_threat_info_t *cf_threat_get(unsigned number) {
  if (number < 1 || number > CF_THREAT_COUNT) return 0;
  return &threats[number - 1];
}

const char *cf_group_name(unsigned group) {
  if (group < 1 || group > CF_GROUP_COUNT) return 0;
  return groups[group - 1];
}

const char *cf_service_model_name(unsigned index) {
  return index < CF_SM_COUNT ? models[index] : 0;
}

unsigned cf_service_model_parse(const char *name) {
  for (unsigned i = 0; i < CF_SM_COUNT; i++)
    if (strcasecmp(name, models[i]) == 0) return 1u << i;
  return 0;
}
