/** Retry settings, as resolved from the engine options. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly initial: number;
  readonly max: number;
}

/** Delay before try `attempt + 1`: exponential from `initial`, capped at `max`. */
export function backoff(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.max, policy.initial * 2 ** (attempt - 1));
}
