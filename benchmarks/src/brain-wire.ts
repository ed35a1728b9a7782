/**
 * Both ends of the simulated downstream's wires (`pnpm bench:brain`, the
 * shifting-capacity scenario).
 *
 * Worker ⇄ downstream, one Unix-socket connection per worker thread:
 *
 *     worker ── "17\n" ──▶ downstream     a call, named by an id unique on that connection
 *     worker ◀── "17\n" ── downstream     the same id once the call was served
 *
 * Replies come in the order calls are served, not sent: the caller matches
 * them by id. Downstream → benchmark goes over the fork's IPC channel
 * ({@link DownstreamReport}); the benchmark hands the plan over as the
 * process's one argument ({@link DownstreamPlan}, JSON).
 */

/** One phase of the downstream: `capacity` calls served at once, for `calls` calls served. */
export interface DownstreamPhase {
  readonly capacity: number;
  readonly calls: number;
}

/** What the downstream process serves: where it listens, how long a call takes, its phases in order. */
export interface DownstreamPlan {
  /** The Unix socket path it listens on. */
  readonly path: string;
  /** ms one call holds its slot. */
  readonly serviceMs: number;
  /** The last phase's capacity also serves any call past the phases' total. */
  readonly phases: readonly DownstreamPhase[];
}

/**
 * What the downstream tells the benchmark: it listens, or a phase began
 * (`at` epoch ms by its clock, `origin + performance.now()` as the engine's
 * own; phase 0 at the first call, each next one when the calls of those
 * before it have all been served).
 */
export type DownstreamReport =
  | { readonly kind: 'listening' }
  | { readonly kind: 'phase'; readonly index: number; readonly capacity: number; readonly at: number; readonly served: number };

/** The bytes of one call or reply. */
export function frame(id: number): string {
  return `${id}\n`;
}

/**
 * Splits a connection's text (read as latin1) into the ids of
 * newline-ended frames, whatever the chunking; a partial frame waits for
 * the rest.
 */
export class FrameReader {
  readonly #onId: (id: number) => void;
  #rest = '';

  constructor(onId: (id: number) => void) {
    this.#onId = onId;
  }

  /** Take one chunk of the connection's text. @throws {RangeError} on a frame that is not an id. */
  feed(chunk: string): void {
    const text = this.#rest + chunk;
    let from = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) {
      const line = text.slice(from, end);
      const id = Number(line);
      if (line === '' || !Number.isSafeInteger(id) || id < 0) throw new RangeError(`downstream wire: expected an id, got \`${line}\``);
      this.#onId(id);
      from = end + 1;
    }
    this.#rest = text.slice(from);
  }
}
