import { getEnvironmentData, setEnvironmentData, threadId } from 'node:worker_threads';
import { now } from './clock.js';
import { SafeAtomics, SafeSharedArrayBuffer } from './primordials.js';

/**
 * Which messages hold each task-transport worker's thread, and since when:
 * what the task transport needs to replace a worker stuck in a transform
 * (piscina itself does not say which of a worker's tasks is running). The
 * ring transport keeps the same in its control word and processing slots.
 *
 * One row per worker, claimed by the worker the first time it runs a
 * message (its thread id, set with compareExchange from 0), freed by the
 * main thread once that worker is gone. A header of 32 bytes, then one
 * entry of 24 bytes per try the worker may run at once (`tasksPerThread`):
 *
 *   header ┌──────────────┬──────────────┬─────────┬────────────────┬───────────────┐
 *          │ i32 threadId │ i32 mark     │ 8 spare │ f64 message id │ f64 startedAt │
 *          └──────────────┴──────────────┴─────────┴────────────────┴───────────────┘
 *   entry  ┌──────────────┬─────────┬────────────────┬───────────────┐
 *          │ i32 state    │ 4 spare │ f64 message id │ f64 startedAt │
 *          └──────────────┴─────────┴────────────────┴───────────────┘
 *
 *   mark: 0 while no transform's sync part runs, else a number new for each
 *   message started; state: 0 while the entry is free, else a number new
 *   for each try it lists, from its start until the worker is done with it
 *   (its sync part returned, its promise settled, its outputs encoded).
 *   The worker writes id and startedAt before either; the main thread reads
 *   them between two loads of it and trusts them only when both agree.
 *
 * The mark says which message's sync part holds the thread; the entries,
 * which tries have started and not ended: when a thread is blocked in an
 * async continuation (`await null; for (;;);`), no mark says by which, but
 * every try running since before its deadline may be it (its own deadline
 * timer could not fire).
 *
 * The board reaches the workers as environment data (set before the pool
 * starts its first worker, so that every worker it starts has it), under a
 * key that each {@link TaskRequest} names by number.
 */

const HEADER_BYTES = 32;
const ENTRY_BYTES = 24;
// In the header: Int32 and Float64 indexes from the row's start.
const THREAD = 0;
const MARK = 1;
const ID = 2;
const STARTED_AT = 3;
// In an entry: from the entry's start.
const STATE = 0;
const ENTRY_ID = 1;
const ENTRY_STARTED_AT = 2;

let boards = 0;

const keyOf = (board: number): string => `tidemark:task-board:${board}`;

/** What a board holds: `tries` entries per row, and where each row and entry starts. */
class Layout {
  readonly tries: number;
  readonly rowBytes: number;

  constructor(tries: number) {
    this.tries = tries;
    this.rowBytes = HEADER_BYTES + tries * ENTRY_BYTES;
  }

  /** Byte offset of `row`'s `entry` (-1: its header). */
  at(row: number, entry = -1): number {
    return row * this.rowBytes + (entry < 0 ? 0 : HEADER_BYTES + entry * ENTRY_BYTES);
  }
}

/** Messages that have held a worker's thread since before a given time. */
export interface Held {
  readonly threadId: number;
  /**
   * The message whose sync part holds the thread, if one does; else every
   * try running since before that time (one of them blocks the thread).
   */
  readonly ids: number[];
}

/** The main thread's side: where the workers of one pool mark what holds them. */
export class TaskBoard {
  /** Names the board in each request (never 0, which means none). */
  readonly number = ++boards;
  readonly #ints: Int32Array;
  readonly #floats: Float64Array;
  readonly #layout: Layout;
  readonly #rows: number;

  /**
   * A board for up to `rows` workers alive at once, each running up to
   * `tries` tries at once; call before the pool starts its workers.
   */
  constructor(rows: number, tries = 1) {
    const layout = new Layout(tries);
    // The tries count first, so that a worker knows the row size before it claims one.
    const buffer = new SharedArrayBuffer(8 + rows * layout.rowBytes);
    new Int32Array(buffer, 0, 1)[0] = tries;
    this.#ints = new Int32Array(buffer, 8);
    this.#floats = new Float64Array(buffer, 8);
    this.#layout = layout;
    this.#rows = rows;
    setEnvironmentData(keyOf(this.number), buffer);
  }

  /**
   * Each worker (by thread id) held since before `before` (epoch ms): by a
   * sync part that started before it; or, with no sync part running, by
   * tries that started before it and are still running. Frees the rows of
   * workers not in `alive`.
   */
  heldSince(before: number, alive: ReadonlySet<number>): Held[] {
    const ints = this.#ints;
    const held: Held[] = [];
    for (let row = 0; row < this.#rows; row++) {
      const at = this.#layout.at(row);
      const thread = Atomics.load(ints, at / 4 + THREAD);
      if (thread === 0) continue;
      if (!alive.has(thread)) {
        // Its tries died with it: the worker that claims the row next (once THREAD is 0) starts with none listed.
        Atomics.store(ints, at / 4 + MARK, 0);
        for (let entry = 0; entry < this.#layout.tries; entry++) Atomics.store(ints, this.#layout.at(row, entry) / 4 + STATE, 0);
        Atomics.store(ints, at / 4 + THREAD, 0);
        continue;
      }
      const ids = this.#heldIn(row, before);
      if (ids.length > 0) held.push({ threadId: thread, ids });
    }
    return held;
  }

  /** The ids of {@link heldSince} for one row. */
  #heldIn(row: number, before: number): number[] {
    const at = this.#layout.at(row);
    const marked = this.#read(at / 4 + MARK, at / 8 + ID, at / 8 + STARTED_AT);
    // A sync part runs: it alone holds the thread, stuck if it began before `before`.
    if (marked !== undefined) return marked.startedAt < before ? [marked.id] : [];
    const ids: number[] = [];
    for (let entry = 0; entry < this.#layout.tries; entry++) {
      const start = this.#layout.at(row, entry);
      const running = this.#read(start / 4 + STATE, start / 8 + ENTRY_ID, start / 8 + ENTRY_STARTED_AT);
      if (running !== undefined && running.startedAt < before) ids.push(running.id);
    }
    return ids;
  }

  /** The Float64s at `id` and `startedAt`, guarded by the Int32 at `guard`, if it is set and they were read whole. */
  #read(guard: number, id: number, startedAt: number): { id: number; startedAt: number } | undefined {
    const ints = this.#ints;
    const state = Atomics.load(ints, guard);
    if (state === 0) return undefined;
    const read = { id: this.#floats[id] ?? Number.NaN, startedAt: this.#floats[startedAt] ?? Number.POSITIVE_INFINITY };
    // Another message took it in between: these fields may be its.
    return Atomics.load(ints, guard) === state ? read : undefined;
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
  readonly #layout: Layout;
  readonly #row: number;
  /** The entries free, a stack of `#freeCount`. */
  readonly #free: Int32Array;
  #freeCount: number;
  #marks = 0;

  constructor(ints: Int32Array, floats: Float64Array, layout: Layout, row: number) {
    this.#ints = ints;
    this.#floats = floats;
    this.#layout = layout;
    this.#row = row;
    this.#free = new Int32Array(layout.tries);
    for (let entry = 0; entry < layout.tries; entry++) this.#free[entry] = layout.tries - 1 - entry;
    this.#freeCount = layout.tries;
  }

  /** Message `id`'s sync part holds the thread from now. */
  mark(id: number): void {
    const at = this.#layout.at(this.#row);
    this.#set(at / 4 + MARK, at / 8 + ID, at / 8 + STARTED_AT, id);
  }

  /** No message's sync part holds the thread. */
  clear(): void {
    SafeAtomics.store(this.#ints, this.#layout.at(this.#row) / 4 + MARK, 0);
  }

  /**
   * Message `id`'s try runs on this thread from now until {@link end} of
   * the entry returned (-1 when every entry is taken: it goes unlisted).
   */
  begin(id: number): number {
    if (this.#freeCount === 0) return -1;
    const entry = this.#free[--this.#freeCount] ?? -1;
    const at = this.#layout.at(this.#row, entry);
    this.#set(at / 4 + STATE, at / 8 + ENTRY_ID, at / 8 + ENTRY_STARTED_AT, id);
    return entry;
  }

  /** The try of `entry` (from {@link begin}) is done. */
  end(entry: number): void {
    if (entry < 0) return;
    SafeAtomics.store(this.#ints, this.#layout.at(this.#row, entry) / 4 + STATE, 0);
    this.#free[this.#freeCount++] = entry;
  }

  /** Write `id` and now at the Float64s `idAt` and `startedAt`, then a new number at the Int32 `guard`. */
  #set(guard: number, idAt: number, startedAt: number, id: number): void {
    this.#floats[idAt] = id;
    this.#floats[startedAt] = now();
    this.#marks = (this.#marks % 0x7fff_fffe) + 1;
    SafeAtomics.store(this.#ints, guard, this.#marks);
  }
}

const rows = new Map<number, BoardRow>();

/**
 * In a worker: its row on board `board` (claimed on the first call that finds one free), or
 * undefined if it has none yet. A worker that found the board full asks again on its next try:
 * the rows of workers that died are freed by the engine's next sweep, and a worker left without
 * a row would go unwatched for the rest of its life.
 */
export function boardRow(board: number): BoardRow | undefined {
  const held = rows.get(board);
  if (held !== undefined) return held;
  const row = claim(getEnvironmentData(keyOf(board)));
  if (row !== undefined) rows.set(board, row);
  return row;
}

function claim(buffer: unknown): BoardRow | undefined {
  if (!(buffer instanceof SafeSharedArrayBuffer)) return undefined;
  const layout = new Layout(new Int32Array(buffer, 0, 1)[0] ?? 1);
  const ints = new Int32Array(buffer, 8);
  const count = (buffer.byteLength - 8) / layout.rowBytes;
  for (let row = 0; row < count; row++) {
    if (SafeAtomics.compareExchange(ints, layout.at(row) / 4 + THREAD, 0, threadId) === 0) {
      return new BoardRow(ints, new Float64Array(buffer, 8), layout, row);
    }
  }
  return undefined;
}

export type { BoardRow };
