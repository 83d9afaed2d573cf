// The package version, stamped into the bundle by scripts/build.js.

declare const __CNB_REPORT_VERSION__: string | undefined;
export const VERSION = typeof __CNB_REPORT_VERSION__ === 'string' ? __CNB_REPORT_VERSION__ : '0.0.0-dev';
