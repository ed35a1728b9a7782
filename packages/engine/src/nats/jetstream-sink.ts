import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs } from '@nats-io/transport-node';
import { UnwritableOutputError } from '../errors.js';
import type { EngineRecord, FailedRecord } from '../message.js';
import { deadLetterLine } from '../io/ndjson-record.js';
import type { JetStreamCodec } from './jetstream-options.js';
import { encodePayload } from './message-codec.js';

/** Headers the sink writes (and the source reads: `Tidemark-Event-Time`, `Tidemark-Key`). */
export const header = {
  eventTime: 'Tidemark-Event-Time',
  key: 'Tidemark-Key',
  late: 'Tidemark-Late',
  failed: 'Tidemark-Failed',
  sourceSequence: 'Tidemark-Source-Sequence',
  processor: 'Tidemark-Processor',
} as const;

/** Where the sink publishes, and as what. */
export interface SinkTarget {
  readonly stream: string;
  readonly consumer: string;
  readonly sinkSubject: string;
  readonly deadLetterSubject: string | undefined;
  readonly processor: string;
  readonly codec: JetStreamCodec;
}

/**
 * Publishes records to JetStream, each with a `Nats-Msg-Id` made of the
 * source stream, the consumer (two consumers of one stream are two
 * pipelines: their records are not copies of each other), the source
 * message's stream sequence and the record's place among that message's
 * records: a redelivered message, processed
 * again, publishes the same ids, and the sink stream's duplicate window
 * drops the copies. A confirmation that says `duplicate` is counted.
 *
 * An output the codec cannot carry is published as a failed record where
 * failed records go, in its place.
 */
export class JetStreamSink {
  readonly #js: JetStreamClient;
  readonly #target: SinkTarget;
  /** The largest payload the server takes, headers aside (a margin is kept for them). */
  readonly #maxPayload: number;
  /** Publishes confirmed as new, and as duplicates. */
  published = 0;
  duplicates = 0;
  unwritable = 0;

  /** `maxPayload`: the server's `max_payload`. */
  constructor(js: JetStreamClient, target: SinkTarget, maxPayload: number) {
    this.#js = js;
    this.#target = target;
    this.#maxPayload = maxPayload - headerMargin;
  }

  /**
   * Publish `record`, the `index`th record of its message (stream sequence
   * `seq`); resolves on the stream's confirmation. A failed record goes to
   * the dead-letter subject when there is one, saying `attempts` (the
   * deliveries its message had).
   */
  async publish(record: EngineRecord, seq: number, index: number | 'failed', attempts = 1): Promise<PubAck> {
    const target = this.#target;
    const hdrs = this.#headers(record, seq);
    let payload: Uint8Array;
    let failed = record.kind === 'failed';
    if (record.kind === 'output') {
      try {
        payload = encodePayload(record.value, target.codec);
        if (payload.length > this.#maxPayload) throw new UnwritableOutputError(`the output is ${payload.length} bytes, over what the server takes (max_payload, less ${headerMargin} for headers)`);
      } catch (error) {
        this.unwritable++;
        failed = true;
        payload = failedPayload({ kind: 'failed', offset: seq, key: record.key, eventTime: record.eventTime, input: record.value, error: error as FailedRecord['error'], attempts: 0 });
      }
    } else {
      payload = failedPayload({ ...record, attempts: record.attempts === 0 ? 0 : attempts });
    }
    if (failed) hdrs.set(header.failed, '1');
    const subject = failed ? (target.deadLetterSubject ?? target.sinkSubject) : target.sinkSubject;
    const ack = await this.#js.publish(subject, payload, { msgID: `${target.stream}:${target.consumer}:${seq}:${index}`, headers: hdrs });
    if (ack.duplicate) this.duplicates++;
    else this.published++;
    return ack;
  }

  #headers(record: EngineRecord, seq: number): MsgHdrs {
    const hdrs = natsHeaders();
    hdrs.set(header.eventTime, String(record.eventTime));
    if (record.key !== undefined) hdrs.set(header.key, record.key);
    if (record.late === true) hdrs.set(header.late, '1');
    hdrs.set(header.sourceSequence, String(seq));
    hdrs.set(header.processor, this.#target.processor);
    return hdrs;
  }
}

const encoder = new TextEncoder();

/** Bytes of `max_payload` left for the headers. */
const headerMargin = 4096;

/** A failed record as the NDJSON dead-letter file has it: `{ offset, key, eventTime, attempts, input, error }`. */
function failedPayload(record: FailedRecord): Uint8Array {
  const line = deadLetterLine(record);
  return encoder.encode(typeof line === 'string' ? line : (deadLetterLine(line) as string));
}
