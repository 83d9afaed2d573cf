// Durations as kubectl and Go write them: "90s", "10m", "1h30m", "500ms".

import { CnbReportError, quote } from './errors.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
/** Node's timers fire at once beyond 2^31-1 ms (~24.8 days): longer waits are taken in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** No wait needs more than a year; beyond it a value is a typo (or 1e400h, which is Infinity). */
export const MAX_DURATION_MS = 366 * 24 * 3_600_000;

/** Milliseconds in a duration; throws USAGE, naming the option, on anything else. */
export function parseDuration(text: string, option = '--timeout'): number {
  if (!DURATION.test(text)) throw new CnbReportError('USAGE', `${option} ${quote(text)}: expected a duration such as 90s, 10m or 1h30m`);
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(n) * UNITS[unit!]!;
  if (!(total <= MAX_DURATION_MS)) throw new CnbReportError('USAGE', `${option} ${quote(text, 40)}: longer than a year (8784h)`);
  return total;
}
