/** One look at a run. */
export interface RunSample {
  /** `performance.now()` when taken. */
  readonly at: number;
  /** Messages back so far. */
  readonly done: number;
  /** Messages back per second over the meter's window (0 until two samples span some time). */
  readonly throughput: number;
  /** Messages read and not yet acked. */
  readonly inFlight: number;
  /** Messages at the workers. */
  readonly processing: number;
  /** The concurrency target. */
  readonly concurrency: number;
  /** `Date.now()` − the output watermark, in ms; undefined before the first watermark. */
  readonly lagMs: number | undefined;
}

/**
 * The samples a live page charts: the last `keep` of them, and the
 * throughput over the last `windowMs` (the messages back between the oldest
 * sample in the window and now, over the time between them), so a stall
 * shows within the window instead of being averaged over the whole run.
 */
export class RunMeter {
  readonly #windowMs: number;
  readonly #keep: number;
  readonly #samples: RunSample[] = [];

  constructor(windowMs = 2000, keep = 240) {
    this.#windowMs = windowMs;
    this.#keep = keep;
  }

  get samples(): readonly RunSample[] {
    return this.#samples;
  }

  get last(): RunSample | undefined {
    return this.#samples.at(-1);
  }

  /** Record a look at `at`, computing its throughput from the samples before it. */
  add(look: Omit<RunSample, 'throughput'>): RunSample {
    const from = this.#samples.find((sample) => sample.at >= look.at - this.#windowMs) ?? this.#samples.at(-1);
    const seconds = from === undefined ? 0 : (look.at - from.at) / 1000;
    const throughput = from === undefined || seconds <= 0 ? (this.last?.throughput ?? 0) : (look.done - from.done) / seconds;
    const sample = { ...look, throughput };
    this.#samples.push(sample);
    if (this.#samples.length > this.#keep) this.#samples.shift();
    return sample;
  }
}
