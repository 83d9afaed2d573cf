// One registry request: Node's fetch with a per-request timeout, retries with backoff for 429
// and 5xx (honouring Retry-After), redirects followed by hand (bounded, never from https to
// http, each target checked by the caller), bodies read with a size cap, and network failures
// classified into one-line errors.

import { MAX_TIMER_MS } from '../../core/duration.ts';
import { CnbReportError } from '../../core/errors.ts';

export interface RequestOptions {
  /** Per request. */
  readonly timeoutMs: number;
  /** Attempts for 429 and 5xx, with exponential backoff from `backoffMs`. */
  readonly attempts?: number;
  readonly backoffMs?: number;
}

/** A request body and its headers (e.g. Content-Type), for pushes. */
export interface RequestBody {
  readonly body?: Uint8Array<ArrayBuffer> | string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SendHooks {
  /**
   * Called with every redirect target before it is requested; throws to refuse it. The token
   * service's redirects are checked with the realm rule (auth.ts).
   */
  readonly checkRedirect?: (target: URL) => void;
}

/**
 * Where a registry's API is reached: Docker Hub's at registry-1.docker.io (as
 * go-containerregistry does), over plain HTTP only for a registry named insecure.
 */
export function registryEndpoint(registry: string, insecure: readonly string[]): { base: string; host: string; insecure: boolean } {
  const host = registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
  const plain = insecure.includes(registry);
  return { base: `${plain ? 'http' : 'https'}://${host}`, host, insecure: plain };
}

/** Go's http.Client stops after 10 redirects; so does go-containerregistry's realm check. */
export const MAX_REDIRECTS = 10;

/** One request with retries: 429 and 5xx are retried with backoff; network errors are classified. */
export async function send(
  url: string,
  method: string,
  authorization: string | undefined,
  options: RequestOptions,
  what: string,
  accept: string,
  extra: RequestBody & SendHooks = {},
): Promise<Response> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const response = await follow(url, method, authorization, options, what, accept, extra);
    if (response.status !== 429 && response.status < 500) return response;
    await discard(response);
    if (attempt >= attempts)
      throw new CnbReportError('REGISTRY_ERROR', `${what}: the registry answered HTTP ${response.status} ${attempts} times`);
    const retryAfter = Number(response.headers.get('retry-after'));
    const backoff = (options.backoffMs ?? 500) * 2 ** (attempt - 1);
    await new Promise((r) => setTimeout(r, Math.min(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff, 10_000)));
  }
}

/**
 * fetch with `redirect: 'manual'`: at most MAX_REDIRECTS hops, never from https to http, the
 * Authorization header dropped when the origin changes (as Go's client does), and each target
 * passed to `hooks.checkRedirect` first. Only reads (GET, HEAD) follow redirects: a push is
 * never re-sent, with its body and credentials, to where a redirect points; the caller sees the
 * 3xx as the unexpected answer it is.
 */
async function follow(
  url: string,
  method: string,
  authorization: string | undefined,
  options: RequestOptions,
  what: string,
  accept: string,
  extra: RequestBody & SendHooks,
): Promise<Response> {
  let target = new URL(url);
  let auth = authorization;
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers: { Accept: accept, ...extra.headers, ...(auth && { Authorization: auth }) },
        ...(extra.body !== undefined && { body: extra.body }),
        signal: AbortSignal.timeout(Math.min(options.timeoutMs, MAX_TIMER_MS)),
        redirect: 'manual',
      });
    } catch (err) {
      throw unreachable(err, target.href, what, options);
    }
    const location = response.headers.get('location');
    const read = method === 'GET' || method === 'HEAD';
    if (!read || response.status < 300 || response.status > 399 || response.status === 304 || location === null) return response;
    await discard(response);
    if (hop >= MAX_REDIRECTS)
      throw new CnbReportError('REGISTRY_ERROR', `${what}: more than ${MAX_REDIRECTS} redirects from ${target.host}`);
    let next: URL;
    try {
      next = new URL(location, target);
    } catch {
      throw new CnbReportError('REGISTRY_ERROR', `${what}: ${target.host} redirects to an invalid URL`);
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:')
      throw new CnbReportError('REGISTRY_ERROR', `${what}: refusing a redirect from ${target.host} to a ${next.protocol.slice(0, -1)} URL`);
    if (target.protocol === 'https:' && next.protocol === 'http:')
      throw new CnbReportError('REGISTRY_ERROR', `${what}: refusing a redirect from https://${target.host} to plain http://${next.host}`);
    extra.checkRedirect?.(next);
    if (next.origin !== target.origin) auth = undefined;
    target = next;
  }
}

/**
 * Read a response body, at most `limit` bytes: past the cap the stream is cancelled and a
 * one-line REGISTRY_ERROR thrown, so a hostile server cannot fill memory.
 */
export async function readBody(response: Response, limit: number, what = 'response'): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await discard(response);
    throw new CnbReportError('REGISTRY_ERROR', `${what}: the body is ${declared} bytes, over the ${limit}-byte limit`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw new CnbReportError('REGISTRY_ERROR', `${what}: the body is over the ${limit}-byte limit`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if ((err as CnbReportError).name === 'CnbReportError') throw err;
    const e = err as { name?: string };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new CnbReportError('REGISTRY_UNREACHABLE', `${what}: the body did not arrive in time`, { cause: err });
    throw new CnbReportError('REGISTRY_UNREACHABLE', `${what}: the connection broke while reading the body`, { cause: err });
  }
  return Buffer.concat(chunks);
}

/** Release a response whose body is not wanted (a HEAD, an error, a redirect). */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}

function unreachable(err: unknown, url: string, what: string, options: RequestOptions): CnbReportError {
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === 'TimeoutError')
    return new CnbReportError('REGISTRY_UNREACHABLE', `${what}: no answer from ${new URL(url).host} within ${options.timeoutMs} ms`, {
      cause: err,
    });
  const code = e.cause?.code ?? '';
  const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_SSL/.test(code) || /certificate|ssl|tls/i.test(e.cause?.message ?? '');
  if (tls)
    return new CnbReportError(
      'REGISTRY_UNREACHABLE',
      `${what}: TLS error talking to ${new URL(url).host}: ${code || e.cause?.message} (name it with --insecure-registry only if it really serves plain HTTP)`,
      { cause: err },
    );
  return new CnbReportError(
    'REGISTRY_UNREACHABLE',
    `${what}: cannot reach ${new URL(url).host}: ${code || e.cause?.message || e.message}`,
    { cause: err },
  );
}
