/** What a transform receives beside the value. */
export interface TransformContext {
  /** The message's offset in its source. */
  readonly offset: number;
  /** The message's key, if the source gave one. */
  readonly key: string | undefined;
  /** The message's event time (epoch ms unless the source says otherwise). */
  readonly eventTime: number;
  /** 1 on the first try, 2 on the first retry, and so on. */
  readonly attempt: number;
  /** Aborted (with a `TimeoutError`) when the try runs past the engine's `timeout`. */
  readonly signal: AbortSignal;
}

/**
 * A transform module's default export. Return the output (or a promise of
 * it), `drop()` for none, `fanOut(...)` for several; throw to fail (the
 * engine retries, then emits a failed record).
 */
export type Transform<In = unknown, Out = unknown> = (value: In, ctx: TransformContext) => Out | Promise<Out>;
