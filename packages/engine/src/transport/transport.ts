import type { CompletionHandler, RingMessage } from '@tidemark/workers';

export type { Completion, CompletionHandler } from '@tidemark/workers';

/** What a transport sends of a message: its id (unique among the messages in flight), input, offset, key, event time and try (1 for the first). */
export type Outgoing = RingMessage;

/**
 * How messages reach the worker pool: one piscina task per message
 * (`TaskTransport`), or shared-memory rings served by one long-lived task
 * per worker (`RingTransport`). A transport holds no engine state: it sends
 * what it is given and reports each outcome to its handler.
 */
export interface Transport {
  /**
   * Start the workers and check that the transform module loads. The first
   * call sets the handler for good; later calls return the same promise.
   */
  start(report: CompletionHandler): Promise<void>;
  /** Send one message to a worker; its completion is reported later (never from inside this call). */
  send(message: Outgoing): void;
  /** Wait for what is running, then stop the workers. */
  close(): Promise<void>;
  /** Worker threads holding at least one message now. */
  readonly busyWorkers: number;
  /**
   * The workers' event-loop utilisation since the last call, 0 to 1,
   * averaged over the workers: the share of their time spent running code
   * rather than waiting for work. The first call starts the count and
   * returns undefined; a worker first seen by a call (a replacement for one
   * that died or was stuck) counts from the next. Undefined where the
   * runtime does not measure it (`worker.performance` missing); never throws.
   */
  utilization(): number | undefined;
  /** Workers that died and were replaced so far. */
  readonly restarts: number;
  /**
   * Messages the transport takes beyond the in-flight target: each waits at
   * a worker and starts the moment one of its running messages ends, so the
   * worker never idles while the main thread handles a result. 0 when the
   * workers would run them at once.
   */
  readonly lookahead: number;
}
