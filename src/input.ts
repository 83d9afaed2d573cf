// Reading input files. A report is small; anything that is not a regular file or is absurdly
// large is refused before it is read, so `--report /dev/zero` cannot exhaust memory.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { CnbReportError, isCnbReportError, systemReason } from './errors.ts';
import { parseReport, type Report } from './report.ts';

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
