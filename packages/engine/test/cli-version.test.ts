import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { packageDir, requireBuiltCli, tidemark } from './helpers/cli.js';
import { command, repoRoot } from './helpers/command.js';

// `tidemark --version`, and the command in a clone as the README gives it:
// `pnpm exec tidemark` from the repository root after `pnpm install && pnpm build`.

before(requireBuiltCli);

const engineVersion = async (): Promise<string> =>
  (JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;

test('tidemark --version prints the version in the engine package.json and exits 0', async () => {
  const exit = await tidemark(['--version']);
  assert.equal(exit.code, 0, exit.stderr);
  assert.equal(exit.stdout, `${await engineVersion()}\n`);
  assert.equal(exit.stderr, '');
});

test('pnpm exec tidemark --version works from the repository root', async () => {
  const { stdout } = await command('pnpm', ['exec', 'tidemark', '--version'], repoRoot, 60_000);
  assert.equal(stdout, `${await engineVersion()}\n`);
});
