// Bundle the CLI into dist/ with esbuild, as CommonJS files:
//   cnb-report.cjs   the entry: argv, `results`, `show` and the core;
//   and chunks that the entry loads only when a command needs them (an `import()` in the source
//   becomes a `require()` of the chunk's file):
//   help.cjs         yargs, for --help and completion;
//   cluster.cjs      the cluster commands and @kubernetes/client-node;
//   toml.cjs         @iarna/toml, for TOML the lifecycle's plain-TOML reader declines;
//   verify.cjs, credentials.cjs   the registry client, for --verify.
// CommonJS on purpose: a CommonJS main skips the ESM loader's start-up, and require('node:fs')
// does not touch the lazy getters (streams, fs/promises, watchers…) that an ESM import of a
// builtin evaluates. The sources stay ES modules; the small modules more than one file needs
// are simply in each.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

const ENTRY = { 'cnb-report': 'src/cli/bin.ts' };
const CHUNKS = {
  help: 'src/cli/help.ts',
  cluster: 'src/cli/commands/cluster.ts',
  toml: 'src/core/toml.ts',
  verify: 'src/edge/registry/verify.ts',
  credentials: 'src/edge/registry/credentials.ts',
};

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
  // Some ES module dependencies call createRequire(import.meta.url), which CommonJS lacks.
  define: { __CNB_REPORT_VERSION__: JSON.stringify(version), 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
  plugins: [chunks(), sideEffectFree(/node_modules\/(@kubernetes\/client-node|@iarna\/toml)\//)],
};
const results = await Promise.all([build({ ...common, entryPoints: ENTRY }), build({ ...common, entryPoints: CHUNKS })]);
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
        const result = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
        // Unresolvable optional requires (inside try/catch) are left to esbuild's own handling.
        if (result.errors.length || !filter.test(result.path)) return undefined;
        return { ...result, sideEffects: false };
      });
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
