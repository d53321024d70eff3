/* PLACEHOLDER: replaced by the real adapter. */
#include "model.h"
cf_err cf__adapt_tfplan(cf_adapt_ctx_t *ac, const cf_doc_t *doc) { (void)ac; (void)doc; return CF_EUNSUPPORTED; }
