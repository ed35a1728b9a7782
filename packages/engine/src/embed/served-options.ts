import { availableParallelism } from 'node:os';
import { InvalidOptionError, TidemarkError } from '../errors.js';

// What a host confined to a transforms folder (`tidemark serve --transforms`,
// `exposeEngine(endpoint, { transforms })`) may ask of the engines it opens.
// Naming modules inside the folder is not enough: an option that reaches the
// worker threads' command line runs any code, and one that opens a listener
// opens it on the serving machine. So a confined host gets an allowlist, and
// what it reserves before reading anything (threads, ring memory, engines)
// is bounded by the serving machine. A host the far side trusts (an engine
// in a worker it spawned) keeps every option.

/**
 * The options an engine served to a confined host takes: those that shape
 * how the server's own transform runs. Anything else is refused, so an
 * option added to the engine later is refused here until it is judged safe.
 */
export const SERVED_OPTIONS: ReadonlySet<string> = new Set([
  'transform',
  'threads',
  'concurrency',
  'tasksPerThread',
  'lookahead',
  'mode',
  'batchSize',
  'ordering',
  'watermark',
  'retry',
  'timeout',
  'loadTimeout',
  'resourceLimits',
  'transport',
  'ringBytes',
  'buffers',
]);

/** Why the options a confined host may not give are refused. */
const REFUSED: Readonly<Record<string, string>> = {
  execArgv: "the worker threads' execArgv, such as --import or --inspect, runs any code or opens a port on the serving side",
  metrics: "metrics open a listener (`port`) or register on the serving process's own prom-client registry",
};

/** Engines one confined connection may have open at once. */
export const MAX_SERVED_ENGINES = 8;

/**
 * `ringBytes` of a served engine at most: 16 MiB. Rings are allocated when
 * the engine starts; a record too large for a ring goes by `postMessage`,
 * so a larger ring is only faster, while the engine's own bound (half the
 * machine's memory per engine) would let one host take the server's memory.
 */
export const MAX_SERVED_RING_BYTES = 2 ** 24;

/**
 * Refuse what a confined host may not ask for: an option outside
 * {@link SERVED_OPTIONS}, `threads` above this machine's cores, `ringBytes`
 * above {@link MAX_SERVED_RING_BYTES}. An option given as `undefined` is
 * left out. The engine checks the rest as it does in-process.
 *
 * @throws {InvalidOptionError} naming the option.
 */
export function checkServedOptions(options: Readonly<Record<string, unknown>>): void {
  for (const option of Object.keys(options)) {
    if (SERVED_OPTIONS.has(option) || options[option] === undefined) continue;
    const why = REFUSED[option] ?? `it is not one of the options a served engine takes (${[...SERVED_OPTIONS].join(', ')})`;
    throw new InvalidOptionError(option, `left out: it is not allowed for an engine served to a remote host (${why})`, options[option]);
  }
  const threads = options.threads;
  const cores = availableParallelism();
  if (typeof threads === 'number' && threads > cores) {
    throw new InvalidOptionError(
      'threads',
      `an integer from 1 to ${cores} for an engine served to a remote host (the serving machine's cores: one worker thread each at most)`,
      threads,
    );
  }
  const ringBytes = options.ringBytes;
  if (typeof ringBytes === 'number' && ringBytes > MAX_SERVED_RING_BYTES) {
    throw new InvalidOptionError(
      'ringBytes',
      `a power of two from 4096 to 2^24 (16 MiB) for an engine served to a remote host (a larger record goes by postMessage; rings are the serving side's memory)`,
      ringBytes,
    );
  }
}

/** @throws {TidemarkError} when a confined connection already has {@link MAX_SERVED_ENGINES} engines open. */
export function checkServedEngineCount(open: number): void {
  if (open >= MAX_SERVED_ENGINES) {
    throw new TidemarkError(
      `this connection already has ${open} engines open, the most an engine served to a remote host allows (${MAX_SERVED_ENGINES}): close one first`,
    );
  }
}
