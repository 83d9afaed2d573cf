import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readBody } from '../../../../src/edge/registry/http.ts';

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
  );
const stream = (chunks: Uint8Array[], fail?: Error) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      if (fail) c.error(fail);
      else c.close();
    },
  });

const bounded = suite('readBody: a bounded body');
bounded('reads up to the limit exactly', async () => {
  const r = new Response(stream([new Uint8Array([1, 2]), new Uint8Array([3])]));
  assert.equal([...(await readBody(r, 3, 'x'))], [1, 2, 3]);
});
bounded('refuses a declared Content-Length over the limit without reading', async () => {
  const r = new Response('abcd', { headers: { 'Content-Length': '4' } });
  assert.is(await code(readBody(r, 3, 'x')), 'REGISTRY_ERROR: x: the body is 4 bytes, over the 3-byte limit');
});
bounded('refuses a stream that grows past the limit', async () => {
  const r = new Response(stream([new Uint8Array(2), new Uint8Array(2)]));
  assert.is(await code(readBody(r, 3, 'x')), 'REGISTRY_ERROR: x: the body is over the 3-byte limit');
});
bounded('a body that breaks off, or times out, is unreachable', async () => {
  assert.is(
    await code(readBody(new Response(stream([new Uint8Array(1)], new Error('socket hang up'))), 10, 'x')),
    'REGISTRY_UNREACHABLE: x: the connection broke while reading the body',
  );
  const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
  assert.is(await code(readBody(new Response(stream([], timeout)), 10, 'x')), 'REGISTRY_UNREACHABLE: x: the body did not arrive in time');
});
bounded.run();
