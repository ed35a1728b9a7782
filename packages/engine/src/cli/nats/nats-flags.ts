import { Option } from 'commander';
import type { Command } from 'commander';
import type { FlagName } from '../flag-names.js';
import { milliseconds } from '../parse.js';

/** `tidemark run`'s JetStream flags, as commander parses them. */
export interface NatsFlags {
  /** `--source nats://…`: read a JetStream stream instead of NDJSON. */
  source?: string;
  stream?: string;
  consumer?: string;
  sinkSubject?: string;
  deadLetterSubject?: string;
  watermarkBucket?: string;
  upstreamWatermarkBucket?: string;
  processor?: string;
  heartbeat?: number;
  staleAfter?: number;
  ackWait?: number;
  codec?: 'json' | 'text' | 'bytes';
  retries?: 'nak' | 'engine';
  exitWhenDrained?: boolean;
}

/** The JetStream flags and the `runJetStream` options they set, for its errors. */
export const natsFlagNames: readonly FlagName[] = [
  { flag: '--source', path: 'servers' },
  { flag: '--stream', path: 'stream' },
  { flag: '--consumer', path: 'consumer' },
  { flag: '--sink-subject', path: 'sinkSubject' },
  { flag: '--dead-letter-subject', path: 'deadLetterSubject' },
  { flag: '--watermark-bucket', path: 'watermarkBucket' },
  { flag: '--upstream-watermark-bucket', path: 'upstreamWatermarkBucket' },
  { flag: '--processor', path: 'processor' },
  { flag: '--heartbeat', path: 'heartbeat' },
  { flag: '--stale-after', path: 'staleAfter' },
  { flag: '--ack-wait', path: 'ackWait' },
  { flag: '--codec', path: 'codec' },
  { flag: '--retries', path: 'retries' },
];

/** What reads files, which a JetStream source replaces. */
const fileFlags = ['input', 'from', 'checkpoint', 'deadLetter', 'pipeline', 'reduce'];

/** Add the JetStream flags to `tidemark run`. */
export function addNatsFlags(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--source <url>',
        'read a NATS JetStream stream instead of NDJSON: the server, nats://HOST:PORT; needs --stream, --consumer and --sink-subject (see the README, "JetStream")',
      ).conflicts(fileFlags),
    )
    .option('--stream <name>', 'with --source: the stream to read')
    .option('--consumer <name>', 'with --source: the durable pull consumer the processes share (created with explicit ack when missing)')
    .option('--sink-subject <subject>', 'with --source: publish every output here (a stream must capture it; its duplicate window drops redeliveries)')
    .option('--dead-letter-subject <subject>', 'with --source: publish failed records here, then term their messages (default: the sink subject)')
    .option('--watermark-bucket <bucket>', "with --source: publish this process's output watermark with a heartbeat to this KV bucket")
    .option(
      '--upstream-watermark-bucket <bucket>',
      "with --source: the watermark bucket of the processes that publish the stream read; each record carries their minimum as its watermark",
    )
    .option('--processor <name>', "with --source: this process's name, in the Tidemark-Processor header of what it publishes and as its key in --watermark-bucket (default: <hostname>-<pid>)")
    .option('--heartbeat <ms>', 'with --watermark-bucket: ms between heartbeats (default: 1000)', milliseconds)
    .option('--stale-after <ms>', 'with --watermark-bucket: ms without a heartbeat before a process is dropped from the minimum (default: 5 heartbeats)', milliseconds)
    .option('--ack-wait <ms>', 'with --source: AckWait of a consumer the run creates (default: 30000)', milliseconds)
    .addOption(
      new Option(
        '--retries <where>',
        "with --source: nak (a failed try is nak'ed with the --retry-* backoff and redelivered, to any process; it comes back late) or engine (retried here, on time) (default: nak)",
      ).choices(['nak', 'engine']),
    )
    .addOption(new Option('--codec <codec>', 'with --source: payloads as json, text or bytes (default: json)').choices(['json', 'text', 'bytes']))
    .option('--exit-when-drained', 'with --source: stop once the consumer has nothing pending and nothing unacked, in any process');
}

/** The JetStream flags given without `--source`, which they need. */
export function natsFlagsWithoutSource(flags: NatsFlags): string[] {
  if (flags.source !== undefined) return [];
  const given: [keyof NatsFlags, string][] = [
    ['stream', '--stream'],
    ['consumer', '--consumer'],
    ['sinkSubject', '--sink-subject'],
    ['deadLetterSubject', '--dead-letter-subject'],
    ['watermarkBucket', '--watermark-bucket'],
    ['upstreamWatermarkBucket', '--upstream-watermark-bucket'],
    ['processor', '--processor'],
    ['heartbeat', '--heartbeat'],
    ['staleAfter', '--stale-after'],
    ['ackWait', '--ack-wait'],
    ['codec', '--codec'],
    ['exitWhenDrained', '--exit-when-drained'],
    ['retries', '--retries'],
  ];
  return given.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
}

/** The flags that say how to publish to a watermark bucket, given without `--watermark-bucket`. */
export function bucketFlagsWithoutBucket(flags: NatsFlags): string[] {
  if (flags.watermarkBucket !== undefined) return [];
  const orphans = flags.heartbeat === undefined ? [] : ['--heartbeat'];
  if (flags.staleAfter !== undefined && flags.upstreamWatermarkBucket === undefined) orphans.push('--stale-after');
  return orphans;
}
