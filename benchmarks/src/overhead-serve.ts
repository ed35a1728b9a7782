// `tidemark serve` for the overhead benchmark's WebSocket contender: this checkout's built CLI in a
// child process on a free loopback port, its URL read from the first line it prints, and a `ws`
// socket to it per engine. Disposing sends SIGTERM (which drains its runs) and waits for the exit;
// so does a failure on the way, and the benchmark's own exit kills it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

/** The built CLI: dist/cli/main.js beside the engine's entry. */
const cli = fileURLToPath(new URL('./cli/main.js', import.meta.resolve('@tidemark/engine')));

/** How long the server may take to print its URL, to open a socket, and to exit after SIGTERM. */
const boundMs = 30_000;

/** A running `tidemark serve`. */
export interface ServeProcess extends AsyncDisposable {
  /** `ws://127.0.0.1:PORT`. */
  readonly url: string;
}

/** `tidemark serve --listen 127.0.0.1:0 --transforms <transforms>`, once it has printed its URL. */
export async function startServe(transforms: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cli, 'serve', '--listen', '127.0.0.1:0', '--transforms', transforms], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killNow = (): void => void child.kill('SIGKILL');
  process.once('exit', killNow);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  // Read on, so that its connection lines never fill the pipe; the tail goes into errors.
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('close', (code, signal) => {
      exit = String(code ?? signal);
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    process.off('exit', killNow);
    if (exit !== undefined) return;
    child.kill('SIGTERM');
    if (!(await settles(exited))) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`tidemark serve did not exit within ${boundMs} ms of SIGTERM (killed); stderr:\n${stderr}`);
    }
  };
  try {
    const url = await bounded(
      new Promise<string>((resolve, reject) => {
        const line = (): void => {
          const end = stdout.indexOf('\n');
          if (end < 0) return;
          const match = /^tidemark: serving (ws:\/\/\S+)$/.exec(stdout.slice(0, end));
          if (match) resolve(match[1] as string);
          else reject(new Error(`tidemark serve's first line is not \`tidemark: serving ws://HOST:PORT\`: ${JSON.stringify(stdout.slice(0, end))}`));
        };
        child.stdout.on('data', line);
        child.once('error', reject);
        void exited.then(() => reject(new Error(`tidemark serve exited (${exit}) before it printed its URL; stderr:\n${stderr}`)));
      }),
      'tidemark serve to print its URL',
    );
    return { url, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

/** A `ws` socket to `url`, once open (connectEngine needs it open). */
export function openSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  return bounded(
    new Promise<WebSocket>((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`${url} refused the upgrade: ${response.statusCode}`)));
      socket.once('error', reject);
    }),
    `a WebSocket to ${url} to open`,
  ).catch((error: unknown) => {
    socket.terminate();
    throw error;
  });
}

/** `promise`, or a rejection naming `what` after {@link boundMs}. */
async function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${boundMs} ms for ${what}`)), boundMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `promise` settles within {@link boundMs}. */
function settles(promise: Promise<unknown>): Promise<boolean> {
  return bounded(promise, '').then(
    () => true,
    () => false,
  );
}
