import { logVerbosity, setLogVerbosity } from '@grpc/grpc-js';
import { Option } from 'commander';
import type { Command } from 'commander';
import { shutdownTimedOutExitCode, signalExitCodes } from '../cli/exit-codes.js';
import { withFlagNames } from '../cli/flag-names.js';
import { concurrency, integer, maxTimerMs, milliseconds, port } from '../cli/parse.js';
import { defaultShutdownTimeout } from '../cli/run/run-command.js';
import { onStopSignals } from '../cli/stop-signals.js';
import { UsageError } from '../cli/usage-error.js';
import { InvalidOptionError } from '../errors.js';
import { plural } from '../report/format.js';
import { failedOption, serveNumaflowMap } from './map-server.js';
import type { NumaflowMapServer } from './map-server.js';
import { numaflowFlagNames, numaflowOptions } from './numaflow-flags.js';
import type { NumaflowFlags } from './numaflow-flags.js';
import { defaultMaxMessageBytes, defaultServerInfo, defaultSockets } from './numaflow-options.js';
import { mapModes } from './server-info.js';


const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** `tidemark serve numaflow`: a subcommand of `serve`. */
export function addNumaflowCommand(serve: Command): Command {
  return serve
    .command('numaflow')
    .description(
      "Serve Numaflow's map UDF protocol (map.v1.Map: MapFn and IsReady) on a Unix socket, every request through the engine: " +
        'the UDF container of a Numaflow map vertex. Prints `tidemark: serving unix:PATH` first, once the socket is bound and ' +
        'the server-info file written; SIGINT or SIGTERM removes the socket, stops reading, answers what was received and exits.',
    )
    .option('--transform <module>', "transform module: its default export gets each request's value as a Buffer and returns bytes, a string, { value, keys?, tags? } or null (required)")
    .addOption(
      new Option('--map-mode <mode>', 'unary (requests answered one by one) or batch (batches ended by an EOT), written as MAP_MODE in the server-info file (default: unary)').choices([
        'unary',
        'batch',
      ]),
    )
    .option('--socket <path>', `the Unix socket to serve on; an old socket there is replaced (default: ${defaultSockets.unary}, ${defaultSockets.batch} with --map-mode batch)`)
    .option('--server-info <path>', `the server-info file to write (default: ${defaultServerInfo})`)
    .addOption(
      new Option(
        '--on-failure <what>',
        'a message whose transform failed on every try: error (end its stream with INTERNAL, as the SDKs do: Numaflow restarts the vertex and delivers the message again) or drop (answer it with a DROP message) (default: error)',
      ).choices(['error', 'drop']),
    )
    .option('--threads <n>', 'worker threads (default: the core count)', integer(1))
    .option('--concurrency <n|min..max>', 'messages in flight at the workers, or min..max for the adaptive controller (default: threads * 4)', concurrency)
    .option('--attempts <n>', 'tries per message before it fails for good (default: 3)', integer(1))
    .option('--retry-initial <ms>', 'retry backoff: ms before the first retry, doubled before each next one (default: 10)', milliseconds)
    .option('--retry-max <ms>', 'retry backoff: ms before a retry at most (default: the larger of 1000 and --retry-initial)', milliseconds)
    .option('--timeout <ms>', 'ms one try may take; past it the try fails with a TimeoutError and is retried (default: 0, no limit)', milliseconds)
    .addOption(new Option('--transport <transport>', 'how messages reach the workers: ring or task (default: ring)').choices(['ring', 'task']))
    .option('--ring-bytes <n>', 'bytes of each ring, a power of two from 4096 to 2^30 (default: 1048576)', integer(1))
    .option('--lookahead', 'each worker holds the next message while it runs one: for CPU-bound transforms at concurrency = threads')
    .option('--metrics-port <port>', 'serve Prometheus metrics at http://127.0.0.1:<port>/metrics (0: any free port)', port)
    .option('--read-ahead <n>', 'requests received and not yet taken by the engine at most; past it the streams stop reading (default: the concurrency)', integer(1))
    .option('--max-message-bytes <n>', `the longest gRPC message either way, as Numaflow's (default: ${defaultMaxMessageBytes}, 64 MiB)`, integer(1))
    .option(
      '--shutdown-timeout <ms>',
      `after SIGINT or SIGTERM, how long the requests received may take to be answered before exiting anyway, up to ${maxTimerMs}`,
      milliseconds,
      defaultShutdownTimeout,
    )
    .action(async (flags: NumaflowFlags, command: Command) => {
      refuseServeFlags(command);
      if (flags.transform === undefined) command.error("error: required option '--transform <module>' not specified");
      await serveNumaflowCommand(flags);
    });
}

/**
 * A flag of `serve` given before `numaflow` (`serve --listen … numaflow`)
 * would be parsed by `serve` and then do nothing: refused. (After
 * `numaflow`, every flag is the subcommand's, and one it does not have is
 * refused by commander.) `--token` from `TIDEMARK_TOKEN` is no flag given.
 */
function refuseServeFlags(command: Command): void {
  const serve = command.parent;
  if (serve === null) return;
  for (const option of serve.options) {
    const key = option.attributeName();
    if (serve.getOptionValueSource(key) !== 'cli') continue;
    command.error(`error: ${option.long ?? option.flags} is a flag of \`tidemark serve\`, not of \`tidemark serve numaflow\`: give the subcommand's flags after \`numaflow\``);
  }
}

/**
 * `tidemark serve numaflow` until SIGINT or SIGTERM. The first stdout line
 * is `tidemark: serving unix:PATH`; the log (streams opened and ended, a
 * failed message) goes to stderr. The first signal removes the socket,
 * stops reading requests, answers every request received, ends the streams
 * and exits 130 or 143; past `shutdownTimeout` (or at a second signal) it
 * cuts them and exits 1 (or 130 or 143) at once. An
 * engine that stops (a transform module that cannot be loaded) ends every
 * stream with INTERNAL and exits 2 with its error.
 */
export async function serveNumaflowCommand(flags: NumaflowFlags): Promise<void> {
  // gRPC's own log would repeat on stderr what this command reports in its words; GRPC_VERBOSITY still turns it on.
  if (process.env['GRPC_VERBOSITY'] === undefined) setLogVerbosity(logVerbosity.NONE);
  const server = await start(flags);
  process.stdout.write(`tidemark: serving unix:${server.socket}\n`);
  log(`tidemark: wrote ${server.serverInfo} (MAP_MODE ${mapModes[server.mapMode]}); ${server.engine.options.threads} threads, concurrency ${server.engine.concurrency}`);

  const signals = onStopSignals((signal) => {
    log(`tidemark: ${signal} again: exiting now, cutting ${plural(server.streams, 'stream')} with ${plural(server.pending, 'request')} unanswered`);
    server.terminate();
    process.exit(signalExitCodes[signal]);
  });
  let timeout: NodeJS.Timeout | undefined;
  try {
    const signal = await Promise.race([signals.stopped, server.closed.then(() => undefined)]);
    if (signal === undefined) return; // closed without a signal: not by this command
    log(
      `tidemark: ${signal}: stopped accepting and reading; answering ${plural(server.pending, 'request')} on ` +
        `${plural(server.streams, 'stream')} within ${flags.shutdownTimeout} ms (--shutdown-timeout; ${signal} again to exit at once)`,
    );
    const done = server.close();
    timeout = setTimeout(() => {
      log(`tidemark: shutdown timed out after ${flags.shutdownTimeout} ms: exiting, cutting ${plural(server.streams, 'stream')} with ${plural(server.pending, 'request')} unanswered`);
      server.terminate();
      process.exit(shutdownTimedOutExitCode);
    }, flags.shutdownTimeout);
    await done;
    await server.closed.catch(() => {}); // a run that failed while draining was logged
    log(`tidemark: stopped by ${signal}`);
    process.exitCode = signalExitCodes[signal];
  } finally {
    clearTimeout(timeout);
    signals.dispose();
  }
}

/** The server, or the reason it could not start, naming the flag of the step that failed. */
async function start(flags: NumaflowFlags): Promise<NumaflowMapServer> {
  const options = { ...numaflowOptions(flags), log };
  try {
    return await serveNumaflowMap(options);
  } catch (error) {
    if (error instanceof InvalidOptionError) throw withFlagNames(error, numaflowFlagNames);
    const option = failedOption(error);
    if (option === undefined || !(error instanceof Error)) throw error;
    const why = systemError(error);
    if (option === 'serverInfo') throw new UsageError(`--server-info: cannot write ${options.serverInfo ?? defaultServerInfo}: ${why}`);
    throw new UsageError(`--socket: cannot listen on ${options.socket ?? defaultSockets[options.mapMode ?? 'unary']}: ${why}`);
  }
}

/**
 * A failed step's error in a few words, without the paths in it (they are
 * private names, or the one the line already gives): the file system's
 * (`ENOENT: no such file or directory, open '…'`) or gRPC's wrap of the
 * listen error (`… errors: [listen EACCES: permission denied /path]`).
 */
function systemError(error: Error): string {
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (syscall !== undefined) return `${error.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*$/, '')} (${String(code)})`;
  const listen = /listen (E[A-Z]+): (.*?) \//.exec(error.message);
  return listen === null ? error.message.replace(/\s*\n\s*/g, ' ') : `${listen[2]} (${listen[1]})`;
}
