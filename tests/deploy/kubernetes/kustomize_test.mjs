#!/usr/bin/env node
// Renders a kustomize overlay of deploy/kubernetes/ and checks every object it produces.
//
//   node tests/deploy/kubernetes/kustomize_test.mjs --overlay single|sharded \
//     --kubectl /usr/bin/kubectl --python /usr/bin/python3 --version 0.2.0
//
// - `kubectl kustomize` renders the overlay (no cluster needed; `kubectl apply --dry-run=client`
//   would need one);
// - every object is validated against the Kubernetes and Prometheus Operator schemas of the npm
//   packages kubernetes-models and @kubernetes-models/prometheus-operator (tests/package.json);
// - then what the schemas cannot say: the hardened securityContext of the pod and of every
//   container, probes, resources, labels, the named port, the Services and the ServiceMonitor
//   that selects exactly one of them, the NetworkPolicy, the Secret reference, the PrometheusRule
//   against the repo's rule files, the dashboard ConfigMaps against grafana/dashboards/*.json, and
//   the replicas and shard flags of the overlay.
//
// YAML is parsed by PyYAML (Debian's python3-yaml) through --python. Tools and packages come
// from scripts/test.sh; a missing one fails the test with that hint, never skips it.
// Exit status 0 if every check passes, 1 otherwise (node's test runner reports each check).

import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TESTS = path.resolve(HERE, "../..");
const REPO = path.resolve(TESTS, "..");
const SETUP_HINT = "run scripts/test.sh (it installs kubectl's and Python's packages and runs " +
  "`npm ci --prefix tests`)";

// What each overlay must render to.
const OVERLAYS = {
  single: { replicas: 1, shardArgs: [] },
  sharded: { replicas: 3, shardArgs: ["--shard.count=3", "--shard.index-from-hostname"] },
};
const POD_USER = 65534;
const PORT = 19929;
const SECRET = { name: "hashtag-exporter-api-key", key: "api-key", env: "SCAVIO_API_KEY" };
const CONFIG_DIR = "/etc/hashtag_exporter";
const CONFIG_FILE = "hashtag_exporter.yml";
const STATE_DIR = "/var/lib/hashtag_exporter";
// Labels every object carries, and those also in the StatefulSet's (immutable) selector.
const NAME = "hashtag-exporter";
const SELECTOR_LABELS = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/instance": NAME };
const LABELS = (version) => ({
  ...SELECTOR_LABELS,
  "app.kubernetes.io/component": "exporter",
  "app.kubernetes.io/part-of": NAME,
  "app.kubernetes.io/version": version,
});
// `kubectl apply` (client side) keeps the whole object in an annotation of at most 256 KiB.
const LAST_APPLIED_LIMIT = 262144;

function fail(message) {
  console.error(`kustomize_test: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    const key = { "--overlay": "overlay", "--kubectl": "kubectl", "--python": "python",
      "--version": "version" }[flag];
    if (!key || value === undefined) fail(`bad argument ${argv[i]}`);
    options[key] = value;
  }
  for (const key of ["overlay", "kubectl", "python", "version"]) {
    if (!options[key]) fail(`--${key} is required`);
  }
  if (!OVERLAYS[options.overlay]) fail(`unknown overlay ${options.overlay}`);
  return options;
}

const options = parseArgs(process.argv.slice(2));
const expected = OVERLAYS[options.overlay];

// --- tools -------------------------------------------------------------------------------------

function run(command, args, input) {
  try {
    return execFileSync(command, args, { input, encoding: "utf8", maxBuffer: 64 << 20,
      stdio: ["pipe", "pipe", "pipe"] });
  } catch (error) {
    if (error.code === "ENOENT") fail(`${command} not found: ${SETUP_HINT}`);
    fail(`${command} ${args.join(" ")} failed (exit ${error.status}):\n${error.stderr}${error.stdout}`);
  }
}

function parseYamlDocuments(text) {
  const script = "import json, sys\ntry:\n    import yaml\nexcept ImportError:\n" +
    "    sys.exit('PyYAML missing: install python3-yaml')\n" +
    "json.dump([d for d in yaml.safe_load_all(sys.stdin) if d is not None], sys.stdout, default=str)";
  return JSON.parse(run(options.python, ["-c", script], text));
}

// kubectl's built-in kustomize must know `labels` and `replicas` (kustomize v4.2, kubectl 1.22).
// Debian 12's kubernetes-client is kubectl 1.20 with kustomize v2.0.3: too old.
function checkKustomizeVersion() {
  const info = JSON.parse(run(options.kubectl, ["version", "--client", "-o", "json"]));
  const version = info.kustomizeVersion ?? "";
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  if (!match || Number(match[1]) < 4 || (Number(match[1]) === 4 && Number(match[2]) < 2)) {
    fail(`${options.kubectl} (client ${info.clientVersion?.gitVersion}) has kustomize ` +
      `${version || "unknown"}; the overlays need kustomize v4.2 or later (kubectl 1.22 or later)`);
  }
}

const require = createRequire(path.join(TESTS, "package.json"));
function model(modulePath) {
  try {
    return require(modulePath);
  } catch (error) {
    fail(`cannot load ${modulePath} from ${path.join(TESTS, "node_modules")} (${error.code}): ${SETUP_HINT}`);
  }
}

// apiVersion/kind -> model class; a kind not listed here fails the test (add it with its model).
const MODELS = {
  "v1/ServiceAccount": ["kubernetes-models/v1/ServiceAccount", "ServiceAccount"],
  "v1/ConfigMap": ["kubernetes-models/v1/ConfigMap", "ConfigMap"],
  "v1/Service": ["kubernetes-models/v1/Service", "Service"],
  "apps/v1/StatefulSet": ["kubernetes-models/apps/v1/StatefulSet", "StatefulSet"],
  "networking.k8s.io/v1/NetworkPolicy": ["kubernetes-models/networking.k8s.io/v1/NetworkPolicy", "NetworkPolicy"],
  "policy/v1/PodDisruptionBudget": ["kubernetes-models/policy/v1/PodDisruptionBudget", "PodDisruptionBudget"],
  "monitoring.coreos.com/v1/ServiceMonitor": [
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor", "ServiceMonitor"],
  "monitoring.coreos.com/v1/PrometheusRule": [
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule", "PrometheusRule"],
};

// --- render ------------------------------------------------------------------------------------

checkKustomizeVersion();
const overlayDir = path.join(REPO, "deploy/kubernetes/overlays", options.overlay);
const rendered = run(options.kubectl, ["kustomize", overlayDir]);
const objects = parseYamlDocuments(rendered);
const id = (o) => `${o.kind}/${o.metadata?.name}`;
const ofKind = (kind) => objects.filter((o) => o.kind === kind);
function only(kind) {
  const found = ofKind(kind);
  assert.equal(found.length, 1, `expected exactly one ${kind}, found ${found.map(id).join(", ") || "none"}`);
  return found[0];
}
const isSubset = (small, big) => Object.entries(small ?? {}).every(([k, v]) => big?.[k] === v);

const statefulSet = only("StatefulSet");
const podSpec = statefulSet.spec.template.spec;
const podLabels = statefulSet.spec.template.metadata.labels;
const exporter = podSpec.containers.find((c) => c.name === NAME);
const allContainers = [...(podSpec.initContainers ?? []), ...podSpec.containers,
  ...(podSpec.ephemeralContainers ?? [])];

// --- checks ------------------------------------------------------------------------------------

test(`kubectl kustomize renders ${options.overlay} with the expected kinds`, () => {
  const kinds = new Set(objects.map((o) => o.kind));
  for (const kind of ["ServiceAccount", "ConfigMap", "Service", "StatefulSet", "NetworkPolicy",
    "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule"]) {
    assert.ok(kinds.has(kind), `no ${kind} rendered`);
  }
  assert.equal(ofKind("Secret").length, 0, "the API key Secret is created by the user, never rendered");
});

test("every object validates against the Kubernetes / Prometheus Operator schema", () => {
  const problems = [];
  for (const object of objects) {
    const entry = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!entry) {
      problems.push(`${id(object)}: no model for ${object.apiVersion} ${object.kind} in this test`);
      continue;
    }
    const Model = model(entry[0])[entry[1]];
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${id(object)}: ${error.message}`);
    }
  }
  assert.deepEqual(problems, []);
});

test("every object has the app.kubernetes.io labels; selectors only the stable ones", () => {
  const labels = LABELS(options.version);
  for (const object of objects) {
    for (const [key, value] of Object.entries(labels)) {
      assert.equal(object.metadata.labels?.[key], value, `${id(object)}: label ${key}`);
    }
  }
  assert.deepEqual(statefulSet.spec.selector, { matchLabels: SELECTOR_LABELS });
  for (const [key, value] of Object.entries(labels)) {
    assert.equal(podLabels[key], value, `pod template label ${key}`);
  }
  // volumeClaimTemplates cannot change after creation: no label that changes with upgrades.
  for (const claim of statefulSet.spec.volumeClaimTemplates ?? []) {
    assert.equal(claim.metadata.labels?.["app.kubernetes.io/version"], undefined,
      `volumeClaimTemplate ${claim.metadata.name} carries the version label`);
  }
});

test(`the StatefulSet runs ${expected.replicas} replica(s) with the right shard flags`, () => {
  assert.equal(statefulSet.spec.replicas, expected.replicas);
  const args = exporter.args ?? [];
  const shardArgs = args.filter((a) => a.startsWith("--shard."));
  assert.deepEqual(shardArgs, expected.shardArgs);
  if (expected.shardArgs.length) {
    assert.ok(args.includes(`--shard.count=${expected.replicas}`), "--shard.count must equal replicas");
  }
  assert.ok(args.includes(`--config.file=${CONFIG_DIR}/${CONFIG_FILE}`), `args: ${args.join(" ")}`);
  assert.ok(args.includes(`--web.listen-address=:${PORT}`), `args: ${args.join(" ")}`);
});

test("pod and every container have the hardened securityContext", () => {
  const pod = podSpec.securityContext ?? {};
  assert.equal(pod.runAsNonRoot, true, "pod runAsNonRoot");
  assert.equal(pod.runAsUser, POD_USER, "pod runAsUser");
  assert.equal(pod.runAsGroup, POD_USER, "pod runAsGroup");
  assert.equal(pod.fsGroup, POD_USER, "pod fsGroup");
  assert.equal(pod.seccompProfile?.type, "RuntimeDefault", "pod seccompProfile");
  assert.equal(podSpec.hostNetwork ?? false, false);
  assert.equal(podSpec.hostPID ?? false, false);
  assert.equal(podSpec.hostIPC ?? false, false);
  assert.ok(allContainers.length > 0);
  for (const container of allContainers) {
    const sc = container.securityContext ?? {};
    const where = `container ${container.name}`;
    assert.equal(sc.runAsNonRoot, true, `${where} runAsNonRoot`);
    assert.equal(sc.runAsUser, POD_USER, `${where} runAsUser`);
    assert.equal(sc.runAsGroup, POD_USER, `${where} runAsGroup`);
    assert.equal(sc.readOnlyRootFilesystem, true, `${where} readOnlyRootFilesystem`);
    assert.equal(sc.allowPrivilegeEscalation, false, `${where} allowPrivilegeEscalation`);
    assert.notEqual(sc.privileged, true, `${where} privileged`);
    assert.deepEqual(sc.capabilities?.drop, ["ALL"], `${where} capabilities.drop`);
    assert.deepEqual(sc.capabilities?.add ?? [], [], `${where} capabilities.add`);
    assert.equal(sc.seccompProfile?.type, "RuntimeDefault", `${where} seccompProfile`);
  }
});

test("the exporter's service account mounts no API token", () => {
  const account = only("ServiceAccount");
  assert.equal(account.automountServiceAccountToken, false);
  assert.equal(podSpec.serviceAccountName, account.metadata.name);
  assert.equal(podSpec.automountServiceAccountToken, false);
});

test("probes, named port and resources", () => {
  const metricsPort = exporter.ports?.find((p) => p.name === "metrics");
  assert.deepEqual(metricsPort, { name: "metrics", containerPort: PORT, protocol: "TCP" });
  assert.equal(exporter.livenessProbe?.httpGet?.path, "/-/healthy");
  assert.equal(exporter.livenessProbe?.httpGet?.port, "metrics");
  assert.equal(exporter.readinessProbe?.httpGet?.path, "/-/ready");
  assert.equal(exporter.readinessProbe?.httpGet?.port, "metrics");
  for (const container of allContainers) {
    for (const kind of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        assert.ok(container.resources?.[kind]?.[resource],
          `container ${container.name}: resources.${kind}.${resource} not set`);
      }
    }
  }
});

test("config from the generated ConfigMap, history on a volume per pod, key from the Secret", () => {
  const configVolume = podSpec.volumes.find((v) => v.configMap);
  assert.ok(configVolume, "no ConfigMap volume");
  const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === configVolume.configMap.name);
  assert.ok(configMap, `the volume's ConfigMap ${configVolume.configMap.name} is not rendered`);
  assert.match(configMap.metadata.name, /^hashtag-exporter-config-[a-z0-9]{10}$/,
    "the config ConfigMap carries kustomize's content hash (a config change rolls the pods)");
  const configMount = exporter.volumeMounts.find((m) => m.name === configVolume.name);
  assert.equal(configMount.mountPath, CONFIG_DIR);
  assert.equal(configMount.readOnly, true);
  assert.equal(configMount.subPath, undefined, "subPath mounts never see ConfigMap updates");
  const configText = configMap.data?.[CONFIG_FILE];
  assert.ok(configText, `ConfigMap ${configMap.metadata.name} has no ${CONFIG_FILE}`);
  assert.equal(configText, fs.readFileSync(path.join(REPO, "deploy/kubernetes/base", CONFIG_FILE), "utf8"));
  const [config] = parseYamlDocuments(configText);
  assert.ok(path.isAbsolute(config.storage.path) && config.storage.path.startsWith(`${STATE_DIR}/`),
    `storage.path ${config.storage.path} must be on the volume at ${STATE_DIR}`);

  const claims = statefulSet.spec.volumeClaimTemplates ?? [];
  assert.equal(claims.length, 1);
  assert.deepEqual(claims[0].spec.accessModes, ["ReadWriteOnce"]);
  assert.equal(claims[0].spec.resources.requests.storage, "1Gi");
  const stateMount = exporter.volumeMounts.find((m) => m.name === claims[0].metadata.name);
  assert.equal(stateMount?.mountPath, STATE_DIR);
  // The root filesystem is read-only: every other writable place is an emptyDir.
  for (const mount of exporter.volumeMounts) {
    if (mount.readOnly) continue;
    const volume = podSpec.volumes.find((v) => v.name === mount.name);
    assert.ok(mount.name === claims[0].metadata.name || volume?.emptyDir,
      `writable mount ${mount.mountPath} is neither the history volume nor an emptyDir`);
  }

  const keyEnv = exporter.env?.find((e) => e.name === SECRET.env);
  assert.deepEqual(keyEnv?.valueFrom, { secretKeyRef: { name: SECRET.name, key: SECRET.key } });
  for (const source of config.sources) {
    if (source.plugin === "tiktok") {
      assert.equal(source.settings.api_key_env ?? SECRET.env, SECRET.env,
        `source ${source.name} must read the key from ${SECRET.env}`);
    }
  }
});

test("a Service with the named port `metrics`, and the headless Service of the StatefulSet", () => {
  const services = ofKind("Service");
  const headless = services.find((s) => s.metadata.name === statefulSet.spec.serviceName);
  assert.ok(headless, `serviceName ${statefulSet.spec.serviceName} is not rendered`);
  assert.equal(headless.spec.clusterIP, "None");
  const metrics = services.filter((s) => s.spec.ports?.some((p) => p.name === "metrics"));
  assert.equal(metrics.length, 1, "exactly one Service has a port named metrics");
  assert.notEqual(metrics[0], headless);
  assert.deepEqual(metrics[0].spec.ports.find((p) => p.name === "metrics"),
    { name: "metrics", port: PORT, targetPort: "metrics", protocol: "TCP" });
  for (const service of services) {
    assert.ok(isSubset(service.spec.selector, podLabels) && Object.keys(service.spec.selector).length,
      `Service ${service.metadata.name} does not select the exporter's pods`);
  }
});

test("the ServiceMonitor scrapes the metrics Service only, every 60s, as job hashtag_exporter", () => {
  const monitor = only("ServiceMonitor");
  assert.equal(monitor.spec.namespaceSelector, undefined, "scrapes its own namespace");
  const selected = ofKind("Service").filter((s) => isSubset(monitor.spec.selector.matchLabels, s.metadata.labels));
  assert.deepEqual(selected.map((s) => s.metadata.name),
    ofKind("Service").filter((s) => s.spec.ports?.some((p) => p.name === "metrics")).map((s) => s.metadata.name));
  assert.equal(monitor.spec.endpoints.length, 1);
  const [endpoint] = monitor.spec.endpoints;
  assert.equal(endpoint.port, "metrics");
  assert.equal(endpoint.interval, "60s");
  assert.equal(endpoint.path ?? "/metrics", "/metrics");
  // The rules name the job: the scrape must produce that name.
  const job = endpoint.relabelings?.find((r) => r.targetLabel === "job")?.replacement;
  const ruleText = ruleFiles().map((f) => fs.readFileSync(f, "utf8")).join("\n");
  const jobs = new Set([...ruleText.matchAll(/\bjob\s*=\s*"([^"]+)"/g)].map((m) => m[1]));
  for (const wanted of jobs) assert.equal(job, wanted, `the rules expect job="${wanted}"`);
});

function ruleFiles() {
  const dir = path.join(REPO, "deploy/prometheus");
  return fs.readdirSync(dir).filter((f) => f.endsWith(".rules.yml")).sort().map((f) => path.join(dir, f));
}

test("the PrometheusRules hold exactly the groups of deploy/prometheus/*.rules.yml", () => {
  const files = ruleFiles();
  assert.ok(files.length > 0, "no rule files in deploy/prometheus");
  const expectedGroups = files.map((f) => parseYamlDocuments(fs.readFileSync(f, "utf8"))[0].groups);
  const renderedGroups = ofKind("PrometheusRule").map((r) => r.spec.groups);
  assert.deepEqual([...renderedGroups].sort(byFirstGroupName), [...expectedGroups].sort(byFirstGroupName),
    "rerun deploy/kubernetes/generate.py");
  for (const rule of ofKind("PrometheusRule")) {
    assert.deepEqual(Object.keys(rule.spec), ["groups"], `${id(rule)}: spec has more than groups`);
  }
});
const byFirstGroupName = (a, b) => String(a?.[0]?.name).localeCompare(String(b?.[0]?.name));

test("the dashboard ConfigMaps hold every grafana/dashboards/*.json, byte for byte", () => {
  const dir = path.join(REPO, "grafana/dashboards");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const maps = objects.filter((o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard === "1");
  const held = new Map();
  for (const map of maps) {
    assert.equal(map.binaryData, undefined);
    for (const [key, value] of Object.entries(map.data ?? {})) {
      assert.ok(!held.has(key), `${key} is in two dashboard ConfigMaps`);
      held.set(key, value);
    }
    const size = JSON.stringify(map).length;
    assert.ok(size < LAST_APPLIED_LIMIT - 16384,
      `${id(map)} is ${size} bytes: too close to kubectl apply's ${LAST_APPLIED_LIMIT}-byte annotation limit`);
  }
  assert.deepEqual([...held.keys()].sort(), files, "rerun deploy/kubernetes/generate.py");
  for (const file of files) {
    assert.ok(held.get(file) === fs.readFileSync(path.join(dir, file), "utf8"),
      `${file} differs from its ConfigMap: rerun deploy/kubernetes/generate.py`);
  }
});

test("the NetworkPolicy lets in only Prometheus on the metrics port, out only DNS and HTTPS", () => {
  const policy = only("NetworkPolicy");
  assert.ok(isSubset(policy.spec.podSelector.matchLabels, podLabels) &&
    Object.keys(policy.spec.podSelector.matchLabels ?? {}).length, "podSelector does not select the exporter");
  assert.deepEqual([...policy.spec.policyTypes].sort(), ["Egress", "Ingress"]);
  const ingress = policy.spec.ingress ?? [];
  assert.ok(ingress.length > 0, "no ingress rule: Prometheus could not scrape");
  for (const rule of ingress) {
    assert.deepEqual(rule.ports, [{ port: "metrics", protocol: "TCP" }], "ingress to the metrics port only");
    // Without `from` a rule admits every source; each peer must be Prometheus pods in the
    // monitoring namespace, both selectors in one peer (two peers would OR them).
    assert.ok(rule.from?.length, "an ingress rule without `from` admits every pod and address");
    for (const peer of rule.from) {
      assert.equal(peer.ipBlock, undefined, "ingress from an ipBlock");
      // matchExpressions: the base's selector labels would overwrite a matchLabels here.
      assert.deepEqual(peer.podSelector,
        { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["prometheus"] }] },
        "ingress only from Prometheus pods (the Prometheus Operator's label)");
      assert.deepEqual(peer.namespaceSelector,
        { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
        "ingress only from the monitoring namespace");
    }
  }
  const allowed = new Set(["53/UDP", "53/TCP", "443/TCP"]);
  const seen = new Set();
  for (const rule of policy.spec.egress ?? []) {
    assert.ok(rule.ports?.length, "an egress rule without ports allows every port");
    for (const port of rule.ports) {
      const key = `${port.port}/${port.protocol ?? "TCP"}`;
      assert.ok(allowed.has(key), `egress to ${key} is not DNS or HTTPS`);
      assert.equal(port.endPort, undefined);
      seen.add(key);
      // DNS only to the cluster's DNS pods.
      if (port.port === 53) {
        assert.deepEqual(rule.to, [{
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
          podSelector: { matchExpressions: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }] },
        }], "DNS only to kube-dns in kube-system");
      }
    }
  }
  assert.deepEqual([...seen].sort(), [...allowed].sort());
});

test("the PodDisruptionBudget lets a drain evict one exporter pod at a time", () => {
  const budget = only("PodDisruptionBudget");
  assert.deepEqual(budget.spec.selector, statefulSet.spec.selector, "selects the StatefulSet's pods");
  assert.equal(budget.spec.maxUnavailable, 1);
  assert.equal(budget.spec.minAvailable, undefined,
    "minAvailable would block every drain of a single replica");
  // At least one pod may always be evicted (a drain never hangs), and with several shards the
  // others keep collecting meanwhile.
  assert.ok(budget.spec.maxUnavailable < expected.replicas || expected.replicas === 1);
});
