/*
 * adapt_credreport.c - the IAM credential report (CSV) into canonical resources: the
 * `<root_account>` row becomes aws.iam.root_account, every other row an aws.iam.user.
 *
 * The report comes either as the CSV file itself (the console download, or `aws iam
 * get-credential-report --query Content --output text | base64 -d`), which scan.c detects by
 * its header, or base64-encoded inside the JSON that `aws iam get-credential-report` prints;
 * adapt_awscli.c decodes that one and calls cf__adapt_credreport_at.
 *
 * Why a reader of our own: the report is RFC 4180 CSV (quoted fields, doubled quotes, CRLF
 * line ends), and we need the line and column of every field so that a finding points at the
 * user's row and the field that caused it. No Debian CSV library keeps positions, and the
 * format is small enough that a bounded reader is shorter than the glue a library would need.
 *
 * Mapping (IAM User Guide, "Getting credential reports"): columns are found by their header
 * name, so reports from before a column was added still load. "N/A", "not_supported" and
 * "no_information" mean the value is absent. access_key_1/2 become `access_keys[]` items only
 * when the key exists (it is active or has a rotation date). Rows are emitted as partial
 * resources keyed by ARN (by user name when a row has none) so that a user merges with the
 * same user from `get-account-authorization-details` and a report saved twice counts once.
 *
 * Limits: at most CR_MAX_FIELDS fields in a record (a longer record is skipped with a
 * warning) and CR_MAX_FIELD bytes in a field; an unterminated quoted field ends the file with
 * a warning. The reader never reads past len and never recurses.
 */
#include <string.h>
#include <strings.h>

#include "model.h"

#define CR_MAX_FIELDS 256u
#define CR_MAX_FIELD (64u * 1024u)

typedef struct field {
  const char *s; /* not NUL-terminated: len bytes */
  size_t len;
  cf_pos_t pos;
} field_t;

typedef struct csv {
  const char *p, *end;
  const char *line_start;
  uint32_t line;
  uint32_t file;
  bool fixed;       /* every position is `at` (a report decoded from JSON) */
  cf_pos_t at;
} csv_t;

typedef enum rec_status { REC_OK, REC_END, REC_TOO_MANY, REC_ERROR } rec_status;

static cf_pos_t here(const csv_t *r) {
  if (r->fixed) return r->at;
  cf_pos_t pos = {r->file, r->line, (uint32_t)(r->p - r->line_start) + 1};
  return pos;
}

/* Moves past one character, counting lines. */
static void advance(csv_t *r) {
  if (*r->p == '\n') {
    r->line++;
    r->line_start = r->p + 1;
  }
  r->p++;
}

/*
 * Reads one record into out[0..max). Fields that needed unescaping are copied into a; the
 * others point into the input. *n is the number of fields read (all of them are counted even
 * when there were more than max, so the caller can report it). *err and *err_pos say what
 * went wrong and where for REC_ERROR.
 */
static rec_status read_record(csv_t *r, cf_arena_t *a, field_t *out, size_t max, size_t *n,
                              const char **err, cf_pos_t *err_pos, bool *oom) {
  *n = 0;
  if (r->p >= r->end) return REC_END;
  bool too_many = false;
  for (;;) {
    field_t f = {r->p, 0, here(r)};
    if (r->p < r->end && *r->p == '"') {
      /* Quoted: runs to the closing quote; "" stands for one quote; commas and line breaks
       * inside belong to the field. */
      cf_pos_t open = f.pos;
      advance(r);
      const char *start = r->p;
      size_t quotes = 0;
      bool closed = false;
      while (r->p < r->end) {
        if (*r->p == '"') {
          if (r->p + 1 < r->end && r->p[1] == '"') {
            quotes++;
            advance(r);
            advance(r);
            continue;
          }
          closed = true;
          break;
        }
        advance(r);
      }
      if (!closed) {
        *err = "unterminated quoted field";
        *err_pos = open;
        return REC_ERROR;
      }
      size_t raw = (size_t)(r->p - start);
      advance(r); /* the closing quote */
      if (raw - quotes > CR_MAX_FIELD) {
        *err = "field longer than the limit of 65536 bytes";
        *err_pos = open;
        return REC_ERROR;
      }
      if (quotes == 0) {
        f.s = start;
        f.len = raw;
      } else {
        char *buf = cf__arena_alloc(a, raw - quotes + 1);
        if (!buf) {
          *oom = true;
          *err_pos = open;
          return REC_ERROR;
        }
        size_t k = 0;
        for (const char *q = start; q < start + raw; q++) {
          buf[k++] = *q;
          if (*q == '"') q++; /* the second quote of a pair */
        }
        buf[k] = '\0';
        f.s = buf;
        f.len = k;
      }
      /* Text between the closing quote and the separator is not RFC 4180; readers commonly
       * ignore it, and so do we rather than lose the row. */
      while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') advance(r);
    } else {
      while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') advance(r);
      f.len = (size_t)(r->p - f.s);
      if (f.len > CR_MAX_FIELD) {
        *err = "field longer than the limit of 65536 bytes";
        *err_pos = f.pos;
        return REC_ERROR;
      }
    }
    if (*n < max) out[*n] = f;
    else too_many = true;
    (*n)++;
    if (r->p >= r->end) break;
    char c = *r->p;
    advance(r);
    if (c == ',') continue;
    /* End of record: "\r\n", "\n" or a lone "\r". */
    if (c == '\r' && r->p < r->end && *r->p == '\n') advance(r);
    break;
  }
  return too_many ? REC_TOO_MANY : REC_OK;
}

/* ---- the report's columns ---- */

enum {
  COL_USER, COL_ARN, COL_PASSWORD_ENABLED, COL_PASSWORD_LAST_USED, COL_MFA_ACTIVE,
  COL_AK1_ACTIVE, COL_AK1_ROTATED, COL_AK1_USED, COL_AK2_ACTIVE, COL_AK2_ROTATED, COL_AK2_USED,
  COL__COUNT
};

static const char *const col_names[COL__COUNT] = {
    "user", "arn", "password_enabled", "password_last_used", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date"};

typedef struct report {
  cf_adapt_ctx_t *ac;
  int col[COL__COUNT]; /* index of each column in a record, -1 when the report lacks it */
  bool oom;
} report_t;

/* The field of column c in this record, or NULL when the report or the row lacks it or the
 * value means "absent". */
static const field_t *value(const report_t *rp, const field_t *f, size_t n, int c) {
  int i = rp->col[c];
  if (i < 0 || (size_t)i >= n) return NULL;
  const field_t *v = &f[i];
  static const char *const absent[] = {"", "N/A", "not_supported", "no_information"};
  for (size_t k = 0; k < CF_ARRAY_LEN(absent); k++)
    if (v->len == strlen(absent[k]) && strncasecmp(v->s, absent[k], v->len) == 0) return NULL;
  return v;
}

static cf_node_t *str_node(report_t *rp, const field_t *v) {
  cf_node_t *n = cf_node_new_str(rp->ac->arena, v->s, v->len, v->pos);
  if (!n) rp->oom = true;
  return n;
}

/* "true"/"false" as a boolean; -1 for anything else. */
static int truth(const field_t *v) {
  if (!v) return -1;
  if (v->len == 4 && strncasecmp(v->s, "true", 4) == 0) return 1;
  if (v->len == 5 && strncasecmp(v->s, "false", 5) == 0) return 0;
  return -1;
}

static void put(report_t *rp, cf_node_t *obj, const char *key, cf_node_t *v) {
  if (rp->oom) return;
  if (!v || cf_node_set(rp->ac->arena, obj, key, v)) rp->oom = true;
}

static void put_bool(report_t *rp, cf_node_t *obj, const char *key, const field_t *v) {
  int t = truth(v);
  if (t >= 0) put(rp, obj, key, cf_node_new_bool(rp->ac->arena, t == 1, v->pos));
}

static void put_str(report_t *rp, cf_node_t *obj, const char *key, const field_t *v) {
  if (v) put(rp, obj, key, str_node(rp, v));
}

/* access_key_1 and access_key_2 as canonical access_keys items; only keys that exist. */
static void access_keys(report_t *rp, cf_resource_t *r, const field_t *f, size_t n) {
  static const struct { const char *id; int active, rotated, used; } keys[2] = {
      {"access_key_1", COL_AK1_ACTIVE, COL_AK1_ROTATED, COL_AK1_USED},
      {"access_key_2", COL_AK2_ACTIVE, COL_AK2_ROTATED, COL_AK2_USED}};
  cf_node_t *arr = NULL;
  for (int k = 0; k < 2; k++) {
    const field_t *active = value(rp, f, n, keys[k].active);
    const field_t *rotated = value(rp, f, n, keys[k].rotated);
    const field_t *used = value(rp, f, n, keys[k].used);
    int on = truth(active);
    if (on != 1 && !rotated) continue; /* no such key */
    cf_pos_t pos = active ? active->pos : rotated->pos;
    if (!arr) {
      arr = cf_node_new_array(rp->ac->arena, pos);
      if (!arr) {
        rp->oom = true;
        return;
      }
    }
    cf_node_t *o = cf_node_new_object(rp->ac->arena, pos);
    if (!o) {
      rp->oom = true;
      return;
    }
    put(rp, o, "id", cf_node_new_cstr(rp->ac->arena, keys[k].id, pos));
    if (on >= 0) put(rp, o, "active", cf_node_new_bool(rp->ac->arena, on == 1, active->pos));
    put_str(rp, o, "last_rotated", rotated);
    put_str(rp, o, "last_used", used);
    if (!rp->oom && cf_node_push(rp->ac->arena, arr, o)) rp->oom = true;
  }
  if (arr) put(rp, r->attrs, "access_keys", arr);
}

static cf_err row(report_t *rp, const field_t *f, size_t n, cf_pos_t row_pos) {
  cf_adapt_ctx_t *ac = rp->ac;
  const field_t *user = value(rp, f, n, COL_USER);
  if (!user) return CF_OK;
  char *name = cf__arena_strndup(ac->arena, user->s, user->len);
  if (!name) return CF_ENOMEM;
  bool is_root = strcmp(name, "<root_account>") == 0;
  cf_resource_t *r = cf__res_new(ac, is_root ? "aws.iam.root_account" : "aws.iam.user", name, row_pos);
  if (!r) return CF_ENOMEM;
  const field_t *arn = value(rp, f, n, COL_ARN);
  char *arn_s = arn ? cf__arena_strndup(ac->arena, arn->s, arn->len) : NULL;
  if (arn && !arn_s) return CF_ENOMEM;
  /* Joined with the same user from get-account-authorization-details: by ARN, which both
   * print and which is unique across accounts (the root's too, so two accounts' reports do
   * not mix), else by name. */
  r->partial = true;
  r->merge_key = arn_s ? arn_s : r->address;
  if (!is_root) {
    put_str(rp, r->attrs, "name", user);
    if (cf__res_add_id(ac, r, name)) return CF_ENOMEM;
  }
  put_str(rp, r->attrs, "arn", arn);
  if (arn_s && cf__res_add_id(ac, r, arn_s)) return CF_ENOMEM;
  put_bool(rp, r->attrs, "password_enabled", value(rp, f, n, COL_PASSWORD_ENABLED));
  put_bool(rp, r->attrs, "mfa_active", value(rp, f, n, COL_MFA_ACTIVE));
  put_str(rp, r->attrs, "password_last_used", value(rp, f, n, COL_PASSWORD_LAST_USED));
  access_keys(rp, r, f, n);
  if (rp->oom) return CF_ENOMEM;
  return ac->emit(ac, r);
}

static cf_err adapt(cf_adapt_ctx_t *ac, const char *csv, size_t len, bool fixed, cf_pos_t at) {
  csv_t r = {csv, csv + len, csv, 1, ac->file, fixed, at};
  if (len >= 3 && (unsigned char)csv[0] == 0xEF && (unsigned char)csv[1] == 0xBB && (unsigned char)csv[2] == 0xBF) {
    r.p += 3;
    r.line_start = r.p;
  }
  field_t *f = cf__arena_alloc(ac->arena, CR_MAX_FIELDS * sizeof(field_t));
  if (!f) return CF_ENOMEM;
  report_t rp;
  memset(&rp, 0, sizeof rp);
  rp.ac = ac;
  size_t n = 0;
  const char *err = NULL;
  cf_pos_t err_pos = at;
  bool oom = false;
  cf_pos_t pos = here(&r);
  rec_status st = read_record(&r, ac->arena, f, CR_MAX_FIELDS, &n, &err, &err_pos, &oom);
  if (oom) return CF_ENOMEM;
  if (st != REC_OK) {
    cf__adapt_warn(ac, st == REC_ERROR ? err_pos : pos, "credential report: %s",
                   st == REC_END ? "no header" : err ? err : "the header has too many columns");
    return CF_OK;
  }
  for (int c = 0; c < COL__COUNT; c++) {
    rp.col[c] = -1;
    for (size_t i = 0; i < n; i++)
      if (f[i].len == strlen(col_names[c]) && memcmp(f[i].s, col_names[c], f[i].len) == 0) {
        rp.col[c] = (int)i;
        break;
      }
  }
  if (rp.col[COL_USER] < 0) {
    cf__adapt_warn(ac, pos, "credential report: the header has no 'user' column");
    return CF_OK;
  }
  for (;;) {
    pos = here(&r);
    pos.column = fixed ? pos.column : 1;
    st = read_record(&r, ac->arena, f, CR_MAX_FIELDS, &n, &err, &err_pos, &oom);
    if (oom) return CF_ENOMEM;
    if (st == REC_END) break;
    if (st == REC_ERROR) {
      cf__adapt_warn(ac, err_pos, "credential report: %s; the rest of the report is not read", err);
      break;
    }
    if (st == REC_TOO_MANY) {
      cf__adapt_warn(ac, pos, "credential report: a row with %zu fields (more than %u) is skipped", n, CR_MAX_FIELDS);
      continue;
    }
    if (n == 1 && f[0].len == 0) continue; /* a blank line */
    cf_err e = row(&rp, f, n, pos);
    if (e) return e;
  }
  return CF_OK;
}

cf_err cf__adapt_credreport(cf_adapt_ctx_t *ac, const char *csv, size_t len) {
  cf_pos_t none = {ac->file, 0, 0};
  return adapt(ac, csv, len, false, none);
}

cf_err cf__adapt_credreport_at(cf_adapt_ctx_t *ac, const char *csv, size_t len, cf_pos_t at) {
  return adapt(ac, csv, len, true, at);
}
