import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDuration } from '../../../src/core/duration.ts';

const d = suite('parseDuration');
for (const [text, ms] of [['500ms', 500], ['90s', 90_000], ['10m', 600_000], ['1h30m', 5_400_000], ['1.5s', 1500], ['2h0m5s', 7_205_000]] as const) {
  d(text, () => assert.is(parseDuration(text), ms));
}
for (const bad of ['', '10', 'm', '-1s', '1d', '1h 30m', '1s;']) {
  d(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseDuration(bad), (e: { code: string }) => e.code === 'USAGE'));
}
d.run();
