import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Server, status } from '@grpc/grpc-js';
import type { sendUnaryData, ServerDuplexStream, ServerUnaryCall } from '@grpc/grpc-js';
import { Engine } from '../engine.js';
import { InvalidOptionError } from '../errors.js';
import { mapService } from './map-proto.js';
import type { MapRequest, MapResponse } from './map-proto.js';
import { MapPump } from './map-pump.js';
import { MapSession } from './map-session.js';
import { resolveNumaflowOptions } from './numaflow-options.js';
import type { NumaflowMapOptions, ResolvedNumaflowOptions } from './numaflow-options.js';
import { serverInfo, writeServerInfo } from './server-info.js';
import type { MapMode } from './server-info.js';
import { udfError } from './udf-error.js';
import { checkSocketPath, UnixSocket } from './unix-socket.js';

/** A running Numaflow map server: see {@link serveNumaflowMap}. */
export interface NumaflowMapServer {
  /** The Unix socket it serves on (absolute). */
  readonly socket: string;
  /** The server-info file it wrote (absolute). */
  readonly serverInfo: string;
  readonly mapMode: MapMode;
  /** The engine every request goes through (its stats, metrics and events). */
  readonly engine: Engine;
  /** `MapFn` streams open now. */
  readonly streams: number;
  /** Requests received and not yet answered, over every stream. */
  readonly pending: number;
  /**
   * Resolves once the server has stopped: after {@link close}, once every
   * request received is answered and the engine closed; after
   * {@link terminate}, at once. Rejects with the engine's error when the
   * run behind it failed (a transform module that cannot be loaded:
   * `TransformLoadError`), after every stream was ended with INTERNAL and
   * the server stopped.
   */
  readonly closed: Promise<void>;
  /**
   * Stop, in this order: the socket is unbound and removed (a new
   * connection is refused) and the streams stop reading; every request
   * received is answered, and each stream then ends with UNAVAILABLE
   * (Numaflow sends what was not read again on its next stream); the engine
   * is closed. Resolves as {@link closed} does, at once after
   * {@link terminate}. Idempotent. The server-info file is left, as the SDKs
   * leave it.
   */
  close(): Promise<void>;
  /**
   * Stop now, without waiting for the engine: every stream is cut (nothing
   * more is answered), the socket removed, and {@link closed} and
   * {@link close} resolve. The engine is closed behind it: its workers
   * finish the messages they are running, then stop. A transform that never
   * settles holds its worker thread, and so the process, until the process
   * exits (the CLI exits right after). Idempotent.
   */
  terminate(): void;
}

/**
 * Serve Numaflow's map UDF protocol (`map.v1.Map`: `MapFn` and `IsReady`)
 * on a Unix socket, every request through one {@link Engine} run: requests
 * are processed many at once on worker threads and answered by id as each
 * completes. Resolves once the socket is bound and the server-info file
 * written, which is when Numaflow's data plane connects.
 *
 * @example
 * const server = await serveNumaflowMap({ transform: new URL('./upper.js', import.meta.url), threads: 4 });
 * process.once('SIGTERM', () => void server.close());
 * await server.closed;
 *
 * @throws {InvalidOptionError} for an option (the engine's included) of the wrong type or out of range, a
 *   socket path that holds something other than a socket, a folder that does not exist, or the same path for
 *   the socket and the server-info file.
 * @throws the bind's error when the socket cannot be listened on, the file system's when the server-info file
 *   cannot be written: {@link failedOption} says which.
 */
export async function serveNumaflowMap(options: NumaflowMapOptions): Promise<NumaflowMapServer> {
  const resolved = resolveNumaflowOptions(options);
  // The engine checks its options here, and starts nothing before its first run.
  const engine = new Engine(resolved.engine);
  try {
    await checkFolder('socket', resolved.socket);
    await checkFolder('serverInfo', resolved.serverInfo);
    await checkSocketPath(resolved.socket);
  } catch (error) {
    await engine.close();
    throw error;
  }
  return MapServer.start(engine, resolved);
}

/** The step each failure to start came from, by the option it concerns. */
const failedSteps = new WeakMap<object, 'socket' | 'serverInfo'>();

/**
 * Which option an error thrown by {@link serveNumaflowMap} concerns, by the
 * step that failed: `'socket'` for binding the socket, `'serverInfo'` for
 * writing the server-info file; undefined for any other error.
 */
export function failedOption(error: unknown): 'socket' | 'serverInfo' | undefined {
  return typeof error === 'object' && error !== null ? failedSteps.get(error) : undefined;
}

/** Run `step`; an error it throws is marked as `option`'s. */
async function step<T>(option: 'socket' | 'serverInfo', run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (typeof error === 'object' && error !== null) failedSteps.set(error, option);
    throw error;
  }
}

class MapServer implements NumaflowMapServer {
  readonly socket: string;
  readonly serverInfo: string;
  readonly mapMode: MapMode;
  readonly engine: Engine;
  readonly closed: Promise<void>;
  readonly #options: ResolvedNumaflowOptions;
  readonly #grpc: Server;
  readonly #pump: MapPump;
  readonly #sessions = new Set<MapSession>();
  /** Resolves at {@link terminate}: `closed` and `close()` wait for nothing more. */
  readonly #cut: Promise<void>;
  #markCut: () => void = () => {};
  #bound: UnixSocket | undefined;
  #streamCount = 0;
  #stopping = false;
  #terminated = false;
  #closing: Promise<void> | undefined;

  private constructor(engine: Engine, options: ResolvedNumaflowOptions) {
    this.engine = engine;
    this.#options = options;
    this.socket = options.socket;
    this.serverInfo = options.serverInfo;
    this.mapMode = options.mapMode;
    this.#pump = new MapPump(engine, options.readAhead ?? engine.options.concurrency);
    this.#grpc = new Server({
      'grpc.max_receive_message_length': options.maxMessageBytes,
      'grpc.max_send_message_length': options.maxMessageBytes,
    });
    this.#grpc.addService(mapService(), {
      MapFn: (call: ServerDuplexStream<MapRequest, MapResponse>) => this.#stream(call),
      IsReady: (_call: ServerUnaryCall<unknown, unknown>, reply: sendUnaryData<{ ready: boolean }>) => reply(null, { ready: !this.#stopping }),
    });
    this.#cut = new Promise((resolve) => (this.#markCut = resolve));
    const ran = this.#pump.done.then(
      () => this.#shutdown(),
      async (error: unknown) => {
        this.#failAll(error);
        await this.#shutdown();
        throw error;
      },
    );
    this.closed = Promise.race([ran, this.#cut]);
    this.closed.catch(() => {}); // the caller's to see
  }

  static async start(engine: Engine, options: ResolvedNumaflowOptions): Promise<MapServer> {
    const server = new MapServer(engine, options);
    try {
      server.#bound = await step('socket', () => UnixSocket.bind(server.#grpc, options.socket));
      await step('serverInfo', () => writeServerInfo(options.serverInfo, serverInfo(options.mapMode)));
    } catch (error) {
      server.terminate();
      throw error;
    }
    return server;
  }

  get streams(): number {
    return this.#sessions.size;
  }

  get pending(): number {
    let pending = 0;
    for (const session of this.#sessions) pending += session.unanswered;
    return pending;
  }

  close(): Promise<void> {
    return Promise.race([this.#shutdown(), this.#cut]);
  }

  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#stopping = true;
    for (const session of this.#sessions) session.cut();
    this.#grpc.forceShutdown();
    this.#bound?.remove();
    this.#pump.end();
    this.engine.close().catch(() => {}); // not waited for: its workers finish what they run
    this.#markCut();
  }

  /** {@link close}'s steps; what needs no waiting (the socket gone, reading stopped) is done when it returns. */
  #shutdown(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stopping = true;
      if (this.#bound !== undefined) {
        this.#grpc.unbind(this.#bound.address);
        this.#bound.remove();
      }
      for (const session of this.#sessions) session.stop();
      this.#pump.end();
      await this.#pump.done.catch(() => {});
      await Promise.all([...this.#sessions].map((session) => session.ended));
      await new Promise<void>((resolve) => this.#grpc.tryShutdown(() => resolve()));
      await this.engine.close();
    })();
    return this.#closing;
  }

  #stream(call: ServerDuplexStream<MapRequest, MapResponse>): void {
    if (this.#stopping) {
      call.emit('error', { code: status.UNAVAILABLE, details: 'tidemark is shutting down' });
      return;
    }
    const { onFailure, maxMessageBytes, log } = this.#options;
    const session = new MapSession(++this.#streamCount, call, { pump: this.#pump, onFailure, maxMessageBytes, log });
    this.#sessions.add(session);
    log(`tidemark: MapFn stream ${session.number} opened`);
    void session.ended.then((how) => {
      this.#sessions.delete(session);
      log(`tidemark: MapFn stream ${session.number} ${how}`);
    });
  }

  /** The engine's run failed: every stream ends with INTERNAL, naming the error. */
  #failAll(error: unknown): void {
    const details = udfError(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    this.#options.log(`tidemark: the engine stopped: ${details}`);
    for (const session of this.#sessions) session.abort(status.INTERNAL, details);
  }
}

/** The folder `path` is in must exist. */
async function checkFolder(option: string, path: string): Promise<void> {
  const folder = dirname(path);
  const found = await stat(folder).catch(() => undefined);
  if (found?.isDirectory() !== true) throw new InvalidOptionError(option, `a path in an existing folder (${folder} is not one)`, path);
}
