// `cnb-report results`: report.toml (+ analyzed.toml) → Tekton result files, an OCI layout, a
// termination message. Everything is read, validated and (with --verify) checked against the
// registry before the first byte is written, and the writes are all-or-nothing.

import { dirname, join, resolve } from 'node:path';
import { runImageMaterial } from '../../core/analyzed.ts';
import { messageBudget } from '../../core/budget.ts';
import { CnbReportError } from '../../core/errors.ts';
import { renderLayout } from '../../core/layout.ts';
import { checkOutputPlan } from '../../core/outputs.ts';
import { distinctRepositories } from '../../core/reference.ts';
import type { Report } from '../../core/report.ts';
import { checkBudget, renderResults, type BudgetCheck, type Result } from '../../core/results.ts';
import { renderTerminationMessage } from '../../core/termination.ts';
import { deferSignals, writeAtomically, type Output } from '../../edge/files.ts';
import { loadReport, loadRunImage } from '../../edge/input.ts';
import type { Served } from '../../edge/registry/verify.ts';
import { detectPod, earlierResults } from '../../edge/tektonpod.ts';
import type { ResultsOptions } from '../resolve.ts';

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
  const results = options.tektonResults
    ? renderResults(report, { allowDaemon: options.allowDaemon, ...(material && { runImage: material }) })
    : [];
  const budget = resultBudget(results, options);
  checkBudget(results, budget);
  const served = options.verify ? await verifyRepositories(report, options) : undefined;

  const outputs: (Output & { what: string })[] = results.map((r) => ({
    path: resolve(options.resultPaths[r.name] ?? join(options.resultsDir, r.name)),
    data: r.value,
    what: `result ${r.name}`,
  }));
  const directories = results.some((r) => !options.resultPaths[r.name])
    ? [{ path: resolve(options.resultsDir), what: 'the results directory' }]
    : [];
  if (options.ociLayout !== undefined) {
    const layout = renderLayout(report, {
      format: options.mediaType,
      ...(served && { served }),
      ...(runImage?.platform && { platform: runImage.platform }),
    });
    outputs.push(
      { path: resolve(options.ociLayout, 'oci-layout'), data: layout['oci-layout'], what: "the layout's oci-layout" },
      { path: resolve(options.ociLayout, 'index.json'), data: layout['index.json'], what: "the layout's index.json" },
    );
    directories.push({ path: resolve(options.ociLayout, 'blobs'), what: "the layout's blobs/" });
  }
  if (options.terminationMessage !== undefined) {
    const { scope, limit, why } = budget.budget!;
    const data = renderTerminationMessage(report, runImage, {
      allowDaemon: options.allowDaemon,
      ...(scope === 'message' && { limit, why }),
    });
    outputs.push({ path: resolve(options.terminationMessage), data, inPlace: true, what: 'the termination message' });
  }
  const inputs = [
    { path: resolve(options.report), what: 'the report' },
    { path: resolve(options.analyzed.path), what: 'analyzed.toml' },
  ];
  checkOutputPlan({ files: outputs, directories, inputs });
  await deferSignals(
    () =>
      writeAtomically(
        outputs,
        directories.map((d) => d.path),
        inputs.map((i) => i.path),
      ),
    io.err,
  );

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

/** The cap for this step's message, from what the pod shows and what the flags say. */
function resultBudget(results: readonly Result[], options: ResultsOptions): BudgetCheck {
  const inResultsDir = (name: string) =>
    !options.resultPaths[name] || dirname(options.resultPaths[name]) === options.resultsDir.replace(/\/+$/, '');
  return {
    budget: messageBudget(detectPod(), options.pod),
    earlier: options.tektonResults
      ? earlierResults(
          options.resultsDir,
          results.map((r) => r.name),
        )
      : [],
    isStepResult: (name) => !inResultsDir(name),
  };
}

/** HEAD repository@digest in each distinct repository; all must serve the same manifest. */
async function verifyRepositories(report: Report, options: ResultsOptions): Promise<Served> {
  if (report.digest === undefined) throw new CnbReportError('NO_DIGEST', `${report.file}: --verify needs a registry digest`);
  // The registry client is loaded only for --verify: most builds do not ask for it.
  const [{ loadCredentials }, { verifyManifest }] = await Promise.all([
    import('../../edge/registry/credentials.ts'),
    import('../../edge/registry/verify.ts'),
  ]);
  const credentials = options.dockerConfig === undefined ? new Map() : loadCredentials(options.dockerConfig);
  const verify = { insecure: options.insecureRegistries, credentials, timeoutMs: options.verifyTimeoutMs };
  let first: Served | undefined;
  for (const ref of distinctRepositories(report.references)) {
    const served = await verifyManifest(ref.registry, ref.repository, report.digest, verify);
    // One digest is one manifest: a registry serving it with another type or size is lying.
    if (first && (served.mediaType !== first.mediaType || served.size !== first.size)) {
      throw new CnbReportError(
        'REGISTRY_MISMATCH',
        `${ref.name}@${report.digest}: the registry serves ${served.mediaType}, ${served.size} bytes; ${distinctRepositories(report.references)[0]!.name} served ${first.mediaType}, ${first.size} bytes`,
      );
    }
    if (report.manifestSize !== undefined && served.size !== report.manifestSize) {
      throw new CnbReportError(
        'REGISTRY_MISMATCH',
        `${ref.name}@${report.digest}: the registry serves ${served.size} bytes, report.toml says manifest-size ${report.manifestSize}`,
      );
    }
    first ??= served;
  }
  return first!;
}
