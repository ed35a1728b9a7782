import { setImmediate as nextTurn } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { ValueEncoder, decodeValue, Tag } from './codec.js';
import { now } from './clock.js';
import { withDeadline } from './deadline.js';
import { loadTransform } from './load-transform.js';
import { toValues } from './outputs.js';
import { Doorbell, Ring } from './ring.js';
import { CLONED, Control, Field, INPUT_HEADER, NO_KEY, OUTPUT_HEADER, SLOT_FIELDS, SlotStage, Status } from './ring-layout.js';
import type { PortRecord, ServeRequest } from './ring-layout.js';
import { serializeError } from './serialize-error.js';
import type { Transform } from './transform.js';

/** ms a worker with nothing running blocks before it looks at its port. */
const portPoll = 20;

/**
 * The ring worker: reads messages from its input ring (and, when too large
 * for it, from its port), runs the transform on each without waiting for
 * the others, and writes each result to its output ring the moment it is
 * ready. Returns when the engine asks it to stop and nothing is pending.
 */
export async function serve(request: ServeRequest): Promise<void> {
  const transform = await loadTransform(request.transform);
  const server = new RingServer(request, transform);
  request.port.on('message', (record: PortRecord) => server.fromPort(record));
  const control = new Int32Array(request.control);
  Atomics.store(control, Control.threadId, threadId);
  Atomics.store(control, Control.ready, 1);
  Atomics.notify(control, Control.ready);
  while (Atomics.load(control, Control.stop) === 0) {
    if (server.drain()) {
      // After a busy round, a turn of the event loop: commits, the timers
      // and I/O of async transforms, then more input.
      await nextTurn();
    } else if (server.pending > 0) {
      // Transforms are running: wait without blocking their event loop.
      await server.input.waitForData();
    } else {
      // Nothing running: block, which is cheaper to wake, but only briefly,
      // so that port messages (values too large for the ring) get in.
      server.input.waitForDataSync(portPoll);
      await nextTurn();
    }
  }
  await server.idle();
  request.port.close();
}

class RingServer {
  readonly input: Ring;
  readonly #output: Ring;
  readonly #in: Buffer;
  readonly #out: Buffer;
  readonly #table: Float64Array;
  readonly #transform: Transform;
  readonly #timeout: number;
  readonly #control: Int32Array;
  readonly #port: MessagePort;
  readonly #encoder = new ValueEncoder();
  #pending = 0;
  #committing = false;
  readonly #commit = () => {
    this.#committing = false;
    this.#output.commit();
  };
  #idle: (() => void) | undefined;

  constructor(request: ServeRequest, transform: Transform) {
    this.input = new Ring(request.input);
    this.#output = new Ring(request.output, new Doorbell(request.bell));
    this.#in = Buffer.from(request.input, this.input.bytes.byteOffset, this.input.capacity);
    this.#out = Buffer.from(request.output, this.#output.bytes.byteOffset, this.#output.capacity);
    this.#table = new Float64Array(request.table);
    this.#transform = transform;
    this.#port = request.port;
    this.#timeout = request.timeout;
    this.#control = new Int32Array(request.control);
  }

  /** Start every message waiting in the input ring; false when there was none. */
  drain(): boolean {
    const ring = this.input;
    let any = false;
    for (let at = ring.next(); at !== -1; at = ring.next()) {
      any = true;
      const end = at + ring.length;
      const slot = this.#in.readUInt32LE(at);
      const tag = this.#in[at + 4] ?? Tag.undefined;
      const keyLength = this.#in.readUInt16LE(at + 6);
      let position = at + INPUT_HEADER;
      let key: string | undefined;
      if (keyLength !== NO_KEY) {
        key = this.#in.toString('utf8', position, position + keyLength);
        position += keyLength;
      }
      const value = decodeValue(tag, this.#in, position, end - position);
      ring.release();
      this.#start(slot, key, value);
    }
    return any;
  }

  fromPort(record: PortRecord): void {
    this.#start(record.slot, record.key, portValue(record));
  }

  /** Transforms started and not yet finished. */
  get pending(): number {
    return this.#pending;
  }

  /** Resolves when no transform is running. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idle = resolve;
    });
  }

  #start(slot: number, key: string | undefined, value: unknown): void {
    const row = slot * SLOT_FIELDS;
    const table = this.#table;
    table[row + Field.stage] = SlotStage.processing;
    table[row + Field.startedAt] = now();
    this.#pending++;
    // Which message holds the thread: if the worker dies or hangs while this
    // is set, the engine knows whose fault it was and spares the others.
    Atomics.store(this.#control, Control.running, slot + 1);
    let result: unknown;
    try {
      result = withDeadline(this.#timeout, (signal) =>
        this.#transform(value, {
          offset: table[row + Field.offset] ?? 0,
          key,
          eventTime: table[row + Field.eventTime] ?? 0,
          attempt: table[row + Field.attempt] ?? 1,
          signal,
        }),
      );
    } catch (error) {
      Atomics.store(this.#control, Control.running, 0);
      this.#finish(slot, Status.error, serializeError(error));
      return;
    }
    Atomics.store(this.#control, Control.running, 0);
    if (result instanceof Promise) {
      result.then(
        (output: unknown) => this.#finish(slot, Status.value, output),
        (error: unknown) => this.#finish(slot, Status.error, serializeError(error)),
      );
    } else {
      this.#finish(slot, Status.value, result);
    }
  }

  #finish(slot: number, status: number, result: unknown): void {
    let value = result;
    if (status === Status.value) {
      const values = toValues(result);
      if (values.length !== 1) {
        status = Status.values;
        value = values;
      } else {
        value = values[0];
      }
    } else {
      value = JSON.stringify(result);
    }
    const row = slot * SLOT_FIELDS;
    this.#table[row + Field.endedAt] = now();
    this.#table[row + Field.stage] = SlotStage.completed;
    this.#write(slot, status, value);
    if (--this.#pending === 0 && this.#idle !== undefined) this.#idle();
  }

  #write(slot: number, status: number, value: unknown): void {
    const encoder = this.#encoder;
    let size: number;
    try {
      size = encoder.measure(value);
    } catch {
      // Not encodable (a SharedArrayBuffer inside, say): structured clone handles it, or says why not.
      this.#post(slot, status, { slot, status, tag: CLONED, payload: undefined, value });
      return;
    }
    const ring = this.#output;
    if (size + OUTPUT_HEADER > ring.maxRecord) {
      const payload = encoder.toBuffer(size).buffer as ArrayBuffer;
      this.#post(slot, status, { slot, status, tag: encoder.tag, payload }, [payload]);
      return;
    }
    let at = ring.reserve(size + OUTPUT_HEADER);
    while (at === -1) {
      // The engine reads outputs as they come; it is only ever briefly behind,
      // but it cannot read what has not been committed.
      ring.commit();
      ring.waitForRoomSync(size + OUTPUT_HEADER);
      at = ring.reserve(size + OUTPUT_HEADER);
    }
    const out = this.#out;
    out.writeUInt32LE(slot, at);
    out[at + 4] = status;
    out[at + 5] = encoder.tag;
    out.writeUInt16LE(0, at + 6);
    encoder.write(out, at + OUTPUT_HEADER, size);
    // One commit per turn: results of sync transforms started together, or
    // of async ones settling together, wake the engine at most once.
    if (!this.#committing) {
      this.#committing = true;
      queueMicrotask(this.#commit);
    }
  }

  #post(slot: number, status: number, record: PortRecord, transfer: ArrayBuffer[] = []): void {
    try {
      this.#port.postMessage(record, transfer);
    } catch (error) {
      if (status === Status.error) throw error;
      this.#write(slot, Status.error, JSON.stringify(serializeError(error)));
    }
  }
}

/** The value a port record carries. */
export function portValue(record: PortRecord): unknown {
  if (record.tag === CLONED) return record.value;
  const bytes = Buffer.from(record.payload ?? new ArrayBuffer(0));
  return decodeValue(record.tag, bytes, 0, bytes.byteLength);
}
