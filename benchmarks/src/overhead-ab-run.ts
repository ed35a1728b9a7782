// The overhead benchmark's A/B: an earlier commit's engine (built by overhead-base.ts), this
// checkout's, and piscina `run()` at its best, trivial transform, ring transport, every output
// checked; each in-flight count runs every contender `runs` times in alternating order.
import { alternatingOrder } from './overhead-ab.js';
import type { AbRole, AbRun } from './overhead-ab.js';
import type { BaseEngine } from './overhead-base.js';
import type { engineRun } from './overhead-engine.js';
import type { OverheadOptions, OverheadResult } from './overhead-loop.js';
import { piscinaBest } from './overhead-pools.js';

/** One side of the A/B. */
export interface AbContender {
  readonly role: AbRole;
  readonly label: string;
  readonly run: (options: OverheadOptions) => Promise<OverheadResult>;
}

/** `processChunks()`'s default chunk size. */
const chunkSize = 1024;

/**
 * `engineRun` from a module instance of its own, for one contender. V8 keeps one set of inline
 * caches per function literal, so a consumer loop shared by every engine would carry one engine's
 * iterator and record shapes into the other's runs, and slow whichever ran after the other: here
 * each contender's loop sees its own engine's only.
 */
async function ownLoop(contender: string): Promise<typeof engineRun> {
  const url = new URL(`./overhead-engine.js?contender=${contender}`, import.meta.url).href;
  return ((await import(url)) as { engineRun: typeof engineRun }).engineRun;
}

/** The contenders, in the order of a forward run; abRows divides each row by the base and piscina. */
export async function abContenders(base: BaseEngine, current: string): Promise<AbContender[]> {
  const [baseRun, currentRun, chunksRun] = await Promise.all([ownLoop('base'), ownLoop('current'), ownLoop('chunks')]);
  return [
    { role: 'base', label: `base engine (${base.commit.short})`, run: (o) => baseRun({ ...o, transport: 'ring' }, base.Engine) },
    { role: 'current', label: `current engine (${current})`, run: (o) => currentRun({ ...o, transport: 'ring' }) },
    // processChunks() at its default size; the base has only record-by-record process().
    {
      role: 'current',
      label: `current engine, processChunks size ${chunkSize}`,
      run: (o) => chunksRun({ ...o, transport: 'ring', chunkSize }),
    },
    { role: 'piscina', label: 'piscina run()', run: piscinaBest },
  ];
}

/** Every contender `runs` times at each of `concurrencies`, in {@link alternatingOrder}. */
export async function runAb(
  contenders: readonly AbContender[],
  options: { readonly concurrencies: readonly number[]; readonly runs: number; readonly messages: number; readonly threads: number },
  progress: (line: string) => void,
): Promise<AbRun[]> {
  const results: AbRun[] = [];
  const order = alternatingOrder(contenders.length, options.runs);
  for (const concurrency of options.concurrencies) {
    for (const [run, indices] of order.entries()) {
      for (const [position, index] of indices.entries()) {
        const { role, label, run: go } = contenders[index] as AbContender;
        const result = await go({ messages: options.messages, concurrency, threads: options.threads });
        progress(`A/B c${concurrency} run ${run + 1}/${options.runs}: ${label}: ${Math.round(result.messagesPerSecond).toLocaleString('en')} msg/s`);
        results.push({ concurrency, role, label, run, position, messagesPerSecond: result.messagesPerSecond });
      }
    }
  }
  return results;
}
