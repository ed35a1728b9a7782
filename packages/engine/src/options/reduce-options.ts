import { InvalidOptionError } from '../errors.js';
import { maxWindowsPerMessage } from '../reduce/window-spec.js';
import type { WindowSpec } from '../reduce/window-spec.js';

/** Windowed reduce, as the engine runs it. */
export interface ReduceSettings {
  /** The user's reduce module URL (the workers load the reduce runner, which imports it). */
  readonly module: string;
  readonly window: WindowSpec;
  /** ms past a window's end during which a late message still joins it. */
  readonly allowedLateness: number;
}

/** The options windowed reduce reads, as the schema let them through. */
interface GivenReduce {
  readonly transform?: URL | string | undefined;
  readonly reduce?: URL | string | undefined;
  readonly window?: WindowSpec | undefined;
  readonly allowedLateness?: number | undefined;
  readonly mode?: 'async' | 'batch' | undefined;
  readonly ordering?: 'unordered' | 'ordered' | 'key' | undefined;
  readonly priority?: unknown;
  readonly transport?: 'ring' | 'task' | undefined;
  readonly buffers?: Readonly<Partial<Record<'input' | 'processing' | 'output', { readonly overflow?: string | undefined } | undefined>>> | undefined;
}

/**
 * The windowed reduce settings (undefined without `reduce`), checked
 * against the options it cannot run with. `toModuleUrl` checks the module
 * as it checks a transform's.
 */
export function resolveReduce(o: GivenReduce, toModuleUrl: (module: URL | string, option: string) => string): ReduceSettings | undefined {
  if (o.reduce === undefined) {
    if (o.transform === undefined) throw new InvalidOptionError('transform', 'a module path or file URL (or `reduce`, a reduce module, with `window`)', undefined);
    if (o.window !== undefined) throw new InvalidOptionError('window', 'left out without `reduce` (windows group the messages of a reduce)', o.window);
    if (o.allowedLateness !== undefined) throw new InvalidOptionError('allowedLateness', 'left out without `reduce`', o.allowedLateness);
    return undefined;
  }
  const refuse = (option: string, why: string, received: unknown): never => {
    throw new InvalidOptionError(option, `${why} with \`reduce\``, received);
  };
  if (o.transform !== undefined) refuse('transform', 'left out (the reduce module is the transform)', String(o.transform));
  const window = o.window ?? refuse('window', '{ tumbling: ms }, { sliding: { size, every } } or { session: { gap } }', undefined);
  if ('sliding' in window) {
    const { size, every } = window.sliding;
    if (every > size) throw new InvalidOptionError('window.sliding.every', `at most window.sliding.size (${size}): every message falls in a window`, every);
    if (Math.ceil(size / every) > maxWindowsPerMessage) {
      const least = size / maxWindowsPerMessage;
      throw new InvalidOptionError('window.sliding.every', `at least window.sliding.size / ${maxWindowsPerMessage} (${least}): a message is in size / every windows, each an accumulator at a worker`, every);
    }
  }
  if (o.mode === 'batch') refuse('mode', "'async'", o.mode);
  if (o.ordering !== undefined && o.ordering !== 'unordered') refuse('ordering', "'unordered' or left out (results leave as windows close)", o.ordering);
  if (o.priority !== undefined) refuse('priority', 'left out', o.priority);
  // A key's accumulators stay on one worker: only the ring transport sends a message to the worker it chooses.
  if (o.transport === 'task') refuse('transport', "'ring' (a key's state stays on one worker)", o.transport);
  // A message a buffer sheds would leave its window waiting for it forever, and a window's result must never be dropped.
  for (const buffer of ['input', 'processing', 'output'] as const) {
    const overflow = o.buffers?.[buffer]?.overflow;
    if (overflow !== undefined && overflow !== 'block') refuse(`buffers.${buffer}.overflow`, "'block' (every message counts in its windows)", overflow);
  }
  return { module: toModuleUrl(o.reduce, 'reduce'), window, allowedLateness: o.allowedLateness ?? 0 };
}
