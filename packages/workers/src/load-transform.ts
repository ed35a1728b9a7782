import type { Transform } from './transform.js';

const cache = new Map<string, Promise<Transform>>();

/** The error thrown when a transform module cannot be used. */
export class TransformModuleError extends Error {
  override readonly name = 'TransformModuleError';
  readonly code = 'ERR_TIDEMARK_TRANSFORM_MODULE';
}

/** Transforms this thread has finished loading, by module URL. */
const loadedTransforms = new Map<string, Transform>();

/** Import the module at `url` once per thread and return its default export. */
export function loadTransform(url: string): Promise<Transform> {
  let loaded = cache.get(url);
  if (loaded === undefined) {
    loaded = importTransform(url).then((transform) => {
      loadedTransforms.set(url, transform);
      return transform;
    });
    cache.set(url, loaded);
  }
  return loaded;
}

/** The transform at `url` if this thread has loaded it already, at once; else undefined. */
export function loadedTransform(url: string): Transform | undefined {
  return loadedTransforms.get(url);
}

async function importTransform(url: string): Promise<Transform> {
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new TransformModuleError(`cannot load transform module ${url}: ${reason}`, { cause });
  }
  if (typeof module.default !== 'function') {
    throw new TransformModuleError(
      `transform module ${url} must have a default export function, got ${typeof module.default}`,
    );
  }
  return module.default as Transform;
}
