import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PhaseStart } from './brain-slots.js';
import type { DownstreamPhase, DownstreamReport } from './brain-wire.js';

/** The environment variable that tells the downstream transform (workers/downstream.ts) where to connect. */
export const downstreamVariable = 'TIDEMARK_BRAIN_DOWNSTREAM';

/** A running downstream process. */
export interface Downstream {
  /** Its Unix socket. */
  readonly path: string;
  /** The phases begun so far, in order. */
  readonly phases: readonly PhaseStart[];
  /** Stop it and remove its socket. */
  close(): Promise<void>;
}

let started = 0;

/**
 * Fork a fresh downstream (brain-downstream.ts) with these phases, and
 * resolve once it listens. Each gets a socket of its own, so that no state
 * survives from one setting to the next.
 */
export async function startDownstream(phases: readonly DownstreamPhase[], serviceMs: number): Promise<Downstream> {
  const path = join(tmpdir(), `tidemark-brain-${process.pid}-${started++}.sock`);
  await rm(path, { force: true });
  const child = fork(new URL('./brain-downstream.js', import.meta.url), [JSON.stringify({ path, serviceMs, phases })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const begun: PhaseStart[] = [];
  const listening = new Promise<void>((resolve, reject) => {
    child.on('message', (report: DownstreamReport) => {
      if (report.kind === 'listening') resolve();
      else begun.push(report);
    });
    child.once('exit', (code) => reject(new Error(`bench:brain: the downstream exited (code ${code}) before it listened`)));
  });
  await listening;
  return { path, phases: begun, close: () => stop(child, path) };
}

async function stop(child: ChildProcess, path: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.disconnect();
    const timer = setTimeout(() => child.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
  await rm(path, { force: true });
}
