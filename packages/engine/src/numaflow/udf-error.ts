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
