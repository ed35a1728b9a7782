import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import fastq from 'fastq';
import { within } from './wait.js';

// The CLI tests run the built `tidemark` in a child process, as users do:
// its workers load the built engine.

/** The engine package's folder, where the CLI runs. */
export const packageDir = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI. */
export const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** The path of a test fixture. */
export const cliFixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** For a `before` hook: fail clearly when the CLI was not built. */
export function requireBuiltCli(): void {
  assert.ok(existsSync(cli), `${cli} is missing: run \`pnpm build\` first`);
}

/** How a CLI run ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run the CLI from the package folder to its end; stdin is `input`, or empty.
 * With `t`, a CLI still running when the test ends (it failed waiting) is killed.
 */
export function tidemark(args: readonly string[], input?: string, t?: TestContext): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: packageDir });
    t?.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', reject).end(input ?? '');
  });
}

/** A temporary folder removed after the test. */
export async function tempDir(t: TestContext, prefix = 'tidemark-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A line the CLI writes: an output or failed record, or a dead-letter line (no `kind`). */
export interface NdjsonLine {
  readonly kind?: 'output' | 'failed';
  readonly offset: number;
  readonly value?: unknown;
  readonly key?: string;
  readonly eventTime?: number;
  readonly line?: number;
  readonly attempts?: number;
  readonly input?: unknown;
  readonly error?: { name: string; code: string; message: string; errorName?: string; errorCode?: string };
  /** On a dead-letter line for a message a full buffer dropped. */
  readonly dropped?: { buffer: string; policy: string };
}

/** The lines of an NDJSON file or stream the CLI wrote (which must end with a newline). */
export function parseNdjson(ndjson: string): NdjsonLine[] {
  if (ndjson === '') return [];
  assert.ok(ndjson.endsWith('\n'), 'NDJSON ends with a newline');
  return ndjson
    .slice(0, -1)
    .split('\n')
    .map((text) => JSON.parse(text) as NdjsonLine);
}

/** The non-empty lines of what the CLI printed on stderr. */
export const stderrLines = (exit: Exit): string[] => exit.stderr.split('\n').filter((line) => line !== '');

/**
 * Each row's command exits 2, its first stderr line matching the row's pattern, nothing on stdout: a usage error.
 * The rows are independent processes that each refuse before doing anything, so they run
 * {@link CLI_RUNS_AT_ONCE} at a time (each process's startup is most of its time); the
 * checks are then made row by row, in order, as before.
 */
export async function assertUsageErrors(rows: readonly (readonly [readonly string[], RegExp])[], t: TestContext): Promise<void> {
  const exits = await allLimited(rows.map(([args]) => () => within(tidemark(args, undefined, t), `tidemark ${args.join(' ')}`)));
  rows.forEach(([args, expected], i) => {
    const exit = exits[i] as Exit;
    assert.equal(exit.code, 2, `${args.join(' ')}: ${exit.stderr}`);
    assert.match(stderrLines(exit)[0] ?? '', expected, args.join(' '));
    assert.equal(exit.stdout, '');
  });
}

/** How many independent CLI processes a test starts at once (a few: the machine may have two cores). */
export const CLI_RUNS_AT_ONCE = 4;

/** The results of `tasks`, in their order, at most `limit` running at a time; rejects with the first rejection once all have settled. */
export async function allLimited<T>(tasks: readonly (() => Promise<T>)[], limit = CLI_RUNS_AT_ONCE): Promise<T[]> {
  const settled = await Promise.allSettled(eachLimited(tasks, limit));
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/** Starts `tasks` in order, at most `limit` running at a time (a fastq queue); one promise per task, for a test to await each where it checks it. */
export function eachLimited<T>(tasks: readonly (() => Promise<T>)[], limit = CLI_RUNS_AT_ONCE): Promise<T>[] {
  const queue = fastq.promise((task: () => Promise<T>) => task(), limit);
  return tasks.map((task) => queue.push(task));
}
