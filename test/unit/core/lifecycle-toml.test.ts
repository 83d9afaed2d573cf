// The plain-TOML reader against @iarna/toml, the authority: on every fixture and on thousands of
// seeded mutants of them, it either declines or returns exactly what @iarna/toml returns, and it
// never accepts what @iarna/toml rejects. It must also accept what the lifecycle really writes,
// or it saves nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLifecycleToml } from '../../../src/core/lifecycle-toml.ts';
import { parseToml } from '../../../src/core/toml.ts';
import { prng } from '../../support/fuzz.ts';
import { FIXTURES, REPORTS, ROOT, tomlFiles } from '../../support/helpers.ts';

const ANALYZED = join(FIXTURES, 'analyzed-toml');
const samples = [
  ...tomlFiles(REPORTS).map((f) => join(REPORTS, f)),
  ...tomlFiles(ANALYZED).map((f) => join(ANALYZED, f)),
  join(ROOT, 'examples/report.toml'),
].map((path) => ({ path, bytes: readFileSync(path) }));

/** What @iarna/toml makes of it, as plain data (BigInt as text), or 'rejected'. */
function authority(bytes: Uint8Array): unknown {
  try {
    return plain(parseToml(bytes, 'x.toml'));
  } catch {
    return 'rejected';
  }
}

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

function agree(bytes: Uint8Array, what: string): boolean {
  const fast = readLifecycleToml(bytes);
  if (fast === undefined) return false;
  assert.equal(plain(fast), authority(bytes), what);
  return true;
}

const t = suite('readLifecycleToml ≡ @iarna/toml');
t('every fixture: the same document, or declined', () => {
  for (const { path, bytes } of samples) agree(bytes, path);
});
t('what the lifecycle writes is read without the full parser', () => {
  const accepted = samples.filter(({ bytes }) => readLifecycleToml(bytes) !== undefined).map(({ path }) => path.slice(ROOT.length));
  for (const name of [
    'registry-one-tag',
    'registry-three-tags',
    'daemon-no-manifest-size',
    'lifecycle-issue-1498',
    'examples/report.toml',
    'platform-0.12-run-image-target',
  ]) {
    assert.ok(
      accepted.some((p) => p.includes(name)),
      `${name} should be read by the fast reader`,
    );
  }
});
t('declines what it does not fully understand', () => {
  for (const text of [
    '[image]\n  tags = ["a\\"b"]\n', // an escape
    '[image]\n  digest = "x" # comment\n',
    '[image]\ntags = [\n  "a",\n]\n', // a multi-line array
    '[[build.bom]]\n  name = "x"\n',
    '[image]\n  n = 12345678901234567\n', // beyond 2^53: @iarna/toml gives a BigInt
    '[image]\n\ttags = ["a"]\n',
    '[image]\r\n  tags = ["a"]\r\n',
    '[image]\n  a = 1\n  a = 2\n', // a duplicate key
    '[image]\n[image]\n', // a duplicate table
    '[image]\n  tags = ["é"]\n',
    '\ufeff[image]\n',
    '[__proto__]\n  polluted = "yes"\n',
    '[image]\n  __proto__ = "x"\n',
    '[constructor]\n  x = 1\n', // @iarna/toml gives {} here: the authority must decide
    '[x.hasOwnProperty]\n',
    '[image]\n  toString = "a"\n',
    '[image]\n  t = true\n',
    "[image]\n  s = 'literal'\n",
  ]) {
    assert.is(readLifecycleToml(Buffer.from(text)), undefined, JSON.stringify(text));
  }
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

const PIECES = [
  '"',
  '\\',
  '[',
  ']',
  '=',
  ',',
  '.',
  ' ',
  '  ',
  '\n',
  '#',
  '\t',
  '0',
  '1',
  '9',
  'a',
  '-',
  '_',
  '[image]',
  '[build]',
  'tags',
  'digest',
  ' = ',
  '[]',
  '""',
  '"x"',
  ', ',
  '[a.b]',
  '[[x]]',
  '\r',
  'é',
  '{',
  '}',
  "'",
  '+',
  'e3',
  'true',
];

t('20,000 mutants: never a different document, never accepts what @iarna/toml rejects', () => {
  const random = prng(2026);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  let accepted = 0;
  for (let n = 0; n < 20_000; n++) {
    let text = pick(samples).bytes.toString('utf8');
    for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
      const at = Math.floor(random() * (text.length + 1));
      const cut = random() < 0.5 ? Math.floor(random() * 4) : 0;
      text = text.slice(0, at) + (random() < 0.8 ? pick(PIECES) : '') + text.slice(at + cut);
    }
    if (agree(Buffer.from(text), `mutant ${n}: ${JSON.stringify(text)}`)) accepted++;
  }
  // Most mutants break the subset; enough must stay in it for the comparison to mean something.
  assert.ok(accepted > 2_000, `only ${accepted} mutants were read by the fast reader`);
});
t.run();
