// One OCI image index from per-platform image manifests: what `cnb-report index` checks and
// renders. Pure: the registry reads and writes are in src/edge/registry/manifests.ts.
//
// The lifecycle builds one platform per run and never writes an index; a multi-arch image is one
// build per platform plus an index naming each manifest with its platform
// (https://github.com/opencontainers/image-spec/blob/v1.1.0/image-index.md). The platform of a
// manifest is read from its config blob (os, architecture, variant, os.version:
// https://github.com/opencontainers/image-spec/blob/v1.1.0/config.md), not taken on trust.

import { createHash } from 'node:crypto';
import { CnbReportError, quote } from './errors.ts';
import {
  MEDIATYPE_DOCKER_MANIFEST_LIST_V2,
  MEDIATYPE_DOCKER_MANIFEST_V2,
  MEDIATYPE_OCI_IMAGE_INDEX_V1,
  MEDIATYPE_OCI_IMAGE_MANIFEST_V1,
} from './oci.ts';
import { parseTagReference, repositoryKey, SHA256_DIGEST, type Reference } from './reference.ts';
import { RESULT_NAMES, type Result } from './results.ts';

export const INDEX_MEDIA_TYPES: readonly string[] = [MEDIATYPE_OCI_IMAGE_INDEX_V1, MEDIATYPE_DOCKER_MANIFEST_LIST_V2];
export const IMAGE_MANIFEST_MEDIA_TYPES: readonly string[] = [MEDIATYPE_OCI_IMAGE_MANIFEST_V1, MEDIATYPE_DOCKER_MANIFEST_V2];

/** A `--manifest`: `name[:tag]@sha256:…` (the tag is allowed and ignored). */
export interface ChildReference extends Reference {
  readonly text: string;
  readonly digest: string;
}

/** A `--tag`: where the index goes. */
export interface TagReference extends Reference {
  readonly text: string;
}

export interface IndexPlan {
  readonly tags: readonly TagReference[];
  /** The one repository every tag names: the index's repository. */
  readonly target: TagReference;
  readonly children: readonly ChildReference[];
}

/** Parse and check the command's references: all tags in one repository, children on its registry. */
export function planIndex(tags: readonly string[], manifests: readonly string[]): IndexPlan {
  if (tags.length === 0) throw new CnbReportError('USAGE', 'name the index with at least one --tag REF');
  if (manifests.length === 0) throw new CnbReportError('USAGE', 'name the per-platform images with at least one --manifest REF@DIGEST');
  const parsedTags = tags.map(parseTag);
  const target = parsedTags[0]!;
  const elsewhere = parsedTags.filter((t) => repositoryKey(t) !== repositoryKey(target));
  if (elsewhere.length) {
    throw new CnbReportError(
      'INDEX_WRONG_REPOSITORY',
      `--tag ${quote(elsewhere[0]!.text)} is not in ${repositoryKey(target)}: every --tag must name the same repository`,
    );
  }
  const children = manifests.map(parseChild);
  const foreign = children.filter((c) => c.registry !== target.registry);
  if (foreign.length) {
    throw new CnbReportError(
      'INDEX_WRONG_REPOSITORY',
      `--manifest ${quote(foreign[0]!.text)} is on ${foreign[0]!.registry}, not on ${target.registry}: an index can only name manifests on its own registry (copy it there first)`,
    );
  }
  return { tags: parsedTags, target, children };
}

function parseTag(text: string): TagReference {
  const ref = parseTagReference(text);
  if (typeof ref === 'string') throw new CnbReportError('USAGE', `--tag ${quote(text)} ${ref}`);
  return { ...ref, text };
}

export function parseChild(text: string): ChildReference {
  const at = text.indexOf('@');
  if (at < 0) {
    throw new CnbReportError(
      'INDEX_NO_DIGEST',
      `--manifest ${quote(text)} has no digest: pass what the build reported, IMAGE_URL@IMAGE_DIGEST`,
    );
  }
  const digest = text.slice(at + 1);
  if (!SHA256_DIGEST.test(digest)) {
    throw new CnbReportError(
      'INDEX_NO_DIGEST',
      `--manifest ${quote(text)}: the digest is not sha256: followed by 64 lowercase hex characters`,
    );
  }
  const ref = parseTagReference(text.slice(0, at));
  if (typeof ref === 'string') throw new CnbReportError('USAGE', `--manifest ${quote(text)} ${ref}`);
  return { ...ref, text, digest };
}

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface BlobDescriptor {
  readonly digest: string;
  readonly size: number;
}

/** An image manifest as the registry served it: the exact bytes, and the blobs it needs. */
export interface ChildManifest {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly config: BlobDescriptor;
  /** The config and every layer: what must exist in a repository before the manifest can be put there. */
  readonly blobs: readonly BlobDescriptor[];
}

/** Validate a served manifest: an image manifest (not an index), with a config and layers by sha256 digest. */
export function parseChildManifest(bytes: Uint8Array, contentType: string, where: string): ChildManifest {
  if (INDEX_MEDIA_TYPES.includes(contentType)) throw isIndex(where, contentType);
  let doc: Record<string, any>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new CnbReportError('REGISTRY_ERROR', `${where}: the registry served a manifest that is not JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new CnbReportError('REGISTRY_ERROR', `${where}: the manifest is not a JSON object`);
  if (INDEX_MEDIA_TYPES.includes(doc.mediaType) || Array.isArray(doc.manifests)) throw isIndex(where, String(doc.mediaType ?? contentType));
  if (!IMAGE_MANIFEST_MEDIA_TYPES.includes(contentType)) {
    throw new CnbReportError(
      'REGISTRY_ERROR',
      `${where}: unsupported manifest media type ${quote(contentType)} (expected an OCI or Docker v2 image manifest)`,
    );
  }
  if (doc.mediaType !== undefined && doc.mediaType !== contentType) {
    throw new CnbReportError(
      'REGISTRY_ERROR',
      `${where}: the manifest says mediaType ${quote(doc.mediaType)}, the registry served it as ${quote(contentType)}`,
    );
  }
  if (doc.schemaVersion !== 2) throw new CnbReportError('REGISTRY_ERROR', `${where}: schemaVersion is ${quote(doc.schemaVersion)}, not 2`);
  const config = blob(doc.config, `${where}: config`);
  if (!Array.isArray(doc.layers)) throw new CnbReportError('REGISTRY_ERROR', `${where}: the manifest has no layers array`);
  const layers = (doc.layers as unknown[]).map((l, i) => blob(l, `${where}: layers[${i}]`));
  return { mediaType: contentType, digest: sha256(bytes), size: bytes.length, bytes, config, blobs: [config, ...layers] };
}

function isIndex(where: string, mediaType: string): CnbReportError {
  return new CnbReportError(
    'INDEX_CHILD_IS_INDEX',
    `${where} is itself an image index (${mediaType}): name each platform's image manifest, not an index`,
  );
}

function blob(value: unknown, where: string): BlobDescriptor {
  const d = value as { digest?: unknown; size?: unknown } | null;
  if (typeof d !== 'object' || d === null) throw new CnbReportError('REGISTRY_ERROR', `${where}: not a descriptor`);
  if (typeof d.digest !== 'string' || !SHA256_DIGEST.test(d.digest))
    throw new CnbReportError('REGISTRY_ERROR', `${where}: digest ${quote(d.digest)} is not a sha256 digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0)
    throw new CnbReportError('REGISTRY_ERROR', `${where}: size ${quote(d.size)} is not a byte count`);
  return { digest: d.digest, size: d.size };
}

// https://github.com/opencontainers/image-spec/blob/v1.1.0/image-index.md (platform), in the
// key order of the spec's Go struct.
export interface IndexPlatform {
  readonly architecture: string;
  readonly os: string;
  readonly 'os.version'?: string;
  readonly variant?: string;
}

/** The platform an image config names; os and architecture are required. */
export function parsePlatform(bytes: Uint8Array, where: string): IndexPlatform {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new CnbReportError('REGISTRY_ERROR', `${where}: the config blob is not JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new CnbReportError('REGISTRY_ERROR', `${where}: the config blob is not a JSON object`);
  const missing = (['os', 'architecture'] as const).filter((k) => typeof doc[k] !== 'string' || doc[k] === '');
  if (missing.length) {
    throw new CnbReportError(
      'INDEX_NO_PLATFORM',
      `${where}: the image config has no ${missing.join(' and no ')}, so it cannot be placed in an index by platform`,
    );
  }
  const optional = (key: 'variant' | 'os.version') => {
    const v = doc[key];
    if (v === undefined || v === '') return {};
    if (typeof v !== 'string')
      throw new CnbReportError('REGISTRY_ERROR', `${where}: the image config's ${key} is ${quote(v)}, not a string`);
    return { [key]: v };
  };
  return { architecture: doc.architecture as string, os: doc.os as string, ...optional('os.version'), ...optional('variant') };
}

/** `linux/arm64/v8`, with `:os.version` when there is one: how platforms are named and sorted. */
export function platformName(p: IndexPlatform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}${p['os.version'] ? `:${p['os.version']}` : ''}`;
}

export interface IndexChild {
  readonly reference: ChildReference;
  readonly manifest: ChildManifest;
  readonly platform: IndexPlatform;
}

/** One image per platform: an index with two for one platform leaves the choice to each client. */
export function checkPlatforms(children: readonly IndexChild[]): void {
  const seen = new Map<string, IndexChild>();
  for (const child of children) {
    const key = platformName(child.platform);
    const first = seen.get(key);
    if (first) {
      // Both references passed parseChild: plain ASCII from the reference grammar, safe to print whole.
      throw new CnbReportError(
        'INDEX_DUPLICATE_PLATFORM',
        `--manifest ${first.reference.text} and ${child.reference.text} are both ${key}: an index holds one image per platform`,
      );
    }
    seen.set(key, child);
  }
}

export interface RenderedIndex {
  readonly text: string;
  readonly digest: string;
  readonly size: number;
  /** The children in the index's order. */
  readonly children: readonly IndexChild[];
}

/**
 * The index as exact bytes: compact JSON, fixed key order, children sorted by platform then
 * digest, no annotations (no time, no tool version). The same children in any order give the
 * same bytes, so the same digest.
 */
export function renderIndex(children: readonly IndexChild[]): RenderedIndex {
  checkPlatforms(children);
  const sorted = [...children].sort(
    (a, b) => compare(platformName(a.platform), platformName(b.platform)) || compare(a.manifest.digest, b.manifest.digest),
  );
  const index = {
    schemaVersion: 2,
    mediaType: MEDIATYPE_OCI_IMAGE_INDEX_V1,
    manifests: sorted.map(({ manifest, platform }) => ({
      mediaType: manifest.mediaType,
      digest: manifest.digest,
      size: manifest.size,
      platform: { architecture: platform.architecture, os: platform.os, ...platformExtras(platform) },
    })),
  };
  const text = JSON.stringify(index);
  return { text, digest: sha256(text), size: Buffer.byteLength(text), children: sorted };
}

function platformExtras(p: IndexPlatform): Partial<IndexPlatform> {
  return { ...(p['os.version'] && { 'os.version': p['os.version'] }), ...(p.variant && { variant: p.variant }) };
}

// By code unit, not locale: the order must not depend on the machine.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The Tekton results: the pair names the index (the first --tag as given, the index digest);
 * IMAGES names every child in the index's repository, one per line, so Chains signs the index
 * and each platform image once (tektoncd/chains pkg/artifacts/signable.go).
 */
export function renderIndexResults(plan: IndexPlan, index: RenderedIndex): Result[] {
  return [
    { name: RESULT_NAMES.url, value: plan.target.text },
    { name: RESULT_NAMES.digest, value: index.digest },
    { name: RESULT_NAMES.images, value: index.children.map((c) => `${plan.target.name}@${c.manifest.digest}`).join('\n') },
  ];
}
