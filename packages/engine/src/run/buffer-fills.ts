import { bufferFill } from '../buffers/buffer-limit.js';
import type { BufferFill, BufferLimit, BufferName } from '../buffers/buffer-limit.js';
import type { OutputBuffer } from '../buffers/output-buffer.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';

/**
 * A run's input, processing and output buffers against their limits, in
 * messages and, where sizes are measured (`sized` for the first two), bytes.
 * The processing buffer's capacity is the dispatcher's slots: the in-flight
 * target and the lookahead.
 */
export function buffersOf(
  dispatcher: Dispatcher,
  output: OutputBuffer,
  limits: Readonly<Record<BufferName, BufferLimit>>,
  sized: boolean,
): Record<BufferName, BufferFill> {
  return {
    input: bufferFill(dispatcher.input.size, dispatcher.input.bytes, limits.input, sized),
    processing: bufferFill(dispatcher.running, dispatcher.runningBytes, { ...limits.processing, messages: dispatcher.slots }, sized),
    output: bufferFill(output.size, output.bytes, limits.output, output.sized),
  };
}
