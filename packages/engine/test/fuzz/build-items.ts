import { MalformedInputError } from '../../src/index.js';
import { decode, special } from './special.js';
import type { DataSpec, ItemSpec, OpSpec, ValueSpec } from './scenario.js';

// Builds a scenario's source items from their specs (the getters, proxies,
// deep and cyclic values JSON cannot carry), and says what each message
// must end as. Offsets: every message's offset is its arrival number (the
// default; a `named` item gives the same number itself); over partitioned()
// the items go to the partitions in turn, and count per partition.

/** What a message must end as (judged in judge.ts). */
export type Expectation =
  /**
   * A failed record with this error code, never tried; or, with `or`, an
   * ending that one allows: partitioned() tags each item with its partition,
   * and may copy the item rather than read it as the engine does (a bad or
   * throwing `partition`, a Proxy whose `has` or `get` trap throws).
   */
  | { kind: 'invalid'; code: string; or?: Expectation }
  /** Cannot cross to a worker: one failed record. */
  | { kind: 'uncloneable' }
  /** Nested `depth` levels: comes back as deep, or fails. */
  | { kind: 'deep'; depth: number; wrapped: boolean }
  /** What the transform does with it; `input` is the value it was given. */
  | { kind: 'op'; op: OpSpec; input: unknown; key: string | undefined };

/** A message of the run: where it comes from (its offset in its partition), and what it must end as. */
export interface Leaf {
  readonly partition: string | undefined;
  readonly offset: number;
  readonly spec: ItemSpec;
  readonly expect: Expectation;
}

/** How a message is known in records and acks: its partition and offset. */
export const keyOf = (partition: string | number | undefined, offset: number): string => `${partition ?? ''}#${offset}`;

export interface BuiltItems {
  /** The items the source gives, in order (arrays are chunks in processChunks()). */
  readonly top: unknown[];
  /** The partition of each of `top` (over partitioned()). */
  readonly partitionOf: (string | undefined)[];
  /** Top-level item i's messages are `leaves` from `firstLeaf[i]` on. */
  readonly firstLeaf: number[];
  readonly leaves: Leaf[];
}

const uncloneable = new Set(['symbol', 'function', 'weakmap', 'promise', 'plain-proxy', 'throwing-proxy', 'revoked-proxy', 'throwing-getter']);
const readTraps = new Set(['has', 'get']);
const INVALID = 'ERR_TIDEMARK_INVALID_MESSAGE';

function boom(what: string): Error {
  return Object.assign(new Error(`${what} exploded`), { code: 'E_FUZZ_BOOM' });
}

function payload(data: DataSpec): unknown {
  switch (data.kind) {
    case 'json':
      return structuredClone(data.json);
    case 'bytes':
      return data.buffer ? Buffer.from(data.bytes) : Uint8Array.from(data.bytes);
    case 'string':
      return 'fuzz-'.repeat(Math.ceil(data.length / 5)).slice(0, data.length);
    case 'deep': {
      let nested: unknown = data.shape === 'array' ? [] : {};
      for (let i = 0; i < data.depth; i++) nested = data.shape === 'array' ? [nested] : { o: nested };
      return nested;
    }
    case 'cyclic': {
      if (data.shape === 'self') {
        const self: Record<string, unknown> = { n: 1 };
        self.self = self;
        return self;
      }
      if (data.shape === 'mutual') {
        const a: Record<string, unknown> = { name: 'a' };
        a.b = { name: 'b', a };
        return a;
      }
      if (data.shape === 'array') {
        const array: unknown[] = [1];
        array.push(array);
        return array;
      }
      const map = new Map<string, unknown>();
      map.set('me', map);
      return map;
    }
    case 'special': {
      const value = decode(special(data.name as Parameters<typeof special>[0]));
      return data.nested ? { inner: value } : value;
    }
    case 'counting-getter':
      return undefined;
  }
}

/** The value of message `n` and what it must end as. */
function message(spec: ValueSpec, n: number, key: string | undefined): { value: unknown; expect: Expectation } {
  const data = payload(spec.data);
  const { fz, ...args } = spec.op;
  const value = spec.bare ? data : { fz, ...args, n, data };
  if (spec.data.kind === 'special' && uncloneable.has(spec.data.name)) return { value, expect: { kind: 'uncloneable' } };
  if (spec.data.kind === 'deep') return { value, expect: { kind: 'deep', depth: spec.data.depth, wrapped: !spec.bare } };
  return { value, expect: { kind: 'op', op: spec.op, input: value, key } };
}

function sourceError(kind: 'malformed' | 'error' | 'string', seq: number): { error: unknown; code: string } {
  if (kind === 'malformed') return { error: new MalformedInputError(seq + 1, 'fuzz: not a record'), code: 'ERR_TIDEMARK_MALFORMED_INPUT' };
  return { error: kind === 'error' ? new Error('fuzz: could not decode') : 'fuzz: could not decode', code: INVALID };
}

/**
 * One item that is one message (a chunk in process() is one bad item), at
 * offset `seq` of its partition (`partitioned`: partitioned() tags it with
 * its partition, whatever it says).
 */
function leafItem(spec: ItemSpec, seq: number, partitioned: boolean): { item: unknown; expect: Expectation } {
  const invalid: Expectation = { kind: 'invalid', code: INVALID };
  switch (spec.kind) {
    case 'good': {
      if (spec.value.data.kind === 'counting-getter') {
        let reads = 0;
        const item = Object.defineProperty({}, 'value', { enumerable: true, get: () => reads++ });
        // Read once, and what was read is what is sent: the first read, 0.
        return { item, expect: { kind: 'op', op: { fz: 'ok' }, input: 0, key: undefined } };
      }
      const { value, expect } = message(spec.value, seq, spec.key);
      const item: Record<string, unknown> = { value };
      if (spec.eventTime !== undefined) item.eventTime = spec.eventTime;
      if (spec.key !== undefined) item.key = spec.key;
      if (spec.named) item.offset = seq;
      return { item, expect };
    }
    case 'bad-field': {
      const item = { value: seq, [spec.field]: decode(spec.bad) };
      return { item, expect: partitioned && spec.field === 'partition' ? { ...invalid, or: echoed(seq) } : invalid };
    }
    case 'not-object':
    case 'no-value':
      return { item: decode(spec.item), expect: invalid };
    case 'throwing-getter':
      return {
        item: Object.defineProperty({ value: seq }, spec.field, {
          enumerable: true,
          get() {
            throw boom(`the ${spec.field} getter`);
          },
        }),
        expect: partitioned && spec.field === 'partition' ? { ...invalid, or: echoed(seq) } : invalid,
      };
    case 'throwing-trap': {
      const { value, expect } = message(spec.value, seq, undefined);
      const item = new Proxy(
        { value },
        {
          [spec.trap]() {
            throw boom(`the ${spec.trap} trap`);
          },
        },
      );
      // The engine reads an item with `in` and `.`: the other traps are not its business.
      if (!readTraps.has(spec.trap)) return { item, expect };
      return { item, expect: partitioned ? { ...invalid, or: expect } : invalid };
    }
    case 'revoked': {
      const { proxy, revoke } = Proxy.revocable({ value: seq }, {});
      revoke();
      return { item: proxy, expect: invalid };
    }
    case 'source-error': {
      const { error, code } = sourceError(spec.error, seq);
      return { item: { value: `raw item ${seq}`, error }, expect: { kind: 'invalid', code } };
    }
    case 'chunk':
      return { item: spec.items.map((inner, i) => leafItem(inner, seq * 1000 + i, partitioned).item), expect: invalid };
  }
}

/** A bare value the transform returns as it is. */
function echoed(value: unknown): Expectation {
  return { kind: 'op', op: { fz: 'ok' }, input: value, key: undefined };
}

/**
 * The source items of `specs`, and the messages they make (in
 * processChunks(), a chunk's items are messages). With `partitions`, top
 * item i goes to partition `p${i % partitions}`.
 */
export function buildItems(specs: readonly ItemSpec[], chunked: boolean, partitions = 0): BuiltItems {
  const top: unknown[] = [];
  const partitionOf: (string | undefined)[] = [];
  const firstLeaf: number[] = [];
  const leaves: Leaf[] = [];
  const arrivals = new Map<string | undefined, number>();
  const add = (spec: ItemSpec, partition: string | undefined): unknown => {
    const offset = arrivals.get(partition) ?? 0;
    arrivals.set(partition, offset + 1);
    const { item, expect } = leafItem(spec, offset, partitions > 0);
    leaves.push({ partition, offset, spec, expect });
    return item;
  };
  specs.forEach((spec, i) => {
    const partition = partitions > 0 ? `p${i % partitions}` : undefined;
    firstLeaf.push(leaves.length);
    partitionOf.push(partition);
    top.push(chunked && spec.kind === 'chunk' ? spec.items.map((inner) => add(inner, partition)) : add(spec, partition));
  });
  firstLeaf.push(leaves.length);
  return { top, partitionOf, firstLeaf, leaves };
}
