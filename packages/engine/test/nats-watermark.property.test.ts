import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import fc from 'fast-check';
import { openWatermarkBucket } from '../src/nats/watermark-bucket.js';
import type { WatermarkPublisher } from '../src/nats/watermark-publisher.js';
import { WatermarkReader } from '../src/nats/watermark-reader.js';
import { startNatsServer } from '../src/workload/nats-server.js';
import type { NatsServer } from '../src/workload/nats-server.js';
import { until } from './helpers/wait.js';
import { eventsOf, join, rise } from './helpers/watermark-kv.js';

// The watermark reader against a model of the minimum over live publishers,
// on a real nats-server: publishers join, rise, remove their keys, and the
// reader's fake clock moves on so that the ones that did not beat go stale.
// Every step waits until the reader has received what it put, so each run
// is the same whatever the machine's speed.

let server: NatsServer;
let nc: NatsConnection;
let buckets = 0;

before(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
});

after(async () => {
  await nc?.close();
  await server?.stop();
});

/** One step of the property test. */
type Op = { kind: 'join'; slot: number } | { kind: 'remove'; slot: number } | { kind: 'update'; slot: number; step: number } | { kind: 'advance'; by: number };

const slot = fc.integer({ min: 0, max: 2 });
const ops = fc.array(
  fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('join' as const), slot }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('remove' as const), slot }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('update' as const), slot, step: fc.integer({ min: 1, max: 40 }) }), weight: 5 },
    { arbitrary: fc.record({ kind: fc.constant('advance' as const), by: fc.integer({ min: 1, max: 70 }) }), weight: 3 },
  ),
  { minLength: 15, maxLength: 40 },
);

test('the reader keeps the minimum over live publishers, with stale drops and joins, against a model', async () => {
  const STALE_AFTER = 100;
  await fc.assert(
    fc.asyncProperty(ops, async (steps: Op[]) => {
      const kv = await openWatermarkBucket(nc, `wm-model-${++buckets}`);
      let now = 0;
      const reader = await WatermarkReader.open(kv, { staleAfter: STALE_AFTER, clock: () => now });
      const events = eventsOf(reader);
      const publishers: (WatermarkPublisher | undefined)[] = [undefined, undefined, undefined];
      // Every run starts with all three slots joined, then does as `steps` say.
      steps = [0, 1, 2].map((i): Op => ({ kind: 'join', slot: i })).concat(steps);
      // The model: each live publisher's watermark and last beat, and the minimum's rises.
      const live = new Map<string, { watermark: number; seen: number }>();
      const model = { minimum: Number.NEGATIVE_INFINITY, rises: [] as number[], stale: [] as string[], removed: [] as string[] };
      const riseModel = (): void => {
        if (live.size === 0) return;
        const least = Math.min(...[...live.values()].map((p) => p.watermark));
        if (least > model.minimum) model.rises.push((model.minimum = least));
      };
      try {
        for (const step of steps) {
          if (step.kind === 'advance') {
            now += step.by;
            reader.sweep();
            for (const [name, { seen }] of live) {
              if (now - seen > STALE_AFTER) {
                live.delete(name);
                model.stale.push(name);
              }
            }
            riseModel();
            assert.equal(reader.minimum, model.minimum, `after ${JSON.stringify(step)}`);
            continue;
          }
          const name = `p${step.slot}`;
          const publisher = publishers[step.slot];
          if (step.kind === 'join') {
            if (publisher !== undefined) continue;
            publishers[step.slot] = await join(reader, kv, name);
            live.set(name, { watermark: Number.NEGATIVE_INFINITY, seen: now });
          } else if (publisher === undefined) {
            continue;
          } else if (step.kind === 'remove') {
            await publisher.close({ remove: true });
            publishers[step.slot] = undefined;
            if (live.delete(name)) model.removed.push(name);
            await until(() => !reader.publishers.has(name), `the reader to drop ${name}`);
          } else {
            const value = (publisher.watermark === Number.NEGATIVE_INFINITY ? 0 : publisher.watermark) + step.step;
            await rise(reader, publisher, value);
            live.set(name, { watermark: value, seen: now });
          }
          riseModel();
          assert.equal(reader.minimum, model.minimum, `after ${JSON.stringify(step)}`);
          // The removed event comes with the drop; the others are checked below.
          await until(() => events.removed.length === model.removed.length, 'the removed events');
        }
        assert.equal(reader.minimum, model.minimum);
        assert.deepEqual(events.watermark, model.rises);
        assert.deepEqual(events.stale.sort(), model.stale.sort());
        assert.deepEqual(events.removed, model.removed);
        assert.deepEqual(
          new Map([...reader.publishers].map(([name, state]) => [name, state.watermark])),
          new Map([...live].map(([name, state]) => [name, state.watermark])),
        );
      } finally {
        await reader.close();
        await Promise.all(publishers.map(async (p) => p?.close({ remove: true })));
      }
    }),
    { numRuns: 15 },
  );
});
