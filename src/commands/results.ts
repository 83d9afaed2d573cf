// `cnb-report results`: report.toml → Tekton result files (+ an OCI layout). Everything is
// read and validated before the first byte is written, and the writes are all-or-nothing.

import { join } from 'node:path';
import { readInput } from '../input.ts';
import { renderLayout } from '../layout.ts';
import type { ResultsOptions } from '../options.ts';
import { parseReport } from '../report.ts';
import { checkBudget, renderResults } from '../results.ts';
import { writeAtomically, type Output } from '../files.ts';

export const REPORT_MISSING_HINT = ' (the lifecycle writes report.toml only after a successful export)';

export function runResults(options: ResultsOptions, print: (line: string) => void): void {
  const report = parseReport(readInput(options.report, 'report', REPORT_MISSING_HINT), options.report);
  const results = renderResults(report, { allowDaemon: options.allowDaemon });
  checkBudget(results);

  const outputs: Output[] = results.map((r) => ({ path: options.resultPaths[r.name] ?? join(options.resultsDir, r.name), data: r.value }));
  const directories = results.some((r) => !options.resultPaths[r.name]) ? [options.resultsDir] : [];
  if (options.ociLayout !== undefined) {
    const layout = renderLayout(report, { format: options.mediaType });
    outputs.push(
      { path: join(options.ociLayout, 'oci-layout'), data: layout['oci-layout'] },
      { path: join(options.ociLayout, 'index.json'), data: layout['index.json'] },
    );
    directories.push(join(options.ociLayout, 'blobs'));
  }
  writeAtomically(outputs, directories);

  if (options.quiet) return;
  for (const r of results) print(`${r.name.padEnd(12)} ${r.value.replaceAll('\n', ' ') || '(empty: no other repository)'}`);
  print(`wrote ${results.length} results${Object.keys(options.resultPaths).length ? '' : ` to ${options.resultsDir}`}${options.ociLayout ? ` and an OCI layout to ${options.ociLayout}` : ''}`);
}
