import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { version } from '../cli/version.js';

/**
 * The server-info file, Numaflow's start-up handshake with a UDF container.
 * Numaflow's data plane waits until the file has content, reads it until it
 * ends with {@link serverInfoEnd}, parses the JSON before the marker and
 * picks the map mode from `metadata.MAP_MODE`; it then connects to the socket
 * of that mode. The SDKs (numaflow-go `pkg/info`, numaflow-python
 * `pynumaflow/info`) write the JSON and then the marker, as this does.
 */

/** The end marker after the JSON: `U+005C__END__`, literally (the SDKs spell the code point of a backslash). */
export const serverInfoEnd = 'U+005C__END__';

/** The metadata key of the map mode. */
export const mapModeKey = 'MAP_MODE';

/** `--map-mode`'s values, and what each writes as `MAP_MODE`. */
export const mapModes = { unary: 'unary-map', batch: 'batch-map' } as const;

/** How Numaflow's data plane drives the server: a request at a time in flight per message (`unary`), or batches ended by an EOT (`batch`). */
export type MapMode = keyof typeof mapModes;

/**
 * The minimum Numaflow version the SDKs' mappers declare: 1.4 brought the
 * one bidirectional `MapFn` stream with its handshake, which is what is
 * served here. `-z` is the SDKs' way of saying "1.4.0 itself, not its
 * pre-releases".
 */
export const minimumNumaflowVersion = '1.4.0-z';

/** The JSON of the file, the fields as the SDKs name and order them. */
export interface ServerInfo {
  readonly protocol: 'uds';
  readonly language: string;
  readonly minimum_numaflow_version: string;
  readonly version: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * What Tidemark writes for `mode`. `language` is `javascript` and `version`
 * is empty: Numaflow skips its SDK version check when either is unknown, and
 * an older data plane (which read `language` as free text) refuses an
 * unknown language with a version. Tidemark's own version goes in the
 * metadata, which the data plane reads only by the keys it knows.
 */
export function serverInfo(mode: MapMode): ServerInfo {
  return {
    protocol: 'uds',
    language: 'javascript',
    minimum_numaflow_version: minimumNumaflowVersion,
    version: '',
    metadata: { [mapModeKey]: mapModes[mode], TIDEMARK_VERSION: version },
  };
}

/**
 * Write `info` to `path`: the JSON, then {@link serverInfoEnd}. Written to a
 * file beside it and renamed over it, so a reader never sees it half
 * written (the data plane would retry, but need not).
 */
export async function writeServerInfo(path: string, info: ServerInfo): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(info) + serverInfoEnd);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
