// Every failure cnb-report knows about is a CnbReportError with a code. The code, not the
// message, decides the exit status: this table is the one place where that mapping lives,
// and the README's exit-code table is checked against it by test/errors.test.ts.

export const EXIT_CODES = {
  INTERNAL: 1,
  USAGE: 2,
  REPORT_UNREADABLE: 3,
  REPORT_INVALID: 4,
  NO_DIGEST: 5,
  RESULTS_TOO_LARGE: 6,
  WRITE_FAILED: 7,
  CONFIG_INVALID: 8,
  REGISTRY_UNREACHABLE: 10,
  REGISTRY_DENIED: 11,
  MANIFEST_UNKNOWN: 12,
  REGISTRY_ERROR: 13,
  REGISTRY_MISMATCH: 14,
  ANALYZED_INVALID: 15,
  TASKRUN_FAILED: 20,
  TIMEOUT: 21,
  NOT_FOUND: 22,
  FORBIDDEN: 23,
  NO_RESULT: 24,
  CLUSTER_ERROR: 25,
  SIGNING_FAILED: 26,
  INDEX_NO_DIGEST: 30,
  INDEX_CHILD_IS_INDEX: 31,
  INDEX_NO_PLATFORM: 32,
  INDEX_DUPLICATE_PLATFORM: 33,
  INDEX_WRONG_REPOSITORY: 34,
  PUSH_FAILED: 35,
} as const;

export type ErrorCode = keyof typeof EXIT_CODES;

export class CnbReportError extends Error {
  override readonly name = 'CnbReportError';
  /** Extra lines (one problem each) printed after the message. */
  readonly details: readonly string[];

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: readonly string[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.details = options.details ?? [];
  }
}

/** By name and code, not instanceof: a lazily imported chunk may hold its own copy of this class. */
export function isCnbReportError(err: unknown): err is CnbReportError {
  const e = err as CnbReportError | null;
  return typeof e === 'object' && e !== null && e.name === 'CnbReportError' && Object.hasOwn(EXIT_CODES, e.code);
}

export function exitCodeOf(err: unknown): number {
  return isCnbReportError(err) ? EXIT_CODES[err.code] : EXIT_CODES.INTERNAL;
}

/** The lines to print on stderr for an error: one per problem, never a stack unless asked. */
export function describe(err: unknown, debug = false): string[] {
  return rawLines(err, debug).map(printable);
}

function rawLines(err: unknown, debug: boolean): string[] {
  if (isCnbReportError(err)) {
    const lines = err.details.length ? [...err.details] : [err.message];
    if (debug && err.cause instanceof Error && err.cause.stack) lines.push(err.cause.stack);
    return lines;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return debug && e.stack ? [e.stack] : [`internal error: ${e.message} (run with --debug for a stack trace)`];
}

// Control characters (but a --debug stack's line breaks) and bidi overrides: exactly what
// printable() must find.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\n(?!\s+at )/g;

/**
 * A message line as it may reach a terminal or a CI log: text from servers and files can hold
 * escape sequences, CR/LF that forge lines, and secrets (a bearer token or Basic credentials
 * echoed back, user:password in a URL). Controls are escaped (a --debug stack keeps its line
 * breaks) and those secrets replaced.
 */
export function printable(line: string): string {
  return line
    .replace(/\b(Bearer|Basic)\s+(?=[A-Za-z0-9._~+/=-]*[0-9._~+/=-])[A-Za-z0-9._~+/-]{4,}=*(?![="'A-Za-z0-9])/gi, '$1 [redacted]')
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"']*:[^\s/@"']*@/gi, '$1[redacted]@')
    .replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Node's system errors carry a code such as ENOENT; this keeps messages short and stable. */
export function systemReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
    ELOOP: 'is a symbolic link',
    ENOSPC: 'no space left on device',
    EEXIST: 'already exists',
    EPIPE: 'the reader closed the pipe',
  };
  if (e && typeof e.code === 'string') return `${reasons[e.code] ?? e.message} (${e.code})`;
  return e instanceof Error ? e.message : String(err);
}

/** Quote a value from untrusted input for an error line: JSON-escaped, ASCII only, cut if long. */
export function quote(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : preview(value, max + 1);
  const chars = [...text];
  const cut = chars.length > max ? chars.slice(0, max).join('') : text;
  const quoted = JSON.stringify(cut).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (cut === text) return quoted;
  return typeof value === 'string' ? `${quoted}... (${chars.length} characters)` : `${quoted}...`;
}

// How deep a preview descends into nested arrays and tables: a value from a hostile file may
// nest thousands of levels, and quoting it must neither walk it whole nor recurse that deep.
const PREVIEW_DEPTH = 8;

/**
 * JSON-like text of a parsed value, at most about `budget` characters: it stops descending
 * at PREVIEW_DEPTH and stops listing once the budget is spent, so its cost is bounded by the
 * budget, not by the value.
 */
export function preview(value: unknown, budget: number, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(value.length > budget ? value.slice(0, budget) : value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : JSON.stringify(value.toISOString());
  if (value === null || typeof value !== 'object') return String(value);
  // A boxed scalar (a TOML float) stands for its JSON.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function' && !Array.isArray(value))
    return preview((value as { toJSON: () => unknown }).toJSON(), budget, depth + 1);
  if (depth >= PREVIEW_DEPTH) return Array.isArray(value) ? '[...]' : '{...}';
  const parts: string[] = [];
  let used = 2;
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value as object).values();
  for (const [key, item] of entries as Iterable<[unknown, unknown]>) {
    if (used > budget) {
      parts.push('...');
      break;
    }
    const text = (Array.isArray(value) ? '' : `${JSON.stringify(String(key))}:`) + preview(item, budget - used, depth + 1);
    parts.push(text);
    used += text.length + 1;
  }
  return Array.isArray(value) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
}
