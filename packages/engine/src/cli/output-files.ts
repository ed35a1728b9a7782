import { accessSync, constants, lstatSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './usage-error.js';

/** The files `tidemark run` writes, by flag, as given (`-`: stdout). */
export interface OutputFiles {
  readonly output: string;
  readonly deadLetter?: string | undefined;
  readonly checkpoint?: string | undefined;
}

/**
 * Refuse, before any of them is opened (and so before `--output` is
 * emptied), an `--output`, `--dead-letter` or `--checkpoint` that cannot be
 * written: a folder, a path whose folder does not exist or is a file, no
 * permission, a path ending in `/`. The checkpoint is written next to
 * itself and renamed over itself, so only its folder must be writable, and
 * what is there must be a regular file (a rename would replace a device,
 * a FIFO or a symlink). Opening can still fail (the
 * file system changed since): {@link cannotWrite} words that the same way.
 */
export function checkOutputs(files: OutputFiles): void {
  if (files.output !== '-') checkWritable('--output', files.output, 'file');
  if (files.deadLetter !== undefined) checkWritable('--dead-letter', files.deadLetter, 'file');
  if (files.checkpoint !== undefined) checkWritable('--checkpoint', files.checkpoint, 'folder');
}

/**
 * Refuse a path given to `flag` that cannot be written (see
 * {@link checkOutputs}): `needs` is what must be writable, the file itself
 * (if it is there) or only its folder (a file written next to it and renamed).
 */
export function checkWritable(flag: string, path: string, needs: 'file' | 'folder'): void {
  if (path === '') throw new UsageError(`${flag}: expected a file name, got ""`);
  if (path.endsWith('/')) throw new UsageError(`${flag}: cannot write ${path}: it names a folder (it ends with /)`);
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory() === true) throw withCode('EISDIR');
    // Renamed over: a device node, a FIFO or a symlink there would be replaced by a file.
    if (needs === 'folder') refuseReplacing(flag, path);
    const folder = dirname(resolve(path));
    const folderStat = statSync(folder, { throwIfNoEntry: false });
    if (folderStat === undefined) throw withCode('ENOENT');
    if (!folderStat.isDirectory()) throw withCode('ENOTDIR');
    // A file there (not a device such as /dev/null or a pipe) is written in place, unless only its folder is.
    accessSync(stat !== undefined && needs === 'file' ? path : folder, constants.W_OK);
  } catch (error) {
    throw cannotWrite(flag, path, error);
  }
}

/** Refuse a path written by renaming a file over it when what is there is not a regular file. */
function refuseReplacing(flag: string, path: string): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat === undefined || stat.isFile()) return;
  const kind = stat.isSymbolicLink() ? 'a symbolic link' : stat.isFIFO() ? 'a FIFO' : stat.isSocket() ? 'a socket' : 'a device';
  throw new UsageError(`${flag}: cannot write ${path}: it is ${kind}, not a file (the checkpoint is renamed over it)`);
}

function withCode(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

/**
 * The error to report for `path`, given to `flag`, that could not be opened
 * for writing: one line naming the flag and saying what is wrong, once
 * (`tidemark: --output: cannot write out/x.ndjson: the folder out does not
 * exist`). An error that is not a system error is returned as it is.
 */
export function cannotWrite(flag: string, path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !(error instanceof Error)) return error;
  return new UsageError(`${flag}: cannot write ${path}: ${why(code, path, error)}`);
}

function why(code: string, path: string, error: Error): string {
  switch (code) {
    case 'ENOENT':
      return `the folder ${dirname(path)} does not exist`;
    case 'ENOTDIR':
      return `${nearestFile(path)} is not a folder`;
    case 'EISDIR':
      return 'it is a folder';
    case 'EACCES':
    case 'EPERM':
      return 'no permission';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      // Node's `CODE: text, open 'path'` (or `, write`): the text, and the code once.
      return `${error.message.replace(/^[A-Z]+: /, '').replace(/, \w+(?: '.*')?$/, '')} (${code})`;
  }
}

/** The file that stands where `path` needs a folder (the nearest to the root: the ones below it cannot be read). */
function nearestFile(path: string): string {
  const folders: string[] = [];
  for (let folder = dirname(path); dirname(folder) !== folder; folder = dirname(folder)) folders.unshift(folder);
  const file = folders.find((folder) => {
    try {
      return statSync(folder, { throwIfNoEntry: false })?.isFile() === true;
    } catch {
      return false;
    }
  });
  return file ?? dirname(path);
}
