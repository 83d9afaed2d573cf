// The fuzzer (test/support/fuzz.ts) at the size `make test` affords: mutated fixtures and deeply
// nested documents through the whole `results` path in-process. `make fuzz` runs 100,000.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EXIT_CODES } from '../../src/core/errors.ts';
import { fuzz } from '../support/fuzz.ts';
import { tempDir } from '../support/helpers.ts';

const f = suite('fuzz: mutated fixtures');
f('5,000 variants: no crash, all-or-nothing output, grammatical values', async () => {
  const { counts, failures } = await fuzz(5000, 20261121, tempDir(), 0);
  assert.equal(failures.slice(0, 5), []);
  // The mutations must reach both outcomes, or the test proves little.
  assert.ok((counts[0] ?? 0) > 100 && (counts[EXIT_CODES.REPORT_INVALID] ?? 0) > 1000, JSON.stringify(counts));
});
f('300 documents nested up to 20,000 levels in [image] or analyzed.toml: exit 4 or 15, one line each', async () => {
  const { counts, failures } = await fuzz(300, 7, tempDir(), 1);
  assert.equal(failures.slice(0, 5), []);
  assert.ok((counts[EXIT_CODES.REPORT_INVALID] ?? 0) > 100 && (counts[EXIT_CODES.ANALYZED_INVALID] ?? 0) > 30, JSON.stringify(counts));
});
f.run();
