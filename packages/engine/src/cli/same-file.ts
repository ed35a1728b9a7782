import { fstatSync, realpathSync, statSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './usage-error.js';

/** The files `tidemark run` reads and writes, as given (`-`: stdin, stdout). */
export interface RunFiles {
  readonly input: string;
  readonly output: string;
  readonly deadLetter?: string | undefined;
  readonly checkpoint?: string | undefined;
}

/**
 * Refuse, before anything is opened for writing, a run that would write the
 * file it reads (`--output x --input x` truncated x, the input, before
 * reading it; `--input x >> x` would read its own outputs forever) or two
 * outputs into one file. Two names are the same file when they have the same
 * device and inode (through a symlink or a hard link too, as GNU cat's
 * "input file is output file" check), or, for files not there yet, the same
 * resolved path. Only regular files count: `/dev/null` may take every output.
 */
export function checkSameFiles(files: RunFiles): void {
  const input = identity(files.input, 0);
  const inputName = files.input === '-' ? '(stdin)' : files.input;
  const stdout = files.output === '-';
  const writers = [
    { flag: '--output', name: stdout ? 'stdout' : files.output, id: identity(files.output, 1), would: stdout ? 'overwrite' : 'empty' },
    ...(files.deadLetter === undefined ? [] : [{ flag: '--dead-letter', name: files.deadLetter, id: identity(files.deadLetter), would: 'empty' }]),
    // Written by a rename over it: that would replace the input's name with an offset.
    ...(files.checkpoint === undefined ? [] : [{ flag: '--checkpoint', name: files.checkpoint, id: identity(files.checkpoint), would: 'replace' }]),
  ];
  writers.forEach((writer, index) => {
    if (writer.id === undefined) return;
    if (writer.id === input) {
      throw new UsageError(`${writer.flag}: ${writer.name} is the input file ${inputName}; writing it would ${writer.would} the input`);
    }
    const earlier = writers.slice(0, index).find((other) => other.id === writer.id);
    if (earlier !== undefined) throw new UsageError(`${writer.flag}: ${writer.name} is the same file as ${earlier.flag} ${earlier.name}`);
  });
}

/** A file a command reads, as {@link refuseWritingRead} names it: `the input file x`, `the transform module t.js`. */
export interface ReadFile {
  /** `input file`, `transform module`. */
  readonly what: string;
  /** What writing it would lose: `input`, `transform`. */
  readonly noun: string;
  /** As given (`-`: stdin). */
  readonly path: string;
}

/**
 * Refuse `path`, which `flag` would write (`would`: what that does to a
 * file, `overwrite`), when it is one of the files the command reads: the
 * same file by the identity {@link checkSameFiles} uses (device and inode,
 * or the resolved path of a file not there yet).
 */
export function refuseWritingRead(flag: string, path: string, would: string, reads: readonly ReadFile[]): void {
  const written = identity(path);
  if (written === undefined) return;
  for (const read of reads) {
    if (identity(read.path, 0) !== written) continue;
    throw new UsageError(`${flag}: ${path} is the ${read.what} ${read.path === '-' ? '(stdin)' : read.path}; writing it would ${would} the ${read.noun}`);
  }
}

/**
 * What a path (or, for `-`, the standard stream `fd`) names: a regular
 * file's device and inode, the resolved path of a file not there yet, or
 * undefined for anything else (a device, a pipe), which never clashes.
 */
function identity(path: string, fd?: 0 | 1): string | undefined {
  let stat: BigIntStats;
  try {
    stat = path === '-' && fd !== undefined ? fstatSync(fd, { bigint: true }) : statSync(path, { bigint: true });
  } catch {
    if (path === '-') return undefined;
    try {
      return `path ${join(realpathSync(dirname(path)), basename(path))}`;
    } catch {
      return `path ${resolve(path)}`;
    }
  }
  return stat.isFile() ? `file ${stat.dev}:${stat.ino}` : undefined;
}
