export { distributionNames, sampleLatency } from './distributions.js';
export type { DistributionName } from './distributions.js';
export { seededRandom, standardNormal } from './random.js';
export { mean, percentile } from './stats.js';
export { defaultThreads, runSkewScenario, skewLatencies } from './skew-scenario.js';
export type { SkewFamily, SkewResult, SkewRun, SkewScenario } from './skew-scenario.js';
export { inFlightSeries, thin } from './timeline.js';
export type { SkewTimeline } from './timeline.js';
export { skewTable } from './skew-table.js';
