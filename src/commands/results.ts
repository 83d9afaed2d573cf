// `cnb-report results`: report.toml → Tekton result files (+ an OCI layout). Everything is
// read and validated before the first byte is written, and the writes are all-or-nothing.

import { join } from 'node:path';
import { loadReport } from '../input.ts';
import { renderLayout } from '../layout.ts';
import type { ResultsOptions } from '../options.ts';
import { checkBudget, renderResults } from '../results.ts';
import { CnbReportError } from '../errors.ts';
import { writeAtomically, type Output } from '../files.ts';
import { renderTerminationMessage } from '../termination.ts';

export function runResults(options: ResultsOptions, print: (line: string) => void): void {
  if (!options.tektonResults && options.terminationMessage === undefined) {
    throw new CnbReportError('USAGE', '--no-tekton-results leaves nothing to write: add --termination-message PATH');
  }
  const report = loadReport(options.report);
  const results = options.tektonResults ? renderResults(report, { allowDaemon: options.allowDaemon }) : [];
  checkBudget(results);

  const outputs: Output[] = results.map((r) => ({ path: options.resultPaths[r.name] ?? join(options.resultsDir, r.name), data: r.value }));
  const directories = results.some((r) => !options.resultPaths[r.name]) ? [options.resultsDir] : [];
  if (options.terminationMessage !== undefined) {
    outputs.push({ path: options.terminationMessage, data: renderTerminationMessage(report), inPlace: true });
  }
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
  const wrote = [
    ...(results.length ? [`${results.length} results${Object.keys(options.resultPaths).length ? '' : ` to ${options.resultsDir}`}`] : []),
    ...(options.ociLayout ? [`an OCI layout to ${options.ociLayout}`] : []),
    ...(options.terminationMessage ? [`the termination message to ${options.terminationMessage}`] : []),
  ];
  print(`wrote ${wrote.join(' and ')}`);
}
