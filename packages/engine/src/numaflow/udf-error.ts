/**
 * A failed message as the SDKs report it: the gRPC status INTERNAL with
 * `UDF_EXECUTION_ERROR(<container>): <what happened>` as its details.
 * Numaflow's data plane treats it as a failure of the UDF, not of the
 * transport: it stops the vertex, whose unacked messages are then delivered
 * again, and files the error under the container named between the
 * parentheses. The container is named as the SDKs name it: from
 * `NUMAFLOW_UD_CONTAINER_TYPE`, which Numaflow sets on a UDF container.
 */
export function udfError(message: string): string {
  const container = process.env['NUMAFLOW_UD_CONTAINER_TYPE'] ?? 'unknown-container';
  return `UDF_EXECUTION_ERROR(${container}): ${message.replace(/\s*\n\s*/g, ' ')}`;
}

/**
 * The most bytes of a status's details that are sent. The details travel in
 * HTTP/2 trailers, percent-encoded: far longer ones (a transform's error of
 * 100,000 characters) make the client reset the stream and wedge its
 * connection. The server's log has the full text.
 */
export const maxDetailsBytes = 4096;

/** `details` cut to {@link maxDetailsBytes} of UTF-8, saying how many characters were left out: `… (N more characters)`. */
export function capDetails(details: string): string {
  if (Buffer.byteLength(details) <= maxDetailsBytes) return details;
  let bytes = 0;
  let end = 0;
  for (const character of details) {
    bytes += Buffer.byteLength(character);
    if (bytes > maxDetailsBytes - 64) break; // room for the note
    end += character.length;
  }
  return `${details.slice(0, end)}… (${details.length - end} more characters)`;
}
