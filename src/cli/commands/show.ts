// `cnb-report show`: the validated report, for pack users (--report-output-dir) and scripts.

import { formatReport } from '../../core/format.ts';
import { loadReport, loadRunImage } from '../../edge/input.ts';
import type { ShowOptions } from '../resolve.ts';

export async function runShow(options: ShowOptions, io: { out: (t: string) => void; err: (t: string) => void }): Promise<void> {
  const report = await loadReport(options.report);
  const runImage = await loadRunImage(options.analyzed, io.err);
  io.out(formatReport(report, options.output, runImage));
}
