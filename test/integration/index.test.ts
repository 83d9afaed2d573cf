// `cnb-report index` (the built CLI) against a scripted registry on loopback, for what the real
// registry will not do on demand: serve bytes that do not match their digest, serve too much,
// fail a push half way, serve another digest after a push, refuse a mount. The registry here
// keeps manifests and blobs in memory; each case overrides one answer. The real registry is in
// test/e2e/index.itg.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/core/errors.ts';
import { cliAsync, tempDir } from '../support/helpers.ts';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}
type Override = (req: IncomingMessage, body: Buffer, url: URL) => Answer | undefined;

/** An in-memory registry: manifests by repo and reference, blobs by repo and digest. */
async function fakeRegistry(override: Override = () => undefined) {
  const manifests = new Map<string, { type: string; body: Buffer }>();
  const blobs = new Map<string, Buffer>();
  const seen: string[] = [];
  const answer = (req: IncomingMessage, body: Buffer, url: URL): Answer => {
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/(.*)$/.exec(url.pathname);
    if (!m) return { status: 404 };
    const [, repo, kind, ref] = m;
    if (kind === 'blobs' && ref === 'uploads/' && req.method === 'POST') {
      const digest = url.searchParams.get('mount')!;
      const from = blobs.get(`${url.searchParams.get('from')}@${digest}`);
      if (!from) return { status: 202, headers: { Location: `/v2/${repo}/blobs/uploads/u1` } };
      blobs.set(`${repo}@${digest}`, from);
      return { status: 201 };
    }
    if (kind === 'blobs') {
      const blob = blobs.get(`${repo}@${ref}`);
      return blob ? { status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: blob } : { status: 404 };
    }
    if (req.method === 'PUT') {
      const stored = { type: String(req.headers['content-type']), body };
      manifests.set(`${repo}@${ref}`, stored);
      manifests.set(`${repo}@${sha256(body)}`, stored);
      return { status: 201, headers: { 'Docker-Content-Digest': sha256(body) } };
    }
    const found = manifests.get(`${repo}@${ref}`);
    if (!found) return { status: 404 };
    return { status: 200, headers: { 'Content-Type': found.type, 'Docker-Content-Digest': sha256(found.body) }, body: found.body };
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url!, 'http://x');
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    const a = override(req, body, url) ?? answer(req, body, url);
    const data = a.body === undefined ? Buffer.alloc(0) : Buffer.from(a.body);
    const chunked = a.headers?.['Transfer-Encoding'] === 'chunked';
    res.writeHead(a.status, { ...(!chunked && { 'Content-Length': String(data.length) }), ...a.headers });
    res.end(req.method === 'HEAD' ? undefined : data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;

  /** A platform image in a repository: its config, one layer, its manifest. Returns the manifest digest. */
  function image(repo: string, platform: Record<string, string>): string {
    const config = Buffer.from(JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: [] } }));
    const layer = Buffer.from(`layer of ${JSON.stringify(platform)}`);
    blobs.set(`${repo}@${sha256(config)}`, config);
    blobs.set(`${repo}@${sha256(layer)}`, layer);
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
      }),
    );
    manifests.set(`${repo}@${sha256(body)}`, { type: OCI, body });
    return sha256(body);
  }
  const close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return { host, seen, manifests, image, close };
}

type Fake = Awaited<ReturnType<typeof fakeRegistry>>;

async function index(fake: Fake, args: string[], resultsDir?: string) {
  const dir = tempDir();
  const results = resultsDir ?? join(dir, 'results');
  const r = await cliAsync(['index', '--insecure-registry', fake.host, '--verify-timeout', '2s', '--results-dir', results, ...args], {
    env: { DOCKER_CONFIG: join(dir, 'none') },
  });
  return { ...r, results, pushes: fake.seen.filter((s) => s.startsWith('PUT ') && /manifests\/[^s]/.test(s)) };
}

const two = (fake: Fake) => {
  const amd = fake.image('team/app', { os: 'linux', architecture: 'amd64' });
  const arm = fake.image('team/app', { os: 'linux', architecture: 'arm64' });
  return { amd, arm, args: ['--manifest', `${fake.host}/team/app@${amd}`, '--manifest', `${fake.host}/team/app@${arm}`] };
};

/** team/app:1 over an amd64 child in team/app and an arm64 one in other/app (so it is mounted). */
const indexAcrossRepositories = (fake: Fake) => {
  const amd = fake.image('team/app', { os: 'linux', architecture: 'amd64' });
  const arm = fake.image('other/app', { os: 'linux', architecture: 'arm64' });
  return index(fake, [
    '--tag',
    `${fake.host}/team/app:1`,
    '--manifest',
    `${fake.host}/team/app@${amd}`,
    '--manifest',
    `${fake.host}/other/app@${arm}`,
  ]);
};

const s = suite('index against a scripted registry');

s('the happy path: reads, pushes each tag, confirms, writes three results', async () => {
  const fake = await fakeRegistry();
  const { amd, arm, args } = two(fake);
  const r = await index(fake, ['--tag', `${fake.host}/team/app:1`, '--tag', `${fake.host}/team/app:2`, ...args]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.pushes, ['PUT /v2/team/app/manifests/1', 'PUT /v2/team/app/manifests/2']);
  const pushed = fake.manifests.get('team/app@1')!;
  assert.is(pushed.type, INDEX);
  assert.equal(
    JSON.parse(pushed.body.toString()).manifests.map((m: any) => m.digest),
    [amd, arm],
  );
  assert.ok(existsSync(join(r.results, 'IMAGES')));
  await fake.close();
});

s('a manifest whose bytes do not hash to its digest: exit 14, nothing pushed or written', async () => {
  const fake = await fakeRegistry((req, _b, url) =>
    req.method === 'GET' && url.pathname.includes('/manifests/')
      ? { status: 200, headers: { 'Content-Type': OCI }, body: '{"schemaVersion":2}' }
      : undefined,
  );
  const { args } = two(fake);
  const r = await index(fake, ['--tag', `${fake.host}/team/app:1`, ...args]);
  assert.is(r.status, EXIT_CODES.REGISTRY_MISMATCH, r.stderr);
  assert.match(r.stderr, /the registry served 19 bytes whose digest is sha256:/);
  assert.equal(r.pushes, []);
  assert.not.ok(existsSync(r.results));
  await fake.close();
});

s('a config blob whose bytes do not hash to its digest: exit 14', async () => {
  const fake = await fakeRegistry((_req, _b, url) =>
    url.pathname.includes('/blobs/sha256') ? { status: 200, body: '{"os":"linux","architecture":"s390x"}' } : undefined,
  );
  const r = await index(fake, ['--tag', `${fake.host}/team/app:1`, ...two(fake).args]);
  assert.is(r.status, EXIT_CODES.REGISTRY_MISMATCH, r.stderr);
  assert.match(r.stderr, /blob sha256:[0-9a-f]{64}: the registry served \d+ bytes whose digest is/);
  assert.equal(r.pushes, []);
  await fake.close();
});

s('more than the size cap: declared (Content-Length) or streamed, exit 13', async () => {
  const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
  for (const chunked of [false, true]) {
    const fake = await fakeRegistry((req, _b, url) => {
      if (req.method !== 'GET' || !url.pathname.includes('/manifests/')) return undefined;
      const headers: Record<string, string> = chunked ? { 'Content-Type': OCI, 'Transfer-Encoding': 'chunked' } : { 'Content-Type': OCI };
      return { status: 200, headers, body: big };
    });
    const r = await index(fake, ['--tag', `${fake.host}/team/app:1`, ...two(fake).args]);
    assert.is(r.status, EXIT_CODES.REGISTRY_ERROR, r.stderr);
    assert.match(r.stderr, /the body is (4194305 bytes, )?over the 4194304-byte limit/);
    assert.equal(r.pushes, []);
    await fake.close();
  }
});

s('the second tag fails after the first was pushed: exit 35 naming the pushed tag, no results', async () => {
  const fake = await fakeRegistry((req, _b, url) =>
    req.method === 'PUT' && url.pathname.endsWith('/manifests/2')
      ? { status: 400, body: '{"errors":[{"code":"TAG_INVALID"}]}' }
      : undefined,
  );
  const r = await index(fake, [
    '--tag',
    `${fake.host}/team/app:1`,
    '--tag',
    `${fake.host}/team/app:2`,
    '--tag',
    `${fake.host}/team/app:3`,
    ...two(fake).args,
  ]);
  assert.is(r.status, EXIT_CODES.PUSH_FAILED, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `pushing the index to ${fake.host}/team/app:2: the registry answered HTTP 400 TAG_INVALID; the index sha256:[0-9a-f]{64} was already pushed to ${fake.host}/team/app:1\\n`,
    ),
  );
  assert.equal(r.pushes, ['PUT /v2/team/app/manifests/1', 'PUT /v2/team/app/manifests/2']);
  assert.not.ok(existsSync(r.results));
  await fake.close();
});

s('the first tag is refused: the registry error, saying no tag was pushed', async () => {
  const fake = await fakeRegistry((req) => (req.method === 'PUT' ? { status: 403 } : undefined));
  const r = await index(fake, ['--tag', `${fake.host}/team/app:1`, ...two(fake).args]);
  assert.is(r.status, EXIT_CODES.REGISTRY_DENIED, r.stderr);
  assert.match(r.stderr, /refused repository:team\/app:pull,push anonymously .*\(HTTP 403\) \(no tag was pushed\)/);
  assert.not.ok(existsSync(r.results));
  await fake.close();
});

s('a tag that serves another digest after the push: exit 35', async () => {
  const fake = await fakeRegistry((req, _b, url) =>
    req.method === 'HEAD' && url.pathname.endsWith('/manifests/1')
      ? { status: 200, headers: { 'Docker-Content-Digest': `sha256:${'e'.repeat(64)}` } }
      : undefined,
  );
  const r = await index(fake, ['--tag', `${fake.host}/team/app:1`, ...two(fake).args]);
  assert.is(r.status, EXIT_CODES.PUSH_FAILED, r.stderr);
  assert.match(
    r.stderr,
    /after the push the registry serves digest sha256:e{64}, not the index .*; the index sha256:[0-9a-f]{64} was pushed to 127\.0\.0\.1:\d+\/team\/app:1/,
  );
  assert.not.ok(existsSync(r.results));
  await fake.close();
});

s('a child in another repository: its blobs are mounted, then its manifest put by digest, before any tag', async () => {
  const fake = await fakeRegistry();
  const amd = fake.image('team/app', { os: 'linux', architecture: 'amd64' });
  const arm = fake.image('other/app', { os: 'linux', architecture: 'arm64', variant: 'v8' });
  const r = await index(fake, [
    '--tag',
    `${fake.host}/team/app:1`,
    '--manifest',
    `${fake.host}/team/app@${amd}`,
    '--manifest',
    `${fake.host}/other/app:arm@${arm}`,
  ]);
  assert.is(r.status, 0, r.stderr);
  const writes = fake.seen.filter((l) => l.startsWith('POST') || l.startsWith('PUT'));
  assert.is(writes.length, 4);
  assert.match(writes[0]!, /^POST \/v2\/team\/app\/blobs\/uploads\/\?mount=sha256%3A[0-9a-f]{64}&from=other%2Fapp$/);
  assert.match(writes[1]!, /^POST \/v2\/team\/app\/blobs\/uploads\/\?mount=/);
  assert.is(writes[2], `PUT /v2/team/app/manifests/${arm}`);
  assert.is(writes[3], 'PUT /v2/team/app/manifests/1');
  assert.equal(fake.manifests.get(`team/app@${arm}`)!.body, fake.manifests.get(`other/app@${arm}`)!.body);
  await fake.close();
});

s('a mount the registry turns into an upload (202): the upload is cancelled, exit 13, no tag pushed', async () => {
  const fake = await fakeRegistry((req) => {
    if (req.method === 'POST') return { status: 202, headers: { Location: '/v2/team/app/blobs/uploads/abc' } };
    if (req.method === 'DELETE') return { status: 204 };
    return undefined;
  });
  const r = await indexAcrossRepositories(fake);
  assert.is(r.status, EXIT_CODES.REGISTRY_ERROR, r.stderr);
  assert.match(r.stderr, /would not mount the blob \(HTTP 202, it offered an upload instead\).*\(no tag was pushed\)/);
  assert.ok(fake.seen.includes('DELETE /v2/team/app/blobs/uploads/abc'), fake.seen.join('\n'));
  assert.equal(r.pushes, []);
  await fake.close();
});

s('registry answers the other write paths can get: each its code, nothing written', async () => {
  const cases: [string, Override, number, RegExp][] = [
    [
      'the index refers to a blob the registry lacks',
      (req) => (req.method === 'PUT' ? { status: 404, body: '{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN"}]}' } : undefined),
      EXIT_CODES.MANIFEST_UNKNOWN,
      /HTTP 404 MANIFEST_BLOB_UNKNOWN \(no tag was pushed\)/,
    ],
    [
      'the registry stores another digest than it was sent',
      (req) => (req.method === 'PUT' ? { status: 201, headers: { 'Docker-Content-Digest': `sha256:${'f'.repeat(64)}` } } : undefined),
      EXIT_CODES.REGISTRY_MISMATCH,
      /the registry stored digest sha256:f{64}, not sha256:/,
    ],
    [
      'a mount source without the blob',
      (req) => (req.method === 'POST' ? { status: 404 } : undefined),
      EXIT_CODES.MANIFEST_UNKNOWN,
      /the registry does not have the blob in other\/app \(HTTP 404\) \(no tag was pushed\)/,
    ],
    [
      'a mount refused otherwise',
      (req) => (req.method === 'POST' ? { status: 400 } : undefined),
      EXIT_CODES.REGISTRY_ERROR,
      /mounting sha256:[0-9a-f]{64} from .*: the registry answered HTTP 400/,
    ],
    [
      'a HEAD that is neither 200 nor 404',
      (req) => (req.method === 'HEAD' ? { status: 418 } : undefined),
      EXIT_CODES.REGISTRY_ERROR,
      /the registry answered HTTP 418/,
    ],
  ];
  for (const [name, override, exit, message] of cases) {
    const fake = await fakeRegistry(override);
    const r = await indexAcrossRepositories(fake);
    assert.is(r.status, exit, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.not.ok(existsSync(r.results), name);
    await fake.close();
  }
});

s('results that cannot be written after the push: exit 7, saying where the index was pushed', async () => {
  const fake = await fakeRegistry();
  const blocker = join(tempDir(), 'file');
  writeFileSync(blocker, '');
  const r = await index(fake, ['--tag', `${fake.host}/team/app:1`, ...two(fake).args], join(blocker, 'results'));
  assert.is(r.status, EXIT_CODES.WRITE_FAILED, r.stderr);
  assert.match(r.stderr, /\(the index sha256:[0-9a-f]{64} was pushed to 127\.0\.0\.1:\d+\/team\/app:1\)/);
  await fake.close();
});

s('--result-path sends a result elsewhere; --quiet prints nothing', async () => {
  const fake = await fakeRegistry();
  const out = join(tempDir(), 'digest');
  const r = await index(fake, ['--tag', `${fake.host}/team/app:1`, ...two(fake).args, '--result-path', `IMAGE_DIGEST=${out}`, '-q']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '');
  assert.is(readFileSync(out, 'utf8'), sha256(fake.manifests.get('team/app@1')!.body));
  assert.not.ok(existsSync(join(r.results, 'IMAGE_DIGEST')));
  await fake.close();
});

s.run();
