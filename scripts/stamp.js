// Pin the cnb-report image in every YAML file under tasks/ to one pushed image:
//   node scripts/stamp.js <registry>/<path>/cnb-report sha256:<64 hex> [dir]
// with the package version as its tag. `make release` runs it with the repository it pushed to
// and the digest the registry returned. Every reference to an image named cnb-report that is
// pinned by digest is replaced: the unreleased placeholder, or an earlier release.
import { lstatSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What tasks/ holds until a release is stamped: a reserved domain (RFC 2606) and no digest. */
export const UNRELEASED = 'cnb-report.invalid/unreleased/cnb-report';
const REFERENCE = /(?<![\w./-])[a-z0-9][\w.:-]*(?:\/[\w.-]+)*\/cnb-report:[0-9A-Za-z.+-]+@sha256:[a-f0-9]{64}/g;
// distribution/reference: a domain (with a dot, a port or localhost), then lowercase path components.
const REPOSITORY =
  /^(?:localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+|[a-zA-Z0-9.-]+:[0-9]+)(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*\/cnb-report$/;

export function stamp(repository, digest, version, dir) {
  if (!REPOSITORY.test(repository)) throw new Error(`not a registry repository ending in /cnb-report: ${repository}`);
  if (!/^sha256:[a-f0-9]{64}$/.test(digest) || /^sha256:0{64}$/.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
  if (!/^[0-9A-Za-z.+-]+$/.test(version)) throw new Error(`not a tag: ${version}`);
  const changed = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      const stat = lstatSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && /\.ya?ml$/.test(name)) {
        const text = readFileSync(path, 'utf8');
        const next = text.replace(REFERENCE, `${repository}:${version}@${digest}`);
        if (next !== text) {
          const temp = `${path}.stamp-${process.pid}`;
          writeFileSync(temp, next, { flag: 'wx', mode: stat.mode & 0o777 });
          renameSync(temp, path); // atomically: a reader never sees half a file
          changed.push(path);
        }
      }
    }
  };
  walk(dir);
  return changed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [repository = '', digest = '', dir = new URL('../tasks', import.meta.url).pathname] = process.argv.slice(2);
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  try {
    const changed = stamp(repository, digest, version, dir);
    console.log(`${repository}:${version}@${digest} in ${changed.length} file(s)${changed.length ? `: ${changed.join(', ')}` : ''}`);
  } catch (err) {
    console.error(`stamp: ${err.message}`);
    process.exitCode = 2;
  }
}
