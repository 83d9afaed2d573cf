// The full command line, with yargs: help with examples, --version, completion, strict
// validation, and every command. src/main.ts imports this module only when it is needed.

import yargs, { type Argv, type Options } from 'yargs';
import { CnbReportError } from './errors.ts';
import type { Io } from './main.ts';
import { GLOBAL_OPTIONS, PARSER_CONFIGURATION, reportOption, resultsOptions, toResultsOptions, type OptionSpec } from './options.ts';
import { runResults } from './commands/results.ts';
import { runShow, SHOW_FORMATS, type ShowFormat } from './commands/show.ts';

declare const __CNB_REPORT_VERSION__: string | undefined;
export const VERSION = typeof __CNB_REPORT_VERSION__ === 'string' ? __CNB_REPORT_VERSION__ : '0.0.0-dev';

/** Our option table in yargs' terms: an 'array' of strings is yargs' `array` + `string`. */
function yargsOptions<T extends Record<string, OptionSpec>>(specs: T): Record<keyof T, Options> {
  const out = {} as Record<keyof T, Options>;
  for (const [name, spec] of Object.entries(specs) as [keyof T, OptionSpec][]) {
    out[name] = spec.type === 'array' ? { ...spec, type: 'array', string: true } : (spec as Options);
  }
  return out;
}

/** What the commands do; tests replace these to see what yargs hands over. */
export const handlers = { results: runResults, show: runShow };

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
      (argv) => run.results(toResultsOptions(argv), io.out),
    )
    .command(
      'show',
      'Print the validated report',
      (y) =>
        y
          .option('report', reportOption(io.env))
          .option('output', { alias: 'o', choices: SHOW_FORMATS, default: 'json' as ShowFormat, describe: 'output format', requiresArg: true })
          .example('$0 show --report out/report.toml -o env', 'IMAGE_URL=… lines, safe to eval'),
      (argv) => run.show({ report: argv.report, output: argv.output as ShowFormat }, io.out),
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
