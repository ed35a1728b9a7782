import { SkewBenchRunner } from '../../bench/skew-bench.js';
import { batchOf } from '../../bench/bench-table.js';
import { ratio, steadyShown } from '../../bench/steady-window.js';
import type { BenchOptions, BenchPlan, BenchWorkload, Log } from './bench-workload.js';

/**
 * `tidemark bench` without `--transform` (and `tidemark demo`): the built-in
 * seeded latency-skew workload. At each concurrency the oracle (the same
 * latencies through an in-process work-conserving executor) runs first, and
 * each mode's efficiency is its throughput over the oracle's.
 */
export function demoPlan(options: BenchOptions, log: Log): BenchPlan {
  const { family, distribution, messages, meanMs, seed } = options;
  const runner = new SkewBenchRunner(
    { family, distribution, messages, meanMs, seed, ...(options.threads === undefined ? {} : { threads: options.threads }) },
    {
      oracleStarting: (concurrency) =>
        log(`  running the oracle at concurrency ${concurrency} (${concurrency} slots on this thread, each waiting as the ${family} transform does, no workers)...`),
      oracleDone: (oracle) => log(`  oracle at concurrency ${oracle.concurrency}: ${oracle.throughput.toFixed(0)} msg/s, ${oracle.seconds.toFixed(2)} s`),
    },
  );
  const workload: BenchWorkload = {
    header:
      `tidemark bench (built-in workload): ${messages} messages, ${distribution} latencies (mean ${meanMs} ms, seed ${seed}), ` +
      `${family} transform, ${options.concurrency.join(',')} in flight, ${options.modes.join(' and ')} mode`,
    title: 'tidemark bench: the built-in latency-skew workload',
    description:
      `The built-in workload: ${messages.toLocaleString('en-US')} messages with seeded ${distribution} latencies ` +
      `(mean ${meanMs} ms, seed ${seed}), spent by the ${family} transform`,
    messages,
    run: (setting, step, hooks) => runner.run(setting, step.repeat, hooks),
    results: (runs) =>
      runs.flatMap((async) => {
        const batch = batchOf(async, runs);
        if (batch === undefined || async.efficiency === undefined || batch.efficiency === undefined) return [];
        if (!steadyShown(async) || !steadyShown(batch)) return [];
        return [
          `at concurrency ${async.concurrency}, async mode moved ${ratio(async.throughput, batch.throughput).toFixed(2)}x the messages per second of batch mode ` +
            `(${(async.efficiency * 100).toFixed(0)}% vs ${(batch.efficiency * 100).toFixed(0)}% of the oracle's ${(async.oracleThroughput ?? Number.NaN).toFixed(0)} msg/s: ` +
            `the same latencies through ${async.concurrency} work-conserving slots on one thread), ` +
            `with p99 latency ${async.latencyP99.toFixed(1)} ms vs ${batch.latencyP99.toFixed(1)} ms.`,
        ];
      }),
    reportNotes: () => [],
  };
  return { engineOptions: (setting) => runner.engineOptions(setting), prepare: () => Promise.resolve(workload) };
}
