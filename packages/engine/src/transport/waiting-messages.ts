import { Deque } from '../buffers/deque.js';
import type { Outgoing } from './transport.js';

/** A worker's end of the rings, as the waiting list sees it (a `RingClient`). */
export interface SlotLink {
  /** Messages it may still take. */
  readonly room: number;
  send(message: Outgoing): void;
}

interface Waiting {
  /** Read order: the sequence number it was queued with. */
  readonly seq: number;
  readonly message: Outgoing;
}

/**
 * The ring transport's messages that found no room at a worker, queued by
 * where they may go:
 *
 *   free   ─► [m3, m7, …]   no affinity: any worker's link
 *   slot 0 ─► [m1, m4, …]   affinity % slots === 0: slot 0's link only
 *   slot 1 ─► [m2, …]       affinity % slots === 1: slot 1's link only
 *
 * Room freed at a link goes to the oldest message (in the order they were
 * queued) that may use it, so each queue leaves in read order; a message
 * whose slot is full or restarting waits in its own queue and holds back
 * nothing else (no head-of-line blocking across slots). After every
 * {@link send} and {@link flush}, no message waits that could go: each link
 * with room has an empty slot queue, and the free queue is empty.
 *
 * A slot's link is undefined while its worker restarts; its messages wait
 * for the replacement, which takes over the slot.
 */
export class WaitingMessages {
  readonly #free = new Deque<Waiting>();
  readonly #slots: Deque<Waiting>[];
  #seq = 0;
  #size = 0;

  /** `slots`: the workers, each a fixed slot (the transport's `threads`). */
  constructor(slots: number) {
    this.#slots = Array.from({ length: slots }, () => new Deque<Waiting>());
  }

  /** Messages waiting. */
  get size(): number {
    return this.#size;
  }

  /**
   * The slot `message` must go to: `affinity % slots`, or undefined when
   * it has no affinity.
   * @throws {RangeError} when `affinity` is not an integer from 0 up.
   */
  slotOf(message: Outgoing): number | undefined {
    const { affinity } = message;
    if (affinity === undefined) return undefined;
    if (!(Number.isSafeInteger(affinity) && affinity >= 0)) {
      throw new RangeError(`Expected \`affinity\` to be an integer from 0 up, got \`${String(affinity)}\` (${typeof affinity})`);
    }
    return affinity % this.#slots.length;
  }

  /**
   * Send `message` to the link it may go to now, or queue it behind the
   * messages already waiting (which leave first when they may use the same
   * room). `links[slot]` is slot's link, undefined while it restarts.
   * @throws {RangeError} when its `affinity` is not an integer from 0 up.
   */
  send(message: Outgoing, links: readonly (SlotLink | undefined)[]): void {
    const slot = this.slotOf(message);
    if (this.#size === 0) {
      const link = slot === undefined ? roomiest(links, undefined) : links[slot];
      if (link !== undefined && link.room > 0) {
        link.send(message);
        return;
      }
    }
    (slot === undefined ? this.#free : (this.#slots[slot] as Deque<Waiting>)).push({ seq: this.#seq++, message });
    this.#size++;
    // Room may have freed since the last flush (a completion being reported now).
    if (this.#size > 1) this.flush(links);
  }

  /** Send every waiting message that may go now, oldest first. */
  flush(links: readonly (SlotLink | undefined)[]): void {
    const slots = this.#slots;
    while (this.#size > 0) {
      // The oldest slot message whose link has room, and whether any link has.
      let slot = -1;
      let oldest = Number.POSITIVE_INFINITY;
      let anyRoom = false;
      for (let s = 0; s < slots.length; s++) {
        const link = links[s];
        if (link === undefined || link.room === 0) continue;
        anyRoom = true;
        const head = slots[s]?.peek();
        if (head !== undefined && head.seq < oldest) {
          oldest = head.seq;
          slot = s;
        }
      }
      if (!anyRoom) return;
      const free = this.#free.peek();
      if (free !== undefined && free.seq < oldest) {
        this.#free.shift();
        (roomiest(links, slots) as SlotLink).send(free.message);
      } else if (slot !== -1) {
        const waiting = (slots[slot] as Deque<Waiting>).shift() as Waiting;
        (links[slot] as SlotLink).send(waiting.message);
      } else {
        return;
      }
      this.#size--;
    }
  }
}

/**
 * The link with the most room, for a message without affinity; with
 * `queues`, a link whose slot has nothing waiting before one whose slot has
 * (which leaves that room to its own). Undefined when no link has room.
 */
function roomiest(links: readonly (SlotLink | undefined)[], queues: readonly Deque<Waiting>[] | undefined): SlotLink | undefined {
  let best: SlotLink | undefined;
  let bestIdle = false;
  for (let s = 0; s < links.length; s++) {
    const link = links[s];
    if (link === undefined || link.room === 0) continue;
    const idle = queues === undefined || queues[s]?.size === 0;
    if (best === undefined || (idle && !bestIdle) || (idle === bestIdle && link.room > best.room)) {
      best = link;
      bestIdle = idle;
    }
  }
  return best;
}
