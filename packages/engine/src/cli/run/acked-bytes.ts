import type { NdjsonPositions } from '../../io/ndjson-source.js';

/**
 * How far into an NDJSON input every line is done: the byte where the line
 * of the lowest offset still in flight starts or, with none in flight, the
 * end of the last line the source passed. The source says where each
 * record's line starts as it yields it ({@link NdjsonPositions}); the
 * engine's `ack` event says which message is done ({@link acked}).
 *
 *   bytes   0 ........ done ...... read ...... size
 *   lines   | acked    | in flight, some acked |  not read yet
 *                      ^ start of the lowest offset in flight
 *
 * It holds one entry per message in flight (read and not yet acked), in
 * read order, which is offset order: the first is the lowest.
 */
export class AckedBytes implements NdjsonPositions {
  readonly #starts = new Map<number, number>();
  #passed = 0;
  #skipped: { readonly lines: number; readonly end: number } | undefined;

  /** With `from`: the lines skipped (fewer than `from` when the input ended first) and the byte the first line read starts at. */
  skipped(lines: number, end: number): void {
    this.#skipped = { lines, end };
    this.#passed = end;
  }

  /** The lines `from` skipped, once the source has passed them (undefined before, and without `from`). */
  get skippedLines(): number | undefined {
    return this.#skipped?.lines;
  }

  /** With `from`: the byte this run's first line starts at, once the lines before it are skipped (undefined before, and without `from`). */
  get start(): number | undefined {
    return this.#skipped?.end;
  }

  record(offset: number, start: number): void {
    this.#starts.set(offset, start);
  }

  passed(end: number): void {
    this.#passed = end;
  }

  /** The message at `offset` left the run (output, failed or dropped). */
  acked(offset: number): void {
    this.#starts.delete(offset);
  }

  /** The bytes from the input's start up to which every line is done. */
  get done(): number {
    for (const start of this.#starts.values()) return start;
    return this.#passed;
  }
}
