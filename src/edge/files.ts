// Writing outputs all-or-nothing. Every file goes to a temp file in its own directory and is
// renamed into place only once every temp file is written; any failure removes what was
// written and the directories this call created. A destination that is a symbolic link (or
// anything but a regular file) is refused, and temp files are opened O_EXCL|O_NOFOLLOW, so a
// link planted in the results directory is never written through.

import { closeSync, constants, lstatSync, mkdirSync, statSync, openSync, renameSync, rmdirSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CnbReportError, isCnbReportError, systemReason } from '../core/errors.ts';

export interface Output {
  readonly path: string;
  readonly data: string;
  /**
   * Write into the existing file instead of renaming a temp file over it: for files that are
   * bind mounts (a pod's termination-message path), which rename cannot replace.
   */
  readonly inPlace?: boolean;
}

let tempCounter = 0;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Create these directories (and parents) if missing, write every output, or leave nothing. */
export function writeAtomically(outputs: readonly Output[], directories: readonly string[] = []): void {
  const created: string[] = [];
  const temps: string[] = [];
  const placed: string[] = [];
  const written: string[] = [];
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
    const renamed = outputs.filter((o) => !o.inPlace);
    for (const output of renamed) {
      current = output.path;
      temps.push(writeTemp(output));
    }
    for (const output of outputs.filter((o) => o.inPlace)) {
      current = output.path;
      writeInPlace(output);
      written.push(output.path);
    }
    renamed.forEach((output, i) => {
      current = output.path;
      renameSync(temps[i]!, output.path);
      placed.push(output.path);
    });
  } catch (err) {
    for (const path of [...placed, ...temps.slice(placed.length)]) removeQuietly(() => unlinkSync(path));
    for (const path of written) removeQuietly(() => truncateSync(path));
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
    writeAll(fd, output.data);
  } catch (err) {
    closeSync(fd);
    unlinkSync(temp);
    throw err;
  }
  closeSync(fd);
  return temp;
}

function writeInPlace(output: Output): void {
  const fd = openSync(output.path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    writeAll(fd, output.data);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: string): void {
  const bytes = Buffer.from(data, 'utf8');
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
}

function removeQuietly(remove: () => void): void {
  try {
    remove();
  } catch {
    // Best effort: the original error is the one worth reporting.
  }
}
