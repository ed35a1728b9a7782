import type { InvalidOptionError } from '../../errors.js';
import type { EngineOptions } from '../../options/options.js';
import { reworded } from '../flag-names.js';
import type { FlagName } from '../flag-names.js';
import type { RunCommandOptions } from './run-options.js';

/** A `tidemark run` flag that sets an engine option. */
export interface EngineFlag extends FlagName {
  /** Its key in {@link RunCommandOptions} (commander's camel case of the flag). */
  readonly option: keyof RunCommandOptions;
  /** The engine's value from the flag's, when they differ. */
  readonly convert?: (value: unknown) => unknown;
}

/**
 * The one table from `tidemark run`'s flags to the engine options they set:
 * the engine options are built from it ({@link engineOptions}), and the
 * engine's errors about them are reported under the flag
 * (`withFlagNames` in ../flag-names.ts). The engine checks every value; the flags' own
 * parsers only turn text into numbers.
 */
export const engineFlags: readonly EngineFlag[] = [
  { flag: '--transform', option: 'transform', path: 'transform' },
  { flag: '--reduce', option: 'reduce', path: 'reduce' },
  { flag: '--window', option: 'window', path: 'window' },
  { flag: '--allowed-lateness', option: 'allowedLateness', path: 'allowedLateness' },
  { flag: '--threads', option: 'threads', path: 'threads' },
  { flag: '--concurrency', option: 'concurrency', path: 'concurrency' },
  { flag: '--mode', option: 'mode', path: 'mode' },
  { flag: '--batch-size', option: 'batchSize', path: 'batchSize' },
  // A switch: always given, so that the engine says what it does either way.
  { flag: '--ordered', option: 'ordered', path: 'ordering', convert: (on) => (on === true ? 'ordered' : 'unordered') },
  // After --ordered, which it conflicts with: when given, it says the ordering.
  { flag: '--ordering', option: 'ordering', path: 'ordering' },
  { flag: '--attempts', option: 'attempts', path: 'retry.attempts' },
  { flag: '--retry-initial', option: 'retryInitial', path: 'retry.backoff.initial' },
  { flag: '--retry-max', option: 'retryMax', path: 'retry.backoff.max' },
  { flag: '--timeout', option: 'timeout', path: 'timeout' },
  { flag: '--transport', option: 'transport', path: 'transport' },
  { flag: '--ring-bytes', option: 'ringBytes', path: 'ringBytes' },
  { flag: '--max-out-of-orderness', option: 'maxOutOfOrderness', path: 'watermark.maxOutOfOrderness' },
  { flag: '--idle-after', option: 'idleAfter', path: 'watermark.idleAfter' },
  { flag: '--metrics-port', option: 'metricsPort', path: 'metrics.port' },
  { flag: '--input-buffer', option: 'inputBuffer', path: 'buffers.input.messages' },
  { flag: '--input-buffer-bytes', option: 'inputBufferBytes', path: 'buffers.input.bytes' },
  { flag: '--input-overflow', option: 'inputOverflow', path: 'buffers.input.overflow' },
  { flag: '--processing-buffer-bytes', option: 'processingBufferBytes', path: 'buffers.processing.bytes' },
  { flag: '--processing-overflow', option: 'processingOverflow', path: 'buffers.processing.overflow' },
  { flag: '--output-buffer', option: 'outputBuffer', path: 'buffers.output.messages' },
  { flag: '--output-buffer-bytes', option: 'outputBufferBytes', path: 'buffers.output.bytes' },
  { flag: '--output-overflow', option: 'outputOverflow', path: 'buffers.output.overflow' },
];


/** The engine options the flags in `options` set: only those given (and `--ordered`), the rest left to the engine's defaults. */
export function engineOptions(options: RunCommandOptions): EngineOptions {
  const engine: Record<string, unknown> = {};
  for (const { option, path, convert } of engineFlags) {
    const given = options[option];
    if (given === undefined && convert === undefined) continue;
    const keys = path.split('.');
    let at = engine;
    for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[keys.at(-1) as string] = convert === undefined ? given : convert(given);
  }
  return engine;
}

/**
 * `error` (from `withFlagNames`) with each flag its expectation names
 * by a value (`at least --retry-initial (10)`) that the user did not give
 * said to be the default (`at least the default of --retry-initial (10)`):
 * the user typed only the flag the error is about.
 */
export function withDefaultsNamed(error: InvalidOptionError, options: RunCommandOptions): InvalidOptionError {
  return reworded(error, error.option, (expected) => {
    for (const { flag, option } of engineFlags) {
      if (options[option] !== undefined) continue;
      expected = expected.replace(new RegExp(`(?<![\\w-])${flag} \\(`, 'g'), `the default of ${flag} (`);
    }
    return expected;
  });
}
