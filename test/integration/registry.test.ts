// src/registry.ts against a scripted registry on loopback: each case scripts what the registry
// (and its token service) answers. The real docker-registry is exercised in test/e2e/registry.itg.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyManifest, type VerifyOptions } from '../../src/edge/registry/verify.ts';
import { cliAsync, DIGEST, reportToml, tempDir } from '../support/helpers.ts';

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
  return {
    host,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function manifest(res: ServerResponse, type = OCI, size = 528, digest = DIGEST): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': String(size), 'Docker-Content-Digest': digest });
  res.end();
}

const options = (host: string, extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
  insecure: [host],
  credentials: new Map(),
  timeoutMs: 2000,
  backoffMs: 10,
  ...extra,
});
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
  );

/** A self-signed key and certificate for 127.0.0.1, made by openssl in DIR. */
function selfSignedCert(dir: string): { key: Buffer; cert: Buffer } {
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  const openssl = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  assert.is(openssl.status, 0, String(openssl.stderr));
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

const r = suite('verifyManifest');
r('anonymous: HEAD with Accept for every manifest type; media type and size from the registry', async () => {
  let accept = '';
  const s = await serve((req, res) => {
    accept = String(req.headers.accept);
    manifest(res, 'application/vnd.docker.distribution.manifest.v2+json', 1234);
  });
  assert.equal(await verifyManifest(s.host, 'team/app', DIGEST, options(s.host)), {
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    size: 1234,
  });
  assert.equal(accept.split(', '), [
    OCI,
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
  ]);
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
      res.writeHead(401, {
        'WWW-Authenticate': `Bearer realm="http://${req.headers.host}/token",service="test-registry",scope="repository:team/app:pull"`,
      });
      return void res.end();
    }
    manifest(res);
  });
  const creds = new Map([[s.host, { username: 'u', password: 'p' }]]);
  assert.equal(await verifyManifest(s.host, 'team/app', DIGEST, options(s.host, { credentials: creds })), { mediaType: OCI, size: 528 });
  assert.match(s.seen[1]!, /^GET \/token\?service=test-registry&scope=repository%3Ateam%2Fapp%3Apull Basic /);
  assert.is(s.seen[2], `HEAD /v2/team/app/manifests/${DIGEST} Bearer T0K3N`);
  const wrong = await code(
    verifyManifest(s.host, 'team/app', DIGEST, options(s.host, { credentials: new Map([[s.host, { username: 'u', password: 'bad' }]]) })),
  );
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
  assert.is(
    await code(
      verifyManifest(s.host, 'a', DIGEST, options(s.host, { credentials: new Map([[s.host, { username: 'u', password: 'p' }]]) })),
    ),
    'ok',
  );
  assert.match(
    await code(verifyManifest(s.host, 'a', DIGEST, options(s.host))),
    /^REGISTRY_DENIED: .*refused access anonymously \(no credentials for this registry in the Docker config\) \(HTTP 401\)$/,
  );
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
    [
      (_q: IncomingMessage, res: ServerResponse) => void res.writeHead(404).end(),
      /^MANIFEST_UNKNOWN: 127\.0\.0\.1:\d+\/a@sha256:[0-9a-f]{64}: the registry does not have this manifest/,
    ],
    [(_q: IncomingMessage, res: ServerResponse) => void res.writeHead(403).end(), /^REGISTRY_DENIED: .*HTTP 403/],
    [
      (_q: IncomingMessage, res: ServerResponse) => manifest(res, OCI, 5, `sha256:${'f'.repeat(64)}`),
      /^REGISTRY_MISMATCH: .*the registry serves digest sha256:f{64}$/,
    ],
    [(_q: IncomingMessage, res: ServerResponse) => manifest(res, 'text/html'), /^REGISTRY_ERROR: .*unexpected Content-Type "text\/html"/],
  ] as [Handler, RegExp][]) {
    const s = await serve(handler);
    assert.match(await code(verifyManifest(s.host, 'a', DIGEST, options(s.host))), expected);
    await s.close();
  }
});
r("a --verify-timeout beyond Node's timer limit (24.8 days) does not fire at once", async () => {
  const s = await serve((_q, res) => setTimeout(() => manifest(res), 50));
  assert.is(await code(verifyManifest(s.host, 'a', DIGEST, options(s.host, { timeoutMs: 600 * 3_600_000 }))), 'ok');
  await s.close();
});
r('a registry that does not answer: a timeout, not a hang', async () => {
  const s = await serve(() => {});
  assert.match(
    await code(verifyManifest(s.host, 'a', DIGEST, options(s.host, { timeoutMs: 300 }))),
    /^REGISTRY_UNREACHABLE: .*no answer from 127\.0\.0\.1:\d+ within 300 ms$/,
  );
  await s.close();
});
r('nothing listening, plain HTTP not named insecure, a self-signed certificate', async () => {
  const s = await serve((_q, res) => manifest(res));
  const port = Number(s.host.split(':')[1]);
  await s.close();
  assert.match(
    await code(verifyManifest(`127.0.0.1:${port}`, 'a', DIGEST, options(`127.0.0.1:${port}`))),
    /^REGISTRY_UNREACHABLE: .*cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED$/,
  );

  const plain = await serve((_q, res) => manifest(res));
  assert.match(await code(verifyManifest(plain.host, 'a', DIGEST, options(plain.host, { insecure: [] }))), /^REGISTRY_UNREACHABLE: /);
  await plain.close();

  const tls = await serve((_q, res) => manifest(res), selfSignedCert(tempDir()));
  assert.match(
    await code(verifyManifest(tls.host, 'a', DIGEST, options(tls.host, { insecure: [] }))),
    /^REGISTRY_UNREACHABLE: .*TLS error talking to 127\.0\.0\.1:\d+: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/,
  );
  await tls.close();
});

// --- hostile registries and token services (issue: credentials to a hostile Bearer realm) ---

const basicUP = `Basic ${Buffer.from('u:p').toString('base64')}`;
const withCreds = (host: string, extra: Partial<VerifyOptions> = {}) =>
  options(host, { credentials: new Map([[host, { username: 'u', password: 'p' }]]), ...extra });
const challenge = (res: ServerResponse, realm: string) =>
  void res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm}",service="s"` }).end();

r('a realm on another loopback port is refused: the credentials never leave', async () => {
  const thief = await serve((_q, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"token":"stolen"}'));
  const s = await serve((_q, res) => challenge(res, `http://${thief.host}/token`));
  assert.match(
    await code(verifyManifest(s.host, 'a', DIGEST, withCreds(s.host))),
    /^REGISTRY_ERROR: .*refusing the token service "http:\/\/127\.0\.0\.1:\d+\/token": it names 127\.0\.0\.1, a loopback, private or link-local address that is not the registry$/,
  );
  assert.equal(thief.seen, []);
  await s.close();
  await thief.close();
});
r('cloud metadata, other schemes, user information in the realm: refused before any request', async () => {
  for (const realm of [
    'http://169.254.169.254/latest/meta-data/iam',
    'https://[fd00:ec2::254]/x',
    'file:///etc/shadow',
    'gopher://127.0.0.1/x',
    'https://u:p@auth.example.com/t',
  ]) {
    const s = await serve((_q, res) => challenge(res, realm));
    assert.match(
      await code(verifyManifest(s.host, 'a', DIGEST, withCreds(s.host))),
      /^REGISTRY_ERROR: .*refusing the token service/,
      realm,
    );
    assert.is(s.seen.length, 1, realm);
    await s.close();
  }
});
r('every token-service redirect is checked: one to another loopback port is refused', async () => {
  const thief = await serve((_q, res) => void res.writeHead(200).end('{"token":"x"}'));
  const s = await serve((req, res) => {
    if (req.url!.startsWith('/token')) return void res.writeHead(302, { Location: `http://${thief.host}/steal` }).end();
    challenge(res, `http://${req.headers.host}/token`);
  });
  assert.match(
    await code(verifyManifest(s.host, 'a', DIGEST, withCreds(s.host))),
    /^REGISTRY_ERROR: .*refusing the token-service redirect to "http:\/\/127\.0\.0\.1:\d+\/steal": it names 127\.0\.0\.1/,
  );
  assert.equal(thief.seen, []);
  await s.close();
  await thief.close();
});
r('a redirect within the registry is followed, with its credentials; redirect loops end', async () => {
  const s = await serve((req, res) => {
    if (req.url!.startsWith('/token')) {
      if (req.headers.authorization !== basicUP) return void res.writeHead(401).end();
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"access_token":"T2"}');
    }
    if (req.url!.startsWith('/auth')) return void res.writeHead(307, { Location: `/token${req.url!.slice(5)}` }).end();
    if (req.headers.authorization !== 'Bearer T2') return challenge(res, `http://${req.headers.host}/auth`);
    manifest(res);
  });
  assert.is(await code(verifyManifest(s.host, 'a', DIGEST, withCreds(s.host))), 'ok');
  assert.match(s.seen[2]!, /^GET \/token\?service=s&scope=repository%3Aa%3Apull Basic /);
  await s.close();
  const loop = await serve((req, res) => {
    if (req.url!.startsWith('/token')) return void res.writeHead(302, { Location: '/token' }).end();
    challenge(res, `http://${req.headers.host}/token`);
  });
  assert.match(
    await code(verifyManifest(loop.host, 'a', DIGEST, withCreds(loop.host))),
    /^REGISTRY_ERROR: .*more than 10 redirects from 127\.0\.0\.1:\d+$/,
  );
  assert.is(loop.seen.length, 12);
  await loop.close();
});
r('an endless token body is cut at the cap; a huge declared one is refused unread', async () => {
  const endless = await serve((req, res) => {
    if (!req.url!.startsWith('/token')) return challenge(res, `http://${req.headers.host}/token`);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (res.write(chunk));
    };
    res.on('drain', pump);
    pump();
  });
  assert.match(
    await code(verifyManifest(endless.host, 'a', DIGEST, withCreds(endless.host, { timeoutMs: 20_000 }))),
    /^REGISTRY_ERROR: .*the token service 127\.0\.0\.1:\d+: the body is over the 1048576-byte limit$/,
  );
  await endless.close();
  const declared = await serve((req, res) => {
    if (!req.url!.startsWith('/token')) return challenge(res, `http://${req.headers.host}/token`);
    res.writeHead(200, { 'Content-Length': String(3.5e9) });
    res.write('{');
  });
  assert.match(
    await code(verifyManifest(declared.host, 'a', DIGEST, withCreds(declared.host))),
    /^REGISTRY_ERROR: .*the body is 3500000000 bytes, over the 1048576-byte limit$/,
  );
  await declared.close();
});
r('a token that is not a plain header value is not sent', async () => {
  for (const body of ['{"token":"a\\r\\nX-Injected: 1"}', '{"token":42}', 'not json', '{"token":""}']) {
    const s = await serve((req, res) => {
      if (req.url!.startsWith('/token')) return void res.writeHead(200).end(body);
      challenge(res, `http://${req.headers.host}/token`);
    });
    assert.match(await code(verifyManifest(s.host, 'a', DIGEST, withCreds(s.host))), /^REGISTRY_ERROR: .*returned no usable token$/, body);
    await s.close();
  }
});

r('the built CLI: the media type and size must agree across repositories ("in every repository")', async () => {
  const dir = tempDir();
  const a = await serve((_q, res) => manifest(res, OCI, 528));
  const b = await serve((_q, res) => manifest(res, 'application/vnd.docker.distribution.manifest.v2+json', 528));
  const c = await serve((_q, res) => manifest(res, OCI, 529));
  const report = join(dir, 'report.toml');
  const run = async (hosts: string[]) => {
    writeFileSync(report, reportToml({ tags: hosts.map((h) => `${h}/team/app:1`), digest: DIGEST }));
    return cliAsync(['results', '--report', report, '--results-dir', join(dir, 'out'), '--verify', '--insecure-registry', hosts.join(',')]);
  };
  const same = await run([a.host, a.host.replace('127.0.0.1', 'localhost')]);
  assert.is(same.status, 0, same.stderr);
  assert.match(same.stdout, /verified {5}application\/vnd\.oci\.image\.manifest\.v1\+json, 528 bytes, in every repository/);
  rmSync(join(dir, 'out'), { recursive: true });
  const type = await run([a.host, b.host]);
  assert.is(type.status, 14, type.stderr);
  assert.match(
    type.stderr,
    /^cnb-report: 127\.0\.0\.1:\d+\/team\/app@sha256:[0-9a-f]{64}: the registry serves application\/vnd\.docker\.distribution\.manifest\.v2\+json, 528 bytes; 127\.0\.0\.1:\d+\/team\/app served application\/vnd\.oci\.image\.manifest\.v1\+json, 528 bytes\n$/,
  );
  const size = await run([a.host, c.host]);
  assert.is(size.status, 14, size.stderr);
  assert.match(size.stderr, /529 bytes; .* 528 bytes\n$/);
  assert.not.ok(existsSync(join(dir, 'out')));
  await Promise.all([a.close(), b.close(), c.close()]);
});
r('the built CLI on an https registry: an http realm and a redirect to http are refused, nothing written', async () => {
  const dir = tempDir();
  const tls = selfSignedCert(dir);
  const sink = await serve((_q, res) => void res.writeHead(200).end('{"token":"t"}'));
  let mode = 'realm';
  const s = await serve((req, res) => {
    if (mode === 'ok') return manifest(res);
    if (mode === 'redirect') return void res.writeHead(301, { Location: `http://${sink.host}${req.url}` }).end();
    challenge(res, `http://${req.headers.host}/token`);
  }, tls);
  const report = join(dir, 'report.toml');
  writeFileSync(report, reportToml({ tags: [`${s.host}/team/app:1`], digest: DIGEST }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [s.host]: { username: 'u', password: 'p' } } }));
  const env = { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'), DOCKER_CONFIG: dir };
  const run = () =>
    cliAsync(['results', '--report', report, '--results-dir', join(dir, 'out'), '--verify', '--verify-timeout', '5s'], { env });
  mode = 'ok';
  const ok = await run();
  assert.is(ok.status, 0, ok.stderr); // the certificate is trusted: the refusals below are the rule, not TLS
  rmSync(join(dir, 'out'), { recursive: true });
  mode = 'realm';
  const realm = await run();
  assert.is(realm.status, 13, realm.stderr);
  assert.match(
    realm.stderr,
    /^cnb-report: 127\.0\.0\.1:\d+\/team\/app@sha256:[0-9a-f]{64}: refusing the token service "http:\/\/127\.0\.0\.1:\d+\/token": it is plain http for a registry reached over https\n$/,
  );
  mode = 'redirect';
  const redirect = await run();
  assert.is(redirect.status, 13, redirect.stderr);
  assert.match(redirect.stderr, /^cnb-report: .*refusing a redirect from https:\/\/127\.0\.0\.1:\d+ to plain http:\/\/127\.0\.0\.1:\d+\n$/);
  assert.equal(sink.seen, []);
  assert.not.ok(existsSync(join(dir, 'out')), 'nothing written');
  await s.close();
  await sink.close();
});
r.run();
