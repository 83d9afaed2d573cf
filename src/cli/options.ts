// Every command and its options, declared once, as data. src/cli/argv.ts reads argv by this
// table (the one parser), src/cli/help.ts configures yargs from it for --help and completion,
// and src/cli/resolve.ts turns what was read into each command's typed options.

import { RESULTS_FROM } from '../core/budget.ts';
import { MANIFEST_MEDIA_TYPES } from '../core/oci.ts';
import { RESULT_NAMES } from '../core/results.ts';
import { SHOW_FORMATS } from '../core/format.ts';

export interface OptionSpec {
  readonly type: 'string' | 'boolean' | 'array';
  readonly describe: string;
  readonly alias?: string;
  readonly default?: string | boolean;
  /** An environment variable that, when set and not empty, replaces the default. */
  readonly env?: string;
  readonly choices?: readonly string[];
  /** An empty value is meaningful (e.g. no insecure registries), not a missing one. */
  readonly allowEmpty?: boolean;
  readonly required?: boolean;
}

export interface CommandSpec {
  /** The words that select it: `results`, `taskrun get`. */
  readonly name: string;
  readonly describe: string;
  /** Required positional arguments, in order. */
  readonly positionals?: readonly { readonly name: string; readonly describe: string }[];
  /** Any number of further positional arguments, after the required ones. */
  readonly variadic?: { readonly name: string; readonly describe: string };
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples?: readonly (readonly [string, string])[];
}

export const GLOBAL_OPTIONS = {
  debug: { type: 'boolean', default: false, describe: 'print stack traces on errors' },
} as const satisfies Record<string, OptionSpec>;

const report = {
  type: 'string',
  describe: 'report.toml written by the lifecycle',
  default: '/layers/report.toml',
  env: 'CNB_REPORT_PATH',
} as const satisfies OptionSpec;

const analyzed = {
  type: 'string',
  describe:
    "the lifecycle's analyzed.toml: the run image for Chains and the platform for the layout (default: beside the report, when there)",
} as const satisfies OptionSpec;

const resultPath = {
  type: 'array',
  describe: `write result NAME to PATH instead of the results directory (repeatable; NAME one of ${Object.values(RESULT_NAMES).join(', ')})`,
} as const satisfies OptionSpec;

const insecureRegistry = {
  type: 'string',
  default: '',
  allowEmpty: true,
  describe: 'comma-separated registries to reach over plain HTTP',
} as const satisfies OptionSpec;

const quiet = { type: 'boolean', alias: 'q', default: false, describe: 'print nothing on success' } as const satisfies OptionSpec;

const cluster = {
  namespace: { type: 'string', alias: 'n', describe: "namespace (default: the context's)" },
  context: { type: 'string', describe: 'kubeconfig context (default: the current one)' },
} as const satisfies Record<string, OptionSpec>;

const wait = {
  wait: { type: 'boolean', default: false, describe: 'watch until the TaskRun succeeds or fails' },
  timeout: { type: 'string', default: '1h', describe: 'give up waiting after this long (90s, 10m, 1h30m)' },
  'wait-for-chains': { type: 'boolean', default: false, describe: 'also wait until Tekton Chains has signed it (implies --wait)' },
  output: { type: 'string', alias: 'o', choices: ['json', 'env', 'text'], default: 'text', describe: 'output format' },
} as const satisfies Record<string, OptionSpec>;

export const COMMANDS = [
  {
    name: 'results',
    describe: 'Write Tekton results (and an OCI layout) from report.toml',
    options: {
      report,
      'results-dir': { type: 'string', default: '/tekton/results', describe: 'directory for the result files' },
      'oci-layout': { type: 'string', describe: 'also write an OCI image layout (oci-layout, index.json, blobs/) here' },
      'media-type': {
        type: 'string',
        choices: Object.keys(MANIFEST_MEDIA_TYPES),
        default: 'oci',
        describe: 'manifest media type for the layout descriptor',
      },
      'termination-message': {
        type: 'string',
        describe:
          "also write the validated report as compact JSON here (a pod's terminationMessagePath), for platforms that are not Tekton",
      },
      'tekton-results': {
        type: 'boolean',
        default: true,
        describe: 'write Tekton result files (--no-tekton-results with --termination-message)',
      },
      'result-path': resultPath,
      analyzed,
      verify: {
        type: 'boolean',
        default: false,
        describe: 'check every repository@digest in the registry first; media type and size come from it',
      },
      'insecure-registry': { ...insecureRegistry, describe: 'comma-separated registries to reach over plain HTTP (with --verify)' },
      'verify-timeout': { type: 'string', default: '10s', describe: 'per registry request (with --verify)' },
      'allow-daemon': { type: 'boolean', default: false, describe: 'accept a daemon export: write only IMAGE_ID instead of failing' },
      'pod-containers': {
        type: 'string',
        default: 'auto',
        describe:
          "the pod's init containers + steps, for the kubelet's cap of 12288 bytes / containers (auto: counted from /tekton/steps, with prepare and place-scripts)",
      },
      'extra-containers': {
        type: 'string',
        default: '0',
        describe: 'sidecars and injected containers (a mesh proxy and its init container) the step cannot see',
      },
      'results-from': {
        type: 'string',
        choices: RESULTS_FROM,
        default: 'termination-message',
        describe: "Tekton's results-from feature flag; sidecar-logs checks each result against max-result-size instead",
      },
      quiet,
    },
    examples: [
      ['$0 results', 'in a Tekton step: /layers/report.toml → /tekton/results'],
      ['$0 results --report out/report.toml --results-dir out/results --oci-layout out/layout', 'anywhere else'],
    ],
  },
  {
    name: 'show',
    describe: 'Print the validated report',
    options: {
      report,
      analyzed: { ...analyzed, describe: 'analyzed.toml (default: beside the report, when there)' },
      output: { type: 'string', alias: 'o', choices: SHOW_FORMATS, default: 'json', describe: 'output format' },
    },
    examples: [['$0 show --report out/report.toml -o env', 'IMAGE_URL=… lines, safe to eval']],
  },
  {
    name: 'index',
    describe: 'Push one multi-platform image index made of per-platform images, and write its results',
    variadic: { name: 'manifests', describe: 'more per-platform images, as --manifest (a Tekton array param expands into these)' },
    options: {
      tag: {
        type: 'array',
        required: true,
        allowEmpty: true,
        describe: 'push the index here (repeatable, or comma-separated; all in one repository; the first is IMAGE_URL)',
      },
      manifest: { type: 'array', describe: "one platform's image as its build reported it, IMAGE_URL@IMAGE_DIGEST (repeatable)" },
      'results-dir': { type: 'string', default: '/tekton/results', describe: 'directory for the result files' },
      'result-path': resultPath,
      'insecure-registry': insecureRegistry,
      'verify-timeout': { type: 'string', default: '10s', describe: 'per registry request' },
      quiet,
    },
    examples: [
      [
        '$0 index --tag reg.io/app:1.0 --manifest reg.io/app:1.0-amd64@sha256:… --manifest reg.io/app:1.0-arm64@sha256:…',
        'one tag, two platforms',
      ],
    ],
  },
  {
    name: 'taskrun get',
    describe: "Print a TaskRun's status and the image it built",
    positionals: [{ name: 'name', describe: 'TaskRun name' }],
    options: { ...wait, ...cluster },
    examples: [
      ['$0 taskrun get build-x7k2p --wait -o env', 'IMAGE_URL=… IMAGE_DIGEST=… once it succeeded'],
      ['$0 taskrun get build-x7k2p --wait-for-chains -o json', 'the summary once Chains has signed it'],
    ],
  },
  {
    name: 'taskrun create',
    describe: 'Create the TaskRun(s) in a file, as kubectl create -f does, and print their names',
    options: {
      filename: { type: 'string', alias: 'f', required: true, describe: 'YAML file with one or more TaskRuns' },
      ...wait,
      ...cluster,
    },
    examples: [['$0 taskrun create -f taskrun.yaml --wait -o env', 'create, wait, print the image']],
  },
  {
    name: 'pod get',
    describe: 'Print the report a container wrote with results --termination-message',
    positionals: [{ name: 'name', describe: 'pod name' }],
    options: {
      container: { type: 'string', alias: 'c', describe: 'container (default: the one with a termination message)' },
      output: { type: 'string', alias: 'o', choices: ['json', 'env'], default: 'json', describe: 'output format' },
      ...cluster,
    },
    examples: [['$0 pod get build-pod -c export -o env', 'IMAGE_URL=… lines']],
  },
] as const satisfies readonly CommandSpec[];

export type CommandName = (typeof COMMANDS)[number]['name'];

/** Groups of commands (`taskrun`, `pod`) and what to say when the second word is missing. */
export const GROUPS: Readonly<Record<string, string>> = {
  taskrun: 'Read, wait for and create TaskRuns in a cluster',
  pod: "Read the report from a pod's termination message",
};
