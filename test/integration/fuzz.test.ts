// Thousands of mutated and truncated variants of the fixtures, through the whole `results`
// path in-process: never an unexpected error (exit 1), never partial output, and whatever is
// written passes the grammars.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/core/errors.ts';
import { main } from '../../src/cli/main.ts';
import { parseTagReference, SHA256_DIGEST } from '../../src/core/reference.ts';
import { REPORTS, tempDir, tomlFiles } from '../support/helpers.ts';

// A small deterministic PRNG (mulberry32), so a failure names a seed that reproduces it.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = ['"', "'", '\\', '\n', '\r\n', '\u0000', '$(id)', '`id`', ';', ' ', '@', ':', '/', '[', ']', '=', '#', '\u202e', '\ud800', '\u00ff', 'sha256:', '[[image]]', '[image]', 'tags = []', 'digest = 1', '"""', "'''", '0x10', '1e400', '-'];

function mutate(source: Buffer, random: () => number): Buffer {
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
      return Buffer.concat([Buffer.from(bytes.slice(0, i)), Buffer.from(HOSTILE[Math.floor(random() * HOSTILE.length)]!), Buffer.from(bytes.slice(i))]);
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

const EXPECTED_FAILURES = new Set<number>([EXIT_CODES.REPORT_INVALID, EXIT_CODES.NO_DIGEST, EXIT_CODES.RESULTS_TOO_LARGE]);

const fuzz = suite('fuzz: mutated fixtures');
fuzz('5,000 variants: no crash, all-or-nothing output, grammatical values', async () => {
  const sources = tomlFiles(REPORTS).map((name) => readFileSync(join(REPORTS, name)));
  const random = prng(20261121);
  const dir = tempDir();
  const report = join(dir, 'report.toml');
  const counts: Record<number, number> = {};
  for (let i = 0; i < 5000; i++) {
    const variant = mutate(mutate(sources[i % sources.length]!, random), random);
    writeFileSync(report, variant);
    const out = join(dir, 'out');
    const lines: string[] = [];
    const io = { env: {}, progress: false, out: () => {}, err: (t: string) => lines.push(t) };
    const code = await main(['results', '--report', report, '--results-dir', join(out, 'results'), '--oci-layout', join(out, 'layout')], io);
    counts[code] = (counts[code] ?? 0) + 1;
    const context = `variant ${i}: ${JSON.stringify(variant.toString('latin1')).slice(0, 300)}`;
    if (code === 0) {
      const results = join(out, 'results');
      assert.equal(readdirSync(results).sort(), ['IMAGES', 'IMAGE_DIGEST', 'IMAGE_URL'], context);
      assert.ok(SHA256_DIGEST.test(readFileSync(join(results, 'IMAGE_DIGEST'), 'utf8')), context);
      assert.type(parseTagReference(readFileSync(join(results, 'IMAGE_URL'), 'utf8')), 'object', context);
      assert.ok(existsSync(join(out, 'layout/index.json')), context);
    } else {
      assert.ok(EXPECTED_FAILURES.has(code), `exit ${code} (${lines.join(' | ')}) for ${context}`);
      assert.not.ok(existsSync(out), `nothing written for ${context}`);
      assert.ok(lines.length > 0 && lines.every((l) => /^cnb-report: [\x20-\x7e]+$/.test(l)), `clean one-line messages: ${lines.join(' | ')}`);
    }
    rmSync(out, { recursive: true, force: true });
  }
  // The mutations must reach both outcomes, or the test proves little.
  assert.ok((counts[0] ?? 0) > 100 && (counts[EXIT_CODES.REPORT_INVALID] ?? 0) > 1000, JSON.stringify(counts));
});
fuzz.run();
