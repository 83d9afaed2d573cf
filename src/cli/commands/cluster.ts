// `taskrun get`, `taskrun create` and `pod get`: the commands that talk to a cluster. This
// module and @kubernetes/client-node load only when one of them runs.

import yaml from 'js-yaml';
import { CnbReportError, isCnbReportError, printable, quote } from '../../core/errors.ts';
import { checkExpansion } from '../../core/expansion.ts';
import { connect, createTaskRun, getPod, getTaskRun, waitForTaskRun, type Cluster } from '../../edge/cluster/client.ts';
import { readInput, type InputKind } from '../../edge/input.ts';
import { containerMessage, parseTerminationMessage } from '../../core/termination.ts';
import { summarize, type TaskRunSummary } from '../../core/taskrun.ts';
import { formatReport, reportDocument } from '../../core/format.ts';
import type { PodGetOptions, TaskRunCreateOptions, TaskRunGetOptions, WaitOptions } from '../resolve.ts';

type Doc = Record<string, any>;

const TASKRUN_FILE: InputKind = { what: 'file', unreadable: 'USAGE', invalid: 'USAGE' };
type Print = (text: string) => void;

type TaskRunFormat = WaitOptions['output'];

interface Io {
  readonly out: Print;
  readonly err: Print;
  readonly progress: boolean;
}

export async function runTaskRunGet(options: TaskRunGetOptions, io: Io): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const cluster = connect(options, { deadline, timeoutCode: 'TIMEOUT' });
  await getAndReport(cluster, options.name, options, deadline, io);
}

export async function runTaskRunCreate(options: TaskRunCreateOptions, io: Io): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const docs = taskRunsIn(options.file);
  checkNamespaces(docs, options.file, options.namespace);
  const cluster = connect(options, { deadline, timeoutCode: 'TIMEOUT' });
  const created: { name: string; cluster: Cluster }[] = [];
  for (const doc of docs) {
    // As kubectl: each document goes to its own metadata.namespace, else -n, else the context's.
    const target = { ...cluster, namespace: doc.metadata?.namespace ?? cluster.namespace };
    try {
      created.push({ name: (await createTaskRun(target, doc)).metadata.name, cluster: target });
    } catch (err) {
      throw partialCreate(err, created);
    }
  }
  // With --wait, stdout carries only the result (-o env stays eval-safe); names go to stderr.
  for (const { name } of created) (options.wait ? io.err : io.out)(options.wait ? `created taskrun ${name}` : name);
  if (!options.wait) return;
  for (const { name, cluster: target } of created) await getAndReport(target, name, options, deadline, io);
}

/** A failure after some TaskRuns were created names them: they exist and may need deleting. */
function partialCreate(err: unknown, created: readonly { name: string; cluster: Cluster }[]): unknown {
  if (!created.length || !isCnbReportError(err)) return err;
  const names = created.map((c) => `${c.cluster.namespace}/${c.name}`).join(', ');
  return new CnbReportError(err.code, `${err.message} (already created: taskrun ${names})`, {
    cause: err,
    details: err.details.length ? [...err.details, `already created: taskrun ${names}`] : [],
  });
}

async function getAndReport(cluster: Cluster, name: string, flags: WaitOptions, deadline: number, io: Io): Promise<void> {
  const progress = io.progress ? progressReporter(io.err) : undefined;
  const finished = (doc: Doc) => {
    const { summary } = summarize(doc);
    const terminal = summary.status === 'Succeeded' || summary.status === 'Failed';
    return terminal && !(flags.waitForChains && summary.status === 'Succeeded' && !summary.chains.signed && !summary.chains.failed);
  };
  const doc =
    flags.wait || flags.waitForChains
      ? await waitForTaskRun(cluster, name, finished, { deadline, onUpdate: progress })
      : (await getTaskRun(cluster, name)).doc;
  const { summary, imageProblem } = summarize(doc);
  if (flags.output !== 'env') io.out(format(summary, flags.output));
  outcome(summary, imageProblem, flags);
  if (flags.output === 'env') io.out(envLines(summary).join('\n'));
}

/** Throw the error that the TaskRun's state calls for; return when it is a usable success. */
function outcome(summary: TaskRunSummary, imageProblem: string | undefined, flags: WaitOptions): void {
  const name = `taskrun ${summary.name}`;
  if (summary.status === 'Failed') throw new CnbReportError('TASKRUN_FAILED', `${name} failed: ${summary.reason}: ${summary.message}`);
  if (summary.status !== 'Succeeded')
    throw new CnbReportError(
      'NO_RESULT',
      `${name} has not finished (${summary.status}${summary.reason ? `/${summary.reason}` : ''}); use --wait`,
    );
  if (imageProblem) throw new CnbReportError('NO_RESULT', `${name} succeeded but its results name no usable image: ${imageProblem}`);
  if (summary.chains.failed) throw new CnbReportError('SIGNING_FAILED', `${name}: Tekton Chains failed to sign it`);
  if (flags.waitForChains && !summary.chains.signed) throw new CnbReportError('TIMEOUT', `${name}: not signed by Tekton Chains yet`);
}

function format(summary: TaskRunSummary, output: TaskRunFormat): string {
  if (output === 'json') return JSON.stringify(summary, null, 2);
  const rows: [string, string][] = [
    ['TaskRun', `${summary.name} (namespace ${summary.namespace})`],
    ['Status', `${summary.status}${summary.reason ? ` (${summary.reason}${summary.message ? `: ${summary.message}` : ''})` : ''}`],
    ['Image', summary.image?.images[0] ?? '-'],
    ...(summary.image?.images.slice(1) ?? []).map((i): [string, string] => ['Also', i]),
    ['Chains', summary.chains.signed ? 'signed' : summary.chains.failed ? 'failed' : 'not signed'],
  ];
  // Status reasons and messages are the server's text: escaped, as in error lines.
  return rows.map(([k, v]) => `${k.padEnd(8)} ${printable(v)}`).join('\n');
}

/** KEY=value lines: every value passed the reference/digest grammar, so they are eval-safe. */
function envLines(summary: TaskRunSummary): string[] {
  const image = summary.image!;
  return [`IMAGE_URL=${image.url}`, `IMAGE_DIGEST=${image.digest}`, `IMAGE_REF=${image.images[0]}`, `IMAGES=${image.images.join(',')}`];
}

/** On a terminal: one stderr line each time the running step changes. */
function progressReporter(err: Print): (doc: Doc) => void {
  let last = '';
  return (doc) => {
    const line = progressLine(doc);
    if (line !== last) err(printable(line));
    last = line;
  };
}

export function progressLine(doc: Doc): string {
  const steps: Doc[] = doc.status?.steps ?? [];
  const running = steps.find((s) => s.running ?? s.state?.running);
  const condition = (doc.status?.conditions ?? []).find((c: Doc) => c.type === 'Succeeded');
  const where = running ? `step ${running.name} running` : (condition?.reason ?? 'waiting');
  return `${doc.metadata?.name}: ${where}`;
}

/** The TaskRun documents in a file, checked before anything is created. */
function taskRunsIn(file: string): Doc[] {
  const text = readInput(file, TASKRUN_FILE).toString('utf8');
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text).filter((d) => d != null);
  } catch (err) {
    if (err instanceof RangeError) throw new CnbReportError('USAGE', `${file}: not valid YAML: nested too deeply`);
    throw new CnbReportError('USAGE', `${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (docs.length === 0) throw new CnbReportError('USAGE', `${file}: no documents`);
  docs.forEach((d, i) => {
    const doc = d as Doc;
    const where = `${file}: document ${i + 1}`;
    // Aliases make a small file a huge document ("billion laughs"): measured before anything
    // walks or serializes it.
    checkExpansion(doc, where);
    if (doc?.kind !== 'TaskRun' || !/^tekton\.dev\/(v1|v1beta1)$/.test(doc.apiVersion)) {
      throw new CnbReportError('USAGE', `${where}: ${quote(`${doc?.apiVersion}/${doc?.kind}`)} is not a tekton.dev/v1 or v1beta1 TaskRun`);
    }
    if (!doc.metadata?.name && !doc.metadata?.generateName)
      throw new CnbReportError('USAGE', `${where}: metadata.name or metadata.generateName is required`);
    if (doc.metadata.namespace !== undefined && typeof doc.metadata.namespace !== 'string')
      throw new CnbReportError('USAGE', `${where}: metadata.namespace ${quote(doc.metadata.namespace)} is not a string`);
  });
  return docs as Doc[];
}

/** As kubectl: -n and a document's metadata.namespace must agree. */
function checkNamespaces(docs: Doc[], file: string, flag: string | undefined): void {
  if (flag === undefined) return;
  const other = docs.map((d) => d.metadata?.namespace).find((ns) => ns !== undefined && ns !== flag);
  if (other !== undefined) throw new CnbReportError('USAGE', `${file}: the namespace of a document (${other}) and -n (${flag}) differ`);
}

export async function runPodGet(options: PodGetOptions, io: Io): Promise<void> {
  const cluster = connect(options);
  const pod = await getPod(cluster, options.name);
  const { container, message } = containerMessage(pod, options.container);
  const report = parseTerminationMessage(message, `pod ${options.name} container ${container}`);
  io.out(
    options.output === 'env'
      ? formatReport(report, 'env')
      : JSON.stringify({ pod: options.name, namespace: cluster.namespace, container, ...reportDocument(report) }, null, 2),
  );
}
