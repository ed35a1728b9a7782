import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { exportCommit } from '../src/overhead-base.js';

const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

test('exportCommit writes exactly the files of the commit, with their contents, and leaves no tarball behind', async (t) => {
  const hash = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  const expected = execFileSync('git', ['ls-tree', '-r', '--name-only', hash], { cwd: root, encoding: 'utf8' }).trim().split('\n').sort();
  // Three times: the export the A/B did with a pipe failed now and then.
  for (let i = 0; i < 3; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'tidemark-export-test-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await exportCommit(root, hash, dir);
    assert.deepEqual(await files(dir), expected);
    const readme = execFileSync('git', ['show', `${hash}:README.md`], { cwd: root, encoding: 'utf8' });
    assert.equal(await readFile(join(dir, 'README.md'), 'utf8'), readme);
  }
});
