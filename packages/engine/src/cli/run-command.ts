import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { Engine } from '../engine.js';
import type { OverflowPolicy } from '../buffers/buffer-limit.js';
import { InvalidOptionError } from '../errors.js';
import { ndjsonSource } from '../io/ndjson-source.js';
import { DeadLetterSink } from '../io/dead-letter-sink.js';
import { NdjsonSink } from '../io/ndjson-sink.js';
import { AckedBytes } from './acked-bytes.js';
import { Checkpoint } from './checkpoint.js';
import { engineOptions, withFlagNames } from './engine-flags.js';
import { openInput } from './input-file.js';
import type { OpenedInput } from './input-file.js';
import { cannotWrite } from './output-files.js';
import { Progress } from './progress.js';
import { RunTally } from './run-tally.js';

/** Options of `tidemark run`. */
export interface RunCommandOptions {
  transform: string;
  input: string;
  output: string;
  threads?: number;
  concurrency?: number;
  mode?: 'async' | 'batch';
  batchSize?: number;
  ordered?: boolean;
  attempts?: number;
  /** Retry backoff: ms before the first retry, doubling each try. */
  retryInitial?: number;
  /** Retry backoff: ms between tries at most. */
  retryMax?: number;
  /** ms one try may take (0: no limit). */
  timeout?: number;
  transport?: 'ring' | 'task';
  ringBytes?: number;
  maxOutOfOrderness?: number;
  idleAfter?: number;
  quiet?: boolean;
  metricsPort?: number;
  /** Write failed records to this NDJSON file instead of the output. */
  deadLetter?: string;
  /** After SIGINT or SIGTERM, how long (ms) in-flight messages may take to finish. @default 10000 */
  shutdownTimeout?: number;
  /** Bytes one input line may have; a longer one becomes a failed record. @default 16 MiB */
  maxRecordBytes?: number;
  inputBuffer?: number;
  inputBufferBytes?: number;
  inputOverflow?: OverflowPolicy;
  processingBufferBytes?: number;
  processingOverflow?: OverflowPolicy;
  outputBuffer?: number;
  outputBufferBytes?: number;
  outputOverflow?: OverflowPolicy;
  /**
   * Skip the input lines before this 0-based line index (a committed offset
   * printed or checkpointed by an earlier run); offsets stay the input's line
   * indexes. The output and dead-letter files are appended to, not truncated.
   */
  from?: number;
  /** Keep the committed offset in this file as the run goes (see {@link Checkpoint}). */
  checkpoint?: string;
}

/** The shell's convention: 128 + the signal's number. */
const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof exitCodes;

/**
 * The output was closed before the run ended (`tidemark run | head`): 141,
 * 128 + SIGPIPE's 13, what a shell reports for a writer that SIGPIPE killed,
 * so `set -o pipefail` and `$?` tell it from a run that read all its input.
 */
export const outputClosedExitCode = 141;

/**
 * `tidemark run`: NDJSON in, the transform on the pool, NDJSON out; a summary on stderr.
 *
 * The first SIGINT or SIGTERM stops reading, lets what is in flight finish
 * and be written, and exits 130 or 143 naming the committed offset. A second
 * one, or `shutdownTimeout` passing first, exits at once. The committed
 * offset is a line index of the input, so `from` resumes there.
 *
 * An output closed before the run ends (its reader went away: `| head`)
 * stops reading at once and exits {@link outputClosedExitCode}, naming the
 * records written and the committed offset.
 */
export async function runCommand(options: RunCommandOptions): Promise<void> {
  let engine: Engine;
  try {
    engine = new Engine(engineOptions(options));
  } catch (error) {
    throw error instanceof InvalidOptionError ? withFlagNames(error) : error;
  }
  const tally = new RunTally();
  let progress: Progress | undefined;
  let sink: NdjsonSink | undefined;
  let deadLetter: DeadLetterSink | undefined;
  let checkpoint: Checkpoint | undefined;
  let input: OpenedInput | undefined;
  let acked: AckedBytes | undefined;
  const from = options.from ?? 0;
  // Every offset read is at or past `from`; before anything is read the
  // engine says 0. A record acked but not (or not yet) written holds it back.
  const committed = () =>
    Math.min(Math.max(from, engine.committedOffset), sink?.lowestUnwritten ?? Infinity, deadLetter?.lowestUnwritten ?? Infinity);
  engine.on('ack', (trace) => {
    acked?.acked(trace.offset);
    checkpoint?.changed();
    tally.acked(trace);
    if (trace.outcome === 'dropped') deadLetter?.dropped(trace);
  });

  const reading = new AbortController();
  let stoppedBy: StopSignal | undefined;
  let timeout: NodeJS.Timeout | undefined;
  let forcing: Promise<never> | undefined;
  let tearingDown = false;

  const summary = () => tally.write(engine.stats, deadLetter);

  // Exits without waiting for what is still in flight: a hung transform
  // would never let the run end, and its worker threads keep the process
  // alive. process.exit() is the last resort because exiting while a worker
  // is being torn down can abort Node 20; this path never starts that
  // teardown (no engine.close()), and the normal path, once it has, does not
  // come here. The committed offset is taken before the outputs are flushed:
  // every record yielded after it is at or past it. So is the checkpoint,
  // written once the outputs are (and not when they failed).
  const forceExit = async (code: number, why: string): Promise<never> => {
    const offset = committed();
    const inFlight = engine.inFlight;
    clearTimeout(timeout);
    progress?.stop();
    const ended = await Promise.allSettled([sink?.end(), deadLetter?.end()]);
    if (ended.every((result) => result.status === 'fulfilled')) await checkpoint?.close(offset).catch(() => {});
    summary();
    process.stderr.write(
      `tidemark: ${why}: exiting with ${inFlight} messages still in flight; ` +
        `committed offset ${offset} (resume there to lose nothing)\n`,
    );
    process.exit(code);
  };

  const onSignal = (signal: StopSignal) => {
    if (stoppedBy === undefined) {
      stoppedBy = signal;
      process.stderr.write(
        `tidemark: ${signal}: stopping; finishing the ${engine.inFlight} messages in flight (${signal} again to exit at once)\n`,
      );
      reading.abort();
      // The reader has stopped; an open stdin would keep the process alive.
      input?.stream.destroy();
      const ms = options.shutdownTimeout ?? 10_000;
      timeout = setTimeout(() => {
        forcing ??= forceExit(1, `shutdown timed out after ${ms} ms`);
      }, ms);
    } else if (tearingDown) {
      // All settled and written; only stopping the workers is left, which
      // ends by itself (and must not be cut short, see forceExit).
      process.stderr.write(`tidemark: ${signal} again: already drained, stopping the workers\n`);
    } else if (forcing === undefined) {
      forcing = forceExit(exitCodes[signal], `${signal} again`);
    } else {
      process.exit(exitCodes[signal]); // a third signal: flushing the outputs hangs
    }
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  try {
    const metricsPort = await engine.metricsPort;
    if (metricsPort !== undefined) process.stderr.write(`tidemark: metrics at http://127.0.0.1:${metricsPort}/metrics\n`);
    // The input first: nothing is truncated for an input that cannot be opened.
    const opened = openInput(options.input);
    input = opened;
    if (stoppedBy !== undefined) opened.stream.destroy();
    const append = options.from !== undefined; // a resumed run adds to the files of the one it resumes
    const out = new NdjsonSink(await opening('--output', options.output, openOutput(options.output, append)));
    sink = out;
    const deadLetterPath = options.deadLetter;
    if (deadLetterPath !== undefined) deadLetter = await opening('--dead-letter', deadLetterPath, DeadLetterSink.open(deadLetterPath, { append }));
    const failed = deadLetter;
    if (options.checkpoint !== undefined) {
      // A closed output loses no record past the committed offset (see `committed`): it has nothing left to flush.
      const flushed = () => Promise.all([out.flushed().catch(unlessClosed), failed?.flushed()]).then(() => {});
      checkpoint = await opening('--checkpoint', options.checkpoint, Checkpoint.open(options.checkpoint, from, committed, flushed));
    }
    // Over a file, progress is its bytes done: the source says where each line lies, the acks which are done.
    const file = opened.file;
    const done = file === undefined ? undefined : new AckedBytes();
    acked = done;
    progress = new Progress(engine, {
      ...(file === undefined || done === undefined ? {} : { input: { size: file.size, bytesDone: () => done.done } }),
      ...(options.quiet === undefined ? {} : { quiet: options.quiet }),
      // A bar redrawn on the terminal the records are written to would tear their lines.
      ...(options.output === '-' && process.stdout.isTTY ? { interactive: false } : {}),
    }).start();
    const source = ndjsonSource(opened.stream, {
      from,
      ...(options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes }),
      ...(done === undefined ? {} : { positions: done }),
    });
    // The output's reader went away (EPIPE): leaving the loop stops the run reading.
    let closed: Error | undefined;
    for await (const record of engine.process(source, { signal: reading.signal })) {
      tally.record(record);
      if (record.kind === 'failed' && deadLetter !== undefined) {
        await deadLetter.write(record);
        continue;
      }
      try {
        await sink.write(record);
      } catch (error) {
        closed = unlessClosed(error);
        break;
      }
    }
    if (forcing !== undefined) await forcing; // it owns the outputs and the exit now
    clearTimeout(timeout);
    if (closed === undefined) closed = await sink.end().then(() => undefined, unlessClosed);
    else opened.stream.destroy(); // stop reading now: an open stdin would hold the process
    await deadLetter?.end();
    await checkpoint?.close(committed());
    progress.stop(); // before the summary: that stays the last line (but for the stop line)
    summary();
    if (closed !== undefined) {
      process.stderr.write(
        `tidemark: the output was closed (${String((closed as NodeJS.ErrnoException).code)}) after ${out.written} records were written; ` +
          `stopped reading; committed offset ${committed()} (resume there to lose nothing)\n`,
      );
      process.exitCode = outputClosedExitCode;
    } else if (stoppedBy !== undefined) {
      process.stderr.write(
        `tidemark: stopped by ${stoppedBy}; committed offset ${committed()} (resume there to lose nothing)\n`,
      );
      process.exitCode = exitCodes[stoppedBy];
    }
  } finally {
    clearTimeout(timeout);
    progress?.stop();
    checkpoint?.stop();
    // A pipe still open for reading (the run failed before reading it to its end) would hold the process.
    input?.stream.destroy();
    if (forcing !== undefined) await forcing;
    tearingDown = true;
    try {
      await engine.close();
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    }
  }
}

/** `--output`: stdout, or the file created (or truncated; with `append`, added to). */
async function openOutput(path: string, append: boolean): Promise<Writable> {
  if (path === '-') return process.stdout;
  const stream = createWriteStream(path, { flags: append ? 'a' : 'w' });
  await once(stream, 'open'); // rejects at once on a missing folder or no permission
  return stream;
}

/** What `opened` resolves to, or its failure to open `path` as the error that names `flag`. */
async function opening<T>(flag: string, path: string, opened: Promise<T>): Promise<T> {
  try {
    return await opened;
  } catch (error) {
    throw cannotWrite(flag, path, error);
  }
}

/** The error of an output whose reader went away (a closed pipe), returned; any other error thrown. */
function unlessClosed(error: unknown): Error {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EPIPE') throw error;
  return error as Error;
}
