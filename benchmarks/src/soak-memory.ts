/** RSS and heapUsed, bytes. */
export interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
}

/**
 * Peak RSS and heapUsed, sampled on demand (e.g. every so many outputs) and
 * by an unref'd 100 ms timer, so a peak between two on-demand samples (while
 * the consumer waits) is seen too.
 */
export class MemoryMeter {
  readonly peak = { rss: 0, heapUsed: 0 };
  samples = 0;
  readonly #timer: NodeJS.Timeout;

  constructor() {
    this.#timer = setInterval(() => this.sample(), 100).unref();
  }

  sample(): Memory {
    const { rss, heapUsed } = process.memoryUsage();
    this.samples++;
    if (rss > this.peak.rss) this.peak.rss = rss;
    if (heapUsed > this.peak.heapUsed) this.peak.heapUsed = heapUsed;
    return { rss, heapUsed };
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
