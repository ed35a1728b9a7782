import { standardNormal } from './random.js';

/** The latency distributions of the skew scenarios. */
export const distributionNames = ['uniform', 'lognormal', 'pareto', 'bimodal'] as const;
export type DistributionName = (typeof distributionNames)[number];

/**
 * Draw one latency (ms) with expected value `mean`:
 * - `uniform`: on [0.1 mean, 1.9 mean], the no-skew baseline;
 * - `lognormal`: sigma 1, mu chosen so that the mean is `mean`;
 * - `pareto`: alpha 1.5, scale `mean / 3` (heavy tail, finite mean);
 * - `bimodal`: 95% fast, 5% twenty times slower.
 */
export function sampleLatency(name: DistributionName, mean: number, random: () => number): number {
  switch (name) {
    case 'uniform':
      return mean * (0.1 + 1.8 * random());
    case 'lognormal': {
      const sigma = 1;
      return Math.exp(Math.log(mean) - (sigma * sigma) / 2 + sigma * standardNormal(random));
    }
    case 'pareto': {
      const alpha = 1.5;
      const scale = (mean * (alpha - 1)) / alpha;
      return scale / (1 - random()) ** (1 / alpha);
    }
    case 'bimodal': {
      const fast = mean / (0.95 + 0.05 * 20);
      return random() < 0.95 ? fast : fast * 20;
    }
  }
}
