// Reading input files. A report is small; anything that is not a regular file or is absurdly
// large is refused before it is read, so `--report /dev/zero` cannot exhaust memory. Each kind
// of input says which error it raises, so a failure carries its code from where it happens.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { CnbReportError, isCnbReportError, systemReason, type ErrorCode } from '../core/errors.ts';
import { validateAnalyzed, type RunImage } from '../core/analyzed.ts';
import { readLifecycleToml } from '../core/lifecycle-toml.ts';
import { validateReport, type Report } from '../core/report.ts';

export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export interface InputKind {
  /** What it is, for messages: "report", "analyzed.toml". */
  readonly what: string;
  /** Raised when it is missing, unreadable or not a regular file. */
  readonly unreadable: ErrorCode;
  /** Raised when it is too large or not what it should be. */
  readonly invalid: ErrorCode;
  /** Appended to the "cannot read" message. */
  readonly hint?: string;
}

export const REPORT: InputKind = {
  what: 'report',
  unreadable: 'REPORT_UNREADABLE',
  invalid: 'REPORT_INVALID',
  hint: ' (the lifecycle writes report.toml only after a successful export)',
};
export const ANALYZED: InputKind = { what: 'analyzed.toml', unreadable: 'ANALYZED_INVALID', invalid: 'ANALYZED_INVALID' };

/** Read a whole input file, or throw the kind's error. */
export function readInput(path: string, kind: InputKind): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw new CnbReportError(kind.unreadable, `cannot read ${kind.what} ${path}: ${systemReason(cause)}${kind.hint ?? ''}`, { cause });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new CnbReportError(kind.unreadable, `cannot read ${kind.what} ${path}: not a regular file`);
    if (stat.size > MAX_INPUT_BYTES) {
      throw new CnbReportError(kind.invalid, `${path}: ${stat.size} bytes is too large for a ${kind.what} (limit ${MAX_INPUT_BYTES})`);
    }
    const buffer = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, null);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } catch (cause) {
    if (isCnbReportError(cause)) throw cause;
    throw new CnbReportError(kind.unreadable, `cannot read ${kind.what} ${path}: ${systemReason(cause)}`, { cause });
  } finally {
    closeSync(fd);
  }
}

/** A TOML file as a document: the lifecycle's plain TOML directly, anything else by @iarna/toml (loaded only then). */
export async function readToml(path: string, kind: InputKind): Promise<Record<string, unknown>> {
  const bytes = readInput(path, kind);
  return readLifecycleToml(bytes) ?? (await import('../core/toml.ts')).parseToml(bytes, path, kind.invalid);
}

/** Read and validate report.toml; a missing one means the export failed. */
export async function loadReport(path: string): Promise<Report> {
  return validateReport(await readToml(path, REPORT), path);
}

/**
 * The run image from analyzed.toml. A path the user named must be there and valid; the default
 * one (beside the report, where the lifecycle writes it) is used when present, and only warned
 * about when it is malformed.
 */
export async function loadRunImage(
  analyzed: { readonly path: string; readonly named: boolean },
  warn: (line: string) => void,
): Promise<RunImage | undefined> {
  try {
    return validateAnalyzed(await readToml(analyzed.path, ANALYZED), analyzed.path);
  } catch (err) {
    if (analyzed.named) throw err;
    const e = err as CnbReportError;
    // Absent is the normal case for a default path; anything else deserves a word.
    if ((e.cause as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') {
      warn(`cnb-report: warning: ignoring ${analyzed.path}: ${e.details?.[0] ?? e.message}`);
    }
    return undefined;
  }
}
