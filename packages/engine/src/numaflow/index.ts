/**
 * `@tidemark/engine/numaflow`: Tidemark as the map UDF of a Numaflow vertex.
 * {@link serveNumaflowMap} serves Numaflow's `map.v1.Map` gRPC service on a
 * Unix socket, every request through one engine; `tidemark serve numaflow`
 * is the same from the command line.
 */
export { serveNumaflowMap } from './map-server.js';
export type { NumaflowMapServer } from './map-server.js';
export { defaultMaxMessageBytes, defaultServerInfo, defaultSockets } from './numaflow-options.js';
export type { NumaflowMapOptions, OnFailure } from './numaflow-options.js';
export { dropTag } from './map-results.js';
export { mapModeKey, mapModes, minimumNumaflowVersion, serverInfoEnd } from './server-info.js';
export type { MapMode, ServerInfo } from './server-info.js';
export { mapClientConstructor, mapPackageDefinition, protoDir } from './map-proto.js';
export type { MapRequest, MapResponse, MapResult, Timestamp } from './map-proto.js';
export * from '../error-classes.js';
