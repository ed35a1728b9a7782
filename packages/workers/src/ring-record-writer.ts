import { Buffer } from 'node:buffer';
import { ValueEncoder } from './codec.js';
import { safeQueueMicrotask } from './primordials.js';
import type { Ring } from './ring.js';
import { CLONED } from './ring-record-format.js';
import type { PortRecord, RecordPort } from './ring-record-format.js';

/** The producer's side of one ring: the codec, the port fallback and the batched commit. */
export abstract class RecordWriter {
  protected readonly ring: Ring;
  protected readonly bytes: Buffer;
  protected readonly encoder = new ValueEncoder();
  readonly #port: RecordPort;
  #committing = false;
  /** Records written and not yet committed. */
  #dirty = false;
  readonly #commit = (): void => {
    this.#committing = false;
    this.flush();
  };

  constructor(ring: Ring, port: RecordPort) {
    this.ring = ring;
    this.bytes = Buffer.from(ring.buffer, ring.bytes.byteOffset, ring.capacity);
    this.#port = port;
  }

  /** Publish every record written so far now, and wake the reader if it sleeps. */
  commit(): void {
    this.#dirty = false;
    this.ring.commit();
  }

  /** Commit now if records wait for the turn's commit (a no-op otherwise). */
  flush(): void {
    if (this.#dirty) this.commit();
  }

  /**
   * A record was written. One commit for all those written in this turn: a
   * commit may wake the other thread, and a wake-up costs far more than a record.
   */
  protected written(): void {
    this.#dirty = true;
    if (!this.#committing) {
      this.#committing = true;
      safeQueueMicrotask(this.#commit);
    }
  }

  /**
   * Send `record` over the port, transferring its payload; throws when
   * structured clone cannot (then nothing was sent). A cloned record (tag
   * CLONED) goes as two messages: its value alone (`[value]`), then the
   * record without it. The receiving port reads the value itself, and one
   * it cannot read (nested too deeply for the receiver's stack) is lost
   * there with only a `'messageerror'`: the record after it still says
   * whose it was, so that its message fails instead of waiting for good.
   */
  protected post(record: PortRecord): void {
    if (record.tag !== CLONED) {
      this.#port.postMessage(record, record.payload === undefined ? [] : [record.payload]);
      return;
    }
    const { slot, key, status } = record;
    this.#port.postMessage([record.value]);
    this.#port.postMessage({ slot, key, status, tag: CLONED, payload: undefined });
  }
}
