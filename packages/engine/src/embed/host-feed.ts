import type { SourceRecord } from '../message.js';
import type { Source } from '../source/source-reader.js';
import { InvalidMessageError } from '../errors.js';
import { sizeOf } from '../buffers/size-of.js';
import { toWireError } from './wire-error.js';

type Item = SourceRecord | readonly SourceRecord[];

/** What a batch holds: the source's records, a chunk's records in its place. */
type Sent = SourceRecord;

/** The most bytes (estimated) a batch gathers before it goes, whatever its count, when the connection names no smaller limit. */
export const BATCH_BYTES = 4 * 1024 * 1024;

/** Sends a batch of items to the far side; resolves once it has room for more. `end` ends the source. */
export type Send = (items: Sent[], end?: { error: unknown }) => Promise<void>;

/**
 * Pulls a host-side source and feeds it to the far side in batches. Pulling
 * goes on while a batch is on its way, up to `limit` items, and each feed is
 * sent the moment the previous one is answered, with whatever has gathered
 * meanwhile: batches grow with the round trip, with no timer. The source is
 * read ahead of the far engine by at most this batch and the far side's
 * inbox.
 */
export class HostFeed {
  readonly #iterator: Iterator<Item> | AsyncIterator<Item>;
  readonly #send: Send;
  readonly #limit: number;
  readonly #chunked: boolean;
  /** A batch goes once its estimated size reaches this. */
  readonly #batchBytes: number;
  readonly #sync: boolean;
  #batch: Sent[] = [];
  /** The batch's estimated size: a batch goes at {@link BATCH_BYTES}, so that big items do not make one frame too big to send. */
  #bytes = 0;
  #ended = false;
  #stopped = false;
  /** The error the source threw, if it did: the run ends with it. */
  sourceError: unknown;
  /** The pull loop waits for room in the batch. */
  #room: (() => void) | undefined;
  /** The send loop waits for items. */
  #items: (() => void) | undefined;
  readonly done: Promise<void>;

  /** `chunked`: an array the source gives is a chunk of records; otherwise it is one invalid record, as in `process()`. */
  constructor(source: Source<Item>, send: Send, limit: number, chunked: boolean, batchBytes = BATCH_BYTES) {
    this.#chunked = chunked;
    this.#batchBytes = batchBytes;
    this.#sync = !(Symbol.asyncIterator in source);
    this.#iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
    this.#send = send;
    this.#limit = limit;
    void this.#pull();
    this.done = this.#push();
  }

  /** Stop reading the source (abort, or the run is over): a pending `next()` is abandoned and the source `return()`ed. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#wake();
    try {
      const returned = this.#iterator.return?.();
      if (returned instanceof Promise) returned.catch(() => {});
    } catch {
      // a source whose return() throws has nothing more to give
    }
  }

  async #pull(): Promise<void> {
    try {
      while (!this.#stopped) {
        if (this.#batch.length >= this.#limit || this.#bytes >= this.#batchBytes) {
          await new Promise<void>((resolve) => {
            this.#room = resolve;
          });
          continue;
        }
        // A sync source is read without a turn per item: up to a batch at once, as the engine reads one.
        const result = this.#sync ? (this.#iterator as Iterator<Item>).next() : await this.#iterator.next();
        if (this.#stopped) return;
        if (result.done === true) break;
        const item = result.value;
        if (!isArray(item)) this.#add(item);
        else if (this.#chunked) for (const part of item as readonly SourceRecord[]) this.#add(part);
        else this.#add(notAMessage(item));
        this.#wake();
      }
    } catch (error) {
      this.sourceError = error;
    }
    this.#ended = true;
    this.#wake();
  }

  async #push(): Promise<void> {
    while (!this.#stopped) {
      if (this.#batch.length === 0 && !this.#ended) {
        await new Promise<void>((resolve) => {
          this.#items = resolve;
        });
        continue;
      }
      const batch = this.#batch;
      this.#batch = [];
      this.#bytes = 0;
      const room = this.#room;
      this.#room = undefined;
      room?.();
      const ended = this.#ended;
      await this.#send(batch, ended ? { error: this.sourceError } : undefined);
      if (ended) return;
    }
  }

  #add(item: Sent): void {
    this.#batch.push(item);
    this.#bytes += estimate(item);
  }

  #wake(): void {
    const items = this.#items;
    this.#items = undefined;
    items?.();
    if (this.#stopped) {
      const room = this.#room;
      this.#room = undefined;
      room?.();
    }
  }
}

/** An array item of a run that is not chunked: one invalid record, with the array as its input, as `process()` makes it. */
function notAMessage(item: readonly SourceRecord[]): SourceRecord {
  const error = toWireError(new InvalidMessageError('a source item must be an object with a `value`'));
  return { value: item, error: error as unknown as Error };
}

/** An item's size as `sizeOf` estimates it; one that throws as it is read counts as small (it will cross as an error). */
function estimate(item: SourceRecord): number {
  try {
    return typeof item === 'object' && item !== null ? (typeof item.bytes === 'number' ? item.bytes : sizeOf(item.value)) : 8;
  } catch {
    return 8;
  }
}

/** `Array.isArray`, false for a revoked Proxy (which it throws on): one bad item, as in-process. */
export function isArray(value: unknown): value is readonly unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}
