// The OCI JSON schemas (test/fixtures/oci-schema, draft-04), ready to validate documents.
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { fixture } from './helpers.ts';

// The schemas refer to each other by file name, but relative to their `id` URLs, which differ
// in depth. image-spec's own validator serves them from one folder; dropping the ids and
// registering each under its file name does the same.
const withoutIds = (node: unknown): unknown =>
  Array.isArray(node)
    ? node.map(withoutIds)
    : node && typeof node === 'object'
      ? Object.fromEntries(
          Object.entries(node)
            .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
            .map(([k, v]) => [k, withoutIds(v)]),
        )
      : node;

// Both are CommonJS with a `default` export; under ESM the namespace object comes first.
const Ajv = (AjvDraft04 as any).default ?? AjvDraft04;
const addFormats = (ajvFormats as any).default ?? ajvFormats;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const SCHEMAS = fixture('oci-schema');
for (const name of readdirSync(SCHEMAS)) ajv.addSchema(withoutIds(JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8'))) as object, name);

/** Assert that a document is valid by one of the schemas (by file name, e.g. image-index-schema.json). */
export function assertSchema(name: string, document: unknown): void {
  const validate = ajv.getSchema(name)!;
  assert.ok(validate(document), `${name}: ${ajv.errorsText(validate.errors)}`);
}

/** The validating function of one schema, to check that it rejects what it must. */
export function schemaValidator(name: string): (document: unknown) => boolean {
  return ajv.getSchema(name)!;
}
