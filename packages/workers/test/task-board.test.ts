import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { Worker } from 'node:worker_threads';
import { now } from '../src/clock.js';
import { TaskBoard } from '../src/task-board.js';

// Real worker threads mark which message holds them on a TaskBoard, and
// list the tries they run; the main thread reads who has been held since
// before a given time. The times
// compared are bounds the scenario fixes (a mark made before `now()` is
// read, or after a time long past), never a window.

/** Loads the fixture's TypeScript in the worker (see the file). */
const PRELOAD = new URL('./fixtures/ring-tsx.mjs', import.meta.url).href;

/** Sends `command` to the fixture and returns what it says back. */
async function ask(worker: Worker, command: unknown): Promise<unknown> {
  worker.postMessage(command);
  const [said] = (await once(worker, 'message')) as [unknown];
  return said;
}

async function boardWorker(t: TestContext, board: TaskBoard, id: number): Promise<{ worker: Worker; said: string }> {
  const worker = new Worker(new URL('./fixtures/board-worker.ts', import.meta.url), {
    execArgv: ['--import', PRELOAD],
    workerData: { board: board.number, id },
  });
  t.after(() => worker.terminate());
  const [said] = (await once(worker, 'message')) as [string];
  return { worker, said };
}

test('a worker marks the message holding its thread; the main thread sees it held until cleared', async (t) => {
  const board = new TaskBoard(2);
  t.after(() => board.close());
  const before = now();
  const { worker, said } = await boardWorker(t, board, 41);
  assert.equal(said, 'marked');
  const alive = new Set([worker.threadId]);
  assert.deepEqual(board.heldSince(now() + 1, alive), [{ threadId: worker.threadId, ids: [41] }]);
  assert.deepEqual(board.heldSince(before, alive), [], 'held only since after `before`');
  assert.equal(await ask(worker, 'clear'), 'cleared');
  assert.deepEqual(board.heldSince(now() + 1, alive), [], 'nothing holds it once cleared');
});

test('with no sync part marked, every try listed as running since before the time holds the thread; one ended does not', async (t) => {
  const board = new TaskBoard(2, 3);
  t.after(() => board.close());
  const { worker } = await boardWorker(t, board, 1);
  const alive = new Set([worker.threadId]);
  const first = await ask(worker, { begin: 10 });
  const second = await ask(worker, { begin: 11 });
  assert.deepEqual(board.heldSince(now() + 1, alive), [{ threadId: worker.threadId, ids: [1] }], 'a marked sync part alone holds it');
  assert.equal(await ask(worker, 'clear'), 'cleared');
  const between = now();
  const third = await ask(worker, { begin: 12 });
  assert.equal(new Set([first, second, third]).size, 3, 'an entry each');
  assert.deepEqual(board.heldSince(now() + 1, alive), [{ threadId: worker.threadId, ids: [10, 11, 12] }]);
  assert.deepEqual(board.heldSince(between, alive), [{ threadId: worker.threadId, ids: [10, 11] }], 'only the tries started before `between`');
  assert.equal(await ask(worker, { end: second }), 'ended');
  assert.deepEqual(board.heldSince(now() + 1, alive), [{ threadId: worker.threadId, ids: [10, 12] }]);
  // Every entry taken: a fourth try goes unlisted; an entry ended is taken again.
  assert.equal(await ask(worker, { begin: 13 }), second);
  assert.equal(await ask(worker, { begin: 14 }), -1);
  assert.equal(await ask(worker, { end: -1 }), 'ended');
  for (const entry of [first, second, third]) await ask(worker, { end: entry });
  assert.deepEqual(board.heldSince(now() + 1, alive), [], 'nothing runs once every try ended');
});

test('the row of a worker that is gone is freed for the next; a full board leaves a worker unwatched', async (t) => {
  const board = new TaskBoard(1);
  t.after(() => board.close());
  const first = await boardWorker(t, board, 1);
  assert.equal(first.said, 'marked');
  const second = await boardWorker(t, board, 2);
  assert.equal(second.said, 'no row', 'one row, taken');
  await first.worker.terminate();
  // The first worker is not alive any more: its row is freed, and it is not reported.
  assert.deepEqual(board.heldSince(now() + 1, new Set([second.worker.threadId])), []);
  const third = await boardWorker(t, board, 3);
  assert.equal(third.said, 'marked');
  assert.deepEqual(board.heldSince(now() + 1, new Set([third.worker.threadId])), [{ threadId: third.worker.threadId, ids: [3] }]);
});

test('a worker that found the board full takes a row freed later, on its next try, and is watched from then on', async (t) => {
  const board = new TaskBoard(1);
  t.after(() => board.close());
  const first = await boardWorker(t, board, 1);
  const second = await boardWorker(t, board, 2);
  assert.equal(second.said, 'no row');
  assert.equal(await ask(second.worker, { again: 20 }), 'no row', 'still full while the first lives');
  await first.worker.terminate();
  const alive = new Set([second.worker.threadId]);
  assert.deepEqual(board.heldSince(now() + 1, alive), [], 'the sweep frees the dead worker\'s row');
  assert.equal(await ask(second.worker, { again: 21 }), 'marked');
  assert.deepEqual(board.heldSince(now() + 1, alive), [{ threadId: second.worker.threadId, ids: [21] }]);
});

test('a worker that dies with tries listed leaves nothing of them to the worker that takes its row', async (t) => {
  const board = new TaskBoard(1, 2);
  t.after(() => board.close());
  const first = await boardWorker(t, board, 1);
  assert.equal(await ask(first.worker, 'clear'), 'cleared');
  await ask(first.worker, { begin: 10 });
  await ask(first.worker, { begin: 11 });
  await first.worker.terminate();
  assert.deepEqual(board.heldSince(now() + 1, new Set()), [], 'the dead worker is not reported; its row is freed');
  const next = await boardWorker(t, board, 2);
  assert.equal(next.said, 'marked', 'the next worker takes the row');
  assert.equal(await ask(next.worker, 'clear'), 'cleared');
  // The dead worker's tries were never ended: the row must not say the next worker runs them.
  assert.deepEqual(board.heldSince(now() + 1, new Set([next.worker.threadId])), []);
});

test('a closed board is not handed to workers started after', async (t) => {
  const board = new TaskBoard(1);
  board.close();
  const { said } = await boardWorker(t, board, 1);
  assert.equal(said, 'no row');
});
