import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import {
  CLONED,
  Control,
  Doorbell,
  Field,
  INPUT_HEADER,
  NO_KEY,
  OUTPUT_HEADER,
  Ring,
  SLOT_FIELDS,
  SlotStage,
  Status,
  ValueEncoder,
  decodeValue,
  portValue,
  serializeError,
} from '@tidemark/workers';
import type { PortRecord, SerializedError, ServeRequest } from '@tidemark/workers';
import type { Completion, CompletionHandler, Outgoing } from './transport.js';

/**
 * The engine's end of one worker's rings: sends messages into its input
 * ring (or over its port when too large), reads results from its output
 * ring, and keeps its processing table, one row per slot it may hold.
 */
export class WorkerLink {
  readonly output: Ring;
  readonly #input: Ring;
  readonly #in: Buffer;
  readonly #out: Buffer;
  readonly #table: Float64Array;
  readonly #control: Int32Array;
  readonly #request: Omit<ServeRequest, 'transform' | 'kind' | 'timeout'>;
  readonly #port: MessagePort;
  /** The id of the message in each slot (NaN: free). */
  readonly #ids: Float64Array;
  readonly #report: CompletionHandler;
  /** Recycled: a completion is read only during the handler's call. */
  readonly #completion: Completion = { id: 0, values: undefined, error: undefined, requeue: false, startedAt: 0, endedAt: 0, threadId: -1 };
  readonly #free: number[];
  readonly #encoder = new ValueEncoder();
  #threadId = -1;
  #committing = false;
  readonly #commit = () => {
    this.#committing = false;
    this.#input.commit();
  };

  constructor(slots: number, ringBytes: number, bell: Doorbell, report: CompletionHandler) {
    this.#report = report;
    this.#input = Ring.create(ringBytes);
    this.output = Ring.create(ringBytes);
    this.#in = Buffer.from(this.#input.buffer, this.#input.bytes.byteOffset, this.#input.capacity);
    this.#out = Buffer.from(this.output.buffer, this.output.bytes.byteOffset, this.output.capacity);
    const table = new SharedArrayBuffer(slots * SLOT_FIELDS * 8);
    this.#table = new Float64Array(table);
    const control = new SharedArrayBuffer(16);
    this.#control = new Int32Array(control);
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    port1.on('message', (record: PortRecord) => this.#complete(record.slot, record.status ?? Status.value, portValue(record)));
    port1.unref();
    this.#request = { input: this.#input.buffer, output: this.output.buffer, bell: bell.buffer, table, control, port: port2 };
    this.#ids = new Float64Array(slots).fill(Number.NaN);
    this.#free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
  }

  /** The task that makes a worker serve these rings (transfers the port). */
  serveRequest(transform: string, timeout: number): { request: ServeRequest; transferList: MessagePort[] } {
    return { request: { kind: 'serve', transform, timeout, ...this.#request }, transferList: [this.#request.port] };
  }

  /** The worker's thread id (once ready). */
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

  /** When the message in `slot` started (epoch ms), if it is processing. */
  startedAt(slot: number): number | undefined {
    const row = slot * SLOT_FIELDS;
    return this.#table[row + Field.stage] === SlotStage.processing ? this.#table[row + Field.startedAt] : undefined;
  }

  /** Resolves once the worker serves the rings. */
  async ready(): Promise<void> {
    const wait = Atomics.waitAsync(this.#control, Control.ready, 0);
    if (wait.async) await wait.value;
    this.#threadId = Atomics.load(this.#control, Control.threadId);
  }

  /** Messages the worker holds now. */
  get holding(): number {
    return this.#ids.length - this.#free.length;
  }

  /** Free slots. */
  get room(): number {
    return this.#free.length;
  }

  send(state: Outgoing): void {
    const slot = this.#free.pop();
    if (slot === undefined) throw new Error('no free slot: the scheduler sent more than the in-flight target');
    this.#ids[slot] = state.id;
    const row = slot * SLOT_FIELDS;
    const table = this.#table;
    table[row + Field.offset] = state.offset;
    table[row + Field.eventTime] = state.eventTime;
    table[row + Field.attempt] = state.attempts;
    table[row + Field.stage] = SlotStage.dispatched;
    const key = state.key;
    const keyBytes = key === undefined ? 0 : Buffer.byteLength(key);
    let size: number;
    try {
      size = this.#encoder.measure(state.input);
    } catch {
      // Not encodable (a SharedArrayBuffer inside, say): structured clone shares or copies it.
      this.#post(slot, { slot, key, tag: CLONED, payload: undefined, value: state.input });
      return;
    }
    const total = INPUT_HEADER + keyBytes + size;
    const at = total <= this.#input.maxRecord ? this.#input.reserve(total) : -1;
    if (at === -1) {
      // Too large for the ring, or no room in it right now: send it by post.
      const payload = this.#encoder.toBuffer(size).buffer as ArrayBuffer;
      this.#post(slot, { slot, key, tag: this.#encoder.tag, payload }, [payload]);
      return;
    }
    const bytes = this.#in;
    bytes.writeUInt32LE(slot, at);
    bytes[at + 4] = this.#encoder.tag;
    bytes[at + 5] = 0;
    bytes.writeUInt16LE(key === undefined ? NO_KEY : keyBytes, at + 6);
    if (key !== undefined) bytes.write(key, at + INPUT_HEADER, keyBytes, 'utf8');
    this.#encoder.write(bytes, at + INPUT_HEADER + keyBytes, size);
    // One commit for all the messages sent in this turn: a commit may wake
    // the worker, and a wake-up costs far more than a message.
    if (!this.#committing) {
      this.#committing = true;
      queueMicrotask(this.#commit);
    }
  }

  #post(slot: number, record: PortRecord, transfer: ArrayBuffer[] = []): void {
    try {
      this.#port.postMessage(record, transfer);
      this.#input.commit(); // wakes the worker if it sleeps, so that it reads its port
    } catch (error) {
      // Not even structured clone can send it (a function, say): the message
      // fails, reported after this turn (never from inside a send).
      const failure = serializeError(error);
      queueMicrotask(() => this.#complete(slot, Status.error, JSON.stringify(failure)));
    }
  }

  /** Complete every result waiting in the output ring; returns how many. */
  drain(): number {
    const ring = this.output;
    const bytes = this.#out;
    let count = 0;
    for (let at = ring.next(); at !== -1; at = ring.next()) {
      const end = at + ring.length;
      const slot = bytes.readUInt32LE(at);
      const status = bytes[at + 4] ?? Status.value;
      const tag = bytes[at + 5] ?? 0;
      const start = at + OUTPUT_HEADER;
      const value = decodeValue(tag, bytes, start, end - start);
      ring.release();
      this.#complete(slot, status, value);
      count++;
    }
    return count;
  }

  /**
   * After the worker died: complete what it held. Results already in the
   * output ring are taken as they are; a message it had started failed its
   * try (it may be what killed the worker); one it had not started goes out
   * again without counting a try. When the engine killed it for `culprits`,
   * those fail their try and every other message goes out again.
   */
  orphan(death: SerializedError, culprits?: ReadonlySet<number>): void {
    this.drain();
    for (let slot = 0; slot < this.#ids.length; slot++) {
      if (Number.isNaN(this.#ids[slot])) continue;
      // Killed for `culprits` (stuck past the timeout): only they fail a try.
      const blamed =
        culprits === undefined ? this.#table[slot * SLOT_FIELDS + Field.stage] !== SlotStage.dispatched : culprits.has(slot);
      const completion = this.#take(slot);
      // Its times are not known (the table row may be a previous message's): the tracker uses the dispatch time.
      completion.startedAt = completion.endedAt = 0;
      completion.error = blamed ? death : undefined;
      completion.requeue = !blamed;
      this.#report(completion);
    }
  }

  /** Ask the worker to stop once it has nothing pending, and wake it. */
  stop(): void {
    Atomics.store(this.#control, Control.stop, 1);
    this.#input.commit();
  }

  close(): void {
    this.#port.close();
  }

  #complete(slot: number, status: number, value: unknown): void {
    if (Number.isNaN(this.#ids[slot])) return;
    const completion = this.#take(slot);
    if (status === Status.error) completion.error = JSON.parse(value as string) as SerializedError;
    else completion.values = status === Status.values ? (value as unknown[]) : [value];
    this.#report(completion);
  }

  /** Free `slot`: the recycled completion with its id and times, no result yet. */
  #take(slot: number): Completion {
    const row = slot * SLOT_FIELDS;
    const completion = this.#completion;
    completion.id = this.#ids[slot] as number;
    completion.values = undefined;
    completion.error = undefined;
    completion.requeue = false;
    completion.startedAt = this.#table[row + Field.startedAt] ?? 0;
    completion.endedAt = this.#table[row + Field.endedAt] ?? 0;
    completion.threadId = this.#threadId;
    this.#table[row + Field.stage] = SlotStage.free;
    this.#ids[slot] = Number.NaN;
    this.#free.push(slot);
    return completion;
  }
}
