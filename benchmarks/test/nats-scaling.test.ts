import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { natsServerBinary } from '@tidemark/engine/workload';
import type { NatsSession } from '../src/nats-session.js';

// `pnpm bench:nats` at a tiny size, end to end: a real nats-server, the built
// `tidemark run --source nats://…` in 1, 2 and 3 processes, two rounds. The
// printed tables and the JSON hold figures of the right shape: a check of the
// benchmark's plumbing, not of its speed.

const main = fileURLToPath(new URL('../dist/nats-scaling.js', import.meta.url));

/** The body rows of the Markdown table under `heading` in `text`, as cells. */
function tableUnder(text: string, heading: string): string[][] {
  const from = text.indexOf(heading);
  assert.ok(from >= 0, `no ${heading} in:\n${text}`);
  const lines = text.slice(from).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  return lines.slice(start + 2, end).map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

const num = (cell: string | undefined): number => Number((cell ?? '').replaceAll(',', ''));

test('bench:nats at a tiny size prints throughput and latency per process count with sane figures, and writes them as JSON', { timeout: 300_000 }, async (t) => {
  assert.ok(existsSync(main), `${main} is missing: run \`pnpm build\` first`);
  assert.ok(existsSync(natsServerBinary), `${natsServerBinary} is missing: apt-get install -y nats-server`);
  const out = await mkdtemp(join(tmpdir(), 'tidemark-bench-nats-test-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const args = ['--messages', '300', '--paced-seconds', '0.5', '--rounds', '2', '--workloads', 'cpu', '--out', out];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [main, ...args], { timeout: 290_000, encoding: 'utf8' }, (error, printed, stderr) =>
      error === null ? resolve(printed) : reject(new Error(`${error.message}\n${stderr}`)),
    );
  });
  assert.match(stdout, /^# Tidemark on one JetStream stream: 1 to 3 engine processes$/m);
  assert.match(stdout, / x\d+, \d+ GiB, Node v\d+/, 'the machine is printed beside the figures');
  assert.match(stdout, /this curve shows what sharing the stream costs, not a speed-up/);

  const throughput = tableUnder(stdout, '## Throughput');
  assert.deepEqual(
    throughput.map((row) => `${row[0]} ${row[1]}`),
    ['cpu 1', 'cpu 2', 'cpu 3'],
  );
  for (const row of throughput) {
    assert.equal(row.length, 10, row.join(' | '));
    assert.ok(num(row[2]) > 0, `msg/s: ${row.join(' | ')}`);
    assert.match(row[4] ?? '', /^[\d,]+ \/ [\d,]+$/, 'two rounds of msg/s');
    for (const cell of [row[3], row[6], row[7], row[8]]) assert.ok(num(cell) >= 0 && Number.isFinite(num(cell)), `a figure: ${cell}`);
  }
  assert.equal(throughput[0]?.[3], '1.00', '1 process over itself');
  assert.equal(throughput[0]?.[9], '100%');
  assert.match(throughput[2]?.[9] ?? '', /^\d+%–\d+%$/, 'the spread of the shares over 3 processes');

  const latency = tableUnder(stdout, '## Latency');
  assert.equal(latency.length, 3);
  for (const row of latency) {
    assert.equal(row[2], latency[0]?.[2], 'one paced rate for every process count');
    const [p50, p99, max] = [num(row[3]), num(row[4]), num(row[7])];
    assert.ok(p50 > 0 && p50 <= p99 && p99 <= max, `p50 ${p50} <= p99 ${p99} <= max ${max}`);
  }

  const json = JSON.parse(await readFile(join(out, 'nats.json'), 'utf8')) as { sessions: NatsSession[] };
  assert.deepEqual(
    json.sessions.map((s) => `${s.round} ${s.processes}`),
    ['0 1', '0 2', '0 3', '1 3', '1 2', '1 1'],
    'the order of the process counts reverses every other round',
  );
  for (const s of json.sessions) {
    assert.equal(s.messages, 300);
    assert.equal(s.shares.length, s.processes);
    assert.ok(Math.abs(s.shares.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'the backlog split over the processes, every message once');
    assert.ok(s.paced > 0 && s.rate > 0 && s.p50Ms <= s.p99Ms);
  }
  assert.ok(existsSync(join(out, 'nats.md')));
});
