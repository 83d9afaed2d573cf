// TOML documents, decoded strictly (UTF-8, no BOM tricks) and parsed with @iarna/toml, the
// authority for what is TOML. The error names the file, line and column, and carries the code
// of the document being read (a bad report.toml and a bad analyzed.toml exit differently).

import TOMLParser from '@iarna/toml/lib/toml-parser.js';
import prettyError from '@iarna/toml/parse-pretty-error.js';
import { CnbReportError, type ErrorCode } from './errors.ts';
import { TomlFloat } from './toml-float.ts';

// @iarna/toml marks its boxed floats with a private symbol ("type" → Symbol("float")) until it
// unboxes them on assignment; the two assignment steps are where this parser keeps the box.
function boxFloat(kv: { key: string[]; value: unknown }): { key: string[]; value: unknown } {
  const v = kv.value as Record<symbol, unknown> | null;
  if (typeof v !== 'object' || v === null) return kv;
  const type = Object.getOwnPropertySymbols(v).find((s) => s.description === 'type');
  if (type !== undefined && (v[type] as symbol | undefined)?.description === 'float') kv.value = new TomlFloat(Number(v.valueOf()));
  return kv;
}

class Parser extends TOMLParser {
  override recordAssignStatement(kv: { key: string[]; value: unknown }): unknown {
    return super.recordAssignStatement(boxFloat(kv));
  }
  override recordInlineTableValue(kv: { key: string[]; value: unknown }): unknown {
    return super.recordInlineTableValue(boxFloat(kv));
  }
}

/** parse-string.js, with floats kept apart. */
function parseTomlString(text: string): Record<string, unknown> {
  const parser = new Parser();
  try {
    parser.parse(text);
    return parser.finish();
  } catch (err) {
    throw prettyError(err, text);
  }
}

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
    const reason = String(e.message ?? cause)
      .split('\n')[0]!
      .replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    throw new CnbReportError(code, `${file}: not valid TOML${where}: ${reason}`, { cause });
  }
}
