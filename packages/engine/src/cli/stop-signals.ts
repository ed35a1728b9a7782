import type { signalExitCodes } from './exit-codes.js';

/** The signals that stop a command: SIGINT and SIGTERM. */
export type StopSignal = keyof typeof signalExitCodes;

/** What {@link onStopSignals} returns. */
export interface StopSignals {
  /** Resolves with the first SIGINT or SIGTERM. */
  readonly stopped: Promise<StopSignal>;
  /** The first signal, once there was one. */
  readonly by: StopSignal | undefined;
  /** Remove the handlers. */
  dispose(): void;
}

/**
 * SIGINT and SIGTERM for a command that drains before it exits: the first
 * resolves `stopped` (the command begins its graceful stop), each later one
 * calls `again` (which exits at once).
 */
export function onStopSignals(again: (signal: StopSignal) => void): StopSignals {
  let by: StopSignal | undefined;
  let stop: (signal: StopSignal) => void = () => {};
  const stopped = new Promise<StopSignal>((resolve) => {
    stop = resolve;
  });
  const onSignal = (signal: StopSignal): void => {
    if (by !== undefined) {
      again(signal);
      return;
    }
    by = signal;
    stop(signal);
  };
  const onSigint = (): void => onSignal('SIGINT');
  const onSigterm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  return {
    stopped,
    get by() {
      return by;
    },
    dispose() {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}
