// `cnb-report show`: the validated report, for pack users (--report-output-dir) and scripts.

import { formatReport, type ShowFormat } from '../../core/format.ts';
import { loadReport, loadRunImage } from '../../edge/input.ts';

export function runShow(options: { report: string; analyzed?: string | undefined; output: ShowFormat }, io: { out: (t: string) => void; err: (t: string) => void }): void {
  const report = loadReport(options.report);
  const runImage = loadRunImage(options.report, options.analyzed, io.err);
  io.out(formatReport(report, options.output, runImage));
}
