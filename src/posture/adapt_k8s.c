/*
 * adapt_k8s.c - Kubernetes manifests (a YAML stream of documents, or JSON) into canonical
 * k8s.workload resources.
 *
 * What it reads. Every document of the stream is looked at on its own; a `kind: List` (or
 * any "<Kind>List" with `items`, as `kubectl get -o yaml` and the API write them) is opened
 * and its items are treated like documents. Items of a typed list ("DeploymentList") may
 * leave out their own kind; it is then taken from the list's. Workload kinds and where their
 * pod template lives:
 *   Pod                                                      spec
 *   Deployment, StatefulSet, DaemonSet, ReplicaSet,
 *   ReplicationController, Job                               spec.template.{metadata,spec}
 *   CronJob                                                  spec.jobTemplate.spec.template.{metadata,spec}
 * Every other kind (Service, ConfigMap, custom resources) is skipped without a word: a
 * manifest folder holds many of them and none is a mistake.
 *
 * What it writes (docs/internals/canonical.md, k8s.workload). The pod spec is mapped once per
 * workload: host namespaces, volumes (host_path for hostPath volumes), and one entry in
 * `containers` for every container, init container (init: true) and ephemeral container.
 * `run_as_user` and `run_as_non_root` are the effective values, the container's
 * securityContext else the pod's, and keep the position of the setting that decided them.
 * `privileged`, `allow_privilege_escalation`, `read_only_root_filesystem` and
 * `capabilities_add` exist only at container level in Kubernetes and are copied only when
 * set: Kubernetes' own defaults (escalation allowed, writable root) are left to the rules.
 * `env` entries are {name, value, from_secret}; from_secret is true for
 * valueFrom.secretKeyRef. An `envFrom` source with a secretRef puts every key of a secret
 * into the environment, so it becomes an env entry {from_secret: true} without a name or a
 * value (configMapRef sources are not mapped). `annotations` holds the workload's
 * annotations plus those of its pod template that the workload does not set itself.
 *
 * Booleans: Kubernetes decodes YAML with YAML 1.1 rules, where plain `yes`, `on`, `y` (and
 * their negatives) are booleans; the document loader follows YAML 1.2. A plain scalar of
 * that spelling in a boolean field is read as Kubernetes reads it, so that
 * `privileged: yes` is not missed. JSON input has no such spellings.
 *
 * Address and position: "<Kind>/<namespace>/<name>", namespace "default" when the manifest
 * has none (the `namespace` attribute itself stays absent then), name from metadata.name,
 * else metadata.generateName, else "(unnamed)". The resource's position is its `kind:` key
 * (the first key when there is no kind).
 *
 * Suppression: the annotation `cloudfort.io/ignore: "ID[,ID...] reason"` on the workload or
 * on its pod template suppresses those rules (or every rule for "*") on the workload.
 *
 * Limits: nested lists are opened to a depth of 8 and an ignore annotation names at most 64
 * rules; everything else is linear in the document (annotations are merged through a sorted
 * key list), which the loader has already limited in size and depth.
 */
#include <stdlib.h>
#include <string.h>

#include "doc/doc_internal.h"
#include "model.h"

#define K8S_MAX_LIST_DEPTH 8
#define IGNORE_ANNOTATION "cloudfort.io/ignore"

typedef struct k8s {
  cf_adapt_ctx_t *ac;
  bool yaml;  /* the input is YAML (JSON strings are never booleans to the API) */
  bool oom;
} k8s_t;

/* Where each workload kind keeps its pod spec and the pod template's metadata. */
static const struct workload_kind {
  const char *kind;
  const char *spec;      /* dotted path to the pod spec */
  const char *tmpl_meta; /* dotted path to the pod template's metadata, NULL for Pod */
} workload_kinds[] = {
    {"Pod", "spec", NULL},
    {"Deployment", "spec.template.spec", "spec.template.metadata"},
    {"StatefulSet", "spec.template.spec", "spec.template.metadata"},
    {"DaemonSet", "spec.template.spec", "spec.template.metadata"},
    {"ReplicaSet", "spec.template.spec", "spec.template.metadata"},
    {"ReplicationController", "spec.template.spec", "spec.template.metadata"},
    {"Job", "spec.template.spec", "spec.template.metadata"},
    {"CronJob", "spec.jobTemplate.spec.template.spec", "spec.jobTemplate.spec.template.metadata"},
};

static const struct workload_kind *find_kind(const char *kind) {
  if (!kind) return NULL;
  for (size_t i = 0; i < CF_ARRAY_LEN(workload_kinds); i++)
    if (strcmp(workload_kinds[i].kind, kind) == 0) return &workload_kinds[i];
  return NULL;
}

/* A value that is set: present and not an explicit YAML null. */
static const cf_node_t *get_set(const cf_node_t *obj, const char *key) {
  const cf_node_t *v = cf_node_get(obj, key);
  return v && v->type != CF_NODE_NULL ? v : NULL;
}

/* Truth as Kubernetes' YAML decoder sees it: booleans, "true"/"false", and the YAML 1.1
 * plain spellings. Quoted strings other than true/false are not booleans to the API either.
 * -1 when the value is not a boolean. */
static int k8s_truth(const k8s_t *k, const cf_node_t *v) {
  int t = cf_node_truth(v);
  if (t >= 0 || !k->yaml || !v || v->type != CF_NODE_STRING || (v->flags & CF_NODE_F_QUOTED)) return t;
  static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON"};
  static const char *const no[] = {"n", "N", "no", "No", "NO", "off", "Off", "OFF"};
  for (size_t i = 0; i < CF_ARRAY_LEN(yes); i++) {
    if (strcmp(v->u.s, yes[i]) == 0) return 1;
    if (strcmp(v->u.s, no[i]) == 0) return 0;
  }
  return -1;
}

/* obj.key = value, remembering an allocation failure. A NULL value is an allocation failure
 * of its builder. */
static void put(k8s_t *k, cf_node_t *obj, const char *key, cf_node_t *value) {
  if (!value || cf_node_set(k->ac->arena, obj, key, value)) k->oom = true;
}

static void push(k8s_t *k, cf_node_t *arr, cf_node_t *item) {
  if (!item || cf_node_push(k->ac->arena, arr, item)) k->oom = true;
}

/* Copies a set value as it is. */
static void put_copy(k8s_t *k, cf_node_t *obj, const char *key, const cf_node_t *v) {
  if (v) put(k, obj, key, cf__n_copy(k->ac, v));
}

/* A boolean setting; a value that is no boolean is kept as written so that it stays visible
 * to rules and evidence. */
static void put_bool(k8s_t *k, cf_node_t *obj, const char *key, const cf_node_t *v) {
  if (!v) return;
  int t = k8s_truth(k, v);
  put(k, obj, key, t >= 0 ? cf__n_bool(k->ac, t == 1, v->pos) : cf__n_copy(k->ac, v));
}

/* An integer setting (user ids); other values are kept as written. */
static void put_int(k8s_t *k, cf_node_t *obj, const char *key, const cf_node_t *v) {
  if (!v) return;
  double d;
  if (v->type == CF_NODE_INT) put(k, obj, key, cf__n_copy(k->ac, v));
  /* Whole numbers only, and only within int64_t's range (a cast of inf or 1e300 is undefined). */
  else if (cf_node_number(v, &d) && d >= -9.0e18 && d <= 9.0e18 && d == (double)(int64_t)d)
    put(k, obj, key, cf__n_int(k->ac, (int64_t)d, v->pos));
  else put(k, obj, key, cf__n_copy(k->ac, v));
}

/* env and envFrom of one container into an array of {name, value, from_secret}. */
static cf_node_t *map_env(k8s_t *k, const cf_node_t *c) {
  const cf_node_t *env = cf_node_get(c, "env");
  const cf_node_t *from = cf_node_get(c, "envFrom");
  bool has_env = env && env->type == CF_NODE_ARRAY;
  bool has_from = from && from->type == CF_NODE_ARRAY;
  if (!has_env && !has_from) return NULL;
  cf_node_t *arr = cf__n_arr(k->ac, has_env ? env->pos : from->pos);
  if (!arr) {
    k->oom = true;
    return NULL;
  }
  for (uint32_t i = 0; has_env && i < env->len; i++) {
    const cf_node_t *it = env->u.items[i];
    if (it->type != CF_NODE_OBJECT) continue;
    cf_node_t *o = cf__n_obj(k->ac, it->pos);
    if (!o) {
      k->oom = true;
      return NULL;
    }
    put_copy(k, o, "name", get_set(it, "name"));
    put_copy(k, o, "value", get_set(it, "value"));
    const cf_node_t *vf = get_set(it, "valueFrom");
    const cf_node_t *skr = get_set(vf, "secretKeyRef");
    put(k, o, "from_secret", cf__n_bool(k->ac, skr != NULL, skr ? skr->pos : it->pos));
    push(k, arr, o);
  }
  for (uint32_t i = 0; has_from && i < from->len; i++) {
    const cf_node_t *sr = get_set(from->u.items[i], "secretRef");
    if (!sr) continue;
    cf_node_t *o = cf__n_obj(k->ac, from->u.items[i]->pos);
    if (!o) {
      k->oom = true;
      return NULL;
    }
    put(k, o, "from_secret", cf__n_bool(k->ac, true, sr->pos));
    push(k, arr, o);
  }
  return arr;
}

/* One container with its effective security settings. psc is the pod's securityContext
 * (may be NULL). */
static cf_node_t *map_container(k8s_t *k, const cf_node_t *c, const cf_node_t *psc, bool init) {
  cf_node_t *o = cf__n_obj(k->ac, c->pos);
  if (!o) {
    k->oom = true;
    return NULL;
  }
  put_copy(k, o, "name", get_set(c, "name"));
  put_copy(k, o, "image", get_set(c, "image"));
  put(k, o, "init", cf__n_bool(k->ac, init, c->pos));
  const cf_node_t *sc = get_set(c, "securityContext");
  if (sc && sc->type != CF_NODE_OBJECT) sc = NULL;
  put_bool(k, o, "privileged", get_set(sc, "privileged"));
  put_bool(k, o, "allow_privilege_escalation", get_set(sc, "allowPrivilegeEscalation"));
  /* The container's setting wins over the pod's (PodSecurityContext: "the value specified
   * in SecurityContext takes precedence"). */
  const cf_node_t *user = get_set(sc, "runAsUser");
  put_int(k, o, "run_as_user", user ? user : get_set(psc, "runAsUser"));
  const cf_node_t *nonroot = get_set(sc, "runAsNonRoot");
  put_bool(k, o, "run_as_non_root", nonroot ? nonroot : get_set(psc, "runAsNonRoot"));
  put_bool(k, o, "read_only_root_filesystem", get_set(sc, "readOnlyRootFilesystem"));
  const cf_node_t *add = get_set(get_set(sc, "capabilities"), "add");
  if (add) put(k, o, "capabilities_add", cf__n_strlist(k->ac, add));
  cf_node_t *env = map_env(k, c);
  if (env) put(k, o, "env", env);
  return o;
}

static void map_containers(k8s_t *k, cf_node_t *arr, const cf_node_t *spec, const char *key,
                           const cf_node_t *psc, bool init) {
  const cf_node_t *l = cf_node_get(spec, key);
  if (!l || l->type != CF_NODE_ARRAY) return;
  for (uint32_t i = 0; i < l->len && !k->oom; i++) {
    const cf_node_t *c = l->u.items[i];
    if (c->type == CF_NODE_OBJECT) push(k, arr, map_container(k, c, psc, init));
  }
}

static void map_pod_spec(k8s_t *k, cf_resource_t *r, const cf_node_t *spec) {
  cf_node_t *a = r->attrs;
  put_bool(k, a, "host_network", get_set(spec, "hostNetwork"));
  put_bool(k, a, "host_pid", get_set(spec, "hostPID"));
  put_bool(k, a, "host_ipc", get_set(spec, "hostIPC"));
  const cf_node_t *vols = cf_node_get(spec, "volumes");
  if (vols && vols->type == CF_NODE_ARRAY) {
    cf_node_t *arr = cf__n_arr(k->ac, vols->pos);
    if (!arr) {
      k->oom = true;
      return;
    }
    for (uint32_t i = 0; i < vols->len; i++) {
      const cf_node_t *v = vols->u.items[i];
      if (v->type != CF_NODE_OBJECT) continue;
      cf_node_t *o = cf__n_obj(k->ac, v->pos);
      if (!o) {
        k->oom = true;
        return;
      }
      put_copy(k, o, "name", get_set(v, "name"));
      const cf_node_t *hp = get_set(v, "hostPath");
      if (hp) {
        /* path is required by the API; a hostPath without one is still a host mount. */
        const cf_node_t *p = get_set(hp, "path");
        put(k, o, "host_path", p ? cf__n_copy(k->ac, p) : cf__n_str(k->ac, "", hp->pos));
      }
      push(k, arr, o);
    }
    put(k, a, "volumes", arr);
  }
  const cf_node_t *psc = get_set(spec, "securityContext");
  if (psc && psc->type != CF_NODE_OBJECT) psc = NULL;
  cf_node_t *cs = cf__n_arr(k->ac, spec->pos);
  if (!cs) {
    k->oom = true;
    return;
  }
  map_containers(k, cs, spec, "initContainers", psc, true);
  map_containers(k, cs, spec, "containers", psc, false);
  map_containers(k, cs, spec, "ephemeralContainers", psc, false);
  put(k, a, "containers", cs);
}

static int cmp_key(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Annotations of the workload, then those of the pod template it does not set itself.
 * Members are appended without the linear search of cf_node_set, and the template's keys are
 * looked up in a sorted copy of the workload's, so that a manifest with very many
 * annotations costs O(n log n) rather than O(n^2). */
static void map_annotations(k8s_t *k, cf_resource_t *r, const cf_node_t *own, const cf_node_t *tmpl) {
  if (own && own->type != CF_NODE_OBJECT) own = NULL;
  if (tmpl && tmpl->type != CF_NODE_OBJECT) tmpl = NULL;
  if (!own && !tmpl) return;
  cf_arena_t *ar = k->ac->arena;
  cf_node_t *o = cf__n_obj(k->ac, own ? own->pos : tmpl->pos);
  const char **keys = own && own->len ? malloc(own->len * sizeof(char *)) : NULL;
  if (!o || (own && own->len && !keys)) {
    free(keys);
    k->oom = true;
    return;
  }
  for (uint32_t i = 0; own && i < own->len && !k->oom; i++) {
    const cf_member_t *m = &own->u.members[i];
    keys[i] = m->key;
    cf_node_t *v = cf__n_copy(k->ac, m->value);
    if (!v || cf__node_append_member(ar, o, m->key, m->key_len, m->key_pos, v)) k->oom = true;
  }
  if (keys) qsort(keys, own->len, sizeof(char *), cmp_key);
  for (uint32_t i = 0; tmpl && i < tmpl->len && !k->oom; i++) {
    const cf_member_t *m = &tmpl->u.members[i];
    if (keys && bsearch(&m->key, keys, own->len, sizeof(char *), cmp_key)) continue;
    cf_node_t *v = cf__n_copy(k->ac, m->value);
    if (!v || cf__node_append_member(ar, o, m->key, m->key_len, m->key_pos, v)) k->oom = true;
  }
  free(keys);
  if (!k->oom) put(k, r->attrs, "annotations", o);
}

/* `cloudfort.io/ignore: "ID[,ID...] reason"`: ids separated by commas (spaces after a comma
 * are allowed), then an optional free-text reason. */
static cf_err suppress_from(k8s_t *k, cf_resource_t *r, const cf_node_t *annotations) {
  const cf_node_t *v = cf_node_get(annotations, IGNORE_ANNOTATION);
  if (!v) return CF_OK;
  const char *s = cf_node_str(v);
  if (!s) {
    cf__adapt_warn(k->ac, v->pos, "annotation %s needs a string: \"RULE-ID[,RULE-ID] reason\"", IGNORE_ANNOTATION);
    return CF_OK;
  }
  const char *p = s;
  const char *ids[64];
  size_t lens[64], n = 0;
  for (;;) {
    while (*p == ' ' || *p == '\t') p++;
    const char *start = p;
    while (*p && *p != ',' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') p++;
    if (p > start && n < CF_ARRAY_LEN(ids)) {
      ids[n] = start;
      lens[n] = (size_t)(p - start);
      n++;
    }
    const char *q = p;
    while (*q == ' ' || *q == '\t') q++;
    if (*q != ',') break;
    p = q + 1;
  }
  if (n == 0) {
    cf__adapt_warn(k->ac, v->pos, "annotation %s names no rule", IGNORE_ANNOTATION);
    return CF_OK;
  }
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  size_t rl = strlen(p);
  while (rl && (p[rl - 1] == ' ' || p[rl - 1] == '\t' || p[rl - 1] == '\n' || p[rl - 1] == '\r')) rl--;
  const char *reason = rl ? cf__arena_strndup(k->ac->arena, p, rl) : NULL;
  if (rl && !reason) return CF_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const char *id = cf__arena_strndup(k->ac->arena, ids[i], lens[i]);
    if (!id) return CF_ENOMEM;
    cf_err e = cf__res_suppress(k->ac, r, id, reason, CF_SUPPRESS_ANNOTATION);
    if (e) return e;
  }
  return CF_OK;
}

/* The position a workload is reported at: its kind key, else its first key. */
static cf_pos_t object_pos(const cf_node_t *obj) {
  const cf_member_t *m = cf_node_member(obj, "kind");
  if (m) return m->key_pos;
  if (obj->type == CF_NODE_OBJECT && obj->len) return obj->u.members[0].key_pos;
  return obj->pos;
}

static cf_err adapt_workload(k8s_t *k, const cf_node_t *obj, const struct workload_kind *wk) {
  cf_adapt_ctx_t *ac = k->ac;
  const cf_node_t *meta = cf_node_get(obj, "metadata");
  const char *name = cf_node_str(get_set(meta, "name"));
  if (!name) name = cf_node_str(get_set(meta, "generateName"));
  if (!name) name = "(unnamed)";
  const char *ns = cf_node_str(get_set(meta, "namespace"));
  char *address = cf__arena_printf(ac->arena, "%s/%s/%s", wk->kind, ns ? ns : "default", name);
  if (!address) return CF_ENOMEM;
  cf_pos_t pos = object_pos(obj);
  cf_resource_t *r = cf__res_new(ac, "k8s.workload", address, pos);
  if (!r) return CF_ENOMEM;
  if (cf__res_add_id(ac, r, address)) return CF_ENOMEM;
  const cf_node_t *kind = cf_node_get(obj, "kind");
  put(k, r->attrs, "kind", kind && cf_node_str(kind) ? cf__n_copy(ac, kind) : cf__n_str(ac, wk->kind, pos));
  const cf_node_t *name_node = get_set(meta, "name");
  if (name_node) {
    put_copy(k, r->attrs, "name", name_node);
    if (cf_node_str(name_node) && cf__res_add_id(ac, r, cf_node_str(name_node))) return CF_ENOMEM;
  }
  put_copy(k, r->attrs, "namespace", get_set(meta, "namespace"));
  const cf_node_t *own_ann = cf_node_get(meta, "annotations");
  const cf_node_t *tmpl_ann = wk->tmpl_meta ? cf_node_get(cf_node_at(obj, wk->tmpl_meta), "annotations") : NULL;
  map_annotations(k, r, own_ann, tmpl_ann);
  const cf_node_t *spec = cf_node_at(obj, wk->spec);
  if (spec && spec->type == CF_NODE_OBJECT) map_pod_spec(k, r, spec);
  if (k->oom) return CF_ENOMEM;
  cf_err e = suppress_from(k, r, own_ann);
  if (!e) e = suppress_from(k, r, tmpl_ann);
  if (e) return e;
  return ac->emit(ac, r);
}

/* One object of the stream or of a list. kind_hint is the kind a typed list gives its items
 * when they leave theirs out. */
static cf_err adapt_object(k8s_t *k, const cf_node_t *obj, const char *kind_hint, unsigned depth) {
  if (!obj || obj->type != CF_NODE_OBJECT) return CF_OK;
  const char *kind = cf_node_str(cf_node_get(obj, "kind"));
  if (!kind) kind = kind_hint;
  if (!kind) return CF_OK;
  const cf_node_t *items = cf_node_get(obj, "items");
  size_t kl = strlen(kind);
  if (kl >= 4 && strcmp(kind + kl - 4, "List") == 0 && items && items->type == CF_NODE_ARRAY) {
    if (depth >= K8S_MAX_LIST_DEPTH) {
      cf__adapt_warn(k->ac, object_pos(obj), "lists nested deeper than %d levels are not read", K8S_MAX_LIST_DEPTH);
      return CF_OK;
    }
    /* "DeploymentList" items are Deployments; a plain "List" gives no hint. */
    char hint[128];
    const char *item_hint = NULL;
    if (kl > 4 && kl - 4 < sizeof hint) {
      memcpy(hint, kind, kl - 4);
      hint[kl - 4] = '\0';
      item_hint = hint;
    }
    for (uint32_t i = 0; i < items->len; i++) {
      cf_err e = adapt_object(k, items->u.items[i], item_hint, depth + 1);
      if (e) return e;
    }
    return CF_OK;
  }
  const struct workload_kind *wk = find_kind(kind);
  return wk ? adapt_workload(k, obj, wk) : CF_OK;
}

cf_err cf__adapt_k8s(cf_adapt_ctx_t *ac, const cf_doc_t *doc) {
  k8s_t k = {ac, false, false};
  /* The loader picks JSON when the first non-blank byte opens an object or array. */
  if (ac->text) {
    size_t i = strncmp(ac->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* a byte order mark */
    i += strspn(ac->text + i, " \t\r\n");
    k.yaml = ac->text[i] != '{' && ac->text[i] != '[';
  }
  for (size_t i = 0; i < doc->n_roots; i++) {
    cf_err e = adapt_object(&k, doc->roots[i], NULL, 0);
    if (e) return e;
  }
  return CF_OK;
}
