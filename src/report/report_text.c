/*
 * report_text.c - the human report: findings grouped by the four threat groups of the source
 * analysis (strategy and management, data leakage, infrastructure and software sharing,
 * cybercrime), then by severity, each with file:line, resource, evidence and the fix.
 * Colours only when asked (the CLI asks on a terminal without NO_COLOR).
 */
#include <string.h>

#include "cloudfort/report.h"
#include "cloudfort/taxonomy.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"

static const char *sev_color(cf_severity s) {
  switch (s) {
  case CF_SEV_CRITICAL: return "\033[1;91m";
  case CF_SEV_HIGH: return "\033[31m";
  case CF_SEV_MEDIUM: return "\033[33m";
  case CF_SEV_LOW: return "\033[36m";
  default: return "\033[2m";
  }
}

static void upper(char *dst, const char *src, size_t n) {
  size_t i = 0;
  for (; src[i] && i + 1 < n; i++) dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 32) : src[i];
  dst[i] = '\0';
}

/* The first line of a possibly multi-line text, at most max bytes. */
static void first_line(FILE *out, const char *s, size_t max) {
  size_t n = strcspn(s, "\n");
  if (n > max) n = max;
  fwrite(s, 1, n, out);
}

static void write_one(FILE *out, const cf_finding_t *f, const cf_text_opts_t *o) {
  const cf_rule_info_t *r = f->rule;
  char sev[16];
  upper(sev, cf_severity_name(r->severity), sizeof sev);
  if (o->color) fprintf(out, "  %s%-8s%s  %s%s%s  %s", sev_color(r->severity), sev, C_RESET, C_BOLD, r->id, C_RESET, r->title);
  else fprintf(out, "  %-8s  %s  %s", sev, r->id, r->title);
  if (f->unknown) fputs(" (depends on values known after deployment)", out);
  if (f->suppressed) fputs(" [suppressed]", out);
  fputc('\n', out);
  fputs("            ", out);
  if (f->file) {
    if (f->line) fprintf(out, "%s:%u", f->file, f->line);
    else fputs(f->file, out);
  }
  if (f->resource) fprintf(out, "%s%s", f->file ? "  " : "", f->resource);
  if (f->resource_type) fprintf(out, o->color ? "  " C_DIM "(%s)" C_RESET : "  (%s)", f->resource_type);
  fputc('\n', out);
  if (f->evidence) fprintf(out, "            %s%s%s\n", o->color ? C_DIM : "", f->evidence, o->color ? C_RESET : "");
  if (o->remediation && r->remediation.text) {
    fputs("            fix: ", out);
    first_line(out, r->remediation.text, 300);
    fputc('\n', out);
  }
  if (f->suppressed && f->suppress_reason) fprintf(out, "            suppressed: %s\n", f->suppress_reason);
}

cf_err cf_report_write_text(FILE *out, const cf_report_t *rep, const cf_text_opts_t *o) {
  cf_text_opts_t def = {false, false, true};
  if (!o) o = &def;
  size_t n = cf_findings_count(rep->findings);
  size_t active = 0, suppressed = 0, unknown = 0;
  size_t by_sev[CF_SEV_COUNT] = {0};
  for (size_t i = 0; i < n; i++) {
    const cf_finding_t *f = cf_findings_at(rep->findings, i);
    if (f->suppressed) {
      suppressed++;
      continue;
    }
    active++;
    if (f->unknown) unknown++;
    by_sev[f->rule->severity]++;
  }
  for (unsigned g = 1; g <= CF_GROUP_COUNT; g++) {
    bool header = false;
    for (size_t i = 0; i < n; i++) {
      const cf_finding_t *f = cf_findings_at(rep->findings, i);
      if (cf_rule_group(f->rule) != g) continue;
      if (f->suppressed && !o->show_suppressed) continue;
      if (!header) {
        if (o->color) fprintf(out, "\n%s== %u. %s ==%s\n", C_BOLD, g, cf_group_name(g), C_RESET);
        else fprintf(out, "\n== %u. %s ==\n", g, cf_group_name(g));
        header = true;
      }
      write_one(out, f, o);
    }
  }
  if (rep->errors.len) {
    fprintf(out, "\n%sErrors (%zu)%s\n", o->color ? C_BOLD : "", rep->errors.len, o->color ? C_RESET : "");
    for (size_t i = 0; i < rep->errors.len; i++) {
      const cf_diag_t *d = &rep->errors.items[i];
      fputs("  ", out);
      if (d->file) fputs(d->file, out);
      if (d->line) fprintf(out, ":%u", d->line);
      if (d->line && d->column) fprintf(out, ":%u", d->column);
      fprintf(out, "%s%s\n", d->file ? ": " : "", d->message ? d->message : cf_strerror(d->code));
    }
  }
  fprintf(out, "\n%zu finding%s in %llu file%s (%llu resources)", active, active == 1 ? "" : "s",
          (unsigned long long)rep->files, rep->files == 1 ? "" : "s", (unsigned long long)rep->resources);
  if (active) {
    fputs(":", out);
    bool first = true;
    for (int s = CF_SEV_CRITICAL; s >= CF_SEV_INFO; s--) {
      if (!by_sev[s]) continue;
      fprintf(out, "%s %zu %s", first ? "" : ",", by_sev[s], cf_severity_name((cf_severity)s));
      first = false;
    }
  }
  if (unknown) fprintf(out, "; %zu depend on values known after deployment", unknown);
  if (suppressed) fprintf(out, "; %zu suppressed", suppressed);
  fputc('\n', out);
  return ferror(out) ? CF_EIO : CF_OK;
}
