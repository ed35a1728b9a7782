import { REDUCE_OP } from '@tidemark/workers';
import { newMessageState } from '../run/message-state.js';
import type { MessageIds } from '../run/message-ids.js';
import type { MessageState } from '../run/message-state.js';
import type { MessageTracker } from '../run/message-tracker.js';
import type { ReduceSettings } from '../options/reduce-options.js';
import { turnClock } from '../run/turn-clock.js';
import type { Outgoing } from '../transport/transport.js';
import { InvalidMessageError } from '../errors.js';
import { maxEventSpan } from './window-spec.js';
import { WindowReducer } from './window-reducer.js';
import type { Fire, Part } from './window-reducer.js';

/** What a window result's try returns: the runner's wrapper around `result()`'s value, or its word that parts were missing. */
type Answer = { readonly [REDUCE_OP]: 'result'; readonly value: unknown } | { readonly [REDUCE_OP]: 'missing' };


/**
 * Windowed reduce inside one run: the {@link WindowReducer} (which windows
 * are open, when they close) wired to the tracker and the dispatcher. Each
 * message goes to a worker as an `add` into its windows' accumulators, on
 * the worker its key hashes to (key affinity: the accumulators never move);
 * a closed window goes there as a `result`, a state of its own in the
 * tracker, and once the consumer took it, the window's messages are acked.
 * If a worker lost accumulators (it died, or an add ran twice), the runner
 * says so and the result is computed again from the messages' values,
 * which stay in flight until then: nothing is lost.
 */
export class WindowStage {
  readonly #reducer: WindowReducer;
  readonly #tracker: MessageTracker;
  /** Dispatch a window's result (queued in the tracker) ahead of every waiting message. */
  readonly #send: (state: MessageState) => void;
  /** Window results in flight, by their state's id. */
  readonly #fires = new Map<number, Fire>();
  readonly #ids: MessageIds;
  #keepOpen = false;

  /** `ids`: the engine's message ids, which the window results share with the run's messages. */
  constructor(settings: ReduceSettings, tracker: MessageTracker, send: (state: MessageState) => void, ids: MessageIds) {
    this.#reducer = new WindowReducer(settings.window, settings.allowedLateness);
    this.#tracker = tracker;
    this.#send = send;
    this.#ids = ids;
  }

  /** Messages held in open windows (their adds came back). */
  get held(): number {
    return this.#reducer.held;
  }

  /**
   * Before a message is read into the tracker: an event time beyond
   * ±{@link maxEventSpan} cannot be windowed exactly (nor may it move the
   * watermark): the message fails, its event time left out.
   */
  refuse(state: MessageState): void {
    if (state.error !== undefined || Math.abs(state.eventTime) <= maxEventSpan) return;
    state.error = new InvalidMessageError(`a windowed reduce takes event times from -2^52 to 2^52 ms, got ${state.eventTime}`);
    state.eventTime = Number.NaN;
  }

  /**
   * A message was read (and is in the tracker): false when it is too late for
   * every window it falls in (the caller settles it as a late record); else its
   * add goes out as the caller queues it. The window clock then moves.
   */
  assign(state: MessageState): boolean {
    return this.#reducer.assign(state, state.key) !== undefined;
  }

  /** What the transport sends for `state`: its add (a message) or its result (a window), to its key's worker. */
  outgoing(state: MessageState): Outgoing {
    const { id, offset, key, eventTime, attempts } = state;
    const affinity = key === undefined ? 0 : hash(key);
    if (state.window !== undefined) return { id, offset, key, eventTime, attempts, affinity, input: state.input };
    const parts = (this.#reducer.partsOf(id) ?? []).map(({ id: part, start, end }) => ({ id: part, start, end }));
    return { id, offset, key, eventTime, attempts, affinity, input: { [REDUCE_OP]: 'add', message: id, parts, value: state.input } };
  }

  /**
   * A try settled. Returns what the caller settles as usual (into the output
   * buffer): a failed message, or a window's result; undefined for an add
   * that came back done (now held) and for a result that must be computed
   * again (a new window state goes out).
   */
  settled(state: MessageState): MessageState | undefined {
    const fire = this.#fires.get(state.id);
    if (fire === undefined) {
      if (state.error !== undefined) {
        this.#reducer.failed(state);
        this.fire();
        return state;
      }
      this.#tracker.hold(state);
      this.#reducer.added(state);
      this.fire();
      return undefined;
    }
    if (state.error !== undefined) return state;
    const answer = state.values[0] as Answer | undefined;
    if (answer?.[REDUCE_OP] === 'missing') {
      // Its accumulators are gone: this state leaves quietly, and a new one carries the values.
      this.#fires.delete(state.id);
      this.#tracker.emit(state);
      this.#tracker.ack(state, turnClock.now());
      this.#fire(fire, true);
      return undefined;
    }
    if (answer?.[REDUCE_OP] === 'result') state.values = [answer.value];
    return state;
  }

  /** The window clock may have moved (a read, an idle partition): windows past it close, and those with every add back fire. */
  advance(): void {
    this.#reducer.advance(this.#tracker.inputWatermark);
    this.fire();
  }

  /** The end of the input: every window closes (unless {@link keepOpen} came first). */
  closeAll(): void {
    if (this.#keepOpen) return;
    this.#reducer.closeAll();
    this.fire();
  }

  /**
   * The run was stopped (an abort, `close()`) or its source failed before
   * the end: the windows still open stay open, and the run ends without
   * them. Their messages stay in flight, unacked (see {@link kept}), so the
   * committed offset stays at the earliest of them and a restart from it
   * computes those windows whole, rather than emitting a part now and the
   * rest as a second result for the same window.
   */
  keepOpen(): void {
    this.#keepOpen = true;
  }

  /** After {@link keepOpen}: messages held by windows not yet fired, which the run ends without. */
  get kept(): number {
    return this.#keepOpen ? this.#reducer.heldOpen : 0;
  }

  /**
   * At the in-flight bound with every message in flight held by a window,
   * none can close by the watermark (reading is what moves it): the earliest
   * window closes early. Returns whether one did.
   */
  relieve(): boolean {
    if (this.#reducer.held < this.#tracker.size || !this.#reducer.closeEarliest()) return false;
    this.fire();
    return true;
  }

  /** Send every window due. */
  fire(): void {
    for (const fire of this.#reducer.takeDue()) this.#fire(fire, false);
  }

  /**
   * `state` (a window's result or failed record) was handed over and acked:
   * the messages whose every window now was are acked (at the same time) and
   * told to `acked`, which the run uses to publish the watermark and read on.
   */
  handedOver(state: MessageState, acked: (member: MessageState) => void): void {
    const fire = this.#fires.get(state.id);
    if (fire === undefined) return;
    this.#fires.delete(state.id);
    for (const member of this.#reducer.handedOver(fire)) {
      this.#tracker.emit(member);
      this.#tracker.ack(member, state.ackedAt);
      acked(member);
    }
  }

  #fire(fire: Fire, withValues: boolean): void {
    const id = this.#ids.take();
    const { window, parts, members } = fire;
    let offset = Number.POSITIVE_INFINITY;
    for (const member of members) if (member.offset < offset) offset = member.offset;
    const input = {
      [REDUCE_OP]: 'result',
      window,
      parts: parts.map((part: Part) => ({ id: part.id, count: part.count, members: part.members.map((member) => member.id) })),
      ...(withValues ? { values: [...members].sort((a, b) => a.seq - b.seq).map((member) => member.input) } : {}),
    };
    const readAt = turnClock.now();
    const state = newMessageState(id, -1, offset, fire.key, undefined, window.end - 1, readAt, input, 0, -1, undefined, undefined);
    state.window = window;
    // Made only of messages late against the watermark (within the allowed
    // lateness): nothing of it held the watermark, which may be past its end.
    state.late = members.every((member) => member.late);
    this.#fires.set(id, fire);
    this.#tracker.readWindow(state);
    this.#tracker.queue(state, readAt);
    this.#send(state);
  }
}

/** FNV-1a over the key's UTF-16 code units: which worker a key's accumulators live on. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
