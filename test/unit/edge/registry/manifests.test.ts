import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import { readBounded, RegistryClient } from '../../../../src/edge/registry/manifests.ts';

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string; message: string }) => `${e.code}: ${e.message}`);
const stream = (chunks: Uint8Array[], fail?: Error) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      if (fail) c.error(fail);
      else c.close();
    },
  });

const bounded = suite('readBounded');
bounded('reads up to the limit exactly', async () => {
  const r = new Response(stream([new Uint8Array([1, 2]), new Uint8Array([3])]));
  assert.equal([...(await readBounded(r, 3, 'x'))], [1, 2, 3]);
});
bounded('refuses a declared Content-Length over the limit without reading', async () => {
  const r = new Response('abcd', { headers: { 'Content-Length': '4' } });
  assert.is(await code(readBounded(r, 3, 'x')), 'REGISTRY_ERROR: x: the registry served more than 3 bytes');
});
bounded('refuses a stream that grows past the limit', async () => {
  const r = new Response(stream([new Uint8Array(2), new Uint8Array(2)]));
  assert.is(await code(readBounded(r, 3, 'x')), 'REGISTRY_ERROR: x: the registry served more than 3 bytes');
});
bounded('a body that breaks off, or times out, is unreachable', async () => {
  assert.is(await code(readBounded(new Response(stream([new Uint8Array(1)], new Error('socket hang up'))), 10, 'x')), 'REGISTRY_UNREACHABLE: x: reading the body failed: socket hang up');
  const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
  assert.is(await code(readBounded(new Response(stream([], timeout)), 10, 'x')), 'REGISTRY_UNREACHABLE: x: the body did not arrive in time');
});
bounded.run();

const client = suite('RegistryClient');
client('asks the token service once per scope set, with exactly those scopes, and reuses the token', async () => {
  const tokens: string[] = [];
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/token') {
      const scopes = url.searchParams.getAll('scope').join(' ');
      tokens.push(scopes);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ token: `T:${scopes}` }));
    }
    seen.push(`${req.method} ${url.pathname} ${req.headers.authorization ?? '-'}`);
    if (!req.headers.authorization) {
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${req.headers.host}/token",service="s",scope="repository:ignored:pull"` });
      return void res.end();
    }
    res.writeHead(req.method === 'POST' ? 201 : 404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const c = new RegistryClient(host, { insecure: [host], credentials: new Map([[host, { username: 'u', password: 'p' }]]), timeoutMs: 2000 });
  assert.equal(await c.headManifest('team/app', 'a'), { status: 404, digest: null });
  assert.equal(await c.headManifest('team/app', 'b'), { status: 404, digest: null });
  await c.mountBlob('team/app', 'other/app', `sha256:${'1'.repeat(64)}`);
  await c.mountBlob('team/app', 'other/app', `sha256:${'2'.repeat(64)}`);
  assert.equal(tokens, ['repository:team/app:pull', 'repository:team/app:pull,push repository:other/app:pull']);
  assert.is(seen.filter((l) => l.endsWith(' -')).length, 2, seen.join('\n'));
  server.closeAllConnections();
  server.close();
});
client.run();
