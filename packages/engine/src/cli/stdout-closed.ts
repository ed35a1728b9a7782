import { fstatSync, readFileSync, statSync } from 'node:fs';

/**
 * Whether stdout was closed when the process started (`tidemark … >&-`).
 * Node never leaves a standard stream closed: it opens /dev/null in its
 * place, for reading and writing, so everything written there vanishes and
 * every write succeeds. A shell's `>/dev/null` opens it for writing only,
 * which tells the two apart, read from /proc/self/fdinfo/1 (Linux; elsewhere
 * stdout is never said to be closed). A parent that starts tidemark with
 * stdout ignored (Node's `stdio: 'ignore'`) also gives it /dev/null for
 * reading and writing, and is taken the same way: nothing written to stdout
 * would be kept either.
 */
export function stdoutClosed(): boolean {
  try {
    const stdout = fstatSync(1);
    if (!stdout.isCharacterDevice() || stdout.rdev !== statSync('/dev/null').rdev) return false;
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/fdinfo/1', 'utf8'))?.[1];
    // O_ACCMODE is 3; O_RDWR 2.
    return flags !== undefined && (Number.parseInt(flags, 8) & 3) === 2;
  } catch {
    return false;
  }
}
