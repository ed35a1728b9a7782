/**
 * When a run may read its next message, and which batch that message is in.
 * Async mode reads whenever the buffers have room; batch mode (`BatchMode`)
 * reads one batch at a time.
 */
export interface ReadingRule {
  /** Whether one more message may be read with `inFlight` messages in flight (the buffers' own limits aside). */
  mayRead(inFlight: number): boolean;
  /** A message is being read: its batch number (-1 in async mode). */
  read(): number;
  /** Whether the batch being read is complete and should be sealed. */
  readonly full: boolean;
  /** Close the batch being read (the source ended or went idle); true if one was open. */
  seal(): boolean;
}

/** Async mode: read whenever there is room; there are no batches. */
export const asyncReading: ReadingRule = {
  mayRead: () => true,
  read: () => -1,
  full: false,
  seal: () => false,
};
