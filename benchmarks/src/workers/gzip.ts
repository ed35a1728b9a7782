import { gzipSync } from 'node:zlib';

/**
 * The transform of the gzip benchmark (an engine transform and a tinypool or piscina task
 * handler alike): real CPU-bound work whose cost follows the size of the file, `gzip -9`
 * of its bytes. Returns the compressed length, which the main thread checks against its
 * own single-threaded run.
 */
export default function gzip(bytes: Uint8Array): number {
  return gzipSync(bytes, { level: 9 }).byteLength;
}
