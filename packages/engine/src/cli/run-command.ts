import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { Engine } from '../engine.js';
import type { OverflowPolicy } from '../buffers/buffer-limit.js';
import { MalformedInputError, RecordTooLargeError } from '../errors.js';
import type { BufferOptions } from '../options/options.js';
import { ndjsonSource } from '../io/ndjson-source.js';
import { DeadLetterSink } from '../io/dead-letter-sink.js';
import { NdjsonSink } from '../io/ndjson-sink.js';
import { Checkpoint } from './checkpoint.js';
import { openInput } from './input-file.js';
import type { OpenedInput } from './input-file.js';
import { Progress } from './progress.js';

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
 * `tidemark run`: NDJSON in, the transform on the pool, NDJSON out; a summary on stderr.
 *
 * The first SIGINT or SIGTERM stops reading, lets what is in flight finish
 * and be written, and exits 130 or 143 naming the committed offset. A second
 * one, or `shutdownTimeout` passing first, exits at once. The committed
 * offset is a line index of the input, so `from` resumes there.
 */
export async function runCommand(options: RunCommandOptions): Promise<void> {
  const engine = new Engine({
    transform: options.transform,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ordering: options.ordered === true ? 'ordered' : 'unordered',
    watermark: {
      ...(options.maxOutOfOrderness === undefined ? {} : { maxOutOfOrderness: options.maxOutOfOrderness }),
      ...(options.idleAfter === undefined ? {} : { idleAfter: options.idleAfter }),
    },
    ...(options.attempts === undefined ? {} : { retry: { attempts: options.attempts } }),
    ...(options.metricsPort === undefined ? {} : { metrics: { port: options.metricsPort } }),
    buffers: {
      input: buffer(options.inputBuffer, options.inputBufferBytes, options.inputOverflow),
      processing: buffer(undefined, options.processingBufferBytes, options.processingOverflow),
      output: buffer(options.outputBuffer, options.outputBufferBytes, options.outputOverflow),
    },
  });
  const started = performance.now();
  const from = options.from ?? 0;
  // Every offset read is at or past `from`; before anything is read the engine says 0.
  const committed = () => Math.max(from, engine.committedOffset);
  let malformed = 0;
  let tooLarge = 0;
  const dropped = new Map<string, number>();
  engine.on('ack', (trace) => {
    checkpoint?.changed();
    if (trace.outcome !== 'dropped' || trace.overflow === undefined) return;
    const key = `${trace.overflow.buffer} ${trace.overflow.policy}`;
    dropped.set(key, (dropped.get(key) ?? 0) + 1);
    deadLetter?.dropped(trace);
  });
  let progress: Progress | undefined;
  let sink: NdjsonSink | undefined;
  let deadLetter: DeadLetterSink | undefined;
  let checkpoint: Checkpoint | undefined;
  let input: OpenedInput | undefined;

  const reading = new AbortController();
  let stoppedBy: StopSignal | undefined;
  let timeout: NodeJS.Timeout | undefined;
  let forcing: Promise<never> | undefined;
  let tearingDown = false;

  const summary = () => {
    const stats = engine.stats;
    const seconds = (performance.now() - started) / 1000;
    if (deadLetter !== undefined) {
      const drops = deadLetter.droppedCount > 0 ? ` and ${deadLetter.droppedCount} dropped messages` : '';
      process.stderr.write(`tidemark: ${deadLetter.written} failed records${drops} written to ${deadLetter.path}\n`);
    }
    if (dropped.size > 0) {
      const by = [...dropped].map(([key, count]) => `${count} by ${key}`).join(', ');
      process.stderr.write(`tidemark: dropped by full buffers: ${by}\n`);
    }
    process.stderr.write(
      `tidemark: ${stats?.read ?? 0} read, ${stats?.emitted ?? 0} outputs, ${stats?.failed ?? 0} failed ` +
        `(${malformed} malformed, ${tooLarge} too large), ${stats?.dropped ?? 0} dropped, ${stats?.late ?? 0} late, ` +
        `${stats?.retried ?? 0} retried in ${seconds.toFixed(2)} s\n`,
    );
  };

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
    const out = new NdjsonSink(await openOutput(options.output, append));
    sink = out;
    if (options.deadLetter !== undefined) deadLetter = await DeadLetterSink.open(options.deadLetter, { append });
    const failed = deadLetter;
    if (options.checkpoint !== undefined) {
      const flushed = () => Promise.all([out.flushed(), failed?.flushed()]).then(() => {});
      checkpoint = await Checkpoint.open(options.checkpoint, from, committed, flushed);
    }
    progress = new Progress(engine, {
      ...(opened.file === undefined ? {} : { input: opened.file }),
      ...(options.quiet === undefined ? {} : { quiet: options.quiet }),
      // A bar redrawn on the terminal the records are written to would tear their lines.
      ...(options.output === '-' && process.stdout.isTTY ? { interactive: false } : {}),
    }).start();
    const source = ndjsonSource(opened.stream, {
      from,
      ...(options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes }),
    });
    for await (const record of engine.process(source, { signal: reading.signal })) {
      if (record.kind === 'failed' && record.error instanceof MalformedInputError) malformed++;
      if (record.kind === 'failed' && record.error instanceof RecordTooLargeError) {
        tooLarge++;
        process.stderr.write(`tidemark: ${record.error.code}: ${record.error.message} (skipped)\n`);
      }
      await (record.kind === 'failed' && deadLetter !== undefined ? deadLetter.write(record) : sink.write(record));
    }
    if (forcing !== undefined) await forcing; // it owns the outputs and the exit now
    clearTimeout(timeout);
    await sink.end();
    await deadLetter?.end();
    await checkpoint?.close(committed());
    progress.stop(); // before the summary: that stays the last line (but for the stop line)
    summary();
    if (stoppedBy !== undefined) {
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

/** One buffer's engine options from its flags (only those given). */
function buffer(messages: number | undefined, bytes: number | undefined, overflow: OverflowPolicy | undefined): BufferOptions {
  return {
    ...(messages === undefined ? {} : { messages }),
    ...(bytes === undefined ? {} : { bytes }),
    ...(overflow === undefined ? {} : { overflow }),
  };
}
