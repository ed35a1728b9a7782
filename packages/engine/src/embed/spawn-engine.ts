import { MessageChannel, Worker } from 'node:worker_threads';
import type { MessagePort, ResourceLimits } from 'node:worker_threads';
import { connectEngine } from './connect-engine.js';
import { optionSchema } from '../options/option-schema.js';
import { toOptionError, wordIssue } from '../options/option-error.js';
import type { RemoteEngineOptions } from './connect-engine.js';
import { toLink } from './link.js';
import type { ClosingEndpoint } from './link.js';
import type { RemoteEngine } from './remote-engine.js';

/** Options of {@link spawnEngine}: an engine's options, and the engine thread's own limits. */
export type SpawnOptions = RemoteEngineOptions & {
  /** `resourceLimits` of the engine's own thread (the transform's workers have `resourceLimits`). */
  engineThreadLimits?: ResourceLimits;
};

/** The worker's entry: this module's built sibling (from the source, under a TypeScript loader, the built one: workers do not inherit the loader). */
const entry = new URL(import.meta.url.endsWith('.ts') ? '../../dist/embed/engine-worker.js' : './engine-worker.js', import.meta.url);

/**
 * An engine whose own main thread is a worker thread of its own, so the
 * host's event loop stays free: only the records cross to it. The host
 * drives it as an `Engine`; `close()` drains it and ends its thread. If the
 * thread dies (an uncaught error, `process.exit`, its heap limit), the
 * host's calls reject with `EngineDisconnectedError` saying why.
 *
 * @throws {InvalidOptionError} as `new Engine` does, with the same `option` and `received`.
 * @throws {EngineDisconnectedError} when the engine thread dies before the engine is made, saying why.
 */
export async function spawnEngine(options: SpawnOptions): Promise<RemoteEngine> {
  const { engineThreadLimits, ...engineOptions } = options ?? {};
  checkThreadLimits(engineThreadLimits);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(entry, {
    workerData: { port: port2 },
    transferList: [port2],
    ...(engineThreadLimits === undefined ? {} : { resourceLimits: engineThreadLimits }),
  });
  const endpoint = workerPort(worker, port1);
  try {
    const engine = await connectEngine(endpoint, engineOptions);
    const close = engine.close.bind(engine);
    engine.close = async () => {
      await close();
      await endpoint.exited;
    };
    return engine;
  } catch (error) {
    port1.close();
    await worker.terminate();
    throw error;
  }
}

/**
 * `port` to the engine thread `worker`, closed with why the thread ended:
 * when the thread dies, its end of the port closes too, and "the port
 * closed" alone would hide what killed it.
 */
function workerPort(worker: Worker, port: MessagePort): ClosingEndpoint & { readonly exited: Promise<void> } {
  // Node emits a dead thread's 'error' (an uncaught error, ERR_WORKER_OUT_OF_MEMORY…) just before its 'exit'.
  let failure: unknown;
  let failed = false;
  worker.on('error', (error: unknown) => {
    if (failed) return;
    failed = true;
    failure = error;
  });
  const ended = new Promise<string>((resolve) => {
    worker.once('exit', (code: number) => {
      resolve(failed ? `the engine thread failed: ${describe(failure)}` : `the engine thread exited with code ${code}`);
    });
  });
  const link = toLink(port);
  let closedHere = false;
  // The port closes before or after the thread's 'exit': either way the thread's end says why.
  const closed = Promise.race([ended, link.closed.then((why) => (closedHere ? why : ended))]);
  return {
    ...link.endpoint,
    closed,
    exited: ended.then(() => {}),
    close(reason?: string) {
      closedHere = true;
      link.close(reason);
    },
  };
}

/** An error the engine thread died of, as one line: `RangeError: …`, `… (ERR_WORKER_OUT_OF_MEMORY)`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const name = error.name === 'Error' ? '' : `${error.name}: `;
  return `${name}${error.message}${typeof code === 'string' ? ` (${code})` : ''}`;
}

/**
 * `engineThreadLimits` within the bounds of the engine's own `resourceLimits`:
 * a worker with too small a stack aborts the whole process on Node 20.
 *
 * @throws {InvalidOptionError} naming `engineThreadLimits.<field>`.
 */
function checkThreadLimits(limits: unknown): void {
  if (limits === undefined) return;
  const parsed = optionSchema.shape.resourceLimits.safeParse(limits, { error: wordIssue });
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  throw toOptionError(issue === undefined ? undefined : { ...issue, path: ['engineThreadLimits', ...issue.path] }, { engineThreadLimits: limits });
}
