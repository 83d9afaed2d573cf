import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CnbReportError, type ErrorCode } from '../../../src/core/errors.ts';
import {
  checkPlatforms,
  parseChild,
  parseChildManifest,
  parsePlatform,
  planIndex,
  platformName,
  renderIndex,
  renderIndexResults,
  sha256,
  type IndexChild,
  type IndexPlatform,
} from '../../../src/core/imageindex.ts';
import { checkBudget } from '../../../src/core/results.ts';
import { assertSchema } from '../../support/oci.ts';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const d = (c: string) => `sha256:${c.repeat(64)}`;

/** The code a call fails with, and its message. */
function fails(fn: () => unknown): { code: ErrorCode; message: string } {
  try {
    fn();
  } catch (err) {
    assert.instance(err, CnbReportError);
    return { code: (err as CnbReportError).code, message: (err as CnbReportError).message };
  }
  throw new assert.Assertion({
    message: 'expected a CnbReportError',
    generated: false,
    operator: 'throws',
    expects: 'error',
    actual: 'no error',
  });
}

const bytes = (doc: unknown) => Buffer.from(JSON.stringify(doc));
const manifestDoc = (mediaType = OCI, layers = [d('b')]) => ({
  schemaVersion: 2,
  mediaType,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('c'), size: 300 },
  layers: layers.map((digest) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: 100 })),
});

function child(platform: IndexPlatform, seed: string, mediaType = OCI): IndexChild {
  const raw = bytes({ ...manifestDoc(mediaType), annotations: { seed } });
  return { reference: parseChild(`reg.io/team/app@${sha256(raw)}`), manifest: parseChildManifest(raw, mediaType, seed), platform };
}

const plan = suite('planIndex and parseChild');
plan('tags in one repository, children on its registry; a tag before the digest is allowed', () => {
  const p = planIndex(['reg.io/team/app:1.0', 'reg.io/team/app'], [`reg.io/team/app:amd64@${d('a')}`, `reg.io/other/app@${d('b')}`]);
  assert.equal([p.target.text, p.target.repository, p.tags.map((t) => t.tag)], ['reg.io/team/app:1.0', 'team/app', ['1.0', undefined]]);
  assert.equal(
    p.children.map((c) => [c.repository, c.tag, c.digest]),
    [
      ['team/app', 'amd64', d('a')],
      ['other/app', undefined, d('b')],
    ],
  );
});
const PLAN_ERRORS: [string, string[], string[], ErrorCode, RegExp][] = [
  ['no tag', [], [`reg.io/a@${d('a')}`], 'USAGE', /at least one --tag/],
  ['no manifest', ['reg.io/a:1'], [], 'USAGE', /at least one --manifest/],
  [
    'a manifest without a digest',
    ['reg.io/a:1'],
    ['reg.io/a:amd64'],
    'INDEX_NO_DIGEST',
    /"reg\.io\/a:amd64" has no digest: pass what the build reported, IMAGE_URL@IMAGE_DIGEST/,
  ],
  [
    'a digest that is not sha256 hex',
    ['reg.io/a:1'],
    ['reg.io/a@sha256:ABC'],
    'INDEX_NO_DIGEST',
    /the digest is not sha256: followed by 64 lowercase hex/,
  ],
  ['a sha512 digest', ['reg.io/a:1'], [`reg.io/a@sha512:${'a'.repeat(128)}`], 'INDEX_NO_DIGEST', /not sha256/],
  ['a manifest that is not a reference', ['reg.io/a:1'], [`reg.io/A B@${d('a')}`], 'USAGE', /is not a valid image reference/],
  ['a tag with a digest', [`reg.io/a@${d('a')}`], [`reg.io/a@${d('a')}`], 'USAGE', /--tag .* holds a digest/],
  ['a tag with an invalid tag', ['reg.io/a:-x'], [`reg.io/a@${d('a')}`], 'USAGE', /has an invalid tag/],
  [
    'tags in two repositories',
    ['reg.io/a:1', 'reg.io/b:1'],
    [`reg.io/a@${d('a')}`],
    'INDEX_WRONG_REPOSITORY',
    /"reg\.io\/b:1" is not in reg\.io\/a: every --tag must name the same repository/,
  ],
  [
    'a child on another registry',
    ['reg.io/a:1'],
    [`other.io/a@${d('a')}`],
    'INDEX_WRONG_REPOSITORY',
    /is on other\.io, not on reg\.io: an index can only name manifests on its own registry/,
  ],
  [
    'Docker Hub spellings are one registry, a port is another',
    ['docker.io/library/app:1'],
    [`app@${d('a')}`, `reg.io:5000/app@${d('b')}`],
    'INDEX_WRONG_REPOSITORY',
    /is on reg\.io:5000, not on index\.docker\.io/,
  ],
];
for (const [name, tags, manifests, code, message] of PLAN_ERRORS) {
  plan(`${name}: ${code}`, () => {
    const e = fails(() => planIndex(tags, manifests));
    assert.is(e.code, code);
    assert.match(e.message, message);
  });
}
plan.run();

const manifests = suite('parseChildManifest');
manifests('OCI and Docker v2 image manifests: bytes, digest, size, and every blob to bring along', () => {
  for (const type of [OCI, DOCKER]) {
    const raw = bytes(manifestDoc(type, [d('1'), d('2')]));
    const m = parseChildManifest(raw, type, 'x');
    assert.equal(
      [m.mediaType, m.digest, m.size, m.config, m.blobs.map((b) => b.digest)],
      [type, sha256(raw), raw.length, { digest: d('c'), size: 300 }, [d('c'), d('1'), d('2')]],
    );
  }
  // No mediaType in the body is allowed (OCI makes it optional); the served type counts.
  const { mediaType: _, ...bare } = manifestDoc();
  assert.is(parseChildManifest(bytes(bare), OCI, 'x').mediaType, OCI);
});
const MANIFEST_ERRORS: [string, unknown, string, ErrorCode, RegExp][] = [
  [
    'served as an OCI index',
    manifestDoc(),
    OCI_INDEX,
    'INDEX_CHILD_IS_INDEX',
    /x is itself an image index \(application\/vnd\.oci\.image\.index\.v1\+json\)/,
  ],
  ['served as a Docker manifest list', manifestDoc(), LIST, 'INDEX_CHILD_IS_INDEX', /manifest\.list/],
  [
    'an index body served as a manifest',
    { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] },
    OCI,
    'INDEX_CHILD_IS_INDEX',
    /is itself an image index/,
  ],
  [
    'a body with manifests[] and no mediaType',
    { schemaVersion: 2, manifests: [] },
    OCI,
    'INDEX_CHILD_IS_INDEX',
    /is itself an image index/,
  ],
  ['not JSON', 'not json', OCI, 'REGISTRY_ERROR', /not JSON/],
  ['a JSON array', [1], OCI, 'REGISTRY_ERROR', /not a JSON object/],
  [
    'an unsupported media type',
    manifestDoc(),
    'application/vnd.docker.distribution.manifest.v1+prettyjws',
    'REGISTRY_ERROR',
    /unsupported manifest media type/,
  ],
  [
    'body and Content-Type disagree',
    manifestDoc(DOCKER),
    OCI,
    'REGISTRY_ERROR',
    /the manifest says mediaType .*docker.* served it as .*oci/,
  ],
  ['schemaVersion 1', { ...manifestDoc(), schemaVersion: 1 }, OCI, 'REGISTRY_ERROR', /schemaVersion is "1", not 2/],
  ['no config', { ...manifestDoc(), config: undefined }, OCI, 'REGISTRY_ERROR', /config: not a descriptor/],
  [
    'a config digest that is not sha256',
    { ...manifestDoc(), config: { digest: 'md5:x', size: 1 } },
    OCI,
    'REGISTRY_ERROR',
    /config: digest "md5:x" is not a sha256 digest/,
  ],
  [
    'a negative layer size',
    { ...manifestDoc(), layers: [{ digest: d('1'), size: -1 }] },
    OCI,
    'REGISTRY_ERROR',
    /layers\[0\]: size "-1" is not a byte count/,
  ],
  ['no layers array', { ...manifestDoc(), layers: {} }, OCI, 'REGISTRY_ERROR', /no layers array/],
];
for (const [name, doc, type, code, message] of MANIFEST_ERRORS) {
  manifests(`${name}: ${code}`, () => {
    const raw = typeof doc === 'string' ? Buffer.from(doc) : bytes(doc);
    const e = fails(() => parseChildManifest(raw, type, 'x'));
    assert.is(e.code, code);
    assert.match(e.message, message);
  });
}
manifests.run();

const platforms = suite('parsePlatform');
platforms('os and architecture, with variant and os.version when set; other keys ignored', () => {
  assert.equal(parsePlatform(bytes({ os: 'linux', architecture: 'amd64', config: {}, rootfs: {} }), 'x'), {
    architecture: 'amd64',
    os: 'linux',
  });
  assert.equal(parsePlatform(bytes({ os: 'linux', architecture: 'arm', variant: 'v7' }), 'x'), {
    architecture: 'arm',
    os: 'linux',
    variant: 'v7',
  });
  assert.equal(parsePlatform(bytes({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2227', variant: '' }), 'x'), {
    architecture: 'amd64',
    os: 'windows',
    'os.version': '10.0.20348.2227',
  });
});
const PLATFORM_ERRORS: [string, unknown, ErrorCode, RegExp][] = [
  [
    'no architecture',
    { os: 'linux' },
    'INDEX_NO_PLATFORM',
    /x: the image config has no architecture, so it cannot be placed in an index by platform/,
  ],
  ['no os and no architecture', {}, 'INDEX_NO_PLATFORM', /has no os and no architecture/],
  ['an empty os', { os: '', architecture: 'amd64' }, 'INDEX_NO_PLATFORM', /has no os/],
  ['a numeric architecture', { os: 'linux', architecture: 64 }, 'INDEX_NO_PLATFORM', /has no architecture/],
  ['a variant that is not a string', { os: 'linux', architecture: 'arm', variant: 7 }, 'REGISTRY_ERROR', /variant is "7", not a string/],
  ['not JSON', 'x', 'REGISTRY_ERROR', /the config blob is not JSON/],
  ['null', null, 'REGISTRY_ERROR', /not a JSON object/],
];
for (const [name, doc, code, message] of PLATFORM_ERRORS) {
  platforms(`${name}: ${code}`, () => {
    const e = fails(() => parsePlatform(typeof doc === 'string' ? Buffer.from(doc) : bytes(doc), 'x'));
    assert.is(e.code, code);
    assert.match(e.message, message);
  });
}
platforms('names: os/arch[/variant][:os.version]', () => {
  assert.is(platformName({ os: 'linux', architecture: 'arm64', variant: 'v8' }), 'linux/arm64/v8');
  assert.is(platformName({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.1' }), 'windows/amd64:10.0.1');
});
platforms.run();

const render = suite('renderIndex');
const AMD = child({ architecture: 'amd64', os: 'linux' }, 'amd');
const ARM = child({ architecture: 'arm64', os: 'linux', variant: 'v8' }, 'arm');
const ARMV7 = child({ architecture: 'arm', os: 'linux', variant: 'v7' }, 'armv7', DOCKER);
const WIN = child({ architecture: 'amd64', os: 'windows', 'os.version': '10.0.20348.2227' }, 'win');

render('exact bytes: compact, fixed key order, sorted by platform; valid against the OCI index schema', () => {
  const index = renderIndex([ARM, AMD, ARMV7]);
  const doc = JSON.parse(index.text);
  assert.is(index.text, JSON.stringify(doc));
  assert.equal(Object.keys(doc), ['schemaVersion', 'mediaType', 'manifests']);
  assert.equal(
    doc.manifests.map((m: any) => [m.mediaType, m.digest, m.size, m.platform]),
    [
      [OCI, AMD.manifest.digest, AMD.manifest.size, { architecture: 'amd64', os: 'linux' }],
      [DOCKER, ARMV7.manifest.digest, ARMV7.manifest.size, { architecture: 'arm', os: 'linux', variant: 'v7' }],
      [OCI, ARM.manifest.digest, ARM.manifest.size, { architecture: 'arm64', os: 'linux', variant: 'v8' }],
    ],
  );
  assert.is(index.digest, sha256(index.text));
  assert.is(index.size, Buffer.byteLength(index.text));
  assert.equal(
    index.children.map((c) => c.manifest.digest),
    doc.manifests.map((m: any) => m.digest),
  );
  assertSchema('image-index-schema.json', doc);
  assert.equal(JSON.parse(renderIndex([WIN]).text).manifests[0].platform, {
    architecture: 'amd64',
    os: 'windows',
    'os.version': '10.0.20348.2227',
  });
});
render('the same children in any order give the same bytes and digest', () => {
  const all = [AMD, ARM, ARMV7, WIN];
  const orders = [all, [...all].reverse(), [ARMV7, WIN, AMD, ARM], [WIN, ARM, ARMV7, AMD]];
  const texts = new Set(orders.map((o) => renderIndex(o).text));
  assert.is(texts.size, 1);
  assert.is.not(renderIndex([AMD, ARM]).digest, renderIndex([AMD, ARMV7]).digest);
});
render('two children with one platform: INDEX_DUPLICATE_PLATFORM, naming both', () => {
  const twin = child({ architecture: 'amd64', os: 'linux' }, 'amd-again', DOCKER);
  const e = fails(() => renderIndex([AMD, ARM, twin]));
  assert.is(e.code, 'INDEX_DUPLICATE_PLATFORM');
  assert.match(
    e.message,
    /--manifest reg\.io\/team\/app@sha256:[0-9a-f]{64} and reg\.io\/team\/app@sha256:[0-9a-f]{64} are both linux\/amd64/,
  );
  // A variant or an os.version makes a platform distinct.
  checkPlatforms([ARM, child({ architecture: 'arm64', os: 'linux' }, 'arm-novariant')]);
  checkPlatforms([WIN, child({ architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.1' }, 'win2019')]);
});
render.run();

const results = suite('renderIndexResults');
results('IMAGE_URL is the first tag as given; IMAGE_DIGEST the index; IMAGES each child in the index repository', () => {
  const p = planIndex(
    ['reg.io/team/app:1.0', 'reg.io/team/app:latest'],
    [`reg.io/other/app@${ARM.manifest.digest}`, `reg.io/team/app:x@${AMD.manifest.digest}`],
  );
  const index = renderIndex([ARM, AMD]);
  assert.equal(renderIndexResults(p, index), [
    { name: 'IMAGE_URL', value: 'reg.io/team/app:1.0' },
    { name: 'IMAGE_DIGEST', value: index.digest },
    { name: 'IMAGES', value: `reg.io/team/app@${AMD.manifest.digest}\nreg.io/team/app@${ARM.manifest.digest}` },
  ]);
});
results('the termination-message budget applies: many platforms in a long repository name do not fit', () => {
  const long = `reg.io/${'a'.repeat(200)}`;
  const kids = Array.from({ length: 20 }, (_, i) => child({ architecture: `arch${i}`, os: 'linux' }, `k${i}`));
  const p = planIndex(
    [`${long}:1`],
    kids.map((k) => `${long}@${k.manifest.digest}`),
  );
  const e = fails(() => checkBudget(renderIndexResults(p, renderIndex(kids))));
  assert.is(e.code, 'RESULTS_TOO_LARGE');
  const few = kids.slice(0, 3);
  checkBudget(
    renderIndexResults(
      planIndex(
        [`${long}:1`],
        few.map((k) => `${long}@${k.manifest.digest}`),
      ),
      renderIndex(few),
    ),
  );
});
results.run();
