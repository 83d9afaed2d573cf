import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDuration } from '../../../src/core/duration.ts';

const d = suite('parseDuration');
for (const [text, ms] of [
  ['500ms', 500],
  ['90s', 90_000],
  ['10m', 600_000],
  ['1h30m', 5_400_000],
  ['1.5s', 1500],
  ['2h0m5s', 7_205_000],
] as const) {
  d(text, () => assert.is(parseDuration(text), ms));
}
for (const bad of ['', '10', 'm', '-1s', '1d', '1h 30m', '1s;']) {
  d(`rejects ${JSON.stringify(bad)}`, () =>
    assert.throws(
      () => parseDuration(bad),
      (e: { code: string }) => e.code === 'USAGE',
    ),
  );
}
d.run();

const long = suite('parseDuration: long values');
long('up to a year is accepted (timers beyond 24.8 days are taken in steps by the callers)', () => {
  assert.is(parseDuration('600h'), 600 * 3_600_000);
  assert.is(parseDuration('8784h'), 8784 * 3_600_000);
});
long('beyond a year, or Infinity, is a usage error naming the option', () => {
  assert.throws(
    () => parseDuration('8785h'),
    (e: { code: string; message: string }) => e.code === 'USAGE' && e.message === '--timeout "8785h": longer than a year (8784h)',
  );
  assert.throws(
    () => parseDuration(`1${'0'.repeat(400)}h`, '--verify-timeout'),
    (e: { code: string; message: string }) => e.code === 'USAGE' && e.message.startsWith('--verify-timeout "1000'),
  );
});
long.run();
