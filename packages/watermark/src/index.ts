export { WatermarkTracker } from './watermark-tracker.js';
export { BoundedOutOfOrderness } from './bounded-out-of-orderness.js';
export type { BoundedOutOfOrdernessOptions, Observation } from './bounded-out-of-orderness.js';
export { PartitionedWatermark } from './partitioned-watermark.js';
export { PartitionedHandles } from './partitioned-handles.js';
export type { PartitionedWatermarkOptions } from './partitioned-watermark.js';
export type { InFlight, PartitionId } from './partition.js';
