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
 * `probeSamples` tries started after it began have come back.
 */
export class AdaptiveConcurrency implements Steer {
  readonly #settings: AdaptiveSettings;
  readonly #controller: GradientController;
  readonly #sources: SignalSources;
  readonly #changed: (change: ConcurrencyChange) => void;
  readonly #clock: () => number;
  readonly #window = new LatencySamples();
  readonly #probe = new LatencySamples();
  #probeFrom = 0;
  #windowFrom = 0;
  #runningSum = 0;
  #steered: Steered | undefined;
  #memory: () => number = () => 0;
  #failed: (error: unknown) => void = () => {};
  #timer: NodeJS.Timeout | undefined;

  /** `random` (the probes' jitter) and `clock` (epoch ms) are for tests. */
  constructor(
    settings: AdaptiveSettings,
    sources: SignalSources,
    changed: (change: ConcurrencyChange) => void,
    { random, clock = now }: { random?: () => number; clock?: () => number } = {},
  ) {
    this.#settings = settings;
    this.#clock = clock;
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
   * no-load latency is known. `bytesInUse` is the highest share of a
   * buffer's byte limit in use; `failed` hears of a `concurrency` listener
   * that threw (the controller's timer must not throw: that would crash
   * the host).
   */
  attach(steered: Steered, bytesInUse: () => number, failed: (error: unknown) => void): void {
    this.detach();
    this.#steered = steered;
    this.#memory = bytesInUse;
    this.#failed = failed;
    const at = this.#clock();
    this.#startWindow(at);
    this.#sources.utilization(); // from now on
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
    if (this.#controller.probing && dispatchedAt >= this.#probeFrom) this.#probe.add(latency);
  }

  #tick(): void {
    const controller = this.#controller;
    const at = this.#clock();
    if (controller.probing) {
      if (this.#probe.size < this.#settings.probeSamples) return;
      this.#apply(controller.probed(this.#probe.median(), at));
      this.#startWindow(at);
      this.#sources.utilization(); // the next window's, without the probe's idle time
      return;
    }
    const samples = this.#window.size;
    if (samples < this.#settings.windowSamples) return;
    if (controller.probeDue(at)) {
      this.#apply(controller.probe(at));
      this.#startProbe(at);
      this.#startWindow(at);
      this.#sources.utilization();
      return;
    }
    const signals: WindowSignals = {
      at,
      latency: this.#window.median(),
      throughput: (samples * 1000) / Math.max(at - this.#windowFrom, 1),
      running: this.#runningSum / samples,
      utilization: this.#sources.utilization(),
      memory: Math.max(this.#memory(), heapInUse()),
    };
    this.#startWindow(at);
    this.#apply(controller.window(signals));
  }

  #startWindow(at: number): void {
    this.#window.clear();
    this.#runningSum = 0;
    this.#windowFrom = at;
  }

  #startProbe(at: number): void {
    this.#probe.clear();
    this.#probeFrom = at;
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

/** The share of the V8 heap limit in use on this thread. */
function heapInUse(): number {
  const { used_heap_size: used, heap_size_limit: limit } = getHeapStatistics();
  return limit > 0 ? used / limit : 0;
}
