import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Checkpoint } from '../src/cli/run/checkpoint.js';
import { tempDir } from './helpers/cli.js';
import { until, within } from './helpers/wait.js';

// `--checkpoint`: the committed offset is held back by records written but
// not yet flushed. When those writes finish after the last ack (the run then
// waits on a quiet input), the checkpoint must still catch up, not keep the
// lower offset until the run ends.

test('the checkpoint catches up once the writes that held the committed offset back finish, with no ack after them', async (t) => {
  const path = join(await tempDir(t), 'checkpoint');
  const engineCommitted = 10; // every message before offset 10 acked
  let pending = true; // the records from offset 3 on were handed to the output, not yet flushed
  let asked = 0;
  const committed = () => {
    asked++;
    return pending ? 3 : engineCommitted;
  };
  let finish: () => void = () => {};
  const writes = new Promise<void>((resolve) => (finish = resolve));
  const checkpoint = await Checkpoint.open(path, 3, committed, () => (pending ? writes : Promise.resolve()));
  t.after(() => checkpoint.stop());
  assert.equal(readFileSync(path, 'utf8'), '3\n');

  checkpoint.changed(); // the last ack
  await until(() => asked > 0, 'the checkpoint to look at the committed offset');
  pending = false; // the writes finish; no ack follows
  finish();
  await until(() => readFileSync(path, 'utf8') === '10\n', 'the checkpoint to hold 10', () => readFileSync(path, 'utf8'));
  await within(checkpoint.close(10), 'the checkpoint to close');
});
