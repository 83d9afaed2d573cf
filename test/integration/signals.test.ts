// SIGTERM and SIGINT at random moments of a `results` run, many times: every run leaves the
// whole new result set, or the previous one (or nothing) untouched — never a mix, never temp
// files, never a lock. A test-only pause at each write step (CNB_REPORT_TEST_WRITE_PAUSE_MS)
// widens the write phase, and half the signals are aimed at it (sent when the run announces
// it), so many land inside; the rest land anywhere in the first 60 ms, which a run's start-up
// (about 40 ms) spans.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, DIGEST, reportToml, tempDir } from '../support/helpers.ts';

const OLD = `sha256:${'0'.repeat(64)}`;
const RUNS = 300;

function files(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((n) => [n, statSync(join(dir, n)).isDirectory() ? '(dir)' : readFileSync(join(dir, n), 'utf8')]),
  );
}

const set = (digest: string, tag: string) => ({ IMAGES: `r.io/b@${digest}`, IMAGE_DIGEST: digest, IMAGE_URL: tag });

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  inWrite: boolean;
}

function run(dir: string, signal: NodeJS.Signals, aimed: boolean, delay: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'results',
        '-q',
        '--report',
        join(dir, 'report.toml'),
        '--results-dir',
        join(dir, 'results'),
        '--oci-layout',
        join(dir, 'layout'),
      ],
      {
        env: { PATH: process.env.PATH, CNB_REPORT_TEST_WRITE_PAUSE_MS: '2' },
      },
    );
    let stderr = '';
    let sent = false;
    const send = () => {
      if (!sent) child.kill(signal);
      sent = true;
    };
    child.stderr.on('data', (d) => {
      stderr += d;
      if (aimed && stderr.includes('test: write phase')) setTimeout(send, delay);
    });
    if (!aimed) setTimeout(send, delay);
    child.on('close', (status, sig) => resolve({ status, signal: sig, stderr, inWrite: /arrived while writing/.test(stderr) }));
  });
}

const s = suite('signals during the write phase');
s(`${RUNS} runs, SIGTERM or SIGINT at random moments: the result set is whole or untouched`, async () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const counts = { deferred: 0, before: 0, completed: 0, untouched: 0 };
  const jobs = Array.from({ length: RUNS }, (_, i) => i);
  const worker = async () => {
    for (let i = jobs.shift(); i !== undefined; i = jobs.shift()) {
      const dir = tempDir();
      writeFileSync(join(dir, 'report.toml'), reportToml({ tags: ['r.io/a:2', 'r.io/b:2'], digest: DIGEST, 'manifest-size': 3020 }));
      const previous = Math.floor(i / 2) % 2 === 0;
      if (previous) {
        mkdirSync(join(dir, 'results'));
        for (const [name, value] of Object.entries(set(OLD, 'r.io/a:1'))) writeFileSync(join(dir, 'results', name), value);
      }
      const aimed = i % 2 === 1;
      const o = await run(dir, i % 3 === 0 ? 'SIGINT' : 'SIGTERM', aimed, aimed ? random() * 25 : random() * 60);
      const context = `run ${i} (${aimed ? 'aimed' : 'random'}): exit ${o.status ?? o.signal}: ${o.stderr}`;
      const results = files(join(dir, 'results'));
      const layout = files(join(dir, 'layout'));
      const fresh = set(DIGEST, 'r.io/a:2');
      if (JSON.stringify(results) === JSON.stringify(fresh)) {
        assert.equal(Object.keys(layout), ['blobs', 'index.json', 'oci-layout'], context);
        assert.match(layout['index.json']!, DIGEST.slice(7), context);
        if (o.inWrite) counts.deferred++;
        else counts.completed++;
        // A deferred signal still ends the process by that signal, as the parent expects.
        if (o.inWrite) assert.ok(o.signal === 'SIGTERM' || o.signal === 'SIGINT', context);
      } else {
        assert.equal(results, previous ? set(OLD, 'r.io/a:1') : {}, `a mixed or partial set: ${JSON.stringify(results)} ${context}`);
        assert.not.ok(existsSync(join(dir, 'layout')), context);
        assert.not.ok(o.inWrite, context);
        if (previous) counts.untouched++;
        else counts.before++;
      }
      const leftovers = readdirSync(dir)
        .concat(existsSync(join(dir, 'results')) ? readdirSync(join(dir, 'results')) : [])
        .filter((n) => /\.(tmp|old|lock)$/.test(n));
      assert.equal(leftovers, [], context);
    }
  };
  await Promise.all([worker(), worker()]);
  console.log(`  signals: ${JSON.stringify(counts)}`);
  // The test proves something only if signals landed inside the write phase, and elsewhere.
  assert.ok(counts.deferred >= 30, JSON.stringify(counts));
  assert.ok(counts.before + counts.untouched >= 30, JSON.stringify(counts));
});
s.run();
