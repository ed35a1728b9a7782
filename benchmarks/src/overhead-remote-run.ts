// The overhead benchmark's remote-engine runs: the in-process Engine, spawnEngine (the engine in a
// worker thread) and `tidemark serve` over WebSocket from this Node process, each with the same
// options and the same host-side source, on a trivial and a skewed workload. Every message is
// stamped when the source yields it and when the consumer takes its record, and every output is
// checked (each offset once, the value right), so no contender is measured while losing data.
import { fileURLToPath } from 'node:url';
import { Engine } from '@tidemark/engine';
import type { EngineRecord } from '@tidemark/engine';
import { connectEngine, webSocketEndpoint } from '@tidemark/engine/client';
import { spawnEngine } from '@tidemark/engine/embed';
import { skewLatencies } from '@tidemark/engine/workload';
import { alternatingOrder } from './overhead-ab.js';
import { runFigures } from './overhead-remote.js';
import type { RemoteRole, RemoteRun, RemoteWorkloadName } from './overhead-remote.js';
import { openSocket } from './overhead-serve.js';

/** The folder of the section's two transforms, as built; `tidemark serve --transforms` serves it. */
export const remoteTransforms = fileURLToPath(new URL('./workers/remote/', import.meta.url));

/** One workload: which transform, how many messages at how many in flight, and the values. */
export interface RemoteWorkload {
  readonly name: RemoteWorkloadName;
  /** The transform's file name in {@link remoteTransforms}. */
  readonly transform: string;
  readonly messages: number;
  /** Messages through the same engine before the measured run. */
  readonly warmup: number;
  readonly concurrency: number;
  /** Message i's value (the warm-up takes the first `warmup`); its record's value must be twice it. */
  readonly values: Float64Array;
  /** What the values are, as printed. */
  readonly describe: string;
}

/** The skewed workload's latencies: lognormal (sigma 1) with this mean, ms. */
export const skewMeanMs = 2;

/**
 * The two workloads: `trivial` (`double.js`, value i) and `skewed` (`skewed-sleep.js`, which
 * awaits the value as a latency in ms: lognormal, mean {@link skewMeanMs} ms, seeded).
 */
export function remoteWorkloads(counts: { readonly trivial: number; readonly skewed: number }, threads: number): RemoteWorkload[] {
  const trivial = new Float64Array(counts.trivial).map((_, i) => i);
  const skewed = skewLatencies({ distribution: 'lognormal', meanMs: skewMeanMs, messages: counts.skewed, seed: 13 });
  return [
    {
      name: 'trivial',
      transform: 'double.js',
      messages: counts.trivial,
      warmup: Math.min(counts.trivial, threads * 10_000),
      concurrency: 256,
      values: trivial,
      describe: 'x => x * 2',
    },
    {
      name: 'skewed',
      transform: 'skewed-sleep.js',
      messages: counts.skewed,
      warmup: Math.min(counts.skewed, 3000),
      concurrency: 64,
      values: skewed,
      describe: `awaits a seeded lognormal latency carried in the value (mean ${skewMeanMs} ms, sigma 1; Node's timers truncate to whole ms, at least 1)`,
    },
  ];
}

/** What every contender is driven through: `Engine` and `RemoteEngine` alike. */
interface Processor {
  process(source: Iterable<{ value: number }>): AsyncIterable<EngineRecord>;
  close(): Promise<void>;
}

/** One engine of the comparison. */
export interface RemoteContender {
  readonly role: RemoteRole;
  readonly label: string;
  readonly open: (workload: RemoteWorkload, threads: number) => Promise<Processor>;
}

/** The three contenders, in the order of a forward run; `serveUrl` is a running `tidemark serve` of {@link remoteTransforms}. */
export function remoteContenders(serveUrl: string): RemoteContender[] {
  const url = (w: RemoteWorkload) => new URL(`./workers/remote/${w.transform}`, import.meta.url);
  const options = (w: RemoteWorkload, threads: number) => ({ threads, concurrency: w.concurrency });
  return [
    { role: 'in-process', label: 'in-process Engine', open: async (w, t) => new Engine({ transform: url(w), ...options(w, t) }) },
    { role: 'worker', label: 'spawnEngine (worker thread)', open: (w, t) => spawnEngine({ transform: url(w), ...options(w, t) }) },
    {
      role: 'websocket',
      label: 'tidemark serve (WebSocket, loopback)',
      open: async (w, t) => connectEngine(webSocketEndpoint(await openSocket(serveUrl)), { transform: w.transform, ...options(w, t) }),
    },
  ];
}

/**
 * Every contender `repeats` times on each workload, in {@link alternatingOrder}, after one untimed
 * round of each. Each contender's engine is opened once per workload, warmed up, and kept for all its runs, as a long-lived
 * engine is used: a fresh engine per run would charge a remote engine's new thread (a cold
 * isolate, its code not yet optimized) to every run, and the in-process engine nothing.
 */
export async function runRemote(
  contenders: readonly RemoteContender[],
  workloads: readonly RemoteWorkload[],
  options: { readonly repeats: number; readonly threads: number },
  progress: (line: string) => void,
): Promise<RemoteRun[]> {
  const results: RemoteRun[] = [];
  const order = alternatingOrder(contenders.length, options.repeats);
  for (const workload of workloads) {
    const engines: Processor[] = [];
    try {
      for (const { open, label } of contenders) {
        const engine = await open(workload, options.threads);
        engines.push(engine);
        await stamped(engine, workload, workload.warmup, label);
      }
      // One untimed round of every contender first: the first timed round ran slow for every
      // contender alike (what the workload before left behind), which made it the low one of each median.
      for (const [index, { label }] of contenders.entries()) await stamped(engines[index] as Processor, workload, workload.messages, label);
      for (const [run, indices] of order.entries()) {
        for (const [position, index] of indices.entries()) {
          const { role, label } = contenders[index] as RemoteContender;
          const figures = await stamped(engines[index] as Processor, workload, workload.messages, label);
          progress(
            `remote ${workload.name} run ${run + 1}/${options.repeats}: ${label}: ${Math.round(figures.messagesPerSecond).toLocaleString('en')} msg/s, p99 ${figures.p99Ms.toFixed(2)} ms, most ahead ${figures.maxAhead}`,
          );
          results.push({ workload: workload.name, role, label, run, position, messages: workload.messages, ...figures });
        }
      }
    } finally {
      for (const engine of engines) await engine.close();
    }
  }
  return results;
}

/** What one run measured: its figures from the stamps, and the most messages ever yielded and not yet taken. */
type Figures = ReturnType<typeof runFigures> & { maxAhead: number };

/** Messages 0..count-1 of `workload` through `engine`, stamped both ends, every record checked; their figures. */
async function stamped(engine: Processor, workload: RemoteWorkload, count: number, label: string): Promise<Figures> {
  const { values } = workload;
  const sent = new Float64Array(count);
  const received = new Float64Array(count);
  let yielded = 0;
  function* source(): Generator<{ value: number }> {
    for (let i = 0; i < count; i++) {
      sent[i] = performance.now();
      yielded++;
      yield { value: values[i] as number };
    }
  }
  let taken = 0;
  let maxAhead = 0;
  for await (const record of engine.process(source())) {
    const now = performance.now();
    if (yielded - taken > maxAhead) maxAhead = yielded - taken;
    const fail = (what: string): Error => new Error(`remote ${workload.name}, ${label}: message ${record.offset} ${what}`);
    if (record.kind !== 'output') throw fail(`failed: ${record.error.message}`);
    const offset = record.offset;
    if (!(offset >= 0 && offset < count) || !Number.isInteger(offset)) throw fail(`is outside 0..${count - 1}`);
    if (received[offset] !== 0) throw fail('came back twice');
    if (record.value !== (values[offset] as number) * 2) throw fail(`came back as ${String(record.value)}, expected ${(values[offset] as number) * 2}`);
    received[offset] = now;
    taken++;
  }
  if (taken !== count) throw new Error(`remote ${workload.name}, ${label}: ${taken} records for ${count} messages`);
  return { ...runFigures(sent, received), maxAhead };
}
