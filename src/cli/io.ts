// What a command may touch of its process: the environment and the two output streams.
// Injected, so tests run commands in-process and see exactly what they print.

import { writeSync } from 'node:fs';
import { EXIT_CODES, systemReason } from '../core/errors.ts';

export interface Io {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const processIo: Io = {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

// stdout closed by its reader (`| head -1`: EPIPE) or on a full disk (ENOSPC) is reported as an
// 'error' event, which unhandled ends the process with a stack trace. Output that did not
// arrive is a failed write: one line, exit 7. (Outputs on disk were already complete.)
process.stdout.on('error', (err: Error) => {
  try {
    writeSync(2, `cnb-report: cannot write to stdout: ${systemReason(err)}\n`);
  } catch {
    // stderr is gone too: the exit code says it
  }
  process.exit(EXIT_CODES.WRITE_FAILED);
});
process.stderr.on('error', () => process.exit(EXIT_CODES.WRITE_FAILED));
