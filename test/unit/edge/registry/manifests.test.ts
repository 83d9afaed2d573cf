import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import { RegistryClient } from '../../../../src/edge/registry/manifests.ts';

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
      // A token is a header value (token68): the scopes go in base64url.
      return void res.end(JSON.stringify({ token: `T.${Buffer.from(scopes).toString('base64url')}` }));
    }
    seen.push(`${req.method} ${url.pathname} ${req.headers.authorization ?? '-'}`);
    if (!req.headers.authorization) {
      res.writeHead(401, {
        'WWW-Authenticate': `Bearer realm="http://${req.headers.host}/token",service="s",scope="repository:ignored:pull"`,
      });
      return void res.end();
    }
    res.writeHead(req.method === 'POST' ? 201 : 404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const c = new RegistryClient(host, {
      insecure: [host],
      credentials: new Map([[host, { username: 'u', password: 'p' }]]),
      timeoutMs: 2000,
    });
    assert.equal(await c.headManifest('team/app', 'a'), { status: 404, digest: null });
    assert.equal(await c.headManifest('team/app', 'b'), { status: 404, digest: null });
    await c.mountBlob('team/app', 'other/app', `sha256:${'1'.repeat(64)}`);
    await c.mountBlob('team/app', 'other/app', `sha256:${'2'.repeat(64)}`);
    assert.equal(tokens, ['repository:team/app:pull', 'repository:team/app:pull,push repository:other/app:pull']);
    assert.is(seen.filter((l) => l.endsWith(' -')).length, 2, seen.join('\n'));
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
client.run();
