// The validated report in the shapes cnb-report prints: its own document (json, toml) and
// KEY=value lines. env output is safe to eval because every value passed the reference and
// digest grammars (no spaces, quotes or `$`). Pure: strings out.

import type { RunImage } from './analyzed.ts';
import type { Report } from './report.ts';
import { otherRepositories, RESULT_NAMES } from './results.ts';

export const SHOW_FORMATS = ['json', 'toml', 'env'] as const;
export type ShowFormat = (typeof SHOW_FORMATS)[number];

/**
 * The report in its own shape: [image] in the lifecycle's key order, absent keys left out, and
 * the run image from analyzed.toml as a [run-image] table in analyzed.toml's own terms.
 */
export function reportDocument(report: Report, runImage?: RunImage): Record<string, Record<string, unknown>> {
  const image = {
    tags: report.tags,
    ...(report.digest !== undefined && { digest: report.digest }),
    ...(report.imageId !== undefined && { 'image-id': report.imageId }),
    ...(report.manifestSize !== undefined && { 'manifest-size': report.manifestSize }),
  };
  if (!runImage) return { image };
  const { platform } = runImage;
  const target = platform && {
    os: platform.os,
    arch: platform.architecture,
    ...(platform.variant && { 'arch-variant': platform.variant }),
  };
  return {
    image,
    'run-image': {
      ...(runImage.reference !== undefined && { reference: runImage.reference }),
      ...(runImage.image !== undefined && { image: runImage.image }),
      ...(target && { target }),
    },
  };
}

export function formatReport(report: Report, format: ShowFormat, runImage?: RunImage): string {
  const document = reportDocument(report, runImage);
  switch (format) {
    case 'json':
      return JSON.stringify(document, null, 2);
    case 'toml':
      return toml(document);
    case 'env':
      return [...envLines(report), ...(runImage?.reference ? [`RUN_IMAGE=${runImage.reference}`] : [])].join('\n');
  }
}

/** The lifecycle's TOML layout (two-space indent, nested tables indented); values are grammar-safe. */
function toml(document: Record<string, Record<string, unknown>>): string {
  const lines: string[] = [];
  const table = (name: string, entries: Record<string, unknown>, indent: string) => {
    if (lines.length) lines.push('');
    lines.push(`${indent}[${name}]`);
    const nested = Object.entries(entries).filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v));
    for (const [k, v] of Object.entries(entries))
      if (!nested.some(([n]) => n === k)) lines.push(`${indent}  ${k} = ${JSON.stringify(v).replaceAll(',', ', ')}`);
    for (const [k, v] of nested) table(`${name}.${k}`, v as Record<string, unknown>, `${indent}  `);
  };
  for (const [name, entries] of Object.entries(document)) table(name, entries, '');
  return lines.join('\n');
}

function envLines(report: Report): string[] {
  const lines = [`${RESULT_NAMES.url}=${report.tags[0]}`];
  if (report.digest !== undefined) {
    lines.push(`${RESULT_NAMES.digest}=${report.digest}`, `${RESULT_NAMES.images}=${otherRepositories(report).join(',')}`);
  }
  if (report.imageId !== undefined) lines.push(`${RESULT_NAMES.imageId}=${report.imageId}`);
  if (report.manifestSize !== undefined) lines.push(`MANIFEST_SIZE=${report.manifestSize}`);
  lines.push(`IMAGE_TAGS=${report.tags.join(',')}`);
  return lines;
}
