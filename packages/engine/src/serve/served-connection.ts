import type { WebSocket } from 'ws';
import { exposeEngine } from '../embed/expose-engine.js';
import type { ExposedEngines } from '../embed/expose-engine.js';
import { webSocketEndpoint } from '../embed/websocket-endpoint.js';
import { FRAME_TOO_BIG_ERROR, frameLimitReason } from './frame-limit.js';

/** WebSocket close codes: the server is going away; it met a condition it cannot serve. */
const GOING_AWAY = 1001;
const INTERNAL_ERROR = 1011;

/** Why `tidemark serve` closes its connections when it stops. */
export const shuttingDown = 'tidemark serve is shutting down';

/** What a {@link ServedConnection} serves, and where it logs. */
export interface ConnectionOptions {
  /** The connection's number, from 1, as the log names it. */
  readonly id: number;
  /** The host's address and port. */
  readonly peer: string;
  /** The folder hosts name modules in. */
  readonly transforms: string;
  /** `--max-frame-bytes`, to say why a frame over it closed the connection. */
  readonly maxFrameBytes: number;
  readonly log: (line: string) => void;
}

/**
 * One host's connection to `tidemark serve`: `exposeEngine` on its
 * WebSocket, serving the modules under the transforms folder. It logs one
 * line when it opens and one, with why, when it has closed (its runs
 * drained and its engines closed); nothing per message.
 */
export class ServedConnection {
  readonly id: number;
  /** Resolves with why once the connection is closed and its engines with it. */
  readonly closed: Promise<string>;
  readonly #socket: WebSocket;
  readonly #exposed: ExposedEngines | undefined;
  /** What `ws` reported going wrong on the socket, which it then closed, or why the heartbeat ended it: why the connection ended. */
  #error: string | undefined;
  /** A ping went out and no pong has come back yet. */
  #awaitingPong = false;

  constructor(socket: WebSocket, options: ConnectionOptions) {
    const { id, peer, transforms, log } = options;
    this.id = id;
    this.#socket = socket;
    // ws emits 'error' for a frame it refuses (over the size limit, not
    // UTF-8…) and closes the socket itself; without a listener it would throw.
    // It stops reading the socket then, so the close that follows is 1006.
    socket.on('error', (error: Error & { code?: string }) => {
      this.#error ??= error.code === FRAME_TOO_BIG_ERROR ? frameLimitReason(options.maxFrameBytes) : error.message;
    });
    socket.on('pong', () => {
      this.#awaitingPong = false;
    });
    const endpoint = webSocketEndpoint(socket);
    log(`tidemark: connection ${id} opened (from ${peer})`);
    let exposed: ExposedEngines | undefined;
    try {
      exposed = exposeEngine(endpoint, { transforms, maxMessageBytes: options.maxFrameBytes });
    } catch (error) {
      // The folder went away since the server started.
      socket.close(INTERNAL_ERROR, `cannot serve: ${error instanceof Error ? error.message : String(error)}`.slice(0, 120));
    }
    this.#exposed = exposed;
    this.closed = (exposed?.closed ?? endpoint.closed).then((reason) => {
      log(`tidemark: connection ${id} closed: ${this.#error ?? reason}`);
      return reason;
    });
  }

  /** Runs active on this connection now. */
  get runs(): number {
    return this.#exposed?.runs ?? 0;
  }

  /**
   * Stop reading on every run, let the host take what is in flight, then
   * close the connection (1001, going away); resolves once it has closed.
   * New runs are refused from the call on, which stops reading at once.
   */
  async shutdown(): Promise<void> {
    await this.#exposed?.drain();
    this.#socket.close(GOING_AWAY, shuttingDown);
    await this.closed;
  }

  /**
   * One beat of the server's heartbeat, every `intervalMs`: a connection
   * that has not answered the previous ping is terminated (its peer is gone
   * without closing: no FIN ever comes, and nothing else would free its
   * runs and engines); any other is pinged again.
   */
  heartbeat(intervalMs: number): void {
    if (this.#awaitingPong) {
      this.#error ??= `no pong within ${intervalMs} ms (--heartbeat)`;
      this.#socket.terminate();
      return;
    }
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    this.#awaitingPong = true;
    this.#socket.ping();
  }

  /** Close the connection at once, without a closing handshake. */
  terminate(): void {
    this.#socket.terminate();
  }
}
