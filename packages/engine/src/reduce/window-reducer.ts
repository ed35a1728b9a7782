import { Heap } from 'heap-js';
import type { MessageState } from '../run/message-state.js';
import { isSession, windowsOf } from './window-spec.js';
import type { Window, WindowSpec } from './window-spec.js';

/**
 * One accumulator at a worker: the messages added into it (their adds
 * came back) and the adds still out. A fixed window has one; a session
 * window one per session it merged.
 */
export interface Part extends Window {
  /** Names the accumulator at its worker: unique in the process. */
  readonly id: number;
  /** Adds that came back done. */
  count: number;
  /** Adds out (dispatched, retrying, or queued). */
  pending: number;
  /** The messages whose add came back done, in that order. */
  readonly members: MessageState[];
  /** The window it belongs to now (a session merge moves it). */
  window: OpenWindow;
}

/** A key's window that has not been handed to a worker for its result yet. */
export interface OpenWindow {
  /** Undefined for the messages without a key, which form one group. */
  readonly key: string | undefined;
  start: number;
  end: number;
  readonly parts: Part[];
  /** Its end plus the allowed lateness was passed: no message joins it any more. */
  closing: boolean;
  /** Merged into another session window, or fired: gone from its key's list. */
  gone: boolean;
}

/** A window due for its result: every add into it came back. */
export interface Fire {
  readonly key: string | undefined;
  readonly window: Window;
  readonly parts: readonly Part[];
  /** Every message in it (each once). */
  readonly members: readonly MessageState[];
}

/** Process-wide accumulator ids: a worker keeps accumulators across runs and engines. */
let nextPartId = 1;

/**
 * The main thread's side of windowed reduce, as data: which windows each
 * key has open, which accumulator (part) each message goes into, when a
 * window closes, and which messages leave once its result was handed over.
 * The accumulators themselves live at the workers (see @tidemark/workers'
 * reduce runner); this class never sees a value.
 *
 * A window closes when the window clock (the input watermark; see
 * `MessageTracker.inputWatermark`) passes its end plus `allowedLateness`,
 * and fires once every add into it came back, so it fires with exactly the
 * messages read before it closed: the result does not depend on the order
 * in which tries complete. A message whose windows all closed before it was
 * read is too late: it joins nothing and changes nothing already emitted.
 * A session message merges only with sessions still open; one that touches
 * a closed session starts a session of its own.
 */
export class WindowReducer {
  readonly #spec: WindowSpec;
  readonly #lateness: number;
  /** Per key, its open windows (closing ones too, until they fire). */
  readonly #open = new Map<string | undefined, OpenWindow[]>();
  /** Open windows by end, with the end they had when pushed (a session's end grows: stale entries are skipped). */
  readonly #byEnd = new Heap<{ readonly window: OpenWindow; readonly end: number }>((a, b) => a.end - b.end);
  /** Per message with an add out or done: the parts it goes into. */
  readonly #parts = new Map<number, Part[]>();
  /** Per message added: how many of its windows are still to be handed over. */
  readonly #left = new Map<number, number>();
  /** Closing windows with nothing out: due to fire. */
  readonly #due: OpenWindow[] = [];
  /** The window clock: never falls; `advance` moves it (and `closeEarliest` at the memory bound). */
  #clock = Number.NEGATIVE_INFINITY;

  constructor(spec: WindowSpec, allowedLateness: number) {
    this.#spec = spec;
    this.#lateness = allowedLateness;
  }

  /** Messages whose adds are done, held until their windows are handed over. */
  get held(): number {
    return this.#left.size;
  }

  /** Messages held by windows not yet fired (each once: a sliding window's message is in several); O(messages held). */
  get heldOpen(): number {
    const members = new Set<number>();
    for (const windows of this.#open.values()) {
      for (const window of windows) for (const part of window.parts) for (const member of part.members) members.add(member.id);
    }
    return members.size;
  }

  /** Windows open (not yet fired). */
  get openWindows(): number {
    let open = 0;
    for (const windows of this.#open.values()) open += windows.length;
    return open;
  }

  /**
   * Message `state` (its `key` and `eventTime`) was read: the parts its add
   * goes into, or undefined when it is too late for every window it falls in.
   */
  assign(state: MessageState, key: string | undefined): Part[] | undefined {
    const t = state.eventTime;
    const parts = isSession(this.#spec) ? this.#session(key, t, this.#spec.session.gap) : this.#fixed(key, t);
    if (parts === undefined) return undefined;
    for (const part of parts) part.pending++;
    this.#parts.set(state.id, parts);
    return parts;
  }

  /** The add of `state` came back done: it counts in its parts, and waits for their windows. */
  added(state: MessageState): void {
    const parts = this.#parts.get(state.id) ?? [];
    this.#parts.delete(state.id);
    this.#left.set(state.id, parts.length);
    for (const part of parts) {
      part.pending--;
      part.count++;
      part.members.push(state);
      this.#check(part.window);
    }
  }

  /** The add of `state` failed for good: it is in no window (a failed record of its own). */
  failed(state: MessageState): void {
    const parts = this.#parts.get(state.id) ?? [];
    this.#parts.delete(state.id);
    for (const part of parts) {
      part.pending--;
      this.#check(part.window);
    }
  }

  /** The window clock rose to `watermark` (it never falls): windows past their end plus the lateness close. */
  advance(watermark: number): void {
    if (watermark > this.#clock) this.#clock = watermark;
    for (let top = this.#byEnd.peek(); top !== undefined && top.end + this.#lateness <= this.#clock; top = this.#byEnd.peek()) {
      this.#byEnd.pop();
      const window = top.window;
      if (window.gone || window.closing || window.end !== top.end) continue;
      window.closing = true;
      this.#check(window);
    }
  }

  /** The end of the input: every window closes. */
  closeAll(): void {
    this.advance(Number.POSITIVE_INFINITY);
  }

  /**
   * At the memory bound (every message in flight is held by an open window,
   * and none can close): move the window clock to the earliest open window's
   * end plus the lateness, so it closes early. Returns false when no window is open.
   */
  closeEarliest(): boolean {
    for (let top = this.#byEnd.peek(); top !== undefined; top = this.#byEnd.peek()) {
      if (top.window.gone || top.window.closing || top.window.end !== top.end) {
        this.#byEnd.pop();
        continue;
      }
      this.advance(top.end + this.#lateness);
      return true;
    }
    return false;
  }

  /**
   * The windows due to fire now, each once: they leave their key's list. A
   * window left without messages (every add into it failed for good) has no
   * result and leaves without one.
   */
  takeDue(): Fire[] {
    const fires: Fire[] = [];
    for (const window of this.#due.splice(0)) {
      window.gone = true;
      const windows = this.#open.get(window.key) as OpenWindow[];
      windows.splice(windows.indexOf(window), 1);
      if (windows.length === 0) this.#open.delete(window.key);
      const members = window.parts.flatMap((part) => part.members);
      if (members.length > 0) fires.push({ key: window.key, window: { start: window.start, end: window.end }, parts: window.parts, members });
    }
    return fires;
  }

  /** The parts message `id`'s add goes into, while it is out. */
  partsOf(id: number): readonly Part[] | undefined {
    return this.#parts.get(id);
  }

  /** `fire`'s result (or failed record) was handed over: its messages whose every window now was, leave. */
  handedOver(fire: Fire): MessageState[] {
    const leaving: MessageState[] = [];
    for (const state of fire.members) {
      const left = (this.#left.get(state.id) as number) - 1;
      if (left > 0) {
        this.#left.set(state.id, left);
      } else {
        this.#left.delete(state.id);
        leaving.push(state);
      }
    }
    return leaving;
  }

  #fixed(key: string | undefined, t: number): Part[] | undefined {
    const live = windowsOf(this.#spec, t).filter((w) => w.end + this.#lateness > this.#clock);
    if (live.length === 0) return undefined;
    const windows = this.#windows(key);
    return live.map((w) => {
      const open = windows.find((o) => o.start === w.start) ?? this.#openWindow(key, w.start, w.end);
      return open.parts[0] as Part;
    });
  }

  /** A session message at `t`: into the open session it falls in (merging the open ones it bridges), or a new one. */
  #session(key: string | undefined, t: number, gap: number): Part[] | undefined {
    if (t + gap + this.#lateness <= this.#clock) return undefined;
    const windows = this.#windows(key);
    // Only sessions still open merge: a closed one is final (as in Flink, whose merging set forgets a purged window).
    const touched = windows.filter((w) => !w.closing && t < w.end && w.start < t + gap);
    const [first, ...rest] = touched;
    if (first === undefined) return [this.#openWindow(key, t, t + gap).parts[0] as Part];
    first.start = Math.min(first.start, t, ...rest.map((w) => w.start));
    first.end = Math.max(first.end, t + gap, ...rest.map((w) => w.end));
    for (const other of rest) {
      other.gone = true;
      windows.splice(windows.indexOf(other), 1);
      for (const part of other.parts) {
        part.window = first;
        first.parts.push(part);
      }
    }
    this.#byEnd.push({ window: first, end: first.end });
    return [first.parts[0] as Part];
  }

  #windows(key: string | undefined): OpenWindow[] {
    let windows = this.#open.get(key);
    if (windows === undefined) this.#open.set(key, (windows = []));
    return windows;
  }

  #openWindow(key: string | undefined, start: number, end: number): OpenWindow {
    const window: OpenWindow = { key, start, end, parts: [], closing: false, gone: false };
    window.parts.push({ id: nextPartId++, start, end, count: 0, pending: 0, members: [], window });
    this.#windows(key).push(window);
    this.#byEnd.push({ window, end });
    return window;
  }

  /** A closing window with nothing out is due. */
  #check(window: OpenWindow): void {
    if (!window.closing || window.gone || this.#due.includes(window)) return;
    if (window.parts.every((part) => part.pending === 0)) this.#due.push(window);
  }
}
