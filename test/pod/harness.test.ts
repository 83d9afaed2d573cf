// The pure parts of the pod harness, checked against the upstream rules they model, so that the
// pod-level e2e (test/e2e/pod.itg.ts) can be trusted to fail where a real pod would.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chainsView, entrypointMessage, goJson, kubeletCut, parseMessage, podContainers, typedResult } from './harness.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

const pod = suite('pod shape and the kubelet');
pod('prepare always, place-scripts when a step has a script, sidecars counted', () => {
  assert.equal(podContainers([{ name: 'a', script: 'x' }, { name: 'b' }, { name: 'c' }]), {
    containers: 5,
    init: ['prepare', 'place-scripts'],
  });
  assert.equal(podContainers([{ name: 'a' }, { name: 'b' }]).containers, 3);
  assert.equal(podContainers([{ name: 'a' }], 2).containers, 4);
});
pod('the kubelet keeps floor(12288 / containers) bytes and cuts the rest, JSON or not', () => {
  const message = 'x'.repeat(3000);
  assert.is(kubeletCut(message, 5).length, 2457);
  assert.is(kubeletCut(message, 4), message, '4 containers: 3072 bytes kept, all of it');
  assert.is(kubeletCut('short', 12), 'short');
});
pod.run();

const entrypoint = suite("the entrypoint's message and the controller's reading");
entrypoint('task results, step results, StartedAt; Go escapes', () => {
  const { message } = entrypointMessage(
    [{ key: 'A', value: '<a&b>', type: 1 }],
    [{ key: 'S', value: 's', type: 4 }],
    '2026-01-01T00:00:00.000+00:00',
  );
  assert.is(
    message,
    '[{"key":"A","value":"\\u003ca\\u0026b\\u003e","type":1},{"key":"S","value":"s","type":4},{"key":"StartedAt","value":"2026-01-01T00:00:00.000+00:00","type":3}]',
  );
  assert.equal(parseMessage(message!).entries![0], { key: 'A', value: '<a&b>', type: 1 });
});
entrypoint('over 4096 bytes the entrypoint refuses', () => {
  const { error } = entrypointMessage([{ key: 'A', value: 'x'.repeat(4096), type: 1 }], [], 'now');
  assert.match(error!, /above max allowed size 4096/);
});
entrypoint('a cut message is not JSON: every result in it is lost', () => {
  const text = goJson([{ key: 'IMAGES', value: 'y'.repeat(3000), type: 1 }]);
  assert.ok(parseMessage(text).entries);
  assert.match(parseMessage(kubeletCut(text, 5)).error!, /could not be parsed as JSON/);
});
entrypoint('typed results: objects need every declared key', () => {
  const declared = { name: 'R', type: 'object', properties: { uri: { type: 'string' }, digest: { type: 'string' } } };
  assert.equal(typedResult(declared, '{"uri":"u","digest":"d"}').value, { uri: 'u', digest: 'd' });
  assert.match(typedResult(declared, '{"uri":"u"}').error!, /missing keys digest/);
  assert.match(typedResult(declared, 'nope').error!, /not JSON/);
  assert.is(typedResult({ name: 'S' }, 'as is\n').value, 'as is\n');
});
entrypoint.run();

const chains = suite("Chains' type hinting");
chains('the pair and IMAGES, tags dropped, de-duplicated as Chains ≥ v0.27 does, counted as older ones sign', () => {
  const view = chainsView({
    IMAGE_URL: 'r.io/team/app:1',
    IMAGE_DIGEST: DIGEST,
    IMAGES: `r.io/team/app@${DIGEST}\nr.io/mirror/app@${DIGEST}`,
    RUN_IMAGE_ARTIFACT_INPUTS: { uri: 'oci://r.io/run', digest: DIGEST },
  });
  assert.equal(view.images, [`r.io/team/app@${DIGEST}`, `r.io/mirror/app@${DIGEST}`]);
  assert.is(view.signedBefore027, 3);
  assert.equal(view.materials, [{ uri: 'oci://r.io/run', digest: DIGEST }]);
});
chains('bad values are errors, empty ones drop the pair', () => {
  assert.equal(chainsView({ IMAGE_URL: 'r.io/App', IMAGE_DIGEST: DIGEST }).errors.length, 1);
  assert.equal(chainsView({ IMAGE_URL: `r.io/app@${DIGEST}`, IMAGE_DIGEST: DIGEST }).errors.length, 1);
  assert.equal(chainsView({ IMAGE_URL: 'r.io/app', IMAGE_DIGEST: '' }), { images: [], signedBefore027: 0, materials: [], errors: [] });
  assert.equal(chainsView({ IMAGES: 'r.io/app:1' }).errors, ['r.io/app:1: no digest']);
});
chains.run();
