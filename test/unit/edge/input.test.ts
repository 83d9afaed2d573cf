import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYZED, loadReport, loadRunImage, readInput, readToml, REPORT } from '../../../src/edge/input.ts';
import { DIGEST, fixture, reportToml, tempDir } from '../../support/helpers.ts';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'ok';
};
const codeAsync = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code: string }) => e.code,
  );

const i = suite('input');
i('each kind of input raises its own error where it happens', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'd'));
  assert.is(
    code(() => readInput(join(dir, 'none'), REPORT)),
    'REPORT_UNREADABLE',
  );
  assert.is(
    code(() => readInput(join(dir, 'none'), ANALYZED)),
    'ANALYZED_INVALID',
  );
  assert.is(
    code(() => readInput(join(dir, 'd'), REPORT)),
    'REPORT_UNREADABLE',
  );
  assert.is(
    code(() => readInput('/dev/zero', REPORT)),
    'REPORT_UNREADABLE',
  );
  assert.is(
    code(() => readInput(join(dir, 'none'), { what: 'file', unreadable: 'USAGE', invalid: 'USAGE' })),
    'USAGE',
  );
});
i('a link to a report is read (the report is input, not a destination)', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'r.toml'), 'x');
  symlinkSync(join(dir, 'r.toml'), join(dir, 'link.toml'));
  assert.is(readInput(join(dir, 'link.toml'), REPORT).toString(), 'x');
});
i('readToml: the lifecycle subset and full TOML give the same document', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'plain.toml'), '[image]\n  tags = ["a"]\n');
  writeFileSync(join(dir, 'full.toml'), '[image] # a comment sends it to @iarna/toml\n  tags = [ "a" ]\n');
  assert.equal(
    JSON.stringify(await readToml(join(dir, 'plain.toml'), REPORT)),
    JSON.stringify(await readToml(join(dir, 'full.toml'), REPORT)),
  );
});
i('loadReport validates; loadRunImage: named must be valid, the default may be absent', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'report.toml'), reportToml({ tags: ['r.io/a:1'], digest: DIGEST }));
  assert.is((await loadReport(join(dir, 'report.toml'))).digest, DIGEST);
  writeFileSync(join(dir, 'bad.toml'), '[image]\n  tags = []\n');
  assert.is(await codeAsync(loadReport(join(dir, 'bad.toml'))), 'REPORT_INVALID');
  const warnings: string[] = [];
  assert.is(await loadRunImage({ path: join(dir, 'analyzed.toml'), named: false }, (l) => warnings.push(l)), undefined);
  assert.equal(warnings, [], 'an absent default is normal: no warning');
  assert.is(await codeAsync(loadRunImage({ path: join(dir, 'analyzed.toml'), named: true }, () => {})), 'ANALYZED_INVALID');
  const run = await loadRunImage({ path: fixture('analyzed-toml', 'platform-0.12-run-image-target.toml'), named: true }, () => {});
  assert.is(run?.platform?.architecture, 'arm64');
  writeFileSync(join(dir, 'analyzed.toml'), '[run-image]\n  reference = 7\n');
  assert.is(await loadRunImage({ path: join(dir, 'analyzed.toml'), named: false }, (l) => warnings.push(l)), undefined);
  assert.match(warnings[0]!, /^cnb-report: warning: ignoring .*analyzed\.toml: .*run-image\.reference: "7" is not a string$/);
});
i.run();
