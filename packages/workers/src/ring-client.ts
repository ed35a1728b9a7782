import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { CompletionReporter } from './completion-reporter.js';
import type { CompletionHandler, SerializedError } from './protocol.js';
import { Ring } from './ring.js';
import type { Doorbell } from './ring.js';
import { blockedMicros } from './ring-blocked-time.js';
import { CONTROL_WORDS, Control, Field, SLOT_FIELDS, SlotStage } from './ring-layout.js';
import type { ServeRequest } from './ring-layout.js';
import { InputWriter, OutputReader } from './ring-protocol.js';
import { serializeError } from './serialize-error.js';

/** A message as the client sends it. */
export interface RingMessage {
  /** Names the message in its {@link Completion}. */
  readonly id: number;
  /** The value for the transform. */
  readonly input: unknown;
  readonly offset: number;
  readonly key: string | undefined;
  readonly eventTime: number;
  /** 1 on the first try. */
  readonly attempts: number;
  /**
   * Key affinity, an integer from 0 up: the ring transport sends the
   * message to worker slot `affinity % threads` and no other (the same
   * thread every time, its replacement after it died), so that state a
   * worker keeps per key stays on one thread. Without it, the message goes
   * to the worker with the most room. The task transport ignores it.
   */
  readonly affinity?: number | undefined;
}

/** Marks a free slot in the slot → id table. */
const FREE = Number.NaN;

/**
 * The main thread's end of one worker's rings, the client of its serve loop
 * (ring-serve.ts): sends messages into the input ring (or over the port when
 * the ring cannot carry them), reads results from the output ring, and
 * keeps the processing table, one row per slot the worker may hold. Every
 * outcome goes to the one {@link CompletionHandler} given at construction,
 * in one {@link Completion} object filled again each time.
 *
 * @example
 * const client = new RingClient(32, 1 << 16, bell, (c) => done(c.id, c.values, c.error));
 * const { request, transferList } = client.serveRequest(transformUrl, 0);
 * void pool.run(request, { transferList });
 * await client.ready();
 * client.send({ id: 1, input: 21, offset: 0, key: undefined, eventTime: 0, attempts: 1 });
 * // then, whenever the bell rings: client.drain();
 */
export class RingClient {
  readonly #output: Ring;
  readonly #writer: InputWriter;
  readonly #reader: OutputReader;
  readonly #table: Float64Array;
  readonly #control: Int32Array;
  readonly #request: Omit<ServeRequest, 'transform' | 'kind' | 'timeout' | 'running'>;
  readonly #port: MessagePort;
  /** Slot → the id of the message it holds, or {@link FREE}. */
  readonly #ids: Float64Array;
  /** A stack of free slots, the first `#freeCount` entries. */
  readonly #free: Int32Array;
  #freeCount: number;
  readonly #reporter: CompletionReporter;
  #threadId = -1;

  /**
   * @param slots Messages the worker may hold at once.
   * @param ringBytes Data bytes of each ring (a power of two from 64).
   * @param bell The doorbell the main thread sleeps on; the worker rings it when it publishes results.
   * @param report Called once per message sent, with its outcome.
   */
  constructor(slots: number, ringBytes: number, bell: Doorbell, report: CompletionHandler) {
    // The control word `running` holds slot + 1 as an int32.
    if (!(Number.isInteger(slots) && slots >= 1 && slots < 0x7fff_ffff)) {
      throw new RangeError(`Expected \`slots\` to be an integer from 1 to ${0x7fff_fffe}, got \`${String(slots)}\` (${typeof slots})`);
    }
    const input = Ring.create(ringBytes);
    this.#output = Ring.create(ringBytes);
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#writer = new InputWriter(input, port1);
    this.#reader = new OutputReader(this.#output);
    const table = new SharedArrayBuffer(slots * SLOT_FIELDS * 8);
    this.#table = new Float64Array(table);
    const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
    this.#control = new Int32Array(control);
    this.#ids = new Float64Array(slots).fill(FREE);
    // Slot 0 on top: a lightly loaded worker keeps using the same few rows.
    this.#free = Int32Array.from({ length: slots }, (_, i) => slots - 1 - i);
    this.#freeCount = slots;
    this.#reporter = new CompletionReporter(report);
    port1.on('message', (message: unknown) => {
      const reader = this.#reader;
      if (reader.fromPort(message)) this.#complete(reader.slot, reader.values, reader.error);
    });
    // A value the port could not read: the record that follows fails with it.
    port1.on('messageerror', (error: unknown) => this.#reader.portError(error));
    // Whoever sends decides what holds the process open (messages out): not this port.
    port1.unref();
    this.#request = { input: input.buffer, output: this.#output.buffer, bell: bell.buffer, table, control, port: port2 };
  }

  /**
   * The task that makes a worker serve these rings; post it with
   * `transferList` (it moves the port). `running`: the most transforms the
   * worker runs at once (0: as many as it holds); slots beyond it are the
   * lookahead, messages waiting at the worker for a running one to end.
   */
  serveRequest(transform: string, timeout: number, running = 0): { request: ServeRequest; transferList: MessagePort[] } {
    return { request: { kind: 'serve', transform, timeout, running, ...this.#request }, transferList: [this.#request.port] };
  }

  /** Resolves once the worker serves the rings. */
  async ready(): Promise<void> {
    const wait = Atomics.waitAsync(this.#control, Control.ready, 0);
    if (wait.async) await wait.value;
    this.#threadId = Atomics.load(this.#control, Control.threadId);
  }

  /** The thread the serve task runs on, once it has reached one (it may still be loading the module); 0 before. */
  get servingThread(): number {
    return Atomics.load(this.#control, Control.threadId);
  }

  /** The worker's thread id (-1 until {@link ready} resolved). */
  get threadId(): number {
    return this.#threadId;
  }

  /**
   * The slot whose transform holds the worker's thread right now (its sync
   * part is running), or undefined. A worker that dies or hangs with one set
   * did so in that message's code.
   */
  get running(): number | undefined {
    const marked = Atomics.load(this.#control, Control.running);
    return marked === 0 ? undefined : marked - 1;
  }

  /**
   * ms the worker has spent blocked in its sync wait for input, the one
   * it makes with nothing running, a wait in progress included (0 before
   * it serves). Its event loop counts that time as active: take it out of
   * the loop's utilisation.
   */
  get blocked(): number {
    return blockedMicros(this.#control) / 1000;
  }

  /** When the message in `slot` started (epoch ms), if it is processing now. */
  startedAt(slot: number): number | undefined {
    const row = slot * SLOT_FIELDS;
    return this.#table[row + Field.stage] === SlotStage.processing ? this.#table[row + Field.startedAt] : undefined;
  }

  /** The slots whose message is processing and started before `before` (epoch ms). */
  overdue(before: number): Set<number> {
    const slots = new Set<number>();
    for (let slot = 0; slot < this.#ids.length; slot++) if ((this.startedAt(slot) ?? Number.POSITIVE_INFINITY) < before) slots.add(slot);
    return slots;
  }

  /** Messages the worker holds now (sent and not yet reported). */
  get holding(): number {
    return this.#ids.length - this.#freeCount;
  }

  /** Messages that may still be sent before one is reported. */
  get room(): number {
    return this.#freeCount;
  }

  /** True when results wait in the output ring: a `ready` check for `Doorbell.sleep`. */
  get hasOutput(): boolean {
    return !this.#output.empty;
  }

  /**
   * Hand `message` to the worker; throws when there is no {@link room}. A
   * message that cannot be sent at all (structured clone refuses its input,
   * a function say) is reported as a failed try in a microtask.
   */
  send(message: RingMessage): void {
    if (this.#freeCount === 0) throw new Error('no free slot: more messages were sent than the worker may hold');
    const slot = this.#free[--this.#freeCount] ?? 0;
    this.#ids[slot] = message.id;
    const row = slot * SLOT_FIELDS;
    const table = this.#table;
    table[row + Field.offset] = message.offset;
    table[row + Field.eventTime] = message.eventTime;
    table[row + Field.attempt] = message.attempts;
    table[row + Field.stage] = SlotStage.dispatched;
    try {
      this.#writer.write(slot, message.key, message.input);
    } catch (error) {
      // Not even structured clone can send it: the try fails, reported after
      // this turn's code (a caller may not expect a report from inside send).
      this.#release(slot);
      const { id } = message;
      const failure = serializeError(error);
      queueMicrotask(() => this.#emit(id, undefined, failure, false, 0, 0));
    }
  }

  /** Report every result waiting in the output ring; returns how many there were. */
  drain(): number {
    const reader = this.#reader;
    let count = 0;
    while (reader.next()) {
      this.#complete(reader.slot, reader.values, reader.error);
      count++;
    }
    return count;
  }

  /**
   * After the worker died: report what it held. Results already in the
   * output ring are taken as they are; a message it had started failed its
   * try with `death` (it may be what killed the worker); one it had not
   * started is requeued. When the worker was killed for `culprits` (slots),
   * those fail their try and every other message is requeued.
   */
  orphan(death: SerializedError, culprits?: ReadonlySet<number>): void {
    this.drain();
    const table = this.#table;
    for (let slot = 0; slot < this.#ids.length; slot++) {
      const id = this.#ids[slot] ?? FREE;
      if (Number.isNaN(id)) continue;
      const row = slot * SLOT_FIELDS;
      const stage = table[row + Field.stage];
      const started = stage !== SlotStage.dispatched;
      const blamed = culprits === undefined ? started : culprits.has(slot);
      // A row's times are this message's only once the worker has written
      // them; before, they may be a previous message's.
      const startedAt = started ? (table[row + Field.startedAt] ?? 0) : 0;
      const endedAt = stage === SlotStage.completed ? (table[row + Field.endedAt] ?? 0) : 0;
      this.#release(slot);
      this.#emit(id, undefined, blamed ? death : undefined, !blamed, startedAt, endedAt);
    }
  }

  /** Ask the worker to stop once it has nothing pending, and wake it. */
  stop(): void {
    Atomics.store(this.#control, Control.stop, 1);
    this.#writer.commit();
  }

  /** Close the port; results still on their way over it are not reported. */
  close(): void {
    this.#port.close();
  }

  #complete(slot: number, values: unknown[] | undefined, error: SerializedError | undefined): void {
    const id = this.#ids[slot] ?? FREE;
    // Not held: reported already (a result that raced the worker's death).
    if (Number.isNaN(id)) return;
    const row = slot * SLOT_FIELDS;
    const startedAt = this.#table[row + Field.startedAt] ?? 0;
    const endedAt = this.#table[row + Field.endedAt] ?? 0;
    this.#release(slot);
    this.#emit(id, values, error, false, startedAt, endedAt);
  }

  #release(slot: number): void {
    this.#table[slot * SLOT_FIELDS + Field.stage] = SlotStage.free;
    this.#ids[slot] = FREE;
    this.#free[this.#freeCount++] = slot;
  }

  #emit(
    id: number,
    values: unknown[] | undefined,
    error: SerializedError | undefined,
    requeue: boolean,
    startedAt: number,
    endedAt: number,
  ): void {
    this.#reporter.report(id, values, error, requeue, startedAt, endedAt, this.#threadId);
  }
}
