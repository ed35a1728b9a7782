/** Every Tidemark error class, and nothing else: what each entry point exports, and what a remote engine makes again by name. */
export {
  BranchFailedError,
  BrokerError,
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
