import type { AdaptiveSettings } from './adaptive-options.js';

/** What one sample window saw; the controller decides from it alone. */
export interface WindowSignals {
  /** ms, the window's end. */
  readonly at: number;
  /** The median processing latency (dispatch to completion, ms) of the tries that ended in the window. */
  readonly latency: number;
  /** Tries that ended in the window, per second. */
  readonly throughput: number;
  /** Messages at the transport, on average over the window. */
  readonly running: number;
  /** The workers' event-loop utilisation over the window, 0 to 1; undefined where not measured. */
  readonly utilization: number | undefined;
  /** The share of the main thread's V8 heap limit in use, 0 to 1. */
  readonly memory: number;
  /**
   * The highest share in use of the processing or output buffer's byte
   * limit, 0 to 1 (0 without byte limits): the bytes the target puts in
   * flight. Not the input buffer's: its fill is the source's pace.
   */
  readonly bytes: number;
}

/**
 * Why the target moved:
 * - `'probe'`: down to `min` to measure the no-load latency;
 * - `'probed'`: back from a probe, with a new no-load latency;
 * - `'grow'`: the latency stayed within `tolerance` of no-load, so more in flight buys throughput;
 * - `'latency'`: the latency rose past `tolerance` without the throughput to match;
 * - `'memory'`: the heap is nearly full.
 */
export type ConcurrencyReason = 'probe' | 'probed' | 'grow' | 'latency' | 'memory';

/** One change of the in-flight target, as the `concurrency` event reports it. */
export interface ConcurrencyChange {
  readonly from: number;
  readonly to: number;
  readonly reason: ConcurrencyReason;
  /** ms, when it was decided. */
  readonly at: number;
  /** The no-load latency (ms) it was judged against; undefined before the first probe ends. */
  readonly noLoadLatency: number | undefined;
  /** The signals of the window that decided it (undefined for a change a probe's timing made). */
  readonly signals: WindowSignals | undefined;
}

/**
 * The lowest and highest gradient (Envoy's bounds): a window at most halves
 * the target. Since a window faster than the no-load latency lowers it
 * first, the gradient reaches at most `1 + tolerance`: the upper bound
 * binds only with a `tolerance` of 1 or more.
 */
const minGradient = 0.5;
const maxGradient = 2;
/** Windows in a row at `min` after which the no-load latency is measured again (Envoy's rule). */
const windowsAtMinBeforeProbe = 5;
/** ms: latencies below a microsecond count as one (a gradient needs a latency above 0). */
const minLatency = 0.001;
/** How much a window that backs off for memory takes off. */
const memoryBackOff = 0.9;

/**
 * The adaptive in-flight target, after Envoy's gradient controller: the
 * no-load latency `minRtt` is measured at `min` in flight now and then (a
 * probe), and each sample window compares its median latency against it:
 *
 *     gradient = clamp(minRtt * (1 + tolerance) / latency, 0.5, 2)
 *     grow:     limit' = limit * gradient + sqrt(limit)
 *     back off: limit' = limit + smoothing * (max(limit * gradient, throughput * minRtt) - limit)
 *
 * It grows while the latency stays within `tolerance` of no-load, and backs
 * off when it rises past it. The floor of a back-off, `throughput * minRtt`,
 * is by Little's law the number of messages the transform serves at no-load
 * pace: when throughput rose along with the latency, the target does not
 * fall below what is being served. Growth is held while less than half the
 * target is in use (Netflix Gradient2's "app-limited" rule), while the
 * workers' event loops are saturated (`utilizationLimit`) and while the
 * processing or output buffer is near its byte limit (`memoryLimit`: more
 * in flight could only wait for room), and the target backs off while the
 * heap is near its limit (`memoryLimit`).
 *
 * Pure: it sees only the windows it is given and `random` (the probe's
 * jitter), so a latency trace can be replayed against it.
 */
export class GradientController {
  readonly #settings: AdaptiveSettings;
  readonly #random: () => number;
  /** The target as a real number; the target is its rounding. */
  #limit: number;
  #target: number;
  #minRtt: number | undefined;
  /** While probing: the limit to go back to. */
  #resumeAt: number | undefined;
  #nextProbeAt = Number.POSITIVE_INFINITY;
  #windowsAtMin = 0;

  constructor(settings: AdaptiveSettings, random: () => number = Math.random) {
    this.#settings = settings;
    this.#random = random;
    this.#limit = settings.initial;
    this.#target = settings.initial;
  }

  /** The target now: an integer within `[min, max]`. */
  get target(): number {
    return this.#target;
  }

  /** The no-load latency (ms), once a probe measured it. */
  get noLoadLatency(): number | undefined {
    return this.#minRtt;
  }

  /** Whether a probe is under way: the tries started since it began measure the no-load latency. */
  get probing(): boolean {
    return this.#resumeAt !== undefined;
  }

  /** Start measuring the no-load latency: the target drops to `min` until {@link probed}. */
  probe(at: number): ConcurrencyChange | undefined {
    this.#resumeAt ??= this.#limit;
    this.#windowsAtMin = 0;
    return this.#moveTo(this.#settings.min, 'probe', at, undefined);
  }

  /** A probe measured `latency` (ms, the median of its tries): the no-load latency from now on; back to the target before it. */
  probed(latency: number, at: number): ConcurrencyChange | undefined {
    const resumeAt = this.#resumeAt ?? this.#limit;
    this.#resumeAt = undefined;
    if (Number.isFinite(latency) && latency >= 0) this.#minRtt = Math.max(latency, minLatency);
    const { probeInterval } = this.#settings;
    this.#nextProbeAt = at + probeInterval * (0.9 + 0.2 * this.#random());
    return this.#moveTo(resumeAt, 'probed', at, undefined);
  }

  /** Whether a probe is due at `at`: its interval passed, or the target sat at `min` for 5 windows. */
  probeDue(at: number): boolean {
    return !this.probing && (at >= this.#nextProbeAt || this.#windowsAtMin >= windowsAtMinBeforeProbe);
  }

  /** A sample window ended (outside a probe): the target it calls for. */
  window(signals: WindowSignals): ConcurrencyChange | undefined {
    if (this.probing) return undefined;
    const { tolerance, smoothing, utilizationLimit, memoryLimit, min } = this.#settings;
    const limit = this.#limit;
    if (!(signals.latency >= 0) || !Number.isFinite(signals.latency)) return undefined;
    const latency = Math.max(signals.latency, minLatency);
    const minRtt = Math.min(this.#minRtt ?? latency, latency);
    this.#minRtt = minRtt;
    this.#windowsAtMin = this.#target === min ? this.#windowsAtMin + 1 : 0;
    if (signals.memory >= memoryLimit) return this.#moveTo(limit * memoryBackOff, 'memory', signals.at, signals);
    const gradient = clamp((minRtt * (1 + tolerance)) / latency, minGradient, maxGradient);
    if (gradient < 1) {
      const served = (finiteOrZero(signals.throughput) * minRtt) / 1000;
      const floor = Math.max(limit * gradient, served);
      if (floor >= limit) return undefined; // the throughput rose with the latency
      return this.#moveTo(limit + smoothing * (floor - limit), 'latency', signals.at, signals);
    }
    const appLimited = !(finiteOrZero(signals.running) >= limit / 2);
    const saturated = signals.utilization !== undefined && signals.utilization >= utilizationLimit;
    if (appLimited || saturated || signals.bytes >= memoryLimit) return undefined;
    return this.#moveTo(limit * gradient + Math.sqrt(limit), 'grow', signals.at, signals);
  }

  #moveTo(limit: number, reason: ConcurrencyReason, at: number, signals: WindowSignals | undefined): ConcurrencyChange | undefined {
    const { min, max } = this.#settings;
    // The probe sits at `min` without moving the limit it goes back to.
    if (reason !== 'probe') this.#limit = clamp(limit, min, max);
    const target = reason === 'probe' ? min : clamp(Math.round(this.#limit), min, max);
    const from = this.#target;
    if (target === from) return undefined;
    this.#target = target;
    return { from, to: target, reason, at, noLoadLatency: this.#minRtt, signals };
  }
}

/** A signal that is not a finite number from 0 counts as 0. */
function finiteOrZero(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
