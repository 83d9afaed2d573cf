// Durations as kubectl and Go write them: "90s", "10m", "1h30m", "500ms".

import { CnbReportError, quote } from './errors.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;

/** Milliseconds in a duration; throws USAGE, naming the option, on anything else. */
export function parseDuration(text: string, option = '--timeout'): number {
  if (!DURATION.test(text)) throw new CnbReportError('USAGE', `${option} ${quote(text)}: expected a duration such as 90s, 10m or 1h30m`);
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(n) * UNITS[unit!]!;
  return total;
}
