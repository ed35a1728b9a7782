import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { resolve } from 'node:path';
import type { BenchMode, BenchRun, BenchSetting } from '../bench/bench-run.js';
import { benchSettings } from '../bench/bench-run.js';
import { benchTable } from '../bench/bench-table.js';
import { bestRule, bestSetting } from '../bench/best-setting.js';
import type { Measuring } from '../bench/transform-bench.js';
import { runBench } from '../bench/run-bench.js';
import type { BenchStep } from '../bench/run-bench.js';
import { renderBenchReport } from '../report/index.js';
import type { DistributionName } from '../workload/distributions.js';
import type { SkewFamily } from '../workload/skew-scenario.js';
import { demoWorkload } from './demo-command.js';
import { Progress } from './progress.js';
import { transformWorkload } from './transform-workload.js';

/** Options of `tidemark bench` (and `tidemark demo`), checked. */
export interface BenchOptions {
  /** A user's transform, run on `input`; without it the built-in workload runs. */
  transform?: string;
  input?: string;
  /** In-flight targets, one setting each per mode. */
  concurrency: number[];
  modes: BenchMode[];
  threads?: number;
  ordered?: boolean;
  /** Runs of each setting; the figures are their medians. */
  repeat: number;
  /** The built-in workload's. */
  family: SkewFamily;
  distribution: DistributionName;
  messages: number;
  meanMs: number;
  seed: number;
  json?: boolean;
  /** Only the results: nothing on stderr. */
  quiet?: boolean;
  /** Where the HTML report goes; `false` (from `--no-report`) for none. */
  report: string | false;
}

/** What the bench command runs: the built-in workload or a user's transform. */
export interface BenchWorkload {
  /** The stderr line that opens the run. */
  readonly header: string;
  /** The report's title, and its line on what ran. */
  readonly title: string;
  readonly description: string;
  /** Messages per run, for the progress bar. */
  readonly messages: number;
  run(setting: BenchSetting, step: BenchStep, measuring: Measuring): Promise<BenchRun>;
  /** Lines printed under the table, and paragraphs for the report. */
  results(runs: readonly BenchRun[]): string[];
  reportNotes(runs: readonly BenchRun[]): string[];
}

/** One line to stderr, unless quiet. */
export type Log = (line: string) => void;

/**
 * `tidemark bench`: every setting (each concurrency in each mode) on a fresh
 * engine, one after another in this process, `repeat` times in alternating
 * order; then the table of medians with the best setting marked and why,
 * and the HTML report. Progress on stderr (which setting, n of N) unless quiet.
 */
export async function benchCommand(options: BenchOptions): Promise<void> {
  const quiet = options.quiet === true;
  const log: Log = quiet ? () => {} : (line) => process.stderr.write(`${line}\n`);
  const machine = `${cpus()[0]?.model ?? 'cpu'} x${availableParallelism()}, Node ${process.version}`;
  const workload = options.transform === undefined ? demoWorkload(options, log) : await transformWorkload(options);
  const settings = benchSettings(options.concurrency, options.modes);
  const each = options.repeat === 1 ? '1 run each' : `${options.repeat} runs each, in alternating order`;
  log(`${workload.header}; ${settings.length} settings, ${each}; ${machine}`);
  const runs = await runBench(settings, options.repeat, async (setting, step) => {
    let progress: Progress | undefined;
    try {
      return await workload.run(setting, step, (engine) => {
        progress = new Progress(engine, { total: workload.messages, label: `  ${name(setting)}`, quiet }).start();
      });
    } finally {
      progress?.stop();
    }
  }, {
    starting: (step) => log(`  [${step.step}/${step.steps}] ${name(step.setting)}${runOf(step, options.repeat)}...`),
    finished: (step, run) =>
      log(
        `  [${step.step}/${step.steps}] ${name(step.setting)}: ${run.throughput.toFixed(0)} msg/s, ` +
          `p99 ${run.latencyP99.toFixed(1)} ms, ${run.seconds.toFixed(2)} s`,
      ),
  });
  const best = bestSetting(runs);
  if (options.report !== false) {
    const html = renderBenchReport({
      title: workload.title,
      machine: `${machine}, ${new Date().toISOString()}`,
      workload: workload.description,
      runs,
      best,
      repeat: options.repeat,
      notes: workload.reportNotes(runs),
    });
    await writeFile(options.report, html);
    log(`  report: ${resolve(options.report)}`);
  }
  if (options.json === true) {
    const summaries = runs.map(({ timeline: _timeline, ...summary }, i) => ({ ...summary, best: i === best.index }));
    process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
    return;
  }
  const lines = [
    ...(options.repeat > 1 ? [`Every figure is the median of ${options.repeat} runs of its setting (the settings' order reversed on every other run).`] : []),
    `best: ${best.why}.`,
    `rule: ${bestRule}.`,
    ...workload.results(runs),
  ];
  process.stdout.write(`\n${benchTable(runs, best.index)}\n\n${lines.join('\n')}\n`);
}

/** `async at concurrency 32`. */
function name(setting: BenchSetting): string {
  return `${setting.mode} at concurrency ${setting.concurrency}`;
}

function runOf(step: BenchStep, repeat: number): string {
  return repeat === 1 ? '' : ` (run ${step.repeat + 1} of ${repeat})`;
}
