import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropResult, dropTag, mapResult } from '../src/numaflow/map-results.js';

// What a transform may return in Numaflow mode, and the message each becomes.

const text = (result: ReturnType<typeof mapResult>): unknown =>
  typeof result === 'object' ? { value: Buffer.from(result.value).toString('utf8'), keys: result.keys, tags: result.tags } : result;

test('bytes, strings and { value, keys?, tags? } become messages; null and undefined none', () => {
  const keys = ['a', 'b'];
  assert.deepEqual(text(mapResult(Buffer.from('buf'), keys)), { value: 'buf', keys, tags: [] });
  assert.deepEqual(text(mapResult(new TextEncoder().encode('u8'), keys)), { value: 'u8', keys, tags: [] });
  assert.deepEqual(text(mapResult('héllo', keys)), { value: 'héllo', keys, tags: [] }, 'a string as UTF-8');
  assert.deepEqual(text(mapResult({ value: 'v', keys: ['x'], tags: ['t'] }, keys)), { value: 'v', keys: ['x'], tags: ['t'] });
  assert.deepEqual(text(mapResult({ value: null, tags: [dropTag] }, keys)), { value: '', keys, tags: ['U+005C__DROP__'] }, 'an explicit DROP');
  assert.deepEqual(text(mapResult({ value: Buffer.from('k'), keys: [] }, keys)), { value: 'k', keys: [], tags: [] }, 'keys given as none');
  assert.equal(mapResult(null, keys), undefined);
  assert.equal(mapResult(undefined, keys), undefined);
  assert.deepEqual(dropResult.tags, ['U+005C__DROP__']);
  assert.equal(dropResult.value.byteLength, 0);
});

test('anything else says why it is not a Numaflow message', () => {
  const cases: [unknown, RegExp][] = [
    [42, /expected bytes \(a Buffer or Uint8Array\), a string, null or \{ value, keys\?, tags\? \}, got `42` \(number\)/],
    [{ n: 1 }, /got `\[object Object\]` \(object\)/],
    [['a'], /got `a` \(array\)/],
    [new ArrayBuffer(4), /got `\[object ArrayBuffer\]` \(object\)/],
    [{ value: 7 }, /expected `value` to be bytes \(a Buffer or Uint8Array\), a string or null, got `7` \(number\)/],
    [{ value: 'v', keys: 'k' }, /expected `keys` to be an array of strings, got `"k"` \(string\)/],
    [{ value: 'v', tags: [1] }, /expected `tags` to be an array of strings, got `1` \(array\)/],
  ];
  for (const [output, why] of cases) {
    const result = mapResult(output, []);
    assert.equal(typeof result, 'string', String(output));
    assert.match(result as string, why);
  }
});
