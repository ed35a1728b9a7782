import { fileURLToPath } from 'node:url';
import { loadPackageDefinition } from '@grpc/grpc-js';
import type { ServiceClientConstructor, ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Options, PackageDefinition } from '@grpc/proto-loader';

/**
 * Numaflow's map UDF protocol, `map.v1.Map` of the vendored
 * `proto/map.proto` (see `proto/README.md`), loaded with proto-loader. Both
 * ends use this module: the server and the clients of the tests and the
 * benchmark, which play Numaflow's data plane.
 */

/**
 * The folder of the vendored `.proto` files: `packages/engine/proto`, the
 * same two levels up from `src/numaflow/` (tests), `dist/numaflow/` (the
 * build) and an npm install's `dist/numaflow/`.
 */
export const protoDir: string = fileURLToPath(new URL('../../proto/', import.meta.url));

/** `map.proto` imports `metadata.proto` and `common/nack_options.proto`: both folders are include paths. */
const includeDirs = [protoDir, fileURLToPath(new URL('../../proto/common/', import.meta.url))];

/**
 * How messages are decoded: camelCase fields, int64 as numbers (a
 * Timestamp's seconds), absent fields left out (so `handshake` and `status`
 * are there only when sent) but empty lists and maps present.
 */
export const protoOptions: Options = { keepCase: false, longs: Number, enums: String, defaults: false, arrays: true, objects: true, includeDirs };

/** A `google.protobuf.Timestamp` as decoded. */
export interface Timestamp {
  readonly seconds?: number;
  readonly nanos?: number;
}

/** `map.v1.MapRequest` as decoded: a handshake, an end of transmission (batch map) or a request. */
export interface MapRequest {
  readonly request?: {
    readonly keys: readonly string[];
    readonly value?: Buffer;
    readonly eventTime?: Timestamp;
    readonly watermark?: Timestamp;
    readonly headers: Readonly<Record<string, string>>;
  };
  readonly id?: string;
  readonly handshake?: { readonly sot?: boolean };
  readonly status?: { readonly eot?: boolean };
}

/** One result of `map.v1.MapResponse`: an output message. */
export interface MapResult {
  readonly keys: readonly string[];
  readonly value: Uint8Array;
  readonly tags: readonly string[];
}

/** `map.v1.MapResponse`, as written: the results for a request id, the handshake's answer, or the end of a batch. */
export interface MapResponse {
  readonly results?: readonly MapResult[];
  readonly id?: string;
  readonly handshake?: { readonly sot: boolean };
  readonly status?: { readonly eot: boolean };
}

let loaded: PackageDefinition | undefined;

/** The package definition of `map.proto` (loaded once, synchronously). */
export function mapPackageDefinition(): PackageDefinition {
  loaded ??= loadSync('map.proto', protoOptions);
  return loaded;
}

/** `map.v1.Map`'s service definition, for `server.addService`. */
export function mapService(): ServiceDefinition {
  return mapClientConstructor().service;
}

/**
 * The generated client of `map.v1.Map`: `new (mapClientConstructor())('unix:/path', credentials.createInsecure())`,
 * with `MapFn()` (a duplex call) and `IsReady({}, callback)`.
 */
export function mapClientConstructor(): ServiceClientConstructor {
  const root = loadPackageDefinition(mapPackageDefinition()) as unknown as { map: { v1: { Map: ServiceClientConstructor } } };
  return root.map.v1.Map;
}
