import { partitioned } from '../../src/index.js';
import type { SourceRecord } from '../../src/index.js';
import type { BuiltItems } from './build-items.js';
import type { SourceSpec } from './scenario.js';

// The source of a fuzz run, over its items: an array, a generator, an async
// source, one that throws, one that stalls, one whose return() throws, and
// partitioned() over several of them.

/** The error a `throws` source throws. */
export const SOURCE_ERROR = 'fuzz: the source broke';
/** The error a `bad-return` source's return() throws. */
export const RETURN_ERROR = 'fuzz: return() exploded';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The source `spec` describes over `items`. `onStall` is called when a
 * `stalls` source is asked for the item after its last: from then on its
 * next() never settles (the run is then aborted).
 */
export function makeSource(spec: SourceSpec, built: BuiltItems, onStall: () => void): Iterable<unknown> | AsyncIterable<unknown> {
  const items = built.top;
  switch (spec.kind) {
    case 'partitioned': {
      const parts = new Map<string, unknown[]>();
      items.forEach((item, i) => {
        const name = built.partitionOf[i] as string;
        parts.set(name, [...(parts.get(name) ?? []), item]);
      });
      const inner: SourceSpec = spec.inner === 'async' ? { kind: 'async', turns: 1 } : { kind: 'array' };
      const sources = Object.fromEntries(
        Array.from({ length: spec.parts }, (_, p) => [`p${p}`, makeSource(inner, { ...built, top: parts.get(`p${p}`) ?? [] }, onStall)]),
      );
      return partitioned(sources as Record<string, Iterable<SourceRecord>>);
    }
    case 'array':
      return items;
    case 'generator':
      return (function* () {
        yield* items;
      })();
    case 'async': {
      // Not an async generator: its `yield` awaits the item, and an item
      // whose `then` cannot be read (a revoked Proxy) would break the source.
      let at = 0;
      const iterator: AsyncIterator<unknown> & AsyncIterable<unknown> = {
        next: async () => {
          for (let i = 0; i < spec.turns; i++) await turn();
          return at < items.length ? { done: false, value: items[at++] } : { done: true, value: undefined };
        },
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    }
    case 'throws':
      return (function* () {
        yield* items.slice(0, spec.at);
        throw new Error(SOURCE_ERROR);
      })();
    case 'stalls': {
      let at = 0;
      const iterator: AsyncIterator<unknown> & AsyncIterable<unknown> = {
        next: () => {
          if (at < Math.min(spec.at, items.length)) return Promise.resolve({ done: false, value: items[at++] });
          onStall();
          return new Promise<never>(() => {});
        },
        return: () => Promise.resolve({ done: true, value: undefined }),
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    }
    case 'bad-return': {
      let at = 0;
      const iterator: Iterator<unknown> & Iterable<unknown> = {
        next: () => (at < items.length ? { done: false, value: items[at++] } : { done: true, value: undefined }),
        return: () => {
          throw new Error(RETURN_ERROR);
        },
        [Symbol.iterator]: () => iterator,
      };
      return iterator;
    }
  }
}

/** How many of the items a `throws` or `stalls` source gives before it stops; all for the others. */
export function itemsGiven(spec: SourceSpec, count: number): number {
  return spec.kind === 'throws' || spec.kind === 'stalls' ? Math.min(spec.at, count) : count;
}
