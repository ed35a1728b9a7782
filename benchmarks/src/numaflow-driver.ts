// Numaflow's data plane as `pnpm bench:numaflow` plays it
// (rust/numaflow-core/src/mapper/map/unary.rs): one MapFn stream on the Unix socket, the
// handshake, then requests written without waiting for answers, at most `inFlight`
// unanswered at a time (the data plane's concurrency permits), each answer matched by id.
import { performance } from 'node:perf_hooks';
import { credentials } from '@grpc/grpc-js';
import type { Client, ClientDuplexStream } from '@grpc/grpc-js';
import { mapClientConstructor } from '@tidemark/engine/numaflow';
import type { MapResponse } from '@tidemark/engine/numaflow';

/** What one pass sends and how each answer is checked. */
export interface PassOptions {
  readonly socket: string;
  readonly messages: number;
  readonly inFlight: number;
  /** The value of request `i`. */
  readonly value: (i: number) => Buffer;
  /** Throws unless `response` is the right answer to request `i`. */
  readonly check: (i: number, response: MapResponse) => void;
}

/** A pass's figures: from the first request sent to the last answer, and each request's time to its answer. */
export interface Pass {
  readonly seconds: number;
  readonly latenciesMs: readonly number[];
}

interface MapClient extends Client {
  MapFn(): ClientDuplexStream<object, MapResponse>;
}

/** One pass over `messages` requests on a new stream; the stream is closed at the end. */
export async function drive(options: PassOptions): Promise<Pass> {
  const { socket, messages, inFlight, value, check } = options;
  const client = new (mapClientConstructor())(`unix:${socket}`, credentials.createInsecure()) as unknown as MapClient;
  const call = client.MapFn();
  const sentAt = new Float64Array(messages);
  const latenciesMs = new Array<number>(messages);
  let sent = 0;
  let answered = 0;
  let start = 0;
  try {
    return await new Promise<Pass>((resolve, reject) => {
      const send = (): void => {
        const i = sent++;
        sentAt[i] = performance.now();
        call.write({ id: String(i), request: { keys: ['k'], value: value(i), headers: {} } });
      };
      call.on('error', reject);
      call.on('end', () => {
        if (answered < messages) reject(new Error(`the stream ended after ${answered} of ${messages} answers`));
      });
      call.once('data', (handshake: MapResponse) => {
        if (handshake.handshake?.sot !== true) {
          reject(new Error('the first response is not the handshake'));
          return;
        }
        call.on('data', (response: MapResponse) => {
          const i = Number(response.id);
          try {
            if (!(i >= 0 && i < sent) || latenciesMs[i] !== undefined) throw new Error(`an answer to ${String(response.id)}, which is not a request in flight`);
            check(i, response);
          } catch (error) {
            reject(error);
            return;
          }
          latenciesMs[i] = performance.now() - (sentAt[i] ?? 0);
          answered++;
          if (answered === messages) resolve({ seconds: (performance.now() - start) / 1e3, latenciesMs });
          else if (sent < messages) send();
        });
        start = performance.now();
        while (sent < Math.min(inFlight, messages)) send();
      });
      call.write({ id: '', handshake: { sot: true } });
    });
  } finally {
    call.end();
    client.close();
  }
}
