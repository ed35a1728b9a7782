import type { DownstreamPhase, DownstreamReport } from './brain-wire.js';

/** A phase start, as the downstream reports it. */
export type PhaseStart = Extract<DownstreamReport, { kind: 'phase' }>;

/** What {@link DownstreamSlots} needs of the world: a timer and a clock (injected so that a test drives them). */
export interface SlotsClock {
  /** Call `fn` after `ms`. */
  after(fn: () => void, ms: number): void;
  /** Epoch ms now. */
  now(): number;
}

/**
 * The simulated downstream service: `capacity` calls in service at once,
 * each for `serviceMs`; the calls beyond wait in one FIFO across every
 * connection, so throughput plateaus at `capacity / serviceMs` and the
 * latency grows past it. The capacity changes by phase, a phase lasting
 * a number of calls served (so the shifts come at the same point of the
 * work whatever the speed); a phase begins when the calls of those before
 * it have all been served, the first at the first call.
 *
 *     call ─▶ [ FIFO ] ─▶ [slot][slot]…[slot] (capacity) ─▶ serviceMs ─▶ reply
 */
export class DownstreamSlots {
  readonly #phases: readonly DownstreamPhase[];
  readonly #serviceMs: number;
  readonly #clock: SlotsClock;
  readonly #onPhase: (start: PhaseStart) => void;
  /** Replies of the calls waiting for a slot, oldest at `#head`. */
  #waiting: (() => void)[] = [];
  #head = 0;
  #busy = 0;
  #served = 0;
  #phase = -1;
  /** Calls served when the current phase ends. */
  #phaseEnd = 0;

  constructor(phases: readonly DownstreamPhase[], serviceMs: number, clock: SlotsClock, onPhase: (start: PhaseStart) => void) {
    if (phases.length === 0) throw new RangeError('downstream: expected at least one phase');
    for (const { capacity, calls } of phases) {
      if (!(Number.isSafeInteger(capacity) && capacity >= 1)) throw new RangeError(`downstream: expected a capacity from 1 up, got \`${capacity}\``);
      if (!(Number.isSafeInteger(calls) && calls >= 1)) throw new RangeError(`downstream: expected calls from 1 up, got \`${calls}\``);
    }
    if (!(serviceMs >= 0)) throw new RangeError(`downstream: expected a service time from 0 up, got \`${serviceMs}\``);
    this.#phases = phases;
    this.#serviceMs = serviceMs;
    this.#clock = clock;
    this.#onPhase = onPhase;
  }

  /** The capacity now. */
  get capacity(): number {
    return (this.#phases[Math.max(0, this.#phase)] as DownstreamPhase).capacity;
  }

  /** Calls served so far. */
  get served(): number {
    return this.#served;
  }

  /** Calls in service now. */
  get busy(): number {
    return this.#busy;
  }

  /** Calls waiting for a slot now. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** A call arrived; `reply` is called once it has been served. */
  call(reply: () => void): void {
    if (this.#phase === -1) this.#begin(0);
    this.#waiting.push(reply);
    this.#fill();
  }

  #fill(): void {
    while (this.#busy < this.capacity && this.#head < this.#waiting.length) {
      const reply = this.#waiting[this.#head] as () => void;
      this.#head++;
      this.#busy++;
      this.#clock.after(() => this.#done(reply), this.#serviceMs);
    }
    // Drop the served head now and then, not per call (an array shift is O(n)).
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }

  #done(reply: () => void): void {
    this.#busy--;
    this.#served++;
    reply();
    if (this.#served === this.#phaseEnd && this.#phase + 1 < this.#phases.length) this.#begin(this.#phase + 1);
    this.#fill();
  }

  #begin(index: number): void {
    const phase = this.#phases[index] as DownstreamPhase;
    this.#phase = index;
    this.#phaseEnd += phase.calls;
    this.#onPhase({ kind: 'phase', index, capacity: phase.capacity, at: this.#clock.now(), served: this.#served });
  }
}
