import type { EngineRecord, FailedRecord, Output, SourceRecord } from '../message.js';
import type { Item } from './ledger.js';

/** A record of a stage's engine, with the message it belongs to. */
export type Emitted =
  | { readonly kind: 'output'; readonly parent: Item; readonly record: Output }
  | { readonly kind: 'failed'; readonly parent: Item; readonly record: FailedRecord };

/**
 * A stage's records as they leave its engine (the last engine of the
 * stage: its own, or a parallel stage's join), each with the message it
 * belongs to. Pulling the next one is what acks the one before in that
 * engine, so whoever pulls (the next stage's source, or the pipeline's
 * consumer) decides when a message has left the stage.
 */
export class Outlet {
  readonly #records: AsyncIterator<EngineRecord>;
  readonly #parentOf: (record: EngineRecord) => Item;

  /** `parentOf`: the message a record belongs to (looked up in the ledger). */
  constructor(records: AsyncIterator<EngineRecord>, parentOf: (record: EngineRecord) => Item) {
    this.#records = records;
    this.#parentOf = parentOf;
  }

  async next(): Promise<IteratorResult<Emitted, undefined>> {
    const result = await this.#records.next();
    if (result.done === true) return { done: true, value: undefined };
    const record = result.value;
    const parent = this.#parentOf(record);
    if (record.kind === 'failed') {
      parent.failed = true;
      return { done: false, value: { kind: 'failed', parent, record } };
    }
    return { done: false, value: { kind: 'output', parent, record } };
  }

  /** Nothing more is wanted: the engine's run ends as for a consumer that went away (after a pending pull, if any). */
  return(): void {
    void Promise.resolve(this.#records.return?.()).catch(() => {});
  }
}

/** What a {@link Feed} does with what it takes. */
export interface FeedHooks {
  /** A failed record of the stage before: to the consumer, not to this stage (resolves once queued). */
  failed(parent: Item, record: FailedRecord): Promise<void>;
  /** An output of the stage before, as a message of this stage. */
  enter(parent: Item, record: Output): SourceRecord;
  /** The stage before ended (before this stage's engine hears so). */
  ended?(): void;
}

/**
 * A stage's source: the stage before's outlet, pulled only when this
 * stage's engine reads (so a full engine holds the stage before back, and
 * so on to the source). Failed records go to the consumer instead.
 */
export class Feed implements AsyncIterableIterator<SourceRecord, undefined> {
  readonly #upstream: Outlet;
  readonly #hooks: FeedHooks;
  #stopped = false;

  constructor(upstream: Outlet, hooks: FeedHooks) {
    this.#upstream = upstream;
    this.#hooks = hooks;
  }

  async next(): Promise<IteratorResult<SourceRecord, undefined>> {
    while (!this.#stopped) {
      const result = await this.#upstream.next();
      if (result.done === true) this.#hooks.ended?.();
      if (result.done === true || this.#stopped) break;
      const emitted = result.value;
      if (emitted.kind === 'failed') {
        await this.#hooks.failed(emitted.parent, emitted.record);
        continue;
      }
      return { done: false, value: this.#hooks.enter(emitted.parent, emitted.record) };
    }
    return { done: true, value: undefined };
  }

  /** The engine stopped reading: the stage before stops too. */
  return(): Promise<IteratorResult<SourceRecord, undefined>> {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#upstream.return();
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** The source record of `item` in its stage's engine: the source message's key, event time and partition, the item's id as offset. */
export function messageOf(item: Item, value: unknown, watermark: number): SourceRecord {
  const { key, eventTime, partition } = item.family;
  const offset = item.id;
  const record: SourceRecord =
    key === undefined
      ? partition === undefined ? { value, eventTime, offset } : { value, eventTime, offset, partition }
      : partition === undefined ? { value, key, eventTime, offset } : { value, key, eventTime, offset, partition };
  // The watermark is carried stage to stage: the stage before's output watermark is this stage's input watermark.
  return Number.isFinite(watermark) ? { ...record, watermark } : record;
}
