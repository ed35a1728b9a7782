/**
 * The entry of `spawnEngine`'s worker thread: the engine's own main thread.
 * It serves engines on the port the host sent, and ends once the host is
 * gone and every engine is closed.
 */
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { exposeEngine } from './expose-engine.js';

const { port } = workerData as { port: MessagePort };
exposeEngine(port);
