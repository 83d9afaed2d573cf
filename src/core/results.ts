// Tekton results rendered from a validated report. Pure: no file system here.
//
// Chains type hinting (tektoncd/chains pkg/artifacts/signable.go) reads two things:
//   - a pair `*IMAGE_URL` + `*IMAGE_DIGEST`, parsed as `url@digest` (a tag in the URL is dropped);
//   - `IMAGES`, entries split on ',' or newline, each `repository@digest`.
// Chains >= v0.27 drops repeats among them (tektoncd/chains#1601); older versions sign and attest a
// repository named in both twice, and every byte of IMAGES counts against the termination
// message. So IMAGES lists the *other* repositories the image was pushed to, and the union of
// the pair and IMAGES names every repository exactly once.

import { CnbReportError } from './errors.ts';
import { distinctRepositories } from './reference.ts';
import { checkMessage, messageBudget, renderMessage, RESULT_TYPE, stepMessage, type Budget, type MessageEntry } from './budget.ts';
import type { Report } from './report.ts';

export interface Result {
  readonly name: string;
  readonly value: string;
}

export const RESULT_NAMES = {
  url: 'IMAGE_URL',
  digest: 'IMAGE_DIGEST',
  images: 'IMAGES',
  imageId: 'IMAGE_ID',
  // Chains reads *ARTIFACT_INPUTS object results as materials (docs/slsa-provenance.md). Not an
  // *IMAGE_URL name: the run image is an input, not something this build produced.
  runImage: 'RUN_IMAGE_ARTIFACT_INPUTS',
} as const;

export interface RenderOptions {
  /** Accept a daemon export and write only IMAGE_ID instead of failing. */
  readonly allowDaemon?: boolean;
  /** The run image as a Chains material, when analyzed.toml names it by digest. */
  readonly runImage?: { readonly uri: string; readonly digest: string };
}

export function renderResults(report: Report, options: RenderOptions = {}): Result[] {
  // An object result's file holds its JSON; Tekton reads every declared key from it.
  const material = options.runImage
    ? [{ name: RESULT_NAMES.runImage, value: JSON.stringify({ uri: options.runImage.uri, digest: options.runImage.digest }) }]
    : [];
  if (report.digest === undefined) {
    if (report.imageId !== undefined && options.allowDaemon) {
      return [{ name: RESULT_NAMES.imageId, value: report.imageId }, ...material];
    }
    throw noDigest(report);
  }
  return [
    { name: RESULT_NAMES.url, value: report.tags[0]! },
    { name: RESULT_NAMES.digest, value: report.digest },
    { name: RESULT_NAMES.images, value: otherRepositories(report).join('\n') },
    ...material,
  ];
}

function noDigest(report: Report): CnbReportError {
  const why =
    report.imageId !== undefined
      ? `a daemon export (image-id ${report.imageId}): there is no registry digest for Tekton Chains to sign; pass --allow-daemon to write only IMAGE_ID`
      : 'no image.digest: the image was not exported to a registry';
  return new CnbReportError('NO_DIGEST', `${report.file}: ${why}`);
}

/** `repository@digest` for each distinct repository other than the primary's, in tag order. */
export function otherRepositories(report: Report): string[] {
  return distinctRepositories(report.references)
    .slice(1)
    .map((ref) => `${ref.name}@${report.digest}`);
}

/** The step's results as termination-message entries: task results, or step results. */
export function messageEntries(results: readonly Result[], isStepResult: (name: string) => boolean = () => false): MessageEntry[] {
  return results.map((r) => ({ key: r.name, value: r.value, type: isStepResult(r.name) ? RESULT_TYPE.step : RESULT_TYPE.task }));
}

/** The size of the termination message that would carry these results (and earlier ones). */
export function terminationMessageSize(results: readonly Result[], earlier: readonly MessageEntry[] = []): number {
  return Buffer.byteLength(renderMessage(stepMessage([...earlier, ...messageEntries(results)], [])));
}

export interface BudgetCheck {
  readonly budget?: Budget;
  /** Task results that earlier steps left in /tekton/results: the entrypoint repeats them. */
  readonly earlier?: readonly MessageEntry[];
  readonly isStepResult?: (name: string) => boolean;
}

/** Fail before anything is written if Tekton would reject the message or the kubelet cut it. */
export function checkBudget(results: readonly Result[], check: BudgetCheck = {}): void {
  const budget = check.budget ?? messageBudget({}, { extraContainers: 0, resultsFrom: 'termination-message' });
  const earlier = check.earlier ?? [];
  const ours = messageEntries(results, check.isStepResult);
  const task = ours.filter((e) => e.type === RESULT_TYPE.task);
  const images = results.find((r) => r.name === RESULT_NAMES.images);
  const count = images?.value ? images.value.split('\n').length : 0;
  const note = ` (IMAGES lists ${count} other repositories${earlier.length ? `; ${earlier.length} results of earlier steps in the results directory count too: ${earlier.map((e) => e.key).join(', ')}` : ''})`;
  checkMessage(
    stepMessage(
      [...earlier, ...task],
      ours.filter((e) => e.type === RESULT_TYPE.step),
    ),
    budget,
    note,
  );
}
