import type { SerializedError } from '@tidemark/workers';

/**
 * One try's outcome, reported by a transport as data. The object may be
 * recycled by the transport: it is valid only during the handler's call.
 */
export interface Completion {
  /** The message's id (`Outgoing.id`). */
  id: number;
  /** Set on success: the transform's outputs. */
  values: unknown[] | undefined;
  /** Set when the try failed: the transform threw, the worker died while it ran, or it could not be sent. */
  error: SerializedError | undefined;
  /** It never started (its worker died first): send it again without counting a try. */
  requeue: boolean;
  /** When the try started and ended in the worker (epoch ms), and on which thread. */
  startedAt: number;
  endedAt: number;
  threadId: number;
}

/** Where a transport reports every completion: given once, when it starts. */
export type CompletionHandler = (completion: Completion) => void;

/** What a transport sends of a message. */
export interface Outgoing {
  /** Unique among the messages in flight at this transport. */
  readonly id: number;
  readonly input: unknown;
  readonly offset: number;
  readonly key: string | undefined;
  readonly eventTime: number;
  /** The try this is: 1 for the first. */
  readonly attempts: number;
}

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
  /** Workers that died and were replaced so far. */
  readonly restarts: number;
}
