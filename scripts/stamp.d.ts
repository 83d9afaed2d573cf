export declare const UNRELEASED: string;
/** Pin every cnb-report image reference in the YAML under dir to repository:version@digest; returns the files changed. */
export declare function stamp(repository: string, digest: string, version: string, dir: string): string[];
