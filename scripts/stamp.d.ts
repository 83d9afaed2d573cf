export declare const IMAGE: string;
/** Pin every cnb-report image reference in the YAML under dir; returns the files changed. */
export declare function stamp(digest: string, version: string, dir: string): string[];
