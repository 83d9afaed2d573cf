// What a step sees of its pod, read from a /tekton laid out as Tekton's init containers lay it out.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectPod, earlierResults } from '../../../src/edge/tektonpod.ts';
import { tempDir } from '../../support/helpers.ts';

/** /tekton/steps as `prepare` makes it: step-NAME and N, both linked to /tekton/run/N/status. */
function tekton(steps: string[], scripts?: string[]): string {
  const root = tempDir();
  mkdirSync(join(root, 'steps'));
  steps.forEach((name, i) => {
    mkdirSync(join(root, 'run', String(i), 'status'), { recursive: true });
    symlinkSync(join(root, 'run', String(i), 'status'), join(root, 'steps', `step-${name}`));
    symlinkSync(join(root, 'run', String(i), 'status'), join(root, 'steps', String(i)));
  });
  if (scripts) {
    mkdirSync(join(root, 'scripts'));
    for (const s of scripts) writeFileSync(join(root, 'scripts', s), '#!/bin/sh\n');
  }
  return root;
}

const detect = suite('detectPod');
detect('counts steps by link target, not links', () => {
  assert.equal(detectPod(tekton(['prepare', 'create', 'report'])), { steps: 3 });
});
detect('scripts seen, or seen empty', () => {
  assert.equal(detectPod(tekton(['a', 'b'], ['script-0-abcde'])), { steps: 2, scripts: true });
  assert.equal(detectPod(tekton(['a'], [])), { steps: 1, scripts: false });
});
detect('no /tekton/steps: not a Tekton pod', () => {
  assert.equal(detectPod(join(tempDir(), 'missing')), {});
});
detect.run();

const earlier = suite('earlierResults');
earlier('result files left by earlier steps, except ours; links and bad names skipped; large files capped', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'APP_IMAGE_URL'), 'r.io/app');
  writeFileSync(join(dir, 'IMAGE_URL'), 'ours, rewritten');
  writeFileSync(join(dir, 'BIG'), 'x'.repeat(100_000));
  writeFileSync(join(dir, '.hidden'), 'not a result name');
  symlinkSync('/etc/passwd', join(dir, 'LINK'));
  mkdirSync(join(dir, 'DIR'));
  const found = earlierResults(dir, ['IMAGE_URL']);
  assert.equal(
    found.map((e) => [e.key, e.value.length, e.type]),
    [
      ['APP_IMAGE_URL', 8, 1],
      ['BIG', 4097, 1],
    ],
  );
  assert.equal(earlierResults(join(dir, 'missing'), []), []);
});
earlier.run();
