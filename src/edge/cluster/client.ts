// The Kubernetes edge, with @kubernetes/client-node: cluster access as kubectl does it, TaskRuns
// (tekton.dev/v1, falling back to v1beta1), pods, and a watch that survives dropped
// connections and expired resource versions. API errors become CnbReportErrors here.
// Only the cluster commands import this module (it is its own bundle, dist/cluster.js).
//
// client-node provides the kubeconfig (contexts, in-cluster config, tokens, client
// certificates, exec plugins, TLS agents). The requests and the watch use its request options
// with node:http(s) instead of its generated API clients and its Watch: those bring every
// Kubernetes model into the bundle (a third of `taskrun get`'s start-up), and its Watch
// buffers a line without limit (a server that never ends a line crashes it). Here every
// request ends by the command's deadline, and every body and watch line has a size cap.

import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { MAX_TIMER_MS } from '../../core/duration.ts';
import { CnbReportError, isCnbReportError, type ErrorCode } from '../../core/errors.ts';
import { readInput, type InputKind } from '../input.ts';

type Doc = Record<string, any>;
export type TektonVersion = 'v1' | 'v1beta1';

export interface Cluster {
  readonly namespace: string;
  readonly server: string;
  readonly kc: KubeConfig;
  /** Every request (and watch) ends by this time (ms since the epoch). */
  readonly deadline: number;
  /** The error a request that reaches the deadline gives: TIMEOUT when it is the user's --timeout. */
  readonly timeoutCode: ErrorCode;
}

/** An API answer (a TaskRun, a pod, one watch event) larger than this is refused. */
export const MAX_API_BODY = 16 * 1024 * 1024;
/** A kubeconfig larger than this is not one (and /dev/zero is not a file). */
export const MAX_KUBECONFIG_BYTES = 4 * 1024 * 1024;

export interface ConnectOptions {
  readonly deadline?: number;
  readonly timeoutCode?: ErrorCode;
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
export function connect(access: Access, options: ConnectOptions = {}): Cluster {
  const kc = new KubeConfig();
  const files = access.kubeconfig.filter((file) => existsSync(file));
  try {
    if (files.length) files.forEach((file, i) => (i === 0 ? loadFile(kc, file) : kc.mergeConfig(loadFile(new KubeConfig(), file), false)));
    else if (existsSync(SERVICE_ACCOUNT_TOKEN)) kc.loadFromCluster();
    else
      throw new CnbReportError(
        'CLUSTER_ERROR',
        'no cluster configured: set $KUBECONFIG, write ~/.kube/config, or run in a pod with a service account',
      );
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
  return { namespace, server, kc, deadline: options.deadline ?? Date.now() + 60_000, timeoutCode: options.timeoutCode ?? 'CLUSTER_ERROR' };
}

/**
 * As client-node's loadFromFile, but only a regular file of sane size: client-node reads
 * kubeconfigs whole and synchronously, so a FIFO would block it and /dev/zero fill memory.
 */
function loadFile(kc: KubeConfig, file: string): KubeConfig {
  const bytes = readInput(file, KUBECONFIG);
  if (bytes.length > MAX_KUBECONFIG_BYTES)
    throw new CnbReportError(
      'CLUSTER_ERROR',
      `${file}: ${bytes.length} bytes is too large for a kubeconfig (limit ${MAX_KUBECONFIG_BYTES})`,
    );
  kc.loadFromString(bytes.toString('utf8'));
  kc.makePathsAbsolute(dirname(file));
  return kc;
}

/** One API request with the kubeconfig's credentials; an HTTP error status is thrown as { code, body }. */
async function request(c: Cluster, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Doc> {
  const options: https.RequestOptions = {
    method,
    headers: { Accept: 'application/json', ...(body !== undefined && { 'Content-Type': 'application/json' }) },
  };
  await c.kc.applyToHTTPSOptions(options);
  const url = new URL(c.server.replace(/\/$/, '') + path);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      timer.clear();
      fn();
    };
    const timer = untilDeadline(c.deadline, () =>
      settle(() => {
        req.destroy();
        reject(timedOut(c));
      }),
    );
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      readCapped(res, MAX_API_BODY, (err, bytes) => {
        if (err) return settle(() => reject(err));
        const text = bytes!.toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON (e.g. "404 page not found"): keep the text
        }
        settle(() =>
          res.statusCode! >= 400
            ? reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: res.statusCode, body: parsed }))
            : resolve(parsed as Doc),
        );
      });
    });
    req.on('error', (err) => settle(() => reject(err)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * A response body, at most `limit` bytes; past it the connection is dropped and CLUSTER_ERROR
 * given. The callback is called once, synchronously with the event that decides it, so the
 * error is the cap and not the reset that dropping the connection causes.
 */
function readCapped(res: http.IncomingMessage, limit: number, done: (err: unknown, bytes?: Buffer) => void): void {
  let finished = false;
  const finish = (err: unknown, bytes?: Buffer) => {
    if (finished) return;
    finished = true;
    done(err, bytes);
  };
  const declared = Number(res.headers['content-length']);
  if (declared > limit) {
    finish(tooLarge(limit));
    return void res.destroy();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (d: Buffer) => {
    size += d.length;
    if (size > limit) {
      finish(tooLarge(limit));
      return void res.destroy();
    }
    chunks.push(d);
  });
  res.on('error', (err) => finish(err));
  res.on('aborted', () => finish(Object.assign(new Error('the connection broke mid-answer'), { code: 'ECONNRESET' })));
  res.on('end', () => finish(undefined, Buffer.concat(chunks)));
}

function tooLarge(limit: number): CnbReportError {
  return new CnbReportError('CLUSTER_ERROR', `the API server's answer is over ${limit} bytes; refusing to read more`);
}

function timedOut(c: Cluster): CnbReportError {
  return new CnbReportError(
    c.timeoutCode,
    `no answer from the API server at ${c.server} in time${c.timeoutCode === 'TIMEOUT' ? ' (--timeout)' : ''}`,
  );
}

/** setTimeout to an absolute time, in steps Node's timers can hold. */
function untilDeadline(deadline: number, fire: () => void): { clear: () => void } {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = deadline - Date.now();
    timer = setTimeout(left > MAX_TIMER_MS ? arm : fire, Math.max(0, Math.min(left, MAX_TIMER_MS)));
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}

const taskRunsPath = (c: Cluster, version: TektonVersion) =>
  `/apis/tekton.dev/${version}/namespaces/${encodeURIComponent(c.namespace)}/taskruns`;

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
    let req: http.ClientRequest | undefined;
    let connected = false;
    let settled = false;
    const finish = (outcome: WatchOutcome) => {
      if (settled) return;
      settled = true;
      timer.clear();
      req?.destroy();
      resolve(outcome);
    };
    const timer = untilDeadline(options.deadline, () => finish({ kind: 'timeout' }));
    const query = new URLSearchParams({
      watch: 'true',
      fieldSelector: `metadata.name=${name}`,
      resourceVersion,
      allowWatchBookmarks: 'true',
    });
    const onEvent = (type: string, object: Doc) => {
      if (type === 'ERROR') return finish(object?.code === 410 ? { kind: 'gone' } : { kind: 'failed', error: statusError(object) });
      if (type === 'DELETED') return finish({ kind: 'deleted' });
      const rv = object?.metadata?.resourceVersion ?? resourceVersion;
      if (type === 'BOOKMARK') return seen(undefined, rv);
      if (type !== 'ADDED' && type !== 'MODIFIED') return;
      seen(object, rv);
      options.onUpdate?.(object);
      if (done(object)) finish({ kind: 'done', doc: object });
    };
    const onError = (err: unknown) => {
      const code = statusCode(err);
      if (code === 410) finish({ kind: 'gone' });
      else if (code === 403 || code === 401 || code === 404) finish({ kind: 'failed', error: err });
      else if (isCnbReportError(err)) finish({ kind: 'failed', error: err });
      else finish({ kind: 'dropped', connected, error: err });
    };
    openWatch(c, `${taskRunsPath(c, version)}?${query}`, onEvent, onError, () => (connected = true)).then(
      (r) => {
        req = r;
        if (settled) r.destroy();
      },
      (error) => finish({ kind: 'failed', error }),
    );
  });
}

/**
 * A watch stream: newline-delimited JSON events (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes).
 * A line longer than MAX_API_BODY ends the watch with CLUSTER_ERROR; a non-200 answer is
 * reported as { code, body }; the end of the stream or a broken connection as an error.
 */
async function openWatch(
  c: Cluster,
  path: string,
  onEvent: (type: string, object: Doc) => void,
  onError: (err: unknown) => void,
  onConnected: () => void,
): Promise<http.ClientRequest> {
  const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
  await c.kc.applyToHTTPSOptions(options);
  const url = new URL(c.server.replace(/\/$/, '') + path);
  const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
    if (res.statusCode !== 200) {
      readCapped(res, MAX_API_BODY, (err, bytes) => {
        if (err) return onError(err);
        let body: unknown = bytes!.toString('utf8');
        try {
          body = JSON.parse(body as string);
        } catch {
          // keep the text
        }
        onError(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: res.statusCode, body }));
      });
      return;
    }
    onConnected();
    let pending: Buffer[] = [];
    let pendingSize = 0;
    res.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        const line = Buffer.concat([...pending, chunk.subarray(start, nl)]).toString('utf8');
        pending = [];
        pendingSize = 0;
        start = nl + 1;
        if (line.trim()) event(line);
      }
      pending.push(chunk.subarray(start));
      pendingSize += chunk.length - start;
      if (pendingSize > MAX_API_BODY) {
        onError(
          new CnbReportError('CLUSTER_ERROR', `a watch event from the API server is over ${MAX_API_BODY} bytes; refusing to read more`),
        );
        res.destroy();
      }
    });
    res.on('end', () => onError(Object.assign(new Error('the API server closed the watch'), { code: 'ECONNRESET' })));
    res.on('error', onError);
    res.on('aborted', () => onError(Object.assign(new Error('the watch connection broke'), { code: 'ECONNRESET' })));
  });
  const event = (line: string) => {
    let parsed: { type?: unknown; object?: unknown };
    try {
      parsed = JSON.parse(line);
    } catch {
      return onError(new CnbReportError('CLUSTER_ERROR', 'the API server sent a watch event that is not JSON'));
    }
    if (typeof parsed?.type === 'string') onEvent(parsed.type, parsed.object as Doc);
  };
  req.on('error', onError);
  req.end();
  return req;
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
  if (code === 401)
    return new CnbReportError('FORBIDDEN', `unauthorized: the API server at ${c.server} did not accept the credentials`, { cause: err });
  if (code !== undefined) {
    return new CnbReportError(
      'CLUSTER_ERROR',
      `${what.verb} ${what.resource} ${what.name}: HTTP ${code}${status?.message ? `: ${status.message}` : ''}`,
      { cause: err },
    );
  }
  const e = err as { cause?: { code?: string }; code?: unknown; message?: string };
  const reason = e?.cause?.code ?? (typeof e?.code === 'string' ? e.code : undefined) ?? e?.message ?? String(err);
  return new CnbReportError('CLUSTER_ERROR', `cannot reach the API server at ${c.server}: ${reason}`, { cause: err });
}
