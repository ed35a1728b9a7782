import type { ProcessOptions } from '../../engine-types.js';
import type { EngineRecord, SourceRecord } from '../../message.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { readPipelineFile } from '../../pipeline/pipeline-file.js';
import type { MessageTrace } from '../../run/message-state.js';
import type { Source } from '../../source/source-reader.js';
import type { ProgressSource } from '../progress.js';
import { UsageError } from '../usage-error.js';
import type { RunCommandOptions } from './run-options.js';

/** What `tidemark run` drives: an `Engine`, or with `--pipeline` a {@link Pipeline}. */
export interface RunEngine extends ProgressSource {
  readonly committedOffset: number;
  readonly metricsPort: Promise<number | undefined>;
  process(source: Source<SourceRecord>, options: ProcessOptions): AsyncIterable<EngineRecord>;
  on(event: 'ack', listener: (trace: MessageTrace) => void): unknown;
  close(): Promise<void>;
}

/** `run`'s flags that set one engine's option: with `--pipeline`, each stage gives its own in the file. */
const perStageFlags: readonly (readonly [keyof RunCommandOptions, string])[] = [
  ['concurrency', '--concurrency'],
  ['mode', '--mode'],
  ['batchSize', '--batch-size'],
  ['ordered', '--ordered'],
  ['ordering', '--ordering'],
  ['ringBytes', '--ring-bytes'],
  ['metricsPort', '--metrics-port'],
  ['inputBuffer', '--input-buffer'],
  ['inputBufferBytes', '--input-buffer-bytes'],
  ['inputOverflow', '--input-overflow'],
  ['processingBufferBytes', '--processing-buffer-bytes'],
  ['processingOverflow', '--processing-overflow'],
  ['outputBuffer', '--output-buffer'],
  ['outputBufferBytes', '--output-buffer-bytes'],
  ['outputOverflow', '--output-overflow'],
];

/**
 * `tidemark run --pipeline <file>`: the pipeline the file describes (see
 * `readPipelineFile`), with the flags that apply to every stage set over
 * the file's: `--threads`, `--attempts`, `--retry-initial`, `--retry-max`,
 * `--timeout`, `--transport`, `--max-out-of-orderness`, `--idle-after`.
 *
 * @throws {UsageError} for a flag that sets one engine's option.
 */
export async function pipelineFromFlags(options: RunCommandOptions & { pipeline: string }): Promise<Pipeline> {
  for (const [option, flag] of perStageFlags) {
    if (options[option] !== undefined) throw new UsageError(`${flag} sets one engine's option: with --pipeline, give it per stage in ${options.pipeline}`);
  }
  const file = await readPipelineFile(options.pipeline);
  const given = file as unknown as Record<string, unknown>;
  const set = (key: string, field: string, value: unknown): void => {
    if (value === undefined) return;
    const at = given[key];
    given[key] = { ...(typeof at === 'object' && at !== null ? at : {}), [field]: value };
  };
  if (options.threads !== undefined) given['threads'] = options.threads;
  if (options.timeout !== undefined) given['timeout'] = options.timeout;
  if (options.transport !== undefined) given['transport'] = options.transport;
  set('retry', 'attempts', options.attempts);
  if (options.retryInitial !== undefined || options.retryMax !== undefined) {
    const retry = given['retry'];
    const backoff = typeof retry === 'object' && retry !== null ? (retry as Record<string, unknown>)['backoff'] : undefined;
    set('retry', 'backoff', {
      ...(typeof backoff === 'object' && backoff !== null ? backoff : {}),
      ...(options.retryInitial === undefined ? {} : { initial: options.retryInitial }),
      ...(options.retryMax === undefined ? {} : { max: options.retryMax }),
    });
  }
  set('watermark', 'maxOutOfOrderness', options.maxOutOfOrderness);
  set('watermark', 'idleAfter', options.idleAfter);
  return new Pipeline(file);
}
