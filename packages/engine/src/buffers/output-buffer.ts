import { isFull } from './buffer-limit.js';
import type { BufferLimit } from './buffer-limit.js';
import type { MessageState } from '../run/message-state.js';
import type { ReleaseQueue } from './release-queue.js';
import type { Shed } from './shed.js';
import { sizeOf } from './size-of.js';

/**
 * Settled messages waiting for the consumer: the release queue (which
 * decides the order they leave in) with their count and bytes against the
 * output limit, and the output overflow policy applied as messages arrive.
 */
export class OutputBuffer {
  readonly limit: BufferLimit;
  readonly #release: ReleaseQueue;
  /** Whether output sizes are computed: only with a byte limit. */
  readonly #sized: boolean;
  #bytes = 0;

  constructor(release: ReleaseQueue, limit: BufferLimit) {
    this.#release = release;
    this.limit = limit;
    this.#sized = Number.isFinite(limit.bytes);
  }

  get size(): number {
    return this.#release.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get sized(): boolean {
    return this.#sized;
  }

  /**
   * A message settled (completed, or failed for good). When the buffer is
   * full: `drop-newest` sheds the arriving message (it is not added),
   * `drop-oldest` takes out the oldest ones until there is room, and
   * `reject` turns an arriving message with outputs into a failed record
   * (it is added, without its outputs; one that already failed passes as it
   * is). Returns what was shed, if anything.
   */
  add(state: MessageState): Shed | undefined {
    const policy = this.limit.overflow;
    let shed: Shed | undefined;
    if (policy !== 'block' && isFull(this.#release.size, this.#bytes, this.limit)) {
      if (policy === 'drop-newest') return { buffer: 'output', policy, dropped: [state], rejected: undefined };
      if (policy === 'drop-oldest') {
        const dropped: MessageState[] = [];
        while (isFull(this.#release.size, this.#bytes, this.limit) && this.#release.size > 0) {
          const oldest = this.#release.removeOldest() as MessageState;
          this.#bytes -= oldest.outputBytes;
          dropped.push(oldest);
        }
        shed = { buffer: 'output', policy, dropped, rejected: undefined };
      } else if (state.error === undefined) {
        this.#release.add(state);
        return { buffer: 'output', policy, dropped: [], rejected: state };
      }
    }
    if (this.#sized && state.values.length > 0) {
      state.outputBytes = sizeOf(state.values);
      this.#bytes += state.outputBytes;
    }
    this.#release.add(state);
    return shed;
  }

  /** The next message the consumer may take, if one may leave now. */
  take(): MessageState | undefined {
    const state = this.#release.take();
    if (state !== undefined) this.#bytes -= state.outputBytes;
    return state;
  }

  /** Message `seq` was dropped before it got here: the order does not wait for it. */
  skip(seq: number): void {
    this.#release.skip(seq);
  }

  /**
   * Under `block`, whether `state` may start, with `reserved` messages at the
   * workers or backing off (each will land here): only while they and the
   * messages here fit, and the bytes here are under the limit, unless nothing
   * can leave before `state` does (then holding it back would wait forever).
   */
  mayStart(state: MessageState, reserved: number): boolean {
    if (this.limit.overflow !== 'block') return true;
    if (this.#release.size + reserved < this.limit.messages && this.#bytes < this.limit.bytes) return true;
    return this.#release.needs(state);
  }
}
