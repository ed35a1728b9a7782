import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { Engine } from '../../engine.js';
import { InvalidOptionError } from '../../errors.js';
import { DeadLetterSink } from '../../io/dead-letter-sink.js';
import { NdjsonSink } from '../../io/ndjson-sink.js';
import { ndjsonSource } from '../../io/ndjson-source.js';
import { shutdownTimedOutExitCode, signalExitCodes } from '../exit-codes.js';
import { openInput } from '../input-file.js';
import type { OpenedInput } from '../input-file.js';
import { cannotWrite } from '../output-files.js';
import { Progress } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { AckedBytes } from './acked-bytes.js';
import { Checkpoint } from './checkpoint.js';
import { withFlagNames } from '../flag-names.js';
import { engineFlags, engineOptions, withDefaultsNamed } from './engine-flags.js';
import { outputFailure } from './output-failure.js';
import { pipelineFromFlags } from './pipeline-flags.js';
import type { RunEngine } from './pipeline-flags.js';
import type { OutputFailure, OutputFlag } from './output-failure.js';
import { plural } from '../../report/format.js';
import { RunTally } from './run-tally.js';
import type { RunCommandOptions } from './run-options.js';

export type { RunCommandOptions } from './run-options.js';

/** `--shutdown-timeout`'s default, ms. */
export const defaultShutdownTimeout = 10_000;

type StopSignal = keyof typeof signalExitCodes;

/**
 * `tidemark run`: NDJSON in, the transform on the pool, NDJSON out; a summary on stderr.
 *
 * The first SIGINT or SIGTERM stops reading, lets what is in flight finish
 * and be written, and exits 130 or 143 naming the committed offset. A second
 * one, or `shutdownTimeout` passing first, exits at once. The committed
 * offset is a line index of the input, so `from` resumes there.
 *
 * An output that fails (its reader went away, `EPIPE`, such as `| head`; or
 * a write error, `ENOSPC`) stops reading at once and ends naming it, what
 * was written and the committed offset (see {@link OutputFailure}).
 */
export async function runCommand(options: RunCommandOptions): Promise<void> {
  let engine: RunEngine;
  try {
    const pipeline = options.pipeline;
    engine = pipeline === undefined ? new Engine(engineOptions(options)) : await pipelineFromFlags({ ...options, pipeline });
  } catch (error) {
    if (options.pipeline !== undefined) throw error;
    throw error instanceof InvalidOptionError ? withDefaultsNamed(withFlagNames(error, engineFlags), options) : error;
  }
  const tally = new RunTally();
  let progress: Progress | undefined;
  let sink: NdjsonSink | undefined;
  let deadLetter: DeadLetterSink | undefined;
  let checkpoint: Checkpoint | undefined;
  let input: OpenedInput | undefined;
  const from = options.from ?? 0;
  // Where the lines lie and which are done: progress over a file, and how many lines `from` skipped.
  const positions = new AckedBytes();
  // Every offset read is at or past `from`; before anything is read the
  // engine says 0. A record acked but not (or not yet) written holds it back.
  const committed = () =>
    Math.min(Math.max(from, engine.committedOffset), sink?.lowestUnwritten ?? Infinity, deadLetter?.lowestUnwritten ?? Infinity);
  engine.on('ack', (trace) => {
    positions.acked(trace.offset);
    checkpoint?.changed();
    tally.acked(trace);
    if (trace.outcome === 'dropped') deadLetter?.dropped(trace);
  });

  const reading = new AbortController();
  let stoppedBy: StopSignal | undefined;
  let timeout: NodeJS.Timeout | undefined;
  let forcing: Promise<never> | undefined;
  let tearingDown = false;

  // An output that failed ends the run (the loop is left: reading stops).
  let failure: OutputFailure | undefined;
  // A dead-letter file that failed is not said to hold its records: the failure's line says what it holds.
  const summary = () => tally.write(engine.stats, failure?.flag === '--dead-letter' ? undefined : deadLetter, sink?.unwritable ?? 0);

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
    progress?.stop('stopped');
    const ended = await Promise.allSettled([sink?.end(), deadLetter?.end()]);
    if (ended.every((result) => result.status === 'fulfilled')) await checkpoint?.close(offset).catch(() => {});
    summary();
    process.stderr.write(
      `tidemark: ${why}: exiting with ${plural(inFlight, 'message')} still in flight; ` +
        `committed offset ${offset} (resume there to lose nothing)\n`,
    );
    process.exit(code);
  };

  const onSignal = (signal: StopSignal) => {
    if (stoppedBy === undefined) {
      stoppedBy = signal;
      process.stderr.write(
        `tidemark: ${signal}: stopping; finishing the ${plural(engine.inFlight, 'message')} in flight (${signal} again to exit at once)\n`,
      );
      reading.abort();
      // The reader has stopped; an open stdin would keep the process alive.
      input?.stream.destroy();
      const ms = options.shutdownTimeout ?? defaultShutdownTimeout;
      timeout = setTimeout(() => {
        forcing ??= forceExit(shutdownTimedOutExitCode, `shutdown timed out after ${ms} ms`);
      }, ms);
    } else if (tearingDown) {
      // All settled and written; only stopping the workers is left, which
      // ends by itself (and must not be cut short, see forceExit).
      process.stderr.write(`tidemark: ${signal} again: already drained, stopping the workers\n`);
    } else if (forcing === undefined) {
      forcing = forceExit(signalExitCodes[signal], `${signal} again`);
    } else {
      process.exit(signalExitCodes[signal]); // a third signal: flushing the outputs hangs
    }
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  try {
    const metricsPort = await engine.metricsPort.catch((error: unknown) => {
      throw cannotListen(options.metricsPort, error);
    });
    if (metricsPort !== undefined) process.stderr.write(`tidemark: metrics at http://127.0.0.1:${metricsPort}/metrics\n`);
    // The input first: nothing is truncated for an input that cannot be opened.
    const opened = openInput(options.input);
    input = opened;
    if (stoppedBy !== undefined) opened.stream.destroy();
    const append = options.from !== undefined; // a resumed run adds to the files of the one it resumes
    const outStream = await opening('--output', options.output, openOutput(options.output, append));
    if (options.deadLetter !== undefined) deadLetter = await opening('--dead-letter', options.deadLetter, DeadLetterSink.open(options.deadLetter, { append }));
    const dead = deadLetter;
    // An output JSON cannot encode becomes a failed record, which goes where the failed records go.
    const out = new NdjsonSink(outStream, dead === undefined ? {} : { deadLetter: (record) => toDeadLetter(dead, () => dead.write(record)) });
    sink = out;
    if (options.checkpoint !== undefined) {
      // An output that failed has nothing left to flush: the committed offset stays below its first record not written (see `committed`).
      const flushed = () => Promise.all([out.flushed().catch(() => {}), dead?.flushed().catch(() => {})]).then(() => {});
      checkpoint = await opening('--checkpoint', options.checkpoint, Checkpoint.open(options.checkpoint, from, committed, flushed));
    }
    // Over a file, progress is its bytes done: the source says where each line lies, the acks which are done.
    const file = opened.file;
    progress = new Progress(engine, {
      ...(file === undefined
        ? {}
        : {
            input: {
              size: file.size,
              bytesDone: () => positions.done,
              ...(from > 0 ? { from: { line: from, byte: () => positions.start } } : {}),
            },
          }),
      ...(options.quiet === undefined ? {} : { quiet: options.quiet }),
      // A bar redrawn on the terminal the records are written to would tear their lines.
      ...(options.output === '-' && process.stdout.isTTY ? { interactive: false } : {}),
    }).start();
    const source = ndjsonSource(opened.stream, {
      from,
      ...(options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes }),
      positions,
    });
    for await (const record of engine.process(source, { signal: reading.signal })) {
      tally.record(record);
      let flag: OutputFlag = '--output';
      try {
        if (record.kind === 'failed' && dead !== undefined) {
          flag = '--dead-letter';
          await dead.write(record);
        } else {
          await out.write(record);
        }
      } catch (error) {
        failure = outputFailure(flag, flag === '--output' ? options.output : (dead?.path ?? ''), error);
        break;
      }
    }
    if (forcing !== undefined) await forcing; // it owns the outputs and the exit now
    clearTimeout(timeout);
    if (failure !== undefined) opened.stream.destroy(); // stop reading now: an open stdin would hold the process
    // Finishing an output can fail too (its last writes): the run ends the same way.
    const outEnded = await ending('--output', options.output, out.end());
    const deadEnded = dead === undefined ? undefined : await ending('--dead-letter', dead.path, dead.end());
    failure ??= outEnded ?? deadEnded;
    await checkpoint?.close(committed());
    // Before the summary: that stays the last line (but for the stop line).
    progress.stop(failure === undefined && stoppedBy === undefined ? 'done' : 'stopped');
    const skipped = positions.skippedLines;
    if (failure === undefined && stoppedBy === undefined && skipped !== undefined && skipped < from) {
      process.stderr.write(`tidemark: the input has ${plural(skipped, 'line')}, fewer than --from ${from}: nothing was read\n`);
    }
    summary();
    if (failure !== undefined) {
      process.stderr.write(`${failure.stderrLine(failure.flag === '--output' ? out.written : (dead?.linesWritten ?? 0), committed())}\n`);
      process.exitCode = failure.exitCode;
    } else if (stoppedBy !== undefined) {
      process.stderr.write(`tidemark: stopped by ${stoppedBy}; committed offset ${committed()} (resume there to lose nothing)\n`);
      process.exitCode = signalExitCodes[stoppedBy];
    }
  } finally {
    clearTimeout(timeout);
    progress?.stop('stopped');
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

/** A write to the dead-letter file (for a failed record the sink made), its failure as `--dead-letter`'s. */
function toDeadLetter(dead: DeadLetterSink, write: () => Promise<void> | undefined): Promise<void> | undefined {
  try {
    return write()?.catch((error: unknown) => {
      throw outputFailure('--dead-letter', dead.path, error);
    });
  } catch (error) {
    throw outputFailure('--dead-letter', dead.path, error);
  }
}

/** How finishing `flag`'s output went: undefined, or its failure. */
function ending(flag: OutputFlag, path: string, ended: Promise<void>): Promise<OutputFailure | undefined> {
  return ended.then(
    () => undefined,
    (error: unknown) => outputFailure(flag, path, error),
  );
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

/** `--metrics-port`'s server could not listen: one line naming the flag and the port, the reason once. */
function cannotListen(port: number | undefined, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !(error instanceof Error)) return error;
  const why =
    code === 'EADDRINUSE'
      ? 'the port is already in use'
      : code === 'EACCES'
        ? 'no permission (a port below 1024 needs privileges)'
        : error.message.replace(/^listen \w+: /, '').replace(/ [\d.]+:\d+$/, '');
  return new UsageError(`--metrics-port: cannot listen on 127.0.0.1:${port ?? 0}: ${why} (${code})`);
}
