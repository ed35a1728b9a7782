import { MessageChannel, Worker } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import { connectEngine } from './connect-engine.js';
import type { RemoteEngineOptions } from './connect-engine.js';
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
 * drives it as an `Engine`; `close()` drains it and ends its thread.
 *
 * @throws {InvalidOptionError} as `new Engine` does, with the same `option` and `received`.
 */
export async function spawnEngine(options: SpawnOptions): Promise<RemoteEngine> {
  const { engineThreadLimits, ...engineOptions } = options ?? {};
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(entry, {
    workerData: { port: port2 },
    transferList: [port2],
    ...(engineThreadLimits === undefined ? {} : { resourceLimits: engineThreadLimits }),
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // The worker's own failure closes its port, and the host's calls reject with EngineDisconnectedError.
  worker.on('error', () => {});
  try {
    const engine = await connectEngine(port1, engineOptions);
    const close = engine.close.bind(engine);
    engine.close = async () => {
      await close();
      await exited;
    };
    return engine;
  } catch (error) {
    port1.close();
    await worker.terminate();
    throw error;
  }
}
