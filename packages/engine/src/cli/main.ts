#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { TidemarkError } from '../errors.js';
import { addBenchCommand } from './bench-options.js';
import { checkInput } from './input-file.js';
import { checkOutputs } from './output-files.js';
import { overflowOption } from './overflow-option.js';
import { integer, maxTimerMs, milliseconds, port } from './parse.js';
import { runCommand } from './run-command.js';
import type { RunCommandOptions } from './run-command.js';
import { checkSameFiles } from './same-file.js';
import { UsageError } from './usage-error.js';
import { version } from './version.js';

const program = new Command('tidemark')
  .version(version)
  .description('Run transforms over message streams on worker threads, with asynchronous data movement.')
  .showHelpAfterError("(see 'tidemark <command> --help')")
  .exitOverride();

program
  .command('run')
  .description('Read NDJSON records {value, eventTime?, key?}, run them through a transform, write NDJSON records.')
  .requiredOption('--transform <module>', 'transform module (its default export is (value, ctx) => output)')
  .option('--input <file>', "NDJSON input: a file, a named pipe, /dev/stdin, <(command), or '-' for stdin", '-')
  .option('--output <file>', "NDJSON output file, or '-' for stdout (never the input file)", '-')
  .option('--threads <n>', 'worker threads (default: the core count)', integer(1))
  .option('--concurrency <n>', 'messages in flight at the workers (default: threads * 4)', integer(1))
  .addOption(new Option('--mode <mode>', 'async, or batch (the baseline)').choices(['async', 'batch']))
  .option('--batch-size <n>', 'messages per batch in batch mode (default: concurrency)', integer(1))
  .option('--ordered', 'emit outputs in input order (default: as they complete)')
  .option('--attempts <n>', 'tries per message before it becomes a failed record (default: 3)', integer(1))
  .option('--retry-initial <ms>', 'retry backoff: ms before the first retry, doubled before each next one (default: 10)', milliseconds)
  .option('--retry-max <ms>', 'retry backoff: ms before a retry at most (default: the larger of 1000 and --retry-initial)', milliseconds)
  .option('--timeout <ms>', 'ms one try may take; past it the try fails with a TimeoutError and is retried (default: 0, no limit)', milliseconds)
  .addOption(
    new Option('--transport <transport>', 'how messages reach the workers: ring (shared-memory rings) or task (a piscina task each) (default: ring)').choices([
      'ring',
      'task',
    ]),
  )
  .option(
    '--ring-bytes <n>',
    'bytes of each ring (two per worker), a power of two from 4096 to 2^30; a record over a quarter of it goes by postMessage (default: 1048576)',
    integer(1),
  )
  .option('--max-out-of-orderness <ms>', `how far event time may trail the largest seen, up to ${maxTimerMs} (default: 0)`, milliseconds)
  .option('--idle-after <ms>', `idle time after which the watermark advances, up to ${maxTimerMs} (default: 1000)`, milliseconds)
  .option('--quiet', 'no progress on stderr, only the summary')
  .option('--metrics-port <port>', 'serve Prometheus metrics at http://127.0.0.1:<port>/metrics (0: any free port)', port)
  .option('--dead-letter <file>', 'write failed records (and dropped messages) to this NDJSON file instead of the output')
  .option('--max-record-bytes <n>', 'longest input line; a longer one becomes a failed record (default: 16 MiB)', integer(1))
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
    10_000,
  )
  .option(
    '--from <offset>',
    'resume: skip the input lines before this 0-based line (the committed offset a stopped run printed); appends to --output and --dead-letter',
    integer(0),
  )
  .option('--checkpoint <file>', 'keep the committed offset in this file as the run goes, for --from "$(cat <file>)" after a crash')
  .action(async (options: RunCommandOptions) => {
    // Before anything is opened for writing.
    checkInput(options.input);
    checkSameFiles(options);
    checkOutputs(options);
    await runCommand(options);
  });

addBenchCommand(program);

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
    // commander has printed its one line; usage errors exit 2, --help and --version 0.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (code === 'EPIPE') {
    process.exitCode = 0; // the reader of our output went away (| head)
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
