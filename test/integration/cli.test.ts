// The built CLI (dist/cnb-report.js) run as a subprocess on real files, as a Tekton step runs it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { EXIT_CODES } from '../../src/core/errors.ts';
import { CLI, DIGEST, REPORTS, ROOT, cli, reportToml, snapshot, tempDir, tomlFiles } from '../support/helpers.ts';

const GOLDEN = join(ROOT, 'test/golden');
const update = process.env.UPDATE_GOLDEN === '1';

/** Run `results` on a report, then again with a layout, and capture everything produced. */
function runFixture(report: string): Record<string, string> {
  const plain = tempDir();
  const r = cli(['results', '--report', report, '--results-dir', join(plain, 'results')], { cwd: REPORTS });
  const withLayout = tempDir();
  const l = cli(
    ['results', '-q', '--report', report, '--results-dir', join(withLayout, 'results'), '--oci-layout', join(withLayout, 'layout')],
    { cwd: REPORTS },
  );
  const layout = existsSync(join(withLayout, 'layout')) ? snapshot(join(withLayout, 'layout')) : {};
  return {
    exit: String(r.status),
    stdout: r.stdout.replaceAll(plain, '$OUT'),
    stderr: r.stderr,
    ...prefix(existsSync(plain) ? snapshot(plain) : {}, 'files/'),
    'layout-exit': String(l.status),
    'layout-stderr': l.stderr,
    ...prefix(layout, 'files/layout/'),
  };
}

function prefix(record: Record<string, string>, p: string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [p + k, v]));
}

const golden = suite('golden: every fixture through the built CLI');
for (const name of tomlFiles(REPORTS)) {
  golden(name, () => {
    const actual = runFixture(name);
    const dir = join(GOLDEN, name.replace(/\.toml$/, ''));
    if (update) {
      rmSync(dir, { recursive: true, force: true });
      for (const [file, data] of Object.entries(actual)) {
        if (file.endsWith('/')) continue;
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), data);
      }
    }
    // git keeps no empty directories, so directories are compared apart from files.
    const files = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).filter(([k]) => !k.endsWith('/')));
    assert.equal(files(actual), files(snapshot(dir)));
    assert.is('files/layout/blobs/' in actual, actual['layout-exit'] === '0', 'blobs/ exists exactly when the run succeeded');
  });
}
golden.run();

const behaviour = suite('results: behaviour of the built CLI');
function writeReport(dir: string, text: string): string {
  const path = join(dir, 'report.toml');
  writeFileSync(path, text);
  return path;
}

behaviour('results bytes are exact: no trailing newline', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1', 'r.io/b:1'], digest: DIGEST }));
  const r = cli(['results', '-q', '--report', report, '--results-dir', join(dir, 'out')]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '');
  assert.equal(snapshot(join(dir, 'out')), { IMAGES: `r.io/b@${DIGEST}`, IMAGE_DIGEST: DIGEST, IMAGE_URL: 'r.io/a:1' });
});
behaviour('--result-path writes each result where Tekton asks (step results), nothing else', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1'], digest: DIGEST }));
  const paths = ['IMAGE_URL', 'IMAGE_DIGEST', 'IMAGES'].map((n) => `${n}=${join(dir, 'steps/step-report/results', n)}`);
  const r = cli(['results', '--report', report, ...paths.flatMap((p) => ['--result-path', p]), '--results-dir', join(dir, 'unused')]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(snapshot(join(dir, 'steps/step-report/results')), { IMAGES: '', IMAGE_DIGEST: DIGEST, IMAGE_URL: 'r.io/a:1' });
  assert.not.ok(existsSync(join(dir, 'unused')));
});
behaviour("--termination-message: compact JSON in the report's shape, written in place, with the results", () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1', 'r.io/b:1'], digest: DIGEST, 'manifest-size': 3020 }));
  writeFileSync(join(dir, 'termination-log'), 'stale');
  const r = cli([
    'results',
    '-q',
    '--report',
    report,
    '--results-dir',
    join(dir, 'results'),
    '--termination-message',
    join(dir, 'termination-log'),
  ]);
  assert.is(r.status, 0, r.stderr);
  assert.is(
    readFileSync(join(dir, 'termination-log'), 'utf8'),
    `{"image":{"tags":["r.io/a:1","r.io/b:1"],"digest":"${DIGEST}","manifest-size":3020}}`,
  );
  assert.equal(readdirSync(join(dir, 'results')).sort(), ['IMAGES', 'IMAGE_DIGEST', 'IMAGE_URL']);
});
behaviour('--no-tekton-results: only the termination message, under the same digest rule (exit 5 for a daemon export)', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['app'], 'image-id': 'a'.repeat(64) }));
  const daemon = cli([
    'results',
    '--report',
    report,
    '--no-tekton-results',
    '--termination-message',
    join(dir, 'msg'),
    '--results-dir',
    join(dir, 'results'),
  ]);
  assert.is(daemon.status, EXIT_CODES.NO_DIGEST, daemon.stderr);
  assert.match(
    daemon.stderr,
    /^cnb-report: .*a daemon export \(image-id a{64}\) has no registry digest; pass --allow-daemon to write it anyway\n$/,
  );
  assert.equal(readdirSync(dir).sort(), ['report.toml']);
  const allowed = cli([
    'results',
    '--report',
    report,
    '--no-tekton-results',
    '--allow-daemon',
    '--termination-message',
    join(dir, 'msg'),
    '--results-dir',
    join(dir, 'results'),
  ]);
  assert.is(allowed.status, 0, allowed.stderr);
  assert.is(allowed.stdout, `wrote the termination message to ${join(dir, 'msg')}\n`);
  assert.equal(readdirSync(dir).sort(), ['msg', 'report.toml']);
  const neither = writeReport(tempDir(), reportToml({ tags: ['app'] }));
  const noDigest = cli([
    'results',
    '--report',
    neither,
    '--no-tekton-results',
    '--allow-daemon',
    '--termination-message',
    join(dir, 'msg2'),
  ]);
  assert.is(noDigest.status, EXIT_CODES.NO_DIGEST, noDigest.stderr);
  assert.not.ok(existsSync(join(dir, 'msg2')));
  const none = cli(['results', '--report', report, '--no-tekton-results']);
  assert.is(none.status, EXIT_CODES.USAGE);
  assert.match(none.stderr, /leaves nothing to write/);
});
behaviour('colliding outputs are refused before anything is written (exit 2)', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1'], digest: DIGEST, 'manifest-size': 3020 }));
  writeFileSync(join(dir, 'analyzed.toml'), '[run-image]\n  reference = "r.io/run@' + DIGEST + '"\n');
  const results = join(dir, 'results');
  const cases: [string[], RegExp][] = [
    [
      ['--result-path', `IMAGE_URL=${join(dir, 'x')}`, '--result-path', `IMAGE_DIGEST=${join(dir, 'x')}`],
      /result IMAGE_URL and result IMAGE_DIGEST are both .*\/x$/,
    ],
    [['--result-path', `IMAGES=${report}`], /result IMAGES is the report \(.*report\.toml\): it would be overwritten$/],
    [['--result-path', `IMAGES=${join(dir, 'analyzed.toml')}`], /result IMAGES is analyzed\.toml/],
    [['--termination-message', join(results, 'IMAGE_URL')], /result IMAGE_URL and the termination message are both/],
    [['--oci-layout', join(results, 'IMAGE_DIGEST')], /is inside result IMAGE_DIGEST .*which is a file$/],
    [
      ['--oci-layout', results, '--result-path', `IMAGES=${join(results, 'index.json')}`],
      /result IMAGES and the layout's index\.json are both/,
    ],
    [
      ['--result-path', `IMAGES=${join(dir, 'layout/blobs')}`, '--oci-layout', join(dir, 'layout')],
      /result IMAGES \(.*layout\/blobs\) is where the layout's blobs\/ .*must be a directory$/,
    ],
    [
      ['--result-path', `IMAGE_URL=${results}`],
      /result IMAGE_DIGEST \(.*results\/IMAGE_DIGEST\) is inside result IMAGE_URL \(.*results\), which is a file$/m,
    ],
    [
      [
        '--result-path',
        `IMAGE_URL=${results}`,
        '--result-path',
        `IMAGE_DIGEST=${join(dir, 'd')}`,
        '--result-path',
        `IMAGES=${join(dir, 'i')}`,
        '--oci-layout',
        join(results, 'layout'),
      ],
      /the layout's oci-layout \(.*results\/layout\/oci-layout\) is inside result IMAGE_URL/,
    ],
  ];
  const before = snapshot(dir);
  for (const [args, expected] of cases) {
    const r = cli(['results', '--report', report, '--results-dir', results, ...args]);
    assert.is(r.status, EXIT_CODES.USAGE, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.split('\n')[0]!, /^cnb-report: conflicting outputs: /);
    assert.ok(
      r.stderr.split('\n').some((line) => expected.test(line)),
      `${args.join(' ')}: ${r.stderr}`,
    );
    assert.equal(snapshot(dir), before, `nothing written for ${args.join(' ')}`);
  }
});
behaviour("an empty --results-dir, --oci-layout or --termination-message is a usage error, not '.'", () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1'], digest: DIGEST, 'manifest-size': 3020 }));
  for (const args of [
    ['--results-dir', ''],
    ['--oci-layout', ''],
    ['--oci-layout=', '--results-dir', join(dir, 'r')],
    ['--termination-message', ' ', '--results-dir', join(dir, 'r')],
  ]) {
    const r = cli(['results', '--report', report, ...args], { cwd: dir });
    assert.is(r.status, EXIT_CODES.USAGE, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(readdirSync(dir), ['report.toml'], args.join(' '));
  }
});
behaviour('a termination message over 4096 bytes: exit 6, nothing written', () => {
  const dir = tempDir();
  const tags = Array.from({ length: 120 }, (_, i) => `registry.example.com/team/app:v${i}.0.0-with-a-long-tag`);
  const r = cli([
    'results',
    '--report',
    writeReport(dir, reportToml({ tags, digest: DIGEST })),
    '--results-dir',
    join(dir, 'results'),
    '--termination-message',
    join(dir, 'msg'),
  ]);
  assert.is(r.status, EXIT_CODES.RESULTS_TOO_LARGE);
  assert.match(r.stderr, /over Kubernetes' 4096-byte limit/);
  assert.equal(readdirSync(dir), ['report.toml']);
});
behaviour("--termination-message takes the kubelet's share too: --pod-containers 4 caps it at 3072 bytes", () => {
  const dir = tempDir();
  const tags = Array.from({ length: 60 }, (_, i) => `registry.example.com/team/app:v${i}.0.0-with-a-long-tag`);
  const report = writeReport(dir, reportToml({ tags, digest: DIGEST }));
  const args = ['results', '--report', report, '--no-tekton-results', '--termination-message', join(dir, 'msg')];
  assert.is(cli([...args, '-q']).status, 0, 'fits 4096');
  rmSync(join(dir, 'msg'));
  const r = cli([...args, '--pod-containers', '4']);
  assert.is(r.status, EXIT_CODES.RESULTS_TOO_LARGE);
  assert.match(r.stderr, /over 3072-byte limit: the kubelet keeps 12288 bytes \/ 4 containers/);
  assert.equal(readdirSync(dir), ['report.toml']);
});
behaviour('a symlink at the termination-message path is refused', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'target'), 'keep');
  symlinkSync(join(dir, 'target'), join(dir, 'msg'));
  const r = cli([
    'results',
    '--report',
    writeReport(dir, reportToml({ tags: ['r.io/a'], digest: DIGEST })),
    '--results-dir',
    join(dir, 'results'),
    '--termination-message',
    join(dir, 'msg'),
  ]);
  assert.is(r.status, EXIT_CODES.WRITE_FAILED);
  assert.is(readFileSync(join(dir, 'target'), 'utf8'), 'keep');
  assert.not.ok(existsSync(join(dir, 'results')));
});
behaviour('analyzed.toml beside the report: RUN_IMAGE_ARTIFACT_INPUTS and the layout platform', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1'], digest: DIGEST, 'manifest-size': 3 }));
  writeFileSync(join(dir, 'analyzed.toml'), readFileSync(join(ROOT, 'test/fixtures/analyzed-toml/platform-0.12-run-image-target.toml')));
  const r = cli(['results', '-q', '--report', report, '--results-dir', join(dir, 'results'), '--oci-layout', join(dir, 'layout')]);
  assert.is(r.status, 0, r.stderr);
  assert.is(
    readFileSync(join(dir, 'results/RUN_IMAGE_ARTIFACT_INPUTS'), 'utf8'),
    '{"uri":"oci://index.docker.io/paketobuildpacks/run-jammy-base","digest":"sha256:2b2bd4bf27a5a8e1b9d0b8e4c8f3ff2d39f5b0f1a7c1e0a6f3b9d8c7e6f5a4b3"}',
  );
  assert.equal(JSON.parse(readFileSync(join(dir, 'layout/index.json'), 'utf8')).manifests[0].platform, {
    os: 'linux',
    architecture: 'arm64',
    variant: 'v8',
  });
  const shown = JSON.parse(cli(['show', '--report', report]).stdout);
  assert.equal(shown['run-image'].target, { os: 'linux', arch: 'arm64', 'arch-variant': 'v8' });
  assert.match(
    cli(['show', '--report', report, '-o', 'toml']).stdout,
    /\n\[run-image\]\n  reference = "index\.docker\.io\/paketobuildpacks\/run-jammy-base@sha256:2b2b[0-9a-f]+"\n  image = ".*"\n\n  \[run-image\.target\]\n    os = "linux"\n    arch = "arm64"\n    arch-variant = "v8"\n$/,
  );
});
behaviour('a malformed default analyzed.toml is a warning; a named one is an error (exit 15)', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1'], digest: DIGEST }));
  writeFileSync(join(dir, 'analyzed.toml'), '[run-image]\nreference = "$(id)"\n');
  const warned = cli(['results', '-q', '--report', report, '--results-dir', join(dir, 'results')]);
  assert.is(warned.status, 0, warned.stderr);
  assert.match(warned.stderr, /^cnb-report: warning: ignoring .*analyzed\.toml: .*neither a digest reference nor an image id\n$/);
  assert.equal(readdirSync(join(dir, 'results')).sort(), ['IMAGES', 'IMAGE_DIGEST', 'IMAGE_URL']);
  const named = cli(['results', '--report', report, '--results-dir', join(dir, 'r2'), '--analyzed', join(dir, 'analyzed.toml')]);
  assert.is(named.status, EXIT_CODES.ANALYZED_INVALID);
  const missing = cli(['results', '--report', report, '--results-dir', join(dir, 'r3'), '--analyzed', join(dir, 'nope.toml')]);
  assert.is(missing.status, EXIT_CODES.ANALYZED_INVALID);
  assert.not.ok(existsSync(join(dir, 'r2')) || existsSync(join(dir, 'r3')));
});
behaviour('with no flags it reads $CNB_REPORT_PATH', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1'], digest: DIGEST }));
  const r = cli(['results', '--results-dir', join(dir, 'out')], { env: { CNB_REPORT_PATH: report } });
  assert.is(r.status, 0, r.stderr);
  assert.is(readFileSync(join(dir, 'out/IMAGE_DIGEST'), 'utf8'), DIGEST);
});
behaviour('a planted symlink in the results directory is refused and nothing is written', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1'], digest: DIGEST, 'manifest-size': 3 }));
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'secret'), 'keep');
  symlinkSync(join(dir, 'secret'), join(dir, 'out/IMAGE_DIGEST'));
  const r = cli(['results', '--report', report, '--results-dir', join(dir, 'out'), '--oci-layout', join(dir, 'layout')]);
  assert.is(r.status, EXIT_CODES.WRITE_FAILED);
  assert.is(r.stderr, `cnb-report: refusing to write ${join(dir, 'out/IMAGE_DIGEST')}: it is a symbolic link\n`);
  assert.equal(readdirSync(join(dir, 'out')), ['IMAGE_DIGEST']);
  assert.is(readFileSync(join(dir, 'secret'), 'utf8'), 'keep');
  assert.not.ok(existsSync(join(dir, 'layout')), 'the layout directory it would have made is gone');
});
behaviour('an unwritable results directory: a clear error, not a stack trace, nothing written', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1'], digest: DIGEST, 'manifest-size': 3 }));
  mkdirSync(join(dir, 'out'));
  chmodSync(join(dir, 'out'), 0o555);
  chmodSync(dir, 0o777);
  // Root ignores permission bits, so as root the CLI runs as nobody (as the image runs as 65532).
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  if (asUser.uid) chownSync(report, 65534, 65534);
  const r = cli(['results', '--report', report, '--results-dir', join(dir, 'out'), '--oci-layout', join(dir, 'layout')], asUser);
  assert.is(r.status, EXIT_CODES.WRITE_FAILED, r.stderr);
  assert.match(r.stderr, /^cnb-report: cannot write .*\/out: permission denied \(EACCES\)\n$/);
  assert.equal(readdirSync(join(dir, 'out')), []);
  assert.equal(readdirSync(dir).sort(), ['out', 'report.toml']);
});
behaviour('a results directory on a read-only file system', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1'], digest: DIGEST }));
  const r = cli(['results', '--report', report, '--results-dir', '/proc/self/cnb-report-results']);
  assert.is(r.status, EXIT_CODES.WRITE_FAILED);
  assert.match(r.stderr, /^cnb-report: cannot write \/proc\/self\/cnb-report-results: .*\n$/);
});
behaviour('an unreadable report exits 3', () => {
  const dir = tempDir();
  for (const [path, reason] of [
    [
      join(dir, 'missing.toml'),
      /no such file or directory \(ENOENT\) \(the lifecycle writes report\.toml only after a successful export\)/,
    ],
    [dir, /not a regular file/],
  ] as const) {
    const r = cli(['results', '--report', path, '--results-dir', join(dir, 'out')]);
    assert.is(r.status, EXIT_CODES.REPORT_UNREADABLE, path);
    assert.match(r.stderr, reason);
    assert.not.ok(existsSync(join(dir, 'out')));
  }
});
behaviour('a FIFO as the report is refused without blocking', () => {
  const dir = tempDir();
  const fifo = join(dir, 'fifo');
  assert.is(spawnSync('mkfifo', [fifo]).status, 0);
  assert.ok(lstatSync(fifo).isFIFO());
  const r = cli(['results', '--report', fifo, '--results-dir', join(dir, 'out')], { timeout: 10_000 });
  assert.is(r.status, EXIT_CODES.REPORT_UNREADABLE);
  assert.match(r.stderr, /not a regular file/);
});
// Needs root to run the CLI as another user; skipped (and counted as skipped) otherwise.
const asRoot = process.getuid?.() === 0 ? behaviour : behaviour.skip;
asRoot('a report the CLI may not read, as a non-root user (needs root)', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['r.io/a:1'], digest: DIGEST }));
  chmodSync(report, 0o600);
  chmodSync(dir, 0o777);
  const r = cli(['results', '--report', report, '--results-dir', join(dir, 'out')], { uid: 65534, gid: 65534 });
  assert.is(r.status, EXIT_CODES.REPORT_UNREADABLE);
  assert.match(r.stderr, /permission denied \(EACCES\)/);
});
behaviour('malformed TOML exits 4 with the position, one line', () => {
  const dir = tempDir();
  const r = cli(['results', '--report', writeReport(dir, '[image]\ntags = ["a",\n'), '--results-dir', join(dir, 'out')]);
  assert.is(r.status, EXIT_CODES.REPORT_INVALID);
  assert.match(r.stderr, /^cnb-report: .*report\.toml: not valid TOML at line \d+, column \d+: .*\n$/);
});
behaviour('every validation problem on its own line, exit 4', () => {
  const dir = tempDir();
  const r = cli([
    'results',
    '--report',
    writeReport(dir, reportToml({ tags: ['a b', 'c;d'], digest: 'sha256:x' })),
    '--results-dir',
    join(dir, 'out'),
  ]);
  assert.is(r.status, EXIT_CODES.REPORT_INVALID);
  assert.is(r.stderr.trimEnd().split('\n').length, 3, r.stderr);
  assert.not.ok(existsSync(join(dir, 'out')));
});
behaviour('a daemon export exits 5 unless --allow-daemon', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['app'], 'image-id': 'a'.repeat(64) }));
  const r = cli(['results', '--report', report, '--results-dir', join(dir, 'out')]);
  assert.is(r.status, EXIT_CODES.NO_DIGEST);
  assert.match(r.stderr, /daemon export/);
  assert.not.ok(existsSync(join(dir, 'out')));
  const ok = cli(['results', '-q', '--allow-daemon', '--report', report, '--results-dir', join(dir, 'out')]);
  assert.is(ok.status, 0, ok.stderr);
  assert.equal(snapshot(join(dir, 'out')), { IMAGE_ID: 'a'.repeat(64) });
});
behaviour('too many repositories for the termination message exits 6, nothing written', () => {
  const dir = tempDir();
  const tags = Array.from({ length: 300 }, (_, i) => `registry.example.com/team/app-${i}:1`);
  const r = cli(['results', '--report', writeReport(dir, reportToml({ tags, digest: DIGEST })), '--results-dir', join(dir, 'out')]);
  assert.is(r.status, EXIT_CODES.RESULTS_TOO_LARGE);
  assert.not.ok(existsSync(join(dir, 'out')));
});
const THIRTY_REPOS = reportToml({
  tags: Array.from({ length: 30 }, (_, i) => `registry.example.com/team/app-${i}:1`),
  digest: DIGEST,
  'manifest-size': 3020,
});
behaviour("30 repositories fit Tekton's 4096 bytes but not the kubelet's 2457 for 5 containers: exit 6, nothing written", () => {
  const dir = tempDir();
  const report = writeReport(dir, THIRTY_REPOS);
  const r = cli(['results', '--report', report, '--results-dir', join(dir, 'out'), '--pod-containers', '5']);
  assert.is(r.status, EXIT_CODES.RESULTS_TOO_LARGE);
  assert.match(r.stderr, /over the 2457-byte cap for a pod of 5 containers: the kubelet keeps 12288 bytes \/ 5 containers/);
  assert.match(r.stderr, /--pod-containers/);
  assert.not.ok(existsSync(join(dir, 'out')));
  assert.is(cli(['results', '-q', '--report', report, '--results-dir', join(dir, 'out')]).status, 0, 'outside a pod: 4096');
  assert.is(
    cli([
      'results',
      '-q',
      '--report',
      report,
      '--results-dir',
      join(dir, 'sidecar'),
      '--pod-containers',
      '5',
      '--results-from',
      'sidecar-logs',
    ]).status,
    0,
    'sidecar logs: per result',
  );
});
behaviour('sidecars count: --extra-containers lowers the cap', () => {
  const dir = tempDir();
  const report = writeReport(
    dir,
    reportToml({ tags: Array.from({ length: 12 }, (_, i) => `registry.example.com/team/app-${i}:1`), digest: DIGEST }),
  );
  assert.is(cli(['results', '-q', '--report', report, '--results-dir', join(dir, 'a'), '--pod-containers', '5']).status, 0);
  const r = cli(['results', '--report', report, '--results-dir', join(dir, 'b'), '--pod-containers', '5', '--extra-containers', '4']);
  assert.is(r.status, EXIT_CODES.RESULTS_TOO_LARGE, r.stderr);
  assert.match(r.stderr, /12288 bytes \/ 9 containers \(5 from --pod-containers, 4 extra \(--extra-containers\)\) = 1365/);
  assert.not.ok(existsSync(join(dir, 'b')));
});
behaviour('results earlier steps left in the results directory count toward the cap', () => {
  const dir = tempDir();
  const report = writeReport(dir, reportToml({ tags: ['registry.example.com/team/app:1'], digest: DIGEST }));
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'out/SBOM'), 's'.repeat(2200));
  const r = cli(['results', '--report', report, '--results-dir', join(dir, 'out'), '--pod-containers', '5']);
  assert.is(r.status, EXIT_CODES.RESULTS_TOO_LARGE, r.stderr);
  assert.match(r.stderr, /earlier steps in the results directory count too: SBOM/);
  assert.equal(readdirSync(join(dir, 'out')), ['SBOM']);
});
behaviour('--pod-containers and --extra-containers take whole numbers: exit 2', () => {
  const dir = tempDir();
  const report = writeReport(dir, THIRTY_REPOS);
  for (const args of [
    ['--pod-containers', '0'],
    ['--pod-containers', 'five'],
    ['--extra-containers', '-1'],
    ['--extra-containers', '1.5'],
    ['--results-from', 'logs'],
  ]) {
    const r = cli(['results', '--report', report, '--results-dir', join(dir, 'out'), ...args]);
    assert.is(r.status, EXIT_CODES.USAGE, `${args.join(' ')}: ${r.stderr}`);
    assert.not.ok(existsSync(join(dir, 'out')));
  }
});
behaviour('--oci-layout without manifest-size: exit 4, no results either', () => {
  const dir = tempDir();
  const r = cli([
    'results',
    '--report',
    writeReport(dir, reportToml({ tags: ['r.io/a'], digest: DIGEST })),
    '--results-dir',
    join(dir, 'out'),
    '--oci-layout',
    join(dir, 'l'),
  ]);
  assert.is(r.status, EXIT_CODES.REPORT_INVALID);
  assert.match(r.stderr, /manifest-size: missing/);
  assert.equal(readdirSync(dir), ['report.toml']);
});
behaviour('usage errors exit 2 with one line naming the bad word', () => {
  for (const [argv, message] of [
    [
      ['results', '--media-type', 'tar'],
      /^cnb-report: --media-type "tar": expected one of oci, docker \(see cnb-report results --help\)\n$/,
    ],
    [['resluts'], /^cnb-report: unknown command "resluts"; did you mean results\?/],
    [['results', '--verify=yes'], /^cnb-report: --verify takes true or false, not "yes"/],
    [['results', '--report'], /^cnb-report: --report needs a value/],
    [['results', '--verify-timeout', '10x'], /^cnb-report: --verify-timeout "10x": expected a duration/],
  ] as const) {
    const r = cli([...argv]);
    assert.is(r.status, EXIT_CODES.USAGE, argv.join(' '));
    assert.match(r.stderr, message);
  }
});
behaviour('stdout that closes early ends the output quietly; a full disk is WRITE_FAILED, one line', () => {
  const report = join(ROOT, 'examples/report.toml');
  const piped = spawnSync('bash', ['-c', `node ${CLI} show --report ${report} | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
    encoding: 'utf8',
  });
  assert.is(piped.stdout.trim(), '0');
  assert.is(piped.stderr, '');
  const full = spawnSync('bash', ['-c', `node ${CLI} show --report ${report} > /dev/full`], { encoding: 'utf8' });
  assert.is(full.status, EXIT_CODES.WRITE_FAILED);
  assert.is(full.stderr, 'cnb-report: cannot write to stdout: no space left on device (ENOSPC)\n');
});
behaviour.run();

const misc = suite('help, version, completion, show');
misc('--help for every command has examples', () => {
  for (const args of [['--help'], ['results', '--help'], ['show', '--help']]) {
    const r = cli(args);
    assert.is(r.status, 0);
    assert.match(r.stdout, args.length === 1 ? /Commands:/ : /Examples:/);
  }
});
misc('--version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.is(cli(['--version']).stdout, `${version}\n`);
});
misc('completion prints a shell script', () => {
  const r = cli(['completion']);
  assert.is(r.status, 0);
  assert.match(r.stdout, /cnb-report/);
  assert.match(r.stdout, /complete -o bashdefault|compdef/);
});
misc('show prints json, toml and env', () => {
  const report = join(REPORTS, 'generated/burntsushi-v1.6.0-registry-three-tags.toml');
  const json = JSON.parse(cli(['show', '--report', report]).stdout);
  assert.equal(json, {
    image: {
      tags: ['registry.example.com/team/app:1.0.0', 'registry.example.com/team/app:1.0', 'registry.example.com/team/app:latest'],
      digest: DIGEST,
      'manifest-size': 3020,
    },
  });
  // toml output is the lifecycle ≥ 0.17 layout, byte for byte.
  assert.is(cli(['show', '--report', report, '-o', 'toml']).stdout, readFileSync(report, 'utf8'));
  assert.is(
    cli(['show', '--report', report, '-o', 'env']).stdout,
    `IMAGE_URL=registry.example.com/team/app:1.0.0\nIMAGE_DIGEST=${DIGEST}\nIMAGES=\nMANIFEST_SIZE=3020\nIMAGE_TAGS=registry.example.com/team/app:1.0.0,registry.example.com/team/app:1.0,registry.example.com/team/app:latest\n`,
  );
});
misc('show -o env is safe to eval in a shell', () => {
  const report = join(REPORTS, 'kpack-notary-report-multiple-gun.toml');
  const env = cli(['show', '--report', report, '-o', 'env']).stdout;
  const r = spawnSync('sh', ['-c', `eval "$(cat)"; printf '%s|%s' "$IMAGE_URL" "$IMAGES"`], { input: env, encoding: 'utf8' });
  assert.is(
    r.stdout,
    `example-registry.io/test:latest|some-other-registry.io/test@sha256:a15790640a6690aa1730c38cf0a440e2aa44aaca9b0e8931a9f2b0d7cc90fd65`,
  );
});
misc('show on a daemon report works; on an invalid one exits 4', () => {
  assert.is(cli(['show', '--report', join(REPORTS, 'generated/burntsushi-v1.6.0-daemon-no-manifest-size.toml'), '-o', 'env']).status, 0);
  assert.is(cli(['show', '--report', join(REPORTS, 'sap-jenkins-library-report_test.toml')]).status, EXIT_CODES.REPORT_INVALID);
});
misc('the bin entry is a JavaScript file node runs, with a shebang', () => {
  assert.match(readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});
misc.run();
