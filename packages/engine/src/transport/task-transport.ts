import { CompletionReporter, now, serializeError } from '@tidemark/workers';
import type { TaskRequest, TaskResult } from '@tidemark/workers';
import { WorkerPool } from './pool.js';
import type { PoolSettings } from './pool.js';
import type { CompletionHandler, Outgoing, Transport } from './transport.js';

/** One piscina task per message. */
export class TaskTransport implements Transport {
  readonly #pool: WorkerPool;
  readonly #transform: string;
  readonly #threads: number;
  readonly #timeout: number;
  #started: Promise<void> | undefined;
  #reporter = new CompletionReporter(() => {});
  #running = 0;
  #restarts = 0;
  readonly #known = new Set<number>();

  constructor(settings: PoolSettings) {
    this.#pool = new WorkerPool(settings, settings.tasksPerThread);
    this.#transform = settings.transform;
    this.#threads = settings.threads;
    this.#timeout = settings.timeout;
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
    }
    return this.#started;
  }

  send(message: Outgoing): void {
    const id = message.id;
    const sentAt = now();
    const request: TaskRequest = {
      kind: 'message',
      transform: this.#transform,
      value: message.input,
      offset: message.offset,
      key: message.key,
      eventTime: message.eventTime,
      attempt: message.attempts,
      timeout: this.#timeout,
    };
    this.#running++;
    // The worker fails a try at its deadline itself. No abort signal is given
    // to piscina for a stuck sync transform: piscina then holds a whole worker
    // per task (one message per thread) and counts its queue time against it.
    // Stuck sync transforms are replaced by the ring transport only.
    (this.#pool.piscina.run(request) as Promise<TaskResult>).then(
      (result) => {
        this.#running--;
        const ok = result.ok;
        this.#reporter.report(id, ok ? result.values : undefined, ok ? undefined : result.error, false, result.startedAt, result.endedAt, result.threadId);
      },
      // The worker itself failed (it died): a failed try like any other.
      (error: unknown) => {
        this.#running--;
        this.#countRestarts();
        this.#reporter.report(id, undefined, serializeError(error), false, sentAt, now(), -1);
      },
    );
  }

  close(): Promise<void> {
    return this.#pool.stop();
  }
}
