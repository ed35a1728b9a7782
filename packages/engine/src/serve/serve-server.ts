import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { AccessPolicy } from './access-policy.js';
import { frameLimitedSocket } from './frame-limit.js';
import { isLoopback, urlHost } from './listen-address.js';
import { pageRoute } from './page-routes.js';
import { ServedConnection, shuttingDown } from './served-connection.js';
import { refuseUpgrade } from './upgrade-refusal.js';

/** Options of {@link ServeServer.listen}. */
export interface ServeServerOptions {
  /** The address to bind (resolved: an IP address). */
  readonly address: string;
  /** The port to bind; 0 for any free one. */
  readonly port: number;
  /** The folder hosts name modules in. */
  readonly transforms: string;
  /** The token every connection must bring, if any. */
  readonly token?: string | undefined;
  /** The longest frame (message) a host may send, in bytes. */
  readonly maxFrameBytes: number;
  /** How often to ping every connection, in ms; one that did not answer the previous ping is terminated. 0: never. */
  readonly heartbeat: number;
  /** Where the server's log lines go (one per connection opened, closed or refused). */
  readonly log: (line: string) => void;
}

/**
 * `tidemark serve`'s server: one `node:http` server on one port, answering
 * WebSocket upgrades with `exposeEngine` (each connection on its own) and
 * every other request with the live page's routes, else 404. Who may
 * connect is the {@link AccessPolicy}'s to say, checked on the upgrade.
 */
export class ServeServer {
  /** The WebSocket URL hosts connect to: `ws://HOST:PORT`, the port the one bound. */
  readonly url: string;
  readonly #http: Server;
  readonly #sockets: WebSocketServer;
  readonly #policy: AccessPolicy;
  readonly #options: ServeServerOptions;
  readonly #connections = new Set<ServedConnection>();
  #ids = 0;
  #stopping = false;
  readonly #heartbeat: NodeJS.Timeout | undefined;

  private constructor(http: Server, options: ServeServerOptions) {
    this.#http = http;
    this.#options = options;
    const bound = http.address() as AddressInfo;
    const host = urlHost(bound.address);
    this.url = `ws://${host}:${bound.port}`;
    // The pages of this server itself; on loopback also under the name localhost.
    const origins = [`http://${host}:${bound.port}`, ...(isLoopback(bound.address) ? [`http://localhost:${bound.port}`] : [])];
    this.#policy = new AccessPolicy({ token: options.token, origins });
    this.#sockets = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxFrameBytes,
      WebSocket: frameLimitedSocket(options.maxFrameBytes),
    });
    http.on('request', (request, response) => this.#request(request, response));
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(request, socket, head));
    const { heartbeat } = options;
    if (heartbeat > 0) {
      // It beats on through shutdown: a host that died while its runs drain would otherwise hold the shutdown up.
      this.#heartbeat = setInterval(() => {
        for (const connection of this.#connections) connection.heartbeat(heartbeat);
      }, heartbeat).unref();
    }
  }

  /**
   * Listen on `options.address` and `options.port`.
   *
   * @throws the listen error (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`).
   */
  static async listen(options: ServeServerOptions): Promise<ServeServer> {
    const http = createServer();
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port, options.address, () => {
        http.off('error', reject);
        resolve();
      });
    });
    return new ServeServer(http, options);
  }

  /** Connections open now. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Runs active now, over every connection. */
  get runs(): number {
    let runs = 0;
    for (const connection of this.#connections) runs += connection.runs;
    return runs;
  }

  /**
   * Stop accepting, then on every connection stop reading on every run, let
   * its host take what was in flight and close it (1001); resolves once
   * every connection and the server are closed. What needs no waiting
   * (listening stops, every run stops reading) is done before the first
   * `await`, so it has happened when the call returns.
   */
  async shutdown(): Promise<void> {
    this.#stopping = true;
    const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    await Promise.all([...this.#connections].map((connection) => connection.shutdown()));
    this.#sockets.close();
    this.#http.closeAllConnections();
    await closed;
    clearInterval(this.#heartbeat);
  }

  /** Close every connection at once, with no closing handshake and nothing more handed over. */
  terminate(): void {
    clearInterval(this.#heartbeat);
    for (const connection of this.#connections) connection.terminate();
    this.#http.closeAllConnections();
  }

  #request(request: IncomingMessage, response: ServerResponse): void {
    try {
      if (pageRoute(request, response)) return;
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${error instanceof Error ? error.message : String(error)}\n`);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {}); // a peer that resets the connection mid-handshake
    const peer = peerOf(request);
    const refusal = this.#stopping ? { status: 503, reason: shuttingDown } : this.#policy.check(request);
    if (refusal !== undefined) {
      this.#options.log(`tidemark: refused a connection from ${peer}: ${refusal.status}, ${refusal.reason}`);
      refuseUpgrade(socket, refusal.status, refusal.reason);
      return;
    }
    this.#sockets.handleUpgrade(request, socket, head, (webSocket: WebSocket) => this.#accept(webSocket, peer));
  }

  #accept(socket: WebSocket, peer: string): void {
    const { transforms, maxFrameBytes, log } = this.#options;
    const connection = new ServedConnection(socket, { id: ++this.#ids, peer, transforms, maxFrameBytes, log });
    this.#connections.add(connection);
    void connection.closed.then(() => this.#connections.delete(connection));
    if (this.#stopping) void connection.shutdown();
  }
}

function peerOf(request: IncomingMessage): string {
  const { remoteAddress, remotePort } = request.socket;
  return remoteAddress === undefined ? 'an unknown address' : `${urlHost(remoteAddress)}:${String(remotePort)}`;
}
