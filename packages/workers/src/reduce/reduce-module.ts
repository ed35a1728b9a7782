import { TransformModuleError } from '../load-transform.js';
import type { TransformContext } from '../transform.js';
import type { ReduceWindow } from './reduce-protocol.js';

/** What `add` receives beside the accumulator and the value: the message's context and the window it is added to. */
export interface ReduceContext extends TransformContext {
  readonly window: ReduceWindow;
}

/**
 * A reduce module's default export. Each function may return a promise.
 * The engine keeps one accumulator per key and window on the worker the
 * key's affinity picks; `merge` joins two accumulators of one key (needed
 * for session windows, whose sessions merge when a message bridges them).
 *
 * @example
 * export default {
 *   create: () => 0,
 *   add: (sum, value) => sum + value,
 *   result: (sum) => sum,
 *   merge: (a, b) => a + b,
 * };
 */
export interface ReduceModule<Acc = unknown, In = unknown, Out = unknown> {
  create(key: string | undefined, window: ReduceWindow): Acc | Promise<Acc>;
  add(acc: Acc, value: In, ctx: ReduceContext): Acc | Promise<Acc>;
  result(acc: Acc, key: string | undefined, window: ReduceWindow): Out | Promise<Out>;
  merge?(a: Acc, b: Acc, key: string | undefined, window: ReduceWindow): Acc | Promise<Acc>;
}

/**
 * `candidate` (a reduce module's default export, imported from `url`)
 * checked as a {@link ReduceModule}.
 * @throws {TransformModuleError} naming what is missing or of the wrong type.
 */
export function checkReduceModule(candidate: unknown, url: string): ReduceModule {
  if (typeof candidate !== 'object' || candidate === null) {
    const got = candidate === null ? 'null' : typeof candidate;
    throw new TransformModuleError(
      `reduce module ${url} must have a default export object { create, add, result, merge? }, got ${got}`,
    );
  }
  const fields = candidate as Record<string, unknown>;
  for (const name of ['create', 'add', 'result'] as const) {
    if (typeof fields[name] !== 'function') {
      throw new TransformModuleError(`reduce module ${url}: its default export's \`${name}\` must be a function, got ${typeof fields[name]}`);
    }
  }
  if (fields.merge !== undefined && typeof fields.merge !== 'function') {
    throw new TransformModuleError(
      `reduce module ${url}: its default export's \`merge\` must be a function when present, got ${typeof fields.merge}`,
    );
  }
  return candidate as ReduceModule;
}
