/* PLACEHOLDER: replaced by the real adapter. */
#include "model.h"
cf_err cf__adapt_awscli(cf_adapt_ctx_t *ac, const cf_doc_t *doc) { (void)ac; (void)doc; return CF_EUNSUPPORTED; }
bool cf__awscli_recognize(const cf_doc_t *doc, const char *base_name) { (void)doc; (void)base_name; return false; }
