import type { z } from 'zod';
import { InvalidOptionError } from '../errors.js';

/** The first problem zod found, as our error: the option's path, what it expects, and the value given. */
export function toOptionError(issue: z.core.$ZodIssue | undefined, options: unknown): InvalidOptionError {
  if (issue === undefined) return new InvalidOptionError('options', 'an object', options);
  if (issue.code === 'unrecognized_keys') {
    const key = [...issue.path, issue.keys[0] ?? ''].join('.');
    return new InvalidOptionError(key, 'a known option (see EngineOptions)', valueAt(options, [...issue.path, issue.keys[0] ?? '']));
  }
  const path = issue.path.length === 0 ? 'options' : issue.path.join('.');
  return new InvalidOptionError(path, issue.message, valueAt(options, issue.path));
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
