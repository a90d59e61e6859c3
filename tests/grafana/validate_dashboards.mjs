#!/usr/bin/env node
// Validates grafana/dashboards/*.json against Grafana's own dashboard schema, plus the rules
// these dashboards promise (file provisioning, units, descriptions, the datasource variable).
//
//   node tests/grafana/validate_dashboards.mjs [--dashboards DIR] [--cache-dir DIR]
//
// The schema: @grafana/schema ships the TypeScript types Grafana generates from its CUE
// dashboard kind. ts-json-schema-generator turns the `Dashboard` interface of the raw,
// self-contained types file (dist/types/raw/dashboard/x/types.gen.d.ts) into a JSON schema
// (draft-07; objects closed: a property the type does not declare is an error, which catches
// typos), and ajv validates every dashboard against it. Generating takes about a second, so the
// schema is cached in --cache-dir (the CMake build folder in ctest), keyed by the package
// versions and the types file's content.
//
// Packages come from tests/node_modules, installed by scripts/setup.sh (`npm ci --prefix tests`)
// at the exact versions of tests/package.json. Runs on Node.js 18 or later (Debian 12's nodejs).
// Exit status: 0 if every dashboard passes, 1 otherwise (each problem printed with the file and
// the JSON path), 2 on bad usage.

import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TESTS = path.resolve(HERE, "..");
const REPO = path.resolve(TESTS, "..");
const NODE_MODULES = path.join(TESTS, "node_modules");
const SETUP_HINT = "run scripts/test.sh (it runs `npm ci --prefix tests`)";

const SCHEMA_PACKAGE = "@grafana/schema";
const TYPES_FILE = "dist/types/raw/dashboard/x/types.gen.d.ts";
const ROOT_TYPE = "Dashboard";
const CACHE_FORMAT = 1; // bump when the generator settings below change

// The datasource every panel, target and query variable must use: the `datasource` variable.
const DATASOURCE_UIDS = new Set(["${datasource}", "$datasource"]);
// The variables every dashboard of a monitoring mixin has (the mixin lint rules of Grafana's
// dashboard-linter: template-job-rule, template-instance-rule): a multi-value query variable on
// the datasource variable, All meaning `.+`, and every panel query filtering by it.
const MIXIN_VARIABLES = ["job", "instance"];
// Data source uids a provisioned data source must not take: kube-prometheus-stack provisions its
// Prometheus as uid "prometheus", and a second data source with that uid replaces it.
const RESERVED_DATASOURCE_UIDS = new Set(["prometheus", "alertmanager"]);
// Panel types that show no numbers, so need no unit.
const UNITLESS_PANEL_TYPES = new Set(["row", "text", "news", "dashlist", "alertlist", "logs",
  "nodeGraph", "traces", "annolist", "welcome"]);
// Grafana's global variables, usable in queries without being defined.
const BUILTIN_VARIABLES = new Set(["__interval", "__interval_ms", "__rate_interval",
  "__rate_interval_ms", "__range", "__range_s", "__range_ms", "__from", "__to", "__dashboard",
  "__org", "__user", "__name", "__timezone", "__timeFilter", "timeFilter"]);

function usage(message, status = 2) {
  console.error(`${message}\nusage: node ${path.relative(process.cwd(), fileURLToPath(import.meta.url))}` +
    " [--dashboards DIR] [--cache-dir DIR]");
  process.exit(status);
}

function parseArgs(argv) {
  const options = {
    dashboards: path.join(REPO, "grafana", "dashboards"),
    cacheDir: path.join(NODE_MODULES, ".cache", "hashtag_exporter"),
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === "--dashboards") options.dashboards = path.resolve(value());
    else if (flag === "--cache-dir") options.cacheDir = path.resolve(value());
    else if (flag === "--help" || flag === "-h") usage("Validates Grafana dashboards against @grafana/schema.", 0);
    else usage(`unknown argument ${argv[i]}`);
  }
  return options;
}

function fatal(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

// --- packages -------------------------------------------------------------------------------

// Fails (never skips) when tests/node_modules is missing or differs from the pins.
function checkInstalledPackages() {
  if (!fs.existsSync(NODE_MODULES)) {
    fatal(`${path.relative(REPO, NODE_MODULES)} is missing: ${SETUP_HINT}`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(TESTS, "package.json"), "utf8"));
  const pins = { ...manifest.dependencies, ...manifest.devDependencies };
  const versions = {};
  for (const [name, wanted] of Object.entries(pins)) {
    const file = path.join(NODE_MODULES, name, "package.json");
    if (!fs.existsSync(file)) fatal(`${name} is not installed in tests/node_modules: ${SETUP_HINT}`);
    const installed = JSON.parse(fs.readFileSync(file, "utf8")).version;
    if (installed !== wanted) {
      fatal(`tests/node_modules has ${name} ${installed} but tests/package.json pins ${wanted}: ` +
        SETUP_HINT);
    }
    versions[name] = installed;
  }
  return versions;
}

// --- schema ---------------------------------------------------------------------------------

function generatorConfig(typesPath) {
  return {
    path: typesPath,
    type: ROOT_TYPE,
    expose: "export",
    topRef: true,
    jsDoc: "basic",
    skipTypeCheck: true, // a published .d.ts; type-checking it would only cost time
    additionalProperties: false,
  };
}

function loadSchema(require, versions, cacheDir) {
  const typesPath = path.join(NODE_MODULES, SCHEMA_PACKAGE, TYPES_FILE);
  if (!fs.existsSync(typesPath)) {
    fatal(`${SCHEMA_PACKAGE} ${versions[SCHEMA_PACKAGE]} has no ${TYPES_FILE}: the package ` +
      "layout changed; point TYPES_FILE in this script at the raw dashboard types");
  }
  const config = generatorConfig(typesPath);
  const key = crypto.createHash("sha256")
    .update(JSON.stringify([CACHE_FORMAT, versions[SCHEMA_PACKAGE],
      versions["ts-json-schema-generator"], versions.typescript,
      { ...config, path: TYPES_FILE }]))
    .update(fs.readFileSync(typesPath))
    .digest("hex").slice(0, 16);
  const cacheFile = path.join(cacheDir,
    `grafana-schema-${versions[SCHEMA_PACKAGE]}-${ROOT_TYPE}-${key}.json`);
  try {
    return { schema: JSON.parse(fs.readFileSync(cacheFile, "utf8")), cacheFile, cached: true };
  } catch {
    // not cached yet (or unreadable): generate
  }
  const { createGenerator } = require("ts-json-schema-generator");
  let schema;
  try {
    schema = createGenerator(config).createSchema(ROOT_TYPE);
  } catch (error) {
    fatal(`ts-json-schema-generator could not turn ${ROOT_TYPE} of ${SCHEMA_PACKAGE}/` +
      `${TYPES_FILE} into a JSON schema: ${error.message}`);
  }
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(schema));
    fs.renameSync(temporary, cacheFile);
  } catch (error) {
    console.error(`note: could not cache the schema in ${cacheDir}: ${error.message}`);
  }
  return { schema, cacheFile, cached: false };
}

// Validators for the whole dashboard and for each branch of `panels` items (Panel | RowPanel).
function makeValidators(require, schema) {
  const Ajv = require("ajv").default;
  const addFormats = require("ajv-formats").default;
  // Strict mode: a keyword or format ajv does not know is an error, never silently ignored
  // (the formats of ajv-formats are there in case a newer schema uses them). allErrors reports
  // every problem in one run.
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addSchema(schema, "grafana-dashboard");
  return {
    dashboard: ajv.getSchema("grafana-dashboard"),
    panel: ajv.getSchema("grafana-dashboard#/definitions/Panel"),
    row: ajv.getSchema("grafana-dashboard#/definitions/RowPanel"),
  };
}

// ajv reports a bad `panels` item with the failures of both branches of Panel | RowPanel; the
// panel's own `type` says which one it meant, so its errors come from validating it against
// that branch alone.
function dashboardErrors(validators, dashboard) {
  if (validators.dashboard(dashboard)) return [];
  const errors = [];
  const panelsDone = new Set();
  for (const error of validators.dashboard.errors) {
    const match = /^\/panels\/(\d+)(?:\/|$)/.exec(error.instancePath);
    const panel = match && dashboard.panels[Number(match[1])];
    if (!match || panel === null || typeof panel !== "object") {
      errors.push(error);
      continue;
    }
    if (panelsDone.has(match[1])) continue;
    panelsDone.add(match[1]);
    const validate = panel.type === "row" ? validators.row : validators.panel;
    if (!validate(panel)) {
      for (const inner of validate.errors) {
        errors.push({ ...inner, instancePath: `/panels/${match[1]}${inner.instancePath}` });
      }
    }
  }
  const seen = new Set();
  return errors.filter((error) => {
    const key = describeError(error);
    return !seen.has(key) && seen.add(key);
  });
}

function describeError(error) {
  const where = error.instancePath || "/";
  let detail = error.message;
  if (error.keyword === "additionalProperties") {
    detail = `has property "${error.params.additionalProperty}", which the schema does not define`;
  } else if (error.keyword === "enum") {
    detail += `: ${error.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  } else if (error.keyword === "const") {
    detail += `: ${JSON.stringify(error.params.allowedValue)}`;
  }
  return `${where}: ${detail}`;
}

// --- project rules --------------------------------------------------------------------------

function pointer(...parts) {
  return "/" + parts.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

// Every panel with its JSON path, rows' nested panels (collapsed rows) included.
function* allPanels(dashboard) {
  for (const [i, panel] of (dashboard.panels ?? []).entries()) {
    yield [panel, pointer("panels", i)];
    for (const [j, inner] of (panel?.panels ?? []).entries()) {
      yield [inner, pointer("panels", i, "panels", j)];
    }
  }
}

function isDatasourceVariableRef(ref) {
  return ref !== null && typeof ref === "object" && ref.type === "prometheus" &&
    DATASOURCE_UIDS.has(ref.uid);
}

function variableReferences(text) {
  const names = [];
  const pattern = /\$\{([A-Za-z0-9_]+)(?::[^}]*)?\}|\[\[([A-Za-z0-9_]+)(?::[^\]]*)?\]\]|\$([A-Za-z0-9_]+)/g;
  for (const match of String(text).matchAll(pattern)) names.push(match[1] ?? match[2] ?? match[3]);
  return names;
}

function checkDashboard(dashboard, problems, known) {
  const add = (where, message) => problems.push(`${where}: ${message}`);
  if (dashboard === null || typeof dashboard !== "object" || Array.isArray(dashboard)) {
    add("/", "a dashboard must be a JSON object");
    return;
  }
  for (const key of Object.keys(dashboard)) {
    if (key.startsWith("__")) {
      add(pointer(key), `"${key}" is an export-for-sharing section; file provisioning needs ` +
        "a dashboard without __inputs/__requires/__elements (use the datasource variable)");
    }
  }
  if (typeof dashboard.uid !== "string" || !/^[A-Za-z0-9_-]{1,40}$/.test(dashboard.uid)) {
    add("/uid", "needs a fixed uid of 1-40 letters, digits, '-' or '_'");
  }
  if (!dashboard.title) add("/title", "needs a title");
  if (dashboard.id !== undefined && dashboard.id !== null) {
    add("/id", "must be null or absent (Grafana assigns it; provisioning matches on uid)");
  }

  const variables = dashboard.templating?.list ?? [];
  const variableNames = new Set(variables.map((v) => v?.name));
  const datasourceVariable = variables.find((v) => v?.name === "datasource");
  if (!datasourceVariable) {
    add("/templating/list", 'needs a variable named "datasource" (type datasource, query ' +
      'prometheus) that every panel uses');
  } else if (datasourceVariable.type !== "datasource" || datasourceVariable.query !== "prometheus") {
    add(pointer("templating", "list", variables.indexOf(datasourceVariable)),
      'the "datasource" variable must have type "datasource" and query "prometheus"');
  }
  for (const [i, variable] of variables.entries()) {
    const where = pointer("templating", "list", i);
    if (variable?.type === "query" && !isDatasourceVariableRef(variable.datasource)) {
      add(`${where}/datasource`, `query variable "${variable.name}" must use ` +
        '{"type": "prometheus", "uid": "${datasource}"}');
    }
    if (variable?.type === "query") {
      const query = typeof variable.query === "string" ? variable.query : variable.query?.query;
      if (!query) add(`${where}/query`, `query variable "${variable.name}" has no query`);
      for (const name of variableReferences(query ?? "")) {
        if (!variableNames.has(name) && !BUILTIN_VARIABLES.has(name)) {
          add(`${where}/query`, `uses $${name}, which is not a variable of this dashboard`);
        }
      }
    }
  }

  for (const name of MIXIN_VARIABLES) {
    const index = variables.findIndex((v) => v?.name === name);
    const where = pointer("templating", "list", index);
    if (index < 0) {
      add("/templating/list", `needs a "${name}" variable (mixin lint: template-${name}-rule)`);
      continue;
    }
    const variable = variables[index];
    if (variable.type !== "query") add(where, `"${name}" must be a query variable`);
    if (!variable.multi || !variable.includeAll || variable.allValue !== ".+") {
      add(where, `"${name}" must be multi-value with All meaning ".+"`);
    }
    if (index < variables.findIndex((v) => v?.name === "datasource")) {
      add(where, `"${name}" must come after "datasource"`);
    }
  }
  const instanceVariable = variables.find((v) => v?.name === "instance");
  const instanceQuery = typeof instanceVariable?.query === "string" ? instanceVariable.query : instanceVariable?.query?.query;
  if (instanceVariable && !/job=~"\$job"/.test(instanceQuery ?? "")) {
    add("/templating/list", '"instance" must offer the instances of the selected jobs (job=~"$job")');
  }

  const panelIds = new Map();
  for (const [panel, where] of allPanels(dashboard)) {
    if (panel === null || typeof panel !== "object") continue; // the schema reports it
    if (panel.id !== undefined) {
      if (panelIds.has(panel.id)) add(`${where}/id`, `panel id ${panel.id} is also used at ${panelIds.get(panel.id)}`);
      else panelIds.set(panel.id, where);
    }
    const name = panel.title ? `panel "${panel.title}"` : "panel";
    if (!panel.gridPos) add(`${where}/gridPos`, `${name} needs a gridPos`);
    else if (panel.gridPos.x + panel.gridPos.w > 24) add(`${where}/gridPos`, `${name} is wider than the 24-column grid`);
    if (panel.type === "row") {
      if (!panel.title) add(`${where}/title`, "row needs a title");
      if (!panel.collapsed && (panel.panels ?? []).length > 0) {
        add(`${where}/panels`, "an expanded row keeps its panels at the top level, not in panels[]");
      }
      continue;
    }
    if (!panel.title || !String(panel.title).trim()) add(`${where}/title`, "panel needs a title");
    if (!panel.description || !String(panel.description).trim()) {
      add(`${where}/description`, `${name} needs a description`);
    }
    if (!UNITLESS_PANEL_TYPES.has(panel.type) && !panel.fieldConfig?.defaults?.unit) {
      add(`${where}/fieldConfig/defaults/unit`, `${name} shows numbers and needs a unit ` +
        '(e.g. "percent" for growth, "short" for counts, "s" for durations)');
    }
    const targets = panel.targets ?? [];
    if (targets.length > 0 && !isDatasourceVariableRef(panel.datasource)) {
      add(`${where}/datasource`, `${name} must use {"type": "prometheus", "uid": "\${datasource}"}`);
    }
    const refIds = new Set();
    for (const [t, target] of targets.entries()) {
      const at = `${where}/targets/${t}`;
      if (!target?.refId) add(`${at}/refId`, `${name}: every query needs a refId`);
      else if (refIds.has(target.refId)) add(`${at}/refId`, `${name}: refId ${target.refId} is used twice`);
      refIds.add(target?.refId);
      if (target?.datasource !== undefined && !isDatasourceVariableRef(target.datasource)) {
        add(`${at}/datasource`, `${name}: a query's datasource must be the \${datasource} variable`);
      }
      if (!target?.expr || !String(target.expr).trim()) add(`${at}/expr`, `${name}: query ${target?.refId} has no expr`);
      // Every series selector filters by job and instance (mixin lint: target-job-rule,
      // target-instance-rule); a selector is a metric name followed by {...}.
      for (const selector of String(target?.expr ?? "").matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*\{[^}]*\}/g)) {
        for (const label of MIXIN_VARIABLES) {
          if (!selector[0].includes(`${label}=~"$${label}"`)) {
            add(`${at}/expr`, `${name}: ${selector[0]} does not filter by ${label}=~"$${label}"`);
          }
        }
      }
      for (const variable of variableReferences(target?.expr ?? "")) {
        if (!variableNames.has(variable) && !BUILTIN_VARIABLES.has(variable)) {
          add(`${at}/expr`, `${name}: uses $${variable}, which is not a variable of this dashboard`);
        }
      }
    }
    const unit = panel.fieldConfig?.defaults?.unit;
    if (panel.type !== "table" && targets.length > 0 && unit !== "percent" &&
        targets.every((target) => /_growth_percent\b/.test(target?.expr ?? ""))) {
      add(`${where}/fieldConfig/defaults/unit`, `${name} shows growth and needs unit "percent", not "${unit}"`);
    }
    for (const variable of variableReferences(panel.title ?? "")) {
      if (!variableNames.has(variable)) add(`${where}/title`, `uses $${variable}, which is not a variable of this dashboard`);
    }
  }

  // Links to other dashboards (dashboard links, panel links, data links) must name a shipped uid.
  const text = JSON.stringify(dashboard);
  for (const match of text.matchAll(/\/d\/([A-Za-z0-9_-]+)/g)) {
    if (!known.uids.has(match[1])) {
      add("/", `links to dashboard uid "${match[1]}", which no file in ${known.dir} has`);
    }
  }
}

// A schema that accepts everything would pass every dashboard: prove it rejects broken ones.
function checkSchemaRejects(validate, sample) {
  const mutations = [
    ["schemaVersion as a string", (d) => { d.schemaVersion = "39"; }],
    ["an unknown top-level property", (d) => { d.__inputs = []; }],
    ["a panel gridPos without w", (d) => { delete d.panels.find((p) => p.type !== "row").gridPos.w; }],
    ["a variable of an unknown type", (d) => { d.templating.list[0].type = "nonsense"; }],
  ];
  const failures = [];
  for (const [what, mutate] of mutations) {
    const copy = structuredClone(sample);
    try {
      mutate(copy);
    } catch {
      continue; // the sample lacks that part
    }
    if (validate(copy)) failures.push(`the generated schema accepts a dashboard with ${what}`);
  }
  return failures;
}

// --- main -----------------------------------------------------------------------------------

function main() {
  const started = Date.now();
  const options = parseArgs(process.argv.slice(2));
  const versions = checkInstalledPackages();
  const require = createRequire(path.join(TESTS, "package.json"));

  if (!fs.existsSync(options.dashboards)) fatal(`no dashboard folder ${options.dashboards}`);
  const files = fs.readdirSync(options.dashboards).filter((f) => f.endsWith(".json")).sort();
  if (files.length === 0) fatal(`no *.json dashboards in ${options.dashboards}`);

  const { schema, cacheFile, cached } = loadSchema(require, versions, options.cacheDir);
  const validators = makeValidators(require, schema);

  const problems = [];
  const parsed = [];
  for (const file of files) {
    const full = path.join(options.dashboards, file);
    try {
      parsed.push({ file, dashboard: JSON.parse(fs.readFileSync(full, "utf8")) });
    } catch (error) {
      problems.push(`${file}: not valid JSON: ${error.message}`);
    }
  }

  const known = { uids: new Set(), dir: path.relative(REPO, options.dashboards) || "." };
  const uidFiles = new Map();
  const titleFiles = new Map();
  for (const { file, dashboard } of parsed) {
    const uid = dashboard?.uid;
    if (typeof uid === "string") {
      if (uidFiles.has(uid)) problems.push(`${file}: /uid: "${uid}" is also the uid of ${uidFiles.get(uid)}`);
      else uidFiles.set(uid, file);
      known.uids.add(uid);
    }
    const title = dashboard?.title;
    if (typeof title === "string") {
      if (titleFiles.has(title)) problems.push(`${file}: /title: "${title}" is also the title of ${titleFiles.get(title)}`);
      else titleFiles.set(title, file);
    }
  }

  for (const { file, dashboard } of parsed) {
    for (const error of dashboardErrors(validators, dashboard)) {
      problems.push(`${file}: ${describeError(error)}`);
    }
    const own = [];
    checkDashboard(dashboard, own, known);
    problems.push(...own.map((p) => `${file}: ${p}`));
  }
  // The provisioned data source: not a uid another stack provisions (see the constant).
  const datasourceFile = path.join(REPO, "grafana", "provisioning", "datasources", "prometheus.yml");
  const uids = [...fs.readFileSync(datasourceFile, "utf8").matchAll(/^\s*uid:\s*["']?([^"'\s#]+)/gm)].map((m) => m[1]);
  if (uids.length === 0) problems.push(`${datasourceFile}: no uid (Grafana would make a random one)`);
  for (const uid of uids) {
    if (RESERVED_DATASOURCE_UIDS.has(uid)) {
      problems.push(`${datasourceFile}: data source uid "${uid}" is kube-prometheus-stack's own`);
    }
  }

  const good = parsed.find(({ dashboard }) => validators.dashboard(dashboard));
  if (good) problems.push(...checkSchemaRejects(validators.dashboard, good.dashboard));

  const schemaNote = `${SCHEMA_PACKAGE} ${versions[SCHEMA_PACKAGE]} ${ROOT_TYPE} ` +
    `(${cached ? "cached" : "generated"}: ${path.relative(process.cwd(), cacheFile) || cacheFile})`;
  if (problems.length > 0) {
    for (const problem of problems) console.error(`FAIL ${problem}`);
    console.error(`FAIL: ${problems.length} problem(s) in ${files.length} dashboard file(s) ` +
      `of ${options.dashboards}; schema: ${schemaNote}`);
    process.exit(1);
  }
  console.log(`OK: ${files.length} dashboard(s) (${files.join(", ")}) pass ${schemaNote} ` +
    `and the project rules, in ${Date.now() - started} ms on Node.js ${process.versions.node} ` +
    `(${os.platform()})`);
}

main();
