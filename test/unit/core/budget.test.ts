// The cap on a step's termination message: Tekton's 4096 bytes, the kubelet's 12288 / containers,
// or max-result-size per result with sidecar logs; and the message the entrypoint writes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  checkMessage,
  messageBudget,
  renderMessage,
  stepMessage,
  type Budget,
  type MessageEntry,
  type PodOptions,
} from '../../../src/core/budget.ts';
import type { CnbReportError } from '../../../src/core/errors.ts';

const DEFAULTS: PodOptions = { extraContainers: 0, resultsFrom: 'termination-message' };

const budget = suite('messageBudget: the cap for this pod');
// [what the step sees, flags, expected limit, expected containers]
const CASES: [string, Parameters<typeof messageBudget>[0], Partial<PodOptions>, number, number | undefined][] = [
  ["not in a Tekton pod: today's 4096 rule", {}, {}, 4096, undefined],
  ['the buildpacks Task from its report step: 3 steps, prepare, place-scripts assumed', { steps: 3 }, {}, 2457, 5],
  ['a step that sees /tekton/scripts filled', { steps: 3, scripts: true }, {}, 2457, 5],
  ['a step that sees /tekton/scripts empty: no place-scripts', { steps: 2, scripts: false }, {}, 4096, 3],
  ["one step, no scripts: 12288/2 is over 4096, Tekton's limit wins", { steps: 1, scripts: false }, {}, 4096, 2],
  ['a sidecar and a mesh proxy with its init container', { steps: 3 }, { extraContainers: 3 }, 1536, 8],
  ['--pod-containers overrides what is seen', { steps: 3 }, { podContainers: 4 }, 3072, 4],
  ['--pod-containers outside a pod', {}, { podContainers: 6, extraContainers: 1 }, 1755, 7],
  ['many containers: integer division as the kubelet does', { steps: 10 }, {}, 1024, 12],
];
for (const [name, shape, flags, limit, containers] of CASES) {
  budget(name, () => {
    const b = messageBudget(shape, { ...DEFAULTS, ...flags });
    assert.is(b.scope, 'message');
    assert.is(b.limit, limit);
    assert.is(b.containers, containers);
  });
}
budget('sidecar logs: each result against max-result-size, whatever the pod', () => {
  const b = messageBudget({ steps: 20 }, { ...DEFAULTS, resultsFrom: 'sidecar-logs' });
  assert.equal([b.scope, b.limit], ['per-result', 4096]);
});
budget('the explanation names the containers counted', () => {
  assert.match(
    messageBudget({ steps: 3 }, DEFAULTS).why,
    /12288 bytes \/ 5 containers \(3 steps in \/tekton\/steps, prepare, place-scripts assumed: \/tekton\/scripts is not mounted here\) = 2457/,
  );
});
budget.run();

const message = suite('the message the entrypoint writes');
message('task results, then step results, then StartedAt, as Go encodes them', () => {
  const text = renderMessage(stepMessage([{ key: 'A', value: 'a<b>&', type: 1 }], [{ key: 'S', value: 'x', type: 4 }]));
  assert.is(
    text,
    '[{"key":"A","value":"a\\u003cb\\u003e\\u0026","type":1},{"key":"S","value":"x","type":4},{"key":"StartedAt","value":"2006-01-02T15:04:05.000+00:00","type":3}]',
  );
});
message('the cap is exact: a message of exactly the limit passes, one byte more fails, naming cap and containers', () => {
  const b: Budget = messageBudget({ steps: 3 }, DEFAULTS);
  const empty = Buffer.byteLength(renderMessage(stepMessage([{ key: 'IMAGES', value: '', type: 1 }], [])));
  const fill = (n: number): MessageEntry[] => stepMessage([{ key: 'IMAGES', value: 'x'.repeat(n), type: 1 }], []);
  checkMessage(fill(b.limit - empty), b);
  try {
    checkMessage(fill(b.limit - empty + 1), b);
    assert.unreachable();
  } catch (err) {
    assert.is((err as CnbReportError).code, 'RESULTS_TOO_LARGE');
    assert.match((err as Error).message, /results need a 2458-byte termination message, over the 2457-byte cap for a pod of 5 containers/);
    assert.match((err as Error).message, /--pod-containers \/ --extra-containers/);
  }
});
message('per-result: one result over max-result-size fails, StartedAt never counts', () => {
  const b = messageBudget({}, { ...DEFAULTS, resultsFrom: 'sidecar-logs' });
  checkMessage(
    [
      { key: 'A', value: 'x'.repeat(4096), type: 1 },
      { key: 'B', value: 'y'.repeat(4096), type: 4 },
    ],
    b,
  );
  assert.throws(
    () => checkMessage([{ key: 'A', value: 'x'.repeat(4097), type: 1 }], b),
    (e: CnbReportError) => e.code === 'RESULTS_TOO_LARGE' && /result A is 4097 bytes/.test(e.message),
  );
});
message.run();
