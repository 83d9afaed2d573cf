import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostOf, loadCredentials } from '../../../../src/edge/registry/credentials.ts';
import { tempDir } from '../../../support/helpers.ts';

const c = suite('Docker config.json credentials');
c('auth and username/password entries, keyed by host', () => {
  const path = join(tempDir(), 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw:with:colons').toString('base64') },
        'registry.example.com': { username: 'u', password: 'p' },
        'http://127.0.0.1:5000': { auth: Buffer.from('a:b').toString('base64') },
        'empty.example.com': {},
      },
      credsStore: 'desktop',
    }),
  );
  const creds = loadCredentials(path);
  assert.equal(Object.fromEntries(creds), {
    'index.docker.io': { username: 'hub', password: 'pw:with:colons' },
    'registry.example.com': { username: 'u', password: 'p' },
    '127.0.0.1:5000': { username: 'a', password: 'b' },
  });
});
c('a missing file means anonymous; a malformed one is an error', () => {
  const dir = tempDir();
  assert.is(loadCredentials(join(dir, 'none.json')).size, 0);
  writeFileSync(join(dir, 'bad.json'), '{');
  assert.throws(
    () => loadCredentials(join(dir, 'bad.json')),
    (e: { code: string; message: string }) => e.code === 'CONFIG_INVALID' && /not valid JSON/.test(e.message),
  );
  writeFileSync(join(dir, 'bad2.json'), JSON.stringify({ auths: { x: { auth: Buffer.from('nocolon').toString('base64') } } }));
  assert.throws(() => loadCredentials(join(dir, 'bad2.json')), /not base64 of user:password/);
});
c('hosts are matched as docker does', () => {
  assert.is(hostOf('HTTPS://Registry.IO:5000/v2/'), 'registry.io:5000');
});
c.run();
