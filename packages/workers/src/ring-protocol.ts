/**
 * The ring protocol, one module for both directions: the record format
 * (ring-record-format.ts), the input records the main thread writes and the
 * worker reads (ring-input.ts), and the output records the worker writes and
 * the main thread reads (ring-output.ts). The main thread's client
 * (ring-client.ts) and the worker's server (ring-serve.ts) use only this.
 */
export { CLONED, INPUT_HEADER, NO_KEY, OUTPUT_HEADER, Status, portValue } from './ring-record-format.js';
export type { PortRecord, RecordPort } from './ring-record-format.js';
export { InputReader, InputWriter } from './ring-input.js';
export { OutputReader, OutputWriter } from './ring-output.js';
