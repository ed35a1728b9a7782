import assert from 'node:assert/strict';
import type { SerializedError } from '@tidemark/workers';
import type { Completion, CompletionHandler, Outgoing, Transport } from '../../src/transport/transport.js';

/**
 * An in-memory transport for unit tests of the dispatch stage and the run:
 * it holds what it is sent until the test completes it, and reports each
 * completion as the real transports do (one recycled object, to the one
 * handler given at start). No threads.
 */
export class HeldTransport implements Transport {
  readonly busyWorkers = 0;
  utilization(): undefined {
    return undefined;
  }
  readonly restarts = 0;
  readonly lookahead = 0;
  readonly held: Outgoing[] = [];
  /** The input of every send, in order (a retry is sent again). */
  readonly sent: unknown[] = [];
  #report: CompletionHandler | undefined;
  readonly #completion: Completion = { id: 0, values: undefined, error: undefined, requeue: false, startedAt: 0, endedAt: 0, threadId: 1 };

  async start(report: CompletionHandler): Promise<void> {
    this.#report ??= report;
  }

  async close(): Promise<void> {}

  send(message: Outgoing): void {
    this.held.push(message);
    this.sent.push(message.input);
  }

  /** What the transport holds now, by input. */
  get holding(): unknown[] {
    return this.held.map((message) => message.input);
  }

  /** Complete the held message whose input is `input`: its input as its one output, or failed with `failure`, or untried (`requeue`). */
  complete(input: unknown, failure?: SerializedError | 'requeue'): void {
    const at = this.held.findIndex((message) => message.input === input);
    assert.notEqual(at, -1, `the transport holds ${String(input)}`);
    const [message] = this.held.splice(at, 1) as [Outgoing];
    const completion = this.#completion;
    completion.id = message.id;
    completion.values = failure === undefined ? [message.input] : undefined;
    completion.error = failure === undefined || failure === 'requeue' ? undefined : failure;
    completion.requeue = failure === 'requeue';
    completion.startedAt = completion.endedAt = 1;
    assert.ok(this.#report, 'the transport was started');
    this.#report(completion);
  }
}
