export { distributionNames, sampleLatency } from './distributions.js';
export type { DistributionName } from './distributions.js';
export { seededRandom, standardNormal } from './random.js';
export { mean, percentile } from './stats.js';
export { defaultThreads, runSkewScenario, skewLatencies } from './skew-scenario.js';
export type { SkewFamily, SkewResult, SkewScenario } from './skew-scenario.js';
export { skewTable } from './skew-table.js';
