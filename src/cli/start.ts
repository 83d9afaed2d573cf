// The executable, dist/cnb-report.cjs. It runs the CLI bundle, dist/cli.cjs, from V8's code
// cache when the build left one for this node. Compiling the bundle's functions is most of what
// a `results` run costs over a bare `node` start; with the cache V8 takes the bytecode that a
// run of the Task's own step compiled at build time (scripts/code-cache.cjs) instead.
//
// V8 accepts a cache only from its own version and V8 flags. A cache it rejects costs more than
// none (the bundle is then compiled eagerly), so one is offered only when its name matches this
// node's version and architecture and node was given no flags (execArgv, NODE_OPTIONS) and no
// coverage is being taken; otherwise the bundle is compiled as it would be without one.
//
// V8 checks the source only by its length, so the cache file holds the bundle it was made from
// and is used only when that is byte for byte the cli.cjs beside it: the code that runs is the
// code on disk. V8 does not checksum the bytecode (only its debug builds do): the cache is as
// trusted as the bundle and node itself, all written by the build and only read here.
// Nothing else is imported: this file runs before every command.

import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { Script } from 'node:vm';

const BUNDLE = `${__dirname}/cli.cjs`;
const WRAPPER = '(function (exports, require, module, __filename, __dirname) {';
const MAX_CACHE_BYTES = 16 * 1024 * 1024;

/** The cache this node can use: named for the node that made it. */
export const CACHE = `${__dirname}/cli.${process.version}-${process.arch}.codecache`;

/** The file's layout: the bundle's length (4 bytes, little-endian), the bundle, V8's cache. */
export function cacheFile(source: string, v8Cache: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(source.length);
  return Buffer.concat([header, Buffer.from(source, 'latin1'), v8Cache]);
}

/**
 * Compile the bundle as Node's CommonJS loader would (with V8's cache, if given) and run it.
 * The script's name is the same wherever dist/ is: V8 keeps the name it was cached under (stack
 * traces would show the build machine's path), and a fixed one keeps the cache's bytes the same.
 */
export function runBundle(source: string, cachedData?: Uint8Array): Script {
  const script = new Script(`${WRAPPER}${source}\n})`, {
    filename: 'cnb-report/cli.cjs',
    columnOffset: -WRAPPER.length,
    ...(cachedData && { cachedData: cachedData as Buffer }),
  });
  const bundle = { exports: {} };
  script.runInThisContext().call(bundle.exports, bundle.exports, require, bundle, BUNDLE, __dirname);
  return script;
}

export function readBundle(): string {
  return readFileSync(BUNDLE, 'utf8');
}

/** V8's part of this node's cache for this source, or why none is offered. */
function v8Cache(source: string): Uint8Array | string {
  if (process.execArgv.length > 0) return `node was given flags (${process.execArgv.join(' ')})`;
  if (process.env.NODE_OPTIONS) return 'NODE_OPTIONS is set';
  if (process.env.NODE_V8_COVERAGE) return 'NODE_V8_COVERAGE is set';
  const file = readCapped(CACHE);
  if (typeof file === 'string') return file;
  const length = file.length < 4 ? -1 : (file[0]! | (file[1]! << 8) | (file[2]! << 16) | (file[3]! << 24)) >>> 0;
  if (length !== source.length || 4 + length > file.length || file.toString('latin1', 4, 4 + length) !== source) {
    return `${CACHE} was made from another cli.cjs`;
  }
  return file.subarray(4 + length);
}

/** A regular file of at most MAX_CACHE_BYTES, never through a link or a FIFO; or why not. */
function readCapped(path: string): Buffer | string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT'
      ? `there is no ${path}`
      : `cannot open ${path} (${(err as NodeJS.ErrnoException).code})`;
  }
  try {
    const stat = fstatSync(fd);
    const size = stat.size;
    if (!stat.isFile() || size > MAX_CACHE_BYTES) return `${path} is not a regular file of at most ${MAX_CACHE_BYTES} bytes`;
    const buffer = Buffer.allocUnsafe(size);
    let read = 0;
    for (let n = 1; n > 0 && read < size; read += n) n = readSync(fd, buffer, read, size - read, null);
    return buffer.subarray(0, read);
  } catch (err) {
    return `cannot read ${path} (${(err as NodeJS.ErrnoException).code})`;
  } finally {
    closeSync(fd);
  }
}

if (require.main === module) {
  const source = readBundle();
  const cache = v8Cache(source);
  const script = runBundle(source, typeof cache === 'string' ? undefined : cache);
  const state = typeof cache === 'string' ? `not used: ${cache}` : script.cachedDataRejected ? `${CACHE} rejected by V8` : `used ${CACHE}`;
  try {
    if (process.argv.includes('--debug')) writeSync(2, `cnb-report: debug: code cache ${state}\n`);
  } catch {
    // stderr cannot be written: the command's own output and exit code are what matter.
  }
}
