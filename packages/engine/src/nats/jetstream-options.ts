import { hostname } from 'node:os';
import { InvalidOptionError } from '../errors.js';
import type { EngineOptions } from '../options/options.js';

/** How a message's bytes become the transform's value, and an output's value becomes bytes. */
export type JetStreamCodec = 'json' | 'text' | 'bytes';

/** Options of {@link runJetStream}. */
export interface JetStreamRunOptions {
  /** The NATS server(s): `nats://127.0.0.1:4222`, or several. */
  servers: string | readonly string[];
  /** The stream the messages are read from. */
  stream: string;
  /**
   * The durable pull consumer several processes share. Created (explicit
   * ack, `ackWait`) when it does not exist; used as it is when it does.
   */
  consumer: string;
  /** The subject every output is published to (a stream must capture it: each publish waits for its ack). */
  sinkSubject: string;
  /**
   * Where failed records go (their transform failed on every try, or the
   * message could not be decoded) before their message is `term`ed.
   * @default the sink subject, as a failed record (header `Tidemark-Failed`)
   */
  deadLetterSubject?: string;
  /**
   * A KV bucket this process publishes its output watermark to, with a
   * heartbeat, under its `processor` name; readers take the minimum over
   * the live publishers. Created when missing. @default none
   */
  watermarkBucket?: string;
  /**
   * The watermark bucket of the processes that publish the stream this run
   * reads (the `watermarkBucket` of the stage before): the minimum over
   * its live publishers is each record's `watermark`, so this engine's
   * input watermark follows the stage before's delivered output watermark
   * (with `engine.watermark.maxOutOfOrderness: Infinity`, only it moves
   * it). @default none
   */
  upstreamWatermarkBucket?: string;
  /** This process's name: its key in the watermark bucket, and the `Tidemark-Processor` header of its records. @default `<hostname>-<pid>` */
  processor?: string;
  /** ms between watermark heartbeats. @default 1000 */
  heartbeat?: number;
  /**
   * ms without a heartbeat after which a publisher is dropped from the
   * minimum. A peer quiet for half of it is held for: this process's key
   * stays at the peer's last watermark until what the peer held is
   * redelivered and acked (see `StalePeerHold`). @default 5 × heartbeat
   */
  staleAfter?: number;
  /**
   * Riding out a lost connection: how many times to reconnect, `wait` ms
   * apart, before the run fails with a `BrokerError` (nats.js's settings).
   * @default { attempts: 10, wait: 2000 }
   */
  reconnect?: { attempts?: number; wait?: number };
  /** AckWait of a consumer this run creates, ms. @default 30000 */
  ackWait?: number;
  /** See {@link JetStreamCodec}. @default 'json' */
  codec?: JetStreamCodec;
  /**
   * Stop once the consumer has nothing left: no message pending and none
   * delivered and not yet acked, by any process sharing it. @default false
   */
  stopWhenDrained?: boolean;
  /** Aborting stops reading; what is in flight finishes and is published and acked. */
  signal?: AbortSignal;
  /**
   * Where a failed try is tried again. `nak`: JetStream's redelivery — the
   * message is `nak`ed with the backoff delay of `engine.retry` and comes
   * back, to any process, until `retry.attempts` deliveries (the engine
   * itself tries each delivery once). `engine`: the engine's own retries,
   * in this process, the message kept with `working()` meanwhile; NATS
   * redelivers only what a process that died held. A `nak`ed message comes
   * back after the watermark has moved on: its output is `late` where it
   * lands (the shared watermark holds below it until it is acked, see
   * `DeliveredWatermark`); with `engine`, a retried message stays on time.
   * @default 'nak'
   */
  retries?: 'nak' | 'engine';
  /** The engine's options; see `retries` for how its `retry` applies. */
  engine: EngineOptions;
}

/** The options with their defaults, checked. */
export interface ResolvedJetStreamOptions extends Omit<Required<JetStreamRunOptions>, 'deadLetterSubject' | 'watermarkBucket' | 'upstreamWatermarkBucket' | 'signal' | 'servers' | 'reconnect'> {
  readonly reconnect: { readonly attempts: number; readonly wait: number };
  readonly servers: string[];
  readonly deadLetterSubject: string | undefined;
  readonly watermarkBucket: string | undefined;
  readonly upstreamWatermarkBucket: string | undefined;
  readonly signal: AbortSignal | undefined;
}

/** The largest ms a timer takes. */
const maxTimer = 2 ** 31 - 1;

/** Check `options`, filling in the defaults; throws InvalidOptionError naming the option. */
export function resolveJetStreamOptions(options: JetStreamRunOptions): ResolvedJetStreamOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'an object', options);
  const servers = typeof options.servers === 'string' ? [options.servers] : options.servers;
  if (!Array.isArray(servers) || servers.length === 0 || !servers.every((server) => typeof server === 'string' && /^(nats|tls|wss?):\/\/./.test(server))) {
    throw new InvalidOptionError('servers', 'a nats:// URL or a non-empty array of them', options.servers);
  }
  // A publisher is dropped after `staleAfter` without a beat: at least two beats, or a live one is dropped between its beats.
  const heartbeat = milliseconds('heartbeat', options.heartbeat, 1000, 1, Math.floor(maxTimer / 5));
  const resolved: ResolvedJetStreamOptions = {
    servers: [...(servers as string[])],
    stream: name('stream', options.stream),
    consumer: name('consumer', options.consumer),
    sinkSubject: subject('sinkSubject', options.sinkSubject),
    deadLetterSubject: options.deadLetterSubject === undefined ? undefined : subject('deadLetterSubject', options.deadLetterSubject),
    watermarkBucket: options.watermarkBucket === undefined ? undefined : name('watermarkBucket', options.watermarkBucket),
    upstreamWatermarkBucket: options.upstreamWatermarkBucket === undefined ? undefined : name('upstreamWatermarkBucket', options.upstreamWatermarkBucket),
    processor: options.processor === undefined ? defaultProcessor() : kvKey('processor', options.processor),
    heartbeat,
    staleAfter: milliseconds('staleAfter', options.staleAfter, 5 * heartbeat, 2 * heartbeat),
    ackWait: milliseconds('ackWait', options.ackWait, 30_000, 1000),
    reconnect: reconnect(options.reconnect),
    codec: oneOf('codec', options.codec, ['json', 'text', 'bytes'] as const, 'json'),
    stopWhenDrained: flag('stopWhenDrained', options.stopWhenDrained),
    retries: oneOf('retries', options.retries, ['nak', 'engine'] as const, 'nak'),
    signal: abortSignal(options.signal),
    engine: options.engine,
  };
  if (typeof options.engine !== 'object' || options.engine === null) throw new InvalidOptionError('engine', "the engine's options", options.engine);
  return resolved;
}

/** A stream, consumer or bucket name: letters, digits, `-` and `_`. */
function name(option: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(value)) {
    throw new InvalidOptionError(option, 'a name of letters, digits, - and _', value);
  }
  return value;
}

/** A subject to publish to: dot-separated tokens, no wildcards or spaces. */
function subject(option: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[^\s.*>]+(\.[^\s.*>]+)*$/.test(value)) {
    throw new InvalidOptionError(option, 'a subject without wildcards or spaces, such as orders.enriched', value);
  }
  return value;
}

/** A KV key: letters, digits, `-`, `_`, `=`, `/` and `.` (not at either end). */
function kvKey(option: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[-/=_A-Za-z0-9]+(\.[-/=_A-Za-z0-9]+)*$/.test(value)) {
    throw new InvalidOptionError(option, 'a name of letters, digits, -, _, = and /', value);
  }
  return value;
}

function defaultProcessor(): string {
  const host = hostname().replace(/[^-/=_A-Za-z0-9]/g, '_') || 'host';
  return `${host}-${process.pid}`;
}

function milliseconds(option: string, value: unknown, fallback: number, min: number, max = maxTimer): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `an integer number of ms from ${min} to ${max}`, value);
  }
  return value;
}

function reconnect(value: unknown): { attempts: number; wait: number } {
  if (value === undefined) return { attempts: 10, wait: 2000 };
  if (typeof value !== 'object' || value === null) throw new InvalidOptionError('reconnect', 'an object { attempts?, wait? }', value);
  const { attempts, wait } = value as { attempts?: unknown; wait?: unknown };
  if (attempts !== undefined && (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 0 || attempts > 1_000_000)) {
    throw new InvalidOptionError('reconnect.attempts', 'an integer from 0 to 1000000', attempts);
  }
  return { attempts: (attempts) ?? 10, wait: milliseconds('reconnect.wait', wait, 2000, 1) };
}

function abortSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw new InvalidOptionError('signal', 'an AbortSignal', value);
}

function oneOf<T extends string>(option: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) throw new InvalidOptionError(option, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);
  return value as T;
}

function flag(option: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, 'a boolean', value);
  return value;
}
