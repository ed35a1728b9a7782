import { readBenchInput } from '../../bench/bench-input.js';
import type { BenchInput } from '../../bench/bench-input.js';
import { runTransformSetting, transformEngineOptions } from '../../bench/transform-bench.js';
import type { TransformBench } from '../../bench/transform-bench.js';
import { plural } from '../../report/format.js';
import { openInput } from '../input-file.js';
import { UsageError } from '../usage-error.js';
import type { BenchOptions, BenchPlan, BenchWorkload } from './bench-workload.js';

/**
 * `tidemark bench --transform t.js --input records.ndjson`: the input read
 * once into memory (as `tidemark run` parses it), then replayed to every
 * setting. No oracle: it needs each message's latency known beforehand.
 */
export function transformPlan(options: BenchOptions): BenchPlan {
  const transform = options.transform ?? '';
  const bench: TransformBench = {
    transform,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.ordered === true ? { ordered: true } : {}),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
  };
  return {
    engineOptions: (setting) => transformEngineOptions(bench, setting),
    prepare: async (signal) => {
      const input = await readInput(options.input ?? '-', signal);
      return signal.aborted ? undefined : workload(bench, options, input);
    },
  };
}

/** The input, read to its end (or until `signal` stops the reading: then what was read). */
async function readInput(path: string, signal: AbortSignal): Promise<BenchInput> {
  const opened = openInput(path);
  const stop = () => opened.stream.destroy();
  signal.addEventListener('abort', stop, { once: true });
  try {
    return await readBenchInput(opened.stream);
  } catch (error) {
    if (signal.aborted) return { records: [], malformed: 0, withEventTime: 0 };
    throw error;
  } finally {
    signal.removeEventListener('abort', stop);
    opened.stream.destroy();
  }
}

function workload(bench: TransformBench, options: BenchOptions, input: BenchInput): BenchWorkload {
  const path = options.input ?? '-';
  const source = path === '-' ? 'stdin' : path;
  const n = input.records.length;
  const malformed = input.malformed === 0 ? '' : ` (${input.malformed} malformed)`;
  const what = `${bench.transform} on ${source}: ${plural(n, 'record')}${malformed}`;
  if (n === 0) throw new UsageError(`--input: no records in ${source} (only blank lines or nothing): nothing to bench`);
  const noOracle =
    'No oracle or efficiency columns: the oracle needs each message\'s latency known beforehand, as the built-in workload\'s seeded latencies are; a transform\'s are not.';
  // What the input was, for the output and the report (whose introduction says there is no oracle).
  const notes = (): string[] => [
    ...(input.malformed === 0 ? [] : [`${input.malformed} input ${input.malformed === 1 ? 'line is not a record: it is' : 'lines are not records: each is'} a failed record in every run, counted in messages and failed.`]),
    ...(input.withEventTime === 0
      ? []
      : [`The eventTime of ${plural(input.withEventTime, 'record')} was left out: event time is the read time, so the watermark lag measures the engine, not the age of the input's timestamps.`]),
  ];
  const flags = [...(options.ordered === true ? ['ordered'] : []), ...(options.timeout === undefined ? [] : [`timeout ${options.timeout} ms`])];
  return {
    header: `tidemark bench: ${what}; concurrency ${options.concurrency.join(',')} in ${options.modes.join(' and ')} mode${flags.map((flag) => `, ${flag}`).join('')}`,
    title: `tidemark bench: ${bench.transform}`,
    description: what,
    messages: n,
    run: (setting, _step, hooks) => runTransformSetting(bench, input, setting, hooks),
    results: () => [noOracle, ...notes()],
    reportNotes: () => notes(),
  };
}
