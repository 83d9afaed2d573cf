// Answering a registry's WWW-Authenticate challenge (Basic, or Bearer through the token
// service), as the distribution token spec describes:
// https://distribution.github.io/distribution/spec/auth/token/
//
// The realm of a Bearer challenge is chosen by whoever answered the 401, and it receives the
// user's Basic credentials. So it is checked first, by the rule go-containerregistry applies
// (pkg/v1/remote/transport/bearer.go, validateRealmURL and realmRedirectCheck, PR #2258), and
// so is every redirect the token service answers with.

import { BlockList } from 'node:net';
import { CnbReportError, quote } from '../../core/errors.ts';
import type { Credentials } from './credentials.ts';
import { readBody, send, type RequestOptions } from './http.ts';

/** The registry a challenge came from: its host[:port] as named, and whether it is plain HTTP. */
export interface ChallengeOrigin {
  readonly registry: string;
  readonly insecure: boolean;
}

/** A token response is a small JSON object; anything larger is not one. */
export const MAX_TOKEN_BODY = 1024 * 1024;

// Go's net.IP IsLoopback, IsPrivate, IsLinkLocalUnicast, IsLinkLocalMulticast, IsUnspecified
// (https://pkg.go.dev/net#IP.IsPrivate). BlockList also matches IPv4-mapped IPv6 addresses.
const REFUSED = new BlockList();
for (const [net, prefix] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['224.0.0.0', 24],
  ['0.0.0.0', 32],
] as const) {
  REFUSED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff02::', 16],
  ['::', 128],
] as const) {
  REFUSED.addSubnet(net, prefix, 'ipv6');
}

/**
 * Why a token-service URL (a realm, or a redirect from one) must not receive credentials, or
 * undefined when it may: https always; http only for a registry named insecure; a realm on the
 * registry's own host:port always; otherwise no IP literal in a loopback, private, link-local
 * or unspecified range (cloud metadata services live at 169.254.169.254 and fd00:ec2::254).
 * Names are not resolved: DNS-based tricks are out of scope here, as upstream.
 */
export function realmProblem(realm: string, origin: ChallengeOrigin): string | undefined {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol === 'http:') {
    if (!origin.insecure) return 'is plain http for a registry reached over https';
  } else if (url.protocol !== 'https:') {
    return `has scheme ${url.protocol.slice(0, -1)}; only https (or http for a registry named insecure) is allowed`;
  }
  if (url.username || url.password) return 'carries user information';
  if (url.host === origin.registry.toLowerCase()) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = /^[\d.]+$/.test(host) ? 'ipv4' : host.includes(':') ? 'ipv6' : undefined;
  if (family && REFUSED.check(host, family)) return `names ${host}, a loopback, private or link-local address that is not the registry`;
  return undefined;
}

/** The realm as a URL, or a REGISTRY_ERROR saying why the credentials will not go there. */
export function checkRealm(realm: string, origin: ChallengeOrigin, what: string, role = 'token service'): URL {
  const problem = realmProblem(realm, origin);
  if (problem) throw new CnbReportError('REGISTRY_ERROR', `${what}: refusing the ${role} ${quote(realm, 120)}: it ${problem}`);
  return new URL(realm);
}

/**
 * The Authorization header that answers a WWW-Authenticate challenge. `scopes` replaces the
 * challenge's scope: a push asks for `repository:<repo>:pull,push`, and a cross-repository
 * mount also for `repository:<from>:pull`, in one token.
 */
export async function answerChallenge(
  header: string,
  repository: string,
  creds: Credentials | undefined,
  options: RequestOptions,
  what: string,
  origin: ChallengeOrigin,
  scopes?: readonly string[],
): Promise<string | undefined> {
  const scheme = /^\s*(\w+)/.exec(header)?.[1]?.toLowerCase();
  const basic = creds && `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
  if (scheme === 'basic') return basic;
  if (scheme !== 'bearer') return undefined;
  const params = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
  if (!params.realm) throw new CnbReportError('REGISTRY_ERROR', `${what}: a Bearer challenge without a realm`);
  const token = checkRealm(params.realm, origin, what);
  if (params.service) token.searchParams.set('service', params.service);
  if (scopes?.length) for (const scope of scopes) token.searchParams.append('scope', scope);
  else token.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
  const checkRedirect = (target: URL) => void checkRealm(target.href, origin, what, 'token-service redirect to');
  const response = await send(token.href, 'GET', basic, options, what, 'application/json', { checkRedirect });
  const body = await readBody(response, MAX_TOKEN_BODY, `${what}: the token service ${token.host}`);
  if (response.status === 401 || response.status === 403) {
    throw new CnbReportError(
      'REGISTRY_DENIED',
      `${what}: the token service ${token.host} refused ${creds ? `the credentials of ${creds.username}` : 'anonymous access'} (HTTP ${response.status})`,
    );
  }
  if (response.status !== 200)
    throw new CnbReportError('REGISTRY_ERROR', `${what}: the token service ${token.host} answered HTTP ${response.status}`);
  let parsed: { token?: unknown; access_token?: unknown } = {};
  try {
    parsed = JSON.parse(body.toString('utf8')) ?? {};
  } catch {
    // not JSON: no token, said below
  }
  const value = parsed.token ?? parsed.access_token;
  // The token goes into a header: a value that is not a plain token is refused, not sent.
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,16384}$/.test(value))
    throw new CnbReportError('REGISTRY_ERROR', `${what}: the token service ${token.host} returned no usable token`);
  return `Bearer ${value}`;
}
