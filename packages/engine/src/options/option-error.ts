import type { z } from 'zod';
import { InvalidOptionError } from '../errors.js';

/**
 * The first problem zod found, as our error: the option's path, what it
 * expects, and the value given. Where a union (`metrics`: `true` or an
 * object) failed inside one of its branches, the problem is that branch's:
 * ``Expected `metrics.port` to be …``, not the whole union.
 */
export function toOptionError(first: z.core.$ZodIssue | undefined, options: unknown): InvalidOptionError {
  if (first === undefined) return new InvalidOptionError('options', 'an object', options);
  const issue = innermost(first);
  if (issue.code === 'unrecognized_keys') {
    const path = [...issue.path, issue.keys[0] ?? ''];
    return new InvalidOptionError(pathOf(path), 'a known option (see EngineOptions)', valueAt(options, path));
  }
  return new InvalidOptionError(pathOf(issue.path), issue.message, valueAt(options, issue.path));
}

/**
 * The expectation of a check that has none of its own (every check of the
 * schema should; this keeps zod's own phrasing, such as "Too small:
 * expected number to be >=0", out of any message). Pass it to `safeParse` as
 * its `error`: the schema's own wording comes first.
 */
export function wordIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'boolean' ? 'true or false' : `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'number' || issue.origin === 'int'
        ? `a number ${issue.inclusive === false ? 'above' : 'from'} ${String(issue.minimum)}`
        : `at least ${String(issue.minimum)} long`;
    case 'too_big':
      return issue.origin === 'number' || issue.origin === 'int'
        ? `a number ${issue.inclusive === false ? 'below' : 'up to'} ${String(issue.maximum)}`
        : `at most ${String(issue.maximum)} long`;
    case 'invalid_value':
      return issue.values.map((value) => (typeof value === 'string' ? `'${value}'` : String(value))).join(' or ');
    default:
      return 'a valid value (see EngineOptions)';
  }
}

/** Down a failed union into the branch the value got furthest in: one that failed inside, past the type check. */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  for (const branch of issue.errors) {
    const inner = branch[0];
    if (inner !== undefined && (inner.path.length > 0 || inner.code === 'unrecognized_keys')) {
      return innermost({ ...inner, path: [...issue.path, ...inner.path] });
    }
  }
  return issue;
}

/** `buffers.input.messages`, `execArgv[1]`. */
function pathOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'options';
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
  return text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
