// A real registry (Debian's docker-registry, distribution 2.8) on 127.0.0.1 for tests: free
// port, data in a temp dir, stopped by PID when the test process exits, also on failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './helpers.ts';

export interface Registry {
  readonly host: string; // 127.0.0.1:PORT
  readonly url: string;
  readonly pid: number;
  stop(): void;
}

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

const running = new Set<ChildProcess>();
process.on('exit', () => running.forEach((p) => p.kill('SIGTERM')));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Start a registry; `htpasswd` users turn on Basic auth. */
export async function startRegistry(options: { users?: Record<string, string> } = {}): Promise<Registry> {
  const dir = tempDir('cnb-report-registry-');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let auth = '';
  if (options.users) {
    const file = join(dir, 'htpasswd');
    for (const [user, password] of Object.entries(options.users)) {
      const r = spawnSync('htpasswd', ['-Bb', ...(Object.keys(options.users)[0] === user ? ['-c'] : []), file, user, password]);
      if (r.status !== 0) throw new Error(`htpasswd: ${r.stderr}`);
    }
    auth = `auth:\n  htpasswd:\n    realm: cnb-report-test\n    path: ${file}\n`;
  }
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${auth}`,
  );
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const url = `http://${host}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    try {
      const r = await fetch(`${url}/v2/`);
      if (r.status === 200 || r.status === 401) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    host,
    url,
    pid: child.pid!,
    stop() {
      child.kill('SIGTERM');
      running.delete(child);
    },
  };
}

/** HEAD a manifest with the Accept header registries need to serve OCI manifests. */
export async function headManifest(registry: Registry, repository: string, reference: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, {
    method: 'HEAD',
    headers: { Accept: MANIFEST_ACCEPT, ...headers },
  });
  return {
    status: r.status,
    digest: r.headers.get('docker-content-digest'),
    size: Number(r.headers.get('content-length')),
    mediaType: r.headers.get('content-type'),
  };
}
