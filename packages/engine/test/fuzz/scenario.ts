import type { Json } from './special.js';

// One fuzz scenario, as JSON (fast-check prints it on failure; the fuzz
// host reads it from a line of stdin). Everything the host builds (items
// with getters and proxies, deep and cyclic values, the source, the
// consumer) is described here, so a scenario replays exactly:
//   node --import tsx packages/engine/test/fuzz/host.ts < scenario.jsonl

/** What the transform (fixtures/fuzz.js) does with one message. */
export type OpSpec =
  | { fz: 'ok' | 'echo' | 'drop' | 'hang' | 'poison' }
  | { fz: 'async'; turns: number }
  | { fz: 'throw'; failTries: number; async: boolean }
  | { fz: 'throw-odd'; what: string }
  | { fz: 'fanout'; parts: number }
  | { fz: 'deep-output'; depth: number }
  | { fz: 'uncloneable-output'; what: string }
  | { fz: 'spin'; failTries: number; afterAwait: boolean }
  | { fz: 'exit'; failTries: number; code: number }
  | { fz: 'late-throw'; how: 'timer' | 'rejection' }
  | { fz: 'busy'; ms: number }
  | { fz: 'big-output'; length: number };

/** The payload of a message. */
export type DataSpec =
  | { kind: 'json'; json: Json }
  | { kind: 'bytes'; bytes: number[]; buffer: boolean }
  | { kind: 'string'; length: number }
  | { kind: 'deep'; depth: number; shape: 'object' | 'array' }
  | { kind: 'cyclic'; shape: 'self' | 'mutual' | 'array' | 'map' }
  /** A special value (special.ts), alone or inside an object. */
  | { kind: 'special'; name: string; nested: boolean }
  /** A getter returning 0, 1, 2… on each read: the engine must read it once. */
  | { kind: 'counting-getter' };

/** A message's value: `{ fz, n, …op, data }` (wrapped), or the data alone (bare: returned as is). */
export interface ValueSpec {
  op: OpSpec;
  data: DataSpec;
  bare: boolean;
}

/** A field of a source item, as `SourceRecord` names them. */
export type ItemField = 'value' | 'eventTime' | 'key' | 'offset' | 'partition' | 'bytes' | 'error';

/** One item the source gives. */
export type ItemSpec =
  | { kind: 'good'; value: ValueSpec; eventTime?: number; key?: string; named: boolean }
  /** A field with a value of the wrong kind (NaN event time, numeric key…). */
  | { kind: 'bad-field'; field: Exclude<ItemField, 'value' | 'error'>; bad: Json }
  /** Not an object: null, a number, a string… */
  | { kind: 'not-object'; item: Json }
  | { kind: 'no-value'; item: Json }
  | { kind: 'throwing-getter'; field: ItemField }
  /** A Proxy over `{ value }` whose `trap` throws: `has` and `get` are read, the others not. */
  | { kind: 'throwing-trap'; trap: string; value: ValueSpec }
  | { kind: 'revoked' }
  /** An item the source could not decode: `{ value, error }`. */
  | { kind: 'source-error'; error: 'malformed' | 'error' | 'string' }
  /** An array: in processChunks() a chunk of its items, in process() one bad item. */
  | { kind: 'chunk'; items: ItemSpec[] };

/** How the source gives its items. */
export type SourceSpec =
  | { kind: 'array' | 'generator' }
  | { kind: 'async'; turns: number }
  /** Throws after `at` items. */
  | { kind: 'throws'; at: number }
  /** An async source whose next() never settles after `at` items; the run is aborted then. */
  | { kind: 'stalls'; at: number }
  /** A sync iterator whose return() throws. */
  | { kind: 'bad-return' }
  /** partitioned() over `parts` partitions (the items go to them in turn), each an array or an async source. */
  | { kind: 'partitioned'; parts: number; inner: 'array' | 'async' };

/** How the consumer takes the records. */
export interface ConsumerSpec {
  /**
   * none: takes every record; break, throw: leaves the loop after more
   * than `after` records; abandon: stops asking for records then, without
   * returning the iterator; abort: aborts the run's signal then and takes
   * the rest; close: calls engine.close() then (twice) and takes the rest;
   * abort-first: gives process() a signal already aborted; close-first:
   * calls engine.close() between process() and the first next().
   */
  leave: 'none' | 'break' | 'throw' | 'abandon' | 'abort' | 'close' | 'abort-first' | 'close-first';
  after: number;
  /** processChunks() with this size, or process() (null). */
  chunks: number | null;
  /** setImmediate turns the consumer waits after each record (or chunk). */
  slow: number;
}

/** Outcomes allowed by options at the edge of their range (class 'extreme'). */
export interface Tolerance {
  /** The first record may throw TransformLoadError. */
  loadError?: boolean;
  /** Any message may fail, with any error. */
  anyFailure?: boolean;
}

export interface Scenario {
  /** Option sets `new Engine()` must refuse with InvalidOptionError, synchronously. */
  badOptions: Json[];
  /** The engine's options (with `transform`). */
  options: Json;
  /** 'valid': must be accepted; 'extreme': may be refused with InvalidOptionError, or must work within `tolerate`. */
  optionClass: 'valid' | 'extreme';
  tolerate: Tolerance;
  items: ItemSpec[];
  source: SourceSpec;
  consumer: ConsumerSpec;
  /** After the first run: close, or first a whole second run over the same items ('again'). */
  after: 'close' | 'again';
}
