// The baseline of `pnpm bench:numaflow`: a Numaflow map server written the way the SDKs
// write theirs (numaflow-go `pkg/mapper/service.go`, numaflow-python's mapper servicer),
// in plain grpc-js: one MapFn handler that checks the handshake, runs the transform on
// each request as it arrives, on the main thread, and writes the answer with the request's
// id; IsReady; the server-info file with MAP_MODE unary-map. A process of its own:
//   node numaflow-sdk-server.js <socket> <server-info file> <transform module>
// prints `serving` once the socket is bound.
import { rm, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { sendUnaryData, ServerDuplexStream, ServerUnaryCall } from '@grpc/grpc-js';
import { mapClientConstructor, mapModeKey, serverInfoEnd } from '@tidemark/engine/numaflow';
import type { MapRequest, MapResponse } from '@tidemark/engine/numaflow';

const [socket, serverInfo, module] = process.argv.slice(2);
if (socket === undefined || serverInfo === undefined || module === undefined) {
  console.error('usage: numaflow-sdk-server.js <socket> <server-info file> <transform module>');
  process.exit(2);
}
const transform = ((await import(pathToFileURL(module).href)) as { default: (value: Uint8Array) => Uint8Array | string }).default;

function mapFn(call: ServerDuplexStream<MapRequest, MapResponse>): void {
  let handshaken = false;
  call.on('data', (request: MapRequest) => {
    if (!handshaken) {
      if (request.handshake?.sot !== true) {
        call.emit('error', { code: status.INVALID_ARGUMENT, details: 'invalid handshake' });
        return;
      }
      handshaken = true;
      call.write({ handshake: { sot: true } });
      return;
    }
    const input = request.request;
    try {
      const output = transform(input?.value ?? Buffer.alloc(0));
      const value = typeof output === 'string' ? Buffer.from(output) : output;
      call.write({ id: request.id ?? '', results: [{ keys: input?.keys ?? [], value, tags: [] }] });
    } catch (error) {
      call.emit('error', { code: status.INTERNAL, details: `UDF_EXECUTION_ERROR(mapper): ${String(error)}` });
    }
  });
  call.on('end', () => call.end());
}

const server = new Server({ 'grpc.max_receive_message_length': 64 * 2 ** 20, 'grpc.max_send_message_length': 64 * 2 ** 20 });
server.addService(mapClientConstructor().service, {
  MapFn: mapFn,
  IsReady: (_call: ServerUnaryCall<unknown, unknown>, reply: sendUnaryData<{ ready: boolean }>) => reply(null, { ready: true }),
});
await rm(socket, { force: true });
await new Promise<void>((resolve, reject) => server.bindAsync(`unix:${socket}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())));
const info = { protocol: 'uds', language: 'javascript', minimum_numaflow_version: '1.4.0-z', version: '', metadata: { [mapModeKey]: 'unary-map' } };
await writeFile(serverInfo, JSON.stringify(info) + serverInfoEnd);
console.log('serving');
process.once('SIGTERM', () => {
  server.forceShutdown();
  process.exit(0);
});
