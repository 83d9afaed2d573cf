// `cnb-report results`: report.toml (+ analyzed.toml) → Tekton result files, an OCI layout, a
// termination message. Everything is read, validated and (with --verify) checked against the
// registry before the first byte is written, and the writes are all-or-nothing.

import { dirname, join, resolve } from 'node:path';
import { runImageMaterial } from '../../core/analyzed.ts';
import { dockerConfigPath, loadCredentials } from '../../edge/registry/credentials.ts';
import { parseDuration } from '../../core/duration.ts';
import { CnbReportError } from '../../core/errors.ts';
import { deferSignals, writeAtomically, type Output } from '../../edge/files.ts';
import { loadReport, loadRunImage } from '../../edge/input.ts';
import { renderLayout } from '../../core/layout.ts';
import { checkOutputPlan, requirePath } from '../../core/outputs.ts';
import type { ResultsOptions } from '../options.ts';
import { distinctRepositories } from '../../core/reference.ts';
import { verifyManifest, type Served } from '../../edge/registry/verify.ts';
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
  requirePath(options.resultsDir, '--results-dir');
  requirePath(options.ociLayout, '--oci-layout');
  requirePath(options.terminationMessage, '--termination-message');
  const report = loadReport(options.report);
  const runImage = loadRunImage(options.report, options.analyzed, io.err);
  const material = runImage && runImageMaterial(runImage);
  const results = options.tektonResults ? renderResults(report, { allowDaemon: options.allowDaemon, ...(material && { runImage: material }) }) : [];
  checkBudget(results);
  const served = options.verify ? await verifyRepositories(report, options) : undefined;

  const outputs: (Output & { what: string })[] = results.map((r) => ({ path: resolve(options.resultPaths[r.name] ?? join(options.resultsDir, r.name)), data: r.value, what: `result ${r.name}` }));
  const directories = results.some((r) => !options.resultPaths[r.name]) ? [{ path: resolve(options.resultsDir), what: 'the results directory' }] : [];
  if (options.ociLayout !== undefined) {
    const layout = renderLayout(report, { format: options.mediaType, ...(served && { served }), ...(runImage?.platform && { platform: runImage.platform }) });
    outputs.push(
      { path: resolve(options.ociLayout, 'oci-layout'), data: layout['oci-layout'], what: 'the layout\'s oci-layout' },
      { path: resolve(options.ociLayout, 'index.json'), data: layout['index.json'], what: 'the layout\'s index.json' },
    );
    directories.push({ path: resolve(options.ociLayout, 'blobs'), what: 'the layout\'s blobs/' });
  }
  if (options.terminationMessage !== undefined) {
    const data = renderTerminationMessage(report, runImage, { allowDaemon: options.allowDaemon });
    outputs.push({ path: resolve(options.terminationMessage), data, inPlace: true, what: 'the termination message' });
  }
  const inputs = [
    { path: resolve(options.report), what: 'the report' },
    { path: resolve(options.analyzed ?? join(dirname(options.report), 'analyzed.toml')), what: 'analyzed.toml' },
  ];
  checkOutputPlan({ files: outputs, directories, inputs });
  await deferSignals(() => writeAtomically(outputs, directories.map((d) => d.path), inputs.map((i) => i.path)), io.err);

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
  const credentials = loadCredentials(dockerConfigPath());
  const verify = { insecure: options.insecureRegistries, credentials, timeoutMs: parseDuration(options.verifyTimeout, '--verify-timeout') };
  let first: Served | undefined;
  for (const ref of distinctRepositories(report.references)) {
    const served = await verifyManifest(ref.registry, ref.repository, report.digest, verify);
    // One digest is one manifest: a registry serving it with another type or size is lying.
    if (first && (served.mediaType !== first.mediaType || served.size !== first.size)) {
      throw new CnbReportError('REGISTRY_MISMATCH', `${ref.name}@${report.digest}: the registry serves ${served.mediaType}, ${served.size} bytes; ${distinctRepositories(report.references)[0]!.name} served ${first.mediaType}, ${first.size} bytes`);
    }
    if (report.manifestSize !== undefined && served.size !== report.manifestSize) {
      throw new CnbReportError('REGISTRY_MISMATCH', `${ref.name}@${report.digest}: the registry serves ${served.size} bytes, report.toml says manifest-size ${report.manifestSize}`);
    }
    first ??= served;
  }
  return first!;
}
