import { once } from 'node:events';
import { ReadStream, createReadStream, createWriteStream, fstatSync, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Engine } from '../engine.js';
import { MalformedInputError } from '../errors.js';
import { ndjsonSource } from '../io/ndjson-source.js';
import { NdjsonSink } from '../io/ndjson-sink.js';
import { Progress } from './progress.js';
import type { ProgressInput } from './progress.js';

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
  quiet?: boolean;
  metricsPort?: number;
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
    ...(options.metricsPort === undefined ? {} : { metrics: { port: options.metricsPort } }),
  });
  const started = performance.now();
  let malformed = 0;
  let progress: Progress | undefined;
  try {
    const metricsPort = await engine.metricsPort;
    if (metricsPort !== undefined) process.stderr.write(`tidemark: metrics at http://127.0.0.1:${metricsPort}/metrics\n`);
    const sink = new NdjsonSink(await openOutput(options.output));
    const input = openInput(options.input);
    progress = new Progress(engine, {
      ...(input.file === undefined ? {} : { input: input.file }),
      ...(options.quiet === undefined ? {} : { quiet: options.quiet }),
      // A bar redrawn on the terminal the records are written to would tear their lines.
      ...(options.output === '-' && process.stdout.isTTY ? { interactive: false } : {}),
    }).start();
    for await (const record of engine.process(ndjsonSource(input.stream))) {
      if (record.kind === 'failed' && record.error instanceof MalformedInputError) malformed++;
      await sink.write(record);
    }
    await sink.end();
    progress.stop(); // before the summary: that stays the last line
    const stats = engine.stats;
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `tidemark: ${stats?.read ?? 0} read, ${stats?.emitted ?? 0} outputs, ${stats?.failed ?? 0} failed ` +
        `(${malformed} malformed), ${stats?.late ?? 0} late, ${stats?.retried ?? 0} retried in ${seconds.toFixed(2)} s\n`,
    );
  } finally {
    progress?.stop();
    await engine.close();
  }
}

/** The input stream and, when it is a regular file (stdin redirected from one too), its size and bytes read. */
function openInput(path: string): { stream: Readable; file?: ProgressInput } {
  const stream = path === '-' ? process.stdin : createReadStream(path);
  const stat = path === '-' ? fstatSync(0) : statSync(path);
  if (!stat.isFile() || !(stream instanceof ReadStream)) return { stream };
  return { stream, file: { size: stat.size, bytesRead: () => stream.bytesRead } };
}

async function openOutput(path: string): Promise<Writable> {
  if (path === '-') return process.stdout;
  const stream = createWriteStream(path);
  await once(stream, 'open'); // rejects at once on a missing folder or no permission
  return stream;
}
