export { drop, fanOut, toValues } from './outputs.js';
export { serializeError } from './serialize-error.js';
export { TransformModuleError } from './load-transform.js';
export type { Outputs } from './outputs.js';
export type { Transform, TransformContext } from './transform.js';
export type { LoadRequest, LoadResult, RunReport, SerializedError, TaskRequest, TaskResult } from './protocol.js';
export { WORKER_LOADED } from './protocol.js';

/** The file piscina runs for the task transport. */
export const taskWorkerUrl: string = new URL('./task-worker.js', import.meta.url).href;
/** The built-in latency-skew transform used by `tidemark demo` and the benchmarks. */
export const skewTransformUrl: string = new URL('./skew-transform.js', import.meta.url).href;
export { Doorbell, Ring } from './ring.js';
export { Tag, ValueEncoder, decodeValue } from './codec.js';
export { CLONED, Control, Field, INPUT_HEADER, NO_KEY, OUTPUT_HEADER, SLOT_FIELDS, SlotStage, Status } from './ring-layout.js';
export type { PortRecord, ServeRequest } from './ring-layout.js';
export { portValue } from './ring-serve.js';
export { TimeoutError, withDeadline } from './deadline.js';
export { now } from './clock.js';
