import type { Completion, CompletionHandler, SerializedError } from './protocol.js';

/**
 * How a transport reports each try's outcome as data: one recycled
 * {@link Completion}, filled and handed to the one handler. A handler that
 * sends or drains again may cause a report inside its own: that one gets an
 * object of its own, so the outer stays valid.
 */
export class CompletionReporter {
  readonly #report: CompletionHandler;
  readonly #completion: Completion = blank();
  #reporting = false;

  constructor(report: CompletionHandler) {
    this.#report = report;
  }

  report(
    id: number,
    values: unknown[] | undefined,
    error: SerializedError | undefined,
    requeue: boolean,
    startedAt: number,
    endedAt: number,
    threadId: number,
  ): void {
    const nested = this.#reporting;
    const completion = nested ? blank() : this.#completion;
    completion.id = id;
    completion.values = values;
    completion.error = error;
    completion.requeue = requeue;
    completion.startedAt = startedAt;
    completion.endedAt = endedAt;
    completion.threadId = threadId;
    this.#reporting = true;
    try {
      this.#report(completion);
    } finally {
      this.#reporting = nested;
      // Not kept alive by the recycled object until the next report.
      completion.values = undefined;
      completion.error = undefined;
    }
  }
}

function blank(): Completion {
  return { id: 0, values: undefined, error: undefined, requeue: false, startedAt: 0, endedAt: 0, threadId: -1 };
}
