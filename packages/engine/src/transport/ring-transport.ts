import { setImmediate as nextTurn } from 'node:timers/promises';
import { Doorbell, RingClient, TimeoutError, serializeError } from '@tidemark/workers';
import { now } from '@tidemark/workers';
import { WorkerPool, grace, stuckMessage } from './pool.js';
import type { PoolSettings } from './pool.js';
import type { Completion, CompletionHandler, Outgoing, Transport } from './transport.js';
import { WaitingMessages } from './waiting-messages.js';
import { WorkerUtilization } from './worker-utilization.js';

/** Settings of the ring transport. */
export interface RingSettings extends PoolSettings {
  /** Bytes of each ring (a power of two). */
  readonly ringBytes: number;
  /** The in-flight target. */
  readonly concurrency: number;
  /** Whether each worker may hold one message beyond its share (see `lookahead`). */
  readonly lookahead: boolean;
}

/**
 * Messages through SharedArrayBuffer rings, one input and one output ring
 * per worker, each worker serving its rings from one long-lived piscina
 * task. The in-flight count lives at the workers: each link holds up to
 * `tasksPerThread` messages, and a message goes to the link with the most
 * room. One loop on the main thread reads every output ring and sleeps on
 * a shared doorbell when all are empty. piscina still owns the workers: a
 * worker that dies ends its serve task, its messages are completed from its
 * processing table, and a new serve task takes the replacement piscina starts.
 *
 * Key affinity: each serve task has a fixed slot, 0 to `threads - 1`, which
 * its replacement takes over. A message with an `affinity` goes to slot
 * `affinity % threads` and no other, so that state a worker keeps per key
 * (a reduce's accumulators) stays on one thread; it waits while that slot
 * is full or restarting, without holding back messages for other slots
 * (waiting-messages.ts).
 */
export class RingTransport implements Transport {
  readonly #settings: RingSettings;
  readonly #pool: WorkerPool;
  readonly #bell = new Doorbell();
  /** Slot → its worker's link; undefined while the slot's worker starts or restarts. */
  readonly #links: (RingClient | undefined)[];
  readonly #serving = new Set<Promise<void>>();
  /** Serve tasks whose worker has not loaded the module yet. */
  readonly #loading = new Set<Promise<void>>();
  #started: Promise<void> | undefined;
  #closing = false;
  #keepAlive: NodeJS.Timeout | undefined;
  #restarts = 0;
  /** Links killed for being stuck, with the slots that were. */
  readonly #stuck = new Map<RingClient, Set<number>>();
  #sweeper: NodeJS.Timeout | undefined;
  readonly #waiting: WaitingMessages;
  #report: CompletionHandler = () => {};
  readonly #utilization: WorkerUtilization;
  /** Every link reports here: counted, then to the engine's handler. */
  readonly #counted = (completion: Completion): void => {
    this.#report(completion);
    if (this.#waiting.size > 0) this.#waiting.flush(this.#links);
    else if (this.#keepAlive !== undefined && this.#links.every((link) => link === undefined || link.holding === 0)) this.#unhold();
  };

  constructor(settings: RingSettings) {
    this.#settings = settings;
    this.#links = Array.from({ length: settings.threads }, () => undefined);
    this.#waiting = new WaitingMessages(settings.threads);
    // One serve task per worker: with one task per worker piscina gives each its own.
    this.#pool = new WorkerPool(settings, 1);
    const pool = this.#pool;
    this.#utilization = new WorkerUtilization(
      () => pool.piscina.threads,
      (worker) => this.#links.find((link) => link?.threadId === worker.threadId)?.blocked ?? 0,
    );
  }

  /**
   * From each worker's event loop, less the time it spent blocked in its
   * sync wait for input (which the loop counts as active): see
   * `RingClient.blocked`. The first call, and one on a runtime that does
   * not measure it, returns undefined.
   */
  utilization(): number | undefined {
    return this.#utilization.sample();
  }

  get busyWorkers(): number {
    let busy = 0;
    for (const link of this.#links) if (link !== undefined && link.holding > 0) busy++;
    return busy;
  }

  get restarts(): number {
    return this.#restarts + this.#pool.deaths;
  }

  /**
   * One message per worker beyond the target, waiting in its input ring
   * while it runs its share (`tasksPerThread`), when the shares add up to
   * the target exactly (so the workers still run at most the target at
   * once); else none.
   */
  get lookahead(): number {
    const { threads, tasksPerThread, concurrency, lookahead } = this.#settings;
    return lookahead && threads * tasksPerThread === concurrency ? threads : 0;
  }

  start(report: CompletionHandler): Promise<void> {
    if (this.#started === undefined) this.#report = report;
    this.#started ??= this.#pool
      .start(() => Promise.all(Array.from({ length: this.#settings.threads }, (_, slot) => this.#serve(slot))).then(() => {}))
      .then(() => void this.#pump());
    return this.#started;
  }

  /**
   * Send `state` to the link with the most room, or with an `affinity` to
   * its slot's link; or wait, behind the messages already waiting for the
   * same room (a freed slot goes to the oldest, flushed once the completion
   * returns).
   * @throws {RangeError} when `state.affinity` is not an integer from 0 up.
   */
  send(state: Outgoing): void {
    // Before anything changes: a bad affinity is the caller's bug, not a message's fault.
    this.#waiting.slotOf(state);
    if (this.#keepAlive === undefined) {
      // Held open only while messages are out: the main thread waits for
      // results on a doorbell (Atomics.waitAsync), which does not hold it.
      this.#keepAlive = setInterval(() => {}, 1 << 30);
      const timeout = this.#settings.timeout;
      if (timeout > 0) this.#sweeper = setInterval(() => this.#sweep(), Math.max(10, timeout / 4));
    }
    // No room when the in-flight target is above the workers' slots
    // (threads * tasksPerThread < concurrency), when the message's slot is
    // full, or while a dead worker's replacement starts.
    this.#waiting.send(state, this.#links);
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const link of this.#links) link?.stop();
    // A replacement still loading the module may never finish: its worker is terminated with the pool.
    await Promise.allSettled([...this.#serving].filter((serving) => !this.#loading.has(serving)));
    for (const link of this.#links) link?.close();
    this.#unhold();
    await this.#pool.stop();
  }

  #unhold(): void {
    clearInterval(this.#keepAlive);
    clearInterval(this.#sweeper);
    this.#keepAlive = this.#sweeper = undefined;
  }

  /**
   * Start a serve task on a (new) link for `slot` and wait until its
   * worker serves; rejects if the worker dies first (a replacement for the
   * slot is on its way then).
   */
  async #serve(slot: number): Promise<void> {
    const { tasksPerThread, ringBytes, transform } = this.#settings;
    const ahead = this.lookahead > 0;
    const link = new RingClient(tasksPerThread + (ahead ? 1 : 0), ringBytes, this.#bell, this.#counted);
    const { request, transferList } = link.serveRequest(transform, this.#settings.timeout, ahead ? tasksPerThread : 0);
    let died: (error: unknown) => void = () => {};
    const death = new Promise<never>((_, reject) => {
      died = reject;
    });
    death.catch(() => {}); // seen by the race below, unless the worker was ready by then
    const serving: Promise<void> = this.#pool.piscina.run(request, { transferList }).then(
      () => {
        this.#serving.delete(serving);
      },
      (error: unknown) => {
        this.#serving.delete(serving);
        this.#restarts++;
        // A worker that died before it was ready never took its slot.
        if (this.#links[slot] === link) this.#links[slot] = undefined;
        link.close();
        died(error);
        // Its messages requeued now wait for the replacement, if they have this slot's affinity.
        if (!this.#closing && !this.#pool.stopped) this.#serve(slot).catch(() => {}); // its own death replaces it again
        const stuck = this.#stuck.get(link);
        this.#stuck.delete(link);
        if (stuck !== undefined) {
          link.orphan(serializeError(new TimeoutError(stuckMessage(this.#settings.timeout))), stuck);
        } else {
          // process.exit or a heap overflow in a transform's own code: only it is to blame.
          const running = link.running;
          link.orphan(serializeError(error), running === undefined ? undefined : new Set([running]));
        }
      },
    );
    this.#serving.add(serving);
    this.#loading.add(serving);
    try {
      // The first workers load within the pool's start; a replacement within a deadline of its own.
      await (this.#pool.started ? this.#readyWithin(link, death) : Promise.race([link.ready(), death]));
    } finally {
      this.#loading.delete(serving);
    }
    this.#links[slot] = link;
    if (this.#closing) link.stop(); // a replacement that came up while closing
    this.#waiting.flush(this.#links);
  }

  /**
   * Resolves when a replacement's worker serves; a worker that has not
   * loaded the module within `loadTimeout` (a top-level await that never
   * settles, a loop) is terminated, and its death (`death` rejects) starts
   * another. The timer does not hold the process open.
   */
  async #readyWithin(link: RingClient, death: Promise<never>): Promise<void> {
    const ready = link.ready();
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), this.#settings.loadTimeout).unref();
      });
      try {
        if ((await Promise.race([ready, death, late])) !== 'late') return;
      } finally {
        clearTimeout(timer);
      }
      const thread = this.#pool.piscina.threads.find((worker) => worker.threadId === link.servingThread);
      void thread?.terminate();
    }
  }

  /**
   * A worker whose message has run a grace past the timeout is stuck in
   * sync code (an async try would have failed at its deadline in the worker
   * itself, had its event loop run): terminate it; piscina starts another.
   */
  #sweep(): void {
    const timeout = this.#settings.timeout;
    const before = now() - timeout - grace(timeout);
    for (const link of this.#links) {
      if (link === undefined || this.#stuck.has(link)) continue;
      const culprits = stuckSlots(link, before);
      if (culprits === undefined) continue;
      const worker = this.#pool.piscina.threads.find((thread) => thread.threadId === link.threadId);
      if (worker === undefined) continue;
      this.#stuck.set(link, culprits);
      void worker.terminate();
    }
  }

  async #pump(): Promise<void> {
    const ready = () => this.#links.some((link) => link?.hasOutput === true);
    while (!this.#closing) {
      let count = 0;
      for (const link of this.#links) if (link !== undefined) count += link.drain();
      // Let the consumer and the source run before the next round.
      if (count > 0) await nextTurn();
      else await this.#bell.sleep(ready);
    }
  }
}

/**
 * The slots to blame when `link`'s worker is stuck: the one whose sync part
 * holds the thread, if it started before `before`; with none marked, every
 * try overdue by then (an async continuation that blocks the thread is not
 * marked, but its deadline timer could not fire: each overdue try may be
 * it). Undefined when the worker is not stuck.
 */
function stuckSlots(link: RingClient, before: number): Set<number> | undefined {
  const running = link.running;
  if (running !== undefined) return (link.startedAt(running) ?? Number.POSITIVE_INFINITY) < before ? new Set([running]) : undefined;
  const overdue = link.overdue(before);
  return overdue.size > 0 ? overdue : undefined;
}
