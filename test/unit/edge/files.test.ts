import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
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

const restore = suite('writeAtomically: failures restore what was there');
restore('a rename that fails mid-set puts every previous file back, byte for byte', () => {
  const dir = tempDir();
  for (const name of ['A', 'B', 'C']) writeFileSync(join(dir, name), `old ${name}`);
  let renames = 0;
  const faults = {
    beforeRename: (path: string) => {
      if (++renames === 3) throw Object.assign(new Error(`cannot rename ${path}`), { code: 'EIO' });
    },
  };
  assert.throws(
    () =>
      writeAtomically(
        ['A', 'B', 'C', 'D'].map((n) => ({ path: join(dir, n), data: `new ${n}` })),
        [],
        [],
        faults,
      ),
    (e: CnbReportError) => e.code === 'WRITE_FAILED' && /cannot write .*\/C: /.test(e.message),
  );
  assert.equal(readdirSync(dir).sort(), ['A', 'B', 'C']);
  for (const name of ['A', 'B', 'C']) assert.is(readFileSync(join(dir, name), 'utf8'), `old ${name}`);
});
restore('an in-place file is restored to its previous bytes, or removed if it was not there', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'message'), 'previous');
  const faults = {
    beforeRename: () => {
      throw new Error('boom');
    },
  };
  assert.throws(() =>
    writeAtomically(
      [
        { path: join(dir, 'A'), data: 'a' },
        { path: join(dir, 'message'), data: 'new', inPlace: true },
        { path: join(dir, 'fresh'), data: 'x', inPlace: true },
      ],
      [],
      [],
      faults,
    ),
  );
  assert.equal(readdirSync(dir).sort(), ['message']);
  assert.is(readFileSync(join(dir, 'message'), 'utf8'), 'previous');
});
restore('on success the previous files are replaced and nothing is left aside', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'A'), 'old');
  writeAtomically([
    { path: join(dir, 'A'), data: 'new' },
    { path: join(dir, 'B'), data: 'b' },
  ]);
  assert.equal(readdirSync(dir).sort(), ['A', 'B']);
  assert.is(readFileSync(join(dir, 'A'), 'utf8'), 'new');
});
restore('an output that is an input file (a hard link, or through a symlinked directory) is refused', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'report.toml'), 'report');
  linkSync(join(dir, 'report.toml'), join(dir, 'IMAGE_URL'));
  mkdirSync(join(dir, 'real'));
  symlinkSync(dir, join(dir, 'real/via'));
  for (const path of [join(dir, 'IMAGE_URL'), join(dir, 'real/via/report.toml')]) {
    assert.throws(
      () => writeAtomically([{ path, data: 'x' }], [], [join(dir, 'report.toml')]),
      /refusing to write .*: it is one of the input files/,
    );
  }
  assert.is(readFileSync(join(dir, 'report.toml'), 'utf8'), 'report');
});
restore('a directory that appears meanwhile (another run made it) is used, not an error', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'results'));
  writeAtomically([{ path: join(dir, 'results/A'), data: 'a' }], [join(dir, 'results')]);
  assert.equal(readdirSync(join(dir, 'results')), ['A']);
});
restore.run();

const locking = suite('writeAtomically: one writer per directory');
locking('a directory another live process is writing to is refused; nothing is written', () => {
  const dir = tempDir();
  writeFileSync(join(dir, '.cnb-report.lock'), String(process.ppid));
  assert.throws(
    () => writeAtomically([{ path: join(dir, 'A'), data: 'a' }]),
    (e: CnbReportError) =>
      e.code === 'WRITE_FAILED' && e.message === `cannot write to ${dir}: another cnb-report (pid ${process.ppid}) is writing there`,
  );
  assert.equal(readdirSync(dir), ['.cnb-report.lock']);
});
locking('a lock left by a killed run (its process is gone) is taken over, and released', () => {
  const dir = tempDir();
  writeFileSync(join(dir, '.cnb-report.lock'), '2147483646');
  writeAtomically([{ path: join(dir, 'A'), data: 'a' }]);
  assert.equal(readdirSync(dir), ['A']);
});
locking('a symlink planted as the lock is not followed', () => {
  const dir = tempDir();
  symlinkSync(join(dir, 'victim'), join(dir, '.cnb-report.lock'));
  assert.throws(() => writeAtomically([{ path: join(dir, 'A'), data: 'a' }]), /is not a regular file/);
  assert.not.ok(existsSync(join(dir, 'victim')));
});
locking.run();
