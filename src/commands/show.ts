// `cnb-report show`: the validated report, for pack users (--report-output-dir) and scripts.
// json and toml keep the report's own shape; env is KEY=value lines safe to eval, because every
// value passed the reference and digest grammars (no spaces, quotes or `$`).

import type { RunImage } from '../analyzed.ts';
import { loadReport, loadRunImage } from '../input.ts';
import { reportDocument, type Report } from '../report.ts';
import { otherRepositories, RESULT_NAMES } from '../results.ts';

export const SHOW_FORMATS = ['json', 'toml', 'env'] as const;
export type ShowFormat = (typeof SHOW_FORMATS)[number];

export function runShow(options: { report: string; analyzed?: string | undefined; output: ShowFormat }, io: { out: (t: string) => void; err: (t: string) => void }): void {
  const report = loadReport(options.report);
  const runImage = loadRunImage(options.report, options.analyzed, io.err);
  io.out(formatReport(report, options.output, runImage));
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
    for (const [k, v] of Object.entries(entries)) if (!nested.some(([n]) => n === k)) lines.push(`${indent}  ${k} = ${JSON.stringify(v).replaceAll(',', ', ')}`);
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
