// The executable, dist/cnb-report.cjs. It runs the CLI bundle, dist/cli.cjs, from V8's code
// cache when the build left one for this node. Compiling the bundle's functions is most of what
// a `results` run costs over a bare `node` start; with the cache V8 takes the bytecode that a
// run of the Task's own step compiled at build time (scripts/code-cache.cjs) instead.
//
// V8 accepts a cache only from its own version and V8 flags. A cache it rejects costs more than
// none (the bundle is then compiled eagerly), so one is offered only when its name matches this
// node's version and architecture and node was given no flags (execArgv, NODE_OPTIONS);
// otherwise the bundle is a plain require. V8 checks the source by its length alone, so the
// name also carries the hash of the cli.cjs built with this file: another build's cache is
// never read. Nothing checks the cache's bytes (V8's checksum is for debug builds), so it is
// as trusted as the bundle beside it: both are written by the build and only read here.
// Nothing else is imported: this file runs before every command.

import { readFileSync, writeSync } from 'node:fs';
import { Script } from 'node:vm';

declare const __CLI_BUNDLE_ID__: string;
const BUNDLE = `${__dirname}/cli.cjs`;

/** The cache this node can use: named for the bundle and for the node that made it. */
export const CACHE = `${__dirname}/cli.${__CLI_BUNDLE_ID__}.${process.version}-${process.arch}.codecache`;

/**
 * Compile the bundle as Node's CommonJS loader would (with `cachedData`, if given) and run it.
 * The script's name is the same wherever dist/ is: V8 keeps the name it was cached under (stack
 * traces would show the build machine's path), and a fixed one keeps the cache's bytes the same.
 */
export function runBundle(cachedData?: Buffer): Script {
  const source = readFileSync(BUNDLE, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: 'cnb-report/cli.cjs',
    ...(cachedData && { cachedData }),
  });
  const bundle = { exports: {} };
  script.runInThisContext().call(bundle.exports, bundle.exports, require, bundle, BUNDLE, __dirname);
  return script;
}

/** This node's cache, or why none is offered. */
function readCache(): Buffer | string {
  if (process.execArgv.length > 0) return `node was given flags (${process.execArgv.join(' ')})`;
  if (process.env.NODE_OPTIONS) return 'NODE_OPTIONS is set';
  try {
    return readFileSync(CACHE);
  } catch {
    return `there is no ${CACHE}`;
  }
}

if (require.main === module) {
  const cache = readCache();
  let state: string;
  if (typeof cache === 'string') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- dist/cli.cjs is CommonJS, found at run time
    require(BUNDLE);
    state = `not used: ${cache}`;
  } else {
    state = runBundle(cache).cachedDataRejected ? `${CACHE} rejected by V8` : `used ${CACHE}`;
  }
  if (process.argv.includes('--debug')) writeSync(2, `cnb-report: debug: code cache ${state}\n`);
}
