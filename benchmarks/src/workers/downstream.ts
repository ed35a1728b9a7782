import { once } from 'node:events';
import { connect } from 'node:net';
import { FrameReader, frame } from '../brain-wire.js';

/**
 * The shifting-capacity transform of `pnpm bench:brain`: one call to the
 * simulated downstream (brain-downstream.ts) per message, over this worker
 * thread's one connection to it, opened while the module loads; it resolves
 * when the downstream has served the call. The socket path comes from
 * `TIDEMARK_BRAIN_DOWNSTREAM` (a worker thread starts with a copy of the
 * main thread's environment).
 */
const path = process.env.TIDEMARK_BRAIN_DOWNSTREAM;
if (path === undefined || path === '') throw new Error('downstream transform: TIDEMARK_BRAIN_DOWNSTREAM names no socket');
const socket = connect(path);
await once(socket, 'connect');
socket.setEncoding('latin1');

const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
let next = 0;
const reader = new FrameReader((id) => {
  const call = pending.get(id);
  pending.delete(id);
  call?.resolve();
});
socket.on('data', (chunk: string) => reader.feed(chunk));
socket.on('close', () => {
  const error = new Error('downstream transform: the downstream closed the connection');
  for (const call of pending.values()) call.reject(error);
  pending.clear();
});

export default function call(value: unknown): Promise<unknown> {
  const id = next++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: () => resolve(value), reject });
    socket.write(frame(id));
  });
}
