import { TransformModuleError } from '../load-transform.js';
import { drop } from '../outputs.js';
import type { Outputs } from '../outputs.js';
import type { TransformContext } from '../transform.js';
import type { ReduceModule } from './reduce-module.js';
import { REDUCE_MISSING, REDUCE_OP, parseReduceOp, reduceResultReply } from './reduce-protocol.js';
import type { ReduceAddOp, ReducePartId, ReduceReply, ReduceResultOp, ReduceWindow } from './reduce-protocol.js';

/** One part of a window's state: the accumulator and the adds folded into it. */
interface Part {
  acc: unknown;
  count: number;
  /** The ids of the messages folded in (adds that named theirs). */
  readonly members: Set<number>;
}

type Key = string | undefined;

/**
 * A worker's reduce state for one reduce module: the accumulators of the
 * parts its keys sent here, and the ops of the wire format
 * (reduce-protocol.ts) run on them. Pure: no worker APIs, so tests drive it
 * in-process; the reduce runner is its thin worker-side shell.
 *
 *   key ─► Map(part id ─► { acc, count })        tail of key ─► last op's promise
 *
 * The ops of one key run one after another, each after the previous one has
 * settled (a chain of promises per key, dropped once it runs dry), because
 * the module's functions may be async; other keys' ops interleave freely.
 *
 * On failure a part whose state may be half-updated is forgotten, so that
 * the next result finds it missing and the main thread recomputes it from
 * its values rather than trust it: every part of an add that threw (the
 * one that threw, and the ones before it, which hold a message that may
 * fail for good), and the parts of a result whose `merge` or `result`
 * threw (a merge may have changed the first accumulator in place).
 */
export class ReduceStore {
  readonly #module: ReduceModule;
  readonly #parts = new Map<Key, Map<ReducePartId, Part>>();
  readonly #tails = new Map<Key, Promise<void>>();

  constructor(module: ReduceModule) {
    this.#module = module;
  }

  /**
   * Run the reduce op `input` for the message whose context is `ctx`:
   * `drop()` for an add, a {@link ReduceReply} for a result.
   * Rejects with a TypeError when `input` is not a reduce op, and with what
   * the module threw.
   */
  run(input: unknown, ctx: TransformContext): Promise<Outputs | ReduceReply> {
    let op: ReturnType<typeof parseReduceOp>;
    try {
      op = parseReduceOp(input);
    } catch (error) {
      return Promise.reject(error);
    }
    const key = ctx.key;
    const before = this.#tails.get(key);
    // A try that times out (its signal aborts) lets the key's next op go, even if the module never settles.
    const done = untilAborted(before === undefined ? this.#apply(op, ctx) : before.then(() => this.#apply(op, ctx)), ctx.signal);
    const tail = done.then(settled, settled);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return done;
  }

  /** The adds folded into part `id` of `key`, or undefined when it is not held. */
  count(key: Key, id: ReducePartId): number | undefined {
    return this.#parts.get(key)?.get(id)?.count;
  }

  /** Parts held, over all keys. */
  get size(): number {
    let size = 0;
    for (const parts of this.#parts.values()) size += parts.size;
    return size;
  }

  /** Keys with ops queued or running. */
  get busyKeys(): number {
    return this.#tails.size;
  }

  async #apply(op: ReduceAddOp | ReduceResultOp, ctx: TransformContext): Promise<Outputs | ReduceReply> {
    ctx.signal.throwIfAborted(); // its try timed out while it waited for the key's ops before it
    if (op[REDUCE_OP] === 'add') return this.#add(op, ctx);
    if (op.values !== undefined) return this.#recompute(op, op.values, ctx);
    return this.#result(op, ctx.key);
  }

  async #add(op: ReduceAddOp, ctx: TransformContext): Promise<Outputs> {
    const key = ctx.key;
    const module = this.#module;
    for (const { id, start, end } of op.parts) {
      const window: ReduceWindow = { start, end };
      const held = this.#parts.get(key)?.get(id);
      // Folded in already: this add ran before and its completion was lost.
      if (held !== undefined && op.message !== undefined && held.members.has(op.message)) continue;
      const part: Part = held ?? { acc: await module.create(key, window), count: 0, members: new Set() };
      this.#partsOf(key).set(id, part);
      try {
        part.acc = await module.add(part.acc, op.value, { ...ctx, window });
        // Its try timed out meanwhile and the key went on without it: what this add did can no longer be trusted.
        ctx.signal.throwIfAborted();
      } catch (error) {
        // Every part of the op: the one that threw may be half-updated, and the ones before it hold a
        // message that may now fail for good (a window left with no other message would never forget them).
        this.#forget(key, op.parts.map((listed) => listed.id));
        throw error;
      }
      part.count++;
      if (op.message !== undefined) part.members.add(op.message);
    }
    return drop();
  }

  async #result(op: ReduceResultOp, key: Key): Promise<ReduceReply> {
    const ids = op.parts.map((part) => part.id);
    const held = this.#parts.get(key);
    const parts: Part[] = [];
    for (const { id, count, members } of op.parts) {
      const part = held?.get(id);
      if (part === undefined || part.count !== count || (members !== undefined && !members.every((m) => part.members.has(m)))) {
        this.#forget(key, ids);
        return REDUCE_MISSING;
      }
      parts.push(part);
    }
    const module = this.#module;
    if (parts.length > 1 && module.merge === undefined) {
      throw new TransformModuleError(
        `the reduce module has no \`merge\`, which a window made of ${parts.length} parts needs (session windows merge sessions): export merge(a, b, key, window)`,
      );
    }
    const { window } = op;
    try {
      let acc = (parts[0] as Part).acc;
      // Called as methods: a module's functions may use `this`.
      for (let i = 1; i < parts.length; i++) acc = await module.merge?.(acc, (parts[i] as Part).acc, key, window);
      return reduceResultReply(await module.result(acc, key, window));
    } finally {
      this.#forget(key, ids);
    }
  }

  async #recompute(op: ReduceResultOp, values: readonly unknown[], ctx: TransformContext): Promise<ReduceReply> {
    const key = ctx.key;
    this.#forget(key, op.parts.map((part) => part.id));
    const { window } = op;
    const module = this.#module;
    let acc = await module.create(key, window);
    const addCtx = { ...ctx, window };
    for (const value of values) acc = await module.add(acc, value, addCtx);
    return reduceResultReply(await module.result(acc, key, window));
  }

  #partsOf(key: Key): Map<ReducePartId, Part> {
    let parts = this.#parts.get(key);
    if (parts === undefined) {
      parts = new Map();
      this.#parts.set(key, parts);
    }
    return parts;
  }

  #forget(key: Key, ids: readonly ReducePartId[]): void {
    const parts = this.#parts.get(key);
    if (parts === undefined) return;
    for (const id of ids) parts.delete(id);
    if (parts.size === 0) this.#parts.delete(key);
  }
}

function settled(): void {}

/** `work`, or its signal's reason as soon as the signal aborts (the work itself goes on, unawaited). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(settled);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
