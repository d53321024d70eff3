/*
 * test_arm_adapter.c - the ARM template adapter, observed through probe rules: storage
 * accounts and blob containers, nested resources with relative types and names, parameters
 * with and without defaults, variables, the expression functions it evaluates and those it
 * must leave unknown, nested deployments in both evaluation scopes, symbolic-name resources,
 * existing and conditional resources, case-insensitive names, metadata suppression,
 * addresses and positions.
 *
 * Every case wraps its resources in the same template head (below), so parameters and
 * variables are shared and line numbers are stable: the first resource line is 19.
 */
#include "testutil.h"

#define ARM_HEAD                                                                                       \
  "{\n" /* 1 */                                                                                        \
  "  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n" \
  "  \"contentVersion\": \"1.0.0.0\",\n" /* 3 */                                                       \
  "  \"parameters\": {\n" /* 4 */                                                                      \
  "    \"acct\": {\"type\": \"string\", \"defaultValue\": \"acmedata\"},\n" /* 5 */                    \
  "    \"level\": {\"type\": \"string\", \"defaultValue\": \"Container\"},\n" /* 6 */                  \
  "    \"open\": {\"type\": \"bool\", \"defaultValue\": true},\n" /* 7 */                              \
  "    \"secret\": {\"type\": \"string\"},\n" /* 8 */                                                  \
  "    \"chained\": {\"type\": \"string\", \"defaultValue\": \"[variables('tls')]\"}\n" /* 9 */        \
  "  },\n" /* 10 */                                                                                    \
  "  \"variables\": {\n" /* 11 */                                                                      \
  "    \"tls\": \"TLS1_0\",\n" /* 12 */                                                                \
  "    \"cfg\": {\"https\": false, \"levels\": [\"None\", \"Blob\"]},\n" /* 13 */                      \
  "    \"full\": \"[concat(parameters('acct'), '/default/logs')]\",\n" /* 14 */                        \
  "    \"loopA\": \"[variables('loopB')]\",\n" /* 15 */                                                \
  "    \"loopB\": \"[variables('loopA')]\"\n" /* 16 */                                                 \
  "  },\n" /* 17 */                                                                                    \
  "  \"resources\": [\n" /* 18 */
#define ARM_TAIL "\n  ]\n}\n"
#define ARM(resources) ARM_HEAD resources ARM_TAIL

/* A storage account named acmedata with the given properties, on one line (line 19). */
#define ACCT(props)                                                                                    \
  "    {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\", \"name\": \"acmedata\"," \
  " \"properties\": {" props "}}"

static const char PROBES[] =
    "id: T-ACCT\ntitle: any account\nseverity: info\nthreats: [8]\nresource: azure.storage.account\n"
    "condition: {path: api_version, exists: true}\nremediation: {text: none}\n"
    "---\nid: T-ACCT-NAME\ntitle: account name\nseverity: info\nthreats: [8]\nresource: azure.storage.account\n"
    "condition: {path: name, equals: acmedata}\nremediation: {text: none}\n"
    "---\nid: T-PUBLIC\ntitle: public blobs allowed\nseverity: info\nthreats: [8]\nresource: azure.storage.account\n"
    "condition: {path: allow_blob_public_access, equals: true}\nremediation: {text: none}\n"
    "---\nid: T-PUBLIC-U\ntitle: public blobs allowed or unknown\nseverity: info\nthreats: [8]\n"
    "resource: azure.storage.account\nunknown: fail\n"
    "condition: {path: allow_blob_public_access, equals: true}\nremediation: {text: none}\n"
    "---\nid: T-PUBLIC-MISSING\ntitle: public access not stated\nseverity: info\nthreats: [8]\n"
    "resource: azure.storage.account\ncondition: {path: allow_blob_public_access, missing: true}\nremediation: {text: none}\n"
    "---\nid: T-HTTP\ntitle: http allowed\nseverity: info\nthreats: [8]\nresource: azure.storage.account\n"
    "condition: {path: https_only, equals: false}\nremediation: {text: none}\n"
    "---\nid: T-TLS10\ntitle: tls 1.0\nseverity: info\nthreats: [8]\nresource: azure.storage.account\n"
    "condition: {path: min_tls_version, equals: TLS1_0}\nremediation: {text: none}\n"
    "---\nid: T-TAG\ntitle: tagged prod\nseverity: info\nthreats: [8]\nresource: azure.storage.account\n"
    "condition: {path: tags.env, equals: PROD}\nremediation: {text: none}\n"
    "---\nid: T-CONT-PUBLIC\ntitle: public container\nseverity: info\nthreats: [8]\nresource: azure.storage.container\n"
    "condition: {path: public_access, in: [blob, container]}\nremediation: {text: none}\n"
    "---\nid: T-CONT-WHOLE\ntitle: container-level access\nseverity: info\nthreats: [8]\nresource: azure.storage.container\n"
    "condition: {path: public_access, equals: container}\nremediation: {text: none}\n"
    "---\nid: T-CONT-NONE\ntitle: private container\nseverity: info\nthreats: [8]\nresource: azure.storage.container\n"
    "condition: {path: public_access, equals: none}\nremediation: {text: none}\n"
    "---\nid: T-CONT-LOGS\ntitle: logs of acmedata\nseverity: info\nthreats: [8]\nresource: azure.storage.container\n"
    "condition: {all: [{path: name, equals: logs}, {path: storage_account, equals: acmedata}]}\nremediation: {text: none}\n"
    "---\nid: T-CONT-ACCT-U\ntitle: account of the container, or unknown\nseverity: info\nthreats: [8]\n"
    "resource: azure.storage.container\nunknown: fail\n"
    "condition: {path: storage_account, equals: acmedata}\nremediation: {text: none}\n"
    "---\nid: T-CONT-IN-PUBLIC-ACCT\ntitle: public container in an account that allows it\nseverity: info\n"
    "threats: [8]\nresource: azure.storage.container\ncondition:\n  all:\n"
    "    - {path: public_access, in: [blob, container]}\n"
    "    - related: {type: azure.storage.account, path: storage_account,"
    " where: {path: allow_blob_public_access, equals: true}}\nremediation: {text: none}\n";

typedef struct arm_case {
  const char *what;
  const char *text;
  const char *rule;
  size_t count;         /* unsuppressed findings of rule (unknown ones count for unknown: fail) */
  uint32_t line;        /* line of the first finding, 0 to skip */
  const char *resource; /* address of the first finding, NULL to skip */
} arm_case_t;

static const arm_case_t cases[] = {
    /* ---- storage account properties ---- */
    {"allowBlobPublicAccess true", ARM(ACCT("\"allowBlobPublicAccess\": true")), "T-PUBLIC", 1, 19,
     "Microsoft.Storage/storageAccounts/acmedata"},
    {"allowBlobPublicAccess false", ARM(ACCT("\"allowBlobPublicAccess\": false")), "T-PUBLIC", 0, 0, NULL},
    {"absent stays absent (Azure's default depends on the API version)", ARM(ACCT("\"supportsHttpsTrafficOnly\": true")),
     "T-PUBLIC-MISSING", 1, 19, NULL},
    {"https_only false", ARM(ACCT("\"supportsHttpsTrafficOnly\": false")), "T-HTTP", 1, 19, NULL},
    {"boolean written as a string", ARM(ACCT("\"supportsHttpsTrafficOnly\": \"false\"")), "T-HTTP", 1, 19, NULL},
    {"min_tls_version", ARM(ACCT("\"minimumTlsVersion\": \"TLS1_0\"")), "T-TLS10", 1, 19, NULL},
    {"property names are case-insensitive", ARM(ACCT("\"AllowBlobPublicAccess\": true")), "T-PUBLIC", 1, 19, NULL},
    {"type names are case-insensitive",
     ARM("    {\"type\": \"microsoft.storage/storageaccounts\", \"apiVersion\": \"2022-09-01\", \"name\": \"acmedata\"}"),
     "T-ACCT-NAME", 1, 19, NULL},
    {"resource position is its type key",
     ARM("    {\n      \"name\": \"acmedata\",\n      \"apiVersion\": \"2022-09-01\",\n"
         "      \"type\": \"Microsoft.Storage/storageAccounts\"\n    }"),
     "T-PUBLIC-MISSING", 1, 22, NULL},
    {"other resource types are not storage", ARM("    {\"type\": \"Microsoft.Network/virtualNetworks\", \"name\": \"vnet\"}"),
     "T-ACCT", 0, 0, NULL},

    /* ---- expressions ---- */
    {"parameter default", ARM(ACCT("\"allowBlobPublicAccess\": \"[parameters('open')]\"")), "T-PUBLIC", 1, 19, NULL},
    {"parameter names are case-insensitive", ARM(ACCT("\"allowBlobPublicAccess\": \"[Parameters('OPEN')]\"")), "T-PUBLIC",
     1, 19, NULL},
    {"parameter without default is unknown", ARM(ACCT("\"allowBlobPublicAccess\": \"[parameters('secret')]\"")), "T-PUBLIC",
     0, 0, NULL},
    {"parameter without default is unknown, not absent", ARM(ACCT("\"allowBlobPublicAccess\": \"[parameters('secret')]\"")),
     "T-PUBLIC-U", 1, 19, NULL},
    {"undeclared parameter is unknown", ARM(ACCT("\"allowBlobPublicAccess\": \"[parameters('nope')]\"")), "T-PUBLIC-U", 1, 19,
     NULL},
    {"variable", ARM(ACCT("\"minimumTlsVersion\": \"[variables('tls')]\"")), "T-TLS10", 1, 19, NULL},
    {"parameter default that is an expression", ARM(ACCT("\"minimumTlsVersion\": \"[parameters('chained')]\"")), "T-TLS10",
     1, 19, NULL},
    {"property of an object variable", ARM(ACCT("\"supportsHttpsTrafficOnly\": \"[variables('cfg').https]\"")), "T-HTTP", 1,
     19, NULL},
    {"bracket property access", ARM(ACCT("\"supportsHttpsTrafficOnly\": \"[variables('cfg')['https']]\"")), "T-HTTP", 1, 19,
     NULL},
    {"not() of a parameter", ARM(ACCT("\"allowBlobPublicAccess\": \"[not(parameters('open'))]\"")), "T-PUBLIC", 0, 0, NULL},
    {"if(equals()) picks a branch",
     ARM(ACCT("\"minimumTlsVersion\": \"[if(equals(parameters('level'), 'Container'), 'TLS1_0', 'TLS1_2')]\"")), "T-TLS10",
     1, 19, NULL},
    {"equals is case-sensitive",
     ARM(ACCT("\"minimumTlsVersion\": \"[if(equals(parameters('level'), 'container'), 'TLS1_0', 'TLS1_2')]\"")), "T-TLS10",
     0, 0, NULL},
    {"and() with a false part is false next to an unknown",
     ARM(ACCT("\"allowBlobPublicAccess\": \"[and(parameters('secret'), false())]\"")), "T-PUBLIC-U", 0, 0, NULL},
    {"or() with a true part is true next to an unknown",
     ARM(ACCT("\"allowBlobPublicAccess\": \"[or(equals(parameters('secret'), 'x'), true())]\"")), "T-PUBLIC", 1, 19, NULL},
    {"toUpper and concat", ARM(ACCT("\"minimumTlsVersion\": \"[concat(toUpper('tls'), '1_', string(0))]\"")), "T-TLS10", 1,
     19, NULL},
    {"format", ARM(ACCT("\"minimumTlsVersion\": \"[format('{0}1_{1}', 'TLS', 0)]\"")), "T-TLS10", 1, 19, NULL},
    {"format specifiers are not evaluated", ARM(ACCT("\"minimumTlsVersion\": \"[format('TLS1_{0:D}', 0)]\"")), "T-TLS10", 0,
     0, NULL},
    {"functions of the deployment are unknown",
     ARM(ACCT("\"allowBlobPublicAccess\": \"[equals(resourceGroup().location, 'westeurope')]\"")), "T-PUBLIC-U", 1, 19, NULL},
    {"unknown stays unknown through concat",
     ARM(ACCT("\"minimumTlsVersion\": \"[concat('TLS1_', uniqueString(resourceGroup().id))]\"")), "T-TLS10", 0, 0, NULL},
    {"variables that refer to each other in a cycle are unknown",
     ARM(ACCT("\"allowBlobPublicAccess\": \"[variables('loopA')]\"")), "T-PUBLIC-U", 1, 19, NULL},
    {"a syntax error is unknown", ARM(ACCT("\"allowBlobPublicAccess\": \"[parameters('open'))]\"")), "T-PUBLIC-U", 1, 19,
     NULL},
    {"an unterminated string is unknown", ARM(ACCT("\"allowBlobPublicAccess\": \"[parameters('open)]\"")), "T-PUBLIC-U", 1,
     19, NULL},
    {"without the closing bracket it is a literal string",
     ARM(ACCT("\"allowBlobPublicAccess\": \"[parameters('open')\"")), "T-PUBLIC-U", 0, 0, NULL},
    {"[[ escapes a literal bracket",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\", \"name\": \"[[acmedata]\"}"),
     "T-ACCT", 1, 19, "Microsoft.Storage/storageAccounts/[acmedata]"},
    {"tags are resolved",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\", \"name\": \"a\","
         " \"tags\": {\"env\": \"[toUpper('prod')]\"}}"),
     "T-TAG", 1, 19, NULL},
    {"name from a parameter",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\", \"name\": \"[parameters('acct')]\"}"),
     "T-ACCT-NAME", 1, 19, "Microsoft.Storage/storageAccounts/acmedata"},

    /* ---- containers ---- */
    {"top-level container with its full name",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\", \"name\": \"acmedata/default/logs\","
         " \"properties\": {\"publicAccess\": \"Container\"}}"),
     "T-CONT-LOGS", 1, 19, "Microsoft.Storage/storageAccounts/acmedata/blobServices/default/containers/logs"},
    {"publicAccess Container", ARM("    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\","
                                   " \"name\": \"acmedata/default/logs\", \"properties\": {\"publicAccess\": \"Container\"}}"),
     "T-CONT-WHOLE", 1, 19, NULL},
    {"publicAccess Blob", ARM("    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\","
                              " \"name\": \"acmedata/default/logs\", \"properties\": {\"publicAccess\": \"Blob\"}}"),
     "T-CONT-PUBLIC", 1, 19, NULL},
    {"publicAccess None", ARM("    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\","
                              " \"name\": \"acmedata/default/logs\", \"properties\": {\"publicAccess\": \"None\"}}"),
     "T-CONT-NONE", 1, 19, NULL},
    {"publicAccess None is not public", ARM("    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\","
                                            " \"name\": \"acmedata/default/logs\", \"properties\": {\"publicAccess\": \"None\"}}"),
     "T-CONT-PUBLIC", 0, 0, NULL},
    {"publicAccess absent is not public", ARM("    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\","
                                              " \"name\": \"acmedata/default/logs\"}"),
     "T-CONT-PUBLIC", 0, 0, NULL},
    {"publicAccess from a parameter",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\", \"name\": \"acmedata/default/logs\","
         " \"properties\": {\"publicAccess\": \"[parameters('level')]\"}}"),
     "T-CONT-WHOLE", 1, 19, NULL},
    {"publicAccess from an indexed variable",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\", \"name\": \"acmedata/default/logs\","
         " \"properties\": {\"publicAccess\": \"[variables('cfg').levels[1]]\"}}"),
     "T-CONT-PUBLIC", 1, 19, NULL},
    {"container name from a variable built with concat",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\", \"name\": \"[variables('full')]\"}"),
     "T-CONT-LOGS", 1, 19, "Microsoft.Storage/storageAccounts/acmedata/blobServices/default/containers/logs"},
    {"container name from format",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\","
         " \"name\": \"[format('{0}/default/{1}', parameters('acct'), 'logs')]\"}"),
     "T-CONT-LOGS", 1, 19, NULL},
    {"unknown container name leaves the account unknown",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\","
         " \"name\": \"[concat(parameters('secret'), '/default/logs')]\"}"),
     "T-CONT-ACCT-U", 1, 19, NULL},
    {"nested container: relative type and name",
     ARM("    {\n      \"type\": \"Microsoft.Storage/storageAccounts\",\n      \"apiVersion\": \"2022-09-01\",\n"
         "      \"name\": \"[parameters('acct')]\",\n      \"resources\": [\n"
         "        {\"type\": \"blobServices/containers\", \"name\": \"default/logs\", \"properties\": {\"publicAccess\": \"Blob\"}}\n"
         "      ]\n    }"),
     "T-CONT-LOGS", 1, 0, "Microsoft.Storage/storageAccounts/acmedata/blobServices/default/containers/logs"},
    {"nested container position",
     ARM("    {\n      \"type\": \"Microsoft.Storage/storageAccounts\",\n      \"apiVersion\": \"2022-09-01\",\n"
         "      \"name\": \"[parameters('acct')]\",\n      \"resources\": [\n"
         "        {\"type\": \"blobServices/containers\", \"name\": \"default/logs\", \"properties\": {\"publicAccess\": \"Blob\"}}\n"
         "      ]\n    }"),
     "T-CONT-PUBLIC", 1, 24, NULL},
    {"doubly nested container under the blob service",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\", \"name\": \"acmedata\",\n"
         "     \"resources\": [{\"type\": \"blobServices\", \"name\": \"default\",\n"
         "       \"resources\": [{\"type\": \"containers\", \"name\": \"logs\"}]}]}"),
     "T-CONT-LOGS", 1, 0, "Microsoft.Storage/storageAccounts/acmedata/blobServices/default/containers/logs"},
    {"nested container with an unknown name keeps its parent's account",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\", \"name\": \"acmedata\",\n"
         "     \"resources\": [{\"type\": \"blobServices/containers\", \"name\": \"[concat('default/', parameters('secret'))]\"}]}"),
     "T-CONT-ACCT-U", 1, 0, NULL},
    {"container joined to its account by name",
     ARM(ACCT("\"allowBlobPublicAccess\": true") ",\n"
         "    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\", \"name\": \"acmedata/default/logs\","
         " \"properties\": {\"publicAccess\": \"Blob\"}}"),
     "T-CONT-IN-PUBLIC-ACCT", 1, 20, NULL},
    {"container of an account that forbids public access",
     ARM(ACCT("\"allowBlobPublicAccess\": false") ",\n"
         "    {\"type\": \"Microsoft.Storage/storageAccounts/blobServices/containers\", \"name\": \"acmedata/default/logs\","
         " \"properties\": {\"publicAccess\": \"Blob\"}}"),
     "T-CONT-IN-PUBLIC-ACCT", 0, 0, NULL},

    /* ---- which resources are deployed ---- */
    {"existing resources are not reported",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\", \"name\": \"acmedata\","
         " \"existing\": true}"),
     "T-ACCT", 0, 0, NULL},
    {"children of an existing resource are",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\", \"name\": \"acmedata\","
         " \"existing\": true,\n     \"resources\": [{\"type\": \"blobServices/containers\", \"name\": \"default/logs\"}]}"),
     "T-CONT-LOGS", 1, 0, NULL},
    {"condition false is never deployed",
     ARM("    {\"condition\": false, \"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\","
         " \"name\": \"acmedata\"}"),
     "T-ACCT", 0, 0, NULL},
    {"a condition from a parameter may be deployed",
     ARM("    {\"condition\": \"[parameters('open')]\", \"type\": \"Microsoft.Storage/storageAccounts\","
         " \"apiVersion\": \"2022-09-01\", \"name\": \"acmedata\"}"),
     "T-ACCT", 1, 0, NULL},

    /* ---- nested deployments ---- */
    {"nested deployment, inner scope: passed values",
     ARM("    {\"type\": \"Microsoft.Resources/deployments\", \"apiVersion\": \"2022-09-01\", \"name\": \"inner\",\n"
         "     \"properties\": {\"mode\": \"Incremental\", \"expressionEvaluationOptions\": {\"scope\": \"inner\"},\n"
         "       \"parameters\": {\"open\": {\"value\": \"[not(parameters('open'))]\"}},\n"
         "       \"template\": {\"parameters\": {\"open\": {\"type\": \"bool\", \"defaultValue\": true}},\n"
         "         \"resources\": [{\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\","
         " \"name\": \"n\", \"properties\": {\"allowBlobPublicAccess\": \"[parameters('open')]\"}}]}}}"),
     "T-PUBLIC-U", 0, 0, NULL},
    {"nested deployment, inner scope: own defaults",
     ARM("    {\"type\": \"Microsoft.Resources/deployments\", \"apiVersion\": \"2022-09-01\", \"name\": \"inner\",\n"
         "     \"properties\": {\"expressionEvaluationOptions\": {\"scope\": \"inner\"},\n"
         "       \"template\": {\"parameters\": {\"tls\": {\"type\": \"string\", \"defaultValue\": \"TLS1_0\"}},\n"
         "         \"resources\": [{\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\","
         " \"name\": \"n\", \"properties\": {\"minimumTlsVersion\": \"[parameters('tls')]\"}}]}}}"),
     "T-TLS10", 1, 22, "Microsoft.Storage/storageAccounts/n"},
    {"nested deployment, outer scope: the parent's parameters",
     ARM("    {\"type\": \"Microsoft.Resources/deployments\", \"apiVersion\": \"2022-09-01\", \"name\": \"outer\",\n"
         "     \"properties\": {\"template\": {\"resources\": [{\"type\": \"Microsoft.Storage/storageAccounts\","
         " \"apiVersion\": \"2022-09-01\", \"name\": \"[parameters('acct')]\","
         " \"properties\": {\"allowBlobPublicAccess\": \"[parameters('open')]\"}}]}}}"),
     "T-PUBLIC", 1, 20, "Microsoft.Storage/storageAccounts/acmedata"},

    /* ---- languageVersion 2.0: resources keyed by symbolic name ---- */
    {"symbolic-name resources",
     "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n"
     "  \"languageVersion\": \"2.0\",\n  \"contentVersion\": \"1.0.0.0\",\n  \"resources\": {\n"
     "    \"sa\": {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2023-01-01\", \"name\": \"acmedata\","
     " \"properties\": {\"allowBlobPublicAccess\": true}}\n  }\n}\n",
     "T-PUBLIC", 1, 6, NULL},

    /* ---- suppression ---- */
    {"metadata suppresses a rule",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\", \"name\": \"acmedata\",\n"
         "     \"metadata\": {\"cloudfort\": {\"ignore\": [{\"id\": \"T-PUBLIC\", \"reason\": \"public website assets\"}]}},\n"
         "     \"properties\": {\"allowBlobPublicAccess\": true, \"supportsHttpsTrafficOnly\": false}}"),
     "T-PUBLIC", 0, 0, NULL},
    {"metadata suppression leaves other rules alone",
     ARM("    {\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\", \"name\": \"acmedata\",\n"
         "     \"metadata\": {\"cloudfort\": {\"ignore\": [\"T-PUBLIC\"]}},\n"
         "     \"properties\": {\"allowBlobPublicAccess\": true, \"supportsHttpsTrafficOnly\": false}}"),
     "T-HTTP", 1, 21, NULL},
};

static const cf_finding_t *first_active(const cf_report_t *r, const char *rule_id) {
  for (size_t i = 0; i < cf_findings_count(r->findings); i++) {
    const cf_finding_t *f = cf_findings_at(r->findings, i);
    if (!f->suppressed && strcmp(f->rule->id, rule_id) == 0) return f;
  }
  return NULL;
}

static void run_case(const arm_case_t *c) {
  tu_scan_t *s = tu_scan_text(".json", c->text, PROBES, false);
  if (s->report.errors.len)
    fprintf(stderr, "case '%s': input error line %u: %s\n", c->what, s->report.errors.items[0].line,
            s->report.errors.items[0].message ? s->report.errors.items[0].message : "?");
  assert_int_equal(0, s->report.errors.len);
  assert_true(s->report.sources_seen & (1u << 6)); /* recognised as ARM */
  size_t n = tu_count(&s->report, c->rule);
  if (n != c->count) fprintf(stderr, "case '%s': %s fired %zu times, expected %zu\n", c->what, c->rule, n, c->count);
  assert_int_equal(c->count, n);
  if (c->count && (c->line || c->resource)) {
    const cf_finding_t *f = first_active(&s->report, c->rule);
    assert_non_null(f);
    if (c->line && f->line != c->line) fprintf(stderr, "case '%s': line %u, expected %u\n", c->what, f->line, c->line);
    if (c->line) assert_int_equal(c->line, f->line);
    if (c->resource && strcmp(c->resource, f->resource) != 0)
      fprintf(stderr, "case '%s': resource %s\n", c->what, f->resource);
    if (c->resource) assert_string_equal(c->resource, f->resource);
  }
  tu_scan_free(s);
}

static void test_cases(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i]);
}

/* The suppressed finding is kept, marked, with its reason. */
static void test_metadata_reason(void **state) {
  (void)state;
  tu_scan_t *s = tu_scan_text(".json", cases[sizeof cases / sizeof cases[0] - 2].text, PROBES, false);
  const cf_finding_t *f = tu_first(&s->report, "T-PUBLIC");
  assert_non_null(f);
  assert_int_equal(CF_SUPPRESS_METADATA, f->suppressed);
  assert_string_equal("public website assets", f->suppress_reason);
  tu_scan_free(s);
}

/* A template whose variables double at each step: evaluation stops at its budget. */
static void test_exponential_template_is_bounded(void **state) {
  (void)state;
  char text[8192];
  size_t n = (size_t)snprintf(text, sizeof text,
                              "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n"
                              " \"variables\": {\"v0\": \"TLS\"");
  for (int i = 1; i <= 60; i++)
    n += (size_t)snprintf(text + n, sizeof text - n, ", \"v%d\": \"[concat(variables('v%d'), variables('v%d'))]\"", i, i - 1, i - 1);
  snprintf(text + n, sizeof text - n,
           "},\n \"resources\": [{\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\","
           " \"name\": \"a\", \"properties\": {\"minimumTlsVersion\": \"[variables('v60')]\"}}]}\n");
  tu_scan_t *s = tu_scan_text(".json", text, PROBES, false);
  assert_int_equal(0, s->report.errors.len);
  assert_int_equal(1, tu_count(&s->report, "T-ACCT"));
  assert_int_equal(0, tu_count(&s->report, "T-TLS10"));
  tu_scan_free(s);
}

/* Eager evaluation of if() doubles the work at each level, and each leaf builds a 60 KB
 * string: the byte budget must stop it long before memory runs out. */
static void test_memory_bomb_is_bounded(void **state) {
  (void)state;
  size_t cap = 64 * 1024;
  char *text = malloc(cap);
  assert_non_null(text);
  size_t n = (size_t)snprintf(text, cap,
                              "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n"
                              " \"variables\": {\"v0\": \"");
  for (int i = 0; i < 30000; i++) text[n++] = 'A';
  n += (size_t)snprintf(text + n, cap - n, "\", \"v1\": \"[concat(variables('v0'), variables('v0'))]\"");
  for (int i = 2; i <= 40; i++)
    n += (size_t)snprintf(text + n, cap - n, ", \"v%d\": \"[if(true(), variables('v%d'), variables('v%d'))]\"", i, i - 1, i - 1);
  snprintf(text + n, cap - n,
           "},\n \"resources\": [{\"type\": \"Microsoft.Storage/storageAccounts\", \"apiVersion\": \"2022-09-01\","
           " \"name\": \"a\", \"properties\": {\"minimumTlsVersion\": \"[variables('v40')]\"}}]}\n");
  tu_scan_t *s = tu_scan_text(".json", text, PROBES, false);
  assert_int_equal(0, s->report.errors.len);
  assert_int_equal(1, tu_count(&s->report, "T-ACCT"));
  tu_scan_free(s);
  free(text);
}

/* A realistic template owned by the tests (tests/data/arm/public-container.json). */
static void test_template_file(void **state) {
  (void)state;
  tu_scan_t *s = tu_scan_path("tests/data/arm/public-container.json", PROBES, false);
  assert_int_equal(0, s->report.errors.len);
  static const struct {
    const char *rule;
    size_t count;
  } expect[] = {
      {"T-ACCT", 2}, {"T-PUBLIC", 1}, {"T-TLS10", 1}, {"T-CONT-PUBLIC", 1}, {"T-CONT-NONE", 1}, {"T-CONT-IN-PUBLIC-ACCT", 1},
  };
  for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
    size_t n = tu_count(&s->report, expect[i].rule);
    if (n != expect[i].count) fprintf(stderr, "public-container.json: %s fired %zu times\n", expect[i].rule, n);
    assert_int_equal(expect[i].count, n);
  }
  const cf_finding_t *f = first_active(&s->report, "T-CONT-IN-PUBLIC-ACCT");
  assert_non_null(f);
  assert_string_equal("Microsoft.Storage/storageAccounts/contosomedia/blobServices/default/containers/images", f->resource);
  tu_scan_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_metadata_reason),
      cmocka_unit_test(test_exponential_template_is_bounded),
      cmocka_unit_test(test_memory_bomb_is_bounded),
      cmocka_unit_test(test_template_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
