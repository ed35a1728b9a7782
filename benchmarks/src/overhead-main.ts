// `pnpm bench:overhead`: the transport benchmarks, side by side in one run: an A/B of an earlier
// commit's engine (`--base`, built in a temporary folder) against this checkout's and piscina,
// per-message overhead (engine ring and task against the peer pools at their best and raw
// postMessage), payload sizes (ring vs task), CPU scaling (1 thread vs one per core), and the
// remote engines (spawnEngine, `tidemark serve` over WebSocket) against the in-process one.
// Prints Markdown, writes JSON; exits 1 when the metrics or the remote checks fail.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { markdownTable } from 'markdown-table';
import { checkTable } from './check.js';
import type { Check } from './check.js';
import { calibrate, cpuScaling } from './cpu-scaling.js';
import { machine } from './machine.js';
import { abRows, abTable } from './overhead-ab.js';
import type { AbRow, AbRun } from './overhead-ab.js';
import { abContenders, runAb } from './overhead-ab-run.js';
import { checkout, defaultBase, openBase } from './overhead-base.js';
import type { Commit } from './overhead-base.js';
import { upperMedian as median } from './distribution.js';
import { metricsChecks } from './overhead-checks.js';
import type { MetricsRatio } from './overhead-checks.js';
import { engineRun } from './overhead-engine.js';
import { warmupMessages } from './overhead-loop.js';
import type { OverheadOptions, OverheadResult } from './overhead-loop.js';
import { piscinaBest, piscinaBestAsync, piscinaDefaults, pMapPiscina, poolifierBest, tasksPerWorker, tinypoolBest } from './overhead-pools.js';
import { rawPostMessage, rawPostMessageBatched } from './overhead-raw.js';
import { remoteSection } from './overhead-remote-section.js';
import { benchArgs } from './cli-args.js';

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    messages: { type: 'string', default: '1000000' },
    out: { type: 'string', default: new URL('../results', import.meta.url).pathname },
    base: { type: 'string', default: defaultBase },
    'ab-only': { type: 'boolean', default: false },
    'remote-only': { type: 'boolean', default: false },
    'ab-runs': { type: 'string', default: '3' },
  },
});
const messages = Number(values.messages);
if (!(messages >= 1000) || !Number.isInteger(messages)) {
  console.error(`bench: --messages must be an integer from 1000 up, got ${values.messages}`);
  process.exit(2);
}
const abRepeats = Number(values['ab-runs']);
if (!(abRepeats >= 1 && abRepeats <= 99) || !Number.isInteger(abRepeats)) {
  console.error(`bench: --ab-runs must be an integer from 1 to 99, got ${values['ab-runs']}`);
  process.exit(2);
}
if (values['ab-only'] && values['remote-only']) {
  console.error('bench: --ab-only and --remote-only each run one section alone: give one');
  process.exit(2);
}
if (values['ab-only'] && values.base === 'none') {
  console.error('bench: --ab-only with --base none leaves nothing to run');
  process.exit(2);
}
const threads = availableParallelism();
const host = machine();
const progress = (line: string) => console.error(`  ${line}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en');

// ── A/B: an earlier commit's engine, this checkout's, piscina ──────────────
// First, while both engines are fresh in this process (the later sections would have run
// this checkout's through other shapes), and so that the base's folder goes early.
const abConcurrencies = [256, 64];
let ab: { base: Commit; current: Commit & { dirty: boolean }; repeats: number; runs: AbRun[]; rows: AbRow[] } | undefined;
if (values.base !== 'none' && !values['remote-only']) {
  const current = await checkout();
  await using base = await openBase(values.base, progress);
  const contenders = await abContenders(base, `${current.short}${current.dirty ? ' + changes' : ''}`);
  const runs = await runAb(contenders, { concurrencies: abConcurrencies, runs: abRepeats, messages, threads }, progress);
  ab = { base: base.commit, current, repeats: abRepeats, runs, rows: abRows(runs) };
}
const remote = values['ab-only'] ? undefined : await remoteSection(messages, threads, progress);
const sections = values['ab-only'] || values['remote-only'] ? undefined : await transportSections();

console.log(`# Tidemark transport benchmarks

${host.cpu} x${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.date}
${ab === undefined ? '' : `\n${abMarkdown(ab)}`}${remote === undefined ? '' : `\n${remote.markdown}`}${sections === undefined ? '' : `\n${sections.markdown}`}`);
await mkdir(values.out, { recursive: true });
await writeFile(join(values.out, 'overhead.json'), JSON.stringify({ machine: host, ab: ab ?? null, remote: null, ...remote?.json, ...sections?.json }, null, 2));
if ([...(remote?.checks ?? []), ...(sections?.checks ?? [])].some((c) => !c.pass)) process.exitCode = 1;

function abMarkdown({ base, current, repeats, rows }: NonNullable<typeof ab>): string {
  const perWorker = abConcurrencies.map((c) => `${tasksPerWorker({ messages, concurrency: c, threads })} at ${c}`).join(', ');
  return `## A/B: the engine at ${base.short} against this one and piscina (trivial transform, ${threads} threads, ${fmt(messages)} messages)

Base: ${base.short} "${base.subject}", built in a temporary folder. Current: this checkout's build (HEAD ${current.short}${current.dirty ? ' with uncommitted changes' : ''}), record by record (\`process()\`) and in chunks (\`processChunks()\`). The engines on the ring transport with the same worker file; piscina \`run()\` lanes with \`concurrentTasksPerWorker = ceil(in flight / threads)\` (${perWorker}). ${repeats} runs each per in-flight count, the order reversed every other run; each run has the warm-up of the overhead table and every output checked. The ratios divide the row's median by the base's and by piscina's; \`÷ base, paired\` is the median over the runs of each run's figure over the base's in the same run, which a machine drifting between runs moves less.

${abTable(rows)}
`;
}

/** The overhead table with the metrics check, payload sizes and CPU scaling: their Markdown, JSON and checks. */
async function transportSections(): Promise<{ markdown: string; json: object; checks: Check[] }> {

  // ── overhead ────────────────────────────────────────────────────────────────
  // `baseline` marks the rows the ratio column divides by the faster of: piscina at its best.
  const runs: { label: string; baseline?: true; run: (o: OverheadOptions) => Promise<OverheadResult> }[] = [
    { label: 'engine ring', run: (o) => engineRun({ ...o, transport: 'ring' }) },
    { label: 'engine ring + metrics', run: (o) => engineRun({ ...o, transport: 'ring', metrics: true }) },
    { label: 'engine task', run: (o) => engineRun({ ...o, transport: 'task' }) },
    { label: 'piscina', baseline: true, run: piscinaBest },
    { label: 'piscina atomics async', baseline: true, run: piscinaBestAsync },
    { label: 'tinypool', run: tinypoolBest },
    { label: 'poolifier', run: poolifierBest },
    { label: 'piscina defaults', run: piscinaDefaults },
    { label: 'p-map + piscina', run: pMapPiscina },
    { label: 'raw postMessage', run: rawPostMessage },
    { label: 'raw postMessage x64', run: rawPostMessageBatched },
  ];
  const overhead: (OverheadResult & { label: string; baseline: boolean; concurrency: number })[] = [];
  for (const concurrency of [64, 256]) {
    for (const { label, baseline, run } of runs) {
      const result = await run({ messages, concurrency, threads });
      progress(`c${concurrency} ${label}: ${fmt(result.messagesPerSecond)} msg/s`);
      overhead.push({ ...result, label, baseline: baseline === true, concurrency });
    }
  }
  const rate = (concurrency: number, label: string) =>
    overhead.find((r) => r.concurrency === concurrency && r.label === label)?.messagesPerSecond ?? Number.NaN;
  /** The faster piscina configuration at `concurrency`: the baseline. */
  const baselineAt = (concurrency: number) =>
    overhead.filter((r) => r.concurrency === concurrency && r.baseline).reduce((best, r) => (r.messagesPerSecond > best.messagesPerSecond ? r : best));
  const overheadTable = markdownTable(
    [
      ['run', 'concurrency', 'messages/s', 'ns/message', 'vs piscina at its best'],
      ...overhead.map((r) => {
        const best = baselineAt(r.concurrency);
        return [r.name, String(r.concurrency), fmt(r.messagesPerSecond), fmt(r.nsPerMessage), best ? `${(r.messagesPerSecond / best.messagesPerSecond).toFixed(2)}x` : ''];
      }),
    ],
    { align: ['l', 'r', 'r', 'r', 'r'] },
  );
  const peersLine = [64, 256]
    .map(
      (c) =>
        `c${c}: piscina ${fmt(baselineAt(c).messagesPerSecond)}, poolifier ${fmt(rate(c, 'poolifier'))}, tinypool ${fmt(rate(c, 'tinypool'))} ` +
        `against the engine's ${fmt(rate(c, 'engine ring'))} (ring) trivial msg/s`,
    )
    .join('; ');

  // Metrics on vs off: on a 2-core machine one pair of runs is noisy, so each
  // concurrency runs five pairs and compares the medians. Which of a pair goes
  // first alternates (off-on, on-off, ...): a run's place in the pair moves its
  // figure by several percent here, which would otherwise count for one side.
  const metricsReps = 5;
  const metricsRatios: MetricsRatio[] = [];
  for (const concurrency of [64, 256]) {
    const off: number[] = [];
    const on: number[] = [];
    for (let rep = 0; rep < metricsReps; rep++) {
      for (const metrics of rep % 2 === 0 ? [false, true] : [true, false]) {
        const rate = (await engineRun({ messages, concurrency, threads, transport: 'ring', metrics })).messagesPerSecond;
        (metrics ? on : off).push(rate);
      }
    }
    const ratio = median(on) / median(off);
    progress(`c${concurrency} metrics on/off: ${fmt(median(on))} / ${fmt(median(off))} = ${ratio.toFixed(3)}`);
    metricsRatios.push({ concurrency, off: median(off), on: median(on), ratio });
  }
  const checks = metricsChecks(metricsRatios);

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
  const all = await cpuScaling(threads, rounds, 500 * threads);
  const scaling = all.messagesPerSecond / one.messagesPerSecond;
  progress(`cpu scaling: ${scaling.toFixed(2)}`);
  const scalingTable = markdownTable(
    [['threads', 'messages', 'messages/s'], ...[one, all].map((r) => [String(r.threads), fmt(r.messages), r.messagesPerSecond.toFixed(1)])],
    { align: ['r', 'r', 'r'] },
  );

  const markdown = `## Overhead: trivial transform, ${threads} threads, ${fmt(messages)} messages

Every pool with its tasks at the workers (\`ceil(concurrency / threads)\` per worker) and the engine's warm-up (${fmt(warmupMessages(threads))} messages), driven by the same closed loop; every output checked.

${overheadTable}

Peers at their best: ${peersLine}.

Metrics on / off (engine ring, medians of ${metricsReps} pairs, the first of each pair alternating):

${checkTable(checks)}

## Payload sizes (concurrency 64)

${payloadTable}

## CPU scaling: SHA-256 for about 2 ms (${rounds} rounds of 16 KiB) per message

${scalingTable}

${threads} threads / 1 thread: **${scaling.toFixed(2)}** (${host.cores} cores: perfect scaling would be ${threads.toFixed(2)})
`;
  return { markdown, json: { overhead, metricsRatios, checks, payloads, scaling: { rounds, one, all, ratio: scaling } }, checks };
}
