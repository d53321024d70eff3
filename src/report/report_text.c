/*
 * report_text.c - the human report: findings grouped by the four threat groups of the source
 * analysis (strategy and management, data leakage, infrastructure and software sharing,
 * cybercrime), then by severity, each with file:line, resource, evidence and the fix.
 * Colours only when asked (the CLI asks on a terminal without NO_COLOR).
 *
 * When the dlp analyser ran, a "Personal data by file" section follows the findings: each file
 * with `rule=count` pairs and its total, then the totals (report_dlp.h says when it is shown).
 * The closing line counts files, and resources only when posture rules ran: a secrets or dlp
 * scan has no resources to count.
 *
 * Paths, resource names, evidence and messages come from the scanned files, which are hostile:
 * their control characters (C0, DEL, C1) are printed as '?' so that a crafted name cannot move
 * the cursor, retitle the window or fake report lines.
 */
#include <string.h>

#include "cloudfort/report.h"
#include "cloudfort/taxonomy.h"
#include "report_dlp.h"

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

/* Writes at most max bytes of s, control characters replaced by '?'. */
static void put_safe_n(FILE *out, const char *s, size_t max) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < max && p[i]; i++) {
    if (p[i] < 0x20 || p[i] == 0x7f) fputc('?', out);
    else if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) fputc('?', out), i++;
    else fputc(p[i], out);
  }
}

static void put_safe(FILE *out, const char *s) { put_safe_n(out, s, (size_t)-1); }

/* The first line of a possibly multi-line text, at most max bytes. */
static void first_line(FILE *out, const char *s, size_t max) {
  size_t n = strcspn(s, "\n");
  put_safe_n(out, s, n > max ? max : n);
}

static void write_one(FILE *out, const cf_finding_t *f, const cf_text_opts_t *o) {
  const cf_rule_info_t *r = f->rule;
  char sev[16];
  upper(sev, cf_severity_name(r->severity), sizeof sev);
  if (o->color) fprintf(out, "  %s%-8s%s  %s", sev_color(r->severity), sev, C_RESET, C_BOLD);
  else fprintf(out, "  %-8s  ", sev);
  put_safe(out, r->id);
  fputs(o->color ? C_RESET "  " : "  ", out);
  put_safe(out, r->title);
  if (f->unknown) fputs(" (depends on values known after deployment)", out);
  if (f->suppressed) fputs(" [suppressed]", out);
  fputc('\n', out);
  fputs("            ", out);
  if (f->file) {
    put_safe(out, f->file);
    if (f->line) fprintf(out, ":%u", f->line);
  }
  if (f->resource) {
    if (f->file) fputs("  ", out);
    put_safe(out, f->resource);
  }
  if (f->resource_type) {
    fputs(o->color ? "  " C_DIM "(" : "  (", out);
    put_safe(out, f->resource_type);
    fputs(o->color ? ")" C_RESET : ")", out);
  }
  fputc('\n', out);
  if (f->commit) {
    /* git history: which commit added it, and who. */
    fputs("            commit ", out);
    fprintf(out, "%.12s", f->commit); /* hexadecimal, from libgit2 */
    if (f->author) {
      fputs(" by ", out);
      put_safe(out, f->author);
    }
    if (f->email) {
      fputs(" <", out);
      put_safe(out, f->email);
      fputc('>', out);
    }
    if (f->date) {
      fputs(" on ", out);
      put_safe(out, f->date);
    }
    fputc('\n', out);
  }
  if (f->evidence) {
    fprintf(out, "            %s", o->color ? C_DIM : "");
    put_safe(out, f->evidence);
    fprintf(out, "%s\n", o->color ? C_RESET : "");
  }
  if (o->remediation && r->remediation.text) {
    fputs("            fix: ", out);
    first_line(out, r->remediation.text, 300);
    fputc('\n', out);
  }
  if (f->suppressed && f->suppress_reason) {
    fputs("            suppressed: ", out);
    put_safe(out, f->suppress_reason);
    fputc('\n', out);
  }
}

static void write_counts(FILE *out, const cf_dlp_count_t *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    fputs(i ? " " : "", out);
    put_safe(out, c[i].rule_id);
    fprintf(out, "=%zu", c[i].count);
  }
}

static void write_dlp(FILE *out, const cf_dlp_summary_t *s, const cf_text_opts_t *o) {
  fprintf(out, "\n%sPersonal data by file%s\n", o->color ? C_BOLD : "", o->color ? C_RESET : "");
  if (!s->n_files) fputs("  none found\n", out);
  for (size_t i = 0; i < s->n_files; i++) {
    const cf_dlp_file_t *f = &s->files[i];
    fputs("  ", out);
    put_safe(out, f->file[0] ? f->file : "(no file)");
    fprintf(out, "  %s", o->color ? C_DIM : "");
    fprintf(out, "%zu: ", f->total);
    write_counts(out, f->counts, f->n_counts);
    fprintf(out, "%s\n", o->color ? C_RESET : "");
  }
  if (s->n_files) {
    fprintf(out, "  %stotal%s  %zu: ", o->color ? C_BOLD : "", o->color ? C_RESET : "", s->total);
    write_counts(out, s->totals, s->n_totals);
    fputc('\n', out);
  }
}

cf_err cf_report_write_text(FILE *out, const cf_report_t *rep, const cf_text_opts_t *o) {
  cf_text_opts_t def = {false, false, true};
  if (!o) o = &def;
  cf_dlp_summary_t dlp;
  if (cf__dlp_summary_init(&dlp, rep)) return CF_ENOMEM;
  bool posture_ran = false;
  for (size_t i = 0; i < rep->n_rules && !posture_ran; i++)
    posture_ran = rep->rules[i]->analyzer && strcmp(rep->rules[i]->analyzer, "posture") == 0;
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
  if (dlp.present) write_dlp(out, &dlp, o);
  cf__dlp_summary_cleanup(&dlp);
  if (rep->errors.len) {
    fprintf(out, "\n%sErrors (%zu)%s\n", o->color ? C_BOLD : "", rep->errors.len, o->color ? C_RESET : "");
    for (size_t i = 0; i < rep->errors.len; i++) {
      const cf_diag_t *d = &rep->errors.items[i];
      fputs("  ", out);
      if (d->file) {
        put_safe(out, d->file);
        if (d->line) fprintf(out, ":%u", d->line);
        if (d->line && d->column) fprintf(out, ":%u", d->column);
        fputs(": ", out);
      }
      put_safe(out, d->message ? d->message : cf_strerror(d->code));
      fputc('\n', out);
    }
  }
  fprintf(out, "\n%zu finding%s in %llu file%s", active, active == 1 ? "" : "s", (unsigned long long)rep->files,
          rep->files == 1 ? "" : "s");
  if (posture_ran || rep->resources)
    fprintf(out, " (%llu resource%s)", (unsigned long long)rep->resources, rep->resources == 1 ? "" : "s");
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
