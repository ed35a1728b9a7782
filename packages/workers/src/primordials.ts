/* eslint-disable @typescript-eslint/unbound-method -- taking methods off their prototypes, to call them on a receiver later, is what this module is for */
import { types } from 'node:util';

/**
 * What the worker's own code calls for every message, taken when this
 * module loads: before any transform module, which shares the worker's
 * realm and may replace its globals (zone.js swaps `Promise` and wraps
 * `then`; polyfills replace `JSON` or extend `Array.prototype`). A worker
 * whose transform did so must still run every later message; Node's own
 * modules keep their "primordials" the same way.
 *
 * Covered: the globals the worker's code names (a transform replaces one
 * with an assignment), and the methods of `Promise.prototype`,
 * `Array.prototype` and strings it calls (the ones libraries patch). Not
 * covered: the methods of typed arrays, `DataView`, `Buffer`, `Map` and
 * `Set` lookups and `MessagePort`, which nothing patches in practice and
 * which the rings call per field, where a call through
 * `Function.prototype.call` would cost. Nor piscina's own worker loop (the
 * task transport), which calls `Atomics` and `then` from the globals.
 */

const { bind, call } = Function.prototype;

/** `method` as a function of its receiver and arguments, immune to later changes of the prototype or of `call`. */
const uncurryThis = bind.bind(call) as <This, Args extends unknown[], R>(
  method: (this: This, ...args: Args) => R,
) => (self: This, ...args: Args) => R;

/** The realm's own Promise, for `new`. */
export const SafePromise: PromiseConstructor = Promise;

export const PromisePrototype: Promise<unknown> = Promise.prototype;
export const { getPrototypeOf, keys: objectKeys } = Object;
export const { isView } = ArrayBuffer;
export const { isArray } = Array;

/** True for a real promise, of any class, from any realm (never a mere thenable). */
export const isPromise: (value: unknown) => value is Promise<unknown> = types.isPromise;

/** `Promise.prototype.then` as it was. */
export const promiseThen = uncurryThis(Promise.prototype.then) as (
  promise: Promise<unknown>,
  onFulfilled: (value: unknown) => void,
  onRejected: (error: unknown) => void,
) => Promise<void>;

export const arrayPush = uncurryThis(Array.prototype.push) as <T>(array: T[], item: T) => number;
export const arrayShift = uncurryThis(Array.prototype.shift) as <T>(array: T[]) => T | undefined;
export const arrayPop = uncurryThis(Array.prototype.pop) as <T>(array: T[]) => T | undefined;
export const mapForEach = uncurryThis(Map.prototype.forEach) as (map: Map<unknown, unknown>, each: (value: unknown, key: unknown) => void) => void;
export const setForEach = uncurryThis(Set.prototype.forEach) as (set: Set<unknown>, each: (value: unknown) => void) => void;
export const isWellFormed = uncurryThis(String.prototype.isWellFormed);
export const stringIncludes = uncurryThis<string, [search: string], boolean>(String.prototype.includes);
/** `Uint8Array.prototype.slice`: a copy in memory of its own, in one allocation, of the receiver's class. */
export const uint8ArraySlice = uncurryThis(Uint8Array.prototype.slice) as (bytes: Uint8Array, start: number, end: number) => Uint8Array;

/** Atomics' functions need no receiver: a frozen copy of the ones the rings and workers use. */
export const SafeAtomics = Object.freeze({
  add: Atomics.add,
  compareExchange: Atomics.compareExchange,
  load: Atomics.load,
  notify: Atomics.notify,
  store: Atomics.store,
  wait: Atomics.wait,
  waitAsync: Atomics.waitAsync,
});

export const { stringify: jsonStringify, parse: jsonParse } = JSON;
export const SafeError = Error;
export const SafeDataView = DataView;
export const SafeUint8Array = Uint8Array;
export const SafeSharedArrayBuffer = SharedArrayBuffer;
export const SafeMap = Map;
export const SafeSet = Set;
export const SafeRangeError = RangeError;
export const SafeString = String;
export const SafeAbortController = AbortController;
export const safeSetTimeout = setTimeout;
export const safeClearTimeout = clearTimeout;
export const safeQueueMicrotask = queueMicrotask;
export const safeStructuredClone = structuredClone;
