// Reading and writing manifests and blobs on one registry, for `cnb-report index`, by the
// distribution API (https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md):
// GET a manifest or blob (bounded, digest checked), mount a blob from another repository,
// PUT a manifest, HEAD a tag. Authorization follows each challenge (Basic, or Bearer with the
// scopes the operation needs) and is remembered per scope set, as docker and
// go-containerregistry do, so a run asks the token service once per repository and action.

import { CnbReportError } from '../../core/errors.ts';
import { sha256 } from '../../core/imageindex.ts';
import {
  MEDIATYPE_DOCKER_MANIFEST_LIST_V2,
  MEDIATYPE_DOCKER_MANIFEST_V2,
  MEDIATYPE_OCI_IMAGE_INDEX_V1,
  MEDIATYPE_OCI_IMAGE_MANIFEST_V1,
} from '../../core/oci.ts';
import { answerChallenge } from './auth.ts';
import { credentialsFor } from './credentials.ts';
import { readBody, registryEndpoint, send, type RequestBody } from './http.ts';
import type { VerifyOptions } from './verify.ts';

export const MANIFEST_ACCEPT = [
  MEDIATYPE_OCI_IMAGE_MANIFEST_V1,
  MEDIATYPE_DOCKER_MANIFEST_V2,
  MEDIATYPE_OCI_IMAGE_INDEX_V1,
  MEDIATYPE_DOCKER_MANIFEST_LIST_V2,
].join(', ');
// distribution refuses manifests over 4 MiB (registry/handlers/manifests.go, maxManifestBodySize).
export const MANIFEST_LIMIT = 4 * 1024 * 1024;
// An image config is a few KiB; this leaves room for long histories without reading a layer by mistake.
export const CONFIG_LIMIT = 8 * 1024 * 1024;

export type RegistryOptions = VerifyOptions;

/** A blob or manifest as served: exact bytes and their Content-Type. */
export interface Fetched {
  readonly bytes: Uint8Array;
  readonly contentType: string;
}

type Action = 'pull' | 'pull,push';

export class RegistryClient {
  private readonly endpoint: ReturnType<typeof registryEndpoint>;
  private readonly authorizations = new Map<string, string | undefined>();

  constructor(
    readonly registry: string,
    private readonly options: RegistryOptions,
  ) {
    this.endpoint = registryEndpoint(registry, options.insecure);
  }

  private get credentials() {
    return credentialsFor(this.options.credentials, this.registry);
  }

  /** One request; on a 401, answer the challenge for exactly these scopes and try once more. */
  async request(
    method: string,
    path: string,
    scopes: ReadonlyArray<readonly [string, Action]>,
    what: string,
    accept: string,
    content?: RequestBody,
  ): Promise<Response> {
    const scope = scopes.map(([repo, action]) => `repository:${repo}:${action}`);
    const key = scope.join(' ');
    const url = `${this.endpoint.base}${path}`;
    let response = await send(url, method, this.authorizations.get(key), this.options, what, accept, content);
    if (response.status === 401) {
      await response.body?.cancel();
      const authorization = await answerChallenge(
        response.headers.get('www-authenticate') ?? '',
        scopes[0]![0],
        this.credentials,
        this.options,
        what,
        { registry: this.endpoint.host, insecure: this.endpoint.insecure },
        scope,
      );
      this.authorizations.set(key, authorization);
      response = await send(url, method, authorization, this.options, what, accept, content);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      const creds = this.credentials;
      const who = creds ? `as ${creds.username}` : 'anonymously (no credentials for this registry in the Docker config)';
      throw new CnbReportError('REGISTRY_DENIED', `${what}: the registry refused ${scope.join(' and ')} ${who} (HTTP ${response.status})`);
    }
    return response;
  }

  /** GET a manifest by digest; its sha256 must be the digest. */
  async getManifest(repository: string, digest: string): Promise<Fetched> {
    const what = `${this.registry}/${repository}@${digest}`;
    const response = await this.request('GET', `/v2/${repository}/manifests/${digest}`, [[repository, 'pull']], what, MANIFEST_ACCEPT);
    if (response.status === 404)
      throw new CnbReportError('MANIFEST_UNKNOWN', `${what}: the registry does not have this manifest (HTTP 404)`);
    return this.verified(response, what, digest, MANIFEST_LIMIT);
  }

  /** GET a blob (an image config) by digest; bounded, and its sha256 must be the digest. */
  async getBlob(repository: string, digest: string, limit = CONFIG_LIMIT): Promise<Fetched> {
    const what = `${this.registry}/${repository} blob ${digest}`;
    const response = await this.request('GET', `/v2/${repository}/blobs/${digest}`, [[repository, 'pull']], what, '*/*');
    if (response.status === 404) throw new CnbReportError('MANIFEST_UNKNOWN', `${what}: the registry does not have this blob (HTTP 404)`);
    return this.verified(response, what, digest, limit);
  }

  private async verified(response: Response, what: string, digest: string, limit: number): Promise<Fetched> {
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new CnbReportError('REGISTRY_ERROR', `${what}: the registry answered HTTP ${response.status}`);
    }
    const bytes = await readBody(response, limit, what);
    const actual = sha256(bytes);
    if (actual !== digest)
      throw new CnbReportError('REGISTRY_MISMATCH', `${what}: the registry served ${bytes.length} bytes whose digest is ${actual}`);
    return { bytes, contentType: (response.headers.get('content-type') ?? '').split(';')[0]!.trim() };
  }

  /** Does the repository serve this manifest (by digest or tag), and with which digest? */
  async headManifest(repository: string, reference: string): Promise<{ status: number; digest: string | null }> {
    const what = `${this.registry}/${repository}:${reference}`;
    const response = await this.request('HEAD', `/v2/${repository}/manifests/${reference}`, [[repository, 'pull']], what, MANIFEST_ACCEPT);
    if (response.status !== 200 && response.status !== 404)
      throw new CnbReportError('REGISTRY_ERROR', `${what}: the registry answered HTTP ${response.status}`);
    return { status: response.status, digest: response.headers.get('docker-content-digest') };
  }

  /**
   * Mount a blob from another repository of this registry (POST …/blobs/uploads/?mount=&from=).
   * 201 is a mount. A 202 is the registry starting an upload instead (it would not mount):
   * that upload is cancelled and the mount reported as refused.
   */
  async mountBlob(repository: string, from: string, digest: string): Promise<void> {
    const what = `mounting ${digest} from ${this.registry}/${from} into ${repository}`;
    const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const response = await this.request(
      'POST',
      `/v2/${repository}/blobs/uploads/?${query}`,
      [
        [repository, 'pull,push'],
        [from, 'pull'],
      ],
      what,
      '*/*',
      { body: '' },
    );
    await response.body?.cancel();
    if (response.status === 201) return;
    if (response.status === 202) {
      const location = response.headers.get('location');
      if (location) await this.cancelUpload(new URL(location, this.endpoint.base), repository, what);
      throw new CnbReportError(
        'REGISTRY_ERROR',
        `${what}: the registry would not mount the blob (HTTP 202, it offered an upload instead); push that platform's image to ${repository} instead`,
      );
    }
    if (response.status === 404)
      throw new CnbReportError('MANIFEST_UNKNOWN', `${what}: the registry does not have the blob in ${from} (HTTP 404)`);
    throw new CnbReportError('REGISTRY_ERROR', `${what}: the registry answered HTTP ${response.status}`);
  }

  private async cancelUpload(location: URL, repository: string, what: string): Promise<void> {
    if (location.origin !== new URL(this.endpoint.base).origin) return;
    try {
      const r = await this.request('DELETE', location.pathname + location.search, [[repository, 'pull,push']], what, '*/*');
      await r.body?.cancel();
    } catch {
      // Best effort: the registry expires abandoned uploads itself.
    }
  }

  /** PUT manifest bytes unchanged under a tag or digest; the registry must store that digest. */
  async putManifest(repository: string, reference: string, bytes: Uint8Array | string, mediaType: string): Promise<void> {
    const digest = sha256(bytes);
    const what = `pushing ${mediaType === MEDIATYPE_OCI_IMAGE_INDEX_V1 ? 'the index' : digest} to ${this.registry}/${repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    const response = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, [[repository, 'pull,push']], what, '*/*', {
      body: typeof bytes === 'string' ? bytes : new Uint8Array(bytes),
      headers: { 'Content-Type': mediaType },
    });
    const text = await readBody(response, 64 * 1024, what).then(
      (b) => Buffer.from(b).toString('utf8'),
      () => '',
    );
    if (response.status !== 201 && response.status !== 200) {
      const reason = /"code"\s*:\s*"([A-Z_]+)"/.exec(text)?.[1];
      throw new CnbReportError(
        response.status === 404 && reason === 'MANIFEST_BLOB_UNKNOWN' ? 'MANIFEST_UNKNOWN' : 'REGISTRY_ERROR',
        `${what}: the registry answered HTTP ${response.status}${reason ? ` ${reason}` : ''}`,
      );
    }
    const stored = response.headers.get('docker-content-digest');
    if (stored && stored !== digest)
      throw new CnbReportError('REGISTRY_MISMATCH', `${what}: the registry stored digest ${stored}, not ${digest}`);
  }
}
