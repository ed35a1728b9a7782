import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cliFixture as fixture, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';
import { CliSession } from './helpers/cli-session.js';
import { scrape, scrapeUntil } from './helpers/prometheus.js';
import { metricNames } from './helpers/metric-names.js';

// `tidemark run --metrics-port 0` serves /metrics on 127.0.0.1 while it runs.
// The first message is held in flight by cli-until-file.js until the test
// creates a file, so the scrape sees a run in a state the test fixed.
before(requireBuiltCli);

test('run --metrics-port: a scrape of /metrics during the run returns its metrics', async (t) => {
  const dir = await tempDir(t);
  const release = join(dir, 'release');
  const cli = new CliSession(t, [
    '--transform',
    fixture('cli-until-file.js'),
    '--threads',
    '1',
    '--concurrency',
    '2',
    '--metrics-port',
    '0',
    '--quiet',
  ]);
  await cli.until(() => cli.stderr.includes('/metrics\n'), 'the metrics address on stderr');
  const port = cli.metricsPort();
  assert.notEqual(port, 0, 'port 0 picks a free port, and the CLI names it');

  cli.write([
    { value: { until: release, out: 'held' }, eventTime: 1000 },
    { value: 'b', eventTime: 2000 },
    { value: 'c', eventTime: 3000 },
  ]);
  await cli.until(() => cli.wrote(1) && cli.wrote(2), 'the outputs of offsets 1 and 2');

  const during = await scrape(port);
  // Every metric has a sample, but the watermark gauges (no output watermark
  // yet: offset 0, still in flight, was read before any event time was seen)
  // and the byte gauges (no byte limits).
  const absent = metricNames.filter((name) => ![...during.keys()].some((key) => key.startsWith(name)));
  assert.deepEqual(absent, [
    'tidemark_buffer_fill_bytes',
    'tidemark_buffer_capacity_bytes',
    'tidemark_watermark_seconds',
    'tidemark_watermark_lag_seconds',
  ]);
  const expected: Record<string, number> = {
    tidemark_messages_read_total: 3,
    tidemark_messages_emitted_total: 2,
    tidemark_messages_acked_total: 2,
    tidemark_messages_failed_total: 0,
    tidemark_messages_retried_total: 0,
    tidemark_messages_late_total: 0,
    tidemark_worker_restarts_total: 0,
    tidemark_in_flight_messages: 1,
    tidemark_processing_messages: 1,
    tidemark_concurrency_target: 2,
    tidemark_workers: 1,
    tidemark_busy_workers: 1,
    'tidemark_buffer_fill_messages{buffer="processing"}': 1,
    'tidemark_buffer_capacity_messages{buffer="processing"}': 2,
    'tidemark_stage_duration_seconds_count{stage="end_to_end",outcome="ok"}': 2,
  };
  assert.deepEqual(
    Object.fromEntries(Object.keys(expected).map((key) => [key, during.get(key)])),
    expected,
    'the run as it stands: offset 0 held at the worker, offsets 1 and 2 written and acked',
  );

  await writeFile(release, '');
  await cli.until(() => cli.wrote(0), 'the output of offset 0 once released');
  const after = await scrapeUntil(port, (samples) => samples.get('tidemark_messages_acked_total') === 3, 'offset 0 acked');
  assert.equal(after.get('tidemark_in_flight_messages'), 0);
  assert.equal(after.get('tidemark_processing_messages'), 0);
  assert.equal(after.get('tidemark_watermark_seconds'), 3, 'the largest event time (3000 ms) once nothing is in flight');

  cli.end();
  assert.deepEqual(await cli.exit(), { code: 0, signal: null }, cli.stderr);
  assert.deepEqual(
    cli.records().map((record) => [record.offset, record.value]),
    [
      [0, 'held'],
      [1, 'b'],
      [2, 'c'],
    ],
  );
  assert.match(
    cli.stderr,
    new RegExp(`^tidemark: metrics at http://127\\.0\\.0\\.1:${port}/metrics\\ntidemark: 3 read, 3 outputs, 0 failed \\(0 malformed, 0 too large\\), 0 dropped, 0 late, 0 retried in [\\d.]+ s\\n$`),
  );
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the server stops with the run');
});

test('run --metrics-port on a port already in use: one line naming the flag and the port, saying it once, exit 2', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const exit = await tidemark(['run', '--transform', fixture('cli-upper.js'), '--metrics-port', String(port), '--quiet'], '{"value":"a"}\n', t);
  assert.equal(exit.code, 2, exit.stderr);
  assert.equal(exit.stdout, '');
  assert.deepEqual(stderrLines(exit), [`tidemark: --metrics-port: cannot listen on 127.0.0.1:${port}: the port is already in use (EADDRINUSE)`]);
});
