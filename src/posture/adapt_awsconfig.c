/* PLACEHOLDER: replaced by the real adapter. */
#include "model.h"
cf_err cf__adapt_awsconfig_item(cf_adapt_ctx_t *ac, const cf_node_t *item) { (void)ac; (void)item; return CF_EUNSUPPORTED; }
