import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CnbReportError } from '../../../src/core/errors.ts';
import { renderLayout } from '../../../src/core/layout.ts';
import { parseToml } from '../../../src/core/toml.ts';
import { validateReport } from '../../../src/core/report.ts';
import { DIGEST, reportToml } from '../../support/helpers.ts';
import { assertSchema, schemaValidator } from '../../support/oci.ts';

const parse_ = (bytes: Uint8Array, file: string) => validateReport(parseToml(bytes, file), file);

const report = (image: Record<string, unknown>) => parse_(Buffer.from(reportToml(image)), 'report.toml');

const layout = suite('renderLayout');
layout('index.json: one OCI manifest descriptor, exact bytes, valid by the image-index schema', () => {
  const files = renderLayout(report({ tags: ['r.io/team/app:1.0', 'r.io/team/app:latest'], digest: DIGEST, 'manifest-size': 3020 }));
  assert.is(
    files['index.json'],
    `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${DIGEST}","size":3020,"annotations":{"org.opencontainers.image.ref.name":"r.io/team/app:1.0"}}]}`,
  );
  assertSchema('image-index-schema.json', JSON.parse(files['index.json']));
  assert.is(files['oci-layout'], '{"imageLayoutVersion":"1.0.0"}');
  assertSchema('image-layout-schema.json', JSON.parse(files['oci-layout']));
});
layout('--media-type docker gives a Docker v2 descriptor', () => {
  const files = renderLayout(report({ tags: ['r.io/app'], digest: DIGEST, 'manifest-size': 528 }), { format: 'docker' });
  const index = JSON.parse(files['index.json']);
  assert.is(index.manifests[0].mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assertSchema('image-index-schema.json', index);
});
layout('platform and served media type/size are carried into the descriptor', () => {
  const files = renderLayout(report({ tags: ['r.io/app'], digest: DIGEST }), {
    served: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 1234 },
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  });
  const d = JSON.parse(files['index.json']).manifests[0];
  assert.equal(
    [d.mediaType, d.size, d.platform],
    ['application/vnd.docker.distribution.manifest.v2+json', 1234, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
  );
  assertSchema('image-index-schema.json', JSON.parse(files['index.json']));
});
layout('no manifest-size: a clear error naming the field', () => {
  try {
    renderLayout(report({ tags: ['r.io/app'], digest: DIGEST }));
    assert.unreachable();
  } catch (err) {
    assert.is((err as CnbReportError).code, 'REPORT_INVALID');
    assert.match(
      (err as Error).message,
      /report\.toml: image\.manifest-size: missing, and an OCI layout descriptor needs the manifest size/,
    );
  }
});
layout('no digest: NO_DIGEST', () => {
  assert.throws(
    () => renderLayout(report({ tags: ['app'], 'image-id': 'a'.repeat(64), 'manifest-size': 3 })),
    (e: CnbReportError) => e.code === 'NO_DIGEST',
  );
});
layout.run();

const schema = suite('the schema check itself');
schema('rejects what the spec forbids (so the checks above can fail)', () => {
  const validate = schemaValidator('image-index-schema.json');
  const good = JSON.parse(renderLayout(report({ tags: ['r.io/app'], digest: DIGEST, 'manifest-size': 1 }))['index.json']);
  assert.ok(validate(good));
  for (const broken of [
    { ...good, schemaVersion: 1 },
    { ...good, manifests: [{ ...good.manifests[0], size: '1' }] },
    { ...good, manifests: [{ ...good.manifests[0], digest: 'nope' }] },
  ]) {
    assert.not.ok(validate(broken), JSON.stringify(broken));
  }
});
schema.run();
