import { constants } from 'node:buffer';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { maxTimerMs, milliseconds } from '../cli/parse.js';
import { defaultShutdownTimeout } from '../cli/run/run-command.js';
import { addNumaflowCommand } from '../numaflow/serve-numaflow-command.js';
import { listenAddress } from './listen-address.js';
import type { ListenAddress } from './listen-address.js';
import { serveCommand } from './serve-command.js';

/** `--listen`'s default: loopback, on a fixed port so that the live page keeps its address. */
export const defaultListen = '127.0.0.1:7700';
/** `--max-frame-bytes`' default: 64 MiB. */
export const defaultMaxFrameBytes = 64 * 2 ** 20;
/** `--heartbeat`'s default: a ping every 30 s, so a host gone without closing is let go within a minute. */
export const defaultHeartbeat = 30_000;
/** `--max-frame-bytes`' bounds: a frame must hold a call; a text frame becomes one string, which V8 caps. */
const minFrameBytes = 1024;
const maxFrameBytes = constants.MAX_STRING_LENGTH;

/** What commander parses. */
interface ServeFlags {
  listen?: ListenAddress;
  transforms?: string;
  token?: string;
  maxFrameBytes?: number;
  shutdownTimeout: number;
  heartbeat: number;
}

/**
 * `tidemark serve`: engines for hosts in other processes and runtimes, over
 * WebSocket; `tidemark serve numaflow`, its subcommand, serves Numaflow's map
 * UDF protocol instead.
 */
export function addServeCommand(program: Command): Command {
  const serve = program
    .command('serve')
    .description(
      'Serve engines over WebSocket to hosts in other processes and runtimes (connectEngine from @tidemark/engine/client ' +
        'in Node, Deno, Bun or a browser), and the live page on the same port. Prints `tidemark: serving ws://HOST:PORT` first; ' +
        'SIGINT or SIGTERM drains every run and exits.',
    )
    // Its options end where `numaflow` starts: `serve numaflow --shutdown-timeout` is the subcommand's. Commander
    // honours this only when the program has positional options too (main.ts): otherwise the program hands `serve`
    // every argument after `serve numaflow` to parse, and `serve` keeps the flags it knows. A flag of `serve` given
    // before `numaflow` is refused by `serve numaflow` (serve-numaflow-command.ts).
    .enablePositionalOptions()
    // Checked by the action, not by commander: commander would demand it of `serve numaflow` too.
    .option('--transforms <dir>', 'the folder hosts name transforms (and far-side sources) in, by a path relative to it; nothing outside it can be named (required)')
    .option(
      '--listen <address>',
      `where to listen: HOST:PORT, [IPV6]:PORT, or PORT on 127.0.0.1 (0: any free port); an address other than loopback needs --token (default: ${defaultListen})`,
      listenAddress,
    )
    .addOption(
      new Option(
        '--token <token>',
        'every connection must bring this token (?token=… in the ws:// URL, or an Authorization: Bearer header); needed to listen beyond loopback',
      ).env('TIDEMARK_TOKEN'),
    )
    .option(
      '--max-frame-bytes <n>',
      `longest frame a host may send; a longer one closes its connection (1009) (default: ${defaultMaxFrameBytes / 2 ** 20} MiB)`,
      frameBytes,
    )
    .option(
      '--shutdown-timeout <ms>',
      `after SIGINT or SIGTERM, how long the hosts may take to receive what is in flight before the connections are closed anyway, up to ${maxTimerMs}`,
      milliseconds,
      defaultShutdownTimeout,
    )
    .option(
      '--heartbeat <ms>',
      'ping every connection this often; one with no pong since the previous ping (a host gone without closing: ' +
        'its machine or network went away) is closed and its runs and engines let go; 0: never',
      milliseconds,
      defaultHeartbeat,
    )
    .action(async (flags: ServeFlags, command: Command) => {
      const { transforms } = flags;
      if (transforms === undefined) command.error("error: required option '--transforms <dir>' not specified");
      await serveCommand({ ...flags, transforms, listen: flags.listen ?? listenAddress(defaultListen), maxFrameBytes: flags.maxFrameBytes ?? defaultMaxFrameBytes });
    });
  addNumaflowCommand(serve);
  return serve;
}

/** A commander parser for `--max-frame-bytes`. */
function frameBytes(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < minFrameBytes || value > maxFrameBytes) {
    throw new InvalidArgumentError(`expected an integer from ${minFrameBytes} to ${maxFrameBytes} (the longest string V8 holds: a text frame becomes one)`);
  }
  return value;
}
