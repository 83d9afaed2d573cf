// Writing outputs all-or-nothing. Every file goes to a temp file in its own directory; once
// every temp file is written, each existing destination is renamed aside and the temp file
// renamed into place. Any failure removes what was written, puts the old files back and removes
// the directories this call created. A destination that is a symbolic link (or anything but a
// regular file) is refused, and temp files are opened O_EXCL|O_NOFOLLOW, so a link planted in
// the results directory is never written through.
//
// SIGTERM and SIGINT are deferred while the set is written (deferSignals): the set is whole,
// then the signal takes effect. What SIGKILL (or a power cut) can leave is in the README.

import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
  ftruncateSync,
} from 'node:fs';
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
// An in-place file is restored on failure only when it is small enough to keep in memory.
const MAX_RESTORE_BYTES = 1024 * 1024;

/** Fault injection for tests: called before each rename into place; a throw is a failed rename. */
export interface Faults {
  readonly beforeRename?: (path: string) => void;
}

/** What a failed write must undo, in reverse order of doing it. */
interface Undo {
  readonly created: string[];
  readonly temps: string[];
  /** [destination, where its previous file was renamed (or undefined: there was none)] */
  readonly placed: [string, string | undefined][];
  /** [in-place destination, its previous bytes (undefined: it did not exist)] */
  readonly rewritten: [string, Buffer | undefined][];
}

/**
 * Create these directories (and parents) if missing, write every output, or leave things as
 * they were. `protect` names input files: an output that is the same file (a hard link, or a
 * path through a symlinked directory) is refused.
 */
export function writeAtomically(
  outputs: readonly Output[],
  directories: readonly string[] = [],
  protect: readonly string[] = [],
  faults: Faults = {},
): void {
  const undo: Undo = { created: [], temps: [], placed: [], rewritten: [] };
  const asides: string[] = [];
  const locks: string[] = [];
  let current = '';
  try {
    for (const dir of new Set([...directories, ...outputs.map((o) => dirname(o.path))])) {
      current = dir;
      makeDirectory(dir, undo.created);
    }
    for (const dir of new Set(outputs.filter((o) => !o.inPlace).map((o) => dirname(o.path)))) {
      current = dir;
      locks.push(lock(dir));
    }
    const inputs = protect.map(identity).filter((id): id is string => id !== undefined);
    for (const output of outputs) {
      current = output.path;
      refuseNonRegular(output.path);
      if (inputs.includes(identity(output.path) ?? ''))
        throw new CnbReportError('WRITE_FAILED', `refusing to write ${output.path}: it is one of the input files`);
    }
    const renamed = outputs.filter((o) => !o.inPlace);
    for (const output of renamed) {
      current = output.path;
      undo.temps.push(writeTemp(output));
      testPause();
    }
    for (const output of outputs.filter((o) => o.inPlace)) {
      current = output.path;
      undo.rewritten.push([output.path, readSmall(output.path)]);
      writeInPlace(output);
      testPause();
    }
    renamed.forEach((output, i) => {
      current = output.path;
      const aside = moveAside(output.path);
      try {
        faults.beforeRename?.(output.path);
        renameSync(undo.temps[i]!, output.path);
      } catch (err) {
        if (aside) removeQuietly(() => renameSync(aside, output.path));
        throw err;
      }
      undo.placed.push([output.path, aside]);
      if (aside) asides.push(aside);
      testPause();
    });
  } catch (err) {
    rollBack(undo, locks);
    if (isCnbReportError(err)) throw err;
    throw new CnbReportError('WRITE_FAILED', `cannot write ${current}: ${systemReason(err)}`, { cause: err });
  }
  // The new set is whole: the previous files can go.
  for (const aside of asides) removeQuietly(() => unlinkSync(aside));
  for (const path of locks) removeQuietly(() => unlinkSync(path));
}

const LOCK = '.cnb-report.lock';

/**
 * Two runs writing one directory at once would leave a mix of both sets. The first takes
 * DIR/.cnb-report.lock (O_EXCL, holding its pid); the second fails with WRITE_FAILED and writes
 * nothing. A lock whose process is gone (killed with SIGKILL) is taken over.
 */
function lock(dir: string): string {
  const path = join(dir, LOCK);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, CREATE_FLAGS, 0o644);
      writeAll(fd, String(process.pid));
      closeSync(fd);
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const holder = lockHolder(path);
    if (holder !== undefined && alive(holder))
      throw new CnbReportError('WRITE_FAILED', `cannot write to ${dir}: another cnb-report (pid ${holder}) is writing there`);
    if (holder === undefined && !lstatSync(path).isFile())
      throw new CnbReportError('WRITE_FAILED', `refusing to write ${path}: it is not a regular file`);
    unlinkSync(path);
  }
}

function lockHolder(path: string): number | undefined {
  try {
    const pid = Number(readSmall(path)?.toString('utf8'));
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function rollBack(undo: Undo, locks: readonly string[]): void {
  for (const temp of undo.temps.slice(undo.placed.length)) removeQuietly(() => unlinkSync(temp));
  for (const [path, aside] of [...undo.placed].reverse()) {
    removeQuietly(() => (aside ? renameSync(aside, path) : unlinkSync(path)));
  }
  for (const [path, previous] of undo.rewritten) removeQuietly(() => restoreInPlace(path, previous));
  for (const path of locks) removeQuietly(() => unlinkSync(path));
  for (const dir of undo.created.sort((a, b) => b.length - a.length)) removeQuietly(() => rmdirSync(dir));
}

/**
 * mkdir -p, one level at a time, recording what it made. Node's own recursive mkdir retries
 * forever where mkdir fails with ENOENT under an existing parent (e.g. in /proc). Another
 * process creating the same directory at the same moment is not an error (EEXIST on a
 * directory); the directory is then not ours to remove.
 */
function makeDirectory(dir: string, created: string[]): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !exists(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d);
      created.push(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(d).isDirectory()) throw err;
    }
  }
}

// Absent files are the usual case here: asked with throwIfNoEntry, they cost no exception.
function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** device:inode of an existing file, following links (that is the point); undefined if absent. */
function identity(path: string): string | undefined {
  try {
    const s = statSync(path, { throwIfNoEntry: false });
    return s && `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

function refuseNonRegular(path: string): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat === undefined || stat.isFile()) return;
  const what = stat.isSymbolicLink() ? 'a symbolic link' : stat.isDirectory() ? 'a directory' : 'not a regular file';
  throw new CnbReportError('WRITE_FAILED', `refusing to write ${path}: it is ${what}`);
}

function tempName(path: string, suffix: string): string {
  const dir = dirname(path);
  // Unpredictability is not needed: O_EXCL (and the check in moveAside) refuse any name that exists.
  return join(dir, `.${path.slice(dir.length + 1)}.${process.pid}.${(tempCounter++).toString(36)}.${suffix}`);
}

function writeTemp(output: Output): string {
  const temp = tempName(output.path, 'tmp');
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

/** Rename an existing destination aside so that a failure can put it back; undefined if none. */
function moveAside(path: string): string | undefined {
  if (!exists(path)) return undefined;
  const aside = tempName(path, 'old');
  if (exists(aside)) throw Object.assign(new Error(`${aside} already exists`), { code: 'EEXIST' });
  renameSync(path, aside);
  return aside;
}

function readSmall(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_RESTORE_BYTES) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function writeInPlace(output: Output): void {
  const fd = openSync(output.path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    writeAll(fd, output.data);
  } finally {
    closeSync(fd);
  }
}

function restoreInPlace(path: string, previous: Buffer | undefined): void {
  if (previous === undefined) return unlinkSync(path);
  const fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    ftruncateSync(fd);
    for (let off = 0; off < previous.length;) off += writeSync(fd, previous, off);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: string): void {
  const bytes = Buffer.from(data, 'utf8');
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
}

function removeQuietly(remove: () => void): void {
  try {
    remove();
  } catch {
    // Best effort: the original error is the one worth reporting.
  }
}

// --- signals ------------------------------------------------------------------------------

const DEFERRED = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Run the (synchronous) write phase with SIGTERM, SIGINT and SIGHUP deferred: a signal that
 * arrives meanwhile is held until the set is whole (or rolled back), then takes effect with its
 * default action, so the parent still sees the process end by that signal. Without a handler,
 * Node would die mid-write and leave a partial set and temp files.
 */
export async function deferSignals<T>(write: () => T, warn: (line: string) => void = () => {}): Promise<T> {
  let caught: NodeJS.Signals | undefined;
  const hold = (signal: NodeJS.Signals) => void (caught ??= signal);
  for (const signal of DEFERRED) process.on(signal, hold);
  try {
    if (process.env.CNB_REPORT_TEST_WRITE_PAUSE_MS) writeSync(2, 'cnb-report: test: write phase\n');
    return write();
  } finally {
    // A signal that arrived during the synchronous write is delivered on the next turn of the
    // event loop: take one turn with the handlers still in place, then honour it.
    await new Promise((r) => setImmediate(r));
    for (const signal of DEFERRED) process.off(signal, hold);
    if (caught) {
      warn(`cnb-report: ${caught} arrived while writing; the outputs were completed (or rolled back) first`);
      process.kill(process.pid, caught);
    }
  }
}

/** A test hook: pause this many ms at each step of the write phase, so a signal can land there. */
function testPause(): void {
  const ms = Number(process.env.CNB_REPORT_TEST_WRITE_PAUSE_MS);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
