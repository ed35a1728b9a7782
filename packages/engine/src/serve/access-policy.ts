import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Why an upgrade to a WebSocket is refused: the HTTP status it is answered with, and a reason. */
export interface Refusal {
  readonly status: 401 | 403;
  readonly reason: string;
}

/** Options of an {@link AccessPolicy}. */
export interface AccessOptions {
  /** The token every connection must bring; without it none is asked for. */
  readonly token?: string | undefined;
  /** The server's own origins (`http://127.0.0.1:7700`): without a token, a browser page of any other origin is refused. */
  readonly origins: readonly string[];
}

/**
 * Who may open a connection to `tidemark serve`, checked on the WebSocket
 * upgrade, before anything is read from it. A connection runs any module
 * under `--transforms`, so:
 *
 * - With a token, the upgrade must bring it, as the `token` query parameter
 *   of the URL (a browser cannot set headers on a WebSocket) or an
 *   `Authorization: Bearer` header; it is compared in constant time (as
 *   SHA-256 digests, so its length does not show either). Else 401.
 * - Without one, the server is on loopback (`serve` refuses anything else),
 *   where any web page the user opens could connect: a browser lets a page
 *   of any origin open a WebSocket to 127.0.0.1. So an upgrade whose
 *   `Origin` header is present and is not one of the server's own origins is
 *   refused with 403. Hosts that are not browsers send no `Origin`.
 */
export class AccessPolicy {
  readonly #token: Buffer | undefined;
  readonly #origins: ReadonlySet<string>;

  constructor(options: AccessOptions) {
    this.#token = options.token === undefined ? undefined : digest(options.token);
    this.#origins = new Set(options.origins.map(normalOrigin));
  }

  /** Whether the upgrade `request` may go on: undefined, or why not. */
  check(request: IncomingMessage): Refusal | undefined {
    if (this.#token !== undefined) {
      const given = tokenOf(request);
      if (given === undefined) return { status: 401, reason: 'no token (give it as ?token=… in the URL)' };
      return timingSafeEqual(digest(given), this.#token) ? undefined : { status: 401, reason: 'a wrong token' };
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.#origins.has(normalOrigin(origin))) {
      return { status: 403, reason: `a page of another origin (${origin.slice(0, 100)}) may not connect without --token` };
    }
    return undefined;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The token an upgrade brings: the `token` query parameter, or an `Authorization: Bearer` header. */
function tokenOf(request: IncomingMessage): string | undefined {
  let query: string | null = null;
  try {
    query = new URL(request.url ?? '/', 'http://host').searchParams.get('token');
  } catch {
    // an unparsable URL brings no token
  }
  if (query !== null) return query;
  const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
  return bearer?.[1];
}

/** An `Origin` header as a URL serializes it (lowercase, no default port), or the header itself when it is no URL (`null`). */
function normalOrigin(origin: string): string {
  try {
    return new URL(origin).origin.toLowerCase();
  } catch {
    return origin;
  }
}
