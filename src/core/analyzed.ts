// analyzed.toml, which the lifecycle's analyzer (or creator) writes into the layers directory
// (buildpacks/lifecycle platform/files/analyzed.go; spec platform.md "analyzed.toml"):
//
//   [run-image]
//     reference = "registry/run@sha256:…"   # a digest reference for a registry run image
//     image = "registry/run:tag"             # Platform API ≥ 0.12
//     [run-image.target]                     # Platform API ≥ 0.12
//       os = "linux"
//       arch = "arm64"
//       arch-variant = "v8"
//
// It names the run image the app was layered on: a material for Chains' provenance, and the
// platform for the OCI descriptor. A daemon build's reference is an image id, not a digest
// reference; then there is no material to record.

import { CnbReportError, quote } from './errors.ts';
import { isTable } from './report.ts';
import { parseDigestReference, parseTagReference } from './reference.ts';
import type { Platform } from './oci.ts';

export interface RunImage {
  /** The repository, as written before the digest. */
  readonly name: string | undefined;
  readonly digest: string | undefined;
  readonly reference: string | undefined;
  readonly image: string | undefined;
  readonly platform: Platform | undefined;
}

const TOKEN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Validate a parsed analyzed.toml; throws ANALYZED_INVALID listing every problem. */
export function validateAnalyzed(doc: Record<string, unknown>, file: string): RunImage {
  const problems: string[] = [];
  const problem = (field: string, text: string) => problems.push(`${file}: ${field}: ${text}`);
  const run = doc['run-image'];
  if (!isTable(run)) {
    problem('run-image', run === undefined ? 'missing: the [run-image] table is required' : 'is not a table');
    throw invalid(file, problems);
  }
  const reference = stringField(run, 'reference', 'run-image', problem);
  const image = stringField(run, 'image', 'run-image', problem);
  let name: string | undefined;
  let digest: string | undefined;
  if (reference !== undefined && reference.includes('@')) {
    const parsed = parseDigestReference(reference);
    if (typeof parsed === 'string') problem('run-image.reference', `${quote(reference)} ${parsed}`);
    else [name, digest] = [parsed.ref.name, parsed.digest];
  } else if (reference !== undefined && !/^(sha256:)?[a-f0-9]{64}$/.test(reference) && typeof parseTagReference(reference) === 'string') {
    problem('run-image.reference', `${quote(reference)} is neither a digest reference nor an image id`);
  }
  if (image !== undefined && typeof parseTagReference(image.replace(/@sha256:[a-f0-9]{64}$/, '')) === 'string') {
    problem('run-image.image', `${quote(image)} is not a valid image reference`);
  }
  const platform = platformOf(run.target, problem);
  if (problems.length) throw invalid(file, problems);
  return { name, digest, reference, image, platform };
}

function stringField(
  table: Record<string, unknown>,
  key: string,
  prefix: string,
  problem: (f: string, t: string) => void,
): string | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  problem(`${prefix}.${key}`, `${quote(value)} is not a string`);
  return undefined;
}

function platformOf(target: unknown, problem: (f: string, t: string) => void): Platform | undefined {
  if (target === undefined) return undefined;
  if (!isTable(target)) {
    problem('run-image.target', 'is not a table');
    return undefined;
  }
  const os = stringField(target, 'os', 'run-image.target', problem);
  const architecture = stringField(target, 'arch', 'run-image.target', problem);
  const variant = stringField(target, 'arch-variant', 'run-image.target', problem);
  for (const [field, value] of [
    ['os', os],
    ['arch', architecture],
    ['arch-variant', variant],
  ] as const) {
    if (value !== undefined && !TOKEN.test(value)) problem(`run-image.target.${field}`, `${quote(value)} is not a platform name`);
  }
  if (os === undefined || architecture === undefined) return undefined;
  return { os, architecture, ...(variant ? { variant } : {}) };
}

function invalid(file: string, problems: string[]): CnbReportError {
  return new CnbReportError(
    'ANALYZED_INVALID',
    `${file}: invalid analyzed.toml (${problems.length} problem${problems.length > 1 ? 's' : ''})`,
    { details: problems },
  );
}

/** Chains' input type hint (tektoncd/chains docs/slsa-provenance.md): an object with uri and digest. */
export function runImageMaterial(run: RunImage): { uri: string; digest: string } | undefined {
  return run.name && run.digest ? { uri: `oci://${run.name}`, digest: run.digest } : undefined;
}
