// The two map servers of `pnpm bench:numaflow`, each a process of its own as a UDF
// container is: Tidemark's `tidemark serve numaflow` (the built CLI) and the SDK-style
// server beside this file. Started on a socket in a fresh folder, ready once it has
// printed its serving line; stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const contenders = ['tidemark', 'sdk-style'] as const;
export type Contender = (typeof contenders)[number];

/** The transform both run. */
export const transformPath = fileURLToPath(new URL('./workers/numaflow-cpu.js', import.meta.url));
const cliPath = fileURLToPath(new URL('./cli/main.js', import.meta.resolve('@tidemark/engine')));
const sdkServerPath = fileURLToPath(new URL('./numaflow-sdk-server.js', import.meta.url));

/** How Tidemark runs: its worker threads and messages in flight at them. */
export interface TidemarkSettings {
  readonly threads: number;
  readonly concurrency: number;
}

/** A server while it runs. */
export interface Running {
  readonly contender: Contender;
  /** What it runs with, as printed beside its figures. */
  readonly settings: string;
  readonly socket: string;
  stop(): Promise<void>;
}

/** Start `contender` on a socket in `dir`; resolves once it serves. */
export async function startContender(contender: Contender, dir: string, tidemark: TidemarkSettings): Promise<Running> {
  const socket = join(dir, `${contender}.sock`);
  const serverInfo = join(dir, `${contender}-server-info`);
  const args =
    contender === 'tidemark'
      ? [cliPath, 'serve', 'numaflow', '--transform', transformPath, '--socket', socket, '--server-info', serverInfo, '--threads', String(tidemark.threads), '--concurrency', String(tidemark.concurrency)]
      : [sdkServerPath, socket, serverInfo, transformPath];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('serving')) resolve();
    });
    void exited.then((code) => reject(new Error(`${contender} exited (${code}) before serving: ${stderr}`)));
  });
  return {
    contender,
    settings: contender === 'tidemark' ? `threads ${tidemark.threads}, concurrency ${tidemark.concurrency}` : 'one thread, the transform inline on it',
    socket,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
