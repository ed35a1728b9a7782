import { rename, writeFile } from 'node:fs/promises';

/** How often, at most, the checkpoint file is rewritten while the committed offset rises (ms). */
const interval = 100;

/**
 * `--checkpoint <file>`: the run's committed offset, kept in a file as the
 * run goes, so that after the process is killed, even by SIGKILL,
 * `--from "$(cat file)"` resumes losing nothing. The file holds the offset
 * and a newline. Each write goes to `<file>.tmp` and is renamed over the
 * file, so the file always holds one whole offset.
 *
 * An offset is written only once every record before it has reached the
 * operating system (`flushed`): a killed process loses what Node still
 * buffers, so a checkpoint past such a record would skip it on resume. The
 * offset is taken first and the outputs flushed after: whatever was acked
 * by then was written by then (a message is acked when its last record is
 * taken for writing).
 */
export class Checkpoint {
  readonly path: string;
  readonly #committed: () => number;
  readonly #flushed: () => Promise<void>;
  #written: number;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #error: Error | undefined;
  #closed = false;

  private constructor(path: string, written: number, committed: () => number, flushed: () => Promise<void>) {
    this.path = path;
    this.#written = written;
    this.#committed = committed;
    this.#flushed = flushed;
  }

  /**
   * Write `from` (where the run starts) to the file at once, failing early
   * on a path that cannot be written, and keep it from then on: `committed`
   * says the committed offset, `flushed` resolves once every record written
   * so far has reached the operating system.
   */
  static async open(path: string, from: number, committed: () => number, flushed: () => Promise<void>): Promise<Checkpoint> {
    await save(path, from);
    return new Checkpoint(path, from, committed, flushed);
  }

  /**
   * The committed offset may have risen (a message was acked): write it
   * within {@link interval} ms, and again once the writes then pending have
   * reached the operating system, if that let it rise.
   */
  changed(): void {
    if (this.#timer !== undefined || this.#writing !== undefined || this.#closed) return;
    this.#timer = setTimeout(this.#tick, interval).unref();
  }

  /** Stop without writing again (the run failed: its last records may not have been written). */
  stop(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Stop, and write `offset`, the run's last committed offset (its records
   * flushed by the caller). Throws the error an earlier write met.
   */
  async close(offset: number): Promise<void> {
    this.stop();
    await this.#writing;
    if (this.#error !== undefined) throw this.#error;
    if (offset !== this.#written) await save(this.path, offset);
    this.#written = offset;
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    this.#writing = this.#write().finally(() => {
      this.#writing = undefined;
      if (this.#committed() > this.#written) this.changed();
    });
  };

  async #write(): Promise<void> {
    const offset = this.#committed();
    try {
      // Also when the offset has not risen: records written but not flushed
      // may be what holds it back, and their writes can finish after the last
      // ack. Once they have, #tick looks again (no ack may come to say so).
      await this.#flushed();
      if (offset <= this.#written) return;
      await save(this.path, offset);
      this.#written = offset;
    } catch (error) {
      // Kept for close(): the run goes on, but the checkpoint stops moving.
      this.#error ??= error as Error;
      this.#closed = true;
    }
  }
}

async function save(path: string, offset: number): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, `${offset}\n`);
  await rename(temporary, path);
}
