// The options of each command, declared once as data. yargs reads them for help, completion
// and validation; the `results` fast path (src/main.ts) reads the same table with yargs-parser,
// so the two can never disagree about a name, alias, type or default.

import { CnbReportError, quote } from '../core/errors.ts';
import { MANIFEST_MEDIA_TYPES, type ManifestFormat } from '../core/oci.ts';
import { RESULT_NAMES } from '../core/results.ts';

export interface OptionSpec {
  readonly type: 'string' | 'boolean' | 'array';
  readonly describe: string;
  readonly alias?: string;
  readonly default?: string | boolean;
  readonly defaultDescription?: string;
  readonly choices?: readonly string[];
  readonly requiresArg?: boolean;
  /** An empty value is meaningful (e.g. no insecure registries), not a missing one. */
  readonly allowEmpty?: boolean;
}

/** yargs-parser settings both parsers use: one value per array flag, no number guessing. */
export const PARSER_CONFIGURATION = {
  'greedy-arrays': false,
  'parse-numbers': false,
} as const;

export const GLOBAL_OPTIONS = {
  debug: { type: 'boolean', default: false, describe: 'print stack traces on errors' },
} as const satisfies Record<string, OptionSpec>;

export function reportOption(env: NodeJS.ProcessEnv) {
  return {
    type: 'string',
    describe: 'report.toml written by the lifecycle',
    default: env.CNB_REPORT_PATH || '/layers/report.toml',
    defaultDescription: env.CNB_REPORT_PATH ? '$CNB_REPORT_PATH' : '$CNB_REPORT_PATH, else /layers/report.toml',
    requiresArg: true,
  } as const satisfies OptionSpec;
}

export function resultsOptions(env: NodeJS.ProcessEnv) {
  return {
    report: reportOption(env),
    'results-dir': { type: 'string', default: '/tekton/results', describe: 'directory for the result files', requiresArg: true },
    'oci-layout': { type: 'string', describe: 'also write an OCI image layout (oci-layout, index.json, blobs/) here', requiresArg: true },
    'media-type': { type: 'string', choices: Object.keys(MANIFEST_MEDIA_TYPES), default: 'oci', describe: 'manifest media type for the layout descriptor', requiresArg: true },
    'termination-message': {
      type: 'string',
      describe: "also write the validated report as compact JSON here (a pod's terminationMessagePath), for platforms that are not Tekton",
      requiresArg: true,
    },
    'tekton-results': { type: 'boolean', default: true, describe: 'write Tekton result files (--no-tekton-results with --termination-message)' },
    'result-path': {
      type: 'array',
      describe: 'write result NAME to PATH instead of the results directory (repeatable; e.g. for $(step.results.NAME.path))',
      requiresArg: true,
    },
    analyzed: {
      type: 'string',
      describe: "the lifecycle's analyzed.toml: the run image for Chains and the platform for the layout (default: beside the report, when there)",
      requiresArg: true,
    },
    verify: { type: 'boolean', default: false, describe: 'check every repository@digest in the registry first; media type and size come from it' },
    'insecure-registry': { type: 'string', default: '', allowEmpty: true, describe: 'comma-separated registries to reach over plain HTTP (with --verify)' },
    'verify-timeout': { type: 'string', default: '10s', requiresArg: true, describe: 'per registry request (with --verify)' },
    'allow-daemon': { type: 'boolean', default: false, describe: 'accept a daemon export: write only IMAGE_ID instead of failing' },
    quiet: { type: 'boolean', alias: 'q', default: false, describe: 'print nothing on success' },
  } as const satisfies Record<string, OptionSpec>;
}

export function indexOptions() {
  return {
    tag: { type: 'array', requiresArg: true, describe: 'push the index here (repeatable, or comma-separated; all in one repository; the first is IMAGE_URL)' },
    manifest: { type: 'array', requiresArg: true, describe: "one platform's image as its build reported it, IMAGE_URL@IMAGE_DIGEST (repeatable)" },
    'results-dir': { type: 'string', default: '/tekton/results', describe: 'directory for the result files', requiresArg: true },
    'result-path': { type: 'array', requiresArg: true, describe: 'write result NAME to PATH instead of the results directory (repeatable)' },
    'insecure-registry': { type: 'string', default: '', allowEmpty: true, describe: 'comma-separated registries to reach over plain HTTP' },
    'verify-timeout': { type: 'string', default: '10s', requiresArg: true, describe: 'per registry request' },
    quiet: { type: 'boolean', alias: 'q', default: false, describe: 'print nothing on success' },
  } as const satisfies Record<string, OptionSpec>;
}

export interface IndexOptions {
  readonly tags: readonly string[];
  readonly manifests: readonly string[];
  readonly resultsDir: string;
  readonly resultPaths: Readonly<Record<string, string>>;
  readonly insecureRegistries: readonly string[];
  readonly verifyTimeout: string;
  readonly quiet: boolean;
}

/** Parsed argv (dashed keys) → the typed options of `index`. */
export function toIndexOptions(argv: Record<string, unknown>): IndexOptions {
  return {
    // A reference holds no comma or whitespace, so a list in one value is unambiguous (a Tekton
    // string param can carry several tags); empty items (an empty param) are dropped.
    tags: ((argv.tag as string[] | undefined) ?? []).flatMap((t) => t.split(/[,\s]+/)).filter(Boolean),
    // --manifest values, then positional ones (a Tekton array param expands into positional args).
    manifests: [...((argv.manifest as string[] | undefined) ?? []), ...((argv.manifests as string[] | undefined) ?? [])],
    resultsDir: last(argv['results-dir']) as string,
    resultPaths: resultPaths((argv['result-path'] as string[] | undefined) ?? []),
    insecureRegistries: String(last(argv['insecure-registry']) ?? '').split(',').map((r) => r.trim()).filter(Boolean),
    verifyTimeout: last(argv['verify-timeout']) as string,
    quiet: last(argv.quiet) as boolean,
  };
}

export interface ResultsOptions {
  readonly report: string;
  readonly resultsDir: string;
  readonly ociLayout: string | undefined;
  readonly mediaType: ManifestFormat;
  readonly resultPaths: Readonly<Record<string, string>>;
  readonly terminationMessage: string | undefined;
  readonly analyzed: string | undefined;
  readonly verify: boolean;
  readonly insecureRegistries: readonly string[];
  readonly verifyTimeout: string;
  readonly tektonResults: boolean;
  readonly allowDaemon: boolean;
  readonly quiet: boolean;
}

/** Parsed argv (dashed keys) → the typed options of `results`. Both parse paths use this. */
export function toResultsOptions(argv: Record<string, unknown>): ResultsOptions {
  return {
    report: last(argv.report) as string,
    resultsDir: last(argv['results-dir']) as string,
    ociLayout: last(argv['oci-layout']) as string | undefined,
    mediaType: last(argv['media-type']) as ManifestFormat,
    resultPaths: resultPaths((argv['result-path'] as string[] | undefined) ?? []),
    terminationMessage: last(argv['termination-message']) as string | undefined,
    analyzed: last(argv.analyzed) as string | undefined,
    verify: last(argv.verify) as boolean,
    insecureRegistries: String(last(argv['insecure-registry']) ?? '').split(',').map((r) => r.trim()).filter(Boolean),
    verifyTimeout: last(argv['verify-timeout']) as string,
    tektonResults: last(argv['tekton-results']) as boolean,
    allowDaemon: last(argv['allow-daemon']) as boolean,
    quiet: last(argv.quiet) as boolean,
  };
}

/** A single-valued option given more than once: the last one wins, as in most CLIs. */
function last(value: unknown): unknown {
  return Array.isArray(value) ? value.at(-1) : value;
}

function resultPaths(pairs: readonly string[]): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    if (eq < 1 || eq === pair.length - 1 || !(Object.values(RESULT_NAMES) as string[]).includes(name)) {
      throw new CnbReportError('USAGE', `--result-path ${quote(pair)}: expected NAME=PATH with NAME one of ${Object.values(RESULT_NAMES).join(', ')}`);
    }
    paths[name] = pair.slice(eq + 1);
  }
  return paths;
}
