import { status } from '@grpc/grpc-js';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { answerOf } from './map-answer.js';
import type { MapRequest, MapResponse, MapResult, Timestamp } from './map-proto.js';
import type { MapCall, MapPump, RequestOwner } from './map-pump.js';
import { dropResult } from './map-results.js';
import type { OnFailure } from './numaflow-options.js';
import { capDetails, udfError } from './udf-error.js';

/** What a session needs from its server. */
export interface SessionContext {
  readonly pump: MapPump;
  readonly onFailure: OnFailure;
  /** The longest message gRPC sends: a longer answer fails its request. */
  readonly maxMessageBytes: number;
  readonly log: (line: string) => void;
}

/** The requests between two EOTs (batch map); unary map is one batch that never ends. */
interface Batch {
  unanswered: number;
}

interface SessionCall extends MapCall {
  readonly batch: Batch;
}

/**
 * One `MapFn` stream, as Numaflow's data plane drives it
 * (`rust/numaflow-core/src/mapper/map/{unary,batch}.rs`):
 *
 * 1. the first request is a handshake (`handshake.sot`), answered with one;
 *    anything else ends the stream with INVALID_ARGUMENT, as the SDKs do;
 * 2. then requests, many in flight at once, each answered by its `id` as
 *    soon as its message completes, in any order;
 * 3. batch map ends each batch with a request carrying `status.eot`: once
 *    every request before it is answered, a response with `status.eot`
 *    follows them.
 *
 * The client closing its side ends the stream (OK) once every request is
 * answered. A message whose transform failed for good ends the stream with
 * INTERNAL and `UDF_EXECUTION_ERROR(…)` as the SDKs do (`onFailure:
 * 'error'`), or is answered with a DROP message (`'drop'`).
 */
export class MapSession implements RequestOwner {
  /** The server's number for this stream, in log lines. */
  readonly number: number;
  readonly #call: ServerDuplexStream<MapRequest, MapResponse>;
  readonly #context: SessionContext;
  #state: 'handshake' | 'open' | 'finishing' | 'over' = 'handshake';
  /** Why the stream is finishing, once it is: the client closed its side (OK), or the server is stopping. */
  #finishWith: { code: status; details: string } = { code: status.OK, details: 'OK' };
  #unanswered = 0;
  #batch: Batch = { unanswered: 0 };
  /** Batches whose EOT arrived, oldest first, each waiting for its last answers. */
  readonly #closedBatches: Batch[] = [];
  #paused = false;
  #draining = false;
  readonly #ended$: Promise<string>;
  #markEnded: (how: string) => void = () => {};
  readonly #flow = (): void => this.#applyFlow();

  constructor(number: number, call: ServerDuplexStream<MapRequest, MapResponse>, context: SessionContext) {
    this.number = number;
    this.#call = call;
    this.#context = context;
    this.#ended$ = new Promise((resolve) => (this.#markEnded = resolve));
    call.on('data', (request: MapRequest) => this.#receive(request));
    call.on('end', () => this.#finish(status.OK, 'OK'));
    // Nothing more can be sent. gRPC says `cancelled` when the client cancelled or went away, and also when it
    // ended the stream itself: for a request over maxMessageBytes (answers are checked before they are written).
    call.on('cancelled', () => this.#over('cancelled: by the client, or by gRPC (a request over maxMessageBytes)'));
    call.on('close', () => this.#over('closed'));
    call.on('error', () => this.#over('failed'));
  }

  /** Whether answers can still be sent: false once the stream is over. */
  get live(): boolean {
    return this.#state !== 'over';
  }

  /** Requests received and not yet answered. */
  get unanswered(): number {
    return this.#unanswered;
  }

  /** Resolves once the stream is over (ended by either side), saying how. */
  get ended(): Promise<string> {
    return this.#ended$;
  }

  /**
   * Stop reading: what was received is still answered, then the stream
   * ends with UNAVAILABLE (Numaflow's data plane redrives what it sent and
   * did not get an answer for, on a new stream).
   */
  stop(): void {
    this.#finish(status.UNAVAILABLE, 'tidemark is shutting down');
  }

  /**
   * End the stream now with `code` (its request or the run behind it
   * failed). The details sent are capped ({@link capDetails}); the log line
   * of the end has them whole.
   */
  abort(code: status, details: string): void {
    if (this.#state === 'over') return;
    this.#over(`ended with ${status[code]}: ${details}`);
    this.#call.emit('error', { code, details: capDetails(details) });
  }

  /** The server is cutting every stream (`terminate()`): this one is over, and what it sent is not answered. */
  cut(): void {
    this.#over('cut: the server was terminated');
  }

  settle(call: MapCall): void {
    if (this.#state === 'over') return;
    const { batch } = call as SessionCall;
    const results = this.#results(call);
    if (results === undefined) return; // the stream failed
    this.#send({ id: call.id, results });
    this.#unanswered--;
    batch.unanswered--;
    this.#flushBatches();
    this.#settled();
  }

  #receive(request: MapRequest): void {
    if (this.#state === 'handshake') {
      if (request.handshake?.sot !== true) {
        this.abort(status.INVALID_ARGUMENT, 'MapFn: expected a handshake (handshake.sot = true) as the first message');
        return;
      }
      this.#state = 'open';
      this.#send({ handshake: { sot: true } });
      return;
    }
    if (this.#state !== 'open') return; // stopping: not read, so not answered; the client sends it again
    if (request.status?.eot === true) {
      this.#closedBatches.push(this.#batch);
      this.#batch = { unanswered: 0 };
      this.#flushBatches();
      return;
    }
    if (request.handshake !== undefined) {
      this.#send({ handshake: { sot: true } });
      return;
    }
    const body = request.request;
    const keys = body?.keys ?? [];
    const eventTime = milliseconds(body?.eventTime);
    const call: SessionCall = {
      owner: this,
      id: request.id ?? '',
      keys,
      record: {
        value: body?.value ?? Buffer.alloc(0),
        // As Numaflow joins keys for its shuffle.
        ...(keys.length > 0 ? { key: keys.join(':') } : {}),
        ...(eventTime === undefined ? {} : { eventTime }),
      },
      outputs: [],
      error: undefined,
      batch: this.#batch,
    };
    this.#unanswered++;
    this.#batch.unanswered++;
    this.#context.pump.submit(call);
    this.#applyFlow();
  }

  /** The results of a settled call, or undefined when it failed the stream. */
  #results(call: MapCall): MapResult[] | undefined {
    const answer = answerOf(call, this.#context.maxMessageBytes);
    if ('results' in answer) return answer.results;
    const what = `request ${JSON.stringify(call.id)} on MapFn stream ${this.number}`;
    if (this.#context.onFailure === 'drop') {
      this.#context.log(`tidemark: ${what} failed, answered with a DROP message (--on-failure drop): ${answer.problem}`);
      return [dropResult];
    }
    this.abort(status.INTERNAL, udfError(`${what} failed: ${answer.problem}`));
    return undefined;
  }

  #send(response: MapResponse): void {
    if (!this.#call.write(response) && !this.#draining) {
      this.#draining = true;
      this.#call.once('drain', () => {
        this.#draining = false;
        this.#applyFlow();
      });
      this.#applyFlow();
    }
  }

  /** An EOT response for each ended batch, oldest first, once all its requests are answered. */
  #flushBatches(): void {
    while (this.#closedBatches[0] !== undefined && this.#closedBatches[0].unanswered === 0) {
      this.#closedBatches.shift();
      this.#send({ status: { eot: true } });
    }
  }

  /** Read while neither the engine's queue is full nor the client is slow to take the answers. */
  #applyFlow(): void {
    if (this.#state === 'over') return;
    const { pump } = this.#context;
    const hold = this.#draining || pump.full;
    if (pump.full) pump.onRoom(this.#flow);
    if (hold && !this.#paused) this.#call.pause();
    else if (!hold && this.#paused && this.#state !== 'finishing') this.#call.resume();
    else return;
    this.#paused = hold;
  }

  #finish(code: status, details: string): void {
    if (this.#state === 'over' || this.#state === 'finishing') return;
    if (this.#state === 'handshake' && code === status.OK) {
      this.abort(status.INVALID_ARGUMENT, 'MapFn: the stream ended before its handshake');
      return;
    }
    this.#state = 'finishing';
    this.#finishWith = { code, details };
    if (!this.#paused) this.#call.pause();
    this.#paused = true;
    this.#settled();
  }

  /** When finishing and nothing is left to answer, end the stream. */
  #settled(): void {
    if (this.#state !== 'finishing' || this.#unanswered > 0) return;
    const { code, details } = this.#finishWith;
    this.#over(code === status.OK ? 'ended by the client, every request answered' : `ended with ${status[code]}: ${details}`);
    if (code === status.OK) this.#call.end();
    else this.#call.emit('error', { code, details });
  }

  #over(how: string): void {
    if (this.#state === 'over') return;
    this.#state = 'over';
    this.#markEnded(how);
  }
}

/** A Timestamp in epoch ms, or undefined without one. */
function milliseconds(time: Timestamp | undefined): number | undefined {
  if (time === undefined) return undefined;
  const ms = (time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
  return Number.isFinite(ms) ? ms : undefined;
}
