import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CnbReportError, describe, EXIT_CODES, exitCodeOf, quote } from '../../../src/core/errors.ts';
import { ROOT } from '../../support/helpers.ts';

const codes = suite('exit codes');
codes('the README documents exactly the codes in src/errors.ts', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| (\d+) \| `([A-Z_]+)` \|/gm)].map((m) => [m[2], Number(m[1])]);
  assert.equal(Object.fromEntries(rows), { ...EXIT_CODES, OK: 0 });
});
codes('codes are distinct', () => {
  const values = Object.values(EXIT_CODES);
  assert.is(new Set(values).size, values.length);
});
codes('unknown errors are internal (1) and say how to get a stack', () => {
  assert.is(exitCodeOf(new TypeError('boom')), 1);
  assert.equal(describe(new TypeError('boom')), ['internal error: boom (run with --debug for a stack trace)']);
  assert.match(describe(new TypeError('boom'), true)[0]!, /TypeError: boom\n\s+at /);
});
codes('a CnbReportError prints its details, one per line', () => {
  const err = new CnbReportError('REPORT_INVALID', 'summary', { details: ['a', 'b'] });
  assert.is(exitCodeOf(err), 4);
  assert.equal(describe(err), ['a', 'b']);
});
codes.run();

const quoting = suite('quote');
quoting('JSON-escaped, ASCII only, cut with the full length named', () => {
  assert.is(quote('a"b'), '"a\\"b"');
  assert.is(quote('\u001b[2J\u202e'), '"\\u001b[2J\\u202e"');
  assert.is(quote('x'.repeat(100), 10), '"xxxxxxxxxx"... (100 characters)');
  assert.is(quote(5), '"5"');
  assert.is(quote(['a']), '"[\\"a\\"]"');
});
quoting.run();
