// --help, --version's neighbours and shell completion, by yargs, configured from the same
// option table that src/cli/argv.ts parses with. Loaded only for those (a bundle of its own).

import yargs, { type Argv, type Options } from 'yargs';
import type { Io } from './io.ts';
import { COMMANDS, GLOBAL_OPTIONS, GROUPS, type CommandSpec, type OptionSpec } from './options.ts';
import { VERSION } from './version.ts';

/** Let yargs answer argv (help or completion) and print what it says. */
export async function runYargs(argv: readonly string[], io: Io): Promise<void> {
  let said = '';
  await buildYargs(io)
    .exitProcess(false)
    .parseAsync(argv as string[], {}, (_err, _argv, output) => {
      said = output;
    });
  if (said) io.out(said.replace(/\n$/, ''));
}

export function buildYargs(io: Io): Argv {
  let y = yargs()
    .scriptName('cnb-report')
    .usage('$0 <command> [options]\n\nTurn a buildpacks report.toml into exact Tekton results.')
    .options(yargsOptions(GLOBAL_OPTIONS, io.env))
    .completion('completion', 'Print a bash/zsh completion script')
    .demandCommand(1)
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, Number(io.env.COLUMNS) || 100));
  for (const command of COMMANDS.filter((c) => !c.name.includes(' '))) y = y.command(yargsCommand(command, command.name, io.env));
  for (const [group, describe] of Object.entries(GROUPS)) {
    const members = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
    y = y.command(group, describe, (g) =>
      members.reduce((acc, c) => acc.command(yargsCommand(c, c.name.slice(group.length + 1), io.env)), g).demandCommand(1),
    );
  }
  return y;
}

function yargsCommand(command: CommandSpec, word: string, env: Io['env']) {
  const positionals =
    (command.positionals ?? []).map((p) => ` <${p.name}>`).join('') + (command.variadic ? ` [${command.variadic.name}..]` : '');
  return {
    command: `${word}${positionals}`,
    describe: command.describe,
    builder: (y: Argv) => {
      let b = y.options(yargsOptions(command.options, env));
      for (const p of command.positionals ?? []) b = b.positional(p.name, { type: 'string', describe: p.describe });
      if (command.variadic) b = b.positional(command.variadic.name, { type: 'string', array: true, describe: command.variadic.describe });
      for (const [example, what] of command.examples ?? []) b = b.example(example, what);
      return b;
    },
    handler: () => {},
  };
}

/** Our table in yargs' terms; the environment's default is shown as such. */
function yargsOptions(specs: Readonly<Record<string, OptionSpec>>, env: Io['env']): Record<string, Options> {
  const out: Record<string, Options> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const fromEnv = spec.env && env[spec.env];
    out[name] = {
      type: spec.type === 'array' ? 'array' : spec.type,
      ...(spec.type === 'array' && { string: true }),
      describe: spec.describe,
      ...(spec.alias && { alias: spec.alias }),
      ...(spec.choices && { choices: [...spec.choices] }),
      ...(spec.required && { demandOption: true }),
      ...(spec.type !== 'boolean' && { requiresArg: true }),
      ...(fromEnv ? { default: fromEnv, defaultDescription: `$${spec.env}` } : spec.default !== undefined && { default: spec.default }),
      ...(!fromEnv && spec.env && { defaultDescription: `$${spec.env}, else ${spec.default}` }),
    };
  }
  return out;
}
