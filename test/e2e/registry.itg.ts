// `results --verify` against the real docker-registry on loopback: OCI and Docker v2 manifests,
// a digest that is not there, Basic auth (htpasswd) with a Docker config.json, a wrong password,
// the Bearer token flow (a loopback token service in front of the registry), a size that
// disagrees, and the container run with --verify (the one run that needs the network).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/core/errors.ts';
import { ROOT, cliAsync, reportToml, tempDir } from '../support/helpers.ts';
import { headManifest, startRegistry, type Registry } from '../support/registry.ts';

const ARCHIVE = join(ROOT, 'build/image.oci.tar');
const STATE = join(ROOT, 'build/containers');
const ENV = { ...process.env, CONTAINERS_CONF: join(STATE, 'containers.conf'), CONTAINERS_STORAGE_CONF: join(STATE, 'storage.conf') };
const OCI = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER = 'application/vnd.docker.distribution.manifest.v2+json';

function push(registry: Registry, target: string, format: 'oci' | 'v2s2', creds?: string): string {
  const file = join(tempDir(), 'digest');
  const r = spawnSync(
    'skopeo',
    [
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      `--format=${format}`,
      ...(creds ? ['--dest-creds', creds] : []),
      '--digestfile',
      file,
      `oci-archive:${ARCHIVE}`,
      `docker://${registry.host}/${target}`,
    ],
    { encoding: 'utf8', env: ENV },
  );
  assert.is(r.status, 0, r.stderr);
  return readFileSync(file, 'utf8').trim();
}

/** A report, a Docker config and an output dir; runs `results --verify` with them. */
async function verify(
  tags: string[],
  digest: string,
  options: { auths?: Record<string, unknown>; insecure: string; size?: number; extra?: string[] },
) {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'report.toml'),
    reportToml({ tags, digest, ...(options.size !== undefined && { 'manifest-size': options.size }) }),
  );
  mkdirSync(join(dir, 'docker'));
  if (options.auths) writeFileSync(join(dir, 'docker/config.json'), JSON.stringify({ auths: options.auths }));
  const r = await cliAsync(
    [
      'results',
      '--verify',
      '--insecure-registry',
      options.insecure,
      '--verify-timeout',
      '5s',
      '--report',
      join(dir, 'report.toml'),
      '--results-dir',
      join(dir, 'results'),
      '--oci-layout',
      join(dir, 'layout'),
      ...(options.extra ?? []),
    ],
    { env: { DOCKER_CONFIG: join(dir, 'docker') } },
  );
  const index = r.status === 0 ? JSON.parse(readFileSync(join(dir, 'layout/index.json'), 'utf8')) : undefined;
  return { ...r, dir, descriptor: index?.manifests[0] };
}

const v = suite('--verify against a real registry');
let open: Registry;
let ociDigest = '';
let dockerDigest = '';
v.before(() =>
  startRegistry().then((r) => {
    open = r;
    ociDigest = push(open, 'team/app:oci', 'oci');
    dockerDigest = push(open, 'team/app:docker', 'v2s2');
  }),
);
v.after(() => open.stop());

v('an OCI manifest: its media type and size come from the registry', async () => {
  const served = await headManifest(open, 'team/app', ociDigest);
  const r = await verify([`${open.host}/team/app:oci`], ociDigest, { insecure: open.host });
  assert.is(r.status, 0, r.stderr);
  assert.equal([r.descriptor.mediaType, r.descriptor.size], [OCI, served.size]);
  assert.match(r.stdout, new RegExp(`verified     ${OCI.replace(/[.+]/g, '\\$&')}, ${served.size} bytes`));
});
v('a Docker v2 manifest: the descriptor says Docker, whatever --media-type says', async () => {
  const r = await verify([`${open.host}/team/app:docker`], dockerDigest, { insecure: open.host, extra: ['--media-type', 'oci'] });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.descriptor.mediaType, DOCKER);
});
v('a digest the registry does not have: exit 12, nothing written', async () => {
  const missing = `sha256:${'0'.repeat(64)}`;
  const r = await verify([`${open.host}/team/app:oci`], missing, { insecure: open.host });
  assert.is(r.status, EXIT_CODES.MANIFEST_UNKNOWN);
  assert.match(r.stderr, /the registry does not have this manifest \(HTTP 404\)/);
  assert.equal(readdirSync(r.dir).sort(), ['docker', 'report.toml']);
});
v('every repository is checked: a second repository without the image fails', async () => {
  const r = await verify([`${open.host}/team/app:oci`, `${open.host}/other/app:x`], ociDigest, { insecure: open.host });
  assert.is(r.status, EXIT_CODES.MANIFEST_UNKNOWN);
  assert.match(r.stderr, /other\/app@sha256/);
});
v('manifest-size that disagrees with the registry: exit 14', async () => {
  const r = await verify([`${open.host}/team/app:oci`], ociDigest, { insecure: open.host, size: 1 });
  assert.is(r.status, EXIT_CODES.REGISTRY_MISMATCH);
  assert.match(r.stderr, /the registry serves \d+ bytes, report\.toml says manifest-size 1/);
});
v('not named insecure: HTTPS is tried and fails clearly', async () => {
  const r = await verify([`${open.host}/team/app:oci`], ociDigest, { insecure: '' });
  assert.is(r.status, EXIT_CODES.REGISTRY_UNREACHABLE);
});
v.run();

const auth = suite('--verify with credentials');
let locked: Registry;
let lockedDigest = '';
auth.before(async () => {
  locked = await startRegistry({ users: { builder: 's3cret' } });
  lockedDigest = push(locked, 'team/app:1', 'oci', 'builder:s3cret');
});
auth.after(() => locked.stop());

auth('Basic auth (htpasswd) with config.json `auth` and with username/password', async () => {
  for (const entry of [{ auth: Buffer.from('builder:s3cret').toString('base64') }, { username: 'builder', password: 's3cret' }]) {
    const r = await verify([`${locked.host}/team/app:1`], lockedDigest, {
      insecure: locked.host,
      auths: { [`http://${locked.host}`]: entry },
    });
    assert.is(r.status, 0, r.stderr);
  }
});
auth('a wrong password, and no credentials at all: exit 11', async () => {
  const wrong = await verify([`${locked.host}/team/app:1`], lockedDigest, {
    insecure: locked.host,
    auths: { [locked.host]: { username: 'builder', password: 'nope' } },
  });
  assert.is(wrong.status, EXIT_CODES.REGISTRY_DENIED);
  assert.match(wrong.stderr, /refused access as builder \(HTTP 401\)/);
  const none = await verify([`${locked.host}/team/app:1`], lockedDigest, { insecure: locked.host });
  assert.is(none.status, EXIT_CODES.REGISTRY_DENIED);
  assert.match(none.stderr, /anonymously/);
});
auth.run();

/**
 * A token service in front of the open registry, as Docker Hub and most hosted registries work:
 * /v2/ requests without a valid Bearer token get a challenge; /token trades Basic credentials
 * for a token scoped to one repository; the rest is passed through to the real registry.
 */
async function bearerFront(upstream: Registry): Promise<{ host: string; server: Server; tokens: string[] }> {
  const tokens: string[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, `http://${req.headers.host}`);
    if (url.pathname === '/token') {
      if (req.headers.authorization !== `Basic ${Buffer.from('builder:s3cret').toString('base64')}`) return void res.writeHead(401).end();
      const token = `tok-${tokens.length}-${url.searchParams.get('scope')}`;
      tokens.push(token);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ token, expires_in: 300 }));
    }
    const scope = `repository:${url.pathname.split('/manifests/')[0]!.slice('/v2/'.length)}:pull`;
    if (!tokens.some((t) => req.headers.authorization === `Bearer ${t}` && t.endsWith(scope))) {
      res.writeHead(401, {
        'WWW-Authenticate': `Bearer realm="http://${req.headers.host}/token",service="cnb-report-test",scope="${scope}"`,
      });
      return void res.end();
    }
    const answer = await fetch(`${upstream.url}${req.url}`, { method: req.method, headers: { Accept: String(req.headers.accept) } });
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { host: `127.0.0.1:${(server.address() as { port: number }).port}`, server, tokens };
}

const bearer = suite('--verify through a Bearer token service');
bearer('trades config.json credentials for a repository-scoped token, then verifies', async () => {
  const registry = await startRegistry();
  const digest = push(registry, 'team/app:1', 'oci');
  const front = await bearerFront(registry);
  const ok = await verify([`${front.host}/team/app:1`], digest, {
    insecure: front.host,
    auths: { [front.host]: { username: 'builder', password: 's3cret' } },
  });
  assert.is(ok.status, 0, ok.stderr);
  assert.is(ok.descriptor.mediaType, OCI);
  assert.equal(front.tokens, ['tok-0-repository:team/app:pull']);
  const denied = await verify([`${front.host}/team/app:1`], digest, {
    insecure: front.host,
    auths: { [front.host]: { username: 'builder', password: 'x' } },
  });
  assert.is(denied.status, EXIT_CODES.REGISTRY_DENIED);
  assert.match(denied.stderr, /the token service 127\.0\.0\.1:\d+ refused the credentials of builder/);
  front.server.close();
  registry.stop();
});
bearer.run();

const container = suite('the container with --verify');
container('as the Task runs it with VERIFY=true: loopback network, credentials from the dockerconfig workspace', async () => {
  const registry = await startRegistry({ users: { builder: 's3cret' } });
  const digest = push(registry, 'team/app:1', 'v2s2', 'builder:s3cret');
  const dir = tempDir();
  mkdirSync(join(dir, 'layers'));
  writeFileSync(join(dir, 'layers/report.toml'), reportToml({ tags: [`${registry.host}/team/app:1`], digest }));
  mkdirSync(join(dir, 'dockerconfig'));
  writeFileSync(
    join(dir, 'dockerconfig/config.json'),
    JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('builder:s3cret').toString('base64') } } }),
  );
  mkdirSync(join(dir, 'results'));
  chownSync(join(dir, 'results'), 65532, 65532);
  const r = spawnSync(
    'podman',
    [
      'run',
      '--rm',
      '--network=host',
      '--user=65532:65532',
      '--read-only',
      '--cap-drop=ALL',
      `--volume=${join(dir, 'layers')}:/layers:ro`,
      `--volume=${join(dir, 'dockerconfig')}:/workspace/dockerconfig:ro`,
      `--volume=${join(dir, 'results')}:/tekton/results`,
      '--env=DOCKER_CONFIG=/workspace/dockerconfig',
      'localhost/cnb-report:dev',
      'results',
      '--verify=true',
      `--insecure-registry=${registry.host}`,
      '--oci-layout=/tekton/results/layout',
    ],
    { encoding: 'utf8', env: ENV },
  );
  registry.stop();
  assert.is(r.status, 0, r.stderr);
  assert.is(readFileSync(join(dir, 'results/IMAGE_DIGEST'), 'utf8'), digest);
  assert.is(JSON.parse(readFileSync(join(dir, 'results/layout/index.json'), 'utf8')).manifests[0].mediaType, DOCKER);
});
container.run();
