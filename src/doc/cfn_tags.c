/*
 * cfn_tags.c - CloudFormation's YAML short forms mapped to their long (JSON) forms.
 *
 * A template may write `!Ref Bucket` or `{"Ref": "Bucket"}`, `!GetAtt Role.Arn` or
 * `{"Fn::GetAtt": ["Role", "Arn"]}`; adapters and rules see only the long form. The dotted
 * !GetAtt splits at the first dot only: the attribute part may itself contain dots
 * (`!GetAtt Db.Endpoint.Address`). The list follows the CloudFormation template reference.
 */
#include <string.h>

#include "doc_internal.h"

static const char *const fn_tags[] = {
    "Base64", "Cidr",   "FindInMap", "GetAZs", "ImportValue", "Join",   "Select",
    "Split",  "Sub",    "Transform", "If",     "Equals",      "Not",    "And",
    "Or",     "Length", "ToJsonString", "ForEach", "GetAtt",
};

static cf_node_t *wrap(cf_arena_t *a, const char *key, cf_node_t *v, cf_err *err) {
  cf_node_t *o = cf_node_new_object(a, v->pos);
  if (!o || cf_node_set(a, o, key, v) != CF_OK) {
    *err = CF_ENOMEM;
    return NULL;
  }
  return o;
}

cf_node_t *cf__cfn_tag(cf_arena_t *a, const char *tag, cf_node_t *v, cf_err *err) {
  *err = CF_OK;
  if (!tag || tag[0] != '!' || tag[1] == '!' || tag[1] == '\0') {
    *err = CF_ENOTFOUND;
    return NULL;
  }
  const char *name = tag + 1;
  if (strcmp(name, "Ref") == 0) return wrap(a, "Ref", v, err);
  if (strcmp(name, "Condition") == 0) return wrap(a, "Condition", v, err);
  for (size_t i = 0; i < sizeof(fn_tags) / sizeof(fn_tags[0]); i++) {
    if (strcmp(name, fn_tags[i]) != 0) continue;
    char key[32] = "Fn::";
    strcat(key, fn_tags[i]);
    if (strcmp(name, "GetAtt") == 0 && v->type == CF_NODE_STRING) {
      /* "Resource.Attribute.With.Dots" -> ["Resource", "Attribute.With.Dots"] */
      const char *dot = strchr(v->u.s, '.');
      cf_node_t *arr = cf_node_new_array(a, v->pos);
      if (!arr) goto oom;
      size_t n1 = dot ? (size_t)(dot - v->u.s) : v->len;
      cf_node_t *res = cf_node_new_str(a, v->u.s, n1, v->pos);
      if (!res || cf_node_push(a, arr, res) != CF_OK) goto oom;
      if (dot) {
        cf_node_t *att = cf_node_new_str(a, dot + 1, v->len - n1 - 1, v->pos);
        if (!att || cf_node_push(a, arr, att) != CF_OK) goto oom;
      }
      return wrap(a, key, arr, err);
    }
    return wrap(a, key, v, err);
  }
  *err = CF_ENOTFOUND;
  return NULL;
oom:
  *err = CF_ENOMEM;
  return NULL;
}
