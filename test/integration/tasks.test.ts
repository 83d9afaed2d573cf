// The Tekton YAML under tasks/: valid for the API server (structural schemas, nothing pruned),
// acceptable to Tekton's webhook (names, every variable reference resolved), following the
// catalog's recommendations (pinned images, no params in scripts, annotations), and wired to
// the CLI: each step is run after Tekton's substitutions, so the YAML and the CLI cannot drift.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, DIGEST, ROOT, reportToml, snapshot, tempDir } from '../support/helpers.ts';
import {
  expandArgs,
  loadYaml,
  multiArchIndexArgs,
  paramValues,
  schemaFor,
  substitute,
  validateStructural,
  type Doc,
  type Values,
} from '../support/tekton.ts';
import { readArgv } from '../../src/cli/argv.ts';
import { Given, resolveIndex } from '../../src/cli/resolve.ts';

const DOCS = loadYaml(join(ROOT, 'tasks'));
const byKind = (kind: string) => DOCS.filter((d) => d.doc.kind === kind);
const named = (kind: string, name: string) => byKind(kind).find((d) => d.doc.metadata?.name === name)?.doc;
const TASK = named('Task', 'buildpacks')!;
const STEP_ACTION = named('StepAction', 'cnb-report')!;
const INDEX_TASK = named('Task', 'buildpacks-index')!;
/** The pipeline a PipelineRun runs: embedded, or the Pipeline under tasks/ it names. */
const pipelineOf = (run: Doc): Doc => run.spec.pipelineSpec ?? named('Pipeline', run.spec.pipelineRef.name)!.spec;

const api = suite('API server: structural schemas, nothing pruned');
api('tasks/ holds the Task, the StepAction and the samples', () => {
  assert.ok(TASK && STEP_ACTION);
  assert.equal(TASK.apiVersion, 'tekton.dev/v1');
  assert.equal(STEP_ACTION.apiVersion, 'tekton.dev/v1beta1');
  for (const kind of ['TaskRun', 'PipelineRun', 'Secret', 'ConfigMap']) assert.ok(byKind(kind).length, kind);
});
for (const { file, doc } of DOCS) {
  api(`${file}: ${doc.kind} ${doc.metadata?.name ?? doc.metadata?.generateName}`, () => {
    const schema = schemaFor(doc);
    assert.ok(schema, `a schema for ${doc.apiVersion} ${doc.kind}`);
    assert.equal(validateStructural(doc, schema!), []);
    assert.ok(doc.metadata?.name || doc.metadata?.generateName, 'named');
  });
}
api('the checker finds a misspelled field, a wrong type, and a missing required field', () => {
  const task = structuredClone(TASK);
  task.spec.steps[2].imagePullPolicyy = 'Always';
  task.spec.params[0].default = 5;
  task.spec.results.push({ description: 'no name' });
  const problems = validateStructural(task, schemaFor(task)!);
  assert.ok(
    problems.some((p) => p === 'spec.steps[2].imagePullPolicyy: unknown field, would be pruned by the API server'),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.startsWith(`spec.results[${task.spec.results.length - 1}].name: required`)),
    problems.join('\n'),
  );
  const run = structuredClone(byKind('TaskRun')[0]!.doc);
  run.spec.timeout = 5;
  assert.ok(validateStructural(run, schemaFor(run)!).some((p) => p.startsWith('spec.timeout: expected a string')));
});
api.run();

// --- Tekton's webhook -------------------------------------------------------------------------

const PARAM_NAME = /^[a-zA-Z_][a-zA-Z0-9_.-]*$/;
const RESULT_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface Scope {
  params: Map<string, string>;
  results?: Set<string>;
  stepResults?: Set<string>;
  workspaces: Set<string>;
  steps?: Map<string, Set<string>>;
  tasks?: Map<string, Set<string> | undefined>;
}

function taskScope(spec: Doc): Scope {
  return {
    params: new Map((spec.params ?? []).map((p: Doc) => [p.name, p.type ?? 'string'])),
    results: new Set((spec.results ?? []).map((r: Doc) => r.name)),
    workspaces: new Set((spec.workspaces ?? []).map((w: Doc) => w.name)),
    steps: new Map(
      (spec.steps ?? []).map((s: Doc) => {
        const action = s.ref ? named('StepAction', s.ref.name) : undefined;
        return [s.name, new Set<string>((action?.spec.results ?? s.results ?? []).map((r: Doc) => r.name))];
      }),
    ),
  };
}

/** Every $(…) reference in a subtree, checked against what the scope declares. */
function references(node: unknown, scope: Scope, path: string, problems: string[]): void {
  if (typeof node === 'string') {
    for (const [, ref] of node.matchAll(/\$\(([^()]*)\)/g)) {
      const why = resolve(ref!, scope, node);
      if (why) problems.push(`${path}: $(${ref}) ${why}`);
    }
  } else if (Array.isArray(node)) node.forEach((n, i) => references(n, scope, `${path}[${i}]`, problems));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) references(v, scope, `${path}.${k}`, problems);
}

function resolve(ref: string, scope: Scope, whole: string): string | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^params\.([^.[\]]+)(\[\*\]|\[\d+\]|\.[A-Za-z0-9_.-]+)?$/.exec(ref))) {
    const type = scope.params.get(m[1]!);
    if (!type) return 'names an undeclared param';
    if (type === 'array' && m[2] === '[*]' && whole !== `$(${ref})`) return 'expands an array inside a string';
    if (type === 'array' && !m[2]) return 'uses an array param as a string';
    return undefined;
  }
  if ((m = /^results\.([^.]+)\.path$/.exec(ref))) return scope.results?.has(m[1]!) ? undefined : 'names an undeclared task result';
  if ((m = /^step\.results\.([^.]+)\.path$/.exec(ref)))
    return scope.stepResults?.has(m[1]!) ? undefined : 'names an undeclared step result';
  if ((m = /^steps\.([^.]+)\.results\.([^.]+)$/.exec(ref))) {
    const results = scope.steps?.get(m[1]!);
    return !results ? 'names an unknown step' : results.has(m[2]!) ? undefined : 'names a result the step does not declare';
  }
  if ((m = /^workspaces\.([^.]+)\.(path|bound|claim|volume)$/.exec(ref)))
    return scope.workspaces.has(m[1]!) ? undefined : 'names an undeclared workspace';
  if ((m = /^tasks\.([^.]+)\.results\.([^.]+)$/.exec(ref))) {
    if (!scope.tasks?.has(m[1]!)) return 'names an unknown pipeline task';
    const results = scope.tasks.get(m[1]!);
    return !results || results.has(m[2]!) ? undefined : 'names a result the task does not declare';
  }
  if (/^context\.(taskRun|task|pipelineRun|pipeline)\.[a-zA-Z]+$/.test(ref)) return undefined;
  return 'is not a variable Tekton knows';
}

/** Task-level checks: names, references, scripts, steps that use a StepAction. */
function checkTaskSpec(spec: Doc, where: string): string[] {
  const problems: string[] = [];
  for (const p of spec.params ?? []) if (!PARAM_NAME.test(p.name)) problems.push(`${where}: param name ${p.name}`);
  for (const r of spec.results ?? []) if (!RESULT_NAME.test(r.name)) problems.push(`${where}: result name ${r.name}`);
  const stepNames = (spec.steps ?? []).map((s: Doc) => s.name);
  for (const n of stepNames) if (!DNS_LABEL.test(n) || n.length > 63) problems.push(`${where}: step name ${n}`);
  if (new Set(stepNames).size !== stepNames.length) problems.push(`${where}: step names are not unique`);
  const scope = taskScope(spec);
  const { params: _p, workspaces: _w, ...rest } = spec;
  references(rest, scope, where, problems);
  for (const step of spec.steps ?? []) {
    if (step.script?.includes('$(')) problems.push(`${where}: step ${step.name} has a Tekton variable in its script`);
    if (step.ref)
      for (const f of ['image', 'command', 'args', 'script', 'env', 'volumeMounts'])
        if (step[f]) problems.push(`${where}: step ${step.name} uses ref and ${f}`);
  }
  return problems;
}

const webhook = suite("Tekton's webhook: names and references");
webhook('the buildpacks Task', () => {
  assert.equal(checkTaskSpec(TASK.spec, 'Task buildpacks'), []);
});
webhook('the cnb-report StepAction', () => {
  const spec = STEP_ACTION.spec;
  const problems: string[] = [];
  for (const r of spec.results) if (!RESULT_NAME.test(r.name)) problems.push(r.name);
  const { params: _p, results: _r, ...rest } = spec;
  const scope: Scope = {
    params: new Map(spec.params.map((p: Doc) => [p.name, p.type])),
    stepResults: new Set(spec.results.map((r: Doc) => r.name)),
    workspaces: new Set(),
  };
  references(rest, scope, 'StepAction', problems);
  assert.not.ok('script' in spec, 'params cannot be used in a StepAction script; it has none');
  assert.equal(problems, []);
});
webhook('every other Task and embedded taskSpec', () => {
  for (const { file, doc } of byKind('Task').filter((d) => d.doc !== TASK)) assert.equal(checkTaskSpec(doc.spec, file), []);
  for (const { file, doc } of byKind('PipelineRun')) {
    for (const t of pipelineOf(doc).tasks) if (t.taskSpec) assert.equal(checkTaskSpec(t.taskSpec, `${file} ${t.name}`), []);
  }
});
webhook('runs bind what the Task declares: known params, required params and workspaces given', () => {
  const check = (task: Doc, params: Doc[] = [], workspaces: Doc[] = [], where: string) => {
    const declared = new Map(task.spec.params.map((p: Doc) => [p.name, p]));
    for (const p of params) assert.ok(declared.has(p.name), `${where}: unknown param ${p.name}`);
    for (const p of task.spec.params)
      if (p.default === undefined)
        assert.ok(
          params.some((g) => g.name === p.name),
          `${where}: ${p.name} is required`,
        );
    const bound = new Set(workspaces.map((w) => w.name));
    for (const w of task.spec.workspaces ?? []) if (!w.optional) assert.ok(bound.has(w.name), `${where}: workspace ${w.name} is required`);
    for (const w of bound)
      assert.ok(
        task.spec.workspaces.some((d: Doc) => d.name === w),
        `${where}: unknown workspace ${w}`,
      );
  };
  for (const { file, doc } of byKind('TaskRun')) check(named('Task', doc.spec.taskRef.name)!, doc.spec.params, doc.spec.workspaces, file);
  for (const { file, doc } of byKind('PipelineRun')) {
    const pipeline = pipelineOf(doc);
    const scope: Scope = {
      params: new Map(pipeline.params.map((p: Doc) => [p.name, p.type])),
      workspaces: new Set(pipeline.workspaces.map((w: Doc) => w.name)),
      tasks: new Map(
        pipeline.tasks.map((t: Doc) => [
          t.name,
          t.taskRef ? new Set(named('Task', t.taskRef.name)!.spec.results.map((r: Doc) => r.name)) : undefined,
        ]),
      ),
    };
    const problems: string[] = [];
    for (const t of pipeline.tasks) {
      references(t.params ?? [], scope, `${file} ${t.name}.params`, problems);
      if (t.taskRef) check(named('Task', t.taskRef.name)!, t.params, t.workspaces, `${file} ${t.name}`);
    }
    assert.equal(problems, []);
    assert.ok(
      pipeline.tasks.some((t: Doc) => /\$\(tasks\.build[a-z0-9-]*\.results\.IMAGE_DIGEST\)/.test(JSON.stringify(t.params ?? []))),
      'a later task uses the digest',
    );
    for (const given of doc.spec.params ?? [])
      assert.ok(
        pipeline.params.some((p: Doc) => p.name === given.name),
        `${file}: unknown pipeline param ${given.name}`,
      );
    for (const p of pipeline.params)
      if (p.default === undefined)
        assert.ok(
          (doc.spec.params ?? []).some((g: Doc) => g.name === p.name),
          `${file}: pipeline param ${p.name} is required`,
        );
    for (const spec of doc.spec.taskRunSpecs ?? [])
      assert.ok(
        pipeline.tasks.some((t: Doc) => t.name === spec.pipelineTaskName),
        `${file}: taskRunSpecs names no pipeline task ${spec.pipelineTaskName}`,
      );
  }
});
webhook('the checker catches a bad reference, a param in a script and a bad step name', () => {
  const task = structuredClone(TASK);
  task.spec.steps[2].args.push('--report=$(params.NOPE)', '$(results.MISSING.path)', '--x=$(params.TAGS[*])');
  task.spec.steps[0].script += '\necho $(params.APP_IMAGE)\n';
  task.spec.steps[1].name = 'Create';
  const problems = checkTaskSpec(task.spec, 'T').join('\n');
  for (const expected of [
    '$(params.NOPE) names an undeclared param',
    '$(results.MISSING.path) names an undeclared task result',
    'expands an array inside a string',
    'has a Tekton variable in its script',
    'step name Create',
  ]) {
    assert.ok(problems.includes(expected), `${expected} in\n${problems}`);
  }
});
webhook.run();

// --- The catalog's recommendations ------------------------------------------------------------

const PINNED = /@sha256:[a-f0-9]{64}$/;
const catalog = suite('catalog recommendations');
catalog('every image is pinned by digest, or is a param that is pinned or the user must give', () => {
  const images: [string, string, Doc[]][] = [
    ...[TASK, INDEX_TASK].flatMap((task) =>
      task.spec.steps.map((s: Doc) => [s.name, s.image, task.spec.params] as [string, string, Doc[]]),
    ),
    ['StepAction', STEP_ACTION.spec.image, STEP_ACTION.spec.params],
  ];
  for (const { doc } of byKind('PipelineRun'))
    for (const t of pipelineOf(doc).tasks) for (const s of t.taskSpec?.steps ?? []) images.push([s.name, s.image, []]);
  for (const [where, image, params] of images) {
    const param = /^\$\(params\.([^)]+)\)$/.exec(image);
    if (!param) {
      assert.match(image, PINNED, where);
      continue;
    }
    const p = params.find((x) => x.name === param[1]);
    assert.ok(p, `${where}: ${image}`);
    if (p.default !== undefined) assert.match(p.default, PINNED, `${where}: default of ${p.name}`);
  }
});
catalog('one cnb-report image digest everywhere (what `make release` stamps)', () => {
  const refs = [
    TASK.spec.params.find((p: Doc) => p.name === 'CNB_REPORT_IMAGE').default,
    INDEX_TASK.spec.params.find((p: Doc) => p.name === 'CNB_REPORT_IMAGE').default,
    STEP_ACTION.spec.image,
  ];
  assert.is(new Set(refs).size, 1, refs.join(' ≠ '));
  assert.match(refs[0], /\/cnb-report:[0-9.]+@sha256:[a-f0-9]{64}$/);
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.ok(refs[0].includes(`:${version}@`), `the image tag is the package version ${version}`);
});
catalog('no default looks like a release that is not: the placeholder is on a reserved domain with a zero digest', async () => {
  const { UNRELEASED } = await import('../../scripts/stamp.js');
  const ref: string = STEP_ACTION.spec.image;
  const zero = ref.endsWith(`@sha256:${'0'.repeat(64)}`);
  assert.is(zero, ref.startsWith(`${UNRELEASED}:`), `${ref}: a zero digest exactly on the unreleased placeholder`);
  if (zero) assert.match(TASK.spec.params.find((p: Doc) => p.name === 'CNB_REPORT_IMAGE').description, /No public image is published yet/);
});
catalog('annotations, labels and a description on every Task and StepAction', () => {
  for (const { file, doc } of [...byKind('Task'), ...byKind('StepAction')]) {
    const a = doc.metadata.annotations ?? {};
    for (const key of [
      'tekton.dev/pipelines.minVersion',
      'tekton.dev/categories',
      'tekton.dev/tags',
      'tekton.dev/displayName',
      'tekton.dev/platforms',
    ])
      assert.ok(a[key], `${file}: ${key}`);
    assert.ok(doc.metadata.labels?.['app.kubernetes.io/version'], `${file}: version label`);
    assert.ok(doc.spec.description, `${file}: spec.description`);
  }
});
catalog('minVersion is true to the features used', () => {
  const version = (v: string) =>
    v
      .split('.')
      .map(Number)
      .reduce((a, n) => a * 1000 + n, 0);
  for (const { file, doc } of [...byKind('Task'), ...byKind('StepAction')]) {
    const needs = [doc.apiVersion === 'tekton.dev/v1' ? '0.43.0' : '0.0.0'];
    if (doc.kind === 'StepAction') needs.push('0.60.0');
    if (doc.spec.steps?.some((s: Doc) => s.ref)) needs.push('0.60.0');
    if (doc.spec.steps?.some((s: Doc) => s.results)) needs.push('0.54.0');
    if (doc.kind === 'Task' && doc.spec.results?.some((r: Doc) => r.type === 'object')) needs.push('0.46.0');
    const declared = doc.metadata.annotations['tekton.dev/pipelines.minVersion'];
    for (const need of needs) assert.ok(version(declared) >= version(need), `${file}: minVersion ${declared} < ${need}`);
  }
});
catalog('non-root: the cnb-report steps run as 65532 with a read-only root', () => {
  for (const ctx of [
    TASK.spec.steps.find((s: Doc) => s.name === 'report').securityContext,
    INDEX_TASK.spec.steps[0].securityContext,
    STEP_ACTION.spec.securityContext,
  ]) {
    assert.equal([ctx.runAsNonRoot, ctx.runAsUser, ctx.readOnlyRootFilesystem, ctx.allowPrivilegeEscalation], [true, 65532, true, false]);
  }
});
catalog('the Task keeps every parameter of catalog buildpacks 0.6', () => {
  const names = TASK.spec.params.map((p: Doc) => p.name);
  for (const n of [
    'APP_IMAGE',
    'BUILDER_IMAGE',
    'SOURCE_SUBPATH',
    'ENV_VARS',
    'PROCESS_TYPE',
    'RUN_IMAGE',
    'CACHE_IMAGE',
    'SKIP_RESTORE',
    'USER_ID',
    'GROUP_ID',
    'PLATFORM_DIR',
  ]) {
    assert.ok(names.includes(n), n);
  }
  assert.equal(TASK.spec.params.find((p: Doc) => p.name === 'ENV_VARS').type, 'array');
});
catalog("the report steps' container count is the pod's: the kubelet's cap is taken from the real shape", async () => {
  const { podContainers } = await import('../pod/harness.ts');
  for (const { file, doc } of byKind('Task')) {
    const steps: Doc[] = doc.spec.steps;
    const report = steps.find((s) => s.name === 'report');
    if (!report) continue;
    const params = report.ref
      ? { ...paramValues(STEP_ACTION.spec.params, Object.fromEntries((report.params ?? []).map((p: Doc) => [p.name, p.value]))) }
      : paramValues(doc.spec.params);
    const args: string[] = report.ref ? STEP_ACTION.spec.args : report.args;
    const flag = substitute(
      args.find((a) => a.startsWith('--pod-containers='))!,
      params,
    ).split('=')[1];
    // auto: the steps in /tekton/steps, prepare, and place-scripts (a step without a script cannot see /tekton/scripts).
    const counted = flag === 'auto' ? steps.length + 2 : Number(flag);
    assert.is(counted, podContainers(steps).containers, `${file}: --pod-containers=${flag}`);
  }
});
catalog.run();

// --- The wiring runs --------------------------------------------------------------------------

/** Map a container path onto the test's directories, as the volume mounts would. */
function mounts(dir: string): Values {
  return {
    '/layers': join(dir, 'layers'),
    '/tekton': join(dir, 'tekton'),
    '/platform': join(dir, 'platform'),
    '/workspace': join(dir, 'workspace'),
  };
}
function remap(text: string, paths: Values): string {
  return Object.entries(paths).reduce((t, [from, to]) => t.replace(new RegExp(`(^|[=\\s"'])${from}(?=/|$|\\s|")`, 'g'), `$1${to}`), text);
}
/** Run a step the way its container would: the image's entrypoint (cnb-report) with its args. */
function runReportStep(step: Doc, values: Values, dir: string) {
  assert.not.ok(step.command || step.script, 'the step uses the image entrypoint');
  const args = expandArgs(step.args, values).map((a) => remap(a, mounts(dir)));
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}
function plantReport(dir: string, text: string): void {
  mkdirSync(join(dir, 'layers'), { recursive: true });
  writeFileSync(join(dir, 'layers/report.toml'), text);
}
const TWO_REPOS = reportToml({
  tags: ['registry.example.com/team/app:1.0.0', 'registry.example.com/team/app:latest', 'registry.example.com/mirror/app:1.0.0'],
  digest: DIGEST,
  'manifest-size': 3020,
});

const wiring = suite('the wiring runs: steps after Tekton substitution');
wiring("the Task's report step writes the task results, the run image from analyzed.toml included", () => {
  const dir = tempDir();
  plantReport(dir, TWO_REPOS);
  writeFileSync(
    join(dir, 'layers/analyzed.toml'),
    readFileSync(join(ROOT, 'test/fixtures/analyzed-toml/platform-0.12-run-image-target.toml')),
  );
  const values: Values = { ...paramValues(TASK.spec.params) };
  for (const r of TASK.spec.results) values[`results.${r.name}.path`] = `/tekton/results/${r.name}`;
  const run = runReportStep(
    TASK.spec.steps.find((s: Doc) => s.name === 'report'),
    values,
    dir,
  );
  assert.is(run.status, 0, run.stderr);
  assert.equal(snapshot(join(dir, 'tekton/results')), {
    IMAGES: `registry.example.com/mirror/app@${DIGEST}`,
    RUN_IMAGE_ARTIFACT_INPUTS:
      '{"uri":"oci://index.docker.io/paketobuildpacks/run-jammy-base","digest":"sha256:2b2bd4bf27a5a8e1b9d0b8e4c8f3ff2d39f5b0f1a7c1e0a6f3b9d8c7e6f5a4b3"}',
    IMAGE_DIGEST: DIGEST,
    IMAGE_URL: 'registry.example.com/team/app:1.0.0',
  });
});
wiring('the StepAction writes its step results, and the sample Task surfaces all four as task results', () => {
  const dir = tempDir();
  plantReport(dir, TWO_REPOS);
  writeFileSync(
    join(dir, 'layers/analyzed.toml'),
    readFileSync(join(ROOT, 'test/fixtures/analyzed-toml/platform-0.12-run-image-target.toml')),
  );
  const values: Values = { ...paramValues(STEP_ACTION.spec.params) };
  for (const r of STEP_ACTION.spec.results) values[`step.results.${r.name}.path`] = `/tekton/steps/step-report/results/${r.name}`;
  const run = runReportStep(STEP_ACTION.spec, values, dir);
  assert.is(run.status, 0, run.stderr);
  const stepResults = snapshot(join(dir, 'tekton/steps/step-report/results'));
  assert.is(stepResults.IMAGE_DIGEST, DIGEST);
  const sample = named('Task', 'build-and-report')!;
  const surfaced = Object.fromEntries(
    sample.spec.results.map((r: Doc) => [
      r.name,
      substitute(r.value, Object.fromEntries(Object.entries(stepResults).map(([k, v]) => [`steps.report.results.${k}`, v]))),
    ]),
  );
  assert.equal(surfaced, stepResults);
  assert.equal(
    Object.keys(surfaced).sort(),
    STEP_ACTION.spec.results.map((r: Doc) => r.name).sort(),
    'every StepAction result reaches the Task',
  );
  const object = sample.spec.results.find((r: Doc) => r.name === 'RUN_IMAGE_ARTIFACT_INPUTS');
  assert.equal([object.type, Object.keys(object.properties)], ['object', ['uri', 'digest']]);
  assert.ok(
    sample.spec.steps[0].env.some((e: Doc) => e.name === 'CNB_PLATFORM_API'),
    'the create step sets CNB_PLATFORM_API',
  );
});
wiring('a daemon report fails the step and leaves the results empty', () => {
  const dir = tempDir();
  plantReport(dir, reportToml({ tags: ['app'], 'image-id': 'a'.repeat(64) }));
  const values: Values = { ...paramValues(TASK.spec.params) };
  for (const r of TASK.spec.results) values[`results.${r.name}.path`] = `/tekton/results/${r.name}`;
  const run = runReportStep(
    TASK.spec.steps.find((s: Doc) => s.name === 'report'),
    values,
    dir,
  );
  assert.is(run.status, 5);
  assert.match(run.stderr, /daemon export/);
});
wiring("the create step's wrapper passes every TAGS item as -tag, the image last", () => {
  const dir = tempDir();
  const step = TASK.spec.steps.find((s: Doc) => s.name === 'create');
  const run = (tags: string[]) => {
    const values: Values = {
      ...paramValues(TASK.spec.params, { APP_IMAGE: 'r.io/app:1', BUILDER_IMAGE: 'b', TAGS: tags }),
      'workspaces.source.path': '/workspace/source',
      'workspaces.cache.path': '',
    };
    const creator = join(dir, 'creator');
    writeFileSync(creator, '#!/bin/sh\nfor a do printf "%s\\n" "$a"; done\n');
    chmodSync(creator, 0o755);
    const r = spawnSync('sh', ['-c', step.script.replace('/cnb/lifecycle/creator', creator), 'sh', ...expandArgs(step.args, values)], {
      encoding: 'utf8',
    });
    assert.is(r.status, 0, r.stderr);
    return r.stdout.trimEnd().split('\n');
  };
  const withTags = run(['r.io/app:latest', 'r.io/mirror/app:1']);
  assert.equal(withTags.slice(-3), ['-tag=r.io/app:latest', '-tag=r.io/mirror/app:1', 'r.io/app:1']);
  assert.ok(withTags.includes('-report=/layers/report.toml'));
  assert.not.ok(withTags.some((a) => a === '--tags' || a === '--image'));
  const none = run([]);
  assert.equal(none.at(-1), 'r.io/app:1');
  assert.not.ok(none.some((a) => a.startsWith('-tag')));
});
wiring('the prepare step writes ENV_VARS as platform env files and skips bad names', () => {
  const dir = tempDir();
  const step = TASK.spec.steps.find((s: Doc) => s.name === 'prepare');
  for (const d of ['layers', 'tekton/home', 'workspace/source']) mkdirSync(join(dir, d), { recursive: true });
  const env = Object.fromEntries(step.env.map((e: Doc) => [e.name, e.value]));
  const values: Values = {
    ...paramValues(TASK.spec.params, { ENV_VARS: ['BP_NODE_VERSION=22', 'WITH_EQUALS=a=b', '../escape=x', 'NOVALUE'] }),
    'workspaces.cache.bound': 'false',
    'workspaces.cache.path': '',
    'workspaces.source.path': '/workspace/source',
  };
  const builderEnv = { CNB_USER_ID: String(process.getuid!()), CNB_GROUP_ID: String(process.getgid!()) };
  const r = spawnSync('sh', ['-c', remap(step.script, mounts(dir)), 'sh', ...expandArgs(step.args, values)], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      ...builderEnv,
      ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, remap(substitute(v as string, values), mounts(dir))])),
    },
  });
  assert.is(r.status, 0, r.stderr);
  assert.equal(snapshot(join(dir, 'platform/env')), { BP_NODE_VERSION: '22', WITH_EQUALS: 'a=b' });
  assert.match(r.stderr, /skipping '\.\.\/escape=x'/);
  assert.match(r.stderr, /skipping 'NOVALUE'/);
  const none = spawnSync('sh', ['-c', step.script, 'sh'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, PARAM_USER_ID: '', PARAM_GROUP_ID: '' },
  });
  assert.is(none.status, 1);
  assert.match(none.stderr, /no CNB user: the builder image sets no CNB_USER_ID\/CNB_GROUP_ID/);
});
/** What the index command would receive for these arguments: the CLI's own parser and resolution. */
function indexOptions(argv: string[]) {
  const call = readArgv(argv);
  if (call.kind !== 'run' || call.command.name !== 'index') throw new Error(`not an index call: ${argv.join(' ')}`);
  return resolveIndex(new Given(call.command, call.values, {}), call.positionals, {});
}

wiring('the multi-arch sample: the index step gets both builds as manifests, the release and latest tags, the result paths', async () => {
  const builds = {
    'build-amd64': { IMAGE_URL: 'registry.example.com/team/app:1.0.0-amd64', IMAGE_DIGEST: `sha256:${'a'.repeat(64)}` },
    'build-arm64': { IMAGE_URL: 'registry.example.com/team/app:1.0.0-arm64', IMAGE_DIGEST: `sha256:${'b'.repeat(64)}` },
  };
  const args = multiArchIndexArgs(DOCS, builds, {}, '/tekton/results');
  let seen = indexOptions(args);
  assert.equal(seen.tags, ['registry.example.com/team/app:1.0.0', 'registry.example.com/team/app:latest']);
  assert.equal(seen.manifests, [
    `registry.example.com/team/app:1.0.0-amd64@sha256:${'a'.repeat(64)}`,
    `registry.example.com/team/app:1.0.0-arm64@sha256:${'b'.repeat(64)}`,
  ]);
  assert.equal(seen.resultPaths, {
    IMAGE_URL: '/tekton/results/IMAGE_URL',
    IMAGE_DIGEST: '/tekton/results/IMAGE_DIGEST',
    IMAGES: '/tekton/results/IMAGES',
  });
  // With no TAGS the empty --tag= adds nothing.
  const task = named('Task', 'buildpacks-index')!;
  const bare = expandArgs(task.spec.steps[0].args, {
    ...paramValues(task.spec.params, { IMAGE: 'r.io/a:1', MANIFESTS: ['r.io/a@x'] }),
    'workspaces.dockerconfig.path': '',
    'results.IMAGE_URL.path': '/u',
    'results.IMAGE_DIGEST.path': '/d',
    'results.IMAGES.path': '/i',
  });
  seen = indexOptions(bare);
  assert.equal([seen.tags, seen.manifests], [['r.io/a:1'], ['r.io/a@x']]);
});
wiring.run();

const lint = suite('@ibm/tekton-lint');
lint('finds nothing in tasks/, and does find problems in a bad Task (so it is really looking)', () => {
  const run = (files: string[]) => {
    const r = spawnSync(join(ROOT, 'node_modules/.bin/tekton-lint'), ['--format', 'json', ...files], { encoding: 'utf8', cwd: ROOT });
    return JSON.parse(r.stdout || '[]') as { message: string }[];
  };
  const ours = DOCS.map((d) => d.file).filter((f, i, all) => all.indexOf(f) === i);
  assert.equal(run(ours), []);
  const dir = tempDir();
  writeFileSync(
    join(dir, 'bad.yaml'),
    'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: bad\nspec:\n  steps:\n    - name: s\n      image: alpine\n      script: echo $(params.missing)\n',
  );
  assert.ok(run([join(dir, 'bad.yaml')]).some((p) => /Undefined param 'missing'/.test(p.message)));
});
lint.run();

const stamping = suite('scripts/stamp.js');
stamping('pins every cnb-report reference to one pushed repository, digest and the package version', async () => {
  const { stamp } = await import('../../scripts/stamp.js');
  const dir = tempDir();
  const digest = `sha256:${'ab'.repeat(32)}`;
  spawnSync('cp', ['-r', join(ROOT, 'tasks'), dir]);
  const changed: string[] = stamp('127.0.0.1:5000/team/cnb-report', digest, '9.9.9', join(dir, 'tasks'));
  assert.equal(changed.map((f) => f.slice(dir.length + 1)).sort(), [
    'tasks/buildpacks-index/buildpacks-index.yaml',
    'tasks/buildpacks/buildpacks.yaml',
    'tasks/cnb-report/cnb-report.yaml',
  ]);
  const refs = loadYaml(join(dir, 'tasks')).flatMap(
    ({ doc }) => JSON.stringify(doc).match(/[\w.:/-]*\/cnb-report:[\w.+-]+@sha256:[a-f0-9]{64}/g) ?? [],
  );
  assert.equal([...new Set(refs)], [`127.0.0.1:5000/team/cnb-report:9.9.9@${digest}`]);
  // A second release replaces the first.
  stamp('registry.example.com/cnb-report', digest.replace('ab', 'cd'), '9.9.10', join(dir, 'tasks'));
  assert.match(
    readFileSync(join(dir, 'tasks/cnb-report/cnb-report.yaml'), 'utf8'),
    /image: registry\.example\.com\/cnb-report:9\.9\.10@sha256:cdab/,
  );
  assert.throws(() => stamp('127.0.0.1:5000/team/cnb-report', 'sha256:nope', '1', join(dir, 'tasks')), /not a sha256 digest/);
  assert.throws(() => stamp('127.0.0.1:5000/team/cnb-report', `sha256:${'0'.repeat(64)}`, '1', join(dir, 'tasks')), /not a sha256 digest/);
  assert.throws(() => stamp('Team/cnb-report', digest, '1', join(dir, 'tasks')), /not a registry repository/);
  assert.throws(() => stamp('r.io/team/other', digest, '1', join(dir, 'tasks')), /not a registry repository/);
});
stamping.run();
