import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { within } from './within.js';

// A real nats-server (Debian's 2.9.10; .ci/run installs it) on 127.0.0.1,
// with JetStream on and its store in a temporary directory. It listens on a
// port of its own choosing (`-p -1`), read back from its log, so two
// servers started at once never race for a port. The engine's JetStream
// tests and `pnpm bench:nats` start theirs with it, hence its place here
// beside the other workload parts rather than among the test helpers.

export const natsServerBinary = '/usr/sbin/nats-server';

/** How long a start waits for the server to listen, or a stop for it to exit, before failing. */
const START_LIMIT_MS = 15_000;

/**
 * `sh -c GUARD nats-server args…`: runs the server, and kills it when the
 * shell's stdin (a pipe from the test process) reaches its end; exits with
 * the server. The watcher reads a copy of stdin (fd 3), since a background
 * job's own stdin is /dev/null.
 */
const GUARD = [
  'exec 3<&0',
  '"$0" "$@" & server=$!',
  '(while read -r _; do :; done <&3; kill -KILL "$server" 2>/dev/null) & watcher=$!',
  'wait "$server"; status=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$status"',
].join('\n');

/** A running nats-server. */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>`, for `connect({ servers: url })`. */
  readonly url: string;
  readonly port: number;
  /** The JetStream store directory. */
  readonly storeDir: string;
  /** The server's process id. */
  readonly pid: number;
  /** The last few kilobytes of its log, for a failure message. */
  log(): string;
  /** Resolves when the process has exited (however it ended). */
  readonly exited: Promise<void>;
  /**
   * SIGTERM, wait for the exit (SIGKILL if it is still up after 15 s), then
   * remove the store directory unless the caller gave it. Safe to call twice,
   * and after {@link NatsServer.kill}.
   */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash; the store directory stays for a restart until {@link NatsServer.stop}. */
  kill(): void;
}

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** The port, to start again where a stopped server was; default: one the server picks. */
  readonly port?: number;
  /** A store directory to use (and keep on stop), to start again on a killed server's data; default: a new temporary one, removed on stop. */
  readonly storeDir?: string;
  /** JetStream on (`-js`); default true. */
  readonly jetstream?: boolean;
  /** More command-line arguments. */
  readonly args?: readonly string[];
}

/** Starts `nats-server -js` on 127.0.0.1 and resolves once it accepts TCP connections. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  if (!existsSync(natsServerBinary)) {
    throw new Error(`${natsServerBinary} is missing: install Debian's nats-server (apt-get install -y nats-server), as .ci/run does`);
  }
  const ownDir = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), 'tidemark-nats-')));
  const args = ['-a', '127.0.0.1', '-p', String(options.port ?? -1)];
  if (options.jetstream !== false) args.push('-js', '-sd', storeDir);
  args.push(...(options.args ?? []));

  // The server runs under a small shell that holds this process's end of a
  // pipe: when this process ends, however it ends (a test runner's SIGKILL
  // too), the pipe closes and the shell takes the server down with it.
  const child = spawn('sh', ['-c', GUARD, natsServerBinary, ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
  let log = '';
  let onLog: (() => void) | undefined;
  child.stderr.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
    onLog?.();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  // Signals go to the server itself (its pid opens every log line), not to the shell.
  let serverPid = 0;
  // Before its pid is known, closing the pipe is the way to end it.
  const signal = (name: NodeJS.Signals): void => {
    if (!running()) return;
    if (serverPid > 0) process.kill(serverPid, name);
    else child.stdin.end();
  };
  child.stdin.on('error', () => {}); // the shell may be gone when the pipe is closed

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (running()) {
        signal('SIGTERM');
        await within(exited, `nats-server ${serverPid} to exit on SIGTERM`, START_LIMIT_MS).catch(async (error: unknown) => {
          signal('SIGKILL');
          await exited;
          throw error;
        });
      }
      if (ownDir) await rm(storeDir, { recursive: true, force: true });
    })());

  try {
    const port = await within(
      new Promise<number>((resolve, reject) => {
        const look = (): void => {
          serverPid ||= Number(/^\[(\d+)\]/.exec(log)?.[1] ?? 0);
          const found = /Listening for client connections on [\d.]+:(\d+)/.exec(log);
          if (found?.[1] !== undefined && /Server is ready/.test(log)) resolve(Number(found[1]));
        };
        onLog = look;
        look();
        child.once('error', reject);
        void exited.then(() => reject(new Error(`nats-server exited with ${child.exitCode ?? child.signalCode} before it was ready`)));
      }),
      'nats-server to listen',
      START_LIMIT_MS,
    );
    onLog = undefined;
    await accepts(port, performance.now() + START_LIMIT_MS);
    return {
      url: `nats://127.0.0.1:${port}`,
      port,
      storeDir,
      pid: serverPid,
      log: () => log,
      exited,
      stop,
      kill: () => signal('SIGKILL'),
    };
  } catch (error) {
    await stop().catch(() => {});
    throw new Error(`${(error as Error).message}; nats-server ${args.join(' ')} logged:\n${log}`, { cause: error });
  }
}

/** Resolves once a TCP connection to 127.0.0.1:`port` opens, trying again while it is refused until `deadline` (performance.now()). */
async function accepts(port: number, deadline: number): Promise<void> {
  for (;;) {
    const opened = await new Promise<boolean>((resolve) => {
      const socket = connectTcp({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (opened) return;
    if (performance.now() > deadline) throw new Error(`nats-server on port ${port} still refused connections after ${START_LIMIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
