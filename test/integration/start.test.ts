// The executable (src/cli/start.ts → dist/cnb-report.cjs) and the code cache the build makes for
// it (scripts/code-cache.cjs): the cache is used when it was made by this node and node has no
// flags, anything else falls back to compiling the bundle, and every way gives the same results.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { CLI, ROOT, snapshot, tempDir } from '../support/helpers.ts';
import { reportStepArgv } from '../support/tekton.ts';

const require = createRequire(import.meta.url);
const { FLAGS, taskArgv } = require(join(ROOT, 'scripts/code-cache.cjs')) as {
  FLAGS: string[];
  taskArgv: (layers: string, results: string) => string[];
};
/** The cache's file name, from the built executable (which runs nothing when required). */
const CACHE = basename((require(CLI) as { CACHE: string }).CACHE);

/** examples/ as a pod's /layers, and the report step's argv writing into a fresh directory. */
function taskStep(): { argv: string[]; results: string } {
  const work = tempDir();
  const layers = join(work, 'layers');
  mkdirSync(layers);
  for (const file of ['report.toml', 'analyzed.toml']) cpSync(join(ROOT, 'examples', file), join(layers, file));
  return { argv: reportStepArgv(layers, join(work, 'results')), results: join(work, 'results') };
}

/** Run an executable as the Task does (no NODE_OPTIONS), with --debug to hear about the cache. */
function run(cli: string, argv: readonly string[], node: readonly string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...node, cli, ...argv, '--debug'], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  return { status: r.status, stdout: r.stdout, cache: /^cnb-report: debug: code cache (.*)$/m.exec(r.stderr)?.[1] ?? r.stderr };
}

/** A copy of dist/ to break. */
function distCopy(): string {
  const dist = join(tempDir(), 'dist');
  cpSync(join(ROOT, 'dist'), dist, { recursive: true });
  return dist;
}

/** The Task step's outputs through the given executable; asserts exit 0 and the cache state. */
function taskOutputs(cli: string, cache: RegExp, node: readonly string[] = [], env: Record<string, string> = {}) {
  const step = taskStep();
  const r = run(cli, step.argv, node, env);
  assert.is(r.status, 0, r.cache);
  assert.match(r.cache, cache);
  return { stdout: r.stdout, files: snapshot(step.results) };
}

const start = suite('the executable and its code cache');

start('the build leaves a cache for this node beside the bundle, and a plain run uses it', () => {
  assert.ok(readdirSync(join(ROOT, 'dist')).includes(CACHE), `dist/ has ${CACHE}`);
  const r = run(CLI, ['--version']);
  assert.is(r.cache, `used ${join(ROOT, 'dist', CACHE)}`);
});

start('with the cache, without it, with node flags, NODE_OPTIONS or NODE_V8_COVERAGE, or a cut-short cache: the same results', () => {
  const cached = taskOutputs(CLI, /^used /);
  assert.is(Object.keys(cached.files).length, 4);
  assert.match(cached.files.RUN_IMAGE_ARTIFACT_INPUTS!, /"uri":"oci:\/\/index.docker.io\/paketobuildpacks\/run-jammy-base"/);

  const none = distCopy();
  rmSync(join(none, CACHE));
  assert.equal(taskOutputs(join(none, 'cnb-report.cjs'), /^not used: there is no .*\.codecache$/), cached);
  // Any V8 flag would make V8 reject the cache, at more cost than having none: it is not offered.
  assert.equal(taskOutputs(CLI, /^not used: node was given flags \(--no-warnings\)$/, ['--no-warnings']), cached);
  assert.equal(taskOutputs(CLI, /^not used: NODE_OPTIONS is set$/, [], { NODE_OPTIONS: '--no-warnings' }), cached);

  // V8's part cut short (a write that did not finish): V8 rejects it and compiles the bundle.
  const cut = distCopy();
  const length = readFileSync(join(cut, 'cli.cjs')).length;
  writeFileSync(join(cut, CACHE), readFileSync(join(cut, CACHE)).subarray(0, 4 + length + 4096));
  assert.equal(taskOutputs(join(cut, 'cnb-report.cjs'), /\.codecache rejected by V8$/), cached);
  assert.equal(taskOutputs(CLI, /^not used: NODE_V8_COVERAGE is set$/, [], { NODE_V8_COVERAGE: tempDir() }), cached);
});

start('a cli.cjs changed after the build, even to the same length, runs as it is: the cache is not used', () => {
  const changed = distCopy();
  const bundle = readFileSync(join(changed, 'cli.cjs'), 'utf8');
  assert.match(bundle, /wrote \$\{/);
  writeFileSync(join(changed, 'cli.cjs'), bundle.replace(/wrote \$\{/, 'WROTE ${'));
  const step = taskStep();
  const r = run(join(changed, 'cnb-report.cjs'), step.argv);
  assert.is(r.status, 0);
  assert.match(r.cache, /^not used: .*\.codecache was made from another cli\.cjs$/);
  assert.match(r.stdout, /^WROTE 4 results$/m);
});

start("another node's cache is not read; a link, a FIFO or a directory in its place is not followed or waited on", () => {
  const other = distCopy();
  const cache = join(other, CACHE);
  renameSync(cache, join(other, 'cli.v0.0.0-x64.codecache'));
  const cli = join(other, 'cnb-report.cjs');
  assert.match(run(cli, ['--version']).cache, /^not used: there is no .*\.codecache$/);
  symlinkSync(join(other, 'cli.v0.0.0-x64.codecache'), cache);
  assert.match(run(cli, ['--version']).cache, /^not used: cannot open .*\.codecache \(ELOOP\)$/);
  rmSync(cache);
  assert.is(spawnSync('mkfifo', [cache]).status, 0);
  const fifo = spawnSync(process.execPath, [cli, '--version', '--debug'], { encoding: 'utf8', timeout: 10_000 });
  assert.is(fifo.status, 0, 'a FIFO is not waited on');
  assert.match(fifo.stderr, /not used: .*\.codecache is not a regular file of at most \d+ bytes/);
  rmSync(cache);
  mkdirSync(cache);
  assert.match(run(cli, ['--version']).cache, /is not a regular file/);
});

start('--debug with a stderr that cannot be written: the step still runs and writes its results', () => {
  const step = taskStep();
  const r = spawnSync('sh', ['-c', 'exec "$0" "$@" --debug 2>/dev/full', process.execPath, CLI, ...step.argv], { encoding: 'utf8' });
  assert.is(r.status, 0);
  assert.equal(readdirSync(step.results).sort(), ['IMAGES', 'IMAGE_DIGEST', 'IMAGE_URL', 'RUN_IMAGE_ARTIFACT_INPUTS']);
});

start('errors and exit codes are the same through the cache', () => {
  const none = distCopy();
  rmSync(join(none, CACHE));
  const argv = ['results', '--report', join(ROOT, 'test/fixtures/report-toml/README.md')];
  const [a, b] = [CLI, join(none, 'cnb-report.cjs')].map((cli) => spawnSync(process.execPath, [cli, ...argv], { encoding: 'utf8' }));
  assert.is.not(a!.status, 0);
  assert.equal([a!.status, a!.stdout, a!.stderr], [b!.status, b!.stdout, b!.stderr]);
});
start.run();

const made = suite('scripts/code-cache.cjs');

made("it trains on the Task's own report step", () => {
  assert.equal(taskArgv('/L', '/R'), reportStepArgv('/L', '/R'));
});

made('the same bytes on every run (the image stays reproducible), and it refuses to run without its flags', () => {
  const dist = distCopy();
  const make = (flags: readonly string[]) =>
    spawnSync(process.execPath, [...flags, join(ROOT, 'scripts/code-cache.cjs'), dist], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
  const caches = [1, 2, 3].map(() => {
    rmSync(join(dist, CACHE), { force: true });
    assert.is(make(FLAGS).status, 0);
    return readFileSync(join(dist, CACHE));
  });
  assert.ok(caches[0]!.equals(caches[1]!) && caches[1]!.equals(caches[2]!), 'three runs, one cache');
  assert.ok(caches[0]!.equals(readFileSync(join(ROOT, 'dist', CACHE))), "the build's cache, made in another directory, is the same bytes");
  rmSync(join(dist, CACHE));
  const bare = make([]);
  assert.is.not(bare.status, 0);
  assert.match(bare.stderr, /usage: node --random-seed=1 --predictable scripts\/code-cache\.cjs DIST/);
  assert.not.ok(readdirSync(dist).includes(CACHE));
});
made.run();
