// The contenders of the gzip benchmark, driven the same way: a fresh pool of `threads`
// workers, a warm-up pass over the first files, then one timed pass over the corpus with
// `concurrency` files in flight. The engine gets the corpus as one `process()` source; the
// peer pools get `concurrency` lanes, each awaiting `run(bytes)` and then taking the next
// file (a shared index). Every compressed length is checked against the main thread's own.
import { performance } from 'node:perf_hooks';
import { Engine } from '@tidemark/engine';
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import { closedLoop } from './overhead-loop.js';

const gzipUrl = new URL('./workers/gzip.js', import.meta.url);

/**
 * The pools compared, in the order of the first run (the order alternates from run to run):
 * the engine with its defaults, the engine with `lookahead` (each worker holds the next
 * message while it runs one: the setting for CPU-bound transforms), and the peer pools.
 */
export const contenders = ['engine', 'engine lookahead', 'tinypool', 'piscina'] as const;
export type Contender = (typeof contenders)[number];

/** Files every contender compresses before the clock starts (worker start-up, the JIT, zlib's tables): the first of the corpus. */
export const warmupFiles = 400;

/** What one timed run is given. `expected[i]` is the gzip -9 length of `files[i]`. */
export interface GzipRunOptions {
  readonly files: readonly Uint8Array[];
  readonly expected: readonly number[];
  readonly concurrency: number;
  readonly threads: number;
}

/** One timed run's figures. */
export interface GzipRun {
  readonly contender: Contender;
  /** What the pool really ran with, read back from it. */
  readonly settings: string;
  readonly concurrency: number;
  readonly files: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly filesPerSecond: number;
  readonly megabytesPerSecond: number;
}

/** A pool while it runs: its settings as it reports them, and one timed pass. */
interface Opened {
  readonly settings: string;
  pass(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Runs `contender` once: opens its pool, warms it up, times one pass over every file, closes it. */
export async function gzipRun(contender: Contender, options: GzipRunOptions): Promise<GzipRun> {
  const pool = open[contender](options);
  try {
    await pool.pass(Math.min(warmupFiles, options.files.length));
    const start = performance.now();
    await pool.pass(options.files.length);
    const seconds = (performance.now() - start) / 1e3;
    const bytes = options.files.reduce((sum, f) => sum + f.byteLength, 0);
    const files = options.files.length;
    return {
      contender,
      settings: pool.settings,
      concurrency: options.concurrency,
      files,
      bytes,
      seconds,
      filesPerSecond: files / seconds,
      megabytesPerSecond: bytes / seconds / 1e6,
    };
  } finally {
    await pool.close();
  }
}

/** A check of one reply: throws unless `length` is the expected compressed length of file `index`. */
function checker(name: string, expected: readonly number[]): (index: number, length: unknown) => void {
  return (index, length) => {
    if (length !== expected[index]) throw new Error(`${name}: file ${index} compressed to ${String(length)} bytes, expected ${expected[index]}`);
  };
}

const open: Record<Contender, (options: GzipRunOptions) => Opened> = {
  engine: (options) => engineContender(options, false),
  'engine lookahead': (options) => engineContender(options, true),
  tinypool({ files, expected, concurrency, threads }) {
    const pool = new Tinypool({
      filename: gzipUrl.href,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: Math.ceil(concurrency / threads),
    });
    const { concurrentTasksPerWorker, useAtomics } = pool.options;
    return {
      settings: `threads ${threads}, ${concurrency} lanes, concurrentTasksPerWorker ${concurrentTasksPerWorker}, useAtomics ${useAtomics}`,
      pass: lanes('tinypool', files, expected, concurrency, (bytes) => pool.run(bytes) as Promise<unknown>),
      close: () => pool.destroy(),
    };
  },
  piscina({ files, expected, concurrency, threads }) {
    const pool = new Piscina<Uint8Array, number>({
      filename: gzipUrl.href,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: Math.ceil(concurrency / threads),
    });
    const { concurrentTasksPerWorker, atomics } = pool.options;
    return {
      settings: `threads ${threads}, ${concurrency} lanes, concurrentTasksPerWorker ${concurrentTasksPerWorker}, atomics ${atomics}`,
      pass: lanes('piscina', files, expected, concurrency, (bytes) => pool.run(bytes)),
      close: () => pool.close(),
    };
  },
};

/** The engine over the corpus as one `process()` source, with `lookahead` as given. */
function engineContender({ files, expected, concurrency, threads }: GzipRunOptions, lookahead: boolean): Opened {
  const engine = new Engine({ transform: gzipUrl, threads, concurrency, transport: 'ring', lookahead, retry: { attempts: 1 } });
  const check = checker('engine', expected);
  const { tasksPerThread, transport } = engine.options;
  return {
    settings: `threads ${threads}, concurrency ${concurrency}, tasksPerThread ${tasksPerThread}, transport ${transport}, lookahead ${lookahead}`,
    async pass(count) {
      const source = function* () {
        for (let i = 0; i < count; i++) yield { value: files[i], offset: i };
      };
      let outputs = 0;
      for await (const record of engine.process(source())) {
        if (record.kind !== 'output') throw new Error(`engine: file ${record.offset} failed: ${record.error.message}`);
        check(record.offset, record.value);
        outputs++;
      }
      if (outputs !== count) throw new Error(`engine: ${outputs} outputs for ${count} files`);
    },
    close: () => engine.close(),
  };
}

/** A pass of `concurrency` lanes over files 0..count-1, each reply checked. */
function lanes(
  name: string,
  files: readonly Uint8Array[],
  expected: readonly number[],
  concurrency: number,
  run: (bytes: Uint8Array) => Promise<unknown>,
): (count: number) => Promise<void> {
  const check = checker(name, expected);
  return async (count) => {
    const replies = await closedLoop(count, concurrency, async (index) => {
      const length = await run(files[index] as Uint8Array);
      check(index, length);
      return 1;
    });
    if (replies !== count) throw new Error(`${name}: ${replies} replies for ${count} files`);
  };
}
