// The cluster commands against hostile API servers on loopback and hostile kubeconfigs: every
// request ends by --timeout, every body and watch line has a cap, server text reaches stderr
// escaped, secrets in errors are redacted, and each failure is one line with its exit code.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/core/errors.ts';
import { taskRun } from '../support/apiserver.ts';
import { cliAsync, tempDir } from '../support/helpers.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function hostile(handler: Handler) {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    kubeconfig: kubeconfig(`http://127.0.0.1:${port}`),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function kubeconfig(server: string, user = '      token: t0k3n-secret-value'): string {
  const path = join(tempDir(), 'config');
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters:\n  - name: c\n    cluster:\n      server: ${server}\n      insecure-skip-tls-verify: true\nusers:\n  - name: u\n    user:\n${user}\ncontexts:\n  - name: x\n    context:\n      cluster: c\n      user: u\n      namespace: builds\ncurrent-context: x\n`,
  );
  return path;
}

/** An endless body: chunks as fast as the client reads them. */
function endless(res: ServerResponse, chunk: string): void {
  const data = Buffer.from(chunk.repeat(Math.ceil(65536 / chunk.length)));
  const pump = () => {
    while (res.write(data));
  };
  res.on('drain', pump);
  pump();
}

const oneLine = (stderr: string) => stderr.split('\n').filter(Boolean).length === 1 && !/\n\s+at /.test(stderr);

const h = suite('hostile API servers');
h('a GET that never answers: --timeout ends it, exit 21', async () => {
  const s = await hostile(() => {});
  const r = await cliAsync(['taskrun', 'get', 'x', '--timeout', '1s'], { env: { KUBECONFIG: s.kubeconfig } });
  assert.is(r.status, EXIT_CODES.TIMEOUT, r.stderr);
  assert.is(r.stderr, `cnb-report: no answer from the API server at http://127.0.0.1:${s.port} in time (--timeout)\n`);
  await s.close();
});
h('a POST that never answers: --timeout ends it too', async () => {
  const s = await hostile(() => {});
  const file = join(tempDir(), 'tr.yaml');
  writeFileSync(file, 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata:\n  name: a\n');
  const r = await cliAsync(['taskrun', 'create', '-f', file, '--timeout', '1s'], { env: { KUBECONFIG: s.kubeconfig } });
  assert.is(r.status, EXIT_CODES.TIMEOUT, r.stderr);
  assert.ok(oneLine(r.stderr), r.stderr);
  await s.close();
});
h('an endless body: cut at the cap, exit 25, one line', async () => {
  const s = await hostile((_q, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    endless(res, '{"a":1},');
  });
  const r = await cliAsync(['taskrun', 'get', 'x', '--timeout', '60s'], { env: { KUBECONFIG: s.kubeconfig } });
  assert.is(r.status, EXIT_CODES.CLUSTER_ERROR, r.stderr);
  assert.is(r.stderr, "cnb-report: the API server's answer is over 16777216 bytes; refusing to read more\n");
  await s.close();
});
h('a watch line that never ends: exit 25, one line, no stack trace', async () => {
  const doc = taskRun('x');
  doc.metadata.resourceVersion = '5';
  const s = await hostile((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (!req.url!.includes('watch=true')) return void res.end(JSON.stringify(doc));
    endless(res, '{"type":"MODIFIED","object":{"padding":"xxxxxxxxxxxxxxxxxxxxxxxx');
  });
  const r = await cliAsync(['taskrun', 'get', 'x', '--wait', '--timeout', '60s'], { env: { KUBECONFIG: s.kubeconfig } });
  assert.is(r.status, EXIT_CODES.CLUSTER_ERROR, r.stderr);
  assert.match(
    r.stderr,
    /^cnb-report: watch tekton\.dev\/taskruns x: .*over 16777216 bytes|^cnb-report: a watch event from the API server is over 16777216 bytes; refusing to read more\n$/,
  );
  assert.ok(oneLine(r.stderr), r.stderr);
  await s.close();
});
h('a watch that sends garbage, then a valid event: garbage is an error, not a crash', async () => {
  const doc = taskRun('x');
  doc.metadata.resourceVersion = '5';
  const s = await hostile((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (!req.url!.includes('watch=true')) return void res.end(JSON.stringify(doc));
    res.write('not json at all\n');
  });
  const r = await cliAsync(['taskrun', 'get', 'x', '--wait', '--timeout', '30s'], { env: { KUBECONFIG: s.kubeconfig } });
  assert.is(r.status, EXIT_CODES.CLUSTER_ERROR, r.stderr);
  assert.is(r.stderr, 'cnb-report: the API server sent a watch event that is not JSON\n');
  await s.close();
});
h('server text with escape sequences and CR/LF is escaped on stderr', async () => {
  const s = await hostile((_q, res) => {
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', code: 500, message: 'boom\u001b[2J\r\ncnb-report: taskrun x succeeded\u0007' }));
  });
  const r = await cliAsync(['taskrun', 'get', 'x', '--timeout', '10s'], { env: { KUBECONFIG: s.kubeconfig } });
  assert.is(r.status, EXIT_CODES.CLUSTER_ERROR);
  assert.is(
    r.stderr,
    'cnb-report: get tekton.dev/taskruns x: HTTP 500: boom\\u001b[2J\\u000d\\u000acnb-report: taskrun x succeeded\\u0007\n',
  );
  await s.close();
});
h('a TaskRun whose status message holds escape sequences and CR/LF: escaped on stdout and stderr', async () => {
  const doc = taskRun('x');
  doc.status.conditions = [
    { type: 'Succeeded', status: 'False', reason: 'Failed', message: 'oops\u001b]0;pwned\u0007\r\nStatus   Succeeded' },
  ];
  const s = await hostile((_q, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(doc)));
  const r = await cliAsync(['taskrun', 'get', 'x', '--timeout', '10s'], { env: { KUBECONFIG: s.kubeconfig } });
  assert.is(r.status, EXIT_CODES.TASKRUN_FAILED);
  assert.not.match(r.stdout + r.stderr, /[\u0000-\u0009\u000b-\u001f]/);
  assert.match(r.stdout, /^Status {3}Failed \(Failed: oops\\u001b\]0;pwned\\u0007\\u000d\\u000aStatus {3}Succeeded\)$/m);
  assert.is(r.stderr, 'cnb-report: taskrun x failed: Failed: oops\\u001b]0;pwned\\u0007\\u000d\\u000aStatus   Succeeded\n');
  await s.close();
});
h('a server that echoes the bearer token: redacted', async () => {
  const s = await hostile((req, res) => {
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', code: 500, message: `rejected ${req.headers.authorization}` }));
  });
  const r = await cliAsync(['taskrun', 'get', 'x', '--timeout', '10s'], { env: { KUBECONFIG: s.kubeconfig } });
  assert.is(r.stderr, 'cnb-report: get tekton.dev/taskruns x: HTTP 500: rejected Bearer [redacted]\n');
  await s.close();
});

const k = suite('hostile kubeconfigs');
k('KUBECONFIG=/dev/zero or a FIFO: exit 25 at once, no hang', async () => {
  const fifo = join(tempDir(), 'fifo');
  execFileSync('mkfifo', [fifo]);
  for (const path of ['/dev/zero', fifo, tempDir()]) {
    const r = await cliAsync(['taskrun', 'get', 'x'], { env: { KUBECONFIG: path } });
    assert.is(r.status, EXIT_CODES.CLUSTER_ERROR, `${path}: ${r.stderr}`);
    assert.is(r.stderr, `cnb-report: cannot read kubeconfig ${path}: not a regular file\n`);
  }
});
k('user:password in the server URL is not echoed', async () => {
  const r = await cliAsync(['taskrun', 'get', 'x', '--timeout', '10s'], {
    env: { KUBECONFIG: kubeconfig('http://admin:hunter2@127.0.0.1:9') },
  });
  assert.is(r.status, EXIT_CODES.CLUSTER_ERROR);
  assert.not.match(r.stderr, /hunter2/);
  assert.match(r.stderr, /^cnb-report: cannot reach the API server at http:\/\/\[redacted\]@127\.0\.0\.1:9: ECONNREFUSED\n$/);
});
h.run();
k.run();
