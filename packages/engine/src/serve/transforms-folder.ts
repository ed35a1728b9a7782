import { accessSync, constants, statSync } from 'node:fs';
import { UsageError } from '../cli/usage-error.js';

/** `--transforms`: refuse, before anything listens, what is not a folder that can be read. */
export function checkTransforms(path: string): void {
  if (path === '') throw new UsageError('--transforms: expected a folder, got ""');
  let folder: boolean;
  try {
    folder = statSync(path).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`--transforms: no such folder: ${path}`);
    throw new UsageError(`--transforms: cannot read ${path}: ${(error as Error).message}`);
  }
  if (!folder) throw new UsageError(`--transforms: not a folder: ${path}`);
  try {
    accessSync(path, constants.R_OK | constants.X_OK);
  } catch {
    throw new UsageError(`--transforms: not readable (no permission): ${path}`);
  }
}
