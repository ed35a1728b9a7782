// Standalone entry: `node dist/watermark-main.js` runs only the watermark
// micro-benchmark and prints its table with the machine it ran on.
import { availableParallelism, cpus } from 'node:os';
import { markdownTable } from 'markdown-table';
import { runWatermarkBench } from './watermark-bench.js';

const results = await runWatermarkBench();
const table = markdownTable(
  [['operation', 'ops/s'], ...results.map((r) => [r.name, Math.round(r.opsPerSecond).toLocaleString('en')])],
  { align: ['l', 'r'] },
);
console.log(`## Watermark tracker\n\n${cpus()[0]?.model ?? 'unknown CPU'} x${availableParallelism()}, Node ${process.version}\n\n${table}`);
