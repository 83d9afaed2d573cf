import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkOutputPlan, type OutputPlan } from '../../../src/core/outputs.ts';

const f = (path: string, what = path) => ({ path, what });
const plan = (files: string[], directories: string[] = [], inputs: string[] = []): OutputPlan => ({
  files: files.map((p) => f(p)),
  directories: directories.map((p) => f(p)),
  inputs: inputs.map((p) => f(p)),
});
const problem = (p: OutputPlan) => {
  try {
    checkOutputPlan(p);
    return 'ok';
  } catch (err) {
    return `${(err as { code: string }).code}: ${(err as Error).message}`;
  }
};

const o = suite('checkOutputPlan');
const cases: [OutputPlan, string][] = [
  // 1. distinct files, in created directories, beside inputs: fine
  [plan(['/r/A', '/r/B', '/l/index.json'], ['/r', '/l/blobs'], ['/in/report.toml']), 'ok'],
  // 2. a layout in the results directory that overlaps nothing: fine
  [plan(['/r/IMAGE_URL', '/r/oci-layout', '/r/index.json'], ['/r', '/r/blobs']), 'ok'],
  // 3. two outputs, one path
  [plan(['/r/A', '/r/A']), 'USAGE: conflicting outputs: /r/A and /r/A are both /r/A'],
  // 4. an output on an input
  [
    plan(['/in/report.toml'], [], ['/in/report.toml']),
    'USAGE: conflicting outputs: /in/report.toml is /in/report.toml (/in/report.toml): it would be overwritten',
  ],
  // 5. a file where another output needs a directory (either order)
  [
    plan(['/r/A', '/r/A/index.json']),
    'USAGE: conflicting outputs: /r/A/index.json (/r/A/index.json) is inside /r/A (/r/A), which is a file',
  ],
  [
    plan(['/r/A/index.json', '/r/A']),
    'USAGE: conflicting outputs: /r/A/index.json (/r/A/index.json) is inside /r/A (/r/A), which is a file',
  ],
  // 6. a file where a directory must be, or above one
  [plan(['/l/blobs'], ['/l/blobs']), 'USAGE: conflicting outputs: /l/blobs (/l/blobs) is where /l/blobs (/l/blobs) must be a directory'],
  [plan(['/l'], ['/l/blobs']), 'USAGE: conflicting outputs: /l (/l) is where /l/blobs (/l/blobs) must be a directory'],
  // 7. a common prefix is not nesting
  [plan(['/r/A', '/r/AB'], ['/r/A-dir']), 'ok'],
  // 8. the root directory
  [plan(['/x'], ['/']), 'ok'],
];
cases.forEach(([p, expected], i) =>
  o(`${i + 1}. ${JSON.stringify(p.files.map((x) => x.path))} → ${expected.split(':')[0]}`, () => assert.is(problem(p), expected)),
);
o('every collision is listed, one line each', () => {
  try {
    checkOutputPlan(plan(['/a', '/a', '/b'], [], ['/b']));
    assert.unreachable();
  } catch (err) {
    assert.equal((err as { details: string[] }).details, [
      'conflicting outputs: /a and /a are both /a',
      'conflicting outputs: /b is /b (/b): it would be overwritten',
    ]);
  }
});
o.run();
