// What argv said, plus the defaults and the environment, turned into each command's typed
// options: milliseconds instead of "10s", paths instead of "the default", credentials and
// kubeconfig locations from the injected environment. Every option is checked here, whether or
// not the command will use it, so a bad value is a usage error the moment it is given.

import { delimiter, dirname, join } from 'node:path';
import type { PodOptions, ResultsFrom } from '../core/budget.ts';
import { parseDuration } from '../core/duration.ts';
import { CnbReportError, quote } from '../core/errors.ts';
import type { ShowFormat } from '../core/format.ts';
import type { ManifestFormat } from '../core/oci.ts';
import { RESULT_NAMES } from '../core/results.ts';
import type { Value } from './argv.ts';
import type { CommandSpec, OptionSpec } from './options.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface ResultsOptions {
  readonly report: string;
  readonly resultsDir: string;
  readonly ociLayout: string | undefined;
  readonly mediaType: ManifestFormat;
  readonly resultPaths: Readonly<Record<string, string>>;
  readonly terminationMessage: string | undefined;
  readonly analyzed: AnalyzedPath;
  readonly verify: boolean;
  readonly insecureRegistries: readonly string[];
  readonly verifyTimeoutMs: number;
  /** The Docker config.json with registry credentials; undefined: none (anonymous). */
  readonly dockerConfig: string | undefined;
  readonly tektonResults: boolean;
  readonly allowDaemon: boolean;
  readonly pod: PodOptions;
  readonly quiet: boolean;
}

/** analyzed.toml: named with --analyzed (must be valid), or the default beside the report. */
export interface AnalyzedPath {
  readonly path: string;
  readonly named: boolean;
}

export interface ShowOptions {
  readonly report: string;
  readonly analyzed: AnalyzedPath;
  readonly output: ShowFormat;
}

/** Where the cluster's credentials come from, as kubectl finds them. */
export interface ClusterAccess {
  readonly namespace: string | undefined;
  readonly context: string | undefined;
  /** $KUBECONFIG's files, else ~/.kube/config; when none exists, the in-cluster service account. */
  readonly kubeconfig: readonly string[];
}

export interface WaitOptions {
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly waitForChains: boolean;
  readonly output: 'json' | 'env' | 'text';
}

export interface IndexOptions {
  readonly tags: readonly string[];
  readonly manifests: readonly string[];
  readonly resultsDir: string;
  readonly resultPaths: Readonly<Record<string, string>>;
  readonly insecureRegistries: readonly string[];
  readonly verifyTimeoutMs: number;
  readonly dockerConfig: string | undefined;
  readonly quiet: boolean;
}

export type TaskRunGetOptions = ClusterAccess & WaitOptions & { readonly name: string };
export type TaskRunCreateOptions = ClusterAccess & WaitOptions & { readonly file: string };
export type PodGetOptions = ClusterAccess & {
  readonly name: string;
  readonly container: string | undefined;
  readonly output: 'json' | 'env';
};

/** Read options by name with their defaults; the environment can replace a default. */
export class Given {
  constructor(
    private readonly command: CommandSpec,
    private readonly values: Readonly<Record<string, Value>>,
    private readonly env: Env,
  ) {}

  private spec(name: string): OptionSpec {
    const spec = this.command.options[name];
    if (!spec) throw new Error(`no option ${name} for ${this.command.name}`);
    return spec;
  }

  string(name: string): string;
  string(name: string, optional: 'optional'): string | undefined;
  string(name: string): string | undefined {
    const spec = this.spec(name);
    const value = this.values[name] ?? ((spec.env && this.env[spec.env]) || spec.default);
    return value as string | undefined;
  }

  boolean(name: string): boolean {
    return (this.values[name] ?? this.spec(name).default) === true;
  }

  array(name: string): readonly string[] {
    this.spec(name);
    return (this.values[name] as string[] | undefined) ?? [];
  }

  duration(name: string): number {
    return parseDuration(this.string(name), `--${name}`);
  }
}

export function resolveResults(given: Given, env: Env): ResultsOptions {
  const report = given.string('report');
  return {
    report,
    resultsDir: given.string('results-dir'),
    ociLayout: given.string('oci-layout', 'optional'),
    mediaType: given.string('media-type') as ManifestFormat,
    resultPaths: resultPaths(given.array('result-path')),
    terminationMessage: given.string('termination-message', 'optional'),
    analyzed: analyzedPath(given, report),
    verify: given.boolean('verify'),
    insecureRegistries: registries(given.string('insecure-registry')),
    verifyTimeoutMs: given.duration('verify-timeout'),
    dockerConfig: dockerConfigPath(env),
    tektonResults: given.boolean('tekton-results'),
    allowDaemon: given.boolean('allow-daemon'),
    pod: podOptions(given),
    quiet: given.boolean('quiet'),
  };
}

export function resolveIndex(given: Given, positionals: readonly string[], env: Env): IndexOptions {
  return {
    // A reference holds no comma or whitespace, so a list in one value is unambiguous (a Tekton
    // string param can carry several tags); empty items (an empty param) are dropped.
    tags: given
      .array('tag')
      .flatMap((t) => t.split(/[,\s]+/))
      .filter(Boolean),
    // --manifest values, then positional ones (a Tekton array param expands into positional args).
    manifests: [...given.array('manifest'), ...positionals],
    resultsDir: given.string('results-dir'),
    resultPaths: resultPaths(given.array('result-path')),
    insecureRegistries: registries(given.string('insecure-registry')),
    verifyTimeoutMs: given.duration('verify-timeout'),
    dockerConfig: dockerConfigPath(env),
    quiet: given.boolean('quiet'),
  };
}

export function resolveShow(given: Given): ShowOptions {
  const report = given.string('report');
  return { report, analyzed: analyzedPath(given, report), output: given.string('output') as ShowFormat };
}

export function resolveTaskRunGet(given: Given, positionals: readonly string[], env: Env): TaskRunGetOptions {
  return { ...access(given, env), ...waiting(given), name: positionals[0]! };
}

export function resolveTaskRunCreate(given: Given, env: Env): TaskRunCreateOptions {
  return { ...access(given, env), ...waiting(given), file: given.string('filename') };
}

export function resolvePodGet(given: Given, positionals: readonly string[], env: Env): PodGetOptions {
  return {
    ...access(given, env),
    name: positionals[0]!,
    container: given.string('container', 'optional'),
    output: given.string('output') as 'json' | 'env',
  };
}

/** What a step cannot see of its pod, for the termination-message budget (core/budget.ts). */
function podOptions(given: Given): PodOptions {
  const pod = given.string('pod-containers');
  return {
    ...(pod !== 'auto' && { podContainers: count('--pod-containers', pod, 1) }),
    extraContainers: count('--extra-containers', given.string('extra-containers'), 0),
    resultsFrom: given.string('results-from') as ResultsFrom,
  };
}

function count(flag: string, value: string, min: number): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) < min) {
    throw new CnbReportError(
      'USAGE',
      `${flag} ${quote(value)}: expected a whole number from ${min} to 999${flag === '--pod-containers' ? ' or auto' : ''}`,
    );
  }
  return Number(value);
}

function analyzedPath(given: Given, report: string): AnalyzedPath {
  const named = given.string('analyzed', 'optional');
  return named !== undefined ? { path: named, named: true } : { path: join(dirname(report), 'analyzed.toml'), named: false };
}

function waiting(given: Given): WaitOptions {
  return {
    wait: given.boolean('wait') || given.boolean('wait-for-chains'),
    timeoutMs: given.duration('timeout'),
    waitForChains: given.boolean('wait-for-chains'),
    output: given.string('output') as WaitOptions['output'],
  };
}

function access(given: Given, env: Env): ClusterAccess {
  return {
    namespace: given.string('namespace', 'optional'),
    context: given.string('context', 'optional'),
    kubeconfig: kubeconfigFiles(env),
  };
}

// The home directory is $HOME, as go-containerregistry (os.UserHomeDir) and client-go
// (homedir.HomeDir) take it on Linux; without one there is no default file. Tekton sets HOME
// in every step.

/** As go-containerregistry: $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json. */
export function dockerConfigPath(env: Env): string | undefined {
  const dir = env.DOCKER_CONFIG || (env.HOME && join(env.HOME, '.docker'));
  return dir ? join(dir, 'config.json') : undefined;
}

/** As kubectl: every file in $KUBECONFIG (merged, first wins), else $HOME/.kube/config. */
export function kubeconfigFiles(env: Env): string[] {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter(Boolean);
  return env.HOME ? [join(env.HOME, '.kube', 'config')] : [];
}

function registries(list: string): string[] {
  return list
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
}

function resultPaths(pairs: readonly string[]): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    if (eq < 1 || eq === pair.length - 1 || !(Object.values(RESULT_NAMES) as string[]).includes(name)) {
      throw new CnbReportError(
        'USAGE',
        `--result-path ${quote(pair)}: expected NAME=PATH with NAME one of ${Object.values(RESULT_NAMES).join(', ')}`,
      );
    }
    paths[name] = pair.slice(eq + 1);
  }
  return paths;
}
