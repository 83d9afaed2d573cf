// The entry's logic: run a command and turn any error into stderr lines and an exit code, in
// one place. `results` — the command that runs in every build — is parsed with yargs-parser
// from the same option table yargs uses, because full yargs costs more start-up time than the
// rest of the run (see README, Performance). Everything else, and any `results` argument
// that is not plainly valid, goes to yargs, imported only then, for its help and messages.

import parser from 'yargs-parser';
import { describe, exitCodeOf } from '../core/errors.ts';
import { GLOBAL_OPTIONS, PARSER_CONFIGURATION, resultsOptions, toResultsOptions, type OptionSpec, type ResultsOptions } from './options.ts';
import { runResults } from './commands/results.ts';
import { processIo, type Io } from './io.ts';

/** Run the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    const fast = fastResults(argv, io.env);
    if (fast) await runResults(fast, io);
    else await (await import('./yargs.ts')).buildParser(io).parseAsync(argv as string[]);
    return 0;
  } catch (err) {
    for (const line of describe(err, argv.includes('--debug'))) io.err(`cnb-report: ${line}`);
    return exitCodeOf(err);
  }
}

/** `results` options when argv is a plainly valid `results` call; otherwise undefined (yargs decides). */
export function fastResults(argv: readonly string[], env: NodeJS.ProcessEnv): ResultsOptions | undefined {
  if (argv[0] !== 'results') return undefined;
  const specs: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, ...resultsOptions(env) };
  const names = Object.keys(specs);
  if (!plainTokens(argv.slice(1), names.filter((n) => specs[n]!.requiresArg))) return undefined;
  const { argv: parsed, error } = parser.detailed(argv.slice(1) as string[], {
    string: names.filter((n) => specs[n]!.type === 'string'),
    boolean: names.filter((n) => specs[n]!.type === 'boolean'),
    array: names.filter((n) => specs[n]!.type === 'array').map((key) => ({ key, string: true })),
    alias: Object.fromEntries(names.filter((n) => specs[n]!.alias).map((n) => [n, [specs[n]!.alias!]])),
    default: Object.fromEntries(names.filter((n) => specs[n]!.default !== undefined).map((n) => [n, specs[n]!.default])),
    configuration: { ...PARSER_CONFIGURATION, 'camel-case-expansion': false, 'strip-aliased': true },
  });
  if (error || parsed._.length > 0) return undefined;
  for (const [key, value] of Object.entries(parsed)) {
    if (key === '_') continue;
    const spec = specs[key];
    if (!spec) return undefined; // unknown option: yargs says so
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (spec.type !== 'boolean' && !values.every((v) => typeof v === 'string' && (v !== '' || spec.allowEmpty))) return undefined;
    if (spec.choices && !values.every((v) => spec.choices!.includes(v as string))) return undefined;
  }
  return toResultsOptions(parsed);
}

/** No `--` and no option that needs a value without one: yargs words those errors. */
function plainTokens(tokens: readonly string[], needValue: readonly string[]): boolean {
  return tokens.every((token, i) => {
    if (token === '--') return false;
    const next = tokens[i + 1];
    return !(needValue.includes(token.replace(/^--/, '')) && token.startsWith('--') && (next === undefined || next.startsWith('-')));
  });
}
