import assert from 'node:assert/strict';

/** A run's events in the order they happened: a watermark `['w', value]` or a record `['o' | 'f', offset, eventTime, …]`. */
export type RunEvent = readonly ['w', number] | readonly [string, number, number, ...unknown[]];

/**
 * The watermark only rises, no record handed over after it has an event time
 * below it (none is late: event times rise with offsets), it rose more than
 * once, and its last value is `lastEventTime` and `engineWatermark`.
 */
export function assertWatermarkEvents(events: readonly RunEvent[], lastEventTime: number, engineWatermark: number, what: string): void {
  let watermark = -Infinity;
  let rises = 0;
  for (const event of events) {
    if (event[0] === 'w') {
      assert.ok(event[1] > watermark, `${what}: the watermark rose from ${watermark} to ${event[1]}`);
      watermark = event[1];
      rises++;
    } else {
      assert.ok((event[2] as number) >= watermark, `${what}: offset ${event[1]} (event time ${String(event[2])}) came after the watermark ${watermark}`);
    }
  }
  assert.ok(rises > 1, `${what}: the watermark rose as the run went (${rises} events)`);
  assert.equal(watermark, lastEventTime, `${what}: the last watermark event is the largest event time`);
  assert.equal(engineWatermark, watermark, `${what}: engine.watermark is the last event's`);
}
