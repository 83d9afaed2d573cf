// End to end, all real and all on loopback: the image that `make image` built is pushed to a
// real registry under two tags in two repositories; report.toml is written from what the
// registry serves, the way the lifecycle writes it; the image runs as Tekton runs the step
// (uid 65532, read-only root, no network, report at /layers/report.toml, results in
// /tekton/results); every result is checked byte for byte against the registry.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, reportToml, snapshot, tempDir } from '../support/helpers.ts';
import { headManifest, startRegistry, type Registry } from '../support/registry.ts';
import { expandArgs, loadYaml, paramValues, type Doc, type Values } from '../support/tekton.ts';

const IMAGE = 'localhost/cnb-report:dev';
const ARCHIVE = join(ROOT, 'build/image.oci.tar');
const STATE = join(ROOT, 'build/containers');
const ENV = { ...process.env, CONTAINERS_CONF: join(STATE, 'containers.conf'), CONTAINERS_STORAGE_CONF: join(STATE, 'storage.conf') };

function sh(cmd: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8', env: ENV });
}
function ok(cmd: string, args: string[]): string {
  const r = sh(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A fresh layout as a Tekton pod has it: /layers/report.toml, an empty writable results dir. */
function podDirs(report: string) {
  const dir = tempDir('cnb-report-e2e-');
  mkdirSync(join(dir, 'layers'));
  writeFileSync(join(dir, 'layers/report.toml'), report);
  for (const d of ['results', 'steps']) {
    mkdirSync(join(dir, d));
    chownSync(join(dir, d), 65532, 65532);
  }
  return dir;
}

/** Run the image like the Task's step: no network, uid 65532, read-only root. */
function runStep(dir: string, args: string[], mounts: string[] = ['results:/tekton/results'], network = 'none') {
  return sh('podman', [
    'run',
    '--rm',
    `--network=${network}`,
    '--user=65532:65532',
    '--read-only',
    '--cap-drop=ALL',
    '--security-opt=no-new-privileges',
    `--volume=${join(dir, 'layers')}:/layers:ro`,
    ...mounts.map((m) => `--volume=${join(dir, m.split(':')[0]!)}:${m.split(':')[1]}`),
    IMAGE,
    ...args,
  ]);
}

let registry: Registry;
let digest = '';
let size = 0;
let tags: string[] = [];

const e2e = suite('e2e: the image, a real registry, run as Tekton would');
e2e.before(async () => {
  registry = await startRegistry();
  tags = [`${registry.host}/team/cnb-report:e2e`, `${registry.host}/mirror/cnb-report:e2e-mirror`];
  const digestFile = join(tempDir(), 'digest');
  for (const tag of tags)
    ok('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--digestfile', digestFile, `oci-archive:${ARCHIVE}`, `docker://${tag}`]);
  const served = await headManifest(registry, 'team/cnb-report', 'e2e');
  assert.is(served.status, 200);
  assert.is(served.digest, readFileSync(digestFile, 'utf8').trim(), 'skopeo and the registry agree on the digest');
  digest = served.digest!;
  size = served.size;
});
e2e.after(() => registry?.stop());

e2e('the pushed manifest is what `make image` recorded, and its size is the body length', async () => {
  assert.is(digest, readFileSync(join(ROOT, 'build/image.digest'), 'utf8').trim());
  const body = Buffer.from(
    await (
      await fetch(`${registry.url}/v2/team/cnb-report/manifests/${digest}`, {
        headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
    ).arrayBuffer(),
  );
  assert.is(body.length, size);
  const { createHash } = await import('node:crypto');
  assert.is(`sha256:${createHash('sha256').update(body).digest('hex')}`, digest);
});

e2e('results from a lifecycle-style report match the registry byte for byte', async () => {
  const dir = podDirs(reportToml({ tags, digest, 'manifest-size': size }));
  const r = runStep(dir, ['results']);
  assert.is(r.status, 0, r.stderr);
  const results = snapshot(join(dir, 'results'));
  assert.equal(results, { IMAGES: `${registry.host}/mirror/cnb-report@${digest}`, IMAGE_DIGEST: digest, IMAGE_URL: tags[0] });
  // Every repository@digest the results name resolves in the registry, to the same manifest.
  for (const ref of [`${results.IMAGE_URL!.replace(/:[^:/]+$/, '')}@${results.IMAGE_DIGEST}`, ...results.IMAGES!.split('\n')]) {
    const [name, d] = ref.split('@') as [string, string];
    const served = await headManifest(registry, name.slice(registry.host.length + 1), d);
    assert.is(served.status, 200, ref);
    assert.is(served.digest, digest, ref);
  }
});

e2e('--oci-layout writes a descriptor with the served size', () => {
  const dir = podDirs(reportToml({ tags, digest, 'manifest-size': size }));
  const r = runStep(dir, ['results', '--oci-layout=/tekton/results/layout'], ['results:/tekton/results']);
  assert.is(r.status, 0, r.stderr);
  const index = JSON.parse(readFileSync(join(dir, 'results/layout/index.json'), 'utf8'));
  assert.equal([index.manifests[0].digest, index.manifests[0].size], [digest, size]);
});

const DOCS = loadYaml(join(ROOT, 'tasks'));
const TASK = DOCS.find((d) => d.doc.kind === 'Task' && d.doc.metadata.name === 'buildpacks')!.doc;
const ACTION = DOCS.find((d) => d.doc.kind === 'StepAction')!.doc;

e2e("the Task's report step, after Tekton's substitutions, in the image", () => {
  const dir = podDirs(reportToml({ tags, digest, 'manifest-size': size }));
  const values: Values = { ...paramValues(TASK.spec.params) };
  for (const res of TASK.spec.results) values[`results.${res.name}.path`] = `/tekton/results/${res.name}`;
  const step = TASK.spec.steps.find((s: Doc) => s.name === 'report');
  const r = runStep(dir, expandArgs(step.args, values));
  assert.is(r.status, 0, r.stderr);
  assert.equal(Object.keys(snapshot(join(dir, 'results'))), ['IMAGES', 'IMAGE_DIGEST', 'IMAGE_URL']);
  assert.is(readFileSync(join(dir, 'results/IMAGE_DIGEST'), 'utf8'), digest);
});

e2e("the StepAction's step results, after Tekton's substitutions, in the image", () => {
  const dir = podDirs(reportToml({ tags, digest, 'manifest-size': size }));
  writeFileSync(
    join(dir, 'layers/analyzed.toml'),
    readFileSync(join(ROOT, 'test/fixtures/analyzed-toml/platform-0.12-run-image-target.toml')),
  );
  const values: Values = { ...paramValues(ACTION.spec.params) };
  for (const res of ACTION.spec.results) values[`step.results.${res.name}.path`] = `/tekton/steps/step-report/results/${res.name}`;
  const r = runStep(dir, expandArgs(ACTION.spec.args, values), ['steps:/tekton/steps/step-report/results']);
  assert.is(r.status, 0, r.stderr);
  assert.is(readFileSync(join(dir, 'steps/IMAGE_URL'), 'utf8'), tags[0]);
  assert.is(readFileSync(join(dir, 'steps/IMAGE_DIGEST'), 'utf8'), digest);
});

e2e('bad reports fail the step with a clear message and leave /tekton/results empty', () => {
  const cases: [string, number, RegExp][] = [
    [reportToml({ tags: ['my-app'], 'image-id': 'a'.repeat(64) }), 5, /daemon export/],
    ['[image]\n  tags = ["unterminated\n', 4, /not valid TOML at line 2/],
    [reportToml({ tags: ['r.io/app;reboot'], digest }), 4, /image\.tags\[0\]: "r\.io\/app;reboot" is not a valid image reference/],
  ];
  for (const [report, code, message] of cases) {
    const dir = podDirs(report);
    const r = runStep(dir, ['results']);
    assert.is(r.status, code, r.stderr);
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split('\n').length, 1);
    assert.equal(readdirSync(join(dir, 'results')), []);
  }
  // No report at all: the export failed.
  const dir = tempDir('cnb-report-e2e-');
  mkdirSync(join(dir, 'layers'));
  mkdirSync(join(dir, 'results'));
  chownSync(join(dir, 'results'), 65532, 65532);
  const r = runStep(dir, ['results']);
  assert.is(r.status, 3);
  assert.match(r.stderr, /only after a successful export/);
});
e2e.run();

const image = suite('the image itself');
image('non-root, entrypoint, labels; no shell, no node_modules, a small own layer', () => {
  const config = JSON.parse(ok('podman', ['image', 'inspect', IMAGE]))[0].Config;
  assert.is(config.User, '65532:65532');
  assert.equal(config.Entrypoint, ['/nodejs/bin/node', '/app/cnb-report.cjs']);
  for (const label of ['source', 'version', 'revision', 'licenses']) assert.ok(config.Labels[`org.opencontainers.image.${label}`], label);
  assert.is(config.Labels['org.opencontainers.image.version'], JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  assert.not.equal(sh('podman', ['run', '--rm', '--network=none', '--entrypoint=/bin/sh', IMAGE, '-c', 'true']).status, 0, 'no shell');
  const ctr = ok('podman', ['create', IMAGE]).trim();
  const files = ok('sh', ['-c', `podman export ${ctr} | tar -t`]).split('\n');
  // The image's bundles are the ones every other test runs (dist/, from the same sources).
  for (const bundle of ['cnb-report.cjs', 'cli.cjs']) {
    assert.is(ok('sh', ['-c', `podman export ${ctr} | tar -xO app/${bundle}`]), readFileSync(join(ROOT, 'dist', bundle), 'utf8'), bundle);
  }
  ok('podman', ['rm', ctr]);
  assert.not.ok(
    files.some((f) => f.includes('node_modules')),
    'no node_modules',
  );
  // Only the bundles (the entry and the chunks it imports on demand), their license notes, and
  // the code cache the image's node made.
  const app = files.filter((f) => f.startsWith('app/') && f !== 'app/');
  assert.equal(
    app.filter((f) => !/^app\/([a-z-]+\.cjs(\.LEGAL\.txt)?|cli\.v[\d.]+-x64\.codecache)$/.test(f)),
    [],
  );
  for (const bundle of ['app/cnb-report.cjs', 'app/cli.cjs', 'app/help.cjs', 'app/cluster.cjs', 'app/toml.cjs'])
    assert.ok(app.includes(bundle), bundle);
  assert.is(app.filter((f) => f.endsWith('.codecache')).length, 1, 'one code cache');
  const manifest = JSON.parse(ok('skopeo', ['inspect', '--raw', `oci-archive:${ARCHIVE}`]));
  const layers: number[] = manifest.layers.map((l: Doc) => l.size);
  const compressed = layers.reduce((a, b) => a + b, 0);
  const uncompressed = JSON.parse(ok('podman', ['image', 'inspect', IMAGE]))[0].Size;
  console.log(
    `\n  image: ${(compressed / 1e6).toFixed(1)} MB compressed (own layer ${(layers.at(-1)! / 1e3).toFixed(0)} kB), ${(uncompressed / 1e6).toFixed(1)} MB uncompressed`,
  );
  assert.ok(compressed <= 45e6, `${compressed} bytes compressed`);
  assert.ok(layers.at(-1)! < 2e6, 'own layer under 2 MB');
});
image("the step starts from the code cache that the image's node made", () => {
  const r = sh('podman', ['run', '--rm', '--network=none', '--read-only', '--user=65532:65532', IMAGE, '--version', '--debug']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /^cnb-report: debug: code cache used \/app\/cli\.v[\d.]+-x64\.codecache$/m);
});
image('reproducible: a rebuild without cache gives the same digest', () => {
  const before = readFileSync(join(ROOT, 'build/image.digest'), 'utf8').trim();
  const r = spawnSync('bash', [join(ROOT, 'scripts/image.sh')], { encoding: 'utf8', env: { ...ENV, NO_CACHE: '1' } });
  assert.is(r.status, 0, r.stderr);
  assert.is(readFileSync(join(ROOT, 'build/image.digest'), 'utf8').trim(), before);
});
image.run();
