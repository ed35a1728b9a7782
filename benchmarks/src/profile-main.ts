// pnpm bench:profile: where the main thread's time goes on the overhead benchmark's trivial
// run (the engine, ring transport, record by record or in chunks). A CPU profile of the main
// thread (node:inspector, in this process) over one timed run after the warm-up, summed by
// self time per function and per source folder. The workers' time is not in it: on the trivial
// transform they wait for the main thread, which is what bounds the throughput.
import { writeFile, mkdir } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { markdownTable } from 'markdown-table';
import { benchArgs } from './cli-args.js';
import { machine } from './machine.js';
import { openBase } from './overhead-base.js';
import type { BaseEngine } from './overhead-base.js';
import { engineRun } from './overhead-engine.js';
import { selfTimes, topRows } from './profile-summary.js';

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    messages: { type: 'string', default: '1000000' },
    concurrency: { type: 'string', default: '256' },
    chunks: { type: 'string' },
    top: { type: 'string', default: '25' },
    // An earlier commit's engine instead of this checkout's (built as bench:overhead builds its base).
    base: { type: 'string' },
    out: { type: 'string', default: new URL('../results', import.meta.url).pathname },
  },
});
const positive = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: --${name} must be a positive integer, got ${text}`);
    process.exit(2);
  }
  return n;
};
const messages = positive('messages', values.messages);
const concurrency = positive('concurrency', values.concurrency);
const chunkSize = values.chunks === undefined ? undefined : positive('chunks', values.chunks);
const top = positive('top', values.top);
const threads = availableParallelism();

// Only when asked: the base is built in a temporary folder, removed when the process ends.
const base: BaseEngine | undefined = values.base === undefined ? undefined : await openBase(values.base, (line) => console.error(`bench: ${line}`));
const Engine = base?.Engine;

const session = new Session();
session.connect();
await session.post('Profiler.enable');
// One untimed run first (the engine's code warms up), then the profiled one.
const runOptions = { concurrency, threads, transport: 'ring' as const, ...(chunkSize === undefined ? {} : { chunkSize }) };
await engineRun({ ...runOptions, messages: Math.min(messages, 200_000) }, Engine);
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const result = await engineRun({ ...runOptions, messages }, Engine);
const { profile } = await session.post('Profiler.stop');
session.disconnect();

const times = selfTimes(profile);
const host = machine();
const md = [
  `Main-thread CPU profile of \`${result.name}\`${base === undefined ? '' : ` at ${base.commit.short} (${base.commit.subject})`}: ${messages.toLocaleString('en')} trivial messages at ${concurrency} in flight on ${threads} threads, ${Math.round(result.messagesPerSecond).toLocaleString('en')} msg/s while profiled (sampling slows it). ${host.cpu}, ${host.cores} cores, Node ${host.node}, ${host.date}.`,
  '',
  `Self time by where the code lives (${(times.totalMs / 1e3).toFixed(2)} s sampled; idle is the main thread waiting, e.g. for the workers):`,
  '',
  markdownTable([['where', 'self ms', 'share'], ...topRows(times.byPlace, times.totalMs, 100)], { align: ['l', 'r', 'r'] }),
  '',
  `The ${top} functions with the most self time:`,
  '',
  markdownTable([['function (file:line)', 'self ms', 'share'], ...topRows(times.byFunction, times.totalMs, top)], { align: ['l', 'r', 'r'] }),
].join('\n');
console.log(md);
await mkdir(values.out, { recursive: true });
await writeFile(`${values.out}/profile.md`, `${md}\n`);
await writeFile(`${values.out}/profile.cpuprofile`, JSON.stringify(profile));
await base?.[Symbol.asyncDispose]();
console.error(`bench: wrote ${values.out}/profile.md and profile.cpuprofile (open it in Chrome DevTools' Performance panel)`);
