import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CnbReportError } from '../../../src/core/errors.ts';
import { parseToml } from '../../../src/core/toml.ts';
import { validateReport, type Report } from '../../../src/core/report.ts';
import { DIGEST, REPORTS, largeReport, reportToml, tomlFiles } from '../../support/helpers.ts';

const parse_ = (bytes: Uint8Array, file: string) => validateReport(parseToml(bytes, file), file);

function parse(text: string | Uint8Array, file = 'report.toml'): Report {
  return parse_(typeof text === 'string' ? Buffer.from(text) : text, file);
}

function problems(text: string | Uint8Array): string[] {
  try {
    parse(text);
  } catch (err) {
    assert.instance(err, CnbReportError);
    assert.is((err as CnbReportError).code, 'REPORT_INVALID');
    const e = err as CnbReportError;
    return e.details.length ? [...e.details] : [e.message];
  }
  throw new assert.Assertion({
    message: 'expected the report to be rejected',
    operator: 'throws',
    expects: 'REPORT_INVALID',
    actual: 'a report',
  });
}

// Every shared fixture, with what a strict reader must make of it. A file added to the folder
// without a row here fails the "table covers every fixture" case.
type Expect = Partial<Omit<Report, 'file' | 'references'>> | { invalid: RegExp[] };
const D1 = 'sha256:a15790640a6690aa1730c38cf0a440e2aa44aaca9b0e8931a9f2b0d7cc90fd65';
const D2 = 'sha256:52eac630560210e5ae13eb10797c4246d6f02d425f32b9430ca00bde697c79ec';
const ID = '9c0e1895b90f2d5a3b0f8a4a1c2e3d4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';
const THREE = ['registry.example.com/team/app:1.0.0', 'registry.example.com/team/app:1.0', 'registry.example.com/team/app:latest'];
const FIXTURE_TABLE: Record<string, Expect> = {
  'kpack-notary-report-multiple-gun.toml': {
    tags: ['example-registry.io/test:latest', 'some-other-registry.io/test:other-tag'],
    digest: D1,
    manifestSize: undefined,
  },
  'kpack-notary-report.toml': { tags: ['example-registry.io/test:latest', 'example-registry.io/test:other-tag'], digest: D1 },
  'lifecycle-issue-1498-lifecycle-0.20.8.toml': {
    tags: ['my-gitea-http.gitea.svc.cluster.local:3000/giteaadmin/buildpacks-app'],
    digest: DIGEST,
    manifestSize: 3020,
  },
  'rfc-0040-design-daemon-NOT-WHAT-LIFECYCLE-WRITES.toml': {
    tags: ['index.docker.io/image/name:latest', 'index.docker.io/image/name:other-tag'],
    digest: undefined,
    imageId: '9c0e1895b90f',
  },
  'rfc-0040-design-registry.toml': { digest: 'sha256:c8be1b8f4d60d99c281fc2db75e0f56df42a83ad2f0b091621ce19357e19d853' },
  'rfc-0067-design-manifest-size.toml': { tags: ['localhost:5000/alpine:latest'], digest: D1, manifestSize: 528 },
  'sap-jenkins-library-cnbBuild_test.toml': { tags: ['localhost:5000/not-found:0.0.1'], digest: D2, manifestSize: 2388 },
  'sap-jenkins-library-report_test.toml': { invalid: [/image\.tags: missing/] },
  'generated/burntsushi-v1.1.0-daemon-no-manifest-size.toml': {
    tags: ['my-app', 'my-app:v1'],
    digest: undefined,
    imageId: ID,
    manifestSize: undefined,
  },
  'generated/burntsushi-v1.6.0-daemon-no-manifest-size.toml': { tags: ['my-app', 'my-app:v1'], digest: undefined, imageId: ID },
  'generated/burntsushi-v1.1.0-layout-inferred.toml': { invalid: [/image\.tags\[0\]: "\/layout-repo\/.*" is not a valid image reference/] },
  'generated/burntsushi-v1.6.0-layout-inferred.toml': { invalid: [/image\.tags\[0\]/] },
  'generated/burntsushi-v1.1.0-rebase-report.toml': { tags: ['registry.example.com/team/app:1.0'], digest: DIGEST, manifestSize: 3020 },
  'generated/burntsushi-v1.6.0-rebase-report.toml': { tags: ['registry.example.com/team/app:1.0'], digest: DIGEST, manifestSize: 3020 },
  'generated/burntsushi-v1.1.0-registry-one-tag.toml': { tags: ['registry.example.com/team/app'], digest: DIGEST, manifestSize: 3020 },
  'generated/burntsushi-v1.6.0-registry-one-tag.toml': { tags: ['registry.example.com/team/app'], digest: DIGEST, manifestSize: 3020 },
  'generated/burntsushi-v1.1.0-registry-three-tags.toml': { tags: THREE, digest: DIGEST, manifestSize: 3020 },
  'generated/burntsushi-v1.6.0-registry-three-tags.toml': { tags: THREE, digest: DIGEST, manifestSize: 3020 },
  'generated/burntsushi-v1.1.0-with-build-bom.toml': { tags: ['registry.example.com/team/app:1.0'], digest: DIGEST, manifestSize: 3020 },
  'generated/burntsushi-v1.6.0-with-build-bom.toml': { tags: ['registry.example.com/team/app:1.0'], digest: DIGEST, manifestSize: 3020 },
};

const fixtures = suite('shared fixtures');
fixtures('the table covers every fixture', () => {
  assert.equal(tomlFiles(REPORTS), Object.keys(FIXTURE_TABLE).sort());
});
for (const [name, expected] of Object.entries(FIXTURE_TABLE)) {
  fixtures(name, () => {
    const bytes = readFileSync(join(REPORTS, name));
    if ('invalid' in expected) {
      const found = problems(bytes);
      for (const re of expected.invalid)
        assert.ok(
          found.some((p) => re.test(p)),
          `${re} in ${found.join(' | ')}`,
        );
      return;
    }
    const report = parse(bytes, name);
    for (const [key, value] of Object.entries(expected)) assert.equal(report[key as keyof Report], value, key);
    // The same bytes with CRLF line endings mean the same report.
    const crlf = parse(bytes.toString('utf8').replace(/\r?\n/g, '\r\n'), name);
    assert.equal({ ...crlf }, { ...report });
  });
}
fixtures.run();

const shapes = suite('accepted shapes');
shapes('BOM digests never leak: only [image] is read', () => {
  const text = [
    '[build]',
    '  [[build.bom]]',
    '    name = "x"',
    '    [build.bom.metadata]',
    `      digest = "sha256:${'b'.repeat(64)}"`,
    reportToml({ tags: ['r.io/app'], digest: DIGEST }),
  ].join('\n');
  assert.is(parse(text).digest, DIGEST);
});
shapes('manifest-size as a numeric string', () => {
  assert.is(parse(reportToml({ tags: ['r.io/app'], digest: DIGEST, 'manifest-size': '528' })).manifestSize, 528);
});
shapes('unknown keys and tables are ignored (forward compatible)', () => {
  const text = `[run-image]\n  reference = "x"\n${reportToml({ tags: ['r.io/app'], digest: DIGEST, future: 1 })}[image.sub]\n  x = 1\n`;
  assert.is(parse(text).digest, DIGEST);
});
shapes('a UTF-8 byte order mark is accepted', () => {
  assert.is(parse('\ufeff' + reportToml({ tags: ['r.io/app'], digest: DIGEST })).digest, DIGEST);
});
shapes('image_id (RFC 0040) and image-id together when they agree', () => {
  assert.is(parse(reportToml({ tags: ['app'], 'image-id': 'a'.repeat(64), image_id: 'a'.repeat(64) })).imageId, 'a'.repeat(64));
});
shapes.run();

// One row per rule: the report, and what the message must say (file, field, quoted value).
const rules = suite('validation rules');
const RULES: [string, string | Uint8Array, RegExp][] = [
  ['not UTF-8', Buffer.from([0x5b, 0x69, 0x6d, 0x61, 0x67, 0x65, 0x5d, 0x0a, 0xff, 0xfe]), /report\.toml: not valid UTF-8/],
  ['malformed TOML', '[image\ntags = []', /report\.toml: not valid TOML at line \d+, column \d+/],
  ['duplicate key', '[image]\ntags = ["a"]\ntags = ["b"]', /not valid TOML/],
  ['NUL in a string', '[image]\ntags = ["a\u0000"]', /not valid TOML/],
  ['no [image]', '[build]\n', /report\.toml: image: missing: the \[image\] table is required/],
  ['[image] not a table', 'image = "x"', /image: is not a table/],
  ['[[image]] array of tables', '[[image]]\ntags = ["a"]', /image: is not a table/],
  ['tags missing', reportToml({ digest: DIGEST }), /image\.tags: missing/],
  ['tags empty', reportToml({ tags: [], digest: DIGEST }), /image\.tags: is empty/],
  ['tags a string', reportToml({ tags: 'r.io/app', digest: DIGEST }), /image\.tags: "r\.io\/app" is not an array/],
  ['tag not a string', reportToml({ tags: [1], digest: DIGEST }), /image\.tags\[0\]: "1" is not a string/],
  [
    'tag with a digest',
    reportToml({ tags: [`r.io/app@${DIGEST}`], digest: DIGEST }),
    /image\.tags\[0\]: "r\.io\/app@sha256:.*" holds a digest/,
  ],
  [
    'tag with whitespace',
    reportToml({ tags: ['r.io/app', 'r.io/app x'], digest: DIGEST }),
    /image\.tags\[1\]: "r\.io\/app x" is not a valid image reference/,
  ],
  ['tag with a newline', reportToml({ tags: ['r.io/app\n:x'], digest: DIGEST }), /image\.tags\[0\]: "r\.io\/app\\n:x"/],
  ['tag with $()', reportToml({ tags: ['r.io/$(reboot)'], digest: DIGEST }), /image\.tags\[0\]: "r\.io\/\$\(reboot\)"/],
  ['tag with ;', reportToml({ tags: ['r.io/app;id'], digest: DIGEST }), /image\.tags\[0\]/],
  ['tag with quotes', reportToml({ tags: ['r.io/app:"1"'], digest: DIGEST }), /image\.tags\[0\]: "r\.io\/app:\\"1\\"" has an invalid tag/],
  [
    'tag with a control character',
    reportToml({ tags: ['r.io/app\u001b[31m'], digest: DIGEST }),
    /image\.tags\[0\]: "r\.io\/app\\u001b\[31m"/,
  ],
  ['tag with a bidi override', reportToml({ tags: ['r.io/app\u202e'], digest: DIGEST }), /"r\.io\/app\\u202e"/],
  [
    'a long tag is cut in the message',
    reportToml({ tags: ['r.io/' + 'A'.repeat(500)], digest: DIGEST }),
    /"r\.io\/A{75}"\.\.\. \(505 characters\) is not/,
  ],
  [
    'digest uppercase',
    reportToml({ tags: ['r.io/app'], digest: DIGEST.toUpperCase() }),
    /image\.digest: "SHA256:30D5.*" is not "sha256:" followed by 64 lowercase hex/,
  ],
  ['digest short', reportToml({ tags: ['r.io/app'], digest: DIGEST.slice(0, -1) }), /image\.digest/],
  ['digest sha512', reportToml({ tags: ['r.io/app'], digest: 'sha512:' + 'a'.repeat(128) }), /image\.digest/],
  ['digest empty', reportToml({ tags: ['r.io/app'], digest: '' }), /image\.digest: "" is not/],
  ['digest with a trailing newline', reportToml({ tags: ['r.io/app'], digest: DIGEST + '\n' }), /image\.digest/],
  ['digest an integer', '[image]\ntags = ["r.io/app"]\ndigest = 5', /image\.digest: "5" is not/],
  ['image-id malformed', reportToml({ tags: ['app'], 'image-id': 'xyz' }), /image\.image-id: "xyz" is not an image id/],
  [
    'image_id disagrees',
    reportToml({ tags: ['app'], 'image-id': 'a'.repeat(64), image_id: 'b'.repeat(64) }),
    /image\.image_id: "b+" disagrees/,
  ],
  [
    'manifest-size zero',
    reportToml({ tags: ['r.io/app'], digest: DIGEST, 'manifest-size': 0 }),
    /image\.manifest-size: "0" is not a positive integer/,
  ],
  ['manifest-size negative', reportToml({ tags: ['r.io/app'], digest: DIGEST, 'manifest-size': -1 }), /manifest-size: "-1"/],
  ['manifest-size float', '[image]\ntags = ["r.io/app"]\nmanifest-size = 1.5', /manifest-size: "1\.5"/],
  [
    'manifest-size 1e3: a float, even though it is integral',
    '[image]\ntags = ["r.io/app"]\nmanifest-size = 1e3',
    /image\.manifest-size: "1000" is a TOML float, not a positive integer number of bytes/,
  ],
  ['manifest-size 1000.0', '[image]\ntags = ["r.io/app"]\nmanifest-size = 1000.0', /manifest-size: "1000" is a TOML float/],
  [
    'manifest-size float in an inline table',
    'image = { tags = ["r.io/app"], manifest-size = 5e2 }',
    /manifest-size: "500" is a TOML float/,
  ],
  [
    'manifest-size beyond 2^53',
    '[image]\ntags = ["r.io/app"]\nmanifest-size = 9223372036854775807',
    /manifest-size: "9223372036854775807"/,
  ],
  ['manifest-size string not numeric', reportToml({ tags: ['r.io/app'], digest: DIGEST, 'manifest-size': '12 ' }), /manifest-size: "12 "/],
  ['manifest-size a date', '[image]\ntags = ["r.io/app"]\nmanifest-size = 1979-05-27', /manifest-size/],
];
for (const [name, text, expected] of RULES) {
  rules(name, () => {
    const found = problems(text);
    assert.ok(
      found.some((p) => expected.test(p)),
      `${expected} in:\n${found.join('\n')}`,
    );
    for (const line of found) {
      assert.ok(line.startsWith('report.toml: '), `names the file: ${line}`);
      assert.not.match(line, /[\n\r\u001b\u202e]/, 'one clean line');
    }
  });
}
rules('every problem is reported at once', () => {
  const found = problems(reportToml({ tags: ['ok.io/app', 'bad tag', 'r.io/x@y'], digest: 'nope', 'manifest-size': 'big' }));
  assert.is(found.length, 4, found.join('\n'));
  assert.match(found[0]!, /image\.tags\[1\]/);
  assert.match(found[1]!, /image\.tags\[2\]/);
  assert.match(found[2]!, /image\.digest/);
  assert.match(found[3]!, /image\.manifest-size/);
});
rules.run();

const large = suite('large input');
large('a ~10 MB report with 40,000 BOM entries parses, and only [image] counts', () => {
  const text = largeReport(40_000);
  assert.ok(text.length > 10_000_000, `${text.length} bytes`);
  const report = parse(text);
  assert.is(report.digest, DIGEST);
  assert.equal(report.tags, ['registry.example.com/team/app:1.0']);
});
large.run();
