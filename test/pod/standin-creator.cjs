#!/nodejs/bin/node
// A stand-in for the buildpacks lifecycle's /cnb/lifecycle/creator, for the pod-level e2e
// (test/pod/README.md). It behaves like lifecycle 0.2x where a Tekton Task depends on it:
//  - refuses to start without CNB_PLATFORM_API (lifecycle >= 0.18, cmd/apis.go), exit 11;
//  - builds as -uid/-gid, default CNB_USER_ID/CNB_GROUP_ID; switching to another user is only
//    possible as root (priv/user_linux.go): "failed to exec as user U:G: operation not permitted";
//  - every -tag must be on <image>'s registry ("writing to multiple registries is unsupported");
//  - writes into the layers directory, the app directory (as buildpacks do), $HOME and -cache-dir;
//  - pushes a real (tiny) OCI image to every repository named by <image> and -tag, over plain
//    HTTP for registries in CNB_INSECURE_REGISTRIES;
//  - writes <layers>/analyzed.toml and the -report file (default <layers>/report.toml) with the
//    lifecycle's keys and TOML layout (two-space indent, mode 0644): digest = sha256 of the
//    manifest body the registry serves, manifest-size = its length.
// Stand-in shortcuts, not lifecycle behaviour: the run image named in /cnb/run.toml without a
// registry lives on <image>'s registry; /platform/env/STANDIN_CORRUPT_REPORT (set through the
// Task's ENV_VARS) makes it write a report whose digest is cut short, to test a bad report.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const zlib = require('node:zlib');

const TIMEOUT_MS = 15000;
const MAX_BODY = 4 * 1024 * 1024;
const BOOLEAN_FLAGS = new Set(['skip-restore', 'daemon', 'publish', 'no-color']);

function fail(code, message) {
  process.stderr.write(`ERROR: ${message}\n`);
  process.exit(code);
}

// Go's flag package: -name=value, -name value, bools bare; flags stop at the first argument.
function parseArgs(argv) {
  const flags = { tag: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const m = /^--?([a-z][a-z-]*)(?:=([\s\S]*))?$/.exec(argv[i]);
    if (!m) break;
    let value = m[2];
    if (value === undefined) value = BOOLEAN_FLAGS.has(m[1]) ? 'true' : argv[++i];
    if (m[1] === 'tag') flags.tag.push(value);
    else flags[m[1]] = value;
  }
  return { flags, positional: argv.slice(i) };
}

function parseRef(ref, defaultRegistry) {
  let rest = ref;
  let digest;
  const at = rest.indexOf('@');
  if (at >= 0) [rest, digest] = [rest.slice(0, at), rest.slice(at + 1)];
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : defaultRegistry;
  let repo = hasRegistry ? rest.slice(slash + 1) : rest;
  let tag = 'latest';
  const colon = repo.lastIndexOf(':');
  if (colon >= 0) [repo, tag] = [repo.slice(0, colon), repo.slice(colon + 1)];
  if (!registry || !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repo))
    fail(3, `failed to parse reference ${JSON.stringify(ref)}`);
  return { registry, repo, tag, digest };
}

async function request(registry, method, urlPath, init = {}) {
  const insecure = (process.env.CNB_INSECURE_REGISTRIES || '').split(',').map((s) => s.trim());
  const base = `${insecure.includes(registry) ? 'http' : 'https'}://${registry}`;
  const url = urlPath.startsWith('http') ? urlPath : `${base}${urlPath}`;
  const res = await fetch(url, { method, ...init, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
  const declared = Number(res.headers.get('content-length') || 0);
  if (declared > MAX_BODY) fail(62, `${method} ${url}: response too large`);
  const body = method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await res.arrayBuffer());
  if (body.length > MAX_BODY) fail(62, `${method} ${url}: response too large`);
  return { status: res.status, headers: res.headers, body, url: res.url || url };
}

const sha256 = (data) => `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;

function tarOf(name, content) {
  const header = Buffer.alloc(512);
  const field = (offset, length, value) => header.write(value, offset, length, 'ascii');
  field(0, 100, name);
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, `${content.length.toString(8).padStart(11, '0')}\0`);
  field(136, 12, '00000000000\0');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

async function pushBlob(registry, repo, data) {
  const digest = sha256(data);
  const head = await request(registry, 'HEAD', `/v2/${repo}/blobs/${digest}`);
  if (head.status === 200) return digest;
  const start = await request(registry, 'POST', `/v2/${repo}/blobs/uploads/`);
  if (start.status !== 202) fail(62, `failed to export: upload to ${registry}/${repo}: HTTP ${start.status}`);
  const location = new URL(start.headers.get('location'), start.url);
  location.searchParams.set('digest', digest);
  const put = await request(registry, 'PUT', location.toString(), { body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  if (put.status !== 201) fail(62, `failed to export: blob to ${registry}/${repo}: HTTP ${put.status}`);
  return digest;
}

async function main() {
  const { flags, positional } = parseArgs(process.argv.slice(2));
  if (!process.env.CNB_PLATFORM_API)
    fail(11, "failed to get platform API version; please set 'CNB_PLATFORM_API' to specify the desired platform API version");
  if (positional.length !== 1) fail(3, 'failed to parse arguments: received unexpected arguments or no image');

  const parseId = (flag, env) => {
    const value = flags[flag] !== undefined ? flags[flag] : process.env[env];
    if (!/^\d+$/.test(value || '')) fail(3, `invalid value ${JSON.stringify(value || '')} for flag -${flag}: parse error`);
    return Number(value);
  };
  const uid = parseId('uid', 'CNB_USER_ID');
  const gid = parseId('gid', 'CNB_GROUP_ID');
  if (process.getuid() !== uid || process.getgid() !== gid) {
    if (process.getuid() !== 0) fail(1, `failed to exec as user ${uid}:${gid}: operation not permitted`);
    process.setgroups([gid]);
    process.setgid(gid);
    process.setuid(uid);
  }

  const image = parseRef(positional[0]);
  const tags = [positional[0], ...flags.tag];
  const targets = tags.map((t) => parseRef(t));
  if (targets.some((t) => t.registry !== image.registry))
    fail(3, 'failed to resolve inputs: writing to multiple registries is unsupported');

  const layers = flags.layers || '/layers';
  const app = flags.app || '/workspace';
  const platform = flags.platform || '/platform';
  const write = (file, data) => {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, data, { mode: 0o644 });
    } catch (err) {
      fail(51, `failed to build: writing ${file} as ${uid}:${gid}: ${err.code || err.message}`);
    }
  };
  console.log('===> BUILDING');
  write(path.join(layers, 'stand-in_buildpack', 'app', 'built'), `${positional[0]}\n`);
  write(path.join(app, '.stand-in-build'), `built by ${uid}:${gid}\n`);
  write(path.join(process.env.HOME || '/home/cnb', '.stand-in-cache'), 'cache\n');

  console.log('===> ANALYZING');
  let runRef = flags['run-image'];
  if (!runRef) {
    const runToml = fs.readFileSync('/cnb/run.toml', 'utf8');
    runRef = /image\s*=\s*"([^"]+)"/.exec(runToml)[1];
  }
  const run = parseRef(runRef, image.registry);
  const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  const runHead = await request(run.registry, 'HEAD', `/v2/${run.repo}/manifests/${run.digest || run.tag}`, {
    headers: { Accept: accept },
  });
  if (runHead.status !== 200) fail(12, `failed to analyze: run image ${run.registry}/${run.repo}:${run.tag}: HTTP ${runHead.status}`);
  const runDigest = runHead.headers.get('docker-content-digest');

  console.log('===> EXPORTING');
  const tar = tarOf('workspace/.stand-in-build', Buffer.from(`${positional[0]} built by ${uid}:${gid}\n`));
  const layer = zlib.gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { User: `${uid}:${gid}`, Labels: { 'io.buildpacks.stand-in': 'true' } },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
    }),
  );
  const digest = sha256(manifest);
  for (const t of targets) {
    await pushBlob(t.registry, t.repo, layer);
    await pushBlob(t.registry, t.repo, config);
    const put = await request(t.registry, 'PUT', `/v2/${t.repo}/manifests/${t.tag}`, {
      body: manifest,
      headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
    });
    if (put.status !== 201) fail(62, `failed to export: saving ${t.registry}/${t.repo}:${t.tag}: HTTP ${put.status}`);
    if (put.headers.get('docker-content-digest') !== digest) fail(62, `failed to export: ${t.repo}: the registry computed another digest`);
  }
  console.log(`*** Images (${digest.slice(7, 19)}):`);
  for (const t of tags) console.log(`      ${t}`);
  if (flags['cache-dir']) write(path.join(flags['cache-dir'], 'committed', 'stand-in.tar'), `${digest}\n`); // the lifecycle exports its cache last

  const corrupt = fs.existsSync(path.join(platform, 'env', 'STANDIN_CORRUPT_REPORT'));
  const reported = corrupt ? digest.slice(0, 20) : digest;
  write(
    path.join(layers, 'analyzed.toml'),
    [
      '[run-image]',
      `  reference = "${run.registry}/${run.repo}@${runDigest}"`,
      `  image = "${runRef}"`,
      '  [run-image.target]',
      '    os = "linux"',
      '    arch = "amd64"',
      '',
    ].join('\n'),
  );
  write(
    flags.report || path.join(layers, 'report.toml'),
    [
      '[image]',
      `  tags = [${tags.map((t) => JSON.stringify(t)).join(', ')}]`,
      `  digest = "${reported}"`,
      `  manifest-size = ${manifest.length}`,
      '',
    ].join('\n'),
  );
}

main().catch((err) => fail(1, `failed to create: ${err.message}`));
