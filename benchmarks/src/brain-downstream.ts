// The simulated downstream service of `pnpm bench:brain` (shifting capacity), as a process of
// its own so that its capacity is shared by every worker thread as a real service's is: forked
// by brain-downstream-process.ts with a DownstreamPlan (JSON) as its one argument, it listens on
// the plan's Unix socket, serves calls through DownstreamSlots and reports over IPC when it
// listens and when each phase begins. It exits when the benchmark disconnects.
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DownstreamSlots } from './brain-slots.js';
import { FrameReader, frame } from './brain-wire.js';
import type { DownstreamPlan, DownstreamReport } from './brain-wire.js';

const send = (report: DownstreamReport): void => {
  process.send?.(report);
};
const plan = JSON.parse(process.argv[2] ?? 'null') as DownstreamPlan | null;
if (plan === null || process.send === undefined) {
  console.error('brain-downstream: expected to be forked with a plan (JSON) as the one argument');
  process.exit(2);
}
const origin = performance.timeOrigin;
const slots = new DownstreamSlots(plan.phases, plan.serviceMs, { after: (fn, ms) => setTimeout(fn, ms), now: () => origin + performance.now() }, send);
const server = createServer((socket) => {
  socket.setEncoding('latin1');
  const reader = new FrameReader((id) => {
    slots.call(() => {
      if (!socket.destroyed) socket.write(frame(id));
    });
  });
  socket.on('data', (chunk: string) => reader.feed(chunk));
  // A worker that goes away (its engine closed) is no failure of the downstream.
  socket.on('error', () => socket.destroy());
});
server.listen(plan.path, () => send({ kind: 'listening' }));
process.on('disconnect', () => {
  server.close();
  process.exit(0);
});
