// The fuzzer behind test/integration/fuzz.test.ts (a few thousand cases in `make test`) and
// `make fuzz` (test/fuzz/run.ts, 100,000 by default): mutated fixtures, and documents nested
// thousands of levels deep, through the whole `results` path in-process. Each case must end in
// success with grammatical values, or in an expected exit code with nothing written and clean
// one-line messages.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/core/errors.ts';
import { main } from '../../src/cli/main.ts';
import { parseTagReference, SHA256_DIGEST } from '../../src/core/reference.ts';
import { DIGEST, REPORTS, tomlFiles } from './helpers.ts';

// A small deterministic PRNG (mulberry32), so a failure names a seed that reproduces it.
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  '"',
  "'",
  '\\',
  '\n',
  '\r\n',
  '\u0000',
  '$(id)',
  '`id`',
  ';',
  ' ',
  '@',
  ':',
  '/',
  '[',
  ']',
  '=',
  '#',
  '\u202e',
  '\ud800',
  '\u00ff',
  'sha256:',
  '[[image]]',
  '[image]',
  'tags = []',
  'digest = 1',
  '"""',
  "'''",
  '0x10',
  '1e400',
  '-',
];

export function mutate(source: Buffer, random: () => number): Buffer {
  const bytes = [...source];
  const at = () => Math.floor(random() * (bytes.length + 1));
  const kind = Math.floor(random() * 6);
  switch (kind) {
    case 0: // truncate
      return Buffer.from(bytes.slice(0, at()));
    case 1: // flip a byte
      if (bytes.length) bytes[Math.min(at(), bytes.length - 1)] = Math.floor(random() * 256);
      return Buffer.from(bytes);
    case 2: {
      // insert a hostile token
      const i = at();
      return Buffer.concat([
        Buffer.from(bytes.slice(0, i)),
        Buffer.from(HOSTILE[Math.floor(random() * HOSTILE.length)]!),
        Buffer.from(bytes.slice(i)),
      ]);
    }
    case 3: {
      // delete a span
      const i = at();
      return Buffer.from([...bytes.slice(0, i), ...bytes.slice(i + Math.floor(random() * 20))]);
    }
    case 4: {
      // duplicate a line
      const lines = source.toString('latin1').split('\n');
      const i = Math.floor(random() * lines.length);
      lines.splice(i, 0, lines[i]!);
      return Buffer.from(lines.join('\n'), 'latin1');
    }
    default: {
      // swap two lines
      const lines = source.toString('latin1').split('\n');
      const i = Math.floor(random() * lines.length);
      const j = Math.floor(random() * lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return Buffer.from(lines.join('\n'), 'latin1');
    }
  }
}

export const EXPECTED_FAILURES = new Set<number>([EXIT_CODES.REPORT_INVALID, EXIT_CODES.NO_DIGEST, EXIT_CODES.RESULTS_TOO_LARGE]);

const FIELDS = ['tags', 'digest', 'image-id', 'manifest-size'];

/** A value nested `depth` levels: arrays, inline tables, or both alternating. */
export function nested(depth: number, random: () => number): string {
  const kind = Math.floor(random() * 3);
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    const table = kind === 1 || (kind === 2 && i % 2 === 1);
    open.push(table ? '{ a = ' : '[');
    close.push(table ? ' }' : ']');
  }
  const leaf = ['"x:1"', `"${DIGEST}"`, '1', '[]', '{}'][Math.floor(random() * 5)]!;
  return open.join('') + leaf + close.reverse().join('');
}

/** A report (or analyzed.toml) with one field nested deeply; the rest valid. */
export function nestedCase(random: () => number): { report: string; analyzed?: string } {
  const depth = 1 + Math.floor(random() ** 2 * 20_000);
  const value = nested(depth, random);
  if (random() < 0.25) {
    return {
      report: `[image]\n  tags = ["registry.example.com/app:1"]\n  digest = "${DIGEST}"\n`,
      analyzed: `[run-image]\n  reference = ${value}\n`,
    };
  }
  const field = FIELDS[Math.floor(random() * FIELDS.length)]!;
  const fields: Record<string, string> = { tags: '["registry.example.com/app:1"]', digest: `"${DIGEST}"`, [field]: value };
  return {
    report: `[image]\n${Object.entries(fields)
      .map(([k, v]) => `  ${k} = ${v}`)
      .join('\n')}\n`,
  };
}

export interface FuzzSummary {
  readonly cases: number;
  readonly counts: Record<number, number>;
  readonly failures: string[];
}

/** Run `cases` cases from `seed` in `dir`; a fraction `nestedShare` are deeply nested documents. */
export async function fuzz(cases: number, seed: number, dir: string, nestedShare = 0.1): Promise<FuzzSummary> {
  const sources = tomlFiles(REPORTS).map((name) => readFileSync(join(REPORTS, name)));
  const random = prng(seed);
  const report = join(dir, 'report.toml');
  const analyzed = join(dir, 'analyzed.toml');
  const counts: Record<number, number> = {};
  const failures: string[] = [];
  for (let i = 0; i < cases; i++) {
    const deep = random() < nestedShare ? nestedCase(random) : undefined;
    const variant = deep ? Buffer.from(deep.report) : mutate(mutate(sources[i % sources.length]!, random), random);
    writeFileSync(report, variant);
    if (deep?.analyzed) writeFileSync(analyzed, deep.analyzed);
    const out = join(dir, 'out');
    const lines: string[] = [];
    const io = { env: {}, progress: false, out: () => {}, err: (t: string) => lines.push(t) };
    const args = [
      'results',
      '--report',
      report,
      '--results-dir',
      join(out, 'results'),
      '--oci-layout',
      join(out, 'layout'),
      ...(deep?.analyzed ? ['--analyzed', analyzed] : []),
    ];
    const code = await main(args, io);
    counts[code] = (counts[code] ?? 0) + 1;
    const problem = check(code, out, lines, Boolean(deep?.analyzed));
    if (problem) failures.push(`case ${i} (seed ${seed}): ${problem}: ${JSON.stringify(variant.toString('latin1')).slice(0, 300)}`);
    rmSync(out, { recursive: true, force: true });
    if (deep?.analyzed) rmSync(analyzed);
  }
  return { cases, counts, failures };
}

function check(code: number, out: string, lines: string[], withAnalyzed: boolean): string | undefined {
  if (code === 0) {
    const results = join(out, 'results');
    const names = readdirSync(results).sort().join(',');
    if (names !== 'IMAGES,IMAGE_DIGEST,IMAGE_URL') return `results ${names}`;
    if (!SHA256_DIGEST.test(readFileSync(join(results, 'IMAGE_DIGEST'), 'utf8'))) return 'IMAGE_DIGEST not a digest';
    if (typeof parseTagReference(readFileSync(join(results, 'IMAGE_URL'), 'utf8')) !== 'object') return 'IMAGE_URL not a reference';
    if (!existsSync(join(out, 'layout/index.json'))) return 'no index.json';
    return undefined;
  }
  const expected = withAnalyzed ? code === EXIT_CODES.ANALYZED_INVALID : EXPECTED_FAILURES.has(code);
  if (!expected) return `exit ${code} (${lines.join(' | ').slice(0, 300)})`;
  if (existsSync(out)) return `exit ${code} but something was written`;
  if (!(lines.length > 0 && lines.every((l) => /^cnb-report: [\x20-\x7e]+$/.test(l) && l.length < 1000)))
    return `messages not clean one-liners: ${lines.join(' | ').slice(0, 300)}`;
  return undefined;
}
