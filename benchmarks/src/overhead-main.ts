// `pnpm bench:overhead`: the transport benchmarks of the ring issue, side by side in one run:
// per-message overhead (engine ring and task against piscina and raw postMessage), payload
// sizes (ring vs task), and CPU scaling (1 vs 2 threads). Prints Markdown, writes JSON.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { markdownTable } from 'markdown-table';
import { calibrate, cpuScaling } from './cpu-scaling.js';
import { machine } from './machine.js';
import { piscinaDefaults, piscinaRun, pMapPiscina, rawPostMessage, rawPostMessageBatched } from './overhead-baselines.js';
import type { OverheadOptions, OverheadResult } from './overhead-baselines.js';
import { engineRun } from './overhead-engine.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    out: { type: 'string', default: new URL('../results', import.meta.url).pathname },
  },
});
const messages = Number(values.messages);
if (!(messages >= 1000) || !Number.isInteger(messages)) {
  console.error(`bench: --messages must be an integer from 1000 up, got ${values.messages}`);
  process.exit(2);
}
const threads = 2;
const host = machine();
const progress = (line: string) => console.error(`  ${line}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en');

// ── overhead ────────────────────────────────────────────────────────────────
const runs: [string, (o: OverheadOptions) => Promise<OverheadResult>][] = [
  ['engine ring', (o) => engineRun({ ...o, transport: 'ring' })],
  ['engine ring + metrics', (o) => engineRun({ ...o, transport: 'ring', metrics: true })],
  ['engine task', (o) => engineRun({ ...o, transport: 'task' })],
  ['plain piscina', piscinaDefaults],
  ['piscina tuned', piscinaRun],
  ['p-map', pMapPiscina],
  ['raw postMessage', rawPostMessage],
  ['raw postMessage x64', rawPostMessageBatched],
];
const overhead: (OverheadResult & { concurrency: number })[] = [];
for (const concurrency of [64, 256]) {
  for (const [label, run] of runs) {
    const result = await run({ messages, concurrency, threads });
    progress(`c${concurrency} ${label}: ${fmt(result.messagesPerSecond)} msg/s`);
    overhead.push({ ...result, concurrency });
  }
}
const overheadTable = markdownTable(
  [
    ['run', 'concurrency', 'messages/s', 'ns/message', 'vs plain piscina'],
    ...overhead.map((r) => {
      const plain = overhead.find((p) => p.concurrency === r.concurrency && p.name.startsWith('plain piscina'));
      return [r.name, String(r.concurrency), fmt(r.messagesPerSecond), fmt(r.nsPerMessage), plain ? `${(r.messagesPerSecond / plain.messagesPerSecond).toFixed(1)}x` : ''];
    }),
  ],
  { align: ['l', 'r', 'r', 'r', 'r'] },
);

// Metrics on vs off: on a 2-core machine one pair of runs is noisy, so each
// concurrency alternates off and on three times and compares the medians.
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const metricsRatios: { concurrency: number; off: number; on: number; ratio: number }[] = [];
for (const concurrency of [64, 256]) {
  const off: number[] = [];
  const on: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    off.push((await engineRun({ messages, concurrency, threads, transport: 'ring' })).messagesPerSecond);
    on.push((await engineRun({ messages, concurrency, threads, transport: 'ring', metrics: true })).messagesPerSecond);
  }
  const ratio = median(on) / median(off);
  progress(`c${concurrency} metrics on/off: ${fmt(median(on))} / ${fmt(median(off))} = ${ratio.toFixed(3)}`);
  metricsRatios.push({ concurrency, off: median(off), on: median(on), ratio });
}
const metricsLine = metricsRatios
  .map((m) => `c${m.concurrency}: ${fmt(m.on)} / ${fmt(m.off)} msg/s = **${m.ratio.toFixed(3)}**`)
  .join(', ');

// ── payload sizes ───────────────────────────────────────────────────────────
const payloads: (OverheadResult & { bytes: number; megabytesPerSecond: number })[] = [];
for (const bytes of [16, 1024, 65536]) {
  const count = Math.max(5000, Math.round(Math.min(messages, 2e9 / Math.max(bytes, 4096)) / 4));
  for (const transport of ['ring', 'task'] as const) {
    const result = await engineRun({ messages: count, concurrency: 64, threads, transport, payload: bytes });
    const megabytesPerSecond = (result.messagesPerSecond * bytes) / 1e6;
    progress(`${bytes} B ${transport}: ${fmt(result.messagesPerSecond)} msg/s, ${megabytesPerSecond.toFixed(1)} MB/s`);
    payloads.push({ ...result, bytes, megabytesPerSecond });
  }
}
const payloadTable = markdownTable(
  [['run', 'value bytes', 'messages', 'messages/s', 'MB/s (one way)'], ...payloads.map((r) => [r.name, String(r.bytes), fmt(r.messages), fmt(r.messagesPerSecond), r.megabytesPerSecond.toFixed(1)])],
  { align: ['l', 'r', 'r', 'r', 'r'] },
);

// ── CPU scaling ─────────────────────────────────────────────────────────────
const rounds = calibrate(2);
const one = await cpuScaling(1, rounds, 500);
const two = await cpuScaling(2, rounds, 1000);
const scaling = two.messagesPerSecond / one.messagesPerSecond;
progress(`cpu scaling: ${scaling.toFixed(2)}`);
const scalingTable = markdownTable(
  [['threads', 'messages', 'messages/s'], ...[one, two].map((r) => [String(r.threads), fmt(r.messages), r.messagesPerSecond.toFixed(1)])],
  { align: ['r', 'r', 'r'] },
);

console.log(`# Tidemark transport benchmarks

${host.cpu} x${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.date}

## Overhead: trivial transform, ${threads} threads, ${fmt(messages)} messages

${overheadTable}

Metrics on / off (engine ring, medians of 3 alternating runs each): ${metricsLine} (the bar is 0.90)

## Payload sizes (concurrency 64)

${payloadTable}

## CPU scaling: SHA-256 for about 2 ms (${rounds} rounds of 16 KiB) per message

${scalingTable}

2 threads / 1 thread: **${scaling.toFixed(2)}** (the limit on this machine is 2.0)
`);
await mkdir(values.out, { recursive: true });
await writeFile(join(values.out, 'overhead.json'), JSON.stringify({ machine: host, overhead, metricsRatios, payloads, scaling: { rounds, one, two, ratio: scaling } }, null, 2));
