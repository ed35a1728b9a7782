/**
 * Message ids for one engine, over all its runs: the transport names a
 * message by its id, and a try of an earlier run may still come back after
 * the next run started (its consumer left early), so an id is never given
 * twice. Counted from 0 rather than per run from `run × 2³²`, so ids stay
 * small integers (V8 Smis, below 2³¹) for the first two billion messages:
 * a larger id is a heap-allocated number, which every map lookup, ring
 * record and completion of the message pays for. A double counts exactly
 * up to 2⁵³, centuries at a million messages a second.
 */
export class MessageIds {
  #next = 0;

  /** A new id, never given before by this counter. */
  take(): number {
    return this.#next++;
  }
}
