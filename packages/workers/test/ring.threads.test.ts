import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Doorbell, Ring } from '../src/ring.js';
import { payloadMatches, produceStream, recordHash, streamChecksum, type StreamData } from './fixtures/ring-records.js';

// Real threads on a small ring (4 KiB for records of 0..200 bytes), so it is
// full or empty most of the time and wraps every few dozen records. Nothing
// waits for time: the sides wait on the ring itself, a lost wake-up hangs
// and the test's timeout reports it.

const COUNT = 200_000;
const CAPACITY = 4096;
/** Loads the fixtures' TypeScript in the worker (see the file). */
const PRELOAD = new URL('./fixtures/ring-tsx.mjs', import.meta.url).href;

interface Message {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** A fixture worker, terminated after the test, with its messages kept by kind. */
class Peer {
  readonly name: string;
  /** The worker has exited: it will write or read nothing more. */
  gone = false;
  failure: Error | undefined;
  /** Called once the worker has exited, to wake whatever waits for it. */
  onExit: (() => void) | undefined;
  readonly #received = new Map<string, Message>();
  readonly #waiting = new Map<string, { resolve: (message: Message) => void; reject: (error: Error) => void }>();

  constructor(t: TestContext, fixture: string, workerData: StreamData) {
    this.name = `${fixture} (seed ${workerData.seed})`;
    const worker = new Worker(new URL(`./fixtures/${fixture}`, import.meta.url), { execArgv: ['--import', PRELOAD], workerData });
    t.after(() => worker.terminate());
    worker.on('message', (message: Message) => {
      this.#received.set(message.kind, message);
      this.#waiting.get(message.kind)?.resolve(message);
    });
    worker.on('error', (error) => {
      this.failure = error;
    });
    worker.on('exit', (code) => {
      this.gone = true;
      this.failure ??= new Error(`${this.name} exited with code ${code}`);
      for (const { reject } of this.#waiting.values()) reject(this.failure);
      this.onExit?.();
    });
  }

  message(kind: string): Promise<Message> {
    const received = this.#received.get(kind);
    if (received !== undefined) return Promise.resolve(received);
    if (this.gone) return Promise.reject(this.failure ?? new Error(`${this.name} exited`));
    return new Promise((resolve, reject) => this.#waiting.set(kind, { resolve, reject }));
  }
}

/** `wait`, cut short when `peer` exits: a dead producer commits nothing more. */
function unlessGone(peer: Peer, wait: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    peer.onExit = resolve;
    void wait.then(resolve);
  });
}

/** Reads stream `seed` from `ring` and checks every record. */
class StreamReader {
  readonly ring: Ring;
  readonly seed: number;
  readonly count: number;
  read = 0;

  constructor(ring: Ring, seed: number, count: number) {
    this.ring = ring;
    this.seed = seed;
    this.count = count;
  }

  get done(): boolean {
    return this.read === this.count;
  }

  /** Read up to `limit` of the records there are; true once the whole stream is read. */
  drain(limit = Number.POSITIVE_INFINITY): boolean {
    const { ring } = this;
    for (let n = 0; n < limit && this.read < this.count; n++) {
      const position = ring.next();
      if (position === -1) break;
      if (!payloadMatches(ring.bytes, position, ring.length, recordHash(this.seed, this.read))) {
        assert.fail(`record ${this.read} of stream ${this.seed} (${ring.length} bytes) is not what was written`);
      }
      ring.release();
      this.read++;
    }
    return this.done;
  }

  /** Fails when `producer` is gone and what it left is read, but not the whole stream. */
  assertMoreCanCome(producer: Peer): void {
    if (producer.gone && this.ring.empty && !this.done) {
      assert.fail(`${producer.name} stopped after ${this.read} of ${this.count} records: ${producer.failure?.message}`);
    }
  }
}

const WATCHDOG_MS = 10_000;

/**
 * waitForRoomSync for the main thread, which cannot run the test's timeout
 * while it is blocked: no release for WATCHDOG_MS is a failure (a lost
 * wake-up or a dead consumer), reported instead of hanging the run.
 */
function waitForRoomWatched(ring: Ring, length: number): void {
  const started = performance.now();
  ring.waitForRoomSync(length, WATCHDOG_MS);
  if (performance.now() - started >= WATCHDOG_MS) throw new Error(`no room for ${length} bytes in ${WATCHDOG_MS} ms: the consumer never released`);
}

test('a producer worker to the main thread: 200,000 records through a 4 KiB ring, once each, in order, intact', { timeout: 60_000 }, async (t) => {
  const ring = Ring.create(CAPACITY);
  const producer = new Peer(t, 'ring-producer.ts', { buffer: ring.buffer, seed: 1, count: COUNT });
  // Read only once the ring is full, so the producer goes to sleep and a release has to wake it.
  await producer.message('full');
  const reader = new StreamReader(ring, 1, COUNT);
  let sleeps = 0;
  while (!reader.drain()) {
    reader.assertMoreCanCome(producer);
    sleeps++;
    await unlessGone(producer, ring.waitForData());
  }
  const done = await producer.message('done');
  assert.ok(ring.empty, 'nothing after the last record');
  t.diagnostic(`the main thread slept ${sleeps} times, the producer ${String(done['waits'])} times`);
});

test('the main thread to a consumer worker: its waitForData is woken by commit, the blocked producer by release', { timeout: 60_000 }, async (t) => {
  const ring = Ring.create(CAPACITY);
  const consumer = new Peer(t, 'ring-consumer.ts', { buffer: ring.buffer, seed: 2, count: COUNT });
  // The consumer is asleep on the empty ring before the first commit.
  await consumer.message('sleeping');
  const waits = produceStream(ring, 2, COUNT, (length) => waitForRoomWatched(ring, length));
  const done = await consumer.message('done');
  assert.deepEqual(
    { firstWrong: done['firstWrong'], checksum: done['checksum'], leftOver: done['leftOver'] },
    { firstWrong: -1, checksum: streamChecksum(2, COUNT), leftOver: false },
  );
  t.diagnostic(`the producer waited ${waits} times, the consumer slept ${String(done['sleeps'])} times`);
});

test('two producer workers ring one Doorbell; the main thread sleeps on it and reads both rings to the end', { timeout: 60_000 }, async (t) => {
  const bell = new Doorbell();
  const count = COUNT / 2;
  const streams = [3, 4].map((seed) => {
    const ring = Ring.create(CAPACITY);
    // commit() rings the bell, so the bell goes to the producer's Ring; the main thread's Ring needs none.
    const producer = new Peer(t, 'ring-producer.ts', { buffer: ring.buffer, bell: bell.buffer, seed, count });
    producer.onExit = () => bell.ring();
    return { ring, producer, reader: new StreamReader(ring, seed, count) };
  });
  const ready = () => streams.some(({ ring }) => !ring.empty);
  let sleeps = 0;
  for (;;) {
    let finished = true;
    // A bounded drain of each in turn, so that neither ring waits on the other.
    for (const { reader } of streams) finished = reader.drain(64) && finished;
    if (finished) break;
    if (ready()) continue;
    for (const { reader, producer } of streams) reader.assertMoreCanCome(producer);
    sleeps++;
    await bell.sleep(ready);
  }
  for (const { ring, producer } of streams) {
    await producer.message('done');
    assert.ok(ring.empty, 'nothing after the last record');
  }
  t.diagnostic(`the main thread slept ${sleeps} times on the bell`);
});
