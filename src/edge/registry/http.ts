// One registry request: Node's fetch with a per-request timeout, retries with backoff for 429
// and 5xx (honouring Retry-After), and network failures classified into one-line errors.

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

/** One request with retries: 429 and 5xx are retried with backoff; network errors are classified. */
export async function send(url: string, method: string, authorization: string | undefined, options: RequestOptions, what: string, accept: string, content: RequestBody = {}): Promise<Response> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { Accept: accept, ...content.headers, ...(authorization && { Authorization: authorization }) },
        ...(content.body !== undefined && { body: content.body }),
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'follow',
      });
    } catch (err) {
      throw unreachable(err, url, what, options);
    }
    if ((response.status !== 429 && response.status < 500) || attempt >= attempts) {
      if (response.status === 429 || response.status >= 500) {
        throw new CnbReportError('REGISTRY_ERROR', `${what}: the registry answered HTTP ${response.status} ${attempts} times`);
      }
      return response;
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    const backoff = (options.backoffMs ?? 500) * 2 ** (attempt - 1);
    await new Promise((r) => setTimeout(r, Math.min(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff, 10_000)));
  }
}

function unreachable(err: unknown, url: string, what: string, options: RequestOptions): CnbReportError {
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === 'TimeoutError') return new CnbReportError('REGISTRY_UNREACHABLE', `${what}: no answer from ${new URL(url).host} within ${options.timeoutMs} ms`, { cause: err });
  const code = e.cause?.code ?? '';
  const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_SSL/.test(code) || /certificate|ssl|tls/i.test(e.cause?.message ?? '');
  if (tls) return new CnbReportError('REGISTRY_UNREACHABLE', `${what}: TLS error talking to ${new URL(url).host}: ${code || e.cause?.message} (name it with --insecure-registry only if it really serves plain HTTP)`, { cause: err });
  return new CnbReportError('REGISTRY_UNREACHABLE', `${what}: cannot reach ${new URL(url).host}: ${code || e.cause?.message || e.message}`, { cause: err });
}
