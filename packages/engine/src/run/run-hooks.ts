import type { MessageTrace } from './message-state.js';

/** What a run tells its engine. */
export interface RunEvents {
  watermark(value: number): void;
  ack(trace: MessageTrace): void;
}

/** What a run's iterator needs from its engine. */
export interface RunHooks {
  start(): Promise<void>;
  readonly signal: AbortSignal | undefined;
  finished(): void;
}

/** Counters of one `process()` run. */
export interface RunStats {
  read: number;
  emitted: number;
  acked: number;
  failed: number;
  late: number;
  retried: number;
  /** Messages dropped by a buffer's overflow policy (acked without outputs). */
  dropped: number;
}
