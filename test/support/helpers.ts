// Shared test helpers: fixture paths, temp directories, and the built CLI as a subprocess.

import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(ROOT, 'test/fixtures');
export const REPORTS = join(FIXTURES, 'report-toml');
export const CLI = join(ROOT, 'dist/cnb-report.cjs');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** Every file under a folder whose name passes `keep`, as sorted absolute paths. */
export function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? filesUnder(p, keep) : keep(name) ? [p] : [];
    });
}

/** Every *.toml under a fixture folder, as paths relative to it. */
export function tomlFiles(dir: string): string[] {
  return filesUnder(dir, (name) => name.endsWith('.toml')).map((p) => relative(dir, p));
}

const made: string[] = [];
export function tempDir(prefix = 'cnb-report-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
process.on('exit', () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI (dist/, made by `npm run build`) as a subprocess. */
export function cli(args: string[], options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', ...options, env: { PATH: process.env.PATH, ...options.env } });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Files in a directory (recursively) with their exact contents; dot-files included. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        out[relative(dir, p) + '/'] = '';
        walk(p);
      } else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

export const DIGEST = 'sha256:30d52d353171c23dee848ce43ae71d8b4c8f56048c405c98e31ebc067af00de5';

/** A report in the lifecycle ≥ 0.17 encoder's layout. */
export function reportToml(image: Record<string, unknown>): string {
  const lines = Object.entries(image).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`);
  return ['[image]', ...lines, ''].join('\n');
}

/** BOM entries as lifecycle < 0.17 writes them (Platform API < 0.9), each with a `digest` key. */
export function largeReport(entries: number): string {
  const parts = ['[build]\n'];
  for (let i = 0; i < entries; i++) {
    parts.push(
      `\n  [[build.bom]]\n    name = "dependency-${i}"\n    [build.bom.metadata]\n      digest = "sha256:${i.toString(16).padStart(64, 'f')}"\n` +
        `      version = "1.${i}.0"\n` +
        `    [build.bom.buildpack]\n      id = "example/buildpack-${i % 17}"\n      version = "0.${i % 9}.1"\n`,
    );
  }
  parts.push('\n' + reportToml({ tags: ['registry.example.com/team/app:1.0'], digest: DIGEST, 'manifest-size': 3020 }));
  return parts.join('');
}

/** The built CLI as a subprocess without blocking this process (for servers the test runs). */
export function cliAsync(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
