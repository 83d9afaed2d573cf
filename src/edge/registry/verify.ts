// Verify against the registry that repository@digest exists, and learn the manifest's media
// type and size — report.toml records neither the type nor (before Platform API 0.6) the size.
// The distribution API (https://distribution.github.io/distribution/spec/api/): HEAD
// /v2/<name>/manifests/<digest> with Accept naming every manifest type, following the
// WWW-Authenticate challenge (Basic, or Bearer via the token endpoint). Node's fetch; no
// dependency.

import { CnbReportError } from '../../core/errors.ts';
import { credentialsFor, type Credentials } from './credentials.ts';
import { answerChallenge } from './auth.ts';
import { discard, registryEndpoint, send, type RequestOptions } from './http.ts';
import {
  MEDIATYPE_DOCKER_MANIFEST_LIST_V2,
  MEDIATYPE_DOCKER_MANIFEST_V2,
  MEDIATYPE_OCI_IMAGE_INDEX_V1,
  MEDIATYPE_OCI_IMAGE_MANIFEST_V1,
} from '../../core/oci.ts';

const ACCEPT = [
  MEDIATYPE_OCI_IMAGE_MANIFEST_V1,
  MEDIATYPE_DOCKER_MANIFEST_V2,
  MEDIATYPE_OCI_IMAGE_INDEX_V1,
  MEDIATYPE_DOCKER_MANIFEST_LIST_V2,
];

export interface Served {
  readonly mediaType: string;
  readonly size: number;
}

export interface VerifyOptions extends RequestOptions {
  /** Registry hosts reached over plain HTTP; every other one over HTTPS. */
  readonly insecure: readonly string[];
  readonly credentials: ReadonlyMap<string, Credentials>;
}

/** HEAD the manifest; throws a CnbReportError that says what went wrong, by class. */
export async function verifyManifest(registry: string, repository: string, digest: string, options: VerifyOptions): Promise<Served> {
  const endpoint = registryEndpoint(registry, options.insecure);
  const url = `${endpoint.base}/v2/${repository}/manifests/${digest}`;
  const what = `${registry}/${repository}@${digest}`;
  const creds = credentialsFor(options.credentials, registry);

  let authorization: string | undefined;
  const origin = { registry: endpoint.host, insecure: endpoint.insecure };
  let response = await send(url, 'HEAD', authorization, options, what, ACCEPT.join(', '));
  await discard(response);
  if (response.status === 401) {
    authorization = await answerChallenge(response.headers.get('www-authenticate') ?? '', repository, creds, options, what, origin);
    response = await send(url, 'HEAD', authorization, options, what, ACCEPT.join(', '));
    await discard(response);
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
  if (!ACCEPT.includes(mediaType))
    throw new CnbReportError('REGISTRY_ERROR', `${what}: unexpected Content-Type ${JSON.stringify(mediaType)}`);
  if (!Number.isSafeInteger(size) || size <= 0) throw new CnbReportError('REGISTRY_ERROR', `${what}: no usable Content-Length`);
  return { mediaType, size };
}
