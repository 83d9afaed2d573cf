// Run every uvu test file and end with one summary line ("N passed, N failed") that CI reads.
import { spawnSync } from 'node:child_process';

const args = ['uvu', '-r', 'tsx', 'test', '\\.test\\.ts$', ...process.argv.slice(2)];
const run = spawnSync('npx', args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
process.stdout.write(run.stdout);
const total = Number(/Total:\s+(\d+)/.exec(run.stdout)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(run.stdout)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(run.stdout)?.[1] ?? 0);
const failed = run.status === 0 ? total - passed - skipped : Math.max(1, total - passed - skipped);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = run.status === 0 && total > 0 && failed === 0 ? 0 : 1;
