import { readFileSync } from 'node:fs';

/**
 * The engine's version, read at run time from its package.json (two folders
 * up from both `src/cli` and `dist/cli`), so `tidemark --version` always says
 * the version of the package that is installed.
 */
export const version: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
