import type { JsMsg } from '@nats-io/jetstream';

/** What a delivery's message gets once the engine is done with it and its publishes are confirmed. */
export type Verdict = { readonly kind: 'ack' } | { readonly kind: 'nak'; readonly delay: number } | { readonly kind: 'term' };

const ack: Verdict = { kind: 'ack' };

/** One JetStream message this process holds: delivered, not yet acked, `nak`ed or `term`ed. */
class Delivery {
  readonly msg: JsMsg;
  /** Publishes of its records not yet confirmed. */
  publishing = 0;
  /** The engine acked it: every record it makes has been handed over. */
  handedOver = false;
  verdict: Verdict = ack;
  /** The verdict is a failed publish's `nak`, which nothing overrides. */
  final = false;
  /** When it was delivered, or last said to be `working()` (performance.now()). */
  touched = performance.now();

  constructor(msg: JsMsg) {
    this.msg = msg;
  }
}

/**
 * The JetStream messages this process holds, by stream sequence, from
 * delivery until they are settled: acked once the engine has handed over
 * all their records and the sink has confirmed every publish; otherwise
 * `nak`ed (a retry, with its delay, or a publish that failed) or `term`ed
 * (failed for good, its failed record confirmed at the dead-letter subject).
 *
 * While it holds them, a message in flight longer than a third of the
 * consumer's AckWait is said to be `working()`, so that JetStream does not
 * hand it to another process while this one is still on it.
 */
export class Deliveries {
  readonly #held = new Map<number, Delivery>();
  readonly #workingAfter: number;
  readonly #timer: NodeJS.Timeout;
  readonly #settled: (msg: JsMsg, verdict: Verdict) => void;

  /** `ackWait` in ms; `settled` hears every message settled, after it was. */
  constructor(ackWait: number, settled: (msg: JsMsg, verdict: Verdict) => void) {
    this.#workingAfter = ackWait / 3;
    this.#settled = settled;
    this.#timer = setInterval(this.#touch, Math.max(10, ackWait / 6)).unref();
  }

  /** Messages held. */
  get size(): number {
    return this.#held.size;
  }

  /** Whether a delivery of stream sequence `seq` is held (a redelivery of it is then ignored: the first settles it). */
  has(seq: number): boolean {
    return this.#held.has(seq);
  }

  /** Hold a delivered message. */
  add(msg: JsMsg): void {
    this.#held.set(msg.seq, new Delivery(msg));
  }

  /** A publish of one of `seq`'s records started. */
  publishing(seq: number): void {
    const delivery = this.#held.get(seq);
    if (delivery !== undefined) delivery.publishing++;
  }

  /** A publish of one of `seq`'s records is over (confirmed, or failed and judged). */
  published(seq: number): void {
    const delivery = this.#held.get(seq);
    if (delivery === undefined) return;
    delivery.publishing--;
    this.#settle(seq, delivery);
  }

  /**
   * What `seq` gets when it settles. A `nak` given with `wins` (a publish
   * that failed: the message must come back) stands against any later
   * verdict; otherwise the last verdict counts.
   */
  judge(seq: number, verdict: Verdict, wins = false): void {
    const delivery = this.#held.get(seq);
    if (delivery === undefined || delivery.final) return;
    delivery.verdict = verdict;
    delivery.final = wins;
  }

  /** The engine acked `seq`: it makes no more records. */
  handedOver(seq: number): void {
    const delivery = this.#held.get(seq);
    if (delivery === undefined) return;
    delivery.handedOver = true;
    this.#settle(seq, delivery);
  }

  /** The delivery count of the message held as `seq` (1 on its first delivery). */
  deliveryCount(seq: number): number {
    return this.#held.get(seq)?.msg.info.deliveryCount ?? 1;
  }

  /** Stop saying `working()`, and hand back (`nak`) every message still held: read, but never processed (the run stopped or failed). */
  stop(): void {
    clearInterval(this.#timer);
    for (const [seq, delivery] of this.#held) {
      this.#held.delete(seq);
      const verdict: Verdict = { kind: 'nak', delay: 0 };
      try {
        delivery.msg.nak();
      } catch {
        // The connection is gone: JetStream redelivers it after AckWait.
      }
      this.#settled(delivery.msg, verdict);
    }
  }

  #settle(seq: number, delivery: Delivery): void {
    if (!delivery.handedOver || delivery.publishing > 0) return;
    this.#held.delete(seq);
    const { msg, verdict } = delivery;
    try {
      if (verdict.kind === 'ack') msg.ack();
      else if (verdict.kind === 'nak') msg.nak(verdict.delay);
      else msg.term(); // no reason: nats-server 2.9 ignores a +TERM that carries one
    } catch {
      // The connection is gone: JetStream redelivers it after AckWait (the run fails with the connection).
    }
    this.#settled(msg, verdict);
  }

  readonly #touch = (): void => {
    const now = performance.now();
    for (const delivery of this.#held.values()) {
      if (now - delivery.touched < this.#workingAfter) continue;
      delivery.touched = now;
      delivery.msg.working();
    }
  };
}
