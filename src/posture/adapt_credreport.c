/* PLACEHOLDER: replaced by the real adapter. */
#include "model.h"
cf_err cf__adapt_credreport(cf_adapt_ctx_t *ac, const char *csv, size_t len) { (void)ac; (void)csv; (void)len; return CF_EUNSUPPORTED; }
