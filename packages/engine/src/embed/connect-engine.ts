import { InvalidOptionError, TidemarkError } from '../errors.js';
import type { EngineOptions, ResolvedOptions } from '../options/options.js';
import { toLink } from './link.js';
import type { EndpointLike } from './link.js';
import { PROTOCOL } from './protocol.js';
import { RemoteCall } from './remote-call.js';
import { RemoteEngine } from './remote-engine.js';
import { isCloneError } from './clone-error.js';

/**
 * Options of a remote engine: an `Engine`'s, as plain data. `transform` is a
 * path relative to the folder the far side serves (`tidemark serve
 * --transforms`), or a file URL or path where the far side trusts the host
 * (`spawnEngine`). A metrics `registry` cannot cross: use `metrics: { port }`.
 */
export type RemoteEngineOptions = Omit<EngineOptions, 'metrics' | 'priority' | 'reduce' | 'window' | 'allowedLateness'> & { metrics?: boolean | { port?: number } };

/**
 * An engine on the far side of `endpoint`, where `exposeEngine` serves:
 * a `Worker`, a `MessagePort`, or `webSocketEndpoint(socket)`. The endpoint
 * then belongs to this engine: `close()` closes it.
 *
 * @throws {InvalidOptionError} when the far side refuses an option (class, `code`, `option` and `received` as in-process).
 * @throws {EngineDisconnectedError} when the connection goes away first.
 */
export async function connectEngine(endpoint: EndpointLike, options: RemoteEngineOptions): Promise<RemoteEngine> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'an object', options);
  if ((options as { priority?: unknown }).priority !== undefined) {
    throw new InvalidOptionError('priority', 'left out for a remote engine (a function cannot cross to another thread or runtime; rank messages in the source instead)', (options as { priority?: unknown }).priority);
  }
  const reduce = (options as { reduce?: unknown }).reduce;
  if (reduce !== undefined) {
    throw new InvalidOptionError('reduce', 'left out for a remote engine (windowed reduce runs in process, or as the last stage of a Pipeline; its records do not cross yet)', reduce);
  }
  const remote = new RemoteCall(toLink(endpoint));
  try {
    const hello = await remote.call('hello');
    if (hello.protocol !== PROTOCOL) {
      throw new TidemarkError(`the far side speaks protocol ${String(hello.protocol)} (Tidemark ${hello.version}); this host speaks ${PROTOCOL}`);
    }
    const transform = options.transform instanceof URL ? options.transform.href : options.transform;
    let created: { id: number; options: unknown };
    try {
      created = await remote.call('create', { ...options, transform });
    } catch (error) {
      if (isCloneError(error)) {
        throw new InvalidOptionError('options', 'plain data that can cross to another thread (no functions, class instances or registries)', options);
      }
      throw error;
    }
    return new RemoteEngine(remote, created.id, created.options as ResolvedOptions, hello.maxMessageBytes);
  } catch (error) {
    remote.release();
    throw error;
  }
}
