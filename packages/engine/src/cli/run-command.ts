import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Engine } from '../engine.js';
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
  const sink = new NdjsonSink(openOutput(options.output));
  let malformed = 0;
  const source = ndjsonSource(openInput(options.input), (line) => {
    malformed++;
    void sink.malformed(line);
  });
  const started = performance.now();
  try {
    const records = engine.process(source);
    for await (const record of records) await sink.write(record);
    const stats = engine.stats;
    await sink.end();
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `tidemark: ${stats?.read ?? 0} read, ${stats?.emitted ?? 0} outputs, ${(stats?.failed ?? 0) + malformed} failed ` +
        `(${malformed} malformed), ${stats?.late ?? 0} late, ${stats?.retried ?? 0} retried in ${seconds.toFixed(2)} s\n`,
    );
  } finally {
    await engine.close();
  }
}

function openInput(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path);
}

function openOutput(path: string): Writable {
  return path === '-' ? process.stdout : createWriteStream(path);
}
