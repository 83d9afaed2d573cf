// node --random-seed=1 --predictable scripts/code-cache.cjs DIST [EXAMPLES]
// Make DIST/cli.<node version>-<arch>.codecache for the node running this: run the bundle once
// with the buildpacks Task's report-step argv on EXAMPLES/report.toml and analyzed.toml
// (default: examples/ beside this script), then keep what V8 compiled, with the bundle it was
// compiled from (src/cli/start.ts uses it only for that bundle). Run by the build for the
// host's node, and in the image build by the image's own node.
//
// The two flags make the bytes the same on every run, so the image stays reproducible: the seed
// fixes V8's hash seed, and --predictable keeps background threads from ageing bytecode at
// different moments (without it, Node 24 wrote one of two caches, about one run in six). V8
// leaves both out of the flags a cache must match, so a plain `node` accepts the cache.
'use strict';
const { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

/**
 * tasks/buildpacks/buildpacks.yaml's report step after Tekton's substitution, with the params'
 * defaults, /layers at LAYERS and the result paths in RESULTS (a test holds the two equal).
 */
function taskArgv(layers, results) {
  return [
    'results',
    `--report=${layers}/report.toml`,
    '--verify=false',
    '--insecure-registry=',
    ...['IMAGE_URL', 'IMAGE_DIGEST', 'IMAGES', 'RUN_IMAGE_ARTIFACT_INPUTS'].map((n) => `--result-path=${n}=${results}/${n}`),
    '--pod-containers=auto',
    '--extra-containers=0',
    '--results-from=termination-message',
  ];
}

const FLAGS = ['--random-seed=1', '--predictable'];

function main([dist, examples = join(__dirname, '../examples')]) {
  if (!dist || FLAGS.some((f) => !process.execArgv.includes(f))) {
    throw new Error(`usage: node ${FLAGS.join(' ')} scripts/code-cache.cjs DIST [EXAMPLES]`);
  }
  const { CACHE, cacheFile, readBundle, runBundle } = require(resolve(dist, 'cnb-report.cjs'));
  const source = readBundle();
  // The executable compares the bundle one byte a character: it must be ASCII (esbuild's default).
  if ([...source].some((c) => c.charCodeAt(0) > 0x7f)) throw new Error(`${dist}/cli.cjs is not ASCII`);
  const work = mkdtempSync(join(tmpdir(), 'cnb-report-code-cache-'));
  const layers = join(work, 'layers');
  mkdirSync(layers);
  for (const file of ['report.toml', 'analyzed.toml']) copyFileSync(join(examples, file), join(layers, file));
  process.argv = [process.execPath, resolve(dist, 'cnb-report.cjs'), ...taskArgv(layers, join(work, 'results'))];
  const script = runBundle(source);
  process.on('exit', (code) => {
    rmSync(work, { recursive: true, force: true });
    if (code !== 0) return void process.stderr.write(`code-cache: the training run exited ${code}; no cache written\n`);
    writeFileSync(CACHE, cacheFile(source, script.createCachedData()));
  });
}

if (require.main === module) main(process.argv.slice(2));
module.exports = { FLAGS, taskArgv };
