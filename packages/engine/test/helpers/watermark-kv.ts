import type { KV } from '@nats-io/kv';
import { WatermarkPublisher } from '../../src/nats/watermark-publisher.js';
import type { WatermarkReader } from '../../src/nats/watermark-reader.js';
import { until } from './wait.js';

// Driving a watermark reader by what it is seen to receive: a step waits
// until the put it made shows in `reader.publishers`, never for a time.

/** A heartbeat that never comes in a test: the publisher puts only on `update`. */
export const NO_BEAT = 2 ** 31 - 1;

/** Every event the reader emits, in order. */
export function eventsOf(reader: WatermarkReader): { watermark: number[]; stale: string[]; removed: string[] } {
  const events = { watermark: [] as number[], stale: [] as string[], removed: [] as string[] };
  reader.on('watermark', (value) => events.watermark.push(value));
  reader.on('stale', (processor) => events.stale.push(processor));
  reader.on('removed', (processor) => events.removed.push(processor));
  return events;
}

/** `publisher` rises to `value`; resolves once `reader` holds it. */
export async function rise(reader: WatermarkReader, publisher: WatermarkPublisher, value: number): Promise<void> {
  publisher.update(value);
  await until(
    () => reader.publishers.get(publisher.processor)?.watermark === value,
    `the reader to see ${publisher.processor} at ${value}`,
    () => [...reader.publishers],
  );
}

/** Opens a publisher and resolves once `reader` has it. */
export async function join(reader: WatermarkReader, kv: KV, processor: string, heartbeat = NO_BEAT): Promise<WatermarkPublisher> {
  const publisher = await WatermarkPublisher.open(kv, processor, { heartbeat });
  await until(() => reader.publishers.has(processor), `the reader to see ${processor} join`);
  return publisher;
}
