// The CLI bundle's entry (dist/cli.cjs), which the executable (start.ts) runs: argv in, exit code out.
import { main } from './main.ts';

// Output is written synchronously (io.ts) and a signal held during a write has been re-raised by
// now (edge/files.ts), so nothing is pending: exit at once. A socket that a registry or API
// server left open cannot keep a finished command alive.
void main(process.argv.slice(2)).then((code) => process.exit(code));
