import { EventEmitter } from 'node:events';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { InvalidOptionError } from '../errors.js';
import { decodeWatermarkEntry } from './watermark-entry.js';

/** Options of {@link WatermarkReader.open}. */
export interface WatermarkReaderOptions {
  /**
   * How long a publisher may go without a beat before it is dropped (ms).
   * Several of the publishers' heartbeats: a live publisher dropped for a
   * late beat lets the minimum pass its watermark.
   * @default 5000 (five beats of the default 1000)
   */
  readonly staleAfter?: number;
  /** The reader's monotonic clock in ms, by which beats are aged; a test's fake clock. @default performance.now */
  readonly clock?: () => number;
}

/** What the reader knows of one live publisher. */
export interface WatermarkPublisherState {
  /** Its output watermark (ms); `-Infinity` before it has one. */
  readonly watermark: number;
  /** When the server stored its last beat (ms since the epoch, the server's clock). */
  readonly heartbeat: number;
}

/** Events of a {@link WatermarkReader}. */
export interface WatermarkReaderEvents {
  /** The minimum over live publishers rose to `value`. */
  watermark: [value: number];
  /** `processor` stopped beating for `staleAfter` and was dropped. */
  stale: [processor: string];
  /** `processor`'s key was deleted or purged (it closed with `remove`) and it was dropped at once. */
  removed: [processor: string];
  /**
   * The watch failed or ended (the connection closed for good), or a
   * listener threw: the minimum no longer moves. Unheard, it is thrown, as
   * EventEmitter does.
   */
  error: [error: Error];
}

/** How long {@link WatermarkReader.open} waits for the bucket's current keys. */
const OPEN_LIMIT_MS = 30_000;

/**
 * Watches a watermark bucket and keeps the minimum output watermark over its
 * live publishers, as Numaflow's processor manager and fetcher do: a
 * publisher joins with its first put, is dropped at once when its key is
 * deleted, and is dropped when it has not beaten for `staleAfter`.
 *
 * A beat's age never depends on clocks of different machines agreeing: a
 * beat that arrives while the reader watches is as old as the reader's own
 * clock says since it arrived; the beats already in the bucket when the
 * reader opens are aged by their server `created` time against the newest
 * among them (one clock, the server's). The publisher's clock is never read.
 * Staleness is checked on an unref'd timer, and only after the event loop
 * has read what is waiting on the socket, so that a reader that was busy
 * does not drop a publisher whose beat is already there.
 */
export class WatermarkReader extends EventEmitter<WatermarkReaderEvents> {
  /** Ms without a beat before a publisher is dropped. */
  readonly staleAfter: number;
  readonly #clock: () => number;
  readonly #watch: QueuedIterator<KvWatchEntry>;
  readonly #publishers = new Map<string, WatermarkPublisherState>();
  /** The reader's clock at each live publisher's last beat; during catch-up, the beat's server time. */
  readonly #seen = new Map<string, number>();
  #minimum = Number.NEGATIVE_INFINITY;
  #malformed = 0;
  #catchingUp: boolean;
  /** The bucket's last revision when the reader opened: the keys it held then end there. */
  readonly #last: number;
  #newestCreated = Number.NEGATIVE_INFINITY;
  #caughtUp: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  #opened = false;
  #failure: Error | undefined;

  private constructor(watch: QueuedIterator<KvWatchEntry>, staleAfter: number, clock: () => number, last: number) {
    super();
    this.#watch = watch;
    this.staleAfter = staleAfter;
    this.#clock = clock;
    this.#last = last;
    this.#catchingUp = last > 0;
  }

  /**
   * Starts watching `kv` and resolves once the reader has every key the
   * bucket held (its first minimum is over all of them, not over whichever
   * arrived first).
   * @throws {InvalidOptionError} for a bad `staleAfter` or `clock`.
   */
  static async open(kv: KV, options: WatermarkReaderOptions = {}): Promise<WatermarkReader> {
    const staleAfter = options.staleAfter ?? 5000;
    if (typeof staleAfter !== 'number' || !(staleAfter >= 1 && staleAfter <= 2 ** 31 - 1)) {
      throw new InvalidOptionError('staleAfter', `a number of milliseconds from 1 to ${2 ** 31 - 1}`, staleAfter);
    }
    const clock = options.clock ?? (() => performance.now());
    if (typeof clock !== 'function') throw new InvalidOptionError('clock', 'a function', clock);
    // The keys the bucket holds now end with its last revision: the watch
    // delivers each key's last entry in revision order, so the first entry
    // at or past it ends them (or there are none). Not the entries' `delta`
    // (what the server still has pending): nats-server 2.9 counts one too
    // many while keys are being put.
    const { values, streamInfo } = await kv.status();
    const last = values === 0 ? 0 : streamInfo.state.last_seq;
    // A plain watch of the whole bucket: multi-key watches need nats-server 2.10.
    const reader = new WatermarkReader(await kv.watch(), staleAfter, clock, last);
    const caughtUp = new Promise<void>((resolve) => (reader.#caughtUp = resolve));
    reader.#running = reader.#run();
    if (reader.#catchingUp) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), OPEN_LIMIT_MS)));
      const outcome = await Promise.race([caughtUp, limit, reader.#running.then(() => 'ended' as const)]);
      clearTimeout(timer);
      if (outcome !== undefined) {
        await reader.close();
        if (outcome === 'late') throw new Error(`the watermark bucket's keys did not all arrive within ${OPEN_LIMIT_MS} ms`);
        throw reader.#failure ?? new Error('the watch of the watermark bucket ended while it opened');
      }
    }
    if (reader.#failure !== undefined) {
      // It failed in the turns between catching up and here, when it could not emit yet.
      await reader.close();
      throw reader.#failure;
    }
    reader.#opened = true;
    reader.#timer = setInterval(() => setImmediate(() => reader.sweep()), Math.max(1, Math.min(staleAfter / 4, 1000)));
    reader.#timer.unref();
    return reader;
  }

  /**
   * The minimum output watermark over live publishers; `-Infinity` before
   * there is one. It never falls: a publisher that joins (or comes back)
   * below it does not lower it, it only holds it until it catches up; with
   * no live publisher it stays where it was.
   */
  get minimum(): number {
    return this.#minimum;
  }

  /** The live publishers by processor name. */
  get publishers(): ReadonlyMap<string, WatermarkPublisherState> {
    return this.#publishers;
  }

  /** Ms by the reader's clock since live publisher `processor`'s last beat; `undefined` for one it does not hold live, or while it opens. */
  age(processor: string): number | undefined {
    const seen = this.#seen.get(processor);
    return seen === undefined || this.#catchingUp ? undefined : this.#clock() - seen;
  }

  /** How many entries were not watermark entries (not JSON, another version, a bad watermark) and were ignored. */
  get malformed(): number {
    return this.#malformed;
  }

  /** Drops the publishers whose last beat is older than `staleAfter` by the reader's clock now. The timer calls it; a test may too. */
  sweep(): void {
    if (this.#closed || this.#catchingUp) return;
    const now = this.#clock();
    const dropped: string[] = [];
    for (const [processor, seen] of this.#seen) {
      if (now - seen > this.staleAfter) dropped.push(processor);
    }
    for (const processor of dropped) this.#drop(processor);
    for (const processor of dropped) this.emit('stale', processor);
    if (dropped.length > 0) this.#rise();
  }

  /** Stops watching. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#watch.stop();
    await this.#running;
  }

  /** Feeds the watch's entries in until it ends; never rejects (a failure becomes an `error` event once open). */
  async #run(): Promise<void> {
    let failure: Error;
    try {
      for await (const entry of this.#watch) {
        if (this.#closed) return;
        this.#receive(entry);
      }
      if (this.#closed) return;
      failure = new Error('the watch of the watermark bucket ended');
    } catch (error) {
      // The watch failed, or a listener threw: either way the minimum stops here.
      if (this.#closed) return;
      failure = error instanceof Error ? error : new Error(String(error));
    }
    this.#failure = failure;
    clearInterval(this.#timer);
    // Outside this function, so that with no listener it is thrown as EventEmitter throws an unheard 'error'.
    if (this.#opened) process.nextTick(() => this.emit('error', failure));
  }

  #receive(entry: KvWatchEntry): void {
    const processor = entry.key;
    const created = entry.created.getTime();
    if (this.#catchingUp && created > this.#newestCreated) this.#newestCreated = created;
    if (entry.operation !== 'PUT') {
      if (this.#drop(processor) && !this.#catchingUp) {
        this.emit('removed', processor);
        this.#rise();
      }
    } else {
      const decoded = decodeWatermarkEntry(entry.value);
      // Not a beat either: a publisher that only writes junk goes stale.
      if (decoded === undefined) this.#malformed++;
      else {
        this.#publishers.set(processor, { watermark: decoded.watermark, heartbeat: created });
        this.#seen.set(processor, this.#catchingUp ? created : this.#clock());
        if (!this.#catchingUp) this.#rise();
      }
    }
    if (this.#catchingUp && entry.revision >= this.#last) this.#catchUp();
  }

  /** The bucket's keys are all in: age their beats by server time against the newest, drop the stale, take the first minimum. */
  #catchUp(): void {
    this.#catchingUp = false;
    const now = this.#clock();
    for (const [processor, created] of this.#seen) this.#seen.set(processor, now - Math.max(0, this.#newestCreated - created));
    this.sweep();
    this.#rise();
    this.#caughtUp?.();
  }

  #drop(processor: string): boolean {
    this.#seen.delete(processor);
    return this.#publishers.delete(processor);
  }

  /** Raises the minimum to the least watermark over live publishers, if that is higher. */
  #rise(): void {
    if (this.#publishers.size === 0) return;
    let least = Number.POSITIVE_INFINITY;
    for (const { watermark } of this.#publishers.values()) if (watermark < least) least = watermark;
    if (least > this.#minimum) {
      this.#minimum = least;
      this.emit('watermark', least);
    }
  }
}
