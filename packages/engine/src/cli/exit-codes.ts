/**
 * The exit statuses of `tidemark` beyond 0 (done) and 2 (bad arguments, or
 * a path that cannot be opened), as the README's exit table lists them.
 */

/** The shutdown timed out with messages still in flight. */
export const shutdownTimedOutExitCode = 1;

/** Stopped by a signal: the shell's convention, 128 + the signal's number. */
export const signalExitCodes = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * An output closed before the run ended (`tidemark run | head`, or any
 * output whose reader went away: `EPIPE`): 141, 128 + SIGPIPE's 13, what a
 * shell reports for a writer that SIGPIPE killed, so `set -o pipefail` and
 * `$?` tell it from a run that read all its input.
 */
export const outputClosedExitCode = 141;

/**
 * Writing an output failed (`ENOSPC`, `EIO`, …): 74, `EX_IOERR` of
 * sysexits.h, "an error occurred while doing I/O on some file".
 */
export const outputFailedExitCode = 74;
