import { MessageChannel } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { fixture } from '../helpers/gates.js';

/**
 * A scenario travels to the fuzz host as JSON. A value JSON cannot hold is
 * written `{ "$fuzz": name }` and made by {@link decode} in the host: NaN,
 * the infinities, `undefined`, -0, a BigInt, and values with behaviour
 * (a Proxy, a getter that throws, a prom-client Registry).
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `{ $fuzz: name }`: the special value `name` (one of {@link specials}). */
export const special = (name: SpecialName): Json => ({ $fuzz: name });

function boom(what: string): Error {
  return Object.assign(new Error(`${what} exploded`), { code: 'E_FUZZ_BOOM' });
}

const specials = {
  NaN: () => Number.NaN,
  Infinity: () => Number.POSITIVE_INFINITY,
  '-Infinity': () => Number.NEGATIVE_INFINITY,
  undefined: () => undefined,
  '-0': () => -0,
  bigint: () => 12345678901234567890n,
  symbol: () => Symbol('fuzz'),
  function: () => () => 1,
  date: () => new Date(0),
  regexp: () => /fu+zz/g,
  map: () => new Map<unknown, unknown>([[1, 'one'], ['two', { n: 2 }]]),
  set: () => new Set([1, 'two', 3n]),
  weakmap: () => new WeakMap(),
  promise: () => Promise.resolve(1),
  port: () => new MessageChannel().port1,
  'shared-buffer': () => new SharedArrayBuffer(8),
  'plain-proxy': () => new Proxy({ n: 1 }, {}),
  'throwing-proxy': () =>
    new Proxy(
      {},
      Object.fromEntries(
        ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'defineProperty', 'set'].map((trap) => [
          trap,
          () => {
            throw boom(`the ${trap} trap`);
          },
        ]),
      ),
    ),
  'revoked-proxy': () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  'throwing-getter': () =>
    Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw boom('a getter');
      },
    }),
  /** The fuzz transform, fixtures/fuzz.js. */
  transform: () => fixture('fuzz.js'),
  'missing-module': () => fixture('no-such-module.js'),
  'http-url': () => new URL('http://127.0.0.1:9/transform.js'),
  'data-url': () => new URL('data:text/javascript,export default (value) => value;'),
  registry: () => new Registry(),
  'uint8array': () => new Uint8Array([1, 2, 3, 250]),
} satisfies Record<string, () => unknown>;

export type SpecialName = keyof typeof specials;

/** The value `json` stands for, with each `{ $fuzz }` made afresh. */
export function decode(json: Json): unknown {
  if (Array.isArray(json)) return json.map(decode);
  if (json === null || typeof json !== 'object') return json;
  const name = json.$fuzz;
  if (typeof name === 'string' && Object.keys(json).length === 1) {
    if (!Object.hasOwn(specials, name)) throw new Error(`fuzz: no special value ${name}`);
    return specials[name as SpecialName]();
  }
  const out: Record<string, unknown> = {};
  // defineProperty: a key such as `__proto__` stays an own property, as JSON.parse makes it.
  for (const [key, value] of Object.entries(json)) Object.defineProperty(out, key, { value: decode(value), enumerable: true, writable: true, configurable: true });
  return out;
}
