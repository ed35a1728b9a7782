import { getHeapStatistics } from 'node:v8';
import { now } from '@tidemark/workers';
import type { Steer } from '../dispatch/dispatcher.js';
import type { AdaptiveSettings } from './adaptive-options.js';
import { GradientController } from './gradient-controller.js';
import type { ConcurrencyChange, WindowSignals } from './gradient-controller.js';
import { LatencySamples } from './latency-samples.js';

/** What the controller steers: the run's dispatcher. */
export interface Steered {
  concurrency: number;
}

/** Where the signals other than latency come from. */
export interface SignalSources {
  /** The workers' event-loop utilisation since the last call, 0 to 1; undefined where not measured. */
  utilization(): number | undefined;
}

/**
 * The adaptive controller at work: an engine's one {@link GradientController}
 * (what it learned outlives a run), fed the latency of every try of the
 * run it is attached to, and asked once a sample window for the target,
 * which goes straight into the run's fastq `concurrency`. A window lasts
 * `window` ms and at least `windowSamples` tries; a probe lasts until
 * `probeSamples` tries started after it began have come back, or at most
 * 10 windows (3 no-load latencies, if longer), whatever it got by then.
 */
export class AdaptiveConcurrency implements Steer {
  readonly #settings: AdaptiveSettings;
  readonly #controller: GradientController;
  readonly #sources: SignalSources;
  readonly #changed: (change: ConcurrencyChange) => void;
  readonly #clock: () => number;
  readonly #heap: () => number;
  readonly #window = new LatencySamples();
  readonly #probe = new LatencySamples();
  #probeFrom = 0;
  /** When the probe under way ends, samples or not. */
  #probeUntil = 0;
  #windowFrom = 0;
  #runningSum = 0;
  #steered: Steered | undefined;
  #bytes: () => number = () => 0;
  #failed: (error: unknown) => void = () => {};
  #timer: NodeJS.Timeout | undefined;

  /** `random` (the probes' jitter), `clock` (epoch ms) and `heap` (the heap limit's share in use) are for tests. */
  constructor(
    settings: AdaptiveSettings,
    sources: SignalSources,
    changed: (change: ConcurrencyChange) => void,
    { random, clock = now, heap = heapInUse }: { random?: () => number; clock?: () => number; heap?: () => number } = {},
  ) {
    this.#settings = settings;
    this.#clock = clock;
    this.#heap = heap;
    this.#controller = new GradientController(settings, random);
    this.#sources = sources;
    this.#changed = changed;
  }

  /** The in-flight target now. */
  get target(): number {
    return this.#controller.target;
  }

  /**
   * Steer `steered` from now on (a run started): windows begin, and the
   * first run begins with a probe, since nothing can be judged before the
   * no-load latency is known. `bytesInUse` is the highest share of the
   * processing or output buffer's byte limit in use; `failed` hears of a `concurrency` listener
   * that threw (the controller's timer must not throw: that would crash
   * the host).
   */
  attach(steered: Steered, bytesInUse: () => number, failed: (error: unknown) => void): void {
    this.detach();
    this.#steered = steered;
    this.#bytes = bytesInUse;
    this.#failed = failed;
    const at = this.#clock();
    this.#freshWindow(at);
    if (this.#controller.noLoadLatency === undefined && !this.#controller.probing) this.#apply(this.#controller.probe(at));
    if (this.#controller.probing) this.#startProbe(at);
    steered.concurrency = this.target;
    this.#timer = setInterval(() => this.#tick(), this.#settings.window);
    this.#timer.unref();
  }

  /** Stop steering (the run ended). */
  detach(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#steered = undefined;
  }

  tried(latency: number, dispatchedAt: number, running: number): void {
    this.#window.add(latency);
    this.#runningSum += running;
    if (!this.#controller.probing || dispatchedAt < this.#probeFrom) return;
    this.#probe.add(latency);
    // The probe ends with its last sample, not at the next tick; after the completion that brought it.
    if (this.#probe.size === this.#settings.probeSamples) queueMicrotask(() => this.#endProbe(this.#clock()));
  }

  #tick(): void {
    const controller = this.#controller;
    const at = this.#clock();
    if (controller.probing) {
      // A probe that cannot get its samples (tries that hang hold the slots, a slow transform) ends at its deadline.
      if (at >= this.#probeUntil) this.#endProbe(at);
      return;
    }
    const samples = this.#window.size;
    if (samples < this.#settings.windowSamples) return;
    if (controller.probeDue(at)) {
      this.#apply(controller.probe(at));
      this.#startProbe(at);
      this.#freshWindow(at);
      return;
    }
    const signals: WindowSignals = {
      at,
      latency: this.#window.median(),
      throughput: (samples * 1000) / Math.max(at - this.#windowFrom, 1),
      running: this.#runningSum / samples,
      utilization: this.#sources.utilization(),
      memory: this.#heap(),
      bytes: this.#bytes(),
    };
    this.#startWindow(at);
    this.#apply(controller.window(signals));
  }

  #startWindow(at: number): void {
    this.#window.clear();
    this.#runningSum = 0;
    this.#windowFrom = at;
  }

  /** A window from `at` whose utilisation counts from `at` too (not through a probe's idle time, or between runs). */
  #freshWindow(at: number): void {
    this.#startWindow(at);
    this.#sources.utilization();
  }

  #startProbe(at: number): void {
    this.#probe.clear();
    this.#probeFrom = at;
    const noLoad = this.#controller.noLoadLatency ?? 0;
    this.#probeUntil = at + Math.max(probeWindows * this.#settings.window, probeLatencies * noLoad);
  }

  /** The probe is over: its samples' median is the no-load latency (none: the old one stays); back to the target before it. */
  #endProbe(at: number): void {
    if (!this.#controller.probing || this.#steered === undefined) return;
    this.#apply(this.#controller.probed(this.#probe.size > 0 ? this.#probe.median() : Number.NaN, at));
    this.#freshWindow(at);
  }

  #apply(change: ConcurrencyChange | undefined): void {
    if (change === undefined) return;
    if (this.#steered !== undefined) this.#steered.concurrency = change.to;
    try {
      this.#changed(change);
    } catch (error) {
      this.#failed(error);
    }
  }
}

/** A probe lasts at most this many windows, or this many no-load latencies if that is longer. */
const probeWindows = 10;
const probeLatencies = 3;

/** The share of the V8 heap limit in use on this thread. */
function heapInUse(): number {
  const { used_heap_size: used, heap_size_limit: limit } = getHeapStatistics();
  return limit > 0 ? used / limit : 0;
}
