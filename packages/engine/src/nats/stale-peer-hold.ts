import type { WatermarkPublisherState, WatermarkReader } from './watermark-reader.js';

/** One peer that stopped beating, and what this process waits for before it lets go of its watermark. */
interface Hold {
  /** The peer's watermark when it was last seen. */
  readonly watermark: number;
  /** When the hold began (performance.now()): only a look at the consumer asked after it says what the peer could have held. */
  readonly since: number;
  /** The consumer's delivered stream sequence, from the first look asked after {@link since}; the hold ends once the ack floor reaches it. */
  until: number | undefined;
}

/**
 * Holds this process's published watermark at or below the last watermark
 * of a peer that stopped beating, until every message the peer may have
 * held has been redelivered and acked (by anyone).
 *
 * A process that dies leaves messages unacked; JetStream redelivers them
 * after AckWait to the survivors, whose watermarks have moved on: their
 * outputs are late. Readers drop the dead process after `staleAfter`, and
 * without this hold the minimum over the live ones would jump past those
 * outputs before they are stored. So each survivor, once a peer has gone
 * half of `staleAfter` without a beat (before any reader drops it, the hold
 * put meanwhile), caps its key at the peer's last watermark, and asks the
 * consumer which stream sequence it has delivered up to: the peer was dead
 * by then, so everything it held lies at or below it. When the consumer's
 * ack floor reaches that sequence, each of those messages was acked, so its
 * outputs are stored, and the cap goes.
 *
 * Every survivor holds on its own (the ack floor is the consumer's, the
 * same for all). A peer that was only slow and beats again changes
 * nothing: the hold still ends at the ack floor, a short pause of the
 * watermark. A process's own key is never a peer.
 */
export class StalePeerHold {
  readonly #reader: WatermarkReader;
  readonly #self: string;
  readonly #after: number;
  readonly #changed: (cap: number) => void;
  readonly #holds = new Set<Hold>();
  /** Each peer as last seen by {@link check}: what a hold takes when the reader dropped it between two checks. */
  readonly #seen = new Map<string, WatermarkPublisherState>();
  /** The beat each peer was last held for: the same beat is not held for twice; a new one that goes stale is. */
  readonly #heldFor = new Map<string, WatermarkPublisherState>();
  readonly #timer: NodeJS.Timeout;
  #cap = Number.POSITIVE_INFINITY;

  /** Watches `reader`'s publishers but `self`; `changed` hears each new cap (`Infinity`: none). */
  constructor(reader: WatermarkReader, self: string, changed: (cap: number) => void) {
    this.#reader = reader;
    this.#self = self;
    this.#after = reader.staleAfter / 2;
    this.#changed = changed;
    reader.on('stale', this.#dropped);
    this.#timer = setInterval(() => this.check(), Math.max(1, Math.min(this.#after / 4, 250))).unref();
  }

  /** The highest watermark this process may publish now: the least of the held peers' (`Infinity`: none held). */
  get cap(): number {
    return this.#cap;
  }

  /** Whether a hold waits for a look at the consumer (see {@link consumer}). */
  get waiting(): boolean {
    return this.#holds.size > 0;
  }

  /** Holds for each peer that has gone half of `staleAfter` without a beat. The timer calls it, and the run before each rise of the watermark. */
  check(): void {
    const publishers = this.#reader.publishers;
    for (const processor of this.#seen.keys()) {
      if (!publishers.has(processor)) {
        this.#seen.delete(processor);
        this.#heldFor.delete(processor);
      }
    }
    for (const [processor, state] of publishers) {
      if (processor === this.#self) continue;
      this.#seen.set(processor, state);
      const age = this.#reader.age(processor);
      if (age !== undefined && age > this.#after) this.#hold(processor, state);
    }
    this.#update();
  }

  /**
   * A look at the consumer, asked at `askedAt` (performance.now()): holds
   * begun before it take its delivered sequence; each hold ends once the
   * ack floor reaches its sequence.
   */
  consumer(ackFloor: number, delivered: number, askedAt: number): void {
    for (const hold of this.#holds) {
      if (hold.until === undefined && askedAt >= hold.since) hold.until = delivered;
      if (hold.until !== undefined && ackFloor >= hold.until) this.#holds.delete(hold);
    }
    this.#update();
  }

  /** Stop looking. */
  stop(): void {
    clearInterval(this.#timer);
    this.#reader.off('stale', this.#dropped);
  }

  /** The reader dropped `processor` before a check saw it go quiet: held as last seen. */
  readonly #dropped = (processor: string): void => {
    const state = this.#seen.get(processor);
    this.#seen.delete(processor);
    if (processor === this.#self || state === undefined) return;
    this.#hold(processor, state);
    this.#update();
  };

  #hold(processor: string, state: WatermarkPublisherState): void {
    if (this.#heldFor.get(processor) === state) return;
    this.#heldFor.set(processor, state);
    this.#holds.add({ watermark: state.watermark, since: performance.now(), until: undefined });
  }

  #update(): void {
    let cap = Number.POSITIVE_INFINITY;
    for (const hold of this.#holds) if (hold.watermark < cap) cap = hold.watermark;
    if (cap === this.#cap) return;
    this.#cap = cap;
    this.#changed(cap);
  }
}
