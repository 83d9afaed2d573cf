// From what argv said and the environment to each command's typed options.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readArgv } from '../../../src/cli/argv.ts';
import {
  dockerConfigPath,
  Given,
  kubeconfigFiles,
  resolveIndex,
  resolveResults,
  resolveShow,
  resolveTaskRunGet,
} from '../../../src/cli/resolve.ts';

function given(argv: string[], env: Record<string, string> = {}) {
  const call = readArgv(argv);
  if (call.kind !== 'run') throw new Error(call.kind);
  return { given: new Given(call.command, call.values, env), positionals: call.positionals, env };
}
const results = (argv: string[], env: Record<string, string> = {}) => resolveResults(given(['results', ...argv], env).given, env);
const usage = (f: () => unknown, message: RegExp) =>
  assert.throws(f, (e: { code: string; message: string }) => e.code === 'USAGE' && message.test(e.message));

const r = suite('resolve');
r('results: defaults, as a Tekton step needs them', () => {
  const o = results([], { HOME: '/home/x' });
  assert.is(o.report, '/layers/report.toml');
  assert.equal(o.analyzed, { path: '/layers/analyzed.toml', named: false });
  assert.is(o.verifyTimeoutMs, 10_000);
  assert.is(o.dockerConfig, '/home/x/.docker/config.json');
  assert.equal([o.tektonResults, o.verify, o.quiet, o.allowDaemon], [true, false, false, false]);
});
r('$CNB_REPORT_PATH replaces the default report, and analyzed.toml follows it; a flag beats both', () => {
  const o = results([], { CNB_REPORT_PATH: '/workspace/out/report.toml' });
  assert.equal([o.report, o.analyzed], ['/workspace/out/report.toml', { path: '/workspace/out/analyzed.toml', named: false }]);
  assert.is(results(['--report', 'r.toml'], { CNB_REPORT_PATH: '/x/report.toml' }).report, 'r.toml');
  assert.equal(results(['--analyzed', 'a.toml']).analyzed, { path: 'a.toml', named: true });
});
r('--result-path pairs, --insecure-registry list, durations', () => {
  const o = results(['--result-path', 'IMAGE_URL=/a=b', '--insecure-registry', ' r1:5000 ,,r2', '--verify-timeout', '1m30s']);
  assert.equal(o.resultPaths, { IMAGE_URL: '/a=b' });
  assert.equal(o.insecureRegistries, ['r1:5000', 'r2']);
  assert.is(o.verifyTimeoutMs, 90_000);
});
r('a bad value is a usage error naming its own option, with or without --verify', () => {
  usage(() => results(['--verify-timeout', '10x']), /^--verify-timeout "10x": expected a duration/);
  usage(() => results(['--result-path', 'NOPE=/x']), /^--result-path "NOPE=\/x": expected NAME=PATH with NAME one of IMAGE_URL/);
  usage(() => results(['--result-path', 'IMAGE_URL=']), /expected NAME=PATH/);
  const g = given(['taskrun', 'get', 'x', '--timeout', 'soon']);
  usage(() => resolveTaskRunGet(g.given, g.positionals, {}), /^--timeout "soon"/);
});
r('show: the analyzed.toml default sits beside the report', () => {
  const g = given(['show', '--report', 'out/report.toml']);
  assert.equal(resolveShow(g.given), { report: 'out/report.toml', analyzed: { path: 'out/analyzed.toml', named: false }, output: 'json' });
});
r('taskrun get: --wait-for-chains implies --wait; the kubeconfig comes from the given environment', () => {
  const g = given(['taskrun', 'get', 'b-1', '--wait-for-chains', '--timeout', '90s'], { KUBECONFIG: '/a/config:/b/config' });
  const o = resolveTaskRunGet(g.given, g.positionals, g.env);
  assert.equal([o.name, o.wait, o.waitForChains, o.timeoutMs, o.output], ['b-1', true, true, 90_000, 'text']);
  assert.equal(o.kubeconfig, ['/a/config', '/b/config']);
});
r('credentials and kubeconfig locations, as docker and kubectl find them', () => {
  assert.is(dockerConfigPath({ DOCKER_CONFIG: '/workspace/dockerconfig', HOME: '/h' }), '/workspace/dockerconfig/config.json');
  assert.is(dockerConfigPath({ HOME: '/h' }), '/h/.docker/config.json');
  assert.is(dockerConfigPath({}), undefined, 'no HOME: anonymous, as go-containerregistry');
  assert.equal(kubeconfigFiles({}), [], 'no HOME: the in-cluster service account');
  assert.equal(kubeconfigFiles({ HOME: '/h' }), ['/h/.kube/config']);
  assert.equal(kubeconfigFiles({ KUBECONFIG: '::/k1::/k2', HOME: '/h' }), ['/k1', '/k2']);
});
r('index: repeated and comma-separated --tag (empty items dropped); --manifest values, then positional ones', () => {
  const g = given(
    [
      'index',
      '--tag',
      'r.io/a:1',
      '--tag=',
      '--tag',
      'r.io/a:2,r.io/a:3',
      '--manifest',
      'r.io/a@m1',
      'r.io/a@m2',
      'r.io/a@m3',
      '--insecure-registry',
      'r.io',
      '--result-path',
      'IMAGES=/x',
      '-q',
    ],
    { HOME: '/h' },
  );
  const o = resolveIndex(g.given, g.positionals, g.env);
  assert.equal(o.tags, ['r.io/a:1', 'r.io/a:2', 'r.io/a:3']);
  assert.equal(o.manifests, ['r.io/a@m1', 'r.io/a@m2', 'r.io/a@m3']);
  assert.equal(
    [o.resultPaths, o.insecureRegistries, o.quiet, o.verifyTimeoutMs, o.dockerConfig],
    [{ IMAGES: '/x' }, ['r.io'], true, 10_000, '/h/.docker/config.json'],
  );
  const bad = given(['index', '--tag', 'a', '--result-path', 'NOPE=/x']);
  usage(() => resolveIndex(bad.given, bad.positionals, {}), /^--result-path "NOPE=\/x"/);
});
r.run();
