import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CnbReportError } from '../../../src/core/errors.ts';
import { writeAtomically } from '../../../src/edge/files.ts';
import { tempDir } from '../../support/helpers.ts';

const write = suite('writeAtomically');
write('writes exact bytes, creates missing directories, leaves no temp files', () => {
  const dir = tempDir();
  writeAtomically(
    [
      { path: join(dir, 'results/A'), data: 'a' },
      { path: join(dir, 'results/B'), data: '' },
      { path: join(dir, 'layout/index.json'), data: '{"x":"é"}' },
    ],
    [join(dir, 'layout/blobs')],
  );
  assert.equal(readdirSync(join(dir, 'results')), ['A', 'B']);
  assert.is(readFileSync(join(dir, 'results/A'), 'utf8'), 'a');
  assert.is(readFileSync(join(dir, 'results/B'), 'utf8'), '');
  assert.is(readFileSync(join(dir, 'layout/index.json'), 'utf8'), '{"x":"é"}');
  assert.ok(lstatSync(join(dir, 'layout/blobs')).isDirectory());
  assert.equal(readdirSync(join(dir, 'layout')).sort(), ['blobs', 'index.json']);
});
write('replaces an existing regular file', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'A'), 'old');
  writeAtomically([{ path: join(dir, 'A'), data: 'new' }]);
  assert.is(readFileSync(join(dir, 'A'), 'utf8'), 'new');
});
write('a symlink where a result goes is refused, its target untouched, nothing else written', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'target'), 'precious');
  symlinkSync(join(dir, 'target'), join(dir, 'B'));
  try {
    writeAtomically([
      { path: join(dir, 'A'), data: 'a' },
      { path: join(dir, 'B'), data: 'b' },
    ]);
    assert.unreachable();
  } catch (err) {
    assert.is((err as CnbReportError).code, 'WRITE_FAILED');
    assert.match((err as Error).message, /refusing to write .*\/B: it is a symbolic link/);
  }
  assert.is(readFileSync(join(dir, 'target'), 'utf8'), 'precious');
  assert.equal(readdirSync(dir).sort(), ['B', 'target']);
});
write('a dangling symlink is refused too (it would create its target)', () => {
  const dir = tempDir();
  symlinkSync(join(dir, 'elsewhere'), join(dir, 'A'));
  assert.throws(() => writeAtomically([{ path: join(dir, 'A'), data: 'a' }]), /symbolic link/);
  assert.not.ok(existsSync(join(dir, 'elsewhere')));
});
write('a directory where a result goes is refused', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'A'));
  assert.throws(() => writeAtomically([{ path: join(dir, 'A'), data: 'a' }]), /it is a directory/);
});
write('a failure after some files were placed removes them and the directories it made', () => {
  const dir = tempDir();
  // The second output's parent is a regular file: its directory cannot be made.
  writeFileSync(join(dir, 'file'), '');
  try {
    writeAtomically([{ path: join(dir, 'new/results/A'), data: 'a' }], [join(dir, 'new/layout/blobs'), join(dir, 'file/blobs')]);
    assert.unreachable();
  } catch (err) {
    assert.is((err as CnbReportError).code, 'WRITE_FAILED');
    assert.match((err as Error).message, /cannot write .*file\/blobs: /);
  }
  assert.equal(readdirSync(dir), ['file']);
});
write.run();
