import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Engine } from '../engine.js';
import { MalformedInputError } from '../errors.js';
import { ndjsonSource } from '../io/ndjson-source.js';
import { NdjsonSink } from '../io/ndjson-sink.js';

/** Options of `tidemark run`. */
export interface RunCommandOptions {
  transform: string;
  input: string;
  output: string;
  threads?: number;
  concurrency?: number;
  mode?: 'async' | 'batch';
  batchSize?: number;
  ordered?: boolean;
  attempts?: number;
  maxOutOfOrderness?: number;
  idleAfter?: number;
}

/** `tidemark run`: NDJSON in, the transform on the pool, NDJSON out; a summary on stderr. */
export async function runCommand(options: RunCommandOptions): Promise<void> {
  const engine = new Engine({
    transform: options.transform,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ordering: options.ordered === true ? 'ordered' : 'unordered',
    watermark: {
      ...(options.maxOutOfOrderness === undefined ? {} : { maxOutOfOrderness: options.maxOutOfOrderness }),
      ...(options.idleAfter === undefined ? {} : { idleAfter: options.idleAfter }),
    },
    ...(options.attempts === undefined ? {} : { retry: { attempts: options.attempts } }),
  });
  const started = performance.now();
  let malformed = 0;
  try {
    const sink = new NdjsonSink(await openOutput(options.output));
    for await (const record of engine.process(ndjsonSource(openInput(options.input)))) {
      if (record.kind === 'failed' && record.error instanceof MalformedInputError) malformed++;
      await sink.write(record);
    }
    await sink.end();
    const stats = engine.stats;
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `tidemark: ${stats?.read ?? 0} read, ${stats?.emitted ?? 0} outputs, ${stats?.failed ?? 0} failed ` +
        `(${malformed} malformed), ${stats?.late ?? 0} late, ${stats?.retried ?? 0} retried in ${seconds.toFixed(2)} s\n`,
    );
  } finally {
    await engine.close();
  }
}

function openInput(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path);
}

async function openOutput(path: string): Promise<Writable> {
  if (path === '-') return process.stdout;
  const stream = createWriteStream(path);
  await once(stream, 'open'); // rejects at once on a missing folder or no permission
  return stream;
}
