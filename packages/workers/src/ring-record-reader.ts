import { Buffer } from 'node:buffer';
import { isArray } from './primordials.js';
import type { Ring } from './ring.js';
import { CLONED, portValue } from './ring-record-format.js';
import type { PortRecord } from './ring-record-format.js';

/**
 * The consumer's side of one ring: where its records are read from, and
 * how the records that came over the port instead are put together (see
 * RecordWriter#post: a cloned record's value comes alone, just before it).
 */
export abstract class RecordReader {
  protected readonly ring: Ring;
  protected readonly bytes: Buffer;
  /** The value of the cloned record to come, as received (`[value]`). */
  #cloned: readonly unknown[] | undefined;
  /** Set when the port could not read that value: why. */
  #lost: { readonly error: unknown } | undefined;

  constructor(ring: Ring) {
    this.ring = ring;
    this.bytes = Buffer.from(ring.buffer, ring.bytes.byteOffset, ring.capacity);
  }

  /**
   * The port could not read a message (its `'messageerror'`, as when a
   * value is nested too deeply for this thread's stack): the value of the
   * cloned record that comes next, which then fails with `error`.
   */
  portError(error: unknown): void {
    this.#cloned = undefined;
    this.#lost = { error };
  }

  /** Keep `message` when it is the value of the cloned record to come; true if it was. */
  protected stash(message: unknown): boolean {
    if (!isArray(message)) return false;
    this.#cloned = message;
    this.#lost = undefined;
    return true;
  }

  /** The value a port record carries; throws when it cannot be read. */
  protected valueOf(record: PortRecord): unknown {
    if (record.tag !== CLONED) return portValue(record);
    const cloned = this.#cloned;
    const lost = this.#lost;
    this.#cloned = this.#lost = undefined;
    if (lost !== undefined) throw lost.error;
    return cloned?.[0];
  }
}
