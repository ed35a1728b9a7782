// Standalone entry: `node dist/overhead-baselines-main.js [--messages N]` runs the four
// overhead baselines at concurrency 64 and 256 on 2 threads and prints a Markdown table
// with the machine it ran on.
import { parseArgs } from 'node:util';
import { markdownTable } from 'markdown-table';
import { machine } from './machine.js';
import { piscinaRun, pMapPiscina, rawPostMessage, rawPostMessageBatched } from './overhead-baselines.js';
import type { OverheadResult } from './overhead-baselines.js';

const usage = `node dist/overhead-baselines-main.js [--messages N]
  --messages <n>   messages (items, for the batched baseline) per run (default 1000000)`;

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '1000000' }, help: { type: 'boolean', default: false } },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
// '1_000_000' reads like the default in the code, so accept the underscores too.
const messages = Number(values.messages.replaceAll('_', ''));
if (!(messages >= 1) || !Number.isInteger(messages)) {
  console.error(`overhead-baselines: invalid --messages ${values.messages}\n${usage}`);
  process.exit(2);
}

const threads = 2;
const baselines = [piscinaRun, pMapPiscina, rawPostMessage, rawPostMessageBatched];
const host = machine();
const rows: { concurrency: number; result: OverheadResult }[] = [];
for (const concurrency of [64, 256]) {
  for (const baseline of baselines) {
    const result = await baseline({ messages, concurrency, threads });
    // Progress to stderr so stdout stays a clean Markdown document.
    console.error(`  c${concurrency} ${result.name}: ${Math.round(result.messagesPerSecond)} msg/s (${result.seconds.toFixed(1)} s)`);
    rows.push({ concurrency, result });
  }
}

const table = markdownTable(
  [
    ['baseline', 'concurrency', 'messages', 'seconds', 'messages/s', 'ns/message'],
    ...rows.map(({ concurrency, result: r }) => [
      r.name,
      String(concurrency),
      r.messages.toLocaleString('en'),
      r.seconds.toFixed(2),
      Math.round(r.messagesPerSecond).toLocaleString('en'),
      Math.round(r.nsPerMessage).toLocaleString('en'),
    ]),
  ],
  { align: ['l', 'r', 'r', 'r', 'r', 'r'] },
);
console.log(`## Overhead baselines\n\n${host.cpu} x${host.cores}, Node ${host.node}, ${host.date}\n\n${table}`);
