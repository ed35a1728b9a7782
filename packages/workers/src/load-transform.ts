import type { Transform } from './transform.js';

const cache = new Map<string, Promise<Transform>>();

/** The error thrown when a transform module cannot be used. */
export class TransformModuleError extends Error {
  override readonly name = 'TransformModuleError';
  readonly code = 'ERR_TIDEMARK_TRANSFORM_MODULE';

  /** Without a message (or with an empty one), the default. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message || 'the transform module could not be loaded, or is not a valid module', options);
  }
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

/**
 * The default export of the module at `url` (a `what`, for the message):
 * a module that cannot be imported throws {@link TransformModuleError}.
 */
export async function importDefault(url: string, what: string): Promise<unknown> {
  try {
    return ((await import(url)) as { default?: unknown }).default;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new TransformModuleError(`cannot load ${what} ${url}: ${reason}`, { cause });
  }
}

async function importTransform(url: string): Promise<Transform> {
  const module = { default: await importDefault(url, 'transform module') };
  if (typeof module.default !== 'function') {
    throw new TransformModuleError(
      `transform module ${url} must have a default export function, got ${typeof module.default}`,
    );
  }
  return module.default as Transform;
}
