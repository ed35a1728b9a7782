import { InvalidOptionError } from '../../errors.js';
import { runJetStream } from '../../nats/run-jetstream.js';
import type { JetStreamRun } from '../../nats/jetstream-run.js';
import type { JetStreamStats } from '../../nats/jetstream-run-types.js';
import { shutdownTimedOutExitCode, signalExitCodes } from '../exit-codes.js';
import { withFlagNames } from '../flag-names.js';
import { Progress } from '../progress.js';
import { onStopSignals } from '../stop-signals.js';
import { UsageError } from '../usage-error.js';
import { engineFlags, engineOptions, withDefaultsNamed } from '../run/engine-flags.js';
import { defaultShutdownTimeout } from '../run/run-command.js';
import type { RunCommandOptions } from '../run/run-options.js';
import { RunTally } from '../run/run-tally.js';
import { bucketFlagsWithoutBucket, natsFlagNames } from './nats-flags.js';
import type { NatsFlags } from './nats-flags.js';

/**
 * `tidemark run --source nats://…`: one process's share of a durable
 * JetStream consumer, through the transform, out to the sink subject (see
 * `runJetStream`). It reads until SIGINT or SIGTERM (or, with
 * `--exit-when-drained`, until the consumer has nothing left); then what
 * is in flight finishes, is published and acked. A second signal, or
 * `--shutdown-timeout` passing first, exits at once: JetStream redelivers
 * what was not acked after its AckWait, to this process or another.
 */
export async function natsRunCommand(options: RunCommandOptions & NatsFlags & { source: string }): Promise<void> {
  for (const [flag, given] of [
    ['--stream', options.stream],
    ['--consumer', options.consumer],
    ['--sink-subject', options.sinkSubject],
  ] as const) {
    if (given === undefined) throw new UsageError(`--source needs ${flag}`);
  }
  if (options.output !== '-') throw new UsageError('--output cannot be given with --source: the outputs go to --sink-subject');
  const orphans = bucketFlagsWithoutBucket(options);
  if (orphans.length > 0) throw new UsageError(`${orphans.join(', ')} ${orphans.length === 1 ? 'needs' : 'need'} --watermark-bucket (--stale-after: or --upstream-watermark-bucket)`);
  const tally = new RunTally();
  let run: JetStreamRun;
  try {
    run = await runJetStream({
      servers: options.source,
      stream: options.stream as string,
      consumer: options.consumer as string,
      sinkSubject: options.sinkSubject as string,
      ...defined({
        deadLetterSubject: options.deadLetterSubject,
        watermarkBucket: options.watermarkBucket,
        upstreamWatermarkBucket: options.upstreamWatermarkBucket,
        processor: options.processor,
        heartbeat: options.heartbeat,
        staleAfter: options.staleAfter,
        ackWait: options.ackWait,
        codec: options.codec,
        retries: options.retries,
      }),
      stopWhenDrained: options.exitWhenDrained === true,
      engine: engineOptions(options),
    });
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    const named = withFlagNames(error, natsFlagNames);
    throw named === error ? withDefaultsNamed(withFlagNames(error, engineFlags), options) : named;
  }
  const engine = run.engine;
  engine.on('ack', (trace) => tally.acked(trace));
  if (options.ackWait !== undefined && options.ackWait !== run.ackWait) {
    process.stderr.write(`tidemark: --ack-wait: the consumer ${options.consumer} exists with an AckWait of ${run.ackWait} ms, which it keeps\n`);
  }
  onPublishErrors(run);
  let timeout: NodeJS.Timeout | undefined;
  const signals = onStopSignals((signal) => exitNow(signalExitCodes[signal], `${signal} again`, run));
  void signals.stopped.then((signal) => {
    process.stderr.write(`tidemark: ${signal}: stopping; finishing the ${engine.inFlight} messages in flight (${signal} again to exit at once)\n`);
    run.stop();
    const ms = options.shutdownTimeout ?? defaultShutdownTimeout;
    timeout = setTimeout(() => exitNow(shutdownTimedOutExitCode, `shutdown timed out after ${ms} ms`, run), ms);
  });
  const progress = new Progress(engine, options.quiet === undefined ? {} : { quiet: options.quiet }).start();
  try {
    const stats = await run.done;
    const stoppedBy = signals.by;
    progress.stop(stoppedBy === undefined ? 'done' : 'stopped');
    tally.write(engine.stats, undefined, stats.unwritable);
    summary(stats, run);
    if (stoppedBy !== undefined) process.exitCode = signalExitCodes[stoppedBy];
  } finally {
    clearTimeout(timeout);
    progress.stop('stopped');
    signals.dispose();
  }
}

/** The JetStream counts, after the engine's: one line, and the watermarks when a bucket is kept. */
function summary(stats: JetStreamStats, run: JetStreamRun): void {
  process.stderr.write(
    `tidemark: jetstream: ${stats.received} received (${stats.redelivered} redelivered, ${stats.ignored} ignored, ${stats.returned} returned), ` +
      `${stats.acked} acked, ${stats.naked} nak'ed, ${stats.termed} termed; ` +
      `${stats.published} published, ${stats.duplicates} duplicates, ${stats.publishFailures} publish failures\n`,
  );
  if (run.sharedWatermark !== Number.NEGATIVE_INFINITY) {
    process.stderr.write(`tidemark: watermark ${run.watermark} delivered here; ${run.sharedWatermark} the minimum over live processes\n`);
  }
}

/**
 * Exit without waiting for what is in flight: JetStream redelivers what was
 * not acked once its AckWait passes. The counts so far go to stderr first.
 */
function exitNow(code: number, why: string, run: JetStreamRun): never {
  process.stderr.write(`tidemark: ${why}: exiting with ${run.engine.inFlight} messages in flight; JetStream redelivers them after AckWait\n`);
  summary(run.stats, run);
  process.exit(code);
}

/** Publish errors on stderr: the first at once, then at most one line a second with how many more. */
function onPublishErrors(run: JetStreamRun): void {
  let last = Number.NEGATIVE_INFINITY;
  let since = 0;
  run.on('publishError', (error) => {
    since++;
    const now = performance.now();
    if (now - last < 1000) return;
    const more = since > 1 ? ` (and ${since - 1} more since the last line)` : '';
    process.stderr.write(`tidemark: a publish failed; its message goes back: ${error.message}${more}\n`);
    last = now;
    since = 0;
  });
}

/** `values` without its undefined entries. */
function defined<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
