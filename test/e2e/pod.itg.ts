// The pod-level proof: the Tasks under tasks/ run as a Tekton pod runs them (test/pod/harness.ts),
// with stand-in builders that behave like Paketo's where it matters (test/pod/standin-builder.sh),
// a real registry on loopback, and the cnb-report image that `make release` pushed there, pulled
// by the digest it stamped. Steps reach the registry through podman's --network=host.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../support/helpers.ts';
import { headManifest, startRegistry, type Registry } from '../support/registry.ts';
import { loadYaml, type Doc } from '../support/tekton.ts';
import { chainsView, entrypointMessage, kubeletCut, parseMessage, PODMAN_ENV, runTaskRun, type TaskRunOutcome } from '../pod/harness.ts';

const JAMMY = 'localhost/cnb-standin/builder-jammy:latest';
const BIONIC = 'localhost/cnb-standin/builder-bionic:latest';
const ARCHIVE = join(ROOT, 'build/image.oci.tar');

let registry: Registry;
let tasksDir = '';
let releaseLog = '';
const docs = () => loadYaml(tasksDir).map((d) => d.doc);
const task = (name: string) => docs().find((d) => d.kind === 'Task' && d.metadata.name === name)!;
const stepActions = () => docs().filter((d) => d.kind === 'StepAction');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = PODMAN_ENV) {
  const { FORCE_COLOR: _colour, ...quiet } = env; // uvu sets it, and Node warns beside NO_COLOR
  return spawnSync(cmd, args, { encoding: 'utf8', env: quiet, cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
}

/** A source workspace as a clone leaves it: root-owned, 0755 unless said otherwise. */
function source(mode = 0o755): string {
  const dir = tempDir('cnb-report-source-');
  writeFileSync(join(dir, 'package.json'), '{"name":"app"}\n');
  chmodSync(dir, mode);
  return dir;
}

function buildpacks(params: Record<string, string | string[]>, workspaces: Record<string, string> = {}): TaskRunOutcome {
  return runTaskRun({
    task: task('buildpacks'),
    params: { INSECURE_REGISTRIES: registry.host, ...params },
    workspaces: { source: source(), ...workspaces },
    network: 'host',
  });
}

function explain(outcome: TaskRunOutcome): string {
  return `${outcome.reason}\n${outcome.steps.map((s) => `--- ${s.name} (${s.user}) exit ${s.exitCode}\n${s.stdout}${s.stderr}`).join('\n')}`;
}

const pod = suite('pod-level e2e: the Tasks as a Tekton pod runs them');
pod.before(async () => {
  const builders = run('bash', [join(ROOT, 'test/pod/standin-builder.sh')]);
  if (builders.status !== 0) throw new Error(`standin-builder.sh: ${builders.stderr}`);
  registry = await startRegistry();
  // The builders' run image (their /cnb/run.toml names cnb-standin/run:latest): any image serves.
  const r = run('skopeo', [
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    `oci-archive:${ARCHIVE}`,
    `docker://${registry.host}/cnb-standin/run:latest`,
  ]);
  if (r.status !== 0) throw new Error(`skopeo: ${r.stderr}`);
  tasksDir = join(tempDir('cnb-report-tasks-'), 'tasks');
  cpSync(join(ROOT, 'tasks'), tasksDir, { recursive: true });
});
pod.after(() => registry?.stop());

pod('make release: refuses an image on stand-in bases; with ALLOW_STANDIN=1 pushes it and stamps its digest', async () => {
  const labels = JSON.parse(run('skopeo', ['inspect', '--config', `oci-archive:${ARCHIVE}`]).stdout).config?.Labels ?? {};
  const env = { ...PODMAN_ENV, REGISTRY: `${registry.host}/release`, RELEASE_TLS_VERIFY: 'false', TASKS: tasksDir };
  if (labels['io.cnb-report.base'] === 'stand-in') {
    const refused = run('make', ['--no-print-directory', 'release'], env);
    assert.is.not(refused.status, 0);
    assert.match(refused.stderr, /refusing build\/image\.oci\.tar: it was built on local stand-in base images/);
    assert.is((await headManifest(registry, 'release/cnb-report', '0.1.0')).status, 404, 'nothing pushed');
  } else console.log('  (the image is on the pinned bases: nothing to refuse)');
  const released = run('make', ['--no-print-directory', 'release'], { ...env, ALLOW_STANDIN: '1' });
  releaseLog = released.stdout + released.stderr;
  assert.is(released.status, 0, releaseLog);
  const served = await headManifest(registry, 'release/cnb-report', '0.1.0');
  assert.is(served.status, 200);
  const stamped = `${registry.host}/release/cnb-report:0.1.0@${served.digest}`;
  assert.is(task('buildpacks').spec.params.find((p: Doc) => p.name === 'CNB_REPORT_IMAGE').default, stamped);
  assert.is(stepActions()[0]!.spec.image, stamped);
  console.log(`\n  make release (loopback):\n${releaseLog.trim().replace(/^/gm, '    ')}`);
});

pod(
  'jammy-like builder (cnb 1001:1000), default params, TAGS in two repositories: Chains gets both, the run image as material',
  async () => {
    const app = `${registry.host}/team/app`;
    const cache = source(); // root-owned, as a fresh volume
    const outcome = buildpacks(
      { APP_IMAGE: `${app}:1`, BUILDER_IMAGE: JAMMY, TAGS: [`${app}:latest`, `${registry.host}/mirror/app:1`] },
      { cache },
    );
    assert.ok(outcome.succeeded, explain(outcome));
    assert.equal([outcome.containers, outcome.cap], [5, 2457], 'prepare + place-scripts + 3 steps');
    assert.match(outcome.steps[0]!.stdout, /the volumes go to 1001:1000/);
    assert.match(
      outcome.steps[2]!.image,
      new RegExp(`^${registry.host}/release/cnb-report@sha256:`),
      'the report step ran the released image, by digest',
    );
    const digest = (await headManifest(registry, 'team/app', '1')).digest!;
    assert.is((await headManifest(registry, 'mirror/app', '1')).digest, digest);
    const run = await headManifest(registry, 'cnb-standin/run', 'latest');
    assert.equal(outcome.results, {
      IMAGE_URL: `${app}:1`,
      IMAGE_DIGEST: digest,
      IMAGES: `${registry.host}/mirror/app@${digest}`,
      RUN_IMAGE_ARTIFACT_INPUTS: { uri: `oci://${registry.host}/cnb-standin/run`, digest: run.digest },
    });
    const chains = chainsView(outcome.results);
    assert.equal(chains.images, [`${app}@${digest}`, `${registry.host}/mirror/app@${digest}`]);
    assert.is(chains.signedBefore027, 2, 'no image twice, even for Chains before v0.27');
    assert.equal(chains.materials, [{ uri: `oci://${registry.host}/cnb-standin/run`, digest: run.digest }]);
    assert.equal(chains.errors, []);
    const report = outcome.steps[2]!;
    assert.ok(Buffer.byteLength(report.message!) <= 2457 && report.podMessage === report.message, 'the kubelet kept the whole message');
    assert.is(statSync(join(outcome.root, 'volumes/layers-dir/stand-in_buildpack/app/built')).uid, 1001);
    assert.is(statSync(join(cache, 'committed/stand-in.tar')).uid, 1001, 'the cache workspace was handed to the CNB user');
  },
);

pod('bionic-like builder (cnb 1000:1000), default params', () => {
  const outcome = buildpacks({ APP_IMAGE: `${registry.host}/team/bionic:1`, BUILDER_IMAGE: BIONIC });
  assert.ok(outcome.succeeded, explain(outcome));
  assert.match(outcome.steps[0]!.stdout, /the volumes go to 1000:1000/);
  assert.is(outcome.results.IMAGE_URL, `${registry.host}/team/bionic:1`);
  assert.is(statSync(join(outcome.root, 'volumes/layers-dir/stand-in_buildpack/app/built')).uid, 1000);
});

pod('the old default USER_ID/GROUP_ID 1000 with a jammy builder fails at create, as the lifecycle does (the stand-in is strict)', () => {
  const outcome = buildpacks({ APP_IMAGE: `${registry.host}/team/old:1`, BUILDER_IMAGE: JAMMY, USER_ID: '1000', GROUP_ID: '1000' });
  assert.not.ok(outcome.succeeded);
  assert.is(outcome.failedStep, 'create');
  assert.match(outcome.steps[1]!.stderr, /failed to exec as user 1000:1000: operation not permitted/);
  assert.equal(outcome.skipped, ['report']);
});

pod(
  "a report whose message exceeds the pod's cap: the report step fails, nothing written, and without the check the kubelet would have cut it",
  () => {
    const tags = Array.from({ length: 24 }, (_, i) => `${registry.host}/many/app-${i}:1`);
    const outcome = buildpacks({ APP_IMAGE: `${registry.host}/many/app:1`, BUILDER_IMAGE: JAMMY, TAGS: tags });
    assert.not.ok(outcome.succeeded);
    assert.is(outcome.failedStep, 'report');
    const report = outcome.steps[2]!;
    assert.is(report.exitCode, 6, report.stderr);
    assert.match(
      report.stderr,
      /over the 2457-byte cap for a pod of 5 containers: the kubelet keeps 12288 bytes \/ 5 containers \(3 steps in \/tekton\/steps, prepare, place-scripts assumed/,
    );
    assert.equal(readdirSync(join(outcome.root, 'tekton/results')), []);
    // The counterfactual: the same report under Tekton's 4096 rule alone, then the kubelet.
    const out = tempDir();
    const r = run(process.execPath, [
      join(ROOT, 'dist/cnb-report.cjs'),
      'results',
      '-q',
      '--report',
      join(outcome.root, 'volumes/layers-dir/report.toml'),
      '--results-dir',
      out,
    ]);
    assert.is(r.status, 0, r.stderr);
    const entries = readdirSync(out).map((key) => ({ key, value: readFileSync(join(out, key), 'utf8'), type: 1 }));
    const written = entrypointMessage(entries, [], '2026-01-01T00:00:00.000+00:00');
    assert.ok(written.message && Buffer.byteLength(written.message) > 2457, 'within 4096, so Tekton writes it');
    assert.match(parseMessage(kubeletCut(written.message!, 5)).error!, /could not be parsed as JSON/);
  },
);

pod('the StepAction sample Task: CNB_PLATFORM_API set, all four results surfaced, 3 containers', () => {
  const outcome = runTaskRun({
    task: task('build-and-report'),
    stepActions: stepActions(),
    params: { APP_IMAGE: `${registry.host}/team/sample:1`, BUILDER_IMAGE: JAMMY },
    // No prepare step in the sample: its source must be writable by the builder's user.
    workspaces: { source: source(0o777) },
    network: 'host',
    // The sample names no insecure registry; a TaskRun's podTemplate can.
    podTemplateEnv: { CNB_INSECURE_REGISTRIES: registry.host },
  });
  assert.ok(outcome.succeeded, explain(outcome));
  assert.equal([outcome.containers, outcome.cap], [3, 4096]);
  assert.equal(Object.keys(outcome.results).sort(), ['IMAGES', 'IMAGE_DIGEST', 'IMAGE_URL', 'RUN_IMAGE_ARTIFACT_INPUTS']);
  assert.is(outcome.results.IMAGES, '');
  assert.equal(Object.keys(outcome.results.RUN_IMAGE_ARTIFACT_INPUTS as object), ['uri', 'digest']);
  assert.equal(chainsView(outcome.results).images, [`${registry.host}/team/sample@${outcome.results.IMAGE_DIGEST}`]);
});

pod('a bad report: the TaskRun fails at the report step, with no results', () => {
  const outcome = buildpacks({ APP_IMAGE: `${registry.host}/team/bad:1`, BUILDER_IMAGE: JAMMY, ENV_VARS: ['STANDIN_CORRUPT_REPORT=1'] });
  assert.not.ok(outcome.succeeded);
  assert.is(outcome.failedStep, 'report');
  assert.is(outcome.steps[2]!.exitCode, 4, outcome.steps[2]!.stderr);
  assert.match(outcome.steps[2]!.stderr, /image\.digest/);
  assert.equal(outcome.results, {});
  assert.equal(readdirSync(join(outcome.root, 'tekton/results')), []);
});
pod.run();
