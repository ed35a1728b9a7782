import { accessSync, constants, createReadStream, fstatSync, openSync, ReadStream as FsReadStream, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { Socket } from 'node:net';
import { isatty, ReadStream } from 'node:tty';
import type { Readable } from 'node:stream';
import { UsageError } from './usage-error.js';

/**
 * `--input`: refuse, before anything is opened, what can never be read: a
 * missing file, a folder, a file without read permission. Anything else
 * readable is taken: a file, /dev/stdin, /dev/null, a named pipe, bash's
 * `<(…)` (a /dev/fd/N pipe).
 */
export function checkInput(path: string): void {
  if (path === '-') return;
  if (path === '') throw new UsageError('--input: expected a file name, got ""');
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`--input: no such file: ${path}`);
    throw new UsageError(`--input: cannot read ${path}: ${(error as Error).message}`);
  }
  if (stat.isDirectory()) throw new UsageError(`--input: is a directory: ${path}`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new UsageError(`--input: not readable (no permission): ${path}`);
  }
}

/** The input stream and, when it is a regular file (stdin redirected from one too), its size. */
export interface OpenedInput {
  readonly stream: Readable;
  readonly file?: { readonly size: number };
}

/**
 * Open `--input` for reading, synchronously, so that a failure to open is
 * thrown here (and reported as one line) rather than emitted later. `-`,
 * `/dev/stdin`, `/dev/fd/N` and `/proc/self/fd/N` read the descriptor this
 * process already has, as `cat -` does: a socket cannot be opened by its
 * /dev/fd path, and a file keeps its offset.
 */
export function openInput(path: string): OpenedInput {
  const fd = path === '-' ? 0 : descriptorOf(path);
  if (fd === 0) {
    const stdin = process.stdin;
    return stdin instanceof FsReadStream ? fromFile(stdin, fstatSync(0)) : { stream: stdin };
  }
  if (fd !== undefined) return fromDescriptor(fd, fstatSync(fd));
  const stat = statSync(path);
  // Opened non-blocking before any writer, Linux reports nothing on a named
  // pipe (neither data nor its end) until a writer comes, so a writer that
  // opens the pipe later is waited for without holding a thread.
  if (stat.isFIFO()) return fromDescriptor(openSync(path, constants.O_RDONLY | constants.O_NONBLOCK), stat);
  return fromDescriptor(openSync(path, 'r'), stat);
}

/** The descriptor a path such as `/dev/stdin` or `/dev/fd/3` names, if this process has it open. */
function descriptorOf(path: string): number | undefined {
  const match = /^\/(?:dev\/(?:stdin|fd\/(\d+))|proc\/self\/fd\/(\d+))$/.exec(path);
  if (match === null) return undefined;
  const fd = Number(match[1] ?? match[2] ?? 0);
  try {
    fstatSync(fd);
    return fd;
  } catch {
    return undefined;
  }
}

function fromDescriptor(fd: number, stat: Stats): OpenedInput {
  // A pipe or socket is polled, not read on libuv's thread pool: a blocking
  // read of a pipe whose writer is quiet holds a pool thread, and with it
  // the process, until the writer writes, so SIGINT could not end the run.
  if (stat.isFIFO() || stat.isSocket()) return { stream: new Socket({ fd, readable: true, writable: false }) };
  if (stat.isCharacterDevice() && isatty(fd)) return { stream: new ReadStream(fd) };
  return fromFile(createReadStream('', { fd }), stat);
}

function fromFile(stream: FsReadStream, stat: Stats): OpenedInput {
  return stat.isFile() ? { stream, file: { size: stat.size } } : { stream };
}
