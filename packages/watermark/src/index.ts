export { WatermarkTracker } from './watermark-tracker.js';
export { BoundedOutOfOrderness } from './bounded-out-of-orderness.js';
export type { BoundedOutOfOrdernessOptions, Observation } from './bounded-out-of-orderness.js';
