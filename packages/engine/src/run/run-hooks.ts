import type { AdaptiveConcurrency } from '../concurrency/adaptive-concurrency.js';
import type { MessageIds } from './message-ids.js';
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

/** How a run is set up beyond the engine's options. */
export interface RunSetup {
  /** The engine's message ids: a late completion of an earlier run is never taken for one of this run's. */
  readonly ids: MessageIds;
  /** Whether an array the source yields is a chunk of records. */
  readonly chunked: boolean;
  /** The engine's adaptive controller, which steers the run's in-flight target. */
  readonly adaptive?: AdaptiveConcurrency | undefined;
}
