// report.toml, as the buildpacks lifecycle writes it after an export
// (buildpacks/lifecycle platform/files/report.go; buildpacks/spec platform.md "report.toml"):
//
//   [image]
//     tags = ["registry.example.com/team/app:1.0", …]   # the <image> argument first, then every -tag
//     digest = "sha256:…"                              # registry export
//     image-id = "…"                                   # daemon export
//     manifest-size = 3020                             # Platform API ≥ 0.6, omitted when 0
//
// Anything else ([build] with BOM entries, future tables, unknown keys) is ignored on purpose:
// only [image] is read, so a `digest` key inside BOM metadata can never leak into a result.

import { CnbReportError, quote } from './errors.ts';
import { TomlFloat } from './toml-float.ts';
import { SHA256_DIGEST, parseTagReference, type Reference } from './reference.ts';

export interface Report {
  /** The file it was read from, for messages. */
  readonly file: string;
  /** Every tag exactly as written; tags[0] is the primary image. */
  readonly tags: readonly string[];
  readonly references: readonly Reference[];
  readonly digest: string | undefined;
  readonly imageId: string | undefined;
  readonly manifestSize: number | undefined;
}

// A daemon image id: Docker's 64-hex id, with or without its algorithm, or the short form the
// RFC 0040 example uses.
const IMAGE_ID = /^(?:sha256:)?(?:[a-f0-9]{64}|[a-f0-9]{12})$/;
const DECIMAL = /^[0-9]{1,16}$/;

/** Validate a parsed report (its TOML, or the JSON of a termination message). Throws REPORT_INVALID listing every problem. */
export function validateReport(doc: Record<string, unknown>, file: string): Report {
  const problems: string[] = [];
  const report = validate(doc, file, (field, text) => problems.push(`${file}: ${field}: ${text}`));
  if (problems.length) {
    const summary = `${file}: invalid report (${problems.length} problem${problems.length > 1 ? 's' : ''})`;
    throw new CnbReportError('REPORT_INVALID', summary, { details: problems });
  }
  return report;
}

type Problem = (field: string, text: string) => void;

function validate(doc: Record<string, unknown>, file: string, problem: Problem): Report {
  const image = doc.image;
  if (!isTable(image)) {
    problem('image', image === undefined ? 'missing: the [image] table is required' : 'is not a table');
    return { file, tags: [], references: [], digest: undefined, imageId: undefined, manifestSize: undefined };
  }
  const { tags, references } = validateTags(image.tags, problem);
  const digest = validateDigest(image.digest, problem);
  const imageId = validateImageId(image, problem);
  const manifestSize = validateManifestSize(image['manifest-size'], problem);
  return { file, tags, references, digest, imageId, manifestSize };
}

function validateTags(value: unknown, problem: Problem): { tags: string[]; references: Reference[] } {
  const tags: string[] = [];
  const references: Reference[] = [];
  if (value === undefined) problem('image.tags', 'missing: at least one tag is required');
  else if (!Array.isArray(value)) problem('image.tags', `${quote(value)} is not an array of strings`);
  else if (value.length === 0) problem('image.tags', 'is empty: at least one tag is required');
  else {
    value.forEach((tag, i) => {
      const field = `image.tags[${i}]`;
      if (typeof tag !== 'string') return problem(field, `${quote(tag)} is not a string`);
      const ref = parseTagReference(tag);
      if (typeof ref === 'string') return problem(field, `${quote(tag)} ${ref}`);
      tags.push(tag);
      references.push(ref);
    });
  }
  return { tags, references };
}

function validateDigest(value: unknown, problem: Problem): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && SHA256_DIGEST.test(value)) return value;
  problem('image.digest', `${quote(value)} is not "sha256:" followed by 64 lowercase hex characters`);
  return undefined;
}

function validateImageId(image: Record<string, unknown>, problem: Problem): string | undefined {
  // `image_id` appears only in RFC 0040's example; no lifecycle wrote it, but it costs nothing.
  const dashed = image['image-id'];
  const underscored = image['image_id'];
  if (dashed !== undefined && underscored !== undefined && dashed !== underscored) {
    problem('image.image_id', `${quote(underscored)} disagrees with image-id ${quote(dashed)}`);
  }
  const [field, value] = dashed !== undefined ? ['image-id', dashed] : ['image_id', underscored];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && IMAGE_ID.test(value)) return value;
  problem(`image.${field}`, `${quote(value)} is not an image id (64 or 12 lowercase hex characters)`);
  return undefined;
}

function validateManifestSize(value: unknown, problem: Problem): number | undefined {
  if (value === undefined) return undefined;
  if (value instanceof TomlFloat) {
    problem('image.manifest-size', `${quote(value)} is a TOML float, not a positive integer number of bytes`);
    return undefined;
  }
  // The lifecycle writes an integer; the spec's example a quoted string. Both mean bytes.
  const n = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value) ? Number(value) : NaN;
  if (Number.isSafeInteger(n) && n > 0) return n;
  problem(
    'image.manifest-size',
    `${quote(typeof value === 'bigint' ? value.toString() : value)} is not a positive integer number of bytes`,
  );
  return undefined;
}

export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
