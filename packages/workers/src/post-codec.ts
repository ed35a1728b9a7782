import { deserialize, serialize } from 'node:v8';
import { ValueTooDeepError, codecError, isTooDeep } from './codec.js';
import {
  SafeMap,
  SafeSet,
  arrayPop,
  arrayPush,
  isArray,
  isView,
  mapForEach,
  objectKeys,
  safeStructuredClone,
  setForEach,
} from './primordials.js';

/**
 * How deep a value that goes as it is may be nested. The receiving port
 * reads it inside piscina, where a value too deep for the receiver's stack
 * throws out of piscina's message handler and takes the process down (the
 * main thread's deserializer manages some 1,900 levels of objects).
 */
export const CLONED_DEPTH = 1000;

/**
 * How a value crosses by `postMessage` where no ring carries it (the task
 * transport): a primitive as it is; anything else as v8's serialization of
 * it, in bytes, read back by {@link decodePosted} where a failure can be
 * caught and charged to its message. (By structured clone, the receiving
 * MessagePort would read it, and a value too deep for the receiver's stack
 * would be lost there, its message left in flight for good; and piscina,
 * failing to post a result, kills the worker with every message it holds.)
 * A value v8's serializer refuses though structured clone takes it (one
 * holding a SharedArrayBuffer, which structured clone shares) goes as it is,
 * once `structuredClone` has shown that it can, and when it is nested at
 * most {@link CLONED_DEPTH} levels deep.
 */
export class PostEncoder {
  /** Whether the value last encoded went in bytes. */
  encoded = false;

  /**
   * `value` ready to post. Throws a ValueTooDeepError saying
   * `tooDeep` when it is nested too deeply, else structured clone's own
   * error (a DataCloneError for a function, say).
   */
  encode(value: unknown, tooDeep: string): unknown {
    if (isFlat(value)) {
      this.encoded = false;
      return value;
    }
    try {
      const bytes = serialize(value);
      this.encoded = true;
      return bytes;
    } catch (error) {
      if (isTooDeep(error)) throw codecError(error, tooDeep);
    }
    try {
      safeStructuredClone(value);
    } catch (error) {
      throw codecError(error, tooDeep);
    }
    if (deeperThan(value, CLONED_DEPTH)) {
      throw new ValueTooDeepError(
        `${tooDeep} (it holds a SharedArrayBuffer, or another value v8's serializer refuses, so it crosses by structured clone, at most ${CLONED_DEPTH} levels deep)`,
      );
    }
    this.encoded = false;
    return value;
  }

  /** `values` (outputs) ready to post: as they are when each is a primitive, else as {@link encode}. */
  encodeAll(values: unknown[], tooDeep: string): unknown {
    for (let i = 0; i < values.length; i++) if (!isFlat(values[i])) return this.encode(values, tooDeep);
    this.encoded = false;
    return values;
  }
}

/** The value a {@link PostEncoder} sent; throws a ValueTooDeepError saying `tooDeep` when it cannot be read back here. */
export function decodePosted(value: unknown, encoded: boolean, tooDeep: string): unknown {
  if (!encoded) return value;
  try {
    return deserialize(value as Uint8Array);
  } catch (error) {
    throw codecError(error, tooDeep);
  }
}

/** A primitive: structured clone can neither fail on it nor nest it. */
function isFlat(value: unknown): boolean {
  const type = typeof value;
  return value === null || (type !== 'object' && type !== 'function' && type !== 'symbol');
}

/**
 * Whether `value` nests objects more than `limit` levels deep, walked as
 * structured clone walks it: array elements, Map keys and values, Set
 * members and the own enumerable properties of other objects (binary data
 * is flat). Iterative, so that it cannot run out of stack itself; each
 * object is counted once, at the first depth it is met.
 */
function deeperThan(value: unknown, limit: number): boolean {
  const seen = new SafeSet<object>();
  const nodes: object[] = [];
  const depths: number[] = [];
  const visit = (child: unknown, depth: number): void => {
    if (typeof child !== 'object' || child === null || seen.has(child)) return;
    seen.add(child);
    arrayPush(nodes, child);
    arrayPush(depths, depth);
  };
  visit(value, 1);
  while (nodes.length > 0) {
    const node = arrayPop(nodes) as object;
    const depth = arrayPop(depths) as number;
    if (depth > limit) return true;
    const next = depth + 1;
    if (isArray(node)) {
      for (let i = 0; i < node.length; i++) visit(node[i], next);
    } else if (node instanceof SafeMap) {
      mapForEach(node, (item: unknown, key: unknown) => {
        visit(key, next);
        visit(item, next);
      });
    } else if (node instanceof SafeSet) {
      setForEach(node, (item: unknown) => visit(item, next));
    } else if (!isView(node)) {
      const keys = objectKeys(node);
      for (let i = 0; i < keys.length; i++) visit((node as Record<string, unknown>)[keys[i] as string], next);
    }
  }
  return false;
}
