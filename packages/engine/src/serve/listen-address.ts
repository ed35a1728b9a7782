import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { InvalidArgumentError } from 'commander';

/** `--listen` as typed: a host (a name, an IPv4 address, or an IPv6 one without its brackets) and a port. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** The host `--listen` binds when it gives only a port: loopback. */
export const loopbackHost = '127.0.0.1';

/**
 * A commander parser for `--listen`: `HOST:PORT`, `[IPV6]:PORT`, or a
 * `PORT` alone (on {@link loopbackHost}); port 0 picks a free one.
 */
export function listenAddress(text: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$|^(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2] ?? (match?.[4] === undefined ? undefined : loopbackHost);
  const port = Number(match?.[3] ?? match?.[4]);
  if (host === undefined || !(port >= 0 && port <= 65535) || (match?.[1] !== undefined && isIP(host) !== 6)) {
    throw new InvalidArgumentError('expected HOST:PORT, [IPV6]:PORT or PORT (0 for any free port), such as 127.0.0.1:0');
  }
  return { host, port };
}

/** Where `--listen` leads: the address bound (a host name resolved as `listen` would) and whether it is loopback. */
export interface ResolvedAddress {
  readonly address: string;
  readonly loopback: boolean;
}

/**
 * `host` resolved to the one address the server binds (a name's first
 * address, as Node's `listen` takes it), so that the loopback check is of
 * the address actually bound.
 */
export async function resolveHost(host: string): Promise<ResolvedAddress> {
  const { address } = await lookup(host);
  return { address, loopback: isLoopback(address) };
}

/** Whether `address` is a loopback address: 127.0.0.0/8, ::1, or 127.x mapped into IPv6. */
export function isLoopback(address: string): boolean {
  const v4 = /^(?:::ffff:)?(\d+)\.\d+\.\d+\.\d+$/i.exec(address);
  if (v4 !== null) return v4[1] === '127';
  return /^(?:0{0,4}:){2,7}0{0,3}1$/.test(address) && isIP(address) === 6 && address.replace(/[:0]/g, '') === '1';
}

/** `address` as a URL writes it: an IPv6 one in brackets. */
export function urlHost(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}
