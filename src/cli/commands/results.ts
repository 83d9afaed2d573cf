// `cnb-report results`: report.toml (+ analyzed.toml) → Tekton result files, an OCI layout, a
// termination message. Everything is read, validated and (with --verify) checked against the
// registry before the first byte is written, and the writes are all-or-nothing.

import { join } from 'node:path';
import { runImageMaterial } from '../../core/analyzed.ts';
import { CnbReportError } from '../../core/errors.ts';
import { writeAtomically, type Output } from '../../edge/files.ts';
import { loadReport, loadRunImage } from '../../edge/input.ts';
import { renderLayout } from '../../core/layout.ts';
import type { ResultsOptions } from '../resolve.ts';
import { distinctRepositories } from '../../core/reference.ts';
import type { Served } from '../../edge/registry/verify.ts';
import type { Report } from '../../core/report.ts';
import { checkBudget, renderResults } from '../../core/results.ts';
import { renderTerminationMessage } from '../../core/termination.ts';

export interface ResultsIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export async function runResults(options: ResultsOptions, io: ResultsIo): Promise<void> {
  if (!options.tektonResults && options.terminationMessage === undefined) {
    throw new CnbReportError('USAGE', '--no-tekton-results leaves nothing to write: add --termination-message PATH');
  }
  const report = await loadReport(options.report);
  const runImage = await loadRunImage(options.analyzed, io.err);
  const material = runImage && runImageMaterial(runImage);
  const results = options.tektonResults ? renderResults(report, { allowDaemon: options.allowDaemon, ...(material && { runImage: material }) }) : [];
  checkBudget(results);
  const served = options.verify ? await verifyRepositories(report, options) : undefined;

  const outputs: Output[] = results.map((r) => ({ path: options.resultPaths[r.name] ?? join(options.resultsDir, r.name), data: r.value }));
  const directories = results.some((r) => !options.resultPaths[r.name]) ? [options.resultsDir] : [];
  if (options.ociLayout !== undefined) {
    const layout = renderLayout(report, { format: options.mediaType, ...(served && { served }), ...(runImage?.platform && { platform: runImage.platform }) });
    outputs.push(
      { path: join(options.ociLayout, 'oci-layout'), data: layout['oci-layout'] },
      { path: join(options.ociLayout, 'index.json'), data: layout['index.json'] },
    );
    directories.push(join(options.ociLayout, 'blobs'));
  }
  if (options.terminationMessage !== undefined) {
    outputs.push({ path: options.terminationMessage, data: renderTerminationMessage(report, runImage), inPlace: true });
  }
  writeAtomically(outputs, directories);

  if (options.quiet) return;
  for (const r of results) io.out(`${r.name.padEnd(12)} ${r.value.replaceAll('\n', ' ') || '(empty: no other repository)'}`);
  if (served) io.out(`verified     ${served.mediaType}, ${served.size} bytes, in every repository`);
  const wrote = [
    ...(results.length ? [`${results.length} results${Object.keys(options.resultPaths).length ? '' : ` to ${options.resultsDir}`}`] : []),
    ...(options.ociLayout ? [`an OCI layout to ${options.ociLayout}`] : []),
    ...(options.terminationMessage ? [`the termination message to ${options.terminationMessage}`] : []),
  ];
  io.out(`wrote ${wrote.join(' and ')}`);
}

/** HEAD repository@digest in each distinct repository; all must serve the same manifest. */
async function verifyRepositories(report: Report, options: ResultsOptions): Promise<Served> {
  if (report.digest === undefined) throw new CnbReportError('NO_DIGEST', `${report.file}: --verify needs a registry digest`);
  // The registry client is loaded only for --verify: most builds do not ask for it.
  const [{ loadCredentials }, { verifyManifest }] = await Promise.all([import('../../edge/registry/credentials.ts'), import('../../edge/registry/verify.ts')]);
  const credentials = loadCredentials(options.dockerConfig);
  const verify = { insecure: options.insecureRegistries, credentials, timeoutMs: options.verifyTimeoutMs };
  let first: Served | undefined;
  for (const ref of distinctRepositories(report.references)) {
    const served = await verifyManifest(ref.registry, ref.repository, report.digest, verify);
    if (report.manifestSize !== undefined && served.size !== report.manifestSize) {
      throw new CnbReportError('REGISTRY_MISMATCH', `${ref.name}@${report.digest}: the registry serves ${served.size} bytes, report.toml says manifest-size ${report.manifestSize}`);
    }
    first ??= served;
  }
  return first!;
}
