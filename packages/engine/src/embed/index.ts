/**
 * `@tidemark/engine/embed`: an engine in another thread, process or
 * runtime, driven as an in-process `Engine` is.
 */
export { spawnEngine } from './spawn-engine.js';
export type { SpawnOptions } from './spawn-engine.js';
export { listTransforms } from './list-transforms.js';
export { connectEngine } from './connect-engine.js';
export type { RemoteEngineOptions } from './connect-engine.js';
export { exposeEngine } from './expose-engine.js';
export type { ExposeOptions, ExposedEngines } from './expose-engine.js';
export { RemoteEngine } from './remote-engine.js';
export type { FarSource, RemoteChunkOptions, RemoteEngineEvents, RemoteProcessOptions } from './remote-engine.js';
export type { RemoteStatus } from './protocol.js';
export type { ClosingEndpoint, EndpointLike, NodeEndpointLike } from './link.js';
export { webSocketEndpoint } from './websocket-endpoint.js';
export type { WebSocketLike } from './websocket-endpoint.js';
export * from '../error-classes.js';
