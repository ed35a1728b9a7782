import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { TestContext } from 'node:test';
import { cli, packageDir } from './cli.js';
import { within } from './wait.js';

// A `tidemark run` that the test talks to while it runs: its stdin stays
// open until the test ends it, and the test waits on what it has printed
// (never on a clock; every wait bounded by `within`).

/** How a CLI session ended. */
export interface SessionExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class CliSession {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<SessionExit>;
  stdout = '';
  stderr = '';
  #waiters: (() => void)[] = [];

  /** Start `tidemark run <args>` in the engine package's folder. */
  constructor(t: TestContext, args: readonly string[]) {
    this.child = spawn(process.execPath, [cli, 'run', ...args], { cwd: packageDir });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.#seen(() => (this.stdout += chunk)));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.#seen(() => (this.stderr += chunk)));
    this.child.stdin.on('error', () => {}); // EPIPE if it exits while the test still writes
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => resolve({ code, signal }));
    });
    t.after(() => {
      this.child.stdin.destroy();
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    });
  }

  /** Write NDJSON lines to its stdin. */
  write(lines: readonly unknown[]): void {
    this.child.stdin.write(lines.map((line) => `${typeof line === 'string' ? line : JSON.stringify(line)}\n`).join(''));
  }

  /** Close its stdin: the input ends. */
  end(): void {
    this.child.stdin.end();
  }

  /** Resolves once `condition` holds on what it printed; fails saying `what` if it exits first or the bound passes. */
  until(condition: () => boolean, what: string): Promise<void> {
    const met = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!condition()) return false;
        resolve();
        return true;
      };
      if (check()) return;
      this.#waiters.push(() => void check());
      void this.exited.then(() => {
        if (!check()) reject(new Error(`the CLI exited before ${what}; stderr:\n${this.stderr}`));
      });
    });
    return within(met, `${what}; stdout so far:\n${this.stdout}\nstderr so far:\n${this.stderr}`);
  }

  /** Its exit, within the bound. */
  exit(): Promise<SessionExit> {
    return within(this.exited, `the CLI to exit; stderr so far:\n${this.stderr}`);
  }

  /** The records written to stdout so far, by offset. */
  records(): { kind: string; offset: number; value?: unknown; eventTime?: number; late?: boolean }[] {
    return this.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { kind: string; offset: number })
      .sort((a, b) => a.offset - b.offset);
  }

  /** Whether the record of `offset` has been written to stdout. */
  wrote(offset: number): boolean {
    return this.records().some((record) => record.offset === offset);
  }

  /** The port of `--metrics-port`, from the line it prints on stderr. */
  metricsPort(): number {
    const match = /^tidemark: metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics$/m.exec(this.stderr);
    assert.ok(match, `stderr names the metrics address:\n${this.stderr}`);
    return Number(match[1]);
  }

  #seen(append: () => void): void {
    append();
    for (const waiter of this.#waiters) waiter();
  }
}
