import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDigestReference, parseTagReference, repositoryKey, SHA256_DIGEST } from '../../../src/core/reference.ts';

const valid = suite('parseTagReference: valid');
// [reference, registry/repository key as go-containerregistry resolves it]
const VALID: [string, string][] = [
  ['registry.example.com/team/app:1.0', 'registry.example.com/team/app'],
  ['registry.example.com/team/app', 'registry.example.com/team/app'],
  [
    'my-gitea-http.gitea.svc.cluster.local:3000/giteaadmin/buildpacks-app',
    'my-gitea-http.gitea.svc.cluster.local:3000/giteaadmin/buildpacks-app',
  ],
  ['localhost:5000/alpine:latest', 'localhost:5000/alpine'],
  ['my-app', 'index.docker.io/library/my-app'],
  ['my-app:v1', 'index.docker.io/library/my-app'],
  ['team/app:v1', 'index.docker.io/team/app'],
  ['docker.io/library/app:1', 'index.docker.io/library/app'],
  ['docker.io/app', 'index.docker.io/library/app'],
  ['index.docker.io/image/name:other-tag', 'index.docker.io/image/name'],
  // pkg/name (used by the lifecycle and Chains) only treats a part with '.' or ':' as a registry.
  ['localhost/app', 'index.docker.io/localhost/app'],
  ['127.0.0.1:5000/a/b/c:tag_1.0-rc', '127.0.0.1:5000/a/b/c'],
  ['[::1]:5000/app:1', '[::1]:5000/app'],
  ['[2001:db8::1]/app:1', '[2001:db8::1]/app'],
  ['r.io:65535/app', 'r.io:65535/app'],
  ['Registry.Example.COM/app', 'Registry.Example.COM/app'],
  ['r.io/a__b/c-d--e/f.g:' + 'x'.repeat(128), 'r.io/a__b/c-d--e/f.g'],
];
for (const [text, key] of VALID) {
  valid(text, () => {
    const ref = parseTagReference(text);
    assert.type(ref, 'object', String(ref));
    if (typeof ref === 'object') assert.is(repositoryKey(ref), key);
  });
}
valid.run();

const invalid = suite('parseTagReference: invalid');
const INVALID: [string, RegExp][] = [
  ['', /not a valid image reference/],
  // the grammar's domain accepts these; no URL (and so no registry) does
  ['r.io:99999/app:1', /registry port above 65535 or an invalid IPv6 address/],
  ['r.io:65536/app', /port above 65535/],
  ['[:]/app:1', /invalid IPv6 address/],
  ['[::1::2]:5000/app', /invalid IPv6 address/],
  ['[1:2:3:4:5:6:7:8:9]/app', /invalid IPv6 address/],
  ['r.io/app@' + 'sha256:' + 'a'.repeat(64), /holds a digest/],
  ['r.io/app:1.0@sha256:' + 'a'.repeat(64), /holds a digest/],
  ['r.io/App', /not a valid/],
  ['r.io/app:', /invalid tag/],
  ['r.io/app:.hidden', /invalid tag/],
  ['r.io/app:' + 'x'.repeat(129), /invalid tag/],
  ['r.io/app name', /not a valid/],
  ['r.io/app\n', /not a valid/],
  ['r.io/app:1\n', /invalid tag/],
  ['r.io/app;rm -rf /', /not a valid/],
  ['r.io/$(id)', /not a valid/],
  ['r.io/app:`id`', /invalid tag/],
  ['r.io/"app"', /not a valid/],
  ["r.io/app:'1'", /invalid tag/],
  ['r.io/app:$TAG', /invalid tag/],
  ['r.io//app', /not a valid/],
  ['r.io/app/', /not a valid/],
  ['/layout-repo/index.docker.io/library/my-app/latest', /not a valid/],
  ['-r.io/app', /not a valid/],
  ['r.io/a--', /not a valid/],
  ['r.io/a..b', /not a valid/],
  ['r.io/ａpp', /not a valid/],
  ['r.io/app\u0000', /not a valid/],
  ['r.io/' + 'a'.repeat(251), /longer than 255/],
];
for (const [text, reason] of INVALID) {
  invalid(JSON.stringify(text).slice(0, 60), () => {
    const ref = parseTagReference(text);
    assert.type(ref, 'string');
    assert.match(ref as string, reason);
  });
}
invalid.run();

const digest = suite('SHA256_DIGEST');
digest('accepts sha256 + 64 lowercase hex only', () => {
  assert.ok(SHA256_DIGEST.test('sha256:' + 'a'.repeat(64)));
  for (const bad of [
    'sha256:' + 'A'.repeat(64),
    'sha256:' + 'a'.repeat(63),
    'sha256:' + 'a'.repeat(65),
    'sha512:' + 'a'.repeat(64),
    'a'.repeat(64),
    'sha256:' + 'a'.repeat(64) + '\n',
    ' sha256:' + 'a'.repeat(64),
  ]) {
    assert.not.ok(SHA256_DIGEST.test(bad), bad);
  }
});
digest.run();

const digestRef = suite('parseDigestReference');
const D = `sha256:${'a'.repeat(64)}`;
digestRef('name[:tag]@digest: the tag is kept apart, the digest checked', () => {
  const parsed = parseDigestReference(`r.io/team/app:1.0@${D}`);
  assert.ok(typeof parsed !== 'string');
  assert.equal([parsed.ref.name, parsed.ref.tag, parsed.digest], ['r.io/team/app', '1.0', D]);
});
digestRef('the reason: no digest, the name, then the digest', () => {
  assert.is(parseDigestReference('r.io/app:1'), 'has no @digest');
  assert.is(parseDigestReference(`R.io/App@${D}`), 'is not a valid image reference');
  assert.is(parseDigestReference('r.io/app@sha256:ABC'), 'does not end in @sha256: and 64 lowercase hex characters');
});
digestRef.run();
