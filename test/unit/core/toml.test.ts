import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseToml } from '../../../src/core/toml.ts';

const rejects = (bytes: Uint8Array, code: string, message: RegExp) =>
  assert.throws(
    () => parseToml(bytes, 'x.toml', code as never),
    (e: { code: string; message: string }) => e.code === code && message.test(e.message),
  );

const t = suite('parseToml');
t('parses TOML with @iarna/toml', () => {
  assert.equal(JSON.parse(JSON.stringify(parseToml(Buffer.from('[image]\ntags = ["a"] # c\n'), 'x.toml'))), { image: { tags: ['a'] } });
});
t('not UTF-8: the kind of document decides the code', () => {
  rejects(Buffer.from([0x5b, 0xff, 0x5d]), 'REPORT_INVALID', /^x\.toml: not valid UTF-8$/);
  rejects(Buffer.from([0xc3]), 'ANALYZED_INVALID', /^x\.toml: not valid UTF-8$/);
});
t('a syntax error names the line and column, one line', () => {
  rejects(Buffer.from('[image]\n  tags = [\n'), 'REPORT_INVALID', /^x\.toml: not valid TOML at line \d+, column \d+: [^\n]+$/);
  rejects(Buffer.from('a = 1\na = 2\n'), 'ANALYZED_INVALID', /^x\.toml: not valid TOML at line 2, column \d+: /);
});
t.run();
