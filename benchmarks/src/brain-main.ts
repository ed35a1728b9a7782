// `pnpm bench:brain`: the scheduling brain of issue 14 in one process: adaptive concurrency
// against a sweep of fixed settings on a downstream whose capacity shifts (a separate process
// with K slots), a CPU-bound and an await-bound transform, priority under overload against FIFO,
// and low-priority messages behind a steady stream of high-priority ones with and without aging.
// Prints Markdown tables and the goals with pass or FAIL, writes brain.json, brain.md and
// brain-report.html (the target over time). A failed goal exits 1, except with --quick (a smoke
// run whose phases are too short for the figures to mean much).
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { markdownTable } from 'markdown-table';
import { runAwait } from './brain-await.js';
import type { AwaitRun } from './brain-await.js';
import { capacityPhases, runCapacity, settingName } from './brain-capacity.js';
import type { CapacityRun, CapacitySetting } from './brain-capacity.js';
import { cpuRounds, runCpu } from './brain-cpu.js';
import type { CpuRun } from './brain-cpu.js';
import { awaitCheck, capacityChecks, cpuChecks, priorityCheck, starvationChecks } from './brain-goals.js';
import type { PriorityFigures } from './brain-goals.js';
import { priorityModes, runPriority } from './brain-priority.js';
import type { PriorityMode, PriorityRun } from './brain-priority.js';
import { renderBrainReport } from './brain-report.js';
import type { BrainResults } from './brain-results.js';
import { starvationModes, starvationNote, starvationPriorities } from './brain-starvation.js';
import { runStarvation } from './brain-starvation-run.js';
import type { StarvationMode, StarvationRun } from './brain-starvation.js';
import { awaitCells, capacityCells, cpuCells, phaseCells, priorityCells, settingFigures, starvationCells } from './brain-tables.js';
import type { Cells } from './brain-tables.js';
import { checkTable } from './check.js';
import type { Check } from './check.js';
import { benchArgs } from './cli-args.js';
import { median } from './distribution.js';
import { machine } from './machine.js';

const scenarioNames = ['capacity', 'cpu', 'await', 'priority'] as const;
const usage = `pnpm bench:brain [-- options]
  --quick                 small phases and runs: a smoke run (< 60 s), goals printed, not enforced
  --repeat <n>            runs of every setting, the order reversed on every other (default 2, 1 with --quick)
  --scenarios <a,b>       ${scenarioNames.join(',')} (default all; priority runs the overload and the starvation scenarios)
  --seed <n>              which messages are high priority (default 42)
  --out <dir>             where brain.json, brain.md and brain-report.html go (default benchmarks/results)`;

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    quick: { type: 'boolean', default: false },
    repeat: { type: 'string' },
    scenarios: { type: 'string', default: scenarioNames.join(',') },
    seed: { type: 'string', default: '42' },
    out: { type: 'string', default: new URL('../results', import.meta.url).pathname },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const repeat = Number(values.repeat ?? (values.quick ? 1 : 2));
const seed = Number(values.seed);
const scenarios = values.scenarios.split(',');
const bad =
  scenarios.find((s) => !(scenarioNames as readonly string[]).includes(s)) ??
  (!(Number.isInteger(repeat) && repeat >= 1) ? `--repeat ${values.repeat ?? ''}` : undefined) ??
  (!Number.isInteger(seed) ? `--seed ${values.seed}` : undefined);
if (bad !== undefined) {
  console.error(`bench:brain: invalid ${bad}\n${usage}`);
  process.exit(2);
}

const quick = values.quick;
const threads = availableParallelism();
const min = 1;
const max = 256;
const serviceMs = 10;
const host = machine();
const progress = (line: string) => console.error(`  ${line}`);
const md = (cells: Cells) => markdownTable([[...cells.header], ...cells.rows.map((r) => [...r])]);
/** `items` in order on even repeats and reversed on odd ones, so that no setting always runs first. */
const ordered = <T>(items: readonly T[], round: number): T[] => (round % 2 === 0 ? [...items] : [...items].reverse());
const out: string[] = [`# Tidemark: the scheduling brain${quick ? ' (--quick)' : ''}`, `${host.cpu} x${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.date}; repeats ${repeat}`];
const print = (text: string) => {
  out.push(text);
  console.log(`${text}\n`);
};
print(out[0] as string);
print(out[1] as string);
const checks: Check[] = [];
const results: { -readonly [K in keyof BrainResults]: BrainResults[K] } = { machine: host, quick, repeat, checks };

if (scenarios.includes('capacity')) {
  const plan = { serviceMs, phases: capacityPhases([8, 32, 4], quick ? 0.5 : 3, serviceMs), threads, min, max };
  const settings: CapacitySetting[] = ['adaptive', 4, 8, 16, 32, 64, 128, 256];
  const runs: CapacityRun[] = [];
  for (let round = 0; round < repeat; round++) {
    for (const setting of ordered(settings, round)) {
      const run = await runCapacity(plan, setting);
      runs.push(run);
      progress(`capacity ${settingName(setting)}: ${Math.round(run.throughput)} msg/s, p50 ${run.latencyP50.toFixed(1)} ms, p99 ${run.latencyP99.toFixed(1)} ms (${run.seconds.toFixed(1)} s)`);
    }
  }
  const figures = settingFigures(runs);
  results.capacity = { plan, runs, settings: figures };
  checks.push(...capacityChecks(figures, max));
  print(`## Shifting capacity: K ${plan.phases.map((p) => `${p.capacity} (${p.calls} calls)`).join(' → ')}, ${serviceMs} ms a call, ${threads} threads\n\n${md(capacityCells(runs))}`);
  print(`Latency: read to ack (ack traces); try: dispatch to completion. Figures: medians over repeats.\n\n### Adaptive: settling after each shift (level: the phase's second-half median M; band: M ± max(25% of M, 2), the band the README states; in band: the second half's time within it; settled: within the band, or M ± max(50% of M, 2), to the phase's end; probes left out, probing: their share of the second half)\n\n${md(phaseCells(runs))}`);
}

if (scenarios.includes('cpu')) {
  const plan = { threads, messages: quick ? 1500 : 6000, min, max, rounds: cpuRounds(1) };
  const runs: CpuRun[] = [];
  for (let round = 0; round < repeat; round++) {
    for (const adaptive of ordered([true, false], round)) {
      const run = await runCpu(plan, adaptive);
      runs.push(run);
      progress(`cpu ${run.name}: ${Math.round(run.throughput)} msg/s, settled target ${run.settledTarget}`);
    }
  }
  results.cpu = { plan, runs };
  const adaptive = runs.filter((r) => r.name === 'adaptive');
  const fixed = runs.filter((r) => r.name !== 'adaptive');
  checks.push(
    ...cpuChecks(
      median(adaptive.map((r) => r.settledTarget)),
      threads,
      median(adaptive.map((r) => r.throughput)),
      median(fixed.map((r) => r.throughput)),
    ),
  );
  print(`## CPU-bound: ${plan.rounds} hash rounds (about 1 ms) a message, ${plan.messages} messages, ${threads} threads\n\n${md(cpuCells(runs, threads))}`);
}

if (scenarios.includes('await')) {
  const plan = { threads, seconds: quick ? 1.5 : 5, sleepMs: 10, min, max };
  const runs: AwaitRun[] = [];
  for (let round = 0; round < repeat; round++) {
    for (const adaptive of ordered([true, false], round)) {
      const run = await runAwait(plan, adaptive);
      runs.push(run);
      progress(`await ${run.name}: ${Math.round(run.throughput)} msg/s, final target ${run.finalTarget}`);
    }
  }
  results.await = { plan, runs };
  for (const run of runs.filter((r) => r.name === 'adaptive')) checks.push(awaitCheck(run.finalTarget, max, run.toMax));
  print(`## Await-bound: ${plan.sleepMs} ms timer, no capacity limit, ${plan.seconds} s of source\n\n${md(awaitCells(runs))}`);
}

if (scenarios.includes('priority')) {
  const plan = { threads, messages: quick ? 3000 : 15000, highShare: 0.1, sleepMs: 5, concurrency: 8, input: 2000, seed };
  const runs: PriorityRun[] = [];
  for (let round = 0; round < repeat; round++) {
    for (const mode of ordered(priorityModes, round)) {
      const run = await runPriority(plan, mode);
      runs.push(run);
      progress(`priority ${run.name}: high p50 ${run.high.p50.toFixed(1)} ms, low p50 ${run.low.p50.toFixed(1)} ms`);
    }
  }
  results.priority = { plan, runs };
  const figures = (name: PriorityMode): PriorityFigures => ({ name, highP50: median(runs.filter((r) => r.name === name).map((r) => r.high.p50)) });
  const fifo = figures('fifo');
  checks.push(priorityCheck(fifo, figures('priority')), priorityCheck(fifo, figures('priority, aging off')));
  print(
    `## Priority under overload: input buffer ${plan.input}, ${plan.highShare * 100}% high, ${plan.sleepMs} ms at concurrency ${plan.concurrency}, ${plan.messages} messages\n\n${md(priorityCells(runs))}`,
  );
  print(
    'Latency: read to ack. priority: high 1, low 0, default priorityAging (10 s a level); 1 s aging: priorityAging 1000, where a high message gets ahead of a low one by at most 1 s of waiting, so once FIFO waits past 1 s its high p50 cannot fall below FIFO\'s p50 − 1 s (informative, no goal). The source is finite and read only as the workers make room (block), so every low-priority message completes whatever the mode; the low max shows how long the longest waited. Whether aging serves them while high-priority messages still arrive is the starvation scenario\'s check, below.',
  );

  const starvationPlan = { threads, messages: quick ? 4000 : 8000, lows: 200, sleepMs: 5, concurrency: 8, input: 400, aging: 1000 };
  const starved: StarvationRun[] = [];
  for (let round = 0; round < repeat; round++) {
    for (const mode of ordered(starvationModes, round)) {
      const run = await runStarvation(starvationPlan, mode, round);
      starved.push(run);
      progress(`starvation ${run.name}: ${run.lowWhileHighs} of ${run.lowSent} low done while highs arrived, low max wait ${Math.round(run.lowMaxWait)} ms, max wait ${Math.round(run.maxWait)} ms`);
    }
  }
  results.starvation = { plan: starvationPlan, runs: starved };
  const of = (name: StarvationMode) => starved.filter((r) => r.name === name);
  checks.push(...starvationChecks(of('priority, aging'), of('fifo'), starvationPriorities.high - starvationPriorities.low, starvationPlan.aging));
  print(`## Starvation: high-priority arrivals as fast as the workers serve, ${starvationPlan.lows} low-priority messages waiting\n\n${md(starvationCells(starved))}`);
  print(starvationNote(starvationPlan));
}

print(`## Goals${quick ? ' (--quick: not enforced)' : ''}\n\n${checkTable(checks)}`);
await mkdir(values.out, { recursive: true });
await writeFile(join(values.out, 'brain.json'), JSON.stringify(results, (_, v: unknown) => (v === undefined ? null : v), 2));
await writeFile(join(values.out, 'brain.md'), `${out.join('\n\n')}\n`);
await writeFile(join(values.out, 'brain-report.html'), renderBrainReport(results));
console.log(`JSON, Markdown and the HTML report (brain-report.html) written to ${values.out}`);
if (!quick && checks.some((c) => !c.pass)) process.exitCode = 1;
