#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { TidemarkError } from '../errors.js';
import { defaultMaxRecordBytes } from '../io/ndjson-source.js';
import { optionDefaults } from '../options/resolve-options.js';
import { addBenchCommand } from './bench/bench-options.js';
import { addServeCommand } from '../serve/serve-options.js';
import { outputClosedExitCode, outputFailedExitCode } from './exit-codes.js';
import { checkInput } from './input-file.js';
import { checkOutputs } from './output-files.js';
import { overflowOption } from './run/overflow-option.js';
import { concurrency, integer, maxTimerMs, milliseconds, port, windowSpec } from './parse.js';
import { defaultShutdownTimeout, runCommand } from './run/run-command.js';
import { addNatsFlags, natsFlagsWithoutSource } from './nats/nats-flags.js';
import type { NatsFlags } from './nats/nats-flags.js';
import { natsRunCommand } from './nats/nats-run-command.js';
import type { RunCommandOptions } from './run/run-command.js';
import { checkSameFiles } from './same-file.js';
import { stdoutClosed } from './stdout-closed.js';
import { UsageError } from './usage-error.js';
import { version } from './version.js';

const program = new Command('tidemark')
  .version(version)
  .description('Run transforms over message streams on worker threads, with asynchronous data movement.')
  .showHelpAfterError("(see 'tidemark <command> --help')")
  .enablePositionalOptions()
  .exitOverride();

const run = program
  .command('run')
  .description('Read NDJSON records {value, eventTime?, key?}, run them through a transform (or a pipeline of stages), write NDJSON records.')
  .option('--transform <module>', 'transform module (its default export is (value, ctx) => output)')
  .addOption(
    new Option(
      '--pipeline <file>',
      'instead of --transform: run the pipeline of stages this JSON file describes ({"stages": [{"name", "transform"} | {"name", "parallel": {branch: {"transform"}}, "join"} | ...]}, ' +
        'module paths relative to the file; see the README, "Pipelines"); --threads, --attempts, --retry-*, --timeout, --transport, --max-out-of-orderness and --idle-after apply to every stage',
    ).conflicts('transform'),
  )
  .addOption(
    new Option('--reduce <module>', 'instead of --transform: a windowed reduce (its default export is { create, add, result, merge? }); needs --window')
      .conflicts(['transform', 'pipeline']),
  )
  .option('--window <spec>', 'with --reduce: tumbling:<ms>, sliding:<size>/<every> or session:<gap>', windowSpec)
  .option(
    '--allowed-lateness <ms>',
    "with --reduce: ms of event time past a window's end during which a late record still joins it (default: 0)",
    milliseconds,
  )
  .option('--input <file>', "NDJSON input: a file, a named pipe, /dev/stdin, <(command), or '-' for stdin", '-')
  .option('--output <file>', "NDJSON output file, or '-' for stdout (never the input file)", '-')
  .option('--threads <n>', 'worker threads (default: the core count)', integer(1))
  .option('--concurrency <n|min..max>', 'messages in flight at the workers, or min..max to let the adaptive controller find it (default: threads * 4)', concurrency)
  .addOption(new Option('--mode <mode>', 'async, or batch (the baseline)').choices(['async', 'batch']))
  .option('--batch-size <n>', 'messages per batch in batch mode (default: concurrency)', integer(1))
  .option('--ordered', 'emit outputs in input order (default: as they complete); the same as --ordering ordered')
  .addOption(
    new Option('--ordering <mode>', 'unordered, ordered (input order), or key (one message per key at a time, in input order) (default: unordered)')
      .choices(['unordered', 'ordered', 'key'])
      .conflicts('ordered'),
  )
  .option('--attempts <n>', `tries per message before it becomes a failed record (default: ${optionDefaults.attempts})`, integer(1))
  .option(
    '--retry-initial <ms>',
    `retry backoff: ms before the first retry, doubled before each next one (default: ${optionDefaults.backoffInitial})`,
    milliseconds,
  )
  .option(
    '--retry-max <ms>',
    `retry backoff: ms before a retry at most (default: the larger of ${optionDefaults.backoffMaxAtLeast} and --retry-initial)`,
    milliseconds,
  )
  .option(
    '--timeout <ms>',
    `ms one try may take; past it the try fails with a TimeoutError and is retried (default: ${optionDefaults.timeout}, no limit)`,
    milliseconds,
  )
  .addOption(
    new Option(
      '--transport <transport>',
      `how messages reach the workers: ring (shared-memory rings) or task (a piscina task each) (default: ${optionDefaults.transport})`,
    ).choices(['ring', 'task']),
  )
  .option(
    '--ring-bytes <n>',
    'bytes of each ring (two per worker), a power of two from 4096 to 2^30; a record over a quarter of it goes by postMessage ' +
      `(default: ${optionDefaults.ringBytes})`,
    integer(1),
  )
  .option(
    '--max-out-of-orderness <ms>',
    `how far event time may trail the largest seen, up to ${maxTimerMs} (default: ${optionDefaults.maxOutOfOrderness})`,
    milliseconds,
  )
  .option('--idle-after <ms>', `idle time after which the watermark advances, up to ${maxTimerMs} (default: ${optionDefaults.idleAfter})`, milliseconds)
  .option('--quiet', 'no progress on stderr, only the summary')
  .option('--metrics-port <port>', 'serve Prometheus metrics at http://127.0.0.1:<port>/metrics (0: any free port)', port)
  .option('--dead-letter <file>', 'write failed records (and dropped messages) to this NDJSON file instead of the output')
  .option(
    '--max-record-bytes <n>',
    `longest input line; a longer one becomes a failed record (default: ${defaultMaxRecordBytes / 2 ** 20} MiB)`,
    integer(1),
  )
  .option('--input-buffer <n>', 'messages read ahead of the workers at most (default: concurrency / 8)', integer(1))
  .option('--input-buffer-bytes <n>', 'bytes read ahead of the workers at most (default: no limit)', integer(1))
  .addOption(overflowOption('input'))
  .option('--processing-buffer-bytes <n>', 'bytes at the workers at most (default: no limit)', integer(1))
  .addOption(overflowOption('processing', ['block', 'drop-newest', 'reject']))
  .option('--output-buffer <n>', 'settled messages waiting to be written at most (default: 3 * concurrency)', integer(1))
  .option('--output-buffer-bytes <n>', 'bytes of outputs waiting to be written at most (default: no limit)', integer(1))
  .addOption(overflowOption('output'))
  .option(
    '--shutdown-timeout <ms>',
    `after SIGINT or SIGTERM, how long in-flight messages may take to finish before exiting anyway, up to ${maxTimerMs}`,
    milliseconds,
    defaultShutdownTimeout,
  )
  .option(
    '--from <offset>',
    'resume: skip the input lines before this 0-based line (the committed offset a stopped run printed); appends to --output and --dead-letter',
    integer(0),
  )
  .option('--checkpoint <file>', 'keep the committed offset in this file as the run goes, for --from "$(cat <file>)" after a crash');
addNatsFlags(run).action(async (options: RunCommandOptions & NatsFlags, command: Command) => {
  const orphans = natsFlagsWithoutSource(options);
  if (orphans.length > 0) command.error(`error: ${orphans.join(', ')} ${orphans.length === 1 ? 'needs' : 'need'} --source`);
  if (options.source !== undefined) {
    if (options.transform === undefined) command.error("error: required option '--transform <module>' not specified");
    await natsRunCommand({ ...options, source: options.source });
    return;
  }
  if (options.transform === undefined && options.pipeline === undefined && options.reduce === undefined) {
    command.error("error: required option '--transform <module>' not specified");
  }
  // Before anything is opened for writing.
  checkInput(options.input);
  checkSameFiles(options);
  checkOutputs(options);
  if (options.output === '-') {
    if (stdoutClosed()) {
      throw new UsageError(
        '--output: stdout is closed (>&-): the records written there would be lost; redirect it, or give --output a file (--output /dev/null to discard them)',
      );
    }
    process.stdout.off('error', onStdoutError); // the run's sink reports its own
  }
  await runCommand(options);
});

addBenchCommand(program);
addServeCommand(program);

// bench (and demo, its other name) prints its results on stdout; with
// --no-report nothing else would keep them.
program.hook('preAction', (_program, action) => {
  if (action.name() === 'bench' && action.opts()['report'] === false && stdoutClosed()) {
    throw new UsageError('stdout is closed (>&-) and --no-report is given: the results would be lost; redirect stdout, or write the report');
  }
});

/**
 * stdout failing under what writes it directly (the help, bench's results):
 * its reader went away (`| head`) exits as a closed output does; any other
 * error is said once and exits as a failed write. `run` reports its own.
 */
function onStdoutError(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') {
    process.exitCode = outputClosedExitCode;
    return;
  }
  if (process.exitCode === outputFailedExitCode) return;
  process.stderr.write(`tidemark: cannot write stdout: ${oneLine(String(error.code), error.message)}\n`);
  process.exitCode = outputFailedExitCode;
}
process.stdout.on('error', onStdoutError);

/**
 * An error as one line: `<code>: <message>` (the code left out when the
 * message starts with it, as Node's system errors do), a message of several
 * lines joined into one.
 */
function oneLine(code: string, message: string): string {
  const text = message.trim().replace(/\s*\n\s*/g, ' ');
  return text.startsWith(`${code}:`) ? text : `${code}: ${text}`;
}

// Errors end the process through process.exitCode, never process.exit():
// exiting while a worker thread is still being torn down can abort Node 20.
try {
  await program.parseAsync();
} catch (error) {
  const code = (error as { code?: unknown }).code;
  if (error instanceof CommanderError) {
    // commander has printed its one line; usage errors exit 2, --help and --version 0 (or what writing them set).
    if (error.exitCode !== 0) process.exitCode = 2;
  } else if (code === 'EPIPE') {
    process.exitCode = outputClosedExitCode; // the reader of our output went away (| head), as `run` exits for it
  } else if (error instanceof UsageError) {
    process.stderr.write(`tidemark: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof TidemarkError || typeof code === 'string') {
    // Every Tidemark error (an option the engine rejects, a transform it cannot
    // load) and every system error (a path that cannot be opened): one line, no stack.
    process.stderr.write(`tidemark: ${oneLine(String(code), String((error as Error).message))}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
