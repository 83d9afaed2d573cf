// The realm rule (go-containerregistry validateRealmURL, #2258): where Basic credentials may go.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkRealm, realmProblem } from '../../../../src/edge/registry/auth.ts';

const secure = { registry: 'registry.example.com', insecure: false };
const plain = { registry: '127.0.0.1:5000', insecure: true };

const r = suite('realmProblem');
const cases: [string, { registry: string; insecure: boolean }, RegExp | undefined][] = [
  // 1. https to a public name or address: allowed
  ['https://auth.example.com/token', secure, undefined],
  ['https://93.184.216.34/token', secure, undefined],
  ['https://[2606:4700::1111]/token', secure, undefined],
  // 2. plain http: only for a registry named insecure
  ['http://auth.example.com/token', secure, /plain http for a registry reached over https/],
  ['http://auth.example.com/token', { registry: 'registry.example.com', insecure: true }, undefined],
  // 3. other schemes, never
  ['file:///etc/passwd', secure, /scheme file/],
  ['ftp://auth.example.com/token', secure, /scheme ftp/],
  ['javascript:alert(1)', secure, /scheme javascript/],
  ['not a url', secure, /is not a URL/],
  ['', secure, /is not a URL/],
  // 4. the registry's own host:port: always (the loopback test registry)
  ['http://127.0.0.1:5000/token', plain, undefined],
  ['https://REGISTRY.example.com/token', secure, undefined],
  // 5. loopback, private, link-local, unspecified literals that are not the registry: refused
  ['http://127.0.0.1:5001/token', plain, /loopback, private or link-local/],
  ['https://127.0.0.1/token', secure, /names 127\.0\.0\.1/],
  ['https://127.8.9.10/token', secure, /loopback/],
  ['https://10.1.2.3/token', secure, /names 10\.1\.2\.3/],
  ['https://172.16.0.1/token', secure, /private/],
  ['https://172.31.255.255/token', secure, /private/],
  ['https://192.168.1.1/token', secure, /private/],
  ['https://169.254.169.254/latest/meta-data/', secure, /names 169\.254\.169\.254/],
  ['https://0.0.0.0/token', secure, /names 0\.0\.0\.0/],
  ['https://224.0.0.1/token', secure, /link-local/],
  ['https://[::1]/token', secure, /names ::1/],
  ['https://[fd00:ec2::254]/token', secure, /names fd00:ec2::254/],
  ['https://[fe80::1]/token', secure, /link-local/],
  ['https://[::]/token', secure, /names ::/],
  ['https://[::ffff:127.0.0.1]/token', secure, /loopback/],
  ['https://[::ffff:a9fe:a9fe]/token', secure, /loopback, private or link-local/],
  // 6. spellings the URL parser normalises to those addresses are caught too
  ['https://2130706433/token', secure, /names 127\.0\.0\.1/],
  ['https://0x7f.1/token', secure, /names 127\.0\.0\.1/],
  ['https://0251.0376.0251.0376/token', secure, /names 169\.254\.169\.254/],
  // 7. just outside the private ranges: allowed
  ['https://172.32.0.1/token', secure, undefined],
  ['https://11.0.0.1/token', secure, undefined],
  // 8. user information in the realm: refused
  ['https://user:pass@auth.example.com/token', secure, /user information/],
];
cases.forEach(([realm, origin, expected], i) => {
  r(`${i + 1}. ${realm || '(empty)'} from ${origin.insecure ? 'http' : 'https'}://${origin.registry}`, () => {
    const problem = realmProblem(realm, origin);
    if (expected) assert.match(problem ?? '(allowed)', expected);
    else assert.is(problem, undefined);
  });
});
r('checkRealm: a one-line REGISTRY_ERROR naming the realm', () => {
  assert.throws(
    () => checkRealm('http://169.254.169.254/x', secure, 'r/a@d'),
    (e: { code: string; message: string }) =>
      e.code === 'REGISTRY_ERROR' &&
      e.message === 'r/a@d: refusing the token service "http://169.254.169.254/x": it is plain http for a registry reached over https',
  );
  assert.is(checkRealm('https://auth.example.com/t?x=1', secure, 'w').href, 'https://auth.example.com/t?x=1');
});
r.run();
