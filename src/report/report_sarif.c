/*
 * report_sarif.c - SARIF 2.1.0 (OASIS): one run; the rules that ran in tool.driver.rules; the
 * CSA Top Threats 2022 as a taxonomy in run.taxonomies, referenced from every rule
 * (relationships) and every result (taxa); fingerprints in partialFingerprints; suppressed
 * findings as results with a `suppressions` entry, which is how SARIF consumers expect them.
 * Severity maps to level: critical and high -> error, medium -> warning, low and info -> note;
 * `security-severity` (a CVSS-like number GitHub code scanning reads) is set as well.
 * When the dlp analyser ran, run.properties.dlpSummary holds the personal-data counts of the
 * JSON report (`files`: [{file, counts, total}], `totals`, `total`); SARIF keeps tool-specific
 * data in property bags (§3.8), which every consumer must accept.
 */
#include <ctype.h>
#include <string.h>

#include "cloudfort/report.h"
#include "cloudfort/taxonomy.h"
#include "jsonw.h"
#include "report_dlp.h"
#include "rule_index.h"

#define TAXONOMY "CSA Top Threats 2022"

static const char *level(cf_severity s) {
  return s >= CF_SEV_HIGH ? "error" : s == CF_SEV_MEDIUM ? "warning" : "note";
}

static const char *security_severity(cf_severity s) {
  switch (s) {
  case CF_SEV_CRITICAL: return "9.5";
  case CF_SEV_HIGH: return "8.0";
  case CF_SEV_MEDIUM: return "5.5";
  case CF_SEV_LOW: return "3.0";
  default: return "0.0";
  }
}

/* Paths become URI references: relative stays relative, unsafe bytes are %-encoded. */
static void write_uri(jsonw_t *w, const char *path) {
  char buf[4096];
  size_t k = 0;
  if (path[0] == '/') k += (size_t)snprintf(buf, sizeof buf, "file://");
  while (path[0] == '.' && path[1] == '/') path += 2;
  for (const unsigned char *p = (const unsigned char *)path; *p && k + 4 < sizeof buf; p++) {
    if (isalnum(*p) || strchr("/-._~!$&'()*+,;=:@", *p)) buf[k++] = (char)*p;
    else k += (size_t)snprintf(buf + k, sizeof buf - k, "%%%02X", *p);
  }
  buf[k] = '\0';
  cf__jw_str(w, buf);
}

static void tax_ref(jsonw_t *w, unsigned threat) {
  cf__jw_obj_begin(w);
  char id[8];
  snprintf(id, sizeof id, "%u", threat);
  cf__jw_kstr(w, "id", id);
  cf__jw_kint(w, "index", (int64_t)threat - 1);
  cf__jw_key(w, "toolComponent");
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "name", TAXONOMY);
  cf__jw_kint(w, "index", 0);
  cf__jw_obj_end(w);
  cf__jw_obj_end(w);
}

static void write_rule(jsonw_t *w, const cf_rule_info_t *r) {
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "id", r->id);
  cf__jw_key(w, "shortDescription");
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "text", r->title);
  cf__jw_obj_end(w);
  cf__jw_key(w, "fullDescription");
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "text", r->description ? r->description : r->title);
  cf__jw_obj_end(w);
  if (r->remediation.text) {
    cf__jw_key(w, "help");
    cf__jw_obj_begin(w);
    cf__jw_kstr(w, "text", r->remediation.text);
    cf__jw_obj_end(w);
  }
  if (r->references && r->references[0]) cf__jw_kstr(w, "helpUri", r->references[0]);
  cf__jw_key(w, "defaultConfiguration");
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "level", level(r->severity));
  cf__jw_obj_end(w);
  cf__jw_key(w, "relationships");
  cf__jw_arr_begin(w);
  for (unsigned i = 0; i < r->n_threats; i++) {
    cf__jw_obj_begin(w);
    cf__jw_key(w, "target");
    tax_ref(w, r->threats[i]);
    cf__jw_key(w, "kinds");
    cf__jw_arr_begin(w);
    cf__jw_str(w, "relevant");
    cf__jw_arr_end(w);
    cf__jw_obj_end(w);
  }
  cf__jw_arr_end(w);
  cf__jw_key(w, "properties");
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "security-severity", security_severity(r->severity));
  cf__jw_kstr(w, "severity", cf_severity_name(r->severity));
  cf__jw_kstr(w, "analyzer", r->analyzer);
  cf__jw_key(w, "tags");
  cf__jw_arr_begin(w);
  cf__jw_str(w, "security");
  for (unsigned i = 0; i < r->n_threats; i++) {
    const cf_threat_info_t *t = cf_threat_get(r->threats[i]);
    if (t) cf__jw_str(w, t->short_name);
  }
  cf__jw_arr_end(w);
  cf__jw_obj_end(w);
  cf__jw_obj_end(w);
}

static void write_taxonomy(jsonw_t *w) {
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "name", TAXONOMY);
  cf__jw_kstr(w, "version", "2022");
  cf__jw_kstr(w, "organization", "Cloud Security Alliance");
  cf__jw_key(w, "shortDescription");
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "text", "Top Threats to Cloud Computing: Pandemic Eleven");
  cf__jw_obj_end(w);
  cf__jw_key(w, "taxa");
  cf__jw_arr_begin(w);
  for (unsigned n = 1; n <= CF_THREAT_COUNT; n++) {
    const cf_threat_info_t *t = cf_threat_get(n);
    char id[8];
    snprintf(id, sizeof id, "%u", n);
    cf__jw_obj_begin(w);
    cf__jw_kstr(w, "id", id);
    cf__jw_kstr(w, "name", t->short_name);
    cf__jw_key(w, "shortDescription");
    cf__jw_obj_begin(w);
    cf__jw_kstr(w, "text", t->name);
    cf__jw_obj_end(w);
    cf__jw_key(w, "properties");
    cf__jw_obj_begin(w);
    cf__jw_kint(w, "group", t->group);
    cf__jw_kstr(w, "groupName", cf_group_name(t->group));
    cf__jw_kstr(w, "view", t->view);
    cf__jw_kstr(w, "owner", t->owner);
    cf__jw_obj_end(w);
    cf__jw_obj_end(w);
  }
  cf__jw_arr_end(w);
  cf__jw_obj_end(w);
}

static void write_result(jsonw_t *w, const cf_finding_t *f, long rule_index) {
  const cf_rule_info_t *r = f->rule;
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "ruleId", r->id);
  if (rule_index >= 0) cf__jw_kint(w, "ruleIndex", rule_index);
  cf__jw_kstr(w, "level", f->unknown ? "note" : level(r->severity));
  cf__jw_key(w, "message");
  cf__jw_obj_begin(w);
  char msg[1024];
  snprintf(msg, sizeof msg, "%s%s%s%s%s", r->title, f->resource ? " (" : "", f->resource ? f->resource : "",
           f->resource ? ")" : "", "");
  if (f->evidence) {
    size_t k = strlen(msg);
    snprintf(msg + k, sizeof msg - k, ": %s", f->evidence);
  }
  cf__jw_kstr(w, "text", msg);
  cf__jw_obj_end(w);
  if (f->file) {
    cf__jw_key(w, "locations");
    cf__jw_arr_begin(w);
    cf__jw_obj_begin(w);
    cf__jw_key(w, "physicalLocation");
    cf__jw_obj_begin(w);
    cf__jw_key(w, "artifactLocation");
    cf__jw_obj_begin(w);
    cf__jw_key(w, "uri");
    write_uri(w, f->file);
    cf__jw_obj_end(w);
    if (f->line) {
      cf__jw_key(w, "region");
      cf__jw_obj_begin(w);
      cf__jw_kint(w, "startLine", f->line);
      if (f->column) cf__jw_kint(w, "startColumn", f->column);
      cf__jw_obj_end(w);
    }
    cf__jw_obj_end(w);
    if (f->resource) {
      cf__jw_key(w, "logicalLocations");
      cf__jw_arr_begin(w);
      cf__jw_obj_begin(w);
      cf__jw_kstr(w, "name", f->resource);
      cf__jw_kstr(w, "kind", "resource");
      cf__jw_obj_end(w);
      cf__jw_arr_end(w);
    }
    cf__jw_obj_end(w);
    cf__jw_arr_end(w);
  }
  cf__jw_key(w, "partialFingerprints");
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "cloudfort/v1", f->fingerprint);
  cf__jw_obj_end(w);
  cf__jw_key(w, "taxa");
  cf__jw_arr_begin(w);
  for (unsigned i = 0; i < r->n_threats; i++) tax_ref(w, r->threats[i]);
  cf__jw_arr_end(w);
  if (f->suppressed) {
    cf__jw_key(w, "suppressions");
    cf__jw_arr_begin(w);
    cf__jw_obj_begin(w);
    cf__jw_kstr(w, "kind", f->suppressed == CF_SUPPRESS_BASELINE ? "external" : "inSource");
    if (f->suppress_reason) cf__jw_kstr(w, "justification", f->suppress_reason);
    cf__jw_obj_end(w);
    cf__jw_arr_end(w);
  }
  cf__jw_key(w, "properties");
  cf__jw_obj_begin(w);
  cf__jw_kstr(w, "severity", cf_severity_name(r->severity));
  if (f->resource_type) cf__jw_kstr(w, "resourceType", f->resource_type);
  if (f->attribute) cf__jw_kstr(w, "attribute", f->attribute);
  if (f->unknown) cf__jw_kbool(w, "unknown", true);
  cf__jw_obj_end(w);
  cf__jw_obj_end(w);
}

static void write_dlp(jsonw_t *w, const cf_dlp_summary_t *s) {
  cf__jw_key(w, "properties");
  cf__jw_obj_begin(w);
  cf__jw_key(w, "dlpSummary");
  cf__jw_obj_begin(w);
  cf__jw_key(w, "files");
  cf__jw_arr_begin(w);
  for (size_t i = 0; i < s->n_files; i++) {
    cf__jw_obj_begin(w);
    cf__jw_kstr(w, "file", s->files[i].file);
    cf__jw_key(w, "counts");
    cf__dlp_write_counts(w, s->files[i].counts, s->files[i].n_counts);
    cf__jw_key(w, "total");
    cf__jw_uint(w, s->files[i].total);
    cf__jw_obj_end(w);
  }
  cf__jw_arr_end(w);
  cf__jw_key(w, "totals");
  cf__dlp_write_counts(w, s->totals, s->n_totals);
  cf__jw_key(w, "total");
  cf__jw_uint(w, s->total);
  cf__jw_obj_end(w);
  cf__jw_obj_end(w);
}

cf_err cf_report_write_sarif(FILE *out, const cf_report_t *rep) {
  cf_dlp_summary_t dlp;
  if (cf__dlp_summary_init(&dlp, rep)) return CF_ENOMEM;
  jsonw_t w;
  cf__jw_init(&w, out, true);
  cf__jw_obj_begin(&w);
  cf__jw_kstr(&w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  cf__jw_kstr(&w, "version", "2.1.0");
  cf__jw_key(&w, "runs");
  cf__jw_arr_begin(&w);
  cf__jw_obj_begin(&w);
  cf__jw_key(&w, "tool");
  cf__jw_obj_begin(&w);
  cf__jw_key(&w, "driver");
  cf__jw_obj_begin(&w);
  cf__jw_kstr(&w, "name", "cloudfort");
  cf__jw_kstr(&w, "version", CF_VERSION);
  cf__jw_kstr(&w, "semanticVersion", CF_VERSION);
  cf__jw_key(&w, "rules");
  cf__jw_arr_begin(&w);
  for (size_t i = 0; i < rep->n_rules; i++) write_rule(&w, rep->rules[i]);
  cf__jw_arr_end(&w);
  cf__jw_key(&w, "supportedTaxonomies");
  cf__jw_arr_begin(&w);
  cf__jw_obj_begin(&w);
  cf__jw_kstr(&w, "name", TAXONOMY);
  cf__jw_kint(&w, "index", 0);
  cf__jw_obj_end(&w);
  cf__jw_arr_end(&w);
  cf__jw_obj_end(&w);
  cf__jw_obj_end(&w);
  cf__jw_key(&w, "taxonomies");
  cf__jw_arr_begin(&w);
  write_taxonomy(&w);
  cf__jw_arr_end(&w);
  cf__jw_key(&w, "results");
  cf__jw_arr_begin(&w);
  size_t n = cf_findings_count(rep->findings);
  cf_rule_index_t ix;
  if (cf__rule_index_init(&ix, rep)) {
    if (!w.err) w.err = CF_ENOMEM;
    n = 0;
  }
  for (size_t i = 0; i < n; i++) {
    const cf_finding_t *f = cf_findings_at(rep->findings, i);
    write_result(&w, f, cf__rule_index_find(&ix, f->rule));
  }
  cf__rule_index_cleanup(&ix);
  cf__jw_arr_end(&w);
  cf__jw_key(&w, "invocations");
  cf__jw_arr_begin(&w);
  cf__jw_obj_begin(&w);
  /* The run failed when it had inputs and could scan none of them (the CLI exits 2). */
  cf__jw_kbool(&w, "executionSuccessful", !(rep->files == 0 && rep->errors.len));
  cf__jw_key(&w, "toolExecutionNotifications");
  cf__jw_arr_begin(&w);
  for (size_t i = 0; i < rep->errors.len; i++) {
    const cf_diag_t *d = &rep->errors.items[i];
    cf__jw_obj_begin(&w);
    cf__jw_kstr(&w, "level", "error");
    cf__jw_key(&w, "message");
    cf__jw_obj_begin(&w);
    cf__jw_kstr(&w, "text", d->message ? d->message : cf_strerror(d->code));
    cf__jw_obj_end(&w);
    if (d->file) {
      cf__jw_key(&w, "locations");
      cf__jw_arr_begin(&w);
      cf__jw_obj_begin(&w);
      cf__jw_key(&w, "physicalLocation");
      cf__jw_obj_begin(&w);
      cf__jw_key(&w, "artifactLocation");
      cf__jw_obj_begin(&w);
      cf__jw_key(&w, "uri");
      write_uri(&w, d->file);
      cf__jw_obj_end(&w);
      if (d->line) {
        cf__jw_key(&w, "region");
        cf__jw_obj_begin(&w);
        cf__jw_kint(&w, "startLine", d->line);
        if (d->column) cf__jw_kint(&w, "startColumn", d->column);
        cf__jw_obj_end(&w);
      }
      cf__jw_obj_end(&w);
      cf__jw_obj_end(&w);
      cf__jw_arr_end(&w);
    }
    cf__jw_obj_end(&w);
  }
  cf__jw_arr_end(&w);
  cf__jw_obj_end(&w);
  cf__jw_arr_end(&w);
  if (dlp.present) write_dlp(&w, &dlp);
  cf__dlp_summary_cleanup(&dlp);
  cf__jw_obj_end(&w);
  cf__jw_arr_end(&w);
  cf__jw_obj_end(&w);
  return cf__jw_finish(&w);
}
