import type { OverflowPolicy } from '../../buffers/buffer-limit.js';
import type { WindowSpec } from '../../reduce/window-spec.js';

/** Options of `tidemark run`. */
export interface RunCommandOptions {
  /** The transform module; absent with `pipeline`. */
  transform?: string;
  /** A pipeline's JSON file (see `readPipelineFile`), instead of `transform`. */
  pipeline?: string;
  input: string;
  output: string;
  threads?: number;
  concurrency?: number | { min: number; max: number };
  mode?: 'async' | 'batch';
  batchSize?: number;
  ordered?: boolean;
  ordering?: 'unordered' | 'ordered' | 'key';
  /** A windowed reduce module instead of --transform. */
  reduce?: string;
  window?: WindowSpec;
  allowedLateness?: number;
  attempts?: number;
  /** Retry backoff: ms before the first retry, doubling each try. */
  retryInitial?: number;
  /** Retry backoff: ms between tries at most. */
  retryMax?: number;
  /** ms one try may take (0: no limit). */
  timeout?: number;
  transport?: 'ring' | 'task';
  ringBytes?: number;
  maxOutOfOrderness?: number;
  idleAfter?: number;
  quiet?: boolean;
  metricsPort?: number;
  /** Write failed records to this NDJSON file instead of the output. */
  deadLetter?: string;
  /** After SIGINT or SIGTERM, how long (ms) in-flight messages may take to finish. @default 10000 (`defaultShutdownTimeout`) */
  shutdownTimeout?: number;
  /** Bytes one input line may have; a longer one becomes a failed record. @default 16 MiB */
  maxRecordBytes?: number;
  inputBuffer?: number;
  inputBufferBytes?: number;
  inputOverflow?: OverflowPolicy;
  processingBufferBytes?: number;
  processingOverflow?: OverflowPolicy;
  outputBuffer?: number;
  outputBufferBytes?: number;
  outputOverflow?: OverflowPolicy;
  /**
   * Skip the input lines before this 0-based line index (a committed offset
   * printed or checkpointed by an earlier run); offsets stay the input's line
   * indexes. The output and dead-letter files are appended to, not truncated.
   */
  from?: number;
  /** Keep the committed offset in this file as the run goes (see `Checkpoint`). */
  checkpoint?: string;
}
