/**
 * The reduce runner: the transform module the engine loads in place of a
 * reduce module, named by its own URL's `?module=` query (see
 * `reduceRunnerUrl`), so that each reduce module gets a runner module
 * instance, and a {@link ReduceStore}, of its own in each worker. It loads
 * and checks the reduce module at its top level, so that a bad one fails
 * the engine's start (TransformLoadError), not each message.
 */
import { TransformModuleError, importDefault } from '../load-transform.js';
import type { Outputs } from '../outputs.js';
import type { TransformContext } from '../transform.js';
import { checkReduceModule } from './reduce-module.js';
import type { ReduceReply } from './reduce-protocol.js';
import { ReduceStore } from './reduce-store.js';

const moduleUrl = new URL(import.meta.url).searchParams.get('module');
if (moduleUrl === null || moduleUrl === '') {
  throw new TransformModuleError(`the reduce runner ${import.meta.url} names no reduce module: load it by reduceRunnerUrl(moduleUrl)`);
}

const store = new ReduceStore(checkReduceModule(await importDefault(moduleUrl, 'reduce module'), moduleUrl));

/** Runs one reduce op (the message's value) against this worker's state of the reduce module. */
export default function reduce(op: unknown, ctx: TransformContext): Promise<Outputs | ReduceReply> {
  return store.run(op, ctx);
}
