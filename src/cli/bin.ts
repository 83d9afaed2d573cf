#!/usr/bin/env node
import { main } from './main.ts';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // A watch whose response never started cannot be aborted (client-node makes its
  // AbortController only once fetch resolves); such a socket must not keep a finished command
  // alive. Unref'd, this changes nothing when the process would exit anyway.
  setTimeout(() => process.exit(code), 1000).unref();
});
