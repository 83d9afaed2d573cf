// Bundle the CLI into dist/ with esbuild:
//   dist/cnb-report.cjs  the entry: argv, `results`, `show`, and the core; the full TOML parser
//                        and the registry client are inside but evaluated only when needed;
//   dist/help.js         yargs, for --help and completion, import()ed only for those;
//   dist/cluster.js      the cluster commands and @kubernetes/client-node, import()ed on use.
// The entry is CommonJS on purpose: a CommonJS main skips the ESM loader's start-up, and
// require('node:fs') does not touch the lazy getters (streams, fs/promises, watchers…) that an
// ESM import of a builtin evaluates. The sources stay ES modules; the few small modules more than
// one bundle needs are simply in each.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: !process.env.NOMINIFY,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  define: { __CNB_REPORT_VERSION__: JSON.stringify(version) },
};
const results = await Promise.all([
  build({
    ...common,
    format: 'cjs',
    entryPoints: { 'cnb-report': 'src/cli/bin.ts' },
    outExtension: { '.js': '.cjs' },
    outdir: 'dist',
    plugins: [
      external('./help.ts', './help.js'),
      external('./commands/cluster.ts', './cluster.js'),
      external('../core/toml.ts', './toml.js'),
      external('../../edge/registry/verify.ts', './verify.js'),
      external('../../edge/registry/credentials.ts', './credentials.js'),
    ],
  }),
  build({
    ...common,
    format: 'esm',
    entryPoints: {
      help: 'src/cli/help.ts',
      cluster: 'src/cli/commands/cluster.ts',
      toml: 'src/core/toml.ts',
      verify: 'src/edge/registry/verify.ts',
      credentials: 'src/edge/registry/credentials.ts',
    },
    outdir: 'dist',
    plugins: [sideEffectFree(/node_modules\/(@kubernetes\/client-node|@iarna\/toml)\//)],
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  }),
]);
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

/** Leave `import(from)` to be resolved at run time as `to`, a sibling file in dist/. */
function external(from, to) {
  return {
    name: `external ${from}`,
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${from.replace(/\./g, '\\.')}$`) }, () => ({ path: to, external: true }));
    },
  };
}
