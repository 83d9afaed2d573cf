// A Tekton TaskRun's pod, run for real on this machine: what `prepare` and `place-scripts` lay
// out, each step in podman the way the kubelet starts it, each step's termination message as
// Tekton's entrypoint writes it, the kubelet's cut, and the TaskRun's results as the controller
// parses them, checked with Chains' rules. See test/pod/README.md for what it models and what not.
//
// Sources: tektoncd/pipeline pkg/pod (pod.go, script.go, entrypoint.go), pkg/entrypoint,
// pkg/termination, pkg/pod/status.go; kubernetes pkg/kubelet/status/status_manager.go
// (normalizeStatus); tektoncd/chains pkg/artifacts/signable.go.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../support/helpers.ts';
import { expandArgs, paramValues, substitute, type Doc, type Values } from '../support/tekton.ts';

export const STATE = join(ROOT, 'build/containers');
export const PODMAN_ENV = {
  ...process.env,
  CONTAINERS_CONF: join(STATE, 'containers.conf'),
  CONTAINERS_STORAGE_CONF: join(STATE, 'storage.conf'),
};

/** kubecontainer.MaxPodTerminationMessageLogLength and termination.MaxContainerTerminationMessageLength. */
export const KUBELET_TOTAL = 12288;
export const ENTRYPOINT_LIMIT = 4096;
const RESULT_TYPE = { task: 1, internal: 3, step: 4 } as const;

export interface TaskRunSpec {
  /** The Task document (kind Task) as in tasks/. */
  readonly task: Doc;
  /** StepActions that steps may name with `ref`. */
  readonly stepActions?: readonly Doc[];
  readonly params?: Record<string, string | string[]>;
  /** Workspace name → host directory; a missing optional workspace is unbound. */
  readonly workspaces?: Record<string, string>;
  /** 'host' lets steps reach a registry on 127.0.0.1 (podman's --network=host); default none. */
  readonly network?: 'host' | 'none';
  /** Sidecars and injected containers, which the kubelet counts too. */
  readonly extraContainers?: number;
  /** The TaskRun's spec.podTemplate.env: set in every step (a step's own env wins). */
  readonly podTemplateEnv?: Record<string, string>;
}

export interface StepRun {
  readonly name: string;
  readonly image: string;
  readonly user: string;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** As the entrypoint wrote it (undefined when it refused: over 4096 bytes). */
  readonly message?: string;
  /** As the kubelet keeps it in the pod status. */
  readonly podMessage?: string;
}

export interface TaskRunOutcome {
  readonly succeeded: boolean;
  readonly reason: string;
  readonly failedStep?: string;
  readonly steps: StepRun[];
  readonly skipped: string[];
  /** Task results as the TaskRun status holds them. */
  readonly results: Record<string, unknown>;
  readonly stepResults: Record<string, Record<string, string>>;
  readonly containers: number;
  readonly cap: number;
  /** The pod's directories on this machine (tekton/, volumes/, workspaces as given). */
  readonly root: string;
}

// --- pure parts -------------------------------------------------------------------------------

/** init containers (prepare; place-scripts when any step has a script) + steps + sidecars. */
export function podContainers(steps: readonly Doc[], extra = 0): { containers: number; init: string[] } {
  const init = ['prepare', ...(steps.some((s) => s.script) ? ['place-scripts'] : [])];
  return { containers: init.length + steps.length + extra, init };
}

/** What the kubelet keeps of a container's message: the first 12288/containers bytes. */
export function kubeletCut(message: string, containers: number): string {
  const keep = Math.floor(KUBELET_TOTAL / containers);
  const bytes = Buffer.from(message);
  return bytes.length > keep ? bytes.subarray(0, keep).toString('utf8') : message;
}

export interface Entry {
  key: string;
  value: string;
  type: number;
}

/** Go's encoding/json of []RunResult, as the entrypoint writes it. */
export function goJson(entries: readonly Entry[]): string {
  return JSON.stringify(entries.map((e) => ({ key: e.key, value: e.value, type: e.type }))).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The entrypoint's message for one step: every declared Task result present in /tekton/results
 * (earlier steps' included), then this step's declared step results, then StartedAt; refused over 4096.
 */
export function entrypointMessage(
  taskResults: readonly Entry[],
  stepResults: readonly Entry[],
  startedAt: string,
): { message?: string; error?: string } {
  const message = goJson([...taskResults, ...stepResults, { key: 'StartedAt', value: startedAt, type: RESULT_TYPE.internal }]);
  if (Buffer.byteLength(message) > ENTRYPOINT_LIMIT)
    return { error: `Termination message is above max allowed size ${ENTRYPOINT_LIMIT}, caused by large task result.` };
  return { message };
}

/** The controller's reading of one pod message: JSON or nothing (then every result in it is lost). */
export function parseMessage(text: string): { entries?: Entry[]; error?: string } {
  try {
    const parsed = JSON.parse(text);
    if (!Array.isArray(parsed)) return { error: 'not a JSON array' };
    return { entries: parsed as Entry[] };
  } catch (err) {
    return { error: `termination message could not be parsed as JSON: ${(err as Error).message}` };
  }
}

/** A declared result's value as the TaskRun status holds it, or why Tekton rejects it. */
export function typedResult(declared: Doc, raw: string): { value?: unknown; error?: string } {
  if ((declared.type ?? 'string') === 'string') return { value: raw };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { error: `result ${declared.name}: ${declared.type} result is not JSON` };
  }
  if (declared.type === 'array')
    return Array.isArray(value) && value.every((v) => typeof v === 'string')
      ? { value }
      : { error: `result ${declared.name}: not an array of strings` };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: `result ${declared.name}: not an object` };
  const missing = Object.keys(declared.properties ?? {}).filter((k) => typeof (value as Record<string, unknown>)[k] !== 'string');
  return missing.length ? { error: `result ${declared.name}: missing keys ${missing.join(', ')}` } : { value };
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REPOSITORY = /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** `repository@digest` from a reference Chains would accept (a tag is dropped), else an error. */
function digestReference(url: string, digest: string): string | Error {
  if (url.includes('@')) return new Error(`${url}: already holds a digest`);
  const lastSlash = url.lastIndexOf('/');
  const colon = url.lastIndexOf(':');
  const repository = colon > lastSlash ? url.slice(0, colon) : url;
  if (!REPOSITORY.test(repository) || !DIGEST.test(digest)) return new Error(`${url}@${digest}: not a digest reference`);
  return `${repository}@${digest}`;
}

export interface ChainsView {
  /** Images Chains ≥ v0.27 signs, de-duplicated (tektoncd/chains#1601). */
  readonly images: string[];
  /** How many times older Chains would sign each (no de-duplication). */
  readonly signedBefore027: number;
  readonly materials: { uri: string; digest: string }[];
  readonly errors: string[];
}

/** Chains' type hinting over the Task results (pkg/artifacts/signable.go). */
export function chainsView(results: Record<string, unknown>): ChainsView {
  const all: string[] = [];
  const errors: string[] = [];
  for (const [name, value] of Object.entries(results)) {
    if (!name.endsWith('IMAGE_URL') || typeof value !== 'string') continue;
    const digest = results[`${name.slice(0, -'IMAGE_URL'.length)}IMAGE_DIGEST`];
    if (typeof digest !== 'string' || !value.trim() || !digest.trim()) continue;
    const ref = digestReference(value.trim(), digest.trim());
    if (ref instanceof Error) errors.push(ref.message);
    else all.push(ref);
  }
  if (typeof results.IMAGES === 'string') {
    for (const item of results.IMAGES.split(/[,\n]/)
      .map((s) => s.trim())
      .filter(Boolean)) {
      const at = item.indexOf('@');
      const ref = at > 0 ? digestReference(item.slice(0, at), item.slice(at + 1)) : new Error(`${item}: no digest`);
      if (ref instanceof Error) errors.push(ref.message);
      else all.push(ref);
    }
  }
  const materials = Object.entries(results)
    .filter(([name, v]) => name.endsWith('ARTIFACT_INPUTS') && v && typeof v === 'object')
    .map(([, v]) => v as { uri: string; digest: string });
  return { images: [...new Set(all)], signedBefore027: all.length, materials, errors };
}

// --- the pod ----------------------------------------------------------------------------------

// A step or a pull that hangs fails the test instead of the whole run (kubelet: activeDeadlineSeconds).
const STEP_TIMEOUT_MS = 5 * 60 * 1000;

function podman(args: string[]) {
  const r = spawnSync('podman', args, {
    encoding: 'utf8',
    env: PODMAN_ENV,
    maxBuffer: 64 * 1024 * 1024,
    timeout: STEP_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (r.error) throw new Error(`podman ${args.slice(0, 2).join(' ')}: ${r.error.message}`);
  return r;
}

const pulled = new Set<string>();
/** The image as the kubelet would run it: local names as they are; a loopback registry pulled (a tag beside a digest dropped, as the CRI does). */
export function localImage(ref: string): string {
  const m = /^(127\.0\.0\.1:\d+\/[^:@]+)(?::[^@]+)?@(sha256:[a-f0-9]{64})$/.exec(ref);
  if (!m) return ref;
  const byDigest = `${m[1]}@${m[2]}`;
  if (!pulled.has(byDigest)) {
    const r = podman(['pull', '--quiet', '--tls-verify=false', byDigest]);
    if (r.status !== 0) throw new Error(`podman pull ${byDigest}: ${r.stderr}`);
    pulled.add(byDigest);
  }
  return byDigest;
}

function emptyDir(path: string): string {
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o777); // the kubelet creates emptyDir volumes world-writable
  return path;
}

/** A step after StepAction resolution and stepTemplate merge (env by name, step wins). */
function resolveStep(step: Doc, spec: TaskRunSpec, values: Values): { step: Doc; values: Values } {
  const template = spec.task.spec.stepTemplate ?? {};
  const merge = (s: Doc) => ({
    ...s,
    env: [...(template.env ?? []).filter((e: Doc) => !(s.env ?? []).some((x: Doc) => x.name === e.name)), ...(s.env ?? [])],
  });
  if (!step.ref) return { step: merge(step), values };
  const action = spec.stepActions?.find((a) => a.metadata.name === step.ref.name);
  if (!action) throw new Error(`step ${step.name}: no StepAction ${step.ref.name}`);
  const given = Object.fromEntries(
    (step.params ?? []).map((p: Doc) => [p.name, typeof p.value === 'string' ? substitute(p.value, values) : p.value]),
  );
  const own: Values = { ...paramValues(action.spec.params ?? [], given) };
  for (const k of Object.keys(values)) if (!k.startsWith('params.')) own[k] = values[k]!;
  return { step: merge({ ...action.spec, name: step.name, params: undefined }), values: own };
}

export function runTaskRun(spec: TaskRunSpec): TaskRunOutcome {
  const task = spec.task.spec;
  const root = tempDir('cnb-report-pod-');
  const tekton = join(root, 'tekton');
  const steps: Doc[] = task.steps;
  const { containers } = podContainers(steps, spec.extraContainers);
  const cap = Math.min(ENTRYPOINT_LIMIT, Math.floor(KUBELET_TOTAL / containers));

  // Tekton's substitutions: params (defaults overridden), workspaces, result paths.
  const values: Values = { ...paramValues(task.params ?? [], spec.params) };
  for (const w of task.workspaces ?? []) {
    const bound = spec.workspaces?.[w.name] !== undefined;
    values[`workspaces.${w.name}.path`] = bound ? `/workspace/${w.name}` : '';
    values[`workspaces.${w.name}.bound`] = String(bound);
  }
  for (const r of task.results ?? []) values[`results.${r.name}.path`] = `/tekton/results/${r.name}`;

  // prepare: /tekton/steps/step-NAME and /tekton/steps/N → /tekton/run/N/status; emptyDirs.
  for (const d of ['results', 'steps', 'home']) emptyDir(join(tekton, d));
  steps.forEach((s, i) => {
    emptyDir(join(tekton, 'run', String(i), 'status', 'results'));
    symlinkSync(`/tekton/run/${i}/status`, join(tekton, 'steps', `step-${s.name}`));
    symlinkSync(`/tekton/run/${i}/status`, join(tekton, 'steps', String(i)));
  });
  const volumes = Object.fromEntries((task.volumes ?? []).map((v: Doc) => [v.name, emptyDir(join(root, 'volumes', v.name))]));

  const runs: StepRun[] = [];
  const stepResults: Record<string, Record<string, string>> = {};
  const taskResultEntries = new Map<string, string>();
  let failed: { step: string; reason: string } | undefined;
  const skipped: string[] = [];

  steps.forEach((original, index) => {
    if (failed) return void skipped.push(original.name);
    const { step, values: stepValues } = resolveStep(original, spec, { ...values });
    for (const r of step.results ?? []) stepValues[`step.results.${r.name}.path`] = `/tekton/steps/step-${original.name}/results/${r.name}`;
    const image = localImage(substitute(step.image, stepValues));
    const args = expandArgs(step.args ?? [], stepValues);
    const mounts: string[] = [
      `${join(tekton, 'results')}:/tekton/results`,
      `${join(tekton, 'steps')}:/tekton/steps`,
      `${join(tekton, 'home')}:/tekton/home`,
      ...steps.map((_, i) => `${join(tekton, 'run', String(i))}:/tekton/run/${i}${i === index ? '' : ':ro'}`),
      ...Object.entries(spec.workspaces ?? {}).map(([name, dir]) => `${dir}:/workspace/${name}`),
      ...(step.volumeMounts ?? []).map((m: Doc) => {
        const name = substitute(m.name, stepValues);
        if (!volumes[name]) throw new Error(`step ${original.name}: no volume ${name}`);
        return `${volumes[name]}:${m.mountPath}${m.readOnly ? ':ro' : ''}`;
      }),
    ];
    let entrypoint: string[] | undefined = step.command?.map((c: string) => substitute(c, stepValues));
    if (step.script) {
      // place-scripts: the script, with #!/bin/sh + set -e when it has no shebang, in
      // /tekton/scripts (mounted read-only into steps that have a script only).
      const file = `script-${index}-${Math.random().toString(36).slice(2, 7)}`;
      const text = step.script.trimStart().startsWith('#!') ? step.script : `#!/bin/sh\nset -e\n${step.script}`;
      emptyDir(join(tekton, 'scripts'));
      writeFileSync(join(tekton, 'scripts', file), text, { mode: 0o755 });
      mounts.push(`${join(tekton, 'scripts')}:/tekton/scripts:ro`);
      entrypoint = [`/tekton/scripts/${file}`];
    }
    const ctx: Doc = step.securityContext ?? {};
    const user = ctx.runAsUser !== undefined ? `${ctx.runAsUser}${ctx.runAsGroup !== undefined ? `:${ctx.runAsGroup}` : ''}` : '';
    const own = (step.env ?? []).map((e: Doc) => `${e.name}=${substitute(e.value ?? '', stepValues)}`);
    const template = Object.entries(spec.podTemplateEnv ?? {}).filter(([k]) => !own.some((e: string) => e.startsWith(`${k}=`)));
    const env = [...template.map(([k, v]) => `${k}=${v}`), ...own];
    const r = podman([
      'run',
      '--rm',
      '--pull=never',
      `--network=${spec.network ?? 'none'}`,
      ...(user ? [`--user=${user}`] : []),
      ...(ctx.readOnlyRootFilesystem ? ['--read-only'] : []),
      ...(ctx.capabilities?.drop?.includes('ALL') ? ['--cap-drop=ALL'] : []),
      ...(ctx.allowPrivilegeEscalation === false ? ['--security-opt=no-new-privileges'] : []),
      ...mounts.flatMap((m) => ['--volume', m]),
      ...env.flatMap((e: string) => ['--env', e]),
      ...(entrypoint ? [`--entrypoint=${JSON.stringify(entrypoint)}`] : []),
      image,
      ...args,
    ]);
    const whoami = user || 'the image USER';

    // The entrypoint, after the command: declared Task results present, then step results.
    const taskEntries: Entry[] = (task.results ?? []).flatMap((res: Doc) => {
      const file = join(tekton, 'results', res.name);
      return existsSync(file) ? [{ key: res.name, value: readFileSync(file, 'utf8'), type: RESULT_TYPE.task }] : [];
    });
    const ownStepEntries: Entry[] = (step.results ?? []).flatMap((res: Doc) => {
      const file = join(tekton, 'run', String(index), 'status', 'results', res.name);
      return existsSync(file) ? [{ key: res.name, value: readFileSync(file, 'utf8'), type: RESULT_TYPE.step }] : [];
    });
    const written = entrypointMessage(taskEntries, ownStepEntries, new Date().toISOString().replace('Z', '+00:00'));
    const podMessage = written.message === undefined ? undefined : kubeletCut(written.message, containers);
    runs.push({
      name: original.name,
      image,
      user: whoami,
      exitCode: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      ...(written.message !== undefined && { message: written.message }),
      ...(podMessage !== undefined && { podMessage }),
    });
    if (r.status !== 0) return void (failed = { step: original.name, reason: `"step-${original.name}" exited with code ${r.status}` });
    if (written.error) return void (failed = { step: original.name, reason: written.error });
    const parsed = parseMessage(podMessage!);
    if (parsed.error) return void (failed = { step: original.name, reason: `step-${original.name}: ${parsed.error}` });
    for (const e of parsed.entries!) {
      if (e.type === RESULT_TYPE.task) taskResultEntries.set(e.key, e.value);
      if (e.type === RESULT_TYPE.step) (stepResults[original.name] ??= {})[e.key] = e.value;
    }
  });

  // The controller: Task results from the messages, or from step results through `value`.
  const results: Record<string, unknown> = {};
  if (!failed) {
    for (const declared of task.results ?? []) {
      let raw = taskResultEntries.get(declared.name);
      if (typeof declared.value === 'string') {
        const m = /^\$\(steps\.([^.]+)\.results\.([^.)]+)\)$/.exec(declared.value);
        raw = m ? stepResults[m[1]!]?.[m[2]!] : raw;
      }
      if (raw === undefined) continue;
      const typed = typedResult(declared, raw);
      if (typed.error) {
        failed = { step: '', reason: typed.error };
        break;
      }
      results[declared.name] = typed.value;
    }
  }
  return {
    succeeded: !failed,
    reason: failed?.reason ?? 'Succeeded',
    ...(failed?.step && { failedStep: failed.step }),
    steps: runs,
    skipped,
    results: failed ? {} : results,
    stepResults,
    containers,
    cap,
    root,
  };
}
