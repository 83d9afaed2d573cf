// The size a parsed YAML document has once its aliases are expanded. js-yaml resolves an alias
// to the same object, so a small file with nested anchors ("billion laughs") is a small graph
// but an enormous tree: JSON.stringify of it (the request body) would run for hours. The size
// is computed over the graph, memoised per object, so measuring it costs the graph, not the tree.

import { CnbReportError } from './errors.ts';

/** kube-apiserver refuses request bodies over 3 MB (MaxRequestBodyBytes); nothing larger can be created. */
export const MAX_EXPANDED_BYTES = 3 * 1024 * 1024;
const MAX_DEPTH = 1000;

/** Throws USAGE when `doc` expands beyond `limit` bytes of JSON (about), nests too deeply, or is cyclic. */
export function checkExpansion(doc: unknown, where: string, limit = MAX_EXPANDED_BYTES): number {
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  const size = (value: unknown, depth: number): number => {
    if (typeof value === 'string') return value.length + 2;
    if (value === null || typeof value !== 'object') return String(value).length;
    if (value instanceof Date) return 26;
    const known = sizes.get(value);
    if (known !== undefined) return known;
    if (open.has(value)) throw new CnbReportError('USAGE', `${where}: the document refers to itself through an alias`);
    if (depth > MAX_DEPTH) throw new CnbReportError('USAGE', `${where}: nested more than ${MAX_DEPTH} levels deep`);
    open.add(value);
    let total = 2;
    for (const [key, item] of Object.entries(value)) {
      total += (Array.isArray(value) ? 0 : key.length + 3) + size(item, depth + 1) + 1;
      if (total > limit)
        throw new CnbReportError(
          'USAGE',
          `${where}: expands to more than ${limit} bytes (aliases of aliases?); a TaskRun that large cannot be created`,
        );
    }
    open.delete(value);
    sizes.set(value, total);
    return total;
  };
  return size(doc, 0);
}
