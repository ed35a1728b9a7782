import type { Check } from './check.js';

/** Where the soak takes RSS and heap checkpoints, as fractions of the input: from the first 1% on. */
export const soakFractions = [0.01, 0.1, 0.5, 1] as const;

/** Largest allowed |RSS at 100% / RSS at 1% − 1| under the `block` policy. */
export const rssTolerance = 0.2;

/** The RSS at two checkpoints of one run. */
export interface RssGrowth {
  readonly run: string;
  /** RSS at the first checkpoint (1%), bytes. */
  readonly first: number;
  /** RSS at the end (100%), bytes. */
  readonly last: number;
}

/** RSS at 100% over RSS at 1% must be within {@link rssTolerance} of 1. */
export function rssCheck(growth: RssGrowth): Check {
  const ratio = growth.last / growth.first;
  return {
    name: `${growth.run}: RSS at 100% / RSS at 1% within ${rssTolerance * 100}%`,
    pass: Math.abs(ratio - 1) <= rssTolerance,
    detail: ratio.toFixed(3),
  };
}

/** The most messages a run ever had in flight, against the bound its buffer limits set. */
export interface InFlightPeak {
  readonly run: string;
  readonly max: number;
  readonly bound: number;
}

/** Messages in flight (read, not acked) must never exceed the bound. */
export function inFlightCheck(peak: InFlightPeak): Check {
  return {
    name: `${peak.run}: in flight never above its bound`,
    pass: peak.max <= peak.bound,
    detail: `max ${peak.max} of ${peak.bound}`,
  };
}
