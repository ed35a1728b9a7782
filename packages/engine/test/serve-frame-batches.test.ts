import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from './helpers/serve-host.js';
import { ServeSession } from './helpers/serve-session.js';

test('a host source of items that each fit a frame but not a batch of them: feed batches stay under --max-frame-bytes', async (t) => {
  const serve = await ServeSession.start(t, ['--max-frame-bytes', String(64 * 1024)]);
  const engine = await connect(serve.url, { transform: 'length.mjs', threads: 1, concurrency: 64 });
  try {
    const items = Array.from({ length: 500 }, (_, i) => ({ value: String(i).padEnd(4096, 'x') }));
    const offsets = new Set<number>();
    for await (const record of engine.process(items)) {
      assert.equal(record.kind, 'output');
      assert.equal(record.kind === 'output' && record.value, 4096);
      offsets.add(record.offset);
    }
    assert.equal(offsets.size, 500, 'every item came back over one connection');
  } finally {
    await engine.close();
  }
});
