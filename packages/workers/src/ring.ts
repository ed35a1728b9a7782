// The realm's Atomics as they were when the worker loaded, not the global a transform may replace.
import { SafeAtomics as Atomics } from './primordials.js';

/**
 * A single-producer single-consumer ring of variable-length records in a
 * SharedArrayBuffer, one thread writing and one reading.
 *
 *   control (256 B)                         data (capacity B, a power of two)
 *   ┌──────┬──────┬──────────┬──────────┐   ┌────────────────────────────────┐
 *   │ head │ tail │ consumer │ producer │   │ len│payload…│pad│ len│payload… │
 *   │      │      │ sleeping │ sleeping │   └────────────────────────────────┘
 *   └──────┴──────┴──────────┴──────────┘     ▲ tail (read)        ▲ head (written)
 *   each on its own 64-byte cache line
 *
 * `head` and `tail` count bytes ever written and read (uint32, wrapping), so
 * `head - tail` is the fill and equal counters mean empty. A record is a
 * 4-byte length and its payload, padded to 8 bytes; it never splits across
 * the end: when it does not fit before the end, a wrap marker fills the
 * rest and the record starts at 0. A side that waits says so in its
 * "sleeping" word first, then checks again; the other side notifies only
 * when it sees that word set (the Dekker pattern, safe because Atomics are
 * sequentially consistent), so a busy pair never pays for a wake-up. The
 * consumer's word holds the number of its sleep (counted in the word after
 * it), and the producer notifies each sleep once with records in it:
 * commits made before a woken consumer got to run and clear the word are
 * read by it anyway, and notifying again would only repeat a system call.
 * A commit that publishes nothing new (it only wakes the consumer, to read
 * its port or see a stop) always notifies: with the head unchanged, the
 * consumer's wait cannot tell it missed that notify, so a later one must
 * not be skipped.
 * The idea is the LMAX Disruptor's and Aeron's broadcast buffers, minus
 * their many producers.
 */

const HEAD = 0;
const TAIL = 16;
const CONSUMER_SLEEPING = 32;
/** The consumer's sleeps so far (wrapping, never 0): the number its sleeping word holds while it sleeps. */
const CONSUMER_SLEEPS = 33;
const PRODUCER_SLEEPING = 48;
const CONTROL_BYTES = 256;
const WRAP = 0xffffffff;

/** Bytes a record of `length` payload bytes takes in the ring. */
function footprint(length: number): number {
  return (length + 4 + 7) & ~7;
}

export class Ring {
  /** The shared memory, to hand to the other thread. */
  readonly buffer: SharedArrayBuffer;
  /** Payload bytes of the data region. */
  readonly capacity: number;
  /** The largest payload a record may have. */
  readonly maxRecord: number;
  /** The data region; a record's payload is at `[position, position + length)`. */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly #control: Int32Array;
  readonly #bell: Doorbell | undefined;
  readonly #mask: number;
  #head: number; // producer: written (published up to here at commit)
  #tail: number; // consumer: read (published at release)
  #length = 0; // consumer: payload length of the record being read
  #notified = 0; // producer: the consumer's sleep it last notified with new records
  #published: number; // producer: the head as last committed

  /** A new ring with `capacity` data bytes (a power of two, at least 64). */
  static create(capacity: number): Ring {
    if (!Number.isInteger(capacity) || capacity < 64 || capacity > 2 ** 30 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`ring capacity must be a power of two from 64 to 2^30, got ${capacity}`);
    }
    return new Ring(new SharedArrayBuffer(CONTROL_BYTES + capacity));
  }

  /**
   * Attach to a ring made by {@link Ring.create} (possibly in another thread).
   * Producer side only: with `bell`, `commit()` rings that doorbell instead
   * of waking `waitForData`, and the consumer waits with `bell.sleep()`, so
   * that one thread can wait for any of several rings.
   */
  constructor(buffer: SharedArrayBuffer, bell?: Doorbell) {
    this.buffer = buffer;
    this.#bell = bell;
    this.capacity = buffer.byteLength - CONTROL_BYTES;
    this.#mask = this.capacity - 1;
    // A quarter: a record plus the wrap gap before it always fits an empty ring.
    this.maxRecord = this.capacity / 4 - 8;
    this.#control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.bytes = new Uint8Array(buffer, CONTROL_BYTES, this.capacity);
    this.view = new DataView(buffer, CONTROL_BYTES, this.capacity);
    this.#head = Atomics.load(this.#control, HEAD) >>> 0;
    this.#tail = Atomics.load(this.#control, TAIL) >>> 0;
    this.#published = this.#head;
  }

  // ── producer ────────────────────────────────────────────────────────────

  /**
   * Make room for a record of `length` bytes and return where to write its
   * payload, or -1 when the ring has no room now. The record is invisible
   * to the consumer until {@link commit}; several may be reserved first.
   */
  reserve(length: number): number {
    if (!(Number.isInteger(length) && length >= 0 && length <= this.maxRecord)) {
      throw new RangeError(`record length must be an integer from 0 to ${this.maxRecord}, got ${String(length)} (${typeof length})`);
    }
    if (!this.#fits(length, Atomics.load(this.#control, TAIL))) return -1;
    const size = footprint(length);
    const position = this.#head & this.#mask;
    const gap = this.capacity - position;
    let at = position;
    if (size > gap) {
      this.view.setUint32(position, WRAP);
      this.#head = (this.#head + gap) >>> 0;
      at = 0;
    }
    this.view.setUint32(at, length);
    this.#head = (this.#head + size) >>> 0;
    return at + 4;
  }

  /** Publish what was reserved, and wake the consumer if it sleeps. */
  commit(): void {
    Atomics.store(this.#control, HEAD, this.#head | 0);
    if (this.#bell !== undefined) {
      this.#bell.ring();
      return;
    }
    const moved = this.#head !== this.#published;
    this.#published = this.#head;
    const sleep = Atomics.load(this.#control, CONSUMER_SLEEPING);
    if (sleep !== 0 && sleep !== this.#notified) {
      // A notify that published records cannot be missed: a consumer about to wait sees the new head.
      this.#notified = moved ? sleep : 0;
      Atomics.notify(this.#control, HEAD);
    }
  }

  /** Bytes that may still be written (ignoring the wrap gap). */
  get free(): number {
    return this.capacity - ((this.#head - (Atomics.load(this.#control, TAIL) >>> 0)) >>> 0);
  }

  // ── consumer ────────────────────────────────────────────────────────────

  /**
   * The position of the next record's payload (its length is
   * {@link length}), or -1 when the ring is empty. Call {@link release}
   * when done with it.
   */
  next(): number {
    const head = Atomics.load(this.#control, HEAD) >>> 0;
    if (head === this.#tail) return -1;
    let position = this.#tail & this.#mask;
    let length = this.view.getUint32(position);
    if (length === WRAP) {
      this.#tail = (this.#tail + this.capacity - position) >>> 0;
      position = 0;
      length = this.view.getUint32(0);
    }
    this.#length = length;
    return position + 4;
  }

  /** Payload length of the record {@link next} returned. */
  get length(): number {
    return this.#length;
  }

  /** Done with the record {@link next} returned: its bytes may be reused. */
  release(): void {
    this.#tail = (this.#tail + footprint(this.#length)) >>> 0;
    Atomics.store(this.#control, TAIL, this.#tail | 0);
    if (Atomics.load(this.#control, PRODUCER_SLEEPING) !== 0) Atomics.notify(this.#control, TAIL);
  }

  /** True when nothing is published and unread. */
  get empty(): boolean {
    return (Atomics.load(this.#control, HEAD) >>> 0) === this.#tail;
  }

  // ── waiting ─────────────────────────────────────────────────────────────

  /**
   * Consumer: resolve once a record may be there (or after `timeout` ms).
   * Never blocks the thread: its event loop keeps running while it waits.
   * A pending `Atomics.waitAsync` does not keep the event loop alive: the
   * caller holds something that does (the ring worker has its port).
   */
  async waitForData(timeout = Number.POSITIVE_INFINITY): Promise<void> {
    this.#sleep();
    const head = Atomics.load(this.#control, HEAD);
    if ((head >>> 0) === this.#tail) {
      const wait = Atomics.waitAsync(this.#control, HEAD, head, timeout);
      if (wait.async) await wait.value;
    }
    Atomics.store(this.#control, CONSUMER_SLEEPING, 0);
  }

  /**
   * Consumer: block the thread until a record may be there (or `timeout` ms
   * pass). Waking a thread blocked here is a futex wake, several times
   * cheaper than resolving an `Atomics.waitAsync` in another thread.
   */
  waitForDataSync(timeout = Number.POSITIVE_INFINITY): void {
    this.#sleep();
    const head = Atomics.load(this.#control, HEAD);
    if ((head >>> 0) === this.#tail) Atomics.wait(this.#control, HEAD, head, timeout);
    Atomics.store(this.#control, CONSUMER_SLEEPING, 0);
  }

  /** Producer: block the thread until a record of `length` bytes fits (or `timeout` ms pass). */
  waitForRoomSync(length: number, timeout = Number.POSITIVE_INFINITY): void {
    Atomics.store(this.#control, PRODUCER_SLEEPING, 1);
    const tail = Atomics.load(this.#control, TAIL);
    if (!this.#fits(length, tail)) Atomics.wait(this.#control, TAIL, tail, timeout);
    Atomics.store(this.#control, PRODUCER_SLEEPING, 0);
  }

  /** Consumer: say it sleeps, with the number of this sleep (from the shared count, so a consumer attached later goes on from it). */
  #sleep(): void {
    const sleep = (Atomics.load(this.#control, CONSUMER_SLEEPS) + 1) | 0 || 1;
    Atomics.store(this.#control, CONSUMER_SLEEPS, sleep);
    Atomics.store(this.#control, CONSUMER_SLEEPING, sleep);
  }

  #fits(length: number, tail: number): boolean {
    const size = footprint(length);
    const gap = this.capacity - (this.#head & this.#mask);
    const used = (this.#head - (tail >>> 0)) >>> 0;
    return this.capacity - used >= (size <= gap ? size : gap + size);
  }
}

/**
 * Where one consumer sleeps for several rings (the main thread for every
 * worker's output ring): a "sleeping" word and a counter that producers
 * bump and notify, only while the consumer says it sleeps.
 */
export class Doorbell {
  readonly buffer: SharedArrayBuffer;
  readonly #words: Int32Array;

  constructor(buffer = new SharedArrayBuffer(8)) {
    this.buffer = buffer;
    this.#words = new Int32Array(buffer);
  }

  /** Producer side: wake the consumer if it sleeps. */
  ring(): void {
    if (Atomics.load(this.#words, 0) !== 0) {
      Atomics.add(this.#words, 1, 1);
      Atomics.notify(this.#words, 1);
    }
  }

  /**
   * Consumer side: sleep (without blocking the event loop) unless `ready()`
   * says there is work after the sleeping word is set, until a producer
   * rings or `timeout` ms pass.
   */
  async sleep(ready: () => boolean, timeout = Number.POSITIVE_INFINITY): Promise<void> {
    Atomics.store(this.#words, 0, 1);
    const seen = Atomics.load(this.#words, 1);
    if (!ready()) {
      const wait = Atomics.waitAsync(this.#words, 1, seen, timeout);
      if (wait.async) await wait.value;
    }
    Atomics.store(this.#words, 0, 0);
  }
}
