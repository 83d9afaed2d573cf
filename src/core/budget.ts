// How many bytes a step's results may take, and what the step's termination message will hold.
// Pure: the pod's shape comes in as plain values (edge/tektonpod.ts reads it from /tekton).
//
// Two caps apply to a Tekton step's termination message:
//  - Tekton's entrypoint refuses a message over 4096 bytes and fails the step
//    (tektoncd/pipeline pkg/termination/write.go, MaxContainerTerminationMessageLength);
//  - the kubelet then keeps only 12288 bytes divided by the number of containers in the pod,
//    init containers included, and cuts the rest without a word
//    (kubernetes pkg/kubelet/status/status_manager.go, normalizeStatus; tektoncd/pipeline#4808).
//    A cut message is no longer JSON: the controller cannot parse it and the TaskRun loses
//    every result. With 5 containers (the buildpacks Task) that is 2457 bytes, not 4096.
// With `results-from: sidecar-logs` the message carries no results; Tekton's max-result-size
// (default 4096) applies to each result instead (tektoncd/pipeline docs/tasks.md).

import { CnbReportError } from './errors.ts';

/** kubecontainer.MaxPodTerminationMessageLogLength: the kubelet's total for all containers. */
export const KUBELET_MESSAGE_TOTAL = 12 * 1024;
/** termination.MaxContainerTerminationMessageLength: the entrypoint's own check. */
export const TEKTON_MESSAGE_LIMIT = 4096;
/** The default of Tekton's max-result-size feature flag, for results-from: sidecar-logs. */
export const TEKTON_MAX_RESULT_SIZE = 4096;

export const RESULTS_FROM = ['termination-message', 'sidecar-logs'] as const;
export type ResultsFrom = (typeof RESULTS_FROM)[number];

/** What a step can see of its pod. */
export interface PodShape {
  /** Distinct steps linked in /tekton/steps; undefined outside a Tekton pod. */
  readonly steps?: number;
  /** /tekton/scripts holds files: place-scripts ran. Undefined: not mounted in this step. */
  readonly scripts?: boolean;
}

/** What the step cannot see, from flags (Task and StepAction params). */
export interface PodOptions {
  /** Init containers + steps, when the Task knows its own shape. */
  readonly podContainers?: number;
  /** Sidecars and injected containers (a mesh proxy and its init container). */
  readonly extraContainers: number;
  readonly resultsFrom: ResultsFrom;
}

export interface Budget {
  /** 'message': the whole termination message; 'per-result': each result's value. */
  readonly scope: 'message' | 'per-result';
  readonly limit: number;
  /** The pod's container count the limit was derived from, when known. */
  readonly containers?: number;
  /** How the limit was derived, for the error message. */
  readonly why: string;
}

export function messageBudget(shape: PodShape, options: PodOptions): Budget {
  if (options.resultsFrom === 'sidecar-logs') {
    return {
      scope: 'per-result',
      limit: TEKTON_MAX_RESULT_SIZE,
      why: `results-from sidecar-logs: Tekton's max-result-size (default ${TEKTON_MAX_RESULT_SIZE}) per result`,
    };
  }
  const counted = countContainers(shape, options);
  if (!counted)
    return {
      scope: 'message',
      limit: TEKTON_MESSAGE_LIMIT,
      why: `Tekton's ${TEKTON_MESSAGE_LIMIT}-byte limit (not in a Tekton pod: no /tekton/steps, no --pod-containers)`,
    };
  const kubelet = Math.floor(KUBELET_MESSAGE_TOTAL / counted.containers);
  const limit = Math.min(TEKTON_MESSAGE_LIMIT, kubelet);
  const why =
    `the kubelet keeps ${KUBELET_MESSAGE_TOTAL} bytes / ${counted.containers} containers (${counted.parts.join(', ')}) = ${kubelet} bytes per container` +
    (limit < kubelet ? `, and Tekton's own limit is ${TEKTON_MESSAGE_LIMIT}` : '');
  return { scope: 'message', limit, containers: counted.containers, why };
}

function countContainers(shape: PodShape, options: PodOptions): { containers: number; parts: string[] } | undefined {
  const extra = options.extraContainers ? [`${options.extraContainers} extra (--extra-containers)`] : [];
  if (options.podContainers !== undefined) {
    return {
      containers: options.podContainers + options.extraContainers,
      parts: [`${options.podContainers} from --pod-containers`, ...extra],
    };
  }
  if (shape.steps === undefined) return undefined;
  // `prepare` always runs; `place-scripts` runs when any step or sidecar has a script, but its
  // volume is mounted only into steps with a script, so a step without one cannot tell: count it.
  const scripts = shape.scripts !== false;
  const parts = [
    `${shape.steps} step${shape.steps === 1 ? '' : 's'} in /tekton/steps`,
    'prepare',
    ...(scripts ? [shape.scripts ? 'place-scripts' : 'place-scripts assumed: /tekton/scripts is not mounted here'] : []),
    ...extra,
  ];
  return { containers: shape.steps + 1 + (scripts ? 1 : 0) + options.extraContainers, parts };
}

// --- The message the entrypoint writes -------------------------------------------------------

/** Tekton's result types in a termination message (tektoncd/pipeline pkg/result/result.go). */
export const RESULT_TYPE = { task: 1, internal: 3, step: 4 } as const;

export interface MessageEntry {
  readonly key: string;
  readonly value: string;
  readonly type: number;
}

// The longest StartedAt entry the entrypoint adds (time format 2006-01-02T15:04:05.000Z07:00).
const STARTED_AT: MessageEntry = { key: 'StartedAt', value: '2006-01-02T15:04:05.000+00:00', type: RESULT_TYPE.internal };

/**
 * The entries of the step's message in the entrypoint's order: the Task results present in
 * /tekton/results after the step (earlier steps' included, tektoncd/pipeline#10334), then the
 * step results, then StartedAt (pkg/entrypoint/entrypointer.go appends each batch to the file).
 */
export function stepMessage(taskResults: readonly MessageEntry[], stepResults: readonly MessageEntry[]): MessageEntry[] {
  return [...taskResults, ...stepResults, STARTED_AT];
}

/** The message as the entrypoint writes it: Go's encoding/json of []RunResult. */
export function renderMessage(entries: readonly MessageEntry[]): string {
  return goJson(entries.map((e) => ({ key: e.key, value: e.value, type: e.type })));
}

/** JSON as Go's encoding/json writes it: <, > and & escaped, as are U+2028 and U+2029. */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Fail, before anything is written, if the message (or a result) would not survive. */
export function checkMessage(entries: readonly MessageEntry[], budget: Budget, note = ''): void {
  const change =
    'set --pod-containers / --extra-containers (Task and StepAction params POD_CONTAINERS / EXTRA_CONTAINERS) if the pod has another shape, or --results-from sidecar-logs (RESULTS_FROM) if Tekton reads results from sidecar logs';
  if (budget.scope === 'per-result') {
    const big = entries.find((e) => e.type !== RESULT_TYPE.internal && Buffer.byteLength(e.value) > budget.limit);
    if (big)
      throw new CnbReportError(
        'RESULTS_TOO_LARGE',
        `result ${big.key} is ${Buffer.byteLength(big.value)} bytes, over the ${budget.limit}-byte cap (${budget.why})${note}; push fewer repositories in one build`,
      );
    return;
  }
  const size = Buffer.byteLength(renderMessage(entries));
  if (size <= budget.limit) return;
  throw new CnbReportError(
    'RESULTS_TOO_LARGE',
    `results need a ${size}-byte termination message, over the ${budget.limit}-byte cap${budget.containers ? ` for a pod of ${budget.containers} containers` : ''}: ${budget.why}${note}; push fewer repositories in one build, or ${change}`,
  );
}
