// What a Kubernetes API server and Tekton's webhook would do with our YAML, as far as can be
// known without a cluster: structural-schema validation with pruning (from the CRDs in
// test/fixtures/tekton-crds), Tekton's name rules and variable references, and Tekton's
// substitution of variables into a step, so the step can be run for real.

import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import { filesUnder, fixture, ROOT } from './helpers.ts';

export type Doc = Record<string, any>;
export interface Loaded {
  readonly file: string;
  readonly doc: Doc;
}

/** Every YAML document under a folder. */
export function loadYaml(dir: string): Loaded[] {
  return filesUnder(dir, (name) => /\.ya?ml$/.test(name)).flatMap((p) =>
    yaml
      .loadAll(readFileSync(p, 'utf8'))
      .filter(Boolean)
      .map((doc) => ({ file: relative(ROOT, p), doc: doc as Doc })),
  );
}

// ---------------------------------------------------------------------------------------------
// Structural schemas (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema)

type Schema = Record<string, any>;

const crdSchemas = new Map<string, Schema>();
for (const name of readdirSync(fixture('tekton-crds'))) {
  const crd = yaml.load(readFileSync(fixture('tekton-crds', name), 'utf8')) as Doc;
  for (const version of crd.spec.versions) {
    crdSchemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, version.schema.openAPIV3Schema);
  }
}

export function crdSchema(apiVersion: string, kind: string): Schema | undefined {
  return crdSchemas.get(`${apiVersion}/${kind}`);
}

// The API server validates ObjectMeta itself; these are the fields our files may use.
const OBJECT_META: Schema = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' },
    generateName: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?-$' },
    namespace: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

// Built-in kinds in our samples, by the fields of their Kubernetes API types that we use.
const CORE: Record<string, Schema> = {
  'v1/Secret': {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: OBJECT_META,
      type: { type: 'string' },
      data: { type: 'object', additionalProperties: { type: 'string' } },
      stringData: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
  'v1/ConfigMap': {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: OBJECT_META,
      data: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
};
const RULE = {
  type: 'object',
  required: ['verbs'],
  properties: {
    apiGroups: { type: 'array', items: { type: 'string' } },
    resources: { type: 'array', items: { type: 'string' } },
    resourceNames: { type: 'array', items: { type: 'string' } },
    verbs: {
      type: 'array',
      items: { type: 'string', enum: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] },
    },
  },
};
CORE['rbac.authorization.k8s.io/v1/Role'] = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: OBJECT_META, rules: { type: 'array', items: RULE } },
};
CORE['rbac.authorization.k8s.io/v1/RoleBinding'] = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'roleRef'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: OBJECT_META,
    roleRef: {
      type: 'object',
      required: ['apiGroup', 'kind', 'name'],
      properties: { apiGroup: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } },
    },
    subjects: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'name'],
        properties: { apiGroup: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' } },
      },
    },
  },
};
CORE['v1/ServiceAccount'] = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: OBJECT_META },
};

/** The schema the API server would apply to this document, or undefined for an unknown kind. */
export function schemaFor(doc: Doc): Schema | undefined {
  const crd = crdSchema(doc.apiVersion, doc.kind);
  if (crd) return { ...crd, properties: { ...crd.properties, metadata: OBJECT_META } };
  return CORE[`${doc.apiVersion}/${doc.kind}`];
}

/**
 * Validate a value against a structural schema. Problems include fields that the API server
 * would prune: unknown to the schema and not under x-kubernetes-preserve-unknown-fields.
 */
export function validateStructural(value: unknown, schema: Schema, path = ''): string[] {
  const problems: string[] = [];
  check(value, schema, path, problems);
  return problems;
}

function check(value: unknown, schema: Schema, path: string, problems: string[]): void {
  const at = path || '<root>';
  if (value === null) {
    if (!schema.nullable) problems.push(`${at}: null is not allowed`);
    return;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && !Number.isInteger(value)) problems.push(`${at}: expected an integer or a string`);
    return;
  }
  if (schema.anyOf && !schema.anyOf.some((s: Schema) => validateStructural(value, s, path).length === 0)) {
    problems.push(`${at}: matches none of anyOf`);
  }
  switch (schema.type) {
    case 'object':
      return checkObject(value, schema, path, problems);
    case 'array':
      return checkArray(value, schema, path, problems);
    case 'string':
      if (typeof value !== 'string') return void problems.push(`${at}: expected a string, got ${JSON.stringify(value)}`);
      if (schema.enum && !schema.enum.includes(value))
        problems.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
      if (schema.pattern && !new RegExp(schema.pattern).test(value))
        problems.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
      return;
    case 'integer':
      if (!Number.isInteger(value)) problems.push(`${at}: expected an integer, got ${JSON.stringify(value)}`);
      return;
    case 'number':
      if (typeof value !== 'number') problems.push(`${at}: expected a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${at}: expected a boolean, got ${JSON.stringify(value)}`);
      return;
    case undefined:
      if (!schema['x-kubernetes-preserve-unknown-fields'] && !schema.anyOf) problems.push(`${at}: the schema gives no type`);
      return;
    default:
      problems.push(`${at}: unknown schema type ${schema.type}`);
  }
}

function checkObject(value: unknown, schema: Schema, path: string, problems: string[]): void {
  if (typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${path || '<root>'}: expected an object`);
  const object = value as Record<string, unknown>;
  for (const key of schema.required ?? []) if (!(key in object)) problems.push(`${path ? `${path}.` : ''}${key}: required`);
  for (const [key, child] of Object.entries(object)) {
    const childPath = path ? `${path}.${key}` : key;
    const known = schema.properties?.[key];
    if (known) check(child, known, childPath, problems);
    else if (typeof schema.additionalProperties === 'object') check(child, schema.additionalProperties, childPath, problems);
    else if (!schema['x-kubernetes-preserve-unknown-fields'])
      problems.push(`${childPath}: unknown field, would be pruned by the API server`);
  }
}

function checkArray(value: unknown, schema: Schema, path: string, problems: string[]): void {
  if (!Array.isArray(value)) return void problems.push(`${path || '<root>'}: expected an array`);
  value.forEach((item, i) => schema.items && check(item, schema.items, `${path}[${i}]`, problems));
  const keys: string[] | undefined = schema['x-kubernetes-list-map-keys'];
  if (schema['x-kubernetes-list-type'] === 'map' && keys) {
    const seen = new Set<string>();
    for (const item of value) {
      const key = JSON.stringify(keys.map((k) => (item as Doc)?.[k]));
      if (seen.has(key)) problems.push(`${path}: duplicate entry for ${keys.join(',')} = ${key}`);
      seen.add(key);
    }
  }
  if (schema['x-kubernetes-list-type'] === 'set' && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
    problems.push(`${path}: duplicate entries in a set`);
  }
}

// ---------------------------------------------------------------------------------------------
// Tekton's substitution of $(…) variables into a step (pkg/substitution, pkg/pod)

export type Values = Record<string, string | string[]>;

/** Replace every $(name) in a string; a whole-string array reference may only be used by expandArgs. */
export function substitute(text: string, values: Values): string {
  return text.replace(/\$\(([^()]+)\)/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${whole} in ${JSON.stringify(text)}`);
    if (Array.isArray(value)) throw new Error(`array ${whole} used inside a string: ${JSON.stringify(text)}`);
    return value;
  });
}

/** Tekton's expansion of args: an item that is exactly $(params.X[*]) becomes the array's items. */
export function expandArgs(args: readonly string[], values: Values): string[] {
  return args.flatMap((arg) => {
    const whole = /^\$\(([^()]+\[\*\])\)$/.exec(arg);
    if (whole) {
      const value = values[whole[1]!];
      if (!Array.isArray(value)) throw new Error(`${arg} is not an array parameter`);
      return value;
    }
    return [substitute(arg, values)];
  });
}

/** Param values as a Task run would see them: defaults, overridden by given values. */
export function paramValues(params: readonly Doc[], given: Record<string, unknown> = {}): Values {
  const values: Values = {};
  for (const p of params) {
    const value = (given[p.name] ?? p.default) as string | string[] | undefined;
    if (value === undefined) continue;
    values[`params.${p.name}`] = value;
    if (Array.isArray(value)) values[`params.${p.name}[*]`] = value;
  }
  return values;
}

/** A pipeline task's params after Tekton substitutes the pipeline's params and earlier tasks' results. */
export function pipelineTaskParams(task: Doc, values: Values): Record<string, string | string[]> {
  return Object.fromEntries(
    (task.params ?? []).map((p: Doc) => [
      p.name,
      Array.isArray(p.value) ? p.value.map((v: string) => substitute(v, values)) : substitute(p.value, values),
    ]),
  );
}

/**
 * The args of the buildpacks-index step in the multi-arch sample PipelineRun, as Tekton would
 * run them: the run's params, the builds' results (`build-amd64` → IMAGE_URL/IMAGE_DIGEST), and
 * result paths under `resultsDir`.
 */
export function multiArchIndexArgs(
  docs: readonly Loaded[],
  builds: Record<string, { IMAGE_URL: string; IMAGE_DIGEST: string }>,
  runParams: Record<string, string>,
  resultsDir: string,
): string[] {
  const run = docs.find((d) => d.doc.kind === 'PipelineRun' && d.doc.metadata.generateName === 'buildpacks-multi-arch-')!.doc;
  const task = docs.find((d) => d.doc.kind === 'Task' && d.doc.metadata.name === 'buildpacks-index')!.doc;
  const values: Values = {};
  for (const p of run.spec.params) values[`params.${p.name}`] = runParams[p.name] ?? p.value;
  for (const [name, results] of Object.entries(builds))
    for (const [k, v] of Object.entries(results)) values[`tasks.${name}.results.${k}`] = v;
  const pipelineTask = run.spec.pipelineSpec.tasks.find((t: Doc) => t.taskRef?.name === 'buildpacks-index');
  const taskValues: Values = {
    ...paramValues(task.spec.params, pipelineTaskParams(pipelineTask, values)),
    'workspaces.dockerconfig.path': '',
  };
  for (const r of task.spec.results) taskValues[`results.${r.name}.path`] = `${resultsDir}/${r.name}`;
  return expandArgs(task.spec.steps[0].args, taskValues);
}

/**
 * The buildpacks Task's report step argv as a TaskRun with default params runs it: /layers at
 * LAYERS, each result's path in RESULTS. What the bench times and the code cache is trained on.
 */
export function reportStepArgv(layers: string, results: string): string[] {
  const task = (yaml.loadAll(readFileSync(join(ROOT, 'tasks/buildpacks/buildpacks.yaml'), 'utf8')) as Doc[]).find(
    (d) => d?.kind === 'Task',
  )!;
  const step = task.spec.steps.find((s: Doc) => s.name === 'report');
  const values: Values = paramValues(task.spec.params);
  for (const r of task.spec.results) values[`results.${r.name}.path`] = `${results}/${r.name}`;
  return expandArgs(step.args, values).map((arg) => arg.replace(/(^|=)\/layers\//, `$1${layers}/`));
}
