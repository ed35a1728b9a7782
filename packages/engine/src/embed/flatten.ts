/**
 * The records of `chunks`, one by one, as an async generator's interface:
 * a record already at hand costs a resolved promise, not an async
 * generator's turn per record (a remote engine's answers arrive as chunks,
 * and a consumer of `process()` takes them one by one). `return()` and
 * `throw()` go to `chunks`, so its `finally` runs as the consumer leaves.
 */
export function flatten<T>(chunks: AsyncGenerator<T[], void, undefined>): AsyncGenerator<T, void, undefined> {
  let chunk: T[] = [];
  let at = 0;
  let done = false;
  const finished: IteratorResult<T, void> = { value: undefined, done: true };
  const pull = async (): Promise<IteratorResult<T, void>> => {
    for (;;) {
      const next = await chunks.next();
      if (next.done === true) {
        done = true;
        return finished;
      }
      if (next.value.length === 0) continue;
      chunk = next.value;
      at = 1;
      return { value: chunk[0] as T, done: false };
    }
  };
  return {
    next() {
      if (at < chunk.length) return Promise.resolve({ value: chunk[at++] as T, done: false });
      if (done) return Promise.resolve(finished);
      return pull();
    },
    async return() {
      done = true;
      chunk = [];
      await chunks.return();
      return finished;
    },
    async throw(error: unknown) {
      done = true;
      chunk = [];
      await chunks.throw(error);
      return finished;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
