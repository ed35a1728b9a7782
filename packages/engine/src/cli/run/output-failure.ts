import { outputClosedExitCode, outputFailedExitCode } from '../exit-codes.js';
import { cannotWrite } from '../output-files.js';
import { UsageError } from '../usage-error.js';
import { plural } from '../../report/format.js';

/** The outputs `tidemark run` writes as it goes, by flag. */
export type OutputFlag = '--output' | '--dead-letter';

/**
 * Writing `--output` or `--dead-letter` failed while the run went on: which
 * one, its path as given (`-`: stdout), and the error. The run stops
 * reading and ends with {@link stderrLine} and {@link exitCode}: a reader that
 * went away (`EPIPE` on `--output`, such as `| head`) is an output closed
 * early; any other error (`ENOSPC`, `EIO`, …) a failed write.
 */
export class OutputFailure extends Error {
  override readonly name = 'OutputFailure';
  readonly flag: OutputFlag;
  readonly path: string;

  constructor(flag: OutputFlag, path: string, error: unknown) {
    super(`${flag}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    this.flag = flag;
    this.path = path;
  }

  /** The system error's code, such as `EPIPE` or `ENOSPC`. */
  get code(): string | undefined {
    const code = (this.cause as NodeJS.ErrnoException | undefined)?.code;
    return typeof code === 'string' ? code : undefined;
  }

  /** The output's reader went away: an output closed early, not a failed write. */
  get closed(): boolean {
    return this.flag === '--output' && this.code === 'EPIPE';
  }

  get exitCode(): number {
    return this.closed ? outputClosedExitCode : outputFailedExitCode;
  }

  /**
   * The run's last line on stderr, with `written` (what reached the file or
   * pipe: records of `--output`, lines of `--dead-letter`) and the committed
   * offset to resume from. Not named `line`: JavaScriptCore (Bun) gives
   * every Error instance own `line`, `column` and `sourceURL` properties,
   * which would hide a method of that name.
   */
  stderrLine(written: number, committed: number): string {
    const were = written === 1 ? 'was' : 'were';
    if (this.closed) {
      return (
        `tidemark: the output was closed (EPIPE) after ${plural(written, 'record')} ${were} written; stopped reading; ` +
        `committed offset ${committed}: every record before it was written to the output, but a reader that closed early (such as head) ` +
        `may not have read them all; resume from ${committed} to continue after what was written, or from an earlier offset to redo what the reader did not take`
      );
    }
    const shown = this.path === '-' ? 'stdout' : this.path;
    const named = cannotWrite(this.flag, shown, this.cause);
    const why = named instanceof UsageError ? named.message : `${this.flag}: cannot write ${shown}: ${String((this.cause as Error | undefined)?.message ?? this.cause)}`;
    const what = plural(written, this.flag === '--output' ? 'record' : 'line');
    return `tidemark: ${why}; ${what} ${were} written; stopped reading; committed offset ${committed} (resume there: every record before it was written)`;
  }
}

/** `error` as the failure of `flag`'s output (kept as it is when it already is one: a dead-letter write made by the sink). */
export function outputFailure(flag: OutputFlag, path: string, error: unknown): OutputFailure {
  return error instanceof OutputFailure ? error : new OutputFailure(flag, path, error);
}
