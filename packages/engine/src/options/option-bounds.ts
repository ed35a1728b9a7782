// The largest value an option may take, and why. Past these an option does
// not do what it says (a Node timer fires at once), or holds more threads,
// slots or memory than a machine has to give before a single message is
// read. Any real workload fits well under them; each error says why.

/**
 * The longest a Node timer waits: 2^31 - 1 ms, about 24.8 days. Past it
 * `setTimeout` fires after 1 ms instead, so a longer `timeout` would fail
 * every try at once, and a longer backoff or idle time would not wait.
 */
export const maxTimerMs = 2 ** 31 - 1;

/** The expectation of a time in ms from `min`. */
export function milliseconds(min = 0): string {
  return `a number of ms from ${min} to ${maxTimerMs} (the longest a Node timer waits, about 24.8 days)`;
}

/**
 * Worker threads at most. Each is a V8 isolate of its own: measured on a
 * 2-core machine, about 10 MB and 70 ms of start-up each, all paid before
 * the first message (128 threads: 1.3 GB and 9 s; 1000 threads read nothing
 * in 229 s). Past the cores only a transform that blocks its thread gains
 * from more (an async one runs many at once per thread: `tasksPerThread`).
 * A fixed cap rather than a multiple of the cores, so that options valid on
 * one machine are valid on every machine.
 */
export const maxThreads = 256;

export const threads = `an integer from 1 to ${maxThreads} (each worker thread is a V8 isolate of its own, some 10 MB and 70 ms of start-up before anything is read; past the cores only a transform that blocks its thread gains from more)`;

/**
 * Messages in flight at most. Each holds a slot at a worker and a tracked
 * state on the main thread: measured with a small value, about 3 KB (ring
 * transport) to 5 KB (task transport) of memory in all before its value, and
 * the default buffers let about 4 times `concurrency` be in flight. A
 * million is already several GB.
 */
export const maxConcurrency = 1_000_000;

export const concurrency = `an integer from 1 to ${maxConcurrency} (each message in flight holds a slot at a worker and a tracked state on the main thread, some 3 to 5 KB before its value)`;

/**
 * Slots at the workers in all (`threads * tasksPerThread`) at most: the ring
 * transport gives each worker a processing table of `tasksPerThread` rows,
 * 64 bytes of SharedArrayBuffer each plus 12 of bookkeeping, allocated when
 * the engine starts; 2^20 slots are 80 MB. Above every default (at most
 * `maxConcurrency + threads - 1`).
 */
export const maxSlots = 2 ** 20;

const slotRow = 'each is a 64-byte row of a SharedArrayBuffer, plus 12 bytes, allocated when the engine starts';

export const tasksPerThread = `an integer from 1 to ${maxSlots} (the workers' slots, threads * tasksPerThread, are at most ${maxSlots}: ${slotRow})`;

/** `tasksPerThread` above what `threads` workers may hold in all. */
export function tasksPerThreadWith(threadCount: number): string {
  return `at most ${Math.floor(maxSlots / threadCount)} with ${threadCount} threads (the workers' slots, threads * tasksPerThread, are at most ${maxSlots}: ${slotRow})`;
}

/**
 * Ring memory (two rings per worker) at most, as a share of the machine's
 * memory: the rings are allocated when the engine starts and filled as they
 * turn, so rings larger than the memory end with the process killed.
 */
export const ringShareOfMemory = 0.5;

/** `ringBytes` whose rings would take more than {@link ringShareOfMemory} of `totalBytes`. */
export function ringBytesWith(threadCount: number, totalBytes: number): string {
  const most = largestPowerOfTwo((totalBytes * ringShareOfMemory) / (2 * threadCount));
  const gib = (totalBytes / 2 ** 30).toFixed(1);
  return `at most ${most} with ${threadCount} threads (each worker has two rings of ringBytes, filled as they turn: 2 * threads * ringBytes may take at most half of this machine's ${gib} GiB)`;
}

function largestPowerOfTwo(n: number): number {
  return n >= 1 ? 2 ** Math.floor(Math.log2(n)) : 0;
}

/**
 * `resourceLimits.stackSizeMb` from 1 to 1024. Node keeps 192 KiB of it for
 * itself: below about 0.5 MB a worker cannot even start, and that failure
 * takes the host process down; past what the system lets a thread reserve
 * (100000 here), creating the worker fails. Node's default is 4.
 */
export const minStackMb = 1;
export const maxStackMb = 1024;

export const stackSizeMb = `a number of MB from ${minStackMb} to ${maxStackMb} (a worker with less cannot start; Node's default is 4)`;

/**
 * `resourceLimits.codeRangeSizeMb` at most 2048. V8 reserves the whole range
 * in each worker as it starts; when the address space cannot hold it (1e8 MB
 * here), V8 aborts the whole process, not just the worker.
 */
export const maxCodeRangeMb = 2048;

export const codeRangeSizeMb = `a number of MB above 0, at most ${maxCodeRangeMb} (V8 reserves it whole in each worker; one the address space cannot hold aborts the process)`;
