import { InvalidArgumentError } from 'commander';

/** A commander parser for an integer option from `min` up. */
export function integer(min: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < min) {
      throw new InvalidArgumentError(`expected an integer from ${min} up`);
    }
    return value;
  };
}

/** A commander parser for a number option from 0 up. */
export function nonNegative(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError('expected a number from 0 up');
  }
  return value;
}

/** A commander parser for a TCP port (0 picks a free one). */
export function port(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new InvalidArgumentError('expected a port from 0 to 65535');
  }
  return value;
}
