// cli-progress is CommonJS whose exports Node cannot name statically: default import.
import cliProgress from 'cli-progress';
import type { Options, Params, SingleBar } from 'cli-progress';
import type { Engine } from '../engine.js';
import { describe, parts } from './progress-line.js';
import type { Figures } from './progress-line.js';

/** What the progress display reads from a running engine (an {@link Engine} is one). */
export type ProgressSource = Pick<Engine, 'stats' | 'inFlight' | 'processing' | 'watermark' | 'concurrency'>;

/** The input file of a run, when there is one: progress by its bytes done. */
export interface ProgressInput {
  /** Bytes in the file. */
  readonly size: number;
  /**
   * Bytes of it done so far: every line before that position acked, not
   * merely read (the engine reads ahead of what it has done).
   */
  bytesDone(): number;
  /**
   * Where a resumed run (`--from`) starts: its first line, and the byte that
   * line starts at once the lines before it have been skipped (undefined
   * until then). Progress is then of the bytes from there to the end, and
   * its rate of the bytes this run did: the skipped ones are not done by it.
   */
  readonly from?: { readonly line: number; byte(): number | undefined };
}

/** Options of a {@link Progress}. */
export interface ProgressOptions {
  /** Messages expected, when known: a bar and an ETA. */
  readonly total?: number;
  /** The input file, when known: a bar and an ETA by its bytes done (unless `total` is given). */
  readonly input?: ProgressInput;
  /** First on each line, e.g. the demo's mode. @default 'tidemark' (on plain lines only) */
  readonly label?: string;
  /** Show nothing at all. */
  readonly quiet?: boolean;
  /** A redrawn bar; plain lines when false. @default `stream.isTTY` (and not TERM=dumb) */
  readonly interactive?: boolean;
  /** @default process.stderr */
  readonly stream?: NodeJS.WriteStream;
}

const tick = 250; // ms between samples: a few a second, never per message
const plainEvery = 1000; // ms between plain lines
const window = 8; // samples the running rate is taken over (2 s)

/**
 * Live progress of an engine run on stderr: acked messages, their rate, in
 * flight against the concurrency target, the watermark lag and, when the
 * total or the input size is known, a bar and an ETA. Both measure what is
 * done (messages acked, or the input's bytes up to which every line is
 * acked), never what was read ahead of it. On a terminal a bar
 * redrawn a few times a second; elsewhere a plain line every second. Nothing
 * is shown for a run shorter than the first sample (or line), so short runs
 * print nothing but their own summary.
 *
 * @example
 * const progress = new Progress(engine, { total: 3200 }).start();
 * try { for await (const record of engine.process(source)) use(record); } finally { progress.stop(); }
 */
export class Progress {
  readonly #source: ProgressSource;
  readonly #total: number | undefined;
  readonly #input: ProgressInput | undefined;
  readonly #label: string;
  readonly #labelled: boolean;
  readonly #quiet: boolean;
  readonly #interactive: boolean;
  readonly #stream: NodeJS.WriteStream;
  // The last `window` samples (time, acked, bytes done), a ring indexed by #samples.
  readonly #times = new Float64Array(window);
  readonly #acks = new Float64Array(window);
  readonly #bytes = new Float64Array(window);
  #samples = 0;
  #started = 0;
  #lastLine = 0;
  #timer: NodeJS.Timeout | undefined;
  #bar: SingleBar | undefined;
  #figures: Figures | undefined;
  #shown = false;
  #stopped = false;

  constructor(source: ProgressSource, options: ProgressOptions = {}) {
    this.#source = source;
    this.#total = options.total;
    this.#input = options.input !== undefined && options.input.size > 0 ? options.input : undefined;
    this.#label = options.label ?? 'tidemark';
    this.#labelled = options.label !== undefined;
    this.#quiet = options.quiet === true;
    this.#stream = options.stream ?? process.stderr;
    this.#interactive = options.interactive ?? (this.#stream.isTTY === true && process.env['TERM'] !== 'dumb');
  }

  /** Start sampling. Returns `this`. */
  start(): this {
    if (this.#quiet || this.#timer !== undefined || this.#stopped) return this;
    this.#started = this.#lastLine = performance.now();
    // From zero: the engine may still show the counters of its previous run.
    this.#times[0] = this.#started;
    this.#samples = 1;
    // unref: the display never keeps the process alive.
    this.#timer = setInterval(() => this.#tick(), tick).unref();
    return this;
  }

  /**
   * Stop sampling and leave a final line, if anything was shown: `done in`
   * the run's time, or with `stopped` (the run stopped before the end of its
   * input: a signal, a closed output) `stopped after` it. Idempotent.
   */
  stop(how: 'done' | 'stopped' = 'done'): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    if (!this.#shown) return;
    this.#figures = this.#measure(performance.now(), how);
    if (this.#bar === undefined) this.#writeLine();
    else this.#bar.stop(); // draws the final figures and moves to the next line
  }

  #tick(): void {
    const now = performance.now();
    this.#figures = this.#measure(now, false);
    this.#sample(now);
    if (this.#interactive) {
      this.#bar ??= this.#startBar();
      this.#bar.update(this.#figures.acked);
      this.#shown = true;
    } else if (now - this.#lastLine >= plainEvery - tick / 2) {
      this.#lastLine = now;
      this.#writeLine();
      this.#shown = true;
    }
  }

  #sample(now: number): void {
    const slot = this.#samples++ % window;
    this.#times[slot] = now;
    this.#acks[slot] = this.#source.stats?.acked ?? 0;
    this.#bytes[slot] = this.#bytesDone();
  }

  /** Where this run's share of the input starts: 0, or the `--from` line's byte (undefined until the source has skipped to it). */
  #start(): number | undefined {
    return this.#input?.from === undefined ? 0 : this.#input.from.byte();
  }

  /** The input's bytes done by this run. */
  #bytesDone(): number {
    const start = this.#start();
    return this.#input === undefined || start === undefined ? 0 : Math.max(0, this.#input.bytesDone() - start);
  }

  #measure(now: number, final: Figures['final']): Figures {
    const acked = this.#source.stats?.acked ?? 0;
    const bytes = this.#bytesDone();
    const oldest = this.#samples < window ? 0 : this.#samples % window;
    const span = final !== false ? now - this.#started : now - (this.#times[oldest] ?? now);
    const perMs = (count: number, ring: Float64Array) => (span > 0 ? (count - (final !== false ? 0 : (ring[oldest] ?? 0))) / span : 0);
    const rate = perMs(acked, this.#acks) * 1000;
    let done: number | undefined;
    let eta: number | undefined;
    if (this.#total !== undefined) {
      done = this.#total > 0 ? acked / this.#total : 1;
      if (rate > 0) eta = ((this.#total - acked) / rate) * 1000;
    } else if (this.#input !== undefined) {
      const start = this.#start();
      const size = this.#input.size - (start ?? 0);
      if (start !== undefined) done = size > 0 ? bytes / size : 1;
      const byteRate = perMs(bytes, this.#bytes);
      if (byteRate > 0) eta = (size - bytes) / byteRate;
    }
    const watermark = this.#source.watermark;
    return {
      acked,
      rate,
      inFlight: this.#source.inFlight,
      processing: this.#source.processing,
      target: this.#source.concurrency,
      lag: Number.isFinite(watermark) ? Math.max(0, Date.now() - watermark) : undefined,
      done: done === undefined ? undefined : Math.min(Math.max(done, 0), 1),
      eta: eta === undefined ? undefined : Math.max(eta, 0),
      elapsed: now - this.#started,
      final,
    };
  }

  #startBar(): SingleBar {
    const options: Options = {
      stream: this.#stream,
      fps: 1000 / tick,
      barsize: 12,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      // Trim to the terminal width instead of turning off the terminal's line
      // wrapping, which an interrupted run would leave off.
      linewrap: true,
      hideCursor: false,
      gracefulExit: false, // a SIGINT listener would keep Ctrl-C from ending the run
      format: (format: Options, params: Params) => this.#barLine(format, params.maxWidth),
    };
    const bar = new cliProgress.SingleBar(options);
    bar.start(this.#total ?? 0, this.#figures?.acked ?? 0);
    return bar;
  }

  #barLine(format: Options, width: number): string {
    const figures = this.#figures;
    if (figures === undefined) return this.#label;
    const head = [
      ...(this.#labelled ? [this.#label] : []),
      ...(figures.done === undefined ? [] : [cliProgress.Format.BarFormat(figures.done, format)]),
      ...describe(figures, this.#total, this.#input, true),
    ].join(' ');
    // The rest by importance: what does not fit the terminal is left off, not cut.
    let line = head;
    for (const part of parts(figures)) {
      if (line.length + 3 + part.length > width - 1) break;
      line += ` · ${part}`;
    }
    return line;
  }

  #writeLine(): void {
    if (this.#figures === undefined) return;
    const line = [...describe(this.#figures, this.#total, this.#input, false), ...parts(this.#figures)].join(', ');
    this.#stream.write(`${this.#label}: ${line}\n`);
  }
}
