import { readBenchInput } from '../bench/bench-input.js';
import { runTransformSetting } from '../bench/transform-bench.js';
import type { TransformBench } from '../bench/transform-bench.js';
import type { BenchOptions, BenchWorkload } from './bench-command.js';
import { openInput } from './input-file.js';
import { UsageError } from './usage-error.js';

/**
 * `tidemark bench --transform t.js --input records.ndjson`: the input read
 * once into memory (as `tidemark run` parses it), then replayed to every
 * setting. No oracle: it needs each message's latency known beforehand.
 */
export async function transformWorkload(options: BenchOptions): Promise<BenchWorkload> {
  const transform = options.transform ?? '';
  const path = options.input ?? '-';
  const opened = openInput(path);
  let input;
  try {
    input = await readBenchInput(opened.stream);
  } finally {
    opened.stream.destroy();
  }
  const bench: TransformBench = {
    transform,
    input,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.ordered === true ? { ordered: true } : {}),
  };
  const n = input.records.length;
  const malformed = input.malformed === 0 ? '' : ` (${input.malformed} malformed)`;
  const what = `${transform} on ${path === '-' ? 'stdin' : path}: ${n} records${malformed}`;
  if (n === 0) throw new UsageError(`--input: no records in ${path === '-' ? 'stdin' : path} (only blank lines or nothing): nothing to bench`);
  const noOracle =
    'No oracle or efficiency columns: the oracle needs each message\'s latency known beforehand, as the built-in workload\'s seeded latencies are; a transform\'s are not.';
  // What the input was, for the output and the report (whose introduction says there is no oracle).
  const notes = (): string[] => [
    ...(input.malformed === 0 ? [] : [`${input.malformed} input ${input.malformed === 1 ? 'line is not a record: it is' : 'lines are not records: each is'} a failed record in every run, counted in messages and failed.`]),
    ...(input.withEventTime === 0
      ? []
      : [`The eventTime of ${input.withEventTime} records was left out: event time is the read time, so the watermark lag measures the engine, not the age of the input's timestamps.`]),
  ];
  return {
    header: `tidemark bench: ${what}; concurrency ${options.concurrency.join(',')} in ${options.modes.join(' and ')} mode${options.ordered === true ? ', ordered' : ''}`,
    title: `tidemark bench: ${transform}`,
    description: what,
    messages: n,
    run: (setting, _step, measuring) => runTransformSetting(bench, setting, measuring),
    results: (runs) => [...shortInput(runs, n), noOracle, ...notes()],
    reportNotes: (runs) => [...notes(), ...shortInput(runs, n)],
  };
}

/** Messages per slot below which a setting's figures rest on too few turns of its slots (batch: too few batches). */
const fewPerSlot = 10;

/**
 * A note for each concurrency at which the input gives every slot fewer
 * than {@link fewPerSlot} messages: in batch mode that is fewer than that
 * many batches, in async mode a steady state (first read to last read) that
 * holds few acks, so its msg/s rests on little.
 */
function shortInput(runs: readonly { concurrency: number }[], n: number): string[] {
  const concurrencies = [...new Set(runs.map((run) => run.concurrency))].filter((c) => n < fewPerSlot * c);
  if (concurrencies.length === 0) return [];
  return [
    `Note: at concurrency ${concurrencies.join(', ')} the input's ${n} records are fewer than ${fewPerSlot} per slot ` +
      `(batch: fewer than ${fewPerSlot} batches), so those figures rest on few turns of the slots; ` +
      `an input of ${fewPerSlot * Math.max(...concurrencies)} records or more measures them better.`,
  ];
}
