// Plain worker_threads echo for the raw postMessage baselines: no piscina, so the figure is
// the floor a per-message postMessage transport can reach on this machine.
// A number is answered with x + 1 (ping-pong); an array with every item + 1 in one reply
// (batched postMessage). Replies go in arrival order, so the main thread needs no ids.
import { parentPort } from 'node:worker_threads';

if (parentPort === null) throw new Error('raw-echo.js must be started as a worker thread');
const port = parentPort;

port.on('message', (payload: number | number[]) => {
  port.postMessage(typeof payload === 'number' ? payload + 1 : payload.map((x) => x + 1));
});
