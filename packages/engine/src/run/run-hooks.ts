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
