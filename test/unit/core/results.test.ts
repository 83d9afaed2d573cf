import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CnbReportError } from '../../../src/core/errors.ts';
import { parseToml } from '../../../src/core/toml.ts';
import { validateReport } from '../../../src/core/report.ts';
import { checkBudget, otherRepositories, renderResults, terminationMessageSize } from '../../../src/core/results.ts';
import { TEKTON_MESSAGE_LIMIT } from '../../../src/core/budget.ts';
import { DIGEST, reportToml } from '../../support/helpers.ts';

const parse_ = (bytes: Uint8Array, file: string) => validateReport(parseToml(bytes, file), file);

const report = (image: Record<string, unknown>) => parse_(Buffer.from(reportToml(image)), 'report.toml');
const values = (image: Record<string, unknown>) => Object.fromEntries(renderResults(report(image)).map((r) => [r.name, r.value]));

const render = suite('renderResults');
render('the primary tag exactly as written, the digest, and no other repository', () => {
  assert.equal(values({ tags: ['r.io/team/app:1.0', 'r.io/team/app:latest'], digest: DIGEST }), {
    IMAGE_URL: 'r.io/team/app:1.0',
    IMAGE_DIGEST: DIGEST,
    IMAGES: '',
  });
});
render('IMAGES lists each other repository once, in tag order, newline-separated', () => {
  const v = values({ tags: ['r.io/a:1', 'r.io/b:1', 'r.io/a:2', 'r.io/c', 'r.io/b:2'], digest: DIGEST });
  assert.is(v.IMAGES, `r.io/b@${DIGEST}\nr.io/c@${DIGEST}`);
});
render('repositories are compared as go-containerregistry names them (Docker Hub aliases)', () => {
  const v = values({
    tags: ['app:1', 'docker.io/library/app:2', 'index.docker.io/library/app:3', 'docker.io/team/app', 'team/app:x'],
    digest: DIGEST,
  });
  assert.is(v.IMAGES, `docker.io/team/app@${DIGEST}`);
  assert.is(v.IMAGE_URL, 'app:1');
});
render('a daemon export fails by default, naming the flag', () => {
  try {
    renderResults(report({ tags: ['app'], 'image-id': 'a'.repeat(64) }));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, CnbReportError);
    assert.is((err as CnbReportError).code, 'NO_DIGEST');
    assert.match((err as Error).message, /daemon export.*no registry digest.*--allow-daemon/);
  }
});
render('--allow-daemon writes only IMAGE_ID', () => {
  assert.equal(renderResults(report({ tags: ['app'], 'image-id': 'a'.repeat(64) }), { allowDaemon: true }), [
    { name: 'IMAGE_ID', value: 'a'.repeat(64) },
  ]);
});
render('no digest and no image id is NO_DIGEST even with --allow-daemon', () => {
  assert.throws(
    () => renderResults(report({ tags: ['app'] }), { allowDaemon: true }),
    (e: CnbReportError) => e.code === 'NO_DIGEST',
  );
});
render.run();

const budget = suite('termination message budget');
budget('the size is the JSON Tekton writes: key, value, type and StartedAt', () => {
  const expected = `[{"key":"IMAGE_URL","value":"r.io/a","type":1},{"key":"StartedAt","value":"2006-01-02T15:04:05.000+00:00","type":3}]`;
  assert.is(terminationMessageSize([{ name: 'IMAGE_URL', value: 'r.io/a' }]), expected.length);
});
budget('300 tags in one repository fit: IMAGES stays empty', () => {
  const tags = Array.from({ length: 300 }, (_, i) => `registry.example.com/team/app:v${i}`);
  const results = renderResults(report({ tags, digest: DIGEST }));
  checkBudget(results);
  assert.ok(terminationMessageSize(results) < 400);
});
budget('300 tags in 300 repositories do not fit: a clear error before anything is written', () => {
  const tags = Array.from({ length: 300 }, (_, i) => `registry.example.com/team/app-${i}:1`);
  const results = renderResults(report({ tags, digest: DIGEST }));
  assert.is(otherRepositories(report({ tags, digest: DIGEST })).length, 299);
  try {
    checkBudget(results);
    assert.unreachable();
  } catch (err) {
    assert.is((err as CnbReportError).code, 'RESULTS_TOO_LARGE');
    assert.match(
      (err as Error).message,
      /results need a \d+-byte termination message, over the 4096-byte cap: Tekton's 4096-byte limit \(not in a Tekton pod.*\) \(IMAGES lists 299 other repositories\)/,
    );
  }
});
budget('with the run-image material the budget still holds, and still counts it', () => {
  const tags = Array.from({ length: 300 }, (_, i) => `registry.example.com/team/app:v${i}`);
  const runImage = { uri: `oci://registry.example.com/${'base/'.repeat(40)}run`, digest: DIGEST };
  const results = renderResults(report({ tags, digest: DIGEST }), { runImage });
  assert.is(results.at(-1)!.name, 'RUN_IMAGE_ARTIFACT_INPUTS');
  assert.equal(JSON.parse(results.at(-1)!.value), runImage);
  checkBudget(results);
  assert.ok(terminationMessageSize(results) > terminationMessageSize(results.slice(0, -1)) + 250);
});
budget('the limit is exact: the largest IMAGES that fits passes, one more byte fails', () => {
  const base = renderResults(report({ tags: ['r.io/a'], digest: DIGEST }));
  const room = TEKTON_MESSAGE_LIMIT - terminationMessageSize(base);
  const fill = (n: number) => base.map((r) => (r.name === 'IMAGES' ? { ...r, value: 'x'.repeat(n) } : r));
  checkBudget(fill(room));
  assert.throws(
    () => checkBudget(fill(room + 1)),
    (e: CnbReportError) => e.code === 'RESULTS_TOO_LARGE',
  );
});
budget('results earlier steps left count, and are named', () => {
  const results = renderResults(report({ tags: ['r.io/a'], digest: DIGEST }));
  const earlier = [{ key: 'SBOM_URL', value: 'x'.repeat(3900), type: 1 }];
  checkBudget(results);
  assert.throws(
    () => checkBudget(results, { earlier }),
    (e: CnbReportError) =>
      e.code === 'RESULTS_TOO_LARGE' && /1 results of earlier steps in the results directory count too: SBOM_URL/.test(e.message),
  );
  assert.is(
    terminationMessageSize(results, earlier),
    terminationMessageSize(results) + Buffer.byteLength(`{"key":"SBOM_URL","value":"${'x'.repeat(3900)}","type":1},`),
  );
});
budget.run();
