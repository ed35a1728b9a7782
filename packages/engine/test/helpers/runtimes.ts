import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { packageDir } from './cli.js';
import type { Exit } from './cli.js';
import { WAIT_LIMIT_MS } from './wait.js';

// The Bun and Deno tests run scripts and the built CLI on the binaries the
// `bun` and `deno` npm packages ship, pinned as devDependencies of
// @tidemark/engine, never on whatever is on the PATH.

/** The runtimes other than Node that the engine and the CLI run on. */
export const runtimes = ['bun', 'deno'] as const;

export type Runtime = (typeof runtimes)[number];

// The executable each package's bin runs, under the engine's node_modules.
// `.bin/bun` execs `bun/bin/bun.exe` itself; `.bin/deno` runs `deno/bin.cjs`,
// a Node process that starts `deno/deno` with spawnSync and forwards no
// signal, so killing it (a test past its bound) would leave Deno running.
// Hence the executable the shim starts, not the shim.
const executables: Record<Runtime, string> = {
  bun: '../../node_modules/bun/bin/bun.exe',
  deno: '../../node_modules/deno/deno',
};

/** The runtime's executable from the engine's devDependencies; fails saying how to get it when missing. */
export function runtimeBinary(runtime: Runtime): string {
  const path = fileURLToPath(new URL(executables[runtime], import.meta.url));
  assert.ok(
    existsSync(path),
    `${path} is missing: \`pnpm install\` installs it with the ${runtime} devDependency of @tidemark/engine (its install script must be allowed, see allowBuilds in pnpm-workspace.yaml)`,
  );
  return path;
}

/** The version of `runtime` pinned in @tidemark/engine's devDependencies. */
export function pinnedVersion(runtime: Runtime): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const version = manifest.devDependencies[runtime];
  assert.ok(version !== undefined, `@tidemark/engine has no ${runtime} devDependency`);
  return version;
}

/**
 * The permissions `deno run` needs for the engine: the transform and the
 * packages (read), piscina's `PISCINA_DISABLE_ATOMICS` (env), the core count
 * and `os.totalmem()` (sys). The CLI also writes its outputs; the tests give
 * it `-A`, as the README does.
 */
export const denoEnginePermissions = ['--allow-read', '--allow-env', '--allow-sys'] as const;

/** How to start `script` with `args` on `runtime`: Deno with `permissions` (default `-A`). */
export function runtimeCommand(
  runtime: Runtime,
  script: string,
  args: readonly string[] = [],
  permissions: readonly string[] = ['-A'],
): [file: string, args: string[]] {
  const binary = runtimeBinary(runtime);
  return runtime === 'bun' ? [binary, [script, ...args]] : [binary, ['run', '--no-prompt', ...permissions, script, ...args]];
}

/** Options of {@link runOn}. */
export interface RunOnOptions {
  /** What Deno may do (default `-A`). */
  readonly permissions?: readonly string[];
  /** Written to stdin, which is then closed (default: nothing). */
  readonly input?: string;
  /** How long the process may take before it is killed and the run fails (default {@link WAIT_LIMIT_MS}). */
  readonly limitMs?: number;
}

/**
 * Runs `script args` on `runtime` from the engine's package folder to its
 * end. Rejects, with what it printed, when it is still running after the
 * bound (it is then killed), so a hang fails the test saying so.
 */
export function runOn(t: TestContext, runtime: Runtime, script: string, args: readonly string[], options: RunOnOptions = {}): Promise<Exit> {
  const [file, argv] = runtimeCommand(runtime, script, args, options.permissions);
  const limitMs = options.limitMs ?? WAIT_LIMIT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd: packageDir, env: { ...process.env, NO_COLOR: '1' } });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`\`${runtime} ${script} ${args.join(' ')}\` was still running after ${limitMs} ms and was killed\n--- stdout\n${stdout}--- stderr\n${stderr}`));
    }, limitMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', reject).end(options.input ?? '');
  });
}
