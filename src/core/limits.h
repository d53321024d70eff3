/*
 * limits.h - default limits on hostile input. Every parser and walker reads its limits from
 * the context (cf_ctx_limits); these are the values a zero field takes. They are chosen so
 * that a legitimate input is never refused (a 1 GiB AWS Config snapshot, a CloudFormation
 * template of 10,000 resources) while a billion-laughs YAML, a 10,000-deep nesting or an
 * endless decompression stops early with a diagnostic.
 */
#ifndef CF_LIMITS_H
#define CF_LIMITS_H

#define CF_LIMIT_FILE_SIZE (1ull << 30)      /* 1 GiB per file, after decompression */
#define CF_LIMIT_DEPTH 512u                  /* nesting of JSON and YAML values */
#define CF_LIMIT_NODES 50000000ull           /* values in one document */
#define CF_LIMIT_ALIAS_NODES 1000000ull      /* values reached through YAML aliases */
#define CF_LIMIT_WALK_DEPTH 64u              /* directory levels below a root */
#define CF_LIMIT_FILES 10000000ull           /* files in one scan */
#define CF_LIMIT_RULE_SIZE (1ull << 20)      /* bytes of one rule file */
#define CF_LIMIT_REGEX_LEN 4096u             /* bytes of one rule regex */
#define CF_LIMIT_RULE_DEPTH 64u              /* nesting of a rule's condition tree */
#define CF_LIMIT_EVIDENCE 200u               /* bytes of evidence kept per finding */
#define CF_LIMIT_INNER_JSON (64ull << 20)    /* JSON embedded in a string (Config items) */

#endif
