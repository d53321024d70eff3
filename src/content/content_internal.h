/*
 * content_internal.h - compiled content rules, the per-thread scanner and the validators
 * (internal to src/content/).
 */
#ifndef CF_CONTENT_INTERNAL_H
#define CF_CONTENT_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>

#include "cloudfort/content.h"
#include "core/core.h"

/* Confidence of a match. */
enum { CONF_LOW = 1, CONF_MEDIUM = 2, CONF_HIGH = 3 };

/*
 * A validator looks at a candidate secret (the capture group) and says whether it is
 * well-formed: +1 it is (a checksum matched, a key parsed), -1 it is not (the confidence is
 * lowered, the finding kept), 0 no opinion. Validators are pure functions of their input and
 * thread-safe.
 */
typedef int (*cf_validator_fn)(const char *s, size_t n);

/* Optional: a short fact a valid candidate reveals without revealing itself, appended to the
 * finding's evidence ("account 123456789012" for an AWS access key id, "alg HS256" for a
 * JWT). Writes a NUL-terminated string into out (empty when there is nothing to say). */
typedef void (*cf_validator_detail_fn)(const char *s, size_t n, char *out, size_t out_size);

typedef struct cf_validator {
  const char *name;
  cf_validator_fn fn;
  const char *what; /* one line for docs and `rules list` */
  cf_validator_detail_fn detail; /* may be NULL */
} cf_validator_t;

/* The validator called name, or NULL. */
const cf_validator_t *cf__validator_find(const char *name);
/* Validator tables (0: credentials, 1: personal data; NULL past the last), each ending with a
 * NULL name. */
const cf_validator_t *cf__validators_table(unsigned which);
extern const cf_validator_t cf__validators_secret[]; /* validators_secret.c */
extern const cf_validator_t cf__validators_pii[];    /* validators_pii.c */
/* Value of a base64 character in either alphabet (RFC 4648 sections 4 and 5), or -1
 * (decode.c). */
int cf__b64_value(unsigned char c);
/* Shannon entropy in bits per byte of s[0..n). */
double cf__shannon_entropy(const char *s, size_t n);

/* An allowlist: a match is dropped when one of these says so (gitleaks semantics). */
typedef struct callow {
  pcre2_code **regexes;   /* tested on the secret (or the match / the line, see target) */
  uint32_t n_regexes;
  uint8_t target;         /* 0 secret, 1 match, 2 line */
  const char **stopwords; /* lower-case; dropped when the secret contains one */
  uint32_t n_stopwords;
  pcre2_code **paths;     /* the file path matches */
  uint32_t n_paths;
  const char **commits;   /* git commit ids */
  uint32_t n_commits;
  bool all;               /* condition AND: every present check must hold */
  const char **rules;     /* for a global allowlist: only these rule ids (empty: all) */
  uint32_t n_rules;
} callow_t;

typedef struct crule {
  cf_rule_info_t info;
  cf_content_kind kind;
  const char *regex;          /* PCRE2 syntax; NULL for a path-only rule */
  pcre2_code *re;
  uint32_t group;             /* capture group of the secret (0: the whole match) */
  double entropy;             /* minimum entropy of the secret (0: none) */
  const char **keywords;      /* lower-case literals; one must occur near the match (gitleaks) */
  uint32_t n_keywords;
  const char *const *keywords_z; /* NULL-terminated view for the public API */
  const cf_validator_t *validator;
  uint8_t confidence;         /* base confidence */
  pcre2_code *path;           /* the rule applies to files whose path matches (may be NULL) */
  const char **context;       /* words that raise confidence when near (lower-case, UTF-8) */
  uint32_t n_context;
  uint32_t context_window;    /* bytes before and after the match searched for context */
  callow_t *allows;
  uint32_t n_allows;
  unsigned max_width;         /* longest match, from Hyperscan (capped) */
  bool source_threat;         /* add threat 5 when found in source code */
  bool wide;                  /* the regex may match a non-ASCII character where the
                                 byte-wise prefilter would not (set by compile) */
  bool gitleaks;              /* gitleaks semantics: with group 0 the secret is the first
                                 non-empty capture group (the whole match when none is), and
                                 the secret's entropy must exceed `entropy` */
  bool generic;               /* a catch-all (password assignments): its match is dropped
                                 where a specific rule matched the same bytes */
  uint32_t *kw_ids;           /* its keywords' ids in the prefilter database (set by compile) */
  bool kw_always;             /* an empty keyword: always present */
} crule_t;

struct cf_content_rules {
  const cf_ctx_t *ctx;
  unsigned kinds;             /* cf_content_kind bits this set keeps */
  cf_arena_t *arena;
  crule_t **rules;
  size_t n_rules, cap_rules;
  cf_doc_t **docs;            /* rule documents, kept for strings */
  size_t n_docs, cap_docs;
  pcre2_code **codes;         /* every compiled regex, freed with the set */
  size_t n_codes, cap_codes;
  callow_t *global_allows;    /* gitleaks [allowlist] / [[allowlists]] */
  uint32_t n_global_allows, cap_global_allows;
  hs_database_t *db;          /* after compile */
  unsigned *hs_rule;          /* Hyperscan id -> rule index */
  size_t n_hs;
  crule_t **path_only;        /* rules without a regex (a file name alone is the finding) */
  size_t n_path_only;
  crule_t **pcre_only;        /* rules Hyperscan cannot prefilter: PCRE2 over the whole input */
  size_t n_pcre_only;
  crule_t **wide;             /* prefiltered rules that run with PCRE2 alone on non-ASCII text */
  size_t n_wide;
  char **kw;                  /* every distinct keyword, a literal of the prefilter database */
  size_t n_kw;
  bool compiled;
};

/* Hyperscan ids of keyword literals start here (rule patterns are numbered from 0). */
#define CF_KW_ID_BASE 0x40000000u

struct cf_content_scanner {
  const cf_content_rules_t *rs;
  hs_scratch_t *scratch;
  pcre2_match_data *md;       /* the rule's match (ovector read while filtering) */
  pcre2_match_data *md2;      /* allowlist and path checks, which must not clobber md */
  pcre2_match_context *mctx;  /* match and depth limits */
  uint8_t *kw_seen;           /* per keyword: it occurs in the text being scanned */
  bool kw_known;              /* kw_seen is complete for this text */
  /* candidates of one scan: (rule index, end offset) */
  struct cand {
    uint32_t rule;
    uint32_t pad;
    size_t end;
  } *cands;
  size_t n_cands, cap_cands;
  bool cands_overflow;
  bool nomem;
  cf_content_match_t *found;  /* confirmed matches of one scan, sorted before the callback */
  size_t n_found, cap_found;
  size_t *lines;              /* line start offsets of the text, built when first needed */
  size_t n_lines, cap_lines;
  bool lines_ready;
  const char *commit;         /* the git commit being scanned (allowlist commits), or NULL */
};

/* Compiles a regex for the rule set (kept and freed with it). Returns NULL with msg filled
 * (msg may be NULL) when it does not compile. */
pcre2_code *cf__content_regex(cf_content_rules_t *rs, const char *pattern, size_t len, bool caseless,
                              char *msg, size_t msg_size);
/* How the message of a regex that failed for want of memory begins. */
#define CF_CONTENT_REGEX_NOMEM "out of memory"
/* The same with extra PCRE2 compile options (PCRE2_CASELESS, PCRE2_DOLLAR_ENDONLY, ...). */
pcre2_code *cf__content_regex_opts(cf_content_rules_t *rs, const char *pattern, size_t len, uint32_t extra,
                                   char *msg, size_t msg_size);
/* Compiled prefilter databases kept between runs (hs_cache.c). The key hashes the patterns,
 * their flags and the Hyperscan version. load fills prefiltered[i] (1: pattern i is in the
 * database) and max_width[i] for the n patterns and returns true with *db, or false. */
bool cf__hs_cache_key(const char *const *exprs, const unsigned *flags, size_t n, char key[65]);
bool cf__hs_cache_load(const cf_ctx_t *ctx, const char *key, size_t n, uint8_t *prefiltered, uint32_t *max_width,
                       hs_database_t **db);
void cf__hs_cache_store(const cf_ctx_t *ctx, const char *key, size_t n, const uint8_t *prefiltered,
                        const uint32_t *max_width, const hs_database_t *db);
/* Appends a rule (retained). */
cf_err cf__content_add_rule(cf_content_rules_t *rs, crule_t *r) CF_MUST_CHECK;

#endif
