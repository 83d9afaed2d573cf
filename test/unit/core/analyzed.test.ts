import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { CnbReportError } from '../../../src/core/errors.ts';
import { validateAnalyzed, runImageMaterial } from '../../../src/core/analyzed.ts';
import { parseToml } from '../../../src/core/toml.ts';

const parseAnalyzed = (bytes: Uint8Array, file: string) => validateAnalyzed(parseToml(bytes, file, 'ANALYZED_INVALID'), file);
import { fixture } from '../../support/helpers.ts';

const D = 'sha256:2b2bd4bf27a5a8e1b9d0b8e4c8f3ff2d39f5b0f1a7c1e0a6f3b9d8c7e6f5a4b3';
const read = (name: string) => parseAnalyzed(readFileSync(fixture('analyzed-toml', name)), name);
const text = (t: string) => parseAnalyzed(Buffer.from(t), 'analyzed.toml');

const a = suite('analyzed.toml shapes');
a('Platform API 0.7–0.11: reference only', () => {
  const run = read('platform-0.7-run-image-reference.toml');
  assert.equal(run, {
    name: 'index.docker.io/paketobuildpacks/run-jammy-base',
    digest: D,
    reference: `index.docker.io/paketobuildpacks/run-jammy-base@${D}`,
    image: undefined,
    platform: undefined,
  });
  assert.equal(runImageMaterial(run), { uri: 'oci://index.docker.io/paketobuildpacks/run-jammy-base', digest: D });
});
a('Platform API ≥ 0.12: image and target (distro ignored)', () => {
  const run = read('platform-0.12-run-image-target.toml');
  assert.equal(run.platform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.is(run.image, 'index.docker.io/paketobuildpacks/run-jammy-base:latest');
  assert.equal(read('platform-0.12-no-variant.toml').platform, { os: 'linux', architecture: 'amd64' });
});
a('a daemon build: no digest, so no material; the platform is still known', () => {
  const run = read('daemon-image-id.toml');
  assert.is(run.digest, undefined);
  assert.is(runImageMaterial(run), undefined);
  assert.equal(run.platform, { os: 'linux', architecture: 'amd64' });
});
a.run();

const bad = suite('analyzed.toml validation');
const CASES: [string, RegExp][] = [
  ['[image]\n', /run-image: missing/],
  ['run-image = 1', /run-image: is not a table/],
  ['[run-image]\nreference = "r.io/run@sha256:abc"', /run-image\.reference: "r\.io\/run@sha256:abc" does not end in @sha256:/],
  ['[run-image]\nreference = "R.io/Run x@' + D + '"', /run-image\.reference: .* is not a valid image reference/],
  ['[run-image]\nreference = "$(id)"', /is neither a digest reference nor an image id/],
  ['[run-image]\nreference = 5', /run-image\.reference: "5" is not a string/],
  ['[run-image]\nimage = "a b"', /run-image\.image: "a b" is not a valid image reference/],
  ['[run-image]\n[run-image.target]\nos = "linux;rm"\narch = "amd64"', /run-image\.target\.os: "linux;rm" is not a platform name/],
  ['[run-image\n', /not valid TOML/],
];
for (const [input, problem] of CASES) {
  bad(input.replace(/\n/g, ' ').slice(0, 50), () => {
    try {
      text(input);
      assert.unreachable();
    } catch (err) {
      assert.is((err as CnbReportError).code, 'ANALYZED_INVALID');
      const lines = [(err as Error).message, ...(err as CnbReportError).details];
      assert.ok(
        lines.some((l) => problem.test(l)),
        lines.join('\n'),
      );
    }
  });
}
bad.run();
