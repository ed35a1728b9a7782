import type { TidemarkError, TransformError } from '../errors.js';
import type { MapResult } from './map-proto.js';
import type { MapCall } from './map-pump.js';
import { answerBytes, dropResult, mapResult } from './map-results.js';

/**
 * The answer to a settled request: its results, or why it has none to send
 * (then `onFailure` decides: the stream fails, or a DROP message answers it).
 * A request has none when its transform failed for good, when an output is
 * not a Numaflow message, or when the answer would be longer than the
 * longest gRPC message: gRPC would end the stream with RESOURCE_EXHAUSTED,
 * and Numaflow would deliver the message again, for ever.
 */
export type Answer = { readonly results: MapResult[] } | { readonly problem: string };

/** The answer to `call`, whose encoded response may take `maxMessageBytes` at most. */
export function answerOf(call: MapCall, maxMessageBytes: number): Answer {
  if (call.error !== undefined) return { problem: describe(call.error) };
  const results: MapResult[] = [];
  for (const output of call.outputs) {
    const result = mapResult(output, call.keys);
    if (typeof result === 'string') return { problem: `the transform's output is not a Numaflow message: ${result}` };
    if (result !== undefined) results.push(result);
  }
  if (results.length === 0) return { results: [dropResult] };
  const bytes = answerBytes(call.id, results);
  if (bytes > maxMessageBytes) return { problem: `its answer of ${bytes} bytes is over maxMessageBytes (--max-message-bytes), ${maxMessageBytes}` };
  return { results };
}

/** A failed record's error in one line: what the transform threw (`TransformError` carries its name), else the engine's error. */
function describe(error: TidemarkError): string {
  const thrown = (error as Partial<TransformError>).errorName;
  return `${thrown ?? error.name}: ${error.message}`;
}
