// Run uvu test files and end with one summary line ("N passed, N failed") that CI reads.
//   node scripts/test.js            every unit/integration test (test/**/*.test.ts)
//   node scripts/test.js '\.itg\.ts$'   the end-to-end tests (make e2e)
import { spawnSync } from 'node:child_process';

const pattern = process.argv[2] ?? '\\.test\\.ts$';
const env = { ...process.env, NO_COLOR: '1' };
delete env.FORCE_COLOR; // Node warns when both are set, and uvu's colours would garble the counts
const run = spawnSync('npx', ['uvu', '-r', 'tsx', 'test', pattern], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
process.stdout.write(run.stdout);
const count = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(run.stdout)?.[1] ?? 0);
const [total, passed, skipped] = [count('Total'), count('Passed'), count('Skipped')];
const failed = run.status === 0 ? total - passed - skipped : Math.max(1, total - passed - skipped);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = run.status === 0 && total > 0 && failed === 0 ? 0 : 1;
