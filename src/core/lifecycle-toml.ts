// A reader for the plain TOML the lifecycle's encoder writes (BurntSushi/toml: `[table]`
// headers, two-space indented `key = value` lines, strings without escapes, integers, arrays of
// strings), so that the common report.toml is read without loading the full parser: that load
// is a fifth of a `results` run's start-up.
//
// It accepts a strict subset of TOML and returns exactly what @iarna/toml returns for it; on
// anything else (escapes, comments, inline tables, arrays of tables, duplicates, tabs, CR, any
// non-ASCII byte) it returns undefined and the caller asks @iarna/toml, which stays the
// authority for what TOML means and for every error message. test/unit/core/lifecycle-toml.test.ts
// holds the two to agreement over every fixture and many thousands of mutants.

type Table = Record<string, unknown>;

const HEADER = /^ *\[([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\] *$/;
const PAIR = /^ *([A-Za-z0-9_-]+) = (.+?) *$/;
// Printable ASCII but `"` and `\`: a basic string that needs no unescaping.
const STRING = /^"([\x20\x21\x23-\x5b\x5d-\x7e]*)"$/;
const STRING_ITEM = /^"([\x20\x21\x23-\x5b\x5d-\x7e]*)" *(,|\]) */;
// 15 digits stay below 2^53, where @iarna/toml starts returning a BigInt.
const INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;
// Any byte outside printable ASCII and LF.
const UNUSUAL = /[^\x20-\x7e\n]/;

/** The document, or undefined when the text is not in the subset (then ask @iarna/toml). */
export function readLifecycleToml(bytes: Uint8Array): Table | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (UNUSUAL.test(text)) return undefined;
  const root: Table = {};
  const defined = new Set<Table>();
  let table = root;
  for (const line of text.split('\n')) {
    if (/^ *$/.test(line)) continue;
    const header = HEADER.exec(line);
    if (header) {
      const next = openTable(root, header[1]!.split('.'), defined);
      if (!next) return undefined;
      table = next;
      continue;
    }
    const pair = PAIR.exec(line);
    if (!pair || pair[1]! in Object.prototype || Object.hasOwn(table, pair[1]!)) return undefined;
    const value = readValue(pair[2]!);
    if (value === undefined) return undefined;
    table[pair[1]!] = value;
  }
  return root;
}

/** The table a `[a.b.c]` header opens; undefined where TOML forbids it or the subset declines. */
function openTable(root: Table, path: readonly string[], defined: Set<Table>): Table | undefined {
  let table = root;
  for (const key of path) {
    // @iarna/toml mishandles names that Object.prototype has (`[constructor]`), and `__proto__`
    // would set the prototype: decline them all and let the authority speak.
    if (key in Object.prototype) return undefined;
    if (!Object.hasOwn(table, key)) table[key] = {};
    const next = table[key];
    // A key that holds a value (not a table) cannot become a table.
    if (typeof next !== 'object' || next === null || Array.isArray(next)) return undefined;
    table = next as Table;
  }
  if (defined.has(table)) return undefined; // the same header twice
  // A header naming a table that an earlier key/value line already filled is legal TOML only in
  // cases we do not need; decline them all.
  if (Object.values(table).some((v) => typeof v !== 'object')) return undefined;
  defined.add(table);
  return table;
}

function readValue(text: string): string | number | string[] | undefined {
  const string = STRING.exec(text);
  if (string) return string[1]!;
  if (INTEGER.test(text)) return Number(text);
  return text.startsWith('[') ? readStringArray(text) : undefined;
}

/** `["a", "b"]`, `[]`, a trailing comma allowed: one line of strings. */
function readStringArray(text: string): string[] | undefined {
  const items: string[] = [];
  let rest = text.slice(1).replace(/^ +/, '');
  if (rest === ']') return items;
  while (rest.length) {
    const item = STRING_ITEM.exec(rest);
    if (!item) return undefined;
    items.push(item[1]!);
    rest = rest.slice(item[0].length);
    if (item[2] === ']') return rest === '' ? items : undefined;
    if (rest === ']') return items; // a trailing comma
  }
  return undefined;
}
