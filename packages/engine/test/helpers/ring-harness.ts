import type { TestContext } from 'node:test';
import { resolveOptions } from '../../src/options/resolve-options.js';
import { RingTransport } from '../../src/transport/ring-transport.js';
import type { Completion, Outgoing } from '../../src/transport/transport.js';
import { fixture } from './gates.js';
import { until, within } from './wait.js';

/** What the `thread-id.js` fixture returns. */
export interface Ran {
  readonly n: number;
  readonly threadId: number;
}

/** A shared gate for `thread-id.js`: [0] open (1) or closed (0), [1] tries that reached it. */
export class ThreadGate {
  readonly buffer = new SharedArrayBuffer(8);
  readonly #view = new Int32Array(this.buffer);

  open(): void {
    Atomics.store(this.#view, 0, 1);
    Atomics.notify(this.#view, 0);
  }

  get reached(): number {
    return Atomics.load(this.#view, 1);
  }
}

/**
 * A ring transport over `thread-id.js`, driven as the engine drives it: a
 * requeued message is sent again at once, and so is a failed try (as a
 * retry, `attempts + 1`), up to `maxAttempts`. Messages are numbered by the
 * test; `n` is the id. Closed after the test, with `gate` opened first.
 */
export async function ringHarness(t: TestContext, threads: number, tasksPerThread: number, gate: ThreadGate, maxAttempts = 3) {
  const transform = fixture('thread-id.js');
  const settings = resolveOptions({ transport: 'ring', transform, threads, tasksPerThread, concurrency: threads * tasksPerThread });
  const transport = new RingTransport(settings);
  const sent = new Map<number, Outgoing>();
  /** Every completion, copied, in the order reported. */
  const log: Completion[] = [];
  /** The value each message completed with. */
  const ran = new Map<number, Ran>();
  t.after(() => {
    gate.open();
    return within(transport.close(), 'the transport to close');
  });
  await within(
    transport.start((completion) => {
      const copy = { ...completion };
      log.push(copy);
      const message = sent.get(copy.id) as Outgoing;
      if (copy.values !== undefined) {
        if (ran.has(copy.id)) throw new Error(`message ${copy.id} completed twice`);
        ran.set(copy.id, copy.values[0] as Ran);
      } else if (copy.requeue) {
        transport.send(message);
      } else if (message.attempts < maxAttempts) {
        const retry = { ...message, attempts: message.attempts + 1 };
        sent.set(copy.id, retry);
        transport.send(retry);
      }
    }),
    'the workers to start',
  );
  return {
    transport,
    log,
    ran,
    /** Send message `id` with `input` (plus `n: id`), with `affinity` unless undefined. */
    send(id: number, input: Record<string, unknown> = {}, affinity?: number): void {
      const message: Outgoing = {
        id,
        input: { n: id, ...input },
        offset: id,
        key: undefined,
        eventTime: 0,
        attempts: 1,
        ...(affinity === undefined ? {} : { affinity }),
      };
      sent.set(id, message);
      transport.send(message);
    },
    /** Resolves once every one of `ids` has completed with a value. */
    async completed(ids: readonly number[], what: string): Promise<void> {
      await until(
        () => ids.every((id) => ran.has(id)),
        what,
        () => ({ waitingFor: ids.filter((id) => !ran.has(id)), log }),
      );
    },
    /** Resolves once `count` tries have reached the gate. */
    async reached(count: number): Promise<void> {
      await until(() => gate.reached >= count, `${count} tries to reach the gate`, () => gate.reached);
    },
  };
}
