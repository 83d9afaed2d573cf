// Registry credentials from a Docker config.json ($DOCKER_CONFIG/config.json, else
// ~/.docker/config.json): `auths` entries with `auth` (base64 user:password) or
// `username`/`password`. Keys are matched by host, as docker and go-containerregistry do:
// "registry.example.com", "https://registry.example.com/v1/" and "http://…" name the same one.

import { CnbReportError } from '../../core/errors.ts';
import { readInput, type InputKind } from '../input.ts';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

type Auths = Record<string, { auth?: string; username?: string; password?: string }>;

const DOCKER_CONFIG: InputKind = { what: 'docker config', unreadable: 'CONFIG_INVALID', invalid: 'CONFIG_INVALID' };

/** The credentials for each registry host in a config.json; none when the file does not exist. */
export function loadCredentials(path: string): Map<string, Credentials> {
  let text: string;
  try {
    text = readInput(path, DOCKER_CONFIG).toString('utf8');
  } catch (err) {
    // No config.json means anonymous access, as for docker and crane.
    if ((err as { cause?: { code?: string } }).cause?.code === 'ENOENT') return new Map();
    throw err;
  }
  let auths: Auths;
  try {
    auths = (JSON.parse(text) as { auths?: Auths }).auths ?? {};
  } catch {
    throw new CnbReportError('CONFIG_INVALID', `${path}: not valid JSON`);
  }
  const credentials = new Map<string, Credentials>();
  for (const [key, entry] of Object.entries(auths)) {
    const host = hostOf(key);
    if (entry?.username !== undefined && entry.password !== undefined)
      credentials.set(host, { username: entry.username, password: entry.password });
    else if (typeof entry?.auth === 'string' && entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0)
        throw new CnbReportError('CONFIG_INVALID', `${path}: auths[${JSON.stringify(key)}].auth is not base64 of user:password`);
      credentials.set(host, { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) });
    }
  }
  return credentials;
}

/** The credentials for a registry: by its host, and Docker Hub's also under "docker.io". */
export function credentialsFor(credentials: ReadonlyMap<string, Credentials>, registry: string): Credentials | undefined {
  return credentials.get(registry.toLowerCase()) ?? (registry === 'index.docker.io' ? credentials.get('docker.io') : undefined);
}

/** "https://index.docker.io/v1/" → "index.docker.io"; "Registry.io:5000" → "registry.io:5000". */
export function hostOf(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}
