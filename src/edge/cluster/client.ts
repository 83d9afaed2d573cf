// The Kubernetes edge, with @kubernetes/client-node: cluster access as kubectl does it, TaskRuns
// (tekton.dev/v1, falling back to v1beta1), pods, and a watch that survives dropped
// connections and expired resource versions. API errors become CnbReportErrors here.
// Only the cluster commands import this module (it is its own bundle, dist/cluster.js).
//
// client-node provides the kubeconfig (contexts, in-cluster config, tokens, client
// certificates, exec plugins, TLS agents) and the watch. The three plain requests use its
// request options with node:http(s) instead of its generated API clients: those bring every
// Kubernetes model into the bundle and cost a third of `taskrun get`'s start-up.

import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { CnbReportError, isCnbReportError } from '../../core/errors.ts';
import { readInput, type InputKind } from '../input.ts';

type Doc = Record<string, any>;
export type TektonVersion = 'v1' | 'v1beta1';

export interface Cluster {
  readonly namespace: string;
  readonly server: string;
  readonly kc: KubeConfig;
}

export interface Access {
  readonly namespace: string | undefined;
  readonly context: string | undefined;
  /** Kubeconfig files, merged in order (the first one's current context wins); missing ones are skipped, as kubectl does. */
  readonly kubeconfig: readonly string[];
}

const KUBECONFIG: InputKind = { what: 'kubeconfig', unreadable: 'CLUSTER_ERROR', invalid: 'CLUSTER_ERROR' };
// Where Kubernetes mounts a pod's service account token (client-node's loadFromCluster reads it).
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The kubeconfig files, or else the in-cluster service account; --context and -n on top. */
export function connect(access: Access): Cluster {
  const kc = new KubeConfig();
  const files = access.kubeconfig.filter((file) => existsSync(file));
  try {
    if (files.length) files.forEach((file, i) => (i === 0 ? loadFile(kc, file) : kc.mergeConfig(loadFile(new KubeConfig(), file), false)));
    else if (existsSync(SERVICE_ACCOUNT_TOKEN)) kc.loadFromCluster();
    else throw new CnbReportError('CLUSTER_ERROR', 'no cluster configured: set $KUBECONFIG, write ~/.kube/config, or run in a pod with a service account');
    if (access.context !== undefined) {
      if (!kc.getContextObject(access.context)) throw new Error(`no context ${access.context} in the kubeconfig`);
      kc.setCurrentContext(access.context);
    }
  } catch (cause) {
    if (isCnbReportError(cause)) throw cause;
    throw new CnbReportError('CLUSTER_ERROR', `cannot load the kubeconfig: ${(cause as Error).message}`, { cause });
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new CnbReportError('CLUSTER_ERROR', `the kubeconfig's current context names no cluster server`);
  const namespace = access.namespace ?? kc.getContextObject(kc.currentContext)?.namespace ?? 'default';
  return { namespace, server, kc };
}

/** As client-node's loadFromFile, but only a regular, size-capped file: KUBECONFIG=/dev/zero must not hang. */
function loadFile(kc: KubeConfig, file: string): KubeConfig {
  kc.loadFromString(readInput(file, KUBECONFIG).toString('utf8'));
  kc.makePathsAbsolute(dirname(file));
  return kc;
}

/** One API request with the kubeconfig's credentials; an HTTP error status is thrown as { code, body }. */
async function request(c: Cluster, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Doc> {
  const options: https.RequestOptions = { method, headers: { Accept: 'application/json', ...(body !== undefined && { 'Content-Type': 'application/json' }) } };
  await c.kc.applyToHTTPSOptions(options);
  const url = new URL(c.server.replace(/\/$/, '') + path);
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON (e.g. "404 page not found"): keep the text
        }
        if (res.statusCode! >= 400) reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: res.statusCode, body: parsed }));
        else resolve(parsed as Doc);
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const taskRunsPath = (c: Cluster, version: TektonVersion) => `/apis/tekton.dev/${version}/namespaces/${encodeURIComponent(c.namespace)}/taskruns`;

/** Read a TaskRun: v1 first; v1beta1 when the cluster does not serve v1 (Pipelines < 0.43). */
export async function getTaskRun(c: Cluster, name: string): Promise<{ doc: Doc; version: TektonVersion }> {
  for (const version of ['v1', 'v1beta1'] as const) {
    try {
      return { doc: await request(c, 'GET', `${taskRunsPath(c, version)}/${encodeURIComponent(name)}`), version };
    } catch (err) {
      // A 404 Status naming the TaskRun means it does not exist; any other 404 means this
      // version of the API is not served here.
      if (version === 'v1' && statusCode(err) === 404 && !namesObject(err, name)) continue;
      throw apiError(err, c, { verb: 'get', resource: 'tekton.dev/taskruns', name });
    }
  }
  throw new CnbReportError('NOT_FOUND', `taskrun ${name} not found in namespace ${c.namespace}`);
}

export async function createTaskRun(c: Cluster, doc: Doc): Promise<Doc> {
  const version = String(doc.apiVersion).split('/')[1] as TektonVersion;
  try {
    return await request(c, 'POST', taskRunsPath(c, version), doc);
  } catch (err) {
    throw apiError(err, c, { verb: 'create', resource: 'tekton.dev/taskruns', name: doc.metadata?.name ?? doc.metadata?.generateName });
  }
}

export async function getPod(c: Cluster, name: string): Promise<Doc> {
  try {
    return await request(c, 'GET', `/api/v1/namespaces/${encodeURIComponent(c.namespace)}/pods/${encodeURIComponent(name)}`);
  } catch (err) {
    throw apiError(err, c, { verb: 'get', resource: 'pods', name });
  }
}

export interface WaitOptions {
  readonly deadline: number;
  readonly onUpdate?: (doc: Doc) => void;
}

// Reconnecting a dropped watch: 250 ms, doubling to 4 s; after this many attempts in a row
// that never got a response, the API server is gone, not blinking.
const BACKOFF_FIRST = 250;
const BACKOFF_MAX = 4000;
const CONNECT_ATTEMPTS = 6;

type WatchOutcome =
  | { kind: 'done'; doc: Doc }
  | { kind: 'gone' }
  | { kind: 'dropped'; connected: boolean; error: unknown }
  | { kind: 'deleted' }
  | { kind: 'timeout' }
  | { kind: 'failed'; error: unknown };

/**
 * Wait until `done(doc)` holds: read the TaskRun, then watch it from that resourceVersion.
 * A dropped connection resumes from the last version seen (BOOKMARKs included); 410 Gone
 * reads the TaskRun afresh and watches from there. The deadline is absolute.
 */
export async function waitForTaskRun(c: Cluster, name: string, done: (doc: Doc) => boolean, options: WaitOptions): Promise<Doc> {
  let { doc, version } = await getTaskRun(c, name);
  options.onUpdate?.(doc);
  let resourceVersion: string = doc.metadata?.resourceVersion;
  let failures = 0;
  while (!done(doc)) {
    const outcome = await watchOnce(c, version, name, resourceVersion, options, done, (next, rv) => {
      if (next) doc = next;
      resourceVersion = rv;
    });
    switch (outcome.kind) {
      case 'done':
        return outcome.doc;
      case 'timeout':
        throw new CnbReportError('TIMEOUT', `timed out waiting for taskrun ${name} (last status: ${lastStatus(doc)})`);
      case 'deleted':
        throw new CnbReportError('NOT_FOUND', `taskrun ${name} was deleted while waiting for it`);
      case 'gone':
        ({ doc, version } = await getTaskRun(c, name));
        resourceVersion = doc.metadata?.resourceVersion;
        options.onUpdate?.(doc);
        break;
      case 'dropped':
        failures = outcome.connected ? 0 : failures + 1;
        if (failures >= CONNECT_ATTEMPTS) throw apiError(outcome.error, c, { verb: 'watch', resource: 'tekton.dev/taskruns', name });
        await sleep(Math.min(BACKOFF_FIRST * 2 ** Math.max(0, failures - 1), BACKOFF_MAX, Math.max(0, options.deadline - Date.now())));
        break;
      case 'failed':
        throw apiError(outcome.error, c, { verb: 'watch', resource: 'tekton.dev/taskruns', name });
    }
  }
  return doc;
}

function watchOnce(
  c: Cluster,
  version: TektonVersion,
  name: string,
  resourceVersion: string,
  options: WaitOptions,
  done: (doc: Doc) => boolean,
  seen: (doc: Doc | undefined, resourceVersion: string) => void,
): Promise<WatchOutcome> {
  return new Promise((resolve) => {
    let controller: AbortController | undefined;
    let connected = false;
    let settled = false;
    const finish = (outcome: WatchOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      controller?.abort();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), Math.max(0, options.deadline - Date.now()));
    const path = taskRunsPath(c, version);
    const query = { fieldSelector: `metadata.name=${name}`, resourceVersion, allowWatchBookmarks: true };
    new Watch(c.kc)
      .watch(
        path,
        query,
        (type: string, object: Doc) => {
          if (type === 'ERROR') return finish(object?.code === 410 ? { kind: 'gone' } : { kind: 'failed', error: statusError(object) });
          if (type === 'DELETED') return finish({ kind: 'deleted' });
          const rv = object?.metadata?.resourceVersion ?? resourceVersion;
          if (type === 'BOOKMARK') return seen(undefined, rv);
          if (type !== 'ADDED' && type !== 'MODIFIED') return;
          seen(object, rv);
          options.onUpdate?.(object);
          if (done(object)) finish({ kind: 'done', doc: object });
        },
        (err: unknown) => {
          const code = statusCode(err);
          if (code === 410) finish({ kind: 'gone' });
          else if (code === 403 || code === 401 || code === 404) finish({ kind: 'failed', error: err });
          else finish({ kind: 'dropped', connected, error: err });
        },
      )
      .then((ctrl) => {
        controller = ctrl;
        connected = true;
        if (settled) ctrl.abort();
      })
      .catch((error) => finish({ kind: 'failed', error }));
  });
}

function lastStatus(doc: Doc): string {
  const condition = (doc.status?.conditions ?? []).find((x: Doc) => x.type === 'Succeeded');
  return condition ? `${condition.status}/${condition.reason}` : 'no status yet';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// --- errors -----------------------------------------------------------------------------------

function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

/** The Kubernetes Status object in an error body (a string or already parsed). */
function statusBody(err: unknown): Doc | undefined {
  const body = (err as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  return body && typeof body === 'object' ? (body as Doc) : undefined;
}

function namesObject(err: unknown, name: string): boolean {
  const status = statusBody(err);
  return status?.kind === 'Status' && status.details?.name === name;
}

function statusError(status: Doc): Error & { code: number; body: Doc } {
  return Object.assign(new Error(status?.message ?? 'watch error'), { code: Number(status?.code) || 500, body: status });
}

function apiError(err: unknown, c: Cluster, what: { verb: string; resource: string; name: string }): CnbReportError {
  if (isCnbReportError(err)) return err;
  const code = statusCode(err);
  const status = statusBody(err);
  const kind = what.resource.split('/').pop()!.replace(/s$/, '');
  if (code === 404) return new CnbReportError('NOT_FOUND', `${kind} ${what.name} not found in namespace ${c.namespace}`, { cause: err });
  if (code === 403) {
    return new CnbReportError(
      'FORBIDDEN',
      `forbidden: cannot ${what.verb} ${what.resource} in namespace ${c.namespace}; the account needs RBAC verb "${what.verb}" on resource "${what.resource}"${status?.message ? ` (${status.message})` : ''}`,
      { cause: err },
    );
  }
  if (code === 401) return new CnbReportError('FORBIDDEN', `unauthorized: the API server at ${c.server} did not accept the credentials`, { cause: err });
  if (code !== undefined) {
    return new CnbReportError('CLUSTER_ERROR', `${what.verb} ${what.resource} ${what.name}: HTTP ${code}${status?.message ? `: ${status.message}` : ''}`, { cause: err });
  }
  const e = err as { cause?: { code?: string }; code?: unknown; message?: string };
  const reason = e?.cause?.code ?? (typeof e?.code === 'string' ? e.code : undefined) ?? e?.message ?? String(err);
  return new CnbReportError('CLUSTER_ERROR', `cannot reach the API server at ${c.server}: ${reason}`, { cause: err });
}
