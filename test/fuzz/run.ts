// `make fuzz [CASES=100000] [SEED=1]`: the fuzzer of test/support/fuzz.ts at full size, printing
// its figures. Not part of `make test` (minutes, not seconds). Exit 1 on any failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzz } from '../support/fuzz.ts';

const cases = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'cnb-report-fuzz-'));
const started = process.hrtime.bigint();
const { counts, failures } = await fuzz(cases, seed, dir, 0.1);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
rmSync(dir, { recursive: true, force: true });
console.log(
  `fuzz: ${cases} cases (seed ${seed}, 10% nested documents) in ${seconds.toFixed(1)} s; exit codes ${JSON.stringify(counts)}; ${failures.length} failures`,
);
for (const failure of failures.slice(0, 20)) console.log(`  ${failure}`);
process.exitCode = failures.length ? 1 : 0;
