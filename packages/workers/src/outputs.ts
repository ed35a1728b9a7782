/**
 * How a transform emits zero or several outputs for one message. A plain
 * return value is one output; `drop()` is none; `fanOut(a, b)` is two.
 * The brand is a registered symbol so that it is recognised even when the
 * user's module resolves its own copy of this package.
 */
const brand = Symbol.for('tidemark.outputs');

/** Several (or no) outputs of one message; make one with {@link drop} or {@link fanOut}. */
export interface Outputs {
  readonly [brand]: true;
  readonly values: readonly unknown[];
}

/**
 * Emit nothing for this message: it is acked without an output.
 * @example export default (v) => (v.valid ? v : drop());
 */
export function drop(): Outputs {
  return { [brand]: true, values: [] };
}

/**
 * Emit each of `values` as its own output, in this order, all with the
 * message's offset, key and event time.
 * @example export default (line) => fanOut(...line.split(' '));
 */
export function fanOut(...values: unknown[]): Outputs {
  return { [brand]: true, values };
}

/** True when a transform's return value is {@link drop} or {@link fanOut}, not one plain output. */
export function isOutputs(result: unknown): result is Outputs {
  return typeof result === 'object' && result !== null && (result as Partial<Outputs>)[brand] === true;
}

/** The outputs a transform's return value stands for. */
export function toValues(result: unknown): unknown[] {
  if (!isOutputs(result)) return [result];
  // A copy by index: the array iterator is the transform's realm's, and may have been replaced.
  const { values } = result;
  const copy: unknown[] = [];
  for (let i = 0; i < values.length; i++) copy[i] = values[i];
  return copy;
}
