import { shutdownTimedOutExitCode, signalExitCodes } from '../cli/exit-codes.js';
import { onStopSignals } from '../cli/stop-signals.js';
import { UsageError } from '../cli/usage-error.js';
import { plural } from '../report/format.js';
import { resolveHost } from './listen-address.js';
import type { ListenAddress } from './listen-address.js';
import { ServeServer } from './serve-server.js';
import { checkTransforms } from './transforms-folder.js';

/** What `tidemark serve` runs with, its flags parsed. */
export interface ServeCommandOptions {
  readonly listen: ListenAddress;
  readonly transforms: string;
  readonly token?: string | undefined;
  readonly maxFrameBytes: number;
  readonly shutdownTimeout: number;
  readonly heartbeat: number;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * `tidemark serve`: engines over WebSocket until SIGINT or SIGTERM. The
 * first stdout line is `tidemark: serving ws://HOST:PORT`; the log goes to
 * stderr. The first signal stops accepting, stops reading on every run, lets
 * the hosts take what was in flight, closes every connection and exits 130
 * or 143; past `shutdownTimeout` (or at a second signal) it closes them as
 * they are and exits 1 (or 130 or 143) at once.
 */
export async function serveCommand(options: ServeCommandOptions): Promise<void> {
  checkTransforms(options.transforms);
  if (options.token === '') throw new UsageError('--token: expected a token, got ""');
  const { host, port } = options.listen;
  const resolved = await resolveHost(host).catch((error: unknown) => {
    throw new UsageError(`--listen: cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  });
  if (!resolved.loopback && options.token === undefined) {
    throw new UsageError(
      `--listen: ${host} is not a loopback address, and serving beyond this machine needs --token: a connection runs any module under --transforms`,
    );
  }
  const server = await ServeServer.listen({
    address: resolved.address,
    port,
    transforms: options.transforms,
    token: options.token,
    maxFrameBytes: options.maxFrameBytes,
    heartbeat: options.heartbeat,
    log,
  }).catch((error: unknown) => {
    throw cannotListen(host, port, error);
  });
  process.stdout.write(`tidemark: serving ${server.url}\n`);

  const signals = onStopSignals((signal) => {
    log(`tidemark: ${signal} again: exiting now, closing ${plural(server.connections, 'connection')} as they are`);
    server.terminate();
    process.exit(signalExitCodes[signal]);
  });
  let timeout: NodeJS.Timeout | undefined;
  try {
    const signal = await signals.stopped;
    const [connections, runs] = [server.connections, server.runs];
    // Every run has stopped reading when this returns (see shutdown); the line says so after the fact.
    const done = server.shutdown();
    log(
      `tidemark: ${signal}: stopped accepting and reading; draining ${plural(connections, 'connection')} ` +
        `with ${plural(runs, 'run')} (${signal} again to exit at once)`,
    );
    timeout = setTimeout(() => {
      log(
        `tidemark: shutdown timed out after ${options.shutdownTimeout} ms: exiting, closing ` +
          `${plural(server.connections, 'connection')} as they are (${plural(server.runs, 'run')} still draining)`,
      );
      server.terminate();
      // As `run` does: a run whose transform hangs would never let the process end.
      process.exit(shutdownTimedOutExitCode);
    }, options.shutdownTimeout);
    await done;
    log(`tidemark: stopped by ${signal}`);
    process.exitCode = signalExitCodes[signal];
  } finally {
    clearTimeout(timeout);
    signals.dispose();
  }
}

/** The server could not listen: one line naming the flag and the address, the reason once. */
function cannotListen(host: string, port: number, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !(error instanceof Error)) return error;
  const why =
    code === 'EADDRINUSE'
      ? 'the port is already in use'
      : code === 'EACCES'
        ? 'no permission (a port below 1024 needs privileges)'
        : code === 'EADDRNOTAVAIL'
          ? 'no interface of this machine has that address'
          : error.message.replace(/^listen \w+: /, '').replace(/ \S+:\d+$/, '');
  return new UsageError(`--listen: cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${why} (${code})`);
}
