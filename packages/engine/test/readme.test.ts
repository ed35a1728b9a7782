import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireBuiltCli } from './helpers/cli.js';

// The README runs as written on the Node version it states (20): every
// JavaScript block parses under `node --check`, and the self-contained ones
// run in a project of their own with the packages installed, as a new user
// copies them. The parse check needs Node 20 itself, the oldest the README
// allows ("Node 20 or later"): a later Node parses what 20 refuses (Node 24
// takes `await using`), so there it would pass a README that fails on 20.

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Block {
  readonly lang: string;
  readonly code: string;
  /** The file its first line names (`// main.mjs: …`), if it names one. */
  readonly file: string | undefined;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

async function readmeBlocks(): Promise<Block[]> {
  const text = await readFile(join(root, 'README.md'), 'utf8');
  const blocks: Block[] = [];
  // Fences at the start of a line or indented in a list item.
  for (const match of text.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```$/gm)) {
    const indent = match[1] ?? '';
    const code = (match[3] ?? '').replace(new RegExp(`^${indent}`, 'gm'), '');
    const file = /^\/\/ ([\w.-]+\.mjs)\b/.exec(code)?.[1];
    blocks.push({ lang: match[2] ?? '', code, file, line: text.slice(0, match.index).split('\n').length });
  }
  return blocks;
}

/** A project of its own with the workspace's packages under node_modules, as an install leaves them. */
async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tidemark-readme-'));
  await mkdir(join(dir, 'node_modules', '@tidemark'), { recursive: true });
  for (const name of ['engine', 'workers', 'watermark']) {
    await symlink(join(root, 'packages', name), join(dir, 'node_modules', '@tidemark', name), 'dir');
  }
  return dir;
}

before(requireBuiltCli);

test('every code block of the README is JavaScript, shell or plain text, so none goes unchecked', async () => {
  for (const block of await readmeBlocks()) {
    assert.ok(['js', 'sh', 'text', ''].includes(block.lang), `README.md:${block.line}: a \`${block.lang}\` block (TypeScript does not run on Node 20 as written)`);
  }
});

test('every JavaScript block of the README parses with node --check on Node 20', async (t) => {
  const major = Number(process.versions.node.split('.')[0]);
  assert.equal(
    major,
    20,
    `the README check needs Node 20, the version the README states (its oldest: a later Node parses what 20 refuses); this is Node ${process.version}: run the tests on Node 20`,
  );
  const dir = await project();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const blocks = (await readmeBlocks()).filter((block) => block.lang === 'js');
  assert.ok(blocks.length >= 4, `${blocks.length} JavaScript blocks`);
  for (const [i, block] of blocks.entries()) {
    const file = join(dir, `block-${i}.mjs`);
    await writeFile(file, block.code);
    await run(process.execPath, ['--check', file]).catch((error: Error & { stderr?: string }) => {
      assert.fail(`README.md:${block.line} does not parse on Node 20 (${process.version}): ${error.stderr ?? error.message}`);
    });
  }
});

test("the README's smallest example runs as written: every message comes out once, with the transform's value", async (t) => {
  const dir = await project();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const blocks = await readmeBlocks();
  for (const name of ['transform.mjs', 'main.mjs']) {
    const block = blocks.find((candidate) => candidate.file === name);
    assert.ok(block !== undefined, `the README has a block starting // ${name}`);
    await writeFile(join(dir, name), block.code);
  }
  const { stdout, stderr } = await run(process.execPath, ['main.mjs'], { cwd: dir, timeout: 60_000 });
  assert.equal(stderr, '', 'nothing failed');
  const outputs = [...stdout.matchAll(/^(\d+) \{ id: (\d+), score: (\d+), try: 1 \}$/gm)].map((m) => m.slice(1).map(Number));
  assert.equal(outputs.length, 100, stdout);
  assert.deepEqual(outputs.map(([offset]) => offset).sort((a = 0, b = 0) => a - b), Array.from({ length: 100 }, (_, i) => i));
  for (const [offset, id, score] of outputs) {
    assert.equal(id, offset);
    assert.equal(score, (id ?? 0) * 2);
  }
  assert.match(stdout, /^complete up to \d+/m, 'the watermark event fires');
});

test("the README's PartitionedWatermark example prints the values its comments state", async (t) => {
  const dir = await project();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const block = (await readmeBlocks()).find((candidate) => candidate.file === 'watermark.mjs');
  assert.ok(block !== undefined, 'the README has a block starting // watermark.mjs');
  await writeFile(join(dir, 'watermark.mjs'), block.code);
  const expected = [...block.code.matchAll(/^console\.log\(.*\); \/\/ (-?\d+)/gm)].map((m) => m[1]);
  assert.ok(expected.length >= 3, 'the example states what it prints');
  const { stdout } = await run(process.execPath, ['watermark.mjs'], { cwd: dir, timeout: 30_000 });
  assert.deepEqual(stdout.trim().split('\n'), expected);
});
