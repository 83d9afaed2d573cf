import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { validateAnalyzed } from '../../../src/core/analyzed.ts';
import { formatReport, reportDocument } from '../../../src/core/format.ts';
import { validateReport } from '../../../src/core/report.ts';
import { DIGEST } from '../../support/helpers.ts';

const report = validateReport(
  { image: { tags: ['r.io/team/app:1', 'r.io/mirror/app:1', 'r.io/team/app:latest'], digest: DIGEST, 'manifest-size': 528 } },
  'report.toml',
);
const run = validateAnalyzed(
  {
    'run-image': { reference: `r.io/run@${DIGEST}`, image: 'r.io/run:base', target: { os: 'linux', arch: 'arm64', 'arch-variant': 'v8' } },
  },
  'analyzed.toml',
);

const f = suite('format');
f('the document keeps the lifecycle key order and adds [run-image] in analyzed.toml terms', () => {
  assert.equal(
    JSON.stringify(reportDocument(report, run)),
    JSON.stringify({
      image: { tags: report.tags, digest: DIGEST, 'manifest-size': 528 },
      'run-image': {
        reference: `r.io/run@${DIGEST}`,
        image: 'r.io/run:base',
        target: { os: 'linux', arch: 'arm64', 'arch-variant': 'v8' },
      },
    }),
  );
  assert.equal(Object.keys(reportDocument(report)), ['image']);
});
f('env: one KEY=value per line, IMAGES naming each other repository once', () => {
  assert.is(
    formatReport(report, 'env', run),
    [
      'IMAGE_URL=r.io/team/app:1',
      `IMAGE_DIGEST=${DIGEST}`,
      `IMAGES=r.io/mirror/app@${DIGEST}`,
      'MANIFEST_SIZE=528',
      'IMAGE_TAGS=r.io/team/app:1,r.io/mirror/app:1,r.io/team/app:latest',
      `RUN_IMAGE=r.io/run@${DIGEST}`,
    ].join('\n'),
  );
});
f('toml: the lifecycle layout, nested tables indented', () => {
  assert.is(
    formatReport(report, 'toml', run),
    [
      '[image]',
      '  tags = ["r.io/team/app:1", "r.io/mirror/app:1", "r.io/team/app:latest"]',
      `  digest = "${DIGEST}"`,
      '  manifest-size = 528',
      '',
      '[run-image]',
      `  reference = "r.io/run@${DIGEST}"`,
      '  image = "r.io/run:base"',
      '',
      '  [run-image.target]',
      '    os = "linux"',
      '    arch = "arm64"',
      '    arch-variant = "v8"',
    ].join('\n'),
  );
});
f('json: the document, indented', () => {
  assert.equal(JSON.parse(formatReport(report, 'json')), reportDocument(report));
});
f.run();
