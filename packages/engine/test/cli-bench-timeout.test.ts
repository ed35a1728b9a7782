import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, test } from 'node:test';
import { cliFixture, requireBuiltCli, tidemark } from './helpers/cli.js';
import { within } from './helpers/wait.js';

// A transform with a record that never settles: without a limit its setting
// could never end. `tidemark bench --timeout <ms>` passes the limit to the
// engine, whose tries past it fail (and are retried, then fail for good), so
// every setting ends with that record counted as failed.
before(requireBuiltCli);

test('bench --timeout ends every setting of a transform whose one record never settles, counting it as failed', async (t) => {
  const input = cliFixture('bench-skew.ndjson');
  const records = (await readFile(input, 'utf8')).split('\n').filter((line) => line.trim() !== '').length;
  const exit = await within(
    tidemark(['bench', '--transform', cliFixture('bench-hang-one.js'), '--input', input, '--concurrency', '4', '--threads', '1', '--timeout', '100', '--json', '--no-report'], undefined, t),
    'bench --timeout to end although one record never settles',
  );
  assert.equal(exit.code, 0, exit.stderr);
  const settings = JSON.parse(exit.stdout) as { mode: string; messages: number; failed: number; timeout: number }[];
  assert.deepEqual(settings.map((s) => s.mode), ['async', 'batch']);
  for (const setting of settings) {
    assert.equal(setting.messages, records, 'every record is a message of the run');
    assert.equal(setting.failed, 2, 'the malformed line and the record that never settled');
    assert.equal(setting.timeout, 100, 'the engine ran with the timeout given');
  }
});

test('bench --help says a transform that can hang needs --timeout', async (t) => {
  const exit = await tidemark(['bench', '--help'], undefined, t);
  assert.equal(exit.code, 0, exit.stderr);
  const help = exit.stdout.replace(/\s+/g, ' ');
  assert.match(help, /--timeout <ms> ms one try may take; past it the try fails with a TimeoutError and is retried/);
  assert.match(help, /A transform that can hang needs it: without it a record that never settles keeps its setting running for good/);
});
