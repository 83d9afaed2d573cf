// src/registry.ts against a scripted registry on loopback: each case scripts what the registry
// (and its token service) answers. The real docker-registry is exercised in test/e2e/registry.itg.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyManifest, type VerifyOptions } from '../../src/edge/registry/verify.ts';
import { DIGEST, tempDir } from '../support/helpers.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const OCI = 'application/vnd.oci.image.manifest.v1+json';

async function serve(handler: Handler, tls?: { key: Buffer; cert: Buffer }) {
  const seen: string[] = [];
  const server = (tls ? createHttps(tls) : createHttp()).on('request', (req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return { host, seen, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

function manifest(res: ServerResponse, type = OCI, size = 528, digest = DIGEST): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': String(size), 'Docker-Content-Digest': digest });
  res.end();
}

const options = (host: string, extra: Partial<VerifyOptions> = {}): VerifyOptions => ({ insecure: [host], credentials: new Map(), timeoutMs: 2000, backoffMs: 10, ...extra });
const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string; message: string }) => `${e.code}: ${e.message}`);

const r = suite('verifyManifest');
r('anonymous: HEAD with Accept for every manifest type; media type and size from the registry', async () => {
  let accept = '';
  const s = await serve((req, res) => {
    accept = String(req.headers.accept);
    manifest(res, 'application/vnd.docker.distribution.manifest.v2+json', 1234);
  });
  assert.equal(await verifyManifest(s.host, 'team/app', DIGEST, options(s.host)), { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 1234 });
  assert.equal(accept.split(', '), [OCI, 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
  assert.equal(s.seen, [`HEAD /v2/team/app/manifests/${DIGEST} -`]);
  await s.close();
});
r('Bearer: the token service gets Basic credentials, service and scope; the token is used', async () => {
  const s = await serve((req, res) => {
    if (req.url!.startsWith('/token')) {
      const ok = req.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`;
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
      return void res.end(ok ? JSON.stringify({ token: 'T0K3N' }) : '{}');
    }
    if (req.headers.authorization !== 'Bearer T0K3N') {
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${req.headers.host}/token",service="test-registry",scope="repository:team/app:pull"` });
      return void res.end();
    }
    manifest(res);
  });
  const creds = new Map([[s.host, { username: 'u', password: 'p' }]]);
  assert.equal(await verifyManifest(s.host, 'team/app', DIGEST, options(s.host, { credentials: creds })), { mediaType: OCI, size: 528 });
  assert.match(s.seen[1]!, /^GET \/token\?service=test-registry&scope=repository%3Ateam%2Fapp%3Apull Basic /);
  assert.is(s.seen[2], `HEAD /v2/team/app/manifests/${DIGEST} Bearer T0K3N`);
  const wrong = await code(verifyManifest(s.host, 'team/app', DIGEST, options(s.host, { credentials: new Map([[s.host, { username: 'u', password: 'bad' }]]) })));
  assert.match(wrong, /^REGISTRY_DENIED: .*the token service 127\.0\.0\.1:\d+ refused the credentials of u \(HTTP 401\)$/);
  await s.close();
});
r('Basic challenge; without credentials it is denied, saying so', async () => {
  const s = await serve((req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' });
      return void res.end();
    }
    manifest(res);
  });
  assert.is(await code(verifyManifest(s.host, 'a', DIGEST, options(s.host, { credentials: new Map([[s.host, { username: 'u', password: 'p' }]]) }))), 'ok');
  assert.match(await code(verifyManifest(s.host, 'a', DIGEST, options(s.host))), /^REGISTRY_DENIED: .*refused access anonymously \(no credentials for this registry in the Docker config\) \(HTTP 401\)$/);
  await s.close();
});
r('429 and 5xx are retried with backoff, a bounded number of times', async () => {
  let n = 0;
  const s = await serve((_req, res) => {
    n++;
    if (n <= 2) {
      res.writeHead(n === 1 ? 429 : 503, { 'Retry-After': '0' });
      return void res.end();
    }
    manifest(res);
  });
  assert.is(await code(verifyManifest(s.host, 'a', DIGEST, options(s.host))), 'ok');
  assert.is(n, 3);
  await s.close();
  const always = await serve((_req, res) => void res.writeHead(500).end());
  assert.match(await code(verifyManifest(always.host, 'a', DIGEST, options(always.host))), /^REGISTRY_ERROR: .*answered HTTP 500 3 times$/);
  assert.is(always.seen.length, 3);
  await always.close();
});
r('404, 403, a different digest, a non-manifest answer: each its own error', async () => {
  for (const [handler, expected] of [
    [(_q: IncomingMessage, res: ServerResponse) => void res.writeHead(404).end(), /^MANIFEST_UNKNOWN: 127\.0\.0\.1:\d+\/a@sha256:[0-9a-f]{64}: the registry does not have this manifest/],
    [(_q: IncomingMessage, res: ServerResponse) => void res.writeHead(403).end(), /^REGISTRY_DENIED: .*HTTP 403/],
    [(_q: IncomingMessage, res: ServerResponse) => manifest(res, OCI, 5, `sha256:${'f'.repeat(64)}`), /^REGISTRY_MISMATCH: .*the registry serves digest sha256:f{64}$/],
    [(_q: IncomingMessage, res: ServerResponse) => manifest(res, 'text/html'), /^REGISTRY_ERROR: .*unexpected Content-Type "text\/html"/],
  ] as [Handler, RegExp][]) {
    const s = await serve(handler);
    assert.match(await code(verifyManifest(s.host, 'a', DIGEST, options(s.host))), expected);
    await s.close();
  }
});
r('a registry that does not answer: a timeout, not a hang', async () => {
  const s = await serve(() => {});
  assert.match(await code(verifyManifest(s.host, 'a', DIGEST, options(s.host, { timeoutMs: 300 }))), /^REGISTRY_UNREACHABLE: .*no answer from 127\.0\.0\.1:\d+ within 300 ms$/);
  await s.close();
});
r('nothing listening, plain HTTP not named insecure, a self-signed certificate', async () => {
  const s = await serve((_q, res) => manifest(res));
  const port = Number(s.host.split(':')[1]);
  await s.close();
  assert.match(await code(verifyManifest(`127.0.0.1:${port}`, 'a', DIGEST, options(`127.0.0.1:${port}`))), /^REGISTRY_UNREACHABLE: .*cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED$/);

  const plain = await serve((_q, res) => manifest(res));
  assert.match(await code(verifyManifest(plain.host, 'a', DIGEST, options(plain.host, { insecure: [] }))), /^REGISTRY_UNREACHABLE: /);
  await plain.close();

  const dir = tempDir();
  const openssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
  assert.is(openssl.status, 0, String(openssl.stderr));
  const tls = await serve((_q, res) => manifest(res), { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
  assert.match(await code(verifyManifest(tls.host, 'a', DIGEST, options(tls.host, { insecure: [] }))), /^REGISTRY_UNREACHABLE: .*TLS error talking to 127\.0\.0\.1:\d+: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
  await tls.close();
});
r.run();
