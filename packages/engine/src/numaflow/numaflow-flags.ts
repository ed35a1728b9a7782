import type { FlagName } from '../cli/flag-names.js';
import type { NumaflowMapOptions, OnFailure } from './numaflow-options.js';
import type { MapMode } from './server-info.js';

/** What commander parses for `tidemark serve numaflow`. */
export interface NumaflowFlags {
  transform?: string;
  socket?: string;
  serverInfo?: string;
  mapMode?: MapMode;
  onFailure?: OnFailure;
  threads?: number;
  concurrency?: number | { min: number; max: number };
  attempts?: number;
  retryInitial?: number;
  retryMax?: number;
  timeout?: number;
  transport?: 'ring' | 'task';
  ringBytes?: number;
  lookahead?: true;
  metricsPort?: number;
  readAhead?: number;
  maxMessageBytes?: number;
  shutdownTimeout: number;
}

/** Each flag, its key in {@link NumaflowFlags}, and the option it sets (as the errors name it). */
const table: readonly (FlagName & { readonly key: keyof NumaflowFlags })[] = [
  { flag: '--transform', key: 'transform', path: 'transform' },
  { flag: '--socket', key: 'socket', path: 'socket' },
  { flag: '--server-info', key: 'serverInfo', path: 'serverInfo' },
  { flag: '--map-mode', key: 'mapMode', path: 'mapMode' },
  { flag: '--on-failure', key: 'onFailure', path: 'onFailure' },
  { flag: '--read-ahead', key: 'readAhead', path: 'readAhead' },
  { flag: '--max-message-bytes', key: 'maxMessageBytes', path: 'maxMessageBytes' },
  { flag: '--threads', key: 'threads', path: 'threads' },
  { flag: '--concurrency', key: 'concurrency', path: 'concurrency' },
  { flag: '--attempts', key: 'attempts', path: 'retry.attempts' },
  { flag: '--retry-initial', key: 'retryInitial', path: 'retry.backoff.initial' },
  { flag: '--retry-max', key: 'retryMax', path: 'retry.backoff.max' },
  { flag: '--timeout', key: 'timeout', path: 'timeout' },
  { flag: '--transport', key: 'transport', path: 'transport' },
  { flag: '--ring-bytes', key: 'ringBytes', path: 'ringBytes' },
  { flag: '--lookahead', key: 'lookahead', path: 'lookahead' },
  { flag: '--metrics-port', key: 'metricsPort', path: 'metrics.port' },
];

/** The flags as the options' errors name them (``Expected `--threads` to be …``). */
export const numaflowFlagNames: readonly FlagName[] = table;

/** The options of {@link serveNumaflowMap} the flags given set; the rest are left to its defaults. */
export function numaflowOptions(flags: NumaflowFlags): NumaflowMapOptions {
  const options: Record<string, unknown> = {};
  for (const { key, path } of table) {
    const given = flags[key];
    if (given === undefined) continue;
    const keys = path.split('.');
    let at = options;
    for (const part of keys.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    at[keys.at(-1) as string] = given;
  }
  return options as unknown as NumaflowMapOptions;
}
