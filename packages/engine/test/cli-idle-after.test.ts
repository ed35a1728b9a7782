import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { cliFixture as fixture, requireBuiltCli } from './helpers/cli.js';
import { CliSession } from './helpers/cli-session.js';
import { scrape, scrapeUntil } from './helpers/prometheus.js';

// `tidemark run --idle-after <ms>`: once the input has given nothing for that
// long with nothing in flight, the watermark rises to the largest event time
// seen, so a record arriving after that with an event time inside the
// out-of-orderness window is late. stdin stays open (the input is idle, not
// ended); the test reads the watermark from --metrics-port, so it writes
// the next record only once the idle advance has (or, with an hour, has not)
// happened: the timer is the feature, and no outcome depends on speed.
before(requireBuiltCli);

function session(t: TestContext, idleAfter: string): CliSession {
  return new CliSession(t, [
    '--transform',
    fixture('cli-upper.js'),
    '--threads',
    '1',
    '--max-out-of-orderness',
    '1000',
    '--idle-after',
    idleAfter,
    '--metrics-port',
    '0',
    '--quiet',
  ]);
}

const watermarkSeconds = (samples: Map<string, number>) => samples.get('tidemark_watermark_seconds');

test('run --idle-after: an idle input lets the watermark rise to the largest event time, making later records late', async (t) => {
  const cli = session(t, '50');
  await cli.until(() => cli.stderr.includes('/metrics\n'), 'the metrics address on stderr');
  const port = cli.metricsPort();
  cli.write([{ value: 'a', eventTime: 5000 }]);
  await cli.until(() => cli.wrote(0), 'the output of offset 0');
  // 4 s (5000 - 1000) at its ack, then 5 s once idle for 50 ms.
  const idle = await scrapeUntil(port, (samples) => watermarkSeconds(samples) === 5, 'the idle advance to 5 s');
  assert.equal(idle.get('tidemark_in_flight_messages'), 0);

  cli.write([
    { value: 'b', eventTime: 4500 },
    { value: 'c', eventTime: 5000 },
  ]);
  cli.end();
  assert.deepEqual(await cli.exit(), { code: 0, signal: null }, cli.stderr);
  assert.deepEqual(cli.records(), [
    { kind: 'output', offset: 0, eventTime: 5000, value: 'A' },
    { kind: 'output', offset: 1, eventTime: 4500, value: 'B', late: true },
    { kind: 'output', offset: 2, eventTime: 5000, value: 'C' },
  ]);
  assert.match(cli.stderr, / 3 read, 3 outputs, 0 failed \(0 malformed, 0 too large\), 0 dropped, 1 late, /);
});

test('run --idle-after an hour: the watermark stays max - bound while the input waits, and the same record is on time', async (t) => {
  const cli = session(t, '3600000');
  // Beside it, a run with --idle-after 50 acks its record after this one
  // did: once that one's idle advance is seen, this one has been idle longer
  // than 50 ms, and longer than the default 1000 ms would have taken had
  // --idle-after been ignored (the same 1000 ms there too).
  const short = session(t, '50');
  await cli.until(() => cli.stderr.includes('/metrics\n'), 'the metrics address on stderr');
  await short.until(() => short.stderr.includes('/metrics\n'), 'the other run\'s metrics address on stderr');
  const port = cli.metricsPort();
  cli.write([{ value: 'a', eventTime: 5000 }]);
  await cli.until(() => cli.wrote(0), 'the output of offset 0');
  const acked = await scrapeUntil(port, (samples) => samples.get('tidemark_messages_acked_total') === 1, 'offset 0 acked');
  assert.equal(watermarkSeconds(acked), 4, 'max event time - max out-of-orderness');
  short.write([{ value: 'a', eventTime: 5000 }]);
  await scrapeUntil(short.metricsPort(), (samples) => watermarkSeconds(samples) === 5, 'the idle advance of the run beside it');
  const later = await scrape(port);
  assert.equal(watermarkSeconds(later), 4, 'no idle advance within the hour');

  cli.write([
    { value: 'b', eventTime: 4500 },
    { value: 'c', eventTime: 3999 },
  ]);
  cli.end();
  short.end();
  assert.deepEqual(await cli.exit(), { code: 0, signal: null }, cli.stderr);
  assert.deepEqual(await short.exit(), { code: 0, signal: null }, short.stderr);
  assert.deepEqual(cli.records(), [
    { kind: 'output', offset: 0, eventTime: 5000, value: 'A' },
    { kind: 'output', offset: 1, eventTime: 4500, value: 'B' },
    { kind: 'output', offset: 2, eventTime: 3999, value: 'C', late: true },
  ]);
  assert.match(cli.stderr, / 3 read, 3 outputs, 0 failed \(0 malformed, 0 too large\), 0 dropped, 1 late, /);
});
