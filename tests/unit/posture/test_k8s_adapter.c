/*
 * test_k8s_adapter.c - the Kubernetes adapter, observed through probe rules: every workload
 * kind, lists, multi-document streams, JSON, effective security contexts, init and ephemeral
 * containers, env and envFrom, host namespaces and hostPath volumes, YAML 1.1 booleans,
 * annotation suppression and the positions findings point at.
 *
 * Each case scans one manifest with the probe rules below (and no shipped rule) and states
 * how many unsuppressed findings one probe must give, and optionally the line of the first
 * finding and the resource address it names.
 */
#include "testutil.h"

/* Probe rules: each asks one question about the canonical attributes. */
static const char PROBES[] =
    "id: T-WL\ntitle: any workload\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {path: kind, exists: true}\nremediation: {text: none}\n"
    "---\nid: T-NAME\ntitle: named web\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {path: name, equals: web}\nremediation: {text: none}\n"
    "---\nid: T-NS\ntitle: namespace written\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {path: namespace, exists: true}\nremediation: {text: none}\n"
    "---\nid: T-NS-MISSING\ntitle: namespace not written\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {path: namespace, missing: true}\nremediation: {text: none}\n"
    "---\nid: T-PRIV\ntitle: privileged\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: containers, where: {path: privileged, equals: true}}\nremediation: {text: none}\n"
    "---\nid: T-HOSTPATH\ntitle: host path\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: volumes, where: {path: host_path, exists: true}}\nremediation: {text: none}\n"
    "---\nid: T-HOSTNET\ntitle: host network\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {path: host_network, equals: true}\nremediation: {text: none}\n"
    "---\nid: T-HOSTNS\ntitle: host pid or ipc\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {any: [{path: host_pid, equals: true}, {path: host_ipc, equals: true}]}\nremediation: {text: none}\n"
    "---\nid: T-UID0\ntitle: uid 0\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: containers, where: {path: run_as_user, equals: 0}}\nremediation: {text: none}\n"
    "---\nid: T-NONROOT\ntitle: non-root enforced\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: containers, where: {path: run_as_non_root, equals: true}}\nremediation: {text: none}\n"
    "---\nid: T-NONROOT-MISSING\ntitle: non-root not set\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: containers, where: {path: run_as_non_root, missing: true}}\nremediation: {text: none}\n"
    "---\nid: T-APE-MISSING\ntitle: escalation not set\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: containers, where: {path: allow_privilege_escalation, missing: true}}\nremediation: {text: none}\n"
    "---\nid: T-APE-FALSE\ntitle: escalation off\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: containers, where: {path: allow_privilege_escalation, equals: false}}\nremediation: {text: none}\n"
    "---\nid: T-INIT-PRIV\ntitle: privileged init container\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: containers, where: {all: [{path: init, equals: true}, {path: privileged, equals: true}]}}\n"
    "remediation: {text: none}\n"
    "---\nid: T-CONTAINERS\ntitle: three containers\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {count: containers, gte: 3}\nremediation: {text: none}\n"
    "---\nid: T-CAP\ntitle: sys admin\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: containers, where: {path: capabilities_add, contains: SYS_ADMIN}}\nremediation: {text: none}\n"
    "---\nid: T-ROFS\ntitle: read-only root\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: containers, where: {path: read_only_root_filesystem, equals: true}}\nremediation: {text: none}\n"
    "---\nid: T-ENV-LITERAL\ntitle: literal password\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: containers.env, where: {all: [{path: name, regex: PASSWORD}, {path: value, exists: true}]}}\n"
    "remediation: {text: none}\n"
    "---\nid: T-ENV-SECRET\ntitle: secret in env\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {some: containers.env, where: {path: from_secret, equals: true}}\nremediation: {text: none}\n"
    "---\nid: T-ANN\ntitle: team annotation\nseverity: info\nthreats: [9]\nresource: k8s.workload\n"
    "condition: {path: annotations.team, equals: payments}\nremediation: {text: none}\n";

/* A small but complete Deployment; the cases below vary it. */
#define DEPLOY_HEAD                                                                            \
  "apiVersion: apps/v1\n"          /* 1 */                                                     \
  "kind: Deployment\n"             /* 2 */                                                     \
  "metadata:\n"                    /* 3 */                                                     \
  "  name: web\n"                  /* 4 */                                                     \
  "spec:\n"                        /* 5 */                                                     \
  "  selector: {matchLabels: {app: web}}\n" /* 6 */                                            \
  "  template:\n"                  /* 7 */                                                     \
  "    metadata: {labels: {app: web}}\n" /* 8 */                                               \
  "    spec:\n"                    /* 9 */

typedef struct k8s_case {
  const char *what;
  const char *suffix;  /* ".yaml" or ".json" */
  const char *text;
  const char *rule;
  size_t count;         /* unsuppressed findings of rule */
  uint32_t line;        /* line of the first finding, 0 to skip */
  const char *resource; /* address of the first finding, NULL to skip */
} k8s_case_t;

static const k8s_case_t cases[] = {
    /* ---- every workload kind, and where its pod spec lives ---- */
    {"Pod", ".yaml",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ops}\nspec:\n  containers:\n"
     "    - {name: c, image: busybox, securityContext: {privileged: true}}\n",
     "T-PRIV", 1, 6, "Pod/ops/p"},
    {"Deployment", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: c\n          securityContext: {privileged: true}\n", "T-PRIV", 1,
     12, "Deployment/default/web"},
    {"StatefulSet", ".yaml",
     "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: db\n  template:\n"
     "    spec:\n      containers: [{name: c, securityContext: {privileged: true}}]\n",
     "T-PRIV", 1, 0, "StatefulSet/default/db"},
    {"DaemonSet", ".yaml",
     "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: kube-system}\nspec:\n  template:\n"
     "    spec:\n      hostPID: true\n      containers: [{name: c}]\n",
     "T-HOSTNS", 1, 7, "DaemonSet/kube-system/agent"},
    {"ReplicaSet", ".yaml",
     "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs}\nspec:\n  template:\n"
     "    spec:\n      hostIPC: true\n      containers: [{name: c}]\n",
     "T-HOSTNS", 1, 7, "ReplicaSet/default/rs"},
    {"ReplicationController", ".yaml",
     "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc}\nspec:\n  template:\n"
     "    spec:\n      hostNetwork: true\n      containers: [{name: c}]\n",
     "T-HOSTNET", 1, 7, "ReplicationController/default/rc"},
    {"Job", ".yaml",
     "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  template:\n    spec:\n"
     "      restartPolicy: Never\n      containers: [{name: c, securityContext: {runAsUser: 0}}]\n",
     "T-UID0", 1, 8, "Job/default/migrate"},
    {"CronJob pod template under jobTemplate", ".yaml",
     "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: '0 1 * * *'\n"
     "  jobTemplate:\n    spec:\n      template:\n        spec:\n          volumes:\n"
     "            - name: host\n              hostPath: {path: /etc}\n          containers: [{name: c}]\n",
     "T-HOSTPATH", 1, 12, "CronJob/default/nightly"},
    {"CronJob spec.template is not its pod template", ".yaml",
     "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: odd}\nspec:\n  template:\n"
     "    spec: {containers: [{name: c, securityContext: {privileged: true}}]}\n",
     "T-PRIV", 0, 0, NULL},
    {"kinds that make no pods are ignored", ".yaml",
     "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n---\n"
     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n",
     "T-WL", 0, 0, NULL},
    {"kinds are case-sensitive", ".yaml",
     "apiVersion: apps/v1\nkind: deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: c}]}}}\n",
     "T-WL", 0, 0, NULL},

    /* ---- streams and lists ---- */
    {"multi-document stream with empty documents", ".yaml",
     "---\n" DEPLOY_HEAD "      containers: [{name: a}]\n---\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
     "---\napiVersion: v1\nkind: Pod\nmetadata: {name: two}\nspec: {containers: [{name: b}]}\n",
     "T-WL", 2, 0, NULL},
    {"second document's position", ".yaml",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: one}\nspec: {containers: [{name: a}]}\n---\n"
     "apiVersion: v1\nkind: Pod\nmetadata: {name: two}\nspec:\n  containers: [{name: b, securityContext: {privileged: true}}]\n",
     "T-PRIV", 1, 10, "Pod/default/two"},
    {"kind: List holds any workload", ".yaml",
     "apiVersion: v1\nkind: List\nitems:\n"
     "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n    spec: {containers: [{name: c}]}\n"
     "  - apiVersion: apps/v1\n    kind: DaemonSet\n    metadata: {name: b}\n"
     "    spec: {template: {spec: {containers: [{name: c}]}}}\n"
     "  - apiVersion: v1\n    kind: Service\n    metadata: {name: s}\n",
     "T-WL", 2, 0, NULL},
    {"list item position is its kind", ".yaml",
     "apiVersion: v1\nkind: List\nitems:\n"
     "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n    spec: {containers: [{name: c}]}\n",
     "T-WL", 1, 5, "Pod/default/a"},
    {"typed list items without kind", ".yaml",
     "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n  - metadata: {name: web, namespace: shop}\n"
     "    spec: {template: {spec: {hostNetwork: true, containers: [{name: c}]}}}\n",
     "T-HOSTNET", 1, 0, "Deployment/shop/web"},
    {"nested lists", ".yaml",
     "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: List\n    items:\n"
     "      - {apiVersion: v1, kind: Pod, metadata: {name: deep}, spec: {containers: [{name: c}]}}\n",
     "T-WL", 1, 0, "Pod/default/deep"},
    {"JSON List from kubectl get -o json", ".json",
     "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n    {\n      \"apiVersion\": \"v1\",\n"
     "      \"kind\": \"Pod\",\n      \"metadata\": {\"name\": \"web\", \"namespace\": \"shop\"},\n"
     "      \"spec\": {\"containers\": [{\"name\": \"c\", \"securityContext\": {\"privileged\": true}}]}\n"
     "    }\n  ]\n}\n",
     "T-PRIV", 1, 9, "Pod/shop/web"},
    {"JSON strings are not YAML 1.1 booleans", ".json",
     "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},"
     " \"spec\": {\"hostNetwork\": \"yes\", \"containers\": [{\"name\": \"c\"}]}}\n",
     "T-HOSTNET", 0, 0, NULL},

    /* ---- identity ---- */
    {"name", ".yaml", DEPLOY_HEAD "      containers: [{name: a}]\n", "T-NAME", 1, 4, "Deployment/default/web"},
    /* A missing attribute has no witness: the finding points at the resource, its kind line. */
    {"namespace absent stays absent", ".yaml", DEPLOY_HEAD "      containers: [{name: a}]\n", "T-NS-MISSING", 1, 2,
     "Deployment/default/web"},
    {"resource position without kind is the first key", ".yaml",
     "apiVersion: v1\nkind: PodList\nitems:\n  - metadata: {name: typed}\n    spec: {containers: [{name: a}]}\n",
     "T-NS-MISSING", 1, 4, "Pod/default/typed"},
    {"namespace absent is not invented", ".yaml", DEPLOY_HEAD "      containers: [{name: a}]\n", "T-NS", 0, 0, NULL},
    {"generateName names an unnamed pod", ".yaml",
     "apiVersion: v1\nkind: Pod\nmetadata: {generateName: worker-}\nspec: {containers: [{name: a}]}\n", "T-WL", 1, 2,
     "Pod/default/worker-"},

    /* ---- effective security context ---- */
    {"pod runAsUser applies to containers", ".yaml",
     DEPLOY_HEAD "      securityContext: {runAsUser: 0}\n      containers: [{name: a}]\n", "T-UID0", 1, 10, NULL},
    {"container runAsUser overrides the pod's", ".yaml",
     DEPLOY_HEAD "      securityContext: {runAsUser: 0}\n      containers:\n        - name: a\n"
                 "          securityContext: {runAsUser: 1000}\n",
     "T-UID0", 0, 0, NULL},
    {"container runAsUser 0 overrides a safe pod value", ".yaml",
     DEPLOY_HEAD "      securityContext: {runAsUser: 1000}\n      containers:\n        - name: a\n"
                 "          securityContext: {runAsUser: 0}\n",
     "T-UID0", 1, 13, NULL},
    {"a user id that is no whole number is kept as written", ".yaml",
     DEPLOY_HEAD "      securityContext: {runAsUser: .inf}\n      containers: [{name: a}]\n", "T-UID0", 0, 0, NULL},
    {"pod runAsNonRoot applies to containers", ".yaml",
     DEPLOY_HEAD "      securityContext: {runAsNonRoot: true}\n      containers: [{name: a}, {name: b}]\n", "T-NONROOT-MISSING",
     0, 0, NULL},
    {"container runAsNonRoot false overrides the pod's", ".yaml",
     DEPLOY_HEAD "      securityContext: {runAsNonRoot: true}\n      containers:\n        - name: a\n"
                 "          securityContext: {runAsNonRoot: false}\n",
     "T-NONROOT", 0, 0, NULL},
    {"runAsNonRoot unset anywhere is absent", ".yaml", DEPLOY_HEAD "      containers: [{name: a}]\n",
     "T-NONROOT-MISSING", 1, 0, NULL},
    {"explicit null is not a setting", ".yaml",
     DEPLOY_HEAD "      securityContext: {runAsNonRoot: true}\n      containers:\n        - name: a\n"
                 "          securityContext: {runAsNonRoot: null}\n",
     "T-NONROOT", 1, 10, NULL},
    {"allowPrivilegeEscalation absent when not set", ".yaml", DEPLOY_HEAD "      containers: [{name: a}]\n",
     "T-APE-MISSING", 1, 0, NULL},
    {"allowPrivilegeEscalation false", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          securityContext: {allowPrivilegeEscalation: false}\n",
     "T-APE-FALSE", 1, 12, NULL},
    {"privileged is per container, never from the pod", ".yaml",
     DEPLOY_HEAD "      securityContext: {privileged: true}\n      containers: [{name: a}]\n", "T-PRIV", 0, 0, NULL},
    {"YAML 1.1 plain yes is true to Kubernetes", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          securityContext: {privileged: yes}\n", "T-PRIV", 1, 12,
     NULL},
    {"quoted \"yes\" is not a boolean", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          securityContext: {privileged: \"yes\"}\n", "T-PRIV", 0, 0,
     NULL},
    {"readOnlyRootFilesystem", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          securityContext: {readOnlyRootFilesystem: true}\n",
     "T-ROFS", 1, 12, NULL},
    {"capabilities.add", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          securityContext:\n            capabilities:\n"
                 "              add: [NET_ADMIN, SYS_ADMIN]\n              drop: [ALL]\n",
     "T-CAP", 1, 0, NULL},
    {"capabilities.drop is not add", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          securityContext: {capabilities: {drop: [SYS_ADMIN]}}\n",
     "T-CAP", 0, 0, NULL},

    /* ---- init and ephemeral containers ---- */
    {"privileged init container", ".yaml",
     DEPLOY_HEAD "      initContainers:\n        - name: setup\n          securityContext: {privileged: true}\n"
                 "      containers: [{name: app}]\n",
     "T-INIT-PRIV", 1, 11, NULL}, /* `init` is computed: it carries the container's position */
    {"privileged app container is not init", ".yaml",
     DEPLOY_HEAD "      initContainers: [{name: setup}]\n      containers:\n        - name: app\n"
                 "          securityContext: {privileged: true}\n",
     "T-INIT-PRIV", 0, 0, NULL},
    {"init container privileged counts as privileged", ".yaml",
     DEPLOY_HEAD "      initContainers: [{name: setup, securityContext: {privileged: true}}]\n"
                 "      containers: [{name: app}]\n",
     "T-PRIV", 1, 10, NULL},
    {"containers, init and ephemeral containers are all listed", ".yaml",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers: [{name: i}]\n"
     "  containers: [{name: c}]\n  ephemeralContainers: [{name: debugger, image: busybox}]\n",
     "T-CONTAINERS", 1, 0, NULL},
    {"ephemeral container privileged", ".yaml",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n"
     "  ephemeralContainers: [{name: debugger, securityContext: {privileged: true}}]\n",
     "T-PRIV", 1, 6, NULL},

    /* ---- volumes ---- */
    {"hostPath volume", ".yaml",
     DEPLOY_HEAD "      volumes:\n        - name: sock\n          hostPath:\n            path: /var/run/docker.sock\n"
                 "      containers: [{name: a}]\n",
     "T-HOSTPATH", 1, 13, NULL},
    {"other volumes have no host_path", ".yaml",
     DEPLOY_HEAD "      volumes:\n        - {name: tmp, emptyDir: {}}\n        - {name: cfg, configMap: {name: cfg}}\n"
                 "      containers: [{name: a}]\n",
     "T-HOSTPATH", 0, 0, NULL},

    /* ---- environment ---- */
    {"literal env value", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          env:\n            - name: DB_PASSWORD\n"
                 "              value: hunter2\n",
     "T-ENV-LITERAL", 1, 0, NULL},
    {"secretKeyRef is from_secret", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          env:\n            - name: DB_PASSWORD\n"
                 "              valueFrom:\n                secretKeyRef: {name: db, key: password}\n",
     "T-ENV-SECRET", 1, 15, NULL},
    {"secretKeyRef has no literal value", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          env:\n            - name: DB_PASSWORD\n"
                 "              valueFrom:\n                secretKeyRef: {name: db, key: password}\n",
     "T-ENV-LITERAL", 0, 0, NULL},
    {"configMapKeyRef is not from_secret", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          env:\n            - name: MODE\n"
                 "              valueFrom: {configMapKeyRef: {name: cfg, key: mode}}\n",
     "T-ENV-SECRET", 0, 0, NULL},
    {"envFrom secretRef is from_secret", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          envFrom:\n            - secretRef: {name: db}\n",
     "T-ENV-SECRET", 1, 13, NULL},
    {"envFrom configMapRef is not", ".yaml",
     DEPLOY_HEAD "      containers:\n        - name: a\n          envFrom:\n            - configMapRef: {name: cfg}\n",
     "T-ENV-SECRET", 0, 0, NULL},

    /* ---- annotations and suppression ---- */
    {"template annotations are merged", ".yaml",
     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
     "    metadata: {annotations: {team: payments}}\n    spec: {containers: [{name: a}]}\n",
     "T-ANN", 1, 6, NULL},
    {"workload annotations win over the template's", ".yaml",
     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, annotations: {team: search}}\nspec:\n  template:\n"
     "    metadata: {annotations: {team: payments}}\n    spec: {containers: [{name: a}]}\n",
     "T-ANN", 0, 0, NULL},
    {"workload annotation suppresses one rule", ".yaml",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
     "    cloudfort.io/ignore: \"T-PRIV needed by the CNI plugin\"\nspec:\n"
     "  containers: [{name: c, securityContext: {privileged: true}}]\n",
     "T-PRIV", 0, 0, NULL},
    {"suppression leaves other rules alone", ".yaml",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    cloudfort.io/ignore: T-PRIV\nspec:\n"
     "  hostNetwork: true\n  containers: [{name: c, securityContext: {privileged: true}}]\n",
     "T-HOSTNET", 1, 8, NULL},
    {"several ids with a space after the comma", ".yaml",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
     "    cloudfort.io/ignore: \"T-PRIV, T-HOSTNET node agent\"\nspec:\n"
     "  hostNetwork: true\n  containers: [{name: c}]\n",
     "T-HOSTNET", 0, 0, NULL},
    {"pod template annotation suppresses", ".yaml",
     "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: cni}\nspec:\n  template:\n    metadata:\n"
     "      annotations: {cloudfort.io/ignore: \"T-HOSTNET,T-PRIV host networking plugin\"}\n"
     "    spec:\n      hostNetwork: true\n      containers: [{name: c}]\n",
     "T-HOSTNET", 0, 0, NULL},
    {"star suppresses every rule", ".yaml",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {cloudfort.io/ignore: \"* lab only\"}}\n"
     "spec: {hostIPC: true, containers: [{name: c}]}\n",
     "T-HOSTNS", 0, 0, NULL},
    {"suppression is per workload", ".yaml",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: a, annotations: {cloudfort.io/ignore: T-HOSTNS}}\n"
     "spec: {hostIPC: true, containers: [{name: c}]}\n---\n"
     "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {hostIPC: true, containers: [{name: c}]}\n",
     "T-HOSTNS", 1, 9, "Pod/default/b"},
};

/* The first finding of rule id that is not suppressed. */
static const cf_finding_t *first_active(const cf_report_t *r, const char *rule_id) {
  for (size_t i = 0; i < cf_findings_count(r->findings); i++) {
    const cf_finding_t *f = cf_findings_at(r->findings, i);
    if (!f->suppressed && strcmp(f->rule->id, rule_id) == 0) return f;
  }
  return NULL;
}

static void run_case(const k8s_case_t *c) {
  tu_scan_t *s = tu_scan_text(c->suffix, c->text, PROBES, false);
  if (s->report.errors.len)
    fprintf(stderr, "case '%s': input error: %s\n", c->what,
            s->report.errors.items[0].message ? s->report.errors.items[0].message : "?");
  assert_int_equal(0, s->report.errors.len);
  size_t n = tu_count(&s->report, c->rule);
  if (n != c->count) fprintf(stderr, "case '%s': %s fired %zu times, expected %zu\n", c->what, c->rule, n, c->count);
  assert_int_equal(c->count, n);
  if (c->count && (c->line || c->resource)) {
    const cf_finding_t *f = first_active(&s->report, c->rule);
    assert_non_null(f);
    if (c->line && f->line != c->line) fprintf(stderr, "case '%s': line %u, expected %u\n", c->what, f->line, c->line);
    if (c->line) assert_int_equal(c->line, f->line);
    if (c->resource) assert_string_equal(c->resource, f->resource);
  }
  tu_scan_free(s);
}

static void test_cases(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i]);
}

/* A suppressed finding is still reported as suppressed, with the annotation's reason. */
static void test_suppression_reason(void **state) {
  (void)state;
  tu_scan_t *s = tu_scan_text(".yaml",
                              "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
                              "    cloudfort.io/ignore: \"T-PRIV,T-HOSTNET  needed by the CNI plugin \"\nspec:\n"
                              "  hostNetwork: true\n  containers: [{name: c, securityContext: {privileged: true}}]\n",
                              PROBES, false);
  const char *ids[] = {"T-PRIV", "T-HOSTNET"};
  for (size_t i = 0; i < 2; i++) {
    const cf_finding_t *f = tu_first(&s->report, ids[i]);
    assert_non_null(f);
    assert_int_equal(CF_SUPPRESS_ANNOTATION, f->suppressed);
    assert_non_null(f->suppress_reason);
    assert_string_equal("needed by the CNI plugin", f->suppress_reason);
  }
  tu_scan_free(s);
}

/* A Helm template is not YAML: the file is reported as an input error, nothing crashes. */
static void test_helm_template_is_an_input_error(void **state) {
  (void)state;
  tu_scan_t *s = tu_scan_text(".yaml",
                              "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
                              "spec:\n  template:\n    spec:\n      containers:\n{{ toYaml .Values.containers | indent 8 }}\n",
                              PROBES, false);
  assert_true(s->report.errors.len >= 1);
  assert_int_equal(0, tu_count(&s->report, "T-WL"));
  tu_scan_free(s);
}

/* A realistic stream owned by the tests: a Deployment, its Service, a CronJob and a List. */
static void test_stream_file(void **state) {
  (void)state;
  tu_scan_t *s = tu_scan_path("tests/data/k8s/stream.yaml", PROBES, false);
  assert_int_equal(0, s->report.errors.len);
  static const struct {
    const char *rule;
    size_t count;
  } expect[] = {
      {"T-WL", 4}, {"T-PRIV", 1}, {"T-HOSTPATH", 1}, {"T-ENV-SECRET", 1}, {"T-ENV-LITERAL", 1}, {"T-UID0", 1}, {"T-APE-FALSE", 1},
  };
  for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
    size_t n = tu_count(&s->report, expect[i].rule);
    if (n != expect[i].count) fprintf(stderr, "stream.yaml: %s fired %zu times\n", expect[i].rule, n);
    assert_int_equal(expect[i].count, n);
  }
  const cf_finding_t *f = tu_first(&s->report, "T-HOSTPATH");
  assert_non_null(f);
  assert_string_equal("DaemonSet/monitoring/node-exporter", f->resource);
  tu_scan_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_suppression_reason),
      cmocka_unit_test(test_helm_template_is_an_input_error),
      cmocka_unit_test(test_stream_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
