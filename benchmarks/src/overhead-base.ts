// The engine of an earlier commit, for the overhead benchmark's A/B: the commit is exported with
// `git archive` into a temporary folder (neither the checkout nor its .git is touched), installed
// from pnpm's store (online only when the store lacks something), its engine built with the
// packages it depends on, and its Engine imported by file URL. Disposing removes the folder; so
// does a failure on the way, the process exiting, and SIGINT or SIGTERM.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EngineClass } from './overhead-engine.js';

/**
 * `--base`'s default: 20219c1, the last commit before the core was reshaped (3a37c92 moved the
 * engine's sources into folders, fa3882d brought the fastq dispatch queue and the message
 * tracker, then the ring's completions as data). In full, so that it stays unambiguous.
 */
export const defaultBase = '20219c1e458679895ee8438ca047bd8043eefa67';

/** An earlier commit's Engine, built in a temporary folder that disposing removes. */
export interface BaseEngine extends AsyncDisposable {
  /** The commit, short hash and subject, as printed. */
  readonly commit: Commit;
  readonly Engine: EngineClass;
}

/** A commit as the report names it. */
export interface Commit {
  readonly hash: string;
  readonly short: string;
  readonly subject: string;
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** What this checkout is: HEAD, and whether the working tree differs from it (the build measured includes that). */
export async function checkout(): Promise<Commit & { readonly dirty: boolean }> {
  const head = await describe('HEAD', await git(['rev-parse', '--show-toplevel']));
  const dirty = (await git(['status', '--porcelain', '--untracked-files=no'])).length > 0;
  return { ...head, dirty };
}

/** Builds `ref`'s engine in a temporary folder and imports it; `progress` gets a line per step. */
export async function openBase(ref: string, progress: (line: string) => void): Promise<BaseEngine> {
  const root = await git(['rev-parse', '--show-toplevel']);
  const commit = await describe(ref, root);
  const dir = await mkdtemp(join(tmpdir(), `tidemark-base-${commit.short}-`));
  const removeNow = (): void => rmSync(dir, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals): void => {
    removeNow();
    // The listener is gone (once), so the signal now does what it would have done.
    process.kill(process.pid, signal);
  };
  const unhook = (): void => {
    process.off('exit', removeNow).off('SIGINT', onSignal).off('SIGTERM', onSignal);
  };
  process.once('exit', removeNow).once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    progress(`base ${commit.short} (${commit.subject}): exporting into ${dir}`);
    await exportCommit(root, commit.hash, dir);
    progress(`base ${commit.short}: pnpm install --frozen-lockfile --offline`);
    try {
      await command('pnpm', ['install', '--frozen-lockfile', '--offline'], dir);
    } catch (error) {
      progress(`base ${commit.short}: the offline install failed (${lastLine(error)}); installing online`);
      await command('pnpm', ['install', '--frozen-lockfile'], dir);
    }
    // The engine and the workspace packages it depends on, in order: the benchmarks and the
    // rest of `pnpm build` are not needed to import its Engine.
    progress(`base ${commit.short}: pnpm --filter @tidemark/engine... run build`);
    await command('pnpm', ['--filter', '@tidemark/engine...', 'run', 'build'], dir);
    const entry = pathToFileURL(join(dir, 'packages/engine/dist/index.js')).href;
    const module = (await import(entry)) as { Engine?: unknown };
    if (typeof module.Engine !== 'function') throw new Error(`${entry} exports no Engine class`);
    progress(`base ${commit.short}: ready`);
    return {
      commit,
      Engine: module.Engine as EngineClass,
      [Symbol.asyncDispose]: async () => {
        unhook();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    unhook();
    removeNow();
    throw error;
  }
}

async function describe(ref: string, root: string): Promise<Commit> {
  let hash: string;
  try {
    hash = await git(['-C', root, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--base ${ref}: no such commit in ${root} (a shallow clone lacks the history: git fetch --unshallow; or --base none)`);
  }
  const [short = hash, subject = ''] = (await git(['-C', root, 'log', '-1', '--format=%h%x00%s', hash])).split('\0');
  return { hash, short, subject: subject.length > 72 ? `${subject.slice(0, 71)}…` : subject };
}

/**
 * The files of commit `hash` of the repository at `root`, written into the existing folder `dir`
 * (neither the checkout nor its .git is touched). Through a tarball, not a pipe from `git archive`
 * into `tar -x`: that pipe once closed under the archive's last bytes (ERR_STREAM_PREMATURE_CLOSE).
 * The tarball is made inside `dir`, so that it goes with it whatever happens, and removed at the end.
 */
export async function exportCommit(root: string, hash: string, dir: string): Promise<void> {
  const tarball = join(dir, '.export.tar');
  await command('git', ['-C', root, 'archive', '--format=tar', '-o', tarball, hash], root);
  await command('tar', ['-x', '-f', tarball, '-C', dir], root);
  await rm(tarball);
}

function git(args: readonly string[]): Promise<string> {
  return command('git', args, here);
}

/** Runs `file` in `cwd`; resolves to its trimmed stdout, rejects with the tail of its output. */
async function command(file: string, args: readonly string[], cwd: string): Promise<string> {
  const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  await exited(child, `${file} ${args.join(' ')} (in ${cwd})`, () => out);
  return out.trim();
}

/** Resolves when `child` exits 0; else rejects with `what`, the exit code and the end of its stderr (and stdout). */
function exited(child: ReturnType<typeof spawn>, what: string, stdout: () => string = () => ''): Promise<void> {
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject).once('close', (code, signal) => {
      if (code === 0) return resolve();
      const tail = `${stdout()}\n${err}`.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${what} exited with ${code ?? signal}${tail ? `:\n${tail}` : ''}`));
    });
  });
}

function lastLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).trim().split('\n').at(-1) ?? '';
}
