// An OCI image layout that names the pushed image by digest, for tools that take a layout
// (https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md). The blobs stay in
// the registry, so blobs/ is empty; index.json holds one descriptor for the manifest.

import { CnbReportError } from './errors.ts';
import {
  ANNOTATION_REF_NAME,
  MANIFEST_MEDIA_TYPES,
  MEDIATYPE_OCI_IMAGE_INDEX_V1,
  type Descriptor,
  type ManifestFormat,
  type Platform,
} from './oci.ts';
import type { Report } from './report.ts';

export interface LayoutOptions {
  readonly format?: ManifestFormat;
  /** Media type and size as the registry served them; they override the report's guesses. */
  readonly served?: { readonly mediaType: string; readonly size: number };
  readonly platform?: Platform;
}

/** The files of the layout, as exact bytes: `oci-layout` and `index.json` (blobs/ is a directory). */
export function renderLayout(report: Report, options: LayoutOptions = {}): { 'oci-layout': string; 'index.json': string } {
  const descriptor = manifestDescriptor(report, options);
  const index = { schemaVersion: 2, mediaType: MEDIATYPE_OCI_IMAGE_INDEX_V1, manifests: [descriptor] };
  return {
    'oci-layout': JSON.stringify({ imageLayoutVersion: '1.0.0' }),
    'index.json': JSON.stringify(index),
  };
}

export function manifestDescriptor(report: Report, options: LayoutOptions = {}): Descriptor {
  const size = options.served?.size ?? report.manifestSize;
  if (report.digest === undefined) {
    throw new CnbReportError('NO_DIGEST', `${report.file}: no image.digest, so there is no manifest for an OCI layout to name`);
  }
  if (size === undefined) {
    throw new CnbReportError(
      'REPORT_INVALID',
      `${report.file}: image.manifest-size: missing, and an OCI layout descriptor needs the manifest size (Platform API 0.6 or later writes it)`,
    );
  }
  return {
    mediaType: options.served?.mediaType ?? MANIFEST_MEDIA_TYPES[options.format ?? 'oci'],
    digest: report.digest,
    size,
    ...(options.platform ? { platform: options.platform } : {}),
    annotations: { [ANNOTATION_REF_NAME]: report.tags[0]! },
  };
}
