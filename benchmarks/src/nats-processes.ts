// The engine processes of `pnpm bench:nats`: the built `tidemark run
// --source nats://…` CLI, one child process each, and the CPU time the
// kernel counted for them (and for nats-server) while they worked.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI: dist/cli/main.js beside the engine's entry. */
const cli = fileURLToPath(new URL('./cli/main.js', import.meta.resolve('@tidemark/engine')));
/** The transform every process loads: this package's built nats-transform.js. */
const transform = fileURLToPath(new URL('./nats-transform.js', import.meta.url));

/** How each engine process runs. */
export interface EngineSettings {
  readonly threads: number;
  readonly concurrency: number;
}

/** One running `tidemark run --source nats://…`. */
export interface EngineProcess {
  /** Its `--processor` name, which the sink writes in `Tidemark-Processor`. */
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with its exit code (null when a signal ended it). */
  readonly exit: Promise<number | null>;
  stderr(): string;
}

/** Where the processes read and write. */
export interface EngineTarget {
  readonly url: string;
  readonly stream: string;
  readonly consumer: string;
  readonly sinkSubject: string;
}

/**
 * Starts `count` engine processes sharing `target.consumer`, named p0, p1, …;
 * each exits once the consumer is drained (`--exit-when-drained`).
 */
export function startEngines(count: number, target: EngineTarget, settings: EngineSettings): EngineProcess[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `p${i}`;
    const args = [
      cli, 'run', '--source', target.url, '--stream', target.stream, '--consumer', target.consumer, '--sink-subject', target.sinkSubject,
      '--transform', transform, '--threads', String(settings.threads), '--concurrency', String(settings.concurrency),
      '--processor', name, '--exit-when-drained', '--quiet',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
    const exit = once(child, 'exit').then(([code]) => code as number | null);
    return { name, child, exit, stderr: () => stderr };
  });
}

/** SIGKILL whichever of `engines` still runs (a failed session must not leave them behind). */
export function killEngines(engines: readonly EngineProcess[]): void {
  for (const engine of engines) if (engine.child.exitCode === null && engine.child.signalCode === null) engine.child.kill('SIGKILL');
}

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on every common Linux). */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU ms (user + system) the kernel counted for process `pid` so far, from
 * /proc/<pid>/stat (to the 10 ms tick); NaN where there is no /proc or the
 * process is gone.
 */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, field 2, is in parentheses and may hold spaces: count the fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond; // utime and stime, fields 14 and 15
  } catch {
    return Number.NaN;
  }
}
