// Bundle the CLI into dist/ with esbuild, as CommonJS files:
//   cnb-report.cjs   the executable: runs cli.cjs, from V8's code cache when there is one for
//                    this node (src/cli/start.ts);
//   cli.cjs          the CLI: argv, `results`, `show` and the core;
//   cli.<node version>-<arch>.codecache   that cache, made by a run of the Task's step with
//                    the node running this build (scripts/code-cache.cjs; not with
//                    --no-code-cache: the image makes its own with the image's node);
//   and chunks that the entry loads only when a command needs them (an `import()` in the source
//   becomes a `require()` of the chunk's file):
//   help.cjs         yargs, for --help and completion;
//   cluster.cjs      the cluster commands and @kubernetes/client-node;
//   toml.cjs         @iarna/toml, for TOML the lifecycle's plain-TOML reader declines;
//   verify.cjs, credentials.cjs   the registry client, for --verify;
//   index.cjs        `index` and the registry client that pushes.
// CommonJS on purpose: a CommonJS main skips the ESM loader's start-up, and require('node:fs')
// does not touch the lazy getters (streams, fs/promises, watchers…) that an ESM import of a
// builtin evaluates. The sources stay ES modules; the small modules more than one file needs
// are simply in each.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

const ENTRY = { cli: 'src/cli/bin.ts' };
const EXECUTABLE = { 'cnb-report': 'src/cli/start.ts' };
const CHUNKS = {
  help: 'src/cli/help.ts',
  cluster: 'src/cli/commands/cluster.ts',
  index: 'src/cli/commands/index.ts',
  toml: 'src/core/toml.ts',
  verify: 'src/edge/registry/verify.ts',
  credentials: 'src/edge/registry/credentials.ts',
};

// Packages that client-node imports at the top but needs only for a kubeconfig with a proxy-url.
const LAZY = { 'socks-proxy-agent': ['SocksProxyAgent'], hpagent: ['HttpProxyAgent', 'HttpsProxyAgent'] };

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  minify: !process.env.NOMINIFY,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  // import() of a chunk becomes require(): no ESM loader, ever.
  supported: { 'dynamic-import': false },
  define: { __CNB_REPORT_VERSION__: JSON.stringify(version) },
  plugins: [chunks(), sideEffectFree(/node_modules\/(@kubernetes\/client-node|@iarna\/toml)\//), platformUrl(), onFirstUse(LAZY)],
};
// yargs calls createRequire(import.meta.url), which CommonJS lacks: give the chunks one. Not the
// entry, which needs none, and for which computing it (node:url) is a measurable part of a run.
const importMetaUrl = {
  define: { ...common.define, 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
};
const results = await Promise.all([
  build({ ...common, entryPoints: ENTRY }),
  build({ ...common, ...importMetaUrl, entryPoints: CHUNKS }),
  build({ ...common, entryPoints: EXECUTABLE, banner: { js: '#!/usr/bin/env node' } }),
]);
chmodSync('dist/cnb-report.cjs', 0o755);
if (!process.argv.includes('--no-code-cache')) {
  // NODE_OPTIONS would put flags into the cache that a plain run does not have.
  const { NODE_OPTIONS: _, ...env } = process.env;
  const { FLAGS } = createRequire(import.meta.url)('./code-cache.cjs');
  const made = spawnSync(process.execPath, [...FLAGS, 'scripts/code-cache.cjs', 'dist'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (made.status !== 0) process.exit(made.status ?? 1);
}
if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  for (const r of results) console.log(await analyzeMetafile(r.metafile));
}

/**
 * Treat a package's modules as free of import side effects, so that esbuild drops those we do
 * not use. @kubernetes/client-node does not say so itself; without this its generated clients
 * and models (~0.5 MB) stay in the bundle though nothing calls them; likewise @iarna/toml, which
 * the cluster bundle reaches through shared modules but never calls.
 */
function sideEffectFree(filter) {
  return {
    name: 'side-effect free',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'resolving') return undefined;
        const result = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'resolving',
        });
        // Unresolvable optional requires (inside try/catch) are left to esbuild's own handling.
        if (result.errors.length || !filter.test(result.path)) return undefined;
        return { ...result, sideEffects: false };
      });
    },
  };
}

/**
 * node-fetch 2 (which client-node imports) takes Node's own URL and falls back to the whatwg-url
 * polyfill only where Node has none (`Url.URL || whatwgUrl.URL`); on Node ≥ 10 the polyfill is
 * never used, yet loading it (with tr46's 254 kB table) cost a third of a cluster command's
 * start-up. Give node-fetch the platform's URL instead.
 */
function platformUrl() {
  return {
    name: 'platform URL',
    setup(b) {
      b.onResolve({ filter: /^whatwg-url$/ }, (args) =>
        /node-fetch/.test(args.importer) ? { path: 'whatwg-url', namespace: 'platform-url' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'platform-url' }, () => ({
        contents: 'module.exports = { URL: globalThis.URL };',
        loader: 'js',
      }));
    },
  };
}

/**
 * Load these packages when one of the named exports is first used, not when an importer loads:
 * each import of the package becomes an object whose getters require the real one (still in the
 * bundle, as a lazily evaluated CommonJS module).
 */
function onFirstUse(packages) {
  const names = Object.keys(packages).map((n) => n.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
  return {
    name: 'on first use',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) =>
        args.namespace === 'on-first-use' ? undefined : { path: args.path, namespace: 'on-first-use', pluginData: args.resolveDir },
      );
      b.onLoad({ filter: /.*/, namespace: 'on-first-use' }, (args) => ({
        contents: packages[args.path]
          .map(
            (name) =>
              `Object.defineProperty(exports, ${JSON.stringify(name)}, { enumerable: true, get: () => require(${JSON.stringify(args.path)}).${name} });`,
          )
          .join('\n'),
        resolveDir: args.pluginData,
        loader: 'js',
      }));
    },
  };
}

/** An import of a chunk's source from another file stays an import of the chunk's file in dist/. */
function chunks() {
  const files = new Map(Object.entries(CHUNKS).map(([name, source]) => [resolve(source), `./${name}.cjs`]));
  return {
    name: 'chunks',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        const target = files.get(resolve(args.resolveDir, args.path));
        return target && args.kind === 'dynamic-import' ? { path: target, external: true } : undefined;
      });
    },
  };
}
