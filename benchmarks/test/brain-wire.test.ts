import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FrameReader, frame } from '../src/brain-wire.js';

test('ids framed and read back in any chunking come out whole and in order', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: 50 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), (ids, cuts) => {
      const text = ids.map(frame).join('');
      const read: number[] = [];
      const reader = new FrameReader((id) => read.push(id));
      for (let at = 0, i = 0; at < text.length; i++) {
        const size = cuts[i % cuts.length] as number;
        reader.feed(text.slice(at, at + size));
        at += size;
      }
      assert.deepEqual(read, ids);
    }),
  );
});

test('a frame that is not an id throws, naming it', () => {
  const reader = new FrameReader(() => {});
  assert.throws(() => reader.feed('12x\n'), { name: 'RangeError', message: 'downstream wire: expected an id, got `12x`' });
  assert.throws(() => new FrameReader(() => {}).feed('\n'), RangeError);
  assert.throws(() => new FrameReader(() => {}).feed('-1\n'), RangeError);
});
