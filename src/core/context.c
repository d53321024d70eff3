/*
 * context.c - the library context: log callback, limits and the reference time.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cloudfort/cloudfort.h"
#include "core.h"

void cf_limits_default(cf_limits_t *l) {
  l->max_file_size = CF_LIMIT_FILE_SIZE;
  l->max_depth = CF_LIMIT_DEPTH;
  l->max_nodes = CF_LIMIT_NODES;
  l->max_alias_nodes = CF_LIMIT_ALIAS_NODES;
  l->max_walk_depth = CF_LIMIT_WALK_DEPTH;
  l->max_files = CF_LIMIT_FILES;
  l->max_rule_size = CF_LIMIT_RULE_SIZE;
}

static const cf_limits_t default_limits = {
    CF_LIMIT_FILE_SIZE, CF_LIMIT_DEPTH,      CF_LIMIT_NODES,    CF_LIMIT_ALIAS_NODES,
    CF_LIMIT_WALK_DEPTH, CF_LIMIT_FILES, CF_LIMIT_RULE_SIZE};

cf_ctx_t *cf_ctx_new(void) {
  cf_ctx_t *ctx = calloc(1, sizeof(*ctx));
  if (!ctx) return NULL;
  cf_limits_default(&ctx->limits);
  ctx->log_level = CF_LOG_WARN;
  ctx->now = (int64_t)time(NULL);
  return ctx;
}

void cf_ctx_free(cf_ctx_t *ctx) {
  if (!ctx) return;
  free(ctx->cache_dir);
  free(ctx);
}

bool cf_ctx_set_cache_dir(cf_ctx_t *ctx, const char *dir) {
  char *copy = NULL;
  if (dir && *dir && !(copy = strdup(dir))) return false;
  free(ctx->cache_dir);
  ctx->cache_dir = copy;
  return true;
}

void cf_ctx_set_log(cf_ctx_t *ctx, cf_log_cb cb, void *userdata, cf_log_level level) {
  ctx->log_cb = cb;
  ctx->log_ud = userdata;
  ctx->log_level = level;
}

void cf_ctx_set_limits(cf_ctx_t *ctx, const cf_limits_t *l) {
  cf_limits_t d;
  cf_limits_default(&d);
  ctx->limits.max_file_size = l->max_file_size ? l->max_file_size : d.max_file_size;
  ctx->limits.max_depth = l->max_depth ? l->max_depth : d.max_depth;
  ctx->limits.max_nodes = l->max_nodes ? l->max_nodes : d.max_nodes;
  ctx->limits.max_alias_nodes = l->max_alias_nodes ? l->max_alias_nodes : d.max_alias_nodes;
  ctx->limits.max_walk_depth = l->max_walk_depth ? l->max_walk_depth : d.max_walk_depth;
  ctx->limits.max_files = l->max_files ? l->max_files : d.max_files;
  ctx->limits.max_rule_size = l->max_rule_size ? l->max_rule_size : d.max_rule_size;
}

const cf_limits_t *cf_ctx_limits(const cf_ctx_t *ctx) { return cf__limits(ctx); }

const cf_limits_t *cf__limits(const cf_ctx_t *ctx) { return ctx ? &ctx->limits : &default_limits; }

void cf_ctx_set_now(cf_ctx_t *ctx, int64_t unix_seconds) { ctx->now = unix_seconds; }

int64_t cf_ctx_now(const cf_ctx_t *ctx) { return ctx ? ctx->now : (int64_t)time(NULL); }

void cf__log(const cf_ctx_t *ctx, cf_log_level level, const char *fmt, ...) {
  if (!ctx || !ctx->log_cb || level > ctx->log_level) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  ctx->log_cb(ctx->log_ud, level, msg);
}

const char *cf_version(void) { return CF_VERSION; }
