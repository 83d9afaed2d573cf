// A TaskRun, as Tekton reports it, reduced to what a script needs: did it succeed, which image
// did it build (read from Chains' type-hinting results and validated as in the core), and has
// Chains signed it. Pure: the document in, a summary out.
//
// Tekton v1 keeps results in status.results; v1beta1 in status.taskResults. Each has a name and
// a value that is a string, an array or an object (tektoncd/pipeline pkg/apis/pipeline/v1).

import { parseDigestReference, parseTagReference, repositoryKey, SHA256_DIGEST } from './reference.ts';

export type RunStatus = 'Succeeded' | 'Failed' | 'Running' | 'Unknown';
export type ResultValue = string | string[] | Record<string, string>;

export interface ImageSummary {
  readonly url: string;
  readonly digest: string;
  /** repository@digest for every repository Chains would sign, each once. */
  readonly images: string[];
}

export interface TaskRunSummary {
  readonly name: string;
  readonly namespace: string;
  readonly status: RunStatus;
  readonly reason: string;
  readonly message: string;
  readonly image: ImageSummary | null;
  readonly results: Record<string, ResultValue>;
  readonly chains: { readonly signed: boolean; readonly [key: string]: string | boolean };
}

/** Why the results do not name a usable image, or undefined if they do. */
export interface Summarized {
  readonly summary: TaskRunSummary;
  readonly imageProblem: string | undefined;
}

type Doc = Record<string, any>;

export function summarize(taskRun: Doc): Summarized {
  const condition = (taskRun.status?.conditions ?? []).find((c: Doc) => c.type === 'Succeeded') ?? {};
  const results = resultsOf(taskRun);
  const image = imageOf(results);
  return {
    summary: {
      name: taskRun.metadata?.name ?? '',
      namespace: taskRun.metadata?.namespace ?? '',
      status: statusOf(condition.status),
      reason: condition.reason ?? '',
      message: condition.message ?? '',
      image: typeof image === 'string' ? null : image,
      results,
      chains: chainsOf(taskRun.metadata?.annotations ?? {}),
    },
    imageProblem: typeof image === 'string' ? image : undefined,
  };
}

function statusOf(status: unknown): RunStatus {
  if (status === 'True') return 'Succeeded';
  if (status === 'False') return 'Failed';
  return status === 'Unknown' ? 'Running' : 'Unknown';
}

function resultsOf(taskRun: Doc): Record<string, ResultValue> {
  const list: Doc[] = taskRun.status?.results ?? taskRun.status?.taskResults ?? [];
  return Object.fromEntries(list.filter((r) => typeof r?.name === 'string').map((r) => [r.name, r.value as ResultValue]));
}

// https://github.com/tektoncd/chains/blob/main/pkg/chains/annotations.go
const CHAINS_PREFIX = 'chains.tekton.dev/';

function chainsOf(annotations: Record<string, string>): TaskRunSummary['chains'] {
  const chains: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith(CHAINS_PREFIX) && key !== `${CHAINS_PREFIX}signed`) chains[key.slice(CHAINS_PREFIX.length)] = value;
  }
  const signed = annotations[`${CHAINS_PREFIX}signed`];
  if (signed === 'failed') chains.failed = true;
  return { ...chains, signed: signed === 'true' };
}

/** The image from `*IMAGE_URL`/`*IMAGE_DIGEST` (unprefixed first) and `IMAGES`, or why not. */
function imageOf(results: Record<string, ResultValue>): ImageSummary | string {
  const prefixes = Object.keys(results)
    .filter((name) => name.endsWith('IMAGE_URL') && `${name.slice(0, -'URL'.length)}DIGEST` in results)
    .map((name) => name.slice(0, -'IMAGE_URL'.length))
    .sort((a, b) => a.length - b.length || a.localeCompare(b));
  if (prefixes.length === 0) return 'no IMAGE_URL and IMAGE_DIGEST results';
  const prefix = prefixes[0]!;
  const url = results[`${prefix}IMAGE_URL`];
  const digest = results[`${prefix}IMAGE_DIGEST`];
  if (typeof url !== 'string' || typeof digest !== 'string') return `${prefix}IMAGE_URL and ${prefix}IMAGE_DIGEST are not strings`;
  const ref = parseTagReference(url);
  if (typeof ref === 'string') return `${prefix}IMAGE_URL ${JSON.stringify(url)} ${ref}`;
  if (!SHA256_DIGEST.test(digest)) return `${prefix}IMAGE_DIGEST ${JSON.stringify(digest)} is not a sha256 digest`;

  const seen = new Set([repositoryKey(ref)]);
  const images = [`${ref.name}@${digest}`];
  const listed = results.IMAGES;
  const entries = typeof listed === 'string' ? listed.split(/[,\n]/) : Array.isArray(listed) ? listed : [];
  for (const entry of entries.map((e) => e.trim()).filter(Boolean)) {
    const parsed = parseDigestReference(entry);
    if (typeof parsed === 'string') return `IMAGES entry ${JSON.stringify(entry)} is not repository@sha256:…`;
    if (seen.has(repositoryKey(parsed.ref))) continue;
    seen.add(repositoryKey(parsed.ref));
    images.push(`${parsed.ref.name}@${parsed.digest}`);
  }
  return { url, digest, images };
}
