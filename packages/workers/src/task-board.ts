import { getEnvironmentData, setEnvironmentData, threadId } from 'node:worker_threads';
import { now } from './clock.js';
import { SafeAtomics, SafeSharedArrayBuffer } from './primordials.js';

/**
 * Which message holds each task-transport worker's thread, and since when:
 * what the task transport needs to replace a worker stuck in a transform's
 * synchronous code (piscina itself does not say which of a worker's tasks
 * is running). The ring transport keeps the same in its control word.
 *
 * One row of 32 bytes per worker, claimed by the worker the first time it
 * runs a message (its thread id, set with compareExchange from 0), freed by
 * the main thread once that worker is gone:
 *
 *   ┌──────────────┬──────────────┬─────────┬────────────────┬───────────────┐
 *   │ i32 threadId │ i32 mark     │ 8 spare │ f64 message id │ f64 startedAt │
 *   └──────────────┴──────────────┴─────────┴────────────────┴───────────────┘
 *     mark: 0 while no transform's sync part runs, else a number new for
 *     each message started; the worker writes id and startedAt before it,
 *     the main thread reads them between two loads of it and trusts them
 *     only when both loads agree.
 *
 * The board reaches the workers as environment data (set before the pool
 * starts its first worker, so that every worker it starts has it), under a
 * key that each {@link TaskRequest} names by number.
 */

const ROW_BYTES = 32;
const INTS = ROW_BYTES / 4;
const FLOATS = ROW_BYTES / 8;
const THREAD = 0;
const MARK = 1;
const ID = 2;
const STARTED_AT = 3;

let boards = 0;

const keyOf = (board: number): string => `tidemark:task-board:${board}`;

/** The main thread's side: where the workers of one pool mark what holds them. */
export class TaskBoard {
  /** Names the board in each request (never 0, which means none). */
  readonly number = ++boards;
  readonly #ints: Int32Array;
  readonly #floats: Float64Array;

  /** A board for up to `rows` workers alive at once; call before the pool starts its workers. */
  constructor(rows: number) {
    const buffer = new SharedArrayBuffer(rows * ROW_BYTES);
    this.#ints = new Int32Array(buffer);
    this.#floats = new Float64Array(buffer);
    setEnvironmentData(keyOf(this.number), buffer);
  }

  /**
   * Each worker (by thread id) whose thread a message has held since before
   * `before` (epoch ms), with that message's id; frees the rows of workers
   * not in `alive`.
   */
  heldSince(before: number, alive: ReadonlySet<number>): { threadId: number; id: number }[] {
    const ints = this.#ints;
    const floats = this.#floats;
    const held: { threadId: number; id: number }[] = [];
    for (let row = 0; row < ints.length / INTS; row++) {
      const at = row * INTS;
      const thread = Atomics.load(ints, at + THREAD);
      if (thread === 0) continue;
      if (!alive.has(thread)) {
        Atomics.store(ints, at + MARK, 0);
        Atomics.store(ints, at + THREAD, 0);
        continue;
      }
      const mark = Atomics.load(ints, at + MARK);
      if (mark === 0) continue;
      const id = floats[row * FLOATS + ID] ?? Number.NaN;
      const startedAt = floats[row * FLOATS + STARTED_AT] ?? Number.POSITIVE_INFINITY;
      // A new message started in between: these fields may be its.
      if (Atomics.load(ints, at + MARK) !== mark) continue;
      if (startedAt < before) held.push({ threadId: thread, id });
    }
    return held;
  }

  /** Stop handing the board to new workers. */
  close(): void {
    setEnvironmentData(keyOf(this.number), undefined);
  }
}

/** A worker's row on a board, or undefined when the board is full (the worker then goes unwatched). */
class BoardRow {
  readonly #ints: Int32Array;
  readonly #floats: Float64Array;
  readonly #at: number;
  #marks = 0;

  constructor(ints: Int32Array, floats: Float64Array, row: number) {
    this.#ints = ints;
    this.#floats = floats;
    this.#at = row;
  }

  /** Message `id` holds the thread from now. */
  mark(id: number): void {
    const floats = this.#floats;
    floats[this.#at * FLOATS + ID] = id;
    floats[this.#at * FLOATS + STARTED_AT] = now();
    this.#marks = (this.#marks % 0x7fff_fffe) + 1;
    SafeAtomics.store(this.#ints, this.#at * INTS + MARK, this.#marks);
  }

  /** No message holds the thread. */
  clear(): void {
    SafeAtomics.store(this.#ints, this.#at * INTS + MARK, 0);
  }
}

const rows = new Map<number, BoardRow | undefined>();

/** In a worker: its row on board `board` (claimed on the first call), or undefined if it has none. */
export function boardRow(board: number): BoardRow | undefined {
  if (rows.has(board)) return rows.get(board);
  const row = claim(getEnvironmentData(keyOf(board)));
  rows.set(board, row);
  return row;
}

function claim(buffer: unknown): BoardRow | undefined {
  if (!(buffer instanceof SafeSharedArrayBuffer)) return undefined;
  const ints = new Int32Array(buffer);
  for (let row = 0; row < ints.length / INTS; row++) {
    if (SafeAtomics.compareExchange(ints, row * INTS + THREAD, 0, threadId) === 0) {
      return new BoardRow(ints, new Float64Array(buffer), row);
    }
  }
  return undefined;
}

export type { BoardRow };
