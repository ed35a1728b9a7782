import { setImmediate as nextTurn } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import { now } from './clock.js';
import { withDeadline } from './deadline.js';
import { loadTransform } from './load-transform.js';
import { Doorbell, Ring } from './ring.js';
import { BlockedTime } from './ring-blocked-time.js';
import { Control, Field, SLOT_FIELDS, SlotStage } from './ring-layout.js';
import type { ServeRequest } from './ring-layout.js';
import { SafeAtomics, SafePromise, arrayPush, arrayShift, isPromise, promiseThen } from './primordials.js';
import { InputReader, OutputWriter } from './ring-protocol.js';
import { serializeError } from './serialize-error.js';
import type { Transform } from './transform.js';

/** ms a worker with nothing running blocks before it looks at its port. */
const portPoll = 20;

/**
 * ms a transform may run after which its result is committed before the
 * next message starts, instead of at the end of the turn: the engine sees a
 * long-running result at once, while trivial ones still share a commit.
 */
const commitAfter = 0.05;

/**
 * The ring worker: reads messages from its input ring (and, when too large
 * for it, from its port), runs the transform on each without waiting for
 * the others, and writes each result to its output ring the moment it is
 * ready. Returns when the engine asks it to stop and nothing is pending.
 */
export async function serve(request: ServeRequest): Promise<void> {
  const control = new Int32Array(request.control);
  // Which thread serves, before the module loads: one that never finishes loading can be terminated.
  SafeAtomics.store(control, Control.threadId, threadId);
  const transform = await loadTransform(request.transform);
  const server = new RingServer(request, transform);
  const blocked = new BlockedTime(control);
  request.port.on('message', (message: unknown) => server.fromPort(message));
  request.port.on('messageerror', (error: unknown) => server.portError(error));
  SafeAtomics.store(control, Control.ready, 1);
  SafeAtomics.notify(control, Control.ready);
  while (SafeAtomics.load(control, Control.stop) === 0) {
    if (server.drain()) {
      // After a busy round, a turn of the event loop: commits, the timers
      // and I/O of async transforms, then more input.
      await nextTurn();
    } else if (server.atLimit) {
      // As many transforms run as may: the next message (the lookahead) waits for one to end.
      await server.freed();
    } else if (server.pending > 0) {
      // Transforms are running: wait without blocking their event loop.
      await server.input.waitForData();
    } else {
      // Nothing running: block, which is cheaper to wake, but only briefly,
      // so that port messages (values too large for the ring) get in. The
      // time blocked is counted: the event loop takes it for active time.
      blocked.waitForData(server.input, portPoll);
      await nextTurn();
    }
  }
  await server.idle();
  request.port.close();
}

class RingServer {
  readonly input: Ring;
  readonly #reader: InputReader;
  readonly #writer: OutputWriter;
  readonly #table: Float64Array;
  readonly #transform: Transform;
  readonly #timeout: number;
  readonly #control: Int32Array;
  /** Per slot, the handlers of its async tries, made once: a slot runs one try at a time. */
  readonly #onDone: ((output: unknown) => void)[] = [];
  readonly #onFail: ((error: unknown) => void)[] = [];
  #pending = 0;
  readonly #limit: number;
  /** Messages from the port that came while at the limit, oldest first. */
  readonly #held: { slot: number; key: string | undefined; value: unknown; error: unknown }[] = [];
  #idle: (() => void) | undefined;
  #freed: (() => void) | undefined;
  /** How long the last transform to end ran, ms. */
  #lastRun = 0;
  /** The message being started, for {@link #run}. */
  #slot = 0;
  #key: string | undefined;
  #value: unknown;
  /**
   * Runs the transform on the message being started. Made once rather than
   * a closure per message: `withDeadline` calls it before it returns.
   */
  readonly #run = (signal: AbortSignal): unknown => {
    const table = this.#table;
    const row = this.#slot * SLOT_FIELDS;
    const value = this.#value;
    this.#value = undefined; // not kept alive here once handed over
    return this.#transform(value, {
      offset: table[row + Field.offset] ?? 0,
      key: this.#key,
      eventTime: table[row + Field.eventTime] ?? 0,
      attempt: table[row + Field.attempt] ?? 1,
      signal,
    });
  };

  constructor(request: ServeRequest, transform: Transform) {
    this.input = new Ring(request.input);
    this.#reader = new InputReader(this.input);
    this.#writer = new OutputWriter(new Ring(request.output, new Doorbell(request.bell)), request.port);
    this.#table = new Float64Array(request.table);
    this.#transform = transform;
    this.#timeout = request.timeout;
    this.#control = new Int32Array(request.control);
    this.#limit = request.running > 0 ? request.running : Number.POSITIVE_INFINITY;
  }

  /** Start the messages waiting in the input ring, as many as the limit lets; false when none started. */
  drain(): boolean {
    const reader = this.#reader;
    let any = false;
    while (this.#pending < this.#limit && reader.next()) {
      any = true;
      // The last transform held the thread a while: commit its result (and
      // those before it) before this one holds the thread too.
      if (this.#lastRun > commitAfter) {
        this.#writer.flush();
        this.#lastRun = 0;
      }
      this.#start(reader.slot, reader.key, reader.value, reader.error);
    }
    return any;
  }

  /** A message from the port: a record the ring could not carry (or the value of the one to come). */
  fromPort(message: unknown): void {
    const reader = this.#reader;
    if (!reader.fromPort(message)) return;
    if (this.#pending < this.#limit) this.#start(reader.slot, reader.key, reader.value, reader.error);
    else arrayPush(this.#held, { slot: reader.slot, key: reader.key, value: reader.value, error: reader.error });
  }

  /** The port could not read a message: the value of the record to come, which then fails. */
  portError(error: unknown): void {
    this.#reader.portError(error);
  }

  /** Whether as many transforms run as may. */
  get atLimit(): boolean {
    return this.#pending >= this.#limit;
  }

  /** Resolves when a transform ends. */
  freed(): Promise<void> {
    return new SafePromise((resolve) => {
      this.#freed = resolve;
    });
  }

  /** Transforms started and not yet finished. */
  get pending(): number {
    return this.#pending;
  }

  /** Resolves when no transform is running. */
  idle(): Promise<void> {
    if (this.#pending === 0) return SafePromise.resolve();
    return new SafePromise((resolve) => {
      this.#idle = resolve;
    });
  }

  /** Start the message in `slot`; one whose value could not be read (`unreadable`) fails at once. */
  #start(slot: number, key: string | undefined, value: unknown, unreadable: unknown): void {
    const row = slot * SLOT_FIELDS;
    const table = this.#table;
    table[row + Field.stage] = SlotStage.processing;
    table[row + Field.startedAt] = now();
    this.#pending++;
    if (unreadable !== undefined) {
      this.#failed(slot, unreadable);
      return;
    }
    // Which message holds the thread: if the worker dies or hangs while this
    // is set, the engine knows whose fault it was and spares the others.
    SafeAtomics.store(this.#control, Control.running, slot + 1);
    this.#slot = slot;
    this.#key = key;
    this.#value = value;
    let result: unknown;
    try {
      result = withDeadline(this.#timeout, this.#run);
    } catch (error) {
      SafeAtomics.store(this.#control, Control.running, 0);
      this.#failed(slot, error);
      return;
    }
    SafeAtomics.store(this.#control, Control.running, 0);
    // A real promise, whatever the transform made of the global `Promise` and its `then`.
    if (isPromise(result)) {
      void promiseThen(
        result,
        (this.#onDone[slot] ??= (output: unknown) => this.#done(slot, output)),
        (this.#onFail[slot] ??= (error: unknown) => this.#failed(slot, error)),
      );
    } else {
      this.#done(slot, result);
    }
  }

  #done(slot: number, result: unknown): void {
    this.#ended(slot);
    try {
      this.#writer.writeResult(slot, result);
    } catch (error) {
      // The result threw as it was looked at (a Proxy's trap, say): the transform's error.
      this.#writer.writeError(slot, serializeError(error));
    }
    this.#settled();
  }

  #failed(slot: number, error: unknown): void {
    this.#ended(slot);
    this.#writer.writeError(slot, serializeError(error));
    this.#settled();
  }

  /** Mark the try of `slot` over in the table, before its record can reach the engine. */
  #ended(slot: number): void {
    const row = slot * SLOT_FIELDS;
    const endedAt = now();
    this.#lastRun = endedAt - (this.#table[row + Field.startedAt] ?? endedAt);
    this.#table[row + Field.endedAt] = endedAt;
    this.#table[row + Field.stage] = SlotStage.completed;
  }

  #settled(): void {
    this.#pending--;
    const held = arrayShift(this.#held);
    if (held !== undefined) this.#start(held.slot, held.key, held.value, held.error);
    const freed = this.#freed;
    this.#freed = undefined;
    freed?.();
    if (this.#pending === 0 && this.#idle !== undefined) this.#idle();
  }
}
