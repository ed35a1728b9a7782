import type * as Client from '../../../client/index.js';
import { openSocket } from './open-socket.js';
import { skewedValues } from './skewed-values.js';

/** What the page's form asks for. */
export interface RunSettings {
  readonly transform: string;
  readonly count: number;
  readonly concurrency: number;
  readonly threads: number | undefined;
  readonly meanMs: number;
  readonly seed: number;
}

/** Where a run is: `done` when its source ran out and every record came back, `stopped` after Stop. */
export type RunState = 'connecting' | 'running' | 'stopping' | 'done' | 'stopped' | 'error';

/** An error as the page shows it. */
export interface ShownError {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
}

/** `error`'s `name`, `code` and message, whatever was thrown. */
export function shownError(error: unknown): ShownError {
  if (error !== null && typeof error === 'object') {
    const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
    return {
      name: typeof name === 'string' ? name : 'Error',
      code: typeof code === 'string' ? code : undefined,
      message: typeof message === 'string' ? message : '(no message)',
    };
  }
  return { name: 'Error', code: undefined, message: String(error) };
}

/**
 * One run started from the page: its own WebSocket to the server, a remote
 * engine on it, and the page's skewed source sent through `engine.process`.
 * It counts what comes back; the page reads the counts and the engine's
 * figures as often as it draws.
 */
export class PageRun {
  readonly settings: RunSettings;
  readonly startedAt = performance.now();
  state: RunState = 'connecting';
  /** The remote engine, once connected. */
  engine: Client.RemoteEngine | undefined;
  /** Messages that came back with at least one record (distinct offsets). */
  done = 0;
  records = 0;
  failed = 0;
  /** The latest failed record's error. */
  lastFailure: ShownError | undefined;
  /** The output watermark, from the engine's `watermark` events. */
  watermark = Number.NEGATIVE_INFINITY;
  error: ShownError | undefined;
  endedAt: number | undefined;
  /** Settles when the run is over, however it ended (never rejects). */
  readonly finished: Promise<void>;
  readonly #abort = new AbortController();
  readonly #seen: Uint8Array;

  constructor(client: typeof Client, url: string, settings: RunSettings) {
    this.settings = settings;
    this.#seen = new Uint8Array(settings.count);
    this.finished = this.#run(client, url);
  }

  /** Stop reading the source; what is in flight still comes back. */
  stop(): void {
    if (this.state === 'connecting' || this.state === 'running') this.state = 'stopping';
    this.#abort.abort();
  }

  async #run(client: typeof Client, url: string): Promise<void> {
    const { transform, count, concurrency, threads, meanMs, seed } = this.settings;
    let socket: Awaited<ReturnType<typeof openSocket>> | undefined;
    try {
      socket = await openSocket(url);
      const options = { transform, concurrency, ...(threads === undefined ? {} : { threads }) };
      this.engine = await client.connectEngine(client.webSocketEndpoint(socket), options);
      this.engine.on('watermark', (value) => {
        this.watermark = value;
      });
      if (this.state === 'connecting') this.state = 'running';
      const signal = this.#abort.signal;
      for await (const record of this.engine.process(skewedValues(count, meanMs, seed), { signal })) this.#count(record);
      this.state = this.#abort.signal.aborted ? 'stopped' : 'done';
    } catch (error) {
      this.error = shownError(error);
      this.state = 'error';
    } finally {
      this.endedAt = performance.now();
      if (this.engine !== undefined) await this.engine.close();
      else socket?.close();
    }
  }

  #count(record: Client.EngineRecord): void {
    this.records++;
    if (record.kind === 'failed') {
      this.failed++;
      this.lastFailure = shownError(record.error);
    }
    if (record.offset >= 0 && record.offset < this.#seen.length && this.#seen[record.offset] === 0) {
      this.#seen[record.offset] = 1;
      this.done++;
    }
  }
}
