// The options of each command, declared once as data. yargs reads them for help, completion
// and validation; the `results` fast path (src/main.ts) reads the same table with yargs-parser,
// so the two can never disagree about a name, alias, type or default.

import { RESULTS_FROM, type PodOptions, type ResultsFrom } from './budget.ts';
import { CnbReportError, quote } from './errors.ts';
import { MANIFEST_MEDIA_TYPES, type ManifestFormat } from './mediatype.ts';
import { RESULT_NAMES } from './results.ts';

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
    'pod-containers': {
      type: 'string',
      default: 'auto',
      requiresArg: true,
      describe: "the pod's init containers + steps, for the kubelet's cap of 12288 bytes / containers (auto: counted from /tekton/steps, with prepare and place-scripts)",
    },
    'extra-containers': { type: 'string', default: '0', requiresArg: true, describe: 'sidecars and injected containers (a mesh proxy and its init container) the step cannot see' },
    'results-from': { type: 'string', choices: RESULTS_FROM, default: 'termination-message', requiresArg: true, describe: "Tekton's results-from feature flag; sidecar-logs checks each result against max-result-size instead" },
    quiet: { type: 'boolean', alias: 'q', default: false, describe: 'print nothing on success' },
  } as const satisfies Record<string, OptionSpec>;
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
  readonly pod: PodOptions;
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
    pod: podOptions(argv),
    quiet: last(argv.quiet) as boolean,
  };
}

function podOptions(argv: Record<string, unknown>): PodOptions {
  const pod = String(last(argv['pod-containers']) ?? 'auto');
  return {
    ...(pod !== 'auto' && { podContainers: count('--pod-containers', pod, 1) }),
    extraContainers: count('--extra-containers', String(last(argv['extra-containers']) ?? '0'), 0),
    resultsFrom: (last(argv['results-from']) ?? 'termination-message') as ResultsFrom,
  };
}

function count(flag: string, value: string, min: number): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) < min) throw new CnbReportError('USAGE', `${flag} ${quote(value)}: expected a whole number from ${min} to 999${flag === '--pod-containers' ? ' or auto' : ''}`);
  return Number(value);
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
