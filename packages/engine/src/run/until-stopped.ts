/** `starting`, or nothing once `signal` aborts or `stopped` resolves, whichever comes first. */
export async function untilStopped(starting: Promise<void>, signal: AbortSignal | undefined, stopped: Promise<void>): Promise<void> {
  starting.catch(() => {}); // when stopped first: the next run sees the failure
  if (signal?.aborted === true) return;
  let onAbort = (): void => {};
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
  });
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([starting, aborted, stopped]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
