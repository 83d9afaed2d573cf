// TOML documents, decoded strictly (UTF-8, no BOM tricks) and parsed with @iarna/toml, the
// authority for what is TOML. The error names the file, line and column, and carries the code
// of the document being read (a bad report.toml and a bad analyzed.toml exit differently).

import parseTomlString from '@iarna/toml/parse-string.js';
import { CnbReportError, type ErrorCode } from './errors.ts';

export function parseToml(bytes: Uint8Array, file: string, code: ErrorCode = 'REPORT_INVALID'): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new CnbReportError(code, `${file}: not valid UTF-8`, { cause });
  }
  try {
    return parseTomlString(text);
  } catch (cause) {
    // @iarna/toml's parser is a state machine, but a future version (or a value walked after
    // it) may recurse: a stack overflow from a hostile document is a bad document, not a bug.
    if (cause instanceof RangeError) throw new CnbReportError(code, `${file}: not valid TOML: nested too deeply`, { cause });
    const e = cause as { message?: string; line?: number; col?: number };
    const where = e.line === undefined ? '' : ` at line ${e.line + 1}, column ${(e.col ?? 0) + 1}`;
    const reason = String(e.message ?? cause).split('\n')[0]!.replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    throw new CnbReportError(code, `${file}: not valid TOML${where}: ${reason}`, { cause });
  }
}
