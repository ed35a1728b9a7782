/** A message of a chaos plan: its number, how long its transform awaits, and the fault it may have (on every try when `always`). */
export interface ChaosValue<F extends string> {
  n: number;
  delay: number;
  fault?: F;
  always?: true;
}

/**
 * Message `n` of a chaos plan, drawn from `random`: 40% return at once (a
 * sync transform), the others await 0 to 2 ms; a fault per `odds`
 * ([fault, every try, p], tried in order), or none.
 */
export function chaosValue<F extends string>(n: number, random: () => number, odds: readonly (readonly [F, boolean, number])[]): ChaosValue<F> {
  const value: ChaosValue<F> = { n, delay: random() < 0.4 ? 0 : Math.floor(random() * 3) };
  let r = random();
  for (const [fault, always, p] of odds) {
    if (r < p) {
      value.fault = fault;
      if (always) value.always = true;
      break;
    }
    r -= p;
  }
  return value;
}
