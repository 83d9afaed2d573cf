import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseToml } from '../../../src/core/toml.ts';
import { validateReport } from '../../../src/core/report.ts';
import { containerMessage, parseTerminationMessage, renderTerminationMessage } from '../../../src/core/termination.ts';
import { pod } from '../../support/apiserver.ts';
import { DIGEST, reportToml } from '../../support/helpers.ts';

const parse_ = (bytes: Uint8Array, file: string) => validateReport(parseToml(bytes, file), file);

const t = suite('termination message');
t('round trip: render, then read back with the same validation', () => {
  const report = parse_(Buffer.from(reportToml({ tags: ['r.io/a:1'], digest: DIGEST, 'manifest-size': 7 })), 'report.toml');
  const text = renderTerminationMessage(report);
  assert.is(text, `{"image":{"tags":["r.io/a:1"],"digest":"${DIGEST}","manifest-size":7}}`);
  const back = parseTerminationMessage(text, 'pod p');
  assert.equal([back.tags, back.digest, back.manifestSize], [report.tags, report.digest, report.manifestSize]);
});
t('what is not a valid report is NO_RESULT, with the validation details', () => {
  for (const text of ['x', '[]', '{}', JSON.stringify({ image: { tags: ['A b'], digest: DIGEST } })]) {
    assert.throws(
      () => parseTerminationMessage(text, 'pod p'),
      (e: { code: string }) => e.code === 'NO_RESULT',
    );
  }
});
t('the digest rule on this output path too: a daemon export is NO_DIGEST unless allowed', () => {
  const daemon = parse_(Buffer.from(reportToml({ tags: ['app'], 'image-id': 'a'.repeat(64) })), 'report.toml');
  assert.throws(
    () => renderTerminationMessage(daemon),
    (e: { code: string; message: string }) => e.code === 'NO_DIGEST' && /pass --allow-daemon/.test(e.message),
  );
  assert.is(
    renderTerminationMessage(daemon, undefined, { allowDaemon: true }),
    `{"image":{"tags":["app"],"image-id":"${'a'.repeat(64)}"}}`,
  );
  const neither = parse_(Buffer.from(reportToml({ tags: ['app'] })), 'report.toml');
  assert.throws(
    () => renderTerminationMessage(neither, undefined, { allowDaemon: true }),
    (e: { code: string }) => e.code === 'NO_DIGEST',
  );
});
t('read back, a message without a registry digest is NO_RESULT (pod get never reports it as success)', () => {
  for (const image of [{ tags: ['app'], 'image-id': 'a'.repeat(64) }, { tags: ['app'] }]) {
    assert.throws(
      () => parseTerminationMessage(JSON.stringify({ image }), 'pod p container c'),
      (e: { code: string; message: string }) => e.code === 'NO_RESULT' && /names no registry digest/.test(e.message),
    );
  }
});
t('containerMessage: by name, or the single container with a message (init containers too)', () => {
  const p = pod('p', [{ name: 'a' }, { name: 'b', message: 'm' }]);
  assert.equal(containerMessage(p, undefined), { container: 'b', message: 'm' });
  assert.equal(containerMessage(p, 'b'), { container: 'b', message: 'm' });
  p.status.initContainerStatuses = [{ name: 'init', lastState: { terminated: { message: 'i' } } }];
  assert.throws(() => containerMessage(p, undefined), /2 containers with a termination message/);
  assert.equal(containerMessage(p, 'init'), { container: 'init', message: 'i' });
});
t.run();
