export { drop, fanOut, toValues } from './outputs.js';
export { serializeError } from './serialize-error.js';
export { TransformModuleError } from './load-transform.js';
export type { Outputs } from './outputs.js';
export type { Transform, TransformContext } from './transform.js';
export type {
  Completion,
  CompletionHandler,
  LoadRequest,
  LoadResult,
  RunReport,
  SerializedError,
  TaskRequest,
  TaskResult,
} from './protocol.js';
export { WORKER_LOADED } from './protocol.js';

/** The file piscina runs for the task transport. */
export const taskWorkerUrl: string = new URL('./task-worker.js', import.meta.url).href;
/** The built-in latency-skew transform used by `tidemark demo` and the benchmarks. */
export const skewTransformUrl: string = new URL('./skew-transform.js', import.meta.url).href;
export { Doorbell } from './ring.js';
export { RingClient } from './ring-client.js';
export type { RingMessage } from './ring-client.js';
export type { ServeRequest } from './ring-layout.js';
export { TimeoutError, withDeadline } from './deadline.js';
export { TooDeep, ValueTooDeepError } from './codec.js';
export { PostEncoder, decodePosted } from './post-codec.js';
export { TaskBoard } from './task-board.js';
export { now } from './clock.js';
export { CompletionReporter } from './completion-reporter.js';
export { reduceRunnerUrl } from './reduce/reduce-runner-url.js';
export { ReduceStore } from './reduce/reduce-store.js';
export { checkReduceModule } from './reduce/reduce-module.js';
export type { ReduceContext, ReduceModule } from './reduce/reduce-module.js';
export { REDUCE_MISSING, REDUCE_OP, asReduceReply, parseReduceOp, reduceResultReply } from './reduce/reduce-protocol.js';
export type { ReduceAddOp, ReduceOp, ReducePartId, ReduceReply, ReduceResultOp, ReduceWindow } from './reduce/reduce-protocol.js';
