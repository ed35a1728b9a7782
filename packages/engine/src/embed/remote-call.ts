import { releaseProxy, wrap } from 'comlink';
import type { Remote } from 'comlink';
import { EngineDisconnectedError } from '../errors.js';
import type { Link } from './link.js';
import type { EngineServer, Reply } from './protocol.js';
import { fromWireError } from './wire-error.js';

type Method = keyof EngineServer;
type Answer<M extends Method> = Awaited<ReturnType<EngineServer[M]>> extends Reply<infer T> ? T : never;

/**
 * The host's end of a connection: calls that answer or throw the far side's
 * error with its class, and reject with `EngineDisconnectedError` once the
 * connection is gone (comlink's own promise would never settle). It holds
 * comlink's proxy for as long as it lives, since a proxy nothing holds can be
 * collected mid-call (comlink #692), and releases it on `release()` (#63).
 */
export class RemoteCall {
  readonly link: Link;
  readonly #remote: Remote<EngineServer>;
  /** Calls waiting for an answer: rejected when the connection goes. */
  readonly #waiting = new Set<(error: Error) => void>();
  #gone: Error | undefined;
  #released = false;

  constructor(link: Link) {
    this.link = link;
    this.#remote = wrap<EngineServer>(link.endpoint);
    void link.closed.then((reason) => {
      this.#gone = new EngineDisconnectedError(`the remote engine disconnected: ${reason}`);
      for (const reject of this.#waiting) reject(this.#gone);
      this.#waiting.clear();
    });
  }

  /**
   * Call `method` on the far side: its answer, or its error. Each call waits
   * on its own promise, not a race against one connection-long "gone"
   * promise, whose reactions would keep every answer (records and all) in
   * memory until the connection closed.
   */
  async call<M extends Method>(method: M, ...args: Parameters<EngineServer[M]>): Promise<Answer<M>> {
    if (this.#released) throw new EngineDisconnectedError('the remote engine was closed');
    if (this.#gone !== undefined) throw this.#gone;
    const fn = this.#remote[method] as unknown as (...a: unknown[]) => Promise<Reply<Answer<M>>>;
    const reply = await new Promise<Reply<Answer<M>>>((resolve, reject) => {
      this.#waiting.add(reject);
      fn(...args)
        .then(resolve, reject)
        .finally(() => this.#waiting.delete(reject));
    });
    if (reply.error !== undefined) throw fromWireError(reply.error);
    return reply.ok;
  }

  /** Release comlink's proxy (the far side then drains and closes what is left) and close the link. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      this.#remote[releaseProxy]();
    } catch {
      // the connection is already gone
    }
    this.link.close('the host closed the engine');
  }
}
