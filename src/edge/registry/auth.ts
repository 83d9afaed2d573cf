// Answering a registry's WWW-Authenticate challenge (Basic, or Bearer through the token
// service), as the distribution token spec describes:
// https://distribution.github.io/distribution/spec/auth/token/

import { CnbReportError } from '../../core/errors.ts';
import type { Credentials } from './credentials.ts';
import { send, type RequestOptions } from './http.ts';

/**
 * The Authorization header that answers a WWW-Authenticate challenge. `scopes` replaces the
 * challenge's scope: a push asks for `repository:<repo>:pull,push`, and a cross-repository
 * mount also for `repository:<from>:pull`, in one token.
 */
export async function answerChallenge(header: string, repository: string, creds: Credentials | undefined, options: RequestOptions, what: string, scopes?: readonly string[]): Promise<string | undefined> {
  const scheme = /^\s*(\w+)/.exec(header)?.[1]?.toLowerCase();
  const basic = creds && `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
  if (scheme === 'basic') return basic;
  if (scheme !== 'bearer') return undefined;
  const params = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
  if (!params.realm) throw new CnbReportError('REGISTRY_ERROR', `${what}: a Bearer challenge without a realm`);
  const token = new URL(params.realm);
  if (params.service) token.searchParams.set('service', params.service);
  if (scopes?.length) for (const scope of scopes) token.searchParams.append('scope', scope);
  else token.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
  const response = await send(token.href, 'GET', basic, options, what, 'application/json');
  if (response.status === 401 || response.status === 403) {
    throw new CnbReportError('REGISTRY_DENIED', `${what}: the token service ${token.host} refused ${creds ? `the credentials of ${creds.username}` : 'anonymous access'} (HTTP ${response.status})`);
  }
  if (response.status !== 200) throw new CnbReportError('REGISTRY_ERROR', `${what}: the token service ${token.host} answered HTTP ${response.status}`);
  const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
  const value = body.token ?? body.access_token;
  if (!value) throw new CnbReportError('REGISTRY_ERROR', `${what}: the token service ${token.host} returned no token`);
  return `Bearer ${value}`;
}
