import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CnbReportError, describe, EXIT_CODES, exitCodeOf, preview, printable, quote } from '../../../src/core/errors.ts';
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

const deep = suite('quote: hostile nesting');
deep('thousands of nested arrays or tables: a short preview, no stack overflow', () => {
  let array: unknown = [];
  let table: unknown = 1;
  for (let i = 0; i < 100_000; i++) {
    array = [array];
    table = { a: table };
  }
  assert.is(quote(array), '"[[[[[[[[[...]]]]]]]]]"');
  assert.is(quote(table), '"{\\"a\\":{\\"a\\":{\\"a\\":{\\"a\\":{\\"a\\":{\\"a\\":{\\"a\\":{\\"a\\":{...}}}}}}}}}"');
});
deep('a wide value is not walked whole: the preview stops at the budget', () => {
  const wide = Array.from({ length: 1_000_000 }, (_, i) => ({ name: `dependency-${i}` }));
  const text = preview(wide, 81);
  assert.ok(text.length < 200, text);
  assert.match(text, /^\[\{"name":"dependency-0"\},.*,\.\.\.\]$/);
  assert.ok(quote(wide).endsWith('"...') && quote(wide).length < 120, quote(wide));
  assert.is(preview(new Date('2026-01-02T03:04:05Z'), 80), '"2026-01-02T03:04:05.000Z"');
  assert.is(preview(2n ** 70n, 80), '1180591620717411303424');
});
deep.run();

const lines = suite('describe: printable lines');
lines('escape sequences, CR/LF and bidi controls from servers are escaped', () => {
  const err = new CnbReportError('CLUSTER_ERROR', 'HTTP 500: \u001b[2Jgone\r\ncnb-report: forged line\u202e');
  assert.equal(describe(err), ['HTTP 500: \\u001b[2Jgone\\u000d\\u000acnb-report: forged line\\u202e']);
});
lines('bearer tokens, Basic credentials and user:password in URLs are redacted', () => {
  assert.is(printable('server said: invalid Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'), 'server said: invalid Bearer [redacted]');
  assert.is(printable(`Authorization: Basic ${Buffer.from('user:secret').toString('base64')}`), 'Authorization: Basic [redacted]');
  assert.is(
    printable('cannot reach the API server at https://admin:hunter2@10.0.0.1:6443: ECONNREFUSED'),
    'cannot reach the API server at https://[redacted]@10.0.0.1:6443: ECONNREFUSED',
  );
  // our own words stay
  assert.is(printable('a Bearer challenge without a realm; Basic realm="r"'), 'a Bearer challenge without a realm; Basic realm="r"');
});
lines('a --debug stack keeps its line breaks', () => {
  const lines = describe(new TypeError('boom'), true);
  assert.match(lines[0]!, /TypeError: boom\n\s+at /);
});
lines.run();
