#!/usr/bin/env node
import { main } from './main.ts';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // A socket still open (a registry or API server that never closed its side) must not keep a
  // finished command alive. Unref'd, this changes nothing when the process would exit anyway.
  setTimeout(() => process.exit(code), 1000).unref();
});
