import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import type { Client, ClientDuplexStream, ServiceError, StatusObject } from '@grpc/grpc-js';
import { mapClientConstructor, serveNumaflowMap, serverInfoEnd } from '../../src/numaflow/index.js';
import type { MapRequest, MapResponse, NumaflowMapOptions, NumaflowMapServer, ServerInfo } from '../../src/numaflow/index.js';
import { cli, cliFixture, packageDir, tempDir } from './cli.js';
import { deferred } from './deferred.js';
import type { Deferred } from './deferred.js';
import { until, WAIT_LIMIT_MS, within } from './wait.js';

/** A request as the test writes it (the proto's encoder takes a Buffer for `value`). */
type Outgoing = Omit<MapRequest, 'request'> & { request?: { keys: string[]; value: Buffer; eventTime?: { seconds: number; nanos: number }; headers?: Record<string, string> } };

interface MapClient extends Client {
  MapFn(): ClientDuplexStream<Outgoing, MapResponse>;
  IsReady(request: object, callback: (error: ServiceError | null, response?: { ready: boolean }) => void): void;
}

/**
 * Numaflow's data plane, as far as the tests need it
 * (`rust/numaflow-core/src/mapper/map.rs` and `map/{unary,batch}.rs`): a
 * client on the Unix socket that opens one `MapFn` stream, sends the
 * handshake and checks its answer, then writes requests without waiting and
 * collects the responses in the order they come (matched by id by the test).
 */
export class DataPlane {
  /** Every response after the handshake's, in arrival order. */
  readonly responses: MapResponse[] = [];
  /** The stream's final status. */
  readonly status: Promise<StatusObject>;
  readonly #client: MapClient;
  readonly #call: ClientDuplexStream<Outgoing, MapResponse>;
  #waiters: { count: number; done: Deferred }[] = [];

  private constructor(client: MapClient, call: ClientDuplexStream<Outgoing, MapResponse>) {
    this.#client = client;
    this.#call = call;
    const final = deferred<StatusObject>();
    this.status = final.promise;
    call.on('status', (status: StatusObject) => final.resolve(status));
    call.on('error', () => {}); // the status says it
  }

  /** Connect to `socket` (`unix:` path) and do the handshake, as the data plane's `create_response_stream` does. */
  static connect(socket: string): Promise<DataPlane> {
    const Client = mapClientConstructor();
    return DataPlane.#open(new Client(`unix:${socket}`, credentials.createInsecure()) as unknown as MapClient);
  }

  /** Another stream with its handshake on this one's client: the same connection, as a data plane's next stream. */
  another(): Promise<DataPlane> {
    return DataPlane.#open(this.#client);
  }

  static async #open(client: MapClient): Promise<DataPlane> {
    const plane = new DataPlane(client, client.MapFn());
    const first = deferred<MapResponse>();
    plane.#call.once('data', (response: MapResponse) => {
      first.resolve(response);
      plane.#call.on('data', (next: MapResponse) => plane.#receive(next));
    });
    plane.#call.write({ id: '', handshake: { sot: true } });
    const handshake = await within(first.promise, 'the handshake response');
    assert.deepEqual(handshake.handshake, { sot: true }, 'the first response answers the handshake');
    return plane;
  }

  /** The IsReady call, as the data plane's health check makes it. */
  static isReady(socket: string): Promise<boolean> {
    const Client = mapClientConstructor();
    const client = new Client(`unix:${socket}`, credentials.createInsecure()) as unknown as MapClient;
    return within(
      new Promise<boolean>((resolve, reject) => {
        client.IsReady({}, (error, response) => {
          client.close();
          if (error !== null) reject(error);
          else resolve(response?.ready === true);
        });
      }),
      'IsReady',
    );
  }

  /** Send a request: `value` as UTF-8 bytes. */
  send(id: string, value: string, keys: string[] = [], eventTime?: number): void {
    const request = { keys, value: Buffer.from(value), ...(eventTime === undefined ? {} : { eventTime: { seconds: Math.floor(eventTime / 1000), nanos: (eventTime % 1000) * 1e6 } }) };
    this.#call.write({ id, request });
  }

  /** Any message, as it is (a malformed stream). */
  write(message: Outgoing): void {
    this.#call.write(message);
  }

  /** The end of a batch (batch map): a request with `status.eot` and nothing else. */
  eot(): void {
    this.#call.write({ id: '', status: { eot: true } });
  }

  /** Close the client's side of the stream. */
  end(): void {
    this.#call.end();
  }

  /** Resolves once `count` responses have come (after the handshake's). */
  received(count: number, what = `${count} responses`, ms = WAIT_LIMIT_MS): Promise<void> {
    if (this.responses.length >= count) return Promise.resolve();
    const done = deferred();
    this.#waiters.push({ count, done });
    return within(done.promise, `${what} (${this.responses.length} so far)`, ms);
  }

  close(): void {
    this.#call.cancel();
    this.#client.close();
  }

  #receive(response: MapResponse): void {
    this.responses.push(response);
    const ready = this.#waiters.filter((waiter) => this.responses.length >= waiter.count);
    this.#waiters = this.#waiters.filter((waiter) => this.responses.length < waiter.count);
    for (const waiter of ready) waiter.done.resolve();
  }
}

/**
 * The server-info file read as the data plane reads it
 * (`rust/numaflow-shared/src/server_info.rs`, `read_server_info`): the text
 * must end with the end marker, and the JSON is what comes before it.
 */
export async function readServerInfo(path: string): Promise<ServerInfo> {
  const text = await readFile(path, 'utf8');
  assert.ok(text.endsWith(serverInfoEnd), `the server-info file ends with ${serverInfoEnd}: ${text}`);
  return JSON.parse(text.slice(0, -serverInfoEnd.length)) as ServerInfo;
}

/** A response's results as text: `value|keys|tags` each. */
export function resultTexts(response: MapResponse): string[] {
  return (response.results ?? []).map((result) => `${Buffer.from(result.value).toString('utf8')}|${result.keys.join(',')}|${result.tags.join(',')}`);
}

/** The transform of the Numaflow tests (see the fixture's header). */
export const skewTransform = new URL('../fixtures/numaflow/skew.js', import.meta.url);

/** The channel the fixture's held requests say they started on, and wait to be released on. */
export class HoldChannel {
  readonly #channel = new BroadcastChannel('tidemark-numaflow-test');
  readonly #started = new Map<string, number>();
  #waiters: { tag: string; count: number; done: Deferred }[] = [];

  constructor() {
    this.#channel.onmessage = (event) => {
      const tag = ((event as MessageEvent).data as { started?: string }).started;
      if (tag === undefined) return;
      this.#started.set(tag, (this.#started.get(tag) ?? 0) + 1);
      for (const waiter of this.#waiters.filter((w) => w.tag === tag && (this.#started.get(tag) ?? 0) >= w.count)) waiter.done.resolve();
    };
  }

  /** Resolves once `count` requests held under `tag` have started (each is then listening for its release). */
  started(tag: string, count: number): Promise<void> {
    if ((this.#started.get(tag) ?? 0) >= count) return Promise.resolve();
    const done = deferred();
    this.#waiters.push({ tag, count, done });
    return within(done.promise, `${count} held requests to start under ${tag}`);
  }

  release(tag: string): void {
    this.#channel.postMessage({ release: tag });
  }

  close(): void {
    this.#channel.close();
  }
}

/**
 * A server over the skew fixture in a folder of its own (2 threads, 64 in
 * flight unless `options` say otherwise), closed after the test.
 */
export async function serveSkew(t: TestContext, options: Partial<NumaflowMapOptions> = {}): Promise<NumaflowMapServer> {
  const dir = await tempDir(t, 'tidemark-numaflow-');
  const server = await serveNumaflowMap({
    transform: skewTransform,
    socket: join(dir, 'map.sock'),
    serverInfo: join(dir, 'mapper-server-info'),
    threads: 2,
    concurrency: 64,
    ...options,
  });
  t.after(() => within(server.close(), 'the server to close'));
  return server;
}

/** A `tidemark serve numaflow` child process, started by {@link startNumaflowCli}. */
export interface NumaflowCli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly socket: string;
  /** Its stdout and stderr so far. */
  readonly output: { stdout: string; stderr: string };
  /** Its exit code, once it has exited. */
  readonly exited: Promise<number | null>;
}

/**
 * The built CLI's `tidemark serve numaflow` over the skew fixture in `dir`
 * (2 threads, then `args`), once it has printed its serving line; killed
 * after the test if still running.
 */
export async function startNumaflowCli(t: TestContext, dir: string, args: readonly string[] = []): Promise<NumaflowCli> {
  const socket = join(dir, 'map.sock');
  const transform = cliFixture('numaflow/skew.js');
  const child = spawn(process.execPath, [cli, 'serve', 'numaflow', '--transform', transform, '--socket', socket, '--server-info', join(dir, 'mapper-server-info'), '--threads', '2', ...args], {
    cwd: packageDir,
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await until(() => output.stdout.includes('\n') || child.exitCode !== null, 'the serving line', () => output);
  assert.equal(output.stdout, `tidemark: serving unix:${socket}\n`, output.stderr);
  return { child, socket, output, exited };
}
