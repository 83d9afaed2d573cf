// The report as a pod's termination message, for Kubernetes platforms that are not Tekton (the
// approach buildpacks RFC 0040 suggests): compact JSON in the report's own shape, which the
// kubelet copies into status.containerStatuses[].state.terminated.message (at most 4096 bytes).

import { CnbReportError } from './errors.ts';
import type { RunImage } from './analyzed.ts';
import { reportDocument } from './format.ts';
import { validateReport, type Report } from './report.ts';
import { TEKTON_MESSAGE_LIMIT } from './budget.ts';

/**
 * The message, or RESULTS_TOO_LARGE over `limit` (the kubelet's share for this pod's containers,
 * see budget.ts, and `why` says how it was derived).
 */
export function renderTerminationMessage(
  report: Report,
  runImage?: RunImage,
  options: { allowDaemon?: boolean; limit?: number; why?: string } = {},
): string {
  const { limit = TEKTON_MESSAGE_LIMIT, why = '' } = options;
  // The same rule as the Tekton results: no registry digest, nothing to sign or deploy by digest.
  if (report.digest === undefined && !(options.allowDaemon && report.imageId !== undefined)) {
    const reason =
      report.imageId !== undefined
        ? `a daemon export (image-id ${report.imageId}) has no registry digest; pass --allow-daemon to write it anyway`
        : 'no image.digest: the image was not exported to a registry';
    throw new CnbReportError('NO_DIGEST', `${report.file}: ${reason}`);
  }
  const text = JSON.stringify(reportDocument(report, runImage));
  const size = Buffer.byteLength(text);
  if (size > limit) {
    throw new CnbReportError(
      'RESULTS_TOO_LARGE',
      `the report needs a ${size}-byte termination message, over ${limit === TEKTON_MESSAGE_LIMIT ? "Kubernetes' " : ''}${limit}-byte limit${why ? `: ${why}` : ''}`,
    );
  }
  return text;
}

/** Validate a termination message read back from a pod, as strictly as report.toml. */
export function parseTerminationMessage(text: string, where: string): Report {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new CnbReportError('NO_RESULT', `${where}: the termination message is not cnb-report JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new CnbReportError('NO_RESULT', `${where}: the termination message is not a JSON object`);
  let report: Report;
  try {
    report = validateReport(doc as Record<string, unknown>, where);
  } catch (err) {
    throw new CnbReportError('NO_RESULT', `${where}: the termination message is not a valid report`, {
      cause: err,
      details: (err as CnbReportError).details,
    });
  }
  // A daemon export (or no image at all) is not a usable result, whatever wrote the message.
  if (report.digest === undefined)
    throw new CnbReportError(
      'NO_RESULT',
      `${where}: the termination message names no registry digest${report.imageId ? ` (a daemon export, image-id ${report.imageId})` : ''}`,
    );
  return report;
}

type Doc = Record<string, any>;

/** The terminated container's message: the named container, or the only one that has one. */
export function containerMessage(pod: Doc, container: string | undefined): { container: string; message: string } {
  const name = pod.metadata?.name;
  const statuses: Doc[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const messageOf = (s: Doc) => s.state?.terminated?.message ?? s.lastState?.terminated?.message;
  if (container !== undefined) {
    const status = statuses.find((s) => s.name === container);
    if (!status)
      throw new CnbReportError(
        'NOT_FOUND',
        `pod ${name} has no container ${container} (it has ${statuses.map((s) => s.name).join(', ') || 'none'})`,
      );
    const message = messageOf(status);
    if (!message) throw new CnbReportError('NO_RESULT', `container ${container} of pod ${name} has not terminated with a message`);
    return { container, message };
  }
  const withMessage = statuses.filter(messageOf);
  if (withMessage.length !== 1) {
    throw new CnbReportError(
      'NO_RESULT',
      withMessage.length
        ? `pod ${name} has ${withMessage.length} containers with a termination message; name one with -c`
        : `no container of pod ${name} has terminated with a message`,
    );
  }
  return { container: withMessage[0]!.name, message: messageOf(withMessage[0]!) };
}
