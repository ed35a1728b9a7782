export { Engine } from './engine.js';
export {
  EngineBusyError,
  EngineClosedError,
  InvalidMessageError,
  InvalidOptionError,
  MalformedInputError,
  TidemarkError,
  TransformError,
  TransformLoadError,
} from './errors.js';
export { drop, fanOut } from '@tidemark/workers';
export type { EngineEvents, ProcessOptions } from './engine.js';
export type { EngineOptions, ResolvedOptions } from './options.js';
export type { EngineRecord, FailedRecord, Output, SourceRecord } from './message.js';
export type { MessageTrace, Stage } from './message-state.js';
export type { RunStats } from './run-hooks.js';
export type { Source } from './source-reader.js';
export type { Transform, TransformContext } from '@tidemark/workers';
