/*
 * cloudfort/taxonomy.h - the Cloud Security Alliance "Top Threats to Cloud Computing 2022"
 * taxonomy every finding carries, and the cloud service models.
 *
 * The eleven threats fall into four groups, as the source analysis arranges them: strategy and
 * management, data leakage, infrastructure and software sharing, cybercrime. A finding's first
 * threat decides its group. All data here is static and thread-safe.
 */
#ifndef CLOUDFORT_TAXONOMY_H
#define CLOUDFORT_TAXONOMY_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CF_THREAT_COUNT 11
#define CF_GROUP_COUNT 4

typedef struct cf_threat_info {
  uint8_t number;      /* 1..11, the CSA ranking */
  uint8_t group;       /* 1..4 */
  const char *name;    /* "Misconfiguration and inadequate change control" */
  const char *short_name; /* "misconfiguration" */
  const char *view;    /* "administrative", "technical", "administrative + technical" */
  const char *owner;   /* "customer", "shared", "customer / CSP" */
} cf_threat_info_t;

/* Returns the threat with this CSA number, or NULL when the number is not 1..11. */
const cf_threat_info_t *cf_threat_get(unsigned number);
/* Returns the name of group 1..4 ("Strategy and management"), or NULL. */
const char *cf_group_name(unsigned group);

/* Service models, as bits so a finding can carry several. */
typedef enum cf_service_model {
  CF_SM_IAAS = 1u << 0,
  CF_SM_PAAS = 1u << 1,
  CF_SM_SAAS = 1u << 2,
  CF_SM_FAAS = 1u << 3,
  CF_SM_CAAS = 1u << 4,
  CF_SM_BAAS = 1u << 5
} cf_service_model;
#define CF_SM_COUNT 6

/* Name of the model with bit index i (0..5): "IaaS", "PaaS", ... NULL out of range. */
const char *cf_service_model_name(unsigned index);
/* Parses "IaaS" (case-insensitive) into its bit; returns 0 when unknown. */
unsigned cf_service_model_parse(const char *name);

#ifdef __cplusplus
}
#endif
#endif
