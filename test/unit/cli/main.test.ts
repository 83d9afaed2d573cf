// The `results` fast path (yargs-parser) and full yargs must read argv identically: for every
// vector here, either the fast path declines, or both produce the same options.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildParser, handlers } from '../../../src/cli/yargs.ts';
import { fastResults, main } from '../../../src/cli/main.ts';
import type { Io } from '../../../src/cli/io.ts';
import type { ResultsOptions } from '../../../src/cli/options.ts';

const env = { CNB_REPORT_PATH: '/env/report.toml' };
const quietIo = (lines: string[] = []): Io => ({ env, out: (t) => lines.push(t), err: (t) => lines.push(t) });

async function viaYargs(argv: string[]): Promise<ResultsOptions | Error> {
  let seen: ResultsOptions | undefined;
  try {
    await buildParser(quietIo(), { ...handlers, results: async (o) => void (seen = o) }).parseAsync(argv);
  } catch (err) {
    return err as Error;
  }
  return seen ?? new Error('no handler ran');
}

const same = suite('fast path ≡ yargs');
const VECTORS: string[][] = [
  ['results'],
  ['results', '--report', 'a.toml'],
  ['results', '--report=a.toml', '--results-dir', 'out', '--oci-layout', 'lay', '--media-type', 'docker'],
  ['results', '-q', '--allow-daemon'],
  ['results', '--quiet=false', '--no-allow-daemon'],
  ['results', '--report', 'a', '--report', 'b'],
  ['results', '--debug', '--report', '123'],
  ['results', '--results-dir', './r s'],
  ['results', '--result-path', 'IMAGE_URL=/a/u', '--result-path=IMAGE_DIGEST=/b/d', '-q'],
  ['results', '--result-path', 'IMAGES=x=y'],
  ['results', '--media-type', 'oci', '--media-type', 'docker', '-q', '-q'],
];
for (const argv of VECTORS) {
  same(argv.join(' '), async () => {
    const fast = fastResults(argv, env);
    assert.ok(fast, 'the fast path takes it');
    assert.equal(fast, await viaYargs(argv));
    if (argv.includes('--result-path')) assert.is(Object.keys(fast!.resultPaths).length, argv.filter((a) => a.startsWith('--result-path')).length);
  });
}
const DECLINED: string[][] = [
  ['results', '--help'],
  ['results', '-h'],
  ['results', '--version'],
  ['results', '--bogus'],
  ['results', 'extra'],
  ['results', '--report'],
  ['results', '--report', '--quiet'],
  ['results', '--', '--report', 'x'],
  ['results', '--media-type', 'tar'],
  ['results', '--reportt', 'x'],
  ['show'],
  [],
];
for (const argv of DECLINED) {
  same(`declines: ${argv.join(' ') || '(nothing)'}`, () => {
    assert.is(fastResults(argv, env), undefined);
  });
}

same('a bad --result-path is the same usage error on both paths', async () => {
  const argv = ['results', '--result-path', 'NOPE=/x'];
  const fromYargs = await viaYargs(argv);
  assert.instance(fromYargs, Error);
  assert.throws(() => fastResults(argv, env), (e: Error) => e.message === (fromYargs as Error).message && /expected NAME=PATH with NAME one of IMAGE_URL/.test(e.message));
});
same.run();

const errors = suite('main: errors become exit codes');
errors('usage errors exit 2 with one line', async () => {
  const lines: string[] = [];
  assert.is(await main(['results', '--bogus'], quietIo(lines)), 2);
  assert.equal(lines, ['cnb-report: Unknown argument: bogus (see cnb-report --help)']);
});
errors('no command is a usage error', async () => {
  const lines: string[] = [];
  assert.is(await main([], quietIo(lines)), 2);
  assert.match(lines.at(-1)!, /Name a command/);
});
errors('a missing report exits 3 and says why it may be missing', async () => {
  const lines: string[] = [];
  assert.is(await main(['results', '--report', '/nonexistent/report.toml'], quietIo(lines)), 3);
  assert.equal(lines, [
    'cnb-report: cannot read report /nonexistent/report.toml: no such file or directory (ENOENT) (the lifecycle writes report.toml only after a successful export)',
  ]);
});
errors('the default report path comes from $CNB_REPORT_PATH', async () => {
  const lines: string[] = [];
  assert.is(await main(['show'], quietIo(lines)), 3);
  assert.match(lines[0]!, /\/env\/report\.toml/);
});
errors.run();

const indexCmd = suite('index: what yargs hands the command');
async function indexOptionsOf(argv: string[]) {
  let seen: unknown;
  await buildParser(quietIo(), { ...handlers, index: async (o) => void (seen = o) }).parseAsync(argv);
  return seen as { tags: string[]; manifests: string[]; resultPaths: Record<string, string>; insecureRegistries: string[]; quiet: boolean };
}
indexCmd('repeated and comma-separated --tag (empty items dropped); --manifest values, then positional ones', async () => {
  const o = await indexOptionsOf(['index', '--tag', 'r.io/a:1', '--tag=', '--tag', 'r.io/a:2,r.io/a:3', '--manifest', 'r.io/a@m1', 'r.io/a@m2', 'r.io/a@m3', '--insecure-registry', 'r.io', '--result-path', 'IMAGES=/x', '-q']);
  assert.equal(o.tags, ['r.io/a:1', 'r.io/a:2', 'r.io/a:3']);
  assert.equal(o.manifests, ['r.io/a@m1', 'r.io/a@m2', 'r.io/a@m3']);
  assert.equal([o.resultPaths, o.insecureRegistries, o.quiet], [{ IMAGES: '/x' }, ['r.io'], true]);
});
indexCmd('usage errors: no --tag, an unknown option, a bad --result-path', async () => {
  for (const argv of [['index', 'r.io/a@m'], ['index', '--tag', 'a', '--bogus'], ['index', '--tag', 'a', '--result-path', 'NOPE=/x']]) {
    const lines: string[] = [];
    assert.is(await main(argv, quietIo(lines)), 2, argv.join(' '));
  }
});
indexCmd.run();
