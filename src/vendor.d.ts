// @iarna/toml's package index also loads its stream parser and with it node:stream (~2.5 ms of
// start-up); the string parser alone is all cnb-report needs. Its own types cover only the index.
declare module '@iarna/toml/parse-string.js' {
  /** Parse a TOML document; throws an Error with `line`, `col` and `pos` on a syntax error. */
  export default function parseString(text: string): Record<string, unknown>;
}

// The parser class behind parse-string.js, subclassed in src/core/toml.ts to keep floats apart.
declare module '@iarna/toml/lib/toml-parser.js' {
  export default class TOMLParser {
    parse(text: string): void;
    finish(): Record<string, unknown>;
    recordAssignStatement(kv: { key: string[]; value: unknown }): unknown;
    recordInlineTableValue(kv: { key: string[]; value: unknown }): unknown;
  }
}
declare module '@iarna/toml/parse-pretty-error.js' {
  /** Adds the line, column and a caret excerpt to a parser error. */
  export default function prettyError(err: unknown, text: string): Error;
}
