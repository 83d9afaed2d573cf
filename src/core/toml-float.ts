// A TOML float, kept apart from integers. Its own module: report.ts checks for it without
// loading the TOML parser.

/**
 * A TOML float. @iarna/toml returns floats and integers alike as numbers, so `manifest-size =
 * 1e3` would pass as the integer 1000; TOML says it is a float (https://toml.io/en/v1.0.0#float).
 * Keys assigned a float keep this box instead; its JSON is the number.
 */
export class TomlFloat {
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
  toString(): string {
    return String(this.value);
  }
}
