/**
 * `@tidemark/engine/client`: drive a remote engine (`tidemark serve`, or any
 * `exposeEngine`) from a browser, Deno, Bun or Node, with no Node built-ins.
 *
 * @example
 * import { connectEngine, webSocketEndpoint } from '@tidemark/engine/client';
 * const socket = new WebSocket('ws://127.0.0.1:8080');
 * await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
 * const engine = await connectEngine(webSocketEndpoint(socket), { transform: 'score.mjs' });
 */
export { listTransforms } from '../embed/list-transforms.js';
export { connectEngine } from '../embed/connect-engine.js';
export type { RemoteEngineOptions } from '../embed/connect-engine.js';
export { webSocketEndpoint } from '../embed/websocket-endpoint.js';
export type { WebSocketLike } from '../embed/websocket-endpoint.js';
export { RemoteEngine } from '../embed/remote-engine.js';
export type { FarSource, RemoteChunkOptions, RemoteEngineEvents, RemoteProcessOptions } from '../embed/remote-engine.js';
export type { RemoteStatus } from '../embed/protocol.js';
export type { ClosingEndpoint, EndpointLike } from '../embed/link.js';
export * from '../error-classes.js';
export type { EngineRecord, FailedRecord, Output, SourceRecord } from '../message.js';
export type { MessageTrace } from '../run/message-state.js';
