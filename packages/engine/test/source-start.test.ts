import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

// A source is read from the consumer's first `next()`, while the workers
// start, not once they have: a readline interface drops the lines it emits
// before anything iterates it, so a run that waited for its workers before
// the first pull read nothing and waited forever.

forEachTransport((transport) => {
  test('a readline source over a file: every line is read, though the workers take a while to start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidemark-readline-'));
    try {
      const file = join(dir, 'lines.txt');
      const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}`);
      await writeFile(file, `${lines.join('\n')}\n`);
      // Exactly what the user wrote.
      const engine = new Engine({ transform: fixture('identity.js'), threads: 2, transport });
      try {
        const rl = createInterface({ input: createReadStream(file) });
        async function* messages(): AsyncGenerator<SourceRecord> {
          for await (const line of rl) yield { value: line };
        }
        const seen: string[] = [];
        await within(
          (async () => {
            for await (const record of engine.process<string>(messages())) {
              assert.equal(record.kind, 'output');
              if (record.kind === 'output') seen[record.offset] = record.value;
            }
          })(),
          'the readline run to end',
        );
        assert.deepEqual(seen, lines);
      } finally {
        await engine.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the source is pulled before the transform module has loaded', async () => {
    // The module finishes loading only once the source was pulled; the load
    // deadline turns an engine that waits for its workers first into a
    // TransformLoadError instead of a hang.
    const channel = new BroadcastChannel('tidemark-test-load-after-pull');
    let pulled = false;
    let asked = false;
    channel.onmessage = (event: MessageEvent) => {
      if (event.data !== 'go?') return;
      asked = true;
      if (pulled) channel.postMessage('go');
    };
    async function* source(): AsyncGenerator<SourceRecord> {
      pulled = true;
      if (asked) channel.postMessage('go');
      for (let i = 0; i < 50; i++) yield { value: i };
    }
    const engine = new Engine({ transform: fixture('load-after-pull.js'), threads: 2, transport, loadTimeout: 20_000 });
    try {
      const values: number[] = [];
      for await (const record of engine.process<number>(source())) {
        assert.equal(record.kind, 'output', record.kind === 'failed' ? record.error.message : '');
        if (record.kind === 'output') values.push(record.value);
      }
      assert.deepEqual(values.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    } finally {
      channel.close();
      await engine.close();
    }
  });
});

test('a source is not pulled before the consumer asks for the first record', async () => {
  let pulls = 0;
  const source = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        pulls++;
        return Promise.resolve({ done: true as const, value: undefined });
      },
    }),
  };
  const engine = new Engine({ transform: fixture('identity.js'), threads: 1 });
  try {
    const records = engine.process(source);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(pulls, 0, 'process() alone reads nothing');
    assert.deepEqual(await records.next(), { done: true, value: undefined });
    assert.equal(pulls, 1);
  } finally {
    await engine.close();
  }
});
