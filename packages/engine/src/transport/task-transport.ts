import { CompletionReporter, PostEncoder, TaskBoard, TimeoutError, TooDeep, decodePosted, now, serializeError } from '@tidemark/workers';
import type { TaskRequest, TaskResult } from '@tidemark/workers';
import { WorkerPool, grace, stuckMessage } from './pool.js';
import type { PoolSettings } from './pool.js';
import type { CompletionHandler, Outgoing, Transport } from './transport.js';
import { WorkerUtilization } from './worker-utilization.js';

/** How long `close()` waits for the tasks out: piscina's `closeTimeout`. */
const closePatience = 30_000;

/**
 * One piscina task per message. Values cross as the workers' `PostEncoder`
 * sends them (v8's bytes for anything but a primitive), so that a value
 * that cannot be sent or read back fails its own message where it is
 * caught, never its worker or a message left in flight for good.
 *
 * With a `timeout`, each worker marks on a shared board which message's sync
 * part holds its thread, and which tries it runs, each since when: a worker
 * held by one sync part a grace past the timeout is stuck in it, and one
 * with tries running a grace past the timeout is blocked (an async
 * continuation that never yields: their deadline timers could not fire).
 * Either is terminated (piscina starts another). The stuck message, or the
 * overdue tries, fail with TimeoutError; the others the worker held go out
 * again without counting a try, as over the ring transport.
 *
 * A message's `affinity` is ignored: piscina picks the worker of each task,
 * so state a transform keeps per key in a worker (a reduce's) is not kept
 * together; keyed reduce state needs the ring transport.
 */
export class TaskTransport implements Transport {
  readonly #pool: WorkerPool;
  readonly #board: TaskBoard | undefined;
  readonly #encoder = new PostEncoder();
  readonly #transform: string;
  readonly #threads: number;
  readonly #timeout: number;
  #started: Promise<void> | undefined;
  #reporter = new CompletionReporter(() => {});
  #running = 0;
  #idle: (() => void) | undefined;
  #restarts = 0;
  readonly #known = new Set<number>();
  #sweeper: NodeJS.Timeout | undefined;
  /** Threads terminated for being stuck, whose tasks piscina has not failed yet. */
  readonly #killed = new Set<number>();
  /** The ids of the messages they were stuck in, or blocked by. */
  readonly #stuck = new Set<number>();
  readonly #utilization: WorkerUtilization;

  constructor(settings: PoolSettings) {
    // Before the pool: every worker it starts gets the board (at most one replacement per worker at a time).
    this.#board = settings.timeout > 0 ? new TaskBoard(settings.threads * 2, settings.tasksPerThread) : undefined;
    this.#pool = new WorkerPool(settings, settings.tasksPerThread);
    this.#transform = settings.transform;
    this.#threads = settings.threads;
    this.#timeout = settings.timeout;
    const pool = this.#pool;
    this.#utilization = new WorkerUtilization(() => pool.piscina.threads);
  }

  /**
   * From each worker's event loop: piscina's workers wait for tasks with
   * `Atomics.waitAsync` (`atomics: 'async'`), which the loop counts as idle.
   * The first call, and one on a runtime that does not measure it, returns undefined.
   */
  utilization(): number | undefined {
    return this.#utilization.sample();
  }

  get busyWorkers(): number {
    // piscina does not say which worker holds a task: at most one per task.
    return Math.min(this.#threads, this.#running);
  }

  get restarts(): number {
    return this.#restarts + this.#pool.deaths;
  }

  /** None: piscina starts a task on the worker it sends it to. */
  readonly lookahead = 0;

  /** A worker death rejects each of its tasks: count the threads gone, not the rejections. */
  #countRestarts(): void {
    const alive = new Set(this.#pool.piscina.threads.map((thread) => thread.threadId));
    for (const id of this.#known) {
      if (!alive.has(id)) {
        this.#restarts++;
        this.#known.delete(id);
      }
    }
    for (const id of alive) this.#known.add(id);
  }

  start(report: CompletionHandler): Promise<void> {
    if (this.#started === undefined) {
      this.#reporter = new CompletionReporter(report);
      for (const thread of this.#pool.piscina.threads) this.#known.add(thread.threadId);
      this.#started = this.#pool.start(() => Promise.resolve());
      if (this.#board !== undefined) {
        const timeout = this.#timeout;
        // Not holding the process open: piscina's tasks do while messages are out.
        this.#sweeper = setInterval(() => this.#sweep(), Math.max(10, timeout / 4)).unref();
      }
    }
    return this.#started;
  }

  send(message: Outgoing): void {
    const id = message.id;
    const sentAt = now();
    let value: unknown;
    try {
      value = this.#encoder.encode(message.input, TooDeep.inputToSend);
    } catch (error) {
      // Never sent: the try fails, reported after this turn's code (a caller may not expect a report from inside send).
      const failure = serializeError(error);
      queueMicrotask(() => this.#reporter.report(id, undefined, failure, false, 0, 0, -1));
      return;
    }
    const request: TaskRequest = {
      kind: 'message',
      transform: this.#transform,
      id,
      value,
      encoded: this.#encoder.encoded,
      offset: message.offset,
      key: message.key,
      eventTime: message.eventTime,
      attempt: message.attempts,
      timeout: this.#timeout,
      board: this.#board?.number ?? 0,
    };
    this.#running++;
    // The worker fails an async try at its deadline itself; a worker whose
    // thread is stuck or blocked is terminated by #sweep. No abort signal is
    // given to piscina: piscina then holds a whole worker per task (one
    // message per thread) and counts its queue time against it.
    (this.#pool.piscina.run(request) as Promise<TaskResult>).then(
      (result) => {
        this.#ended();
        this.#stuck.delete(id); // it ended as its worker was being terminated
        this.#completed(id, result);
      },
      (error: unknown) => {
        this.#ended();
        this.#countRestarts();
        if (this.#stuck.delete(id)) {
          this.#reporter.report(id, undefined, serializeError(new TimeoutError(stuckMessage(this.#timeout))), false, sentAt, now(), -1);
        } else if (this.#killed.size > 0) {
          // Held by a worker terminated for another message's sake: not this one's try.
          this.#reporter.report(id, undefined, undefined, true, 0, 0, -1);
        } else {
          // The worker itself failed (it died): a failed try like any other.
          this.#reporter.report(id, undefined, serializeError(error), false, sentAt, now(), -1);
        }
      },
    );
  }

  #completed(id: number, result: TaskResult): void {
    const { startedAt, endedAt, threadId } = result;
    if (!result.ok) {
      this.#reporter.report(id, undefined, result.error, false, startedAt, endedAt, threadId);
      return;
    }
    let values: unknown[];
    try {
      values = decodePosted(result.values, result.encoded, TooDeep.outputToRead) as unknown[];
    } catch (error) {
      this.#reporter.report(id, undefined, serializeError(error), false, startedAt, endedAt, threadId);
      return;
    }
    this.#reporter.report(id, values, undefined, false, startedAt, endedAt, threadId);
  }

  /**
   * Terminate each worker whose thread has been held since a grace past
   * the timeout (an async try would have failed at its deadline in the
   * worker itself, had its event loop run): by one message's sync part, or
   * by an async continuation of one of the tries overdue.
   */
  #sweep(): void {
    const board = this.#board as TaskBoard;
    const threads = this.#pool.piscina.threads;
    const alive = new Set(threads.map((thread) => thread.threadId));
    const timeout = this.#timeout;
    for (const { threadId, ids } of board.heldSince(now() - timeout - grace(timeout), alive)) {
      const worker = threads.find((thread) => thread.threadId === threadId);
      if (worker === undefined || this.#killed.has(threadId)) continue;
      this.#killed.add(threadId);
      for (const id of ids) this.#stuck.add(id);
      // piscina fails the worker's tasks from its own 'exit' listener, before
      // this one; their rejections are handled by the next turn.
      worker.once('exit', () => {
        setImmediate(() => {
          this.#killed.delete(threadId);
          for (const id of ids) this.#stuck.delete(id);
        });
      });
      void worker.terminate();
    }
  }

  /** A task settled: `close()` may be waiting for the last. */
  #ended(): void {
    this.#running--;
    if (this.#running === 0) this.#idle?.();
  }

  /**
   * Wait for the tasks out (at most piscina's own close timeout, for a
   * transform stuck with no `timeout`), then stop the workers. Not
   * piscina's `close()`: it waits its whole timeout when a worker dies
   * with a task while it closes.
   */
  async close(): Promise<void> {
    try {
      if (this.#running > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          this.#idle = resolve;
          timer = setTimeout(resolve, closePatience);
        });
        clearTimeout(timer);
      }
      await this.#pool.stop();
    } finally {
      clearInterval(this.#sweeper);
      this.#board?.close();
    }
  }
}
