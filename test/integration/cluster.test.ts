// The cluster commands (taskrun get/create, pod get) and src/cluster.ts, as the built CLI,
// against the loopback API server of test/apiserver.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/core/errors.ts';
import { ApiServer, failed, pod, running, succeeded, taskRun } from '../support/apiserver.ts';
import { DIGEST, ROOT, cliAsync, tempDir } from '../support/helpers.ts';
import { loadYaml } from '../support/tekton.ts';

const RESULTS = {
  IMAGE_URL: 'registry.example.com/team/app:1.0.0',
  IMAGE_DIGEST: DIGEST,
  IMAGES: `registry.example.com/mirror/app@${DIGEST}`,
};

let api: ApiServer;
const used = new Set<string>();
const recordVerbs = () => api.verbs().forEach((v) => used.add(v));
let env: Record<string, string>;
const run = (...args: string[]) => cliAsync(args, { env });
const WATCH = /watch=true/;

/** A fresh loopback API server (and a kubeconfig for it) around every test of a suite. */
function withApiServer(s: ReturnType<typeof suite>): void {
  s.before.each(async () => {
    api = await new ApiServer().start();
    env = { KUBECONFIG: api.kubeconfig() };
  });
  s.after.each(() => {
    recordVerbs();
    return api.stop();
  });
}

function build(name: string, shape: (doc: Record<string, any>) => void = () => {}) {
  const doc = taskRun(name);
  shape(doc);
  return api.put('taskruns', doc);
}

const get = suite('taskrun get');
withApiServer(get);

get('-o json: the contract shape, from a succeeded v1 TaskRun', async () => {
  build('build-1', (d) => {
    succeeded(d, RESULTS);
    d.metadata.annotations = {
      'chains.tekton.dev/signed': 'true',
      'chains.tekton.dev/transparency': 'https://rekor.example/api/v1/log/entries?logIndex=7',
    };
  });
  const r = await run('taskrun', 'get', 'build-1', '-o', 'json');
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), {
    name: 'build-1',
    namespace: 'builds',
    status: 'Succeeded',
    reason: 'Succeeded',
    message: 'All Steps have completed executing',
    image: { url: RESULTS.IMAGE_URL, digest: DIGEST, images: [`registry.example.com/team/app@${DIGEST}`, RESULTS.IMAGES] },
    results: RESULTS,
    chains: { transparency: 'https://rekor.example/api/v1/log/entries?logIndex=7', signed: true },
  });
  assert.equal(api.requests, ['GET /apis/tekton.dev/v1/namespaces/builds/taskruns/build-1']);
});
get('-o env: eval-safe lines', async () => {
  build('build-1', (d) => succeeded(d, RESULTS));
  const r = await run('taskrun', 'get', 'build-1', '-o', 'env');
  assert.is(r.status, 0, r.stderr);
  assert.is(
    r.stdout,
    `IMAGE_URL=${RESULTS.IMAGE_URL}\nIMAGE_DIGEST=${DIGEST}\nIMAGE_REF=registry.example.com/team/app@${DIGEST}\nIMAGES=registry.example.com/team/app@${DIGEST},${RESULTS.IMAGES}\n`,
  );
  const sh = spawnSync('sh', ['-c', 'eval "$(cat)"; printf %s "$IMAGE_REF"'], { input: r.stdout, encoding: 'utf8' });
  assert.is(sh.stdout, `registry.example.com/team/app@${DIGEST}`);
});
get('-o text (the default)', async () => {
  build('build-1', (d) => succeeded(d, RESULTS));
  const r = await run('taskrun', 'get', 'build-1');
  assert.is(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^TaskRun  build-1 \(namespace builds\)\nStatus   Succeeded \(Succeeded: All Steps have completed executing\)\nImage    registry\.example\.com\/team\/app@sha256:/,
  );
  assert.match(r.stdout, /\nAlso     registry\.example\.com\/mirror\/app@sha256:.*\nChains   not signed\n$/);
});
get('catalog task results (APP_IMAGE_URL/APP_IMAGE_DIGEST) are read too', async () => {
  build('old', (d) => succeeded(d, { APP_IMAGE_URL: 'r.io/app', APP_IMAGE_DIGEST: DIGEST }));
  const r = await run('taskrun', 'get', 'old', '-o', 'env');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^IMAGE_URL=r\.io\/app\n/);
});
get('not found: exit 22', async () => {
  const r = await run('taskrun', 'get', 'nope');
  assert.is(r.status, EXIT_CODES.NOT_FOUND);
  assert.is(r.stderr, 'cnb-report: taskrun nope not found in namespace builds\n');
});
get('forbidden: exit 23, naming the verb and resource', async () => {
  api.forbidden.add('get taskruns');
  const r = await run('taskrun', 'get', 'build-1');
  assert.is(r.status, EXIT_CODES.FORBIDDEN);
  assert.match(
    r.stderr,
    /^cnb-report: forbidden: cannot get tekton\.dev\/taskruns in namespace builds; the account needs RBAC verb "get" on resource "tekton\.dev\/taskruns"/,
  );
});
get('a wrong token: exit 23, unauthorized', async () => {
  const r = await cliAsync(['taskrun', 'get', 'x'], { env: { KUBECONFIG: api.kubeconfig('wrong') } });
  assert.is(r.status, EXIT_CODES.FORBIDDEN);
  assert.match(r.stderr, /unauthorized/);
});
get('a failed TaskRun: exit 20 with its reason and message; the summary is still printed', async () => {
  build('bad', failed);
  const r = await run('taskrun', 'get', 'bad', '-o', 'json');
  assert.is(r.status, EXIT_CODES.TASKRUN_FAILED);
  assert.is(JSON.parse(r.stdout).status, 'Failed');
  assert.is(r.stderr, 'cnb-report: taskrun bad failed: Failed: "step-create" exited with code 62\n');
});
get('still running without --wait: exit 24', async () => {
  build('busy', (d) => running(d, 1));
  const r = await run('taskrun', 'get', 'busy');
  assert.is(r.status, EXIT_CODES.NO_RESULT);
  assert.match(r.stderr, /has not finished \(Running\/Running\); use --wait/);
});
get('a malformed result: exit 24, nothing on stdout with -o env', async () => {
  build('odd', (d) => succeeded(d, { IMAGE_URL: 'r.io/app $(reboot)', IMAGE_DIGEST: DIGEST }));
  const r = await run('taskrun', 'get', 'odd', '-o', 'env');
  assert.is(r.status, EXIT_CODES.NO_RESULT);
  assert.is(r.stdout, '');
  assert.match(
    r.stderr,
    /succeeded but its results name no usable image: IMAGE_URL "r\.io\/app \$\(reboot\)" is not a valid image reference/,
  );
});
get('v1beta1 when the cluster does not serve v1 (status.taskResults)', async () => {
  api.v1beta1Only = true;
  build('legacy', (d) => succeeded(d, RESULTS));
  const r = await run('taskrun', 'get', 'legacy', '-o', 'env');
  assert.is(r.status, 0, r.stderr);
  assert.equal(api.requests, [
    'GET /apis/tekton.dev/v1/namespaces/builds/taskruns/legacy',
    'GET /apis/tekton.dev/v1beta1/namespaces/builds/taskruns/legacy',
  ]);
});
get('--context and -n choose the namespace as kubectl does', async () => {
  build('b', (d) => succeeded(d, RESULTS));
  api.put('taskruns', { ...taskRun('b', 'other'), status: structuredClone(api.get('taskruns', 'builds', 'b')!.status) });
  assert.is((await run('taskrun', 'get', 'b', '--context', 'other', '-o', 'json')).status, 0);
  assert.is((await run('taskrun', 'get', 'b', '-n', 'elsewhere')).status, EXIT_CODES.NOT_FOUND);
  assert.equal(
    api.requests.map((r) => r.split('/')[5]),
    ['other', 'elsewhere'],
  );
});
get('no kubeconfig, or an unreachable server: exit 25', async () => {
  const none = await cliAsync(['taskrun', 'get', 'x'], { env: { HOME: tempDir() } });
  assert.is(none.status, EXIT_CODES.CLUSTER_ERROR);
  assert.match(none.stderr, /no cluster configured/);
  const port = api.port;
  await api.stop();
  const down = await run('taskrun', 'get', 'x');
  assert.is(down.status, EXIT_CODES.CLUSTER_ERROR);
  assert.is(down.stderr, `cnb-report: cannot reach the API server at http://127.0.0.1:${port}: ECONNREFUSED\n`);
  api = await new ApiServer().start(); // for after.each
});
get.run();

const wait = suite('taskrun get --wait: a watch, not polling');
withApiServer(wait);

const watchRequests = () => api.requests.filter((r) => r.includes('watch=true'));

wait('follows MODIFIED events from the resourceVersion it read', async () => {
  const created = build('w', (d) => running(d, 0));
  const cli = run('taskrun', 'get', 'w', '--wait', '-o', 'env');
  await api.seen(WATCH);
  api.update('taskruns', 'builds', 'w', (d) => running(d, 1));
  api.update('taskruns', 'builds', 'w', (d) => succeeded(d, RESULTS));
  const r = await cli;
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^IMAGE_URL=/);
  assert.equal(watchRequests().length, 1);
  const query = new URLSearchParams(watchRequests()[0]!.split('?')[1]);
  assert.equal(
    [query.get('fieldSelector'), query.get('resourceVersion'), query.get('allowWatchBookmarks')],
    ['metadata.name=w', created.metadata.resourceVersion, 'true'],
  );
});
wait("--timeout beyond Node's 24.8-day timer limit waits, rather than timing out at once", async () => {
  build('long', (d) => running(d, 0));
  const cli = run('taskrun', 'get', 'long', '--wait', '--timeout', '600h', '-o', 'env');
  await api.seen(WATCH);
  api.update('taskruns', 'builds', 'long', (d) => succeeded(d, RESULTS));
  const r = await cli;
  assert.is(r.status, 0, r.stderr);
  assert.not.match(r.stderr, /TimeoutOverflowWarning/);
});
wait('resumes after a dropped connection from the last version seen (a BOOKMARK counts)', async () => {
  build('w', (d) => running(d, 0));
  api.dropWatches = 1; // the first watch connection drops as soon as it opens
  const cli = run('taskrun', 'get', 'w', '--wait');
  await api.seen(WATCH, 2);
  const bookmark = api.bookmark();
  await new Promise((r) => setTimeout(r, 50));
  api.dropOpenWatches(); // …and the second drops mid-watch, after a BOOKMARK
  await api.seen(WATCH, 3);
  api.update('taskruns', 'builds', 'w', (d) => succeeded(d, RESULTS));
  const r = await cli;
  assert.is(r.status, 0, r.stderr);
  const versions = watchRequests().map((w) => new URLSearchParams(w.split('?')[1]).get('resourceVersion'));
  assert.is(versions.length, 3, versions.join(' '));
  assert.is(versions[0], versions[1], 'resumed from the same version after the first drop');
  assert.is(versions[2], String(bookmark), 'resumed from the bookmark after the second');
  assert.is(api.requests.filter((x) => !WATCH.test(x)).length, 1, 'no re-list after a drop');
});
wait('410 Gone (an ERROR event): re-reads the TaskRun and watches from its new version', async () => {
  build('w', (d) => running(d, 0));
  api.expiredBefore = 1_000_000; // every version it can know is too old…
  const cli = run('taskrun', 'get', 'w', '--wait', '--timeout', '10s');
  await api.seen(/taskruns\/w$/, 2); // …so it re-reads after the ERROR event
  api.expiredBefore = 0;
  await api.seen(WATCH, 2);
  api.update('taskruns', 'builds', 'w', (d) => succeeded(d, RESULTS));
  const r = await cli;
  assert.is(r.status, 0, r.stderr);
});
wait('--timeout: exit 21 with the last status', async () => {
  build('slow', (d) => running(d, 1));
  const r = await run('taskrun', 'get', 'slow', '--wait', '--timeout', '700ms');
  assert.is(r.status, EXIT_CODES.TIMEOUT);
  assert.is(r.stderr, 'cnb-report: timed out waiting for taskrun slow (last status: Unknown/Running)\n');
});
wait('--timeout holds even when the server never answers the watch', async () => {
  build('slow', (d) => running(d, 1));
  api.stallWatches = true;
  const r = await run('taskrun', 'get', 'slow', '--wait', '--timeout', '500ms');
  assert.is(r.status, EXIT_CODES.TIMEOUT);
});
wait('an API server that goes away mid-watch: retried with backoff, then exit 25', async () => {
  build('w', (d) => running(d, 1));
  const cli = run('taskrun', 'get', 'w', '--wait');
  await api.seen(WATCH);
  await api.stop();
  const r = await cli;
  assert.is(r.status, EXIT_CODES.CLUSTER_ERROR);
  assert.match(r.stderr, /cannot reach the API server at .*: ECONNREFUSED/);
  api = await new ApiServer().start(); // for after.each
});
wait('a TaskRun that fails while waited on: exit 20', async () => {
  build('w', (d) => running(d, 1));
  const cli = run('taskrun', 'get', 'w', '--wait');
  await api.seen(WATCH);
  api.update('taskruns', 'builds', 'w', failed);
  assert.is((await cli).status, EXIT_CODES.TASKRUN_FAILED);
});
wait('deleted while waited on: exit 22', async () => {
  build('w', (d) => running(d, 1));
  const cli = run('taskrun', 'get', 'w', '--wait');
  await api.seen(WATCH);
  api.delete('taskruns', 'builds', 'w');
  const r = await cli;
  assert.is(r.status, EXIT_CODES.NOT_FOUND);
  assert.match(r.stderr, /was deleted while waiting/);
});
wait('a watch the account may not make: exit 23 naming "watch"', async () => {
  build('w', (d) => running(d, 1));
  api.forbidden.add('watch taskruns');
  const r = await run('taskrun', 'get', 'w', '--wait');
  assert.is(r.status, EXIT_CODES.FORBIDDEN);
  assert.match(r.stderr, /RBAC verb "watch"/);
});
wait('--wait-for-chains: waits past Succeeded until Chains marks it signed', async () => {
  build('w', (d) => succeeded(d, RESULTS));
  const cli = run('taskrun', 'get', 'w', '--wait-for-chains', '-o', 'json');
  await api.seen(WATCH);
  api.update('taskruns', 'builds', 'w', (d) => (d.metadata.annotations['chains.tekton.dev/signed'] = 'true'));
  const r = await cli;
  assert.is(r.status, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).chains.signed, true);
});
wait('--wait-for-chains when Chains gives up: exit 26', async () => {
  build('w', (d) => succeeded(d, RESULTS));
  const cli = run('taskrun', 'get', 'w', '--wait-for-chains');
  await api.seen(WATCH);
  api.update('taskruns', 'builds', 'w', (d) => (d.metadata.annotations['chains.tekton.dev/signed'] = 'failed'));
  assert.is((await cli).status, EXIT_CODES.SIGNING_FAILED);
});
wait.run();

const create = suite('taskrun create');
withApiServer(create);

function file(text: string): string {
  const path = join(tempDir(), 'taskrun.yaml');
  writeFileSync(path, text);
  return path;
}
const TASKRUN_YAML =
  'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata:\n  generateName: buildpacks-\nspec:\n  taskRef:\n    name: buildpacks\n';

create('honours generateName and prints the names, one per document', async () => {
  const r = await run(
    'taskrun',
    'create',
    '-f',
    file(`${TASKRUN_YAML}---\n${TASKRUN_YAML.replace('generateName: buildpacks-', 'name: fixed')}`),
  );
  assert.is(r.status, 0, r.stderr);
  const names = r.stdout.trim().split('\n');
  assert.is(names.length, 2);
  assert.match(names[0]!, /^buildpacks-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.is(names[1], 'fixed');
  assert.ok(api.get('taskruns', 'builds', names[0]!));
  assert.equal(
    api.requests.filter((x) => x.startsWith('POST')),
    ['POST /apis/tekton.dev/v1/namespaces/builds/taskruns', 'POST /apis/tekton.dev/v1/namespaces/builds/taskruns'],
  );
});
create('--wait -o env: names on stderr, only the result on stdout', async () => {
  const cli = run('taskrun', 'create', '-f', file(TASKRUN_YAML), '--wait', '-o', 'env');
  await api.seen(WATCH);
  const name = /taskruns\?watch=true&fieldSelector=metadata.name%3D([^&]+)/.exec(api.requests.find((x) => WATCH.test(x))!)![1]!;
  api.update('taskruns', 'builds', name, (d) => succeeded(d, RESULTS));
  const r = await cli;
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^IMAGE_URL=registry\.example\.com\/team\/app:1\.0\.0\n/);
  assert.is(r.stderr, `created taskrun ${name}\n`);
});
create('an existing name: the API server says AlreadyExists', async () => {
  build('fixed');
  const r = await run('taskrun', 'create', '-f', file(TASKRUN_YAML.replace('generateName: buildpacks-', 'name: fixed')));
  assert.is(r.status, EXIT_CODES.CLUSTER_ERROR);
  assert.match(r.stderr, /HTTP 409: taskruns\.tekton\.dev "fixed" already exists/);
});
create('only TaskRuns, checked before anything is created', async () => {
  const r = await run('taskrun', 'create', '-f', file(`${TASKRUN_YAML}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n`));
  assert.is(r.status, EXIT_CODES.USAGE);
  assert.match(r.stderr, /document 2: "v1\/ConfigMap" is not a tekton\.dev\/v1 or v1beta1 TaskRun/);
  assert.equal(api.requests, []);
});
create('malformed YAML, a missing file, and -n disagreeing with metadata.namespace: usage errors', async () => {
  assert.is((await run('taskrun', 'create', '-f', file('kind: [unclosed'))).status, EXIT_CODES.USAGE);
  assert.is((await run('taskrun', 'create', '-f', '/nonexistent.yaml')).status, EXIT_CODES.USAGE);
  const r = await run('taskrun', 'create', '-n', 'a', '-f', file(TASKRUN_YAML.replace('metadata:\n', 'metadata:\n  namespace: b\n')));
  assert.is(r.status, EXIT_CODES.USAGE);
  assert.match(r.stderr, /the namespace of a document \(b\) and -n \(a\) differ/);
  assert.equal(api.requests, []);
});
create("each document goes to its own namespace, else the context's (not the previous document's)", async () => {
  const r = await run(
    'taskrun',
    'create',
    '-f',
    file(`${TASKRUN_YAML.replace('metadata:\n', 'metadata:\n  namespace: other\n')}---\n${TASKRUN_YAML}`),
  );
  assert.is(r.status, 0, r.stderr);
  assert.equal(
    api.requests.filter((x) => x.startsWith('POST')),
    ['POST /apis/tekton.dev/v1/namespaces/other/taskruns', 'POST /apis/tekton.dev/v1/namespaces/builds/taskruns'],
  );
});
create('a failure after some were created names what was created', async () => {
  build('fixed');
  const r = await run(
    'taskrun',
    'create',
    '-f',
    file(`${TASKRUN_YAML}---\n${TASKRUN_YAML.replace('generateName: buildpacks-', 'name: fixed')}`),
  );
  assert.is(r.status, EXIT_CODES.CLUSTER_ERROR);
  assert.match(
    r.stderr,
    /^cnb-report: create tekton\.dev\/taskruns fixed: HTTP 409: .*already exists \(already created: taskrun builds\/buildpacks-[a-z0-9]{5}\)\n$/,
  );
});
create('a YAML alias bomb is refused before any request, quickly', async () => {
  const lol = [
    'apiVersion: tekton.dev/v1',
    'kind: TaskRun',
    'metadata:',
    '  generateName: lol-',
    'spec:',
    '  params:',
    '  - name: a',
    '    value: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ];
  for (let i = 1; i < 9; i++)
    lol.push(
      `  - name: a${i}`,
      `    value: &a${i} [${Array(9)
        .fill(i === 1 ? '*a' : `*a${i - 1}`)
        .join(',')}]`,
    );
  const r = await run('taskrun', 'create', '-f', file(lol.join('\n') + '\n'));
  assert.is(r.status, EXIT_CODES.USAGE, r.stderr);
  assert.match(
    r.stderr,
    /^cnb-report: .*document 1: expands to more than 3145728 bytes \(aliases of aliases\?\); a TaskRun that large cannot be created\n$/,
  );
  assert.equal(api.requests, []);
});
create('a document nested 50,000 levels deep: a usage error, one line, no request', async () => {
  const r = await run('taskrun', 'create', '-f', file(`${TASKRUN_YAML}  params: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`));
  assert.is(r.status, EXIT_CODES.USAGE, r.stderr);
  assert.match(r.stderr, /^cnb-report: .*not valid YAML: nesting exceeded maxDepth \(100\)[^\n]*\n$/);
  assert.equal(api.requests, []);
});
create('forbidden create: exit 23 naming "create"', async () => {
  api.forbidden.add('create taskruns');
  const r = await run('taskrun', 'create', '-f', file(TASKRUN_YAML));
  assert.is(r.status, EXIT_CODES.FORBIDDEN);
  assert.match(r.stderr, /RBAC verb "create"/);
});
create.run();

const pods = suite('pod get (termination message)');
withApiServer(pods);

const MESSAGE = JSON.stringify({ image: { tags: ['r.io/app:1', 'r.io/other:1'], digest: DIGEST, 'manifest-size': 3020 } });

pod_('reads and validates the report from the container that wrote it', async () => {
  api.put('pods', pod('build-pod', [{ name: 'build' }, { name: 'export', message: MESSAGE }]));
  const r = await run('pod', 'get', 'build-pod');
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), { pod: 'build-pod', namespace: 'builds', container: 'export', image: JSON.parse(MESSAGE).image });
  const e = await run('pod', 'get', 'build-pod', '-c', 'export', '-o', 'env');
  assert.match(e.stdout, /^IMAGE_URL=r\.io\/app:1\nIMAGE_DIGEST=sha256:[0-9a-f]{64}\nIMAGES=r\.io\/other@sha256:/);
});
pod_('no message, an unknown container, a message that is not a valid report: clear errors', async () => {
  api.put(
    'pods',
    pod('p', [
      { name: 'a' },
      { name: 'b', message: JSON.stringify({ image: { tags: ['bad tag'], digest: DIGEST } }) },
      { name: 'c', message: 'oops' },
    ]),
  );
  let r = await run('pod', 'get', 'p', '-c', 'a');
  assert.is(r.status, EXIT_CODES.NO_RESULT);
  assert.match(r.stderr, /container a of pod p has not terminated with a message/);
  r = await run('pod', 'get', 'p', '-c', 'zz');
  assert.is(r.status, EXIT_CODES.NOT_FOUND);
  r = await run('pod', 'get', 'p', '-c', 'b');
  assert.is(r.status, EXIT_CODES.NO_RESULT);
  assert.match(r.stderr, /image\.tags\[0\]: "bad tag" is not a valid image reference/);
  r = await run('pod', 'get', 'p', '-c', 'c');
  assert.match(r.stderr, /not cnb-report JSON/);
  r = await run('pod', 'get', 'p');
  assert.match(r.stderr, /2 containers with a termination message; name one with -c/);
  r = await run('pod', 'get', 'missing');
  assert.is(r.status, EXIT_CODES.NOT_FOUND);
  assert.match(r.stderr, /pod missing not found in namespace builds/);
});
pod_('a termination message without a registry digest (a daemon export) is NO_RESULT, not success', async () => {
  api.put('pods', pod('daemon', [{ name: 'export', message: JSON.stringify({ image: { tags: ['app'], 'image-id': 'a'.repeat(64) } }) }]));
  const r = await run('pod', 'get', 'daemon', '-o', 'env');
  assert.is(r.status, EXIT_CODES.NO_RESULT);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /the termination message names no registry digest \(a daemon export/);
});
pods.run();

function pod_(name: string, fn: () => Promise<void>) {
  pods(name, fn);
}

// client-node builds a SOCKS or HTTP proxy agent for a kubeconfig's proxy-url; the bundle loads
// those packages only on first use (scripts/build.js), so prove the agents still work: the
// request must reach a proxy that listens on loopback (it hangs up; the command fails cleanly).
const proxies = suite('kubeconfig proxy-url');
for (const scheme of ['socks5', 'http'] as const) {
  proxies(`${scheme}: the request goes through the proxy`, async () => {
    const seen: Buffer[] = [];
    const proxy = createServer((socket) => socket.once('data', (d: Buffer) => void (seen.push(d), socket.destroy())));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const api = await new ApiServer().start();
    try {
      const kubeconfig = api.kubeconfig();
      const port = (proxy.address() as { port: number }).port;
      writeFileSync(
        kubeconfig,
        readFileSync(kubeconfig, 'utf8').replace(/(\n( +)server: .*)/, `$1\n$2proxy-url: ${scheme}://127.0.0.1:${port}`),
      );
      const r = await cliAsync(['taskrun', 'get', 'x'], { env: { KUBECONFIG: kubeconfig } });
      assert.is(r.status, EXIT_CODES.CLUSTER_ERROR, r.stderr);
      assert.is(seen.length, 1, 'the proxy was contacted');
      if (scheme === 'socks5') assert.is(seen[0]![0], 5, 'a SOCKS5 greeting');
      else assert.match(seen[0]!.toString('latin1'), /^(GET http:\/\/|CONNECT )127\.0\.0\.1:\d+/, seen[0]!.toString('latin1'));
    } finally {
      proxy.close();
      await api.stop();
    }
  });
}
proxies.run();

const rbac = suite('the sample Role');
rbac('grants exactly the verbs these commands used against the API server', () => {
  const role = loadYaml(join(ROOT, 'tasks')).find((d) => d.doc.kind === 'Role' && d.doc.metadata.name === 'cnb-report')!.doc;
  const granted = new Set<string>(
    role.rules.flatMap((r: Record<string, string[]>) =>
      r.verbs!.flatMap((v) => r.resources!.map((res) => `${v} ${r.apiGroups![0] ? `${r.apiGroups![0]}/` : ''}${res}`)),
    ),
  );
  assert.equal([...used].sort(), [...granted].sort());
});
rbac.run();
