import { expose, finalizer } from 'comlink';
import { ServedEngines } from './engine-server.js';
import { guarded } from './guard.js';
import { toLink } from './link.js';
import type { EndpointLike } from './link.js';
import { ModuleNames } from './module-names.js';
import { SERVER_METHODS } from './protocol.js';

/** Options of {@link exposeEngine}. */
export interface ExposeOptions {
  /**
   * The folder hosts name transforms and far-side sources in: a host gives
   * a path relative to it, and nothing outside it can be named. Without it a
   * host may load any module this side can read, so leave it out only for a
   * host you trust (a worker you spawned yourself).
   */
  transforms?: string | URL;
  /**
   * The largest message the endpoint carries (`tidemark serve` passes its
   * `--max-frame-bytes`): hosts keep their feed batches well below it.
   */
  maxMessageBytes?: number;
}

/** What {@link exposeEngine} returns. */
export interface ExposedEngines {
  /** Engines the host has open now. */
  readonly engines: number;
  /** Runs active now. */
  readonly runs: number;
  /** Message listeners on the endpoint now (0 once it is closed). */
  readonly listeners: number;
  /** Resolves, with why, once the host is gone and every run is drained and every engine closed. */
  readonly closed: Promise<string>;
  /**
   * Stop reading on every run (as the host's abort does) and resolve once
   * the host has taken what was in flight and every run is over; new runs
   * are refused. `close()` afterwards ends the connection.
   */
  drain(): Promise<void>;
  /** Close the endpoint now: every run is aborted and drained, with nothing more handed over, and every engine closed. */
  close(reason?: string): Promise<string>;
}

/**
 * Serve engines to a host on `endpoint`: a `Worker`, a `MessagePort`,
 * `parentPort`, or `webSocketEndpoint(socket)`. The host drives them with
 * `connectEngine`. When the host goes away (the port closes, the socket
 * closes, it releases its proxy), every run is aborted and drained and
 * every engine closed, so no worker and no listener is left behind. A
 * message that is not a call of a served method closes the connection.
 *
 * @throws {InvalidOptionError} when `transforms` is not a folder that exists.
 */
export function exposeEngine(endpoint: EndpointLike, options: ExposeOptions = {}): ExposedEngines {
  const names = new ModuleNames(options.transforms);
  const link = toLink(endpoint);
  const served = new ServedEngines(names, options.maxMessageBytes);
  const methods = Object.create(null) as Record<string | symbol, unknown>;
  for (const method of SERVER_METHODS) {
    const call = (served as unknown as Record<string, (...args: unknown[]) => unknown>)[method] as (...args: unknown[]) => unknown;
    methods[method] = call.bind(served);
  }
  // comlink calls this when the host releases its proxy.
  methods[finalizer] = () => link.close('the host released the engine');
  let reason = 'closed';
  const closed = link.closed.then(async (why) => {
    reason = why;
    await served.disconnect();
    return reason;
  });
  expose(methods, guarded(link.endpoint, (why) => link.refuse(`malformed message: ${why}`)));
  return {
    get engines() {
      return served.engines;
    },
    get runs() {
      return served.runs;
    },
    get listeners() {
      return link.listeners;
    },
    closed,
    drain: () => served.drain(),
    close(why = 'closed by the serving side') {
      link.close(why);
      return closed;
    },
  };
}
