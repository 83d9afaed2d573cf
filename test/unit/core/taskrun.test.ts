import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { summarize } from '../../../src/core/taskrun.ts';
import { progressLine } from '../../../src/cli/commands/cluster.ts';
import { failed, running, succeeded, taskRun } from '../../support/apiserver.ts';
import { DIGEST } from '../../support/helpers.ts';

const withResults = (results: Record<string, unknown>) => {
  const doc = taskRun('t');
  succeeded(doc, {});
  doc.status.results = Object.entries(results).map(([name, value]) => ({
    name,
    type: typeof value === 'string' ? 'string' : Array.isArray(value) ? 'array' : 'object',
    value,
  }));
  return summarize(doc);
};

const s = suite('summarize');
s('status from the Succeeded condition', () => {
  const doc = taskRun('t');
  assert.is(summarize(doc).summary.status, 'Running'); // Unknown/Pending
  running(doc, 1);
  assert.is(summarize(doc).summary.status, 'Running');
  failed(doc);
  assert.equal([summarize(doc).summary.status, summarize(doc).summary.reason], ['Failed', 'Failed']);
  delete doc.status;
  assert.is(summarize(doc).summary.status, 'Unknown');
});
s('the unprefixed pair wins over a prefixed one; IMAGES adds repositories once each', () => {
  const { summary, imageProblem } = withResults({
    APP_IMAGE_URL: 'r.io/old',
    APP_IMAGE_DIGEST: DIGEST,
    IMAGE_URL: 'r.io/a:1',
    IMAGE_DIGEST: DIGEST,
    IMAGES: `r.io/b@${DIGEST},r.io/a@${DIGEST}\nr.io/c:tag@${DIGEST}\n`,
  });
  assert.is(imageProblem, undefined);
  assert.equal(summary.image, { url: 'r.io/a:1', digest: DIGEST, images: [`r.io/a@${DIGEST}`, `r.io/b@${DIGEST}`, `r.io/c@${DIGEST}`] });
});
s('array and object results are kept as they are', () => {
  const { summary } = withResults({ IMAGE_URL: 'r.io/a', IMAGE_DIGEST: DIGEST, LIST: ['x', 'y'], OBJ: { uri: 'u', digest: 'd' } });
  assert.equal(summary.results.LIST, ['x', 'y']);
  assert.equal(summary.results.OBJ, { uri: 'u', digest: 'd' });
});
const PROBLEMS: [Record<string, unknown>, RegExp][] = [
  [{}, /no IMAGE_URL and IMAGE_DIGEST results/],
  [{ IMAGE_URL: 'r.io/a' }, /no IMAGE_URL and IMAGE_DIGEST/],
  [{ IMAGE_URL: 'r.io/a\nx', IMAGE_DIGEST: DIGEST }, /IMAGE_URL "r\.io\/a\\nx" is not a valid image reference/],
  [{ IMAGE_URL: `r.io/a@${DIGEST}`, IMAGE_DIGEST: DIGEST }, /holds a digest/],
  [{ IMAGE_URL: 'r.io/a', IMAGE_DIGEST: 'sha256:abc' }, /IMAGE_DIGEST "sha256:abc" is not a sha256 digest/],
  [{ IMAGE_URL: 'r.io/a', IMAGE_DIGEST: DIGEST, IMAGES: 'r.io/b' }, /IMAGES entry "r\.io\/b" is not repository@sha256/],
  [{ IMAGE_URL: ['r.io/a'], IMAGE_DIGEST: DIGEST }, /are not strings/],
];
for (const [results, problem] of PROBLEMS) {
  s(`no usable image: ${JSON.stringify(results).slice(0, 50)}`, () => {
    const { summary, imageProblem } = withResults(results);
    assert.is(summary.image, null);
    assert.match(imageProblem!, problem);
  });
}
s('Chains annotations', () => {
  const doc = taskRun('t');
  doc.metadata.annotations = { 'chains.tekton.dev/signed': 'true', 'chains.tekton.dev/transparency': 'https://rekor/x', other: 'y' };
  assert.equal(summarize(doc).summary.chains, { transparency: 'https://rekor/x', signed: true });
  doc.metadata.annotations = { 'chains.tekton.dev/signed': 'failed', 'chains.tekton.dev/retries': '3' };
  assert.equal(summarize(doc).summary.chains, { retries: '3', failed: true, signed: false });
  assert.equal(summarize(taskRun('t')).summary.chains, { signed: false });
});
s('v1beta1 status.taskResults', () => {
  const doc = taskRun('t');
  succeeded(doc, { IMAGE_URL: 'r.io/a', IMAGE_DIGEST: DIGEST });
  doc.status.taskResults = doc.status.results;
  delete doc.status.results;
  assert.is(summarize(doc).summary.image?.url, 'r.io/a');
});
s.run();

const p = suite('progressLine');
p('names the running step, else the condition reason', () => {
  const doc = taskRun('build-1');
  assert.is(progressLine(doc), 'build-1: Pending');
  running(doc, 1);
  assert.is(progressLine(doc), 'build-1: step create running');
  succeeded(doc, {});
  assert.is(progressLine(doc), 'build-1: Succeeded');
});
p.run();
