/**
 * `concurrency: { min, max, … }`: the adaptive controller's options. It
 * follows Envoy's gradient controller (a no-load latency measured now and
 * then at a low target, against the latency of each sample window), with
 * guards from the other signals; see `gradient-controller.ts` and the
 * README's "Adaptive concurrency" for the formula and why.
 */
export interface AdaptiveConcurrencyOptions {
  /** The lowest target, from 1. */
  min: number;
  /** The highest target, at least `min`, at most 1000000. Slots and buffers are sized for it. */
  max: number;
  /** The target after the first probe (a run starts with one, at `min`). @default threads * 4, within [min, max] */
  initial?: number;
  /** ms per sample window: the target moves at most once a window. @default 100 */
  window?: number;
  /** Tries a window needs before it counts: a window with fewer waits for more. @default 10 */
  windowSamples?: number;
  /**
   * How far (a fraction) the window's median latency may exceed the no-load
   * latency before the target backs off: Envoy's `buffer`. @default 0.25
   */
  tolerance?: number;
  /**
   * ms between re-probes of the no-load latency (±10% jitter): for a moment
   * the target drops to `min` and the latency of the tries started then is
   * the new no-load latency. A probe also comes after 5 windows in a row at
   * `min`. @default 30000
   */
  probeInterval?: number;
  /**
   * Tries a probe measures; it ends with the last of them, or after 10
   * windows (3 no-load latencies, if longer) with what it has (with none,
   * the no-load latency stays as it was). @default 20
   */
  probeSamples?: number;
  /** How much of a decrease takes effect per window, 0 (none) to 1 (all): damps oscillation. @default 0.5 */
  smoothing?: number;
  /**
   * The workers' event-loop utilisation (above 0, up to 1) from which more
   * in flight cannot buy throughput: the target does not grow past it. @default 0.9
   */
  utilizationLimit?: number;
  /**
   * The share (above 0, up to 1) of the V8 heap limit in use from which the
   * target backs off, and of the processing or output buffer's byte limit
   * from which it does not grow. @default 0.9
   */
  memoryLimit?: number;
}

/** {@link AdaptiveConcurrencyOptions} with every default filled in. */
export type AdaptiveSettings = Readonly<Required<AdaptiveConcurrencyOptions>>;

/** The fixed defaults of {@link AdaptiveConcurrencyOptions} (`initial` follows from `threads`). */
export const adaptiveDefaults = {
  window: 100,
  windowSamples: 10,
  tolerance: 0.25,
  probeInterval: 30_000,
  probeSamples: 20,
  smoothing: 0.5,
  utilizationLimit: 0.9,
  memoryLimit: 0.9,
} as const;

/** The options as checked (a field may be given as undefined). */
export type GivenAdaptive = { readonly [K in keyof AdaptiveConcurrencyOptions]?: AdaptiveConcurrencyOptions[K] | undefined } & { readonly min: number; readonly max: number };

/** Fill in the defaults; `fallback` is the starting target when `initial` is left out. */
export function adaptiveSettings(options: GivenAdaptive, fallback: number): AdaptiveSettings {
  const { min, max } = options;
  return {
    ...adaptiveDefaults,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    min,
    max,
    initial: options.initial ?? Math.min(max, Math.max(min, fallback)),
  };
}
