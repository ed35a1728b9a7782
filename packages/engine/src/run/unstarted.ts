/**
 * `generator`, with `release` called when it is returned (or thrown into)
 * before its first `next()`: its body never ran, so its `finally` never
 * will, and whatever it claimed when it was made (a run, the engine's one
 * active slot) would be held for good.
 */
export function releasedIfUnstarted<T>(generator: AsyncGenerator<T, void, undefined>, release: () => void): AsyncGenerator<T, void, undefined> {
  let started = false;
  const settle = (): void => {
    if (started) return;
    started = true;
    release();
  };
  return {
    next(...args: [] | [undefined]) {
      started = true;
      return generator.next(...args);
    },
    return(value: void | PromiseLike<void>) {
      settle();
      return generator.return(value);
    },
    throw(error: unknown) {
      settle();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
