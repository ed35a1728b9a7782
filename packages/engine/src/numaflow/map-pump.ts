import { Deque } from '../buffers/deque.js';
import type { Engine } from '../engine.js';
import type { TidemarkError } from '../errors.js';
import type { SourceRecord } from '../message.js';
import type { MessageTrace } from '../run/message-state.js';

/**
 * The one engine run behind every `MapFn` stream of a server. Streams hand
 * requests in ({@link MapPump.submit}); the run reads them as one source, in
 * arrival order; each request's outputs are collected as the run yields
 * them, and when the engine acks the message (every record of it taken:
 * the `ack` event) the request goes back to its stream, complete, in
 * whatever order the messages finished.
 *
 *   stream ─┐                      ┌─► request.outputs ──(ack)──► stream.settle
 *   stream ─┼─► queue ─► engine ───┤
 *   stream ─┘  (bounded)  run      └─► …
 *
 * The queue holds what arrived and the engine has not read yet; past
 * `limit`, the streams stop reading (gRPC's flow control then holds
 * Numaflow's data plane back) until it is down to half.
 */

/** Where a request came from and goes back to: its `MapFn` stream. */
export interface RequestOwner {
  /** False once the stream is over: its requests not yet read are skipped, and results for it dropped. */
  readonly live: boolean;
  /** The request is complete: every output collected, or its error. */
  settle(request: MapCall): void;
}

/** One request, from its arrival to its answer. */
export interface MapCall {
  readonly owner: RequestOwner;
  /** The request's id, echoed in its response. */
  readonly id: string;
  /** The request's keys: the results' keys unless the transform gives its own. */
  readonly keys: readonly string[];
  /** What the engine reads: the value, the event time, the keys as one key. */
  readonly record: Omit<SourceRecord, 'offset'>;
  /** The values the transform emitted for it, collected as the run yields them. */
  readonly outputs: unknown[];
  /** Set when it became a failed record (the transform threw on every try). */
  error: TidemarkError | undefined;
}

export class MapPump {
  /** The most requests waiting for the engine before the streams stop reading. */
  readonly limit: number;
  readonly #engine: Engine;
  readonly #queue = new Deque<MapCall>();
  /** By offset: requests the engine has read and not yet acked. */
  readonly #reading = new Map<number, MapCall>();
  /** Called once when the queue is down to half after it was full. */
  readonly #onRoom = new Set<() => void>();
  #nextOffset = 0;
  #full = false;
  #ending = false;
  #wake: (() => void) | undefined;
  /** Settles when the run has ended: every request it read answered. Rejects with the run's error. */
  readonly done: Promise<void>;

  constructor(engine: Engine, limit: number) {
    this.#engine = engine;
    this.limit = limit;
    this.done = this.#run();
    this.done.catch(() => {}); // the server reports it
  }

  /** Requests waiting for the engine, and read by it but not yet answered. */
  get pending(): number {
    return this.#queue.size + this.#reading.size;
  }

  /** Whether the streams should stop reading until {@link onRoom} calls them. */
  get full(): boolean {
    return this.#full;
  }

  /** Queue `call` for the engine. */
  submit(call: MapCall): void {
    this.#queue.push(call);
    if (this.#queue.size >= this.limit) this.#full = true;
    this.#wakeSource();
  }

  /** Call `listener` once, when the queue has room again after it was full. */
  onRoom(listener: () => void): void {
    this.#onRoom.add(listener);
  }

  /** Take no more requests: the run ends once the ones queued and read are answered. */
  end(): void {
    this.#ending = true;
    this.#wakeSource();
  }

  async #run(): Promise<void> {
    const onAck = (trace: MessageTrace): void => {
      const call = this.#reading.get(trace.offset);
      if (call === undefined) return;
      this.#reading.delete(trace.offset);
      call.owner.settle(call);
    };
    this.#engine.on('ack', onAck);
    try {
      for await (const record of this.#engine.process(this.#source())) {
        const call = this.#reading.get(record.offset);
        if (call === undefined) continue;
        if (record.kind === 'failed') call.error = record.error;
        else call.outputs.push(record.value);
      }
    } finally {
      this.#engine.off('ack', onAck);
    }
  }

  /** The queue as the run's source: in arrival order, skipping requests whose stream is over; ends after {@link end}. */
  async *#source(): AsyncGenerator<SourceRecord, void, undefined> {
    for (;;) {
      const call = this.#queue.shift();
      if (call === undefined) {
        if (this.#ending) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      if (this.#full && this.#queue.size <= this.limit >> 1) this.#makeRoom();
      if (!call.owner.live) continue;
      const offset = this.#nextOffset++;
      this.#reading.set(offset, call);
      yield { ...call.record, offset };
    }
  }

  #makeRoom(): void {
    this.#full = false;
    const listeners = [...this.#onRoom];
    this.#onRoom.clear();
    for (const listener of listeners) listener();
  }

  #wakeSource(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
