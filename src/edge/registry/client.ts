// Verify against the registry that repository@digest exists, and learn the manifest's media
// type and size — report.toml records neither the type nor (before Platform API 0.6) the size.
// The distribution API (https://distribution.github.io/distribution/spec/api/): HEAD
// /v2/<name>/manifests/<digest> with Accept naming every manifest type, following the
// WWW-Authenticate challenge (Basic, or Bearer via the token endpoint). Node's fetch; no
// dependency.

import { CnbReportError } from '../../core/errors.ts';
import type { Credentials } from './credentials.ts';
import {
  MEDIATYPE_DOCKER_MANIFEST_LIST_V2,
  MEDIATYPE_DOCKER_MANIFEST_V2,
  MEDIATYPE_OCI_IMAGE_INDEX_V1,
  MEDIATYPE_OCI_IMAGE_MANIFEST_V1,
} from '../../core/oci.ts';

const ACCEPT = [MEDIATYPE_OCI_IMAGE_MANIFEST_V1, MEDIATYPE_DOCKER_MANIFEST_V2, MEDIATYPE_OCI_IMAGE_INDEX_V1, MEDIATYPE_DOCKER_MANIFEST_LIST_V2];

export interface Served {
  readonly mediaType: string;
  readonly size: number;
}

export interface VerifyOptions {
  /** Registry hosts reached over plain HTTP; every other one over HTTPS. */
  readonly insecure: readonly string[];
  readonly credentials: ReadonlyMap<string, Credentials>;
  /** Per request. */
  readonly timeoutMs: number;
  /** Attempts for 429 and 5xx, with exponential backoff from `backoffMs`. */
  readonly attempts?: number;
  readonly backoffMs?: number;
}

/** HEAD the manifest; throws a CnbReportError that says what went wrong, by class. */
export async function verifyManifest(registry: string, repository: string, digest: string, options: VerifyOptions): Promise<Served> {
  const host = registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
  const scheme = options.insecure.includes(registry) ? 'http' : 'https';
  const url = `${scheme}://${host}/v2/${repository}/manifests/${digest}`;
  const what = `${registry}/${repository}@${digest}`;
  const creds = options.credentials.get(registry.toLowerCase()) ?? (registry === 'index.docker.io' ? options.credentials.get('docker.io') : undefined);

  let authorization: string | undefined;
  let response = await send(url, 'HEAD', authorization, options, what);
  if (response.status === 401) {
    authorization = await answerChallenge(response.headers.get('www-authenticate') ?? '', repository, creds, options, what);
    response = await send(url, 'HEAD', authorization, options, what);
  }
  const status = response.status;
  if (status === 401 || status === 403) {
    const who = creds ? `as ${creds.username}` : 'anonymously (no credentials for this registry in the Docker config)';
    throw new CnbReportError('REGISTRY_DENIED', `${what}: the registry refused access ${who} (HTTP ${status})`);
  }
  if (status === 404) throw new CnbReportError('MANIFEST_UNKNOWN', `${what}: the registry does not have this manifest (HTTP 404)`);
  if (status !== 200) throw new CnbReportError('REGISTRY_ERROR', `${what}: the registry answered HTTP ${status}`);

  const served = response.headers.get('docker-content-digest');
  if (served && served !== digest) throw new CnbReportError('REGISTRY_MISMATCH', `${what}: the registry serves digest ${served}`);
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const size = Number(response.headers.get('content-length'));
  if (!ACCEPT.includes(mediaType)) throw new CnbReportError('REGISTRY_ERROR', `${what}: unexpected Content-Type ${JSON.stringify(mediaType)}`);
  if (!Number.isSafeInteger(size) || size <= 0) throw new CnbReportError('REGISTRY_ERROR', `${what}: no usable Content-Length`);
  return { mediaType, size };
}

/** One request with retries: 429 and 5xx are retried with backoff; network errors are classified. */
async function send(url: string, method: string, authorization: string | undefined, options: VerifyOptions, what: string, accept = ACCEPT.join(', ')): Promise<Response> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { Accept: accept, ...(authorization && { Authorization: authorization }) },
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

function unreachable(err: unknown, url: string, what: string, options: VerifyOptions): CnbReportError {
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === 'TimeoutError') return new CnbReportError('REGISTRY_UNREACHABLE', `${what}: no answer from ${new URL(url).host} within ${options.timeoutMs} ms`, { cause: err });
  const code = e.cause?.code ?? '';
  const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_SSL/.test(code) || /certificate|ssl|tls/i.test(e.cause?.message ?? '');
  if (tls) return new CnbReportError('REGISTRY_UNREACHABLE', `${what}: TLS error talking to ${new URL(url).host}: ${code || e.cause?.message} (name it with --insecure-registry only if it really serves plain HTTP)`, { cause: err });
  return new CnbReportError('REGISTRY_UNREACHABLE', `${what}: cannot reach ${new URL(url).host}: ${code || e.cause?.message || e.message}`, { cause: err });
}

/** The Authorization header that answers a WWW-Authenticate challenge. */
async function answerChallenge(header: string, repository: string, creds: Credentials | undefined, options: VerifyOptions, what: string): Promise<string | undefined> {
  const scheme = /^\s*(\w+)/.exec(header)?.[1]?.toLowerCase();
  const basic = creds && `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
  if (scheme === 'basic') return basic;
  if (scheme !== 'bearer') return undefined;
  const params = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
  if (!params.realm) throw new CnbReportError('REGISTRY_ERROR', `${what}: a Bearer challenge without a realm`);
  const token = new URL(params.realm);
  if (params.service) token.searchParams.set('service', params.service);
  token.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
  const response = await send(token.href, 'GET', basic, options, what, 'application/json');
  if (response.status === 401 || response.status === 403) {
    throw new CnbReportError('REGISTRY_DENIED', `${what}: the token service ${token.host} refused ${creds ? `the credentials of ${creds.username}` : 'anonymous access'} (HTTP ${response.status})`);
  }
  if (response.status !== 200) throw new CnbReportError('REGISTRY_ERROR', `${what}: the token service ${token.host} answered HTTP ${response.status}`);
  const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
  const value = body.token ?? body.access_token;
  if (!value) throw new CnbReportError('REGISTRY_ERROR', `${what}: the token service ${token.host} returned no token`);
  return `Bearer ${value}`;
}
