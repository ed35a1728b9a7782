import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapService } from '../src/numaflow/map-proto.js';
import type { MapResult } from '../src/numaflow/map-proto.js';
import { answerBytes, dropResult, dropTag, mapResult } from '../src/numaflow/map-results.js';

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
    [{ n: 1 }, /expected \{ value, keys\?, tags\? \}, got an object with no `value` \(its fields: n\)$/],
    [{ keys: ['a'] }, /expected \{ value, keys\?, tags\? \}, got an object with no `value` \(its fields: keys\)$/],
    [Object.create(null), /got an object with no `value` \(its fields: none\)$/],
    [new Date(0), /expected bytes .*, got .* \(object\)$/],
    [['a'], /got `a` \(array\)/],
    [new ArrayBuffer(4), /got `\[object ArrayBuffer\]` \(object\)/],
    [{ value: 7 }, /expected `value` to be bytes \(a Buffer or Uint8Array\), a string or null, got `7` \(number\)/],
    [{ value: 'v', keys: 'k' }, /expected `keys` to be an array of strings, got `"k"` \(string\)/],
    [{ value: 'v', tags: [1] }, /expected `tags` to be an array of strings, got `1` \(array\)/],
  ];
  for (const [i, [output, why]] of cases.entries()) {
    const result = mapResult(output, []);
    assert.equal(typeof result, 'string', `case ${i}`);
    assert.match(result as string, why, `case ${i}`);
  }
});

test('answerBytes is the encoded size of a MapResponse, as gRPC measures it against maxMessageBytes', () => {
  const method = mapService()['MapFn'] as unknown as { responseSerialize: (value: object) => Buffer };
  const serialize = (value: object): Buffer => method.responseSerialize(value);
  const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(7);
  const result = (value: Uint8Array, keys: string[] = [], tags: string[] = []): MapResult => ({ value, keys, tags });
  const cases: [string, MapResult[]][] = [
    ['', [dropResult]],
    ['r1', [result(bytes(0))]],
    ['id-é', [result(bytes(5), ['k', ''], ['t'])]],
    ['x'.repeat(200), [result(bytes(127)), result(bytes(128), ['é'.repeat(70)]), result(bytes(16_383), [], ['a', 'b'])]],
    ['big', [result(bytes(16_384)), result(bytes(2_097_152), ['k'.repeat(300)])]],
    ['many', Array.from({ length: 300 }, (_, i) => result(bytes(i), [`k${i}`], i % 2 === 0 ? [] : ['odd']))],
  ];
  for (const [id, results] of cases) {
    assert.equal(answerBytes(id, results), serialize({ id, results }).length, `id ${JSON.stringify(id.slice(0, 10))}, ${results.length} results`);
  }
});
