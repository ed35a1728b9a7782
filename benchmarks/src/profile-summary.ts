// The arithmetic of pnpm bench:profile: a V8 CPU profile's samples summed into self time per
// function and per place (an engine folder, a package, Node's own code). No timing here.
import type { Profiler, Runtime } from 'node:inspector';

/** Self time in ms per function and per place, and the total sampled. */
export interface SelfTimes {
  readonly byFunction: ReadonlyMap<string, number>;
  readonly byPlace: ReadonlyMap<string, number>;
  readonly totalMs: number;
}

/**
 * Where a frame's code lives: `engine/<folder>` or `workers` or `watermark` for this
 * project's packages, the package name under node_modules, `node` for Node's own, and
 * V8's pseudo-frames (`(idle)`, `(garbage collector)`, `(program)`) as they are.
 */
export function placeOf(frame: Runtime.CallFrame): string {
  const url = frame.url;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  const modules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules !== null && !/@tidemark\//.test(modules[1] ?? '')) return modules[1] as string;
  const own = /packages\/(engine|workers|watermark)\/(?:dist|src)\/(?:([^/]+)\/)?[^/]+$/.exec(url);
  if (own !== null) return own[1] === 'engine' && own[2] !== undefined ? `engine/${own[2]}` : (own[1] as string);
  if (/benchmarks\//.test(url)) return 'benchmark loop';
  return url;
}

/** A frame's name as `function (file:line)`, lines from 1. */
export function nameOf(frame: Runtime.CallFrame): string {
  const file = frame.url.split('/').pop() ?? '';
  const fn = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return file === '' ? fn : `${fn} (${file}:${frame.lineNumber + 1})`;
}

/** Sum each sample's interval into its node's function and place. */
export function selfTimes(profile: Profiler.Profile): SelfTimes {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let totalUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const node = nodes.get(samples[i] as number);
    // A sample's time is the gap to the next one (the last has none).
    const us = deltas[i + 1] ?? 0;
    if (node === undefined || us <= 0) continue;
    totalUs += us;
    const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + us / 1e3);
    add(byFunction, nameOf(node.callFrame));
    add(byPlace, placeOf(node.callFrame));
  }
  return { byFunction, byPlace, totalMs: totalUs / 1e3 };
}

/** The `top` largest entries as table rows: name, ms, share of the total. */
export function topRows(times: ReadonlyMap<string, number>, totalMs: number, top: number): string[][] {
  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => [name, ms.toFixed(1), `${((100 * ms) / totalMs).toFixed(1)}%`]);
}
