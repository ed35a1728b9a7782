import { randomBytes } from 'node:crypto';
import { lstatSync, rmSync } from 'node:fs';
import { lstat, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import type { Server } from '@grpc/grpc-js';
import { InvalidOptionError } from '../errors.js';
import { maxSocketBytes } from './numaflow-options.js';

/**
 * The server's Unix socket, and whose it is. When gRPC stops listening,
 * Node (libuv) unlinks the path it bound, whatever is there by then: a
 * second server that took the path over would lose its socket as the first
 * one closed. So the socket is bound on a private name beside the path
 * (`.<random hex>` in the same folder) and renamed onto it, which also
 * replaces an old socket in one step; the server removes the path itself,
 * and only while it holds the socket it bound (the same device and inode).
 *
 * A path whose folder leaves no room for a private name of 6 characters or
 * more within the 107 bytes of a socket's address is bound as it is, an old
 * socket there removed first; closing that server removes whatever socket
 * is at the path then.
 */
export class UnixSocket {
  /** The path served on. */
  readonly path: string;
  /** What gRPC was given to bind: `unix:` and the private name (or the path). */
  readonly address: string;
  readonly #bound: { readonly dev: number; readonly ino: number };

  private constructor(path: string, address: string, bound: { dev: number; ino: number }) {
    this.path = path;
    this.address = address;
    this.#bound = bound;
  }

  /**
   * Bind `grpc` on `path` (absolute, checked by {@link checkSocketPath}).
   *
   * @throws the bind's error (gRPC's, naming the private name), or the rename's.
   */
  static async bind(grpc: Server, path: string): Promise<UnixSocket> {
    const name = privateName(path);
    if (name === undefined) await unlink(path).catch(() => {}); // an old socket: checked, and the bind needs the path free
    const bindPath = name ?? path;
    const address = `unix:${bindPath}`;
    await new Promise<void>((resolve, reject) => {
      grpc.bindAsync(address, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve()));
    });
    const { dev, ino } = await lstat(bindPath);
    if (name !== undefined) await rename(name, path);
    return new UnixSocket(path, address, { dev, ino });
  }

  /** Remove the socket from its path, if it is still the one bound (another server may have taken the path over). */
  remove(): void {
    const now = lstatSync(this.path, { throwIfNoEntry: false });
    if (now !== undefined && now.dev === this.#bound.dev && now.ino === this.#bound.ino) rmSync(this.path, { force: true });
  }
}

/** `path` must be free, or an old socket (replaced, as the SDKs replace it); anything else is refused. */
export async function checkSocketPath(path: string): Promise<void> {
  const found = await lstat(path).catch(() => undefined);
  if (found !== undefined && !found.isSocket()) {
    throw new InvalidOptionError('socket', 'a free path or an old socket to replace (this path holds something else)', path);
  }
}

/** A private name beside `path` within the address limit: `.` and 6 to 12 hex characters; undefined if that does not fit. */
function privateName(path: string): string | undefined {
  const folder = dirname(path);
  const prefix = folder.endsWith('/') ? `${folder}.` : `${folder}/.`;
  const room = Math.min(12, maxSocketBytes - Buffer.byteLength(prefix));
  if (room < 6) return undefined;
  return prefix + randomBytes(6).toString('hex').slice(0, room);
}
