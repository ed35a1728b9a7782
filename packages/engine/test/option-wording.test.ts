import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { toOptionError, wordIssue } from '../src/options/option-error.js';

// Every check of the engine's option schema states what it expects; a check
// added without wording must still read well, never in zod's own phrasing.

const zodPhrasing = /Invalid input|Invalid option|Too small|Too big|expected \w+ to be|expected \w+, received|[<>]=?\d/;

test('a check without wording of its own still reads well: wordIssue words each kind of zod issue', () => {
  // A schema with none of the engine's wording, as a check added later might be.
  const bare = z.strictObject({
    n: z.number().int().min(0).max(10).optional(),
    above: z.number().positive().optional(),
    below: z.number().lt(5).optional(),
    s: z.string().min(2).optional(),
    e: z.enum(['a', 'b']).optional(),
    b: z.boolean().optional(),
    o: z.object({ x: z.string() }).optional(),
  });
  const rows: [unknown, string, string][] = [
    [{ n: -1 }, 'n', 'a number from 0'],
    [{ n: 11 }, 'n', 'a number up to 10'],
    [{ n: 'x' }, 'n', 'a number'],
    [{ above: 0 }, 'above', 'a number above 0'],
    [{ below: 5 }, 'below', 'a number below 5'],
    [{ s: 'x' }, 's', 'at least 2 long'],
    [{ e: 'c' }, 'e', "'a' or 'b'"],
    [{ b: 1 }, 'b', 'true or false'],
    [{ o: 1 }, 'o', 'an object'],
  ];
  for (const [options, option, expected] of rows) {
    const parsed = bare.safeParse(options, { error: wordIssue });
    assert.equal(parsed.success, false);
    const error = toOptionError(parsed.error?.issues[0], options);
    assert.equal(error.option, option);
    assert.equal(error.message.slice(0, error.message.lastIndexOf(', got ')), `Expected \`${option}\` to be ${expected}`);
    assert.doesNotMatch(error.message, zodPhrasing);
  }
});
