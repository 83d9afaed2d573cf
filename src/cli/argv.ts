// The one command-line parser: argv read strictly by the option table in options.ts. It knows
// `--name value`, `--name=value`, `-a value`, `-a=value`, `--no-flag`, repeatable arrays and
// `--` ; a boolean takes only true or false; anything it does not know is a usage error that
// names the bad word. It does not apply defaults: src/cli/resolve.ts does, with the environment.
//
// --help, --version and completion are answered by yargs (src/cli/help.ts), configured from the
// same table; nothing else loads it, because yargs costs more start-up than a whole `results` run.

import { CnbReportError, quote } from '../core/errors.ts';
import { COMMANDS, GLOBAL_OPTIONS, GROUPS, type CommandSpec, type OptionSpec } from './options.ts';

export type Value = string | boolean | string[];

export type Call =
  | {
      readonly kind: 'run';
      readonly command: CommandSpec;
      readonly values: Readonly<Record<string, Value>>;
      readonly positionals: readonly string[];
    }
  | { readonly kind: 'help' | 'version' | 'completion' };

export function readArgv(argv: readonly string[]): Call {
  const words = argv.indexOf('--') < 0 ? argv : argv.slice(0, argv.indexOf('--'));
  if (words.includes('--help') || words.includes('-h')) return { kind: 'help' };
  if (argv[0] === 'completion' || words.includes('--get-yargs-completions')) return { kind: 'completion' };
  if (words.includes('--version')) return { kind: 'version' };
  const { command, rest } = selectCommand(argv);
  const { values, positionals } = readOptions(rest, { ...GLOBAL_OPTIONS, ...command.options }, command.name);
  checkComplete(command, values, positionals);
  return { kind: 'run', command, values, positionals };
}

function selectCommand(argv: readonly string[]): { command: CommandSpec; rest: readonly string[] } {
  const [first, second] = argv;
  if (first === undefined || first.startsWith('-')) throw usage('name a command, for example: cnb-report results', '');
  if (Object.hasOwn(GROUPS, first)) {
    const subcommands = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.split(' ')[1]!);
    const command = COMMANDS.find((c) => c.name === `${first} ${second}`);
    if (!command) {
      throw usage(
        second === undefined || second.startsWith('-')
          ? `name a ${first} command: ${subcommands.join(' or ')}`
          : `unknown ${first} command ${quote(second)}: expected ${subcommands.join(' or ')}`,
        first,
      );
    }
    return { command, rest: argv.slice(2) };
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    const near = [...COMMANDS.map((c) => c.name.split(' ')[0]!), 'completion'].find((name) => distance(name, first) <= 2);
    throw usage(`unknown command ${quote(first)}${near ? `; did you mean ${near}?` : ''}`, '');
  }
  return { command, rest: argv.slice(1) };
}

function readOptions(tokens: readonly string[], specs: Readonly<Record<string, OptionSpec>>, where: string) {
  const values: Record<string, Value> = {};
  const positionals: string[] = [];
  const byAlias = new Map(Object.entries(specs).flatMap(([name, spec]) => (spec.alias ? [[spec.alias, name] as const] : [])));
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '--') {
      positionals.push(...tokens.slice(i + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const word = eq < 0 ? token : token.slice(0, eq);
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    const long = word.startsWith('--') ? word.slice(2) : byAlias.get(word.slice(1));
    // Own properties only: `--constructor` must not find Object.prototype's.
    const known = (n: string | undefined): OptionSpec | undefined => (n !== undefined && Object.hasOwn(specs, n) ? specs[n] : undefined);
    const negated = long?.startsWith('no-') && known(long.slice(3))?.type === 'boolean' && !known(long) ? long.slice(3) : undefined;
    const name = negated ?? long;
    const spec = known(name);
    if (name === undefined || spec === undefined) throw usage(`unknown option ${quote(word)} for cnb-report ${where}`, where);
    if (spec.type === 'boolean') {
      if (negated !== undefined) {
        if (inline !== undefined) throw usage(`${word} takes no value`, where);
        values[name] = false;
        continue;
      }
      // `--flag true` and `--flag false` read the next word, as yargs does; anything else after
      // a bare flag is not its value.
      const next = tokens[i + 1];
      const text = inline ?? (next === 'true' || next === 'false' ? tokens[++i] : 'true');
      if (text !== 'true' && text !== 'false') throw usage(`${word} takes true or false, not ${quote(text)}`, where);
      values[name] = text === 'true';
      continue;
    }
    const value = inline ?? takeValue(tokens, i, word, where);
    if (inline === undefined) i++;
    // An empty (or blank) path would silently mean the current directory.
    if (value.trim() === '' && !spec.allowEmpty) throw usage(`${word} needs a value, not an empty string`, where);
    if (spec.choices && !spec.choices.includes(value))
      throw usage(`${word} ${quote(value)}: expected one of ${spec.choices.join(', ')}`, where);
    values[name] = spec.type === 'array' ? [...((values[name] as string[] | undefined) ?? []), value] : value;
  }
  return { values, positionals };
}

function takeValue(tokens: readonly string[], i: number, word: string, where: string): string {
  const next = tokens[i + 1];
  // A value may not look like an option: `--report --quiet` is a forgotten value, not a file.
  if (next === undefined || (next.startsWith('-') && next !== '-')) throw usage(`${word} needs a value`, where);
  return next;
}

function checkComplete(command: CommandSpec, values: Readonly<Record<string, Value>>, positionals: readonly string[]): void {
  const expected = command.positionals ?? [];
  if (positionals.length < expected.length)
    throw usage(`cnb-report ${command.name} needs <${expected[positionals.length]!.name}>`, command.name);
  if (positionals.length > expected.length && !command.variadic)
    throw usage(`unexpected argument ${quote(positionals[expected.length])}`, command.name);
  for (const [name, spec] of Object.entries(command.options) as [string, OptionSpec][]) {
    if (spec.required && values[name] === undefined)
      throw usage(`cnb-report ${command.name} needs --${name}${spec.alias ? ` (-${spec.alias})` : ''}`, command.name);
  }
}

function usage(message: string, command: string): CnbReportError {
  return new CnbReportError('USAGE', `${message} (see cnb-report ${command ? `${command} ` : ''}--help)`);
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
