import type { Endpoint } from 'comlink';

/** What receives a message: comlink's listeners, without the DOM's types. */
export type MessageHandler = (event: { data: unknown }) => void;
/** A message listener, a function or an object with `handleEvent`. */
export type Listener = MessageHandler | { handleEvent(event: { data: unknown }): void };

/** A Node-style endpoint: a `Worker`, a `MessagePort` or `parentPort` from `node:worker_threads`. */
export interface NodeEndpointLike {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  start?: () => void;
  close?: () => void;
  terminate?: () => unknown;
}

/** An endpoint that says when it closed (as `webSocketEndpoint` does). */
export interface ClosingEndpoint extends Endpoint {
  /** Resolves once the connection is gone, with why. */
  readonly closed: Promise<string>;
  /** Close the connection. */
  close(reason?: string): void;
  /** Close the connection because the other side broke the protocol (a WebSocket closes with 1008). */
  refuse?(reason: string): void;
}

/** What `exposeEngine` and `connectEngine` take: any comlink endpoint, or a Node one. */
export type EndpointLike = Endpoint | ClosingEndpoint | NodeEndpointLike;

/**
 * An endpoint as both sides use it: comlink's interface, when it closed, and
 * how many message listeners it has (so a test can see none is left behind).
 */
export interface Link {
  readonly endpoint: Endpoint;
  /** Resolves with a reason once the other side is gone. */
  readonly closed: Promise<string>;
  /** Message listeners attached now. */
  readonly listeners: number;
  /** Detach every listener and close the connection. */
  close(reason?: string): void;
  /** Close it because the other side broke the protocol. */
  refuse(reason: string): void;
}

/** `target` as a {@link Link}. */
export function toLink(target: EndpointLike): Link {
  return isNodeEndpoint(target) ? nodeLink(target) : webLink(target);
}

function isNodeEndpoint(target: EndpointLike): target is NodeEndpointLike {
  return typeof (target as NodeEndpointLike).on === 'function' && typeof (target as NodeEndpointLike).off === 'function';
}


/** Give `data` to a listener, a function or an object with `handleEvent`, as a message event. */
export function deliver(listener: Listener, data: unknown): void {
  const event = { data };
  if (typeof listener === 'function') listener(event);
  else listener.handleEvent(event);
}

function nodeLink(port: NodeEndpointLike): Link {
  const attached = new Map<Listener, (data: never) => void>();
  let markClosed: (reason: string) => void = () => {};
  const closed = new Promise<string>((resolve) => {
    markClosed = resolve;
  });
  const onClose = (): void => markClosed('the port closed');
  const onExit = (): void => markClosed('the worker exited');
  // A message that cannot be deserialized here (nested too deep) is lost: the call waiting for it would never settle.
  const onBadMessage = (error: Error): void => {
    markClosed(`a message could not be read (${error.message})`);
    port.close?.();
  };
  port.on('close', onClose);
  port.on('exit', onExit);
  port.on('messageerror', onBadMessage);
  const detach = (): void => {
    for (const handler of attached.values()) port.off('message', handler);
    attached.clear();
    port.off('close', onClose);
    port.off('exit', onExit);
    port.off('messageerror', onBadMessage);
  };
  void closed.then(detach);
  const endpoint: Endpoint = {
    postMessage: (message: unknown, transfer?: unknown[]) => port.postMessage(message, transfer),
    addEventListener: (_type: string, listener: Listener) => {
      if (attached.has(listener)) return;
      const handler = (data: never): void => deliver(listener, data);
      attached.set(listener, handler);
      port.on('message', handler);
    },
    removeEventListener: (_type: string, listener: Listener) => {
      const handler = attached.get(listener);
      if (handler === undefined) return;
      attached.delete(listener);
      port.off('message', handler);
    },
    start: () => port.start?.(),
  };
  return {
    endpoint,
    closed,
    get listeners() {
      return attached.size;
    },
    close(reason = 'closed') {
      detach();
      port.close?.();
      markClosed(reason);
    },
    refuse(reason: string) {
      this.close(reason);
    },
  };
}

function webLink(target: Endpoint | ClosingEndpoint): Link {
  const attached = new Set<Listener>();
  const own = 'closed' in target ? target : undefined;
  let markClosed: (reason: string) => void = () => {};
  const closed = new Promise<string>((resolve) => {
    markClosed = resolve;
  });
  void own?.closed.then(markClosed);
  const detach = (): void => {
    for (const listener of attached) target.removeEventListener('message', listener);
    attached.clear();
  };
  void closed.then(detach);
  const endpoint: Endpoint = {
    postMessage: (message: unknown, transfer?: unknown[]) => target.postMessage(message, transfer),
    addEventListener: (type: string, listener: Listener) => {
      attached.add(listener);
      target.addEventListener(type, listener);
    },
    removeEventListener: (type: string, listener: Listener) => {
      attached.delete(listener);
      target.removeEventListener(type, listener);
    },
    ...(target.start === undefined ? {} : { start: () => target.start?.() }),
  };
  return {
    endpoint,
    closed,
    get listeners() {
      return attached.size;
    },
    close(reason = 'closed') {
      detach();
      if (own !== undefined) own.close(reason);
      else (target as { close?: () => void }).close?.();
      markClosed(reason);
    },
    refuse(reason: string) {
      if (own?.refuse === undefined) return this.close(reason);
      detach();
      own.refuse(reason);
      markClosed(reason);
    },
  };
}
