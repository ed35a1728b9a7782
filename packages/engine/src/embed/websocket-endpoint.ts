import { stringify } from 'devalue';
import { decodeFrame, encodeFrame } from './frame-codec.js';
import { deliver } from './link.js';
import type { ClosingEndpoint, Listener } from './link.js';
import { withoutUnsendable } from './record-columns.js';
import type { RecordColumns } from './record-columns.js';

/** What `webSocketEndpoint` needs of a socket: the WHATWG `WebSocket` (browsers, Deno, Bun, Node 22+), or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'open' | 'error', listener: (event: unknown) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const CONNECTING = 0;
const OPEN = 1;
/** WebSocket close codes: policy violation (a malformed frame), and a normal close. */
const POLICY = 1008;
const NORMAL = 1000;

/**
 * A comlink endpoint over a WebSocket, for `exposeEngine` and
 * `connectEngine` (comlink has none: #593). Each message is one text frame:
 * JSON when JSON carries it exactly, else devalue, so `undefined`, `NaN`,
 * `±Infinity`, `-0`, BigInt, Date, Map, Set, RegExp, typed arrays and
 * repeated or circular references cross as structured clone carries them. A frame that is not such a
 * message closes the connection with code 1008 and a reason. The socket may
 * still be connecting: frames wait for it to open. Nothing here needs Node:
 * it runs in browsers, Deno and Bun.
 */
export function webSocketEndpoint(socket: WebSocketLike): ClosingEndpoint {
  const listeners = new Map<Listener, (event: { data: unknown }) => void>();
  let markClosed: (reason: string) => void = () => {};
  const closed = new Promise<string>((resolve) => {
    markClosed = resolve;
  });
  const waiting: string[] = [];
  // Without a listener, the `ws` package's 'error' event (a frame over its maxPayload, a reset, invalid UTF-8)
  // would be unhandled and end the process; the close that follows settles every call instead.
  socket.addEventListener('error', () => {});
  socket.addEventListener('open', () => {
    for (const frame of waiting.splice(0)) socket.send(frame);
  });
  socket.addEventListener('close', (event) => {
    waiting.length = 0;
    for (const handler of listeners.values()) socket.removeEventListener('message', handler);
    listeners.clear();
    markClosed(event.reason === '' ? `the WebSocket closed (code ${event.code})` : event.reason);
  });
  const refuse = (reason: string): void => {
    socket.close(POLICY, reason.slice(0, 120));
    markClosed(reason);
  };
  return {
    closed,
    refuse,
    close(reason = 'closed') {
      socket.close(NORMAL, reason.slice(0, 120));
      markClosed(reason);
    },
    postMessage(message: unknown) {
      if (socket.readyState === OPEN) socket.send(encode(message));
      // Still connecting: the frame waits for the open (a close before it settles every call instead).
      else if (socket.readyState === CONNECTING) waiting.push(encode(message));
    },
    addEventListener(_type: string, listener: Listener) {
      const handler = (event: { data: unknown }): void => {
        if (typeof event.data !== 'string') return refuse('malformed frame: not a text frame');
        let data: unknown;
        try {
          data = decodeFrame(event.data);
        } catch (error) {
          return refuse(`malformed frame: ${error instanceof Error ? error.message : String(error)}`);
        }
        deliver(listener, data);
      };
      listeners.set(listener, handler);
      socket.addEventListener('message', handler);
    },
    removeEventListener(_type: string, listener: Listener) {
      const handler = listeners.get(listener);
      if (handler === undefined) return;
      listeners.delete(listener);
      socket.removeEventListener('message', handler);
    },
  };
}

/**
 * `message` as a frame. An answer whose records hold a value devalue cannot
 * encode (a class instance, a function) keeps every other record: each one
 * that cannot cross becomes a failed record saying why, in its place.
 */
function encode(message: unknown): string {
  try {
    return encodeFrame(message);
  } catch (error) {
    const answer = message as { value?: { ok?: { records?: RecordColumns } } };
    const ok = answer.value?.ok;
    if (ok?.records === undefined) throw error;
    const records = withoutUnsendable(ok.records, (value) => {
      try {
        stringify(value);
        return undefined;
      } catch (why) {
        return why instanceof Error ? why.message : String(why);
      }
    });
    return stringify({ ...answer, value: { ...answer.value, ok: { ...ok, records } } });
  }
}
