// Tekton results rendered from a validated report. Pure: no file system here.
//
// Chains type hinting (tektoncd/chains pkg/artifacts/signable.go) reads two things:
//   - a pair `*IMAGE_URL` + `*IMAGE_DIGEST`, parsed as `url@digest` (a tag in the URL is dropped);
//   - `IMAGES`, entries split on ',' or newline, each `repository@digest`.
// It does not de-duplicate them: the same repository in both would be signed and attested twice.
// So IMAGES lists the *other* repositories the image was pushed to, and the union of the pair
// and IMAGES names every repository exactly once.

import { CnbReportError } from './errors.ts';
import { distinctRepositories } from './reference.ts';
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
  const material = options.runImage ? [{ name: RESULT_NAMES.runImage, value: JSON.stringify({ uri: options.runImage.uri, digest: options.runImage.digest }) }] : [];
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

// Tekton's entrypoint puts every result of a step into the container's termination message as
// JSON ([{"key":…,"value":…,"type":1},…], tektoncd/pipeline pkg/result and pkg/termination), next to
// its own StartedAt entry, and fails the TaskRun when that exceeds Kubernetes' 4096-byte limit.
const TASK_RESULT_TYPE = 1;
/** Kubernetes' limit on a container's termination message; Tekton's results share it. */
export const TERMINATION_MESSAGE_LIMIT = 4096;
// The longest StartedAt entry the entrypoint adds (time format 2006-01-02T15:04:05.000Z07:00).
const STARTED_AT = { key: 'StartedAt', value: '2006-01-02T15:04:05.000+00:00', type: 3 };

/** The size of the termination message that would carry these results. */
export function terminationMessageSize(results: readonly Result[]): number {
  const entries = results.map((r) => ({ key: r.name, value: r.value, type: TASK_RESULT_TYPE }));
  return Buffer.byteLength(goJson([...entries, STARTED_AT]));
}

/** Fail before anything is written if Tekton would reject the message. */
export function checkBudget(results: readonly Result[], limit = TERMINATION_MESSAGE_LIMIT): void {
  const size = terminationMessageSize(results);
  if (size <= limit) return;
  const images = results.find((r) => r.name === RESULT_NAMES.images);
  const count = images?.value ? images.value.split('\n').length : 0;
  throw new CnbReportError(
    'RESULTS_TOO_LARGE',
    `results need a ${size}-byte termination message, over Tekton's ${limit}-byte limit (IMAGES lists ${count} other repositories); push fewer repositories in one build`,
  );
}

/** JSON as Go's encoding/json writes it: <, > and & escaped, as are U+2028 and U+2029. */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
