import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answer a WebSocket upgrade request with an HTTP error (`status`, `reason`
 * as its body) and close the socket: no connection is made.
 */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
