import { rmSync } from 'node:fs';
import { lstat, rm, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
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

/** A running Numaflow map server: see {@link serveNumaflowMap}. */
export interface NumaflowMapServer {
  /** The Unix socket it serves on. */
  readonly socket: string;
  /** The server-info file it wrote. */
  readonly serverInfo: string;
  readonly mapMode: MapMode;
  /** The engine every request goes through (its stats, metrics and events). */
  readonly engine: Engine;
  /** `MapFn` streams open now. */
  readonly streams: number;
  /** Requests received and not yet answered, over every stream. */
  readonly pending: number;
  /**
   * Resolves once the server has stopped after {@link close}; rejects with
   * the engine's error when the run behind it failed (a transform module
   * that cannot be loaded: `TransformLoadError`), after every stream was
   * ended with INTERNAL and the server stopped.
   */
  readonly closed: Promise<void>;
  /**
   * Stop accepting streams and reading requests; answer every request
   * received (each stream then ends with UNAVAILABLE, and Numaflow sends
   * what was not read again on its next stream), stop the engine and remove
   * the socket. Idempotent. The server-info file is left, as the SDKs leave it.
   */
  close(): Promise<void>;
  /** Stop now: every stream cut, the socket removed, the engine closed without waiting. */
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
 *   socket path that holds something other than a socket, or a folder that does not exist.
 * @throws the bind's error when the socket cannot be listened on.
 */
export async function serveNumaflowMap(options: NumaflowMapOptions): Promise<NumaflowMapServer> {
  const resolved = resolveNumaflowOptions(options);
  // The engine checks its options here, and starts nothing before its first run.
  const engine = new Engine(resolved.engine);
  try {
    await checkFolder('socket', resolved.socket);
    await checkFolder('serverInfo', resolved.serverInfo);
    await clearSocket(resolved.socket);
  } catch (error) {
    await engine.close();
    throw error;
  }
  return MapServer.start(engine, resolved);
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
  #streamCount = 0;
  #stopping = false;
  #closing: Promise<void> | undefined;
  /** The socket's inode once bound: only that socket is removed at the end, not one another server put there since. */
  #socketInode: number | undefined;

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
    this.closed = this.#pump.done.then(
      () => this.close(),
      async (error: unknown) => {
        this.#failAll(error);
        await this.close();
        throw error;
      },
    );
    this.closed.catch(() => {}); // the caller's to see
  }

  static async start(engine: Engine, options: ResolvedNumaflowOptions): Promise<MapServer> {
    const server = new MapServer(engine, options);
    try {
      await server.#bind();
      await writeServerInfo(options.serverInfo, serverInfo(options.mapMode));
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
    this.#closing ??= (async () => {
      this.#stopping = true;
      this.#grpc.unbind(`unix:${this.socket}`);
      for (const session of this.#sessions) session.stop();
      this.#pump.end();
      await this.#pump.done.catch(() => {});
      await Promise.all([...this.#sessions].map((session) => session.ended));
      await new Promise<void>((resolve) => this.#grpc.tryShutdown(() => resolve()));
      await this.engine.close();
      await this.#removeSocket();
    })();
    return this.#closing;
  }

  terminate(): void {
    this.#stopping = true;
    this.#grpc.forceShutdown();
    this.#pump.end();
    void this.engine.close();
    if (this.#socketInode !== undefined) rmSync(this.socket, { force: true });
  }

  async #bind(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#grpc.bindAsync(`unix:${this.socket}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve()));
    });
    this.#socketInode = (await stat(this.socket)).ino;
  }

  #stream(call: ServerDuplexStream<MapRequest, MapResponse>): void {
    if (this.#stopping) {
      call.emit('error', { code: status.UNAVAILABLE, details: 'tidemark is shutting down' });
      return;
    }
    const session = new MapSession(++this.#streamCount, call, { pump: this.#pump, onFailure: this.#options.onFailure, log: this.#options.log });
    this.#sessions.add(session);
    this.#options.log(`tidemark: MapFn stream ${session.number} opened`);
    void session.ended.then((how) => {
      this.#sessions.delete(session);
      this.#options.log(`tidemark: MapFn stream ${session.number} ${how}`);
    });
  }

  /** The engine's run failed: every stream ends with INTERNAL, naming the error. */
  #failAll(error: unknown): void {
    const details = udfError(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    this.#options.log(`tidemark: the engine stopped: ${details}`);
    for (const session of this.#sessions) session.abort(status.INTERNAL, details);
  }

  async #removeSocket(): Promise<void> {
    const now = await stat(this.socket).catch(() => undefined);
    if (now !== undefined && now.ino === this.#socketInode) await rm(this.socket, { force: true });
  }
}

/** The folder `path` is in must exist. */
async function checkFolder(option: string, path: string): Promise<void> {
  const folder = dirname(path);
  const found = await stat(folder).catch(() => undefined);
  if (found?.isDirectory() !== true) throw new InvalidOptionError(option, `a path in an existing folder (${folder} is not one)`, path);
}

/** `path` must be free, or an old socket (removed, as the SDKs remove it); anything else is refused. */
async function clearSocket(path: string): Promise<void> {
  const found = await lstat(path).catch(() => undefined);
  if (found === undefined) return;
  if (!found.isSocket()) throw new InvalidOptionError('socket', 'a free path or an old socket to replace (this path holds something else)', path);
  await unlink(path);
}
