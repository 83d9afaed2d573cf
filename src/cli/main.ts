// The entry's logic: read argv by the option table, resolve each command's options from it and
// the environment, run the command, and turn any error into stderr lines and an exit code, in
// one place. Commands that need large libraries (the cluster commands with
// @kubernetes/client-node, --help and completion with yargs) are imported only when they run.

import { describe, exitCodeOf } from '../core/errors.ts';
import { readArgv } from './argv.ts';
import { processIo, type Io } from './io.ts';
import type { CommandName } from './options.ts';
import { Given, resolveIndex, resolvePodGet, resolveResults, resolveShow, resolveTaskRunCreate, resolveTaskRunGet } from './resolve.ts';
import { runResults } from './commands/results.ts';
import { runShow } from './commands/show.ts';
import { VERSION } from './version.ts';

type Runner = (given: Given, positionals: readonly string[], io: Io) => Promise<void>;

/** The cluster commands and @kubernetes/client-node: a bundle of their own. */
const cluster = () => import('./commands/cluster.ts');

const RUNNERS: Record<CommandName, Runner> = {
  results: (given, _, io) => runResults(resolveResults(given, io.env), io),
  show: (given, _, io) => runShow(resolveShow(given), io),
  // The registry client for pushes: a chunk of its own.
  index: async (given, positionals, io) => (await import('./commands/index.ts')).runIndex(resolveIndex(given, positionals, io.env), io),
  'taskrun get': async (given, positionals, io) => (await cluster()).runTaskRunGet(resolveTaskRunGet(given, positionals, io.env), io),
  'taskrun create': async (given, _, io) => (await cluster()).runTaskRunCreate(resolveTaskRunCreate(given, io.env), io),
  'pod get': async (given, positionals, io) => (await cluster()).runPodGet(resolvePodGet(given, positionals, io.env), io),
};

/** Run the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let debug = argv.includes('--debug'); // until the parser has read it
  try {
    const call = readArgv(argv);
    if (call.kind === 'run') debug = call.values.debug === true;
    if (call.kind === 'version') io.out(VERSION);
    else if (call.kind !== 'run') await (await import('./help.ts')).runYargs(argv, io);
    else await RUNNERS[call.command.name as CommandName](new Given(call.command, call.values, io.env), call.positionals, io);
    return 0;
  } catch (err) {
    try {
      for (const line of describe(err, debug)) io.err(`cnb-report: ${line}`);
    } catch {
      // stderr itself cannot be written: the exit code is all that is left to say it.
    }
    return exitCodeOf(err);
  }
}
