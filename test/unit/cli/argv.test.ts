// The one parser, by table: what each argv vector reads as, and the usage error for each bad one.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readArgv, type Call } from '../../../src/cli/argv.ts';
import { COMMANDS, type CommandSpec } from '../../../src/cli/options.ts';

type Read = { command: string; values: Record<string, unknown>; positionals: string[] } | string;

function read(argv: string[]): Read {
  let call: Call;
  try {
    call = readArgv(argv);
  } catch (err) {
    const e = err as { code: string; message: string };
    assert.is(e.code, 'USAGE', e.message);
    return e.message;
  }
  if (call.kind !== 'run') return call.kind;
  return { command: call.command.name, values: { ...call.values }, positionals: [...call.positionals] };
}

const ok = suite('readArgv: accepted');
const ACCEPTED: [string[], string, Record<string, unknown>, string[]?][] = [
  [['results'], 'results', {}],
  [['results', '--report', 'a.toml'], 'results', { report: 'a.toml' }],
  [
    ['results', '--report=a.toml', '--results-dir', 'out', '--oci-layout', 'lay', '--media-type', 'docker'],
    'results',
    { report: 'a.toml', 'results-dir': 'out', 'oci-layout': 'lay', 'media-type': 'docker' },
  ],
  [['results', '-q', '--allow-daemon'], 'results', { quiet: true, 'allow-daemon': true }],
  [['results', '--quiet=false', '--no-allow-daemon'], 'results', { quiet: false, 'allow-daemon': false }],
  [['results', '--verify', 'true'], 'results', { verify: true }],
  [['results', '--verify=false', '--verify=true'], 'results', { verify: true }],
  [['results', '-q=true'], 'results', { quiet: true }],
  [['results', '--report', 'a', '--report', 'b'], 'results', { report: 'b' }],
  [['results', '--debug', '--report', '123'], 'results', { debug: true, report: '123' }],
  [['results', '--results-dir', './r s'], 'results', { 'results-dir': './r s' }],
  [['results', '--report', '-'], 'results', { report: '-' }],
  [['results', '--report=--odd'], 'results', { report: '--odd' }],
  [
    ['results', '--result-path', 'IMAGE_URL=/a/u', '--result-path=IMAGE_DIGEST=/b/d'],
    'results',
    { 'result-path': ['IMAGE_URL=/a/u', 'IMAGE_DIGEST=/b/d'] },
  ],
  [['results', '--insecure-registry='], 'results', { 'insecure-registry': '' }],
  [['results', '--insecure-registry', ''], 'results', { 'insecure-registry': '' }],
  [
    ['results', '--no-tekton-results', '--termination-message', '/dev/termination-log'],
    'results',
    { 'tekton-results': false, 'termination-message': '/dev/termination-log' },
  ],
  [['show', '-o', 'env'], 'show', { output: 'env' }],
  [['show', '-o=toml'], 'show', { output: 'toml' }],
  [['taskrun', 'get', 'build-1', '--wait', '-n', 'ci'], 'taskrun get', { wait: true, namespace: 'ci' }, ['build-1']],
  [['taskrun', 'get', '--', '-odd-name'], 'taskrun get', {}, ['-odd-name']],
  [['taskrun', 'create', '-f', 'tr.yaml', '--timeout', '5m'], 'taskrun create', { filename: 'tr.yaml', timeout: '5m' }],
  [['pod', 'get', 'p', '-c', 'step-report'], 'pod get', { container: 'step-report' }, ['p']],
  [['index', '--tag', 'a', '--', '--tag', 'b'], 'index', { tag: ['a'] }, ['--tag', 'b']],
  [['index', '--tag', 't', '--', '--get-yargs-completions'], 'index', { tag: ['t'] }, ['--get-yargs-completions']],
  [
    ['index', '--tag', 'r.io/a:1', '--tag=', '--manifest', 'r.io/a@m1', 'r.io/a@m2', '--', '--m3'],
    'index',
    { tag: ['r.io/a:1', ''], manifest: ['r.io/a@m1'] },
    ['r.io/a@m2', '--m3'],
  ],
];
for (const [argv, command, values, positionals = []] of ACCEPTED) {
  ok(argv.join(' '), () => assert.equal(read(argv), { command, values, positionals }));
}
ok.run();

const bad = suite('readArgv: usage errors name the bad word');
const REJECTED: [string[], RegExp][] = [
  [[], /^name a command, for example: cnb-report results \(see cnb-report --help\)$/],
  [['--debug'], /^name a command/],
  [['resluts'], /^unknown command "resluts"; did you mean results\?/],
  [['frobnicate'], /^unknown command "frobnicate" \(see cnb-report --help\)$/],
  [['taskrun'], /^name a taskrun command: get or create \(see cnb-report taskrun --help\)$/],
  [['taskrun', 'delete'], /^unknown taskrun command "delete": expected get or create/],
  [['results', '--bogus'], /^unknown option "--bogus" for cnb-report results \(see cnb-report results --help\)$/],
  [['results', '-x'], /^unknown option "-x"/],
  // Names Object.prototype has are not options (nor commands).
  [['show', '--constructor', 'x'], /^unknown option "--constructor" for cnb-report show/],
  [['results', '--hasOwnProperty=y'], /^unknown option "--hasOwnProperty"/],
  [['results', '--no-toString'], /^unknown option "--no-toString"/],
  [['constructor'], /^unknown command "constructor"/],
  [['toString', 'x'], /^unknown command "toString"/],
  [['results', '--no-report'], /^unknown option "--no-report"/],
  [['results', 'extra'], /^unexpected argument "extra"/],
  [['results', '--', '--report', 'x'], /^unexpected argument "--report"/],
  [['results', '--report'], /^--report needs a value/],
  [['results', '--report', '--quiet'], /^--report needs a value/],
  [['results', '--report='], /^--report needs a value, not an empty string/],
  [['results', '--oci-layout', ''], /^--oci-layout needs a value, not an empty string/],
  [['results', '--results-dir='], /^--results-dir needs a value, not an empty string/],
  [['results', '--termination-message', ' '], /^--termination-message needs a value, not an empty string/],
  [['results', '--verify-timeout'], /^--verify-timeout needs a value/],
  [['results', '--media-type', 'tar'], /^--media-type "tar": expected one of oci, docker/],
  // Fail-open booleans: the Task passes --verify=$(params.VERIFY); a typo must not mean "off".
  [['results', '--verify=yes'], /^--verify takes true or false, not "yes"/],
  [['results', '--verify=1'], /^--verify takes true or false, not "1"/],
  [['results', '--verify=TRUE'], /^--verify takes true or false, not "TRUE"/],
  [['results', '--verify='], /^--verify takes true or false, not ""/],
  [['results', '--no-verify=true'], /^--no-verify takes no value/],
  [['results', '--verify', 'yes'], /^unexpected argument "yes"/],
  [['show', '-o', 'yaml'], /^-o "yaml": expected one of json, toml, env/],
  [['taskrun', 'get'], /^cnb-report taskrun get needs <name>/],
  [['taskrun', 'get', 'a', 'b'], /^unexpected argument "b"/],
  [['taskrun', 'create'], /^cnb-report taskrun create needs --filename \(-f\)/],
  [['taskrun', 'create', '-f'], /^-f needs a value/],
  [['pod', 'get', 'p', '-o', 'text'], /^-o "text": expected one of json, env/],
  [['index', 'r.io/a@m'], /^cnb-report index needs --tag/],
  [['index', '--tag', 'a', '--bogus'], /^unknown option "--bogus" for cnb-report index/],
];
for (const [argv, message] of REJECTED) {
  bad(argv.join(' ') || '(nothing)', () => {
    const said = read(argv);
    assert.type(said, 'string', `accepted: ${JSON.stringify(said)}`);
    assert.match(said as string, message);
  });
}
bad.run();

const modes = suite('readArgv: help, version and completion go to yargs');
for (const [argv, kind] of [
  [['--help'], 'help'],
  [['results', '-h'], 'help'],
  [['taskrun', 'get', '--help'], 'help'],
  [['--version'], 'version'],
  [['completion'], 'completion'],
  [['--get-yargs-completions', 'res'], 'completion'],
] as const) {
  modes(argv.join(' '), () => assert.is(read([...argv]), kind));
}
modes('--help after -- is an argument, not a request for help', () => {
  assert.match(read(['results', '--', '--help']) as string, /unexpected argument "--help"/);
});
modes('every option and alias in the table is readable', () => {
  for (const command of COMMANDS as readonly CommandSpec[]) {
    const required = Object.entries(command.options)
      .filter(([, s]) => s.required)
      .flatMap(([n]) => [`--${n}`, 'x']);
    const base = [...command.name.split(' '), ...(command.positionals ?? []).map(() => 'p'), ...required];
    for (const [name, spec] of Object.entries(command.options)) {
      const value = spec.type === 'boolean' ? 'true' : (spec.choices?.[0] ?? (name === 'result-path' ? 'IMAGE_URL=/x' : 'v'));
      for (const word of [`--${name}`, ...(spec.alias ? [`-${spec.alias}`] : [])]) {
        const call = readArgv([...base, `${word}=${value}`]);
        assert.ok(call.kind === 'run' && call.values[name] !== undefined, `${command.name} ${word}`);
      }
    }
  }
});
modes.run();
