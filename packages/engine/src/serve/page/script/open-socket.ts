import type { WebSocketLike } from '../../../embed/websocket-endpoint.js';
import { page } from './page-dom.js';

/**
 * The WebSocket of the server this page came from, with the page's
 * `?token=` passed on: `connectEngine` needs it open.
 */
export function serverUrl(): string {
  const { protocol, host, search } = page.location;
  const token = new URLSearchParams(search).get('token');
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/${query}`;
}

/** A new WebSocket to `url`, once it is open; rejects, saying why, when it closes first. */
export function openSocket(url: string): Promise<WebSocketLike> {
  const socket = new page.WebSocket(url);
  const shown = url.replace(/\?.*$/, '');
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve(socket));
    socket.addEventListener('close', (event) => {
      const why = event.reason === '' ? `code ${event.code}` : `${event.reason} (code ${event.code})`;
      reject(new Error(`could not connect to ${shown}: ${why}`));
    });
  });
}
