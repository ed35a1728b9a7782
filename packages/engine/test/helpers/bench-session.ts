import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { TestContext } from 'node:test';
import { cli, packageDir } from './cli.js';
import { within } from './wait.js';

// A `tidemark bench` the test acts on while it runs (a signal, a file
// removed): the test waits on what it has printed, never on a clock, and
// every wait is bounded by `within`. (CliSession does the same for `run`.)

/** How a bench session ended, with everything it printed. */
export interface BenchExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class BenchSession {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly #exited: Promise<BenchExit>;
  #waiters: (() => void)[] = [];

  /** Start `tidemark bench <args>` in the engine package's folder, stdin empty. */
  constructor(t: TestContext, args: readonly string[]) {
    this.child = spawn(process.execPath, [cli, 'bench', ...args], { cwd: packageDir });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.#seen(() => (this.stdout += chunk)));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.#seen(() => (this.stderr += chunk)));
    this.child.stdin.end();
    this.#exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }));
    });
    t.after(() => {
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    });
  }

  /** Resolves once `pattern` matches its stderr; fails saying so if it exits first or the bound passes. */
  stderrMatches(pattern: RegExp): Promise<void> {
    const met = new Promise<void>((resolve, reject) => {
      const check = (): boolean => {
        if (!pattern.test(this.stderr)) return false;
        resolve();
        return true;
      };
      if (check()) return;
      this.#waiters.push(() => void check());
      void this.#exited.then(() => {
        if (!check()) reject(new Error(`bench exited before its stderr matched ${pattern}; stderr:\n${this.stderr}`));
      });
    });
    return within(met, `bench's stderr to match ${pattern}; stderr so far:\n${this.stderr}`);
  }

  /** Its exit, within the bound. */
  exit(): Promise<BenchExit> {
    return within(this.#exited, `bench to exit; stderr so far:\n${this.stderr}`);
  }

  #seen(append: () => void): void {
    append();
    for (const waiter of this.#waiters) waiter();
  }
}
