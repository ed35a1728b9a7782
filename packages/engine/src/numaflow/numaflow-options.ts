import { Buffer } from 'node:buffer';
import { resolve } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import type { EngineOptions } from '../options/options.js';
import { maxConcurrency } from '../options/option-bounds.js';
import { mapModes } from './server-info.js';
import type { MapMode } from './server-info.js';

/**
 * What a message whose transform failed for good (threw on every try, or
 * returned something that is not a Numaflow message) does: `'error'` ends
 * its `MapFn` stream with INTERNAL, as the SDKs do when a handler throws, so
 * that Numaflow stops the vertex and delivers the unacked messages again;
 * `'drop'` answers it with a DROP message and goes on (the message is then
 * acked by Numaflow and gone: a line on the log says which).
 */
export type OnFailure = 'error' | 'drop';

/** The sockets Numaflow's data plane connects to, by the `MAP_MODE` the server-info file gives. */
export const defaultSockets: Readonly<Record<MapMode, string>> = {
  unary: '/var/run/numaflow/map.sock',
  batch: '/var/run/numaflow/batchmap.sock',
};

/** Where Numaflow's data plane reads a mapper's server-info file. */
export const defaultServerInfo = '/var/run/numaflow/mapper-server-info';

/** The longest message either way, as the SDKs and the data plane set it: 64 MiB. */
export const defaultMaxMessageBytes = 64 * 2 ** 20;

/** A Unix socket's path (`sun_path`) holds 108 bytes on Linux, the last a NUL. */
export const maxSocketBytes = 107;

/**
 * Options of {@link serveNumaflowMap}: the engine's options (without a
 * windowed reduce, which a map is not) and where and how to serve.
 */
export interface NumaflowMapOptions extends Omit<EngineOptions, 'reduce' | 'window' | 'allowedLateness'> {
  /** The transform module, as the engine takes it. Each request's value reaches it as a `Buffer`. */
  transform: URL | string;
  /**
   * The Unix socket to serve on, resolved from the working folder (at most
   * 107 bytes once resolved). An old socket there is replaced; any other
   * file is refused. @default `/var/run/numaflow/map.sock`, `/var/run/numaflow/batchmap.sock` with `mapMode: 'batch'`
   */
  socket?: string;
  /** The server-info file to write once serving, resolved from the working folder; not the socket's path. @default `/var/run/numaflow/mapper-server-info` */
  serverInfo?: string;
  /** How Numaflow drives the map, written as `MAP_MODE` in the server-info file. @default 'unary' */
  mapMode?: MapMode;
  /** What a message whose transform failed for good does. @default 'error' */
  onFailure?: OnFailure;
  /** The longest gRPC message either way, in bytes. @default 67108864 (64 MiB) */
  maxMessageBytes?: number;
  /** Requests read from the streams and not yet taken by the engine, at most; past it the streams stop reading. @default the engine's `concurrency` (its `max` when adaptive) */
  readAhead?: number;
  /** Where the server's log lines go (a failed message, a stream ended by one). @default nowhere */
  log?: (line: string) => void;
}

/** {@link NumaflowMapOptions} checked, with the defaults in, the engine's options apart. */
export interface ResolvedNumaflowOptions {
  /** Absolute. */
  readonly socket: string;
  /** Absolute. */
  readonly serverInfo: string;
  readonly mapMode: MapMode;
  readonly onFailure: OnFailure;
  readonly maxMessageBytes: number;
  readonly readAhead: number | undefined;
  readonly log: (line: string) => void;
  readonly engine: EngineOptions;
}

/** @throws {InvalidOptionError} naming the option, for one of the wrong type or out of range. */
export function resolveNumaflowOptions(options: NumaflowMapOptions): ResolvedNumaflowOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'an object', options);
  const { socket, serverInfo, mapMode = 'unary', onFailure = 'error', maxMessageBytes = defaultMaxMessageBytes, readAhead, log, ...engine } = options;
  for (const name of ['reduce', 'window', 'allowedLateness'] as const) {
    if (name in engine) throw new InvalidOptionError(name, 'left out: a Numaflow map serves a transform, not a windowed reduce', (engine as Record<string, unknown>)[name]);
  }
  if (!Object.hasOwn(mapModes, mapMode)) throw new InvalidOptionError('mapMode', "'unary' or 'batch'", mapMode);
  if (onFailure !== 'error' && onFailure !== 'drop') throw new InvalidOptionError('onFailure', "'error' or 'drop'", onFailure);
  const given = socket ?? defaultSockets[mapMode];
  const fits = `a path of 1 to ${maxSocketBytes} bytes once resolved (what a Unix socket's address holds)`;
  if (typeof given !== 'string' || given === '') throw new InvalidOptionError('socket', fits, given);
  // Absolute: `unix:` + a path that starts with `//` would be read as a URI's authority, and a relative one is bound
  // where gRPC takes it from; the socket is named as it is bound.
  const path = resolve(given);
  if (Buffer.byteLength(path) > maxSocketBytes) throw new InvalidOptionError('socket', fits, path);
  const givenInfo = serverInfo ?? defaultServerInfo;
  if (typeof givenInfo !== 'string' || givenInfo === '') throw new InvalidOptionError('serverInfo', 'a file path', givenInfo);
  const info = resolve(givenInfo);
  if (info === path) throw new InvalidOptionError('serverInfo', `a path other than the socket's (${path}): the file would replace the socket`, givenInfo);
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1024 || maxMessageBytes > 2 ** 31 - 1) {
    throw new InvalidOptionError('maxMessageBytes', `an integer from 1024 to ${2 ** 31 - 1} (gRPC's limits are 32-bit)`, maxMessageBytes);
  }
  if (readAhead !== undefined && (!Number.isSafeInteger(readAhead) || readAhead < 1 || readAhead > maxConcurrency)) {
    throw new InvalidOptionError('readAhead', `an integer from 1 to ${maxConcurrency}`, readAhead);
  }
  if (log !== undefined && typeof log !== 'function') throw new InvalidOptionError('log', 'a function', log);
  return { socket: path, serverInfo: info, mapMode, onFailure, maxMessageBytes, readAhead, log: log ?? (() => {}), engine };
}
