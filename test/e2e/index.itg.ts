// `cnb-report index` against the real docker-registry on loopback. buildah writes one small image
// per platform (it can build for another architecture without running anything), pushes them as
// OCI or Docker v2 manifests; the built CLI makes the index; skopeo and podman read it back, as a
// user's client would (skopeo --override-arch/--override-variant, podman manifest inspect,
// podman pull --platform). Anonymous, htpasswd Basic, and Bearer with push scope through a token
// service in front of the registry; a child in another repository; every error case, each
// leaving no tag pushed and no result written.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/core/errors.ts';
import { ROOT, cliAsync, tempDir } from '../support/helpers.ts';
import { headManifest, startRegistry, type Registry } from '../support/registry.ts';
import { loadYaml, multiArchIndexArgs } from '../support/tekton.ts';

const TOOLS = ['buildah', 'skopeo', 'podman', 'docker-registry', 'htpasswd'];
const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);

const STATE = join(ROOT, 'build/containers');
const ENV = { ...process.env, CONTAINERS_CONF: join(STATE, 'containers.conf'), CONTAINERS_STORAGE_CONF: join(STATE, 'storage.conf') };
const OCI = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER = 'application/vnd.docker.distribution.manifest.v2+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const IMAGE = 'localhost/cnb-report-index-test';

interface Arch {
  readonly arch: string;
  readonly variant?: string;
}
const AMD64: Arch = { arch: 'amd64' };
const ARM64: Arch = { arch: 'arm64' };
const ARMV7: Arch = { arch: 'arm', variant: 'v7' };
const tagOf = (a: Arch) => `${a.arch}${a.variant ?? ''}`;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = ENV): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  assert.is(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A one-file image for a platform, built with buildah (nothing runs, so any architecture works). */
function buildImage(a: Arch): void {
  const dir = tempDir();
  writeFileSync(join(dir, 'platform'), `linux/${a.arch}${a.variant ? `/${a.variant}` : ''}\n`);
  const c = run('buildah', ['from', 'scratch']).trim();
  run('buildah', ['config', '--os', 'linux', '--arch', a.arch, ...(a.variant ? ['--variant', a.variant] : []), c]);
  run('buildah', ['copy', '--quiet', c, join(dir, 'platform'), '/platform']);
  run('buildah', ['commit', '--quiet', '--timestamp', '0', c, `${IMAGE}:${tagOf(a)}`]);
  run('buildah', ['rm', c]);
}

/** Push a platform's image; returns its manifest digest as the registry stores it. */
function push(registry: Registry, a: Arch, target: string, options: { format?: 'oci' | 'v2s2'; creds?: string } = {}): string {
  const file = join(tempDir(), 'digest');
  run('buildah', [
    'push',
    '--quiet',
    '--tls-verify=false',
    `--format=${options.format ?? 'oci'}`,
    ...(options.creds ? ['--creds', options.creds] : []),
    '--digestfile',
    file,
    `${IMAGE}:${tagOf(a)}`,
    `docker://${registry.host}/${target}`,
  ]);
  return readFileSync(file, 'utf8').trim();
}

/** Run `index` with a fresh results dir and Docker config; returns what it wrote. */
async function index(args: string[], options: { auths?: Record<string, unknown>; insecure: string }) {
  const dir = tempDir();
  mkdirSync(join(dir, 'docker'));
  if (options.auths) writeFileSync(join(dir, 'docker/config.json'), JSON.stringify({ auths: options.auths }));
  const r = await cliAsync(
    ['index', '--insecure-registry', options.insecure, '--verify-timeout', '5s', '--results-dir', join(dir, 'results'), ...args],
    { env: { DOCKER_CONFIG: join(dir, 'docker') } },
  );
  const read = (name: string) => readFileSync(join(dir, 'results', name), 'utf8');
  const results = r.status === 0 ? { url: read('IMAGE_URL'), digest: read('IMAGE_DIGEST'), images: read('IMAGES') } : undefined;
  return { ...r, dir, results, wroteNothing: !existsSync(join(dir, 'results')) };
}

const m = (registry: Registry, repo: string, digest: string) => ['--manifest', `${registry.host}/${repo}@${digest}`];
const t = (registry: Registry, ref: string) => ['--tag', `${registry.host}/${ref}`];
const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** `skopeo copy` of what a client on these platform flags gets: returns the manifest digest it copied. */
function pick(args: readonly string[], src: string): string {
  const out = tempDir();
  run('skopeo', [
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    '--override-os',
    'linux',
    ...args,
    '--digestfile',
    join(out, 'd'),
    src,
    `dir:${join(out, 'image')}`,
  ]);
  return readFileSync(join(out, 'd'), 'utf8').trim();
}

// Registries and servers a test started, stopped after it even when it fails (a live child keeps the run open).
const stops: (() => void)[] = [];
const stopAll = () => stops.splice(0).forEach((stop) => stop());

/** Registries file that lets podman reach the loopback registry over HTTP. */
function podmanEnv(registry: Registry): NodeJS.ProcessEnv {
  const file = join(tempDir(), 'registries.conf');
  writeFileSync(file, `[[registry]]\nlocation = "${registry.host}"\ninsecure = true\n`);
  return { ...ENV, CONTAINERS_REGISTRIES_CONF: file };
}

if (missing.length) {
  console.log(`  index e2e: SKIPPED, missing ${missing.join(', ')} (scripts/e2e-deps.sh installs them)`);
  const skipped = suite('index e2e');
  skipped(`SKIPPED: needs ${missing.join(', ')}`, () => {});
  skipped.run();
} else {
  spawnSync('bash', ['-c', '. scripts/containers.sh'], { cwd: ROOT });
  for (const a of [AMD64, ARM64, ARMV7]) buildImage(a);
  defineSuites();
}

function defineSuites(): void {
  const open = suite('index against a real registry');
  let reg: Registry;
  let amd = '';
  let arm = '';
  let armv7 = '';
  let amdDocker = '';
  open.before(async () => {
    reg = await startRegistry();
    amd = push(reg, AMD64, 'team/app:build-amd64');
    arm = push(reg, ARM64, 'team/app:build-arm64');
    armv7 = push(reg, ARMV7, 'team/app:build-armv7', { format: 'v2s2' });
    amdDocker = push(reg, AMD64, 'team/app:build-amd64-docker', { format: 'v2s2' });
  });
  open.after(() => reg.stop());

  open('three platforms (two OCI, one Docker v2), two tags: skopeo and podman read the index back', async () => {
    const r = await index(
      [
        ...t(reg, 'team/app:1.0'),
        ...t(reg, 'team/app:latest'),
        ...m(reg, 'team/app:build-amd64', amd),
        ...m(reg, 'team/app', arm),
        ...m(reg, 'team/app', armv7),
      ],
      { insecure: reg.host },
    );
    assert.is(r.status, 0, r.stderr);
    assert.is(r.results!.url, `${reg.host}/team/app:1.0`);
    // The index as the registry serves it: its sha256 is IMAGE_DIGEST, every tag serves it.
    const raw = run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${reg.host}/team/app:1.0`]);
    assert.is(sha256(raw), r.results!.digest);
    for (const tag of ['1.0', 'latest'])
      assert.equal(await headManifest(reg, 'team/app', tag), {
        status: 200,
        digest: r.results!.digest,
        size: Buffer.byteLength(raw),
        mediaType: INDEX,
      });
    const doc = JSON.parse(raw);
    assert.is(doc.mediaType, INDEX);
    assert.equal(
      doc.manifests.map((d: any) => [d.mediaType, d.digest, JSON.stringify(d.platform)]),
      [
        [OCI, amd, '{"architecture":"amd64","os":"linux"}'],
        [DOCKER, armv7, '{"architecture":"arm","os":"linux","variant":"v7"}'],
        [OCI, arm, '{"architecture":"arm64","os":"linux"}'],
      ],
    );
    for (const d of doc.manifests) assert.is(d.size, (await headManifest(reg, 'team/app', d.digest)).size);
    // IMAGES: every child by digest in the index's repository, in the index's order.
    assert.is(r.results!.images, [amd, armv7, arm].map((d) => `${reg.host}/team/app@${d}`).join('\n'));
    // skopeo picks the child for each platform: its config says so, and a copy is that manifest, unchanged.
    for (const [args, digest, arch] of [
      [['--override-arch', 'arm64'], arm, 'arm64'],
      [['--override-arch', 'amd64'], amd, 'amd64'],
      [['--override-arch', 'arm', '--override-variant', 'v7'], armv7, 'arm'],
    ] as const) {
      const src = `docker://${reg.host}/team/app:1.0`;
      assert.is(JSON.parse(run('skopeo', ['inspect', '--tls-verify=false', '--override-os', 'linux', ...args, src])).Architecture, arch);
      assert.is(pick(args, src), digest);
    }
    // podman: the index as a manifest list, and a pull by platform.
    const penv = podmanEnv(reg);
    const listed = JSON.parse(run('podman', ['manifest', 'inspect', `${reg.host}/team/app:1.0`], penv));
    assert.equal(
      listed.manifests.map(
        (d: any) => `${d.platform.os}/${d.platform.architecture}${d.platform.variant ? `/${d.platform.variant}` : ''} ${d.digest}`,
      ),
      [`linux/amd64 ${amd}`, `linux/arm/v7 ${armv7}`, `linux/arm64 ${arm}`],
    );
    run('podman', ['pull', '--quiet', '--platform', 'linux/arm64', `${reg.host}/team/app:latest`], penv);
    const pulled = JSON.parse(run('podman', ['image', 'inspect', `${reg.host}/team/app:latest`], penv))[0];
    // The image podman stored is the arm64 one, known by the child's and the index's digests.
    assert.is(pulled.Architecture, 'arm64');
    for (const d of [arm, r.results!.digest])
      assert.ok(pulled.RepoDigests.includes(`${reg.host}/team/app@${d}`), `${d} in ${pulled.RepoDigests}`);
    run('podman', ['rmi', `${reg.host}/team/app:latest`], penv);
  });

  open('deterministic: the same children in another order give the same index digest', async () => {
    const a = await index([...t(reg, 'team/app:order-a'), ...m(reg, 'team/app', amd), ...m(reg, 'team/app', arm)], { insecure: reg.host });
    const b = await index([...t(reg, 'team/app:order-b'), ...m(reg, 'team/app', arm), ...m(reg, 'team/app:anything', amd)], {
      insecure: reg.host,
    });
    assert.is(a.status, 0, a.stderr);
    assert.is(b.status, 0, b.stderr);
    assert.is(a.results!.digest, b.results!.digest);
    assert.is(a.results!.images, b.results!.images);
  });

  open('a child in another repository is mounted into the index repository, manifest bytes unchanged', async () => {
    const other = push(reg, ARM64, 'elsewhere/app:arm64');
    assert.is((await headManifest(reg, 'team/multi', other)).status, 404);
    const amdHere = push(reg, AMD64, 'team/multi:build-amd64');
    const r = await index([...t(reg, 'team/multi:1'), ...m(reg, 'team/multi', amdHere), ...m(reg, 'elsewhere/app:arm64', other)], {
      insecure: reg.host,
    });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`copied       elsewhere/app@${other} into ${reg.host}/team/multi`));
    assert.equal(await headManifest(reg, 'team/multi', other), {
      status: 200,
      digest: other,
      size: (await headManifest(reg, 'elsewhere/app', other)).size,
      mediaType: OCI,
    });
    assert.is(r.results!.images, [amdHere, other].map((d) => `${reg.host}/team/multi@${d}`).join('\n'));
    // A client can pull the copied child through the index.
    assert.is(pick(['--override-arch', 'arm64'], `docker://${reg.host}/team/multi:1`), other);
  });

  // Each error: its exit code, no result written, and the tag never created.
  const refused = async (tag: string, args: string[], code: number, message: RegExp, insecure = reg.host) => {
    const r = await index([...t(reg, `team/app:${tag}`), ...args], { insecure });
    assert.is(r.status, code, r.stderr);
    assert.match(r.stderr, message);
    assert.ok(r.wroteNothing, 'no results written');
    assert.is((await headManifest(reg, 'team/app', tag)).status, 404, 'nothing pushed');
  };
  open('a digest the registry does not have: exit 12', async () => {
    await refused(
      'e-unknown',
      [...m(reg, 'team/app', amd), ...m(reg, 'team/app', `sha256:${'0'.repeat(64)}`)],
      EXIT_CODES.MANIFEST_UNKNOWN,
      /does not have this manifest \(HTTP 404\)/,
    );
  });
  open('a reference without a digest: exit 30', async () => {
    await refused(
      'e-nodigest',
      [...m(reg, 'team/app', amd), '--manifest', `${reg.host}/team/app:build-arm64`],
      EXIT_CODES.INDEX_NO_DIGEST,
      /has no digest: pass what the build reported, IMAGE_URL@IMAGE_DIGEST/,
    );
  });
  open('a child that is itself an index: exit 31', async () => {
    const first = await index([...t(reg, 'team/app:an-index'), ...m(reg, 'team/app', amd)], { insecure: reg.host });
    assert.is(first.status, 0, first.stderr);
    await refused(
      'e-nested',
      [...m(reg, 'team/app', arm), ...m(reg, 'team/app', first.results!.digest)],
      EXIT_CODES.INDEX_CHILD_IS_INDEX,
      /is itself an image index \(application\/vnd\.oci\.image\.index\.v1\+json\)/,
    );
  });
  open('a config without an architecture: exit 32', async () => {
    const digest = await pushCrafted(reg, 'team/app', { os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    await refused(
      'e-noarch',
      [...m(reg, 'team/app', amd), ...m(reg, 'team/app', digest)],
      EXIT_CODES.INDEX_NO_PLATFORM,
      /the image config has no architecture/,
    );
  });
  open('two children with the same platform (OCI and Docker v2 amd64): exit 33', async () => {
    await refused(
      'e-dup',
      [...m(reg, 'team/app', amd), ...m(reg, 'team/app', amdDocker)],
      EXIT_CODES.INDEX_DUPLICATE_PLATFORM,
      /are both linux\/amd64/,
    );
  });
  open('a child on another registry, tags in two repositories: exit 34', async () => {
    await refused(
      'e-registry',
      [...m(reg, 'team/app', amd), '--manifest', `registry.example.com/team/app@${arm}`],
      EXIT_CODES.INDEX_WRONG_REPOSITORY,
      /is on registry\.example\.com, not on 127\.0\.0\.1:\d+/,
    );
    await refused(
      'e-repos',
      [...t(reg, 'other/app:x'), ...m(reg, 'team/app', amd)],
      EXIT_CODES.INDEX_WRONG_REPOSITORY,
      /every --tag must name the same repository/,
    );
  });
  open('not named insecure: HTTPS is tried and fails, nothing pushed', async () => {
    await refused('e-tls', [...m(reg, 'team/app', amd)], EXIT_CODES.REGISTRY_UNREACHABLE, /cannot reach|TLS/, '');
  });
  open.run();

  const pod = suite('the multi-arch sample PipelineRun: its index step in the cnb-report image');
  const IMAGE_UNDER_TEST = 'localhost/cnb-report:dev';
  const haveImage = spawnSync('podman', ['image', 'exists', IMAGE_UNDER_TEST], { env: ENV }).status === 0;
  if (!haveImage) {
    console.log(`  index e2e: the pod-level run is SKIPPED, no ${IMAGE_UNDER_TEST} (make image builds it; make e2e does)`);
    pod(`SKIPPED: no ${IMAGE_UNDER_TEST}`, () => {});
  } else {
    pod(
      "the two builds' results → the Task step, run as Tekton runs it (uid 65532, read-only root, credentials from the workspace)",
      async () => {
        const locked = await startRegistry({ users: { builder: 's3cret' } });
        stops.push(() => locked.stop());
        const builds = {
          'build-amd64': {
            IMAGE_URL: `${locked.host}/team/app:1.0.0-amd64`,
            IMAGE_DIGEST: push(locked, AMD64, 'team/app:1.0.0-amd64', { creds: 'builder:s3cret' }),
          },
          'build-arm64': {
            IMAGE_URL: `${locked.host}/team/app:1.0.0-arm64`,
            IMAGE_DIGEST: push(locked, ARM64, 'team/app:1.0.0-arm64', { creds: 'builder:s3cret' }),
          },
        };
        const dir = tempDir();
        for (const d of ['results', 'dockerconfig']) mkdirSync(join(dir, d));
        chownSync(join(dir, 'results'), 65532, 65532);
        writeFileSync(
          join(dir, 'dockerconfig/config.json'),
          JSON.stringify({ auths: { [locked.host]: { auth: Buffer.from('builder:s3cret').toString('base64') } } }),
        );
        const args = multiArchIndexArgs(loadYaml(join(ROOT, 'tasks')), builds, { image: `${locked.host}/team/app` }, '/tekton/results').map(
          (a) => a.replace(/^--insecure-registry=$/, `--insecure-registry=${locked.host}`),
        );
        const r = spawnSync(
          'podman',
          [
            'run',
            '--rm',
            '--network=host',
            '--user=65532:65532',
            '--read-only',
            '--cap-drop=ALL',
            '--security-opt=no-new-privileges',
            `--volume=${join(dir, 'results')}:/tekton/results`,
            `--volume=${join(dir, 'dockerconfig')}:/workspace/dockerconfig:ro`,
            '--env=DOCKER_CONFIG=/workspace/dockerconfig',
            IMAGE_UNDER_TEST,
            ...args,
          ],
          { encoding: 'utf8', env: ENV },
        );
        assert.is(r.status, 0, r.stderr);
        const digest = readFileSync(join(dir, 'results/IMAGE_DIGEST'), 'utf8');
        assert.is(readFileSync(join(dir, 'results/IMAGE_URL'), 'utf8'), `${locked.host}/team/app:1.0.0`);
        assert.is(
          readFileSync(join(dir, 'results/IMAGES'), 'utf8'),
          [builds['build-amd64'].IMAGE_DIGEST, builds['build-arm64'].IMAGE_DIGEST].map((d) => `${locked.host}/team/app@${d}`).join('\n'),
        );
        const auth = { Authorization: `Basic ${Buffer.from('builder:s3cret').toString('base64')}` };
        for (const tag of ['1.0.0', 'latest']) assert.is((await headManifest(locked, 'team/app', tag, auth)).digest, digest);
        assert.is(
          pick(['--src-creds', 'builder:s3cret', '--override-arch', 'arm64'], `docker://${locked.host}/team/app:latest`),
          builds['build-arm64'].IMAGE_DIGEST,
        );
      },
    );
  }
  pod.after.each(stopAll);
  pod.run();

  const basic = suite('index with Basic auth (htpasswd)');
  basic('pushes with config.json credentials; a wrong password fails before anything is pushed', async () => {
    const locked = await startRegistry({ users: { builder: 's3cret' } });
    stops.push(() => locked.stop());
    const creds = 'builder:s3cret';
    const amd = push(locked, AMD64, 'team/app:amd64', { creds });
    const arm = push(locked, ARM64, 'other/app:arm64', { creds });
    const args = [...t(locked, 'team/app:1'), ...m(locked, 'team/app', amd), ...m(locked, 'other/app', arm)];
    const wrong = await index(args, { insecure: locked.host, auths: { [locked.host]: { username: 'builder', password: 'nope' } } });
    assert.is(wrong.status, EXIT_CODES.REGISTRY_DENIED, wrong.stderr);
    assert.ok(wrong.wroteNothing);
    const ok = await index(args, {
      insecure: locked.host,
      auths: { [`http://${locked.host}`]: { auth: Buffer.from(creds).toString('base64') } },
    });
    assert.is(ok.status, 0, ok.stderr);
    const raw = run('skopeo', ['inspect', '--tls-verify=false', '--creds', creds, '--raw', `docker://${locked.host}/team/app:1`]);
    assert.is(sha256(raw), ok.results!.digest);
    assert.is(pick(['--src-creds', creds, '--override-arch', 'arm64'], `docker://${locked.host}/team/app:1`), arm);
  });
  basic.after.each(stopAll);
  basic.run();

  const bearer = suite('index through a Bearer token service (push scope)');
  bearer('asks for pull,push on the index repository and pull on the mount source; a pull-only user is refused', async () => {
    const upstream = await startRegistry();
    const amd = push(upstream, AMD64, 'team/app:amd64');
    const arm = push(upstream, ARM64, 'other/app:arm64');
    const front = await tokenFront(upstream, { builder: ['pull', 'push'], reader: ['pull'] });
    stops.push(
      () => upstream.stop(),
      () => {
        front.server.closeAllConnections();
        front.server.close();
      },
    );
    const args = [
      '--tag',
      `${front.host}/team/app:1`,
      '--manifest',
      `${front.host}/team/app@${amd}`,
      '--manifest',
      `${front.host}/other/app@${arm}`,
    ];
    const auths = (user: string) => ({ [front.host]: { username: user, password: 's3cret' } });

    const reader = await index(args, { insecure: front.host, auths: auths('reader') });
    assert.is(reader.status, EXIT_CODES.REGISTRY_DENIED, reader.stderr);
    assert.match(reader.stderr, /no tag was pushed/);
    assert.ok(reader.wroteNothing);
    assert.is((await headManifest(upstream, 'team/app', '1')).status, 404);

    front.requested.length = 0;
    const ok = await index(args, { insecure: front.host, auths: auths('builder') });
    assert.is(ok.status, 0, ok.stderr);
    assert.ok(front.requested.includes('repository:team/app:pull'), front.requested.join('\n'));
    assert.ok(front.requested.includes('repository:team/app:pull,push'), front.requested.join('\n'));
    assert.ok(front.requested.includes('repository:team/app:pull,push repository:other/app:pull'), front.requested.join('\n'));
    assert.is((await headManifest(upstream, 'team/app', '1')).digest, ok.results!.digest);
    assert.is((await headManifest(upstream, 'team/app', arm)).status, 200);
  });
  bearer.after.each(stopAll);
  bearer.run();
}

/**
 * A token service in front of a real registry: requests need a Bearer token whose granted
 * scopes cover them (pull for GET/HEAD, pull,push for writes, plus pull on a mount's source);
 * /token grants what the user may do of what was asked, as distribution's token auth does.
 */
async function tokenFront(
  upstream: Registry,
  users: Record<string, string[]>,
): Promise<{ host: string; server: Server; requested: string[] }> {
  const requested: string[] = [];
  const granted = new Map<string, Set<string>>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, `http://${req.headers.host}`);
    if (url.pathname === '/token') {
      const [user, password] = Buffer.from(String(req.headers.authorization).replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':');
      if (!user || password !== 's3cret' || !users[user]) return void res.writeHead(401).end();
      const scopes = url.searchParams.getAll('scope');
      requested.push(scopes.join(' '));
      const grant = new Set(
        scopes.flatMap((s) => {
          const [, repo, actions] = s.split(':');
          return actions!
            .split(',')
            .filter((a) => users[user]!.includes(a))
            .map((a) => `${repo}:${a}`);
        }),
      );
      const token = `tok-${granted.size}`;
      granted.set(token, grant);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ token }));
    }
    const repo = /^\/v2\/(.+?)\/(manifests|blobs)\//.exec(url.pathname)?.[1];
    const write = req.method === 'PUT' || req.method === 'POST' || req.method === 'PATCH' || req.method === 'DELETE';
    const from = url.searchParams.get('from');
    const needs = repo ? [`${repo}:pull`, ...(write ? [`${repo}:push`] : []), ...(from ? [`${from}:pull`] : [])] : [];
    const have = granted.get(String(req.headers.authorization).replace(/^Bearer /, ''));
    if (!have || !needs.every((n) => have.has(n))) {
      const scope = repo ? `repository:${repo}:${write ? 'pull,push' : 'pull'}` : '';
      res.writeHead(have ? 403 : 401, {
        'WWW-Authenticate': `Bearer realm="http://${req.headers.host}/token",service="cnb-report-test",scope="${scope}"`,
      });
      return void res.end();
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const h of ['accept', 'content-type']) if (req.headers[h]) headers[h] = String(req.headers[h]);
    const answer = await fetch(`${upstream.url}${req.url}`, {
      method: req.method,
      headers,
      ...(chunks.length && { body: Buffer.concat(chunks) }),
      redirect: 'manual',
    });
    const out = Object.fromEntries([...answer.headers].filter(([k]) => k !== 'content-encoding' && k !== 'transfer-encoding'));
    res.writeHead(answer.status, out);
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { host: `127.0.0.1:${(server.address() as { port: number }).port}`, server, requested };
}

/** Push a manifest whose config is exactly `config` (a case buildah cannot make), by the plain API. */
async function pushCrafted(registry: Registry, repo: string, config: Record<string, unknown>): Promise<string> {
  const bytes = Buffer.from(JSON.stringify(config));
  const digest = sha256(bytes);
  const start = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.is(start.status, 202);
  const location = new URL(start.headers.get('location')!, registry.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.is(put.status, 201);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: bytes.length },
    layers: [],
  });
  const r = await fetch(`${registry.url}/v2/${repo}/manifests/crafted`, {
    method: 'PUT',
    body: manifest,
    headers: { 'Content-Type': OCI },
  });
  assert.is(r.status, 201, await r.text());
  return sha256(manifest);
}
