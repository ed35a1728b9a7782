import type { EngineRecord } from '../message.js';
import { failedRecord, outputRecord } from './message-state.js';
import type { MessageState } from './message-state.js';
import type { Run } from './run.js';
import type { RunHooks } from './run-hooks.js';

type Result = IteratorResult<EngineRecord, void>;

const settle = (): void => {};

/**
 * A run's records one by one, as `process()` returns them: each settled
 * message's outputs (or its failed record) in the order its release queue
 * allows; a message is acked when the consumer asks for the record after its
 * last one. It behaves as an async generator would (calls queue behind one
 * that waits, `return()` and `throw()` end it and close the run, also before
 * the first `next()`, after which every `next()` is done), but is written by
 * hand: an async generator's `yield` awaits what it yields, so every record
 * cost the main thread extra microtask turns, and a `next()` with a record
 * ready now resolves here at once.
 *
 *   next() ──ready now?──► the record (no wait)
 *      └────── not yet ──► wait for the run (open / ready / ended); later calls queue behind it
 */
export class RecordIterator implements AsyncGenerator<EngineRecord, void, undefined> {
  readonly #run: Run;
  readonly #hooks: RunHooks;
  /** Not opened until the first `next()`; done once ended, returned or thrown into (the run is closed then). */
  #phase: 'new' | 'open' | 'done' = 'new';
  /** The message whose records are being handed over, and the index of its next value. */
  #current: MessageState | undefined;
  #index = 0;
  /** Settles when the call that waits (and those queued behind it) is over: later calls wait for it. */
  #busy: Promise<void> | undefined;

  constructor(run: Run, hooks: RunHooks) {
    this.#run = run;
    this.#hooks = hooks;
  }

  next(): Promise<Result> {
    if (this.#busy === undefined && this.#phase === 'open') {
      try {
        const record = this.#take();
        if (record !== undefined) return Promise.resolve({ value: record, done: false });
      } catch (error) {
        this.#end();
        return Promise.reject(error);
      }
    }
    return this.#queue(() => this.#wait());
  }

  return(value?: void | PromiseLike<void>): Promise<Result> {
    return this.#queue(async () => {
      const returned = await value;
      this.#end();
      return { value: returned, done: true };
    });
  }

  throw(error: unknown): Promise<Result> {
    return this.#queue(() => {
      this.#end();
      return Promise.reject(error);
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** `next()` when no record is ready now: open the run first, wait for one, or end. */
  async #wait(): Promise<Result> {
    if (this.#phase === 'done') return { value: undefined, done: true };
    const run = this.#run;
    try {
      if (this.#phase === 'new') {
        this.#phase = 'open';
        await run.open(this.#hooks);
      }
      for (;;) {
        const record = this.#take();
        if (record !== undefined) return { value: record, done: false };
        if (run.over) break;
        await run.ready();
      }
      await run.ended();
    } catch (error) {
      this.#end();
      throw error;
    }
    this.#end();
    return { value: undefined, done: true };
  }

  /** The next record that may be handed over now; the message whose records were all taken is acked first. */
  #take(): EngineRecord | undefined {
    const run = this.#run;
    let state = this.#current;
    for (;;) {
      if (state !== undefined) {
        if (state.error === undefined && this.#index < state.values.length) {
          run.tracker.stats.emitted++;
          return outputRecord(state, state.values[this.#index++]);
        }
        // Its failed record, or its last output, was taken (or it had none): it leaves.
        this.#current = undefined;
        run.ack(state);
      }
      state = run.take();
      if (state === undefined) return undefined;
      this.#current = state;
      this.#index = 0;
      if (state.error !== undefined) return failedRecord(state, state.error);
    }
  }

  /** Ended, returned or thrown into: close the run, once. */
  #end(): void {
    if (this.#phase === 'done') return;
    this.#phase = 'done';
    this.#run.close(this.#hooks);
  }

  /** Run `call` once the calls before it are over (at once when none waits), as an async generator queues its calls. */
  #queue(call: () => Promise<Result>): Promise<Result> {
    const before = this.#busy;
    const result = before === undefined ? call() : before.then(call);
    const over = result.then(settle, settle);
    this.#busy = over;
    void over.then(() => {
      if (this.#busy === over) this.#busy = undefined;
    });
    return result;
  }
}
