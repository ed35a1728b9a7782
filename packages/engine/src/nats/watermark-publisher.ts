import type { KV } from '@nats-io/kv';
import { InvalidOptionError } from '../errors.js';
import { encodeWatermarkEntry } from './watermark-entry.js';

/** Options of {@link WatermarkPublisher.open}. */
export interface WatermarkPublisherOptions {
  /**
   * How often the key is put even when the watermark has not moved (ms):
   * the beat that tells readers this process is alive. Keep it well under
   * the readers' `staleAfter`.
   * @default 1000
   */
  readonly heartbeat?: number;
  /** Called with a put that failed (the next beat tries again); by default failures are only counted. */
  readonly onError?: (error: Error) => void;
}

/** The longest heartbeat a timer can wait (setInterval's limit, about 24.8 days). */
const MAX_HEARTBEAT = 2 ** 31 - 1;

/**
 * Publishes one process's output watermark to a KV bucket under the key
 * `processor`, and puts it again every `heartbeat` ms so that readers know
 * the process is alive (Numaflow's processor heartbeat and offset timeline
 * buckets, in one key: every put is a beat). Readers take the minimum over
 * live publishers: see {@link WatermarkReader}.
 *
 *     update(5) update(9) update(7)        beat           beat
 *        │         │         (ignored)      │              │
 *        ▼         ▼                        ▼              ▼
 *     put 5 ──ack──put 9 ──ack──            put 9 ──ack──  put 9 …
 *                (at most one put in flight; 9 coalesces what came during put 5)
 *
 * @example
 * const kv = await openWatermarkBucket(nc, 'tidemark-watermarks');
 * const publisher = await WatermarkPublisher.open(kv, `engine-${process.pid}`);
 * engine.on('watermark', (value) => publisher.update(value));
 * // on a clean exit:
 * await publisher.close({ remove: true });
 */
export class WatermarkPublisher {
  /** The key this process publishes under. */
  readonly processor: string;
  /** The heartbeat interval in ms. */
  readonly heartbeat: number;
  readonly #kv: KV;
  readonly #onError: ((error: Error) => void) | undefined;
  #wanted = Number.NEGATIVE_INFINITY;
  #cap = Number.POSITIVE_INFINITY;
  #published = Number.NEGATIVE_INFINITY;
  #putting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  #failures = 0;

  private constructor(kv: KV, processor: string, heartbeat: number, onError: ((error: Error) => void) | undefined) {
    this.#kv = kv;
    this.processor = processor;
    this.heartbeat = heartbeat;
    this.#onError = onError;
  }

  /**
   * Puts the first beat (no watermark yet: `null`, which holds readers'
   * minimum where it is until this process has one) and starts beating.
   * @throws {InvalidOptionError} for a `processor` that is not a KV key (letters, digits, `-`, `_`, `/`, `=`, inner `.`) or a bad `heartbeat`.
   * @throws the put's own error when the bucket cannot be written.
   */
  static async open(kv: KV, processor: string, options: WatermarkPublisherOptions = {}): Promise<WatermarkPublisher> {
    if (typeof processor !== 'string' || !/^[-/=.\w]+$/.test(processor) || processor.startsWith('.') || processor.endsWith('.')) {
      throw new InvalidOptionError('processor', 'a KV key of letters, digits, `-`, `_`, `/`, `=` and inner `.`', processor);
    }
    const heartbeat = options.heartbeat ?? 1000;
    if (typeof heartbeat !== 'number' || !(heartbeat >= 1 && heartbeat <= MAX_HEARTBEAT)) {
      throw new InvalidOptionError('heartbeat', `a number of milliseconds from 1 to ${MAX_HEARTBEAT}`, heartbeat);
    }
    const onError = options.onError;
    if (onError !== undefined && typeof onError !== 'function') throw new InvalidOptionError('onError', 'a function', onError);
    const publisher = new WatermarkPublisher(kv, processor, heartbeat, onError);
    await publisher.#put(Number.NEGATIVE_INFINITY);
    publisher.#timer = setInterval(() => publisher.#beat(), heartbeat);
    // The connection keeps a process alive, not its heartbeat.
    publisher.#timer.unref();
    return publisher;
  }

  /** The last watermark the server acknowledged (held at the {@link cap} when there is one); `-Infinity` before the first. */
  get published(): number {
    return this.#published;
  }

  /** The highest watermark given to {@link update}, written or not yet. */
  get watermark(): number {
    return this.#wanted;
  }

  /** How many puts failed (each beat after one tries again). */
  get failures(): number {
    return this.#failures;
  }

  /**
   * The process's output watermark rose to `value` (ms). A value not above
   * the last one is ignored: a watermark only rises. It is put at once if
   * no put is in flight, else right after the one in flight (values that
   * come meanwhile coalesce into one put). Ignored after {@link close}.
   * @throws {InvalidOptionError} for Infinity, NaN or a non-number.
   */
  update(value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidOptionError('watermark', 'a finite number', value);
    if (this.#closing !== undefined || value <= this.#wanted) return;
    this.#wanted = value;
    if (this.#target() !== this.#published) this.#flush();
  }

  /**
   * Hold what is put at or below `value` until a higher cap (`Infinity`:
   * none): the key says min(watermark, cap), and may fall for it. A reader's
   * minimum never falls; a cap at or above it only keeps it from rising
   * (see `StalePeerHold`). Ignored after {@link close}.
   * @throws {InvalidOptionError} for NaN or a non-number.
   */
  cap(value: number): void {
    if (typeof value !== 'number' || Number.isNaN(value)) throw new InvalidOptionError('cap', 'a number or ±Infinity', value);
    if (this.#closing !== undefined || value === this.#cap) return;
    this.#cap = value;
    if (this.#target() !== this.#published) this.#flush();
  }

  /**
   * Stops beating and waits for the put in flight. With `{ remove: true }`
   * (a clean exit) deletes the key, so that readers drop this process at
   * once; without, puts the last watermark if it was not written yet and
   * leaves the key, and readers drop the process once its beat is stale.
   * Safe to call twice (the second call gets the first's promise).
   */
  close(options: { readonly remove?: boolean } = {}): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      await this.#putting;
      if (options.remove === true) await this.#kv.delete(this.processor);
      else if (this.#target() !== this.#published) await this.#put(this.#target());
    })();
    return this.#closing;
  }

  #beat(): void {
    // A put in flight is this beat.
    if (this.#putting === undefined && this.#closing === undefined) this.#flush();
  }

  /** Starts putting the wanted watermark unless a put is in flight (that one's loop puts it next). */
  #flush(): void {
    if (this.#putting !== undefined) return;
    this.#putting = (async () => {
      try {
        do await this.#put(this.#target());
        while (this.#target() !== this.#published && this.#closing === undefined);
      } catch (error) {
        // The next beat tries again; a put that keeps failing is reported each time.
        this.#failures++;
        this.#onError?.(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.#putting = undefined;
      }
    })();
  }

  async #put(value: number): Promise<void> {
    // A put lost with a dying server would hold every beat behind it for the
    // client's 5 s default; one heartbeat (1 s to 5 s) is enough to give up
    // and beat again. Puts on one connection reach the server in order, so a
    // late one never lands after the next.
    const timeout = Math.min(5000, Math.max(1000, this.heartbeat));
    await this.#kv.put(this.processor, encodeWatermarkEntry({ watermark: value }), { timeout });
    this.#published = value;
  }

  /** What the key should say: the watermark, held at the cap. */
  #target(): number {
    return Math.min(this.#wanted, this.#cap);
  }
}
