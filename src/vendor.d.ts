// @iarna/toml's package index also loads its stream parser and with it node:stream (~2.5 ms of
// start-up); the string parser alone is all cnb-report needs. Its own types cover only the index.
declare module '@iarna/toml/parse-string.js' {
  /** Parse a TOML document; throws an Error with `line`, `col` and `pos` on a syntax error. */
  export default function parseString(text: string): Record<string, unknown>;
}
