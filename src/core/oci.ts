// OCI and Docker data shapes and media types, each named after the spec that defines it.

// https://github.com/opencontainers/image-spec/blob/v1.1.0/media-types.md
export const MEDIATYPE_OCI_LAYOUT_HEADER_V1 = 'application/vnd.oci.layout.header.v1+json';
export const MEDIATYPE_OCI_IMAGE_INDEX_V1 = 'application/vnd.oci.image.index.v1+json';
export const MEDIATYPE_OCI_IMAGE_MANIFEST_V1 = 'application/vnd.oci.image.manifest.v1+json';

// https://distribution.github.io/distribution/spec/manifest-v2-2/
export const MEDIATYPE_DOCKER_MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIATYPE_DOCKER_MANIFEST_LIST_V2 = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** The manifest types a descriptor for a lifecycle-built image can carry. */
export const MANIFEST_MEDIA_TYPES = {
  oci: MEDIATYPE_OCI_IMAGE_MANIFEST_V1,
  docker: MEDIATYPE_DOCKER_MANIFEST_V2,
} as const;

export type ManifestFormat = keyof typeof MANIFEST_MEDIA_TYPES;

// https://github.com/opencontainers/image-spec/blob/v1.1.0/annotations.md
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

// https://github.com/opencontainers/image-spec/blob/v1.1.0/image-index.md (platform)
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

// https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations: Record<string, string>;
}
