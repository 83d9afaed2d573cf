// main() in-process: every outcome becomes stderr lines and an exit code in one place; help,
// version and completion come from yargs configured by the same table the parser reads.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../../src/cli/main.ts';
import type { Io } from '../../../src/cli/io.ts';
import { COMMANDS } from '../../../src/cli/options.ts';

function run(argv: string[], env: Record<string, string> = { CNB_REPORT_PATH: '/env/report.toml' }) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { env, out: (t) => out.push(t), err: (t) => err.push(t), progress: false };
  return main(argv, io).then((code) => ({ code, out: out.join('\n'), err }));
}

const m = suite('main');
m('usage errors exit 2 with one line, for every command', async () => {
  for (const argv of [
    ['results', '--bogus'],
    ['show', '-o'],
    ['taskrun', 'get'],
    ['pod', 'get', 'p', '--container'],
    ['results', '--verify=yes'],
  ]) {
    const r = await run(argv);
    assert.is(r.code, 2, argv.join(' '));
    assert.is(r.err.length, 1);
    assert.match(r.err[0]!, /^cnb-report: .*\(see cnb-report .*--help\)$/);
  }
});
m('a missing report exits 3 and says why it may be missing; the default comes from $CNB_REPORT_PATH', async () => {
  const r = await run(['show']);
  assert.is(r.code, 3);
  assert.equal(r.err, [
    'cnb-report: cannot read report /env/report.toml: no such file or directory (ENOENT) (the lifecycle writes report.toml only after a successful export)',
  ]);
});
m('--debug as the parser reads it: =true adds the stack, false does not', async () => {
  const on = await run(['show', '--report', '/nonexistent', '--debug=true']);
  assert.ok(on.err.length > 1 && on.err.some((l) => /\n\s+at /.test(l)), on.err.join('\n'));
  const off = await run(['show', '--report', '/nonexistent', '--debug', 'false']);
  assert.is(off.err.length, 1);
});
m('--version prints the version alone', async () => {
  const r = await run(['--version']);
  assert.equal([r.code, r.out], [0, '0.0.0-dev']);
});
m("--help lists every command; a command's --help lists every option of the table, with examples", async () => {
  const top = await run(['--help']);
  assert.is(top.code, 0);
  for (const word of ['results', 'show', 'index', 'taskrun', 'pod', 'completion']) assert.match(top.out, new RegExp(`cnb-report ${word}`));
  for (const command of COMMANDS) {
    const r = await run([...command.name.split(' '), '--help']);
    assert.is(r.code, 0, command.name);
    for (const name of Object.keys(command.options)) assert.match(r.out, new RegExp(`--${name}\\b`), `${command.name} --${name}`);
    assert.match(r.out, /Examples:/);
  }
  assert.match((await run(['results', '--help'])).out, /\[default: "\/layers\/report\.toml"\]|\$CNB_REPORT_PATH/);
});
m('completion: the script, and the commands', async () => {
  const script = await run(['completion']);
  assert.is(script.code, 0);
  assert.match(script.out, /complete -o bashdefault|compdef/);
  assert.equal((await run(['--get-yargs-completions', ''])).out.split('\n'), ['completion', 'results', 'show', 'index', 'taskrun', 'pod']);
});
m.run();
