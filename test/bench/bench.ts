// Start-up and throughput benchmarks. Every number is a median of interleaved runs, printed as a
// ratio against `node -e ''` measured in the same rounds, so a slow or busy machine moves the
// baseline too. Not a test: nothing here asserts a time.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, largeReport } from '../support/helpers.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 31);
const work = mkdtempSync(join(tmpdir(), 'cnb-report-bench-'));
const big = join(work, 'big.toml');
writeFileSync(big, largeReport(40_000));
const example = join(ROOT, 'examples/report.toml');
const out = join(work, 'results');

interface Case {
  readonly name: string;
  readonly argv: string[];
  readonly env?: Record<string, string>;
}

// A loopback API server in its own process, so that these synchronous timings do not block it.
const server = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/bench/apiserver-main.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
const [kubeconfig] = (await once(server.stdout!, 'data')) as [Buffer];
const KUBE = { ...process.env, KUBECONFIG: kubeconfig.toString().trim() } as Record<string, string>;
const node = process.execPath;
const baseline: Case = { name: "node -e ''  (baseline)", argv: [node, '-e', ''] };
// Each group runs interleaved with its own baseline: a 200 MiB parse in the same rounds as the
// start-up cases would disturb those (cache, memory) more than it measures anything.
const groups: Case[][] = [
  [
    baseline,
    { name: 'cnb-report results', argv: [node, CLI, 'results', '-q', '--report', example, '--results-dir', out] },
    { name: 'cnb-report results --oci-layout', argv: [node, CLI, 'results', '-q', '--report', example, '--results-dir', out, '--oci-layout', join(work, 'layout')] },
  ],
  [
    baseline,
    { name: 'cnb-report show (full yargs)', argv: [node, CLI, 'show', '--report', example] },
    { name: 'cnb-report taskrun get (finished)', argv: [node, CLI, 'taskrun', 'get', 'build-1', '-o', 'json'], env: KUBE },
    { name: 'catalog grep|cut (for reference)', argv: ['sh', '-c', `grep "digest" ${example} | cut -d'"' -f2 | cut -d'"' -f2 | tr -d '\\n' > ${join(work, 'grep')}`] },
  ],
  [baseline, { name: `results, ${(statSync(big).size / 1e6).toFixed(1)} MB report`, argv: [node, CLI, 'results', '-q', '--report', big, '--results-dir', out] }],
];

function time({ argv, env }: Case): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore', env });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function peakRss({ argv, env }: Case): number | undefined {
  if (argv[0] !== node) return undefined;
  const r = spawnSync(node, ['--require', join(ROOT, 'test/bench/rss.cjs'), ...argv.slice(1)], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], env });
  return Number(String(r.output[3])) / 1024;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${ROUNDS} interleaved rounds per group on node ${process.version}; ratio = median / median of node -e '' in the same group\n`);
console.log(`${'case'.padEnd(36)}${'median'.padStart(10)}${'ratio'.padStart(8)}${'peak RSS'.padStart(11)}`);
for (const cases of groups) {
  const samples = cases.map(() => [] as number[]);
  for (const c of cases) time(c); // warm the file cache
  for (let round = 0; round < ROUNDS; round++) cases.forEach((c, i) => samples[i]!.push(time(c)));
  const base = median(samples[0]!);
  cases.forEach((c, i) => {
    const m = median(samples[i]!);
    const rss = peakRss(c);
    console.log(`${c.name.padEnd(36)}${`${m.toFixed(1)} ms`.padStart(10)}${`${(m / base).toFixed(2)}×`.padStart(8)}${(rss ? `${rss.toFixed(1)} MiB` : '').padStart(11)}`);
  });
}
rmSync(work, { recursive: true, force: true });
server.stdin!.end();
