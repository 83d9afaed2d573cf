// The full command line, with yargs: help with examples, --version, completion, strict
// validation, and every command. src/main.ts imports this module only when it is needed.

import yargs, { type Argv, type Options } from 'yargs';
import { CnbReportError } from '../core/errors.ts';
import type { Io } from './io.ts';
import { GLOBAL_OPTIONS, indexOptions, PARSER_CONFIGURATION, reportOption, resultsOptions, toIndexOptions, toResultsOptions, type OptionSpec } from './options.ts';
import { runResults } from './commands/results.ts';
import { SHOW_FORMATS, type ShowFormat } from '../core/format.ts';
import { runShow } from './commands/show.ts';
import { runIndex } from './commands/index.ts';

declare const __CNB_REPORT_VERSION__: string | undefined;
export const VERSION = typeof __CNB_REPORT_VERSION__ === 'string' ? __CNB_REPORT_VERSION__ : '0.0.0-dev';

/** The cluster commands and @kubernetes/client-node: a bundle of their own, loaded on use. */
const cluster = () => import('./commands/cluster.ts');

function clusterOptions<T>(y: Argv<T>) {
  return y
    .option('namespace', { alias: 'n', type: 'string', requiresArg: true, describe: "namespace (default: the context's)" })
    .option('context', { type: 'string', requiresArg: true, describe: 'kubeconfig context (default: the current one)' });
}

function waitOptions<T>(y: Argv<T>) {
  return y
    .option('wait', { type: 'boolean', default: false, describe: 'watch until the TaskRun succeeds or fails' })
    .option('timeout', { type: 'string', default: '1h', requiresArg: true, describe: 'give up waiting after this long (90s, 10m, 1h30m)' })
    .option('wait-for-chains', { type: 'boolean', default: false, describe: 'also wait until Tekton Chains has signed it (implies --wait)' })
    .option('output', { alias: 'o', choices: ['json', 'env', 'text'], default: 'text', requiresArg: true, describe: 'output format' });
}

function access(argv: Record<string, unknown>) {
  return { namespace: argv.namespace as string | undefined, context: argv.context as string | undefined };
}

function waitFlags(argv: Record<string, unknown>) {
  return { wait: argv.wait as boolean, timeout: argv.timeout as string, waitForChains: argv['wait-for-chains'] as boolean, output: argv.output as 'json' | 'env' | 'text' };
}

function clusterIo(io: Io) {
  return { out: io.out, err: io.err, progress: Boolean(process.stderr.isTTY) };
}

/** Our option table in yargs' terms: an 'array' of strings is yargs' `array` + `string`. */
function yargsOptions<T extends Record<string, OptionSpec>>(specs: T): Record<keyof T, Options> {
  const out = {} as Record<keyof T, Options>;
  for (const [name, spec] of Object.entries(specs) as [keyof T, OptionSpec][]) {
    out[name] = spec.type === 'array' ? { ...spec, type: 'array', string: true } : (spec as Options);
  }
  return out;
}

/** What the commands do; tests replace these to see what yargs hands over. */
export const handlers = { results: runResults, show: runShow, index: runIndex };

export function buildParser(io: Io, run = handlers): Argv {
  const parser = yargs()
    .scriptName('cnb-report')
    .usage('$0 <command> [options]\n\nTurn a buildpacks report.toml into exact Tekton results.')
    .command(
      'results',
      'Write Tekton results (and an OCI layout) from report.toml',
      (y) =>
        y
          .options(yargsOptions(resultsOptions(io.env)))
          .example('$0 results', 'in a Tekton step: /layers/report.toml → /tekton/results')
          .example('$0 results --report out/report.toml --results-dir out/results --oci-layout out/layout', 'anywhere else'),
      (argv) => run.results(toResultsOptions(argv), io),
    )
    .command(
      'show',
      'Print the validated report',
      (y) =>
        y
          .option('report', reportOption(io.env))
          .option('analyzed', { type: 'string', requiresArg: true, describe: 'analyzed.toml (default: beside the report, when there)' })
          .option('output', { alias: 'o', choices: SHOW_FORMATS, default: 'json' as ShowFormat, describe: 'output format', requiresArg: true })
          .example('$0 show --report out/report.toml -o env', 'IMAGE_URL=… lines, safe to eval'),
      (argv) => run.show({ report: argv.report, analyzed: argv.analyzed, output: argv.output as ShowFormat }, io),
    )
    .command(
      'index [manifests..]',
      'Push one multi-platform image index made of per-platform images, and write its results',
      (y) =>
        y
          .options(yargsOptions(indexOptions()))
          .positional('manifests', { type: 'string', array: true, describe: 'more per-platform images, as --manifest' })
          .demandOption(['tag'])
          .example('$0 index --tag reg.io/app:1.0 --manifest reg.io/app:1.0-amd64@sha256:… --manifest reg.io/app:1.0-arm64@sha256:…', 'one tag, two platforms'),
      (argv) => run.index(toIndexOptions(argv), io),
    )
    .command('taskrun', 'Read, wait for and create TaskRuns in a cluster', (y) =>
      y
        .command(
          'get <name>',
          'Print a TaskRun\'s status and the image it built',
          (g) => clusterOptions(waitOptions(g)).positional('name', { type: 'string', demandOption: true, describe: 'TaskRun name' })
            .example('$0 taskrun get build-x7k2p --wait -o env', 'IMAGE_URL=… IMAGE_DIGEST=… once it succeeded')
            .example('$0 taskrun get build-x7k2p --wait-for-chains -o json', 'the summary once Chains has signed it'),
          async (argv) => {
            const { runTaskRunGet } = await cluster();
            await runTaskRunGet({ ...access(argv), ...waitFlags(argv), name: argv.name as string }, clusterIo(io));
          },
        )
        .command(
          'create',
          'Create the TaskRun(s) in a file, as kubectl create -f does, and print their names',
          (g) => clusterOptions(waitOptions(g)).option('filename', { alias: 'f', type: 'string', demandOption: true, requiresArg: true, describe: 'YAML file with one or more TaskRuns' })
            .example('$0 taskrun create -f taskrun.yaml --wait -o env', 'create, wait, print the image'),
          async (argv) => {
            const { runTaskRunCreate } = await cluster();
            await runTaskRunCreate({ ...access(argv), ...waitFlags(argv), file: argv.filename as string }, clusterIo(io));
          },
        )
        .demandCommand(1, 'Name a taskrun command: get or create'),
    )
    .command('pod', "Read the report from a pod's termination message", (y) =>
      y
        .command(
          'get <name>',
          "Print the report a container wrote with results --termination-message",
          (g) => clusterOptions(g)
            .positional('name', { type: 'string', demandOption: true, describe: 'pod name' })
            .option('container', { alias: 'c', type: 'string', requiresArg: true, describe: 'container (default: the one with a termination message)' })
            .option('output', { alias: 'o', choices: ['json', 'env'], default: 'json', requiresArg: true, describe: 'output format' })
            .example('$0 pod get build-pod -c export -o env', 'IMAGE_URL=… lines'),
          async (argv) => {
            const { runPodGet } = await cluster();
            await runPodGet({ ...access(argv), name: argv.name as string, container: argv.container as string | undefined, output: argv.output as 'json' | 'env' }, clusterIo(io));
          },
        )
        .demandCommand(1, 'Name a pod command: get'),
    )
    .completion('completion', 'Print a bash/zsh completion script')
    .options(GLOBAL_OPTIONS)
    .parserConfiguration(PARSER_CONFIGURATION)
    .demandCommand(1, 'Name a command, for example: cnb-report results')
    .recommendCommands()
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, err) => {
      throw err ?? new CnbReportError('USAGE', `${message} (see cnb-report --help)`);
    });
  // yargs renders and caches the whole help text after every command it runs, in case the
  // handler calls showHelp() later; ours never do, and that rendering cost more than the
  // rest of a `results` run. --help still renders on demand.
  const internal = parser as unknown as { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } };
  internal.getInternalMethods().getUsageInstance().cacheHelpMessage = () => {};
  return parser;
}
