// Per-key order as the keyed benchmark checks it on its own run, from what the consumer saw
// (the outputs, in the order they were yielded) and from the engine's ack traces (when each
// message's transform started and ended, as its worker measured them). Not the main thread's
// dispatch and completion times: a completion's time is one clock reading for a whole drain,
// raised to the worker's end time, so it can fall after the next message's dispatch even when
// that message went out only once the first had come back.

/** An output as the order check reads it. */
export interface KeyedOutput {
  readonly key: string | undefined;
  readonly offset: number;
}

/** A settled message as the overlap check reads it: its transform's start and end, epoch ms as its worker measured them. */
export interface KeyedSpan {
  readonly key: string | undefined;
  readonly offset: number;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** One breach of per-key order, as printed. */
export interface OrderViolation {
  /** `order`: an output came after a later offset's of its key; `overlap`: its transform started before the previous offset's of its key ended. */
  readonly kind: 'order' | 'overlap';
  readonly key: string;
  readonly offset: number;
  /** The other offset of the same key it broke order against. */
  readonly against: number;
}

/**
 * Outputs yielded before an output of a lower offset of the same key: for each output, a
 * breach when some earlier-yielded output of its key had a higher offset (`against`: the
 * highest such). Outputs without a key are never held to an order.
 */
export function orderViolations(outputs: Iterable<KeyedOutput>): OrderViolation[] {
  const highest = new Map<string, number>();
  const out: OrderViolation[] = [];
  for (const { key, offset } of outputs) {
    if (key === undefined) continue;
    const seen = highest.get(key);
    if (seen !== undefined && seen > offset) out.push({ kind: 'order', key, offset, against: seen });
    else highest.set(key, offset);
  }
  return out;
}

/**
 * Messages whose transform started before that of the key's previous offset had ended
 * (two of one key running at once), from the spans in any order. A message is compared
 * with the one just below it in offset order among its key's. The times come from the
 * workers' clocks (epoch ms on each thread); between one message's end and the next's
 * start of the same key lies at least a round trip to the main thread, far above the
 * threads' clock offsets.
 */
export function overlapViolations(spans: Iterable<KeyedSpan>): OrderViolation[] {
  const byKey = new Map<string, KeyedSpan[]>();
  for (const span of spans) {
    if (span.key === undefined) continue;
    const list = byKey.get(span.key);
    if (list === undefined) byKey.set(span.key, [span]);
    else list.push(span);
  }
  const out: OrderViolation[] = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < list.length; i++) {
      const previous = list[i - 1] as KeyedSpan;
      const span = list[i] as KeyedSpan;
      if (span.startedAt < previous.endedAt) out.push({ kind: 'overlap', key, offset: span.offset, against: previous.offset });
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** A violation as one line: `order: k3 offset 120 after offset 141`. */
export function describeViolation(v: OrderViolation): string {
  return v.kind === 'order'
    ? `order: ${v.key} offset ${v.offset} yielded after offset ${v.against}`
    : `overlap: ${v.key} offset ${v.offset} started before offset ${v.against} ended`;
}
