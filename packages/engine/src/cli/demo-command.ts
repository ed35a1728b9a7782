import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { resolve } from 'node:path';
import { renderReport } from '../report/index.js';
import { distributionNames } from '../workload/distributions.js';
import type { DistributionName } from '../workload/distributions.js';
import { runSkewOracle, runSkewScenario } from '../workload/skew-scenario.js';
import type { SkewFamily, SkewRun } from '../workload/skew-scenario.js';
import { skewTable } from '../workload/skew-table.js';
import { Progress } from './progress.js';

/** Options of `tidemark demo`. */
export interface DemoOptions {
  family: SkewFamily;
  distribution: DistributionName;
  concurrency: number;
  messages: number;
  meanMs: number;
  seed: number;
  json?: boolean;
  quiet?: boolean;
  /** Where the HTML report goes; `false` (from `--no-report`) for none. */
  report: string | false;
}

/**
 * `tidemark demo`: one seeded latency-skewed workload through the oracle
 * (the same latencies through an in-process work-conserving executor), then
 * batch mode and async mode on the same pool settings, then a side-by-side
 * table whose efficiency is each mode's throughput over the oracle's.
 */
export async function demoCommand(options: DemoOptions): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(
    `tidemark demo: ${options.messages} messages, ${options.distribution} latencies (mean ${options.meanMs} ms, seed ${options.seed}), ` +
      `${options.family} transform, ${options.concurrency} in flight; ${cpus()[0]?.model ?? 'cpu'} x${availableParallelism()}, Node ${process.version}`,
  );
  const { json, quiet, report, ...workload } = options;
  log(`  running the oracle (${options.concurrency} slots on this thread, each waiting as the ${options.family} transform does, no workers)...`);
  const oracle = await runSkewOracle(workload);
  log(`  oracle: ${oracle.throughput.toFixed(0)} msg/s, ${oracle.seconds.toFixed(2)} s`);
  const results: SkewRun[] = [];
  for (const mode of ['batch', 'async'] as const) {
    log(`  running ${mode} mode...`);
    let progress: Progress | undefined;
    try {
      const result = await runSkewScenario(
        { ...workload, mode },
        {
          oracle,
          measuring: (engine) => {
            progress = new Progress(engine, { total: options.messages, label: `  ${mode}`, quiet: quiet === true }).start();
          },
        },
      );
      progress?.stop();
      log(`  ${mode}: ${result.seconds.toFixed(2)} s`);
      results.push(result);
    } finally {
      progress?.stop();
    }
  }
  if (report !== false) {
    const machine = `${cpus()[0]?.model ?? 'cpu'} x${availableParallelism()}, Node ${process.version}, ${new Date().toISOString()}`;
    await writeFile(report, renderReport({ title: 'tidemark demo: async vs batch', machine, runs: results }));
    log(`  report: ${resolve(report)}`);
  }
  if (json === true) {
    const summaries = results.map(({ timeline, ...summary }) => summary);
    process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
    return;
  }
  const [batch, async] = results as [SkewRun, SkewRun];
  process.stdout.write(`\n${skewTable([async, batch])}\n\n`);
  process.stdout.write(
    `async mode moved ${(async.throughput / batch.throughput).toFixed(2)}x the messages per second of batch mode ` +
      `(${(async.efficiency * 100).toFixed(0)}% vs ${(batch.efficiency * 100).toFixed(0)}% of the oracle's ${oracle.throughput.toFixed(0)} msg/s: ` +
      `the same latencies through ${options.concurrency} work-conserving slots on one thread), ` +
      `with p99 latency ${async.latencyP99.toFixed(1)} ms vs ${batch.latencyP99.toFixed(1)} ms.\n`,
  );
}

export { distributionNames };
