// Reading input files. A report is small; anything that is not a regular file or is absurdly
// large is refused before it is read, so `--report /dev/zero` cannot exhaust memory.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CnbReportError, isCnbReportError, systemReason } from '../core/errors.ts';
import { parseAnalyzed, type RunImage } from '../core/analyzed.ts';
import { parseReport, type Report } from '../core/report.ts';

export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Read a whole input file. Throws REPORT_UNREADABLE (missing, unreadable) or REPORT_INVALID (too large). */
export function readInput(path: string, what = 'report', hint = ''): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw new CnbReportError('REPORT_UNREADABLE', `cannot read ${what} ${path}: ${systemReason(cause)}${hint}`, { cause });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new CnbReportError('REPORT_UNREADABLE', `cannot read ${what} ${path}: not a regular file`);
    if (stat.size > MAX_INPUT_BYTES) {
      throw new CnbReportError('REPORT_INVALID', `${path}: ${stat.size} bytes is too large for a ${what} (limit ${MAX_INPUT_BYTES})`);
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
    throw new CnbReportError('REPORT_UNREADABLE', `cannot read ${what} ${path}: ${systemReason(cause)}`, { cause });
  } finally {
    closeSync(fd);
  }
}

/** Read and validate report.toml; a missing one means the export failed. */
export function loadReport(path: string): Report {
  return parseReport(readInput(path, 'report', ' (the lifecycle writes report.toml only after a successful export)'), path);
}

/**
 * The run image from analyzed.toml. A path the user named must be there and valid; the default
 * one (beside the report, where the lifecycle writes it) is used when present, and only warned
 * about when it is malformed.
 */
export function loadRunImage(reportPath: string, analyzedPath: string | undefined, warn: (line: string) => void): RunImage | undefined {
  const named = analyzedPath !== undefined;
  const path = analyzedPath ?? join(dirname(reportPath), 'analyzed.toml');
  let bytes: Buffer;
  try {
    bytes = readInput(path, 'analyzed.toml');
  } catch (err) {
    if (named) throw new CnbReportError('ANALYZED_INVALID', (err as Error).message, { cause: err });
    return undefined;
  }
  try {
    return parseAnalyzed(bytes, path);
  } catch (err) {
    if (named) throw err;
    warn(`cnb-report: warning: ignoring ${path}: ${(err as CnbReportError).details?.[0] ?? (err as Error).message}`);
    return undefined;
  }
}
