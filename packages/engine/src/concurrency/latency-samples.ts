/** Samples a window keeps at most for its median: the latest ones. */
const kept = 4096;

/**
 * The latencies of one sample window, for their median: the latest 4,096
 * of them, in a typed array reused window after window, so a busy window
 * costs one store per try, nothing to collect, and a bounded sort.
 */
export class LatencySamples {
  readonly #values = new Float64Array(kept);
  #count = 0;

  /** Samples added since the last clear (all of them, kept or not). */
  get size(): number {
    return this.#count;
  }

  add(latency: number): void {
    if (!Number.isFinite(latency) || latency < 0) return;
    this.#values[this.#count++ % kept] = latency;
  }

  clear(): void {
    this.#count = 0;
  }

  /** The median of the kept samples (NaN with none): the upper one of an even count. */
  median(): number {
    const size = Math.min(this.#count, kept);
    if (size === 0) return Number.NaN;
    const sorted = this.#values.slice(0, size).sort();
    return sorted[size >> 1] as number;
  }
}
