// Image references and digests, by the grammar of distribution/reference (regexp.go) and the
// repository identity that go-containerregistry's pkg/name gives them (what the lifecycle uses
// to push and what Tekton Chains uses to read results).
//
// Everything that passes here is plain ASCII from a small alphabet: no whitespace, quotes, `$`,
// `;` or control characters. Result values flow into later tasks' scripts, so this module is
// the injection boundary.

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6 = '\\[[a-fA-F0-9:]+\\]';
const domain = `(?:${domainName}|${ipv6})(?::[0-9]+)?`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';

const NAME = new RegExp(`^(?:(${domain})/)?(${remoteName})$`);
const TAG = new RegExp(`^${tag}$`);
// distribution's NameTotalLengthMax
const NAME_MAX = 255;

/** sha256 only, lowercase: what the lifecycle writes and what Chains can sign. */
export const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface Reference {
  /** The name part exactly as written: `[domain/]path`. */
  readonly name: string;
  readonly tag: string | undefined;
  /** The registry as go-containerregistry resolves it (`index.docker.io` for Docker Hub). */
  readonly registry: string;
  /** The repository path on that registry (`library/app` for a Docker Hub short name). */
  readonly repository: string;
}

/**
 * Parse a tag reference (`name[:tag]`, no digest). Returns a reason string when it is not one,
 * so callers can collect every problem before failing.
 */
export function parseTagReference(text: string): Reference | string {
  if (text.includes('@')) return 'holds a digest; a tag reference is expected';
  // The tag is after the last ':' that follows the last '/', so a registry port is not a tag.
  const colon = text.lastIndexOf(':');
  const hasTag = colon > text.lastIndexOf('/');
  const name = hasTag ? text.slice(0, colon) : text;
  const tagPart = hasTag ? text.slice(colon + 1) : undefined;
  if (tagPart !== undefined && !TAG.test(tagPart)) return 'has an invalid tag';
  const match = NAME.exec(name);
  if (!match) return 'is not a valid image reference';
  if (name.length > NAME_MAX) return `has a name longer than ${NAME_MAX} characters`;
  if (match[1] !== undefined && !validHost(match[1])) return 'has a registry port above 65535 or an invalid IPv6 address';
  return { name, tag: tagPart, ...identity(name) };
}

/**
 * The grammar's domain allows any digits as a port and any hex and colons in brackets; a
 * registry must also be reachable by URL (as go-containerregistry's name.NewRegistry parses it),
 * so a port must be at most 65535 and a bracketed address a real IPv6 address. WHATWG URL
 * parsing (a global, no I/O) decides both.
 */
function validHost(domain: string): boolean {
  const port = /:(\d+)$/.exec(domain)?.[1];
  if (port !== undefined && Number(port) > 65535) return false;
  try {
    new URL(`https://${domain}/`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Parse a digest reference (`name[:tag]@sha256:…`, what Chains and the lifecycle write). Returns a
 * reason string when it is not one: the name's problem first, then the digest's.
 */
export function parseDigestReference(text: string): { ref: Reference; digest: string } | string {
  const at = text.lastIndexOf('@');
  if (at < 0) return 'has no @digest';
  const ref = parseTagReference(text.slice(0, at));
  if (typeof ref === 'string') return ref;
  const digest = text.slice(at + 1);
  return SHA256_DIGEST.test(digest) ? { ref, digest } : 'does not end in @sha256: and 64 lowercase hex characters';
}

/** Where the image lives, as go-containerregistry (and so the lifecycle and Chains) sees it. */
function identity(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  // pkg/name treats the first part as a registry only if it has '.' or ':'. Unlike
  // distribution, `localhost/app` is therefore a Docker Hub repository there.
  if (first.includes('.') || first.includes(':')) {
    const registry = first === 'docker.io' ? 'index.docker.io' : first;
    return { registry, repository: withLibrary(registry, name.slice(slash + 1)) };
  }
  return { registry: 'index.docker.io', repository: withLibrary('index.docker.io', name) };
}

function withLibrary(registry: string, repository: string): string {
  return registry === 'index.docker.io' && !repository.includes('/') ? `library/${repository}` : repository;
}

/** The key under which two references name the same repository. */
export function repositoryKey(ref: Reference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The first reference to each repository, in order. */
export function distinctRepositories(refs: readonly Reference[]): Reference[] {
  const seen = new Set<string>();
  return refs.filter((ref) => !seen.has(repositoryKey(ref)) && Boolean(seen.add(repositoryKey(ref))));
}
