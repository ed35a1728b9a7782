export { Engine } from './engine.js';
export {
  BufferFullError,
  EngineBusyError,
  EngineClosedError,
  EngineDisconnectedError,
  InvalidMessageError,
  InvalidOptionError,
  MalformedInputError,
  RecordTooLargeError,
  TidemarkError,
  TransformError,
  TransformLoadError,
  UnwritableOutputError,
} from './errors.js';
export { drop, fanOut } from '@tidemark/workers';
export type { ChunkOptions, EngineEvents, ProcessOptions } from './engine.js';
export type { StreamOptions } from './streams/stream-run.js';
export type { BufferOptions, EngineOptions, ResolvedOptions } from './options/options.js';
export type { BufferFill, BufferLimit, BufferName, Overflow, OverflowPolicy } from './buffers/buffer-limit.js';
export { sizeOf } from './buffers/size-of.js';
export type { EngineRecord, FailedRecord, Output, SourceRecord } from './message.js';
export type { MessageTrace, Outcome, Stage } from './run/message-state.js';
export type { RunStats } from './run/run-stats.js';
export type { Source } from './source/source-reader.js';
export { partitioned } from './source/partitioned.js';
export { ndjsonSource } from './io/ndjson-source.js';
export type { NdjsonPositions, NdjsonSourceOptions } from './io/ndjson-source.js';
export { NdjsonSink } from './io/ndjson-sink.js';
export type { NdjsonSinkOptions } from './io/ndjson-sink.js';
export type { PartitionedSource } from './source/partitioned.js';
export type { PartitionId } from '@tidemark/watermark';
export type { Transform, TransformContext } from '@tidemark/workers';
