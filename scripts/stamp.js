// Pin the cnb-report image in every YAML file under tasks/ to one digest, with the package
// version as its tag: `node scripts/stamp.js sha256:<64 hex> [dir]`. `make release` runs it with
// the digest the registry returned for the pushed image; `make stamp` with build/image.digest.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const IMAGE = 'ghcr.io/cnb-report/cnb-report';
const REFERENCE = new RegExp(`${IMAGE.replace(/[./]/g, '\\$&')}:[0-9A-Za-z.+-]+@sha256:[a-f0-9]{64}`, 'g');

export function stamp(digest, version, dir) {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
  const changed = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(name)) {
        const text = readFileSync(path, 'utf8');
        const next = text.replace(REFERENCE, `${IMAGE}:${version}@${digest}`);
        if (next !== text) {
          writeFileSync(path, next);
          changed.push(path);
        }
      }
    }
  };
  walk(dir);
  return changed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [digest, dir = new URL('../tasks', import.meta.url).pathname] = process.argv.slice(2);
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const changed = stamp(digest ?? '', version, dir);
  console.log(`${IMAGE}:${version}@${digest} in ${changed.length} file(s)${changed.length ? `: ${changed.join(', ')}` : ''}`);
}
