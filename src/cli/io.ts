// What a command may touch of its process: the environment and the two output streams.
// Injected, so tests run commands in-process and see exactly what they print.
//
// The streams are written with writeSync on their file descriptors: creating process.stdout
// costs more start-up than the rest of printing a summary, and a synchronous write is complete
// when the call returns, so nothing is lost when the process exits right after.

import { writeSync } from 'node:fs';
import { CnbReportError, systemReason } from '../core/errors.ts';

export interface Io {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether progress lines are welcome on stderr (a terminal is watching). */
  readonly progress: boolean;
}

export const processIo: Io = {
  env: process.env,
  out: (text) => writeLine(1, text),
  err: (text) => writeLine(2, text),
  // A getter: looking at stderr loads node:tty and the stream modules, which only the cluster
  // commands (which print progress) should pay for.
  get progress() {
    return Boolean(process.stderr.isTTY);
  },
};

const closed = new Set<number>();

/**
 * Write a whole line to fd. A reader that went away (EPIPE: `cnb-report show | head -1`) ends
 * the output quietly, as for any Unix filter; a full non-blocking pipe (EAGAIN) is waited out.
 * Any other failure (ENOSPC, EIO) is thrown, and main() reports it with its exit code.
 */
export function writeLine(fd: number, text: string): void {
  if (closed.has(fd)) return;
  const bytes = Buffer.from(`${text}\n`, 'utf8');
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') return void closed.add(fd);
      throw new CnbReportError('WRITE_FAILED', `cannot write to ${fd === 1 ? 'stdout' : 'stderr'}: ${systemReason(err)}`, { cause: err });
    }
  }
}
