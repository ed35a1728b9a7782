import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The install tests run the tools a user types (pnpm, npm, npx, tsc, node)
// as child processes, each to its end within a bound.

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

/** What a command printed. */
export interface Printed {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `file args` in `cwd` to its end. Rejects when it exits non-zero, is not
 * found, or is still running after `timeoutMs` (then it is killed), with the
 * command line, how it ended and everything it printed.
 */
export function command(file: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Printed> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const how = error.killed
          ? `was still running after ${timeoutMs} ms and was killed`
          : error.code === 'ENOENT'
            ? `could not start: \`${file}\` is not on the PATH`
            : `failed (exit ${String(error.code ?? error.signal)})`;
        const line = [file, ...args].join(' ');
        reject(new Error(`\`${line}\` in ${cwd} ${how}\n--- stdout\n${stdout}--- stderr\n${stderr}`));
      },
    );
  });
}
