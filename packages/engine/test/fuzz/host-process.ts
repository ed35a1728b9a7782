import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DIED, LINGERS, RESULT } from './protocol.js';
import type { ScenarioResult } from './run-scenario.js';
import type { Scenario } from './scenario.js';

// The fuzz test's side of the fuzz host (host.ts): a child process that
// runs scenarios one after another. A host that dies, or gives no result
// within the bound, fails the scenario it was running, saying how and with
// the end of its output; the next scenario gets a new host. Only this
// class's own child is ever killed, by its handle.

const hostPath = fileURLToPath(new URL('./host.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const TAIL = 30;

export type HostResult = ScenarioResult & { ms: number };

export class FuzzHost {
  #child: ChildProcessWithoutNullStreams | undefined;
  #exited: Promise<string> = Promise.resolve('not started');
  #waiting: ((result: HostResult) => void) | undefined;
  #tail: string[] = [];
  #died: string | undefined;
  #lingers: string | undefined;
  /** Hosts started so far (a new one after each death or hang). */
  started = 0;

  #start(): ChildProcessWithoutNullStreams {
    const child = spawn(process.execPath, ['--import', 'tsx', '--max-old-space-size=2048', hostPath], { cwd: packageRoot, stdio: 'pipe' });
    this.started++;
    this.#tail = [];
    this.#died = undefined;
    this.#lingers = undefined;
    const keep = (line: string): void => {
      this.#tail.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
      if (this.#tail.length > TAIL) this.#tail.shift();
    };
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(RESULT)) {
        const waiting = this.#waiting;
        this.#waiting = undefined;
        waiting?.(JSON.parse(line.slice(RESULT.length)) as HostResult);
      } else if (line.startsWith(DIED)) {
        this.#died = line.slice(DIED.length);
      } else if (line.startsWith(LINGERS)) {
        this.#lingers = line.slice(LINGERS.length);
      } else {
        keep(`stdout: ${line}`);
      }
    });
    createInterface({ input: child.stderr }).on('line', (line) => keep(`stderr: ${line}`));
    this.#exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        if (this.#child === child) this.#child = undefined;
        resolve(signal === null ? `exit code ${code}` : `signal ${signal}`);
      });
    });
    this.#child = child;
    return child;
  }

  /** The end of the host's output, for a report. */
  #output(): string {
    return this.#tail.length === 0 ? '(no output)' : this.#tail.join('\n');
  }

  /** Runs `scenario` in the host; throws if the host dies or hangs. */
  async run(scenario: Scenario, boundMs: number): Promise<HostResult> {
    const child = this.#child ?? this.#start();
    const exited = this.#exited;
    const result = new Promise<HostResult>((resolve) => {
      this.#waiting = resolve;
    });
    child.stdin.write(`${JSON.stringify(scenario)}\n`);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'hang'>((resolve) => {
      timer = setTimeout(() => resolve('hang'), boundMs);
    });
    try {
      const outcome = await Promise.race([result, exited, bound]);
      if (outcome === 'hang') {
        this.kill();
        throw new Error(`the host gave no result within ${boundMs} ms (killed). Its last output:\n${this.#output()}`);
      }
      if (typeof outcome === 'string') {
        throw new Error(`the host died (${outcome})${this.#died === undefined ? '' : ` of ${this.#died}`}. Its last output:\n${this.#output()}`);
      }
      if (outcome.wedged) this.kill();
      return outcome;
    } finally {
      clearTimeout(timer);
      this.#waiting = undefined;
    }
  }

  /** Ends the host's input; it must then exit by itself, with code 0, within `boundMs`. */
  async end(boundMs: number): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    const exited = this.#exited;
    child.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'alive'>((resolve) => {
      timer = setTimeout(() => resolve('alive'), boundMs);
    });
    const outcome = await Promise.race([exited, bound]);
    clearTimeout(timer);
    if (outcome === 'alive') {
      this.kill();
      throw new Error(`the host did not exit by itself within ${boundMs} ms of its input ending; handles: ${this.#lingers ?? 'unknown'}`);
    }
    if (outcome !== 'exit code 0') throw new Error(`the host ended with ${outcome}${this.#died === undefined ? '' : ` (${this.#died})`}. Its last output:\n${this.#output()}`);
  }

  /** Kills this host's child process, if it is running. */
  kill(): void {
    this.#child?.kill('SIGKILL');
    this.#child = undefined;
  }
}
