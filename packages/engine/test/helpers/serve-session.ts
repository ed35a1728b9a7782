import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cli, packageDir } from './cli.js';
import type { SessionExit } from './cli-session.js';
import { within } from './wait.js';

// A `tidemark serve` the test talks to: started on port 0 from the engine
// package's folder, its URL read from the first line it prints, killed at
// the end of the test. Waits are on what it printed (never on a clock),
// each within the bound of `within`.

/** The folder the tests serve as `--transforms`. */
export const serveFixtures = fileURLToPath(new URL('../fixtures/serve/', import.meta.url));

/** The first line `tidemark serve` prints. */
export const servingLine = /^tidemark: serving (ws:\/\/(\S+):(\d+))$/;

export class ServeSession {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<SessionExit>;
  stdout = '';
  stderr = '';
  #waiters: (() => void)[] = [];

  private constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [cli, 'serve', ...args], { cwd: packageDir });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.#seen(() => (this.stdout += chunk)));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.#seen(() => (this.stderr += chunk)));
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => resolve({ code, signal }));
    });
  }

  /**
   * `tidemark serve --listen 127.0.0.1:0 --transforms <fixtures/serve> <args>`
   * once it has printed its URL (`args` may give `--listen` and
   * `--transforms` again: the last one counts). Killed when `t` ends; without
   * `t` (a server shared by a file's tests), the caller kills it.
   */
  static async start(t: TestContext | undefined, args: readonly string[] = []): Promise<ServeSession> {
    const session = new ServeSession(['--listen', '127.0.0.1:0', '--transforms', serveFixtures, ...args]);
    t?.after(() => session.kill());
    await session.until(() => session.stdout.includes('\n'), 'the serving line');
    return session;
  }

  /** The URL of the first line, `ws://127.0.0.1:PORT`. */
  get url(): string {
    const first = this.stdout.split('\n')[0] ?? '';
    const match = servingLine.exec(first);
    assert.ok(match, `the first stdout line is \`tidemark: serving ws://HOST:PORT\`: ${JSON.stringify(first)}`);
    return match[1] ?? '';
  }

  /** The server's own origin, as its pages have it: `http://127.0.0.1:PORT`. */
  get origin(): string {
    return this.url.replace(/^ws:/, 'http:');
  }

  /** Its stderr's lines. */
  get lines(): string[] {
    return this.stderr.split('\n').filter((line) => line !== '');
  }

  /** Resolves once `condition` holds on what it printed; fails saying `what` if it exits first or the bound passes. */
  until(condition: () => boolean, what: string): Promise<void> {
    const met = new Promise<void>((resolve, reject) => {
      const check = (): boolean => {
        if (!condition()) return false;
        resolve();
        return true;
      };
      if (check()) return;
      this.#waiters.push(() => void check());
      void this.exited.then(() => {
        if (!check()) reject(new Error(`tidemark serve exited before ${what}; stderr:\n${this.stderr}`));
      });
    });
    return within(met, `${what}; stdout so far:\n${this.stdout}\nstderr so far:\n${this.stderr}`);
  }

  /** Its exit, within the bound. */
  exit(): Promise<SessionExit> {
    return within(this.exited, `tidemark serve to exit; stderr so far:\n${this.stderr}`);
  }

  /** Send it `signal`. */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Kill it if it still runs. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  #seen(append: () => void): void {
    append();
    for (const waiter of this.#waiters) waiter();
  }
}
