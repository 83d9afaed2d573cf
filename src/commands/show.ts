// `cnb-report show`: the validated report, for pack users (--report-output-dir) and scripts.
// json and toml keep the report's own shape; env is KEY=value lines safe to eval, because every
// value passed the reference and digest grammars (no spaces, quotes or `$`).

import { loadReport } from '../input.ts';
import { reportDocument, type Report } from '../report.ts';
import { otherRepositories, RESULT_NAMES } from '../results.ts';

export const SHOW_FORMATS = ['json', 'toml', 'env'] as const;
export type ShowFormat = (typeof SHOW_FORMATS)[number];

export function runShow(options: { report: string; output: ShowFormat }, print: (text: string) => void): void {
  const report = loadReport(options.report);
  print(formatReport(report, options.output));
}

export function formatReport(report: Report, format: ShowFormat): string {
  const { image } = reportDocument(report);
  switch (format) {
    case 'json':
      return JSON.stringify({ image }, null, 2);
    case 'toml':
      return ['[image]', ...Object.entries(image).map(([k, v]) => `  ${k} = ${JSON.stringify(v).replaceAll(',', ', ')}`)].join('\n');
    case 'env':
      return envLines(report).join('\n');
  }
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
