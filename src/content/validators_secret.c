/*
 * validators_secret.c - validators of credentials: checksums and structure of tokens and keys.
 */
#include <string.h>

#include "content_internal.h"

const cf_validator_t cf__validators_secret[] = {
    {NULL, NULL, NULL, NULL},
};
