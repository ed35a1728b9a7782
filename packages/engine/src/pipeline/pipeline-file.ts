import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidOptionError } from '../errors.js';
import type { PipelineOptions } from './pipeline-options.js';

/**
 * Pipeline options from a JSON file (`tidemark run --pipeline`): the
 * {@link PipelineOptions} object, its module paths (`transform`, `join`,
 * `reduce`, and each branch's `transform`) relative to the file's folder
 * unless absolute or URLs. The pipeline checks everything else.
 *
 * @example
 * { "threads": 2, "stages": [
 *   { "name": "decode", "transform": "./decode.js" },
 *   { "name": "features", "parallel": { "words": { "transform": "./words.js" } }, "join": "./join.js" } ] }
 * @throws {InvalidOptionError} when the file is not JSON of an object.
 */
export async function readPipelineFile(path: string): Promise<PipelineOptions> {
  const text = await readFile(path, 'utf8');
  let options: unknown;
  try {
    options = JSON.parse(text);
  } catch (error) {
    throw new InvalidOptionError('pipeline', `a JSON file of pipeline options (${path}: ${(error as Error).message})`, text.slice(0, 40));
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('pipeline', `a JSON object of pipeline options ({ "stages": [...] }) in ${path}`, options);
  }
  const folder = dirname(resolve(path));
  const stages = (options as { stages?: unknown }).stages;
  if (Array.isArray(stages)) {
    for (const stage of stages as unknown[]) {
      if (typeof stage !== 'object' || stage === null) continue;
      const fields = stage as Record<string, unknown>;
      for (const key of ['transform', 'join', 'reduce']) if (key in fields) fields[key] = fromFolder(folder, fields[key]);
      const branches = fields['parallel'];
      if (typeof branches !== 'object' || branches === null) continue;
      for (const branch of Object.values(branches as Record<string, unknown>)) {
        if (typeof branch === 'object' && branch !== null) {
          const given = branch as Record<string, unknown>;
          if ('transform' in given) given['transform'] = fromFolder(folder, given['transform']);
        }
      }
    }
  }
  return options as PipelineOptions;
}

/** A module path relative to `folder` as a `file:` URL; anything else (absent, absolute, a URL, not a string) as it is. */
function fromFolder(folder: string, value: unknown): unknown {
  if (typeof value !== 'string' || value === '' || isAbsolute(value) || /^[a-z][a-z0-9+.-]+:/i.test(value)) return value;
  return pathToFileURL(resolve(folder, value)).href;
}
