import type { ConcurrencyChange } from '../concurrency/gradient-controller.js';
import type { Engine } from '../engine.js';
import type { EngineRecord, SourceRecord } from '../message.js';
import type { MessageTrace } from '../run/message-state.js';
import type { Source } from '../source/source-reader.js';
import { GatedSource } from './gated-source.js';
import { Inbox } from './inbox.js';
import type { RemoteStatus, RunRequest, TakeResult } from './protocol.js';
import { toColumns } from './record-columns.js';
import { toWireError } from './wire-error.js';

/** Changes of the in-flight target one answer carries at most: the latest (the target is in every answer's status anyway). */
const MAX_CHANGES = 64;

type Item = SourceRecord | readonly SourceRecord[];

/** Turns of the event loop a take lets completions gather for, at most. */
const GATHER_TURNS = 4;

/**
 * One run on the far side: the engine's chunked iterator, pulled by the
 * host's `take` calls, each of which may hand over at most `credit`
 * messages' records. The host asks for the next answer as soon as one
 * arrives, so the round trip overlaps its consumer's work; a chunk's
 * messages are acked at the take after next, which the host sends when its
 * consumer asks for more after that chunk: the same rule as in-process.
 */
export class FarRun {
  readonly #engine: Engine;
  readonly #abort = new AbortController();
  /** What holds reading back while the host has not taken its ack traces. */
  readonly #gate: { poke(): void } | undefined;
  readonly #iterator: AsyncGenerator<EngineRecord[], void, undefined>;
  readonly #ackLimit: number;
  readonly #credit: number;
  #pending: Promise<IteratorResult<EngineRecord[], void>> | undefined;
  #taking = false;
  #over = false;
  /** Whether the host wants ack traces; it may change between takes. */
  #wantAcks: boolean;
  #acks: MessageTrace[] = [];
  #acksDropped = 0;
  #watermark: number | undefined;
  /** The target's changes since the last answer, the latest {@link MAX_CHANGES}. */
  #changes: ConcurrencyChange[] = [];
  /** Wakes a waiting `take` when an event arrives. */
  #event: (() => void) | undefined;
  readonly #onWatermark = (value: number): void => {
    this.#watermark = value;
    this.#signal();
  };
  readonly #onConcurrency = (change: ConcurrencyChange): void => {
    if (this.#changes.length >= MAX_CHANGES) this.#changes.shift();
    this.#changes.push(change);
    this.#signal();
  };
  readonly #onAck = (trace: MessageTrace): void => {
    if (!this.#wantAcks) return;
    // Past the limit on an ungated source (acks were asked for only after it started), the oldest go.
    if (this.#acks.length >= this.#ackLimit) {
      this.#acks.shift();
      this.#acksDropped++;
    }
    this.#acks.push(trace);
    this.#signal();
  };

  /**
   * `source` is the host's inbox (read as chunks, and always gated) or a
   * far-side source (gated when the run asks for ack traces from the start:
   * a sync source stays sync, and fast, otherwise).
   */
  constructor(engine: Engine, source: Inbox | Source<Item>, request: RunRequest) {
    this.#engine = engine;
    this.#wantAcks = request.acks;
    this.#ackLimit = Math.max(4096, 4 * request.credit);
    // What the host holds un-acked (two answers) counts in flight: answers of at most a third of the
    // output buffer leave the engine room to go on while the host works through them.
    this.#credit = Math.max(1, Math.min(request.credit, Math.floor(engine.options.buffers.output.messages / 3)));
    const open = (): boolean => this.#acks.length < this.#ackLimit;
    let read: Source<Item> = source as Source<Item>;
    if (source instanceof Inbox) {
      source.gate(open);
      this.#gate = source;
    } else if (request.acks) {
      const gated = new GatedSource(source, open);
      this.#gate = gated;
      read = gated;
    }
    // Throws (EngineBusyError, EngineClosedError) before any listener is on the engine.
    this.#iterator = engine.processChunks(read, {
      signal: this.#abort.signal,
      size: this.#credit,
      sourceChunks: source instanceof Inbox || request.chunked,
      // The host asks for the next answer as it starts on one: a chunk is acked at the ask after next.
      pipelined: true,
    });
    engine.on('watermark', this.#onWatermark);
    engine.on('ack', this.#onAck);
    engine.on('concurrency', this.#onConcurrency);
  }

  /** Whether the run is over (every record handed over, or it failed, or the host left). */
  get over(): boolean {
    return this.#over;
  }

  /**
   * The next records (at most `credit` messages' worth), or, while none is
   * ready, the events that arrived meanwhile. Taking again acks the records
   * of the answer before.
   */
  async take(wantAcks: boolean): Promise<TakeResult> {
    if (this.#taking) throw new Error('take() is already waiting on this run');
    this.#taking = true;
    this.#wantAcks = wantAcks;
    try {
      const event = new Promise<void>((resolve) => {
        this.#event = resolve;
      });
      if (!this.#over && this.#pending === undefined) {
        await this.#gather();
        this.#pending = this.#iterator.next();
      }
      let records: EngineRecord[] = [];
      let done = this.#over;
      if (this.#pending !== undefined) {
        const pending = this.#pending;
        // Events alone answer only if no records follow within this turn of the event loop.
        const wake = this.#hasEvents() ? nextTurn() : event.then(nextTurn);
        const first = await Promise.race([pending, wake]);
        if (first !== 'event') {
          this.#pending = undefined;
          if (first.done === true) done = true;
          else records = first.value;
        }
      }
      return this.#answer(records, done, undefined);
    } catch (thrown) {
      this.#pending = undefined;
      return this.#answer([], true, thrown);
    } finally {
      this.#event = undefined;
      this.#taking = false;
    }
  }

  /** The host's signal aborted: stop reading; what is in flight is still handed over. */
  abort(): void {
    this.#abort.abort();
  }

  /** The host left early, or went away: end the run now. */
  async leave(): Promise<void> {
    this.#abort.abort();
    this.#finish();
    await this.#iterator.return();
  }

  status(): RemoteStatus {
    return statusOf(this.#engine);
  }

  #answer(records: EngineRecord[], done: boolean, error: unknown): TakeResult {
    const acks = this.#acks.length > 0 ? this.#acks : undefined;
    this.#acks = [];
    const acksDropped = this.#acksDropped;
    this.#acksDropped = 0;
    this.#gate?.poke();
    const watermark = this.#watermark;
    this.#watermark = undefined;
    const changes = this.#changes;
    if (changes.length > 0) this.#changes = [];
    if (done) this.#finish();
    return {
      records: toColumns(records),
      ...(watermark === undefined ? {} : { watermark }),
      ...(changes.length === 0 ? {} : { concurrency: changes }),
      ...(acks === undefined ? {} : { acks }),
      ...(acksDropped === 0 ? {} : { acksDropped }),
      status: statusOf(this.#engine),
      done,
      ...(error === undefined ? {} : { error: toWireError(error) }),
    };
  }

  /**
   * Let completions gather for a few turns of the event loop while the
   * output buffer holds less than a full answer and messages are still at
   * the workers: fewer, larger answers, since each one is a message across
   * threads (tens of µs at both ends, whatever it holds). A few turns add
   * microseconds, not a timer's millisecond.
   */
  async #gather(): Promise<void> {
    for (let turn = 0; turn < GATHER_TURNS; turn++) {
      if (this.#engine.processing === 0 || this.#engine.buffers.output.fill >= this.#credit) return;
      await nextTurn();
    }
  }

  #hasEvents(): boolean {
    return this.#watermark !== undefined || this.#acks.length > 0 || this.#changes.length > 0;
  }

  #signal(): void {
    this.#event?.();
  }

  #finish(): void {
    if (this.#over) return;
    this.#over = true;
    this.#engine.off('watermark', this.#onWatermark);
    this.#engine.off('ack', this.#onAck);
    this.#engine.off('concurrency', this.#onConcurrency);
  }
}

/** Resolves after the event loop's current turn (its I/O and timers included). */
function nextTurn(): Promise<'event'> {
  return new Promise((resolve) => setImmediate(() => resolve('event')));
}

/** An engine's state, for the host's getters. */
export function statusOf(engine: Engine): RemoteStatus {
  return {
    watermark: engine.watermark,
    committedOffset: engine.committedOffset,
    inFlight: engine.inFlight,
    processing: engine.processing,
    concurrency: engine.concurrency,
    stats: engine.stats === undefined ? undefined : { ...engine.stats },
    buffers: engine.buffers,
  };
}
