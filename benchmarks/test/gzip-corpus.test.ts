import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CorpusTooSmallError, candidates, evenPick, loadCorpus } from '../src/gzip-corpus.js';

test('the pick spreads n indices evenly over the range, first index 0, strictly increasing', () => {
  assert.deepEqual(evenPick(10, 4), [0, 2, 5, 7]);
  assert.deepEqual(evenPick(5, 5), [0, 1, 2, 3, 4]);
  assert.deepEqual(evenPick(7, 0), []);
  const picked = evenPick(2234, 2000);
  assert.equal(picked.length, 2000);
  assert.ok(picked.every((v, i) => i === 0 || v > (picked[i - 1] as number)));
  assert.equal(picked.at(-1), 2232);
  assert.throws(() => evenPick(3, 4), /`n` to be an integer from 0 to 3, got `4`/);
});

test('the corpus is the same sorted pick of regular files of 1 B to maxBytes, symlinks not followed', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gzip-corpus-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  // Created out of order, in nested folders, with files the pick must skip.
  mkdirSync(join(root, 'b/lib'), { recursive: true });
  mkdirSync(join(root, 'a'), { recursive: true });
  for (const [path, bytes] of [
    ['b/lib/z.js', 30],
    ['a/index.js', 10],
    ['b/README.md', 20],
    ['a/empty.js', 0], // empty: skipped
    ['b/big.js', 101], // over maxBytes: skipped
    ['a/B.js', 40], // upper case sorts before lower case (code units, not the locale)
    ['b/lib/a.js', 50],
  ] as const)
    writeFileSync(join(root, path), Buffer.alloc(bytes, path));
  symlinkSync(join(root, 'a'), join(root, 'b/linked')); // a folder link: not walked
  symlinkSync(join(root, 'a/index.js'), join(root, 'b/linked.js')); // a file link: not taken

  const eligible = candidates(root, 100);
  assert.deepEqual(
    eligible.map((c) => [c.path, c.bytes]),
    [
      ['a/B.js', 40],
      ['a/index.js', 10],
      ['b/README.md', 20],
      ['b/lib/a.js', 50],
      ['b/lib/z.js', 30],
    ],
  );
  const corpus = loadCorpus(3, root, 100);
  assert.equal(corpus.eligible, 5);
  assert.deepEqual(corpus.paths, ['a/B.js', 'a/index.js', 'b/lib/a.js']); // evenPick(5, 3) = 0, 1, 3
  assert.deepEqual(corpus.files.map((f) => f.byteLength), [40, 10, 50]);
  assert.deepEqual(loadCorpus(3, root, 100).paths, corpus.paths);

  assert.throws(
    () => loadCorpus(6, root, 100),
    (error: unknown) =>
      error instanceof CorpusTooSmallError &&
      error.code === 'ERR_BENCH_CORPUS_TOO_SMALL' &&
      error.message === `${root} holds 5 files of 1 B to 100 B; the corpus needs 6. Run with --files 5 or fewer, or install more packages.`,
  );
});
