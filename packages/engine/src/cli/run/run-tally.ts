import { MalformedInputError, RecordTooLargeError } from '../../errors.js';
import type { DeadLetterSink } from '../../io/dead-letter-sink.js';
import type { EngineRecord } from '../../message.js';
import type { MessageTrace } from '../../run/message-state.js';
import type { RunStats } from '../../run/run-stats.js';
import { plural } from '../../report/format.js';

/**
 * What `tidemark run` counts beside the engine's stats (malformed and
 * oversized input lines, drops by buffer and policy), and the summary it
 * prints on stderr from both:
 * `tidemark: N read, N outputs, N failed (N malformed, N too large), N dropped, N late, N retried in S s`,
 * with `, N unwritable` in the parentheses when outputs JSON could not
 * encode were written as failed records (counted there, not as outputs).
 */
export class RunTally {
  readonly #started = performance.now();
  readonly #dropped = new Map<string, number>();
  #malformed = 0;
  #tooLarge = 0;

  /** A record the run took; an oversized line is also said on stderr as it goes by. */
  record(record: EngineRecord): void {
    if (record.kind !== 'failed') return;
    if (record.error instanceof MalformedInputError) this.#malformed++;
    if (record.error instanceof RecordTooLargeError) {
      this.#tooLarge++;
      process.stderr.write(`tidemark: ${record.error.code}: ${record.error.message} (skipped)\n`);
    }
  }

  /** A message acked: counted when a full buffer dropped it. */
  acked(trace: MessageTrace): void {
    if (trace.outcome !== 'dropped' || trace.overflow === undefined) return;
    const key = `${trace.overflow.buffer} ${trace.overflow.policy}`;
    this.#dropped.set(key, (this.#dropped.get(key) ?? 0) + 1);
  }

  /**
   * The summary: the dead-letter file's line and the drops' (when there
   * are), then the counts; `unwritable`: the outputs the sink wrote as
   * failed records.
   */
  write(stats: Readonly<RunStats> | undefined, deadLetter: DeadLetterSink | undefined, unwritable = 0): void {
    const seconds = (performance.now() - this.#started) / 1000;
    if (deadLetter !== undefined && deadLetter.written + deadLetter.droppedCount > 0) {
      const parts = [
        ...(deadLetter.written > 0 ? [plural(deadLetter.written, 'failed record')] : []),
        ...(deadLetter.droppedCount > 0 ? [plural(deadLetter.droppedCount, 'dropped message')] : []),
      ];
      process.stderr.write(`tidemark: ${parts.join(' and ')} written to ${deadLetter.path}\n`);
    }
    if (this.#dropped.size > 0) {
      const by = [...this.#dropped].map(([key, count]) => `${count} by ${key}`).join(', ');
      process.stderr.write(`tidemark: dropped by full buffers: ${by}\n`);
    }
    process.stderr.write(
      `tidemark: ${stats?.read ?? 0} read, ${(stats?.emitted ?? 0) - unwritable} outputs, ${(stats?.failed ?? 0) + unwritable} failed ` +
        `(${this.#malformed} malformed, ${this.#tooLarge} too large${unwritable > 0 ? `, ${unwritable} unwritable` : ''}), ` +
        `${stats?.dropped ?? 0} dropped, ${stats?.late ?? 0} late, ` +
        `${stats?.retried ?? 0} retried in ${seconds.toFixed(2)} s\n`,
    );
  }
}
