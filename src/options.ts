// The options of each command, declared once as data. yargs reads them for help, completion
// and validation; the `results` fast path (src/main.ts) reads the same table with yargs-parser,
// so the two can never disagree about a name, alias, type or default.

import { MANIFEST_MEDIA_TYPES, type ManifestFormat } from './mediatype.ts';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly describe: string;
  readonly alias?: string;
  readonly default?: string | boolean;
  readonly defaultDescription?: string;
  readonly choices?: readonly string[];
  readonly requiresArg?: boolean;
}

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
    'allow-daemon': { type: 'boolean', default: false, describe: 'accept a daemon export: write only IMAGE_ID instead of failing' },
    quiet: { type: 'boolean', alias: 'q', default: false, describe: 'print nothing on success' },
  } as const satisfies Record<string, OptionSpec>;
}

export interface ResultsOptions {
  readonly report: string;
  readonly resultsDir: string;
  readonly ociLayout: string | undefined;
  readonly mediaType: ManifestFormat;
  readonly allowDaemon: boolean;
  readonly quiet: boolean;
}

/** Parsed argv (dashed keys) → the typed options of `results`. Both parse paths use this. */
export function toResultsOptions(argv: Record<string, unknown>): ResultsOptions {
  return {
    report: argv.report as string,
    resultsDir: argv['results-dir'] as string,
    ociLayout: argv['oci-layout'] as string | undefined,
    mediaType: argv['media-type'] as ManifestFormat,
    allowDaemon: argv['allow-daemon'] as boolean,
    quiet: argv.quiet as boolean,
  };
}
