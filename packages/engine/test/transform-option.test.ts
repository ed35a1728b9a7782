import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Engine, InvalidOptionError } from '../src/index.js';
import { fixture } from './helpers/gates.js';

// A transform module the workers cannot load fails in the constructor, with
// the option named, not at the first record: Node's worker threads import
// `file:` and `data:` modules only, and a folder is not a module.

const refused: [string, URL | string, RegExp][] = [
  ['an https: URL', new URL('https://example.com/transform.js'), /file: or data:/],
  ['an https: URL as a string', 'https://example.com/transform.js', /file: or data:/],
  ['an http: URL', new URL('http://127.0.0.1:1/transform.js'), /file: or data:/],
  ['a node: URL', 'node:fs', /file: or data:/],
  ['a directory as a path', tmpdir(), /not a directory/],
  ['a directory as a file: URL', pathToFileURL(`${tmpdir()}/`), /not a directory/],
  ['a missing file', fixture('no-such-module.js'), /existing module/],
];

for (const [what, transform, expected] of refused) {
  test(`a transform given as ${what} fails in the constructor with InvalidOptionError`, () => {
    assert.throws(
      () => new Engine({ transform, threads: 1 }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError, String(error));
        assert.equal(error.code, 'ERR_TIDEMARK_INVALID_OPTION');
        assert.equal(error.option, 'transform');
        assert.match(error.message, expected);
        return true;
      },
    );
  });
}

test('a data: URL module is accepted and runs', async () => {
  const engine = new Engine({ transform: 'data:text/javascript,export default (value) => value * 2;', threads: 1 });
  try {
    const values: unknown[] = [];
    for await (const record of engine.process([{ value: 1 }, { value: 2 }])) {
      if (record.kind === 'output') values.push(record.value);
    }
    assert.deepEqual(values.sort(), [2, 4]);
  } finally {
    await engine.close();
  }
});
