import type { Endpoint } from 'comlink';
import { deliver } from './link.js';
import type { Listener, MessageHandler } from './link.js';
import { SERVER_METHODS } from './protocol.js';

/**
 * Why `data` is not a call a host may make, or undefined when it is one.
 * comlink's `expose` gives its caller the whole object graph: GET, SET and
 * CONSTRUCT on any path, `__proto__` included. The far side admits only
 * APPLY of a served method with plain arguments, and RELEASE.
 */
export function refusal(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return 'not an object';
  const { id, type, path, argumentList } = data as { id?: unknown; type?: unknown; path?: unknown; argumentList?: unknown };
  if (typeof id !== 'string' || id.length > 200) return 'no call id';
  if (type === 'RELEASE') return undefined;
  if (type !== 'APPLY') return `a ${typeof type === 'string' ? type.slice(0, 20) : 'typeless'} message (only calls are served)`;
  if (!Array.isArray(path) || path.length !== 1 || typeof path[0] !== 'string' || !SERVER_METHODS.has(path[0])) {
    return 'a call of no served method';
  }
  if (!Array.isArray(argumentList) || argumentList.length > 4) return 'a call with malformed arguments';
  for (const argument of argumentList as unknown[]) {
    if (argument === null || typeof argument !== 'object' || (argument as { type?: unknown }).type !== 'RAW') {
      return 'a call with an argument that is not plain data';
    }
  }
  return undefined;
}

/**
 * `endpoint` with every incoming message checked by {@link refusal} before
 * comlink sees it; `refuse` is told of one that is not a call, and it never
 * reaches the engine.
 */
export function guarded(endpoint: Endpoint, refuse: (reason: string) => void): Endpoint {
  const wrapped = new Map<Listener, MessageHandler>();
  return {
    postMessage: (message: unknown, transfer?: unknown[]) => endpoint.postMessage(message, transfer),
    addEventListener: (type: string, listener: Listener) => {
      const check: MessageHandler = (event) => {
        const reason = refusal(event.data);
        if (reason !== undefined) return refuse(reason);
        deliver(listener, event.data);
      };
      wrapped.set(listener, check);
      endpoint.addEventListener(type, check);
    },
    removeEventListener: (type: string, listener: Listener) => {
      const check = wrapped.get(listener);
      if (check === undefined) return;
      wrapped.delete(listener);
      endpoint.removeEventListener(type, check);
    },
    ...(endpoint.start === undefined ? {} : { start: () => endpoint.start?.() }),
  };
}
