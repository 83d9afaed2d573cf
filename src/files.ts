// Writing outputs all-or-nothing. Every file goes to a temp file in its own directory and is
// renamed into place only once every temp file is written; any failure removes what was
// written and the directories this call created. A destination that is a symbolic link (or
// anything but a regular file) is refused, and temp files are opened O_EXCL|O_NOFOLLOW, so a
// link planted in the results directory is never written through.

import { closeSync, constants, lstatSync, mkdirSync, statSync, openSync, renameSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CnbReportError, isCnbReportError, systemReason } from './errors.ts';

export interface Output {
  readonly path: string;
  readonly data: string;
}

let tempCounter = 0;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Create these directories (and parents) if missing, write every output, or leave nothing. */
export function writeAtomically(outputs: readonly Output[], directories: readonly string[] = []): void {
  const created: string[] = [];
  const temps: string[] = [];
  const placed: string[] = [];
  let current = '';
  try {
    for (const dir of [...directories, ...outputs.map((o) => dirname(o.path))]) {
      current = dir;
      makeDirectory(dir, created);
    }
    for (const output of outputs) {
      current = output.path;
      refuseNonRegular(output.path);
    }
    for (const output of outputs) {
      current = output.path;
      temps.push(writeTemp(output));
    }
    outputs.forEach((output, i) => {
      current = output.path;
      renameSync(temps[i]!, output.path);
      placed.push(output.path);
    });
  } catch (err) {
    for (const path of [...placed, ...temps.slice(placed.length)]) removeQuietly(() => unlinkSync(path));
    for (const dir of created.sort((a, b) => b.length - a.length)) removeQuietly(() => rmdirSync(dir));
    if (isCnbReportError(err)) throw err;
    throw new CnbReportError('WRITE_FAILED', `cannot write ${current}: ${systemReason(err)}`, { cause: err });
  }
}

/**
 * mkdir -p, one level at a time, recording what it made. Node's own recursive mkdir retries
 * forever where mkdir fails with ENOENT under an existing parent (e.g. in /proc).
 */
function makeDirectory(dir: string, created: string[]): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !exists(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    mkdirSync(d);
    created.push(d);
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function refuseNonRegular(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (stat.isFile()) return;
  const what = stat.isSymbolicLink() ? 'a symbolic link' : stat.isDirectory() ? 'a directory' : 'not a regular file';
  throw new CnbReportError('WRITE_FAILED', `refusing to write ${path}: it is ${what}`);
}

function writeTemp(output: Output): string {
  const dir = dirname(output.path);
  // Unpredictability is not needed: O_EXCL refuses any name that already exists.
  const temp = join(dir, `.${output.path.slice(dir.length + 1)}.${process.pid}.${(tempCounter++).toString(36)}.tmp`);
  const fd = openSync(temp, CREATE_FLAGS, 0o644);
  try {
    const bytes = Buffer.from(output.data, 'utf8');
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
  } catch (err) {
    closeSync(fd);
    unlinkSync(temp);
    throw err;
  }
  closeSync(fd);
  return temp;
}

function removeQuietly(remove: () => void): void {
  try {
    remove();
  } catch {
    // Best effort: the original error is the one worth reporting.
  }
}
