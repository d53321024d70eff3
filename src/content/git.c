/*
 * git.c - scanning a repository's history: every line added by every commit, through
 * libgit2, reported with the commit, its author, date and message.
 *
 * Commits come from a revision walk over HEAD and every ref (or the --git-range given,
 * "A..B" as git rev-list understands it, a single revision meaning it and its ancestors),
 * in topological order. Each commit is diffed against its first parent: the empty tree for a
 * root commit, and for a merge its first parent, so a merge shows what it brought into the
 * branch it merged into (lines written on the other side are then reported twice, once in
 * the commit that wrote them and once in the merge). The diff has no context lines; for each
 * changed file, the added lines are joined into one text and scanned, and a match's line in
 * that text is mapped back to its line in the new file. Renames are detected (as git log
 * does), so a moved file contributes only the lines that changed. Binary files and
 * deletions are skipped. A secret that was added and later removed is still found, in the commit that
 * added it: that is the point of scanning history.
 *
 * Findings name the file by its path inside the repository (as gitleaks does), with the
 * commit id as the origin, so two repositories scanned together stay apart by commit.
 */
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "content_scan.h"

static const char *git_msg(void) {
  const git_error *e = git_error_last();
  return e && e->message ? e->message : "unknown error";
}

static int open_repo(git_repository **repo, const char *path) {
  return git_repository_open_ext(repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
}

/* Pushes the commits to walk: the range, or HEAD and every ref. */
static int push_commits(git_repository *repo, git_revwalk *walk, const char *range) {
  if (range) {
    git_revspec spec;
    int r = git_revparse(&spec, repo, range);
    if (r) return r;
    if (spec.flags & GIT_REVSPEC_SINGLE) {
      r = git_revwalk_push(walk, git_object_id(spec.from));
    } else {
      r = git_revwalk_push(walk, git_object_id(spec.to));
      if (!r) r = git_revwalk_hide(walk, git_object_id(spec.from));
      if (!r && (spec.flags & GIT_REVSPEC_MERGE_BASE)) {
        /* "A...B": both sides, without what they share. */
        git_oid base;
        r = git_revwalk_push(walk, git_object_id(spec.from));
        if (!r && git_merge_base(&base, repo, git_object_id(spec.from), git_object_id(spec.to)) == 0)
          r = git_revwalk_hide(walk, &base);
      }
    }
    git_object_free(spec.from);
    git_object_free(spec.to);
    return r;
  }
  int r = git_revwalk_push_head(walk);
  if (r == GIT_EUNBORNBRANCH || r == GIT_ENOTFOUND) r = 0; /* no commit yet */
  if (!r) r = git_revwalk_push_glob(walk, "refs/*");
  return r;
}

cf_err cf__git_check(const char *path, const char *range, cf_diags_t *errors) {
  git_libgit2_init();
  git_repository *repo = NULL;
  git_revwalk *walk = NULL;
  cf_err err = CF_OK;
  if (open_repo(&repo, path)) {
    (void)cf_diags_add(errors, CF_EINVAL, path, 0, 0, "not a git repository: %s", git_msg());
    err = CF_EINVAL;
  } else if (git_revwalk_new(&walk, repo) || push_commits(repo, walk, range)) {
    if (range) (void)cf_diags_add(errors, CF_EINVAL, path, 0, 0, "bad revision range '%s': %s", range, git_msg());
    else (void)cf_diags_add(errors, CF_EINVAL, path, 0, 0, "cannot list the commits: %s", git_msg());
    err = CF_EINVAL;
  }
  git_revwalk_free(walk);
  git_repository_free(repo);
  git_libgit2_shutdown();
  return err;
}

/* The added lines of one file's patch and their lines in the new file. */
typedef struct added {
  char *text;
  size_t len, cap;
  uint32_t *lines;
  size_t n, cap_lines;
  size_t max;
} added_t;

static bool added_line(added_t *a, const char *s, size_t n, uint32_t line) {
  if (n && s[n - 1] == '\n') n--;
  if (a->len + n + 1 > a->max) return false;
  if (a->len + n + 2 > a->cap) {
    size_t nc = a->cap ? a->cap : 4096;
    while (nc < a->len + n + 2) nc *= 2;
    char *nt = realloc(a->text, nc);
    if (!nt) return false;
    a->text = nt;
    a->cap = nc;
  }
  if (!cf__grow((void **)&a->lines, &a->cap_lines, a->n, sizeof(uint32_t))) return false;
  memcpy(a->text + a->len, s, n);
  a->len += n;
  a->text[a->len++] = '\n';
  a->text[a->len] = '\0';
  a->lines[a->n++] = line;
  return true;
}

static cf_err scan_commit(cf_content_job_t *j, git_repository *repo, git_commit *c, const char *repo_path) {
  cf_err err = CF_OK;
  git_tree *tree = NULL, *ptree = NULL;
  git_commit *parent = NULL;
  git_diff *diff = NULL;
  char id[GIT_OID_HEXSZ + 1];
  git_oid_tostr(id, sizeof id, git_commit_id(c));
  if (git_commit_tree(&tree, c) || (git_commit_parentcount(c) > 0 && (git_commit_parent(&parent, c, 0) || git_commit_tree(&ptree, parent)))) {
    cf__job_warn(j, CF_EIO, repo_path, "commit %s: cannot read its tree: %s", id, git_msg());
    goto out;
  }
  git_diff_options dopts;
  git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
  dopts.context_lines = 0;
  dopts.interhunk_lines = 0;
  if (git_diff_tree_to_tree(&diff, repo, ptree, tree, &dopts)) {
    cf__job_warn(j, CF_EIO, repo_path, "commit %s: cannot diff: %s", id, git_msg());
    goto out;
  }
  /* A moved file is a rename with its changes, not every line added again (git log's
   * default since git 2.9). */
  git_diff_find_options fopts;
  git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
  fopts.flags = GIT_DIFF_FIND_RENAMES;
  if (git_diff_find_similar(diff, &fopts)) cf__job_warn(j, CF_EIO, repo_path, "commit %s: cannot find renames: %s", id, git_msg());
  const git_signature *au = git_commit_author(c);
  char date[32] = "";
  if (au) {
    time_t t = (time_t)au->when.time;
    struct tm tm;
    if (gmtime_r(&t, &tm)) strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  const char *msg = git_commit_message(c);
  char first[256] = "";
  if (msg) {
    size_t k = strcspn(msg, "\r\n");
    cf__strfmt(first, sizeof first, "%.*s", (int)k, msg);
  }
  cf_content_origin_t origin = {id, au ? au->name : NULL, au ? au->email : NULL, date[0] ? date : NULL, first};
  size_t nd = git_diff_num_deltas(diff);
  for (size_t i = 0; !err && i < nd; i++) {
    const git_diff_delta *dd = git_diff_get_delta(diff, i);
    if (!dd || dd->status == GIT_DELTA_DELETED || (dd->flags & GIT_DIFF_FLAG_BINARY)) continue;
    git_patch *patch = NULL;
    if (git_patch_from_diff(&patch, diff, i) || !patch) continue;
    dd = git_patch_get_delta(patch);
    if (dd->flags & GIT_DIFF_FLAG_BINARY) {
      git_patch_free(patch);
      continue;
    }
    added_t a;
    memset(&a, 0, sizeof a);
    a.max = cf__limits(cf__job_ctx(j))->max_file_size;
    bool full = false;
    size_t nh = git_patch_num_hunks(patch);
    for (size_t h = 0; h < nh && !full; h++) {
      int nl = git_patch_num_lines_in_hunk(patch, h);
      for (int l = 0; l < nl && !full; l++) {
        const git_diff_line *line = NULL;
        if (git_patch_get_line_in_hunk(&line, patch, h, (size_t)l) || !line) continue;
        if (line->origin != GIT_DIFF_LINE_ADDITION) continue;
        if (!added_line(&a, line->content, line->content_len, line->new_lineno > 0 ? (uint32_t)line->new_lineno : 0))
          full = true;
      }
    }
    const char *file = dd->new_file.path ? dd->new_file.path : "?";
    if (full) cf__job_warn(j, CF_ELIMIT, file, "commit %s: added lines beyond the size limit were not scanned", id);
    if (a.len) err = cf__job_scan_text(j, file, a.text, a.len, &origin, a.lines, a.n);
    if (a.text) explicit_bzero(a.text, a.len);
    free(a.text);
    free(a.lines);
    git_patch_free(patch);
  }
out:
  git_diff_free(diff);
  git_tree_free(tree);
  git_tree_free(ptree);
  git_commit_free(parent);
  return err;
}

cf_err cf__git_scan(cf_content_job_t *j, const char *path) {
  git_libgit2_init();
  git_repository *repo = NULL;
  git_revwalk *walk = NULL;
  cf_err err = CF_OK;
  if (open_repo(&repo, path) || git_revwalk_new(&walk, repo)) {
    cf__job_warn(j, CF_EIO, path, "cannot open the repository: %s", git_msg());
    goto out;
  }
  git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  if (push_commits(repo, walk, cf__job_opts(j)->git_range)) {
    cf__job_warn(j, CF_EIO, path, "cannot list the commits: %s", git_msg());
    goto out;
  }
  git_oid oid;
  while (!err && git_revwalk_next(&oid, walk) == 0) {
    git_commit *c = NULL;
    if (git_commit_lookup(&c, repo, &oid)) {
      char id[GIT_OID_HEXSZ + 1];
      cf__job_warn(j, CF_EIO, path, "cannot read commit %s: %s", git_oid_tostr(id, sizeof id, &oid), git_msg());
      continue;
    }
    err = scan_commit(j, repo, c, path);
    git_commit_free(c);
  }
out:
  git_revwalk_free(walk);
  git_repository_free(repo);
  git_libgit2_shutdown();
  return err;
}
